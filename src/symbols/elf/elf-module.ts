// Reads an ELF file (and its .gnu_debuglink debug file) into the format-neutral ModuleSymbols: ELF symbols plus DWARF.
import * as path from 'node:path';
import { ByteSource, Reader, SectionPages, bufferSource, readInto } from '../byte-source';
import { BadUnitHeaderError, DwarfSections, ReadDwarfOptions, UnitHeader, UnitSlice, listUnits, parseUnitHeader, readDwarf, readDwarfInto, readUnitHeader, unitHeaderWarning } from '../dwarf/dwarf';
import { ElfFile, crc32 } from './elf';
import { SymbolReadError, throwIfAborted } from '../errors';
import { CompileUnit, ModuleSymbols, PublicSymbol } from '../model';
import { demangleRust, demangleRustBytes } from '../rust-demangle';
import { IndexBuilder, floorIndex, sortByAddress, sortedHas } from '../symbol-index';

/** A slice of one large unit as a load request carries it (see UnitSlice). */
export interface ElfUnitSlice extends UnitSlice {
  publics: boolean;
}

export interface ElfReadOptions {
  path: string;
  /** Extra directories to look for a `.gnu_debuglink` debug file in. */
  searchPaths?: string[];
  /** Opens another file (the debug-link target); undefined when it does not exist. */
  openFile?: (p: string) => ByteSource | undefined;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /** Only these .debug_info units ([start, end) offsets) and no ELF symbols: one chunk of a split load. */
  unitRange?: { start: number; end: number };
  /** Only the units with these header offsets (overrides unitRange); the chunk holding offset 0 also reads the ELF symbols. */
  units?: number[];
  /** Identifies the file's contents (path, size, mtime): a worker keeps the last file's DWARF sections under it for the next chunk. */
  cacheKey?: string;
  /** Skip DWARF entirely (symbol table only). */
  symbolsOnly?: boolean;
  /** Only symbol-table entries [start, end) (a file without DWARF, split across workers); implies symbolsOnly. */
  symbolRange?: { start: number; end: number };
  /**
   * A split load where every chunk reads the symbols that fall in its own units' code (by .debug_aranges), so each
   * can skip the ones its DWARF already names; `leftoverPublics` marks the one chunk that also takes the symbols no
   * unit covers (or all of them when the file has no .debug_aranges).
   */
  publicsByUnit?: boolean;
  leftoverPublics?: boolean;
  /** One slice of the unit in `units` (a unit too large for one worker); `publics`: this slice takes the unit's symbols. */
  slice?: ElfUnitSlice;
}

export const DWARF_SECTION_NAMES: Record<Exclude<keyof DwarfSections, 'pages'>, string> = {
  info: '.debug_info', abbrev: '.debug_abbrev', str: '.debug_str', line: '.debug_line', ranges: '.debug_ranges',
  rnglists: '.debug_rnglists', addr: '.debug_addr', strOffsets: '.debug_str_offsets', lineStr: '.debug_line_str', aranges: '.debug_aranges',
};

/** Section arrays taken over from the file a worker read before (see recycledInfo and SectionPages), since the worker started. */
let reusedArrays = 0;
export function sectionArraysReused(): number {
  return reusedArrays;
}

/** The DWARF sections read page by page (see SectionPages). */
type PagedSection = keyof NonNullable<DwarfSections['pages']>;

/** `recycle`: the paged sections of the file the worker read before, whose arrays the new ones reuse (see SectionPages). */
export function dwarfSections(elf: ElfFile, infoBytes?: Uint8Array, paged = false, recycle?: DwarfSections['pages']): DwarfSections | undefined {
  const info = infoBytes ?? elf.data('.debug_info');
  if (!info || info.length === 0) return undefined;
  const abbrev = elf.data('.debug_abbrev');
  if (!abbrev) throw new SymbolReadError('the file has .debug_info but no .debug_abbrev; it is corrupt', elf.path);
  const s: DwarfSections = { info, abbrev };
  for (const key of ['str', 'line', 'ranges', 'rnglists', 'addr', 'strOffsets', 'lineStr', 'aranges'] as const) {
    const pagedKey: PagedSection | undefined = paged && (key === 'str' || key === 'line' || key === 'ranges' || key === 'rnglists') ? key : undefined;
    const sec = pagedKey ? elf.section(DWARF_SECTION_NAMES[pagedKey]) : undefined;
    if (pagedKey && sec && !(sec.flags & 0x800) && sec.type !== 8 && sec.size <= elf.source.size && sec.offset + sec.size <= elf.source.size) {
      // A chunk touches a fraction of these: read them page by page (see SectionPages).
      const old = recycle?.[pagedKey];
      const pages = new SectionPages(elf.source, sec.offset, sec.size, undefined, old);
      if (old && pages.bytes.buffer === old.bytes.buffer) reusedArrays++;
      s[key] = pages.bytes;
      (s.pages ??= {})[pagedKey] = pages;
      continue;
    }
    const d = elf.data(DWARF_SECTION_NAMES[key]);
    if (d) s[key] = d;
  }
  return s;
}

