// The session run inline (as VS Code's DebugAdapterInlineImplementation does): its work appears on the shared executor.
import * as assert from 'node:assert';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ThreadPoolExecutor, type FutureInfo } from '../../src/futures';
import { RustDebugSession } from '../../src/debug/rust-debug-session';
import { InlineClient } from './support/inline-client';
import { toolchainEnv } from './support/programs';

describe('inline session on a shared executor', function () {
  this.timeout(120_000);
  const executor = new ThreadPoolExecutor({ maxWorkers: 2, modulesRoot: path.resolve(__dirname, '..', '..', 'src') });
  const submitted: FutureInfo[] = [];
  executor.on('submitted', (info) => submitted.push(info));
  const session = new RustDebugSession({ executor, sessionId: 'inline-test', env: toolchainEnv() });
  const client = new InlineClient(session);
  /** The frame of the stop the first test reaches; the later tests evaluate in it. */
  let frameId: number;

  after(async () => {
    await client.send('disconnect', { terminateDebuggee: true }).catch(() => undefined);
    session.dispose();
    await executor.shutdown({ wait: true, cancelFutures: true });
  });

  it('evaluations and large expansions are futures labelled with what they work on, owned by the session', async () => {
    ({ frameId } = await client.launchToMarker('values', 'main'));

    const result = await client.send<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'numbers[1] * 2', frameId, context: 'hover' });
    assert.strictEqual(result.result, '40');
    const evaluation = submitted.find((f) => f.label === 'numbers[1] * 2');
    assert.ok(evaluation, `no future for the evaluation among: ${submitted.map((f) => f.label).join(', ')}`);
    assert.strictEqual(evaluation.kind, 'Evaluations');
    assert.strictEqual(evaluation.lane, 'interactive');
    assert.strictEqual(evaluation.owner, 'inline-test');

    // The frame's values are formatted by a future of their own, and so is every expansion, paged ones by their page.
    const scopes = await client.send<DebugProtocol.ScopesResponse['body']>('scopes', { frameId });
    const locals = await client.send<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes.scopes[0].variablesReference });
    assert.ok(submitted.some((f) => f.label.startsWith('variables of frame') && f.owner === 'inline-test' && f.lane === 'interactive'), `no future formatted the frame's values: ${submitted.map((f) => f.label).join(', ')}`);
    const table = locals.variables.find((v) => v.name === 'table');
    assert.ok(table && (table.indexedVariables ?? 0) >= 1000, `table should have 2000 indexed children: ${JSON.stringify(table)}`);
    const page = await client.send<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: table.variablesReference, filter: 'indexed', start: 1990, count: 10 });
    assert.deepStrictEqual(page.variables.map((v) => `${v.name}=${v.value}`), Array.from({ length: 10 }, (_, i) => `[${1990 + i}]=7`));
    const expansion = submitted.find((f) => f.label === 'expand table [1990..2000]');
    assert.ok(expansion, `no future for the expansion among: ${submitted.map((f) => f.label).join(', ')}`);
    assert.strictEqual(expansion.owner, 'inline-test');

    const pair = locals.variables.find((v) => v.name === 'pair')!;
    const fields = await client.send<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: pair.variablesReference });
    assert.deepStrictEqual(fields.variables.map((v) => `${v.name}=${v.value}`), ['0=7', '1=-2', '2=true']);
    assert.ok(submitted.some((f) => f.label === 'expand pair'));
  });

  it('an evaluation repeated in the stop is answered from the stop\'s results, with no new future; after /nat it is a future again', async () => {
    const futuresOf = (label: string): number => submitted.filter((f) => f.label === label).length;
    const first = await client.send<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'pair', frameId, context: 'watch' });
    const before = futuresOf('pair');
    assert.ok(before >= 1, 'the first evaluation was a future');
    const again = await client.send<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'pair', frameId, context: 'hover' });
    assert.strictEqual(futuresOf('pair'), before, 'the repeated evaluation started no future');
    assert.strictEqual(again.result, first.result);
    // Its children are served as the first answer's were.
    assert.ok(again.variablesReference > 0);
    const fields = await client.send<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: again.variablesReference });
    assert.deepStrictEqual(fields.variables.map((v) => `${v.name}=${v.value}`), ['0=7', '1=-2', '2=true']);
    const hex = await client.send<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'pair', frameId, context: 'watch', format: { hex: true } });
    assert.strictEqual(futuresOf('pair'), before + 1, 'another format is another evaluation');
    assert.notStrictEqual(hex.result, first.result);
    await client.send('evaluate', { expression: '/nat 1', frameId, context: 'repl' });
    await client.send('evaluate', { expression: 'pair', frameId, context: 'watch' });
    assert.strictEqual(futuresOf('pair'), before + 2, 'after /nat (which may change the program) it is evaluated again');
  });

  it('a /nat evaluation, sent to lldb-dap from the host, is still a future of the session that settles', async () => {
    const settled: FutureInfo[] = [];
    const onSettled = (info: FutureInfo): void => void settled.push(info);
    executor.on('settled', onSettled);
    try {
      const result = await client.send<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: '/nat numbers.len', frameId, context: 'repl' });
      assert.strictEqual(result.result, '4');
      const failure = await client.send('evaluate', { expression: '/nat no_such_name_here', frameId, context: 'repl' }).then(() => '', (err: Error) => err.message);
      assert.match(failure, /no_such_name_here/);
      for (const [label, outcome] of [['/nat numbers.len', 'done'], ['/nat no_such_name_here', 'failed']]) {
        const future = settled.find((f) => f.label === label);
        assert.ok(future, `no settled future for ${label} among: ${settled.map((f) => f.label).join(', ')}`);
        assert.deepStrictEqual([future.kind, future.lane, future.owner, future.worker, future.outcome], ['Evaluations', 'interactive', 'inline-test', 'host', outcome]);
      }
    } finally {
      executor.off('settled', onSettled);
    }
  });
});
