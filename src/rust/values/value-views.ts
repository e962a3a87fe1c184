// What a Rust value is made of, from its type layout and raw memory: std's layouts (Vec, String, HashMap, BTreeMap, Rc...) recognised by name and fields, everything else by its kind.
import type { FieldLayout, RustType, TypeRef, TypeTable } from '../../symbols/type-model';
import { selectVariant } from '../../symbols/type-model';
import { genericArguments } from '../rust-types';
import { charText, durationText, floatText, integerText, readInteger } from './debug-text';
import { MemoryError, type MemoryReader } from './memory-reader';

/** A value in the program: its type and where it lives (or its bytes, for a value lldb gave us directly). */
export interface Place {
  type: TypeRef;
  address: number;
  /** The value's own bytes when it is not in memory we can read (a pointer lldb-dap dereferenced for us). */
  bytes?: Uint8Array;
  /** An expression our evaluator accepts for this value, for the children's evaluateName. */
  expr?: string;
}

/** A std type whose fields are not what this formatter knows (a newer or older std): shown as plain fields with this note. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

/** A named part of a value: a field with a place, or a fact with only a text (`poisoned: false`, `[strong]`). */
export interface ViewField {
  name: string;
  place?: Place;
  text?: string;
  /** Shown as a child but not in the value's summary (Rc's counts beside the target). */
  childOnly?: boolean;
}

/** An entry of a map or a set (value undefined). */
export interface ViewEntry {
  key: Place;
  value?: Place;
}

/**
 * How a value is shown. `leaf`: text only. `seq`: indexed children and `[a, b]` (or `{a, b}` for sets and `len=` cut);
 * `map`: entries named by key; `fields`: `Name { a: 1 }` / `Name(1)` / `(1, 2)`; `deref`: a pointer shown as its target.
 */
export type View =
  | { kind: 'leaf'; text: string }
  | { kind: 'text'; ptr: number; len: number; encoding: TextEncoding }
  | { kind: 'seq'; len: number; item(i: number): Promise<Place>; braces?: boolean; extras?: ViewField[] }
  | { kind: 'map'; len: number; entries(start: number, count: number): Promise<ViewEntry[]>; set: boolean }
  | {
      kind: 'fields';
      name: string;
      style: 'struct' | 'tuple' | 'unit';
      fields: ViewField[];
      /** Rust's `..` at the end (`Mutex { data: 1, poisoned: false, .. }`). */
      etc?: boolean;
      /** Why std's layout was not used, shown after the plain fields. */
      note?: string;
      /** The summary when it is not built from the fields (Duration's `1.5s`). */
      text?: string;
      /** Ranges print `start..end`: the operator, and RangeInclusive's exhausted flag. */
      range?: { op: '..' | '..='; exhausted: boolean };
    }
  | { kind: 'deref'; target: Place; extras: ViewField[]; text?: string };

/** How a text's bytes are decoded: a str (UTF-8), a Unix OsStr/Path (bytes, mostly UTF-8), a Windows OsStr (WTF-8), a CStr. */
export type TextEncoding = 'utf8' | 'os' | 'wtf8' | 'c';

/** Most elements and nodes the walkers visit for one value; a corrupt structure stops here. */
const MAX_WALK = 10_000_000;
/** CAPACITY of a BTreeMap node (2 * B - 1 with B = 6) and a height no real tree reaches. */
const BTREE_CAPACITY = 11;
const BTREE_MAX_HEIGHT = 48;
/** A length whose elements could not fit in user address space is corrupt, whatever the element size. */
const MAX_BYTES = 2 ** 47;

export interface ViewOptions {
  hex: boolean;
  /** Runtime minus link-time address of the module, for vtable lookups. */
  slide: number;
}

/** Builds views of places; one per task, over the task's memory reader. */
export class ValueViews {
  constructor(
    readonly table: TypeTable,
    readonly memory: MemoryReader,
    readonly options: ViewOptions,
  ) {}

  type(ref: TypeRef): RustType {
    return this.table.type(ref);
  }

  async bytes(place: Place, offset: number, size: number): Promise<Uint8Array> {
    if (place.bytes) {
      if (offset + size > place.bytes.length) throw new MemoryError(`value has ${place.bytes.length} bytes, ${offset + size} needed`);
      return place.bytes.subarray(offset, offset + size);
    }
    return this.memory.read(place.address + offset, size);
  }

  async uint(place: Place, offset: number, size: number): Promise<bigint> {
    return readInteger(await this.bytes(place, offset, size), 0, size, false);
  }

  /** A pointer-sized value as a number; a value above 2^53 is no address and fails. */
  async address(place: Place, offset: number): Promise<number> {
    const value = await this.uint(place, offset, this.table.pointerSize);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MemoryError(`invalid pointer 0x${value.toString(16)}`);
    return Number(value);
  }

  /** A field's place (fields of a place with bytes get their slice of the bytes). */
  at(place: Place, field: FieldLayout, expr?: string): Place {
    const size = this.type(field.type).size;
    return {
      type: field.type,
      address: place.address + field.offset,
      bytes: place.bytes?.subarray(field.offset, field.offset + size),
      expr,
    };
  }

  /** The field named `name`, or a LayoutError naming the type and the field. */
  field(type: RustType, name: string): FieldLayout {
    const f = type.fields?.find((x) => x.name === name);
    if (!f) throw new LayoutError(`${type.name} has no field '${name}'`);
    return f;
  }

  optionalField(type: RustType, name: string): FieldLayout | undefined {
    return type.fields?.find((x) => x.name === name);
  }