/** The ELF that holds the DWARF: the file itself, or its `.gnu_debuglink` target when the file has none. */
export function findDebugElf(elf: ElfFile, options: ElfReadOptions): { elf: ElfFile; warning?: string } {
  if (elf.section('.debug_info') || elf.section('.zdebug_info')) return { elf };
  const link = elf.debugLink();
  if (!link || !options.openFile) return { elf };
  const dir = path.dirname(options.path);
  const candidates = [
    path.join(dir, link.file),
    path.join(dir, '.debug', link.file),
    ...(options.searchPaths ?? []).map((p) => path.join(p, link.file)),
    path.posix.join('/usr/lib/debug', dir, link.file),
  ];
  let mismatch: string | undefined;
  for (const c of candidates) {
    if (c === options.path) continue;
    const src = options.openFile(c);
    if (!src) continue;
    const bytes = src.read(0, src.size);
    if (crc32(bytes) !== link.crc) {
      mismatch = c;
      src.close?.();
      continue;
    }
    return { elf: new ElfFile(bufferSource(bytes), c) };
  }
  return {
    elf,
    warning: mismatch
      ? `the debug file ${mismatch} named by .gnu_debuglink does not match (CRC differs): it belongs to another build; rebuild or copy the matching .debug file`
      : `the debug info was split into ${link.file} (.gnu_debuglink), which was not found next to the file, in .debug/, or in rustOffload.symbolSearchPaths`,
  };
}

/** The lowest page of the allocated sections: 0 for position-independent files, 0x400000 for a classic executable. Load bias = load address − this. */
export function elfImageBase(elf: ElfFile): number {
  const SHF_ALLOC = 2;
  let low = Infinity;
  for (const s of elf.sections) if (s.flags & SHF_ALLOC && s.addr > 0 && s.addr < low) low = s.addr;
  return low === Infinity ? 0 : Math.floor(low / 4096) * 4096;
}

interface CachedSections {
  key: string;
  sections: DwarfSections | undefined;
  debugInfoPath: string;
  warning?: string;
  /** Set when .debug_info is read unit by unit (only the chunk's units): the offsets of the units read so far. */
  unitsRead?: Set<number>;
  /** With unitsRead: the [start, end) spans of .debug_info written so far (a unit whose read failed midway included). */
  written?: Array<[number, number]>;
  /** The file's symbol table, once a chunk has needed it. */
  symbols?: KeptSymbolTable;
}

/**
 * A file's symbol table as the worker keeps it for the file's next chunk: the entries read once (every chunk of a
 * split load reads the symbols in its own units), the string table page by page (a chunk names only the few symbols
 * its DWARF does not, so most of a 20 MB table is never read).
 */
export interface KeptSymbolTable {
  entries: { data: Uint8Array; count: number; first: number } | undefined;
  names: SectionPages | undefined;
}

function keptSymbolTable(elf: ElfFile, found: CachedSections): KeptSymbolTable {
  let t = found.symbols;
  if (!t) {
    const which = publicSymbolTable(elf);
    const strs = elf.symbolStringSection(which);
    t = found.symbols = { entries: elf.symbolEntries(which), names: strs ? new SectionPages(elf.source, strs.offset, strs.size) : undefined };
  }
  // Pages are read through this load's open file (the last one's is closed).
  if (t.names) t.names.source = elf.source;
  return t;
}
let sectionCache: CachedSections | undefined;
let sectionCacheTimer: NodeJS.Timeout | undefined;

