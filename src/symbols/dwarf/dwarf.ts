// DWARF 4 and 5 .debug_info reader (units may mix versions): compile units, subprograms, inlined subroutines and line tables, unit by unit so big files split into chunks.
import { GrowableBytes, Reader, SectionPages, cstrAt } from '../byte-source';
import {
  DW_AT, DW_FORM, DW_LANG_RUST, DW_TAG, FormContext, fixedFormSize, isAddrxForm, isStrxForm, isUnitRefForm, languageName,
  readNumberForm, skipForm,
} from './dwarf-forms';
import { LineSink, readLineProgram } from './dwarf-line';
import { SymbolReadError, throwIfAborted } from '../errors';
import { CompileUnit } from '../model';
import { demangleRustBytes } from '../rust-demangle';
import { IndexBuilder, MANGLED_NAME } from '../symbol-index';

export interface DwarfSections {
  info: Uint8Array;
  abbrev: Uint8Array;
  str?: Uint8Array;
  line?: Uint8Array;
  ranges?: Uint8Array;
  rnglists?: Uint8Array;
  addr?: Uint8Array;
  strOffsets?: Uint8Array;
  lineStr?: Uint8Array;
  /** Which unit's code an address lies in (used to share the ELF symbol table out among chunks). */
  aranges?: Uint8Array;
  /** When .debug_str / .debug_line are read page by page (`str` / `line` are then their `bytes`): read before touching. */
  pages?: { str?: SectionPages; line?: SectionPages; ranges?: SectionPages; rnglists?: SectionPages };
}

/** Where the NUL-terminated string at `offset` of .debug_str ends (its pages read in first when the section is paged). */
function stringEnd(s: DwarfSections, str: Uint8Array, offset: number): number {
  const pages = s.pages?.str;
  if (pages) return pages.ensureString(offset);
  const end = str.indexOf(0, offset);
  return end < 0 ? str.length : end;
}

/** The string at `offset` of .debug_str, read in first when the section is paged. */
function debugStr(s: DwarfSections, offset: number): string | undefined {
  if (!s.str || offset >= s.str.length) return undefined;
  s.pages?.str?.ensureString(offset);
  return cstrAt(s.str, offset, '.debug_str');
}

export interface UnitHeader {
  /** Offset of the unit header in .debug_info. */
  offset: number;
  /** Offset just past the unit. */
  end: number;
  version: number;
  unitType: number;
  addressSize: number;
  offsetSize: number;
  abbrevOffset: number;
  /** Offset of the first DIE. */
  dieOffset: number;
}

export const DW_UT_compile = 1, DW_UT_type = 2, DW_UT_partial = 3, DW_UT_skeleton = 4, DW_UT_split_compile = 5, DW_UT_split_type = 6;

/** Walks unit headers only (cheap), so a caller can split the units into chunks by byte size. */
export function listUnits(info: Uint8Array): UnitHeader[] {
  const out: UnitHeader[] = [];
  let off = 0;
  while (off + 11 <= info.length) {
    const h = readUnitHeader(info, off);
    out.push(h);
    off = h.end;
  }
  return out;
}

export function readUnitHeader(info: Uint8Array, offset: number): UnitHeader {
  return parseUnitHeader(info.subarray(offset, offset + 40), offset, info.length);
}

/** A unit header from `head` (the bytes at `offset` of a .debug_info of `sectionLength` bytes): lets a planner read headers alone. */
export function parseUnitHeader(head: Uint8Array, offset: number, sectionLength: number): UnitHeader {
  const r = new Reader(head, '.debug_info unit header');
  let length = r.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = r.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) {
    throw new SymbolReadError(`.debug_info unit at offset ${offset} has reserved length 0x${length.toString(16)}`);
  }
  const end = offset + r.pos + length;
  if (end > sectionLength) throw new SymbolReadError(`.debug_info unit at offset ${offset} claims ${length} bytes, past the end of the section (${sectionLength}); the file is truncated`);
  const version = r.u16();
  if (version < 2 || version > 5) throw new SymbolReadError(`.debug_info unit at offset ${offset} has DWARF version ${version}; versions 2–5 are supported`);
  let unitType = DW_UT_compile;
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = r.u8();
    addressSize = r.u8();
    abbrevOffset = r.uN(offsetSize);
    if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) r.skip(8);
    else if (unitType === DW_UT_type || unitType === DW_UT_split_type) r.skip(8 + offsetSize);
  } else {
    abbrevOffset = r.uN(offsetSize);
    addressSize = r.u8();
  }
  if (addressSize !== 4 && addressSize !== 8) throw new SymbolReadError(`.debug_info unit at offset ${offset} has address size ${addressSize}`);
  return { offset, end, version, unitType, addressSize, offsetSize, abbrevOffset, dieOffset: offset + r.pos };
}

export interface Abbrev {
  tag: number;
  children: boolean;
  /** name, form, implicit value triples. */
  attrs: number[];
  /** Total size when every form is fixed-size, else -1: such DIEs are skipped in one step. */
  fixedSize: number;
  /**
   * How to skip a DIE of this abbreviation: a byte count for each run of fixed-size attributes, and for each
   * variable one SKIP_LEB, SKIP_BLOCK (ULEB length then bytes), SKIP_STRING, or −(form + 1) for any other form.
   */
  skipPlan: Int32Array;
  /** Where DW_AT_name lies in a DIE of this abbreviation when only fixed-size attributes come before it, else -1; and its form. */
  namePos: number;
  nameForm: number;
}

const SKIP_LEB = 0;
const SKIP_BLOCK = -1_000_000;
const SKIP_STRING = -1_000_001;

/** The skip step of a variable-size form (see Abbrev.skipPlan). */
function variableSkip(form: number): number {
  switch (form) {
    case DW_FORM.sdata: case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.strx: case DW_FORM.addrx:
    case DW_FORM.loclistx: case DW_FORM.rnglistx: case DW_FORM.GNU_addr_index: case DW_FORM.GNU_str_index:
      return SKIP_LEB;
    case DW_FORM.block: case DW_FORM.exprloc:
      return SKIP_BLOCK;
    case DW_FORM.string:
      return SKIP_STRING;
    default:
      return -form - 1;
  }
}

export class AbbrevTable {
  readonly dense: Array<Abbrev | undefined> = [];
  readonly sparse = new Map<number, Abbrev>();
  get(code: number): Abbrev | undefined {
    return code < this.dense.length ? this.dense[code] : this.sparse.get(code);
  }
}

export function parseAbbrevs(data: Uint8Array, offset: number, cx: FormContext): AbbrevTable {
  const r = new Reader(data, '.debug_abbrev', offset);
  const t = new AbbrevTable();
  for (;;) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const children = r.u8() !== 0;
    const attrs: number[] = [];
    const plan: number[] = [];
    let fixedSize = 0;
    let run = 0;
    let namePos = -1;
    let nameForm = 0;
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      const implicit = form === DW_FORM.implicit_const ? r.sleb() : 0;
      attrs.push(name, form, implicit);
      if (name === DW_AT.name && namePos === -1 && fixedSize >= 0 && form !== DW_FORM.indirect) {
        namePos = fixedSize;
        nameForm = form;
      }
      const size = fixedFormSize(form, cx);
      fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
      if (size >= 0) {
        run += size;
        continue;
      }
      if (run > 0) plan.push(run);
      run = 0;
      plan.push(variableSkip(form));
    }
    if (run > 0) plan.push(run);
    const a: Abbrev = { tag, children, attrs, fixedSize, skipPlan: Int32Array.from(plan), namePos, nameForm };
    if (code < 100_000 && code <= t.dense.length + 1024) {
      while (t.dense.length <= code) t.dense.push(undefined);
      t.dense[code] = a;
    } else t.sparse.set(code, a);
  }
  return t;
}