  /** The thin pointer inside a wrapper (Unique, NonNull, a niche newtype): its value and pointee type. */
  async pointer(place: Place): Promise<{ address: number; pointee?: TypeRef }> {
    let current = place;
    for (let depth = 0; depth < 8; depth++) {
      const type = this.type(current.type);
      if (type.kind === 'pointer') return { address: await this.address(current, 0), pointee: type.pointee };
      if (type.kind !== 'struct') break;
      const inner = ['pointer', 'ptr', '__0', 'inner'].map((n) => this.optionalField(type, n)).find((f) => f !== undefined);
      if (!inner) break;
      current = this.at(current, inner);
    }
    throw new LayoutError(`${this.type(place.type).name} holds no pointer this formatter knows`);
  }

  /** An integer inside newtypes (`Cap(usize)`, `UsizeNoHighBit`, `Cell<usize>`, `AtomicUsize`). */
  async integer(place: Place): Promise<bigint> {
    let current = place;
    for (let depth = 0; depth < 8; depth++) {
      const type = this.type(current.type);
      if (type.kind === 'int') return readInteger(await this.bytes(current, 0, type.size), 0, type.size, type.signed ?? false);
      if (type.kind !== 'struct' || !type.fields || type.fields.length === 0) break;
      const inner = ['__0', 'value', 'v', 'inner'].map((n) => this.optionalField(type, n)).find((f) => f !== undefined) ?? (type.fields.length === 1 ? type.fields[0] : undefined);
      if (!inner) break;
      current = this.at(current, inner);
    }
    throw new LayoutError(`${this.type(place.type).name} holds no integer this formatter knows`);
  }

  /** The place inside single-field wrappers whose first field is `name` (UnsafeCell.value, ManuallyDrop.value). */
  unwrap(place: Place, names: string[]): Place {
    let current = place;
    for (let depth = 0; depth < 6; depth++) {
      const type = this.type(current.type);
      if (type.kind !== 'struct' && type.kind !== 'union') return current;
      const inner = names.map((n) => this.optionalField(type, n)).find((f) => f !== undefined);
      if (!inner) return current;
      current = this.at(current, inner, current.expr);
    }
    return current;
  }

  /** Generic argument `index` of a type: from its template records, else looked up by its name. */
  typeArgument(type: RustType, index: number): TypeRef | undefined {
    const fromRecord = type.typeArguments?.[index]?.type;
    if (fromRecord !== undefined) return fromRecord;
    const name = genericArguments(type.name)[index];
    return name === undefined ? undefined : this.table.findType(name);
  }

  /** What the value is made of. Errors (unreadable memory, unknown layouts) are the caller's to show. */
  async view(place: Place): Promise<View> {
    const type = this.type(place.type);
    switch (type.kind) {
      case 'int': {
        const v = readInteger(await this.bytes(place, 0, type.size), 0, type.size, type.signed ?? false);
        return leaf(integerText(v, type.size, this.options.hex));
      }
      case 'float': {
        const b = await this.bytes(place, 0, type.size);
        const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (type.size === 4) return leaf(floatText(view.getFloat32(0, true), 4));
        if (type.size === 8) return leaf(floatText(view.getFloat64(0, true), 8));
        return leaf(`<f${type.size * 8} 0x${readInteger(b, 0, type.size, false).toString(16)}>`);
      }
      case 'bool': {
        const v = (await this.bytes(place, 0, 1))[0];
        return leaf(v === 0 ? 'false' : v === 1 ? 'true' : `<invalid bool ${v}>`);
      }
      case 'char':
        return leaf(charText(Number(await this.uint(place, 0, 4)), this.options.hex));
      case 'pointer':
        return this.pointerView(place, type);
      case 'array':
        return this.arrayView(place, type);
      case 'cEnum': {
        const underlying = type.underlying !== undefined ? this.type(type.underlying) : undefined;
        const size = underlying?.size ?? type.size;
        const v = readInteger(await this.bytes(place, 0, size), 0, size, underlying?.signed ?? false);
        const e = type.enumerators?.find((x) => x.value === v);
        return leaf(e ? e.name : `<invalid ${shortName(type.name)} discriminant ${v}>`);
      }
      case 'enum':
        return this.enumView(place, type);
      case 'struct':
        return (await this.stdView(place, type)) ?? this.structView(place, type);
      case 'union':
        return { kind: 'fields', name: shortName(type.name), style: 'struct', fields: (type.fields ?? []).map((f) => ({ name: f.name, place: this.at(place, f, member(place.expr, f.name)) })), note: 'union: every field shown' };
      case 'function':
        return leaf(`fn at 0x${place.address.toString(16)}`);
      case 'never':
      case 'opaque':
        return leaf(`<${type.name}: ${type.size} bytes>`);
    }
  }

  private async pointerView(place: Place, type: RustType): Promise<View> {
    const address = await this.address(place, 0);
    const pointee = type.pointee !== undefined ? this.type(type.pointee) : undefined;
    const hexAddress = `0x${address.toString(16)}`;
    if (!pointee || pointee.kind === 'function') return leaf(hexAddress);
    const isBox = /^alloc::boxed::Box</.test(type.name);
    const isRef = type.pointerKind === 'ref' || type.pointerKind === 'refMut' || type.name.startsWith('&');
    if (!isBox && !isRef) {
      // Raw pointers print their address, as Rust's Debug does; the pointee is one child away.
      if (address === 0) return leaf('0x0');
      return { kind: 'deref', target: { type: type.pointee!, address, expr: `*${paren(place.expr)}` }, extras: [], text: hexAddress };
    }
    if (address === 0) throw new MemoryError(`null ${isBox ? 'Box' : 'reference'}`);
    if (pointee.size === 0) return { kind: 'deref', target: { type: type.pointee!, address, expr: place.expr }, extras: [] };
    return { kind: 'deref', target: { type: type.pointee!, address, expr: place.expr }, extras: [] };
  }

