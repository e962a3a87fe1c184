// Integration suite, inside a real extension host: the manifest, commands, settings, the Debugger Tasks tree and its states.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RustOffloadApi } from '../../../src/extension';
import { taskModule } from '../../../src/futures/task-ref';
import type { SelfTestResult } from '../../../src/ui/self-test';
import { extensionId, getApi, setSetting, taskItems, until } from './host';

describe('manifest', () => {
  it('contributes the five commands with a category and an icon, and hides Cancel Task from the palette', async () => {
    const ext = vscode.extensions.getExtension(extensionId)!;
    const commands = ext.packageJSON.contributes.commands as Array<{ command: string; category?: string; icon?: string }>;
    const ids = ['rustOffload.cancelTask', 'rustOffload.cancelAllTasks', 'rustOffload.clearFinishedTasks', 'rustOffload.showLog', 'rustOffload.runSelfTest'];
    for (const id of ids) {
      const c = commands.find((x) => x.command === id);
      assert.ok(c, `${id} is contributed`);
      assert.equal(c.category, 'Rust Offload');
      assert.match(c.icon ?? '', /^\$\([a-z-]+\)$/, `${id} has a codicon`);
    }
    const palette = ext.packageJSON.contributes.menus.commandPalette as Array<{ command: string; when: string }>;
    assert.deepEqual(palette.find((m) => m.command === 'rustOffload.cancelTask')?.when, 'false');
    await getApi();
    const registered = await vscode.commands.getCommands(true);
    for (const id of ids) assert.ok(registered.includes(id), `${id} is registered after activation`);
  });

  it('contributes the Getting Started walkthrough, its Check for lldb-dap command, and the marketplace icon', async () => {
    const pkg = vscode.extensions.getExtension(extensionId)!.packageJSON;
    const steps = (pkg.contributes.walkthroughs[0].steps as Array<{ id: string; when?: string }>).map((s) => `${s.id}${s.when ? ` (${s.when})` : ''}`);
    assert.deepEqual(steps, ['lldbDapLinux (isLinux)', 'lldbDapWindows (isWindows)', 'lldbDapMac (isMac)', 'openCargoProject', 'pressF5', 'debuggerTasks']);
    assert.equal(pkg.icon, 'media/icon.png');
    await getApi();
    assert.ok((await vscode.commands.getCommands(true)).includes('rustOffload.checkLldbDap'));
    const said = (await vscode.commands.executeCommand('rustOffload.checkLldbDap')) as string;
    assert.match(said, /^Rust Offload: lldb-dap \d+ at \S*lldb-dap/);
  });

  it('declares limited untrusted-workspace support with lldbDapPath restricted, no virtual workspaces, and a workspace extension kind', () => {
    const pkg = vscode.extensions.getExtension(extensionId)!.packageJSON;
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['rustOffload.lldbDapPath']);
    assert.equal(pkg.capabilities.virtualWorkspaces, false);
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.equal(pkg.contributes.configuration.properties['rustOffload.lldbDapPath'].scope, 'machine');
    assert.ok(!(pkg.activationEvents as string[]).includes('*'), 'does not activate on startup');
  });

  it('has the settings with their defaults', () => {
    const config = vscode.workspace.getConfiguration('rustOffload');
    assert.equal(config.inspect('executor.kind')?.defaultValue, 'thread');
    assert.equal(config.inspect('executor.maxWorkers')?.defaultValue, 0);
    assert.equal(config.inspect('evaluationTimeout')?.defaultValue, 30000);
    assert.equal(config.inspect('tasks.keepFinished')?.defaultValue, 100);
    assert.equal(config.inspect('callStack.shortenFrameNames')?.defaultValue, true);
    assert.equal(config.inspect('lldbDapPath')?.defaultValue, '');
    assert.deepEqual(config.inspect('symbolSearchPaths')?.defaultValue, []);
    assert.equal(config.inspect('symbolCacheMinutes')?.defaultValue, 10);
  });
});

