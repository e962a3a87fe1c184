// Watches never hold each other back: a slow watch answers a placeholder and goes on, the client is told to refresh when it settles, and the re-ask gets its result.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, failureOf, startClient, stopQuietly, WAIT_MS, type Stop } from './support/client';
import { compileProgram, markerLine, sourceOf } from './support/programs';

/** Compares two 512 MiB buffers through readMemory: seconds, far past the watch budget. */
const SLOW = 'haystack == needle';

/** Launches like VS Code does, including supportsInvalidatedEvent, and stops at the `loop` marker. */
async function launchRefreshingClient(dc: DebugClient): Promise<Stop> {
  const program = compileProgram('values');
  const source = sourceOf('values');
  const stopped = dc.waitForEvent('stopped', WAIT_MS);
  await Promise.all([
    dc.waitForEvent('initialized', WAIT_MS).then(async () => {
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: markerLine(source, 'loop') }] });
      await dc.configurationDoneRequest();
    }),
    dc
      .initializeRequest({ adapterID: 'rust-offload', clientID: 'vscode', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariableType: true, supportsMemoryReferences: true, supportsInvalidatedEvent: true })
      .then(() => dc.launchRequest({ program, evaluationTimeout: 0 } as DebugProtocol.LaunchRequestArguments)),
  ]);
  await stopped;
  return currentStop(dc);
}

describe('slow watches', function () {
  this.timeout(240_000);
  let dc: DebugClient;
  let stop: Stop;
  before(async () => {
    dc = await startClient();
    stop = await launchRefreshingClient(dc);
    // The stop's first evaluations start the workers, and each opens the module's type table and reads the frame's
    // variables; the watches below measure none of that (two at once, so both workers are warm).
    await Promise.all([
      dc.evaluateRequest({ expression: 'numbers[0]', frameId: stop.frameId, context: 'hover' }),
      dc.evaluateRequest({ expression: 'numbers[2]', frameId: stop.frameId, context: 'hover' }),
    ]);
    await dc.evaluateRequest({ expression: 'numbers[3]', frameId: stop.frameId, context: 'hover' });
  });
  after(() => stopQuietly(dc));

  it('a slow watch answers a placeholder while a quick one answers its value; the settled value arrives by itself on the re-ask', async () => {
    const invalidated = dc.waitForEvent('invalidated', 200_000);
    const [slow, quick] = await Promise.all([
      dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' }),
      dc.evaluateRequest({ expression: 'numbers[1]', frameId: stop.frameId, context: 'watch' }),
    ]);
    assert.match(slow.body.result, /evaluating/, 'the slow watch answers with a placeholder instead of holding the list back');
    assert.match(slow.body.result, /cancel it in Debugger Tasks/);
    assert.strictEqual(quick.body.result, '20');

    // Asked again while it runs (VS Code re-asks every watch whenever one refreshes): still the placeholder, no second task.
    const again = await dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' });
    assert.match(again.body.result, /evaluating/);

    const event = (await invalidated) as DebugProtocol.InvalidatedEvent;
    assert.deepStrictEqual(event.body.areas, ['variables']);
    const settled = await dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(settled.body.result, 'true');
  });

  it('a placeholder watch is cancelled by the next step, and the new stop evaluates afresh', async () => {
    const slow = await dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' });
    // The first test's settled result was kept for that stop only if nothing ran since; either way this stop asks once.
    if (!/evaluating/.test(slow.body.result)) assert.strictEqual(slow.body.result, 'true');
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await dc.nextRequest({ threadId: stop.threadId });
    await stopped;
    const next = await currentStop(dc);
    const fresh = await dc.evaluateRequest({ expression: SLOW, frameId: next.frameId, context: 'watch' });
    assert.match(fresh.body.result, /evaluating/, 'a new stop does not reuse the previous stop\'s result');
    assert.strictEqual(await failureOf(dc.evaluateRequest({ expression: '   ', frameId: next.frameId, context: 'hover' })), 'there is no expression to evaluate: type a Rust expression, e.g. v.len()');
  });
});
