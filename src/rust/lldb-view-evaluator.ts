// The evaluator of the Rust expression language for modules without a type table of ours: it reads variables and memory through lldb-dap's view of them.
import { parseExpression, type Expr, type BinaryOp } from './expression-syntax';
import { scalarType, typeShape, knownSize, rustTypeName, type ScalarType } from './rust-types';

/**
 * What the adapter answers to a task's `readMemory`: the bytes themselves rather than lldb-dap's base64, so a
 * large read is not encoded again on the host and decoded again in the worker.
 */
export interface TaskMemory {
  address: string;
  bytes: Uint8Array;
  unreadableBytes: number;
}

/** What the evaluator may ask of the debugger; in a worker this is the task's host channel. Returns the response body (TaskMemory for readMemory). */
export interface DebuggerData {
  request(command: 'scopes' | 'variables' | 'readMemory' | 'evaluate', args: object): Promise<any>;
  readonly signal: AbortSignal;
  reportProgress?(fraction: number, message: string): void;
}

/** A variable as lldb-dap describes it. */
export interface BackendVariable {
  name: string;
  type?: string;
  value: string;
  variablesReference: number;
  memoryReference?: string;
  indexedVariables?: number;
  namedVariables?: number;
  evaluateName?: string;
}

/** The answer for a DAP `evaluate`. */
export interface EvaluationResult {
  result: string;
  type?: string;
  variablesReference: number;
  memoryReference?: string;
  indexedVariables?: number;
  namedVariables?: number;
}

/** An evaluation failure the user caused (unknown name, bad index, type mismatch); `column` is 1-based when known. */
export class EvaluationError extends Error {
  constructor(message: string, readonly column?: number) {
    super(column ? `${message} (column ${column})` : message);
    this.name = 'EvaluationError';
  }
}

type Value =
  | { kind: 'int'; value: bigint; type?: string }
  | { kind: 'float'; value: number; type: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'char'; value: string }
  | { kind: 'str'; value: string }
  | { kind: 'place'; v: BackendVariable };

/**
 * Bytes per readMemory the task asks for: large enough that the worker round trip is rare. The adapter
 * sends it to lldb-dap in small pieces behind the client's own requests, and stops between pieces when
 * the evaluation is cancelled.
 */
const MEMORY_CHUNK = 256 << 10;
/** Longest string content shown in a result; the rest is elided. */
const DISPLAY_LIMIT = 4096;

export interface EvaluateOptions {
  frameId?: number;
  /** Expression text, after any `/nat` prefix was handled by the caller. */
  expression: string;
}

/** Parses and evaluates `expression` in frame `frameId`. Throws ExpressionSyntaxError, EvaluationError, or the channel's errors. */
export async function evaluateExpression(data: DebuggerData, options: EvaluateOptions): Promise<EvaluationResult> {
  const ast = parseExpression(options.expression);
  const evaluator = new Evaluator(data, options.frameId);
  const value = await evaluator.eval(ast);
  return evaluator.present(value);
}

class Evaluator {
  private locals: BackendVariable[] | undefined;
  private readonly childrenCache = new Map<number, BackendVariable[]>();
  private readonly sizeCache = new Map<string, number>();

  constructor(
    private readonly data: DebuggerData,
    private readonly frameId: number | undefined,
  ) {}

  async eval(e: Expr): Promise<Value> {
    this.data.signal.throwIfAborted();
    switch (e.kind) {
      case 'int':
        return { kind: 'int', value: e.value, type: e.suffix };
      case 'float':
        return { kind: 'float', value: e.value, type: 'f64' };
      case 'bool':
        return { kind: 'bool', value: e.value };
      case 'char':
        return { kind: 'char', value: e.value };
      case 'str':
        return { kind: 'str', value: e.value };
      case 'path':
        return this.lookupPath(e.segments, e.start);
      case 'field':
        return this.field(await this.eval(e.target), e.name, e.start);
      case 'tupleField':
        return this.tupleField(await this.eval(e.target), e.index, e.start);
      case 'index':
        return this.index(await this.eval(e.target), await this.eval(e.index), e.start);
      case 'call':
        return this.call(await this.eval(e.target), e.method, e.args.length, e.start);
      case 'unary':
        return this.unary(e.op, await this.eval(e.operand), e.start);
      case 'binary':
        return this.binary(e, e.op);
      default:
        throw new EvaluationError(`'${e.kind}' expressions need the module's type information, which this module does not have`, e.start + 1);
    }
  }