describe('Debugger Tasks', () => {
  let api: RustOffloadApi;
  before(async () => {
    api = await getApi();
  });

  it('starts empty, with no executor until something needs one', async () => {
    assert.equal(api.currentExecutor(), undefined, 'activation alone must not start workers');
    assert.deepEqual(await api.tasksTree.getChildren(), []);
  });

  it('shows the self-test tasks grouped by owner and kind, each with the state, icon and contextValue of how it ended', async () => {
    const result = (await vscode.commands.executeCommand('rustOffload.runSelfTest')) as SelfTestResult;
    assert.ok(result, 'the self-test command returns its result');
    const statuses = result.tasks.map((t) => t.status);
    assert.ok(statuses.includes('done') && statuses.includes('failed') && statuses.includes('timedOut'), `statuses: ${statuses.join(', ')}`);
    assert.equal(result.tasks.find((t) => t.id === result.endlessId)?.status, 'running');
    assert.ok(api.currentExecutor(), 'the executor was created on first use');

    api.tasks.flush();
    const roots = await api.tasksTree.getChildren();
    const session = roots.find((r) => r.type === 'session' && r.owner === 'self-test')!;
    assert.ok(session, 'a group for the self-test');
    assert.equal(api.tasksTree.getTreeItem(session).label, 'Executor self-test');
    const kinds = await api.tasksTree.getChildren(session);
    assert.deepEqual(kinds.map((k) => api.tasksTree.getTreeItem(k).label), ['Demo']);

    const items = await taskItems(api, kinds[0]);
    const byLabel = new Map(items.map((i) => [String(i.item.label), i]));
    const expect = (label: string, contextValue: string, icon: string, description: RegExp): void => {
      const i = byLabel.get(label);
      assert.ok(i, `item ${label} (have ${[...byLabel.keys()].join(' | ')})`);
      assert.equal(i.item.contextValue, contextValue, label);
      assert.equal((i.item.iconPath as vscode.ThemeIcon).id, icon, label);
      assert.match(String(i.item.description), description, label);
    };
    expect('endless CPU-bound loop (cancel me)', 'task-running', 'loading~spin', /^running · /);
    expect('quick: 21 × 2', 'task-done', 'pass', /^done · /);
    expect('failing: throws DemoTaskError', 'task-failed', 'error', /^failed · /);
    expect('slow past its 2 s deadline', 'task-timedOut', 'watch', /^timed out · /);
    // Unsettled tasks are listed first.
    assert.equal(items[0].item.label, 'endless CPU-bound loop (cancel me)');

    const failed = byLabel.get('failing: throws DemoTaskError')!;
    assert.equal(failed.item.tooltip, undefined, 'tooltips are built on demand');
    const resolved = api.tasksTree.resolveTreeItem(failed.item, failed.node);
    const tooltip = (resolved.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /DemoTaskError: the self-test fails this task on purpose/);
    assert.match(tooltip, /in the worker:/);
    assert.match(tooltip, /throwDeep/, 'the tooltip carries the remote stack');
    assert.match(tooltip, /worker: \w/);
    assert.match(tooltip, /submitted: \d\d:\d\d:\d\d\.\d{3}/);
  });

  it('cancels the running endless task with Cancel Task, and it shows as cancelled', async () => {
    const node = api.tasks.roots().flatMap((s) => [...s.kinds.values()]).flatMap((k) => [...k.tasks.values()])
      .find((t) => t.future.label.startsWith('endless'))!;
    assert.equal(node.future.state, 'RUNNING');
    await vscode.commands.executeCommand('rustOffload.cancelTask', node);
    await until('the endless task to settle', () => node.future.state !== 'RUNNING');
    api.tasks.flush();
    const item = api.tasksTree.getTreeItem(node);
    assert.equal(item.contextValue, 'task-cancelled');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-slash');
    await until('its worker to be free', () => api.currentExecutor()!.stats().running === 0);
  });

  it('cancels every unsettled task with Cancel All Tasks, queued and running alike', async () => {
    const executor = api.getExecutor();
    const demo = demoTasks();
    const futures = [0, 1, 2, 3, 4, 5].map((i) => executor.submitWith({ owner: 'it-cancel-all', kind: 'Test', label: `sleep ${i}` }, demo.sleep, 600_000));
    await until('a task to start', () => futures.some((f) => f.running()));
    await vscode.commands.executeCommand('rustOffload.cancelAllTasks');
    await until('all to settle', () => futures.every((f) => f.done()));
    assert.ok(futures.every((f) => f.cancelled()), `states: ${futures.map((f) => f.state).join(', ')}`);
  });

  it('Clear Finished Tasks removes settled tasks and keeps running ones', async () => {
    const executor = api.getExecutor();
    const running = executor.submitWith({ owner: 'it-clear', kind: 'Test', label: 'still running' }, demoTasks().sleep, 600_000);
    await until('it to start', () => running.running());
    await vscode.commands.executeCommand('rustOffload.clearFinishedTasks');
    api.tasks.flush();
    assert.equal(api.tasks.counts().finished, 0);
    const roots = await api.tasksTree.getChildren();
    assert.deepEqual(roots.map((r) => r.type === 'session' && r.owner), ['it-clear']);
    running.interrupt();
    await until('it to settle', () => running.done());
  });

  it('keeps only tasks.keepFinished finished tasks per kind of each session', async () => {
    await setSetting('tasks.keepFinished', 3);
    try {
      const executor = api.getExecutor();
      // One after another, so the order they finish in is known: the last three to finish are kept.
      for (let i = 0; i < 8; i++) await executor.submitWith({ owner: 'it-keep', kind: 'Test', label: `quick ${i}` }, demoTasks().quick, i).result();
      // Another kind of the same session keeps its own finished task.
      await executor.submitWith({ owner: 'it-keep', kind: 'Other', label: 'other' }, demoTasks().quick, 0).result();
      api.tasks.flush();
      const ours = api.tasks.roots().filter((s) => s.owner === 'it-keep');
      const kept = (kind: string): string[] => ours.flatMap((s) => [...(s.kinds.get(kind)?.tasks.values() ?? [])]).map((t) => t.future.label).sort();
      assert.deepEqual(kept('Test'), ['quick 5', 'quick 6', 'quick 7']);
      assert.deepEqual(kept('Other'), ['other']);
    } finally {
      await setSetting('tasks.keepFinished', undefined);
    }
  });

  it('batches refreshes: 10,000 queued tasks cause a handful of tree events, and a group lists a bounded number of rows', async () => {
    await setSetting('executor.maxWorkers', 1);
    const executor = api.getExecutor();
    let events = 0;
    const sub = api.tasksTree.onDidChangeTreeData(() => events++);
    try {
      const blocker = executor.submitWith({ owner: 'it-flood', kind: 'Blocker', label: 'blocker' }, demoTasks().sleep, 600_000);
      await until('the blocker to start', () => blocker.running());
      const flood = Array.from({ length: 10_000 }, (_, i) => executor.submitWith({ owner: 'it-flood', kind: 'Flood', label: `flood ${i}` }, demoTasks().quick, i));
      api.tasks.flush();
      const session = api.tasks.roots().find((r) => r.owner === 'it-flood')!;
      const flood10k = session.kinds.get('Flood')!;
      const children = await api.tasksTree.getChildren(flood10k);
      assert.equal(children.length, api.tasks.maxChildren + 1);
      const more = children[children.length - 1];
      assert.equal(more.type, 'more');
      assert.match(String(api.tasksTree.getTreeItem(more).label), /… 9500 more/);
      assert.ok(events < 100, `${events} tree events for 10,000 submissions`);

      await vscode.commands.executeCommand('rustOffload.cancelAllTasks');
      await until('every flood task to settle', () => flood.every((f) => f.done()) && blocker.done());
      assert.ok(flood.every((f) => f.cancelled()));
    } finally {
      sub.dispose();
      await setSetting('executor.maxWorkers', undefined);
    }
  });
});