/**
 * First capacity of the reader's growable tables. Small on purpose: a table then grows (and its growth path runs)
 * within the first DIEs, before the optimizer compiles the loop; a growth first reached in optimized code threw that
 * code away (one deoptimization per table, per unit shape, per worker).
 */
const INITIAL_CAPACITY = 16;

/** Growable columns of line rows (address, file id, line). */
export class LineColumnsBuilder implements LineSink {
  address = new Float64Array(INITIAL_CAPACITY);
  file = new Uint32Array(INITIAL_CAPACITY);
  line = new Uint32Array(INITIAL_CAPACITY);
  count = 0;
  row(address: number, file: number, line: number): void {
    if (this.count === this.address.length) {
      const n = this.count * 2;
      const a = new Float64Array(n); a.set(this.address); this.address = a;
      const f = new Uint32Array(n); f.set(this.file); this.file = f;
      const l = new Uint32Array(n); l.set(this.line); this.line = l;
    }
    this.address[this.count] = address;
    this.file[this.count] = file;
    this.line[this.count] = line;
    this.count++;
  }
  rows(address: Float64Array, file: Uint32Array, line: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) this.row(address[i], file[i], line[i]);
  }
}

export interface ReadDwarfOptions {
  /** Only units whose header offset lies in [start, end) of .debug_info; default all. */
  range?: { start: number; end: number };
  /** Only the units with these header offsets (a chunk balanced by size); overrides `range`. */
  units?: number[];
  /** One slice of one large unit (then `units` is that unit alone): see UnitSlice. */
  slice?: UnitSlice;
  signal?: AbortSignal;
  /** Called with the fraction of the range done, every ~1 MB of .debug_info. */
  onProgress?: (fraction: number) => void;
}

/**
 * A share of one compile unit, so that a unit too large for one worker is read by several. A slice owns the DIEs
 * outside any function that start in [start, end) of .debug_info, and each function starting there with everything
 * inside it; it walks the DIEs before `start` only to know the enclosing namespaces, and stops at `end`. One slice,
 * `lines`, also reads the unit's line rows (the others read the file table alone). An abstract origin in another
 * slice is read where it lies.
 */
export interface UnitSlice {
  start: number;
  end: number;
  lines: boolean;
}

/** A string attribute not decoded yet: a .debug_str offset, or the string itself (inline forms). */
export type StrRef = string | number;

/**
 * Every subprogram DIE of the chunk as columns (a Map of objects for ~100,000 declarations was the reader's largest
 * cost), found from its .debug_info offset through a hash of 32-bit keys.
 */
class NamedTable {
  /** .debug_str offsets of the name and linkage name, -1 when absent; inline (DW_FORM_string) names go to `inline`. */
  names = new Float64Array(INITIAL_CAPACITY);
  linkages = new Float64Array(INITIAL_CAPACITY);
  files = new Int32Array(INITIAL_CAPACITY);
  lines = new Int32Array(INITIAL_CAPACITY);
  origins = new Float64Array(INITIAL_CAPACITY);
  /** Per row: HAS_INLINE when `inline` holds a string of it, HAS_SCOPE when `scopes` holds its scope. */
  extras = new Uint8Array(INITIAL_CAPACITY);
  count = 0;
  /** DIE offset → row, open addressing (NO_ROW_KEY marks a free slot). */
  private rowKeys = new Uint32Array(2 * INITIAL_CAPACITY).fill(NO_ROW_KEY);
  private rowValues = new Int32Array(2 * INITIAL_CAPACITY);
  readonly inline = new Map<number, { name?: string; linkageName?: string }>();
  readonly scopes = new Map<number, string>();

  add(offset: number, name: StrRef | undefined, linkageName: StrRef | undefined, scope: string | undefined, file: number | undefined, line: number | undefined, origin: number | undefined): void {
    if (this.count === this.names.length) this.grow();
    const i = this.count++;
    if (offset < NO_ROW_KEY) this.indexRow(offset, i);
    this.names[i] = typeof name === 'number' ? name : -1;
    this.linkages[i] = typeof linkageName === 'number' ? linkageName : -1;
    let extras = 0;
    if (typeof name === 'string' || typeof linkageName === 'string') {
      this.inline.set(i, { name: typeof name === 'string' ? name : undefined, linkageName: typeof linkageName === 'string' ? linkageName : undefined });
      extras |= HAS_INLINE;
    }
    if (scope !== undefined) {
      this.scopes.set(i, scope);
      extras |= HAS_SCOPE;
    }
    this.extras[i] = extras;
    this.files[i] = file ?? -1;
    this.lines[i] = line ?? -1;
    this.origins[i] = origin ?? -1;
  }

  private grow(): void {
    const n = this.names.length * 2;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => { const b = new Float64Array(n); b.set(a); return b; };
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => { const b = new Int32Array(n); b.set(a); return b; };
    const u8 = new Uint8Array(n);
    u8.set(this.extras);
    this.extras = u8;
    this.names = f64(this.names);
    this.linkages = f64(this.linkages);
    this.origins = f64(this.origins);
    this.files = i32(this.files);
    this.lines = i32(this.lines);
  }

  /** The row of the DIE at `offset`, or -1 (a hash lookup: one per inlined call, and there are millions). */
  find(offset: number): number {
    if (!(offset >= 0 && offset < NO_ROW_KEY)) return -1;
    const keys = this.rowKeys;
    const mask = keys.length - 1;
    for (let i = Math.imul(offset, 0x9e3779b1) >>> 0 & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === offset) return this.rowValues[i];
      if (k === NO_ROW_KEY) return -1;
    }
  }

  private indexRow(offset: number, row: number): void {
    if ((row + 1) * 2 > this.rowKeys.length) {
      const keys = this.rowKeys;
      const values = this.rowValues;
      this.rowKeys = new Uint32Array(keys.length * 2).fill(NO_ROW_KEY);
      this.rowValues = new Int32Array(keys.length * 2);
      for (let i = 0; i < keys.length; i++) if (keys[i] !== NO_ROW_KEY) this.putRow(keys[i], values[i]);
    }
    this.putRow(offset, row);
  }

  private putRow(offset: number, row: number): void {
    const keys = this.rowKeys;
    const mask = keys.length - 1;
    let i = Math.imul(offset, 0x9e3779b1) >>> 0 & mask;
    while (keys[i] !== NO_ROW_KEY && keys[i] !== offset) i = (i + 1) & mask;
    keys[i] = offset;
    this.rowValues[i] = row;
  }

  /** Row i's name and linkage name (undefined when absent), its scope. */
  nameOf(i: number): StrRef | undefined {
    if (this.extras[i] & HAS_INLINE) {
      const s = this.inline.get(i)?.name;
      if (s !== undefined) return s;
    }
    return this.names[i] >= 0 ? this.names[i] : undefined;
  }
  linkageOf(i: number): StrRef | undefined {
    if (this.extras[i] & HAS_INLINE) {
      const s = this.inline.get(i)?.linkageName;
      if (s !== undefined) return s;
    }
    return this.linkages[i] >= 0 ? this.linkages[i] : undefined;
  }
  scopeOf(i: number): string | undefined {
    return this.extras[i] & HAS_SCOPE ? this.scopes.get(i) : undefined;
  }
}
const NO_ROW_KEY = 0xffffffff;
const HAS_INLINE = 1;
const HAS_SCOPE = 2;

