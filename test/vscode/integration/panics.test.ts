// The "Rust: Panic" filter in a real VS Code: on by default there, so a panicking program stops at the panic as an exception, with the panic's message for the exception widget.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { compileProgram } from '../../dap/support/programs';

describe('stopping on a panic', function () {
  this.timeout(150_000);
  let session: vscode.DebugSession | undefined;
  let tracker: vscode.Disposable | undefined;

  after(async () => {
    tracker?.dispose();
    if (session) await vscode.debug.stopDebugging(session);
  });

  it('VS Code turns Rust: Panic on by default, and the panicking program stops in the panicking function with its message', async () => {
    const program = compileProgram('panics');
    let filtersSent: DebugProtocolArgs | undefined;
    let stopped!: (body: { reason: string; threadId: number; description?: string }) => void;
    const stop = new Promise<{ reason: string; threadId: number; description?: string }>((resolve) => (stopped = resolve));
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('rust-offload', {
      createDebugAdapterTracker: () => ({
        onWillReceiveMessage: (m: { command?: string; arguments?: DebugProtocolArgs }) => {
          if (m.command === 'setExceptionBreakpoints') filtersSent = m.arguments;
        },
        onDidSendMessage: (m: { type: string; event?: string; body?: { reason: string; threadId: number } }) => {
          if (m.type === 'event' && m.event === 'stopped' && m.body) stopped(m.body);
        },
      }),
    });
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession((s) => {
        d.dispose();
        resolve(s);
      });
    });
    const config = { type: 'rust-offload', request: 'launch', name: 'panics', program, env: { RUST_BACKTRACE: '0' } };
    assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], config), 'the session starts');
    session = await started;
    const body = await stop;
    // With filter options announced, VS Code names the filters it turns on there.
    const asked = [...(filtersSent?.filters ?? []), ...(filtersSent?.filterOptions ?? []).map((o) => o.filterId)];
    assert.ok(asked.includes('rust_panic'), `VS Code asked for the panic filter by default: ${JSON.stringify(filtersSent)}`);
    assert.equal(body.reason, 'exception', JSON.stringify(body));
    assert.equal(body.description, 'Paused on panic');

    const stack = await session.customRequest('stackTrace', { threadId: body.threadId, levels: 20 });
    const names: string[] = stack.stackFrames.map((f: { name: string }) => f.name);
    assert.ok(names.some((n) => n === 'panics::check'), names.join(' | '));
    const info = await session.customRequest('exceptionInfo', { threadId: body.threadId });
    assert.equal(info.exceptionId, 'panic');
    assert.match(info.description, /level 7 is too deep/);
  });
});

interface DebugProtocolArgs {
  filters?: string[];
  filterOptions?: Array<{ filterId: string; condition?: string }>;
}
