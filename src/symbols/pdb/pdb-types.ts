// The TypeTable of a PDB: TPI records parsed one at a time on first use into the format-neutral model, with rustc's MSVC enum encodings (enum2$, enum$) turned into variants and discriminant rules.

import * as fs from 'node:fs';
import { fileSource } from '../byte-source';
import { SymbolReadError } from '../errors';
import { FieldLayout, FrameVariable, RustType, StaticVariable, TypeReadError, TypeRef, TypeTable, VariantLayout } from '../type-model';
import { ByteReader, FormatError } from '../pe/pe-byte-reader';
import { PeImage, readPe } from '../pe/pe';
import { PdbFile, TypeStream } from './pdb';
import { locatePdb } from './pdb-locate';
import { genericArguments, msvcToRust, typeNameKey } from './msvc-type-names';
import { FieldListEntry, isUdtLeaf, Leaf, numericNumber, PROP_FORWARD_REF, readFieldList, readNumeric, readUdtHeader, UdtHeader } from './tpi-records';
import { PdbFrameVariables } from './pdb-frame-variables';

const S_CONSTANT = 0x1107;
const S_GDATA32 = 0x110d;
const S_LDATA32 = 0x110c;

/** TypeRefs at and above this are types the reader made up (a pointer findType was asked for, a niche variant without a struct). */
const SYNTHETIC_BASE = 2 ** 32;
/** Nesting of types being resolved at once beyond which a chain is taken to be corrupt. */
const MAX_RESOLVE_DEPTH = 400;

interface SimpleKind {
  name: string;
  size: number;
  kind: RustType['kind'];
  signed?: boolean;
}

/** CodeView's built-in types (the low byte of a type index below 0x1000), named as rustc's types they stand for. */
const SIMPLE: Record<number, SimpleKind> = {
  0x03: { name: '()', size: 0, kind: 'struct' },
  0x08: { name: 'i32', size: 4, kind: 'int', signed: true }, // HRESULT
  0x10: { name: 'i8', size: 1, kind: 'int', signed: true },
  0x20: { name: 'u8', size: 1, kind: 'int', signed: false },
  0x68: { name: 'i8', size: 1, kind: 'int', signed: true },
  0x69: { name: 'u8', size: 1, kind: 'int', signed: false },
  0x70: { name: 'i8', size: 1, kind: 'int', signed: true },
  0x71: { name: 'u16', size: 2, kind: 'int', signed: false },
  0x7a: { name: 'u16', size: 2, kind: 'int', signed: false },
  0x7b: { name: 'char', size: 4, kind: 'char' },
  0x7c: { name: 'u8', size: 1, kind: 'int', signed: false },
  0x11: { name: 'i16', size: 2, kind: 'int', signed: true },
  0x21: { name: 'u16', size: 2, kind: 'int', signed: false },
  0x72: { name: 'i16', size: 2, kind: 'int', signed: true },
  0x73: { name: 'u16', size: 2, kind: 'int', signed: false },
  0x12: { name: 'i32', size: 4, kind: 'int', signed: true },
  0x22: { name: 'u32', size: 4, kind: 'int', signed: false },
  0x74: { name: 'i32', size: 4, kind: 'int', signed: true },
  0x75: { name: 'u32', size: 4, kind: 'int', signed: false },
  0x13: { name: 'i64', size: 8, kind: 'int', signed: true },
  0x23: { name: 'u64', size: 8, kind: 'int', signed: false },
  0x76: { name: 'i64', size: 8, kind: 'int', signed: true },
  0x77: { name: 'u64', size: 8, kind: 'int', signed: false },
  0x14: { name: 'i128', size: 16, kind: 'int', signed: true },
  0x24: { name: 'u128', size: 16, kind: 'int', signed: false },
  0x78: { name: 'i128', size: 16, kind: 'int', signed: true },
  0x79: { name: 'u128', size: 16, kind: 'int', signed: false },
  0x46: { name: 'f16', size: 2, kind: 'float' },
  0x40: { name: 'f32', size: 4, kind: 'float' },
  0x45: { name: 'f32', size: 4, kind: 'float' },
  0x41: { name: 'f64', size: 8, kind: 'float' },
  0x42: { name: 'f80', size: 10, kind: 'opaque' },
  0x43: { name: 'f128', size: 16, kind: 'float' },
  0x30: { name: 'bool', size: 1, kind: 'bool' },
  0x31: { name: 'bool', size: 2, kind: 'bool' },
  0x32: { name: 'bool', size: 4, kind: 'bool' },
  0x33: { name: 'bool', size: 8, kind: 'bool' },
};

/** Rust primitive names → the simple type index LLVM writes for them (findType). */
const PRIMITIVES: Record<string, number> = {
  i8: 0x10, u8: 0x20, i16: 0x11, u16: 0x21, i32: 0x74, u32: 0x75, i64: 0x13, u64: 0x23, isize: 0x13, usize: 0x23,
  i128: 0x14, u128: 0x24, f32: 0x40, f64: 0x41, bool: 0x30, char: 0x7b,
};