/** What readDwarfInto leaves beside the index builder: the units, problems, and per function its linkage name (for readDwarf's objects). */
export interface DwarfChunkFacts {
  compileUnits: CompileUnit[];
  warnings: string[];
  /** Per function entry of the builder: its linkage name as a .debug_str offset or inline string. */
  functionLinkage: Array<StrRef | undefined>;
}

/**
 * Reads the units in `options` straight into an index builder: functions, inlined calls, files and line rows go into
 * its typed columns and names into its string table, demangled from .debug_str's bytes once per linkage name. A unit
 * that fails to parse is skipped with a warning, so one bad unit does not lose the rest.
 */
export function readDwarfInto(s: DwarfSections, options: ReadDwarfOptions, b: IndexBuilder): DwarfChunkFacts {
  const facts: DwarfChunkFacts = { compileUnits: [], warnings: [], functionLinkage: [] };
  const start = options.range?.start ?? 0;
  const end = Math.min(options.range?.end ?? s.info.length, s.info.length);
  const abbrevCache = new Map<string, AbbrevTable>();
  // Subprogram DIEs by offset, to name concrete instances and inlined calls through abstract_origin/specification.
  const named = new NamedTable();
  const namer = new DwarfNamer(s, b);
  // [function entry, origin offset] and [inline site, origin offset] pairs, flat (there can be millions).
  const pendingFunctions = new PairList();
  const pendingInlines = new PairList();
  const chunk: ChunkState = { slice: options.slice, readOrigin: undefined, b, namer, named, facts, pendingFunctions, pendingInlines, abbrevCache };
  // Units in increasing offset order (the subprogram table relies on it).
  const list = options.slice && options.units ? options.units.slice(0, 1) : options.units ? [...new Set(options.units)].sort((a, c) => a - c) : undefined;
  let total = end - start;
  let done = 0;
  let nextReport = 1 << 20;
  let failures = 0;
  let off = list ? (list[0] ?? s.info.length) : start;
  let li = 0;
  if (list) total = 0;
  while (list ? li < list.length : off < end) {
    if (list) off = list[li++];
    if (off + 11 > s.info.length) break;
    let h: UnitHeader;
    try {
      h = readUnitHeader(s.info, off);
    } catch (err) {
      facts.warnings.push(`DWARF: stopped reading units at .debug_info offset ${off}: ${(err as Error).message}`);
      break;
    }
    if (list) total += h.end - h.offset;
    if (h.unitType === DW_UT_compile || h.unitType === DW_UT_partial || h.unitType === DW_UT_skeleton) {
      try {
        readUnit(s, h, chunk);
      } catch (err) {
        if (!(err instanceof SymbolReadError)) throw err;
        if (++failures <= 20) facts.warnings.push(`DWARF: skipped the unit at .debug_info offset ${h.offset}: ${err.message}`);
      }
    }
    done += h.end - h.offset;
    if (!list) off = h.end;
    if (done >= nextReport) {
      nextReport = done + (1 << 20);
      throwIfAborted(options.signal);
      options.onProgress?.(list ? li / list.length : done / Math.max(1, total));
    }
  }
  if (failures > 20) facts.warnings.push(`DWARF: ${failures - 20} more units were skipped`);
  const origins = new OriginNames(named, namer, chunk.readOrigin);
  nameFromOrigins(origins, pendingFunctions, facts, b);
  nameInlineSites(origins, pendingInlines, b);
  return facts;
}

/**
 * Names through abstract_origin/specification chains, each DIE filling what the nearer one lacks. Resolved per DIE row
 * into typed columns (which row's name, linkage name and scope apply; the file and line), no object per DIE, because
 * thousands of inlined calls share one callee. A class, not closures per chunk, so its methods stay optimized.
 */
class OriginNames {
  /** 0: not resolved yet, 1: resolving (a cycle stops here), 2: resolved. */
  private state: Uint8Array;
  private nameRow: Int32Array;
  private linkageRow: Int32Array;
  private scopeRow: Int32Array;
  private fileOf: Int32Array;
  private lineOf: Int32Array;
  /** Name id per DIE row, -1 until first asked. */
  private nameByRow: Int32Array;
  /** The same for callee names, which may be stored mangled. */
  private calleeByRow: Int32Array;
  constructor(readonly named: NamedTable, private readonly namer: DwarfNamer, private readonly readOrigin?: (offset: number) => number) {
    const n = named.count;
    this.state = new Uint8Array(n);
    this.nameRow = new Int32Array(n);
    this.linkageRow = new Int32Array(n);
    this.scopeRow = new Int32Array(n);
    this.fileOf = new Int32Array(n);
    this.lineOf = new Int32Array(n);
    this.nameByRow = new Int32Array(n).fill(-1);
    this.calleeByRow = new Int32Array(n).fill(-1);
  }
  /** The row of the DIE at `origin`: from the table, or (a slice) read where it lies; -1 when neither has it. */
  private find(origin: number): number {
    const at = this.named.find(origin);
    if (at >= 0 || !this.readOrigin) return at;
    const added = this.readOrigin(origin);
    if (added >= this.state.length) this.grow(this.named.count);
    return added;
  }
  private grow(n: number): void {
    const more = (a: Int32Array, fill: number): Int32Array => {
      const b = new Int32Array(Math.max(n, a.length * 2)).fill(fill);
      b.set(a);
      return b;
    };
    const state = new Uint8Array(Math.max(n, this.state.length * 2));
    state.set(this.state);
    this.state = state;
    this.nameRow = more(this.nameRow, 0);
    this.linkageRow = more(this.linkageRow, 0);
    this.scopeRow = more(this.scopeRow, 0);
    this.fileOf = more(this.fileOf, 0);
    this.lineOf = more(this.lineOf, 0);
    this.nameByRow = more(this.nameByRow, -1);
    this.calleeByRow = more(this.calleeByRow, -1);
  }
  /** Resolves row `at` (and the rows its origin chain passes, at most 8 deep). */
  private resolveRow(at: number, depth: number): void {
    if (this.state[at] !== 0) return;
    this.state[at] = 1;
    const t = this.named;
    const ownLinkage = t.linkageOf(at);
    this.nameRow[at] = t.nameOf(at) !== undefined ? at : -1;
    this.linkageRow[at] = ownLinkage !== undefined ? at : -1;
    this.scopeRow[at] = t.extras[at] & HAS_SCOPE ? at : -1;
    this.fileOf[at] = t.files[at];
    this.lineOf[at] = t.lines[at];
    const origin = t.origins[at];
    if (origin >= 0 && depth < 8 && (!ownLinkage || t.files[at] < 0)) {
      const up = this.find(origin);
      if (up >= 0) {
        this.resolveRow(up, depth + 1);
        if (this.nameRow[at] < 0) this.nameRow[at] = this.nameRow[up];
        if (this.linkageRow[at] < 0) this.linkageRow[at] = this.linkageRow[up];
        if (this.scopeRow[at] < 0) this.scopeRow[at] = this.scopeRow[up];
        if (this.fileOf[at] < 0) this.fileOf[at] = this.fileOf[up];
        if (this.lineOf[at] < 0) this.lineOf[at] = this.lineOf[up];
      }
    }
    this.state[at] = 2;
  }
  /** The row of the DIE at `origin`, resolved; -1 when the chunk has no subprogram there. */
  row(origin: number): number {
    const at = this.find(origin);
    if (at >= 0) this.resolveRow(at, 0);
    return at;
  }
  linkage(at: number): StrRef | undefined {
    return this.linkageRow[at] < 0 ? undefined : this.named.linkageOf(this.linkageRow[at]);
  }
  file(at: number): number {
    return this.fileOf[at];
  }
  line(at: number): number {
    return this.lineOf[at];
  }
  private nameArgs(at: number): [StrRef | undefined, StrRef | undefined, string | undefined] {
    const t = this.named;
    return [this.linkage(at), this.nameRow[at] < 0 ? undefined : t.nameOf(this.nameRow[at]), this.scopeRow[at] < 0 ? undefined : t.scopeOf(this.scopeRow[at])];
  }
  namerOffset(id: number): number {
    return this.namer.offsetOf(id);
  }
  namerLength(id: number): number {
    return this.namer.lengthOf(id);
  }
  /** The name id of an inlined call's callee at `origin`: a Rust linkage name stays mangled until a query reads it (see MANGLED_NAME). */
  calleeOf(origin: number): number {
    const at = this.row(origin);
    if (at < 0) return this.namer.literal('<unknown inlined function>');
    let n = this.nameByRow[at];
    if (n < 0) n = this.calleeByRow[at];
    if (n < 0) {
      const [linkage, name, scope] = this.nameArgs(at);
      n = this.calleeByRow[at] = this.namer.callee(linkage, name, scope);
    }
    return n;
  }
  /** The name id of the function at row `at` (from row()), demangled. */
  nameAt(at: number): number {
    let n = this.nameByRow[at];
    if (n < 0) {
      const [linkage, name, scope] = this.nameArgs(at);
      n = this.nameByRow[at] = this.namer.name(linkage, name, scope);
    }
    return n;
  }
}