  // ---- names and places ----

  private async lookupPath(segments: string[], start: number): Promise<Value> {
    if (segments.length > 1) {
      throw new EvaluationError(`paths like '${segments.join('::')}' (statics, constants) are not supported yet; use a local variable or /nat`, start + 1);
    }
    const name = segments[0];
    const locals = await this.frameLocals();
    // Shadowed names appear more than once; the innermost (last declared) is the one in scope at the stop.
    const found = [...locals].reverse().find((v) => v.name === name);
    if (!found) {
      const known = locals.map((v) => v.name).filter((n, i, all) => all.indexOf(n) === i);
      throw new EvaluationError(`no variable named '${name}' in this frame${known.length ? ` (locals: ${known.slice(0, 20).join(', ')})` : ''}`, start + 1);
    }
    return { kind: 'place', v: found };
  }

  private async frameLocals(): Promise<BackendVariable[]> {
    if (this.locals) return this.locals;
    if (this.frameId === undefined) throw new EvaluationError('no stack frame to evaluate in: stop the program at a breakpoint first');
    const scopes = (await this.data.request('scopes', { frameId: this.frameId })) as { scopes: Array<{ name: string; variablesReference: number; presentationHint?: string }> };
    const wanted = scopes.scopes.filter((s) => s.presentationHint === 'locals' || /^(locals|arguments)$/i.test(s.name));
    const all: BackendVariable[] = [];
    for (const scope of wanted) all.push(...(await this.children(scope.variablesReference)));
    this.locals = all;
    return all;
  }

  private async children(variablesReference: number, start?: number, count?: number): Promise<BackendVariable[]> {
    if (variablesReference === 0) return [];
    const ranged = start !== undefined;
    if (!ranged) {
      const cached = this.childrenCache.get(variablesReference);
      if (cached) return cached;
    }
    const args = ranged ? { variablesReference, filter: 'indexed', start, count } : { variablesReference };
    const body = (await this.data.request('variables', args)) as { variables: BackendVariable[] };
    if (!ranged) this.childrenCache.set(variablesReference, body.variables);
    return body.variables;
  }

  private async child(v: BackendVariable, names: string[]): Promise<BackendVariable | undefined> {
    const kids = await this.children(v.variablesReference);
    return kids.find((k) => names.includes(k.name));
  }

  /** Follows a chain of field names, skipping names a std version does not have (layouts move between releases). */
  private async descend(v: BackendVariable, path: string[]): Promise<BackendVariable | undefined> {
    let current = v;
    for (const name of path) {
      const next = await this.child(current, [name]);
      if (next) current = next;
    }
    return current === v ? undefined : current;
  }

  private async field(target: Value, name: string, start: number): Promise<Value> {
    const v = this.expectPlace(target, `field '${name}'`, start);
    const found = await this.child(v, [name]);
    if (!found) {
      const kids = await this.children(v.variablesReference);
      const fields = kids.map((k) => k.name).join(', ');
      throw new EvaluationError(`no field '${name}' on type '${v.type ?? v.value}'${fields ? ` (fields: ${fields})` : ''}`, start + 1);
    }
    return { kind: 'place', v: found };
  }

  private async tupleField(target: Value, index: number, start: number): Promise<Value> {
    const v = this.expectPlace(target, `field .${index}`, start);
    const found = await this.child(v, [`__${index}`, String(index)]);
    if (!found) throw new EvaluationError(`no field .${index} on type '${v.type ?? v.value}'`, start + 1);
    return { kind: 'place', v: found };
  }