/** Keeps one file's sections while its chunks arrive; dropped after a quiet spell so an idle worker holds no memory. */
function rememberSections(entry: CachedSections): void {
  sectionCache = entry;
  if (sectionCacheTimer) clearTimeout(sectionCacheTimer);
  sectionCacheTimer = setTimeout(() => {
    sectionCache = undefined;
    sectionCacheTimer = undefined;
  }, 15_000);
  sectionCacheTimer.unref?.();
}

function unitSize(info: Uint8Array, offset: number): number {
  try {
    const h = readUnitHeader(info, offset);
    return h.end - h.offset;
  } catch {
    return 0;
  }
}

/** Whether this load reads the ELF symbol table: a whole-file load, the chunk holding unit 0, or a symbol-table range. */
function readsSymbolTable(options: ElfReadOptions): boolean {
  if (options.slice) return options.slice.publics;
  if (options.symbolRange || options.publicsByUnit) return true;
  return options.units ? options.units.includes(0) : !options.unitRange || options.unitRange.start === 0;
}

/** The DWARF sections (from the worker's cache when the previous chunk read the same file), and where they came from. */
function sectionsFor(elf: ElfFile, options: ElfReadOptions): CachedSections {
  const cached = options.cacheKey !== undefined && sectionCache?.key === options.cacheKey ? sectionCache : undefined;
  // A section read unit by unit serves chunks that name their units; anything else reads the whole section afresh.
  if (cached && (!cached.unitsRead || options.units)) {
    if (cached.unitsRead && cached.sections && options.units) {
      readInfoUnits(elf, cached.sections.info, options.units, cached.unitsRead, cached.written);
      // Paged sections read on through this load's open file.
      for (const pages of Object.values(cached.sections.pages ?? {})) pages.source = elf.source;
    }
    return cached;
  }
  const { elf: debugElf, warning } = findDebugElf(elf, options);
  // A chunk of an uncompressed .debug_info in the file itself reads only its own units; the rest of the section stays
  // zero pages the OS never backs (a later chunk in this worker reads its units into the same array).
  const sec = debugElf === elf ? elf.section('.debug_info') : undefined;
  const sparse = sec !== undefined && options.units !== undefined && !(sec.flags & 0x800) && sec.type !== 8 && sec.size <= elf.source.size;
  // Another file's sections, which this load replaces (the next build of the program): their arrays are reused.
  const previous = sparse && options.cacheKey !== undefined && sectionCache?.unitsRead ? sectionCache : undefined;
  if (previous) sectionCache = undefined; // its arrays are cleared for reuse below: no load may read them again
  let found: CachedSections;
  if (sparse) {
    const unitsRead = new Set<number>();
    const written: Array<[number, number]> = [];
    const info = recycledInfo(previous, sec.size) ?? new Uint8Array(sec.size);
    const sections = dwarfSections(elf, info, true, previous?.sections?.pages);
    readInfoUnits(elf, info, options.units!, unitsRead, written);
    found = { key: options.cacheKey ?? '', sections, debugInfoPath: elf.path, warning, unitsRead, written };
  } else found = { key: options.cacheKey ?? '', sections: dwarfSections(debugElf), debugInfoPath: debugElf.path, warning };
  if (options.cacheKey !== undefined) rememberSections(found);
  return found;
}

/**
 * The previous file's .debug_info array for a section of `size` bytes, the units read into it zeroed again (its pages
 * stay backed by the OS, so reading the next build's units into them faults nothing in); undefined when too small.
 */
function recycledInfo(previous: CachedSections | undefined, size: number): Uint8Array | undefined {
  const old = previous?.sections?.info;
  if (!old || !previous?.written || old.length < size) return undefined;
  for (const [start, end] of previous.written) old.fill(0, start, end);
  reusedArrays++;
  return old.subarray(0, size);
}