/** Concrete functions that only point at their declaration get its name, file and line. */
function nameFromOrigins(origins: OriginNames, pending: PairList, facts: DwarfChunkFacts, b: IndexBuilder): void {
  const data = pending.data;
  for (let i = 0; i < pending.length; i += 2) {
    const f = data[i];
    const at = origins.row(data[i + 1]);
    if (at < 0) continue;
    if (facts.functionLinkage[f] === undefined) {
      facts.functionLinkage[f] = origins.linkage(at);
      const n = origins.nameAt(at);
      b.setFunctionName(f, origins.namerOffset(n), origins.namerLength(n));
    }
    const fl = b.functionFileLine(f);
    const file = origins.file(at);
    const line = origins.line(at);
    b.setFunctionFileLine(f, fl.file === NO_FILE && file >= 0 ? file : fl.file, fl.line === 0 && line >= 0 ? line : fl.line);
  }
}

/** Every inlined call gets its callee's name. */
function nameInlineSites(origins: OriginNames, pending: PairList, b: IndexBuilder): void {
  const data = pending.data;
  for (let i = 0; i < pending.length; i += 2) {
    const n = origins.calleeOf(data[i + 1]);
    b.setInlineName(data[i], origins.namerOffset(n), origins.namerLength(n));
  }
}

/** What a chunk of units yields as objects (the PE reader and tests use this form; loading uses readDwarfInto). */
export interface DwarfChunkResult {
  compileUnits: CompileUnit[];
  functions: Array<{ name: string; linkageName?: string; ranges: Array<[number, number]>; file?: number; line?: number }>;
  inlineSites: Array<{ name: string; parent: number; ranges: Array<[number, number]>; callFile?: number; callLine?: number; depth: number }>;
  files: string[];
  lines: LineColumnsBuilder;
  warnings: string[];
}

/** readDwarfInto, then the builder's columns as objects. */
export function readDwarf(s: DwarfSections, options: ReadDwarfOptions = {}): DwarfChunkResult {
  const b = new IndexBuilder();
  const facts = readDwarfInto(s, options, b);
  const o = b.toObjects();
  const lines = new LineColumnsBuilder();
  lines.address = o.lines.address;
  lines.file = o.lines.file;
  lines.line = o.lines.line;
  lines.count = o.lines.count;
  const str = (ref: StrRef | undefined): string | undefined =>
    ref === undefined || typeof ref === 'string' ? ref : debugStr(s, ref);
  return {
    compileUnits: facts.compileUnits,
    functions: o.functions.map((f, i) => {
      const linkageName = str(facts.functionLinkage[i]);
      return linkageName === undefined ? f : { ...f, linkageName };
    }),
    inlineSites: o.inlineSites.map((x) => ({ ...x, depth: x.depth ?? 0 })),
    files: o.files,
    lines,
    warnings: facts.warnings,
  };
}

const NO_FILE = 0xffffffff;

/** Writes display names into the builder's string table: the demangled linkage name, else scope::name, once per .debug_str linkage offset. */
class DwarfNamer {
  /** Names made so far, by id: where each lies in the builder's string table (ids stay small integers; no boxed numbers). */
  private offsets = new Uint32Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;
  /** .debug_str offset of a linkage name → the id of its demangled name (the linker merges identical strings, so one offset is one name). */
  private readonly byLinkage = new OffsetMap();
  /** The same for callee names kept mangled. */
  private readonly rawByLinkage = new OffsetMap();
  private readonly literals = new Map<string, number>();
  private readonly scratch = new GrowableBytes(256);
  constructor(private readonly s: DwarfSections, private readonly b: IndexBuilder) {}

  offsetOf(id: number): number {
    return this.offsets[id];
  }
  lengthOf(id: number): number {
    return this.lengths[id];
  }
  /** A new id for the name at [at, at + length) of the string table. */
  private made(at: number, length: number): number {
    if (this.count === this.offsets.length) {
      const o = new Uint32Array(this.count * 2);
      o.set(this.offsets);
      this.offsets = o;
      const l = new Uint32Array(this.count * 2);
      l.set(this.lengths);
      this.lengths = l;
    }
    this.offsets[this.count] = at;
    this.lengths[this.count] = length;
    return this.count++;
  }

  /**
   * An inlined callee's name: a Rust linkage name (legacy with its hash, or v0) is copied as it is and flagged
   * MANGLED_NAME, to be demangled when read; one already demangled (a function's) is reused; anything else as name().
   */
  callee(linkage: StrRef | undefined, name: StrRef | undefined, scope: string | undefined): number {
    const str = this.s.str;
    if (typeof linkage !== 'number' || !str || linkage >= str.length) return this.name(linkage, name, scope);
    const known = this.byLinkage.get(linkage);
    if (known >= 0) return known;
    const raw = this.rawByLinkage.get(linkage);
    if (raw >= 0) return raw;
    const end = stringEnd(this.s, str, linkage);
    if (!isHashedRustSymbol(str, linkage, end)) return this.name(linkage, name, scope);
    const out = this.b.names;
    const at = out.length;
    out.append(str, linkage, end);
    const n = this.made(at, (end - linkage) | MANGLED_NAME);
    this.rawByLinkage.set(linkage, n);
    return n;
  }