  private expectPlace(target: Value, what: string, start: number): BackendVariable {
    if (target.kind !== 'place') throw new EvaluationError(`cannot take ${what} of a ${describeKind(target)} value`, start + 1);
    return target.v;
  }

  // ---- std layouts ----

  /** Data pointer and length of a Vec, String, slice or &str. */
  private async sequence(v: BackendVariable, start: number): Promise<{ pointer: bigint; length: bigint; element: string }> {
    const shape = typeShape(v.type ?? '');
    switch (shape.kind) {
      case 'string': {
        const vec = await this.child(v, ['vec']);
        if (!vec) throw new EvaluationError(`String layout not recognised (no 'vec' field in '${v.type}')`, start + 1);
        const inner = await this.sequence({ ...vec, type: 'alloc::vec::Vec<u8, alloc::alloc::Global>' }, start);
        return { ...inner, element: 'u8' };
      }
      case 'vec': {
        const ptr = await this.descend(v, ['buf', 'inner', 'ptr', 'pointer', 'pointer']);
        const len = await this.child(v, ['len']);
        if (!ptr || !len) throw new EvaluationError(`Vec layout not recognised in '${v.type}' (this Rust version's std differs)`, start + 1);
        return { pointer: parseAddress(ptr.value), length: BigInt(len.value), element: shape.element };
      }
      case 'str':
      case 'slice': {
        const ptr = await this.child(v, ['data_ptr']);
        const len = await this.child(v, ['length']);
        if (!ptr || !len) throw new EvaluationError(`slice layout not recognised in '${v.type}'`, start + 1);
        return { pointer: parseAddress(ptr.value), length: BigInt(len.value), element: shape.kind === 'str' ? 'u8' : shape.element };
      }
      default:
        throw new EvaluationError(`'${v.type}' is not a Vec, String, str or slice`, start + 1);
    }
  }

  private async lengthOf(target: Value, method: string, start: number): Promise<bigint> {
    if (target.kind === 'str') return BigInt(Buffer.byteLength(target.value, 'utf8'));
    const v = this.expectPlace(target, `${method}()`, start);
    const shape = typeShape(v.type ?? '');
    switch (shape.kind) {
      case 'string':
      case 'vec':
      case 'str':
      case 'slice':
        return (await this.sequence(v, start)).length;
      case 'array':
        return BigInt(shape.length);
      case 'hashMap':
      case 'hashSet': {
        const items = await this.descend(v, ['base', 'map', 'base', 'table', 'table', 'items']);
        if (!items || items.name !== 'items') throw new EvaluationError(`HashMap layout not recognised in '${v.type}'`, start + 1);
        return BigInt(items.value);
      }
      case 'pointer':
        return this.lengthOf(await this.deref(v, start), method, start);
      default:
        throw new EvaluationError(`${method}() is supported on Vec, String, str, slices, arrays and HashMap, not on '${v.type}'`, start + 1);
    }
  }

  private async call(target: Value, method: string, argCount: number, start: number): Promise<Value> {
    if (method !== 'len' && method !== 'is_empty') {
      throw new EvaluationError(`method '${method}()' is not supported; supported methods are len() and is_empty()`, start + 1);
    }
    if (argCount !== 0) throw new EvaluationError(`${method}() takes no arguments`, start + 1);
    const length = await this.lengthOf(target, method, start);
    return method === 'len' ? { kind: 'int', value: length, type: 'usize' } : { kind: 'bool', value: length === 0n };
  }

