// The Rust expression language at a real stop: every expression the program prints with {:?} (the compiler is the oracle) evaluates to the same text; errors, limits, cancellation, LLDB commands and completions.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, failureOf, launchToMarker, startClient, stopQuietly, type Stop } from './support/client';
import { markerLine, sourceOf } from './support/programs';

/** [expression, what the error must say]: Rust terms, the column and a caret. */
const ERRORS: Array<[string, RegExp]> = [
  ['v.frobnicate()', /no method named 'frobnicate' found for 'alloc::vec::Vec<u32[^']*'[\s\S]*at column 3\n {2}v\.frobnicate\(\)\n {4}\^/],
  ['p.frobnicate()', /no method named 'frobnicate' found for type '[\w:]*Person'/],
  ['m["key10000"]', /the key "key10000" is not in the map \(len 10000\) at column 2/],
  ['v[10..2000000]', /range end index 2000000 out of range for slice of length 1000000/],
  ['v[2000000]', /index out of bounds: the len is 1000000 but the index is 2000000/],
  ['s[0..100]', /byte index 100 is out of bounds of a string of length 12/],
  ['s[8..9]', /byte index 8 is not a char boundary/],
  ['p.nickname', /no field 'nickname' on type '[\w:]*Person' \(fields: name, x, y\)/],
  ['missing_name', /no variable named 'missing_name' in this frame/],
  ['none.unwrap()', /called `Option::unwrap\(\)` on a `None` value/],
  ['big + u64::MAX', /attempt to add with overflow/],
  ['neg / 0', /divisor of zero/],
  ['ch as u8 as char == 5u32 as char', /only `u8` can be cast as `char`, not `u32`/],
  ['1 < 2 < 3', /comparison operators cannot be chained/],
  ['v.iter().sum::<u32>()', /attempt to add with overflow/],
  [`${'('.repeat(3000)}1${')'.repeat(3000)}`, /nests deeper than 256 levels \(the nesting limit\)/],
  [`v.len() + ${'1 + '.repeat(3000)}1`, /characters long, more than the limit of 10000|more than 256 operators \(the nesting limit\)/],
  ['(0..100000000u64).filter(|x| x % 2 == 0).count()', /more than 10,000,000 elements \(the element-loop limit\)/],
  ['`', /LLDB command is missing/],
];

interface Row {
  expression: string;
  expected: string;
  radix?: 'HEX' | 'BIN' | 'OCT';
}

/** Undoes Rust's `str::escape_default` (the program prints EXPR lines escaped, so only ASCII crosses lldb-dap's output). */
function unescapeRust(text: string): string {
  const simple: Record<string, string> = { t: '\t', r: '\r', n: '\n', "'": "'", '"': '"', '\\': '\\', '0': '\0' };
  return text.replace(/\\(u\{([0-9a-fA-F]+)\}|.)/g, (all, escape: string, hex: string | undefined) => (hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : (simple[escape] ?? all)));
}

