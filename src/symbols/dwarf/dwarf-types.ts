// The DWARF TypeTable: Rust types (structs, enums with their discriminant rules, arrays, pointers...) read lazily from .debug_info/.debug_types, one DIE at a time.
import { SectionPages } from '../byte-source';
import { SymbolReadError } from '../errors';
import {
  DiscriminantLayout, DiscriminantRule, FieldLayout, FrameVariable, RustType, StaticVariable, TypeReadError, TypeRef, TypeTable, VariantLayout,
} from '../type-model';
import { DwarfSections } from './dwarf';
import { AttrValue, Die, DieReader, DieUnit, attrNumber, attrRef, attrString, bytesToBig, lebBig } from './dwarf-die';
import { DW_AT, DW_FORM, DW_TAG } from './dwarf-forms';
import { frameVariablesAt, unitCovering } from './dwarf-frame-variables';
import { GlobalIndex, buildGlobalIndex } from './dwarf-type-index';

/** Synthetic types (the inner dimensions of a multi-dimensional array, `()` for a void pointee) get refs from here up. */
const SYNTHETIC_BASE = 2 ** 46;
/** Type references nest no deeper than this while one type is parsed (a typedef chain, an array of arrays...). */
const MAX_NESTING = 64;
/** No real value is larger; a size or offset beyond it is corruption. */
const MAX_SIZE = 2 ** 48;
/** Frames (pcs) whose variables a table keeps: the stops of a stepping session come back to few. */
const FRAMES_KEPT = 256;
/** Elements in one array dimension. */
const MAX_COUNT = 2 ** 32;

const DW_ATE_address = 0x1, DW_ATE_boolean = 0x2, DW_ATE_float = 0x4, DW_ATE_signed = 0x5, DW_ATE_signed_char = 0x6, DW_ATE_unsigned = 0x7;
const DW_ATE_unsigned_char = 0x8, DW_ATE_UTF = 0x10;
const DW_OP_plus_uconst = 0x23, DW_OP_constu = 0x10;
const DW_DSC_label = 0, DW_DSC_range = 1;

/** Base type names that are already Rust's; any other (C's `unsigned int`, `__ARRAY_SIZE_TYPE__`) is renamed from its encoding and size. */
const RUST_BASE_NAME = /^(?:[iu](?:8|16|32|64|128|size)|f(?:16|32|64|128)|bool|char|str|\(\)|!)$/;

export interface DwarfTypeTableOptions {
  /** The module file (for messages). */
  module: string;
  sections: DwarfSections;
  /** Set when `sections.info` is read page by page: units are read in as they are touched. */
  infoPages?: SectionPages;
  /** .debug_types (DWARF 4 type units), when the file has one. */
  types?: Uint8Array;
  /** Pointer size; 8 unless given. */
  pointerSize?: number;
}

export class DwarfTypeTable implements TypeTable {
  readonly module: string;
  readonly pointerSize: number;
  readonly dies: DieReader;
  private readonly cache = new Map<TypeRef, RustType>();
  private readonly failed = new Map<TypeRef, TypeReadError>();
  private readonly inProgress = new Set<TypeRef>();
  private readonly synthetic: RustType[] = [];
  private readonly syntheticByKey = new Map<string, TypeRef>();
  /** Qualified name prefix (`alloc::vec::`) of each scope DIE, by its ref. */
  private readonly prefixes = new Map<number, string>();
  private global: GlobalIndex | undefined;
  /**
   * frameVariables() by pc, shared by its callers (who only read it): every evaluation at a new stop asks again, and
   * a large function's DIEs (a main with hundreds of locals) take a good part of a millisecond to walk.
   */
  private readonly frames = new Map<number, FrameVariable[]>();

  constructor(options: DwarfTypeTableOptions) {
    this.module = options.module;
    this.pointerSize = options.pointerSize ?? 8;
    this.dies = new DieReader(options.module, options.sections, options.infoPages, options.types);
  }

  get parsedTypes(): number {
    return this.cache.size;
  }

