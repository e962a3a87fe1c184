// PDB reader: info stream (GUID, age), DBI (modules, section contributions, section map), module symbols and lines, publics, globals, IPI names.

import {
  C13Info,
  closesScope,
  CompileRecord,
  CV_LANG_RUST,
  decodeAnnotations,
  InlineRange,
  isProcKind,
  opensScope,
  ProcRecord,
  PubRecord,
  readC13,
  readCompile,
  readInlineSite,
  readProc,
  readPubOrData,
  recordData,
  SymKind,
  symbolRecords,
} from './codeview';
import { ByteSource } from '../byte-source';
import { MsfFile } from './msf';
import { ByteReader, checkAborted, decodeUtf8, FormatError } from '../pe/pe-byte-reader';

const STREAM_PDB_INFO = 1;
const STREAM_TPI = 2;
const STREAM_DBI = 3;
const STREAM_IPI = 4;
const DBI_SIG_V70 = 19990903;
const SC_VER_60 = (0xeffe0000 + 19970605) >>> 0;
const SC_VER_2 = (0xeffe0000 + 20140516) >>> 0;
const DBG_HEADER_SECTION_HEADERS = 5;

export interface PdbModule {
  index: number;
  name: string;
  objName: string;
  symStream: number;
  symBytes: number;
  c11Bytes: number;
  c13Bytes: number;
  sourceFileCount: number;
}

export interface SectionContribution {
  section: number;
  offset: number;
  size: number;
  characteristics: number;
  module: number;
}

export interface SectionMapEntry {
  flags: number;
  frame: number;
  offset: number;
  length: number;
}

export interface PdbSectionHeader {
  name: string;
  virtualAddress: number;
  virtualSize: number;
}

export interface PdbProc extends ProcRecord {
  module: number;
  global: boolean;
  /** Offset of the record in the module stream (what S_PROCREF points at). */
  recordOffset: number;
}

export interface PdbInlineSite {
  module: number;
  /** Index into the module's procs. */
  proc: number;
  /** Index of the enclosing inline site in the module's sites, or -1 when directly inside the procedure. */
  parentSite: number;
  inlinee: number;
  /** Offsets from the procedure start, with the line each range maps to in the inlinee. */
  ranges: InlineRange[];
}

export interface PdbModuleDebug {
  compile?: CompileRecord;
  isRust: boolean;
  procs: PdbProc[];
  inlineSites: PdbInlineSite[];
  c13: C13Info;
}

export interface PdbGlobal {
  kind: number;
  name: string;
  segment: number;
  offset: number;
}

export class PdbFile {
  readonly msf: MsfFile;
  readonly version: number;
  readonly signature: number;
  readonly age: number;
  readonly guid: string;
  readonly namedStreams = new Map<string, number>();
  readonly dbiAge: number;
  readonly machine: number;
  readonly modules: PdbModule[] = [];
  readonly sectionContributions: SectionContribution[] = [];
  readonly sectionMap: SectionMapEntry[] = [];
  /** The image's section headers as the linker saw them, when the PDB carries them. */
  readonly sectionHeaders: PdbSectionHeader[] = [];
  private readonly globalsStream: number;
  private readonly publicsStream: number;
  private readonly symRecordStream: number;
  private symRecordsCache?: Uint8Array;
  private namesCache?: ByteReader | null;
  private ipiCache?: TypeStream | null;
  private tpiCache?: TypeStream | null;
  private globalsHash?: { records: ByteReader; starts: Uint32Array } | null;

