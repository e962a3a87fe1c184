// Evaluate in every context, and the expression language on a real Rust program through real lldb-dap (golden transcript too).
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { failureOf, launchToMarker, startClient, stopQuietly, type Stop } from './support/client';
import { Transcript } from './support/transcript';

/** [expression, expected result, expected type]: values fixed by test/programs/values.rs. */
const LANGUAGE: Array<[string, string, string]> = [
  ['numbers', '[10, 20, 30, 40]', 'alloc::vec::Vec<i32, alloc::alloc::Global>'],
  ['numbers[2]', '30', 'i32'],
  ['numbers[1 + 2] - numbers[0]', '30', 'i32'],
  ['numbers.len()', '4', 'usize'],
  ['empty.is_empty()', 'true', 'bool'],
  ['pts[1].y', '4.5', 'f64'],
  ['pts[0].x + pts[1].x', '4', 'i32'],
  ['name', '"offload"', 'alloc::string::String'],
  ['name.len()', '7', 'usize'],
  ['greeting', '"hello"', '&str'],
  ['greeting.len() == 5', 'true', 'bool'],
  ['name == "offload"', 'true', 'bool'],
  ['greeting != "hello"', 'false', 'bool'],
  ['counts.len()', '2', 'usize'],
  ['counts.is_empty()', 'false', 'bool'],
  ['pair.0', '7', 'u8'],
  ['pair.1 * 3', '-6', 'i64'],
  ['pair.2 && !flag', 'true', 'bool'],
  ['grid[3]', '4', 'u16'],
  ['grid.len()', '4', 'usize'],
  ['tail[0]', '2', 'u16'],
  ['tail.len()', '3', 'usize'],
  ['boxed.x', '7', 'i32'],
  ['(*boxed).y', '8.0', 'f64'],
  ['first.y + 1.0', '3.5', 'f64'],
  ['letter', "'λ'", 'char'],
  ['big', '18446744073709551615', 'u64'],
  ['small', '-5', 'i8'],
  ['-small * 2', '10', 'i8'],
  ['ratio * 4.0', '1.0', 'f32'],
  ['inventory.items[1].x', '3', 'i32'],
  ['inventory.owner == name', 'true', 'bool'],
  ['inventory.counts.len() >= 2 || false', 'true', 'bool'],
  ['total', '10', 'u64'],
  ['total % 4 == 2', 'true', 'bool'],
  ['17 / 5', '3', 'i32'],
  ['0x10 + 1_000', '1016', 'i32'],
  ["'a' < 'b'", 'true', 'bool'],
  ['"abc" == "abc"', 'true', 'bool'],
  ['haystack.len()', '536870912', 'usize'],
];

/** [expression, message fragment]: each error must say what was wrong and where. */
const ERRORS: Array<[string, RegExp]> = [
  ['numbers[1 +', /expected an expression but found end of expression at column 12/],
  ['numbers[9]', /index out of bounds: the len is 4 but the index is 9/],
  ['missing_name', /no variable named 'missing_name' in this frame \(locals: .*numbers/],
  ['pts[0].z', /no field 'z' on type 'values::Point' \(fields: x, y\)/],
  ['big + 1', /attempt to add with overflow/],
  ['total / 0', /divisor of zero/],
  ['numbers.sum()', /no method named 'sum' found for 'alloc::vec::Vec<i32, alloc::alloc::Global>'/],
  ['a < b < c', /comparison operators cannot be chained/],
  ['name @ 1', /unexpected character '@' at column 6/],
];

describe('evaluate (real lldb-dap, real Rust program)', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  let stop: Stop;

  before(async () => {
    dc = await startClient();
    stop = await launchToMarker(dc, 'values', 'main');
  });
  after(() => stopQuietly(dc));

  for (const [expression, result, type] of LANGUAGE) {
    it(`${expression} → ${result}`, async () => {
      const r = await dc.evaluateRequest({ expression, frameId: stop.frameId, context: 'watch' });
      assert.strictEqual(r.body.result, result);
      assert.strictEqual(r.body.type, type);
    });
  }

  for (const [expression, message] of ERRORS) {
    it(`${expression} fails clearly`, async () => {
      const text = await failureOf(dc.evaluateRequest({ expression, frameId: stop.frameId, context: 'watch' }));
      assert.match(text, message);
    });
  }

  it('points at the column of a syntax error with a caret', async () => {
    const text = await failureOf(dc.evaluateRequest({ expression: 'pts[0].', frameId: stop.frameId, context: 'watch' }));
    assert.match(text, /at column 8\n {2}pts\[0\]\.\n {9}\^/);
  });

  for (const context of ['watch', 'hover', 'repl', 'clipboard', 'variables']) {
    it(`answers in the ${context} context through the executor`, async () => {
      const r = await dc.evaluateRequest({ expression: 'pts[1].x * 10', frameId: stop.frameId, context });
      assert.strictEqual(r.body.result, '30');
    });
  }

  it('a struct result can be expanded (its variablesReference is lldb-dap\'s)', async () => {
    const r = await dc.evaluateRequest({ expression: 'pts[1]', frameId: stop.frameId, context: 'watch' });
    assert.ok(r.body.variablesReference > 0);
    const children = await dc.variablesRequest({ variablesReference: r.body.variablesReference });
    assert.deepStrictEqual(
      children.body.variables.map((v) => [v.name, v.value]),
      [
        ['x', '3'],
        ['y', '4.5'],
      ],
    );
  });

  it('/nat hands the expression to LLDB\'s own evaluator', async () => {
    const r = await dc.evaluateRequest({ expression: '/nat numbers.len', frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(r.body.result, '4');
    const native = await dc.evaluateRequest({ expression: '/nat slow_answer(1)', frameId: stop.frameId, context: 'repl' });
    assert.strictEqual(native.body.result, '42');
  });

  it('matches the golden transcript', async () => {
    const t = new Transcript('evaluate', dc);
    for (const expression of ['numbers[3]', 'name', 'pts[0]', 'letter', 'counts.len()', 'numbers[', 'nope', '/nat grid[1]']) {
      await t.send('evaluate', { expression, frameId: stop.frameId, context: 'watch' }).catch(() => undefined);
    }
    t.check();
  });
});