  type(ref: TypeRef): RustType {
    const known = this.cache.get(ref);
    if (known) return known;
    if (ref >= SYNTHETIC_BASE) {
      const t = this.synthetic[ref - SYNTHETIC_BASE];
      if (!t) throw new TypeReadError('no such type (a synthetic reference this table did not make)', this.module, ref);
      return t;
    }
    const failed = this.failed.get(ref);
    if (failed) throw failed;
    if (!Number.isSafeInteger(ref) || ref < 0) throw new TypeReadError('not a type reference of this table', this.module, ref);
    if (this.inProgress.has(ref)) throw new TypeReadError('the type refers to itself (a cycle of type references)', this.module, ref);
    if (this.inProgress.size >= MAX_NESTING) throw new TypeReadError(`type references nest deeper than ${MAX_NESTING}`, this.module, ref);
    this.inProgress.add(ref);
    try {
      const t = this.parse(ref);
      this.cache.set(ref, t);
      return t;
    } catch (err) {
      let e: TypeReadError;
      if (err instanceof TypeReadError) e = err.record === ref ? err : new TypeReadError(`it needs another type that cannot be read (${err.message})`, this.module, ref);
      else if (err instanceof SymbolReadError) e = new TypeReadError(err.message, this.module, ref);
      else throw err;
      this.failed.set(ref, e);
      throw e;
    } finally {
      this.inProgress.delete(ref);
    }
  }

  prepareFrames(): void {
    try {
      unitCovering(this, 0);
    } catch (err) {
      if (!(err instanceof SymbolReadError)) throw err; // the first stop's frameVariables says what is wrong
    }
  }

  frameVariables(pc: number): FrameVariable[] {
    const known = this.frames.get(pc);
    if (known) return known;
    try {
      const found = frameVariablesAt(this, pc);
      if (this.frames.size >= FRAMES_KEPT) this.frames.delete(this.frames.keys().next().value as number);
      this.frames.set(pc, found);
      return found;
    } catch (err) {
      if (err instanceof SymbolReadError) throw new TypeReadError(`the variables at pc 0x${pc.toString(16)} cannot be read: ${err.message}`, this.module);
      throw err;
    }
  }

  findType(rustName: string): TypeRef | undefined {
    const found = this.globals().types.get(rustName);
    if (found !== undefined) return found;
    return this.syntheticByName(rustName);
  }

  findStatic(rustPath: string): StaticVariable | undefined {
    return this.globals().statics.get(rustPath);
  }

  vtableType(address: number): TypeRef | undefined {
    const vtableType = this.globals().vtables.get(address);
    if (vtableType === undefined) return undefined;
    try {
      return attrRef(this.dies.die(vtableType), DW_AT.containing_type);
    } catch (err) {
      if (err instanceof SymbolReadError) throw new TypeReadError(err.message, this.module, vtableType);
      throw err;
    }
  }

  /** The name, static and vtable index over every unit, built on first use. */
  globals(): GlobalIndex {
    return (this.global ??= buildGlobalIndex(this));
  }

  /** `[T; N]` that the file has no DIE for (rustc names no array types): made from T's entry. */
  private syntheticByName(name: string): TypeRef | undefined {
    const m = /^\[(.+); (\d+)\]$/.exec(name);
    if (!m) return undefined;
    const element = this.findType(m[1]);
    const count = Number(m[2]);
    if (element === undefined || count > MAX_COUNT) return undefined;
    return this.syntheticArray(`name:${name}`, element, count);
  }

  private syntheticArray(key: string, element: TypeRef, count: number): TypeRef {
    const known = this.syntheticByKey.get(key);
    if (known !== undefined) return known;
    const e = this.type(element);
    const t: RustType = { kind: 'array', name: `[${e.name}; ${count}]`, size: e.size * count, element, count };
    if (e.align !== undefined) t.align = e.align;
    return this.addSynthetic(key, t);
  }