/** Reads the units at `units` of the file's .debug_info into `info` (a section-sized array), skipping those already read. */
function readInfoUnits(elf: ElfFile, info: Uint8Array, units: number[], unitsRead: Set<number>, written?: Array<[number, number]>): void {
  const sec = elf.section('.debug_info')!;
  for (const u of units) {
    if (unitsRead.has(u) || u < 0 || u + 11 > sec.size) continue;
    try {
      const head = elf.source.read(sec.offset + u, Math.min(40, sec.size - u));
      const h = parseUnitHeader(head, u, sec.size);
      written?.push([u, h.end]);
      readInto(elf.source, sec.offset + u, h.end - u, info, u);
      unitsRead.add(u);
    } catch (err) {
      // A corrupt header: leave the unit unread; the DWARF reader then reports it as it would any bad unit.
      if (!(err instanceof SymbolReadError)) throw err;
    }
  }
}

function chunkDebugBytes(sections: DwarfSections, options: ElfReadOptions): number {
  if (options.slice) return Math.max(0, Math.min(options.slice.end, sections.info.length) - options.slice.start);
  return options.units
    ? options.units.reduce((n, u) => n + unitSize(sections.info, u), 0)
    : options.unitRange ? Math.min(options.unitRange.end, sections.info.length) - options.unitRange.start : sections.info.length;
}

/** The DWARF reader's share of a load's options: which units (or slice) to read, cancellation and progress. */
function dwarfOptions(options: ElfReadOptions): ReadDwarfOptions {
  return {
    range: options.unitRange,
    units: options.units,
    slice: options.slice,
    signal: options.signal,
    onProgress: (f) => options.onProgress?.(f, 'reading DWARF'),
  };
}

/** Reads ELF symbols and DWARF into objects (tests and tools; loading uses indexElfModule). With `unitRange` only that slice of DWARF is read. */
export function readElfModule(source: ByteSource, options: ElfReadOptions): ModuleSymbols & { debugInfoBytes: number } {
  const elf = new ElfFile(source, options.path);
  const warnings: string[] = [];
  const mod: ModuleSymbols & { debugInfoBytes: number } = {
    debugInfoBytes: 0,
    format: 'elf', debugFormat: 'none', imageBase: elfImageBase(elf), compileUnits: [], functions: [], inlineSites: [], files: [], lines: [], publics: [], warnings,
  };
  const firstChunk = readsSymbolTable(options);
  if (options.symbolRange) {
    mod.publics = elfPublics(elf, options.symbolRange);
    return mod;
  }
  if (firstChunk) mod.publics = elfPublics(elf);
  throwIfAborted(options.signal);
  if (options.symbolsOnly) return mod;
  const found = sectionsFor(elf, options);
  if (found.warning && firstChunk) warnings.push(found.warning);
  const sections = found.sections;
  if (!sections) return mod;
  mod.debugFormat = 'dwarf';
  mod.debugInfoPath = found.debugInfoPath;
  mod.debugInfoBytes = chunkDebugBytes(sections, options);
  options.onProgress?.(0, 'reading DWARF');
  const d = readDwarf(sections, dwarfOptions(options));
  mod.compileUnits = d.compileUnits;
  mod.functions = d.functions;
  mod.inlineSites = d.inlineSites;
  mod.files = d.files;
  mod.lineColumns = { address: d.lines.address, file: d.lines.file, line: d.lines.line, count: d.lines.count };
  warnings.push(...d.warnings);
  return mod;
}

/** What indexElfModule read, beside the builder that holds the facts themselves. */
export interface ElfIndexFacts {
  debugFormat: 'dwarf' | 'none';
  debugInfoPath?: string;
  imageBase: number;
  debugInfoBytes: number;
  compileUnits: CompileUnit[];
  warnings: string[];
}

/**
 * Reads one load's share of an ELF file straight into `builder`: DWARF first, then the symbol table, whose entries at a
 * function's start DWARF already named are skipped without being demangled. The loading path: no object per fact.
 */