  private arrayView(place: Place, type: RustType): View {
    const element = type.element;
    if (element === undefined) throw new LayoutError(`${type.name} has no element type`);
    const size = this.type(element).size;
    const count = type.count ?? 0;
    return { kind: 'seq', len: count, item: async (i) => ({ type: element, address: place.address + i * size, bytes: place.bytes?.subarray(i * size, (i + 1) * size), expr: index(place.expr, i) }) };
  }

  /** Reads the discriminant and picks the active variant; a value matching no variant is reported, never guessed. */
  async activeVariant(place: Place, type: RustType): Promise<{ name: string; type: TypeRef; offset: number } | undefined> {
    const variants = type.variants ?? [];
    if (variants.length === 0) return undefined;
    if (!type.discriminant) {
      if (variants.length === 1) return variants[0];
      throw new LayoutError(`${type.name} has ${variants.length} variants and no discriminant`);
    }
    const d = type.discriminant;
    const value = readInteger(await this.bytes(place, d.offset, d.size), 0, d.size, d.signed);
    const chosen = selectVariant(variants, value);
    if (!chosen) throw new MemoryError(`${shortName(type.name)} has no variant for discriminant ${value}`);
    return chosen;
  }

  private async enumView(place: Place, type: RustType): Promise<View> {
    const variant = await this.activeVariant(place, type);
    if (!variant) return leaf(`<${shortName(type.name)}: no variants>`);
    const variantType = this.type(variant.type);
    const base: Place = { ...place, type: variant.type, address: place.address + variant.offset, bytes: place.bytes?.subarray(variant.offset) };
    const fields = variantType.fields ?? [];
    // Cow shows its content, whichever variant holds it, as Rust's Debug does.
    if (isStd(type.name, 'Cow') && fields.length === 1) return this.transparent(this.at(base, fields[0], place.expr));
    return this.fieldsOf(base, variant.name, fields, place.expr);
  }

  private fieldsOf(place: Place, name: string, fields: FieldLayout[], expr: string | undefined): View {
    const tuple = fields.length > 0 && fields.every((f, i) => f.name === `__${i}`);
    return {
      kind: 'fields',
      name,
      style: fields.length === 0 ? 'unit' : tuple ? 'tuple' : 'struct',
      fields: fields.map((f, i) => {
        const shown = tuple ? String(i) : f.name.replace(/^_ref__/, '');
        return { name: shown, place: this.at(place, f, member(expr, shown)) };
      }),
    };
  }

  structView(place: Place, type: RustType, note?: string): View {
    const fields = type.fields ?? [];
    if (type.name.startsWith('(')) {
      if (fields.length === 0) return leaf('()');
      const v = this.fieldsOf(place, '', fields, place.expr);
      return { ...v, style: 'tuple', ...(note ? { note } : {}) } as View;
    }
    const v = this.fieldsOf(place, shortName(type.name), fields, place.expr);
    return note ? ({ ...v, note } as View) : v;
  }

  /** A value shown as its content (Cow, NonZero, Wrapping): the content's view, with this value's expression. */
  private async transparent(inner: Place): Promise<View> {
    return this.view(inner);
  }

