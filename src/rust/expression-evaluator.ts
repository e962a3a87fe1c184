// Evaluates the Rust expression language on the value model the Variables view uses: places typed by our type table, memory read through the task, results shown by the same formatter.
import type { RustType, TypeRef } from '../symbols/type-model';
import { NOT_DECIDED, compileNumeric, isSmallInt, smallIntBounds } from './expression-numeric';
import { parseWatch, withCaret, type BinaryOp, type Expr, type FormatSuffix, type Pattern } from './expression-syntax';
import { charText, floatText, integerText, readInteger, stringText } from './values/debug-text';
import { MAX_READ } from './values/memory-reader';
import { syntheticArray, MAX_SYNTHETIC_COUNT } from './values/synthetic-arrays';
import type { ShownValue, ValueFormatter } from './values/value-formatter';
import { shortName, type Place, type View, type ViewEntry } from './values/value-views';

/**
 * What the adapter answers to a task's `readMemory`: the bytes themselves rather than lldb-dap's base64, so a
 * large read is not encoded again on the host and decoded again in the worker.
 */
export interface TaskMemory {
  address: string;
  bytes: Uint8Array;
  unreadableBytes: number;
}

/** The answer for a DAP `evaluate`; `handle` (from a worker) is turned into a variablesReference by the adapter. */
export interface EvaluationResult {
  result: string;
  type?: string;
  variablesReference: number;
  memoryReference?: string;
  indexedVariables?: number;
  namedVariables?: number;
  handle?: ShownValue['handle'];
}

/** An evaluation failure the user caused (unknown name, bad index, missing method); `column` is 1-based when known. */
export class EvaluationError extends Error {
  constructor(message: string, readonly column?: number) {
    super(column ? `${message} (column ${column})` : message);
    this.name = 'EvaluationError';
  }
}

/** Elements one evaluation may visit in loops (iterators, searches, comparisons): a bound, named in the error that hits it. */
export const MAX_ELEMENTS = 10_000_000;
/** Elements between progress reports and cancellation checks in a loop. */
const PROGRESS_EVERY = 1 << 16;
/** Characters of a computed value's text (a collected Vec, a tuple). */
const RESULT_CHARS = 1000;

/** A local as the frame has it: a place in memory with its declared type, or only lldb-dap's text (a value in registers). */
export interface FrameLocal {
  name: string;
  place?: Place;
  lldbText?: string;
  lldbType?: string;
}

export interface EvaluationScope {
  formatter: ValueFormatter;
  /** The frame's locals, innermost first for shadowed names. */
  locals(): Promise<FrameLocal[]>;
  /** One local by name without the whole list, when that is cheaper and certain; undefined sends the lookup to locals(). */
  local?(name: string): Promise<FrameLocal | undefined>;
  /** Runtime minus link-time address of the module (statics are found at link-time addresses). */
  slide: number;
  signal?: AbortSignal;
  reportProgress?(fraction: number, message: string): void;
  /** Crate name for `crate::` paths. */
  crate?: string;
  maxElements?: number;
}

type IntType = string | undefined;
type Val =
  | { k: 'place'; place: Place }
  | { k: 'int'; v: bigint; t: IntType }
  | { k: 'float'; v: number; t: 'f32' | 'f64' }
  | { k: 'bool'; v: boolean }
  | { k: 'char'; v: number }
  | { k: 'str'; v: string; owned?: boolean }
  | { k: 'tuple'; items: Val[] }
  | { k: 'list'; items: Val[] }
  | { k: 'variant'; name: string; items: Val[] }
  | { k: 'iter'; it: Iter }
  | { k: 'closure'; params: Pattern[]; body: Expr; env: Env }
  | { k: 'range'; from?: bigint; to?: bigint; inclusive: boolean; t: IntType }
  | { k: 'lldb'; text: string; type?: string };

type Env = Map<string, Val>;

/** A lazy sequence: `next` pulls one element; `len`/`at` exist when the source is indexable (for rev, take, progress). */
interface Iter {
  next(): Promise<Val | undefined>;
  /** The next elements in bulk (scalars decoded from one read), sharing next's position; an empty array at the end. */
  batch?(): Promise<Val[]>;
  /** Set on adapters that count the elements they pull from their source, so a chain counts each element once. */
  counted?: boolean;
  len?: number;
  at?(i: number): Promise<Val>;
  label: string;
  /** Elements of a small integer type `numType` (u8…u32, i8…i32) as plain numbers, sharing next's position; empty at the end. */
  numbers?(): Promise<ArrayLike<number>>;
  numType?: string;
}

const INT_TYPES: Record<string, { bits: number; signed: boolean }> = {
  u8: { bits: 8, signed: false }, u16: { bits: 16, signed: false }, u32: { bits: 32, signed: false }, u64: { bits: 64, signed: false }, u128: { bits: 128, signed: false }, usize: { bits: 64, signed: false },
  i8: { bits: 8, signed: true }, i16: { bits: 16, signed: true }, i32: { bits: 32, signed: true }, i64: { bits: 64, signed: true }, i128: { bits: 128, signed: true }, isize: { bits: 64, signed: true },
};

/** Parses, evaluates and shows one expression; every error names the column with a caret under it. */
export async function evaluateRustExpression(scope: EvaluationScope, source: string): Promise<EvaluationResult> {
  const parsed = parseWatch(source);
  const evaluator = new Evaluator(scope, source);
  try {
    const value = await evaluator.eval(parsed.expr, new Map());
    return await evaluator.present(value, source.trim(), parsed.format);
  } catch (err) {
    if (err instanceof EvaluationError && err.column !== undefined) throw new EvaluationError(withCaret(err.message.replace(/ \(column \d+\)$/, ''), source, err.column));
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw new EvaluationError(`the expression is too deeply nested to evaluate (the nesting limit); simplify it`);
    throw err;
  }
}

class Evaluator {
  private visited = 0;
  private readonly maxElements: number;
  private readonly formatter: ValueFormatter;

  constructor(
    private readonly scope: EvaluationScope,
    private readonly source: string,
  ) {
    this.formatter = scope.formatter;
    this.maxElements = scope.maxElements ?? MAX_ELEMENTS;
  }

  private describe(v: Val): string {
    if (v.k !== 'place') return describe(v);
    try {
      return `a value of type '${this.type(v.place.type).name}'`;
    } catch {
      return describe(v);
    }
  }

  private get values() {
    return this.formatter.values;
  }

  private type(ref: TypeRef): RustType {
    return this.values.type(ref);
  }

  async eval(e: Expr, env: Env): Promise<Val> {
    this.scope.signal?.throwIfAborted();
    switch (e.kind) {
      case 'int':
      case 'float':
      case 'bool':
      case 'char':
      case 'str':
        return literalValue(e);
      case 'path':
        return this.path(e.segments, e.start, env);
      case 'field':
        return this.field(await this.eval(e.target, env), e.name, e.start);
      case 'tupleField':
        return this.field(await this.eval(e.target, env), String(e.index), e.start);
      case 'index':
        return this.index(await this.eval(e.target, env), await this.eval(e.index, env), e.start);
      case 'call': {
        const target = await this.eval(e.target, env);
        const args: Val[] = [];
        for (const a of e.args) args.push(await this.eval(a, env));
        return this.call(target, e.method, args, e.start, e.turbofish);
      }
      case 'pathCall':
        return this.pathCall(e, env);
      case 'unary':
        return this.unary(e.op, await this.eval(e.operand, env), e.start);
      case 'binary':
        return this.binary(e, env);
      case 'cast':
        return this.cast(await this.eval(e.operand, env), e.type, e.start);
      case 'range': {
        const from = e.from ? await this.load(await this.eval(e.from, env), e.from.start) : undefined;
        const to = e.to ? await this.load(await this.eval(e.to, env), e.to.start) : undefined;
        const f = from === undefined ? undefined : this.intOf(from, 'a range bound', e.start);
        const t = to === undefined ? undefined : this.intOf(to, 'a range bound', e.start);
        return { k: 'range', from: f?.v, to: t?.v, inclusive: e.inclusive, t: f?.t ?? t?.t };
      }
      case 'tuple': {
        const items: Val[] = [];
        for (const item of e.items) items.push(await this.eval(item, env));
        return { k: 'tuple', items };
      }
      case 'closure':
        return { k: 'closure', params: e.params, body: e.body, env };
      case 'matches': {
        const value = await this.eval(e.operand, env);
        return { k: 'bool', v: await this.match(e.pattern, value, new Map(), e.start) };
      }
    }
  }

  // ---- names ----

  private async path(segments: string[], start: number, env: Env): Promise<Val> {
    const at = start + 1;
    if (segments.length === 1) {
      const name = segments[0];
      const bound = env.get(name);
      if (bound) return bound;
      if (name === 'None') return { k: 'variant', name: 'None', items: [] };
      const single = await this.scope.local?.(name);
      if (single?.place) return { k: 'place', place: { ...single.place, expr: name } };
      const locals = await this.scope.locals();
      const local = locals.find((l) => l.name === name);
      if (local) {
        if (local.place) return { k: 'place', place: { ...local.place, expr: name } };
        return { k: 'lldb', text: local.lldbText ?? '', type: local.lldbType };
      }
      const found = this.static(name);
      if (found) return found;
      const known = [...new Set(locals.map((l) => l.name))];
      throw new EvaluationError(`no variable named '${name}' in this frame${known.length ? ` (locals: ${known.slice(0, 20).join(', ')})` : ''}`, at);
    }
    const last = segments[segments.length - 1];
    const owner = segments[segments.length - 2];
    const constant = numericConstant(owner, last);
    if (constant) return constant;
    const found = this.static(segments.join('::'));
    if (found) return found;
    if (/^[A-Z]/.test(last) && !/^[A-Z0-9_]+$/.test(last)) return { k: 'variant', name: last, items: [] };
    if (/^[A-Z]/.test(last) && /^[A-Z]/.test(owner) && segments.length === 2 && !/^[A-Z0-9_]+$/.test(owner)) return { k: 'variant', name: last, items: [] };
    throw new EvaluationError(`no static or constant named '${segments.join('::')}' in ${this.values.table.module.split(/[\\/]/).pop()}'s debug info; check the path (crate::module::NAME)`, at);
  }

  private static(path: string): Val | undefined {
    const table = this.values.table;
    if (!table.findStatic) return undefined;
    const tries = [path];
    if (path.startsWith('crate::') && this.scope.crate) tries.push(`${this.scope.crate}::${path.slice(7)}`);
    if (!path.includes('::') && this.scope.crate) tries.push(`${this.scope.crate}::${path}`);
    for (const p of tries) {
      const s = table.findStatic(p);
      if (s) return { k: 'place', place: { type: s.type, address: s.address + this.scope.slide, expr: path } };
    }
    return undefined;
  }

  private async pathCall(e: Extract<Expr, { kind: 'pathCall' }>, env: Env): Promise<Val> {
    const args: Val[] = [];
    for (const a of e.args) args.push(await this.eval(a, env));
    const last = e.segments[e.segments.length - 1];
    if (/^[A-Z]/.test(last)) return { k: 'variant', name: last, items: args };
    // `Rc::strong_count(&x)`, `str::len(s)`: a method called by its path.
    if (e.segments.length >= 2 && args.length > 0) return this.call(args[0], last, args.slice(1), e.start);
    throw new EvaluationError(`'${e.segments.join('::')}(…)' calls a function, which would run code in the program; only std methods on values are evaluated (use /nat to call it)`, e.start + 1);
  }

  // ---- places ----

  /** Follows references, Box, Rc and Ref (Rust's auto-deref) to the value itself. */
  private async autoDeref(val: Val): Promise<Val> {
    let current = val;
    for (let i = 0; i < 16 && current.k === 'place'; i++) {
      const view = await this.formatter.view(current.place);
      if (view.kind !== 'deref' || view.text !== undefined) return current;
      current = { k: 'place', place: { ...view.target, expr: current.place.expr } };
    }
    return current;
  }

  private async field(target: Val, name: string, start: number): Promise<Val> {
    const at = start + 1;
    if (target.k === 'tuple' || target.k === 'variant') {
      const i = Number(name);
      const items = target.items;
      if (Number.isInteger(i) && i < items.length) return items[i];
      throw new EvaluationError(`no field '${name}' on ${this.describe(target)}`, at);
    }
    if (target.k !== 'place') throw new EvaluationError(`no field '${name}' on ${this.describe(target)}`, at);
    let current: Val = target;
    for (let depth = 0; depth < 16; depth++) {
      if (current.k !== 'place') break;
      const place: Place = current.place;
      const type = this.type(place.type);
      const expr = `${paren(place.expr)}.${name}`;
      const raw = type.fields?.find((f) => f.name === name || f.name === `__${name}`);
      if (raw && type.kind !== 'enum') return { k: 'place', place: this.values.at(place, raw, expr) };
      if (type.kind === 'enum') {
        const variant = await this.values.activeVariant(place, type);
        const vfields = variant ? this.type(variant.type).fields ?? [] : [];
        const f = vfields.find((x) => x.name === name || x.name === `__${name}`);
        if (f && variant) return { k: 'place', place: this.values.at({ ...place, address: place.address + variant.offset, bytes: place.bytes?.subarray(variant.offset) }, f, expr) };
        throw new EvaluationError(`no field '${name}' on the ${variant?.name ?? '?'} variant of '${type.name}'${vfields.length ? ` (fields: ${vfields.map((x) => x.name.replace(/^__/, '')).join(', ')})` : ''}`, at);
      }
      const view = await this.formatter.view(place);
      if (view.kind === 'deref') {
        current = { k: 'place', place: { ...view.target, expr: place.expr } };
        continue;
      }
      if (view.kind === 'fields') {
        const f = view.fields.find((x) => x.name === name && x.place);
        if (f?.place) return { k: 'place', place: { ...f.place, expr } };
      }
      const names = (type.fields ?? []).map((f) => f.name.replace(/^__/, ''));
      throw new EvaluationError(`no field '${name}' on type '${type.name}'${names.length ? ` (fields: ${names.join(', ')})` : ''}`, at);
    }
    throw new EvaluationError(`no field '${name}' on ${this.describe(current)}`, at);
  }