  private async index(target: Value, indexValue: Value, start: number): Promise<Value> {
    const i = this.toInt(indexValue, 'an index', start);
    if (i < 0n) throw new EvaluationError(`index ${i} is negative`, start + 1);
    if (target.kind === 'str') throw new EvaluationError('strings cannot be indexed by an integer in Rust', start + 1);
    let v = this.expectPlace(target, 'an index', start);
    let shape = typeShape(v.type ?? '');
    if (shape.kind === 'pointer') {
      const pointee = await this.deref(v, start);
      if (pointee.kind !== 'place') throw new EvaluationError(`cannot index a ${describeKind(pointee)} value`, start + 1);
      v = pointee.v;
      shape = typeShape(v.type ?? '');
    }
    if (shape.kind === 'array') {
      if (i >= BigInt(shape.length)) throw new EvaluationError(`index out of bounds: the len is ${shape.length} but the index is ${i}`, start + 1);
      const [element] = await this.children(v.variablesReference, Number(i), 1);
      if (!element) throw new EvaluationError(`lldb gave no element ${i} of '${v.type}'`, start + 1);
      return { kind: 'place', v: element };
    }
    if (shape.kind === 'hashMap') throw new EvaluationError('indexing a HashMap by key is not supported yet; use len() or expand it in Variables', start + 1);
    if (shape.kind !== 'vec' && shape.kind !== 'slice' && shape.kind !== 'string' && shape.kind !== 'str') {
      throw new EvaluationError(`cannot index a value of type '${v.type}'`, start + 1);
    }
    if (shape.kind === 'string' || shape.kind === 'str') throw new EvaluationError('strings cannot be indexed by an integer in Rust', start + 1);
    const seq = await this.sequence(v, start);
    if (i >= seq.length) throw new EvaluationError(`index out of bounds: the len is ${seq.length} but the index is ${i}`, start + 1);
    const size = await this.sizeOf(seq.element, start);
    return this.placeAt(seq.element, seq.pointer + i * BigInt(size), `${v.name}[${i}]`, start);
  }

  /** A value of type `typeName` at `address`: scalars are read directly; other types are materialised by lldb. */
  private async placeAt(typeName: string, address: bigint, name: string, start: number): Promise<Value> {
    const scalar = scalarType(typeName);
    if (scalar) return this.readScalar(scalar, address);
    const body = (await this.data.request('evaluate', { expression: `*(${typeName}*)0x${address.toString(16)}`, frameId: this.frameId, context: 'watch' }).catch(() => undefined)) as
      | { result: string; type?: string; variablesReference: number; memoryReference?: string }
      | undefined;
    if (!body) throw new EvaluationError(`lldb cannot show a value of type '${typeName}' at 0x${address.toString(16)}`, start + 1);
    return { kind: 'place', v: { name, type: body.type ?? typeName, value: body.result, variablesReference: body.variablesReference, memoryReference: body.memoryReference ?? `0x${address.toString(16)}` } };
  }

  private async sizeOf(typeName: string, start: number): Promise<number> {
    const known = knownSize(typeName) ?? this.sizeCache.get(typeName);
    if (known !== undefined) return known;
    const body = (await this.data.request('evaluate', { expression: `sizeof(${typeName})`, frameId: this.frameId, context: 'watch' }).catch(() => undefined)) as { result: string } | undefined;
    const size = body ? Number(body.result) : NaN;
    if (!Number.isInteger(size) || size <= 0) throw new EvaluationError(`cannot find the size of '${typeName}' to index its elements`, start + 1);
    this.sizeCache.set(typeName, size);
    return size;
  }

  private async deref(v: BackendVariable, start: number): Promise<Value> {
    const shape = typeShape(v.type ?? '');
    if (shape.kind === 'pointer') {
      const address = parseAddress(v.value);
      if (address === 0n) throw new EvaluationError(`'${v.name}' is a null pointer`, start + 1);
      const scalar = scalarType(shape.pointee);
      if (scalar) return this.readScalar(scalar, address);
      // lldb shows a pointer's children as the pointee's fields, so the pointee is that same reference.
      return { kind: 'place', v: { name: `*${v.name}`, type: shape.pointee, value: shape.pointee, variablesReference: v.variablesReference, memoryReference: `0x${address.toString(16)}` } };
    }
    // Deref of a String/Vec yields str/slice; our operations treat them alike, so it is the identity here.
    if (shape.kind === 'string' || shape.kind === 'vec') return { kind: 'place', v };
    throw new EvaluationError(`type '${v.type}' cannot be dereferenced`, start + 1);
  }