export function indexElfModule(source: ByteSource, options: ElfReadOptions, builder: IndexBuilder): ElfIndexFacts {
  const elf = new ElfFile(source, options.path);
  const facts: ElfIndexFacts = { debugFormat: 'none', imageBase: elfImageBase(elf), debugInfoBytes: 0, compileUnits: [], warnings: [] };
  const withSymbols = readsSymbolTable(options);
  if (options.symbolRange || options.symbolsOnly) {
    if (withSymbols) addElfPublics(elf, builder, options.symbolRange);
    return facts;
  }
  const found = sectionsFor(elf, options);
  // A file-level warning once per load: from the chunk that reads the symbol table, or the leftovers one when all do.
  if (found.warning && (options.publicsByUnit ? options.leftoverPublics === true : withSymbols)) facts.warnings.push(found.warning);
  const sections = found.sections;
  if (sections) {
    facts.debugFormat = 'dwarf';
    facts.debugInfoPath = found.debugInfoPath;
    facts.debugInfoBytes = chunkDebugBytes(sections, options);
    options.onProgress?.(0, 'reading DWARF');
    const d = readDwarfInto(sections, dwarfOptions(options), builder);
    facts.compileUnits = d.compileUnits;
    facts.warnings.push(...d.warnings);
  }
  throwIfAborted(options.signal);
  if (!withSymbols) return facts;
  const starts = builder.functions > 0 ? builder.functionStarts() : undefined;
  const kept = options.cacheKey !== undefined ? keptSymbolTable(elf, found) : undefined;
  if (!options.publicsByUnit) addElfPublics(elf, builder, undefined, starts, undefined, kept);
  else {
    // Without .debug_aranges (or DWARF) the chunk marked for leftovers takes every symbol, the others none.
    const ranges = sections?.aranges ? cachedUnitRanges(sections.aranges) : undefined;
    if (ranges) {
      const groups = (ranges.entriesByUnit ??= groupEntriesByUnit(elf, ranges, kept));
      const lists = (options.units ?? []).map((unit) => groups.get(unit));
      if (options.leftoverPublics) lists.push(groups.get(-1));
      const only = mergeSorted(lists);
      // A slice sees only its own functions; the unit's other code starts (its .debug_aranges entries, one per
      // function) are the other slices' functions, so their symbols are skipped as well.
      const skip = options.slice && options.units ? mergeStarts(starts, ranges.startsOf(options.units[0])) : starts;
      if (only.length > 0) addElfPublics(elf, builder, undefined, skip, only, kept);
    } else if (options.leftoverPublics) addElfPublics(elf, builder, undefined, starts, undefined, kept);
  }
  return facts;
}

const parsedAranges = new WeakMap<Uint8Array, UnitAddressRanges | null>();
/** The worker keeps a file's sections for its next chunk; the parsed .debug_aranges go with them. */
function cachedUnitRanges(aranges: Uint8Array): UnitAddressRanges | undefined {
  let r = parsedAranges.get(aranges);
  if (r === undefined) parsedAranges.set(aranges, (r = unitAddressRanges(aranges) ?? null));
  return r ?? undefined;
}

/** Every entry of the symbol table that addElfPublics reads, grouped by the unit whose code holds its address (-1: none). */
function groupEntriesByUnit(elf: ElfFile, ranges: UnitAddressRanges, kept?: KeptSymbolTable): Map<number, Uint32Array> {
  const which = publicSymbolTable(elf);
  const out = new Map<number, Uint32Array>();
  const entries = kept ? kept.entries : elf.symbolEntries(which);
  if (!entries) return out;
  const { data, count, first } = entries;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // Two passes over typed arrays (no list per unit to grow): each entry's unit, then the entries of each unit in order.
  const units = ranges.units;
  const slotOf = new Int32Array(count);
  const sizes = new Uint32Array(units.length + 1); // the last slot: entries in no unit
  for (let i = 0; i < count; i++) {
    const value = view.getUint32(i * 24 + 12, true) * 4294967296 + view.getUint32(i * 24 + 8, true);
    const k = ranges.unitIndexAt(value);
    const slot = k < 0 ? units.length : k;
    slotOf[i] = slot;
    sizes[slot]++;
  }
  const lists = Array.from(sizes, (n) => new Uint32Array(n));
  const fill = new Uint32Array(sizes.length);
  for (let i = 0; i < count; i++) {
    const slot = slotOf[i];
    lists[slot][fill[slot]++] = first + i;
  }
  lists.forEach((list, slot) => {
    if (list.length > 0) out.set(slot === units.length ? -1 : units[slot], list);
  });
  return out;
}

/** Sorted union of two sorted address lists. */
function mergeStarts(a: Float64Array | undefined, b: Float64Array): Float64Array {
  if (!a || a.length === 0) return b;
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out.sort();
}