  /** std's types by name, checked against their fields; undefined when the type is not one of them. */
  private async stdView(place: Place, type: RustType): Promise<View | undefined> {
    const fields = type.fields ?? [];
    // Fat pointers: &str, &[T], Box<[T]>, &dyn Trait, &Path...
    if (this.optionalField(type, 'data_ptr') && this.optionalField(type, 'length')) return this.fatPointerView(place, type);
    if (this.optionalField(type, 'pointer') && this.optionalField(type, 'vtable') && /dyn /.test(type.name)) return this.dynView(place, type);
    if (type.name.startsWith('{closure') || /::\{closure[^}]*\}$/.test(type.name)) {
      const v = this.fieldsOf(place, shortName(type.name), fields, place.expr);
      return v;
    }
    const path = stdPath(type.name);
    if (!path) return undefined;
    try {
      return await this.knownStd(place, type, path);
    } catch (err) {
      if (err instanceof LayoutError) return this.structView(place, type, `std layout not recognised: ${err.message}`);
      throw err;
    }
  }

  private async knownStd(place: Place, type: RustType, path: string): Promise<View | undefined> {
    const last = path.slice(path.lastIndexOf('::') + 2);
    const fields = type.fields ?? [];
    const f = (name: string): FieldLayout => this.field(type, name);
    switch (last) {
      case 'String':
      {
        const parts = await this.vecParts(this.at(place, f('vec')));
        return this.textView(parts.ptr, parts.len, 'utf8');
      }
      case 'Vec':
        if (path.endsWith('vec::Vec')) return this.vecView(place, type);
        return undefined;
      case 'PathBuf':
      case 'OsString':
      case 'Buf':
      case 'Wtf8Buf':
        return this.osStringView(place, type);
      case 'CString': {
        const inner = this.at(place, f('inner'));
        const t = this.type(inner.type);
        const ptr = await this.address(inner, this.field(t, 'data_ptr').offset);
        const len = Number(await this.uint(inner, this.field(t, 'length').offset, this.table.pointerSize));
        return this.cStrView(ptr, len);
      }
      case 'VecDeque':
        return this.vecDequeView(place, type);
      case 'BinaryHeap':
        return this.vecView(this.at(place, f('data'), place.expr), this.type(f('data').type));
      case 'LinkedList':
        return this.linkedListView(place, type);
      case 'HashMap':
      case 'HashSet':
        // std's wraps hashbrown's as `base`; programs also use the hashbrown crate itself (same table).
        if (path.startsWith('std::collections') || path.startsWith('hashbrown::')) return this.hashView(place, type, last === 'HashSet', path.startsWith('std::'));
        return undefined;
      case 'BTreeMap':
        return this.btreeView(place, type, false);
      case 'BTreeSet':
        return this.btreeView(this.at(place, f('map'), place.expr), this.type(f('map').type), true);
      case 'Rc':
      case 'Arc':
      case 'Weak':
        return this.rcView(place, type, last === 'Weak');
      case 'Cell': {
        const value = this.unwrap(this.at(place, f('value')), ['value']);
        return { kind: 'fields', name: 'Cell', style: 'struct', fields: [{ name: 'value', place: { ...value, expr: member(place.expr, 'value') } }] };
      }
      case 'RefCell': {
        const borrow = Number(await this.integer(this.at(place, f('borrow'))));
        const value = { ...this.unwrap(this.at(place, f('value')), ['value']), expr: member(place.expr, 'value') };
        const state = borrow === 0 ? 'not borrowed' : borrow > 0 ? `${borrow} shared borrow${borrow === 1 ? '' : 's'}` : 'mutably borrowed';
        return {
          kind: 'fields',
          name: 'RefCell',
          style: 'struct',
          fields: [borrow < 0 ? { name: 'value', text: '<borrowed>', place: value } : { name: 'value', place: value }, { name: '[borrow]', text: state, childOnly: true }],
        };
      }
      case 'Ref':
      case 'RefMut': {
        const value = this.at(place, f('value'));
        const target = await this.pointer(value);
        if (target.pointee === undefined) throw new LayoutError(`${type.name}'s value pointer has no pointee type`);
        return { kind: 'deref', target: { type: target.pointee, address: target.address, expr: place.expr }, extras: [] };
      }
      case 'UnsafeCell':
      case 'SyncUnsafeCell':
        return { kind: 'fields', name: last, style: 'struct', fields: [], etc: true };
      case 'Mutex':
      case 'RwLock':
        if (!this.optionalField(type, 'data')) return undefined;
        return this.lockView(place, type, last);
      case 'OnceCell': {
        const option = this.unwrap(this.at(place, f('inner')), ['value']);
        const optionType = this.type(option.type);
        if (optionType.kind !== 'enum') throw new LayoutError(`${type.name}'s inner is not an Option`);
        const variant = await this.activeVariant(option, optionType);
        const some = variant && variant.name === 'Some' ? this.type(variant.type).fields?.[0] : undefined;
        return {
          kind: 'fields',
          name: 'OnceCell',
          style: 'tuple',
          fields: [some ? { name: '0', place: this.at({ ...option, address: option.address + variant!.offset }, some, place.expr) } : { name: '0', text: '<uninit>' }],
        };
      }
      case 'OnceLock':
        return this.onceLockView(place, type);
      case 'Duration': {
        const secs = await this.integer(this.at(place, f('secs')));
        const nanos = Number(await this.integer(this.at(place, f('nanos'))));
        if (nanos >= 1_000_000_000) throw new MemoryError(`Duration with ${nanos} nanoseconds`);
        return { kind: 'fields', name: 'Duration', style: 'struct', fields: [{ name: 'secs', text: secs.toString() }, { name: 'nanos', text: String(nanos) }], text: durationText(secs, nanos) };
      }
      case 'Range':
      case 'RangeInclusive':
      case 'RangeFrom':
      case 'RangeTo':
      case 'RangeToInclusive':
        return this.rangeView(place, type, last);
      case 'Instant':
      case 'SystemTime':
        return this.timespecView(place, type, last);
      case 'RangeFull':
        return leaf('..');
      case 'NonZero':
      case 'Wrapping':
      case 'Saturating':
        if (fields.length !== 1) throw new LayoutError(`${type.name} has ${fields.length} fields, not 1`);
        return this.view({ ...this.unwrap(this.at(place, fields[0]), ['__0']), expr: place.expr });
      default:
        if (/^NonZero(U|I)(8|16|32|64|128|size)$/.test(last) && fields.length === 1) return this.view({ ...this.unwrap(this.at(place, fields[0]), ['__0']), expr: place.expr });
        return undefined;
    }
  }

  /** Pointer, length and capacity of a Vec, each checked: std's RawVec of 1.63 (ptr, cap) and of 1.8x+ (inner: RawVecInner). */
  async vecParts(place: Place): Promise<{ ptr: number; len: number; cap: number; element?: TypeRef }> {
    const type = this.type(place.type);
    const buf = this.at(place, this.field(type, 'buf'));
    const bufType = this.type(buf.type);
    const innerField = this.optionalField(bufType, 'inner');
    const raw = innerField ? this.at(buf, innerField) : buf;
    const rawType = this.type(raw.type);
    const ptr = await this.pointer(this.at(raw, this.field(rawType, 'ptr')));
    const cap = await this.integer(this.at(raw, this.field(rawType, 'cap')));
    const len = await this.integer(this.at(place, this.field(type, 'len')));
    const element = this.typeArgument(type, 0);
    const elementSize = element !== undefined ? this.type(element).size : 1;
    if (elementSize > 0 && len > cap) throw new MemoryError(`length ${len} exceeds capacity ${cap}`);
    if (len * BigInt(Math.max(elementSize, 1)) > BigInt(MAX_BYTES)) throw new MemoryError(`length ${len} is more than memory can hold`);
    return { ptr: ptr.address, len: Number(len), cap: Number(cap), element };
  }

  private async vecView(place: Place, type: RustType): Promise<View> {
    const parts = await this.vecParts(place);
    const element = parts.element;
    if (element === undefined) throw new LayoutError(`the element type of ${type.name} is not in the debug info`);
    return this.sliceView(parts.ptr, parts.len, element, place.expr);
  }

  sliceView(ptr: number, len: number, element: TypeRef, expr: string | undefined): View {
    const size = this.type(element).size;
    if (len * Math.max(size, 1) > MAX_BYTES) throw new MemoryError(`length ${len} is more than memory can hold`);
    return { kind: 'seq', len, item: async (i) => ({ type: element, address: ptr + i * size, expr: index(expr, i) }) };
  }

  /** UTF-8 text of `len` bytes at `ptr`, read only as far as a summary can show. */
  private textView(ptr: number, len: number, encoding: TextEncoding): View {
    if (len > MAX_BYTES) throw new MemoryError(`text length ${len} is more than memory can hold`);
    if (len > 0 && ptr === 0) throw new MemoryError('null text pointer');
    return { kind: 'text', ptr, len, encoding };
  }

  private async fatPointerView(place: Place, type: RustType): Promise<View | undefined> {
    const ptr = await this.address(place, this.field(type, 'data_ptr').offset);
    const len = Number(await this.uint(place, this.field(type, 'length').offset, this.table.pointerSize));
    const name = type.name;
    const pointee = this.type(this.field(type, 'data_ptr').type).pointee;
    if (/(^|[&*<\s])str(>|,|$)/.test(name) && !name.includes('[')) return this.textView(ptr, len, 'utf8');
    if (/CStr\b/.test(name)) return this.cStrView(ptr, len);
    if (/(Path|OsStr)\b/.test(name)) return this.textView(ptr, len, 'os');
    if (name.includes('[') && pointee !== undefined) {
      if (ptr === 0) throw new MemoryError('null slice pointer');
      return this.sliceView(ptr, len, pointee, place.expr);
    }
    return undefined;
  }

  /** A CStr's length counts its NUL, which Debug leaves out. */
  private cStrView(ptr: number, lenWithNul: number): View {
    return this.textView(ptr, Math.max(0, lenWithNul - 1), 'c');
  }

  private async osStringView(place: Place, type: RustType): Promise<View> {
    // PathBuf { inner: OsString { inner: Buf { inner: Vec<u8> } } } on Unix; Windows' Buf holds a Wtf8Buf { bytes: Vec<u8> }.
    let current = place;
    let windows = false;
    for (let depth = 0; depth < 6; depth++) {
      const t = this.type(current.type);
      if (stdPath(t.name)?.endsWith('vec::Vec')) {
        const parts = await this.vecParts(current);
        return this.textView(parts.ptr, parts.len, windows ? 'wtf8' : 'os');
      }
      if (/Wtf8Buf/.test(t.name)) windows = true;
      const next = this.optionalField(t, 'inner') ?? this.optionalField(t, 'bytes');
      if (!next) break;
      current = this.at(current, next);
    }
    throw new LayoutError(`${type.name} holds no Vec<u8> this formatter knows`);
  }

  private async vecDequeView(place: Place, type: RustType): Promise<View> {
    const element = this.typeArgument(type, 0);
    if (element === undefined) throw new LayoutError(`the element type of ${type.name} is not in the debug info`);
    const size = this.type(element).size;
    const buf = this.at(place, this.field(type, 'buf'));
    const bufType = this.type(buf.type);
    const innerField = this.optionalField(bufType, 'inner');
    const raw = innerField ? this.at(buf, innerField) : buf;
    const rawType = this.type(raw.type);
    const ptr = (await this.pointer(this.at(raw, this.field(rawType, 'ptr')))).address;
    const cap = Number(await this.integer(this.at(raw, this.field(rawType, 'cap'))));
    const head = Number(await this.integer(this.at(place, this.field(type, 'head'))));
    let start: number;
    let len: number;
    const lenField = this.optionalField(type, 'len');
    if (lenField) {
      // Rust 1.67+: head is the first element's slot, len the count.
      start = head;
      len = Number(await this.integer(this.at(place, lenField)));
    } else {
      // Rust 1.66 and older: elements run from tail to head in a power-of-two ring.
      const tail = Number(await this.integer(this.at(place, this.field(type, 'tail'))));
      if (size > 0 && (cap & (cap - 1)) !== 0) throw new MemoryError(`VecDeque capacity ${cap} is not a power of two`);
      start = tail;
      len = size === 0 ? 0 : (head - tail) & (cap - 1);
    }
    if (size > 0 && (len > cap || start >= Math.max(cap, 1))) throw new MemoryError(`VecDeque with head ${start}, length ${len} and capacity ${cap}`);
    return {
      kind: 'seq',
      len,
      item: async (i) => ({ type: element, address: ptr + (size === 0 ? 0 : ((start + i) % cap) * size), expr: index(place.expr, i) }),
    };
  }

  private async linkedListView(place: Place, type: RustType): Promise<View> {
    const len = Number(await this.integer(this.at(place, this.field(type, 'len'))));
    const headField = this.field(type, 'head');
    // head: Option<NonNull<Node<T>>>, a nullable pointer; the Node type comes from the Some variant's pointer.
    const optionType = this.type(headField.type);
    const someVariant = optionType.variants?.find((v) => v.name === 'Some');
    const someField = someVariant ? this.type(someVariant.type).fields?.[0] : undefined;
    if (!someField) throw new LayoutError(`${type.name}'s head is not an Option<NonNull<Node>>`);
    const probe = await this.pointerType(someField.type);
    if (probe === undefined) throw new LayoutError(`${type.name}'s node type is not in the debug info`);
    const node = this.type(probe);
    const next = this.field(node, 'next');
    const element = this.field(node, 'element');
    if (len > MAX_WALK) throw new MemoryError(`length ${len} is more than a list can hold`);
    const nodes: number[] = [];
    const first = await this.address(place, headField.offset);
    return {
      kind: 'seq',
      len,
      item: async (i) => {
        if (nodes.length === 0 && len > 0) nodes.push(first);
        while (nodes.length <= i) {
          const prev = nodes[nodes.length - 1];
          if (prev === 0) throw new MemoryError(`list ends after ${nodes.length - 1} of ${len} nodes`);
          nodes.push(await this.address({ type: probe, address: prev }, next.offset));
        }
        if (nodes[i] === 0) throw new MemoryError(`list ends after ${i} of ${len} nodes`);
        return { type: element.type, address: nodes[i] + element.offset, expr: index(place.expr, i) };
      },
    };
  }

  /** The pointee type of a pointer inside wrappers (NonNull<T> → T), from the type alone. */
  private async pointerType(ref: TypeRef): Promise<TypeRef | undefined> {
    let current = ref;
    for (let depth = 0; depth < 8; depth++) {
      const t = this.type(current);
      if (t.kind === 'pointer') return t.pointee;
      const inner = ['pointer', 'ptr', '__0'].map((n) => this.optionalField(t, n)).find((x) => x !== undefined);
      if (!inner) return undefined;
      current = inner.type;
    }
    return undefined;
  }

  private async hashView(place: Place, type: RustType, set: boolean, std: boolean): Promise<View> {
    // std HashMap { base: hashbrown::HashMap { table: RawTable { table: RawTableInner { bucket_mask, ctrl, items } } } };
    // HashSet { base: hashbrown::HashSet { map: hashbrown::HashMap<T, ()> } }.
    let map = std ? this.at(place, this.field(type, 'base')) : place;
    if (set) map = this.at(map, this.field(this.type(map.type), 'map'));
    const table = this.at(map, this.field(this.type(map.type), 'table'));
    const tableType = this.type(table.type);
    const innerField = this.optionalField(tableType, 'bucket_mask') ? undefined : this.field(tableType, 'table');
    const inner = innerField ? this.at(table, innerField) : table;
    const innerType = this.type(inner.type);
    const bucketMask = await this.integer(this.at(inner, this.field(innerType, 'bucket_mask')));
    const ctrl = (await this.pointer(this.at(inner, this.field(innerType, 'ctrl')))).address;
    const items = Number(await this.integer(this.at(inner, this.field(innerType, 'items'))));
    const entryType = this.typeArgument(tableType, 0);
    if (entryType === undefined) throw new LayoutError(`the entry type of ${tableType.name} is not in the debug info`);
    const entry = this.type(entryType);
    const keyField = this.field(entry, '__0');
    const valueField = set ? undefined : this.field(entry, '__1');
    const buckets = Number(bucketMask) + 1;
    if (items === 0) return { kind: 'map', len: 0, set, entries: async () => [] };
    if ((buckets & (buckets - 1)) !== 0 || buckets > 2 ** 40 || items > buckets) throw new MemoryError(`hash table with ${buckets} buckets and ${items} items`);
    if (buckets * (entry.size + 1) > MAX_BYTES) throw new MemoryError(`hash table of ${buckets} buckets is more than memory can hold`);
    // Full buckets in index order (hashbrown's RawIter order: groups in order, a group's set bits lowest first).
    const full: number[] = [];
    let scanned = 0;
    // Control bytes are read in growing pieces: a first page of 100 entries needs a few hundred of them, and each
    // KiB read through lldb-dap costs (~0.07 ms), so reading 64 KiB up front cost more than the page's keys.
    let chunk = 0;
    const scanTo = async (wanted: number): Promise<void> => {
      while (full.length < wanted && scanned < buckets) {
        // Enough for what is missing at the fill seen so far (or the table's), doubling while a sparse part goes on.
        const fill = Math.max(scanned > 0 ? full.length / scanned : items / buckets, 1 / 64);
        chunk = Math.min(1 << 16, Math.max(256, chunk * 2, Math.ceil(((wanted - full.length) / fill) * 1.25)));
        const n = Math.min(chunk, buckets - scanned);
        const bytes = await this.memory.read(ctrl + scanned, n);
        for (let i = 0; i < n && full.length < items; i++) if ((bytes[i] & 0x80) === 0) full.push(scanned + i);
        scanned += n;
        if (full.length >= items) scanned = buckets;
      }
    };
    return {
      kind: 'map',
      len: items,
      set,
      entries: async (start, count) => {
        await scanTo(Math.min(items, start + count));
        const out: ViewEntry[] = [];
        for (let i = start; i < Math.min(start + count, full.length); i++) {
          const address = ctrl - (full[i] + 1) * entry.size;
          out.push({ key: { type: keyField.type, address: address + keyField.offset }, value: valueField ? { type: valueField.type, address: address + valueField.offset } : undefined });
        }
        if (out.length < Math.min(count, items - start)) throw new MemoryError(`hash table lists ${items} items but its control bytes mark ${full.length}`);
        return out;
      },
    };
  }

  private async btreeView(place: Place, type: RustType, set: boolean): Promise<View> {
    const length = Number(await this.integer(this.at(place, this.field(type, 'length'))));
    const rootField = this.field(type, 'root');
    const root = this.at(place, rootField);
    const rootType = this.type(root.type);
    const variant = await this.activeVariant(root, rootType);
    if (!variant || variant.name === 'None' || length === 0) return { kind: 'map', len: 0, set, entries: async () => [] };
    const nodeRefField = this.type(variant.type).fields?.[0];
    if (!nodeRefField) throw new LayoutError(`${rootType.name}'s Some has no field`);
    const nodeRef = this.at({ ...root, address: root.address + variant.offset }, nodeRefField);
    const nodeRefType = this.type(nodeRef.type);
    const height = Number(await this.integer(this.at(nodeRef, this.field(nodeRefType, 'height'))));
    const node = await this.pointer(this.at(nodeRef, this.field(nodeRefType, 'node')));
    if (node.pointee === undefined) throw new LayoutError(`${nodeRefType.name}'s node pointer has no pointee type`);
    const leafType = this.type(node.pointee);
    const lenField = this.field(leafType, 'len');
    const keysField = this.field(leafType, 'keys');
    const valsField = this.field(leafType, 'vals');
    const keyStride = this.type(this.type(keysField.type).element ?? keysField.type).size;
    const valStride = this.type(this.type(valsField.type).element ?? valsField.type).size;
    const keyType = this.typeArgument(type, 0);
    const valueType = this.typeArgument(type, 1);
    if (keyType === undefined || (!set && valueType === undefined)) throw new LayoutError(`the key or value type of ${type.name} is not in the debug info`);
    // std's InternalNode is #[repr(C)] { data: LeafNode, edges: [BoxedNode; 12] }: its edges follow the leaf part at the
    // next pointer-aligned offset. Finding InternalNode's type by name would build the module's whole type index,
    // 0.3 s on the first BTreeMap of a small program (6 s with 300 MB of DWARF), for an offset repr(C) fixes.
    const edgesOffset = height > 0 ? alignUp(leafType.size, this.table.pointerSize) : 0;
    if (height > BTREE_MAX_HEIGHT) throw new MemoryError(`BTreeMap height ${height}`);
    if (length > MAX_WALK) throw new MemoryError(`BTreeMap length ${length}`);
    const ptrSize = this.table.pointerSize;
    const readLen = (address: number): Promise<bigint> => this.uint({ type: node.pointee!, address }, lenField.offset, 2);
    const readEdge = (address: number, i: number): Promise<number> => this.address({ type: node.pointee!, address }, edgesOffset + i * ptrSize);
    // In-order walk, bounded by the map's length and the node capacity, so a corrupt tree stops.
    async function* walk(address: number, h: number): AsyncGenerator<ViewEntry> {
      if (address === 0) throw new MemoryError('BTreeMap node pointer is null');
      const len = Number(await readLen(address));
      if (len > BTREE_CAPACITY) throw new MemoryError(`BTreeMap node at 0x${address.toString(16)} has ${len} keys`);
      for (let i = 0; i <= len; i++) {
        if (h > 0) yield* walk(await readEdge(address, i), h - 1);
        if (i < len) {
          yield {
            key: { type: keyType!, address: address + keysField.offset + i * keyStride },
            value: set ? undefined : { type: valueType!, address: address + valsField.offset + i * valStride },
          };
        }
      }
    }
    let iterator: AsyncGenerator<ViewEntry> | undefined;
    let position = 0;
    return {
      kind: 'map',
      len: length,
      set,
      entries: async (start, count) => {
        if (!iterator || position > start) {
          iterator = walk(node.address, height);
          position = 0;
        }
        const out: ViewEntry[] = [];
        while (position < start + count && position < length) {
          const next = await iterator.next();
          if (next.done) throw new MemoryError(`BTreeMap lists ${length} entries but its nodes hold ${position}`);
          if (position >= start) out.push(next.value);
          position++;
        }
        return out;
      },
    };
  }

  private async rcView(place: Place, type: RustType, weak: boolean): Promise<View> {
    const ptr = await this.pointer(this.at(place, this.field(type, 'ptr')));
    if (ptr.pointee === undefined) throw new LayoutError(`${type.name}'s pointer has no pointee type`);
    // Weak::new() points at usize::MAX: nothing to show.
    if (weak && (ptr.address === 0 || ptr.address >= 2 ** 48)) return leaf('(Weak)');
    const inner: Place = { type: ptr.pointee, address: ptr.address };
    const innerType = this.type(ptr.pointee);
    const strong = Number(await this.integer(this.at(inner, this.field(innerType, 'strong'))));
    const weakCount = Number(await this.integer(this.at(inner, this.field(innerType, 'weak'))));
    const valueField = this.optionalField(innerType, 'value') ?? this.field(innerType, 'data');
    const extras: ViewField[] = [
      { name: '[strong]', text: String(strong), childOnly: true },
      // Every Rc holds one implicit weak reference while strong > 0; Rc::weak_count leaves it out.
      { name: '[weak]', text: String(strong > 0 ? weakCount - 1 : weakCount), childOnly: true },
    ];
    if (weak) return { kind: 'deref', target: this.at(inner, valueField, place.expr), extras, text: '(Weak)' };
    if (strong === 0) return { kind: 'deref', target: this.at(inner, valueField, place.expr), extras, text: '<dropped>' };
    return { kind: 'deref', target: this.at(inner, valueField, place.expr), extras };
  }

  private async lockView(place: Place, type: RustType, which: string): Promise<View> {
    const data = { ...this.unwrap(this.at(place, this.field(type, 'data')), ['value']), expr: place.expr };
    const poison = this.optionalField(type, 'poison');
    const poisoned = poison ? (await this.integer(this.at(place, poison))) !== 0n : undefined;
    const locked = await this.lockState(this.at(place, this.field(type, 'inner')), which);
    const fields: ViewField[] = [locked ? { name: 'data', text: '<locked>', place: data } : { name: 'data', place: data }];
    if (poisoned !== undefined) fields.push({ name: 'poisoned', text: String(poisoned) });
    if (locked !== undefined) fields.push({ name: '[locked]', text: String(locked), childOnly: true });
    return { kind: 'fields', name: which, style: 'struct', fields, etc: true };
  }

  /** Whether a futex lock is held (Linux, Windows since 1.62): Mutex's futex != 0, RwLock's state write-locked. Undefined when the layout does not tell. */
  private async lockState(inner: Place, which: string): Promise<boolean | undefined> {
    let current = inner;
    for (let depth = 0; depth < 4; depth++) {
      const t = this.type(current.type);
      const futex = this.optionalField(t, 'futex');
      if (futex && which === 'Mutex') return (await this.integer(this.at(current, futex))) !== 0n;
      const state = this.optionalField(t, 'state');
      if (state && which === 'RwLock') {
        const mask = (1n << 30n) - 1n;
        return ((await this.integer(this.at(current, state))) & mask) === mask;
      }
      const next = this.optionalField(t, 'inner') ?? this.optionalField(t, '__0');
      if (!next) return undefined;
      current = this.at(current, next);
    }
    return undefined;
  }

  /**
   * OnceLock { once: Once, value: UnsafeCell<MaybeUninit<T>> }: the value is there once the Once completed. The futex
   * Once (Linux, Windows; field `state_and_queued`) completes at state 0, the queue Once (`state_and_queue`) at 3.
   */
  private async onceLockView(place: Place, type: RustType): Promise<View> {
    const element = this.typeArgument(type, 0);
    if (element === undefined) throw new LayoutError(`the value type of ${type.name} is not in the debug info`);
    let current = this.at(place, this.field(type, 'once'));
    let complete: boolean | undefined;
    for (let depth = 0; depth < 4 && complete === undefined; depth++) {
      const t = this.type(current.type);
      const futex = this.optionalField(t, 'state_and_queued');
      const queue = this.optionalField(t, 'state_and_queue');
      if (futex) complete = ((await this.integer(this.at(current, futex))) & 3n) === 0n;
      else if (queue) complete = ((await this.uint(current, queue.offset, this.table.pointerSize)) & 3n) === 3n;
      else {
        const inner = this.optionalField(t, 'inner');
        if (!inner) break;
        current = this.at(current, inner);
      }
    }
    if (complete === undefined) throw new LayoutError(`${type.name}'s Once state is not one this formatter knows`);
    const value = this.field(type, 'value');
    return {
      kind: 'fields',
      name: 'OnceLock',
      style: 'tuple',
      fields: [complete ? { name: '0', place: { type: element, address: place.address + value.offset, expr: place.expr } } : { name: '0', text: '<uninit>' }],
    };
  }

  /** Instant and SystemTime on Unix hold a Timespec, which their Debug prints flat: `Instant { tv_sec: 1, tv_nsec: 2 }`. */
  private async timespecView(place: Place, type: RustType, which: string): Promise<View | undefined> {
    let current = place;
    for (let depth = 0; depth < 5; depth++) {
      const t = this.type(current.type);
      const sec = this.optionalField(t, 'tv_sec');
      const nsec = this.optionalField(t, 'tv_nsec');
      if (sec && nsec) {
        const fields = [
          { name: 'tv_sec', text: (await this.integer(this.at(current, sec))).toString() },
          { name: 'tv_nsec', text: (await this.integer(this.at(current, nsec))).toString() },
        ];
        return { kind: 'fields', name: which, style: 'struct', fields };
      }
      const next = this.optionalField(t, 't') ?? this.optionalField(t, '__0') ?? this.optionalField(t, '0');
      if (!next) break;
      current = this.at(current, next);
    }
    // Windows keeps a different clock: its fields as they are.
    return this.structView(place, type);
  }

  private async rangeView(place: Place, type: RustType, which: string): Promise<View> {
    const start = this.optionalField(type, 'start');
    const end = this.optionalField(type, 'end');
    const parts: ViewField[] = [];
    if (start) parts.push({ name: 'start', place: this.at(place, start, member(place.expr, 'start')) });
    if (end) parts.push({ name: 'end', place: this.at(place, end, member(place.expr, 'end')) });
    const exhausted = this.optionalField(type, 'exhausted');
    const isExhausted = exhausted ? (await this.uint(place, exhausted.offset, 1)) !== 0n : false;
    const op = which === 'RangeInclusive' || which === 'RangeToInclusive' ? '..=' : '..';
    return { kind: 'fields', name: which, style: 'struct', fields: parts, range: { op, exhausted: isExhausted } };
  }

  private async dynView(place: Place, type: RustType): Promise<View> {
    const data = await this.address(place, this.field(type, 'pointer').offset);
    const vtable = await this.address(place, this.field(type, 'vtable').offset);
    const concrete = this.table.vtableType?.(vtable - this.options.slide);
    if (concrete === undefined) {
      return { kind: 'fields', name: shortName(type.name), style: 'struct', fields: [{ name: 'pointer', text: `0x${data.toString(16)}` }, { name: 'vtable', text: `0x${vtable.toString(16)}` }], note: 'concrete type not found from the vtable' };
    }
    return { kind: 'deref', target: { type: concrete, address: data, expr: place.expr }, extras: [{ name: '[type]', text: this.type(concrete).name, childOnly: true }] };
  }
}