  // ---- memory ----

  private async readMemory(address: bigint, count: number): Promise<Buffer> {
    this.data.signal.throwIfAborted();
    const body = (await this.data.request('readMemory', { memoryReference: `0x${address.toString(16)}`, count })) as TaskMemory;
    const bytes = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
    if (bytes.length < count) throw new EvaluationError(`could not read ${count} bytes at 0x${address.toString(16)} (only ${bytes.length} readable)`);
    return bytes;
  }

  private async readScalar(scalar: ScalarType, address: bigint): Promise<Value> {
    return decodeScalar(scalar, await this.readMemory(address, scalar.size));
  }

  private async load(value: Value, start: number): Promise<Value> {
    if (value.kind !== 'place') return value;
    const v = value.v;
    const scalar = scalarType(v.type ?? '');
    if (!scalar) return value;
    if (v.memoryReference && (scalar.kind === 'char' || scalar.size === 1 || scalar.size === 16)) {
      // lldb prints u8/i8 as characters and char as `U+0x..`: the bytes are the unambiguous source.
      return this.readScalar(scalar, parseAddress(v.memoryReference));
    }
    const parsed = parseScalarText(scalar, v.value);
    if (parsed) return parsed;
    if (v.memoryReference) return this.readScalar(scalar, parseAddress(v.memoryReference));
    throw new EvaluationError(`cannot read the value of '${v.name}' (${v.value})`, start + 1);
  }

  /** Reads a whole sequence as bytes, in chunks so that cancellation lands between reads. */
  private async *sequenceChunks(pointer: bigint, byteLength: bigint, label: string): AsyncGenerator<Buffer> {
    let done = 0n;
    while (done < byteLength) {
      const n = Number(byteLength - done < BigInt(MEMORY_CHUNK) ? byteLength - done : BigInt(MEMORY_CHUNK));
      yield await this.readMemory(pointer + done, n);
      done += BigInt(n);
      this.data.reportProgress?.(Number(done) / Number(byteLength), `${label}: ${formatBytes(done)} of ${formatBytes(byteLength)}`);
    }
  }

  private async stringContent(value: Value, start: number, limit?: number): Promise<string | undefined> {
    if (value.kind === 'str') return value.value;
    if (value.kind !== 'place') return undefined;
    const shape = typeShape(value.v.type ?? '');
    if (shape.kind !== 'string' && shape.kind !== 'str') return undefined;
    const seq = await this.sequence(value.v, start);
    const take = limit !== undefined && seq.length > BigInt(limit) ? BigInt(limit) : seq.length;
    const parts: Buffer[] = [];
    for await (const chunk of this.sequenceChunks(seq.pointer, take, 'reading string')) parts.push(chunk);
    return Buffer.concat(parts).toString('utf8') + (take < seq.length ? '…' : '');
  }

  // ---- operators ----

  private async unary(op: string, operandValue: Value, start: number): Promise<Value> {
    if (op === '&') return operandValue;
    if (op === '*') {
      if (operandValue.kind !== 'place') throw new EvaluationError(`cannot dereference a ${describeKind(operandValue)} value`, start + 1);
      return this.deref(operandValue.v, start);
    }
    const operand = await this.load(operandValue, start);
    if (op === '!') {
      if (operand.kind === 'bool') return { kind: 'bool', value: !operand.value };
      throw new EvaluationError(`'!' needs a bool, found ${describeKind(operand)}`, start + 1);
    }
    if (operand.kind === 'int') return this.checkedInt(-operand.value, operand.type, 'negate', start);
    if (operand.kind === 'float') return { kind: 'float', value: -operand.value, type: operand.type };
    throw new EvaluationError(`'-' needs a number, found ${describeKind(operand)}`, start + 1);
  }