  /** `data`: the whole PDB, or a ByteSource over the file (then only the streams needed are read). */
  constructor(data: Uint8Array | ByteSource, readonly fileName: string) {
    this.msf = new MsfFile(data, fileName);
    const info = new ByteReader(this.msf.stream(STREAM_PDB_INFO, 'the PDB info stream'), `PDB ${fileName} info stream`);
    this.version = info.u32();
    this.signature = info.u32();
    this.age = info.u32();
    this.guid = info.guid();
    this.readNamedStreams(info);

    const dbi = new ByteReader(this.msf.stream(STREAM_DBI, 'the DBI stream'), `PDB ${fileName} DBI stream`);
    if (dbi.length < 64) throw new FormatError(`PDB ${fileName} has no debug info (its DBI stream is ${dbi.length} bytes); link with /DEBUG:FULL`);
    const versionSignature = dbi.i32();
    const versionHeader = dbi.u32();
    if (versionSignature !== -1 || versionHeader !== DBI_SIG_V70) {
      dbi.fail(`DBI version ${versionHeader} is not the supported V70 (${DBI_SIG_V70})`);
    }
    this.dbiAge = dbi.u32();
    this.globalsStream = dbi.u16();
    dbi.u16(); // build number
    this.publicsStream = dbi.u16();
    dbi.u16(); // pdb dll version
    this.symRecordStream = dbi.u16();
    dbi.u16();
    const sizes = [dbi.i32(), dbi.i32(), dbi.i32(), dbi.i32(), dbi.i32()];
    dbi.u32(); // MFC type server
    const optionalDbgHeaderSize = dbi.i32();
    const ecSize = dbi.i32();
    dbi.u16(); // flags
    this.machine = dbi.u16();
    dbi.u32();
    const [modInfoSize, scSize, sectionMapSize, sourceInfoSize, typeServerMapSize] = sizes;
    for (const [n, v] of [['module info', modInfoSize], ['section contribution', scSize], ['section map', sectionMapSize], ['source info', sourceInfoSize], ['type server map', typeServerMapSize], ['optional debug header', optionalDbgHeaderSize], ['EC', ecSize]] as const) {
      if (v < 0) dbi.fail(`the ${n} substream has negative size ${v}`);
    }
    const modInfo = new ByteReader(dbi.slice(modInfoSize), `PDB ${fileName} DBI module info`);
    const sc = new ByteReader(dbi.slice(scSize), `PDB ${fileName} DBI section contributions`);
    const sm = new ByteReader(dbi.slice(sectionMapSize), `PDB ${fileName} DBI section map`);
    dbi.skip(sourceInfoSize);
    dbi.skip(typeServerMapSize);
    dbi.skip(ecSize);
    const dbg = new ByteReader(dbi.slice(optionalDbgHeaderSize), `PDB ${fileName} DBI optional debug header`);
    this.readModules(modInfo);
    this.readSectionContributions(sc);
    this.readSectionMap(sm);
    this.readSectionHeaders(dbg);
  }

  private readNamedStreams(r: ByteReader): void {
    const bufSize = r.u32();
    const buf = new ByteReader(r.slice(bufSize), `PDB ${this.fileName} named stream names`);
    const size = r.u32();
    const capacity = r.u32();
    if (size > capacity || capacity > 1_000_000) r.fail(`the named stream map claims ${size} of ${capacity} entries`);
    const presentWords = r.u32();
    if (presentWords * 4 > r.remaining) r.fail(`the named stream map's bit vector claims ${presentWords} words`);
    const present: number[] = [];
    for (let i = 0; i < presentWords; i++) present.push(r.u32());
    const deletedWords = r.u32();
    r.skip(deletedWords * 4);
    for (let i = 0; i < capacity; i++) {
      const word = present[i >> 5] ?? 0;
      if (!((word >>> (i & 31)) & 1)) continue;
      const key = r.u32();
      const value = r.u32();
      this.namedStreams.set(buf.cstrAt(key), value);
    }
  }

  private readModules(r: ByteReader): void {
    while (r.remaining >= 64) {
      r.u32();
      r.skip(28); // section contribution of the module
      r.u16(); // flags
      const symStream = r.u16();
      const symBytes = r.u32();
      const c11Bytes = r.u32();
      const c13Bytes = r.u32();
      const sourceFileCount = r.u16();
      r.skip(2 + 4 + 4 + 4);
      const name = r.cstr();
      const objName = r.cstr();
      r.align(4);
      this.modules.push({ index: this.modules.length, name, objName, symStream, symBytes, c11Bytes, c13Bytes, sourceFileCount });
    }
  }