/** Sorted union of sorted index lists. */
function mergeSorted(lists: Array<Uint32Array | undefined>): Uint32Array {
  const present = lists.filter((l): l is Uint32Array => l !== undefined && l.length > 0);
  if (present.length === 1) return present[0];
  const out = new Uint32Array(present.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of present) {
    out.set(l, at);
    at += l.length;
  }
  return out.sort();
}

/** .debug_aranges as sorted columns: which unit's code an address lies in. */
export interface UnitAddressRanges {
  /** The .debug_info offsets of the units with ranges, each once. */
  units: number[];
  /** The index in `units` of the unit whose code holds `address`, or -1. */
  unitIndexAt(address: number): number;
  /** Where each of a unit's address ranges starts, ascending. */
  startsOf(unit: number): Float64Array;
  /** Symbol-table entry indices by the unit whose code holds them (-1: none), made by the first chunk in a worker. */
  entriesByUnit?: Map<number, Uint32Array>;
}

/** Parses .debug_aranges; undefined when it is malformed (the caller then falls back to one chunk taking every symbol). */
export function unitAddressRanges(aranges: Uint8Array): UnitAddressRanges | undefined {
  // At most one tuple per 8 bytes (4-byte addresses): typed columns sized once, no arrays to grow.
  const cap = Math.floor(aranges.length / 8);
  const low = new Float64Array(cap);
  const high = new Float64Array(cap);
  const unit = new Float64Array(cap);
  /** Units by first appearance; `unit` holds indices into it. */
  const units: number[] = [];
  const idOfUnit = new Map<number, number>();
  let n = 0;
  try {
    const r = new Reader(aranges, '.debug_aranges');
    while (r.remaining >= 16) {
      const setStart = r.pos;
      let length = r.u32();
      let offsetSize = 4;
      if (length === 0xffffffff) {
        length = r.u64();
        offsetSize = 8;
      }
      const end = r.pos + length;
      if (end > aranges.length) return undefined;
      r.u16(); // version 2
      const infoOffset = r.uN(offsetSize);
      let id = idOfUnit.get(infoOffset);
      if (id === undefined) {
        idOfUnit.set(infoOffset, (id = units.length));
        units.push(infoOffset);
      }
      const addressSize = r.u8();
      const segmentSize = r.u8();
      if ((addressSize !== 4 && addressSize !== 8) || segmentSize !== 0) return undefined;
      // Tuples start at a multiple of twice the address size from the set's start.
      const tuple = 2 * addressSize;
      r.pos = setStart + Math.ceil((r.pos - setStart) / tuple) * tuple;
      while (r.pos + tuple <= end) {
        const a = r.uN(addressSize);
        const size = r.uN(addressSize);
        if (a === 0 && size === 0) break;
        if (size > 0 && n < cap) {
          low[n] = a;
          high[n] = a + size;
          unit[n] = id;
          n++;
        }
      }
      r.pos = end;
    }
  } catch {
    return undefined;
  }
  const lo = low.subarray(0, n);
  const hi = high.subarray(0, n);
  const un = unit.subarray(0, n);
  sortByAddress(lo, [hi, un], []);
  return {
    units,
    unitIndexAt(address: number): number {
      const at = floorIndex(lo, address);
      return at >= 0 && address < hi[at] ? un[at] : -1;
    },
    startsOf(unitOffset: number): Float64Array {
      const id = units.indexOf(unitOffset);
      let count = 0;
      for (let i = 0; i < n; i++) if (un[i] === id) count++;
      const out = new Float64Array(count);
      for (let i = 0, k = 0; i < n; i++) if (un[i] === id) out[k++] = lo[i];
      return out;
    },
  };
}

/** Defined symbols of .symtab (or .dynsym when stripped), demangled. Section and file symbols are skipped, as `nm` does. */
export function elfPublics(elf: ElfFile, range?: { start: number; end: number }): PublicSymbol[] {
  const which = publicSymbolTable(elf);
  const out: PublicSymbol[] = [];
  elf.forEachSymbol(which, range, (name, value, size, type, _bind, shndx) => {
    if (shndx === 0 || type === 3 || type === 4 || name === '') return;
    const p: PublicSymbol = { name, address: value };
    // A TLS symbol's value is an offset in the thread's block, not an address: no size, so no address range claims it.
    if (size && type !== 6) p.size = size;
    const d = demangleRust(name);
    if (d !== undefined) p.demangled = d;
    out.push(p);
  });
  return out;
}

