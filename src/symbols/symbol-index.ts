// The per-module symbol index: a compact binary form (one ArrayBuffer or SharedArrayBuffer per segment) that crosses threads without a copy, and its queries.
import { ModuleSymbols } from './model';

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
const VERSION = 2;
const NONE = 0xffffffff;
const HEADER_WORDS = 32;
const ENTRY_STRIDE = 5; // nameOff, nameLen, file, line, kind
const HASH_STRIDE = 3; // hash, full-name chain head, bare-name chain head
const INLINE_STRIDE = 6; // nameOff, nameLen, parentEntry, callFile, callLine, depth
const KIND_FUNCTION = 0;
const KIND_PUBLIC = 1;

/**
 * FNV-1a over the length and at most ~64 evenly spaced UTF-16 code units: Rust names run to hundreds of characters,
 * and a collision only costs one string comparison. The same on the building and the querying side.
 */
function hashString(s: string): number {
  let h = Math.imul(0x811c9dc5 ^ s.length, 0x01000193);
  const step = s.length > 64 ? Math.floor(s.length / 64) : 1;
  for (let i = s.length - 1; i >= 0; i -= step) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
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
      if (prev === 58 || prev === 95 || (prev >= 48 && prev <= 57) || (prev >= 65 && prev <= 90) || (prev >= 97 && prev <= 122) || prev > 127) {
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

class StringPool {
  bytes = Buffer.alloc(1 << 16);
  length = 0;
  private readonly seen = new Map<string, number>();

  /** Appends (or reuses) `s`; returns its byte offset, and its byte length in `lastLength`. */
  lastLength = 0;
  /** `dedupe` false for strings known to be (nearly) unique, such as symbol names: it saves a Map entry each. */
  add(s: string, dedupe = true): number {
    if (dedupe) {
      const known = this.seen.get(s);
      if (known !== undefined) {
        this.lastLength = this.lengths.get(known)!;
        return known;
      }
    }
    const max = s.length * 3;
    if (this.length + max > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + max));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    const at = this.length;
    const n = this.bytes.write(s, at, 'utf8');
    this.length += n;
    if (dedupe) {
      this.seen.set(s, at);
      this.lengths.set(at, n);
    }
    this.lastLength = n;
    return at;
  }
  private readonly lengths = new Map<number, number>();
}

export interface BuildIndexOptions {
  /** Allocate a SharedArrayBuffer (shared with other workers) instead of an ArrayBuffer (transferred). */
  shared?: boolean;
}

/** Builds one index segment from a reader's output. Publics at the address of a DWARF/PDB function are dropped as duplicates. */
export function buildIndex(mod: ModuleSymbols, options: BuildIndexOptions = {}): ArrayBufferLike {
  const pool = new StringPool();
  const fileRefs = new Uint32Array(mod.files.length * 2);
  mod.files.forEach((f, i) => {
    fileRefs[i * 2] = pool.add(f);
    fileRefs[i * 2 + 1] = pool.lastLength;
  });
  const functionStarts = new Set<number>();
  for (const f of mod.functions) for (const r of f.ranges) functionStarts.add(r[0]);
  const publics = mod.publics.filter((p) => !functionStarts.has(p.address));
  const entryCount = mod.functions.length + publics.length;
  const entries = new Uint32Array(entryCount * ENTRY_STRIDE);
  const entryAddr = new Float64Array(entryCount);
  const entrySize = new Float64Array(entryCount);
  const keys: string[] = new Array(entryCount);
  let rangeCount = 0;
  for (const f of mod.functions) rangeCount += f.ranges.length;
  for (const p of publics) if (p.size) rangeCount++;
  const rangeLow = new Float64Array(rangeCount);
  const rangeHigh = new Float64Array(rangeCount);
  const rangeEntry = new Uint32Array(rangeCount);
  let ri = 0;
  let e = 0;
  for (const f of mod.functions) {
    const o = e * ENTRY_STRIDE;
    entries[o] = pool.add(f.name, false);
    entries[o + 1] = pool.lastLength;
    entries[o + 2] = f.file ?? NONE;
    entries[o + 3] = f.line ?? 0;
    entries[o + 4] = KIND_FUNCTION;
    let low = Infinity;
    for (const r of f.ranges) {
      if (r[0] < low) {
        low = r[0];
        entrySize[e] = r[1] - r[0];
      }
      rangeLow[ri] = r[0];
      rangeHigh[ri] = r[1];
      rangeEntry[ri++] = e;
    }
    entryAddr[e] = low === Infinity ? 0 : low;
    keys[e] = f.name;
    e++;
  }
  for (const p of publics) {
    const o = e * ENTRY_STRIDE;
    const name = p.demangled ?? p.name;
    entries[o] = pool.add(name, false);
    entries[o + 1] = pool.lastLength;
    entries[o + 2] = NONE;
    entries[o + 3] = 0;
    entries[o + 4] = KIND_PUBLIC;
    entryAddr[e] = p.address;
    entrySize[e] = p.size ?? 0;
    if (p.size) {
      rangeLow[ri] = p.address;
      rangeHigh[ri] = p.address + p.size;
      rangeEntry[ri++] = e;
    }
    keys[e] = name;
    e++;
  }
  sortByAddress(rangeLow, [rangeHigh], [rangeEntry]);

  // Name hash: each entry under its full name and, when different, its name without generic arguments.
  const bare: Array<string | undefined> = new Array(entryCount);
  let keyCount = entryCount;
  for (let i = 0; i < entryCount; i++) {
    const b = stripGenerics(keys[i]);
    if (b !== keys[i]) {
      bare[i] = b;
      keyCount++;
    }
  }
  // One slot per distinct key; entries sharing a key (thousands of `core::ptr::drop_in_place` instances share
  // their bare name) are chained through nextFull/nextBare, so inserting stays O(1) instead of probing a cluster.
  const hashCapacity = nextPow2(Math.max(16, Math.ceil(keyCount * 1.5)));
  // Slot: hash, head of the entries whose full name is the key, head of those whose bare name is. Entries sharing a
  // key (thousands of `core::ptr::drop_in_place` instances share their bare name) are chained through
  // nextFull/nextBare, so inserting stays O(1) instead of probing one long cluster.
  const hashes = new Uint32Array(hashCapacity * HASH_STRIDE);
  const nextFull = new Uint32Array(entryCount).fill(NONE);
  const nextBare = new Uint32Array(entryCount).fill(NONE);
  const mask = hashCapacity - 1;
  const insert = (key: string, entry: number, isBare: boolean): void => {
    const h = hashString(key);
    let slot = h & mask;
    for (; hashes[slot * HASH_STRIDE] !== 0; slot = (slot + 1) & mask) {
      const o = slot * HASH_STRIDE;
      if (hashes[o] !== h) continue;
      const full = hashes[o + 1];
      const slotKey = full !== NONE ? keys[full] : bare[hashes[o + 2]];
      if (slotKey !== key) continue;
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
  for (let i = 0; i < entryCount; i++) {
    insert(keys[i], i, false);
    const b = bare[i];
    if (b !== undefined) insert(b, i, true);
  }

  const inlineCount = mod.inlineSites.length;
  const inlines = new Uint32Array(inlineCount * INLINE_STRIDE);
  let inlineRangeCount = 0;
  for (const s of mod.inlineSites) inlineRangeCount += s.ranges.length;
  const inlLow = new Float64Array(inlineRangeCount);
  const inlHigh = new Float64Array(inlineRangeCount);
  const inlIdx = new Uint32Array(inlineRangeCount);
  let ii = 0;
  mod.inlineSites.forEach((s, i) => {
    const o = i * INLINE_STRIDE;
    inlines[o] = pool.add(s.name);
    inlines[o + 1] = pool.lastLength;
    inlines[o + 2] = s.parent;
    inlines[o + 3] = s.callFile ?? NONE;
    inlines[o + 4] = s.callLine ?? 0;
    inlines[o + 5] = s.depth ?? 0;
    for (const r of s.ranges) {
      inlLow[ii] = r[0];
      inlHigh[ii] = r[1];
      inlIdx[ii++] = i;
    }
  });
  sortByAddress(inlLow, [inlHigh], [inlIdx]);

  const lineCount = mod.lines.length + (mod.lineColumns?.count ?? 0);
  const lineAddr = new Float64Array(lineCount);
  const lineFile = new Uint32Array(lineCount);
  const lineLine = new Uint32Array(lineCount);
  let li = 0;
  for (const row of mod.lines) {
    lineAddr[li] = row.address;
    lineFile[li] = row.file;
    lineLine[li++] = row.line;
  }
  if (mod.lineColumns) {
    const c = mod.lineColumns;
    lineAddr.set(c.address.subarray(0, c.count), li);
    lineFile.set(c.file.subarray(0, c.count), li);
    lineLine.set(c.line.subarray(0, c.count), li);
  }
  sortByAddress(lineAddr, [], [lineFile, lineLine]);

  // Layout: header, then 8-byte-aligned arrays in a fixed order.
  const parts: ArrayBufferView[] = [
    entries, entryAddr, entrySize, rangeLow, rangeHigh, rangeEntry, hashes, inlines, inlLow, inlHigh, inlIdx,
    fileRefs, lineAddr, lineFile, lineLine, pool.bytes.subarray(0, pool.length), nextFull, nextBare,
  ];
  let size = HEADER_WORDS * 4;
  const offsets: number[] = [];
  for (const p of parts) {
    size = align8(size);
    offsets.push(size);
    size += p.byteLength;
  }
  const buffer = options.shared ? new SharedArrayBuffer(align8(size)) : new ArrayBuffer(align8(size));
  const header = new Uint32Array(buffer, 0, HEADER_WORDS);
  header[0] = MAGIC;
  header[1] = VERSION;
  header[2] = entryCount;
  header[3] = rangeCount;
  header[4] = hashCapacity;
  header[5] = inlineCount;
  header[6] = inlineRangeCount;
  header[7] = mod.files.length;
  header[8] = lineCount;
  header[9] = pool.length;
  header[10] = parts.length;
  offsets.forEach((o, i) => (header[11 + i] = o));
  const bytes = new Uint8Array(buffer);
  parts.forEach((p, i) => bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offsets[i]));
  return buffer;
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
function sortByAddress(keys: Float64Array, f64: Float64Array[], u32: Uint32Array[]): void {
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i] < keys[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
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

/**
 * The stable ascending order of `keys`. When address and position fit in a double together (addresses below
 * 2^53 / count, true of every linked image), the pairs are packed and sorted natively, without a comparator.
 */
function sortOrder(keys: Float64Array): Uint32Array {
  const n = keys.length;
  const order = new Uint32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) if (keys[i] > max) max = keys[i];
  const scale = nextPow2(n);
  let integral = true;
  for (let i = 0; i < n && integral; i++) integral = Number.isInteger(keys[i]) && keys[i] >= 0;
  if (integral && Number.isSafeInteger(max * scale + scale)) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = keys[i] * scale + i;
    packed.sort();
    for (let i = 0; i < n; i++) order[i] = packed[i] % scale;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  return order;
}

const decoder = new TextDecoder();

/** Read side of one segment. All views alias the buffer; nothing is copied. */
class Segment {
  readonly entryCount: number;
  readonly entries: Uint32Array;
  readonly entryAddr: Float64Array;
  readonly entrySize: Float64Array;
  readonly rangeLow: Float64Array;
  readonly rangeHigh: Float64Array;
  readonly rangeEntry: Uint32Array;
  readonly hashes: Uint32Array;
  readonly inlines: Uint32Array;
  readonly inlLow: Float64Array;
  readonly inlHigh: Float64Array;
  readonly inlIdx: Uint32Array;
  readonly fileRefs: Uint32Array;
  readonly lineAddr: Float64Array;
  readonly lineFile: Uint32Array;
  readonly lineLine: Uint32Array;
  readonly strings: Uint8Array;
  readonly nextFull: Uint32Array;
  readonly nextBare: Uint32Array;
  private names: string[] | undefined;
  private fileNames: Array<string | undefined> = [];

  constructor(readonly buffer: ArrayBufferLike) {
    if (buffer.byteLength < HEADER_WORDS * 4) throw new Error('symbol index buffer is too small to hold a header');
    const h = new Uint32Array(buffer, 0, HEADER_WORDS);
    if (h[0] !== MAGIC || h[1] !== VERSION) throw new Error(`not a symbol index buffer of version ${VERSION} (magic 0x${h[0].toString(16)}, version ${h[1]})`);
    const [entryCount, rangeCount, hashCapacity, inlineCount, inlineRangeCount, fileCount, lineCount, stringBytes] = Array.from(h.subarray(2, 10));
    const o = (i: number): number => h[11 + i];
    this.entryCount = entryCount;
    this.entries = new Uint32Array(buffer, o(0), entryCount * ENTRY_STRIDE);
    this.entryAddr = new Float64Array(buffer, o(1), entryCount);
    this.entrySize = new Float64Array(buffer, o(2), entryCount);
    this.rangeLow = new Float64Array(buffer, o(3), rangeCount);
    this.rangeHigh = new Float64Array(buffer, o(4), rangeCount);
    this.rangeEntry = new Uint32Array(buffer, o(5), rangeCount);
    this.hashes = new Uint32Array(buffer, o(6), hashCapacity * HASH_STRIDE);
    this.inlines = new Uint32Array(buffer, o(7), inlineCount * INLINE_STRIDE);
    this.inlLow = new Float64Array(buffer, o(8), inlineRangeCount);
    this.inlHigh = new Float64Array(buffer, o(9), inlineRangeCount);
    this.inlIdx = new Uint32Array(buffer, o(10), inlineRangeCount);
    this.fileRefs = new Uint32Array(buffer, o(11), fileCount * 2);
    this.lineAddr = new Float64Array(buffer, o(12), lineCount);
    this.lineFile = new Uint32Array(buffer, o(13), lineCount);
    this.lineLine = new Uint32Array(buffer, o(14), lineCount);
    this.strings = new Uint8Array(buffer, o(15), stringBytes);
    this.nextFull = new Uint32Array(buffer, o(16), entryCount);
    this.nextBare = new Uint32Array(buffer, o(17), entryCount);
  }

  str(off: number, len: number): string {
    // SharedArrayBuffer views cannot be decoded directly.
    const view = this.strings.subarray(off, off + len);
    return decoder.decode(this.buffer instanceof ArrayBuffer ? view : view.slice());
  }
  name(e: number): string {
    if (this.names) return this.names[e];
    return this.str(this.entries[e * ENTRY_STRIDE], this.entries[e * ENTRY_STRIDE + 1]);
  }
  /** All names, decoded once for scans (prefix/fuzzy). */
  allNames(): string[] {
    if (!this.names) {
      const out = new Array<string>(this.entryCount);
      for (let e = 0; e < this.entryCount; e++) out[e] = this.str(this.entries[e * ENTRY_STRIDE], this.entries[e * ENTRY_STRIDE + 1]);
      this.names = out;
    }
    return this.names;
  }
  file(i: number): string | undefined {
    if (i === NONE || i * 2 >= this.fileRefs.length) return undefined;
    let f = this.fileNames[i];
    if (f === undefined) f = this.fileNames[i] = this.str(this.fileRefs[i * 2], this.fileRefs[i * 2 + 1]);
    return f;
  }
  hit(e: number): SymbolHit {
    const o = e * ENTRY_STRIDE;
    const hit: SymbolHit = {
      name: this.name(e),
      kind: this.entries[o + 4] === KIND_FUNCTION ? 'function' : 'public',
      address: this.entryAddr[e],
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
    for (let slot = h & mask, probes = 0; this.hashes[slot * HASH_STRIDE] !== 0 && probes < capacity; slot = (slot + 1) & mask, probes++) {
      const o = slot * HASH_STRIDE;
      if (this.hashes[o] !== h) continue;
      const full = this.hashes[o + 1];
      const bareHead = this.hashes[o + 2];
      const slotKey = full !== NONE ? this.name(full) : stripGenerics(this.name(bareHead));
      if (slotKey !== key) continue;
      // Chains are bounded by the entry count, so a corrupt buffer cannot loop forever.
      for (let e = full, n = 0; e !== NONE && e < this.entryCount && n < this.entryCount; e = this.nextFull[e], n++) out.push(e);
      for (let e = bareHead, n = 0; e !== NONE && e < this.entryCount && n < this.entryCount; e = this.nextBare[e], n++) out.push(e);
      break;
    }
    return [...new Set(out)];
  }
  /** Index of the last element of a sorted array ≤ x, or -1. */
  static floor(arr: Float64Array, x: number): number {
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
  functionAt(addr: number): number {
    // Ranges may nest or overlap (a public inside a function); take the innermost, i.e. the latest start that covers addr.
    for (let i = Segment.floor(this.rangeLow, addr), n = 0; i >= 0 && n < 64; i--, n++) {
      if (this.rangeHigh[i] > addr) return this.rangeEntry[i];
    }
    return -1;
  }
  inlinesAt(addr: number): InlineHit[] {
    const found: Array<{ depth: number; low: number; i: number }> = [];
    for (let i = Segment.floor(this.inlLow, addr), n = 0; i >= 0 && n < 4096; i--, n++) {
      if (this.inlHigh[i] > addr) found.push({ depth: this.inlines[this.inlIdx[i] * INLINE_STRIDE + 5], low: this.inlLow[i], i: this.inlIdx[i] });
    }
    found.sort((a, b) => a.depth - b.depth || a.low - b.low);
    return found.map(({ i }) => {
      const o = i * INLINE_STRIDE;
      const hit: InlineHit = { name: this.str(this.inlines[o], this.inlines[o + 1]) };
      const f = this.file(this.inlines[o + 3]);
      if (f !== undefined) hit.callFile = f;
      if (this.inlines[o + 4]) hit.callLine = this.inlines[o + 4];
      return hit;
    });
  }
  lineAt(addr: number): { file?: string; line: number } | undefined {
    const i = Segment.floor(this.lineAddr, addr);
    if (i < 0 || this.lineLine[i] === 0) return undefined;
    return { file: this.file(this.lineFile[i]), line: this.lineLine[i] };
  }
}

/** Queries over one module's index segments (one per worker chunk). */
export class SymbolIndex {
  private readonly segments: Segment[];

  constructor(buffers: ArrayBufferLike[]) {
    this.segments = buffers.map((b) => new Segment(b));
  }

  get buffers(): ArrayBufferLike[] {
    return this.segments.map((s) => s.buffer);
  }
  get byteLength(): number {
    return this.segments.reduce((n, s) => n + s.buffer.byteLength, 0);
  }
  get symbolCount(): number {
    return this.segments.reduce((n, s) => n + s.entryCount, 0);
  }
  get lineCount(): number {
    return this.segments.reduce((n, s) => n + s.lineAddr.length, 0);
  }
  get inlineCount(): number {
    return this.segments.reduce((n, s) => n + s.inlines.length / INLINE_STRIDE, 0);
  }

  /** Exact name, or the name without generic arguments (`my_crate::f` finds `my_crate::f::<u32>`). Functions before publics. */
  lookupByName(name: string): SymbolHit[] {
    const out: SymbolHit[] = [];
    for (const s of this.segments) for (const e of s.lookup(name.trim())) out.push(s.hit(e));
    return dedupe(out).sort((a, b) => (a.kind === b.kind ? a.address - b.address : a.kind === 'function' ? -1 : 1));
  }

  /** Names starting with `prefix` (case-sensitive), up to `limit`. */
  searchPrefix(prefix: string, limit = 1000): SymbolHit[] {
    const out: SymbolHit[] = [];
    for (const s of this.segments) {
      const names = s.allNames();
      for (let e = 0; e < names.length && out.length < limit; e++) if (names[e].startsWith(prefix)) out.push(s.hit(e));
    }
    return out;
  }

  /**
   * Fuzzy search: every query character must appear in order (case-insensitive); contiguous runs, matches at
   * `::` boundaries and shorter names score higher. Up to `limit` hits, best first.
   */
  search(query: string, limit = 1000): SymbolHit[] {
    const q = query.trim().toLowerCase();
    if (q === '') return [];
    const scored: Array<{ score: number; s: Segment; e: number }> = [];
    let worst = -Infinity;
    for (const s of this.segments) {
      const names = s.allNames();
      for (let e = 0; e < names.length; e++) {
        const score = fuzzyScore(q, names[e]);
        if (score === undefined) continue;
        if (scored.length >= limit * 4 && score <= worst) continue;
        scored.push({ score, s, e });
        if (scored.length >= limit * 8) {
          scored.sort((a, b) => b.score - a.score);
          scored.length = limit * 4;
          worst = scored[scored.length - 1].score;
        }
      }
    }
    scored.sort((a, b) => b.score - a.score || a.s.name(a.e).length - b.s.name(b.e).length);
    return dedupe(scored.slice(0, limit * 2).map(({ s, e }) => s.hit(e))).slice(0, limit);
  }

  /** The function, inlined calls and source line at an address. */
  lookupAddress(address: number): AddressHit {
    const hit: AddressHit = { inlined: [] };
    for (const s of this.segments) {
      const e = s.functionAt(address);
      if (e >= 0 && (!hit.function || s.entries[e * ENTRY_STRIDE + 4] === KIND_FUNCTION)) {
        hit.function = s.hit(e);
        hit.inlined = s.inlinesAt(address);
      }
      const line = s.lineAt(address);
      if (line && hit.line === undefined) {
        hit.file = line.file;
        hit.line = line.line;
      }
    }
    return hit;
  }

  /** Every distinct source file (for breakpoints by file and the Modules view). */
  files(): string[] {
    const set = new Set<string>();
    for (const s of this.segments) for (let i = 0; i < s.fileRefs.length / 2; i++) set.add(s.file(i)!);
    return [...set];
  }
}

/** A public symbol at the address of a function from another segment (debug info read in chunks) is the same function. */
function dedupe(hits: SymbolHit[]): SymbolHit[] {
  const functionAt = new Set<number>();
  for (const h of hits) if (h.kind === 'function') functionAt.add(h.address);
  return hits.filter((h) => h.kind === 'function' || !functionAt.has(h.address));
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
