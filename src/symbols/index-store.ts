// The on-disk symbol index: each module's index segments in one file, keyed by what identifies the build (ELF build id, PDB GUID and age) plus size and mtime, so a new window finds an unchanged program's symbols without reading its debug info.
// Opening reads a small header and table of contents (each with its checksum); a segment's bytes are read in blocks when a query first needs them, each block checked against its own CRC-32. Anything that does not match is never used: at open the file is deleted and the module read afresh; at first use the index withdraws, and its owner reads the module again.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileSource, type ByteSource } from './byte-source';
import { ElfFile } from './elf/elf';
import { SegmentUnavailableError } from './errors';
import type { SymbolLoadResult } from './load-task';
import type { LoadedModule } from './module-loader';
import { INDEX_VERSION, LazySegment, SymbolIndex } from './symbol-index';

const MAGIC = 0x43585352; // 'RSXC'
/** The layout of a store file; a file of another version is ignored and rewritten. 2: a table of contents and per-block checksums, segments read on demand. */
export const STORE_VERSION = 2;
/**
 * magic, store version, file id (8 random bytes: a reader that reopens the file knows it is the same one), length
 * and CRC-32 of the table of contents, 0, CRC-32 of the 28 bytes before it.
 */
export const STORE_HEADER_BYTES = 32;
const FILE_SUFFIX = '.rsidx';
/**
 * 4 KiB: a query's binary searches visit a dozen blocks per column, so a block is kept small (the first queries on a
 * 222 MB-DWARF program's store read about 1 MB; with 64 KiB blocks they read 20 MB and took five times as long).
 */
export const DEFAULT_STORE_BLOCK_BYTES = 4 * 1024;
/** A reader closes the file after this long without a read (and reopens it, checking it is the same file, when a query needs more). */
const IDLE_CLOSE_MS = 2000;

export interface IndexStoreOptions {
  /** The directory holding the files (the extension's global storage, or one a test or the standalone adapter names). */
  dir: string;
  /** Files beyond this many bytes in total are evicted, least recently used first. */
  maxBytes?: number;
  /** Bytes per checksummed block of a segment, in files this store writes (tests use small blocks). */
  blockBytes?: number;
}

/** 2 GiB: about twenty large programs (a 222 MB-DWARF binary's index is about 110 MB). */
export const DEFAULT_INDEX_STORE_BYTES = 2 * 1024 * 1024 * 1024;

/** What a stored module is known by: its build, its size and mtime, and the search paths it was read with. */
export interface StoreKey {
  /** The full key, kept inside the file too (a file name is a hash of it). */
  text: string;
  file: string;
}

/** What the file's own bytes say identifies its build: an ELF build id, a PE's PDB GUID and age; undefined when it carries neither. */
export function buildIdentity(file: string): string | undefined {
  let source: ByteSource | undefined;
  try {
    source = fileSource(file);
    const head = source.read(0, Math.min(source.size, 4));
    if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
      const id = new ElfFile(source, file).buildId();
      return id ? `elf-build-id:${id}` : undefined;
    }
    if (head[0] === 0x4d && head[1] === 0x5a) {
      const cv = peCodeView(source);
      return cv ? `pdb:${cv}` : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    source?.close?.();
  }
}

/** The GUID and age of a PE image's RSDS CodeView record, read from its headers and debug directory alone. */
function peCodeView(source: ByteSource): string | undefined {
  const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dos = dv(source.read(0, Math.min(source.size, 64)));
  const pe = dos.getUint32(0x3c, true);
  const coff = dv(source.read(pe, 24));
  if (coff.getUint32(0, true) !== 0x00004550) return undefined;
  const sections = coff.getUint16(6, true);
  const optSize = coff.getUint16(20, true);
  const opt = dv(source.read(pe + 24, optSize));
  const pe32plus = opt.getUint16(0, true) === 0x20b;
  const dirs = pe32plus ? 112 : 96;
  if (optSize < dirs + 7 * 8) return undefined;
  const debugRva = opt.getUint32(dirs + 6 * 8, true);
  const debugSize = opt.getUint32(dirs + 6 * 8 + 4, true);
  const table = dv(source.read(pe + 24 + optSize, sections * 40));
  const toOffset = (rva: number): number | undefined => {
    for (let i = 0; i < sections; i++) {
      const virtualSize = table.getUint32(i * 40 + 8, true);
      const va = table.getUint32(i * 40 + 12, true);
      const raw = table.getUint32(i * 40 + 16, true);
      const ptr = table.getUint32(i * 40 + 20, true);
      const size = virtualSize > 0 ? Math.min(virtualSize, raw) : raw;
      if (rva >= va && rva < va + size) return ptr + (rva - va);
    }
    return undefined;
  };
  const at = toOffset(debugRva);
  if (at === undefined) return undefined;
  for (let i = 0; i < Math.min(64, Math.floor(debugSize / 28)); i++) {
    const e = dv(source.read(at + i * 28, 28));
    if (e.getUint32(12, true) !== 2 /* CODEVIEW */) continue;
    const cv = source.read(e.getUint32(24, true), 24);
    if (dv(cv).getUint32(0, true) !== 0x53445352 /* RSDS */) continue;
    return `${Buffer.from(cv.subarray(4, 20)).toString('hex')}-${dv(cv).getUint32(20, true)}`;
  }
  return undefined;
}