  /** The value of a scalar place (int, float, bool, char, C-like enum stays a place); references to scalars are followed. */
  async load(val: Val, start: number): Promise<Val> {
    if (val.k !== 'place') return val;
    let place = val.place;
    for (let i = 0; i < 8; i++) {
      const type = this.type(place.type);
      switch (type.kind) {
        case 'int': {
          const bytes = await this.values.bytes(place, 0, type.size);
          return { k: 'int', v: readInteger(bytes, 0, type.size, type.signed ?? false), t: intName(type) };
        }
        case 'float': {
          const b = await this.values.bytes(place, 0, type.size);
          const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
          return type.size === 4 ? { k: 'float', v: dv.getFloat32(0, true), t: 'f32' } : { k: 'float', v: dv.getFloat64(0, true), t: 'f64' };
        }
        case 'bool':
          return { k: 'bool', v: (await this.values.bytes(place, 0, 1))[0] !== 0 };
        case 'char':
          return { k: 'char', v: Number(await this.values.uint(place, 0, 4)) };
        case 'pointer': {
          if (type.pointerKind !== 'ref' && type.pointerKind !== 'refMut' && !type.name.startsWith('&')) return val;
          const pointee = type.pointee !== undefined ? this.type(type.pointee) : undefined;
          if (!pointee || !['int', 'float', 'bool', 'char', 'pointer'].includes(pointee.kind)) return { k: 'place', place };
          place = { type: type.pointee!, address: await this.values.address(place, 0), expr: place.expr };
          continue;
        }
        default:
          return { k: 'place', place };
      }
    }
    void start;
    return { k: 'place', place };
  }

  // ---- indexing ----

  private async index(targetRaw: Val, indexRaw: Val, start: number): Promise<Val> {
    const at = start + 1;
    const target = await this.autoDeref(targetRaw);
    const index = await this.load(indexRaw, start);
    if (target.k === 'list' || target.k === 'tuple') {
      const i = this.intOf(index, 'an index', start).v;
      if (i < 0n || i >= BigInt(target.items.length)) throw new EvaluationError(`index out of bounds: the len is ${target.items.length} but the index is ${i}`, at);
      return target.items[Number(i)];
    }
    if (target.k === 'str') {
      if (index.k !== 'range') throw new EvaluationError('strings cannot be indexed by an integer in Rust; use a range (s[2..5]) or .chars().nth(i)', at);
      return { k: 'str', v: sliceText(target.v, index, at) };
    }
    if (target.k !== 'place') throw new EvaluationError(`cannot index ${this.describe(target)}`, at);
    const view = await this.formatter.view(target.place);
    const typeName = this.type(target.place.type).name;
    if (view.kind === 'text') {
      if (index.k !== 'range') throw new EvaluationError(`'${typeName}' cannot be indexed by an integer in Rust; use a range (s[2..5]) or .chars().nth(i)`, at);
      const text = await this.text(view, at);
      return { k: 'str', v: sliceText(text, index, at) };
    }
    if (view.kind === 'seq') {
      if (index.k === 'range') return this.sliceOf(target.place, view, index, at);
      const i = this.intOf(index, 'an index', start).v;
      if (i < 0n || i >= BigInt(view.len)) throw new EvaluationError(`index out of bounds: the len is ${view.len} but the index is ${i}`, at);
      const item = await view.item(Number(i));
      return { k: 'place', place: { ...item, expr: `${paren(target.place.expr)}[${i}]` } };
    }
    if (view.kind === 'map') {
      if (view.set) throw new EvaluationError(`'${typeName}' is a set and cannot be indexed; use .contains(&key)`, at);
      const found = await this.lookup(view, index, at);
      if (!found) throw new EvaluationError(`the key ${await this.debugText(index)} is not in the map (len ${view.len})`, at);
      return { k: 'place', place: { ...found.value!, expr: `${paren(target.place.expr)}[${await this.debugText(index)}]` } };
    }
    throw new EvaluationError(`cannot index a value of type '${typeName}'`, at);
  }

  private async sliceOf(place: Place, view: Extract<View, { kind: 'seq' }>, range: Extract<Val, { k: 'range' }>, at: number): Promise<Val> {
    const from = range.from ?? 0n;
    const to = range.to === undefined ? BigInt(view.len) : range.inclusive ? range.to + 1n : range.to;
    if (from > to) throw new EvaluationError(`slice index starts at ${from} but ends at ${to}`, at);
    if (to > BigInt(view.len)) throw new EvaluationError(`range end index ${to} out of range for slice of length ${view.len}`, at);
    const count = Number(to - from);
    if (count > MAX_SYNTHETIC_COUNT) throw new EvaluationError(`a range of ${count} elements is longer than a result can show (${MAX_SYNTHETIC_COUNT}); take a shorter range`, at);
    const first = await view.item(Number(from));
    if (count > 1) {
      const lastItem = await view.item(Number(to) - 1);
      const size = this.type(first.type).size;
      if (lastItem.address - first.address !== (count - 1) * size) throw new EvaluationError(`'${this.type(place.type).name}' does not keep its elements contiguous, so it cannot be sliced`, at);
    }
    const type = syntheticArray(first.type, count, true);
    if (type === undefined) throw new EvaluationError('this element type cannot be sliced here', at);
    const text = `${range.from ?? ''}${range.inclusive ? '..=' : '..'}${range.to ?? ''}`;
    return { k: 'place', place: { type, address: first.address, expr: `${paren(place.expr)}[${text}]` } };
  }

  /** A map's entry whose key equals `key`, visiting entries in batches under the element bound. */
  private async lookup(view: Extract<View, { kind: 'map' }>, key: Val, at: number): Promise<ViewEntry | undefined> {
    const batch = 4096;
    const wanted = await this.load(await this.autoDeref(key), at - 1);
    // String and integer keys are compared on their bytes: a length or value check per entry, no formatting.
    const text = await this.textOf(wanted, at);
    if (text !== undefined || wanted.k === 'int') {
      const bytes = text !== undefined ? Buffer.from(text, 'utf8') : undefined;
      for (let i = 0; i < view.len; i += batch) {
        const entries = await view.entries(i, Math.min(batch, view.len - i));
        const sifted = await this.siftKeys(entries, bytes ? bytes.length : wanted.k === 'int' ? wanted.v : undefined, bytes !== undefined);
        if (sifted) {
          this.tickMany(entries.length, view.len, 'searching the map', at);
          for (const e of sifted) {
            if (!bytes) return e;
            const kv = await this.values.view(e.key);
            const inner = kv.kind === 'deref' ? await this.values.view(kv.target) : kv;
            if (inner.kind !== 'text') return this.lookupSlow(view, wanted, at);
            if (inner.len === bytes.length && (bytes.length === 0 || Buffer.from(await this.values.memory.read(inner.ptr, inner.len)).equals(bytes))) return e;
          }
          continue;
        }
        for (const e of entries) {
          this.tick(view.len, 'searching the map', at);
          const keyType = this.type(e.key.type);
          if (bytes) {
            const kv = await this.values.view(e.key);
            const inner = kv.kind === 'deref' ? await this.values.view(kv.target) : kv;
            if (inner.kind !== 'text') return this.lookupSlow(view, wanted, at);
            if (inner.len === bytes.length && (bytes.length === 0 || Buffer.from(await this.values.memory.read(inner.ptr, inner.len)).equals(bytes))) return e;
          } else if (keyType.kind === 'int' && wanted.k === 'int') {
            if (readInteger(await this.values.bytes(e.key, 0, keyType.size), 0, keyType.size, keyType.signed ?? false) === wanted.v) return e;
          } else return this.lookupSlow(view, wanted, at);
        }
      }
      return undefined;
    }
    return this.lookupSlow(view, wanted, at);
  }

  /**
   * The entries whose key could equal the wanted one, decided from one read spanning the batch's keys: a `String`
   * key's `len` field (the caller compares the bytes of those left), an integer key's value (equal ones only).
   * Undefined when the key type is neither, so the caller looks at each key itself.
   */
  private async siftKeys(entries: ViewEntry[], wanted: number | bigint | undefined, isString: boolean): Promise<ViewEntry[] | undefined> {
    if (entries.length === 0 || wanted === undefined || entries.some((e) => e.key.bytes)) return undefined;
    const keyType = this.type(entries[0].key.type);
    let offset = 0;
    let size: number;
    let signed = false;
    if (isString) {
      // String { vec: Vec<u8> { buf, len } }: the length field's offset and size, from the type's own layout.
      const vec = keyType.fields?.find((f) => f.name === 'vec');
      const len = vec ? this.type(vec.type).fields?.find((f) => f.name === 'len') : undefined;
      if (!/^(alloc::string::)?String$/.test(keyType.name) || !vec || !len || this.type(len.type).kind !== 'int') return undefined;
      offset = vec.offset + len.offset;
      size = this.type(len.type).size;
    } else {
      if (keyType.kind !== 'int') return undefined;
      size = keyType.size;
      signed = keyType.signed ?? false;
    }
    if (size < 1 || size > 16) return undefined;
    let low = Infinity;
    let high = -Infinity;
    for (const e of entries) {
      low = Math.min(low, e.key.address + offset);
      high = Math.max(high, e.key.address + offset + size);
    }
    if (high - low > 64 << 20) return undefined;
    const span = await this.values.memory.read(low, high - low);
    const want = BigInt(wanted);
    return entries.filter((e) => readInteger(span, e.key.address + offset - low, size, signed) === want);
  }

  private async lookupSlow(view: Extract<View, { kind: 'map' }>, key: Val, at: number): Promise<ViewEntry | undefined> {
    const batch = 4096;
    for (let i = 0; i < view.len; i += batch) {
      const entries = await view.entries(i, Math.min(batch, view.len - i));
      for (const e of entries) {
        this.tick(view.len, 'searching the map', at);
        if (await this.equals({ k: 'place', place: e.key }, key, at)) return e;
      }
    }
    return undefined;
  }

  // ---- iteration ----

  /** Counts one visited element: the bound, cancellation and progress. */
  private tick(total: number | undefined, what: string, at: number): void {
    this.visited++;
    if (this.visited > this.maxElements) {
      throw new EvaluationError(`the evaluation visited more than ${this.maxElements.toLocaleString('en-US')} elements (the element-loop limit); narrow it with take(n) or a range`, at);
    }
    if ((this.visited & (PROGRESS_EVERY - 1)) === 0) {
      this.scope.signal?.throwIfAborted();
      const fraction = total ? Math.min(1, this.visited / total) : 0;
      this.scope.reportProgress?.(fraction, `${what}: ${this.visited.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''} elements`);
    }
  }

  private async iterOf(valRaw: Val, method: string, at: number): Promise<Iter> {
    const val = await this.autoDeref(valRaw);
    if (val.k === 'iter') return val.it;
    if (val.k === 'list' || val.k === 'tuple') return arrayIter(val.items, method);
    if (val.k === 'range') {
      if (val.from === undefined) throw new EvaluationError('a range without a start cannot be iterated', at);
      const from = val.from;
      const end = val.to === undefined ? undefined : val.inclusive ? val.to + 1n : val.to;
      const len = end === undefined ? undefined : Number(end > from ? end - from : 0n);
      let i = 0;
      return {
        label: 'range',
        len,
        at: async (n) => ({ k: 'int', v: from + BigInt(n), t: val.t }),
        next: async () => (len !== undefined && i >= len ? undefined : { k: 'int', v: from + BigInt(i++), t: val.t }),
        batch: async () => {
          const n = len === undefined ? 65536 : Math.min(65536, len - i);
          const out: Val[] = new Array(Math.max(0, n));
          for (let k = 0; k < n; k++) out[k] = { k: 'int', v: from + BigInt(i++), t: val.t };
          return out;
        },
      };
    }
    if (val.k === 'str') return arrayIter([...val.v].map((c) => ({ k: 'char', v: c.codePointAt(0)! })), 'chars');
    if (val.k === 'variant') return arrayIter(val.name === 'Some' ? val.items : [], method);
    if (val.k !== 'place') throw new EvaluationError(`${this.describe(val)} is not iterable`, at);
    const view = await this.formatter.view(val.place);
    if (view.kind === 'seq') return this.seqIter(view, val.place);
    if (view.kind === 'map') {
      let i = 0;
      let buffer: ViewEntry[] = [];
      let offset = 0;
      return {
        label: 'map',
        len: view.len,
        next: async () => {
          if (i >= view.len) return undefined;
          if (offset >= buffer.length) {
            buffer = await view.entries(i, Math.min(4096, view.len - i));
            offset = 0;
            if (buffer.length === 0) return undefined;
          }
          const e = buffer[offset++];
          i++;
          if (view.set || !e.value) return { k: 'place', place: e.key };
          return { k: 'tuple', items: [{ k: 'place', place: e.key }, { k: 'place', place: e.value }] };
        },
      };
    }
    if (view.kind === 'text') return this.iterOf({ k: 'str', v: await this.text(view, at) }, method, at);
    if (view.kind === 'fields') {
      const type = this.type(val.place.type);
      if (type.kind === 'enum') {
        const inner = await this.optionInner(val.place, type);
        return arrayIter(inner ? [inner] : [], method);
      }
    }
    throw new EvaluationError(`'${this.type(val.place.type).name}' is not iterable`, at);
  }