/**
 * Defined symbols of .symtab (or .dynsym when stripped), straight into an index: each name is demangled from the
 * string table's bytes into the index's string table, with no string or object per symbol. A symbol at one of
 * `skipStarts` (sorted function starts from DWARF) is left out without being demangled: the index would drop it
 * as the function's duplicate anyway. With `only` (sorted table indices) just those entries are read: another chunk
 * takes the rest. Returns the number of symbols added.
 */
export function addElfPublics(
  elf: ElfFile, builder: IndexBuilder, range?: { start: number; end: number }, skipStarts?: Float64Array, only?: Uint32Array, keptTable?: KeptSymbolTable,
): number {
  const which = publicSymbolTable(elf);
  const table = range === undefined ? keptTable : undefined;
  const entries = table ? table.entries : elf.symbolEntries(which, range);
  if (!entries) return 0;
  const { data, count, first } = entries;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const skip = skipStarts && skipStarts.length > 0 ? skipStarts : undefined;
  // First pass: which entries to index (no string table needed yet); a chunk that keeps few reads only their names' span.
  const keep = new Uint32Array(count);
  let kept = 0;
  let lo = Infinity;
  let hi = 0;
  const n = only ? only.length : count;
  for (let k = 0; k < n; k++) {
    const i = only ? only[k] - first : k;
    if (i < 0 || i >= count) continue;
    const o = i * 24;
    const nameOff = view.getUint32(o, true);
    const type = data[o + 4] & 0xf;
    const shndx = view.getUint16(o + 6, true);
    // Undefined, section and file symbols are skipped, as `nm --defined-only` does; so are nameless ones.
    if (shndx === 0 || type === 3 || type === 4 || nameOff === 0) continue;
    const value = view.getUint32(o + 12, true) * 4294967296 + view.getUint32(o + 8, true);
    if (skip && sortedHas(skip, value)) continue;
    keep[kept++] = i;
    if (nameOff < lo) lo = nameOff;
    if (nameOff > hi) hi = nameOff;
  }
  if (kept === 0) return 0;
  const { strtab, base } = table?.names ? pagedNames(table.names, view, keep, kept) : elf.symbolNames(which, lo, hi);
  const names = builder.names;
  let added = 0;
  for (let k = 0; k < kept; k++) {
    const o = keep[k] * 24;
    const nameOff = view.getUint32(o, true) - base;
    if (nameOff < 0 || nameOff >= strtab.length || strtab[nameOff] === 0) continue;
    const type = data[o + 4] & 0xf;
    const value = view.getUint32(o + 12, true) * 4294967296 + view.getUint32(o + 8, true);
    let end = strtab.indexOf(0, nameOff);
    if (end < 0) end = strtab.length;
    // A TLS symbol's value is an offset in the thread's block, not an address: no size, so no address range claims it.
    const size = type === 6 ? 0 : view.getUint32(o + 20, true) * 4294967296 + view.getUint32(o + 16, true);
    const at = names.length;
    if (!demangleRustBytes(strtab, nameOff, end, names)) names.append(strtab, nameOff, end);
    builder.addPublic(at, names.length - at, value, size);
    added++;
  }
  return added;
}

/** The kept string table with the pages holding the names of the `count` entries in `keep` read in. */
function pagedNames(names: SectionPages, view: DataView, keep: Uint32Array, count: number): { strtab: Uint8Array; base: number } {
  for (let k = 0; k < count; k++) names.ensureString(view.getUint32(keep[k] * 24, true));
  return { strtab: names.bytes, base: 0 };
}

/** The number of entries of the table elfPublics reads (.symtab, else .dynsym), to split it across workers. */
export function publicSymbolCount(elf: ElfFile): number {
  return elf.symbolCount('.symtab') || elf.symbolCount('.dynsym');
}

/** The table the public symbols are read from: .symtab, or .dynsym when the file is stripped. */
function publicSymbolTable(elf: ElfFile): '.symtab' | '.dynsym' {
  return elf.symbolCount('.symtab') === 0 ? '.dynsym' : '.symtab';
}