/** What a file's table of contents says besides its block checksums and hidden-entry marks. */
interface StoredFacts {
  key: string;
  indexVersion: number;
  status: LoadedModule['status'];
  debugInfoBytes: number;
  warnings: string[];
  parts: Array<Omit<SymbolLoadResult, 'index'>>;
  /** Bytes per checksummed block of every segment. */
  blockBytes: number;
  /** Per segment: where it starts in the data area (8-aligned, one after another), its length, and the length of its hidden-entry marks. */
  segments: Array<{ offset: number; bytes: number; marks: number }>;
}

/** The file is not a store file this version can trust: get() deletes it. */
class RejectedFile extends Error {}

export class SymbolIndexStore {
  readonly dir: string;
  readonly maxBytes: number;
  readonly blockBytes: number;

  constructor(options: IndexStoreOptions) {
    if (typeof options.dir !== 'string' || options.dir === '') throw new Error('options.dir must name the directory for the symbol index store');
    if (options.maxBytes !== undefined && !(options.maxBytes >= 0)) throw new Error('options.maxBytes must be a number of bytes, 0 or more');
    if (options.blockBytes !== undefined && !validBlockBytes(options.blockBytes)) throw new Error('options.blockBytes must be a multiple of 8 from 64 to 16777216');
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_INDEX_STORE_BYTES;
    this.blockBytes = options.blockBytes ?? DEFAULT_STORE_BLOCK_BYTES;
  }

  /** The key of `file` as it is now (undefined when it cannot be read); cheap: a stat and a few header reads. */
  keyOf(file: string, searchPaths: readonly string[] = []): StoreKey | undefined {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    // Without a build id the path stands in for it: a copy elsewhere is then read again, which is merely slower.
    const build = buildIdentity(file) ?? `path:${path.resolve(file)}`;
    const text = [build, `size:${st.size}`, `mtime:${st.mtimeMs}`, `index:${INDEX_VERSION}`, ...searchPaths.map((p) => `search:${p}`)].join('\n');
    const name = createHash('sha1').update(text).digest('hex').slice(0, 32) + FILE_SUFFIX;
    return { text, file: path.join(this.dir, name) };
  }

  /**
   * The module stored under `key`, or undefined. Only the header, the table of contents and each segment's first
   * block are read now (all checked); the rest is read and checked block by block as queries need it. A file that is
   * truncated, corrupt, of another format or index version, or of another key is deleted (the caller reads the
   * module and put()s it again); a good one is marked used now, for eviction.
   */
  async get(key: StoreKey): Promise<LoadedModule | undefined> {
    let loaded: LoadedModule | undefined;
    try {
      loaded = openStored(key);
    } catch (err) {
      if (!(err instanceof RejectedFile || err instanceof SegmentUnavailableError)) return undefined; // no such file, or not readable
      await fsp.rm(key.file, { force: true }).catch(() => undefined);
      return undefined;
    }
    const now = new Date();
    await fsp.utimes(key.file, now, now).catch(() => undefined);
    return loaded;
  }