/** Size in bytes of a simple type's pointer mode (bits 8-10 of the index). */
const POINTER_MODE_SIZE: Record<number, number> = { 1: 2, 2: 4, 3: 4, 4: 4, 5: 6, 6: 8, 7: 16 };

/** Where rustc's MSVC enum discriminant constants (`enum2$<T>::Variant0::DISCR_EXACT`) and data symbols are. */
interface GlobalData {
  constants: Map<string, bigint>;
  /** S_GDATA32/S_LDATA32 by their Rust name. */
  data: Map<string, { type: number; rva: number; name: string }>;
  /** Data and public symbols by RVA (for vtables). */
  byRva: Map<number, string[]>;
}

export class PdbTypeTable implements TypeTable {
  readonly pointerSize = 8;
  private readonly tpi: TypeStream | null;
  private readonly cache = new Map<number, RustType>();
  private readonly resolving = new Set<number>();
  private readonly failed = new Map<number, TypeReadError>();
  private readonly synthetic: RustType[] = [];
  private readonly syntheticByKey = new Map<string, number>();
  private definitions?: Map<string, number>;
  private byBase?: Map<string, number[]>;
  /** Rust name keys of the UDTs of the name bases looked up so far. */
  private readonly byName = new Map<string, number>();
  private readonly basesNamed = new Set<string>();
  private globals?: GlobalData;
  private moduleConstantsRead = false;
  private frames?: PdbFrameVariables;

  constructor(
    readonly pdb: PdbFile,
    readonly image: PeImage,
    /** The module file (the .exe or .dll) named in messages. */
    readonly module: string,
  ) {
    try {
      this.tpi = pdb.typeStream('TPI');
    } catch (e) {
      throw e instanceof SymbolReadError ? new TypeReadError(`the PDB's type stream cannot be read: ${e.message}`, module) : e;
    }
  }

  /** Closes the PDB file the table reads from: call it once the table is no longer used. */
  close(): void {
    this.pdb.msf.source.close?.();
  }

  get parsedTypes(): number {
    return this.cache.size + this.synthetic.length;
  }

  type(ref: TypeRef): RustType {
    if (ref >= SYNTHETIC_BASE) {
      const t = this.synthetic[ref - SYNTHETIC_BASE];
      if (!t) throw new TypeReadError('no such type (a TypeRef this table never gave out)', this.module, ref);
      return t;
    }
    const known = this.cache.get(ref);
    if (known) return known;
    const failed = this.failed.get(ref);
    if (failed) throw failed;
    if (this.resolving.has(ref)) throw new TypeReadError('the type refers to itself (a cycle in the type records)', this.module, ref);
    if (this.resolving.size > MAX_RESOLVE_DEPTH) throw new TypeReadError(`types nest more than ${MAX_RESOLVE_DEPTH} deep`, this.module, ref);
    this.resolving.add(ref);
    try {
      const t = this.parse(ref);
      this.cache.set(ref, t);
      return t;
    } catch (e) {
      // A record that cannot be read stays unreadable: the error is kept, so the types that contain it fail at once.
      const err = e instanceof SymbolReadError ? new TypeReadError(e.message, this.module, ref) : e;
      if (err instanceof TypeReadError) this.failed.set(ref, err);
      throw err;
    } finally {
      this.resolving.delete(ref);
    }
  }

  findType(rustName: string): TypeRef | undefined {
    const key = typeNameKey(msvcToRust(rustName));
    const udt = this.udtByName(key);
    if (udt !== undefined) return udt;
    const prim = PRIMITIVES[key];
    if (prim !== undefined) return prim;
    if (key === '()') return 0x03;
    const made = this.syntheticByKey.get(key);
    if (made !== undefined) return made;
    const ptr = /^(&mut |&|\*const |\*mut )(.*)$/.exec(key);
    if (ptr) {
      const pointee = this.findType(ptr[2]);
      if (pointee === undefined) return undefined;
      const pointerKind = ({ '&': 'ref', '&mut ': 'refMut', '*const ': 'const', '*mut ': 'mut' } as const)[ptr[1] as '&'];
      return this.makeSynthetic(key, { kind: 'pointer', name: `${ptr[1]}${this.type(pointee).name}`, size: this.pointerSize, pointee, pointerKind });
    }
    const arr = /^\[(.*);(\d+)\]$/.exec(key);
    if (arr) {
      const element = this.findType(arr[1]);
      if (element === undefined) return undefined;
      const count = Number(arr[2]);
      const el = this.type(element);
      return this.makeSynthetic(key, { kind: 'array', name: `[${el.name}; ${count}]`, size: el.size * count, element, count });
    }
    return undefined;
  }

  frameVariables(pc: number): FrameVariable[] {
    this.frames ??= new PdbFrameVariables(this.pdb, this.image, this.module);
    return this.frames.at(pc);
  }