function leaf(text: string): View {
  return { kind: 'leaf', text };
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** The path of a std type without generics (`alloc::vec::Vec`), or undefined for types outside std. */
export function stdPath(name: string): string | undefined {
  const open = name.indexOf('<');
  const path = open < 0 ? name : name.slice(0, open);
  return /^(alloc|core|std|hashbrown)::/.test(path) ? path : undefined;
}

function isStd(name: string, last: string): boolean {
  const path = stdPath(name);
  return path !== undefined && path.endsWith(`::${last}`);
}

/** The name Rust's derived Debug prints: the last path segment without generics (`l::Point<T>` → `Point`). */
export function shortName(name: string): string {
  let depth = 0;
  let end = name.length;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '<') {
      if (depth === 0) end = Math.min(end, i);
      depth++;
    } else if (c === '>') depth--;
    else if (depth === 0 && c === ':' && name[i + 1] === ':' && i < end) start = i + 2;
  }
  return name.slice(start, end);
}

/** `expr.name`, for a child's evaluateName (undefined when the parent has none). */
export function member(expr: string | undefined, name: string): string | undefined {
  if (expr === undefined) return undefined;
  return `${paren(expr)}.${name}`;
}

export function index(expr: string | undefined, i: number | string): string | undefined {
  if (expr === undefined) return undefined;
  return `${paren(expr)}[${i}]`;
}

/** Parenthesises an expression that would bind wrongly before `.` or `[` (`*p`, `a + b`). */
function paren(expr: string | undefined): string {
  if (expr === undefined) return '';
  return /^[\w.[\]"()]+$/.test(expr) && !expr.startsWith('*') ? expr : `(${expr})`;
}

