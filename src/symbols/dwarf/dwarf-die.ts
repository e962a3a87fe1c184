// Random access to DWARF DIEs for the type reader: units found by offset, one DIE's attributes decoded on demand, children listed, a unit's scopes indexed once.
import { Reader, SectionPages } from '../byte-source';
import { SymbolReadError } from '../errors';
import {
  Abbrev, AbbrevTable, DW_UT_compile, DW_UT_partial, DW_UT_skeleton, DW_UT_split_type, DW_UT_type, DwarfSections, UnitHeader, UnitState,
  addressValue, parseAbbrevs, parseUnitHeader, readRanges, readStringRef, rangeScratch, skipDie, strOf,
} from './dwarf';
import { DW_AT, DW_FORM, DW_TAG, FormContext, isAddrxForm, isStrxForm, readNumberForm, skipForm } from './dwarf-forms';

/** TypeRefs of DIEs in .debug_types carry this bit above their section offset (.debug_info offsets are used as they are). */
export const TYPES_SECTION_BIT = 2 ** 42;

/** A decoded attribute value: numbers for constants, addresses and references (absolute TypeRefs), bigints for 8/16-byte and long LEB128 constants, strings, and blocks/expressions as bytes. */
export type AttrValue = number | bigint | string | Uint8Array;

/** One unit as the type reader uses it: header, abbreviations, the base offsets its index forms resolve through. */
export interface DieUnit {
  h: UnitHeader;
  /** .debug_info or .debug_types bytes. */
  section: Uint8Array;
  /** 0 for .debug_info, TYPES_SECTION_BIT for .debug_types. */
  base: number;
  abbrevs: AbbrevTable;
  /** The string/address/range state the shared readers need (dwarf.ts). */
  u: UnitState;
  language?: number;
  name?: string;
  /** Type units: the signature and the TypeRef of the type it defines. */
  signature?: bigint;
  typeRef?: number;
  /** Made on first use: the DIEs with children and the functions with code (see ScopeIndex). */
  scopes?: ScopeIndex;
  /** Whether all of the unit's bytes are read in (a paged .debug_info reads the unit DIE alone first). */
  loaded: boolean;
}

/** One DIE's tag and attributes, decoded. */
export interface Die {
  /** TypeRef of the DIE (section offset, plus TYPES_SECTION_BIT in .debug_types). */
  ref: number;
  tag: number;
  hasChildren: boolean;
  /** Section offset where its children (or its next sibling) start. */
  attrsEnd: number;
  unit: DieUnit;
  attrs: Map<number, AttrValue>;
  /** The form each attribute had (references and constants are told apart by it). */
  forms: Map<number, number>;
}

/** A DIE's offset and tag, as a child list gives them. */
export interface DieEntry {
  ref: number;
  tag: number;
}

/** Longest LEB128 the number path decodes exactly: 7 groups of 7 bits (49 bits). */
const EXACT_LEB_BYTES = 7;

/** Decodes a LEB128 at `pos` as a bigint (for discriminants and enumerators above 2^53). */
export function lebBig(bytes: Uint8Array, pos: number, signed: boolean): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  let byte: number;
  let i = pos;
  do {
    if (i >= bytes.length) throw new SymbolReadError(`a LEB128 number at offset ${pos} runs past the end of its section`);
    byte = bytes[i++];
    if (shift < 192n) result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte & 0x80);
  if (signed && byte & 0x40 && shift < 192n) result -= 1n << shift;
  return { value: result, next: i };
}