  findStatic(rustPath: string): StaticVariable | undefined {
    // A plain path is spelled the same in the PDB: the hash table finds it without reading every global.
    const rec = this.globalsNamed(rustPath).find((r) => r.kind === S_GDATA32 || r.kind === S_LDATA32);
    if (rec) {
      const type = rec.data.u32();
      const offset = rec.data.u32();
      const rva = this.pdb.rva(rec.data.u16(), offset, this.image.sections);
      if (rva !== undefined) return { name: rustPath, type, address: this.image.imageBase + rva };
    }
    const g = this.globalData().data.get(typeNameKey(msvcToRust(rustPath)));
    return g && { name: msvcToRust(g.name), type: g.type, address: this.image.imageBase + g.rva };
  }

  vtableType(address: number): TypeRef | undefined {
    const names = this.globalData().byRva.get(address - this.image.imageBase) ?? [];
    for (const raw of names) {
      // rustc names a vtable `impl$<Concrete, Trait>::vtable$` (MSVC spelling) in its S_GDATA32/S_LDATA32.
      const m = /^impl\$<(.*)>::vtable\$$/.exec(raw);
      if (!m) continue;
      const args = genericArguments(`impl$<${m[1]}>`);
      if (args.length === 0) continue;
      const t = this.findType(args[0]);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  // ---- records ----

  private record(index: number): { kind: number; data: ByteReader } {
    if (!this.tpi) throw new FormatError('the PDB has no type stream (TPI)');
    const rec = this.tpi.record(index);
    if (!rec) {
      throw new FormatError(
        `no type record 0x${index.toString(16)}: the type stream holds 0x${this.tpi.begin.toString(16)}..0x${(this.tpi.begin + this.tpi.count - 1).toString(16)}, or the record is truncated`,
      );
    }
    return rec;
  }

  /** A UDT's header, following a forward reference to its definition when there is one. */
  udt(index: number): UdtHeader {
    const rec = this.record(index);
    if (!isUdtLeaf(rec.kind)) throw new FormatError(`type record 0x${index.toString(16)} is leaf 0x${rec.kind.toString(16)}, not a struct, union or enum`);
    const h = readUdtHeader(index, rec.kind, rec.data);
    if (!(h.props & PROP_FORWARD_REF)) return h;
    const def = this.definitionMap().get(`${rec.kind === Leaf.LF_CLASS ? Leaf.LF_STRUCTURE : rec.kind}:${h.uniqueName ?? h.name}`);
    if (def === undefined || def === index) return h;
    const drec = this.record(def);
    return readUdtHeader(def, drec.kind, drec.data);
  }

  /** The entries of a field list, with LF_INDEX continuations followed. */
  fieldList(index: number): FieldListEntry[] {
    if (index === 0) return [];
    const out: FieldListEntry[] = [];
    const seen = new Set<number>();
    for (let next: number | undefined = index; next !== undefined; ) {
      if (seen.has(next)) throw new FormatError(`field list 0x${index.toString(16)} continues into itself (LF_INDEX cycle at 0x${next.toString(16)})`);
      seen.add(next);
      const rec = this.record(next);
      if (rec.kind !== Leaf.LF_FIELDLIST) throw new FormatError(`type record 0x${next.toString(16)} is leaf 0x${rec.kind.toString(16)} where a field list was expected`);
      next = undefined;
      for (const e of readFieldList(rec.data)) {
        if (e.leaf === Leaf.LF_INDEX) next = e.type;
        else out.push(e);
      }
    }
    return out;
  }

  /**
   * One pass over every record: definitions by unique name (forward references), and UDTs grouped by the base of
   * their name (findType). Rust names are made only for the group a lookup asks about: a large Rust PDB has hundreds
   * of thousands of UDTs, and spelling each in Rust would cost far more than the pass.
   */
  private scanUdts(): void {
    this.definitions = new Map();
    this.byBase = new Map();
    if (!this.tpi) return;
    for (let i = this.tpi.begin; i < this.tpi.begin + this.tpi.count; i++) {
      const rec = this.tpi.record(i);
      if (!rec || !isUdtLeaf(rec.kind)) continue;
      let h: UdtHeader;
      try {
        h = readUdtHeader(i, rec.kind, rec.data);
      } catch (e) {
        if (e instanceof SymbolReadError) continue; // that one record is corrupt; asking for it says so
        throw e;
      }
      if (h.props & PROP_FORWARD_REF) continue;
      const kind = rec.kind === Leaf.LF_CLASS ? Leaf.LF_STRUCTURE : rec.kind;
      this.definitions.set(`${kind}:${h.uniqueName ?? h.name}`, i);
      if (h.uniqueName !== undefined && !this.definitions.has(`${kind}:${h.name}`)) this.definitions.set(`${kind}:${h.name}`, i);
      const base = msvcNameBase(h.name);
      const group = this.byBase.get(base);
      if (group) group.push(i);
      else this.byBase.set(base, [i]);
    }
  }

  private definitionMap(): Map<string, number> {
    if (!this.definitions) this.scanUdts();
    return this.definitions!;
  }

  /** The first UDT whose Rust name has this key (typeNameKey), among those of the same name base. */
  private udtByName(key: string): number | undefined {
    if (!this.byBase) this.scanUdts();
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    const base = rustNameBase(key);
    if (this.basesNamed.has(base)) return undefined;
    this.basesNamed.add(base);
    for (const i of this.byBase!.get(base) ?? []) {
      const rec = this.tpi!.record(i)!;
      const name = typeNameKey(udtRustName(readUdtHeader(i, rec.kind, rec.data)));
      // Variant name enums and rustc's nested helper types share the name of nothing a user asks for; first wins.
      if (!this.byName.has(name)) this.byName.set(name, i);
    }
    return this.byName.get(key);
  }

  private makeSynthetic(key: string | undefined, t: RustType): TypeRef {
    const ref = SYNTHETIC_BASE + this.synthetic.length;
    this.synthetic.push(t);
    if (key !== undefined) this.syntheticByKey.set(key, ref);
    return ref;
  }

  // ---- types ----

  private parse(ref: number): RustType {
    if (ref < 0x1000) return this.simple(ref);
    const rec = this.record(ref);
    const d = rec.data;
    switch (rec.kind) {
      case Leaf.LF_MODIFIER: {
        const t = this.type(d.u32());
        return t;
      }
      case Leaf.LF_POINTER: {
        const referent = d.u32();
        const attrs = d.u32();
        const mode = (attrs >> 5) & 7;
        const size = (attrs >> 13) & 0x3f || this.pointerSize;
        if (mode === 2 || mode === 3) return { kind: 'opaque', name: `member pointer 0x${ref.toString(16)}`, size };
        return this.pointer(referent, size);
      }
      case Leaf.LF_PROCEDURE: {
        const ret = d.u32();
        d.skip(4); // calling convention, attributes, parameter count
        return this.procedure(ret, d.u32());
      }
      case Leaf.LF_MFUNCTION: {
        const ret = d.u32();
        d.skip(12); // class, this, calling convention, attributes, parameter count
        return this.procedure(ret, d.u32());
      }
      case Leaf.LF_ARRAY: {
        const element = d.u32();
        d.u32(); // index type
        const size = numericNumber(d, 'array size');
        const el = this.type(element);
        const count = el.size > 0 ? Math.floor(size / el.size) : 0;
        return { kind: 'array', name: `[${el.name}; ${count}]`, size, element, count };
      }
      case Leaf.LF_BITFIELD:
        return this.type(d.u32());
      case Leaf.LF_VTSHAPE:
        return { kind: 'opaque', name: 'vtable shape', size: 0 };
      case Leaf.LF_CLASS:
      case Leaf.LF_STRUCTURE:
      case Leaf.LF_UNION:
      case Leaf.LF_ENUM:
        return this.aggregate(this.udt(ref));
      case Leaf.LF_FIELDLIST:
      case Leaf.LF_ARGLIST:
      case Leaf.LF_METHODLIST:
        throw new FormatError(`record is a ${rec.kind === Leaf.LF_FIELDLIST ? 'field list' : rec.kind === Leaf.LF_ARGLIST ? 'argument list' : 'method list'}, not a type`);
      default:
        throw new FormatError(`leaf kind 0x${rec.kind.toString(16)} is not a type this reader knows`);
    }
  }

  private simple(index: number): RustType {
    const mode = (index >> 8) & 0xf;
    const base = index & 0xff;
    if (index === 0) return { kind: 'opaque', name: '<no type>', size: 0 };
    const s = SIMPLE[base];
    if (mode !== 0) {
      const size = POINTER_MODE_SIZE[mode];
      if (size === undefined) throw new FormatError(`simple type 0x${index.toString(16)} has pointer mode ${mode}, which is not defined`);
      return this.pointer(base, size);
    }
    if (!s) return { kind: 'opaque', name: `simple type 0x${index.toString(16)}`, size: 0 };
    const t: RustType = { kind: s.kind, name: s.name, size: s.size };
    if (s.signed !== undefined) t.signed = s.signed;
    if (s.kind === 'struct') t.fields = [];
    return t;
  }

  /**
   * A thin pointer. CodeView keeps no Rust pointer kind (rustc's `&T`, `&mut T`, `*const T` and `*mut T` all become
   * the same LF_POINTER), so it is named `&T`, what a Rust local of pointer type nearly always is; a pointer to
   * `void` (`c_void`) is `*const ()`.
   */
  private pointer(pointee: number, size: number): RustType {
    const target = this.type(pointee);
    if (pointee === 0x03) return { kind: 'pointer', name: '*const ()', size, pointee, pointerKind: 'const' };
    return { kind: 'pointer', name: `&${target.name}`, size, pointee, pointerKind: 'ref' };
  }

  private procedure(ret: number, argList: number): RustType {
    const parameters: number[] = [];
    if (argList !== 0) {
      const rec = this.record(argList);
      if (rec.kind !== Leaf.LF_ARGLIST) throw new FormatError(`argument list 0x${argList.toString(16)} is leaf 0x${rec.kind.toString(16)}`);
      const n = rec.data.u32();
      if (n * 4 > rec.data.remaining) rec.data.fail(`it claims ${n} parameters`);
      for (let i = 0; i < n; i++) parameters.push(rec.data.u32());
    }
    const names = parameters.map((p) => this.type(p).name);
    const t: RustType = { kind: 'function', name: '', size: 0, parameters };
    let retName = '';
    if (ret !== 0 && ret !== 0x03) {
      t.returnType = ret;
      const r = this.type(ret).name;
      if (r !== '()') retName = ` -> ${r}`;
    }
    t.name = `fn(${names.join(', ')})${retName}`;
    return t;
  }

  private aggregate(h: UdtHeader): RustType {
    const name = udtRustName(h);
    if (h.leaf === Leaf.LF_ENUM) {
      const enumerators = this.fieldList(h.fieldList)
        .filter((e) => e.leaf === Leaf.LF_ENUMERATE)
        .map((e) => ({ name: e.name, value: e.value ?? 0n }));
      const under = this.type(h.underlying);
      return { kind: 'cEnum', name, size: under.size, enumerators, underlying: h.underlying };
    }
    if (h.props & PROP_FORWARD_REF) {
      // Declared but never defined in this PDB (an opaque type): known by name only.
      return { kind: h.leaf === Leaf.LF_UNION ? 'union' : 'struct', name, size: 0, fields: [] };
    }
    const entries = this.fieldList(h.fieldList);
    let t: RustType;
    if (h.leaf === Leaf.LF_UNION && h.name.startsWith('enum2$<')) t = this.enum2(h, name, entries);
    else if (h.leaf === Leaf.LF_UNION && h.name.startsWith('enum$<')) t = this.enum1(h, name, entries);
    else t = this.struct(h, name, entries);
    const args = genericArguments(name);
    if (args.length > 0) t.typeArguments = args.map((a) => ({ name: a, type: this.findTypeQuietly(a) }));
    return t;
  }

  private struct(h: UdtHeader, name: string, entries: FieldListEntry[]): RustType {
    const fields: FieldLayout[] = [];
    for (const e of entries) {
      if (e.leaf === Leaf.LF_MEMBER) fields.push(this.field(e));
      else if (e.leaf === Leaf.LF_BCLASS) fields.push({ name: '<base>', offset: e.offset, type: e.type });
    }
    if (h.name.startsWith('tuple$<')) {
      // rustc lists a tuple's fields in memory order; the model wants declaration order (__0, __1...).
      const idx = (f: FieldLayout) => (/^__(\d+)$/.test(f.name) ? Number(f.name.slice(2)) : Infinity);
      fields.sort((a, b) => idx(a) - idx(b));
    }
    for (const f of fields) if (f.name === 'data_ptr' || f.name === 'pointer') f.type = this.rawPointer(f.type);
    // rustc before 1.60 wrote `char` as a 4-byte DW_ATE_unsigned_char, for which LLVM's CodeView writer had no
    // type: the member has none. Four bytes up to the next member (or the end) is a `char`.
    for (const f of fields) {
      if (f.type !== 0 || f.bitSize !== undefined) continue;
      const next = Math.min(h.size, ...fields.filter((g) => g.offset > f.offset).map((g) => g.offset));
      if (next - f.offset === 4) f.type = 0x7b;
    }
    return { kind: h.leaf === Leaf.LF_UNION ? 'union' : 'struct', name, size: h.size, fields };
  }

  /**
   * The raw pointer fields rustc's own types are made of (`data_ptr` of `&str`/`&[T]`, `pointer` of `NonNull<T>`
   * and of `&dyn` pairs) are `*const T`, as DWARF names them; CodeView's LF_POINTER alone reads as `&T`.
   */
  private rawPointer(ref: TypeRef): TypeRef {
    let t: RustType;
    try {
      t = this.type(ref);
    } catch (e) {
      if (e instanceof TypeReadError) return ref; // the field's type fails when the formatter follows it
      throw e;
    }
    if (t.kind !== 'pointer' || t.pointerKind !== 'ref' || t.pointee === undefined) return ref;
    const name = `*const ${t.name.slice(1)}`;
    const key = typeNameKey(name);
    return this.syntheticByKey.get(key) ?? this.makeSynthetic(key, { ...t, name, pointerKind: 'const' });
  }

  private findTypeQuietly(name: string): TypeRef | undefined {
    // A generic argument that is a const (`4`) or a lifetime names no type.
    if (/^(-?\d+|'.*|true|false)$/.test(name)) return undefined;
    try {
      return this.findType(name);
    } catch (e) {
      if (e instanceof SymbolReadError || e instanceof TypeReadError) return undefined;
      throw e;
    }
  }

  private field(e: FieldListEntry): FieldLayout {
    const f: FieldLayout = { name: e.name, offset: e.offset, type: e.type };
    if (e.type >= 0x1000) {
      const rec = this.tpi?.record(e.type);
      if (rec && rec.kind === Leaf.LF_BITFIELD) {
        f.type = rec.data.u32();
        f.bitSize = rec.data.u8();
        f.bitOffset = rec.data.u8();
      }
    }
    return f;
  }

  /**
   * rustc ≥ 1.65's encoding: a union `enum2$<T>` of `variant0..N` (structs `Variant{i}` holding `value`, the variant's
   * fields, and static `NAME`, `DISCR_EXACT` or `DISCR_BEGIN`/`DISCR_END`, 128-bit tags as `DISCR128_*_LO/_HI`) beside
   * `tag` or `tag128_lo`/`tag128_hi`. The statics' values are S_CONSTANT records named `enum2$<T>::Variant{i}::DISCR_EXACT`.
   */
  private enum2(h: UdtHeader, name: string, entries: FieldListEntry[]): RustType {
    const t: RustType = { kind: 'enum', name, size: h.size, variants: [] };
    const tag = entries.find((e) => e.leaf === Leaf.LF_MEMBER && e.name === 'tag');
    const lo = entries.find((e) => e.leaf === Leaf.LF_MEMBER && e.name === 'tag128_lo');
    if (tag) t.discriminant = { offset: tag.offset, size: this.type(tag.type).size, signed: false };
    else if (lo) t.discriminant = { offset: lo.offset, size: 16, signed: false };
    const max = tagMax(t);
    const variants = entries.filter((e) => e.leaf === Leaf.LF_MEMBER && /^variant\d+$/.test(e.name));
    for (const v of variants) {
      const vh = this.udt(v.type);
      const inner = this.fieldList(vh.fieldList);
      const value = inner.find((e) => e.leaf === Leaf.LF_MEMBER && e.name === 'value');
      let variantName = v.name;
      let type = v.type;
      let offset = v.offset;
      if (value) {
        type = value.type;
        offset += value.offset;
        const valueName = this.rawName(value.type);
        if (valueName?.startsWith(`${h.name}::`)) variantName = valueName.slice(h.name.length + 2);
      }
      // Only the statics the variant declares are looked up (a single variant's tag is a static of the enum).
      const declared = new Set(inner.filter((e) => e.leaf === Leaf.LF_STMEMBER).map((e) => e.name));
      const c = (suffix: string) => (t.discriminant && declared.has(suffix) ? this.constant(`${vh.name}::${suffix}`) : undefined);
      const wide = (what: string) => {
        const l = c(`DISCR128_${what}_LO`);
        const hi = c(`DISCR128_${what}_HI`);
        return l === undefined || hi === undefined ? undefined : (BigInt.asUintN(64, hi) << 64n) | BigInt.asUintN(64, l);
      };
      const exact = c('DISCR_EXACT') ?? wide('EXACT');
      const begin = c('DISCR_BEGIN') ?? wide('BEGIN');
      const end = c('DISCR_END') ?? wide('END');
      let rule: VariantLayout['rule'] = { kind: 'default' };
      if (!t.discriminant) rule = { kind: 'default' };
      else if (exact !== undefined) rule = { kind: 'values', values: [BigInt.asUintN(128, exact) & max] };
      else if (begin !== undefined && end !== undefined) rule = rangeRule(begin & max, end & max, max);
      t.variants!.push({ name: variantName, type, offset, rule });
    }
    // rustc writes the dataful variant's range as min..max of the niche's valid range, which loses a valid range
    // that wraps (254..=0 becomes 0..=254). A wrapping one is known by the other variants' niche values lying
    // inside it (niche values are outside the valid range by definition): then the range is really max..=0.
    const exact = t.variants!.flatMap((v) => (v.rule.kind === 'values' ? v.rule.values : []));
    for (const v of t.variants!) {
      if (v.rule.kind !== 'ranges' || v.rule.ranges.length !== 1) continue;
      const [lo, hi] = v.rule.ranges[0];
      if (exact.some((x) => x > lo && x < hi)) v.rule = rangeRule(hi, lo, max);
    }
    return t;
  }

  /**
   * rustc ≤ 1.64's encoding: a union `enum$<T>` of `variant0..N` (structs `enum$<T>::Name`) and `discriminant`, a
   * C-like enum whose enumerators name the variants with their tag values; or, for a niche layout,
   * `enum$<T, min, max, Dataful>` holding `dataful_variant` (selected while the niche is in [min, max]) and
   * `discriminant` at the niche, whose enumerators give the other (field-less) variants' niche values.
   */
  private enum1(h: UdtHeader, name: string, entries: FieldListEntry[]): RustType {
    const t: RustType = { kind: 'enum', name, size: h.size, variants: [] };
    const disc = entries.find((e) => e.leaf === Leaf.LF_MEMBER && e.name === 'discriminant');
    const enumerators = new Map<string, bigint>();
    if (disc) {
      const dt = this.type(disc.type);
      // LLVM before 15 wrote 128-bit enumerators cut to 64 bits: only the tag's low half can be compared.
      t.discriminant = { offset: disc.offset, size: Math.min(dt.size, 8), signed: false };
      if (dt.kind === 'cEnum') for (const e of dt.enumerators ?? []) enumerators.set(e.name, e.value);
    }
    const max = tagMax(t);
    const unsigned = (v: bigint) => BigInt.asUintN(8 * (t.discriminant?.size ?? 8), v);
    const args = genericArguments(h.name);
    const dataful = entries.find((e) => e.leaf === Leaf.LF_MEMBER && e.name === 'dataful_variant');
    if (args.length >= 4 && dataful) {
      let lo: bigint;
      let hi: bigint;
      try {
        lo = BigInt(args[1]);
        hi = BigInt(args[2]);
      } catch {
        throw new FormatError(`the niche range in the enum name ${h.name} is not a pair of integers`);
      }
      t.variants!.push({ name: args[3], type: dataful.type, offset: dataful.offset, rule: t.discriminant ? rangeRule(lo & max, hi & max, max) : { kind: 'default' } });
      for (const [variant, value] of enumerators) {
        // A niche variant has no fields, so rustc writes no struct for it: an empty one of the enum's size stands in.
        const type = this.makeSynthetic(undefined, { kind: 'struct', name: `${name}::${variant}`, size: h.size, fields: [] });
        t.variants!.push({ name: variant, type, offset: 0, rule: { kind: 'values', values: [unsigned(value)] } });
      }
      return t;
    }
    // Direct tags: `variant0..N`; a single variant (`enum$<T, Only>`): one member named after it, no discriminant.
    const members = entries.filter((e) => e.leaf === Leaf.LF_MEMBER && e.name !== 'discriminant');
    for (const v of members) {
      const raw = this.rawName(v.type);
      const variantName = raw?.startsWith(`${h.name}::`) ? raw.slice(h.name.length + 2) : v.name;
      const value = enumerators.get(variantName);
      const rule: VariantLayout['rule'] = value === undefined || !t.discriminant ? { kind: 'default' } : { kind: 'values', values: [unsigned(value)] };
      t.variants!.push({ name: variantName, type: v.type, offset: v.offset, rule });
    }
    return t;
  }

  /** The MSVC name of a UDT record, or undefined for other records. */
  private rawName(index: number): string | undefined {
    const rec = this.tpi?.record(index);
    if (!rec || !isUdtLeaf(rec.kind)) return undefined;
    return readUdtHeader(index, rec.kind, rec.data).name;
  }

  // ---- symbols ----

  /** The value of an S_CONSTANT by its MSVC name: the globals stream, then (once) every module stream. */
  /** Globals records by their exact name through the hash table; empty when it has none or cannot be read. */
  private globalsNamed(name: string): Array<{ kind: number; data: ByteReader }> {
    try {
      return this.pdb.globalsNamed(name) ?? [];
    } catch (e) {
      if (!(e instanceof SymbolReadError)) throw e;
      return [];
    }
  }

  private constant(name: string): bigint | undefined {
    const rec = this.globalsNamed(name).find((r) => r.kind === S_CONSTANT);
    if (rec) {
      rec.data.u32();
      return readNumeric(rec.data);
    }
    // No hash table, or the constant is not in it: every global, then (once) every module stream.
    const g = this.globalData();
    const v = g.constants.get(name);
    if (v !== undefined || this.moduleConstantsRead) return v;
    this.moduleConstantsRead = true;
    for (let i = 0; i < this.pdb.modules.length; i++) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = this.pdb.moduleSymbolBytes(i);
      } catch (e) {
        if (e instanceof SymbolReadError) continue;
        throw e;
      }
      if (!bytes) continue;
      const r = new ByteReader(bytes.subarray(0, this.pdb.modules[i].symBytes), `PDB ${this.pdb.fileName} module ${i}`, 4);
      while (r.remaining >= 4) {
        const at = r.pos;
        const len = r.u16();
        if (len < 2 || len > r.remaining) break;
        const kind = r.u16();
        if (kind === S_CONSTANT) {
          const d = new ByteReader(r.bytes.subarray(r.pos, at + 2 + len), r.what, 0, r.pos);
          try {
            d.u32();
            const value = readNumeric(d);
            const cname = d.cstr();
            if (!g.constants.has(cname)) g.constants.set(cname, value);
          } catch (e) {
            if (!(e instanceof SymbolReadError)) throw e;
          }
        }
        r.pos = at + 2 + len;
      }
    }
    return g.constants.get(name);
  }

  private globalData(): GlobalData {
    if (this.globals) return this.globals;
    const g: GlobalData = { constants: new Map(), data: new Map(), byRva: new Map() };
    this.globals = g;
    let records: Array<{ kind: number; data: ByteReader }>;
    try {
      records = this.pdb.globalSymbols();
    } catch (e) {
      if (e instanceof SymbolReadError) return g; // no constants: enum rules fall back to default variants
      throw e;
    }
    for (const { kind, data } of records) {
      try {
        if (kind === S_CONSTANT) {
          data.u32();
          const value = readNumeric(data);
          g.constants.set(data.cstr(), value);
        } else if (kind === S_GDATA32 || kind === S_LDATA32) {
          const type = data.u32();
          const offset = data.u32();
          const segment = data.u16();
          const name = data.cstr();
          const rva = this.pdb.rva(segment, offset, this.image.sections);
          if (rva === undefined) continue;
          const key = typeNameKey(msvcToRust(name));
          if (!g.data.has(key)) g.data.set(key, { type, rva, name });
          const list = g.byRva.get(rva);
          if (list) list.push(name);
          else g.byRva.set(rva, [name]);
        }
      } catch (e) {
        if (!(e instanceof SymbolReadError)) throw e;
      }
    }
    try {
      for (const p of this.pdb.readPublics()) {
        const rva = this.pdb.rva(p.segment, p.offset, this.image.sections);
        if (rva === undefined) continue;
        const list = g.byRva.get(rva);
        if (list) list.push(p.name);
        else g.byRva.set(rva, [p.name]);
      }
    } catch (e) {
      if (!(e instanceof SymbolReadError)) throw e;
    }
    return g;
  }
}

const SCOPE_SEGMENT = /\b(impl|closure|closure_env|async_block|async_fn|generator|coroutine)\$(\d+)/g;

/**
 * The part of an MSVC type name that its Rust name starts with, cheaply: the path before any generic arguments,
 * inside `enum$<…>`/`enum2$<…>`, with rustc 1.64's `str` and `slice$<T>` (`&str`, `&[T]`) and `ref$`/`ref_mut$`
 * alike under `ref$`. rustNameBase gives the same for a Rust name.
 */
function msvcNameBase(raw: string): string {
  let n = raw;
  if (n.startsWith('enum2$<') || n.startsWith('enum$<')) n = n.slice(n.indexOf('<') + 1);
  if (n === 'str' || n.startsWith('slice$<') || n.startsWith('ref_mut$<')) return 'ref$';
  const end = n.search(/[<,>]/);
  n = (end < 0 ? n : n.slice(0, end)).trim();
  return n.includes('$') ? n.replace(SCOPE_SEGMENT, '{$1#$2}') : n;
}

function rustNameBase(key: string): string {
  if (key.startsWith('&')) return 'ref$';
  if (key.startsWith('(')) return 'tuple$';
  if (key.startsWith('*const ')) return 'ptr_const$';
  if (key.startsWith('*mut ')) return 'ptr_mut$';
  if (key.startsWith('dyn ')) return 'dyn$';
  if (key.startsWith('[')) return 'slice2$';
  const end = key.indexOf('<');
  return end < 0 ? key : key.slice(0, end);
}

/** A UDT's Rust name: rustc ≤ 1.64 named the `&str` fat pointer struct plain `str` (and `&[T]` `slice$<T>`, which msvcToRust knows). */
function udtRustName(h: UdtHeader): string {
  if (h.name === 'str' && h.leaf !== Leaf.LF_ENUM) return '&str';
  return msvcToRust(h.name);
}

/** The largest value of an enum's tag; a tag that is not a 1- to 16-byte integer is corrupt. */
function tagMax(t: RustType): bigint {
  const d = t.discriminant;
  if (!d) return 0n;
  if (![1, 2, 4, 8, 16].includes(d.size)) throw new FormatError(`the enum's tag is ${d.size} bytes, not an integer of 1 to 16 bytes`);
  return (1n << BigInt(8 * d.size)) - 1n;
}

/** An inclusive range rule; a range that wraps past the tag's largest value (begin > end) becomes two. */
function rangeRule(begin: bigint, end: bigint, max: bigint): VariantLayout['rule'] {
  if (begin <= end) return { kind: 'ranges', ranges: [[begin, end]] };
  return { kind: 'ranges', ranges: [[begin, max], [0n, end]] };
}

/**
 * Opens the type table of a Windows image: finds its PDB as the symbol loader does (beside the image, at the
 * debug-directory path, in `searchPaths`), checks GUID and age, and reads nothing else until a type is asked for.
 * The caller caches the table per module (per worker) and closes it (the PDB stays open for the types read later).
 * `image`: the image already read, when the caller has it.
 */
export function openPdbTypeTable(pePath: string, searchPaths: string[] = [], image?: PeImage): PdbTypeTable {
  try {
    if (!image) {
      let bytes: Uint8Array;
      try {
        bytes = fs.readFileSync(pePath);
      } catch (e) {
        throw new TypeReadError(`cannot read the image: ${(e as Error).message}`, pePath);
      }
      image = readPe(bytes, pePath);
    }
    if (!image.codeView) throw new TypeReadError('the image names no PDB (no CodeView debug directory), so it has no types; build with debug info', pePath);
    const { pdb } = locatePdb(pePath, image.codeView, searchPaths, (p) => (fs.existsSync(p) ? fileSource(p) : undefined));
    return new PdbTypeTable(pdb, image, pePath);
  } catch (e) {
    if (e instanceof SymbolReadError) throw new TypeReadError(e.message, pePath);
    throw e;
  }
}