  private addSynthetic(key: string, t: RustType): TypeRef {
    const ref = SYNTHETIC_BASE + this.synthetic.length;
    this.synthetic.push(t);
    this.syntheticByKey.set(key, ref);
    return ref;
  }

  /** `()`: what a pointer without a pointee type (`void *`) points to. */
  private unitRef(): TypeRef {
    return this.syntheticByKey.get('()') ?? this.addSynthetic('()', { kind: 'struct', name: '()', size: 0, fields: [] });
  }

  private parse(ref: TypeRef): RustType {
    const die = this.dies.die(ref);
    switch (die.tag) {
      case DW_TAG.base_type: return this.baseType(die);
      case DW_TAG.pointer_type: case DW_TAG.reference_type: case DW_TAG.rvalue_reference_type: return this.pointer(die);
      case DW_TAG.typedef: case DW_TAG.const_type: case DW_TAG.volatile_type: case DW_TAG.restrict_type: case DW_TAG.atomic_type:
      case DW_TAG.immutable_type: {
        // Transparent: the type it qualifies or names.
        const target = attrRef(die, DW_AT.type);
        return this.type(target ?? this.unitRef());
      }
      case DW_TAG.structure_type: case DW_TAG.class_type: case DW_TAG.union_type: case DW_TAG.interface_type:
        return this.structure(die);
      case DW_TAG.enumeration_type: return this.cEnum(die);
      case DW_TAG.array_type: return this.array(die);
      case DW_TAG.subroutine_type: return this.subroutine(die);
      case DW_TAG.unspecified_type: return { kind: 'opaque', name: attrString(die, DW_AT.name) ?? '()', size: this.size(die) ?? 0 };
      default: {
        const t: RustType = { kind: 'opaque', name: attrString(die, DW_AT.name) ?? `<DW_TAG 0x${die.tag.toString(16)}>`, size: this.size(die) ?? 0 };
        return t;
      }
    }
  }