  /** A sequence's elements; scalars of a contiguous sequence are decoded from bulk reads rather than one place each. */
  private async seqIter(view: Extract<View, { kind: 'seq' }>, place: Place): Promise<Iter> {
    const len = view.len;
    let i = 0;
    const at = async (n: number): Promise<Val> => ({ k: 'place', place: { ...(await view.item(n)), expr: `${paren(place.expr)}[${n}]` } });
    if (len > 1) {
      const first = await view.item(0);
      const second = await view.item(1);
      const type = this.type(first.type);
      const size = type.size;
      if ((type.kind === 'int' || type.kind === 'float' || type.kind === 'bool' || type.kind === 'char') && !first.bytes && second.address - first.address === size && size > 0) {
        const base = first.address;
        const chunkElements = Math.max(1, Math.floor((256 << 10) / size));
        let chunk: Uint8Array | undefined;
        let chunkStart = 0;
        const decode = scalarDecoder(type);
        const numType = type.kind === 'int' && isSmallInt(intName(type)) ? intName(type) : undefined;
        // The next chunk is read while this one is computed on: the host answers the read meanwhile.
        let ahead: { from: number; read: Promise<Uint8Array> } | undefined;
        const readChunk = async (from: number, n: number): Promise<Uint8Array> => {
          const read = ahead?.from === from ? ahead.read : this.values.memory.read(base + from * size, n * size);
          ahead = undefined;
          const following = from + n;
          if (following < len) {
            const m = Math.min(chunkElements, len - following);
            ahead = { from: following, read: this.values.memory.read(base + following * size, m * size) };
            ahead.read.catch(() => undefined);
          }
          return read;
        };
        return {
          label: 'elements',
          len,
          at,
          next: async () => {
            if (i >= len) return undefined;
            if (!chunk || i >= chunkStart + chunkElements) {
              chunkStart = i;
              chunk = await this.values.memory.read(base + i * size, Math.min(chunkElements, len - i) * size);
            }
            return decode(chunk, (i++ - chunkStart) * size);
          },
          batch: async () => {
            if (i >= len) return [];
            const n = Math.min(chunkElements, len - i);
            const bytes = await readChunk(i, n);
            const out: Val[] = new Array(n);
            for (let k = 0; k < n; k++) out[k] = decode(bytes, k * size);
            i += n;
            chunk = undefined;
            return out;
          },
          ...(numType
            ? {
                numType,
                numbers: async () => {
                  if (i >= len) return [];
                  const n = Math.min(chunkElements, len - i);
                  const bytes = await readChunk(i, n);
                  i += n;
                  chunk = undefined;
                  return numbersOf(bytes, size, type.signed ?? false, n);
                },
              }
            : {}),
        };
      }
    }
    return { label: 'elements', len, at, next: async () => (i >= len ? undefined : at(i++)) };
  }

  private async callClosure(f: Val, args: Val[], at: number): Promise<Val> {
    if (f.k !== 'closure') throw new EvaluationError(`expected a closure (|x| …) but found ${this.describe(f)}`, at);
    const env: Env = new Map(f.env);
    if (f.params.length !== args.length) {
      // `|(k, v)|` over a map gets one tuple; `|k, v|` is not how Rust's iterators call closures.
      throw new EvaluationError(`the closure takes ${f.params.length} parameter${f.params.length === 1 ? '' : 's'} but the iterator passes ${args.length}`, at);
    }
    for (let i = 0; i < args.length; i++) {
      if (!(await this.match(f.params[i], args[i], env, at - 1))) throw new EvaluationError(`the closure's parameter pattern does not match ${await this.debugText(args[i])}`, at);
    }
    return this.eval(f.body, env);
  }

  private async truth(val: Val, at: number): Promise<boolean> {
    const v = await this.load(val, at - 1);
    if (v.k !== 'bool') throw new EvaluationError(`expected bool from the closure but found ${this.describe(v)}`, at);
    return v.v;
  }