  literal(text: string): number {
    let n = this.literals.get(text);
    if (n === undefined) {
      const at = this.b.name(text);
      this.literals.set(text, (n = this.made(at, this.b.names.length - at)));
    }
    return n;
  }

  name(linkage: StrRef | undefined, name: StrRef | undefined, scope: string | undefined): number {
    const out = this.b.names;
    const str = this.s.str;
    if (typeof linkage === 'number') {
      const known = this.byLinkage.get(linkage);
      if (known >= 0) return known;
      if (str && linkage < str.length) {
        const end = stringEnd(this.s, str, linkage);
        const at = out.length;
        if (demangleRustBytes(str, linkage, end, out)) {
          const n = this.made(at, out.length - at);
          this.byLinkage.set(linkage, n);
          return n;
        }
      }
    } else if (typeof linkage === 'string' && linkage !== '') {
      this.scratch.length = 0;
      this.scratch.appendString(linkage);
      const at = out.length;
      if (demangleRustBytes(this.scratch.bytes, 0, this.scratch.length, out)) return this.made(at, out.length - at);
    }
    const at = out.length;
    if (name !== undefined && this.appendRef(name)) {
      if (scope) {
        // scope::name, with the name already appended: move it behind the scope.
        const nameBytes = out.bytes.slice(at, out.length);
        out.length = at;
        out.appendString(scope);
        out.push(58);
        out.push(58);
        out.append(nameBytes, 0, nameBytes.length);
      }
      return this.made(at, out.length - at);
    }
    out.length = at;
    if (linkage !== undefined && linkage !== '' && this.appendRef(linkage)) return this.made(at, out.length - at);
    out.length = at;
    return this.literal('<unnamed>');
  }

  /** Appends a string attribute's text; false when it is empty or cannot be read. */
  private appendRef(ref: StrRef): boolean {
    const out = this.b.names;
    if (typeof ref === 'string') {
      out.appendString(ref);
      return ref !== '';
    }
    const str = this.s.str;
    if (!str || ref >= str.length) return false;
    const end = stringEnd(this.s, str, ref);
    out.append(str, ref, end);
    return end > ref;
  }
}

/**
 * Whether src[start, end) is a Rust symbol that demangles for sure: v0 (`_R` + an uppercase tag) or legacy ending in
 * its `17h` + 16 hex digits + `E` hash. A cheap test; names that pass are stored mangled and demangled when read.
 */
function isHashedRustSymbol(src: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n > 3 && src[start] === 95 && src[start + 1] === 82) return src[start + 2] >= 65 && src[start + 2] <= 90;
  if (n < 24 || src[start] !== 95 || src[start + 1] !== 90 || src[start + 2] !== 78) return false;
  if (src[end - 1] !== 69 || src[end - 18] !== 104 || src[end - 19] !== 55 || src[end - 20] !== 49) return false;
  for (let i = end - 17; i < end - 1; i++) {
    const c = src[i];
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Flat growable (id, offset) pairs: millions of inline sites wait for their callee's name. */
class PairList {
  /** Ids and .debug_info offsets are below 2^32; 32-bit integers stay unboxed where doubles would not. */
  data = new Uint32Array(INITIAL_CAPACITY);
  length = 0;
  push(a: number, b: number): void {
    if (this.length + 2 > this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
  }
}

/** Non-negative integer keys (section offsets) → non-negative values, open addressing in typed arrays: a Map of 100,000s of number keys costs more than the names. */
class OffsetMap {
  private keys = new Float64Array(INITIAL_CAPACITY).fill(-1);
  private values = new Float64Array(INITIAL_CAPACITY);
  private size = 0;
  /** The value, or -1. */
  get(key: number): number {
    const mask = this.keys.length - 1;
    for (let i = hashOffset(key) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === key) return this.values[i];
      if (k === -1) return -1;
    }
  }
  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.rehash();
    const mask = this.keys.length - 1;
    for (let i = hashOffset(key) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === key || k === -1) {
        if (k === -1) this.size++;
        this.keys[i] = key;
        this.values[i] = value;
        return;
      }
    }
  }
  private rehash(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.values = new Float64Array(keys.length * 2);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.set(keys[i], values[i]);
  }
}
function hashOffset(key: number): number {
  return Math.imul((key | 0) ^ ((key / 4294967296) | 0), 0x9e3779b1) >>> 0;
}

interface ChunkState {
  slice: UnitSlice | undefined;
  /** For a slice: reads the subprogram DIE at an offset outside the slice into `named` (its row, or -1). */
  readOrigin: ((offset: number) => number) | undefined;
  b: IndexBuilder;
  namer: DwarfNamer;
  named: NamedTable;
  facts: DwarfChunkFacts;
  pendingFunctions: PairList;
  pendingInlines: PairList;
  abbrevCache: Map<string, AbbrevTable>;
}

export interface UnitState {
  h: UnitHeader;
  cx: FormContext;
  s: DwarfSections;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  baseAddress: number;
  /** Cursors over .debug_ranges / .debug_rnglists, made on first use and moved for each list. */
  rangesReader: Reader | undefined;
  rnglistsReader: Reader | undefined;
}