  private readSectionContributions(r: ByteReader): void {
    if (r.length === 0) return;
    const version = r.u32();
    if (version !== SC_VER_60 && version !== SC_VER_2) r.fail(`section contribution version 0x${version.toString(16)} is unknown`);
    const entry = version === SC_VER_2 ? 32 : 28;
    while (r.remaining >= entry) {
      const start = r.pos;
      const section = r.u16();
      r.u16();
      const offset = r.u32();
      const size = r.u32();
      const characteristics = r.u32();
      const module = r.u16();
      r.pos = start + entry;
      this.sectionContributions.push({ section, offset, size, characteristics, module });
    }
  }

  private readSectionMap(r: ByteReader): void {
    if (r.length === 0) return;
    const count = r.u16();
    r.u16(); // log count
    if (count * 20 > r.remaining) r.fail(`the section map claims ${count} entries in ${r.remaining} bytes`);
    for (let i = 0; i < count; i++) {
      const flags = r.u16();
      r.u16(); // ovl
      r.u16(); // group
      const frame = r.u16();
      r.skip(4); // section name, class name
      const offset = r.u32();
      const length = r.u32();
      this.sectionMap.push({ flags, frame, offset, length });
    }
  }

  private readSectionHeaders(dbg: ByteReader): void {
    if (dbg.length < (DBG_HEADER_SECTION_HEADERS + 1) * 2) return;
    const stream = dbg.u16At(DBG_HEADER_SECTION_HEADERS * 2);
    if (!this.msf.hasStream(stream)) return;
    const r = new ByteReader(this.msf.stream(stream, 'the section header stream'), `PDB ${this.fileName} section headers`);
    while (r.remaining >= 40) {
      const raw = r.slice(8);
      const end = raw.indexOf(0);
      const name = decodeUtf8(raw.subarray(0, end < 0 ? 8 : end));
      const virtualSize = r.u32();
      const virtualAddress = r.u32();
      r.skip(24);
      this.sectionHeaders.push({ name, virtualAddress, virtualSize });
    }
  }

  /** A file name from the `/names` string table, by its offset. */
  name(offset: number): string {
    if (this.namesCache === undefined) {
      const idx = this.namedStreams.get('/names');
      this.namesCache = null;
      if (idx !== undefined && this.msf.hasStream(idx)) {
        const r = new ByteReader(this.msf.stream(idx, 'the /names stream'), `PDB ${this.fileName} /names stream`);
        if (r.u32() !== 0xeffeeffe) r.fail('the /names string table has a bad signature');
        r.u32(); // hash version
        const size = r.u32();
        this.namesCache = new ByteReader(r.slice(size), `PDB ${this.fileName} /names strings`);
      }
    }
    if (!this.namesCache) throw new FormatError(`PDB ${this.fileName} has no /names stream, so its source file names cannot be read`);
    return this.namesCache.cstrAt(offset);
  }

  /** Converts a section:offset address to an RVA; undefined for a section the image does not have. */
  rva(segment: number, offset: number, fallbackSections?: ReadonlyArray<{ virtualAddress: number }>): number | undefined {
    const sections = this.sectionHeaders.length ? this.sectionHeaders : fallbackSections;
    const s = sections?.[segment - 1];
    return s === undefined ? undefined : s.virtualAddress + offset;
  }

  private symRecords(): Uint8Array {
    this.symRecordsCache ??= this.msf.stream(this.symRecordStream, 'the symbol record stream');
    return this.symRecordsCache;
  }

  /** Records referenced by a GSI hash table (publics or globals), in hash-record order. */
  private gsiRecords(hash: ByteReader, signal?: AbortSignal): Array<{ kind: number; data: ByteReader }> {
    const sigOrVer = hash.u32();
    if (sigOrVer !== 0xffffffff) hash.fail('the GSI hash header has no V7.0 signature');
    hash.u32(); // version
    const hrSize = hash.u32();
    hash.u32(); // bucket map size
    const hr = new ByteReader(hash.slice(hrSize), hash.what);
    const recs = this.symRecords();
    const sr = new ByteReader(recs, `PDB ${this.fileName} symbol records`);
    const out: Array<{ kind: number; data: ByteReader }> = [];
    for (let i = 0; hr.remaining >= 8; i++) {
      if ((i & 0xffff) === 0) checkAborted(signal);
      const off = hr.u32() - 1;
      hr.u32(); // cref
      sr.seek(Math.max(0, off));
      if (off < 0) sr.fail('a hash record points before the symbol records');
      const len = sr.u16();
      if (len < 2) sr.fail(`a symbol record at ${off} has length ${len}`);
      sr.need(len);
      const kind = sr.u16();
      out.push({ kind, data: new ByteReader(recs.subarray(sr.pos, off + 2 + len), `PDB ${this.fileName} symbol record at ${off}`) });
    }
    return out;
  }