  private async binary(e: Extract<Expr, { kind: 'binary' }>, op: BinaryOp): Promise<Value> {
    if (op === '&&' || op === '||') {
      const left = await this.load(await this.eval(e.left), e.left.start);
      if (left.kind !== 'bool') throw new EvaluationError(`'${op}' needs bool operands, found ${describeKind(left)}`, e.left.start + 1);
      if (op === '&&' ? !left.value : left.value) return left;
      const right = await this.load(await this.eval(e.right), e.right.start);
      if (right.kind !== 'bool') throw new EvaluationError(`'${op}' needs bool operands, found ${describeKind(right)}`, e.right.start + 1);
      return right;
    }
    const leftRaw = await this.eval(e.left);
    const rightRaw = await this.eval(e.right);
    if (op === '==' || op === '!=') {
      const equal = await this.sequenceEquality(leftRaw, rightRaw, e.start);
      if (equal !== undefined) return { kind: 'bool', value: op === '==' ? equal : !equal };
    }
    const left = await this.load(leftRaw, e.left.start);
    const right = await this.load(rightRaw, e.right.start);
    if (left.kind === 'place' || right.kind === 'place') {
      const bad = left.kind === 'place' ? left : right;
      throw new EvaluationError(`operator '${op}' is not supported on '${(bad as { v: BackendVariable }).v.type}'`, e.start + 1);
    }
    if ((left.kind === 'int' || left.kind === 'float') && (right.kind === 'int' || right.kind === 'float')) {
      if (left.kind === 'int' && right.kind === 'int') return this.intOp(op, left, right, e.start);
      return floatOp(op, Number(left.value), Number(right.value), left.kind === 'float' ? left.type : (right as { type: string }).type);
    }
    if (['==', '!=', '<', '<=', '>', '>='].includes(op) && left.kind === right.kind) {
      const a = (left as { value: unknown }).value as string | boolean;
      const b = (right as { value: unknown }).value as string | boolean;
      return { kind: 'bool', value: compare(op, a < b ? -1 : a > b ? 1 : 0) };
    }
    throw new EvaluationError(`operator '${op}' cannot combine ${describeKind(left)} and ${describeKind(right)}`, e.start + 1);
  }

  /** `==` on strings and sequences of scalars compares their contents, reading memory in chunks. Undefined if not sequences. */
  private async sequenceEquality(left: Value, right: Value, start: number): Promise<boolean | undefined> {
    const a = await this.bytesSource(left, start);
    const b = await this.bytesSource(right, start);
    if (!a || !b) return undefined;
    if (a.element !== b.element && !(a.isText && b.isText)) {
      throw new EvaluationError(`cannot compare sequences of '${a.element}' and '${b.element}'`, start + 1);
    }
    if (a.byteLength !== b.byteLength) return false;
    if (a.literal !== undefined && b.literal !== undefined) return a.literal.equals(b.literal);
    const chunksA = a.literal ? once(a.literal) : this.sequenceChunks(a.pointer, a.byteLength, 'comparing');
    const chunksB = b.literal ? once(b.literal) : this.sequenceChunks(b.pointer, b.byteLength, 'comparing');
    let pendingA: Buffer = Buffer.alloc(0);
    let pendingB: Buffer = Buffer.alloc(0);
    const ia = chunksA[Symbol.asyncIterator]();
    const ib = chunksB[Symbol.asyncIterator]();
    for (;;) {
      if (pendingA.length === 0) {
        const n = await ia.next();
        if (!n.done) pendingA = n.value;
      }
      if (pendingB.length === 0) {
        const n = await ib.next();
        if (!n.done) pendingB = n.value;
      }
      if (pendingA.length === 0 || pendingB.length === 0) return pendingA.length === pendingB.length;
      const n = Math.min(pendingA.length, pendingB.length);
      if (!pendingA.subarray(0, n).equals(pendingB.subarray(0, n))) return false;
      pendingA = pendingA.subarray(n);
      pendingB = pendingB.subarray(n);
    }
  }