function readUnit(s: DwarfSections, h: UnitHeader, chunk: ChunkState): void {
  const { b, abbrevCache } = chunk;
  const out = chunk.facts;
  const mapFile = (p: string): number => b.file(p);
  const cx: FormContext = { version: h.version, addressSize: h.addressSize, offsetSize: h.offsetSize };
  const key = `${h.abbrevOffset}/${h.addressSize}/${h.offsetSize}/${h.version}`;
  let abbrevs = abbrevCache.get(key);
  if (!abbrevs) {
    abbrevs = parseAbbrevs(s.abbrev, h.abbrevOffset, cx);
    abbrevCache.set(key, abbrevs);
  }
  const r = new Reader(s.info.subarray(0, h.end), '.debug_info', h.dieOffset);
  // Every field up front: adding one later changes the object's shape and throws away the optimized loop.
  const u: UnitState = {
    h, cx, s, strOffsetsBase: h.version >= 5 ? 8 : 0, addrBase: h.version >= 5 ? 8 : 0, rnglistsBase: 0, baseAddress: 0,
    rangesReader: undefined, rnglistsReader: undefined,
  };

  // The unit DIE first: its base attributes decide how strx/addrx/rnglistx forms in it and below resolve.
  const cuCode = r.uleb();
  const cuAbbrev = abbrevs.get(cuCode);
  if (!cuAbbrev) throw new SymbolReadError(`unit DIE uses abbreviation code ${cuCode}, which is not defined`);
  const raw: Array<[number, number, number | string]> = [];
  for (let i = 0; i < cuAbbrev.attrs.length; i += 3) {
    const at = cuAbbrev.attrs[i];
    let form = cuAbbrev.attrs[i + 1];
    if (form === DW_FORM.indirect) form = r.uleb();
    if (form === DW_FORM.string) raw.push([at, form, r.cstr()]);
    else if (form === DW_FORM.implicit_const) raw.push([at, form, cuAbbrev.attrs[i + 2]]);
    else raw.push([at, form, readNumberForm(r, form, cx)]);
  }
  for (const [at, , v] of raw) {
    if (at === DW_AT.str_offsets_base) u.strOffsetsBase = v as number;
    else if (at === DW_AT.addr_base || at === DW_AT.GNU_addr_base) u.addrBase = v as number;
    else if (at === DW_AT.rnglists_base) u.rnglistsBase = v as number;
  }
  let cuName: string | undefined, producer = '', compDir: string | undefined, language: number | undefined, stmtList: number | undefined;
  let lowPc: number | undefined;
  for (const [at, form, v] of raw) {
    switch (at) {
      case DW_AT.name: cuName = stringValue(u, form, v); break;
      case DW_AT.producer: producer = stringValue(u, form, v) ?? ''; break;
      case DW_AT.comp_dir: compDir = stringValue(u, form, v); break;
      case DW_AT.language: language = v as number; break;
      case DW_AT.stmt_list: stmtList = v as number; break;
      case DW_AT.low_pc: lowPc = addressValue(u, form, v as number); break;
    }
  }
  u.baseAddress = lowPc ?? 0;
  const isRust = language === DW_LANG_RUST || /rustc version/.test(producer);
  const slice = chunk.slice;
  // A unit read in slices counts once: in the slice that reads its line rows.
  if (!slice || slice.lines) out.compileUnits.push({ name: cuName ?? '', language: languageName(language), producer, isRust });

  let fileIds: number[] = [];
  if (stmtList !== undefined && s.line) {
    const linePages = s.pages?.line;
    if (linePages) {
      // The unit's line program: its length first, then all of it.
      linePages.ensure(stmtList, stmtList + 12);
      const head = new Reader(s.line, '.debug_line', stmtList);
      let length = head.u32();
      if (length === 0xffffffff) length = head.u64();
      linePages.ensure(stmtList, head.pos + length);
    }
    const program = readLineProgram(
      { line: s.line, str: s.str, lineStr: s.lineStr, strOffsets: s.strOffsets, strPages: s.pages?.str },
      stmtList, compDir, cuName, u.strOffsetsBase, mapFile, slice && !slice.lines ? undefined : b,
    );
    fileIds = program.files.map((p) => (p === '' ? -1 : mapFile(p)));
  }
  if (!cuAbbrev.children) return;
  if (slice) chunk.readOrigin = (offset) => readSubprogramAt(s, h, abbrevs!, u, fileIds, chunk.named, offset);
  walkDies(r, h, abbrevs, u, fileIds, chunk);
}

/** Reads the subprogram DIE at `offset` of unit `h` straight into `named` (a slice's origin outside it); its row, or -1. */
function readSubprogramAt(s: DwarfSections, h: UnitHeader, abbrevs: AbbrevTable, u: UnitState, fileIds: number[], named: NamedTable, offset: number): number {
  if (!(offset >= h.dieOffset && offset < h.end)) return -1;
  try {
    const r = new Reader(s.info.subarray(0, h.end), '.debug_info', offset);
    const a = abbrevs.get(r.uleb());
    if (!a || a.tag !== DW_TAG.subprogram) return -1;
    const d = new DieAttributes();
    readDieAttributes(r, a, u, h.offset, d);
    named.add(offset, d.name, d.linkageName, undefined, d.declFile === undefined ? undefined : fileIdIn(fileIds, d.declFile), d.declLine, d.origin);
    return named.find(offset);
  } catch (err) {
    if (err instanceof SymbolReadError) return -1;
    throw err;
  }
}

/** The DIEs below the unit DIE (its own function: the unit DIE's one-off code kept throwing the optimized loop away). */
function walkDies(r: Reader, h: UnitHeader, abbrevs: AbbrevTable, u: UnitState, fileIds: number[], chunk: ChunkState): void {
  const cx = u.cx;
  const scopes = new DieScopes();
  const unitStart = h.offset;
  const d = dieScratch;
  const slice = chunk.slice;
  const sliceStart = slice ? slice.start : 0;
  const sliceEnd = slice ? slice.end : Infinity;
  while (r.pos < h.end) {
    const dieOffset = r.pos;
    const code = r.uleb();
    if (code === 0) {
      if (scopes.depth === 0) break;
      scopes.leave();
      continue;
    }
    const a = abbrevs.get(code);
    if (!a) throw new SymbolReadError(`DIE at offset ${dieOffset} uses abbreviation code ${code}, which is not defined`);
    const tag = a.tag;
    const enclosing = scopes.owner();
    const owner = enclosing >= 0 ? enclosing : dieOffset;
    // Past the slice: the rest of the unit belongs to later slices. Before it: walked only for the namespaces.
    if (owner >= sliceEnd) break;
    const mine = owner >= sliceStart;
    const isFunction = tag === DW_TAG.subprogram || tag === DW_TAG.inlined_subroutine;
    const interesting = isFunction ? mine : a.children && isScopeTag(tag);
    if (!interesting) {
      skipDie(r, a, cx, h.end, dieOffset);
      if (a.children) scopes.enter(undefined, scopes.function(), scopes.inlineDepth(), isFunction ? owner : enclosing);
      continue;
    }
    if (!isFunction && a.namePos >= 0) {
      // A namespace or type: only its name matters (as a scope of what it holds), read where the abbreviation puts it.
      const attrStart = r.pos;
      r.pos = attrStart + a.namePos;
      const name = readStringRef(u, r, a.nameForm);
      r.pos = attrStart;
      skipDie(r, a, cx, h.end, dieOffset);
      scopes.enter(name ?? '{anonymous}', scopes.function(), scopes.inlineDepth(), enclosing);
      continue;
    }
    readDieAttributes(r, a, u, unitStart, d);
    if (r.pos > h.end) throw new SymbolReadError(`DIE at offset ${dieOffset} runs past the end of its unit`);
    d.functionIndex = scopes.function();
    d.inlineDepth = scopes.inlineDepth();
    if (isFunction) {
      // Qualified scope names are only needed for DIEs without a linkage name (C, or Rust declarations); built lazily.
      const parentScope = d.linkageName === undefined && d.name !== undefined ? currentScope(u, scopes.names) : undefined;
      recordFunctionDie(chunk, u, fileIds, d, tag === DW_TAG.subprogram, dieOffset, parentScope);
    }
    if (a.children) scopes.enter(isFunction ? undefined : d.name ?? '{anonymous}', d.functionIndex, d.inlineDepth, isFunction ? owner : enclosing);
  }
}

/**
 * The DIEs open above the current one, a stack per fact: its name as a scope (undefined for a function or an
 * unnamed entry), the enclosing concrete function's entry and inline nesting (for inline sites), and the offset of the
 * outermost function it lies in, -1 outside functions (which slice owns what).
 */