  readPublics(signal?: AbortSignal): PubRecord[] {
    if (!this.msf.hasStream(this.publicsStream)) return [];
    const r = new ByteReader(this.msf.stream(this.publicsStream, 'the publics stream'), `PDB ${this.fileName} publics stream`);
    r.skip(28); // publics header
    const out: PubRecord[] = [];
    for (const rec of this.gsiRecords(r, signal)) {
      if (rec.kind === SymKind.S_PUB32) out.push(readPubOrData(rec.kind, rec.data));
    }
    return out;
  }

  /** Global data (S_GDATA32 & co) and procedure references from the globals stream. */
  readGlobals(signal?: AbortSignal): PdbGlobal[] {
    if (!this.msf.hasStream(this.globalsStream)) return [];
    const r = new ByteReader(this.msf.stream(this.globalsStream, 'the globals stream'), `PDB ${this.fileName} globals stream`);
    const out: PdbGlobal[] = [];
    for (const { kind, data } of this.gsiRecords(r, signal)) {
      if (kind === SymKind.S_GDATA32 || kind === SymKind.S_LDATA32 || kind === SymKind.S_GTHREAD32 || kind === SymKind.S_LTHREAD32) {
        const d = readPubOrData(kind, data);
        out.push({ kind, name: d.name, segment: d.segment, offset: d.offset });
      } else if (kind === SymKind.S_PROCREF || kind === SymKind.S_LPROCREF) {
        data.u32();
        const offset = data.u32();
        const module = data.u16();
        out.push({ kind, name: data.cstr(), segment: module, offset });
      }
    }
    return out;
  }

  /** Reads one module's symbols and C13 line information. */
  readModule(index: number, signal?: AbortSignal): PdbModuleDebug {
    const m = this.modules[index];
    const result: PdbModuleDebug = { isRust: false, procs: [], inlineSites: [], c13: { blocks: [], fileNames: new Map(), inlinees: new Map() } };
    if (!this.msf.hasStream(m.symStream)) return result;
    const what = `PDB ${this.fileName} module ${index} (${m.name})`;
    const stream = this.msf.stream(m.symStream, `the symbol stream of module ${index}`);
    if (m.symBytes + m.c11Bytes + m.c13Bytes > stream.length) {
      throw new FormatError(`${what} is corrupt: its symbols and lines (${m.symBytes + m.c11Bytes + m.c13Bytes} bytes) overrun its ${stream.length}-byte stream`);
    }
    if (m.c13Bytes > 0) result.c13 = readC13(stream.subarray(m.symBytes + m.c11Bytes, m.symBytes + m.c11Bytes + m.c13Bytes), `${what} C13 lines`);
    if (m.symBytes < 4) return result;
    type Scope = { proc: number; site: number };
    const stack: Scope[] = [];
    let count = 0;
    for (const rec of symbolRecords(stream, 4, m.symBytes, what)) {
      if ((++count & 0x3fff) === 0) checkAborted(signal);
      const top = stack[stack.length - 1];
      if (rec.kind === SymKind.S_COMPILE3 || rec.kind === SymKind.S_COMPILE2) {
        result.compile = readCompile(rec.kind, recordData(stream, rec, what));
        result.isRust = result.compile.language === CV_LANG_RUST || /\brustc\b/.test(result.compile.compiler);
      } else if (isProcKind(rec.kind)) {
        const p = readProc(recordData(stream, rec, what));
        const global = rec.kind === SymKind.S_GPROC32 || rec.kind === SymKind.S_GPROC32_ID;
        result.procs.push({ ...p, module: index, global, recordOffset: rec.offset });
        stack.push({ proc: result.procs.length - 1, site: -1 });
      } else if (rec.kind === SymKind.S_INLINESITE || rec.kind === SymKind.S_INLINESITE2) {
        const s = readInlineSite(rec.kind, recordData(stream, rec, what));
        if (!top || top.proc < 0) {
          stack.push({ proc: -1, site: -1 }); // an inline site outside any procedure: corrupt, ignore its contents
          continue;
        }
        const decl = result.c13.inlinees.get(s.inlinee);
        const ranges = decodeAnnotations(s.annotations, decl?.line ?? 0, decl?.fileId);
        result.inlineSites.push({ module: index, proc: top.proc, parentSite: top.site, inlinee: s.inlinee, ranges });
        stack.push({ proc: top.proc, site: result.inlineSites.length - 1 });
      } else if (opensScope(rec.kind)) {
        stack.push(top ?? { proc: -1, site: -1 });
      } else if (closesScope(rec.kind)) {
        stack.pop();
      }
    }
    return result;
  }