  private async iterMethod(it: Iter, method: string, args: Val[], at: number, turbofish?: string): Promise<Val | undefined> {
    const wrap = (next: Iter['next'], extra: Partial<Iter> = {}): Val => ({ k: 'iter', it: { label: it.label, next, ...extra } });
    const pull = async (): Promise<Val | undefined> => {
      const v = await it.next();
      if (v !== undefined && !it.counted) this.tick(it.len, `${method} over ${it.label}`, at);
      return v;
    };
    const fast = await this.batchMethod(it, method, args, at, turbofish);
    if (fast) return fast;
    switch (method) {
      case 'iter':
      case 'into_iter':
      case 'copied':
      case 'cloned':
      case 'by_ref':
        return { k: 'iter', it };
      case 'map': {
        const f = args[0];
        return wrap(async () => {
          const v = await it.next();
          return v === undefined ? undefined : this.callClosure(f, [v], at);
        }, it.len !== undefined && it.at ? { len: it.len, at: async (i) => this.callClosure(f, [await it.at!(i)], at) } : { len: it.len });
      }
      case 'filter':
        return wrap(async () => {
          for (;;) {
            const v = await pull();
            if (v === undefined) return undefined;
            if (await this.truth(await this.callClosure(args[0], [v], at), at)) return v;
          }
        });
      case 'enumerate': {
        let n = 0n;
        return wrap(async () => {
          const v = await it.next();
          return v === undefined ? undefined : { k: 'tuple', items: [{ k: 'int', v: n++, t: 'usize' }, v] };
        }, { len: it.len, at: it.at ? async (i) => ({ k: 'tuple', items: [{ k: 'int', v: BigInt(i), t: 'usize' }, await it.at!(i)] }) : undefined });
      }
      case 'rev': {
        if (it.len !== undefined && it.at) {
          const len = it.len;
          let i = 0;
          return wrap(async () => (i >= len ? undefined : it.at!(len - 1 - i++)), { len, at: (n) => it.at!(len - 1 - n) });
        }
        const all: Val[] = [];
        for (let v = await pull(); v !== undefined; v = await pull()) all.push(v);
        all.reverse();
        return { k: 'iter', it: arrayIter(all, 'rev') };
      }
      case 'take': {
        const n = Number(this.intOf(await this.load(args[0], at - 1), 'take(n)', at - 1).v);
        let i = 0;
        const len = it.len === undefined ? undefined : Math.min(it.len, n);
        return wrap(async () => (i >= n ? undefined : (i++, it.next())), { len, at: it.at });
      }
      case 'skip': {
        const n = Number(this.intOf(await this.load(args[0], at - 1), 'skip(n)', at - 1).v);
        let skipped = false;
        const len = it.len === undefined ? undefined : Math.max(0, it.len - n);
        return wrap(async () => {
          if (!skipped) {
            skipped = true;
            if (it.at && it.len !== undefined) {
              // Indexable: jump instead of reading what is skipped.
              let i = n;
              const len0 = it.len;
              it = { ...it, next: async () => (i >= len0 ? undefined : it.at!(i++)) };
              const jumped = it;
              return jumped.next();
            }
            for (let k = 0; k < n; k++) if ((await pull()) === undefined) return undefined;
          }
          return it.next();
        }, { len, at: it.at ? (i) => it.at!(i + n) : undefined });
      }
      case 'step_by': {
        const n = Number(this.intOf(await this.load(args[0], at - 1), 'step_by(n)', at - 1).v);
        if (n <= 0) throw new EvaluationError('step_by needs a step of at least 1', at);
        let first = true;
        return wrap(async () => {
          if (!first) for (let k = 0; k < n - 1; k++) if ((await pull()) === undefined) return undefined;
          first = false;
          return pull();
        });
      }
      case 'count': {
        let n = 0n;
        while ((await pull()) !== undefined) n++;
        return { k: 'int', v: n, t: 'usize' };
      }
      case 'sum':
      case 'product': {
        let acc: Val | undefined;
        const want = turbofish && INT_TYPES[turbofish] ? turbofish : undefined;
        for (let v = await pull(); v !== undefined; v = await pull()) {
          const x = await this.load(v, at - 1);
          acc = acc === undefined ? x : await this.arith(method === 'sum' ? '+' : '*', acc, x, at - 1);
        }
        if (acc === undefined) return turbofish === 'f32' || turbofish === 'f64' ? { k: 'float', v: method === 'sum' ? 0 : 1, t: turbofish } : { k: 'int', v: method === 'sum' ? 0n : 1n, t: want };
        if (acc.k === 'int' && want) return this.checkedInt(acc.v, want, method === 'sum' ? 'add' : 'multiply', at);
        return acc;
      }
      case 'min':
      case 'max':
      case 'min_by_key':
      case 'max_by_key': {
        let best: Val | undefined;
        let bestKey: Val | undefined;
        const byKey = method.endsWith('_by_key');
        for (let v = await pull(); v !== undefined; v = await pull()) {
          const key = byKey ? await this.load(await this.callClosure(args[0], [v], at), at - 1) : await this.load(v, at - 1);
          if (bestKey === undefined) {
            best = v;
            bestKey = key;
            continue;
          }
          const order = await this.compare(key, bestKey, at);
          // Rust's max keeps the last of equal elements, min the first.
          if (method.startsWith('max') ? order >= 0 : order < 0) {
            best = v;
            bestKey = key;
          }
        }
        return best === undefined ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [best] };
      }
      case 'any':
      case 'all': {
        for (let v = await pull(); v !== undefined; v = await pull()) {
          const t = await this.truth(await this.callClosure(args[0], [v], at), at);
          if (method === 'any' && t) return { k: 'bool', v: true };
          if (method === 'all' && !t) return { k: 'bool', v: false };
        }
        return { k: 'bool', v: method === 'all' };
      }
      case 'find':
        for (let v = await pull(); v !== undefined; v = await pull()) {
          if (await this.truth(await this.callClosure(args[0], [v], at), at)) return { k: 'variant', name: 'Some', items: [v] };
        }
        return { k: 'variant', name: 'None', items: [] };
      case 'position': {
        let n = 0n;
        for (let v = await pull(); v !== undefined; v = await pull(), n++) {
          if (await this.truth(await this.callClosure(args[0], [v], at), at)) return { k: 'variant', name: 'Some', items: [{ k: 'int', v: n, t: 'usize' }] };
        }
        return { k: 'variant', name: 'None', items: [] };
      }
      case 'nth': {
        const n = Number(this.intOf(await this.load(args[0], at - 1), 'nth(n)', at - 1).v);
        if (it.at && it.len !== undefined) return n < it.len ? { k: 'variant', name: 'Some', items: [await it.at(n)] } : { k: 'variant', name: 'None', items: [] };
        for (let k = 0; k < n; k++) if ((await pull()) === undefined) return { k: 'variant', name: 'None', items: [] };
        const v = await pull();
        return v === undefined ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [v] };
      }
      case 'last': {
        if (it.at && it.len !== undefined) return it.len > 0 ? { k: 'variant', name: 'Some', items: [await it.at(it.len - 1)] } : { k: 'variant', name: 'None', items: [] };
        let last: Val | undefined;
        for (let v = await pull(); v !== undefined; v = await pull()) last = v;
        return last === undefined ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [last] };
      }
      case 'collect': {
        if (turbofish && !/^(Vec|VecDeque|String|alloc::vec::Vec)\b/.test(turbofish)) throw new EvaluationError(`collect::<${turbofish}>() is not supported; collect into a Vec<_> or a String`, at);
        const items: Val[] = [];
        for (let v = await pull(); v !== undefined; v = await pull()) items.push(v);
        if (turbofish?.startsWith('String')) {
          let s = '';
          for (const c of items) {
            const x = await this.load(c, at - 1);
            s += x.k === 'char' ? String.fromCodePoint(x.v) : x.k === 'str' ? x.v : '';
          }
          return { k: 'str', v: s, owned: true };
        }
        return { k: 'list', items };
      }
      case 'len':
        if (it.len !== undefined) return { k: 'int', v: BigInt(it.len), t: 'usize' };
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * Iterators over scalars (a Vec<u32>, a range) with closures made of arithmetic, comparisons and casts run on whole
   * batches synchronously: a million elements cost a million small computations, not a million chains of awaits.
   */
  private async batchMethod(it: Iter, method: string, args: Val[], at: number, turbofish?: string): Promise<Val | undefined> {
    const numeric = await this.numericMethod(it, method, args, at, turbofish);
    if (numeric) return numeric;
    if (!it.batch) return undefined;
    const closure = args[0]?.k === 'closure' ? this.compileClosure(args[0], at) : undefined;
    const source = it.batch.bind(it);
    const take = async (): Promise<Val[]> => {
      const b = await source();
      if (!it.counted) this.tickMany(b.length, it.len, `${method} over ${it.label}`, at);
      return b;
    };
    const lazy = (transform: (batch: Val[]) => Val[], len?: number): Val => {
      let buffer: Val[] = [];
      let offset = 0;
      const next = async (): Promise<Val | undefined> => {
        while (offset >= buffer.length) {
          const b = await take();
          if (b.length === 0) return undefined;
          buffer = transform(b);
          offset = 0;
        }
        return buffer[offset++];
      };
      const batch = async (): Promise<Val[]> => {
        if (offset < buffer.length) {
          const rest = buffer.slice(offset);
          offset = buffer.length;
          return rest;
        }
        for (;;) {
          const b = await take();
          if (b.length === 0) return [];
          const t = transform(b);
          if (t.length > 0) return t;
          this.scope.signal?.throwIfAborted();
        }
      };
      return { k: 'iter', it: { label: it.label, len, next, batch, counted: true } };
    };
    switch (method) {
      case 'map':
        return closure ? lazy((b) => b.map((v) => closure(v)), it.len) : undefined;
      case 'filter':
        return closure ? lazy((b) => b.filter((v) => this.syncTruth(closure(v), at))) : undefined;
      case 'count': {
        // An untouched sequence or range knows its length: counting it reads nothing.
        if (it.len !== undefined) return { k: 'int', v: BigInt(it.len), t: 'usize' };
        let n = 0;
        for (let b = await take(); b.length > 0; b = await take()) n += b.length;
        return { k: 'int', v: BigInt(n), t: 'usize' };
      }
      case 'any':
      case 'all':
      case 'find':
      case 'position': {
        if (!closure) return undefined;
        let index = 0;
        for (let b = await take(); b.length > 0; b = await take()) {
          for (const v of b) {
            const t = this.syncTruth(closure(v), at);
            if (method === 'any' && t) return { k: 'bool', v: true };
            if (method === 'all' && !t) return { k: 'bool', v: false };
            if (method === 'find' && t) return { k: 'variant', name: 'Some', items: [v] };
            if (method === 'position' && t) return { k: 'variant', name: 'Some', items: [{ k: 'int', v: BigInt(index), t: 'usize' }] };
            index++;
          }
        }
        return method === 'any' || method === 'all' ? { k: 'bool', v: method === 'all' } : { k: 'variant', name: 'None', items: [] };
      }
      case 'sum':
      case 'product': {
        const want = turbofish && INT_TYPES[turbofish] ? turbofish : undefined;
        let acc: Val | undefined;
        for (let b = await take(); b.length > 0; b = await take()) {
          for (const v of b) acc = acc === undefined ? v : this.syncArith(method === 'sum' ? '+' : '*', acc, v, at - 1);
        }
        if (acc === undefined) return turbofish === 'f32' || turbofish === 'f64' ? { k: 'float', v: method === 'sum' ? 0 : 1, t: turbofish } : { k: 'int', v: method === 'sum' ? 0n : 1n, t: want };
        if (acc.k === 'int' && want) return this.checkedInt(acc.v, want, method === 'sum' ? 'add' : 'multiply', at);
        return acc;
      }
      case 'max':
      case 'min': {
        let best: Val | undefined;
        for (let b = await take(); b.length > 0; b = await take()) {
          for (const v of b) {
            if (best === undefined) best = v;
            else {
              const order = compareScalars(v, best);
              if (order === undefined) throw new EvaluationError(`cannot compare ${this.describe(v)} with ${this.describe(best)}`, at);
              if (method === 'max' ? order >= 0 : order < 0) best = v;
            }
          }
        }
        return best === undefined ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [best] };
      }
      case 'collect': {
        if (turbofish && !/^(Vec|VecDeque|alloc::vec::Vec)\b/.test(turbofish)) return undefined;
        const items: Val[] = [];
        for (let b = await take(); b.length > 0; b = await take()) for (const v of b) items.push(v);
        return { k: 'list', items };
      }
      default:
        return undefined;
    }
  }

  /**
   * Iterators over small integers (a Vec<u32>) with closures compiled to functions on numbers: no value objects and no
   * bigints per element. An element the compiled closure does not decide (an overflow) is evaluated the general way.
   * Undefined, having consumed nothing, when the iterator or the closure does not fit.
   */
  private async numericMethod(it: Iter, method: string, args: Val[], at: number, turbofish?: string): Promise<Val | undefined> {
    const t = it.numType;
    if (!it.numbers || t === undefined) return undefined;
    const source = it.numbers.bind(it);
    const toVal = (x: number): Val => ({ k: 'int', v: BigInt(x), t });
    const f = args[0];
    const compiled = f?.k === 'closure' ? compileNumeric(f.params, f.body, t) : undefined;
    const general = f?.k === 'closure' && compiled ? this.compileClosure(f, at) : undefined;
    const call = compiled && general
      ? (x: number): number | boolean => {
          try {
            return compiled.fn(x);
          } catch (err) {
            if (err !== NOT_DECIDED) throw err;
            const r = general(toVal(x));
            if (r.k === 'bool') return r.v;
            if (r.k === 'int') return Number(r.v);
            throw new EvaluationError(`expected ${compiled.returns} from the closure but found ${this.describe(r)}`, at);
          }
        }
      : undefined;
    const take = async (): Promise<ArrayLike<number>> => {
      const b = await source();
      if (!it.counted) this.tickMany(b.length, it.len, `${method} over ${it.label}`, at);
      return b;
    };
    const lazy = (transform: (b: ArrayLike<number>) => ArrayLike<number>, len?: number): Val => {
      let buffer: Val[] = [];
      let offset = 0;
      const numbers = async (): Promise<ArrayLike<number>> => {
        for (;;) {
          const b = await take();
          if (b.length === 0) return b;
          const out = transform(b);
          if (out.length > 0) return out;
          this.scope.signal?.throwIfAborted();
        }
      };
      const batch = async (): Promise<Val[]> => {
        if (offset < buffer.length) {
          const rest = buffer.slice(offset);
          offset = buffer.length;
          return rest;
        }
        return Array.from(await numbers(), toVal);
      };
      const next = async (): Promise<Val | undefined> => {
        if (offset >= buffer.length) {
          buffer = await batch();
          offset = 0;
          if (buffer.length === 0) return undefined;
        }
        return buffer[offset++];
      };
      return { k: 'iter', it: { label: it.label, len, next, batch, numbers, numType: t, counted: true } };
    };
    switch (method) {
      case 'filter':
        if (!call || compiled!.returns !== 'bool') return undefined;
        return lazy((b) => {
          const out: number[] = [];
          for (let k = 0; k < b.length; k++) if (call(b[k])) out.push(b[k]);
          return out;
        });
      case 'map':
        if (!call || compiled!.returns !== 'int') return undefined;
        return lazy((b) => {
          const out = new Array<number>(b.length);
          for (let k = 0; k < b.length; k++) out[k] = call(b[k]) as number;
          return out;
        }, it.len);
      case 'count': {
        if (it.len !== undefined) return { k: 'int', v: BigInt(it.len), t: 'usize' };
        let n = 0;
        for (let b = await take(); b.length > 0; b = await take()) n += b.length;
        return { k: 'int', v: BigInt(n), t: 'usize' };
      }
      case 'sum': {
        const want = turbofish && INT_TYPES[turbofish] ? turbofish : undefined;
        if (turbofish && !want) return undefined;
        const { min, max } = smallIntBounds(t);
        let acc: number | undefined;
        for (let b = await take(); b.length > 0; b = await take()) {
          for (let k = 0; k < b.length; k++) {
            if (acc === undefined) acc = b[k];
            else {
              const next = acc + b[k];
              // Rust's overflow, with the general path's message.
              if (next < min || next > max) this.syncArith('+', toVal(acc), toVal(b[k]), at - 1);
              acc = next;
            }
          }
        }
        if (acc === undefined) return { k: 'int', v: 0n, t: want };
        return want ? this.checkedInt(BigInt(acc), want, 'add', at) : toVal(acc);
      }
      case 'min':
      case 'max': {
        let best: number | undefined;
        for (let b = await take(); b.length > 0; b = await take()) {
          for (let k = 0; k < b.length; k++) if (best === undefined || (method === 'max' ? b[k] >= best : b[k] < best)) best = b[k];
        }
        return best === undefined ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [toVal(best)] };
      }
      case 'any':
      case 'all':
      case 'find':
      case 'position': {
        if (!call || compiled!.returns !== 'bool') return undefined;
        let index = 0;
        for (let b = await take(); b.length > 0; b = await take()) {
          for (let k = 0; k < b.length; k++, index++) {
            const yes = call(b[k]) as boolean;
            if (method === 'any' && yes) return { k: 'bool', v: true };
            if (method === 'all' && !yes) return { k: 'bool', v: false };
            if (method === 'find' && yes) return { k: 'variant', name: 'Some', items: [toVal(b[k])] };
            if (method === 'position' && yes) return { k: 'variant', name: 'Some', items: [{ k: 'int', v: BigInt(index), t: 'usize' }] };
          }
        }
        return method === 'any' || method === 'all' ? { k: 'bool', v: method === 'all' } : { k: 'variant', name: 'None', items: [] };
      }
      default:
        return undefined;
    }
  }

  private tickMany(n: number, total: number | undefined, what: string, at: number): void {
    const before = this.visited;
    this.visited += n;
    if (this.visited > this.maxElements) {
      throw new EvaluationError(`the evaluation visited more than ${this.maxElements.toLocaleString('en-US')} elements (the element-loop limit); narrow it with take(n) or a range`, at);
    }
    this.scope.signal?.throwIfAborted();
    if (Math.floor(before / PROGRESS_EVERY) !== Math.floor(this.visited / PROGRESS_EVERY)) {
      const fraction = total ? Math.min(1, this.visited / total) : 0;
      this.scope.reportProgress?.(fraction, `${what}: ${this.visited.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''} elements`);
    }
  }

  private syncTruth(v: Val, at: number): boolean {
    if (v.k !== 'bool') throw new EvaluationError(`expected bool from the closure but found ${this.describe(v)}`, at);
    return v.v;
  }

  /** A closure whose body needs no memory (arithmetic, comparisons, casts on its scalar parameters) as a synchronous function; undefined otherwise. */
  private compileClosure(f: Extract<Val, { k: 'closure' }>, at: number): ((v: Val) => Val) | undefined {
    if (f.params.length !== 1) return undefined;
    let p = f.params[0];
    while (p.kind === 'ref') p = p.pattern;
    if (p.kind !== 'bind' && p.kind !== 'wild') return undefined;
    const name = p.kind === 'bind' ? p.name : undefined;
    const ok = (e: Expr): boolean => {
      switch (e.kind) {
        case 'int':
        case 'float':
        case 'bool':
        case 'char':
          return true;
        case 'path':
          return e.segments.length === 1 && e.segments[0] === name;
        case 'unary':
          return ok(e.operand);
        case 'binary':
          return ok(e.left) && ok(e.right);
        case 'cast':
          return ok(e.operand) && (INT_TYPES[e.type] !== undefined || e.type === 'f32' || e.type === 'f64' || e.type === 'char');
        default:
          return false;
      }
    };
    if (!ok(f.body)) return undefined;
    const run = (e: Expr, v: Val): Val => {
      switch (e.kind) {
        case 'int':
        case 'float':
        case 'bool':
        case 'char':
          return literalValue(e);
        case 'path':
          return v;
        case 'unary': {
          const x = run(e.operand, v);
          if (e.op === '*' || e.op === '&') return x;
          if (e.op === '!') {
            if (x.k === 'bool') return { k: 'bool', v: !x.v };
            if (x.k === 'int') {
              const info = INT_TYPES[x.t ?? 'i32'];
              return { k: 'int', v: info.signed ? BigInt.asIntN(info.bits, ~x.v) : BigInt.asUintN(info.bits, ~x.v), t: x.t };
            }
          } else if (x.k === 'int') return this.checkedInt(-x.v, x.t, 'negate', e.start + 1);
          else if (x.k === 'float') return { k: 'float', v: -x.v, t: x.t };
          throw new EvaluationError(`cannot apply unary operator '${e.op}' to ${this.describe(x)}`, e.start + 1);
        }
        case 'binary': {
          const op = e.op;
          if (op === '&&' || op === '||') {
            const l = run(e.left, v);
            if (l.k !== 'bool') throw new EvaluationError(`'${op}' needs bool operands, found ${this.describe(l)}`, e.left.start + 1);
            if (op === '&&' ? !l.v : l.v) return l;
            return run(e.right, v);
          }
          const l = run(e.left, v);
          const r = run(e.right, v);
          if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
            const c = compareScalars(l, r);
            if (c === undefined) throw new EvaluationError(`cannot compare ${this.describe(l)} with ${this.describe(r)}`, e.start + 1);
            const b = op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
            return { k: 'bool', v: b };
          }
          return this.syncArith(op, l, r, e.start);
        }
        case 'cast':
          return this.castValue(run(e.operand, v), e.type, e.start + 1);
        default:
          throw new EvaluationError('internal: a closure compiled with an unsupported expression', at);
      }
    };
    return (v: Val) => run(f.body, v);
  }

  // ---- methods ----

  private async call(targetRaw: Val, method: string, args: Val[], start: number, turbofish?: string): Promise<Val> {
    const at = start + 1;
    if (targetRaw.k === 'iter') {
      const r = await this.iterMethod(targetRaw.it, method, args, at, turbofish);
      if (r) return r;
      throw new EvaluationError(`no method '${method}' on an iterator; iterators here have map, filter, count, sum, min, max, any, all, find, position, enumerate, rev, take, skip, nth, last and collect`, at);
    }
    // Rc's and Arc's own functions look at the pointer, not through it.
    if (targetRaw.k === 'place' && (method === 'strong_count' || method === 'weak_count')) {
      const counted = await this.refCount(targetRaw.place, method, at);
      if (counted) return counted;
    }
    const loaded = await this.load(await this.autoDeref(targetRaw), start);
    const target = await this.autoDeref(loaded);
    switch (target.k) {
      case 'int':
      case 'float':
        return this.numberMethod(target, method, args, at);
      case 'char':
        return this.charMethod(target, method, args, at);
      case 'bool':
        if (method === 'then_some') return target.v ? { k: 'variant', name: 'Some', items: [args[0]] } : { k: 'variant', name: 'None', items: [] };
        break;
      case 'str':
        return this.strMethod(target.v, method, args, at, this.describe(target));
      case 'variant':
        return this.optionMethod(target.name, target.items[0], method, args, at, 'Option');
      case 'range':
      case 'list':
      case 'tuple': {
        if (method === 'len' && target.k !== 'range') return { k: 'int', v: BigInt(target.items.length), t: 'usize' };
        if (method === 'contains' && target.k === 'range') {
          const x = this.intOf(await this.load(args[0], at - 1), 'contains(x)', at).v;
          const ok = (target.from === undefined || x >= target.from) && (target.to === undefined || (target.inclusive ? x <= target.to : x < target.to));
          return { k: 'bool', v: ok };
        }
        const seqResult = await this.seqMethod(await this.iterOf(target, method, at), method, args, at);
        if (seqResult) return seqResult;
        const r = await this.iterMethod(await this.iterOf(target, method, at), method, args, at, turbofish);
        if (r) return r;
        break;
      }
      case 'place':
        return this.placeMethod(target.place, method, args, at, turbofish);
      default:
        break;
    }
    throw new EvaluationError(`no method named '${method}' found for ${this.describe(target)}`, at);
  }

  private async refCount(place: Place, method: string, at: number): Promise<Val | undefined> {
    let current = place;
    for (let i = 0; i < 4; i++) {
      const view = await this.formatter.view(current);
      if (view.kind !== 'deref') return undefined;
      const fact = view.extras.find((f) => f.name === (method === 'strong_count' ? '[strong]' : '[weak]'));
      if (fact?.text !== undefined) return { k: 'int', v: BigInt(fact.text), t: 'usize' };
      current = view.target;
    }
    void at;
    return undefined;
  }

  private async placeMethod(place: Place, method: string, args: Val[], at: number, turbofish?: string): Promise<Val> {
    const type = this.type(place.type);
    const view = await this.formatter.view(place);
    if (type.kind === 'enum') {
      const variant = await this.values.activeVariant(place, type);
      const family = /Result</.test(type.name) ? 'Result' : /Option</.test(type.name) ? 'Option' : shortName(type.name);
      if (variant && ['is_some', 'is_none', 'is_ok', 'is_err', 'unwrap', 'expect', 'unwrap_or', 'unwrap_or_default', 'as_ref', 'as_deref', 'as_mut', 'ok', 'err', 'is_some_and', 'map', 'unwrap_err', 'iter', 'cloned', 'copied'].includes(method)) {
        const inner = await this.variantField(place, variant, 0);
        return this.optionMethod(variant.name, inner, method, args, at, family);
      }
    }
    if (view.kind === 'text') return this.strMethod(await this.text(view, at), method, args, at, `'${type.name}'`);
    if (view.kind === 'seq' || view.kind === 'map') {
      const typeName = type.name;
      if (method === 'len') return { k: 'int', v: BigInt(view.len), t: 'usize' };
      if (method === 'is_empty') return { k: 'bool', v: view.len === 0 };
      if (view.kind === 'map') {
        if (method === 'contains_key' || method === 'contains' || method === 'get') {
          const found = await this.lookup(view, await this.load(args[0], at - 1), at);
          if (method === 'get') return found?.value ? { k: 'variant', name: 'Some', items: [{ k: 'place', place: found.value }] } : { k: 'variant', name: 'None', items: [] };
          return { k: 'bool', v: found !== undefined };
        }
        if (method === 'keys' || method === 'values' || method === 'iter' || method === 'into_iter') {
          const it = await this.iterOf({ k: 'place', place }, method, at);
          if (method === 'keys' || method === 'values') {
            const pick = method === 'keys' ? 0 : 1;
            return { k: 'iter', it: { label: method, len: it.len, next: async () => { const v = await it.next(); return v === undefined ? undefined : v.k === 'tuple' ? v.items[pick] : v; } } };
          }
          return { k: 'iter', it };
        }
      } else {
        const it = await this.iterOf({ k: 'place', place }, method, at);
        const r = await this.seqMethod(it, method, args, at);
        if (r) return r;
        if (method === 'iter' || method === 'into_iter' || method === 'iter_mut') return { k: 'iter', it };
      }
      throw new EvaluationError(`no method named '${method}' found for '${typeName}' here; ${view.kind === 'map' ? 'maps have len, is_empty, contains_key, get, keys, values and iter' : 'sequences have len, is_empty, get, first, last, contains and iter'}`, at);
    }
    if (view.kind === 'fields') {
      // Cell::get, RefCell::borrow, Mutex::lock: the value inside.
      const inner = view.fields.find((f) => (f.name === 'value' || f.name === 'data' || f.name === '0') && f.place);
      if (inner?.place && ['get', 'borrow', 'borrow_mut', 'into_inner', 'get_mut', 'take', 'lock', 'read', 'write'].includes(method)) {
        const value: Val = { k: 'place', place: { ...inner.place, expr: `${paren(place.expr)}.${method}()` } };
        if (method === 'lock' || method === 'read' || method === 'write') return { k: 'variant', name: 'Ok', items: [value] };
        return value;
      }
    }
    if (method === 'clone' || method === 'to_owned' || method === 'as_ref' || method === 'deref' || method === 'borrow' || method === 'as_slice' || method === 'as_str') return { k: 'place', place };
    if (method === 'to_string' || method === 'len') {
      // Fall through to the error below, naming the type.
    }
    void turbofish;
    throw new EvaluationError(`no method named '${method}' found for type '${type.name}' in the evaluator's std methods`, at);
  }

  private async seqMethod(it: Iter, method: string, args: Val[], at: number): Promise<Val | undefined> {
    const none: Val = { k: 'variant', name: 'None', items: [] };
    const some = (v: Val): Val => ({ k: 'variant', name: 'Some', items: [v] });
    const len = it.len ?? 0;
    switch (method) {
      case 'len':
        return { k: 'int', v: BigInt(len), t: 'usize' };
      case 'is_empty':
        return { k: 'bool', v: len === 0 };
      case 'first':
        return len > 0 && it.at ? some(await it.at(0)) : none;
      case 'last':
        return len > 0 && it.at ? some(await it.at(len - 1)) : none;
      case 'get': {
        const i = await this.load(args[0], at - 1);
        if (i.k === 'range') throw new EvaluationError('get(range) is not supported; index with the range instead (v[a..b])', at);
        const n = this.intOf(i, 'get(i)', at - 1).v;
        return n >= 0n && n < BigInt(len) && it.at ? some(await it.at(Number(n))) : none;
      }
      case 'contains': {
        const wanted = await this.load(args[0], at - 1);
        for (let v = await it.next(); v !== undefined; v = await it.next()) {
          this.tick(it.len, 'contains', at);
          if (await this.equals(v, wanted, at)) return { k: 'bool', v: true };
        }
        return { k: 'bool', v: false };
      }
      default:
        return undefined;
    }
  }

  private async variantField(place: Place, variant: { type: TypeRef; offset: number }, i: number): Promise<Val | undefined> {
    const fields = this.type(variant.type).fields ?? [];
    const f = fields[i];
    if (!f) return undefined;
    return { k: 'place', place: this.values.at({ ...place, address: place.address + variant.offset, bytes: place.bytes?.subarray(variant.offset) }, f, `${paren(place.expr)}.${i}`) };
  }

  private async optionInner(place: Place, type: RustType): Promise<Val | undefined> {
    const variant = await this.values.activeVariant(place, type);
    return variant && variant.name === 'Some' ? this.variantField(place, variant, 0) : undefined;
  }

  private async optionMethod(variant: string, inner: Val | undefined, method: string, args: Val[], at: number, family: string): Promise<Val> {
    const isSome = variant === 'Some' || variant === 'Ok';
    switch (method) {
      case 'is_some':
        return { k: 'bool', v: variant === 'Some' };
      case 'is_none':
        return { k: 'bool', v: variant === 'None' };
      case 'is_ok':
        return { k: 'bool', v: variant === 'Ok' };
      case 'is_err':
        return { k: 'bool', v: variant === 'Err' };
      case 'unwrap':
      case 'expect':
        if (isSome && inner) return inner;
        throw new EvaluationError(family === 'Result' ? `called \`Result::unwrap()\` on an \`Err\` value${inner ? `: ${await this.debugText(inner)}` : ''}` : `called \`${family}::unwrap()\` on a \`${variant}\` value`, at);
      case 'unwrap_err':
        if (variant === 'Err' && inner) return inner;
        throw new EvaluationError(`called \`Result::unwrap_err()\` on an \`Ok\` value`, at);
      case 'unwrap_or':
        return isSome && inner ? inner : args[0];
      case 'unwrap_or_default':
        if (isSome && inner) return inner;
        throw new EvaluationError('unwrap_or_default() on None needs the default of the type, which the evaluator cannot make; use unwrap_or(value)', at);
      case 'as_ref':
      case 'as_deref':
      case 'as_mut':
      case 'cloned':
      case 'copied':
        return { k: 'variant', name: variant, items: inner ? [inner] : [] };
      case 'ok':
        return variant === 'Ok' && inner ? { k: 'variant', name: 'Some', items: [inner] } : { k: 'variant', name: 'None', items: [] };
      case 'err':
        return variant === 'Err' && inner ? { k: 'variant', name: 'Some', items: [inner] } : { k: 'variant', name: 'None', items: [] };
      case 'is_some_and':
        return { k: 'bool', v: isSome && inner !== undefined && (await this.truth(await this.callClosure(args[0], [inner], at), at)) };
      case 'map':
        return isSome && inner ? { k: 'variant', name: variant, items: [await this.callClosure(args[0], [inner], at)] } : { k: 'variant', name: variant, items: inner && !isSome ? [inner] : [] };
      case 'iter':
        return { k: 'iter', it: arrayIter(isSome && inner ? [inner] : [], 'option') };
      default:
        throw new EvaluationError(`no method named '${method}' found for ${family}`, at);
    }
  }

  private async strMethod(s: string, method: string, args: Val[], at: number, typeText: string): Promise<Val> {
    const arg = async (i: number): Promise<Val> => this.load(args[i], at - 1);
    const pattern = async (i: number): Promise<string> => {
      const a = await this.autoDeref(await arg(i));
      if (a.k === 'char') return String.fromCodePoint(a.v);
      if (a.k === 'str') return a.v;
      if (a.k === 'place') {
        const view = await this.formatter.view(a.place);
        if (view.kind === 'text') return this.text(view, at);
      }
      throw new EvaluationError(`expected a &str or char pattern but found ${this.describe(a)}`, at);
    };
    switch (method) {
      case 'len':
        return { k: 'int', v: BigInt(Buffer.byteLength(s, 'utf8')), t: 'usize' };
      case 'is_empty':
        return { k: 'bool', v: s.length === 0 };
      case 'starts_with':
        return { k: 'bool', v: s.startsWith(await pattern(0)) };
      case 'ends_with':
        return { k: 'bool', v: s.endsWith(await pattern(0)) };
      case 'contains':
        return { k: 'bool', v: s.includes(await pattern(0)) };
      case 'find': {
        const i = s.indexOf(await pattern(0));
        return i < 0 ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [{ k: 'int', v: BigInt(Buffer.byteLength(s.slice(0, i), 'utf8')), t: 'usize' }] };
      }
      case 'to_uppercase':
        return { k: 'str', v: rustUpper(s), owned: true };
      case 'to_lowercase':
        return { k: 'str', v: s.toLowerCase(), owned: true };
      case 'to_ascii_uppercase':
        return { k: 'str', v: s.replace(/[a-z]/g, (c) => c.toUpperCase()), owned: true };
      case 'to_ascii_lowercase':
        return { k: 'str', v: s.replace(/[A-Z]/g, (c) => c.toLowerCase()), owned: true };
      case 'trim':
        return { k: 'str', v: s.replace(/^\s+|\s+$/gu, '') };
      case 'trim_start':
        return { k: 'str', v: s.replace(/^\s+/u, '') };
      case 'trim_end':
        return { k: 'str', v: s.replace(/\s+$/u, '') };
      case 'to_string':
      case 'to_owned':
      case 'clone':
      case 'as_str':
      case 'as_ref':
      case 'deref':
        return { k: 'str', v: s, owned: method === 'to_string' || method === 'to_owned' || method === 'clone' };
      case 'chars':
        return { k: 'iter', it: arrayIter([...s].map((c) => ({ k: 'char', v: c.codePointAt(0)! })), 'chars') };
      case 'bytes':
        return { k: 'iter', it: arrayIter([...Buffer.from(s, 'utf8')].map((b) => ({ k: 'int', v: BigInt(b), t: 'u8' })), 'bytes') };
      case 'eq':
        return { k: 'bool', v: s === (await pattern(0)) };
      case 'repeat': {
        const n = Number(this.intOf(await arg(0), 'repeat(n)', at).v);
        if (n * s.length > MAX_READ) throw new EvaluationError(`repeat(${n}) would make a string longer than ${MAX_READ} bytes (the result limit)`, at);
        return { k: 'str', v: s.repeat(n), owned: true };
      }
      default:
        throw new EvaluationError(`no method named '${method}' found for ${typeText}; strings here have len, is_empty, chars, bytes, starts_with, ends_with, contains, find, trim, to_uppercase and to_lowercase`, at);
    }
  }

  private async charMethod(c: Extract<Val, { k: 'char' }>, method: string, args: Val[], at: number): Promise<Val> {
    const ch = String.fromCodePoint(c.v);
    switch (method) {
      case 'is_alphabetic':
        return { k: 'bool', v: /\p{Alphabetic}/u.test(ch) };
      case 'is_numeric':
        return { k: 'bool', v: /\p{N}/u.test(ch) };
      case 'is_alphanumeric':
        return { k: 'bool', v: /[\p{Alphabetic}\p{N}]/u.test(ch) };
      case 'is_whitespace':
        return { k: 'bool', v: /\s/u.test(ch) };
      case 'is_uppercase':
        return { k: 'bool', v: /\p{Uppercase}/u.test(ch) };
      case 'is_lowercase':
        return { k: 'bool', v: /\p{Lowercase}/u.test(ch) };
      case 'is_ascii_digit':
        return { k: 'bool', v: /[0-9]/.test(ch) };
      case 'is_ascii':
        return { k: 'bool', v: c.v < 128 };
      case 'to_ascii_uppercase':
        return { k: 'char', v: /[a-z]/.test(ch) ? ch.toUpperCase().codePointAt(0)! : c.v };
      case 'to_ascii_lowercase':
        return { k: 'char', v: /[A-Z]/.test(ch) ? ch.toLowerCase().codePointAt(0)! : c.v };
      case 'len_utf8':
        return { k: 'int', v: BigInt(Buffer.byteLength(ch, 'utf8')), t: 'usize' };
      case 'to_digit': {
        const radix = Number(this.intOf(await this.load(args[0], at - 1), 'to_digit(radix)', at).v);
        const d = parseInt(ch, radix);
        return Number.isNaN(d) ? { k: 'variant', name: 'None', items: [] } : { k: 'variant', name: 'Some', items: [{ k: 'int', v: BigInt(d), t: 'u32' }] };
      }
      default:
        throw new EvaluationError(`no method named '${method}' found for char`, at);
    }
  }

  private async numberMethod(n: Extract<Val, { k: 'int' | 'float' }>, method: string, args: Val[], at: number): Promise<Val> {
    const other = async (): Promise<Val> => this.load(args[0], at - 1);
    if (n.k === 'int') {
      const t = n.t ?? 'i32';
      const info = INT_TYPES[t];
      switch (method) {
        case 'abs':
          return this.checkedInt(n.v < 0n ? -n.v : n.v, t, 'negate', at);
        case 'pow': {
          const e = this.intOf(await other(), 'pow(exp)', at).v;
          if (e > 4096n) throw new EvaluationError('attempt to multiply with overflow', at);
          return this.checkedInt(n.v ** e, t, 'multiply', at);
        }
        case 'min':
        case 'max': {
          const o = this.intOf(await other(), `${method}(other)`, at).v;
          return { k: 'int', v: method === 'min' ? (o < n.v ? o : n.v) : o > n.v ? o : n.v, t: n.t };
        }
        case 'signum':
          return { k: 'int', v: n.v > 0n ? 1n : n.v < 0n ? -1n : 0n, t: n.t };
        case 'is_positive':
          return { k: 'bool', v: n.v > 0n };
        case 'is_negative':
          return { k: 'bool', v: n.v < 0n };
        case 'count_ones':
        case 'count_zeros': {
          const bits = BigInt.asUintN(info.bits, n.v).toString(2);
          const ones = [...bits].filter((b) => b === '1').length;
          return { k: 'int', v: BigInt(method === 'count_ones' ? ones : info.bits - ones), t: 'u32' };
        }
        case 'leading_zeros':
          return { k: 'int', v: BigInt(info.bits - (n.v === 0n ? 0 : BigInt.asUintN(info.bits, n.v).toString(2).length)), t: 'u32' };
        case 'trailing_zeros': {
          const u = BigInt.asUintN(info.bits, n.v);
          if (u === 0n) return { k: 'int', v: BigInt(info.bits), t: 'u32' };
          let z = 0;
          while (((u >> BigInt(z)) & 1n) === 0n) z++;
          return { k: 'int', v: BigInt(z), t: 'u32' };
        }
        case 'is_power_of_two':
          return { k: 'bool', v: n.v > 0n && (n.v & (n.v - 1n)) === 0n };
        case 'wrapping_add':
        case 'wrapping_sub':
        case 'wrapping_mul': {
          const o = this.intOf(await other(), method, at).v;
          const r = method === 'wrapping_add' ? n.v + o : method === 'wrapping_sub' ? n.v - o : n.v * o;
          return { k: 'int', v: info.signed ? BigInt.asIntN(info.bits, r) : BigInt.asUintN(info.bits, r), t };
        }
        case 'checked_add':
        case 'checked_sub':
        case 'checked_mul': {
          const o = this.intOf(await other(), method, at).v;
          const r = method === 'checked_add' ? n.v + o : method === 'checked_sub' ? n.v - o : n.v * o;
          return fits(r, t) ? { k: 'variant', name: 'Some', items: [{ k: 'int', v: r, t }] } : { k: 'variant', name: 'None', items: [] };
        }
        case 'to_string':
          return { k: 'str', v: n.v.toString(), owned: true };
        case 'clone':
          return n;
        default:
          throw new EvaluationError(`no method named '${method}' found for ${t}`, at);
      }
    }
    const f = n.v;
    const round = (x: number): Val => ({ k: 'float', v: n.t === 'f32' ? Math.fround(x) : x, t: n.t });
    switch (method) {
      case 'abs':
        return round(Math.abs(f));
      case 'sqrt':
        return round(Math.sqrt(f));
      case 'floor':
        return round(Math.floor(f));
      case 'ceil':
        return round(Math.ceil(f));
      case 'round':
        return round(f < 0 ? -Math.round(-f) : Math.round(f));
      case 'trunc':
        return round(Math.trunc(f));
      case 'powi':
        return round(f ** Number(this.intOf(await other(), 'powi(n)', at).v));
      case 'powf': {
        const o = await other();
        return round(f ** (o.k === 'float' ? o.v : Number(this.intOf(o, 'powf(x)', at).v)));
      }
      case 'min':
      case 'max': {
        const o = await other();
        const x = o.k === 'float' ? o.v : Number(this.intOf(o, method, at).v);
        return round(method === 'min' ? Math.min(f, x) : Math.max(f, x));
      }
      case 'is_nan':
        return { k: 'bool', v: Number.isNaN(f) };
      case 'is_finite':
        return { k: 'bool', v: Number.isFinite(f) };
      case 'signum':
        return round(Number.isNaN(f) ? NaN : Object.is(f, -0) || f < 0 ? -1 : 1);
      case 'clone':
        return n;
      default:
        throw new EvaluationError(`no method named '${method}' found for ${n.t}`, at);
    }
  }

  // ---- operators ----

  private async unary(op: string, operandRaw: Val, start: number): Promise<Val> {
    const at = start + 1;
    if (op === '&') return operandRaw;
    if (op === '*') {
      if (operandRaw.k !== 'place') return operandRaw;
      const type = this.type(operandRaw.place.type);
      if (type.kind === 'pointer' || /^alloc::boxed::Box</.test(type.name)) {
        const view = await this.formatter.view(operandRaw.place);
        if (view.kind === 'deref') return { k: 'place', place: { ...view.target, expr: `*${paren(operandRaw.place.expr)}` } };
        if (type.kind === 'pointer' && type.pointee !== undefined) {
          return { k: 'place', place: { type: type.pointee, address: await this.values.address(operandRaw.place, 0), expr: `*${paren(operandRaw.place.expr)}` } };
        }
      }
      const view = await this.formatter.view(operandRaw.place);
      if (view.kind === 'deref') return { k: 'place', place: { ...view.target, expr: `*${paren(operandRaw.place.expr)}` } };
      return operandRaw;
    }
    const operand = await this.load(operandRaw, start);
    if (op === '!') {
      if (operand.k === 'bool') return { k: 'bool', v: !operand.v };
      if (operand.k === 'int') {
        const info = INT_TYPES[operand.t ?? 'i32'];
        return { k: 'int', v: info.signed ? BigInt.asIntN(info.bits, ~operand.v) : BigInt.asUintN(info.bits, ~operand.v), t: operand.t };
      }
      throw new EvaluationError(`cannot apply unary operator '!' to ${this.describe(operand)}`, at);
    }
    if (operand.k === 'int') {
      if (operand.t && !INT_TYPES[operand.t].signed) throw new EvaluationError(`cannot apply unary operator '-' to type '${operand.t}'`, at);
      return this.checkedInt(-operand.v, operand.t, 'negate', at);
    }
    if (operand.k === 'float') return { k: 'float', v: -operand.v, t: operand.t };
    throw new EvaluationError(`cannot apply unary operator '-' to ${this.describe(operand)}`, at);
  }

  private async binary(e: Extract<Expr, { kind: 'binary' }>, env: Env): Promise<Val> {
    const op = e.op;
    const at = e.start + 1;
    if (op === '&&' || op === '||') {
      const left = await this.load(await this.eval(e.left, env), e.left.start);
      if (left.k !== 'bool') throw new EvaluationError(`'${op}' needs bool operands, found ${this.describe(left)}`, e.left.start + 1);
      if (op === '&&' ? !left.v : left.v) return left;
      const right = await this.load(await this.eval(e.right, env), e.right.start);
      if (right.k !== 'bool') throw new EvaluationError(`'${op}' needs bool operands, found ${this.describe(right)}`, e.right.start + 1);
      return right;
    }
    const left = await this.eval(e.left, env);
    const right = await this.eval(e.right, env);
    if (op === '==' || op === '!=') {
      const eq = await this.equals(left, right, at);
      return { k: 'bool', v: op === '==' ? eq : !eq };
    }
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      const order = await this.compare(await this.load(left, e.start), await this.load(right, e.start), at);
      return { k: 'bool', v: op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0 };
    }
    return this.arith(op, await this.load(left, e.start), await this.load(right, e.start), e.start);
  }

  private async arith(op: BinaryOp, a: Val, b: Val, start: number): Promise<Val> {
    const at = start + 1;
    if (op === '+' && (a.k === 'str' || a.k === 'place')) {
      const s1 = await this.textOf(a, at);
      const s2 = await this.textOf(b, at);
      if (s1 !== undefined && s2 !== undefined) return { k: 'str', v: s1 + s2, owned: true };
    }
    return this.syncArith(op, a, b, start);
  }

  /** Arithmetic and bit operators on scalars, with Rust's overflow checks. */
  private syncArith(op: BinaryOp, a: Val, b: Val, start: number): Val {
    const at = start + 1;
    if (a.k === 'int' && b.k === 'int') {
      const t = a.t ?? b.t;
      if (a.t && b.t && a.t !== b.t && op !== '<<' && op !== '>>') throw new EvaluationError(`mismatched types: cannot apply '${op}' to ${a.t} and ${b.t}; cast one with 'as'`, at);
      const x = a.v;
      const y = b.v;
      switch (op) {
        case '+':
          return this.checkedInt(x + y, t, 'add', at);
        case '-':
          return this.checkedInt(x - y, t, 'subtract', at);
        case '*':
          return this.checkedInt(x * y, t, 'multiply', at);
        case '/':
        case '%':
          if (y === 0n) throw new EvaluationError(`attempt to ${op === '/' ? 'divide' : 'calculate the remainder'} with a divisor of zero`, at);
          return this.checkedInt(op === '/' ? x / y : x % y, t, 'divide', at);
        case '&':
          return { k: 'int', v: x & y, t };
        case '|':
          return { k: 'int', v: x | y, t };
        case '^':
          return { k: 'int', v: x ^ y, t };
        case '<<':
        case '>>': {
          const lt = a.t ?? 'i32';
          const info = INT_TYPES[lt];
          if (y < 0n || y >= BigInt(info.bits)) throw new EvaluationError(`attempt to shift ${op === '<<' ? 'left' : 'right'} with overflow (${y} is not below ${info.bits} bits of ${lt})`, at);
          const r = op === '<<' ? x << y : x >> y;
          return { k: 'int', v: info.signed ? BigInt.asIntN(info.bits, r) : BigInt.asUintN(info.bits, r), t: a.t };
        }
        default:
          break;
      }
    }
    if ((a.k === 'float' || a.k === 'int') && (b.k === 'float' || b.k === 'int') && (a.k === 'float' || b.k === 'float')) {
      const t = a.k === 'float' ? a.t : (b as { t: 'f32' | 'f64' }).t;
      if ((a.k === 'int' && a.t) || (b.k === 'int' && b.t)) throw new EvaluationError(`mismatched types: cannot apply '${op}' to ${this.describe(a)} and ${this.describe(b)}; cast the integer with 'as ${t}'`, at);
      const x = Number(a.v);
      const y = Number(b.v);
      const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : op === '%' ? x % y : NaN;
      if (!['+', '-', '*', '/', '%'].includes(op)) throw new EvaluationError(`no operator '${op}' for floats`, at);
      return { k: 'float', v: t === 'f32' ? Math.fround(r) : r, t };
    }
    if (a.k === 'bool' && b.k === 'bool' && (op === '&' || op === '|' || op === '^')) {
      return { k: 'bool', v: op === '&' ? a.v && b.v : op === '|' ? a.v || b.v : a.v !== b.v };
    }
    throw new EvaluationError(`cannot apply '${op}' to ${this.describe(a)} and ${this.describe(b)}`, at);
  }

  private async compare(a: Val, b: Val, at: number): Promise<number> {
    const scalar = compareScalars(a, b);
    if (scalar !== undefined) return scalar;
    const s1 = await this.textOf(a, at);
    const s2 = await this.textOf(b, at);
    if (s1 !== undefined && s2 !== undefined) {
      const x = Buffer.from(s1, 'utf8');
      const y = Buffer.from(s2, 'utf8');
      return Buffer.compare(x, y);
    }
    if (a.k === 'tuple' && b.k === 'tuple') {
      for (let i = 0; i < Math.min(a.items.length, b.items.length); i++) {
        const c = await this.compare(await this.load(a.items[i], at - 1), await this.load(b.items[i], at - 1), at);
        if (c !== 0) return c;
      }
      return a.items.length - b.items.length;
    }
    throw new EvaluationError(`cannot compare ${this.describe(a)} with ${this.describe(b)}`, at);
  }

  /** Rust's `==`: scalars by value, strings by content, enums by variant and fields, sequences and structs element by element. */
  async equals(aRaw: Val, bRaw: Val, at: number, depth = 0): Promise<boolean> {
    if (depth > 64) throw new EvaluationError('values nest more than 64 levels deep (the comparison limit)', at);
    const a = await this.load(await this.autoDeref(await this.load(aRaw, at - 1)), at - 1);
    const b = await this.load(await this.autoDeref(await this.load(bRaw, at - 1)), at - 1);
    if (a.k === 'variant' || b.k === 'variant') {
      const [v, other] = a.k === 'variant' ? [a, b] : [b as Extract<Val, { k: 'variant' }>, a];
      const side = await this.asVariant(other, at);
      if (!side) throw new EvaluationError(`cannot compare ${this.describe(other)} with the variant ${v.name}`, at);
      if (side.name !== v.name || side.items.length !== v.items.length) return false;
      for (let i = 0; i < v.items.length; i++) if (!(await this.equals(side.items[i], v.items[i], at, depth + 1))) return false;
      return true;
    }
    if ((a.k === 'int' || a.k === 'float') && (b.k === 'int' || b.k === 'float')) return (await this.compare(a, b, at)) === 0;
    if (a.k === 'bool' && b.k === 'bool') return a.v === b.v;
    if (a.k === 'char' && b.k === 'char') return a.v === b.v;
    const s1 = await this.textOf(a, at);
    const s2 = await this.textOf(b, at);
    if (s1 !== undefined && s2 !== undefined) return s1 === s2;
    if (a.k === 'tuple' && b.k === 'tuple') {
      if (a.items.length !== b.items.length) return false;
      for (let i = 0; i < a.items.length; i++) if (!(await this.equals(a.items[i], b.items[i], at, depth + 1))) return false;
      return true;
    }
    if (a.k === 'place' && b.k === 'place') {
      const ta = this.type(a.place.type);
      const tb = this.type(b.place.type);
      if (ta.kind === 'enum' || tb.kind === 'enum') {
        const va = await this.asVariant(a, at);
        const vb = await this.asVariant(b, at);
        if (!va || !vb || va.name !== vb.name || va.items.length !== vb.items.length) return false;
        for (let i = 0; i < va.items.length; i++) if (!(await this.equals(va.items[i], vb.items[i], at, depth + 1))) return false;
        return true;
      }
      if (ta.kind === 'cEnum' && tb.kind === 'cEnum') return (await this.formatter.render(a.place, 200, 0)) === (await this.formatter.render(b.place, 200, 0));
      const viewA = await this.formatter.view(a.place);
      const viewB = await this.formatter.view(b.place);
      if (viewA.kind === 'fields' && viewB.kind === 'fields' && viewA.text === undefined) {
        if (viewA.fields.length !== viewB.fields.length || viewA.name !== viewB.name) return false;
        for (let i = 0; i < viewA.fields.length; i++) {
          const fa = viewA.fields[i];
          const fb = viewB.fields[i];
          if (fa.place && fb.place) {
            if (!(await this.equals({ k: 'place', place: fa.place }, { k: 'place', place: fb.place }, at, depth + 1))) return false;
          } else if (fa.text !== fb.text) return false;
        }
        return true;
      }
      if (viewA.kind === 'map' && viewB.kind === 'map') {
        if (viewA.len !== viewB.len) return false;
        const it = await this.iterOf(a, 'eq', at);
        for (let e = await it.next(); e !== undefined; e = await it.next()) {
          this.tick(viewA.len, 'comparing maps', at);
          const key = e.k === 'tuple' ? e.items[0] : e;
          const found = await this.lookup(viewB, key, at);
          if (!found) return false;
          if (e.k === 'tuple' && found.value && !(await this.equals(e.items[1], { k: 'place', place: found.value }, at, depth + 1))) return false;
        }
        return true;
      }
      if (viewA.kind === 'leaf' && viewB.kind === 'leaf') return viewA.text === viewB.text;
    }
    const bytesA = await this.scalarRun(a);
    const bytesB = await this.scalarRun(b);
    if (bytesA && bytesB && bytesA.type === bytesB.type) return this.sameBytes(bytesA, bytesB, at);
    const seqA = await this.indexable(a, at);
    const seqB = await this.indexable(b, at);
    if (seqA && seqB) {
      if (seqA.len !== seqB.len) return false;
      for (let x = await seqA.next(), y = await seqB.next(); x !== undefined && y !== undefined; x = await seqA.next(), y = await seqB.next()) {
        this.tick(seqA.len, 'comparing', at);
        if (!(await this.equals(x, y, at, depth + 1))) return false;
      }
      return true;
    }
    throw new EvaluationError(`cannot compare ${this.describe(a)} with ${this.describe(b)}`, at);
  }

  /** A sequence of integers, bools or chars kept contiguous in memory (Vec, slice, array): equal exactly when its bytes are. */
  private async scalarRun(v: Val): Promise<{ ptr: number; bytes: number; type: string } | undefined> {
    if (v.k !== 'place') return undefined;
    const view = await this.formatter.view(v.place);
    if (view.kind !== 'seq') return undefined;
    const first = await view.item(0);
    const type = this.type(first.type);
    // Float equality is not byte equality (NaN, -0.0).
    if (first.bytes || !(type.kind === 'int' || type.kind === 'bool' || type.kind === 'char') || type.size === 0) return undefined;
    if (view.len > 1 && (await view.item(1)).address - first.address !== type.size) return undefined;
    return { ptr: first.address, bytes: view.len * type.size, type: type.name };
  }

  /** Compares two byte runs a megabyte at a time, past the page cache, with progress and cancellation between reads. */
  private async sameBytes(a: { ptr: number; bytes: number }, b: { ptr: number; bytes: number }, at: number): Promise<boolean> {
    if (a.bytes !== b.bytes) return false;
    const chunk = 1 << 20;
    for (let done = 0; done < a.bytes; done += chunk) {
      this.scope.signal?.throwIfAborted();
      const n = Math.min(chunk, a.bytes - done);
      const [x, y] = [await this.values.memory.readThrough(a.ptr + done, n), await this.values.memory.readThrough(b.ptr + done, n)];
      if (!Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))) return false;
      if (a.bytes > chunk) this.scope.reportProgress?.((done + n) / a.bytes, `comparing: ${((done + n) / (1 << 20)).toFixed(0)} of ${(a.bytes / (1 << 20)).toFixed(0)} MiB`);
    }
    void at;
    return true;
  }

  private async indexable(v: Val, at: number): Promise<Iter | undefined> {
    if (v.k === 'list') return arrayIter(v.items, 'list');
    if (v.k !== 'place') return undefined;
    const view = await this.formatter.view(v.place);
    return view.kind === 'seq' ? this.iterOf(v, 'eq', at) : undefined;
  }

  /** An enum value as its variant name and fields (Option, Result, user enums; a C-like enum has no fields). */
  private async asVariant(v: Val, at: number): Promise<{ name: string; items: Val[] } | undefined> {
    if (v.k === 'variant') return v;
    if (v.k !== 'place') return undefined;
    const type = this.type(v.place.type);
    if (type.kind === 'cEnum') return { name: shortName(await this.formatter.render(v.place, 200, 0)), items: [] };
    if (type.kind !== 'enum') return undefined;
    const variant = await this.values.activeVariant(v.place, type);
    if (!variant) return undefined;
    const fields = this.type(variant.type).fields ?? [];
    const items: Val[] = [];
    for (let i = 0; i < fields.length; i++) items.push((await this.variantField(v.place, variant, i))!);
    void at;
    return { name: variant.name, items };
  }

  /** The text of a str value or of a String/&str place; undefined for other values. */
  private async textOf(v: Val, at: number): Promise<string | undefined> {
    const d = await this.autoDeref(v);
    if (d.k === 'str') return d.v;
    if (d.k !== 'place') return undefined;
    const view = await this.formatter.view(d.place);
    return view.kind === 'text' ? this.text(view, at) : undefined;
  }

  private async text(view: Extract<View, { kind: 'text' }>, at: number): Promise<string> {
    if (view.len > MAX_READ) throw new EvaluationError(`the string is ${view.len} bytes long, more than ${MAX_READ} (the string limit)`, at);
    const bytes = view.len === 0 ? new Uint8Array(0) : await this.values.memory.read(view.ptr, view.len);
    return new TextDecoder().decode(bytes);
  }

  private checkedInt(value: bigint, type: IntType, verb: string, at: number): Val {
    if (type && !fits(value, type)) throw new EvaluationError(`attempt to ${verb} with overflow (${value} does not fit in ${type})`, at);
    return { k: 'int', v: value, t: type };
  }

  private intOf(v: Val, what: string, start: number): { v: bigint; t: IntType } {
    if (v.k === 'int') return { v: v.v, t: v.t };
    throw new EvaluationError(`${what} must be an integer, found ${this.describe(v)}`, start + 1);
  }

  // ---- casts ----

  private async cast(raw: Val, target: string, start: number): Promise<Val> {
    const at = start + 1;
    let v = await this.load(raw, start);
    if (v.k === 'place') {
      const type = this.type(v.place.type);
      if (type.kind === 'pointer') v = { k: 'int', v: BigInt(await this.values.address(v.place, 0)), t: 'usize' };
      else if (type.kind === 'cEnum') {
        const u = type.underlying !== undefined ? this.type(type.underlying) : undefined;
        const size = u?.size ?? type.size;
        v = { k: 'int', v: readInteger(await this.values.bytes(v.place, 0, size), 0, size, u?.signed ?? false), t: 'isize' };
      }
    }
    return this.castValue(v, target, at);
  }

  /** `as` on a loaded value, with Rust's rules (truncation, saturation from floats, only u8 to char). */
  private castValue(v: Val, target: string, at: number): Val {
    const info = INT_TYPES[target];
    if (info) {
      let x: bigint;
      if (v.k === 'int') x = v.v;
      else if (v.k === 'bool') x = v.v ? 1n : 0n;
      else if (v.k === 'char') x = BigInt(v.v);
      else if (v.k === 'float') {
        // Rust saturates float-to-int casts and maps NaN to 0.
        const min = info.signed ? -(1n << BigInt(info.bits - 1)) : 0n;
        const max = info.signed ? (1n << BigInt(info.bits - 1)) - 1n : (1n << BigInt(info.bits)) - 1n;
        if (Number.isNaN(v.v)) x = 0n;
        else if (v.v === Infinity) x = max;
        else if (v.v === -Infinity) x = min;
        else {
          const t = BigInt(Math.trunc(v.v));
          x = t < min ? min : t > max ? max : t;
        }
        return { k: 'int', v: x, t: target };
      } else throw new EvaluationError(`non-primitive cast: ${this.describe(v)} as ${target}`, at);
      return { k: 'int', v: info.signed ? BigInt.asIntN(info.bits, x) : BigInt.asUintN(info.bits, x), t: target };
    }
    if (target === 'f32' || target === 'f64') {
      let x: number;
      if (v.k === 'int') x = Number(v.v);
      else if (v.k === 'float') x = v.v;
      else throw new EvaluationError(`casting ${this.describe(v)} as ${target} is invalid`, at);
      return { k: 'float', v: target === 'f32' ? Math.fround(x) : x, t: target };
    }
    if (target === 'char') {
      if (v.k === 'char') return v;
      if (v.k === 'int' && (v.t === 'u8' || (v.t === undefined && v.v >= 0n && v.v < 256n))) return { k: 'char', v: Number(v.v) };
      throw new EvaluationError(`only \`u8\` can be cast as \`char\`, not ${v.k === 'int' ? `\`${v.t ?? 'i32'}\`` : this.describe(v)}`, at);
    }
    if (target === 'bool') throw new EvaluationError(`cannot cast ${this.describe(v)} as \`bool\`; compare with 0 instead`, at);
    if (/^(\*const|\*mut|&)/.test(target)) {
      if (v.k !== 'int') throw new EvaluationError(`cannot cast ${this.describe(v)} as ${target}`, at);
      const ref = this.findType(target);
      if (ref === undefined) throw new EvaluationError(`the type '${target}' is not in ${this.values.table.module.split(/[\\/]/).pop()}'s debug info, so a pointer to it cannot be made`, at);
      const size = this.values.table.pointerSize;
      const bytes = new Uint8Array(size);
      let rest = BigInt.asUintN(64, v.v);
      for (let i = 0; i < size; i++, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
      return { k: 'place', place: { type: ref, address: 0, bytes, expr: `(${v.v} as ${target})` } };
    }
    throw new EvaluationError(`casts to '${target}' are not supported; cast between numbers, char and pointers`, at);
  }

  private findType(name: string): TypeRef | undefined {
    const table = this.values.table;
    const tries = [name, name.replace(/^\*const /, '*const ').replace(/^\*mut /, '*mut ')];
    for (const t of tries) {
      const r = table.findType(t);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  // ---- patterns ----

  private async match(p: Pattern, valRaw: Val, env: Env, start: number): Promise<boolean> {
    const at = start + 1;
    switch (p.kind) {
      case 'wild':
      case 'rest':
        return true;
      case 'bind':
        env.set(p.name, valRaw);
        return true;
      case 'ref':
        return this.match(p.pattern, await this.autoDeref(valRaw), env, start);
      case 'or':
        for (const alt of p.alternatives) if (await this.match(alt, valRaw, env, start)) return true;
        return false;
      case 'lit':
        return this.equals(valRaw, await this.eval(p.value, env), at);
      case 'range': {
        const v = await this.load(valRaw, start);
        const lo = await this.eval(p.from, env);
        const hi = await this.eval(p.to, env);
        const c1 = await this.compare(v, lo, at);
        const c2 = await this.compare(v, hi, at);
        return c1 >= 0 && (p.inclusive ? c2 <= 0 : c2 < 0);
      }
      case 'tuple': {
        const v = await this.autoDeref(valRaw);
        let items: Val[];
        if (v.k === 'tuple') items = v.items;
        else if (v.k === 'place') {
          const view = await this.formatter.view(v.place);
          if (view.kind !== 'fields') throw new EvaluationError(`a tuple pattern cannot match ${this.describe(v)}`, at);
          items = view.fields.filter((f) => f.place).map((f) => ({ k: 'place', place: f.place! }));
        } else throw new EvaluationError(`a tuple pattern cannot match ${this.describe(v)}`, at);
        return this.matchList(p.items, items, env, start);
      }
      case 'path':
      case 'tupleStruct':
      case 'struct': {
        const name = p.segments[p.segments.length - 1];
        const v = await this.autoDeref(await this.load(valRaw, start));
        const variant = await this.asVariant(v, at);
        if (!variant) {
          if (p.kind === 'path' && v.k !== 'place') return this.equals(v, await this.path(p.segments, p.start, env), at);
          if (v.k === 'place' && p.kind === 'struct') {
            const type = this.type(v.place.type);
            if (shortName(type.name) !== name) return false;
            return this.matchFields(p, v.place, type.fields ?? [], env, start);
          }
          throw new EvaluationError(`the pattern ${p.segments.join('::')} cannot match ${this.describe(v)}`, at);
        }
        if (variant.name !== name) return false;
        if (p.kind === 'path') return true;
        if (p.kind === 'tupleStruct') return this.matchList(p.items, variant.items, env, start);
        if (v.k !== 'place') return p.fields.length === 0;
        const type = this.type(v.place.type);
        const active = await this.values.activeVariant(v.place, type);
        if (!active) return false;
        const base = { ...v.place, address: v.place.address + active.offset };
        return this.matchFields(p, base, this.type(active.type).fields ?? [], env, start);
      }
    }
  }

  private async matchFields(p: Extract<Pattern, { kind: 'struct' }>, base: Place, fields: RustType['fields'] & object, env: Env, start: number): Promise<boolean> {
    for (const fp of p.fields) {
      const f = fields.find((x) => x.name === fp.name);
      if (!f) throw new EvaluationError(`there is no field '${fp.name}' in ${p.segments.join('::')}`, fp.pattern.start + 1);
      if (!(await this.match(fp.pattern, { k: 'place', place: this.values.at(base, f) }, env, start))) return false;
    }
    if (!p.etc && p.fields.length !== fields.length) throw new EvaluationError(`pattern does not mention every field of ${p.segments.join('::')}; add '..'`, start + 1);
    return true;
  }

  private async matchList(patterns: Pattern[], items: Val[], env: Env, start: number): Promise<boolean> {
    const rest = patterns.findIndex((x) => x.kind === 'rest');
    if (rest < 0 && patterns.length !== items.length) {
      throw new EvaluationError(`the pattern has ${patterns.length} field${patterns.length === 1 ? '' : 's'}, but the value has ${items.length}`, start + 1);
    }
    const before = rest < 0 ? patterns.length : rest;
    for (let i = 0; i < before; i++) if (!(await this.match(patterns[i], items[i], env, start))) return false;
    if (rest >= 0) {
      const after = patterns.slice(rest + 1);
      for (let i = 0; i < after.length; i++) if (!(await this.match(after[i], items[items.length - after.length + i], env, start))) return false;
    }
    return true;
  }

  // ---- results ----

  /** `{:?}` of a value; places through the formatter, exactly as the Variables view shows them. */
  async debugText(v: Val, budget = RESULT_CHARS): Promise<string> {
    switch (v.k) {
      case 'place':
        return this.formatter.render(v.place, budget, 1);
      case 'int':
        return v.v.toString();
      case 'float':
        return floatText(v.v, v.t === 'f32' ? 4 : 8);
      case 'bool':
        return String(v.v);
      case 'char':
        return charText(v.v, false);
      case 'str':
        return stringText(v.v);
      case 'tuple':
      case 'list': {
        const parts: string[] = [];
        let used = 2;
        for (const item of v.items) {
          if (used > budget) {
            parts.push('…');
            break;
          }
          const t = await this.debugText(item, budget - used);
          parts.push(t);
          used += t.length + 2;
        }
        if (v.k === 'tuple') return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
        return `${v.items.length > parts.length || parts[parts.length - 1] === '…' ? `len=${v.items.length} ` : ''}[${parts.join(', ')}]`;
      }
      case 'variant':
        if (v.items.length === 0) return v.name;
        return `${v.name}(${(await Promise.all(v.items.map((i) => this.debugText(i, budget)))).join(', ')})`;
      case 'range':
        return `${v.from ?? ''}${v.inclusive ? '..=' : '..'}${v.to ?? ''}`;
      case 'iter':
        return `<iterator over ${v.it.label}${v.it.len !== undefined ? ` (${v.it.len} elements)` : ''}: end it with count(), sum(), collect::<Vec<_>>()…>`;
      case 'closure':
        return '<closure>';
      case 'lldb':
        return v.text;
    }
  }

  private async typeOf(v: Val): Promise<string | undefined> {
    switch (v.k) {
      case 'place':
        return this.type(v.place.type).name;
      case 'int':
        return v.t ?? 'i32';
      case 'float':
        return v.t;
      case 'bool':
        return 'bool';
      case 'char':
        return 'char';
      case 'str':
        return v.owned ? 'String' : '&str';
      case 'list':
        return `Vec<${v.items.length ? await this.typeOf(v.items[0]) : '_'}>`;
      case 'tuple':
        return `(${(await Promise.all(v.items.map((i) => this.typeOf(i)))).join(', ')}${v.items.length === 1 ? ',' : ''})`;
      case 'variant':
        return v.name === 'Some' || v.name === 'None' ? `Option<${v.items.length ? await this.typeOf(v.items[0]) : '_'}>` : v.name === 'Ok' || v.name === 'Err' ? 'Result<_, _>' : undefined;
      case 'range':
        return `Range<${v.t ?? 'i32'}>`;
      case 'lldb':
        return v.type;
      default:
        return undefined;
    }
  }

  async present(raw: Val, name: string, format?: FormatSuffix): Promise<EvaluationResult> {
    let v = raw.k === 'place' ? raw : await this.load(raw, 0);
    if (format?.kind === 'elements') v = await this.asElements(v, format.count);
    if (v.k === 'place') {
      const loaded = format && format.kind !== 'elements' ? await this.load(v, 0) : v;
      if (loaded.k !== 'place') return this.present(loaded, name, format);
      const shown = await this.formatter.shown(name, v.place);
      return {
        result: shown.value,
        type: shown.type,
        variablesReference: 0,
        memoryReference: shown.memoryReference,
        indexedVariables: shown.indexedVariables,
        namedVariables: shown.namedVariables,
        handle: shown.handle,
      };
    }
    if (v.k === 'int' && format) {
      const bits = INT_TYPES[v.t ?? 'i32'].bits;
      const u = BigInt.asUintN(bits, v.v);
      const text = format.kind === 'binary' ? `0b${u.toString(2)}` : format.kind === 'octal' ? `0o${u.toString(8)}` : integerText(v.v, bits / 8, true);
      return { result: text, type: v.t ?? 'i32', variablesReference: 0 };
    }
    if (v.k === 'char' && format?.kind === 'hex') return { result: charText(v.v, true), type: 'char', variablesReference: 0 };
    return { result: await this.debugText(v), type: await this.typeOf(v), variablesReference: 0 };
  }

  /** `p,[N]`: a pointer (or a sequence's start) seen as an array of N elements. */
  private async asElements(v: Val, count: number): Promise<Val> {
    if (v.k !== 'place') throw new EvaluationError(`',[${count}]' needs a pointer, found ${this.describe(v)}`);
    const type = this.type(v.place.type);
    let element: TypeRef | undefined;
    let address: number;
    if (type.kind === 'pointer' && type.pointee !== undefined) {
      element = type.pointee;
      address = await this.values.address(v.place, 0);
    } else {
      const view = await this.formatter.view(v.place);
      if (view.kind !== 'seq') throw new EvaluationError(`',[${count}]' needs a pointer or a sequence, found '${type.name}'`);
      const first = await view.item(0);
      element = first.type;
      address = first.address;
    }
    const array = syntheticArray(element, count, false);
    if (array === undefined) throw new EvaluationError(`',[${count}]' asks for more than ${MAX_SYNTHETIC_COUNT} elements (the element limit)`);
    return { k: 'place', place: { type: array, address, expr: `${paren(v.place.expr)},[${count}]` } };
  }

  /** Names of fields and methods of the value of `expr`, for completions. */
  async members(v: Val): Promise<string[]> {
    const d = await this.autoDeref(v);
    const out: string[] = [];
    if (d.k === 'place') {
      const type = this.type(d.place.type);
      const view = await this.formatter.view(d.place);
      if (type.kind === 'enum') out.push('is_some', 'is_none', 'is_ok', 'is_err', 'unwrap', 'unwrap_or', 'as_ref');
      if (view.kind === 'fields') for (const f of view.fields) if (!f.name.startsWith('[')) out.push(f.name);
      else if (type.fields) for (const f of type.fields) out.push(f.name.replace(/^__/, ''));
      if (view.kind === 'seq') out.push('len', 'is_empty', 'get', 'first', 'last', 'contains', 'iter');
      if (view.kind === 'map') out.push('len', 'is_empty', 'contains_key', 'get', 'keys', 'values', 'iter');
      if (view.kind === 'text') out.push(...STR_METHODS);
      if (view.kind === 'fields' && /^(Cell|RefCell)$/.test(view.name)) out.push('get', 'borrow');
      return [...new Set(out)];
    }
    if (d.k === 'str') return STR_METHODS;
    if (d.k === 'int') return ['abs', 'pow', 'min', 'max', 'count_ones', 'leading_zeros', 'trailing_zeros'];
    if (d.k === 'float') return ['abs', 'sqrt', 'floor', 'ceil', 'round', 'min', 'max', 'powi'];
    if (d.k === 'iter' || d.k === 'list') return ['map', 'filter', 'count', 'sum', 'min', 'max', 'any', 'all', 'find', 'position', 'enumerate', 'rev', 'take', 'skip', 'collect'];
    return out;
  }
}

const STR_METHODS = ['len', 'is_empty', 'chars', 'bytes', 'starts_with', 'ends_with', 'contains', 'find', 'trim', 'to_uppercase', 'to_lowercase'];

/** Field and method names for the value of `source` (the text before a `.`), for DAP completions. */
export async function memberNames(scope: EvaluationScope, source: string): Promise<string[]> {
  const parsed = parseWatch(source);
  const evaluator = new Evaluator(scope, source);
  return evaluator.members(await evaluator.eval(parsed.expr, new Map()));
}

/** Order of two scalars (NaN when a float is NaN), or undefined when they are not comparable scalars. */
function compareScalars(a: Val, b: Val): number | undefined {
  if ((a.k === 'int' || a.k === 'float') && (b.k === 'int' || b.k === 'float')) {
    if (a.k === 'int' && b.k === 'int') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    const x = Number(a.v);
    const y = Number(b.v);
    if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.k === 'char' && b.k === 'char') return a.v - b.v;
  if (a.k === 'bool' && b.k === 'bool') return Number(a.v) - Number(b.v);
  return undefined;
}

function arrayIter(items: Val[], label: string): Iter {
  let i = 0;
  return { label, len: items.length, at: async (n) => items[n], next: async () => (i < items.length ? items[i++] : undefined) };
}

/** Decodes one scalar at `offset` of a chunk (one DataView per chunk, none per element). */
function scalarDecoder(type: RustType): (bytes: Uint8Array, offset: number) => Val {
  const size = type.size;
  let view: DataView | undefined;
  let of: Uint8Array | undefined;
  const dv = (b: Uint8Array): DataView => {
    if (of !== b) {
      of = b;
      view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return view!;
  };
  switch (type.kind) {
    case 'int': {
      const t = intName(type);
      const signed = type.signed ?? false;
      if (size === 1) return (b, o) => ({ k: 'int', v: BigInt(signed ? dv(b).getInt8(o) : b[o]), t });
      if (size === 2) return (b, o) => ({ k: 'int', v: BigInt(signed ? dv(b).getInt16(o, true) : dv(b).getUint16(o, true)), t });
      if (size === 4) return (b, o) => ({ k: 'int', v: BigInt(signed ? dv(b).getInt32(o, true) : dv(b).getUint32(o, true)), t });
      if (size === 8) return (b, o) => ({ k: 'int', v: signed ? dv(b).getBigInt64(o, true) : dv(b).getBigUint64(o, true), t });
      return (b, o) => ({ k: 'int', v: readInteger(b, o, size, signed), t });
    }
    case 'float':
      return (b, o) => (size === 4 ? { k: 'float', v: dv(b).getFloat32(o, true), t: 'f32' } : { k: 'float', v: dv(b).getFloat64(o, true), t: 'f64' });
    case 'bool':
      return (b, o) => ({ k: 'bool', v: b[o] !== 0 });
    default:
      return (b, o) => ({ k: 'char', v: dv(b).getUint32(o, true) });
  }
}

/** `n` small integers of `size` bytes as a typed array over the bytes (copied when they are not aligned for it). */
function numbersOf(bytes: Uint8Array, size: number, signed: boolean, n: number): ArrayLike<number> {
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  if (size === 1) return signed ? new Int8Array(aligned.buffer, aligned.byteOffset, n) : aligned.subarray(0, n);
  if (size === 2) return signed ? new Int16Array(aligned.buffer, aligned.byteOffset, n) : new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  return signed ? new Int32Array(aligned.buffer, aligned.byteOffset, n) : new Uint32Array(aligned.buffer, aligned.byteOffset, n);
}

function intName(type: RustType): string {
  if (INT_TYPES[type.name]) return type.name;
  return `${type.signed ? 'i' : 'u'}${type.size * 8}`;
}

/** Each integer type's bounds, computed once: overflow checks run per element in loops. */
const INT_BOUNDS = new Map(
  Object.entries(INT_TYPES).map(([name, info]) => [
    name,
    info.signed ? [-(1n << BigInt(info.bits - 1)), (1n << BigInt(info.bits - 1)) - 1n] : [0n, (1n << BigInt(info.bits)) - 1n],
  ]),
);

function fits(value: bigint, type: string): boolean {
  const bounds = INT_BOUNDS.get(type);
  return !bounds || (value >= bounds[0] && value <= bounds[1]);
}

function numericConstant(owner: string, name: string): Val | undefined {
  const info = INT_TYPES[owner];
  if (info && (name === 'MAX' || name === 'MIN' || name === 'BITS')) {
    if (name === 'BITS') return { k: 'int', v: BigInt(info.bits), t: 'u32' };
    const v = name === 'MIN' ? (info.signed ? -(1n << BigInt(info.bits - 1)) : 0n) : info.signed ? (1n << BigInt(info.bits - 1)) - 1n : (1n << BigInt(info.bits)) - 1n;
    return { k: 'int', v, t: owner };
  }
  if (owner === 'f64' || owner === 'f32') {
    const t = owner;
    const table: Record<string, number> = { MAX: t === 'f32' ? 3.4028234663852886e38 : Number.MAX_VALUE, MIN: t === 'f32' ? -3.4028234663852886e38 : -Number.MAX_VALUE, INFINITY: Infinity, NEG_INFINITY: -Infinity, NAN: NaN, EPSILON: t === 'f32' ? 1.1920929e-7 : Number.EPSILON };
    if (name in table) return { k: 'float', v: table[name], t };
  }
  if (owner === 'consts' && name === 'PI') return { k: 'float', v: Math.PI, t: 'f64' };
  return undefined;
}

/** Rust's to_uppercase is Unicode's full mapping, as JavaScript's (ß becomes SS in both). */
function rustUpper(s: string): string {
  return s.toUpperCase();
}

/** A str's byte range as Rust slices it: out of range or off a char boundary is an error naming the length. */
function sliceText(s: string, range: Extract<Val, { k: 'range' }> | Val, at: number): string {
  if (range.k !== 'range') throw new EvaluationError('strings are indexed by a range', at);
  const bytes = Buffer.from(s, 'utf8');
  const from = Number(range.from ?? 0n);
  const to = range.to === undefined ? bytes.length : Number(range.inclusive ? range.to + 1n : range.to);
  if (from > to) throw new EvaluationError(`begin <= end (${from} <= ${to}) when slicing a string of length ${bytes.length}`, at);
  if (to > bytes.length) throw new EvaluationError(`byte index ${to} is out of bounds of a string of length ${bytes.length}`, at);
  const boundary = (i: number): boolean => i === 0 || i === bytes.length || (bytes[i] & 0xc0) !== 0x80;
  if (!boundary(from)) throw new EvaluationError(`byte index ${from} is not a char boundary`, at);
  if (!boundary(to)) throw new EvaluationError(`byte index ${to} is not a char boundary`, at);
  return bytes.subarray(from, to).toString('utf8');
}

function describe(v: Val): string {
  switch (v.k) {
    case 'int':
      return `an integer (${v.t ?? '{integer}'})`;
    case 'float':
      return `a float (${v.t})`;
    case 'bool':
      return 'a bool';
    case 'char':
      return 'a char';
    case 'str':
      return v.owned ? 'a String' : 'a &str';
    case 'tuple':
      return `a tuple of ${v.items.length}`;
    case 'list':
      return `a Vec of ${v.items.length}`;
    case 'variant':
      return `the variant ${v.name}`;
    case 'iter':
      return 'an iterator';
    case 'closure':
      return 'a closure';
    case 'range':
      return 'a range';
    case 'lldb':
      return `a value held in registers (${v.type ?? 'unknown type'})`;
    case 'place':
      return `a value of type '${v.place.type}'`;
  }
}

/** Parenthesises an expression that would bind wrongly before `.` or `[`. */
function paren(expr: string | undefined): string {
  if (expr === undefined) return '_';
  return /^[\w.[\]"()]+$/.test(expr) && !expr.startsWith('*') ? expr : `(${expr})`;
}

type LiteralExpr = Extract<Expr, { kind: 'int' | 'float' | 'bool' | 'char' | 'str' }>;

/** A literal's value: an integer with its suffix, a float at its precision (`f32` rounded), a char by code point. */
function literalValue(e: LiteralExpr): Val {
  switch (e.kind) {
    case 'int':
      return { k: 'int', v: e.value, t: e.suffix };
    case 'float':
      return { k: 'float', v: e.suffix === 'f32' ? Math.fround(e.value) : e.value, t: e.suffix === 'f32' ? 'f32' : 'f64' };
    case 'bool':
      return { k: 'bool', v: e.value };
    case 'char':
      return { k: 'char', v: e.value.codePointAt(0)! };
    case 'str':
      return { k: 'str', v: e.value };
  }
}