  /** Writes `loaded` under `key` (to a temporary file renamed into place, so a reader never sees half a file), then evicts beyond the size cap. */
  async put(key: StoreKey, loaded: LoadedModule): Promise<void> {
    // Its buffers hold only what queries have read so far.
    if (loaded.index.isLazy) throw new Error('an index read from the store is not written back to it');
    const segments = loaded.index.buffers.map((b) => new Uint8Array(b));
    const marks = loaded.index.hiddenMarks();
    const blockBytes = this.blockBytes;
    const crcs = new Uint32Array(segments.reduce((n, s) => n + blockCount(s.byteLength, blockBytes), 0));
    let k = 0;
    let sinceYield = 0;
    for (const s of segments) {
      for (let at = 0; at < s.byteLength; at += blockBytes) {
        crcs[k++] = zlib.crc32(s.subarray(at, Math.min(s.byteLength, at + blockBytes))) >>> 0;
        // Let the event loop run every few MB.
        sinceYield += blockBytes;
        if (sinceYield >= 4 << 20) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    let offset = 0;
    const layout = segments.map((s, i) => {
      const at = offset;
      offset = align8(at + s.byteLength);
      return { offset: at, bytes: s.byteLength, marks: marks[i].length };
    });
    const facts: StoredFacts = {
      key: key.text,
      indexVersion: INDEX_VERSION,
      status: loaded.status,
      debugInfoBytes: loaded.debugInfoBytes,
      warnings: loaded.warnings,
      parts: loaded.parts.map(({ index: _index, ...rest }) => rest),
      blockBytes,
      segments: layout,
    };
    const meta = Buffer.from(JSON.stringify(facts), 'utf8');
    const metaLength = Buffer.alloc(4);
    metaLength.writeUInt32LE(meta.length);
    const toc = [metaLength, meta, Buffer.alloc(align4(meta.length) - meta.length), new Uint8Array(crcs.buffer, crcs.byteOffset, crcs.byteLength), ...marks];
    let tocCrc = 0;
    let tocLength = 0;
    for (const piece of toc) {
      tocCrc = zlib.crc32(piece, tocCrc);
      tocLength += piece.byteLength;
    }
    const header = Buffer.alloc(STORE_HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(STORE_VERSION, 4);
    randomBytes(8).copy(header, 8);
    header.writeUInt32LE(tocLength, 16);
    header.writeUInt32LE(tocCrc >>> 0, 20);
    header.writeUInt32LE(zlib.crc32(header.subarray(0, 28)) >>> 0, 28);
    const dataStart = align8(STORE_HEADER_BYTES + tocLength);
    const pieces: Uint8Array[] = [header, ...toc, Buffer.alloc(dataStart - STORE_HEADER_BYTES - tocLength)];
    segments.forEach((s, i) => {
      if (i > 0) pieces.push(Buffer.alloc(layout[i].offset - (layout[i - 1].offset + layout[i - 1].bytes)));
      pieces.push(s);
    });
    await fsp.mkdir(this.dir, { recursive: true });
    const temp = `${key.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      const handle = await fsp.open(temp, 'w');
      try {
        for (const piece of pieces) await writeAll(handle, piece);
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, key.file);
    } catch (err) {
      await fsp.rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
    await this.evict();
  }

  /** Deletes the least recently used files until the rest fit in maxBytes (left-over temporary files first). */
  async evict(): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return;
    }
    const files: Array<{ file: string; size: number; used: number }> = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const st = await fsp.stat(file).catch(() => undefined);
      if (!st?.isFile()) continue;
      // A temporary file an hour old belongs to a writer that died.
      if (name.endsWith('.tmp') && Date.now() - st.mtimeMs > 3_600_000) {
        await fsp.rm(file, { force: true }).catch(() => undefined);
        continue;
      }
      if (name.endsWith(FILE_SUFFIX)) files.push({ file, size: st.size, used: st.mtimeMs });
    }
    let total = files.reduce((n, f) => n + f.size, 0);
    for (const f of files.sort((a, b) => a.used - b.used)) {
      if (total <= this.maxBytes) break;
      await fsp.rm(f.file, { force: true }).catch(() => undefined);
      total -= f.size;
    }
  }
}

function validBlockBytes(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 64 && n <= 1 << 24 && n % 8 === 0;
}

function blockCount(bytes: number, blockBytes: number): number {
  return Math.ceil(bytes / blockBytes);
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

async function writeAll(handle: fsp.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength; ) {
    const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at);
    at += bytesWritten;
  }
}

/**
 * One store file as an index reads it: opened when a read needs it and closed after IDLE_CLOSE_MS without one (so a
 * store on Windows is not held open for a whole session); reopened only when its header, file id included, is the
 * one first read.
 */
class StoredFile {
  private fd: number | undefined;
  private idle: NodeJS.Timeout | undefined;
  private header: Buffer | undefined;
  private failure: SegmentUnavailableError | undefined;
  /** Bytes read so far (header, table of contents and the blocks queries needed). */
  bytesRead = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.arm();
  }

  /** Reads exactly `target.byteLength` bytes at `position`. */
  read(target: Uint8Array, position: number): void {
    const fd = this.handle();
    try {
      for (let at = 0; at < target.byteLength; ) {
        const n = fs.readSync(fd, target, at, target.byteLength - at, position + at);
        if (n <= 0) throw new Error('the file is shorter than its table of contents says');
        at += n;
        this.bytesRead += n;
      }
    } catch (err) {
      this.fail(new SegmentUnavailableError(`${this.path}: the stored symbol index could not be read (${(err as Error).message})`));
    }
  }

  size(): number {
    return fs.fstatSync(this.handle()).size;
  }

  /** The header as first read: the reference a reopened file must match. */
  remember(header: Buffer): void {
    this.header = Buffer.from(header);
  }

  /** From now on every read throws `err`; the file is closed. */
  fail(err: SegmentUnavailableError): never {
    this.failure ??= err;
    this.close();
    throw err;
  }

  close(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Already closed.
      }
    }
    this.fd = undefined;
  }

  private handle(): number {
    if (this.failure) throw this.failure;
    if (this.fd === undefined) {
      let fd: number;
      try {
        fd = fs.openSync(this.path, 'r');
      } catch (err) {
        this.fail(new SegmentUnavailableError(`${this.path}: the stored symbol index is gone (${(err as Error).message})`));
      }
      const now = Buffer.alloc(STORE_HEADER_BYTES);
      let same: boolean;
      try {
        same = fs.readSync(fd, now, 0, now.length, 0) === now.length && this.header !== undefined && now.equals(this.header);
      } catch {
        same = false;
      }
      if (!same) {
        fs.closeSync(fd);
        this.fail(new SegmentUnavailableError(`${this.path}: the stored symbol index was replaced while in use`));
      }
      this.fd = fd;
    }
    this.arm();
    return this.fd;
  }

  private arm(): void {
    if (this.idle) this.idle.refresh();
    else {
      this.idle = setTimeout(() => this.close(), IDLE_CLOSE_MS);
      this.idle.unref?.();
    }
  }
}

/** One segment's bytes, read from its file in checked blocks as queries need them. */
class StoredSegment implements LazySegment {
  readonly buffer: ArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly loaded: Uint8Array;

  constructor(
    private readonly file: StoredFile,
    private readonly position: number,
    size: number,
    private readonly blockBytes: number,
    private readonly crcs: Uint32Array,
    private readonly label: string,
    private readonly onCorrupt: () => void,
  ) {
    // Zero pages the OS backs only once written: a segment costs memory for what its queries have read.
    this.buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(this.buffer);
    this.loaded = new Uint8Array(crcs.length);
  }

  need(start: number, end: number): void {
    const size = this.bytes.byteLength;
    const from = Math.max(0, start);
    const to = Math.min(size, end);
    if (to <= from) return;
    const B = this.blockBytes;
    const last = Math.floor((to - 1) / B);
    for (let b = Math.floor(from / B); b <= last; ) {
      if (this.loaded[b] === 1) {
        b++;
        continue;
      }
      // A run of blocks not yet read: one read, then each block's check.
      let run = b;
      while (run < last && this.loaded[run + 1] === 0) run++;
      const lo = b * B;
      const hi = Math.min(size, (run + 1) * B);
      this.file.read(this.bytes.subarray(lo, hi), this.position + lo);
      for (let k = b; k <= run; k++) {
        const at = k * B;
        if (zlib.crc32(this.bytes.subarray(at, Math.min(size, at + B))) >>> 0 !== this.crcs[k]) {
          this.bytes.fill(0, lo, hi);
          this.onCorrupt();
          this.file.fail(new SegmentUnavailableError(`${this.file.path}: block ${k} of ${this.label} fails its checksum; the stored symbol index is deleted and the module read again`));
        }
      }
      this.loaded.fill(1, b, run + 1);
      b = run + 1;
    }
  }
}

/** Opens a stored file: reads and checks its header and table of contents, and each segment's first block. */
function openStored(key: StoreKey): LoadedModule {
  const file = new StoredFile(key.file);
  try {
    const size = file.size();
    if (size < STORE_HEADER_BYTES) throw new RejectedFile('too short');
    const header = Buffer.alloc(STORE_HEADER_BYTES);
    file.read(header, 0);
    if (header.readUInt32LE(0) !== MAGIC || header.readUInt32LE(4) !== STORE_VERSION) throw new RejectedFile('not a store file of this version');
    if (zlib.crc32(header.subarray(0, 28)) >>> 0 !== header.readUInt32LE(28)) throw new RejectedFile('header checksum differs');
    file.remember(header);
    const tocLength = header.readUInt32LE(16);
    if (tocLength < 4 || tocLength > size - STORE_HEADER_BYTES) throw new RejectedFile('table of contents runs past the end');
    const toc = Buffer.alloc(tocLength);
    file.read(toc, STORE_HEADER_BYTES);
    if (zlib.crc32(toc) >>> 0 !== header.readUInt32LE(20)) throw new RejectedFile('table of contents checksum differs');
    const metaBytes = toc.readUInt32LE(0);
    if (metaBytes > tocLength - 4) throw new RejectedFile('metadata runs past the table of contents');
    const facts = JSON.parse(toc.subarray(4, 4 + metaBytes).toString('utf8')) as StoredFacts;
    if (facts.key !== key.text || facts.indexVersion !== INDEX_VERSION) throw new RejectedFile('another key or index version');
    checkFacts(facts);
    const blocks = facts.segments.reduce((n, s) => n + blockCount(s.bytes, facts.blockBytes), 0);
    const marksAt = align4(4 + metaBytes) + blocks * 4;
    if (marksAt + facts.segments.reduce((n, s) => n + s.marks, 0) !== tocLength) throw new RejectedFile('table of contents sizes do not add up');
    const dataStart = align8(STORE_HEADER_BYTES + tocLength);
    const end = facts.segments.length > 0 ? facts.segments[facts.segments.length - 1].offset + facts.segments[facts.segments.length - 1].bytes : 0;
    if (dataStart + end !== size) throw new RejectedFile('the file size differs from its table of contents');
    const crcs = new Uint32Array(toc.buffer.slice(toc.byteOffset + align4(4 + metaBytes), toc.byteOffset + marksAt));
    let block = 0;
    let mark = marksAt;
    const hidden: Uint8Array[] = [];
    // At once, so that the read that follows cannot open the same bad file again.
    const onCorrupt = (): void => {
      try {
        fs.rmSync(key.file, { force: true });
      } catch {
        // Left for get() to find and delete.
      }
    };
    const segments = facts.segments.map((s, i) => {
      const n = blockCount(s.bytes, facts.blockBytes);
      const seg = new StoredSegment(file, dataStart + s.offset, s.bytes, facts.blockBytes, crcs.subarray(block, block + n), `segment ${i + 1} of ${facts.segments.length}`, onCorrupt);
      block += n;
      hidden.push(toc.subarray(mark, mark + s.marks));
      mark += s.marks;
      return seg;
    });
    // Each segment's header is read and checked here (its first block), and the marks must fit its entries.
    let index: SymbolIndex;
    try {
      index = new SymbolIndex(segments, { hidden });
    } catch (err) {
      throw err instanceof SegmentUnavailableError ? err : new RejectedFile((err as Error).message);
    }
    const parts = facts.parts.map((p) => ({ ...p }));
    return { index, parts, status: facts.status, debugInfoBytes: facts.debugInfoBytes, warnings: facts.warnings, stored: { fileBytes: size, bytesRead: () => file.bytesRead } };
  } catch (err) {
    file.close();
    if (err instanceof SegmentUnavailableError) throw err;
    throw err instanceof RejectedFile ? err : new RejectedFile((err as Error).message);
  }
}

/** The table of contents' facts have the shapes and the one layout put() writes; throws RejectedFile otherwise. */
function checkFacts(facts: StoredFacts): void {
  const ok =
    Array.isArray(facts.segments) && Array.isArray(facts.parts) && facts.parts.length === facts.segments.length && facts.parts.every((p) => typeof p === 'object' && p !== null) &&
    Array.isArray(facts.warnings) && facts.warnings.every((w) => typeof w === 'string') && ['loaded', 'publicsOnly', 'none'].includes(facts.status) &&
    Number.isSafeInteger(facts.debugInfoBytes) && validBlockBytes(facts.blockBytes);
  if (!ok) throw new RejectedFile('malformed table of contents');
  let offset = 0;
  for (const s of facts.segments) {
    if (typeof s !== 'object' || s === null || s.offset !== offset || !Number.isSafeInteger(s.bytes) || s.bytes < 0 || !Number.isSafeInteger(s.marks) || s.marks < 0) {
      throw new RejectedFile('malformed segment table');
    }
    offset = align8(s.offset + s.bytes);
  }
}
