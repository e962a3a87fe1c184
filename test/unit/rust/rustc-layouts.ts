// Type tables built by hand exactly as rustc 1.95 and 1.63 lay std types out in DWARF (checked with llvm-dwarfdump-19), and memory images to put values in.
import type { DiscriminantRule, FieldLayout, FrameVariable, RustType, TypeRef, TypeTable } from '../../../src/symbols/type-model';
import type { FetchMemory } from '../../../src/rust/values/memory-reader';

export type Rustc = '1.95' | '1.63';

/** A TypeTable whose types the test adds; names and offsets follow what rustc emits. */
export class HandTypes implements TypeTable {
  readonly module = 'hand-built';
  readonly pointerSize = 8;
  private readonly types: RustType[] = [];
  private readonly names = new Map<string, TypeRef>();
  locals: FrameVariable[] = [];
  vtables = new Map<number, TypeRef>();

  constructor(readonly rustc: Rustc = '1.95') {}

  get parsedTypes(): number {
    return this.types.length;
  }

  type(ref: TypeRef): RustType {
    const t = this.types[ref];
    if (!t) throw new Error(`no type ${ref}`);
    return t;
  }

  findType(name: string): TypeRef | undefined {
    return this.names.get(name);
  }

  frameVariables(): FrameVariable[] {
    return this.locals;
  }

  vtableType(address: number): TypeRef | undefined {
    return this.vtables.get(address);
  }

  add(t: RustType): TypeRef {
    const existing = this.names.get(t.name);
    if (existing !== undefined && t.kind !== 'struct') return existing;
    this.types.push(t);
    const ref = this.types.length - 1;
    if (!this.names.has(t.name)) this.names.set(t.name, ref);
    return ref;
  }

  prim(name: string): TypeRef {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    const m = /^([iuf])(\d+|size)$/.exec(name);
    if (m) {
      const size = m[2] === 'size' ? 8 : Number(m[2]) / 8;
      return this.add({ kind: m[1] === 'f' ? 'float' : 'int', name, size, signed: m[1] === 'i' });
    }
    if (name === 'bool') return this.add({ kind: 'bool', name, size: 1 });
    if (name === 'char') return this.add({ kind: 'char', name, size: 4 });
    if (name === '()') return this.add({ kind: 'struct', name, size: 0, fields: [] });
    throw new Error(`not a primitive: ${name}`);
  }

  struct(name: string, size: number, fields: Array<[string, number, TypeRef]>, typeArguments?: TypeRef[]): TypeRef {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    return this.add({
      kind: 'struct',
      name,
      size,
      fields: fields.map(([n, offset, type]): FieldLayout => ({ name: n, offset, type })),
      typeArguments: typeArguments?.map((type) => ({ name: this.type(type).name, type })),
    });
  }

  pointer(pointee: TypeRef, name: string, pointerKind?: RustType['pointerKind']): TypeRef {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    return this.add({ kind: 'pointer', name, size: 8, pointee, pointerKind });
  }

  nonNull(t: TypeRef): TypeRef {
    const n = this.type(t).name;
    return this.struct(`core::ptr::non_null::NonNull<${n}>`, 8, [['pointer', 0, this.pointer(t, `*const ${n}`, 'const')]], [t]);
  }

  unique(t: TypeRef): TypeRef {
    const n = this.type(t).name;
    return this.struct(`core::ptr::unique::Unique<${n}>`, 8, [['pointer', 0, this.nonNull(t)]], [t]);
  }

  global(): TypeRef {
    return this.struct('alloc::alloc::Global', 0, []);
  }

  enumType(name: string, size: number, discriminant: { offset: number; size: number } | undefined, variants: Array<{ name: string; rule: DiscriminantRule; fields: Array<[string, number, TypeRef]> }>): TypeRef {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    return this.add({
      kind: 'enum',
      name,
      size,
      discriminant: discriminant ? { ...discriminant, signed: false } : undefined,
      variants: variants.map((v) => ({ name: v.name, offset: 0, rule: v.rule, type: this.add({ kind: 'struct', name: `${name}::${v.name}`, size, fields: v.fields.map(([n, offset, type]) => ({ name: n, offset, type })) }) })),
    });
  }

  array(element: TypeRef, count: number): TypeRef {
    const e = this.type(element);
    return this.add({ kind: 'array', name: `[${e.name}; ${count}]`, size: e.size * count, element, count });
  }

