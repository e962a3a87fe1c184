// The per-module symbol index: a compact binary form (one ArrayBuffer or SharedArrayBuffer per segment) that crosses threads without a copy, and its queries.
import { GrowableBytes } from './byte-source';
import { SegmentUnavailableError } from './errors';
import { FunctionSymbol, InlineSite, ModuleSymbols } from './model';
import { demangleRust } from './rust-demangle';

/** One function or public symbol found by a query. */
export interface SymbolHit {
  name: string;
  kind: 'function' | 'public';
  /** Start address (lowest range start). */
  address: number;
  /** Bytes covered by the first range (or the ELF/PE symbol size), when known. */
  size?: number;
  file?: string;
  line?: number;
}

export interface InlineHit {
  name: string;
  callFile?: string;
  callLine?: number;
}

export interface AddressHit {
  function?: SymbolHit;
  /** Inlined calls covering the address, outermost first. */
  inlined: InlineHit[];
  /** Source line of the address. */
  file?: string;
  line?: number;
}

const MAGIC = 0x58495352; // 'RSIX'
/** 5: a public at a function's start stays as an alias (found by name, resolved to the function) instead of being dropped. */
export const INDEX_VERSION = 5;
const VERSION = INDEX_VERSION;
const NONE = 0xffffffff;
const HEADER_WORDS = 34;
/** Header word 32: FLAG_ALIASES when publics at a function's start were kept as aliases (see KIND_ALIAS). */
const HEADER_FLAGS = 32;
const FLAG_ALIASES = 1;
/** Header words after the 18 part offsets (11..28): whether addresses are 32-bit offsets, and the base they are offsets from. */
const HEADER_COMPACT = 29;
const HEADER_BASE = 30;
const ENTRY_STRIDE = 5; // nameOff, nameLen, file, line, kind
const HASH_STRIDE = 3; // hash, full-name chain head, bare-name chain head
const INLINE_STRIDE = 6; // nameOff, nameLen, parentEntry, callFile, callLine, depth
/**
 * Set in an inline site's name length when the name is stored mangled (a Rust linkage name) and is demangled when a
 * query reads it: a large module has hundreds of thousands of callees, and only the few under a stopped frame are read.
 */
export const MANGLED_NAME = 0x80000000;
const KIND_FUNCTION = 0;
const KIND_PUBLIC = 1;
/**
 * A public at a function's start: the same code under its linkage name. Prefix and fuzzy search skip it and address
 * lookups never see it, but a lookup by its name answers with the function (a PDB names a trait method
 * `demo::inner::{impl#0}::greet`; its public demangles to `<demo::inner::En as demo::inner::Greeter>::greet`).
 */
const KIND_ALIAS = 2;

