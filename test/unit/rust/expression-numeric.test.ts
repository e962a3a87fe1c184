// Closures over small integers compiled to functions on numbers: Rust's results, and every overflow or zero divisor left to the general path.
import * as assert from 'node:assert';
import { NOT_DECIDED, compileNumeric } from '../../../src/rust/expression-numeric';
import { parseWatch, type Expr } from '../../../src/rust/expression-syntax';

function closure(source: string, t: string): ((x: number) => number | boolean) | undefined {
  const e = parseWatch(source).expr as Extract<Expr, { kind: 'closure' }>;
  assert.strictEqual(e.kind, 'closure');
  return compileNumeric(e.params, e.body, t)?.fn;
}

function undecided(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (err) {
    if (err === NOT_DECIDED) return true;
    throw err;
  }
}

describe('compileNumeric', () => {
  it('computes what Rust computes on u32 and i32', () => {
    assert.strictEqual(closure('|x| *x % 3 == 0', 'u32')!(9), true);
    assert.strictEqual(closure('|x| *x % 3 == 0', 'u32')!(10), false);
    assert.strictEqual(closure('|&x| x * 2 + 1', 'u32')!(4), 9);
    assert.strictEqual(closure('|x| x / 2', 'i32')!(-7), -3);
    assert.strictEqual(closure('|x| x % 3', 'i32')!(-7), -1);
    assert.strictEqual(closure('|x| x ^ 0xff', 'u32')!(0xffffffff), 0xffffff00);
    assert.strictEqual(closure('|x| !x', 'u8')!(1), 254);
    assert.strictEqual(closure('|x| *x > 10 && *x < 20', 'u16')!(15), true);
  });

  it('leaves overflows and zero divisors to the general path', () => {
    assert.ok(undecided(() => closure('|x| x + 1', 'u32')!(0xffffffff)));
    assert.ok(undecided(() => closure('|x| x * x', 'u32')!(0x10000)));
    assert.ok(undecided(() => closure('|x| x - 1', 'u8')!(0)));
    assert.ok(undecided(() => closure('|x| 10 / x', 'i32')!(0)));
    assert.ok(undecided(() => closure('|x| x % -1', 'i32')!(5)));
    assert.ok(undecided(() => closure('|x| -x', 'i32')!(-0x80000000)));
  });

  it('does not compile what it cannot decide exactly', () => {
    assert.strictEqual(closure('|x| x as u64', 'u32'), undefined);
    assert.strictEqual(closure('|x| x << 2', 'u32'), undefined);
    assert.strictEqual(closure('|x| x + 1u64', 'u32'), undefined);
    assert.strictEqual(closure('|x| x < 5000000000', 'u32'), undefined);
    assert.strictEqual(closure('|x| x + 1', 'u64'), undefined);
    assert.strictEqual(closure('|(a, b)| a + b', 'u32'), undefined);
  });
});