/** Little-endian unsigned integer of bytes[start, end). */
export function bytesToBig(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  let v = 0n;
  for (let i = end - 1; i >= start; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** A number attribute as a JS number (bigints converted), undefined for strings, blocks or absent. */
export function attrNumber(die: Die, at: number): number | undefined {
  const v = die.attrs.get(at);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export function attrString(die: Die, at: number): string | undefined {
  const v = die.attrs.get(at);
  return typeof v === 'string' ? v : undefined;
}

/** Whether the attribute's form is a reference (its number is then an absolute TypeRef). */
export function isRefForm(form: number | undefined): boolean {
  return form !== undefined && ((form >= DW_FORM.ref_addr && form <= DW_FORM.ref_udata) || form === DW_FORM.ref_sig8);
}

/** A reference attribute's TypeRef, undefined when absent or not a reference. */
export function attrRef(die: Die, at: number): number | undefined {
  const v = die.attrs.get(at);
  return typeof v === 'number' && isRefForm(die.forms.get(at)) ? v : undefined;
}

/**
 * The DIE reader over one file's DWARF: finds the unit holding an offset, reads its header, abbreviations and unit
 * DIE once, and decodes single DIEs on demand. .debug_info may be paged (see SectionPages): a unit's bytes are read
 * in the first time one of its DIEs is.
 */
export class DieReader {
  private infoUnits: number[] | undefined;
  private typesUnits: number[] | undefined;
  private readonly units = new Map<number, DieUnit>();
  private readonly abbrevCache = new Map<string, AbbrevTable>();
  private signatures: Map<bigint, number> | undefined;
  constructor(
    readonly module: string,
    readonly s: DwarfSections,
    private readonly infoPages?: SectionPages,
    readonly types?: Uint8Array,
  ) {}

  /** Section offsets of every .debug_info unit header, in order (headers read once). */
  infoUnitOffsets(): number[] {
    return (this.infoUnits ??= this.unitOffsets(this.s.info, this.infoPages, false));
  }

  typesUnitOffsets(): number[] {
    return (this.typesUnits ??= this.types ? this.unitOffsets(this.types, undefined, true) : []);
  }

  private unitOffsets(section: Uint8Array, pages: SectionPages | undefined, isTypes: boolean): number[] {
    const out: number[] = [];
    let off = 0;
    while (off + 11 <= section.length) {
      pages?.ensure(off, off + 40);
      let h: UnitHeader;
      try {
        h = parseUnitHeader(section.subarray(off, off + 40), off, section.length);
      } catch {
        break; // a corrupt header ends the list: the units before it still answer
      }
      out.push(off);
      if (isTypes) this.unitAtOffset(off, true);
      off = h.end;
    }
    return out;
  }

  /** The unit whose DIEs include TypeRef `ref`. */
  unitOf(ref: number): DieUnit {
    const isTypes = ref >= TYPES_SECTION_BIT;
    const off = isTypes ? ref - TYPES_SECTION_BIT : ref;
    const list = isTypes ? this.typesUnitOffsets() : this.infoUnitOffsets();
    let lo = 0;
    let hi = list.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= off) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (at < 0) throw new SymbolReadError(`no unit holds ${isTypes ? '.debug_types' : '.debug_info'} offset 0x${off.toString(16)}`);
    const unit = this.unitAtOffset(list[at], isTypes);
    if (off < unit.h.dieOffset || off >= unit.h.end) throw new SymbolReadError(`offset 0x${off.toString(16)} lies in a unit header or past its unit, not at a DIE`);
    return unit;
  }

  /** The unit whose header is at section offset `offset`, opened once. */
  unitAtOffset(offset: number, isTypes = false): DieUnit {
    const key = isTypes ? offset + TYPES_SECTION_BIT : offset;
    const known = this.units.get(key);
    if (known) return known;
    const section = isTypes ? this.types! : this.s.info;
    const pages = isTypes ? undefined : this.infoPages;
    pages?.ensure(offset, offset + 40);
    const h = parseUnitHeader(section.subarray(offset, offset + 40), offset, section.length);
    // The header and unit DIE only: finding the unit that holds an address reads every unit DIE, not every unit.
    pages?.ensure(h.offset, Math.min(h.end, h.dieOffset + 4096));
    const cx: FormContext = { version: h.version, addressSize: h.addressSize, offsetSize: h.offsetSize };
    const abbrevKey = `${h.abbrevOffset}/${h.addressSize}/${h.offsetSize}/${h.version}`;
    let abbrevs = this.abbrevCache.get(abbrevKey);
    if (!abbrevs) {
      abbrevs = parseAbbrevs(this.s.abbrev, h.abbrevOffset, cx);
      this.abbrevCache.set(abbrevKey, abbrevs);
    }
    const u: UnitState = {
      h, cx, s: this.s, strOffsetsBase: h.version >= 5 ? 8 : 0, addrBase: h.version >= 5 ? 8 : 0, rnglistsBase: 0, baseAddress: 0,
      rangesReader: undefined, rnglistsReader: undefined,
    };
    const unit: DieUnit = { h, section, base: isTypes ? TYPES_SECTION_BIT : 0, abbrevs, u, loaded: !pages };
    // Type units: the signature and type offset follow the common header (.debug_types v4, or DWARF 5 DW_UT_type).
    const r = new Reader(section.subarray(0, h.end), isTypes ? '.debug_types' : '.debug_info');
    let dieOffset = h.dieOffset;
    if (isTypes && h.version < 5) {
      r.pos = h.dieOffset;
      unit.signature = bytesToBig(section, r.pos, r.pos + 8);
      r.pos += 8;
      const typeOffset = r.uN(h.offsetSize);
      dieOffset = r.pos;
      unit.h = { ...h, dieOffset };
      unit.typeRef = unit.base + h.offset + typeOffset;
    } else if (h.unitType === DW_UT_type || h.unitType === DW_UT_split_type) {
      r.pos = h.dieOffset - 8 - h.offsetSize;
      unit.signature = bytesToBig(section, r.pos, r.pos + 8);
      r.pos += 8;
      unit.typeRef = unit.base + h.offset + r.uN(h.offsetSize);
    }
    this.units.set(key, unit);
    // The unit DIE's base attributes decide how strx/addrx/rnglistx forms below it resolve.
    const top = this.readDie(unit, unit.base + dieOffset);
    const strBase = attrNumber(top, DW_AT.str_offsets_base);
    if (strBase !== undefined) u.strOffsetsBase = strBase;
    const addrBase = attrNumber(top, DW_AT.addr_base) ?? attrNumber(top, DW_AT.GNU_addr_base);
    if (addrBase !== undefined) u.addrBase = addrBase;
    const rngBase = attrNumber(top, DW_AT.rnglists_base);
    if (rngBase !== undefined) u.rnglistsBase = rngBase;
    u.baseAddress = attrNumber(top, DW_AT.low_pc) ?? 0;
    unit.language = attrNumber(top, DW_AT.language);
    unit.name = attrString(top, DW_AT.name);
    return unit;
  }

  /** Whether a unit holds code and types (compile, partial, skeleton units), not only a type (type units). */
  static isCodeUnit(unit: DieUnit): boolean {
    const t = unit.h.unitType;
    return unit.base === 0 && (t === DW_UT_compile || t === DW_UT_partial || t === DW_UT_skeleton);
  }

  /** The TypeRef of the type a DW_FORM_ref_sig8 signature names (type units are listed on first use). */
  signatureRef(sig: bigint): number {
    if (!this.signatures) {
      this.signatures = new Map();
      for (const off of this.typesUnitOffsets()) {
        const unit = this.unitAtOffset(off, true);
        if (unit.signature !== undefined && unit.typeRef !== undefined) this.signatures.set(unit.signature, unit.typeRef);
      }
      for (const off of this.infoUnitOffsets()) {
        const t = this.peekUnitType(off);
        if (t !== DW_UT_type && t !== DW_UT_split_type) continue;
        const unit = this.unitAtOffset(off);
        if (unit.signature !== undefined && unit.typeRef !== undefined) this.signatures.set(unit.signature, unit.typeRef);
      }
    }
    const ref = this.signatures.get(sig);
    if (ref === undefined) throw new SymbolReadError(`no type unit has signature 0x${sig.toString(16)} (DW_FORM_ref_sig8)`);
    return ref;
  }

  private peekUnitType(off: number): number {
    this.infoPages?.ensure(off, off + 40);
    return parseUnitHeader(this.s.info.subarray(off, off + 40), off, this.s.info.length).unitType;
  }

  /** Reads all of a unit's bytes in (paged .debug_info), before walking its DIEs. */
  load(unit: DieUnit): void {
    if (unit.loaded) return;
    this.infoPages?.ensure(unit.h.offset, unit.h.end);
    unit.loaded = true;
  }

  /** Decodes the DIE at TypeRef `ref` of `unit`. */
  readDie(unit: DieUnit, ref: number): Die {
    const off = ref - unit.base;
    if (!unit.loaded && off !== unit.h.dieOffset) this.load(unit);
    const r = new Reader(unit.section.subarray(0, unit.h.end), unit.base ? '.debug_types' : '.debug_info', off);
    const code = r.uleb();
    if (code === 0) throw new SymbolReadError(`offset 0x${off.toString(16)} holds a null entry, not a DIE`);
    const a = unit.abbrevs.get(code);
    if (!a) throw new SymbolReadError(`DIE at offset 0x${off.toString(16)} uses abbreviation code ${code}, which is not defined`);
    const die: Die = { ref, tag: a.tag, hasChildren: a.children, attrsEnd: 0, unit, attrs: new Map(), forms: new Map() };
    this.readAttributes(r, a, die);
    die.attrsEnd = r.pos;
    return die;
  }

  /** The DIE at `ref`, wherever it lies. */
  die(ref: number): Die {
    return this.readDie(this.unitOf(ref), ref);
  }

  private readAttributes(r: Reader, a: Abbrev, die: Die): void {
    const unit = die.unit;
    const u = unit.u;
    const cx = u.cx;
    const attrs = a.attrs;
    for (let i = 0; i < attrs.length; i += 3) {
      const at = attrs[i];
      let form = attrs[i + 1];
      if (form === DW_FORM.indirect) form = r.uleb();
      const v = this.readValue(r, form, attrs[i + 2], unit, cx);
      if (v !== undefined) {
        die.attrs.set(at, v);
        die.forms.set(at, form);
      }
    }
    if (r.pos > unit.h.end) throw new SymbolReadError(`DIE at offset 0x${(die.ref - unit.base).toString(16)} runs past the end of its unit`);
  }

  private readValue(r: Reader, form: number, implicit: number, unit: DieUnit, cx: FormContext): AttrValue | undefined {
    switch (form) {
      case DW_FORM.string: case DW_FORM.strp: case DW_FORM.line_strp:
        return strOf(unit.u, readStringRef(unit.u, r, form));
      case DW_FORM.ref1: case DW_FORM.ref2: case DW_FORM.ref4: case DW_FORM.ref8: case DW_FORM.ref_udata:
        return unit.base + unit.h.offset + readNumberForm(r, form, cx);
      case DW_FORM.ref_addr:
        return readNumberForm(r, form, cx); // always into .debug_info
      case DW_FORM.ref_sig8: {
        r.need(8);
        const sig = bytesToBig(r.bytes, r.pos, r.pos + 8);
        r.pos += 8;
        return this.signatureRef(sig);
      }
      case DW_FORM.block1: return this.block(r, r.u8());
      case DW_FORM.block2: return this.block(r, r.u16());
      case DW_FORM.block4: return this.block(r, r.u32());
      case DW_FORM.block: case DW_FORM.exprloc: return this.block(r, r.uleb());
      case DW_FORM.data8: {
        r.need(8);
        const v = bytesToBig(r.bytes, r.pos, r.pos + 8);
        r.pos += 8;
        return v;
      }
      case DW_FORM.data16: {
        r.need(16);
        const v = bytesToBig(r.bytes, r.pos, r.pos + 16);
        r.pos += 16;
        return v;
      }
      case DW_FORM.sdata: case DW_FORM.udata: {
        const start = r.pos;
        const n = form === DW_FORM.sdata ? r.sleb() : r.uleb();
        if (r.pos - start <= EXACT_LEB_BYTES) return n;
        return lebBig(r.bytes, start, form === DW_FORM.sdata).value;
      }
      case DW_FORM.implicit_const: return implicit;
      case DW_FORM.addr: return r.uN(cx.addressSize);
      case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt: case DW_FORM.strp_sup: case DW_FORM.ref_sup4: case DW_FORM.ref_sup8:
        skipForm(r, form, cx); // a supplementary file's: not available
        return undefined;
      default:
        if (isStrxForm(form)) return strOf(unit.u, readStringRef(unit.u, r, form));
        if (isAddrxForm(form)) return addressValue(unit.u, form, readNumberForm(r, form, cx));
        return readNumberForm(r, form, cx);
    }
  }

  private block(r: Reader, n: number): Uint8Array {
    r.need(n);
    const b = r.bytes.subarray(r.pos, r.pos + n);
    r.pos += n;
    return b;
  }

  /** The children of `die` (offset and tag), in order; grandchildren are stepped over. */
  children(die: Die): DieEntry[] {
    const out: DieEntry[] = [];
    if (!die.hasChildren) return out;
    const unit = die.unit;
    this.load(unit);
    const r = new Reader(unit.section.subarray(0, unit.h.end), '.debug_info', die.attrsEnd);
    let depth = 0;
    while (r.pos < unit.h.end) {
      const off = r.pos;
      const code = r.uleb();
      if (code === 0) {
        if (depth === 0) return out;
        depth--;
        continue;
      }
      const a = unit.abbrevs.get(code);
      if (!a) throw new SymbolReadError(`DIE at offset 0x${off.toString(16)} uses abbreviation code ${code}, which is not defined`);
      if (depth === 0) out.push({ ref: unit.base + off, tag: a.tag });
      skipDie(r, a, unit.u.cx, unit.h.end, off);
      if (a.children) depth++;
    }
    return out;
  }

  /** The [low, high) ranges of a DIE's code (low_pc/high_pc or DW_AT_ranges); empty when it has none. */
  dieRanges(die: Die): Array<[number, number]> {
    const low = attrNumber(die, DW_AT.low_pc);
    const highV = attrNumber(die, DW_AT.high_pc);
    if (low !== undefined && highV !== undefined) {
      const hf = die.forms.get(DW_AT.high_pc)!;
      const high = hf === DW_FORM.addr || isAddrxForm(hf) ? highV : low + highV;
      return high > low ? [[low, high]] : [];
    }
    const rv = attrNumber(die, DW_AT.ranges);
    if (rv === undefined) return low !== undefined ? [[low, low + 1]] : [];
    const n = readRanges(die.unit.u, die.forms.get(DW_AT.ranges)!, rv);
    const out: Array<[number, number]> = [];
    for (let k = 0; k < n; k++) out.push([rangeScratch[2 * k], rangeScratch[2 * k + 1]]);
    return out;
  }

  /** The scope index of a unit, made on first use by one walk over all its DIEs. */
  scopes(unit: DieUnit): ScopeIndex {
    return (unit.scopes ??= this.buildScopes(unit));
  }

  private buildScopes(unit: DieUnit): ScopeIndex {
    this.load(unit);
    const idx = new ScopeIndex();
    const r = new Reader(unit.section.subarray(0, unit.h.end), '.debug_info', unit.h.dieOffset);
    const stack: number[] = [];
    const cx = unit.u.cx;
    while (r.pos < unit.h.end) {
      const off = r.pos;
      const code = r.uleb();
      if (code === 0) {
        const top = stack.pop();
        if (top === undefined) break;
        idx.end[top] = r.pos;
        continue;
      }
      const a = unit.abbrevs.get(code);
      if (!a) throw new SymbolReadError(`DIE at offset 0x${off.toString(16)} uses abbreviation code ${code}, which is not defined`);
      skipDie(r, a, cx, unit.h.end, off);
      if (a.tag === DW_TAG.subprogram) idx.functions.push(idx.start.length);
      if (a.children) {
        stack.push(idx.start.length);
        idx.start.push(off);
        idx.end.push(unit.h.end);
        idx.parent.push(stack.length >= 2 ? stack[stack.length - 2] : -1);
        idx.tag.push(a.tag);
      } else if (a.tag === DW_TAG.subprogram) idx.functions.pop(); // a declaration without children has no code
    }
    return idx;
  }
}

/**
 * The DIEs of one unit that have children (namespaces, types, functions, blocks), as intervals of the section with
 * their parent: the parent of any DIE is the innermost interval around it, so qualified names need no parent links.
 */
export class ScopeIndex {
  /** Section offset of each scope DIE, ascending. */
  readonly start: number[] = [];
  /** Section offset just past its last child's terminating null. */
  readonly end: number[] = [];
  readonly parent: number[] = [];
  readonly tag: number[] = [];
  /** Scope indices of the subprograms (with children). */
  readonly functions: number[] = [];

  /** The scope index of the innermost scope strictly around section offset `off`, or -1. */
  enclosing(off: number): number {
    let lo = 0;
    let hi = this.start.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.start[mid] < off) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    while (at >= 0 && this.end[at] <= off) at = this.parent[at];
    return at;
  }

  /** The scope index of the DIE at `off` itself, or -1 when it has no children. */
  indexOf(off: number): number {
    let lo = 0;
    let hi = this.start.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.start[mid];
      if (s === off) return mid;
      if (s < off) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
