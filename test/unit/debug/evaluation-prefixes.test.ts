// How the adapter reads an expression before any worker does: the `/nat` prefix, and the local it starts with (looked up ahead).
import * as assert from 'node:assert';
import { leadingLocal } from '../../../src/debug/rust-debug-session';
import { NATIVE_WITHOUT_EXPRESSION, nativeExpressionOf } from '../../../src/rust/evaluate-task';

describe('expressions as the adapter reads them', () => {
  it('/nat: the rest of the line for LLDB, empty when nothing follows, undefined without the prefix', () => {
    assert.strictEqual(nativeExpressionOf('  /nat  v.len '), 'v.len');
    assert.strictEqual(nativeExpressionOf('/nat'), '');
    assert.strictEqual(nativeExpressionOf('/natural'), undefined);
    assert.strictEqual(nativeExpressionOf('v.len()'), undefined);
    assert.match(NATIVE_WITHOUT_EXPRESSION, /needs an expression after it/);
  });

  it('the local an expression starts with, behind & * ! - and parentheses', () => {
    const cases: Array<[string, string | undefined]> = [
      ['p.name', 'p'],
      ['  v[3]', 'v'],
      ['&v[1..]', 'v'],
      ['*boxed + 1', 'boxed'],
      ['(neg / 5)', 'neg'],
      ['-neg', 'neg'],
      ['self.x', 'self'],
      ['snake_case_2.len()', 'snake_case_2'],
    ];
    for (const [expression, local] of cases) assert.strictEqual(leadingLocal(expression), local, expression);
  });

  it('no local for a path, a call, a macro, a type, a keyword, a literal or a placeholder', () => {
    for (const expression of ['u64::MAX', 'std::f64::consts::PI', 'foo(1)', 'matches!(x, 1)', 'LIMIT', 'Some(1)', 'true', 'as', 'match x {}', '1 + 2', '"text"', '_', '']) {
      assert.strictEqual(leadingLocal(expression), undefined, expression);
    }
  });
});
