// Debugging the example crate inside a real extension host: the inline adapter, evaluations as sidebar futures, cancel on step.
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RustOffloadApi } from '../../../src/extension';
import type { TrackedFuture } from '../../../src/ui/task-store';
import { getApi, until } from './host';

/** DAP events the rust-offload sessions sent; a tracker only sees sessions started after it was registered. */
const events = new EventEmitter();

function nextEvent(event: string): Promise<any> {
  return new Promise((resolve) => events.once(event, resolve));
}

function allTasks(api: RustOffloadApi, owner: string): TrackedFuture[] {
  const out: TrackedFuture[] = [];
  for (const session of api.tasks.roots()) {
    if (session.owner !== owner) continue;
    for (const kind of session.kinds.values()) for (const t of kind.tasks.values()) out.push(t.future);
  }
  return out;
}

describe('debugging the example crate', function () {
  this.timeout(150_000);
  let api: RustOffloadApi;
  let session: vscode.DebugSession | undefined;
  let breakpoint: vscode.SourceBreakpoint | undefined;

  let trace: vscode.Disposable | undefined;
  before(async function () {
    // Every DAP message of the session goes to a file, to read after a failing run.
    const logFile = path.join(os.tmpdir(), 'rust-offload-integration-dap.log');
    fs.writeFileSync(logFile, '');
    trace = vscode.debug.registerDebugAdapterTrackerFactory('rust-offload', {
      createDebugAdapterTracker: () => ({
        onWillReceiveMessage: (m: unknown) => fs.appendFileSync(logFile, `> ${JSON.stringify(m).slice(0, 300)}\n`),
        onDidSendMessage: (m: { type: string; event?: string; body?: unknown }) => {
          fs.appendFileSync(logFile, `< ${JSON.stringify(m).slice(0, 300)}\n`);
          if (m.type === 'event' && m.event) events.emit(m.event, m.body);
        },
        onError: (e: Error) => fs.appendFileSync(logFile, `! ${e.message}\n`),
        onExit: (code: number | undefined) => fs.appendFileSync(logFile, `exit ${code}\n`),
      }),
    });
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || !fs.existsSync(path.join(folder.uri.fsPath, 'Cargo.toml'))) this.skip();
    api = await getApi();
  });

  after(async () => {
    trace?.dispose();
    if (breakpoint) vscode.debug.removeBreakpoints([breakpoint]);
    if (session) await vscode.debug.stopDebugging(session);
  });

  it('stops at a breakpoint, evaluates as a future owned by the session, and cancels a slow watch on step', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const main = vscode.Uri.file(path.join(folder.uri.fsPath, 'src', 'main.rs'));
    const lines = fs.readFileSync(main.fsPath, 'utf8').split(/\r?\n/);
    const line = lines.findIndex((l) => l.includes('Set a breakpoint here'));
    breakpoint = new vscode.SourceBreakpoint(new vscode.Location(main, new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([breakpoint]);

    const started = new Promise<vscode.DebugSession>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession((s) => {
        d.dispose();
        resolve(s);
      });
    });
    const stopped = nextEvent('stopped');
    assert.ok(await vscode.debug.startDebugging(folder, 'Debug warehouse'), 'the session starts');
    session = await started;
    const stop = await stopped;
    const stack = await session.customRequest('stackTrace', { threadId: stop.threadId, levels: 1 });
    const frame = stack.stackFrames[0];
    assert.equal(frame.name, 'warehouse::main');
    assert.equal(frame.line, line + 1);

    // A hover waits for its answer (a watch past 250 ms would answer a placeholder: the stop's first evaluation opens the type table).
    const quantity = await session.customRequest('evaluate', { expression: 'warehouse.items[1].quantity', frameId: frame.id, context: 'hover' });
    assert.equal(quantity.result, '196');
    const done = allTasks(api, session.id).find((f) => f.label === 'warehouse.items[1].quantity');
    assert.ok(done, 'the evaluation is listed in Debugger Tasks under the session');
    assert.equal(done.kind, 'Evaluations');
    assert.equal(done.outcome, 'done');

    // A watch still running after 250 ms answers with a placeholder and runs on; one stepped away from sooner is answered 'cancelled'.
    const slow = session.customRequest('evaluate', { expression: 'snapshot == backup', frameId: frame.id, context: 'watch' }).then(
      (r: { result: string }) => r.result,
      (err: Error) => err.message,
    );
    await until('the slow watch running in Debugger Tasks', () => api.tasks.unsettled(session!.id).some((f) => f.label === 'snapshot == backup' && f.state === 'RUNNING'));
    const threads = await session.customRequest('threads');
    assert.ok(threads.threads.length >= 1);
    assert.ok(api.tasks.unsettled(session.id).some((f) => f.label === 'snapshot == backup'), 'still running after threads answered');

    const stoppedAgain = nextEvent('stopped');
    await session.customRequest('next', { threadId: stop.threadId });
    assert.match(await slow, /^(cancelled|evaluating… .*cancel it in Debugger Tasks\))$/);
    await stoppedAgain;
    const cancelled = allTasks(api, session.id).find((f) => f.label === 'snapshot == backup');
    assert.equal(cancelled?.outcome, 'cancelled');
  });
  it('a second session of the unchanged program reuses the symbols the first one loaded (Modules view: reused)', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const stop = async (s: vscode.DebugSession): Promise<void> => {
      const ended = new Promise<void>((resolve) => {
        const d = vscode.debug.onDidTerminateDebugSession((x) => {
          if (x.id !== s.id) return;
          d.dispose();
          resolve();
        });
      });
      await vscode.debug.stopDebugging(s);
      await ended;
    };
    if (session) await stop(session);
    session = undefined;
    if (!breakpoint) {
      const main = vscode.Uri.file(path.join(folder.uri.fsPath, 'src', 'main.rs'));
      const line = fs.readFileSync(main.fsPath, 'utf8').split(/\r?\n/).findIndex((l) => l.includes('Set a breakpoint here'));
      breakpoint = new vscode.SourceBreakpoint(new vscode.Location(main, new vscode.Position(line, 0)));
      vscode.debug.addBreakpoints([breakpoint]);
    }
    type Info = { name: string; status: string; cached?: boolean };
    const settledWarehouse = async (s: vscode.DebugSession): Promise<Info> => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const { modules } = (await s.customRequest('rustOffload/modules')) as { modules: Info[] };
        const m = modules.find((x) => x.name === 'warehouse');
        if (m && m.status !== 'loading') return m;
      }
      throw new Error('the warehouse module did not settle');
    };
    const seen: Info[] = [];
    for (let round = 0; round < 2; round++) {
      const started = new Promise<vscode.DebugSession>((resolve) => {
        const d = vscode.debug.onDidStartDebugSession((x) => {
          d.dispose();
          resolve(x);
        });
      });
      const stopped = nextEvent('stopped');
      assert.ok(await vscode.debug.startDebugging(folder, 'Debug warehouse'), `session ${round + 1} starts`);
      session = await started;
      await stopped;
      seen.push(await settledWarehouse(session));
      await stop(session);
      session = undefined;
    }
    assert.equal(seen[0].status, 'loaded');
    assert.equal(seen[1].status, 'loaded');
    assert.equal(seen[1].cached, true, 'the second session reused the first one\'s symbols');
  });
});