  /** The name of an IPI item (LF_FUNC_ID / LF_MFUNC_ID), qualified by its scope the way llvm-pdbutil shows it. */
  inlineeName(item: number): string | undefined {
    if (this.ipiCache === undefined) this.ipiCache = this.openTypeStream(STREAM_IPI, 'IPI');
    const rec = this.ipiCache?.record(item);
    if (!rec) return undefined;
    const d = rec.data;
    if (rec.kind === 0x1601 /* LF_FUNC_ID */) {
      const scope = d.u32();
      d.u32();
      const name = d.cstr();
      const scopeRec = scope ? this.ipiCache?.record(scope) : undefined;
      if (scopeRec && scopeRec.kind === 0x1605 /* LF_STRING_ID */) {
        scopeRec.data.u32();
        const s = scopeRec.data.cstr();
        if (s) return `${s}::${name}`;
      }
      return name;
    }
    if (rec.kind === 0x1602 /* LF_MFUNC_ID */) {
      const cls = d.u32();
      d.u32();
      const name = d.cstr();
      const clsName = this.typeName(cls);
      return clsName ? `${clsName}::${name}` : name;
    }
    return undefined;
  }

  /** The name of a class, struct, union or enum in the TPI stream. */
  typeName(index: number): string | undefined {
    if (this.tpiCache === undefined) this.tpiCache = this.openTypeStream(STREAM_TPI, 'TPI');
    const rec = this.tpiCache?.record(index);
    if (!rec) return undefined;
    const d = rec.data;
    switch (rec.kind) {
      case 0x1504: // LF_CLASS
      case 0x1505: // LF_STRUCTURE
        d.skip(16);
        skipNumeric(d);
        return d.cstr();
      case 0x1506: // LF_UNION
        d.skip(8);
        skipNumeric(d);
        return d.cstr();
      case 0x1507: // LF_ENUM
        d.skip(12);
        return d.cstr();
      default:
        return undefined;
    }
  }

  /** The TPI (types) or IPI (ids) stream, opened once; null when the PDB has none. */
  typeStream(which: 'TPI' | 'IPI'): TypeStream | null {
    if (which === 'TPI') {
      if (this.tpiCache === undefined) this.tpiCache = this.openTypeStream(STREAM_TPI, 'TPI');
      return this.tpiCache;
    }
    if (this.ipiCache === undefined) this.ipiCache = this.openTypeStream(STREAM_IPI, 'IPI');
    return this.ipiCache;
  }

  /** Every record of the globals stream (S_CONSTANT, S_GDATA32, S_UDT, S_PROCREF...) with its data after the kind. */
  globalSymbols(signal?: AbortSignal): Array<{ kind: number; data: ByteReader }> {
    if (!this.msf.hasStream(this.globalsStream)) return [];
    const r = new ByteReader(this.msf.stream(this.globalsStream, 'the globals stream'), `PDB ${this.fileName} globals stream`);
    return this.gsiRecords(r, signal);
  }