describe('executor settings', () => {
  let api: RustOffloadApi;
  before(async () => {
    api = await getApi();
  });

  it('resizes the executor when executor.maxWorkers changes', async () => {
    const executor = api.getExecutor();
    await setSetting('executor.maxWorkers', 3);
    try {
      await until('the resize', () => executor.maxWorkers === 3);
      assert.equal(api.getExecutor(), executor, 'the same executor, resized');
    } finally {
      await setSetting('executor.maxWorkers', undefined);
    }
    await until('automatic again', () => executor.maxWorkers >= 2);
  });

  it('replaces the executor with a process pool when executor.kind becomes process, and back', async () => {
    const threadPool = api.getExecutor();
    await setSetting('executor.kind', 'process');
    let processPool;
    try {
      processPool = api.getExecutor();
      assert.notEqual(processPool, threadPool, 'a new executor');
      const who = await processPool.submitWith({ owner: 'it-process', kind: 'Test', label: 'whoAmI' }, demoTasks().whoAmI).result();
      assert.notEqual(who.pid, process.pid, 'a process pool runs tasks in a child process');
    } finally {
      await setSetting('executor.kind', undefined);
    }
    const again = api.getExecutor();
    assert.notEqual(again, processPool);
    const who = await again.submitWith({ owner: 'it-process', kind: 'Test', label: 'whoAmI' }, demoTasks().whoAmI).result();
    assert.equal(who.pid, process.pid, 'a thread pool runs tasks in the extension host process');
    await until('the process pool to have shut down', () => processPool.stats().workers === 0);
  });
});

function demoTasks() {
  return taskModule<typeof import('../../../src/futures/demo-tasks')>('futures/demo-tasks');
}