describe('expressions (real lldb-dap, a real Rust program as the oracle)', function () {
  this.timeout(600_000);
  let dc: DebugClient;
  let stop: Stop;
  const rows: Row[] = [];

  let lldbDapPid: number | undefined;
  /** The program's stdout, line by line. */
  const lines: string[] = [];

  before(async () => {
    dc = await startClient();
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      const pid = /rust-offload: using .* pid (\d+)/.exec(e.body.output)?.[1];
      if (pid && lldbDapPid === undefined) lldbDapPid = Number(pid);
    });
    let pending = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category !== 'stdout') return;
      pending += e.body.output;
      const parts = pending.split(/\r?\n/);
      pending = parts.pop() ?? '';
      lines.push(...parts);
    });
    // No deadline: the element-loop limit row visits 10 million elements, slow on a loaded CI machine.
    stop = await launchToMarker(dc, 'expressions', 'expressions', { evaluationTimeout: 0 });
    for (let i = 0; i < 100 && !lines.includes('DONE'); i++) await new Promise((r) => setTimeout(r, 100));
    for (const line of lines) {
      const m = /^(EXPR|HEX|BIN|OCT) (.*) => (.*)$/.exec(line);
      if (!m) continue;
      const text = m[1] === 'EXPR' ? unescapeRust : (t: string): string => t;
      rows.push({ expression: text(m[2]), expected: text(m[3]), radix: m[1] === 'EXPR' ? undefined : (m[1] as Row['radix']) });
    }
  });
  after(() => stopQuietly(dc));

  it('evaluates every expression the program printed to the text {:?} printed', async () => {
    assert.ok(rows.length >= 150, `the program printed ${rows.length} expressions; at least 150 expected`);
    const wrong: string[] = [];
    for (const row of rows) {
      const suffix = row.radix === 'HEX' ? ',x' : row.radix === 'BIN' ? ',b' : row.radix === 'OCT' ? ',o' : '';
      const expression = `${row.expression}${suffix}`;
      try {
        const r = await dc.evaluateRequest({ expression, frameId: stop.frameId, context: 'repl' });
        if (r.body.result !== row.expected) wrong.push(`${expression}\n    expected ${row.expected}\n    got      ${r.body.result}`);
      } catch (err) {
        wrong.push(`${expression}\n    expected ${row.expected}\n    failed   ${(err as Error).message}`);
      }
    }
    assert.deepStrictEqual(wrong, [], `${wrong.length} of ${rows.length} expressions differ from the program's own {:?}:\n  ${wrong.join('\n  ')}`);
  });

  it('shows a result exactly as the Variables view shows the value, with its children', async () => {
    const r = await dc.evaluateRequest({ expression: 'items[1]', frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(r.body.result, 'Item { name: "bolt", quantity: 12 }');
    assert.ok(r.body.variablesReference > 0, 'a struct result has children');
    const children = await dc.variablesRequest({ variablesReference: r.body.variablesReference });
    assert.deepStrictEqual(
      children.body.variables.map((c) => [c.name, c.value, c.evaluateName]),
      [
        ['name', '"bolt"', 'items[1].name'],
        ['quantity', '12', 'items[1].quantity'],
      ],
    );
    const slice = await dc.evaluateRequest({ expression: 'v[10..20]', frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(slice.body.indexedVariables, 10);
    const page = await dc.variablesRequest({ variablesReference: slice.body.variablesReference, filter: 'indexed', start: 8, count: 2 });
    assert.deepStrictEqual(page.body.variables.map((c) => [c.name, c.value, c.evaluateName]), [['[8]', '18', 'v[10..20][8]'], ['[9]', '19', 'v[10..20][9]']]);
    const again = await dc.evaluateRequest({ expression: 'v[10..20][8]', frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(again.body.result, '18');
  });

  for (const [expression, message] of ERRORS) {
    it(`${expression.length > 60 ? `${expression.slice(0, 60)}…` : expression} fails clearly`, async () => {
      const text = await failureOf(dc.evaluateRequest({ expression, frameId: stop.frameId, context: 'repl' }));
      assert.match(text, message);
      assert.doesNotMatch(text, /Maximum call stack|Cannot read properties|undefined/);
    });
  }

  it('a closure over the 1M-element Vec is cancelled midway, and the next evaluation answers', async () => {
    const seq = (dc as unknown as { sequence: number }).sequence ?? 0;
    const progress = dc.waitForEvent('progressStart', 60_000).catch(() => undefined);
    const pending = failureOf(dc.evaluateRequest({ expression: 'v.iter().map(|x| x * 3).filter(|x| x % 7 == 1).map(|x| x + 1).count()', frameId: stop.frameId, context: 'repl' }));
    const started = (await progress) as DebugProtocol.ProgressStartEvent | undefined;
    assert.ok(started, 'the long evaluation reports progress before it ends');
    await dc.customRequest('cancel', { progressId: started.body.progressId });
    const text = await pending;
    assert.match(text, /cancelled/);
    void seq;
    const next = await dc.evaluateRequest({ expression: 'v.len()', frameId: stop.frameId, context: 'repl' });
    assert.strictEqual(next.body.result, '1000000');
  });

  it('runs LLDB commands with the backtick escape or /cmd, and /nat stays', async () => {
    const bt = await dc.evaluateRequest({ expression: '`bt', frameId: stop.frameId, context: 'repl' });
    assert.match(bt.body.result, /frame #0: .*expressions::main/);
    const fv = await dc.evaluateRequest({ expression: '/cmd frame variable byte', frameId: stop.frameId, context: 'repl' });
    assert.match(fv.body.result, /byte = '\\xc8'/);
    const help = await dc.evaluateRequest({ expression: '`help', frameId: stop.frameId, context: 'repl' });
    assert.match(help.body.result, /breakpoint/);
    const nat = await dc.evaluateRequest({ expression: '/nat byte', frameId: stop.frameId, context: 'repl' });
    assert.match(nat.body.result, /200|'\\xc8'/);
  });

  it('a failing /nat answers without waiting for a program exit', async () => {
    const text = await failureOf(dc.evaluateRequest({ expression: '/nat no_such_thing_here', frameId: stop.frameId, context: 'repl' }));
    assert.match(text, /no_such_thing_here|undeclared|error/i);
  });

  it('a /nat that changes a local drops what the stop kept: the next evaluations see the new value', async () => {
    for (let i = 0; i < 2; i++) {
      assert.strictEqual((await dc.evaluateRequest({ expression: 'neg', frameId: stop.frameId, context: 'watch' })).body.result, '-37');
    }
    try {
      await dc.evaluateRequest({ expression: '/nat neg = -41', frameId: stop.frameId, context: 'repl' });
      assert.strictEqual((await dc.evaluateRequest({ expression: 'neg', frameId: stop.frameId, context: 'watch' })).body.result, '-41');
      assert.strictEqual((await dc.evaluateRequest({ expression: 'neg.abs() + 1', frameId: stop.frameId, context: 'watch' })).body.result, '42');
    } finally {
      await dc.evaluateRequest({ expression: '/nat neg = -37', frameId: stop.frameId, context: 'repl' });
    }
    assert.strictEqual((await dc.evaluateRequest({ expression: 'neg', frameId: stop.frameId, context: 'watch' })).body.result, '-37');
  });

  it('completes variable names, and fields and methods of the value before the dot', async () => {
    const names = await dc.customRequest('completions', { frameId: stop.frameId, text: 'ite', column: 4 });
    assert.ok(names.body.targets.some((t: DebugProtocol.CompletionItem) => t.label === 'items'), JSON.stringify(names.body));
    const fields = await dc.customRequest('completions', { frameId: stop.frameId, text: 'items[1].', column: 10 });
    assert.deepStrictEqual(fields.body.targets.map((t: DebugProtocol.CompletionItem) => t.label).slice(0, 2), ['name', 'quantity']);
    const methods = await dc.customRequest('completions', { frameId: stop.frameId, text: 'm.con', column: 6 });
    assert.deepStrictEqual(methods.body.targets.map((t: DebugProtocol.CompletionItem) => t.label), ['contains_key']);
  });

  // Moves the stop: after every test that uses the first one.
  it('after a step that changes a value in place, evaluations show the new value (nothing kept from the last stop)', async () => {
    const STEPPED = ['stepped', 'stepped[0]', 'stepped.iter().sum::<u32>()', 'stepped.iter().filter(|x| *x % 2 == 0).count()'];
    // Read at the first stop (twice, so whatever a stop keeps is kept), as the program had them then.
    for (let i = 0; i < 2; i++) {
      const before = [];
      for (const expression of STEPPED) before.push((await dc.evaluateRequest({ expression, frameId: stop.frameId, context: 'watch' })).body.result);
      assert.deepStrictEqual(before, ['[1, 2, 3]', '1', '6', '1']);
    }
    const target = markerLine(sourceOf('expressions'), 'stepped');
    for (let i = 0; i < 20 && stop.frames[0].line !== target; i++) {
      const stopped = dc.waitForEvent('stopped', 60_000);
      await dc.nextRequest({ threadId: stop.threadId });
      await stopped;
      stop = await currentStop(dc);
    }
    assert.strictEqual(stop.frames[0].line, target, 'stepping reached the line after the change');
    const printed = new Map<string, string>();
    for (let i = 0; i < 50 && printed.size < STEPPED.length; i++) {
      for (const line of lines) {
        const m = /^STEP (.*) => (.*)$/.exec(line);
        if (m) printed.set(m[1], m[2]);
      }
      if (printed.size < STEPPED.length) await new Promise((r) => setTimeout(r, 100));
    }
    for (const expression of STEPPED) {
      const r = await dc.evaluateRequest({ expression, frameId: stop.frameId, context: 'watch' });
      assert.strictEqual(r.body.result, printed.get(expression), `${expression} after the step`);
    }
  });

  // Last: it ends the session.
  it('a /nat still running when lldb-dap dies is answered, naming the cause', async () => {
    assert.ok(lldbDapPid, 'the session said which lldb-dap it started');
    const pending = failureOf(dc.evaluateRequest({ expression: '/nat slow_answer(8000)', frameId: stop.frameId, context: 'repl' }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.kill(lldbDapPid, 'SIGKILL');
    assert.match(await pending, /lldb-dap exited \(signal SIGKILL\) during the evaluation/);
  });
});