  /** RawVec<T>: 1.95 wraps an untyped RawVecInner { ptr: Unique<u8> @8, cap: UsizeNoHighBit @0 }; 1.63 has ptr: Unique<T> @0, cap: usize @8. */
  rawVec(t: TypeRef): TypeRef {
    const n = this.type(t).name;
    const usize = this.prim('usize');
    if (this.rustc === '1.63') return this.struct(`alloc::raw_vec::RawVec<${n}, alloc::alloc::Global>`, 16, [['ptr', 0, this.unique(t)], ['cap', 8, usize], ['alloc', 0, this.global()]], [t, this.global()]);
    const cap = this.struct('core::num::niche_types::UsizeNoHighBit', 8, [['__0', 0, usize]]);
    const inner = this.struct('alloc::raw_vec::RawVecInner<alloc::alloc::Global>', 16, [['ptr', 8, this.unique(this.prim('u8'))], ['cap', 0, cap], ['alloc', 16, this.global()]], [this.global()]);
    return this.struct(`alloc::raw_vec::RawVec<${n}, alloc::alloc::Global>`, 16, [['inner', 0, inner]], [t, this.global()]);
  }

  vec(t: TypeRef): TypeRef {
    const n = this.type(t).name;
    return this.struct(`alloc::vec::Vec<${n}, alloc::alloc::Global>`, 24, [['buf', 0, this.rawVec(t)], ['len', 16, this.prim('usize')]], [t, this.global()]);
  }

  string(): TypeRef {
    return this.struct('alloc::string::String', 24, [['vec', 0, this.vec(this.prim('u8'))]]);
  }

  str(): TypeRef {
    return this.struct('&str', 16, [['data_ptr', 0, this.pointer(this.prim('u8'), '*const u8')], ['length', 8, this.prim('usize')]]);
  }

  slice(t: TypeRef): TypeRef {
    const n = this.type(t).name;
    return this.struct(`&[${n}]`, 16, [['data_ptr', 0, this.pointer(t, `*const ${n}`)], ['length', 8, this.prim('usize')]]);
  }

  /** Option<T> with a niche in T at offset 0 (String's capacity on 1.95, its pointer on 1.63), `none` the niche value. */
  nicheOption(t: TypeRef, none: bigint, tagSize = 8): TypeRef {
    const n = this.type(t).name;
    const size = this.type(t).size;
    return this.enumType(`core::option::Option<${n}>`, size, { offset: 0, size: tagSize }, [
      { name: 'None', rule: { kind: 'values', values: [none] }, fields: [] },
      { name: 'Some', rule: { kind: 'default' }, fields: [['__0', 0, t]] },
    ]);
  }

  /** Option<T> with a tag byte before T (Option<u8>: tag @0, value @1). */
  taggedOption(t: TypeRef, valueOffset: number): TypeRef {
    const n = this.type(t).name;
    const size = valueOffset + this.type(t).size;
    return this.enumType(`core::option::Option<${n}>`, size, { offset: 0, size: 1 }, [
      { name: 'None', rule: { kind: 'values', values: [0n] }, fields: [] },
      { name: 'Some', rule: { kind: 'values', values: [1n] }, fields: [['__0', valueOffset, t]] },
    ]);
  }

  tuple(elements: Array<[number, TypeRef]>, size: number): TypeRef {
    const name = `(${elements.map(([, t]) => this.type(t).name).join(', ')})`;
    return this.struct(
      name,
      size,
      elements.map(([offset, t], i) => [`__${i}`, offset, t]),
    );
  }

  /** std HashMap<K, V> over hashbrown (1.95: ctrl @0, bucket_mask @8; 1.63: bucket_mask @0, ctrl @8, hash_builder first). */
  hashMap(k: TypeRef, v: TypeRef, entrySize: number, keyOffset: number, valueOffset: number): TypeRef {
    const kn = this.type(k).name;
    const vn = this.type(v).name;
    const entry = this.tuple(
      [
        [keyOffset, k],
        [valueOffset, v],
      ],
      entrySize,
    );
    const usize = this.prim('usize');
    const ctrl = this.nonNull(this.prim('u8'));
    const old = this.rustc === '1.63';
    const inner = old
      ? this.struct('hashbrown::raw::RawTableInner<alloc::alloc::Global>', 32, [['bucket_mask', 0, usize], ['ctrl', 8, ctrl], ['growth_left', 16, usize], ['items', 24, usize]])
      : this.struct('hashbrown::raw::RawTableInner', 32, [['bucket_mask', 8, usize], ['ctrl', 0, ctrl], ['growth_left', 16, usize], ['items', 24, usize]]);
    const raw = this.struct(`hashbrown::raw::RawTable<${this.type(entry).name}, alloc::alloc::Global>`, 32, [['table', 0, inner]], [entry, this.global()]);
    const state = this.struct('std::hash::random::RandomState', 16, [['k0', 0, this.prim('u64')], ['k1', 8, this.prim('u64')]]);
    const args = `${kn}, ${vn}, std::hash::random::RandomState, alloc::alloc::Global`;
    const base = this.struct(`hashbrown::map::HashMap<${args}>`, 48, old ? [['hash_builder', 0, state], ['table', 16, raw]] : [['hash_builder', 32, state], ['table', 0, raw]], [k, v, state, this.global()]);
    return this.struct(`std::collections::hash::map::HashMap<${args}>`, 48, [['base', 0, base]], [k, v, state, this.global()]);
  }

