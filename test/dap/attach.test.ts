// Attach to a running Rust program by pid, pause it, read its variables, and detach leaving it running.
import * as assert from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { failureOf, initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { compileProgram } from './support/programs';

/**
 * lldb-dap resumes an attached program after configurationDone without waiting for it to run, so a pause sent at once
 * can meet it still stopped ("Process is not running"); a user pressing Pause a moment later would not. Retry then.
 */
async function pauseOnceRunning(dc: DebugClient, threadId: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await dc.pauseRequest({ threadId });
      return;
    } catch (err) {
      if (attempt >= 50 || !/not running/i.test(String(err))) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('attach', function () {
  this.timeout(180_000);
  let dc: DebugClient | undefined;
  let target: ChildProcess | undefined;
  afterEach(async () => {
    await stopQuietly(dc);
    dc = undefined;
    target?.kill('SIGKILL');
    target = undefined;
  });

  it('attaches by pid, pauses, evaluates in main, and detaches leaving the program running', async () => {
    target = spawn(compileProgram('values'), ['wait'], { stdio: 'ignore' });
    const pid = target.pid!;
    dc = await startClient();
    await initializeLikeVsCode(dc);
    const initialized = dc.waitForEvent('initialized', WAIT_MS);
    const attached = dc.attachRequest({ pid } as DebugProtocol.AttachRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    await attached;

    // After configurationDone the attached program runs; pause it as a user would.
    const threads = await dc.threadsRequest();
    const threadId = threads.body.threads[0].id;
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await pauseOnceRunning(dc, threadId);
    await stopped;
    const frames = (await dc.stackTraceRequest({ threadId, levels: 20 })).body.stackFrames;
    const main = frames.find((f) => f.name === 'values::main');
    assert.ok(main, `values::main not on the stack: ${frames.map((f) => f.name).join(' < ')}`);
    const ticks = await dc.evaluateRequest({ expression: 'ticks < 600', frameId: main.id, context: 'watch' });
    assert.strictEqual(ticks.body.result, 'true');

    await dc.disconnectRequest({ terminateDebuggee: false });
    dc = undefined;
    assert.strictEqual(target.exitCode, null, 'the program should still run after detaching');
    assert.doesNotThrow(() => process.kill(pid, 0));
  });

  it('a pid that is not a number is a clear error', async () => {
    dc = await startClient();
    await initializeLikeVsCode(dc);
    const text = await failureOf(dc.attachRequest({ pid: 'abc' } as unknown as DebugProtocol.AttachRequestArguments));
    assert.match(text, /"pid" must be a process id .*pickProcess/);
  });
});