  /** DW_AT_byte_size, checked. */
  private size(die: Die): number | undefined {
    const v = die.attrs.get(DW_AT.byte_size);
    if (v === undefined) return undefined;
    const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SIZE) throw new TypeReadError(`absurd byte size ${String(v)}`, this.module, die.ref);
    return n;
  }

  private withAlign(die: Die, t: RustType): RustType {
    const a = attrNumber(die, DW_AT.alignment);
    if (a !== undefined && a > 0 && a <= MAX_SIZE) t.align = a;
    return t;
  }

  private baseType(die: Die): RustType {
    const size = this.size(die) ?? 0;
    const encoding = attrNumber(die, DW_AT.encoding);
    const given = attrString(die, DW_AT.name) ?? '';
    const bits = size * 8;
    // C's spellings (`unsigned int`, `_Bool`, `__ARRAY_SIZE_TYPE__`) become Rust's; other names (rustc's `<recur_type>` placeholder) stay.
    const named = (fallback: string): string =>
      (given === 'char' && size !== 4) || !(RUST_BASE_NAME.test(given) || !/^[A-Za-z_][A-Za-z_ ]*$/.test(given)) ? fallback : given;
    let t: RustType;
    if (given === '!') t = { kind: 'never', name: '!', size };
    else if (given === '()' || (size === 0 && given === '')) t = { kind: 'struct', name: '()', size, fields: [] };
    else if (encoding === DW_ATE_boolean) t = { kind: 'bool', name: named('bool'), size };
    else if (encoding === DW_ATE_float) t = { kind: 'float', name: named(`f${bits}`), size };
    else if (encoding === DW_ATE_UTF && size === 4) t = { kind: 'char', name: named('char'), size };
    else if (encoding === DW_ATE_signed || encoding === DW_ATE_signed_char) t = { kind: 'int', name: named(`i${bits}`), size, signed: true };
    else if (encoding === DW_ATE_unsigned || encoding === DW_ATE_unsigned_char || encoding === DW_ATE_UTF || encoding === DW_ATE_address) {
      t = { kind: 'int', name: named(`u${bits}`), size, signed: false };
    } else t = { kind: 'opaque', name: given || `<base type encoding ${encoding ?? '?'}>`, size };
    return this.withAlign(die, t);
  }

  private pointer(die: Die): RustType {
    const pointee = attrRef(die, DW_AT.type) ?? this.unitRef();
    let name = attrString(die, DW_AT.name);
    if (name === undefined) {
      const target = this.type(pointee);
      if (target.kind === 'function') name = target.name;
      else if (die.tag === DW_TAG.pointer_type) name = `*const ${target.name}`;
      else name = `&${target.name}`;
    }
    let pointerKind: RustType['pointerKind'];
    if (name.startsWith('&mut ')) pointerKind = 'refMut';
    else if (name.startsWith('&')) pointerKind = 'ref';
    else if (name.startsWith('*mut ')) pointerKind = 'mut';
    else if (name.startsWith('*const ')) pointerKind = 'const';
    else pointerKind = die.tag === DW_TAG.pointer_type ? (attrString(die, DW_AT.name) === undefined ? 'const' : 'mut') : 'ref';
    const size = this.size(die) ?? die.unit.h.addressSize;
    return this.withAlign(die, { kind: 'pointer', name, size, pointee, pointerKind });
  }

  /** The qualified Rust name of a named DIE: its namespaces and enclosing types, then its own name. */
  qualifiedName(die: Die): string | undefined {
    const own = attrString(die, DW_AT.name);
    if (own === undefined) return undefined;
    return this.scopePrefix(die.unit, die.ref) + own;
  }

  /** `a::b::` for a DIE inside namespace a, type b; '' at unit level. */
  scopePrefix(unit: DieUnit, ref: number): string {
    const scopes = this.dies.scopes(unit);
    const at = scopes.enclosing(ref - unit.base);
    return at < 0 ? '' : this.prefixOfScope(unit, at);
  }

  private prefixOfScope(unit: DieUnit, at: number): string {
    const scopes = this.dies.scopes(unit);
    const ref = unit.base + scopes.start[at];
    const known = this.prefixes.get(ref);
    if (known !== undefined) return known;
    const tag = scopes.tag[at];
    let prefix = '';
    if (tag === DW_TAG.namespace || tag === DW_TAG.structure_type || tag === DW_TAG.union_type || tag === DW_TAG.enumeration_type
      || tag === DW_TAG.class_type || tag === DW_TAG.interface_type) {
      const parent = scopes.parent[at];
      const outer = parent >= 0 ? this.prefixOfScope(unit, parent) : '';
      const name = attrString(this.dies.readDie(unit, ref), DW_AT.name);
      prefix = name === undefined ? outer : `${outer}${name}::`;
    }
    this.prefixes.set(ref, prefix);
    return prefix;
  }

  private structure(die: Die): RustType {
    const name = this.qualifiedName(die) ?? (die.tag === DW_TAG.union_type ? '<anonymous union>' : '<anonymous struct>');
    const size = this.size(die);
    // A declaration completed in a type unit (-fdebug-types-section).
    const signature = attrRef(die, DW_AT.signature);
    if (signature !== undefined && signature !== die.ref) return this.type(signature);
    if (die.attrs.has(DW_AT.declaration) && !die.hasChildren) {
      // A forward declaration (C/C++): the definition elsewhere, by name.
      const def = this.findType(name);
      if (def !== undefined && def !== die.ref) return this.type(def);
      return this.withAlign(die, { kind: 'opaque', name, size: size ?? 0 });
    }
    const fields: FieldLayout[] = [];
    const typeArguments: Array<{ name: string; type?: TypeRef }> = [];
    let variantPart: Die | undefined;
    for (const c of this.dies.children(die)) {
      if (c.tag === DW_TAG.member || c.tag === DW_TAG.inheritance) {
        const m = this.dies.readDie(die.unit, c.ref);
        if (m.attrs.has(DW_AT.declaration) || m.attrs.has(DW_AT.external)) continue; // a static member: no storage in the value
        const f = this.field(m, die.ref);
        fields.push(f);
      } else if (c.tag === DW_TAG.variant_part) {
        variantPart ??= this.dies.readDie(die.unit, c.ref);
      } else if (c.tag === DW_TAG.template_type_parameter) {
        const p = this.dies.readDie(die.unit, c.ref);
        typeArguments.push({ name: attrString(p, DW_AT.name) ?? `T${typeArguments.length}`, type: attrRef(p, DW_AT.type) });
      }
    }
    const t: RustType = { kind: die.tag === DW_TAG.union_type ? 'union' : 'struct', name, size: size ?? 0 };
    if (variantPart) {
      t.kind = 'enum';
      const { discriminant, variants } = this.variants(variantPart, die.ref);
      if (discriminant) t.discriminant = discriminant;
      t.variants = variants;
      if (fields.length > 0) t.fields = fields;
    } else t.fields = fields;
    if (typeArguments.length > 0) t.typeArguments = typeArguments;
    return this.withAlign(die, t);
  }

  private field(m: Die, owner: TypeRef): FieldLayout {
    const type = attrRef(m, DW_AT.type);
    let name = attrString(m, DW_AT.name);
    if (type === undefined) throw new TypeReadError(`member ${name ?? '(unnamed)'} at 0x${m.ref.toString(16)} has no type`, this.module, owner);
    if (type === owner) throw new TypeReadError(`member ${name ?? '(unnamed)'} contains the type itself by value`, this.module, owner);
    if (name === undefined && m.tag === DW_TAG.inheritance) name = this.type(type).name;
    const offset = this.memberOffset(m, owner);
    const f: FieldLayout = { name: name ?? '', offset, type };
    const bitSize = attrNumber(m, DW_AT.bit_size);
    const dataBitOffset = attrNumber(m, DW_AT.data_bit_offset);
    if (bitSize !== undefined) {
      f.bitSize = bitSize;
      if (dataBitOffset !== undefined) {
        if (!m.attrs.has(DW_AT.data_member_location)) f.offset = Math.floor(dataBitOffset / 8);
        f.bitOffset = dataBitOffset - f.offset * 8;
      } else {
        // DWARF 2/3: DW_AT_bit_offset counts from the storage unit's most significant bit.
        const storage = attrNumber(m, DW_AT.byte_size) ?? 0;
        const bitOffset = attrNumber(m, DW_AT.bit_offset) ?? 0;
        f.bitOffset = storage > 0 ? storage * 8 - bitOffset - bitSize : bitOffset;
      }
    }
    return f;
  }

  /** DW_AT_data_member_location: a constant, or (DWARF 2) an expression of DW_OP_plus_uconst/DW_OP_constu. */
  private memberOffset(m: Die, owner: TypeRef): number {
    const v = m.attrs.get(DW_AT.data_member_location);
    let n: number;
    if (v === undefined) n = 0;
    else if (typeof v === 'number' || typeof v === 'bigint') n = Number(v);
    else if (v instanceof Uint8Array && v.length > 0 && (v[0] === DW_OP_plus_uconst || v[0] === DW_OP_constu)) n = Number(lebBig(v, 1, false).value);
    else throw new TypeReadError(`member at 0x${m.ref.toString(16)} has a location expression this reader does not evaluate`, this.module, owner);
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SIZE) throw new TypeReadError(`member at 0x${m.ref.toString(16)} has absurd offset ${n}`, this.module, owner);
    return n;
  }

  /** A Rust enum's DW_TAG_variant_part: where its discriminant is and which values select each variant. */
  private variants(vp: Die, owner: TypeRef): { discriminant?: DiscriminantLayout; variants: VariantLayout[] } {
    let discriminant: DiscriminantLayout | undefined;
    const discrRef = attrRef(vp, DW_AT.discr);
    if (discrRef !== undefined) {
      const m = this.dies.die(discrRef);
      const typeRef = attrRef(m, DW_AT.type);
      if (typeRef === undefined) throw new TypeReadError(`the discriminant member at 0x${discrRef.toString(16)} has no type`, this.module, owner);
      let t = this.type(typeRef);
      if (t.kind === 'cEnum' && t.underlying !== undefined) t = this.type(t.underlying);
      if (t.size < 1 || t.size > 16) throw new TypeReadError(`the discriminant is ${t.size} bytes; 1 to 16 are possible`, this.module, owner);
      discriminant = { offset: this.memberOffset(m, owner), size: t.size, signed: t.signed === true };
    }
    const variants: VariantLayout[] = [];
    for (const c of this.dies.children(vp)) {
      if (c.tag !== DW_TAG.variant) continue;
      const v = this.dies.readDie(vp.unit, c.ref);
      const rule = this.discriminantRule(v, discriminant, owner);
      for (const mc of this.dies.children(v)) {
        if (mc.tag !== DW_TAG.member) continue;
        const m = this.dies.readDie(vp.unit, mc.ref);
        const type = attrRef(m, DW_AT.type);
        if (type === undefined) throw new TypeReadError(`variant member at 0x${mc.ref.toString(16)} has no type`, this.module, owner);
        if (type === owner) throw new TypeReadError(`variant ${attrString(m, DW_AT.name) ?? ''} contains the enum itself by value`, this.module, owner);
        variants.push({ name: attrString(m, DW_AT.name) ?? `variant${variants.length}`, type, offset: this.memberOffset(m, owner), rule });
        break;
      }
    }
    return { discriminant, variants };
  }

  private discriminantRule(v: Die, d: DiscriminantLayout | undefined, owner: TypeRef): DiscriminantRule {
    const value = v.attrs.get(DW_AT.discr_value);
    const list = v.attrs.get(DW_AT.discr_list);
    const bits = (d?.size ?? 8) * 8;
    const norm = (x: bigint): bigint => {
      const raw = BigInt.asUintN(bits, x);
      return d?.signed ? BigInt.asIntN(bits, raw) : raw;
    };
    if (value !== undefined) {
      const x = constantBig(value);
      if (x === undefined) throw new TypeReadError(`variant at 0x${v.ref.toString(16)} has a discriminant value of an unexpected form`, this.module, owner);
      return { kind: 'values', values: [norm(x)] };
    }
    if (list instanceof Uint8Array) {
      const values: bigint[] = [];
      const ranges: Array<[bigint, bigint]> = [];
      const signed = d?.signed === true;
      let pos = 0;
      while (pos < list.length) {
        const kind = list[pos++];
        const a = lebBig(list, pos, signed);
        pos = a.next;
        if (kind === DW_DSC_label) values.push(norm(a.value));
        else if (kind === DW_DSC_range) {
          const b = lebBig(list, pos, signed);
          pos = b.next;
          ranges.push([norm(a.value), norm(b.value)]);
        } else throw new TypeReadError(`variant at 0x${v.ref.toString(16)} has an unknown discriminant list entry ${kind}`, this.module, owner);
      }
      if (ranges.length === 0) return { kind: 'values', values };
      for (const x of values) ranges.push([x, x]);
      return { kind: 'ranges', ranges };
    }
    return { kind: 'default' };
  }

  private cEnum(die: Die): RustType {
    const name = this.qualifiedName(die) ?? '<anonymous enum>';
    const underlyingRef = attrRef(die, DW_AT.type);
    const entries: Array<{ name: string; value: AttrValue; form: number }> = [];
    for (const c of this.dies.children(die)) {
      if (c.tag !== DW_TAG.enumerator) continue;
      const e = this.dies.readDie(die.unit, c.ref);
      const value = e.attrs.get(DW_AT.const_value);
      if (value === undefined) continue;
      entries.push({ name: attrString(e, DW_AT.name) ?? '', value, form: e.forms.get(DW_AT.const_value) ?? 0 });
    }
    let underlying: TypeRef;
    let size: number;
    let signed: boolean;
    if (underlyingRef !== undefined) {
      const u = this.type(underlyingRef);
      underlying = underlyingRef;
      size = this.size(die) ?? u.size;
      signed = u.signed === true;
    } else {
      // No DW_AT_type (C, older rustc): an integer of the enum's size, signed when an enumerator is negative.
      size = this.size(die) ?? 4;
      signed = entries.some((e) => e.form === DW_FORM.sdata && (constantBig(e.value) ?? 0n) < 0n);
      const intName = `${signed ? 'i' : 'u'}${size * 8}`;
      underlying = this.syntheticByKey.get(intName) ?? this.addSynthetic(intName, { kind: 'int', name: intName, size, signed });
    }
    const bits = Math.min(128, Math.max(8, size * 8));
    const enumerators = entries.map((e) => {
      const raw = BigInt.asUintN(bits, constantBig(e.value) ?? 0n);
      return { name: e.name, value: signed ? BigInt.asIntN(bits, raw) : raw };
    });
    return this.withAlign(die, { kind: 'cEnum', name, size, enumerators, underlying });
  }

  private array(die: Die): RustType {
    const element = attrRef(die, DW_AT.type);
    if (element === undefined) throw new TypeReadError('the array has no element type', this.module, die.ref);
    const counts: number[] = [];
    for (const c of this.dies.children(die)) {
      if (c.tag !== DW_TAG.subrange_type) continue;
      const s = this.dies.readDie(die.unit, c.ref);
      let count = 0;
      const countForm = s.forms.get(DW_AT.count);
      const upperForm = s.forms.get(DW_AT.upper_bound);
      if (countForm !== undefined) count = attrRef(s, DW_AT.count) === undefined ? attrNumber(s, DW_AT.count) ?? 0 : 0;
      else if (upperForm !== undefined && attrRef(s, DW_AT.upper_bound) === undefined) {
        const upper = attrNumber(s, DW_AT.upper_bound) ?? -1;
        const lower = attrNumber(s, DW_AT.lower_bound) ?? 0;
        count = upper - lower + 1;
      }
      if (!Number.isSafeInteger(count) || count < 0 || count > MAX_COUNT) throw new TypeReadError(`absurd array count ${count}`, this.module, die.ref);
      counts.push(count);
    }
    if (counts.length === 0) counts.push(0);
    // [[T; b]; a] is one DIE with subranges a, b (C) or nested array DIEs (rustc): the inner dimensions become synthetic types.
    let inner = element;
    for (let k = counts.length - 1; k >= 1; k--) inner = this.syntheticArray(`dim:${die.ref}:${k}`, inner, counts[k]);
    const e = this.type(inner);
    const count = counts[0];
    const size = this.size(die) ?? e.size * count;
    if (size > MAX_SIZE) throw new TypeReadError(`absurd array size ${size}`, this.module, die.ref);
    const t: RustType = { kind: 'array', name: `[${e.name}; ${count}]`, size, element: inner, count };
    if (e.align !== undefined) t.align = e.align;
    return this.withAlign(die, t);
  }

  private subroutine(die: Die): RustType {
    const returnType = attrRef(die, DW_AT.type);
    const parameters: TypeRef[] = [];
    for (const c of this.dies.children(die)) {
      if (c.tag !== DW_TAG.formal_parameter) continue;
      const p = attrRef(this.dies.readDie(die.unit, c.ref), DW_AT.type);
      if (p !== undefined) parameters.push(p);
    }
    const ret = returnType === undefined ? '' : this.type(returnType).name;
    const name = `fn(${parameters.map((p) => this.type(p).name).join(', ')})${ret && ret !== '()' ? ` -> ${ret}` : ''}`;
    const t: RustType = { kind: 'function', name, size: 0, parameters };
    if (returnType !== undefined) t.returnType = returnType;
    return t;
  }
}

/** A constant attribute as a bigint (blocks are little-endian integers: rustc writes 128-bit values as 16-byte blocks). */
function constantBig(v: AttrValue): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (v instanceof Uint8Array) return v.length <= 16 ? bytesToBig(v) : undefined;
  return undefined;
}