  /**
   * The globals-stream records named `name` (S_CONSTANT, S_GDATA32, S_UDT...), found through the stream's hash
   * table: one bucket is read, not the millions of records of a large Rust PDB. Undefined when the stream has no
   * usable hash table (the caller then scans globalSymbols()).
   */
  globalsNamed(name: string): Array<{ kind: number; data: ByteReader }> | undefined {
    if (this.globalsHash === undefined) this.globalsHash = this.readGlobalsHash();
    const h = this.globalsHash;
    if (!h) return undefined;
    const bucket = hashStringV1(name) % GSI_BUCKETS;
    const out: Array<{ kind: number; data: ByteReader }> = [];
    const recs = this.symRecords();
    const sr = new ByteReader(recs, `PDB ${this.fileName} symbol records`);
    for (let i = h.starts[bucket]; i < h.starts[bucket + 1]; i++) {
      const off = h.records.u32At(i * 8) - 1;
      if (off < 0 || off + 4 > recs.length) continue;
      const len = sr.u16At(off);
      if (len < 2 || off + 2 + len > recs.length) continue;
      const kind = sr.u16At(off + 2);
      const data = new ByteReader(recs.subarray(off + 4, off + 2 + len), `PDB ${this.fileName} symbol record at ${off}`);
      let found: string | undefined;
      try {
        found = recordName(kind, data);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        continue; // a corrupt record names nothing
      }
      if (found === name) out.push({ kind, data: new ByteReader(data.bytes, data.what) });
    }
    return out;
  }

  /** The globals hash table: hash records and, per bucket, the index of its first record (null when unusable). */
  private readGlobalsHash(): { records: ByteReader; starts: Uint32Array } | null {
    if (!this.msf.hasStream(this.globalsStream)) return null;
    const r = new ByteReader(this.msf.stream(this.globalsStream, 'the globals stream'), `PDB ${this.fileName} globals stream`);
    if (r.length < 16 || r.u32() !== 0xffffffff) return null;
    r.u32(); // version
    const hrSize = r.u32();
    const bucketBytes = r.u32();
    if (hrSize % 8 !== 0 || hrSize > r.remaining || bucketBytes > r.remaining - hrSize) return null;
    const records = new ByteReader(r.slice(hrSize), r.what);
    const count = hrSize / 8;
    const words = Math.ceil((GSI_BUCKETS + 1) / 32);
    if (bucketBytes < words * 4) return null;
    const bitmap = new ByteReader(r.slice(words * 4), r.what);
    const starts = new Uint32Array(GSI_BUCKETS + 2).fill(count);
    for (let b = 0; b <= GSI_BUCKETS; b++) {
      if (!((bitmap.u32At((b >> 5) * 4) >>> (b & 31)) & 1)) continue;
      if (r.remaining < 4) return null;
      // Stored as offsets into an in-memory array of 12-byte records (the format's historical layout).
      const start = Math.floor(r.u32() / 12);
      if (start > count) return null;
      starts[b] = start;
    }
    // An empty bucket ends where the next non-empty one starts.
    for (let b = GSI_BUCKETS; b >= 0; b--) if (starts[b] > starts[b + 1]) starts[b] = starts[b + 1];
    return { records, starts };
  }

  /** The symbol records of a module's stream ([4, symBytes) of the returned bytes), or undefined when it has none. */
  moduleSymbolBytes(index: number): Uint8Array | undefined {
    const m = this.modules[index];
    if (!m || !this.msf.hasStream(m.symStream) || m.symBytes < 4) return undefined;
    const stream = this.msf.stream(m.symStream, `the symbol stream of module ${index}`);
    if (m.symBytes > stream.length) {
      throw new FormatError(`PDB ${this.fileName} module ${index} (${m.name}) is corrupt: its ${m.symBytes} bytes of symbols overrun its ${stream.length}-byte stream`);
    }
    return stream;
  }

  private openTypeStream(index: number, what: string): TypeStream | null {
    if (!this.msf.hasStream(index)) return null;
    return new TypeStream(this.msf.stream(index, `the ${what} stream`), `PDB ${this.fileName} ${what} stream`);
  }
}

/** IPHR_HASH: the number of buckets of a GSI hash table. */
const GSI_BUCKETS = 4096;