/** The unit headers of .debug_info; for an uncompressed section only the headers are read, not the whole section. */
function unitHeadersOf(elf: ElfFile, warnings: string[]): UnitHeader[] {
  const sec = elf.section('.debug_info');
  if (!sec || sec.flags & 0x800 || sec.type === 8) {
    const info = elf.data('.debug_info');
    return info && info.length > 0 ? listUnits(info, warnings) : [];
  }
  const out: UnitHeader[] = [];
  const max = Math.min(sec.size, Math.max(0, elf.source.size - sec.offset));
  for (let off = 0; off + 11 <= max; ) {
    let h: UnitHeader;
    try {
      h = parseUnitHeader(elf.source.read(sec.offset + off, Math.min(40, max - off)), off, max);
    } catch (err) {
      // One bad header loses its unit only (or, when its length is bad too, the units after it).
      if (!(err instanceof SymbolReadError)) throw err;
      warnings.push(unitHeaderWarning(off, err));
      if (!(err instanceof BadUnitHeaderError)) break;
      off = err.end;
      continue;
    }
    out.push(h);
    off = h.end;
    if (out.length > 10_000_000) break;
  }
  return out;
}

/** One chunk of a split DWARF load: whole units, or one slice of one large unit. */
export interface PlannedDwarfChunk {
  units: number[];
  bytes: number;
  slice?: ElfUnitSlice;
}

/** A unit above this many chunks' worth of .debug_info (about a worker's share) is read in slices. */
const SLICE_ABOVE_CHUNKS = 4;

/**
 * Groups the .debug_info units into chunks of about `targetBytes` for several workers. Units are dealt out largest
 * first to the lightest chunk (LPT scheduling). A unit larger than a worker's share (an LTO or single-codegen-unit
 * build puts a whole crate in one) is cut into slices of about twice `targetBytes` instead, each a chunk of its own
 * (see UnitSlice); the last slice reads the unit's line rows, the first its symbols. Chunks come back largest first, the order
 * to submit them in.
 */
export function planDwarfChunks(elf: ElfFile, options: ElfReadOptions, targetBytes: number, warnings: string[] = []): PlannedDwarfChunk[] {
  const { elf: debugElf } = findDebugElf(elf, options);
  // Units with a bad header are left out of every chunk; `warnings` says which.
  const units = unitHeadersOf(debugElf, warnings);
  if (units.length === 0) return [{ units: [0], bytes: 0 }];
  const target = Math.max(1, targetBytes);
  const sizeOf = (u: UnitHeader): number => u.end - u.offset;
  const sliced: PlannedDwarfChunk[] = [];
  const whole: UnitHeader[] = [];
  for (const u of units) {
    if (sizeOf(u) <= SLICE_ABOVE_CHUNKS * target) {
      whole.push(u);
      continue;
    }
    const n = Math.ceil(sizeOf(u) / (2 * target));
    for (let k = 0; k < n; k++) {
      const start = k === 0 ? u.offset : u.offset + Math.round((k * sizeOf(u)) / n);
      const end = k === n - 1 ? u.end : u.offset + Math.round(((k + 1) * sizeOf(u)) / n);
      // The first slice walks nothing before its start, the last the most: the line rows go to the last, the symbols to the first.
      sliced.push({ units: [u.offset], bytes: end - start, slice: { start, end, lines: k === n - 1, publics: k === 0 } });
    }
  }
  const total = whole.reduce((n, u) => n + sizeOf(u), 0);
  const count = Math.max(1, Math.min(whole.length, Math.ceil(total / target)));
  const chunks: PlannedDwarfChunk[] = Array.from({ length: count }, () => ({ units: [] as number[], bytes: 0 }));
  for (const u of [...whole].sort((a, b) => sizeOf(b) - sizeOf(a))) {
    let lightest = chunks[0];
    for (const c of chunks) if (c.bytes < lightest.bytes) lightest = c;
    lightest.units.push(u.offset);
    lightest.bytes += sizeOf(u);
  }
  for (const c of chunks) c.units.sort((a, b) => a - b);
  // Every chunk must hold at least one unit.
  return [...sliced, ...chunks.filter((c) => c.units.length > 0)].sort((a, b) => b.bytes - a.bytes);
}