  private async bytesSource(value: Value, start: number): Promise<{ element: string; isText: boolean; byteLength: bigint; pointer: bigint; literal?: Buffer } | undefined> {
    if (value.kind === 'str') {
      const literal = Buffer.from(value.value, 'utf8');
      return { element: 'u8', isText: true, byteLength: BigInt(literal.length), pointer: 0n, literal };
    }
    if (value.kind !== 'place') return undefined;
    const shape = typeShape(value.v.type ?? '');
    if (!['string', 'str', 'vec', 'slice'].includes(shape.kind)) return undefined;
    const seq = await this.sequence(value.v, start);
    const scalar = scalarType(seq.element);
    // Byte equality is value equality only for integers, bools and chars (floats have NaN and -0).
    if (!scalar || scalar.kind === 'float') return undefined;
    return { element: scalar.rust, isText: shape.kind === 'string' || shape.kind === 'str', byteLength: seq.length * BigInt(scalar.size), pointer: seq.pointer };
  }

  private intOp(op: BinaryOp, left: { value: bigint; type?: string }, right: { value: bigint; type?: string }, start: number): Value {
    const type = left.type ?? right.type;
    const a = left.value;
    const b = right.value;
    switch (op) {
      case '+':
        return this.checkedInt(a + b, type, 'add', start);
      case '-':
        return this.checkedInt(a - b, type, 'subtract', start);
      case '*':
        return this.checkedInt(a * b, type, 'multiply', start);
      case '/':
      case '%':
        if (b === 0n) throw new EvaluationError(`attempt to ${op === '/' ? 'divide' : 'calculate the remainder'} with a divisor of zero`, start + 1);
        return this.checkedInt(op === '/' ? a / b : a % b, type, 'divide', start);
      default:
        return { kind: 'bool', value: compare(op, a < b ? -1 : a > b ? 1 : 0) };
    }
  }

  private checkedInt(value: bigint, type: string | undefined, verb: string, start: number): Value {
    const scalar = type ? scalarType(type) : undefined;
    if (scalar && scalar.kind === 'int') {
      const bits = BigInt(scalar.size * 8);
      const min = scalar.signed ? -(1n << (bits - 1n)) : 0n;
      const max = scalar.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
      if (value < min || value > max) throw new EvaluationError(`attempt to ${verb} with overflow (${value} does not fit in ${scalar.rust})`, start + 1);
      return { kind: 'int', value, type: scalar.rust };
    }
    return { kind: 'int', value, type };
  }

  private toInt(value: Value, what: string, start: number): bigint {
    if (value.kind === 'int') return value.value;
    if (value.kind === 'place') {
      const scalar = scalarType(value.v.type ?? '');
      if (scalar?.kind === 'int') {
        const parsed = parseScalarText(scalar, value.v.value);
        if (parsed?.kind === 'int') return parsed.value;
      }
    }
    throw new EvaluationError(`${what} must be an integer, found ${describeKind(value)}`, start + 1);
  }

  // ---- results ----

  async present(value: Value): Promise<EvaluationResult> {
    const loaded = await this.load(value, 0);
    switch (loaded.kind) {
      case 'int':
        return { result: loaded.value.toString(), type: loaded.type ?? 'i32', variablesReference: 0 };
      case 'float':
        return { result: formatFloat(loaded.value), type: loaded.type, variablesReference: 0 };
      case 'bool':
        return { result: String(loaded.value), type: 'bool', variablesReference: 0 };
      case 'char':
        return { result: `'${escapeText(loaded.value, "'")}'`, type: 'char', variablesReference: 0 };
      case 'str':
        return { result: `"${escapeText(loaded.value, '"')}"`, type: '&str', variablesReference: 0 };
      case 'place': {
        const v = loaded.v;
        const text = await this.stringContent(loaded, 0, DISPLAY_LIMIT);
        const result = text !== undefined ? `"${escapeText(text, '"')}"` : await this.summary(v);
        return {
          result,
          type: v.type ? rustTypeName(v.type) : undefined,
          variablesReference: v.variablesReference,
          memoryReference: v.memoryReference,
          indexedVariables: v.indexedVariables,
          namedVariables: v.namedVariables,
        };
      }
    }
  }

