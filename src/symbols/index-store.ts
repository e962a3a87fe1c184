// The on-disk symbol index: each module's index segments in one file, keyed by what identifies the build (ELF build id, PDB GUID and age) plus size and mtime, so a new window finds an unchanged program's symbols without reading its debug info.
// A file is trusted only when its header, format versions, key and checksum all match; anything else is deleted and the module read afresh.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileSource, type ByteSource } from './byte-source';
import { ElfFile } from './elf/elf';
import type { SymbolLoadResult } from './load-task';
import type { LoadedModule } from './module-loader';
import { INDEX_VERSION, SymbolIndex } from './symbol-index';

const MAGIC = 0x43585352; // 'RSXC'
/** The layout of a store file; a file of another version is ignored and rewritten. */
export const STORE_VERSION = 1;
/** magic, store version, CRC-32 of the payload, payload length (low, high). */
const HEADER_BYTES = 20;
const FILE_SUFFIX = '.rsidx';

export interface IndexStoreOptions {
  /** The directory holding the files (the extension's global storage, or one a test or the standalone adapter names). */
  dir: string;
  /** Files beyond this many bytes in total are evicted, least recently used first. */
  maxBytes?: number;
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

/** Which facts of a load a stored file keeps besides its segments. */
interface StoredFacts {
  key: string;
  indexVersion: number;
  status: LoadedModule['status'];
  debugInfoBytes: number;
  warnings: string[];
  parts: Array<Omit<SymbolLoadResult, 'index'>>;
  segmentBytes: number[];
}

export class SymbolIndexStore {
  readonly dir: string;
  readonly maxBytes: number;

  constructor(options: IndexStoreOptions) {
    if (typeof options.dir !== 'string' || options.dir === '') throw new Error('options.dir must name the directory for the symbol index store');
    if (options.maxBytes !== undefined && !(options.maxBytes >= 0)) throw new Error('options.maxBytes must be a number of bytes, 0 or more');
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_INDEX_STORE_BYTES;
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
   * The module stored under `key`, or undefined. A file that is truncated, corrupt, of another format or index
   * version, or of another key is deleted (the caller reads the module and put()s it again); a good one is marked
   * used now, for eviction.
   */
  async get(key: StoreKey): Promise<LoadedModule | undefined> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(key.file, 'r');
    } catch {
      return undefined;
    }
    let loaded: LoadedModule | undefined;
    try {
      loaded = await readStored(handle, key);
    } catch {
      loaded = undefined;
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (!loaded) {
      await fsp.rm(key.file, { force: true }).catch(() => undefined);
      return undefined;
    }
    const now = new Date();
    await fsp.utimes(key.file, now, now).catch(() => undefined);
    return loaded;
  }

  /** Writes `loaded` under `key` (to a temporary file renamed into place, so a reader never sees half a file), then evicts beyond the size cap. */
  async put(key: StoreKey, loaded: LoadedModule): Promise<void> {
    const segments = loaded.parts.map((p) => new Uint8Array(p.index));
    const facts: StoredFacts = {
      key: key.text,
      indexVersion: INDEX_VERSION,
      status: loaded.status,
      debugInfoBytes: loaded.debugInfoBytes,
      warnings: loaded.warnings,
      parts: loaded.parts.map(({ index: _index, ...rest }) => rest),
      segmentBytes: segments.map((s) => s.byteLength),
    };
    const meta = Buffer.from(JSON.stringify(facts), 'utf8');
    const metaLength = Buffer.alloc(4);
    metaLength.writeUInt32LE(meta.length);
    const payload = [metaLength, meta, ...segments];
    let crc = 0;
    let length = 0;
    for (const piece of payload) {
      crc = zlib.crc32(piece, crc);
      length += piece.byteLength;
      // Large segments: let the event loop run between them.
      if (piece.byteLength > 1 << 20) await new Promise((resolve) => setImmediate(resolve));
    }
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(STORE_VERSION, 4);
    header.writeUInt32LE(crc >>> 0, 8);
    header.writeUInt32LE(length % 2 ** 32, 12);
    header.writeUInt32LE(Math.floor(length / 2 ** 32), 16);
    await fsp.mkdir(this.dir, { recursive: true });
    const temp = `${key.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      const handle = await fsp.open(temp, 'w');
      try {
        for (const piece of [header, ...payload]) await writeAll(handle, piece);
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

async function writeAll(handle: fsp.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength; ) {
    const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at);
    at += bytesWritten;
  }
}

async function readExactly(handle: fsp.FileHandle, target: Uint8Array, position: number): Promise<void> {
  for (let at = 0; at < target.byteLength; ) {
    const { bytesRead } = await handle.read(target, at, target.byteLength - at, position + at);
    if (bytesRead <= 0) throw new Error('the stored index file is truncated');
    at += bytesRead;
  }
}

/** Reads and checks one stored file; throws on anything that does not match (get() then deletes it). */
async function readStored(handle: fsp.FileHandle, key: StoreKey): Promise<LoadedModule> {
  const { size } = await handle.stat();
  if (size < HEADER_BYTES + 4) throw new Error('too short');
  const header = Buffer.alloc(HEADER_BYTES);
  await readExactly(handle, header, 0);
  if (header.readUInt32LE(0) !== MAGIC || header.readUInt32LE(4) !== STORE_VERSION) throw new Error('not a store file of this version');
  const length = header.readUInt32LE(12) + header.readUInt32LE(16) * 2 ** 32;
  if (length !== size - HEADER_BYTES) throw new Error('length differs from the file size');
  const metaLength = Buffer.alloc(4);
  await readExactly(handle, metaLength, HEADER_BYTES);
  const metaBytes = metaLength.readUInt32LE(0);
  if (metaBytes > length - 4) throw new Error('metadata runs past the end');
  const meta = Buffer.alloc(metaBytes);
  await readExactly(handle, meta, HEADER_BYTES + 4);
  let crc = zlib.crc32(meta, zlib.crc32(metaLength));
  const facts = JSON.parse(meta.toString('utf8')) as StoredFacts;
  if (facts.key !== key.text || facts.indexVersion !== INDEX_VERSION) throw new Error('another key or index version');
  if (!Array.isArray(facts.segmentBytes) || !Array.isArray(facts.parts) || facts.parts.length !== facts.segmentBytes.length) throw new Error('malformed metadata');
  let at = HEADER_BYTES + 4 + metaBytes;
  if (facts.segmentBytes.reduce((n, b) => n + b, 0) !== size - at) throw new Error('segment sizes do not add up');
  // Shared, as a worker's load returns them: the index reaches workers without a copy.
  const buffers: SharedArrayBuffer[] = [];
  for (const bytes of facts.segmentBytes) {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error('bad segment size');
    const buffer = new SharedArrayBuffer(bytes);
    const view = new Uint8Array(buffer);
    await readExactly(handle, view, at);
    crc = zlib.crc32(view, crc);
    at += bytes;
    buffers.push(buffer);
  }
  if (crc >>> 0 !== header.readUInt32LE(8)) throw new Error('checksum differs');
  // Every segment must open as an index (the checks of its own header).
  const index = new SymbolIndex(buffers);
  const parts = facts.parts.map((p, i) => ({ ...p, index: buffers[i] }) as SymbolLoadResult);
  return { index, parts, status: facts.status, debugInfoBytes: facts.debugInfoBytes, warnings: facts.warnings, stored: true };
}
