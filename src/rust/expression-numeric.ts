// Closures over small integers compiled to plain JavaScript functions on numbers, for iterators over a million elements.
import type { Expr, Pattern } from './expression-syntax';

/** Integer types whose every value and every +, -, * of two values is exact in a JavaScript number. */
const SMALL_INTS: Record<string, { min: number; max: number }> = {
  u8: { min: 0, max: 0xff },
  u16: { min: 0, max: 0xffff },
  u32: { min: 0, max: 0xffffffff },
  i8: { min: -0x80, max: 0x7f },
  i16: { min: -0x8000, max: 0x7fff },
  i32: { min: -0x80000000, max: 0x7fffffff },
};

export function isSmallInt(t: string | undefined): t is string {
  return t !== undefined && SMALL_INTS[t] !== undefined;
}

/** The bounds of a small integer type. */
export function smallIntBounds(t: string): { min: number; max: number } {
  return SMALL_INTS[t];
}

/**
 * Thrown by a compiled closure for anything it does not decide itself (an overflow, a divisor of zero): the caller
 * evaluates that element the general way, which gives Rust's answer or its error with the column.
 */
export const NOT_DECIDED = Symbol('not decided by the numeric closure');

/** A compiled closure: one element in, an integer of the element's type or a bool out. */
export interface NumericClosure {
  fn: (x: number) => number | boolean;
  returns: 'int' | 'bool';
}

/**
 * `|x| *x % 3 == 0` over elements of integer type `t` as `(x) => x % 3 === 0`; undefined when the body uses anything
 * but the parameter, integer and bool literals, arithmetic, bit and comparison operators (casts, shifts, calls and
 * fields take the general path).
 */
export function compileNumeric(params: Pattern[], body: Expr, t: string): NumericClosure | undefined {
  if (!isSmallInt(t) || params.length !== 1) return undefined;
  let p = params[0];
  while (p.kind === 'ref') p = p.pattern;
  if (p.kind !== 'bind' && p.kind !== 'wild') return undefined;
  const name = p.kind === 'bind' ? p.name : undefined;
  const { min, max } = SMALL_INTS[t];
  const unsigned32 = t === 'u32';
  const check = (v: number): number => {
    if (v < min || v > max || !Number.isFinite(v)) throw NOT_DECIDED;
    return v;
  };
  type Compiled = { kind: 'int' | 'bool'; fn: (x: number) => number | boolean };
  const compile = (e: Expr): Compiled | undefined => {
    switch (e.kind) {
      case 'int': {
        if (e.suffix !== undefined && e.suffix !== t) return undefined;
        if (e.value < BigInt(min) || e.value > BigInt(max)) return undefined;
        const v = Number(e.value);
        return { kind: 'int', fn: () => v };
      }
      case 'bool': {
        const v = e.value;
        return { kind: 'bool', fn: () => v };
      }
      case 'path':
        return e.segments.length === 1 && e.segments[0] === name ? { kind: 'int', fn: (x) => x } : undefined;
      case 'unary': {
        const inner = compile(e.operand);
        if (!inner) return undefined;
        const f = inner.fn as (x: number) => number;
        if (e.op === '*' || e.op === '&') return inner;
        if (e.op === '!') {
          if (inner.kind === 'bool') return { kind: 'bool', fn: (x) => !f(x) };
          // Bitwise not within the type: for an unsigned type max - x, for a signed one ~x.
          return { kind: 'int', fn: min === 0 ? (x) => max - f(x) : (x) => ~f(x) };
        }
        if (e.op === '-' && inner.kind === 'int') return { kind: 'int', fn: (x) => check(-f(x) + 0) };
        return undefined;
      }
      case 'binary': {
        const l = compile(e.left);
        const r = compile(e.right);
        if (!l || !r) return undefined;
        const a = l.fn as (x: number) => number;
        const b = r.fn as (x: number) => number;
        if (e.op === '&&' || e.op === '||') {
          if (l.kind !== 'bool' || r.kind !== 'bool') return undefined;
          return { kind: 'bool', fn: e.op === '&&' ? (x) => (a(x) as unknown as boolean) && (b(x) as unknown as boolean) : (x) => (a(x) as unknown as boolean) || (b(x) as unknown as boolean) };
        }
        if (l.kind !== r.kind) return undefined;
        switch (e.op) {
          case '==':
            return { kind: 'bool', fn: (x) => a(x) === b(x) };
          case '!=':
            return { kind: 'bool', fn: (x) => a(x) !== b(x) };
          case '<':
          case '<=':
          case '>':
          case '>=': {
            if (l.kind !== 'int') return undefined;
            const op = e.op;
            return { kind: 'bool', fn: op === '<' ? (x) => a(x) < b(x) : op === '<=' ? (x) => a(x) <= b(x) : op === '>' ? (x) => a(x) > b(x) : (x) => a(x) >= b(x) };
          }
        }
        if (l.kind !== 'int') return undefined;
        switch (e.op) {
          case '+':
            return { kind: 'int', fn: (x) => check(a(x) + b(x)) };
          case '-':
            return { kind: 'int', fn: (x) => check(a(x) - b(x)) };
          case '*':
            // Two 32-bit values multiply exactly below 2^64 only as bigints; past 2^53 the product is out of range anyway.
            return { kind: 'int', fn: (x) => check(a(x) * b(x)) };
          case '/':
            return {
              kind: 'int',
              fn: (x) => {
                const d = b(x);
                if (d === 0) throw NOT_DECIDED;
                return check(Math.trunc(a(x) / d) + 0);
              },
            };
          case '%':
            return {
              kind: 'int',
              fn: (x) => {
                const d = b(x);
                if (d === 0 || d === -1) throw NOT_DECIDED;
                return a(x) % d + 0;
              },
            };
          case '&':
            return { kind: 'int', fn: unsigned32 ? (x) => (a(x) & b(x)) >>> 0 : (x) => a(x) & b(x) };
          case '|':
            return { kind: 'int', fn: unsigned32 ? (x) => (a(x) | b(x)) >>> 0 : (x) => a(x) | b(x) };
          case '^':
            return { kind: 'int', fn: unsigned32 ? (x) => (a(x) ^ b(x)) >>> 0 : (x) => a(x) ^ b(x) };
          default:
            return undefined;
        }
      }
      default:
        return undefined;
    }
  };
  const c = compile(body);
  return c ? { fn: c.fn, returns: c.kind } : undefined;
}
