// What the adapter keeps for one stop: the thread list answers without lldb-dap, and nothing kept outlives the stop.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, launchToMarker, startClient, stopQuietly, track, WAIT_MS } from './support/client';

describe('what is kept for one stop', function () {
  this.timeout(180_000);
  let dc: DebugClient | undefined;
  let backendPid: number | undefined;
  afterEach(async () => {
    // A test that failed while lldb-dap was frozen must not leave it frozen.
    if (backendPid !== undefined) process.kill(backendPid, 'SIGCONT');
    await stopQuietly(dc);
  });

  async function startWithBackendPid(): Promise<DebugClient> {
    const client = await startClient();
    client.on('output', (e: DebugProtocol.OutputEvent) => {
      const pid = /rust-offload: using .* pid (\d+)/.exec(e.body.output);
      if (pid) backendPid = Number(pid[1]);
    });
    return client;
  }

  it('the thread list of a stop answers while lldb-dap is frozen, and is asked again after the program ran', async function () {
    if (process.platform === 'win32') this.skip(); // SIGSTOP freezes lldb-dap here; Windows has no equivalent signal.
    dc = await startWithBackendPid();
    const first = await launchToMarker(dc, 'values', 'loop');
    assert.ok(backendPid, 'the adapter names the lldb-dap it started');
    const asked = await dc.threadsRequest();

    process.kill(backendPid, 'SIGSTOP');
    const again = track(dc.threadsRequest());
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // lldb-dap cannot answer anything now: only an answer kept from this stop can have come back.
    assert.strictEqual(again.settled(), true, 'threads within the stop should be answered without lldb-dap');
    assert.deepStrictEqual((await again.promise).body.threads, asked.body.threads);
    process.kill(backendPid, 'SIGCONT');

    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await dc.continueRequest({ threadId: first.threadId });
    await stopped;
    process.kill(backendPid, 'SIGSTOP');
    const afterRun = track(dc.threadsRequest());
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.strictEqual(afterRun.settled(), false, 'after the program ran, threads must be asked of lldb-dap again, not answered from the last stop');
    process.kill(backendPid, 'SIGCONT');
    assert.deepStrictEqual((await afterRun.promise).body.threads.map((t) => t.id), asked.body.threads.map((t) => t.id));
  });

  it('evaluations read each stop afresh: the loop counter moves from stop to stop', async () => {
    dc = await startWithBackendPid();
    let stop = await launchToMarker(dc, 'values', 'loop');
    const seen: string[] = [];
    for (let hit = 0; hit < 3; hit++) {
      // Twice per stop, in two contexts: the second evaluation reads what the worker kept for this stop.
      const hover = await dc.evaluateRequest({ expression: 'total', frameId: stop.frameId, context: 'hover' });
      const watch = await dc.evaluateRequest({ expression: 'total + i', frameId: stop.frameId, context: 'watch' });
      seen.push(`${hover.body.result}/${watch.body.result}`);
      const stopped = dc.waitForEvent('stopped', WAIT_MS);
      await dc.continueRequest({ threadId: stop.threadId });
      await stopped;
      stop = await currentStop(dc);
    }
    // total = 0, 0+0, 0+1: before iterations i = 0, 1, 2.
    assert.deepStrictEqual(seen, ['0/0', '0/1', '1/3']);
  });
});