class DieScopes {
  readonly names: Array<StrRef | undefined> = [];
  private readonly functions: number[] = [];
  private readonly inlineDepths: number[] = [];
  private readonly owners: number[] = [];
  depth = 0;
  enter(name: StrRef | undefined, functionIndex: number, inlineDepth: number, owner: number): void {
    this.names.push(name);
    this.functions.push(functionIndex);
    this.inlineDepths.push(inlineDepth);
    this.owners.push(owner);
    this.depth++;
  }
  leave(): void {
    this.names.pop();
    this.functions.pop();
    this.inlineDepths.pop();
    this.owners.pop();
    this.depth--;
  }
  function(): number {
    return this.depth > 0 ? this.functions[this.depth - 1] : -1;
  }
  inlineDepth(): number {
    return this.depth > 0 ? this.inlineDepths[this.depth - 1] : 0;
  }
  owner(): number {
    return this.depth > 0 ? this.owners[this.depth - 1] : -1;
  }
}

// The DIE loop in small functions: a single large one was recompiled over and over as each unit reached paths the
// optimizer had no feedback for yet.

/** The attributes of one subprogram, inlined call or scope DIE (one object, reused for every DIE). */
class DieAttributes {
  name: StrRef | undefined = undefined;
  linkageName: StrRef | undefined = undefined;
  declFile: number | undefined = undefined;
  declLine: number | undefined = undefined;
  low: number | undefined = undefined;
  high: number | undefined = undefined;
  highIsOffset = false;
  rangesValue: number | undefined = undefined;
  rangesForm = 0;
  origin: number | undefined = undefined;
  callFile: number | undefined = undefined;
  callLine: number | undefined = undefined;
  /** The enclosing concrete function's entry and inline nesting, updated by recordFunctionDie for the DIE's children. */
  functionIndex = -1;
  inlineDepth = 0;
}
const dieScratch = new DieAttributes();

/** Steps over a DIE whose attributes are not needed. */
export function skipDie(r: Reader, a: Abbrev, cx: FormContext, end: number, dieOffset: number): void {
  if (a.fixedSize >= 0) r.pos += a.fixedSize;
  else {
    const plan = a.skipPlan;
    for (let k = 0; k < plan.length; k++) {
      const step = plan[k];
      if (step > 0) r.pos += step;
      else if (step === SKIP_LEB) r.skipLeb();
      else if (step === SKIP_BLOCK) r.skip(r.uleb());
      else if (step === SKIP_STRING) {
        const nul = r.bytes.indexOf(0, r.pos);
        if (nul < 0) throw new SymbolReadError(`DIE at offset ${dieOffset} has an unterminated string`);
        r.pos = nul + 1;
      } else {
        const form = -step - 1;
        skipForm(r, form === DW_FORM.indirect ? r.uleb() : form, cx);
      }
    }
  }
  if (r.pos > end) throw new SymbolReadError(`DIE at offset ${dieOffset} runs past the end of its unit`);
}

/** A number attribute's value: held in the abbreviation for DW_FORM_implicit_const, read from the DIE otherwise. */
function constantOrRead(r: Reader, form: number, cx: FormContext, implicitConst: number): number {
  return form === DW_FORM.implicit_const ? implicitConst : readNumberForm(r, form, cx);
}

function readDieAttributes(r: Reader, a: Abbrev, u: UnitState, unitStart: number, d: DieAttributes): void {
  d.name = d.linkageName = d.declFile = d.declLine = d.low = d.high = d.rangesValue = d.origin = d.callFile = d.callLine = undefined;
  d.highIsOffset = false;
  d.rangesForm = 0;
  const cx = u.cx;
  const attrs = a.attrs;
  for (let i = 0; i < attrs.length; i += 3) {
    const at = attrs[i];
    let form = attrs[i + 1];
    if (form === DW_FORM.indirect) form = r.uleb();
    switch (at) {
      case DW_AT.name:
        d.name = readStringRef(u, r, form);
        break;
      case DW_AT.linkage_name:
      case DW_AT.MIPS_linkage_name:
        d.linkageName = readStringRef(u, r, form);
        break;
      case DW_AT.low_pc:
        d.low = addressValue(u, form, readNumberForm(r, form, cx));
        break;
      case DW_AT.high_pc:
        if (form === DW_FORM.addr || isAddrxForm(form)) d.high = addressValue(u, form, readNumberForm(r, form, cx));
        else {
          d.high = constantOrRead(r, form, cx, attrs[i + 2]);
          d.highIsOffset = true;
        }
        break;
      case DW_AT.ranges:
        d.rangesForm = form;
        d.rangesValue = readNumberForm(r, form, cx);
        break;
      case DW_AT.decl_file:
        d.declFile = constantOrRead(r, form, cx, attrs[i + 2]);
        break;
      case DW_AT.decl_line:
        d.declLine = constantOrRead(r, form, cx, attrs[i + 2]);
        break;
      case DW_AT.call_file:
        d.callFile = constantOrRead(r, form, cx, attrs[i + 2]);
        break;
      case DW_AT.call_line:
        d.callLine = constantOrRead(r, form, cx, attrs[i + 2]);
        break;
      case DW_AT.abstract_origin:
      case DW_AT.specification: {
        const v = readNumberForm(r, form, cx);
        if (isUnitRefForm(form)) d.origin = unitStart + v;
        else if (form === DW_FORM.ref_addr) d.origin = v;
        break;
      }
      default:
        if (form === DW_FORM.implicit_const) break;
        skipForm(r, form, cx);
    }
  }
}

/** Records a subprogram (in the subprogram table, and as a function when it has code) or an inlined call with code. */
function recordFunctionDie(
  chunk: ChunkState, u: UnitState, fileIds: number[], d: DieAttributes, isSubprogram: boolean, dieOffset: number, parentScope: string | undefined,
): void {
  const { b, named, namer, pendingFunctions, pendingInlines } = chunk;
  // One range inline (low/high, the usual case) or a list from DW_AT_ranges in rangeScratch[0 .. 2 * listCount).
  let lo0 = 0;
  let hi0 = 0;
  let listCount = 0;
  if (d.low !== undefined && d.high !== undefined) {
    const hi = d.highIsOffset ? d.low + d.high : d.high;
    if (d.low !== 0 && hi > d.low) {
      lo0 = d.low;
      hi0 = hi;
    }
  } else if (d.rangesValue !== undefined && !Number.isNaN(d.rangesValue)) {
    listCount = readRanges(u, d.rangesForm, d.rangesValue);
  }
  const hasRanges = hi0 > 0 || listCount > 0;
  if (isSubprogram) {
    const declFileId = d.declFile === undefined ? undefined : fileIdIn(fileIds, d.declFile);
    named.add(dieOffset, d.name, d.linkageName, parentScope, declFileId, d.declLine, d.origin);
    if (!hasRanges) return;
    d.inlineDepth = 0;
    const n = namer.name(d.linkageName, d.name, parentScope);
    const f = (d.functionIndex = b.addFunction(namer.offsetOf(n), namer.lengthOf(n), declFileId ?? NO_FILE, d.declLine ?? 0));
    chunk.facts.functionLinkage[f] = d.linkageName;
    if (listCount > 0) for (let k = 0; k < listCount; k++) b.range(f, rangeScratch[2 * k], rangeScratch[2 * k + 1]);
    else b.range(f, lo0, hi0);
    if (d.origin !== undefined && (!d.linkageName || d.declFile === undefined)) pendingFunctions.push(f, d.origin);
  } else if (hasRanges && d.functionIndex >= 0) {
    d.inlineDepth++;
    const n = d.origin === undefined ? namer.name(d.linkageName, d.name, parentScope) : -1;
    const cf = d.callFile === undefined ? undefined : fileIdIn(fileIds, d.callFile);
    const site = b.addInline(n < 0 ? 0 : namer.offsetOf(n), n < 0 ? 0 : namer.lengthOf(n), d.functionIndex, cf ?? NO_FILE, d.callLine ?? 0, d.inlineDepth);
    if (listCount > 0) for (let k = 0; k < listCount; k++) b.inlineRange(site, rangeScratch[2 * k], rangeScratch[2 * k + 1]);
    else b.inlineRange(site, lo0, hi0);
    if (d.origin !== undefined) pendingInlines.push(site, d.origin);
  }
}