  /** BTreeMap<K, V> of 1.95 with its LeafNode/InternalNode (keys @8, vals after, parent_idx/len at the end). */
  btreeMap(k: TypeRef, v: TypeRef): { map: TypeRef; leafSize: number; keys: number; vals: number; len: number; edges: number } {
    const kn = this.type(k).name;
    const vn = this.type(v).name;
    const ks = this.type(k).size;
    const vs = this.type(v).size;
    const usize = this.prim('usize');
    const keys = 8;
    const vals = keys + 11 * ks;
    const parentIdx = Math.ceil((vals + 11 * vs) / 2) * 2;
    const len = parentIdx + 2;
    const leafSize = Math.ceil((len + 2) / 8) * 8;
    const leaf = this.add({ kind: 'struct', name: `alloc::collections::btree::node::LeafNode<${kn}, ${vn}>`, size: leafSize, fields: [] });
    const leafType = this.type(leaf);
    leafType.fields = [
      { name: 'parent', offset: 0, type: usize },
      { name: 'parent_idx', offset: parentIdx, type: this.prim('u16') },
      { name: 'len', offset: len, type: this.prim('u16') },
      { name: 'keys', offset: keys, type: this.array(k, 11) },
      { name: 'vals', offset: vals, type: this.array(v, 11) },
    ];
    const nodeRef = this.struct(`alloc::collections::btree::node::NodeRef<alloc::collections::btree::node::marker::Owned, ${kn}, ${vn}, alloc::collections::btree::node::marker::LeafOrInternal>`, 16, [
      ['height', 8, usize],
      ['node', 0, this.nonNull(leaf)],
    ]);
    const root = this.nicheOption(nodeRef, 0n);
    const map = this.struct(`alloc::collections::btree::map::BTreeMap<${kn}, ${vn}, alloc::alloc::Global>`, 24, [['root', 0, root], ['length', 16, usize]], [k, v, this.global()]);
    return { map, leafSize, keys, vals, len, edges: leafSize };
  }
}

/** A sparse little-endian memory image: allocations from a heap, written by the test, read through FetchMemory. */
export class MemoryImage {
  private readonly pages = new Map<number, Uint8Array>();
  private next = 0x10000;
  /** Byte ranges that cannot be read (to model unmapped memory inside the heap). */
  readonly holes: Array<[number, number]> = [];
  requests: Array<{ address: number; count: number }> = [];

  alloc(size: number, align = 8): number {
    this.next = Math.ceil(this.next / align) * align;
    const at = this.next;
    this.next += Math.max(size, 1);
    for (let p = Math.floor(at / 4096); p <= Math.floor((at + Math.max(size, 1) - 1) / 4096); p++) if (!this.pages.has(p)) this.pages.set(p, new Uint8Array(4096));
    return at;
  }

  write(address: number, bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) {
      const a = address + i;
      let page = this.pages.get(Math.floor(a / 4096));
      if (!page) {
        page = new Uint8Array(4096);
        this.pages.set(Math.floor(a / 4096), page);
      }
      page[a % 4096] = bytes[i];
    }
  }

  int(address: number, value: bigint | number, size: number): void {
    let v = BigInt.asUintN(size * 8, BigInt(value));
    const bytes: number[] = [];
    for (let i = 0; i < size; i++, v >>= 8n) bytes.push(Number(v & 0xffn));
    this.write(address, bytes);
  }

  u64(address: number, value: bigint | number): void {
    this.int(address, value, 8);
  }

  f32(address: number, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.write(address, b);
  }

  f64(address: number, value: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.write(address, b);
  }

  bytesOf(text: string): number {
    const bytes = new TextEncoder().encode(text);
    const at = this.alloc(bytes.length, 1);
    this.write(at, bytes);
    return at;
  }

  /** A String (1.95: cap @0, ptr @8, len @16; 1.63: ptr @0, cap @8, len @16) at a new address. */
  string(text: string, rustc: Rustc = '1.95', at = this.alloc(24)): number {
    const bytes = new TextEncoder().encode(text);
    const ptr = bytes.length ? this.bytesOf(text) : 1;
    this.vecAt(at, ptr, bytes.length, bytes.length, rustc);
    return at;
  }

  vecAt(at: number, ptr: number, len: number, cap: number, rustc: Rustc = '1.95'): void {
    if (rustc === '1.63') {
      this.u64(at, ptr);
      this.u64(at + 8, cap);
    } else {
      this.u64(at, cap);
      this.u64(at + 8, ptr);
    }
    this.u64(at + 16, len);
  }

  readonly fetch: FetchMemory = async (address, count) => {
    this.requests.push({ address, count });
    const out = new Uint8Array(count);
    let n = 0;
    for (; n < count; n++) {
      const a = address + n;
      if (this.holes.some(([from, to]) => a >= from && a < to)) break;
      const page = this.pages.get(Math.floor(a / 4096));
      if (!page) break;
      out[n] = page[a % 4096];
    }
    return { bytes: out.subarray(0, n) };
  };
}