  private async summary(v: BackendVariable): Promise<string> {
    const shape = typeShape(v.type ?? '');
    if (['vec', 'slice', 'hashMap', 'hashSet'].includes(shape.kind)) {
      const length = await this.lengthOf({ kind: 'place', v }, 'len', 0).catch(() => undefined);
      if (length !== undefined) return `${v.type} (len ${length})`;
    }
    return v.value;
  }
}

function once(buffer: Buffer): AsyncIterable<Buffer> {
  return {
    async *[Symbol.asyncIterator]() {
      yield buffer;
    },
  };
}

function compare(op: BinaryOp, order: number): boolean {
  switch (op) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

function floatOp(op: BinaryOp, a: number, b: number, type: string): Value {
  switch (op) {
    case '+':
      return { kind: 'float', value: a + b, type };
    case '-':
      return { kind: 'float', value: a - b, type };
    case '*':
      return { kind: 'float', value: a * b, type };
    case '/':
      return { kind: 'float', value: a / b, type };
    case '%':
      return { kind: 'float', value: a % b, type };
    default:
      // NaN is unordered: every comparison with it is false except `!=`.
      if (Number.isNaN(a) || Number.isNaN(b)) return { kind: 'bool', value: op === '!=' };
      return { kind: 'bool', value: compare(op, a < b ? -1 : a > b ? 1 : 0) };
  }
}

function describeKind(v: Value): string {
  switch (v.kind) {
    case 'int':
      return `an integer (${v.type ?? 'integer literal'})`;
    case 'float':
      return `a float (${v.type})`;
    case 'bool':
      return 'a bool';
    case 'char':
      return 'a char';
    case 'str':
      return 'a string literal';
    case 'place':
      return `'${v.v.type ?? v.v.value}'`;
  }
}

export function decodeScalar(scalar: ScalarType, bytes: Buffer): Value {
  switch (scalar.kind) {
    case 'bool':
      return { kind: 'bool', value: bytes[0] !== 0 };
    case 'char':
      return { kind: 'char', value: String.fromCodePoint(bytes.readUInt32LE(0)) };
    case 'float':
      return { kind: 'float', value: scalar.size === 4 ? bytes.readFloatLE(0) : bytes.readDoubleLE(0), type: scalar.rust };
    case 'int': {
      let value = 0n;
      for (let i = scalar.size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
      if (scalar.signed && bytes[scalar.size - 1] & 0x80) value -= 1n << BigInt(scalar.size * 8);
      return { kind: 'int', value, type: scalar.rust };
    }
  }
}

function parseScalarText(scalar: ScalarType, text: string): Value | undefined {
  const t = text.trim();
  switch (scalar.kind) {
    case 'int':
      return /^-?\d+$/.test(t) ? { kind: 'int', value: BigInt(t), type: scalar.rust } : undefined;
    case 'float': {
      const n = t === 'inf' || t === '+Inf' ? Infinity : t === '-inf' || t === '-Inf' ? -Infinity : /nan/i.test(t) ? NaN : Number(t);
      return Number.isNaN(n) && !/nan/i.test(t) ? undefined : { kind: 'float', value: n, type: scalar.rust };
    }
    case 'bool':
      return t === 'true' || t === 'false' ? { kind: 'bool', value: t === 'true' } : undefined;
    default:
      return undefined;
  }
}

/** `0x00005555555bfd60 "\n"` and `0x7FFF…` alike: the leading hex number. */
export function parseAddress(text: string): bigint {
  const m = /^\s*(0x[0-9a-fA-F]+)/.exec(text);
  if (!m) throw new EvaluationError(`expected an address but lldb gave '${text}'`);
  return BigInt(m[1]);
}

function formatFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return n.toFixed(1);
  return String(n);
}

function formatBytes(n: bigint): string {
  return n >= 1n << 20n ? `${(Number(n) / (1 << 20)).toFixed(1)} MiB` : `${n} B`;
}

function escapeText(text: string, quote: string): string {
  return text.replace(/[\\\n\r\t\0]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' })[c]!).split(quote).join(`\\${quote}`);
}
