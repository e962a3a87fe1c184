// lldb-dap killed mid-session: the session ends with the signal in its message, evaluations fail, the debuggee goes away.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { failureOf, launchToMarker, progressStarted, startClient, stopQuietly, track, WAIT_MS } from './support/client';
import { processExists } from '../support/processes';

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('faults', function () {
  this.timeout(180_000);
  let dc: DebugClient | undefined;
  let debuggee: number | undefined;
  afterEach(async () => {
    await stopQuietly(dc);
    if (debuggee !== undefined && processExists(debuggee)) process.kill(debuggee, 'SIGKILL');
  });

  it('lldb-dap killed mid-session ends the session with its signal and fails the running evaluation', async () => {
    dc = await startClient();
    const output: DebugProtocol.OutputEvent['body'][] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body));
    const processEvent = dc.waitForEvent('process', WAIT_MS);
    const stop = await launchToMarker(dc, 'values', 'main');
    debuggee = ((await processEvent) as DebugProtocol.ProcessEvent).body.systemProcessId;
    const backendPid = Number(/pid (\d+)/.exec(output.find((o) => o.output.includes('rust-offload: using'))!.output)![1]);
    assert.ok(processExists(backendPid));

    const started = progressStarted(dc);
    const evaluation = track(dc.evaluateRequest({ expression: 'haystack == needle', frameId: stop.frameId, context: 'watch' }));
    await started;
    const terminated = dc.waitForEvent('terminated', WAIT_MS);
    process.kill(backendPid, 'SIGKILL');

    assert.match(await failureOf(evaluation.promise), /lldb-dap exited \(signal SIGKILL\) during the evaluation/);
    await terminated;
    const notice = output.find((o) => o.category === 'important');
    assert.ok(notice, 'an important output event tells the user');
    assert.match(notice.output, /lldb-dap exited unexpectedly \(signal SIGKILL\); the debug session has ended/);
    if (debuggee !== undefined) assert.ok(await waitUntil(() => !processExists(debuggee!), 30_000), 'the debuggee should not outlive lldb-dap');
  });
});