/** The index's file id of a unit's file number (a plain function: a closure per unit made the optimized loop deoptimize). */
function fileIdIn(fileIds: number[], n: number): number | undefined {
  const id = fileIds[n];
  return id === undefined || id < 0 ? undefined : id;
}

function isScopeTag(tag: number): boolean {
  return tag === DW_TAG.namespace || tag === DW_TAG.structure_type || tag === DW_TAG.enumeration_type || tag === DW_TAG.union_type
    || tag === DW_TAG.class_type || tag === DW_TAG.interface_type;
}

function currentScope(u: UnitState, names: Array<StrRef | undefined>): string | undefined {
  let s: string | undefined;
  for (const ref of names) {
    if (ref === undefined) {
      s = undefined; // a function's locals are not qualified by outer namespaces in a useful way
      continue;
    }
    const n = strOf(u, ref);
    s = s ? `${s}::${n}` : n;
  }
  return s;
}

export function strOf(u: UnitState, ref: StrRef | undefined): string | undefined {
  if (ref === undefined || typeof ref === 'string') return ref;
  return u.s.str ? debugStr(u.s, ref) ?? cstrAt(u.s.str, ref, '.debug_str') : undefined;
}

/** Reads a string attribute as a reference: .debug_str offsets stay numbers until someone needs the text. */
export function readStringRef(u: UnitState, r: Reader, form: number): StrRef | undefined {
  if (form === DW_FORM.string) return r.cstr();
  const v = readNumberForm(r, form, u.cx);
  if (Number.isNaN(v)) return undefined;
  if (form === DW_FORM.strp) return v;
  if (isStrxForm(form)) {
    if (!u.s.strOffsets) return undefined;
    const so = new Reader(u.s.strOffsets, '.debug_str_offsets', u.strOffsetsBase + v * u.cx.offsetSize);
    return so.uN(u.cx.offsetSize);
  }
  return resolveString(u, form, v);
}

export function stringValue(u: UnitState, form: number, v: number | string): string | undefined {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return undefined;
  return resolveString(u, form, v);
}


function resolveString(u: UnitState, form: number, v: number): string | undefined {
  if (form === DW_FORM.strp) return u.s.str ? debugStr(u.s, v) ?? cstrAt(u.s.str, v, '.debug_str') : undefined;
  if (form === DW_FORM.line_strp) return u.s.lineStr ? cstrAt(u.s.lineStr, v, '.debug_line_str') : undefined;
  if (isStrxForm(form)) {
    if (!u.s.strOffsets || !u.s.str) return undefined;
    const r = new Reader(u.s.strOffsets, '.debug_str_offsets', u.strOffsetsBase + v * u.cx.offsetSize);
    const at = r.uN(u.cx.offsetSize);
    return debugStr(u.s, at) ?? cstrAt(u.s.str, at, '.debug_str');
  }
  return undefined; // supplementary/alt string forms point into another file
}

export function addressValue(u: UnitState, form: number, v: number): number {
  if (!isAddrxForm(form)) return v;
  if (!u.s.addr) throw new SymbolReadError('an address index form is used but the file has no .debug_addr section');
  const r = new Reader(u.s.addr, '.debug_addr', u.addrBase + v * u.cx.addressSize);
  return r.uN(u.cx.addressSize);
}

/** Per range list; real functions have a handful, and a corrupt list must not fill memory. */
const MAX_RANGES = 4096;

/** [low, high) pairs of the last readRanges, as a flat scratch (no array per DIE: millions of inline sites have range lists). */
export const rangeScratch = new Float64Array(2 * MAX_RANGES);

/** Reads a range list into rangeScratch; returns the number of ranges (those at address 0, discarded code, left out). */
export function readRanges(u: UnitState, form: number, value: number): number {
  let n = 0;
  let steps = 0;
  const out = rangeScratch;
  if (u.h.version < 5) {
    if (!u.s.ranges) return 0;
    const r = (u.rangesReader ??= new Reader(u.s.ranges, '.debug_ranges'));
    r.pos = value;
    const size = u.cx.addressSize;
    const maxAddr = size === 8 ? 2 ** 64 - 1 : 0xffffffff;
    let base = u.baseAddress;
    const pages = u.s.pages?.ranges;
    while (n < MAX_RANGES && steps++ < 4 * MAX_RANGES) {
      pages?.ensure(r.pos, r.pos + 2 * size);
      const a = r.uN(size);
      const b = r.uN(size);
      if (a === 0 && b === 0) break;
      if (a >= maxAddr) base = b;
      else if (base + a !== 0) {
        out[2 * n] = base + a;
        out[2 * n + 1] = base + b;
        n++;
      }
    }
    return n;
  }
  if (!u.s.rnglists) return 0;
  let offset = value;
  const pages = u.s.pages?.rnglists;
  if (form === DW_FORM.rnglistx) {
    pages?.ensure(u.rnglistsBase + value * u.cx.offsetSize, u.rnglistsBase + (value + 1) * u.cx.offsetSize);
    const idx = new Reader(u.s.rnglists, '.debug_rnglists', u.rnglistsBase + value * u.cx.offsetSize);
    offset = u.rnglistsBase + idx.uN(u.cx.offsetSize);
  }
  const r = (u.rnglistsReader ??= new Reader(u.s.rnglists, '.debug_rnglists'));
  r.pos = offset;
  let base = u.baseAddress;
  while (n < MAX_RANGES && steps++ < 4 * MAX_RANGES) {
    // An entry is at most a kind byte and two 10-byte LEB128s or addresses.
    pages?.ensure(r.pos, r.pos + 21);
    const kind = r.u8();
    if (kind === 0) break;
    let lo: number;
    let hi: number;
    switch (kind) {
      case 1: base = addressValue(u, DW_FORM.addrx, r.uleb()); continue;
      case 2: lo = addressValue(u, DW_FORM.addrx, r.uleb()); hi = addressValue(u, DW_FORM.addrx, r.uleb()); break;
      case 3: lo = addressValue(u, DW_FORM.addrx, r.uleb()); hi = lo + r.uleb(); break;
      case 4: lo = base + r.uleb(); hi = base + r.uleb(); break;
      case 5: base = r.uN(u.cx.addressSize); continue;
      case 6: lo = r.uN(u.cx.addressSize); hi = r.uN(u.cx.addressSize); break;
      case 7: lo = r.uN(u.cx.addressSize); hi = lo + r.uleb(); break;
      default: throw new SymbolReadError(`.debug_rnglists has unknown entry kind ${kind} at offset ${r.pos - 1}`);
    }
    if (lo !== 0) {
      out[2 * n] = lo;
      out[2 * n + 1] = hi;
      n++;
    }
  }
  return n;
}