/** The PDB's name hash for GSI tables (LLVM's hashStringV1), over the name's UTF-8 bytes. */
export function hashStringV1(name: string): number {
  const b = new TextEncoder().encode(name);
  let result = 0;
  const longs = b.length >> 2;
  for (let i = 0; i < longs; i++) result ^= b[i * 4] | (b[i * 4 + 1] << 8) | (b[i * 4 + 2] << 16) | (b[i * 4 + 3] << 24);
  let at = longs * 4;
  let rest = b.length & 3;
  if (rest >= 2) {
    result ^= b[at] | (b[at + 1] << 8);
    at += 2;
    rest -= 2;
  }
  if (rest === 1) result ^= b[at];
  result = (result | 0x20202020) >>> 0;
  result = (result ^ (result >>> 11)) >>> 0;
  return (result ^ (result >>> 16)) >>> 0;
}

/** The name at the end of a global symbol record, for the kinds the globals stream holds; undefined for others. */
function recordName(kind: number, d: ByteReader): string | undefined {
  switch (kind) {
    case 0x1107: // S_CONSTANT: type, numeric value, name
      d.u32();
      skipNumeric(d);
      return d.cstr();
    case SymKind.S_GDATA32:
    case SymKind.S_LDATA32:
    case SymKind.S_GTHREAD32:
    case SymKind.S_LTHREAD32:
      d.skip(10);
      return d.cstr();
    case 0x1108: // S_UDT
      d.u32();
      return d.cstr();
    case SymKind.S_PROCREF:
    case SymKind.S_LPROCREF:
      d.skip(10);
      return d.cstr();
    default:
      return undefined;
  }
}

function skipNumeric(d: ByteReader): void {
  const v = d.u16();
  if (v < 0x8000) return;
  const sizes: Record<number, number> = { 0x8000: 1, 0x8001: 2, 0x8002: 2, 0x8003: 4, 0x8004: 4, 0x8009: 8, 0x800a: 8, 0x8017: 16, 0x8018: 16 };
  const n = sizes[v];
  if (n === undefined) d.fail(`numeric leaf 0x${v.toString(16)} is not supported`);
  d.skip(n);
}

/** A TPI/IPI stream with its records indexed lazily (records are variable-length, so the index is one pass). */
export class TypeStream {
  private readonly r: ByteReader;
  readonly begin: number;
  private offsets?: Uint32Array;
  readonly count: number;
  private readonly headerSize: number;

  constructor(bytes: Uint8Array, what: string) {
    this.r = new ByteReader(bytes, what);
    this.r.u32(); // version
    this.headerSize = this.r.u32();
    this.begin = this.r.u32();
    const end = this.r.u32();
    const recordBytes = this.r.u32();
    if (end < this.begin || (end - this.begin) * 4 > bytes.length || this.headerSize + recordBytes > bytes.length) {
      this.r.fail(`type indices ${this.begin}..${end} or ${recordBytes} record bytes do not fit the stream`);
    }
    this.count = end - this.begin;
  }

  record(index: number): { kind: number; data: ByteReader } | undefined {
    if (index < this.begin || index >= this.begin + this.count) return undefined;
    if (!this.offsets) this.offsets = this.scan();
    const at = this.offsets[index - this.begin];
    if (at === 0) return undefined;
    const len = this.r.u16At(at);
    if (len < 2) return undefined;
    const kind = this.r.u16At(at + 2);
    return { kind, data: new ByteReader(this.r.sliceAt(at + 4, len - 2), `${this.r.what} record 0x${index.toString(16)}`) };
  }

  /**
   * Where each record starts: one pass over the length fields (about 1 ms per 10,000 records). A record that runs
   * past the stream ends the scan; the indices after it have no record (0 never is one: the header comes first).
   */
  private scan(): Uint32Array {
    const offsets = new Uint32Array(this.count);
    const bytes = this.r.bytes;
    let pos = this.headerSize;
    for (let i = 0; i < this.count; i++) {
      if (pos + 4 > bytes.length) break;
      const len = bytes[pos] | (bytes[pos + 1] << 8);
      if (pos + 2 + len > bytes.length) break;
      offsets[i] = pos;
      pos += 2 + len;
    }
    return offsets;
  }
}