/**
 * FNV-1a over the length and at most ~64 evenly spaced bytes of the UTF-8 name: Rust names run to hundreds of
 * characters, and a collision only costs one comparison. The builder hashes the string table's bytes; a query
 * hashes the UTF-8 encoding of its key.
 */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  const n = end - start;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  const step = n > 64 ? Math.floor(n / 64) : 1;
  for (let i = end - 1; i >= start; i -= step) {
    h ^= b[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

const keyScratch = new GrowableBytes(256);
function hashString(s: string): number {
  keyScratch.length = 0;
  keyScratch.appendString(s);
  return hashBytes(keyScratch.bytes, 0, keyScratch.length);
}

function bytesEqual(a: Uint8Array, aStart: number, aLen: number, b: Uint8Array, bStart: number, bLen: number): boolean {
  if (aLen !== bLen) return false;
  for (let i = 0; i < aLen; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** `a::b::<T>::c<U>` → `a::b::c`: the name a user types for a function breakpoint on every generic instance. */
export function stripGenerics(name: string): string {
  if (name.indexOf('<') < 0) return name;
  let out = '';
  let depth = 0;
  let runStart = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 60 /* < */) {
      if (depth > 0) {
        depth++;
        continue;
      }
      // Generic arguments follow a name or `::`; a `<` elsewhere opens a qualified path (`<T as Trait>`) and stays.
      const prev = i > 0 ? name.charCodeAt(i - 1) : 0;
      if (isNameChar(prev) || prev === 125 /* } of {closure#0} */) {
        out += name.slice(runStart, i);
        depth = 1;
      }
    } else if (c === 62 /* > */ && depth > 0) {
      if (--depth === 0) runStart = i + 1;
    }
  }
  if (depth === 0) out += name.slice(runStart);
  // `a::<T>::b` leaves `a::::b`, and `a::<T>` leaves `a::`; most names need neither fix-up.
  if (out.indexOf('::::') >= 0) out = out.replace(/::::/g, '::');
  if (out.endsWith('::') || out.indexOf('::>') >= 0) out = out.replace(/::(?=>|$)/g, '');
  return out;
}

/** `:`, `_`, ASCII letters and digits, and (in UTF-16 or as a UTF-8 byte) anything non-ASCII. */
function isNameChar(c: number): boolean {
  return c === 58 || c === 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

/**
 * stripGenerics over the UTF-8 bytes src[start, end), appended to `out`; false (nothing appended) when the name has no
 * generic arguments to strip. The byte-for-byte twin of stripGenerics, so the builder needs no strings.
 */
function stripGenericsBytes(src: Uint8Array, start: number, end: number, out: GrowableBytes): boolean {
  let i = start;
  while (i < end && src[i] !== 60) i++;
  if (i === end) return false;
  const mark = out.length;
  let depth = 0;
  let runStart = start;
  // Only a `<…>` cut right after `:` can leave `::::`, `::>` or a trailing `::` behind.
  let afterColon = false;
  for (; i < end; i++) {
    const c = src[i];
    if (c === 60) {
      if (depth > 0) {
        depth++;
        continue;
      }
      const prev = i > start ? src[i - 1] : 0;
      if (isNameChar(prev) || prev === 125) {
        out.append(src, runStart, i);
        depth = 1;
        if (prev === 58) afterColon = true;
      }
    } else if (c === 62 && depth > 0) {
      if (--depth === 0) runStart = i + 1;
    }
  }
  if (depth === 0) out.append(src, runStart, end);
  const b = out.bytes;
  if (!afterColon) {
    // Without such a cut the fix-ups only matter for a name that already held `:::` or `::>` or ended in `::`.
    let odd = false;
    for (let r = mark; r + 1 < out.length && !odd; r++) {
      if (b[r] === 58 && b[r + 1] === 58) odd = r + 2 === out.length || b[r + 2] === 58 || b[r + 2] === 62;
    }
    if (!odd) return true;
  }
  // The same two fix-ups as stripGenerics, in place over what was just appended.
  let w = mark;
  for (let r = mark; r < out.length; ) {
    if (b[r] === 58 && b[r + 1] === 58 && b[r + 2] === 58 && b[r + 3] === 58 && r + 3 < out.length) {
      b[w++] = 58;
      b[w++] = 58;
      r += 4;
    } else b[w++] = b[r++];
  }
  out.length = w;
  w = mark;
  for (let r = mark; r < out.length; ) {
    if (b[r] === 58 && r + 1 < out.length && b[r + 1] === 58 && (r + 2 === out.length || b[r + 2] === 62)) r += 2;
    else b[w++] = b[r++];
  }
  out.length = w;
  return true;
}

/** A growable column of doubles (addresses). One class per element type, so every push site stays monomorphic. */
class F64Column {
  length = 0;
  data: Float64Array;
  constructor(n: number) {
    this.data = new Float64Array(n);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(need: number): void {
    const next = new Float64Array(Math.max(need, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** A growable column of 32-bit unsigned integers (ids, lines, offsets). */
class U32Column {
  length = 0;
  data: Uint32Array;
  constructor(n: number) {
    this.data = new Uint32Array(n);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(need: number): void {
    const next = new Uint32Array(Math.max(need, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}
// Small first capacities: the columns grow (and their growth path runs) before the optimizer compiles the builder's
// callers, which a first growth in optimized code would throw away.
const f64 = (n = 16): F64Column => new F64Column(n);
const u32 = (n = 16): U32Column => new U32Column(n);

export interface BuildIndexOptions {
  /** Allocate a SharedArrayBuffer (shared with other workers) instead of an ArrayBuffer (transferred). */
  shared?: boolean;
  /**
   * Keep a public at a function's start as an alias of the function (found by its name) instead of dropping it: for
   * PDBs, whose function names (`{impl#0}::greet`) lack the trait path its public's name has. The ELF reader skips
   * such publics before demangling them (the cost of a large module), so ELF indexes keep none.
   */
  aliases?: boolean;
}

/**
 * Builds one index segment as the readers go: names are written straight into `names` (the segment's string table)
 * and every fact into typed columns, so a module with millions of functions, inlined calls and line rows costs no
 * object per fact. Publics at the address of a function are dropped as duplicates when the segment is finished.
 */
export class IndexBuilder {
  /** The string table: readers append a name here, then pass its offset and length. */
  readonly names = new GrowableBytes(256);
  private readonly entName = u32();
  private readonly entLen = u32();
  private readonly entFile = u32();
  private readonly entLine = u32();
  private readonly entKind = u32();
  private readonly entAddr = f64();
  private readonly entSize = f64();
  private readonly rangeLow = f64();
  private readonly rangeHigh = f64();
  private readonly rangeEntry = u32();
  private readonly inl = u32();
  private readonly inlLow = f64();
  private readonly inlHigh = f64();
  private readonly inlIdx = u32();
  private readonly fileRefs = u32();
  private readonly fileIds = new Map<string, number>();
  readonly lineAddr = f64();
  readonly lineFile = u32();
  readonly lineLine = u32();
  private functionCount = 0;
  private publicCount = 0;

  get functions(): number {
    return this.functionCount;
  }
  get publics(): number {
    return this.publicCount;
  }
  get inlineSites(): number {
    return this.inl.length / INLINE_STRIDE;
  }
  get files(): number {
    return this.fileRefs.length / 2;
  }
  get lines(): number {
    return this.lineAddr.length;
  }

  /** The file's id in this segment (the same path once). */
  file(path: string): number {
    let id = this.fileIds.get(path);
    if (id === undefined) this.fileIds.set(path, (id = this.addFile(path)));
    return id;
  }
  /** A new file id, even for a path seen before (a reader's own file numbering stays valid). */
  addFile(path: string): number {
    const id = this.fileRefs.length / 2;
    const at = this.names.length;
    this.names.appendString(path);
    this.fileRefs.push(at);
    this.fileRefs.push(this.names.length - at);
    return id;
  }
  /** Appends a name given as a string; returns its offset (its length is names.length − offset). */
  name(s: string): number {
    const at = this.names.length;
    this.names.appendString(s);
    return at;
  }

  /** A function (with its ranges added next through `range`); returns its entry id. */
  addFunction(nameOff: number, nameLen: number, file: number, line: number): number {
    this.functionCount++;
    return this.entry(nameOff, nameLen, file, line, KIND_FUNCTION, Infinity, 0);
  }
  /** One [low, high) range of the function `entry`; its lowest range is its address and size. */
  range(entry: number, low: number, high: number): void {
    this.rangeLow.push(low);
    this.rangeHigh.push(high);
    this.rangeEntry.push(entry);
    if (low < this.entAddr.data[entry]) {
      this.entAddr.data[entry] = low;
      this.entSize.data[entry] = high - low;
    }
  }
  /** A symbol-table entry; a size claims [address, address + size) for address lookups. */
  addPublic(nameOff: number, nameLen: number, address: number, size: number): number {
    this.publicCount++;
    const e = this.entry(nameOff, nameLen, NONE, 0, KIND_PUBLIC, address, size);
    if (size) {
      this.rangeLow.push(address);
      this.rangeHigh.push(address + size);
      this.rangeEntry.push(e);
    }
    return e;
  }
  private entry(nameOff: number, nameLen: number, file: number, line: number, kind: number, addr: number, size: number): number {
    const e = this.entKind.length;
    this.entName.push(nameOff);
    this.entLen.push(nameLen);
    this.entFile.push(file);
    this.entLine.push(line);
    this.entKind.push(kind);
    this.entAddr.push(addr);
    this.entSize.push(size);
    return e;
  }
  /** An inlined call inside function entry `parent` (ranges through inlineRange); returns its id. */
  addInline(nameOff: number, nameLen: number, parent: number, callFile: number, callLine: number, depth: number): number {
    const i = this.inl.length / INLINE_STRIDE;
    this.inl.push(nameOff);
    this.inl.push(nameLen);
    this.inl.push(parent);
    this.inl.push(callFile);
    this.inl.push(callLine);
    this.inl.push(depth);
    return i;
  }
  /** Names an inline site later (its callee is resolved after the unit is read). */
  setInlineName(site: number, nameOff: number, nameLen: number): void {
    this.inl.data[site * INLINE_STRIDE] = nameOff;
    this.inl.data[site * INLINE_STRIDE + 1] = nameLen;
  }
  setFunctionName(entry: number, nameOff: number, nameLen: number): void {
    this.entName.data[entry] = nameOff;
    this.entLen.data[entry] = nameLen;
  }
  /** Declaring file and line of a function, when they come later (from its abstract origin). */
  functionFileLine(entry: number): { file: number; line: number } {
    return { file: this.entFile.data[entry], line: this.entLine.data[entry] };
  }
  setFunctionFileLine(entry: number, file: number, line: number): void {
    this.entFile.data[entry] = file;
    this.entLine.data[entry] = line;
  }
  inlineRange(site: number, low: number, high: number): void {
    this.inlLow.push(low);
    this.inlHigh.push(high);
    this.inlIdx.push(site);
  }
  line(address: number, file: number, line: number): void {
    // The three line columns grow together; one capacity check for the millions of rows of a large unit.
    const n = this.lineAddr.length;
    if (n === this.lineAddr.data.length || n === this.lineFile.data.length || n === this.lineLine.data.length) {
      this.lineAddr.grow(n + 1);
      this.lineFile.grow(n + 1);
      this.lineLine.grow(n + 1);
    }
    this.lineAddr.data[n] = address;
    this.lineFile.data[n] = file;
    this.lineLine.data[n] = line;
    this.lineAddr.length = this.lineFile.length = this.lineLine.length = n + 1;
  }
  /** LineSink: a line table reader writes its rows straight in. */
  row(address: number, file: number, line: number): void {
    this.line(address, file, line);
  }
  /** LineSink, in bulk: the compiled line kernel's batches. */
  rows(address: Float64Array, file: Uint32Array, line: Uint32Array, count: number): void {
    this.lineColumns(address, file, line, count);
  }
  /** Line rows in bulk (from a reader that keeps them as columns). */
  lineColumns(address: Float64Array, file: Uint32Array, line: Uint32Array, count: number): void {
    const at = this.lineAddr.length;
    if (at + count > this.lineAddr.data.length) this.lineAddr.grow(at + count);
    if (at + count > this.lineFile.data.length) this.lineFile.grow(at + count);
    if (at + count > this.lineLine.data.length) this.lineLine.grow(at + count);
    this.lineAddr.data.set(address.subarray(0, count), at);
    this.lineFile.data.set(file.subarray(0, count), at);
    this.lineLine.data.set(line.subarray(0, count), at);
    this.lineAddr.length = this.lineFile.length = this.lineLine.length = at + count;
  }

  /** The functions (no publics), inline sites, files and line rows as the model's objects: for readers' tests and the PE reader. */
  toObjects(): { functions: FunctionSymbol[]; inlineSites: InlineSite[]; files: string[]; lines: { address: Float64Array<ArrayBuffer>; file: Uint32Array<ArrayBuffer>; line: Uint32Array<ArrayBuffer>; count: number } } {
    const text = (off: number, len: number): string => this.names.text(off, off + len);
    const functionOf = new Map<number, FunctionSymbol>();
    const functions: FunctionSymbol[] = [];
    for (let e = 0; e < this.entKind.length; e++) {
      if (this.entKind.data[e] !== KIND_FUNCTION) continue;
      const f: FunctionSymbol = { name: text(this.entName.data[e], this.entLen.data[e]), ranges: [] };
      if (this.entFile.data[e] !== NONE) f.file = this.entFile.data[e];
      if (this.entLine.data[e]) f.line = this.entLine.data[e];
      functions.push(f);
      functionOf.set(e, f);
    }
    for (let i = 0; i < this.rangeEntry.length; i++) functionOf.get(this.rangeEntry.data[i])?.ranges.push([this.rangeLow.data[i], this.rangeHigh.data[i]]);
    const inl = this.inl.data;
    const inlineSites: InlineSite[] = [];
    for (let i = 0; i < this.inlineSites; i++) {
      const o = i * INLINE_STRIDE;
      const site: InlineSite = { name: inlineName(text(inl[o], inl[o + 1] & ~MANGLED_NAME), inl[o + 1]), parent: inl[o + 2], ranges: [], depth: inl[o + 5] };
      if (inl[o + 3] !== NONE) site.callFile = inl[o + 3];
      if (inl[o + 4]) site.callLine = inl[o + 4];
      inlineSites.push(site);
    }
    for (let i = 0; i < this.inlIdx.length; i++) inlineSites[this.inlIdx.data[i]]?.ranges.push([this.inlLow.data[i], this.inlHigh.data[i]]);
    const files: string[] = [];
    for (let i = 0; i < this.files; i++) files.push(text(this.fileRefs.data[i * 2], this.fileRefs.data[i * 2 + 1]));
    return { functions, inlineSites, files, lines: { address: Float64Array.from(this.lineAddr.view()), file: Uint32Array.from(this.lineFile.view()), line: Uint32Array.from(this.lineLine.view()), count: this.lineAddr.length } };
  }

  /** Function start addresses, sorted: a symbol-table reader skips (without demangling) what DWARF already names. */
  private starts: Float64Array | undefined;
  /** rangeLow.length when `starts` was computed: any range added since makes it stale. */
  private startsAt = -1;
  functionStarts(): Float64Array {
    if (!this.starts || this.startsAt !== this.rangeLow.length) {
      const kinds = this.entKind.data;
      const out = new Float64Array(this.rangeLow.length);
      let n = 0;
      for (let i = 0; i < this.rangeLow.length; i++) if (kinds[this.rangeEntry.data[i]] === KIND_FUNCTION) out[n++] = this.rangeLow.data[i];
      this.starts = out.subarray(0, n).sort();
      this.startsAt = this.rangeLow.length;
    }
    return this.starts;
  }

  /** Lays the segment out in one buffer, writing each part in place (no intermediate copies); the builder is spent afterwards. */
  finish(options: BuildIndexOptions = {}): ArrayBufferLike {
    // Publics at a function's start are that function; drop them and renumber.
    const total = this.entKind.length;
    const kind = this.entKind.data;
    const addr = this.entAddr.data;
    const remap = new Uint32Array(total);
    const entryCount = renumberEntries(kind, addr, total, this.functionStarts(), remap, options.aliases === true);
    // An alias keeps its entry (and name) but not its range: address lookups see the function only.
    const rangeRemap = remap.slice();
    dropAliases(kind, rangeRemap);
    const rangeEntryCol = this.rangeEntry.data;
    const rangeCount = countKept(rangeEntryCol, this.rangeEntry.length, rangeRemap);
    const inlineCount = this.inl.length / INLINE_STRIDE;
    const inlineRangeCount = this.inlLow.length;
    const lineCount = this.lineAddr.length;
    const fileCount = this.fileRefs.length / 2;
    const stringBytes = this.names.length;

    // Addresses as 32-bit offsets from the lowest one when the segment spans less than 4 GiB (every linked image
    // does): half the bytes of the largest columns. Otherwise they stay doubles.
    spanLow = Infinity;
    spanHigh = -Infinity;
    spanIntegral = true;
    scanAddresses(addr, total, remap);
    scanAddresses(this.rangeLow.data, this.rangeLow.length);
    scanAddresses(this.rangeHigh.data, this.rangeHigh.length);
    scanAddresses(this.inlLow.data, inlineRangeCount);
    scanAddresses(this.inlHigh.data, inlineRangeCount);
    scanAddresses(this.lineAddr.data, lineCount);
    const low = spanLow;
    const high = spanHigh;
    const integral = spanIntegral && allBelow(this.entSize.data, total, 2 ** 32);
    const compact = integral && (high === -Infinity || (low >= 0 && high - low < 2 ** 32));
    const base = compact && low !== Infinity ? low : 0;

    // Bare keys (names without generic arguments) first: their count sizes the hash table.
    const bare = { bytes: new GrowableBytes(1 << 16), refs: new Uint32Array(entryCount * 2), keyCount: 0 };
    bare.keyCount = this.bareKeys(remap, entryCount, bare.bytes, bare.refs);
    const hashCapacity = nextPow2(Math.max(16, Math.ceil(bare.keyCount * 1.5)));

    // Layout: header, then 8-byte-aligned parts in a fixed order.
    const A = compact ? 4 : 8;
    const partBytes = [
      entryCount * ENTRY_STRIDE * 4, entryCount * A, entryCount * A, rangeCount * A, rangeCount * A, rangeCount * 4,
      hashCapacity * HASH_STRIDE * 4, inlineCount * INLINE_STRIDE * 4, inlineRangeCount * A, inlineRangeCount * A, inlineRangeCount * 4,
      fileCount * 2 * 4, lineCount * A, lineCount * 4, lineCount * 4, stringBytes, entryCount * 4, entryCount * 4,
    ];
    let size = HEADER_WORDS * 4;
    const offsets: number[] = [];
    for (const n of partBytes) {
      size = align8(size);
      offsets.push(size);
      size += n;
    }
    const buffer = options.shared ? new SharedArrayBuffer(align8(size)) : new ArrayBuffer(align8(size));
    const u32At = (part: number, n: number): Uint32Array => new Uint32Array(buffer, offsets[part], n);
    const addrAt = (part: number, n: number): Float64Array | Uint32Array =>
      compact ? new Uint32Array(buffer, offsets[part], n) : new Float64Array(buffer, offsets[part], n);

    // Entries.
    const entries = u32At(0, entryCount * ENTRY_STRIDE);
    const entryAddr = addrAt(1, entryCount);
    const entrySize = addrAt(2, entryCount);
    this.writeEntries(remap, base, entries, entryAddr, entrySize);

    // Function and public ranges, by address.
    const kept = new Uint32Array(rangeCount);
    const keptLow = new Float64Array(rangeCount);
    selectKept(rangeEntryCol, this.rangeLow.data, this.rangeEntry.length, rangeRemap, kept, keptLow);
    const rangeOrder = ascendingOrder(keptLow);
    if (rangeOrder) permuteU32(kept, rangeOrder.slice(), rangeOrder);
    const rangeRows = rangeOrder ?? kept;
    permuteAddresses(this.rangeLow.data, rangeRows, addrAt(3, rangeCount), base);
    permuteAddresses(this.rangeHigh.data, rangeRows, addrAt(4, rangeCount), base);
    permuteRemapped(rangeEntryCol, rangeRows, u32At(5, rangeCount), remap);

    // Names.
    const hashes = u32At(6, hashCapacity * HASH_STRIDE);
    const nextFull = u32At(16, entryCount).fill(NONE);
    const nextBare = u32At(17, entryCount).fill(NONE);
    this.hashNames(entries, entryCount, bare, hashes, nextFull, nextBare);

    // Inline sites, their ranges by address.
    const inlines = u32At(7, inlineCount * INLINE_STRIDE);
    inlines.set(this.inl.data.subarray(0, inlineCount * INLINE_STRIDE));
    remapParents(inlines, inlineCount, remap);
    const inlRows = ascendingOrder(this.inlLow.data.subarray(0, inlineRangeCount)) ?? identity(inlineRangeCount);
    permuteAddresses(this.inlLow.data, inlRows, addrAt(8, inlineRangeCount), base);
    permuteAddresses(this.inlHigh.data, inlRows, addrAt(9, inlineRangeCount), base);
    permuteU32(this.inlIdx.data, inlRows, u32At(10, inlineRangeCount));

    // Files, line rows by address, strings.
    u32At(11, fileCount * 2).set(this.fileRefs.data.subarray(0, fileCount * 2));
    const lineRows = ascendingOrder(this.lineAddr.data.subarray(0, lineCount)) ?? identity(lineCount);
    permuteAddresses(this.lineAddr.data, lineRows, addrAt(12, lineCount), base);
    permuteU32(this.lineFile.data, lineRows, u32At(13, lineCount));
    permuteU32(this.lineLine.data, lineRows, u32At(14, lineCount));
    new Uint8Array(buffer, offsets[15], stringBytes).set(this.names.bytes.subarray(0, stringBytes));

    const header = new Uint32Array(buffer, 0, HEADER_WORDS);
    header[0] = MAGIC;
    header[1] = VERSION;
    header[2] = entryCount;
    header[3] = rangeCount;
    header[4] = hashCapacity;
    header[5] = inlineCount;
    header[6] = inlineRangeCount;
    header[7] = fileCount;
    header[8] = lineCount;
    header[9] = stringBytes;
    header[10] = partBytes.length;
    offsets.forEach((o, i) => (header[11 + i] = o));
    header[HEADER_COMPACT] = compact ? 1 : 0;
    header[HEADER_FLAGS] = options.aliases === true ? FLAG_ALIASES : 0;
    header[HEADER_BASE] = base % 2 ** 32;
    header[HEADER_BASE + 1] = Math.floor(base / 2 ** 32);
    return buffer;
  }

  private writeEntries(remap: Uint32Array, base: number, entries: Uint32Array, entryAddr: Float64Array | Uint32Array, entrySize: Float64Array | Uint32Array): void {
    const kind = this.entKind.data;
    const addr = this.entAddr.data;
    for (let e = 0; e < remap.length; e++) {
      const n = remap[e];
      if (n === NONE) continue;
      const o = n * ENTRY_STRIDE;
      entries[o] = this.entName.data[e];
      entries[o + 1] = this.entLen.data[e];
      entries[o + 2] = this.entFile.data[e];
      entries[o + 3] = this.entLine.data[e];
      entries[o + 4] = kind[e];
      entryAddr[n] = (addr[e] === Infinity ? 0 : addr[e]) - base;
      entrySize[n] = this.entSize.data[e];
    }
  }

  /**
   * Each kept entry's name without generic arguments, when that differs: [offset, length] into `bytes`, length NONE
   * when none. Returns the number of hash keys (full names and bare ones). The loop's results go out by return value
   * alone, which needs no type feedback after a loop optimized on stack (an object built there deoptimized it).
   */
  private bareKeys(remap: Uint32Array, entryCount: number, bytes: GrowableBytes, refs: Uint32Array): number {
    const pool = this.names.bytes;
    let keyCount = entryCount;
    for (let e = 0; e < remap.length; e++) {
      const n = remap[e];
      if (n === NONE) continue;
      const off = this.entName.data[e];
      const at = bytes.length;
      if (stripGenericsBytes(pool, off, off + this.entLen.data[e], bytes)) {
        refs[n * 2] = at;
        refs[n * 2 + 1] = bytes.length - at;
        keyCount++;
      } else refs[n * 2 + 1] = NONE;
    }
    return keyCount;
  }

  /**
   * Name hash: each entry under its full name and, when different, its name without generic arguments. One slot per
   * distinct key; entries sharing a key (thousands of `core::ptr::drop_in_place` instances share their bare name) are
   * chained through nextFull/nextBare, so inserting stays O(1) instead of probing one long cluster.
   */
  private hashNames(
    entries: Uint32Array, entryCount: number, bare: { bytes: GrowableBytes; refs: Uint32Array },
    hashes: Uint32Array, nextFull: Uint32Array, nextBare: Uint32Array,
  ): void {
    const pool = this.names.bytes;
    const bareBytes = bare.bytes.bytes;
    const bareRef = bare.refs;
    const mask = hashes.length / HASH_STRIDE - 1;
    const insert = (kb: Uint8Array, ko: number, kl: number, entry: number, isBare: boolean): void => {
      const h = hashBytes(kb, ko, ko + kl);
      let slot = h & mask;
      for (; hashes[slot * HASH_STRIDE] !== 0; slot = (slot + 1) & mask) {
        const o = slot * HASH_STRIDE;
        if (hashes[o] !== h) continue;
        const full = hashes[o + 1];
        const same = full !== NONE
          ? bytesEqual(kb, ko, kl, pool, entries[full * ENTRY_STRIDE], entries[full * ENTRY_STRIDE + 1])
          : bytesEqual(kb, ko, kl, bareBytes, bareRef[hashes[o + 2] * 2], bareRef[hashes[o + 2] * 2 + 1]);
        if (!same) continue;
        if (isBare) {
          nextBare[entry] = hashes[o + 2];
          hashes[o + 2] = entry;
        } else {
          nextFull[entry] = full;
          hashes[o + 1] = entry;
        }
        return;
      }
      const o = slot * HASH_STRIDE;
      hashes[o] = h;
      hashes[o + 1] = isBare ? NONE : entry;
      hashes[o + 2] = isBare ? entry : NONE;
    };
    for (let e = 0; e < entryCount; e++) {
      insert(pool, entries[e * ENTRY_STRIDE], entries[e * ENTRY_STRIDE + 1], e, false);
      if (bareRef[e * 2 + 1] !== NONE) insert(bareBytes, bareRef[e * 2], bareRef[e * 2 + 1], e, true);
    }
  }
}

// finish() in phases, each a small function of its own with one loop: one big function with many loops was optimized
// loop by loop and thrown away again whenever the next loop had no type feedback yet. For the same reason a loop's
// results leave by return value or module variable, which need no type feedback: code first reached after a long
// loop was optimized on stack (a property store, an object literal, a call) deoptimized it once per worker.

/** Lowest and highest address scanned so far, and whether all were integers (see scanAddresses). */
let spanLow = Infinity;
let spanHigh = -Infinity;
let spanIntegral = true;

function scanAddresses(col: Float64Array, n: number, remap?: Uint32Array): void {
  let low = spanLow;
  let high = spanHigh;
  let integral = spanIntegral;
  for (let i = 0; i < n; i++) {
    if (remap !== undefined && remap[i] === NONE) continue;
    let v = col[i];
    if (v === Infinity) v = 0; // a function without ranges sits at 0
    if (v < low) low = v;
    if (v > high) high = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  spanLow = low;
  spanHigh = high;
  spanIntegral = integral;
}

function allBelow(col: Float64Array, n: number, limit: number): boolean {
  for (let i = 0; i < n; i++) if (!(col[i] < limit)) return false;
  return true;
}

/**
 * New entry numbers into `remap`; a public at a function's start becomes that function's alias (`aliases`) or is
 * dropped (NONE). Returns how many entries are kept.
 */
function renumberEntries(kind: Uint32Array, addr: Float64Array, total: number, starts: Float64Array, remap: Uint32Array, aliases: boolean): number {
  let count = 0;
  for (let e = 0; e < total; e++) {
    if (kind[e] === KIND_PUBLIC && starts.length > 0 && sortedHas(starts, addr[e])) {
      if (!aliases) {
        remap[e] = NONE;
        continue;
      }
      kind[e] = KIND_ALIAS;
    }
    remap[e] = count++;
  }
  return count;
}

/** NONE for the aliases in `remap`: their ranges are not written. */
function dropAliases(kind: Uint32Array, remap: Uint32Array): void {
  for (let e = 0; e < remap.length; e++) if (kind[e] === KIND_ALIAS) remap[e] = NONE;
}

function countKept(entryOf: Uint32Array, n: number, remap: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (remap[entryOf[i]] !== NONE) count++;
  return count;
}

/** The rows whose entry is kept (into `kept`) and their low addresses (into `keptLow`). */
function selectKept(entryOf: Uint32Array, low: Float64Array, n: number, remap: Uint32Array, kept: Uint32Array, keptLow: Float64Array): void {
  for (let i = 0, r = 0; i < n; i++) {
    if (remap[entryOf[i]] === NONE) continue;
    keptLow[r] = low[i];
    kept[r++] = i;
  }
}

function remapParents(inlines: Uint32Array, count: number, remap: Uint32Array): void {
  for (let i = 0; i < count; i++) {
    const o = i * INLINE_STRIDE + 2;
    inlines[o] = inlines[o] < remap.length ? remap[inlines[o]] : NONE;
  }
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** dst[r] = src[rows[r]] − base (addresses as offsets, or doubles when base is 0 and dst is a Float64Array). */
function permuteAddresses(src: Float64Array, rows: Uint32Array, dst: Float64Array | Uint32Array, base: number): void {
  for (let r = 0; r < rows.length; r++) dst[r] = src[rows[r]] - base;
}

function permuteU32(src: Uint32Array, rows: Uint32Array, dst: Uint32Array): void {
  for (let r = 0; r < rows.length; r++) dst[r] = src[rows[r]];
}

function permuteRemapped(src: Uint32Array, rows: Uint32Array, dst: Uint32Array, remap: Uint32Array): void {
  for (let r = 0; r < rows.length; r++) dst[r] = remap[src[rows[r]]];
}

/** Index of the last element of a sorted array ≤ x, or -1. */
export function floorIndex(arr: Float64Array | Uint32Array, x: number): number {
  let lo = 0;
  let hi = arr.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Binary search in an ascending array of addresses. */
export function sortedHas(sorted: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** An inline site's name as stored (`length` with MANGLED_NAME: a linkage name, demangled now). */
function inlineName(stored: string, length: number): string {
  return (length & MANGLED_NAME) !== 0 ? demangleRust(stored) ?? stored : stored;
}

/** Builds one index segment from a reader's output (the PE/PDB readers, and tests). Publics at the address of a DWARF function are dropped as duplicates; those at a PDB function become its aliases. */
export function buildIndex(mod: ModuleSymbols, options: BuildIndexOptions = {}): ArrayBufferLike {
  const b = new IndexBuilder();
  const fileIds = mod.files.map((f) => b.addFile(f));
  const fileOf = (i: number | undefined): number => (i === undefined ? NONE : fileIds[i] ?? NONE);
  for (const f of mod.functions) {
    const at = b.name(f.name);
    const e = b.addFunction(at, b.names.length - at, fileOf(f.file), f.line ?? 0);
    for (const r of f.ranges) b.range(e, r[0], r[1]);
  }
  for (const p of mod.publics) {
    const at = b.name(p.demangled ?? p.name);
    b.addPublic(at, b.names.length - at, p.address, p.size ?? 0);
  }
  const inlineNames = new Map<string, number>();
  mod.inlineSites.forEach((s, i) => {
    let at = inlineNames.get(s.name);
    if (at === undefined) inlineNames.set(s.name, (at = b.name(s.name)));
    const len = Buffer.byteLength(s.name, 'utf8');
    const site = b.addInline(at, len, s.parent, fileOf(s.callFile), s.callLine ?? 0, s.depth ?? 0);
    void i;
    for (const r of s.ranges) b.inlineRange(site, r[0], r[1]);
  });
  for (const row of mod.lines) b.line(row.address, row.file, row.line);
  if (mod.lineColumns) b.lineColumns(mod.lineColumns.address, mod.lineColumns.file, mod.lineColumns.line, mod.lineColumns.count);
  // A PDB names trait methods `{impl#N}::m`; their publics keep the `<T as Trait>::m` path users type.
  return b.finish({ ...options, aliases: options.aliases ?? mod.debugFormat === 'pdb' });
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Sorts `keys` ascending and permutes the companion arrays alike; skips the work when already sorted (the usual case for line tables). */
export function sortByAddress(keys: Float64Array, f64: Float64Array[], u32: Uint32Array[]): void {
  if (isAscending(keys)) return;
  const order = sortOrder(keys);
  const n = order.length;
  for (const arr of [keys, ...f64]) {
    const copy = arr.slice();
    for (let i = 0; i < n; i++) arr[i] = copy[order[i]];
  }
  for (const arr of u32) {
    const copy = arr.slice();
    for (let i = 0; i < n; i++) arr[i] = copy[order[i]];
  }
}

/** The stable ascending order of `keys`, or undefined when they are already in order (the usual case for line tables). */
function ascendingOrder(keys: Float64Array): Uint32Array | undefined {
  return isAscending(keys) ? undefined : sortOrder(keys);
}

function isAscending(keys: Float64Array): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i] < keys[i - 1]) return false;
  return true;
}

/**
 * The stable ascending order of `keys`. When address and position fit in a double together (addresses below
 * 2^53 / count, true of every linked image), the pairs are packed and sorted natively, without a comparator.
 */
function sortOrder(keys: Float64Array): Uint32Array {
  const n = keys.length;
  const max = Math.max(0, maxOf(keys));
  const min = minOf(keys);
  const scale = nextPow2(n);
  const integral = allNonNegativeIntegers(keys);
  if (integral && n > 4096 && max - min < 2 ** 32) return radixOrder(keys, min);
  if (integral && Number.isSafeInteger(max * scale + scale)) {
    const packed = new Float64Array(n);
    packPositions(keys, scale, packed);
    packed.sort();
    const order = new Uint32Array(n);
    unpackPositions(packed, scale, order);
    return order;
  }
  const order = identity(n);
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  return order;
}

function maxOf(keys: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < keys.length; i++) if (keys[i] > max) max = keys[i];
  return max;
}

function minOf(keys: Float64Array): number {
  let min = Infinity;
  for (let i = 0; i < keys.length; i++) if (keys[i] < min) min = keys[i];
  return min;
}

function allNonNegativeIntegers(keys: Float64Array): boolean {
  for (let i = 0; i < keys.length; i++) if (!(Number.isInteger(keys[i]) && keys[i] >= 0)) return false;
  return true;
}

function packPositions(keys: Float64Array, scale: number, packed: Float64Array): void {
  for (let i = 0; i < keys.length; i++) packed[i] = keys[i] * scale + i;
}

function unpackPositions(packed: Float64Array, scale: number, order: Uint32Array): void {
  for (let i = 0; i < packed.length; i++) order[i] = packed[i] % scale;
}

/**
 * The stable ascending order of integer `keys` that lie within 2^32 of `min`: an LSD radix sort on 16-bit digits of
 * key − min, two linear passes instead of a comparison sort (the line table of a large unit has millions of rows).
 */
function radixOrder(keys: Float64Array, min: number): Uint32Array {
  const n = keys.length;
  const rel = new Uint32Array(n);
  relativeKeys(keys, min, rel);
  let src: Uint32Array = identity(n);
  let dst: Uint32Array = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let shift = 0; shift < 32; shift += 16) {
    count.fill(0);
    countDigits(rel, src, count, shift);
    digitStarts(count);
    scatterByDigit(rel, src, dst, count, shift);
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

function relativeKeys(keys: Float64Array, min: number, rel: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) rel[i] = keys[i] - min;
}

function countDigits(rel: Uint32Array, src: Uint32Array, count: Uint32Array, shift: number): void {
  for (let i = 0; i < src.length; i++) count[(rel[src[i]] >>> shift) & 0xffff]++;
}

/** Each digit's count becomes where its rows start. */
function digitStarts(count: Uint32Array): void {
  let sum = 0;
  for (let d = 0; d < count.length; d++) {
    const c = count[d];
    count[d] = sum;
    sum += c;
  }
}

function scatterByDigit(rel: Uint32Array, src: Uint32Array, dst: Uint32Array, count: Uint32Array, shift: number): void {
  for (let i = 0; i < src.length; i++) {
    const k = src[i];
    dst[count[(rel[k] >>> shift) & 0xffff]++] = k;
  }
}

const decoder = new TextDecoder();

/**
 * A segment whose bytes arrive on demand (one read from the on-disk store): `buffer` has the segment's full size,
 * and `need(start, end)` makes bytes [start, end) of it valid before they are read, or throws
 * SegmentUnavailableError when they cannot be had (never leaving unchecked bytes in place).
 */
export interface LazySegment {
  readonly buffer: ArrayBuffer;
  need(start: number, end: number): void;
}

type Column = Float64Array | Uint32Array | Uint8Array;

/** Read side of one segment. All views alias the buffer; nothing is copied. A lazy segment loads what a query reads first. */
class Segment {
  readonly entryCount: number;
  readonly entries: Uint32Array;
  /** Address columns: 32-bit offsets from `base`, or (a segment spanning 4 GiB or more) doubles with base 0. */
  readonly base: number;
  readonly entryAddr: Float64Array | Uint32Array;
  readonly entrySize: Float64Array | Uint32Array;
  readonly rangeLow: Float64Array | Uint32Array;
  readonly rangeHigh: Float64Array | Uint32Array;
  readonly rangeEntry: Uint32Array;
  readonly hashes: Uint32Array;
  readonly inlines: Uint32Array;
  readonly inlLow: Float64Array | Uint32Array;
  readonly inlHigh: Float64Array | Uint32Array;
  readonly inlIdx: Uint32Array;
  readonly fileRefs: Uint32Array;
  readonly lineAddr: Float64Array | Uint32Array;
  readonly lineFile: Uint32Array;
  readonly lineLine: Uint32Array;
  readonly strings: Uint8Array;
  readonly nextFull: Uint32Array;
  readonly nextBare: Uint32Array;
  /** Whether publics at function starts were kept as aliases (so one at another segment's function is one too). */
  readonly keepsAliases: boolean;
  private names: string[] | undefined;
  private fileNames: Array<string | undefined> = [];

  readonly buffer: ArrayBufferLike;
  private readonly load: ((start: number, end: number) => void) | undefined;

  constructor(source: ArrayBufferLike | LazySegment) {
    const lazy = isLazySegment(source) ? source : undefined;
    const buffer = lazy ? lazy.buffer : (source as ArrayBufferLike);
    this.buffer = buffer;
    this.load = lazy ? (start, end) => lazy.need(start, end) : undefined;
    if (buffer.byteLength < HEADER_WORDS * 4) throw new Error('symbol index buffer is too small to hold a header');
    this.load?.(0, HEADER_WORDS * 4);
    const h = new Uint32Array(buffer, 0, HEADER_WORDS);
    if (h[0] !== MAGIC || h[1] !== VERSION) throw new Error(`not a symbol index buffer of version ${VERSION} (magic 0x${h[0].toString(16)}, version ${h[1]})`);
    const [entryCount, rangeCount, hashCapacity, inlineCount, inlineRangeCount, fileCount, lineCount, stringBytes] = Array.from(h.subarray(2, 10));
    const o = (i: number): number => h[11 + i];
    this.entryCount = entryCount;
    this.entries = new Uint32Array(buffer, o(0), entryCount * ENTRY_STRIDE);
    const compact = h[HEADER_COMPACT] === 1;
    this.base = compact ? h[HEADER_BASE] + h[HEADER_BASE + 1] * 2 ** 32 : 0;
    const A = (at: number, n: number): Float64Array | Uint32Array => (compact ? new Uint32Array(buffer, at, n) : new Float64Array(buffer, at, n));
    this.entryAddr = A(o(1), entryCount);
    this.entrySize = A(o(2), entryCount);
    this.rangeLow = A(o(3), rangeCount);
    this.rangeHigh = A(o(4), rangeCount);
    this.rangeEntry = new Uint32Array(buffer, o(5), rangeCount);
    this.hashes = new Uint32Array(buffer, o(6), hashCapacity * HASH_STRIDE);
    this.inlines = new Uint32Array(buffer, o(7), inlineCount * INLINE_STRIDE);
    this.inlLow = A(o(8), inlineRangeCount);
    this.inlHigh = A(o(9), inlineRangeCount);
    this.inlIdx = new Uint32Array(buffer, o(10), inlineRangeCount);
    this.fileRefs = new Uint32Array(buffer, o(11), fileCount * 2);
    this.lineAddr = A(o(12), lineCount);
    this.lineFile = new Uint32Array(buffer, o(13), lineCount);
    this.lineLine = new Uint32Array(buffer, o(14), lineCount);
    this.strings = new Uint8Array(buffer, o(15), stringBytes);
    this.nextFull = new Uint32Array(buffer, o(16), entryCount);
    this.nextBare = new Uint32Array(buffer, o(17), entryCount);
    this.keepsAliases = (h[HEADER_FLAGS] & FLAG_ALIASES) !== 0;
  }

  get lazy(): boolean {
    return this.load !== undefined;
  }
  /** Makes elements [first, first + count) of `col` readable (a lazy segment reads them now); a no-op in memory. */
  need(col: Column, first: number, count = 1): void {
    if (this.load === undefined || count <= 0) return;
    const from = Math.max(0, first);
    const to = Math.min(col.length, first + count);
    if (to > from) this.load(col.byteOffset + from * col.BYTES_PER_ELEMENT, col.byteOffset + to * col.BYTES_PER_ELEMENT);
  }
  /** Makes the whole segment readable (scans over every entry). */
  needAll(): void {
    this.load?.(0, this.buffer.byteLength);
  }
  /** floorIndex over a column of this segment, reading only the elements the search visits. */
  floor(col: Float64Array | Uint32Array, x: number): number {
    if (this.load === undefined) return floorIndex(col, x);
    let lo = 0;
    let hi = col.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      this.need(col, mid);
      if (col[mid] <= x) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  str(off: number, len: number): string {
    this.need(this.strings, off, len);
    // SharedArrayBuffer views cannot be decoded directly.
    const view = this.strings.subarray(off, off + len);
    return decoder.decode(this.buffer instanceof ArrayBuffer ? view : view.slice());
  }
  name(e: number): string {
    if (this.names) return this.names[e];
    this.need(this.entries, e * ENTRY_STRIDE, 2);
    return this.str(this.entries[e * ENTRY_STRIDE], this.entries[e * ENTRY_STRIDE + 1]);
  }
  /** All names, decoded once for scans (prefix/fuzzy). */
  allNames(): string[] {
    if (!this.names) {
      this.need(this.entries, 0, this.entries.length);
      this.need(this.strings, 0, this.strings.length);
      const out = new Array<string>(this.entryCount);
      for (let e = 0; e < this.entryCount; e++) out[e] = this.str(this.entries[e * ENTRY_STRIDE], this.entries[e * ENTRY_STRIDE + 1]);
      this.names = out;
    }
    return this.names;
  }
  file(i: number): string | undefined {
    if (i === NONE || i * 2 >= this.fileRefs.length) return undefined;
    let f = this.fileNames[i];
    if (f === undefined) {
      this.need(this.fileRefs, i * 2, 2);
      f = this.fileNames[i] = this.str(this.fileRefs[i * 2], this.fileRefs[i * 2 + 1]);
    }
    return f;
  }
  hit(e: number): SymbolHit {
    const o = e * ENTRY_STRIDE;
    this.need(this.entries, o, ENTRY_STRIDE);
    this.need(this.entryAddr, e);
    this.need(this.entrySize, e);
    const hit: SymbolHit = {
      name: this.name(e),
      kind: this.entries[o + 4] === KIND_FUNCTION ? 'function' : 'public',
      address: this.entryAddr[e] + this.base,
    };
    if (this.entrySize[e]) hit.size = this.entrySize[e];
    const file = this.file(this.entries[o + 2]);
    if (file !== undefined) hit.file = file;
    if (this.entries[o + 3]) hit.line = this.entries[o + 3];
    return hit;
  }
  lookup(key: string): number[] {
    const h = hashString(key);
    const capacity = this.hashes.length / HASH_STRIDE;
    const mask = capacity - 1;
    const out: number[] = [];
    for (let slot = h & mask, probes = 0; probes < capacity; slot = (slot + 1) & mask, probes++) {
      const o = slot * HASH_STRIDE;
      this.need(this.hashes, o, HASH_STRIDE);
      if (this.hashes[o] === 0) break;
      if (this.hashes[o] !== h) continue;
      const full = this.hashes[o + 1];
      const bareHead = this.hashes[o + 2];
      const slotKey = full !== NONE ? this.name(full) : stripGenerics(this.name(bareHead));
      if (slotKey !== key) continue;
      // Chains are bounded by the entry count, so a corrupt buffer cannot loop forever.
      for (let e = full, n = 0; e !== NONE && e < this.entryCount && n < this.entryCount; e = this.nextFull[e], n++) {
        out.push(e);
        this.need(this.nextFull, e);
      }
      for (let e = bareHead, n = 0; e !== NONE && e < this.entryCount && n < this.entryCount; e = this.nextBare[e], n++) {
        out.push(e);
        this.need(this.nextBare, e);
      }
      break;
    }
    return [...new Set(out)];
  }

  kind(e: number): number {
    this.need(this.entries, e * ENTRY_STRIDE + 4);
    return this.entries[e * ENTRY_STRIDE + 4];
  }
  /**
   * The range covering `address` with the latest start (the innermost: a public inside a function), or -1. Among
   * ranges with that start a function beats a public, then the shorter range, then the smaller name: a rule that does
   * not depend on the order the readers wrote them in, so a module read in chunks answers as when read whole.
   */
  rangeAt(address: number, hidden: Uint8Array | undefined): number {
    const addr = address - this.base;
    let best = -1;
    const top = this.floor(this.rangeLow, addr);
    // The ranges the scan below may visit (and the caller then reads at the index returned).
    this.need(this.rangeLow, top - 63, 64);
    this.need(this.rangeHigh, top - 63, 64);
    this.need(this.rangeEntry, top - 63, 64);
    for (let i = top, n = 0; i >= 0 && n < 64; i--, n++) {
      if (best >= 0 && this.rangeLow[i] < this.rangeLow[best]) break;
      if (!(this.rangeHigh[i] > addr)) continue;
      if (hidden !== undefined && hidden[this.rangeEntry[i]] !== 0) continue;
      if (best < 0 || compareRanges(this, i, this, best) < 0) best = i;
    }
    return best;
  }
  inlinesAt(address: number): InlineHit[] {
    const addr = address - this.base;
    const found: Array<{ depth: number; low: number; i: number }> = [];
    const top = this.floor(this.inlLow, addr);
    this.need(this.inlLow, top - 4095, 4096);
    this.need(this.inlHigh, top - 4095, 4096);
    this.need(this.inlIdx, top - 4095, 4096);
    for (let i = top, n = 0; i >= 0 && n < 4096; i--, n++) {
      if (this.inlHigh[i] > addr) {
        this.need(this.inlines, this.inlIdx[i] * INLINE_STRIDE, INLINE_STRIDE);
        found.push({ depth: this.inlines[this.inlIdx[i] * INLINE_STRIDE + 5], low: this.inlLow[i], i: this.inlIdx[i] });
      }
    }
    found.sort((a, b) => a.depth - b.depth || a.low - b.low);
    return found.map(({ i }) => {
      const o = i * INLINE_STRIDE;
      const hit: InlineHit = { name: inlineName(this.str(this.inlines[o], this.inlines[o + 1] & ~MANGLED_NAME), this.inlines[o + 1]) };
      const f = this.file(this.inlines[o + 3]);
      if (f !== undefined) hit.callFile = f;
      if (this.inlines[o + 4]) hit.callLine = this.inlines[o + 4];
      return hit;
    });
  }
  /**
   * The row that holds at `address`: the last row at the greatest address ≤ it, except that a row with a line beats
   * an end-of-sequence row (line 0) at the same address, which is another sequence ending where this one starts.
   */
  lineRowAt(address: number): number {
    const i = this.floor(this.lineAddr, address - this.base);
    if (i < 0) return i;
    this.needLineRow(i);
    if (this.lineLine[i] !== 0) return i;
    const at = this.lineAddr[i];
    for (let j = i - 1; j >= 0; j--) {
      this.needLineRow(j);
      if (this.lineAddr[j] !== at) break;
      if (this.lineLine[j] !== 0) return j;
    }
    return i;
  }
  /** Makes row i of the line table readable (its address, file and line). */
  private needLineRow(i: number): void {
    this.need(this.lineAddr, i);
    this.need(this.lineFile, i);
    this.need(this.lineLine, i);
  }
  /** An entry's address (what an alias stands at). */
  address(e: number): number {
    this.need(this.entryAddr, e);
    return this.entryAddr[e] + this.base;
  }
}

function isLazySegment(source: ArrayBufferLike | LazySegment): source is LazySegment {
  return typeof (source as Partial<LazySegment>).need === 'function';
}

/** Orders two ranges that start at the same address: negative when a's entry is the better answer (see Segment.rangeAt). */
function compareRanges(sa: Segment, a: number, sb: Segment, b: number): number {
  const ea = sa.rangeEntry[a];
  const eb = sb.rangeEntry[b];
  const ka = sa.kind(ea) === KIND_FUNCTION ? 0 : 1;
  const kb = sb.kind(eb) === KIND_FUNCTION ? 0 : 1;
  if (ka !== kb) return ka - kb;
  const la = sa.rangeHigh[a] - sa.rangeLow[a];
  const lb = sb.rangeHigh[b] - sb.rangeLow[b];
  if (la !== lb) return la - lb;
  return compareText(sa.name(ea), sb.name(eb));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order of every list a query returns: functions first, then by address, name, file and line. Total, so chunking cannot change it. */
function compareHits(a: SymbolHit, b: SymbolHit): number {
  if (a.kind !== b.kind) return a.kind === 'function' ? -1 : 1;
  return a.address - b.address || compareText(a.name, b.name) || compareText(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.size ?? 0) - (b.size ?? 0);
}

function sameHit(a: SymbolHit, b: SymbolHit): boolean {
  return compareHits(a, b) === 0;
}

/** Hits in canonical order with exact duplicates removed. */
function canonical(hits: SymbolHit[]): SymbolHit[] {
  hits.sort(compareHits);
  return hits.filter((h, i) => i === 0 || !sameHit(h, hits[i - 1]));
}

/** What a hidden entry is (SymbolIndex.hidden): an alias, found by name as its function, or a public a whole load would have dropped. */
const ALIAS = 1;
const DROPPED = 2;

/**
 * Queries over one module's index segments (one per worker chunk). Every answer is the same however the module was
 * split into segments and in whatever order they come: ties are broken by the hit's own facts, never by position.
 */
export class SymbolIndex {
  private readonly segments: Segment[];
  /** Per segment, 1 for an entry that stands for a function found elsewhere (an alias, or a public at a function's start in another segment). */
  private hiddenEntries: Uint8Array[] | undefined;
  private readonly lazy: boolean;
  private withdrawnBy: SegmentUnavailableError | undefined;
  private readonly withdrawListeners: Array<(err: SegmentUnavailableError) => void> = [];

  /**
   * `options.hidden`: the marks hiddenMarks() gave for these same segments (the on-disk store keeps them, so a lazy
   * index need not scan every entry before its first answer).
   */
  constructor(buffers: Array<ArrayBufferLike | LazySegment>, options: { hidden?: Uint8Array[] } = {}) {
    this.segments = buffers.map((b) => new Segment(b));
    this.lazy = this.segments.some((s) => s.lazy);
    const hidden = options.hidden;
    if (hidden) {
      if (hidden.length !== this.segments.length || hidden.some((h, i) => h.length !== this.segments[i].entryCount)) throw new Error('the hidden-entry marks do not fit the segments');
      this.hiddenEntries = hidden;
    }
  }

  /** The segments' buffers; those of a lazy index hold only what its queries have read (hence not for copying). */
  get buffers(): ArrayBufferLike[] {
    return this.segments.map((s) => s.buffer);
  }
  /** Whether the segments' bytes arrive on demand (an index from the on-disk store). */
  get isLazy(): boolean {
    return this.lazy;
  }
  /**
   * Why a lazy index stopped answering: bytes a query needed could not be read or failed their checksum. From then
   * on every query answers as for a module without symbols (never from those bytes); the owner reads the module again.
   */
  get withdrawn(): SegmentUnavailableError | undefined {
    return this.withdrawnBy;
  }
  /** Called once, when the index withdraws (at once if it already has). */
  onWithdrawn(listener: (err: SegmentUnavailableError) => void): void {
    if (this.withdrawnBy) listener(this.withdrawnBy);
    else this.withdrawListeners.push(listener);
  }
  /** Per segment, which entries queries skip or resolve to a function (for the on-disk store to keep beside the segments). */
  hiddenMarks(): Uint8Array[] {
    return this.hidden();
  }

  /** Runs a query; on a lazy index whose bytes fail, withdraws and answers `none` instead. */
  private answer<T>(none: T, query: () => T): T {
    if (this.withdrawnBy) return none;
    if (!this.lazy) return query();
    try {
      return query();
    } catch (err) {
      if (!(err instanceof SegmentUnavailableError)) throw err;
      this.withdrawnBy = err;
      for (const l of this.withdrawListeners.splice(0)) {
        try {
          l(err);
        } catch {
          // A listener's failure must not turn the query's answer into an exception.
        }
      }
      return none;
    }
  }
  get byteLength(): number {
    return this.segments.reduce((n, s) => n + s.buffer.byteLength, 0);
  }
  /** Functions and publics, without aliases and without publics that another segment's function stands for. */
  get symbolCount(): number {
    if (this.withdrawnBy) return 0;
    if (this.visibleCount === undefined) {
      const hidden = this.answer(undefined, () => this.hidden());
      if (!hidden) return 0;
      let n = 0;
      this.segments.forEach((s, i) => {
        for (let e = 0; e < s.entryCount; e++) if (hidden[i][e] === 0) n++;
      });
      this.visibleCount = n;
    }
    return this.visibleCount;
  }
  private visibleCount: number | undefined;
  get lineCount(): number {
    return this.segments.reduce((n, s) => n + s.lineAddr.length, 0);
  }
  get inlineCount(): number {
    return this.segments.reduce((n, s) => n + s.inlines.length / INLINE_STRIDE, 0);
  }

  /**
   * Which entries stand for a function rather than for themselves: the aliases the builder marked, and (a module read
   * in chunks) publics at a function start of another segment, which a whole load would have made aliases.
   */
  private hidden(): Uint8Array[] {
    if (this.hiddenEntries) return this.hiddenEntries;
    for (const s of this.segments) s.needAll();
    const starts: number[] = [];
    if (this.segments.length > 1) {
      for (const s of this.segments) {
        for (let i = 0; i < s.rangeEntry.length; i++) if (s.kind(s.rangeEntry[i]) === KIND_FUNCTION) starts.push(s.rangeLow[i] + s.base);
      }
    }
    const sorted = Float64Array.from(starts).sort();
    this.hiddenEntries = this.segments.map((s) => {
      const out = new Uint8Array(s.entryCount);
      for (let e = 0; e < s.entryCount; e++) {
        const k = s.kind(e);
        if (k === KIND_ALIAS) out[e] = ALIAS;
        else if (k === KIND_PUBLIC && sorted.length > 0 && sortedHas(sorted, s.entryAddr[e] + s.base)) out[e] = s.keepsAliases ? ALIAS : DROPPED;
      }
      return out;
    });
    return this.hiddenEntries;
  }

  /**
   * Exact name, or the name without generic arguments (`my_crate::f` finds `my_crate::f::<u32>`). A turbofish and
   * a plain generic list are the same (`f::<u64>` finds `f<u64>`), and a function's linkage name finds it too.
   * Functions before publics.
   */
  lookupByName(name: string): SymbolHit[] {
    return this.answer([], () => this.lookupByNameNow(name));
  }
  private lookupByNameNow(name: string): SymbolHit[] {
    const key = name.trim();
    const keys = new Set([key, key.replace(/::</g, '<'), key.replace(/([\w}>\]])</g, '$1::<')]);
    const hidden = this.hidden();
    const out: SymbolHit[] = [];
    for (const k of keys) {
      this.segments.forEach((s, i) => {
        for (const e of s.lookup(k)) {
          if (hidden[i][e] === 0) out.push(s.hit(e));
          else if (hidden[i][e] === ALIAS) {
            const f = this.functionStartingAt(s.address(e));
            if (f) out.push(f);
          }
        }
      });
    }
    return canonical(out);
  }

  /** The function whose range starts exactly at `address` (what an alias stands for). */
  private functionStartingAt(address: number): SymbolHit | undefined {
    const found = this.bestRangeAt(address);
    if (!found) return undefined;
    const { s, i } = found;
    return s.kind(s.rangeEntry[i]) === KIND_FUNCTION && s.rangeLow[i] + s.base === address ? s.hit(s.rangeEntry[i]) : undefined;
  }

  private bestRangeAt(address: number): { s: Segment; i: number; seg: number } | undefined {
    const hidden = this.hidden();
    let best: { s: Segment; i: number; seg: number } | undefined;
    this.segments.forEach((s, seg) => {
      const i = s.rangeAt(address, hidden[seg]);
      if (i < 0) return;
      if (!best) best = { s, i, seg };
      else {
        const d = s.rangeLow[i] + s.base - (best.s.rangeLow[best.i] + best.s.base);
        if (d > 0 || (d === 0 && compareRanges(s, i, best.s, best.i) < 0)) best = { s, i, seg };
      }
    });
    return best;
  }

  /** Names starting with `prefix` (case-sensitive), up to `limit`, in the order of compareHits. */
  searchPrefix(prefix: string, limit = 1000): SymbolHit[] {
    return this.answer([], () => this.searchPrefixNow(prefix, limit));
  }
  private searchPrefixNow(prefix: string, limit: number): SymbolHit[] {
    const hidden = this.hidden();
    const out: SymbolHit[] = [];
    this.segments.forEach((s, i) => {
      const names = s.allNames();
      for (let e = 0; e < names.length; e++) if (hidden[i][e] === 0 && names[e].startsWith(prefix)) out.push(s.hit(e));
    });
    return canonical(out).slice(0, limit);
  }

  /**
   * Fuzzy search: every query character must appear in order (case-insensitive); contiguous runs, matches at
   * `::` boundaries and shorter names score higher. Up to `limit` hits, best first (ties in the order of compareHits).
   */
  search(query: string, limit = 1000): SymbolHit[] {
    return this.answer([], () => this.searchNow(query, limit));
  }
  private searchNow(query: string, limit: number): SymbolHit[] {
    const q = query.trim().toLowerCase();
    if (q === '' || limit <= 0) return [];
    const hidden = this.hidden();
    type Scored = { score: number; name: string; s: Segment; e: number };
    // Score, then the shorter name, then the name: candidates beyond the kept ones can be dropped early without
    // changing the answer, whatever order the segments are scanned in.
    const order = (a: Scored, b: Scored): number => b.score - a.score || a.name.length - b.name.length || compareText(a.name, b.name);
    let scored: Scored[] = [];
    let worst: Scored | undefined;
    // Every hit sharing a name with a kept one is kept too (same-name hits are ordered by their other facts below).
    const keep = limit * 4;
    let cap = limit * 8;
    this.segments.forEach((s, i) => {
      const names = s.allNames();
      for (let e = 0; e < names.length; e++) {
        if (hidden[i][e] !== 0) continue;
        const score = fuzzyScore(q, names[e]);
        if (score === undefined) continue;
        const c = { score, name: names[e], s, e };
        if (worst && order(c, worst) > 0) continue;
        scored.push(c);
        if (scored.length >= cap) {
          scored.sort(order);
          const last = scored[keep - 1];
          let n = keep;
          while (n < scored.length && order(scored[n], last) === 0) n++;
          scored = scored.slice(0, n);
          worst = last;
          cap = Math.max(limit * 8, n * 2);
        }
      }
    });
    // Same score and name: the canonical order of the hits themselves.
    const ranked = scored.map((c) => ({ h: c.s.hit(c.e), c }));
    ranked.sort((a, b) => order(a.c, b.c) || compareHits(a.h, b.h));
    const out: SymbolHit[] = [];
    for (const { h } of ranked) {
      if (out.length > 0 && sameHit(out[out.length - 1], h)) continue;
      out.push(h);
      if (out.length === limit) break;
    }
    return out;
  }

  /** The function, inlined calls and source line at an address. */
  lookupAddress(address: number): AddressHit {
    return this.answer({ inlined: [] }, () => this.lookupAddressNow(address));
  }
  private lookupAddressNow(address: number): AddressHit {
    const hit: AddressHit = { inlined: [] };
    const best = this.bestRangeAt(address);
    if (best) {
      hit.function = best.s.hit(best.s.rangeEntry[best.i]);
      hit.inlined = best.s.inlinesAt(address);
    }
    // The row at the greatest address ≤ `address` over all segments; at one address a row with a line beats an end
    // row, and of two with lines the smaller line (a rule, not the segments' order).
    let at = -Infinity;
    let line = 0;
    let file: string | undefined;
    for (const s of this.segments) {
      const i = s.lineRowAt(address);
      if (i < 0) continue;
      const a = s.lineAddr[i] + s.base;
      const l = s.lineLine[i];
      if (a > at || (a === at && ((line === 0 && l !== 0) || (l !== 0 && l < line)))) {
        at = a;
        line = l;
        file = l !== 0 ? s.file(s.lineFile[i]) : undefined;
      }
    }
    if (line !== 0) {
      hit.file = file;
      hit.line = line;
    }
    return hit;
  }

  /** Every distinct source file (for breakpoints by file and the Modules view), sorted. */
  files(): string[] {
    return this.answer([], () => this.filesNow());
  }
  private filesNow(): string[] {
    const set = new Set<string>();
    for (const s of this.segments) for (let i = 0; i < s.fileRefs.length / 2; i++) set.add(s.file(i)!);
    return [...set].sort();
  }
}

/** Lower is no match; higher is better. */
export function fuzzyScore(q: string, name: string): number | undefined {
  const n = name.length;
  if (q.length > n) return undefined;
  // Fast reject: the query's characters must occur in order.
  let score = 0;
  let qi = 0;
  let run = 0;
  let prev = -2;
  for (let i = 0; i < n && qi < q.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== q.charCodeAt(qi)) continue;
    run = prev === i - 1 ? run + 1 : 1;
    score += run * 2;
    if (i === 0 || name[i - 1] === ':' || name[i - 1] === '<' || name[i - 1] === '_') score += 3;
    prev = i;
    qi++;
  }
  if (qi < q.length) return undefined;
  // A match of the last path segment (what users type) counts most.
  const lower = name.toLowerCase();
  const at = lower.lastIndexOf(q);
  if (at >= 0) {
    score += 20;
    if (at + q.length === n || lower.startsWith('::', at + q.length)) score += 10;
    if (at === 0 || lower.startsWith('::', at - 2)) score += 10;
  }
  return score - n / 50;
}
