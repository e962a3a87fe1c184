// Conditional breakpoints and logpoints, forwarded to lldb-dap through the adapter.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { compileProgram, markerLine, sourceOf } from './support/programs';

describe('conditional breakpoints and logpoints', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  afterEach(() => stopQuietly(dc));

  it('stops only when the condition holds, and a logpoint logs every iteration without stopping', async () => {
    dc = await startClient();
    const program = compileProgram('values');
    const source = sourceOf('values');
    const loopLine = markerLine(source, 'loop');
    const mainLine = markerLine(source, 'main');
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await Promise.all([
      dc.waitForEvent('initialized', WAIT_MS).then(async () => {
        const set = await dc.setBreakpointsRequest({
          source: { path: source },
          breakpoints: [{ line: loopLine, condition: 'i == 3' }, { line: mainLine, logMessage: 'logpoint total={total}' }],
        });
        assert.strictEqual(set.body.breakpoints.length, 2);
        await dc.configurationDoneRequest();
      }),
      initializeLikeVsCode(dc).then(() => dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments)),
    ]);
    await stopped;
    const stop = await currentStop(dc);
    assert.strictEqual(stop.frames[0].line, loopLine);
    const i = await dc.evaluateRequest({ expression: 'i', frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(i.body.result, '3');

    // Continue: the logpoint at main logs without stopping, and the program runs to its end.
    const terminated = dc.waitForEvent('terminated', WAIT_MS);
    await dc.continueRequest({ threadId: stop.threadId });
    await terminated;
    assert.ok(output.some((o) => o.includes('logpoint total=10')), `logpoint output missing from: ${JSON.stringify(output)}`);
  });
});
