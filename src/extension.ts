// Composition root: wires the log, the executor, Debugger Tasks, the status bar, the commands and the debugger; disposes them on deactivate.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Executor } from './futures';
import { sharedModuleCache } from './symbols/loaded-module-cache';
import { affects, Commands, readSetting, registerCommand } from './ui/contributions';
import { registerDebugging } from './ui/debug';
import { ExecutorHost } from './ui/executor-host';
import { registerModulesView } from './ui/modules-view';
import { registerSearchSymbols } from './ui/search-symbols';
import { registerSelfTest, selfTestOwner } from './ui/self-test';
import { registerStatusBar } from './ui/status-bar';
import { observeExecutor } from './ui/task-events';
import { TaskStore } from './ui/task-store';
import { registerTasksView, type TasksTreeDataProvider } from './ui/tasks-view';

/** What activate() returns: for the integration tests, and for other extensions that want to watch the work. */
export interface RustOffloadApi {
  /** The shared executor, created on first use. */
  getExecutor(): Executor;
  /** The executor if it has been created. */
  currentExecutor(): Executor | undefined;
  /** What Debugger Tasks shows. */
  readonly tasks: TaskStore;
  /** The view's data provider, as VS Code calls it. */
  readonly tasksTree: TasksTreeDataProvider;
}

let shutdown: (() => Promise<boolean>) | undefined;

export function activate(context: vscode.ExtensionContext): RustOffloadApi {
  const log = vscode.window.createOutputChannel('Rust Offload', { log: true });
  context.subscriptions.push(log);
  const store = new TaskStore({ keepFinished: readSetting('tasks.keepFinished', log) });
  sharedModuleCache.configure({ idleMs: readSetting('symbolCacheMinutes', log) * 60_000 });
  const host = new ExecutorHost(path.join(context.extensionPath, 'dist'), log);
  const observers: vscode.Disposable[] = [];
  context.subscriptions.push(
    host,
    host.onDidCreate((executor) => observers.push(observeExecutor(executor, store, log))),
    { dispose: () => observers.forEach((o) => o.dispose()) },
    { dispose: () => store.dispose() },
  );

  const tasksView = registerTasksView(store, log);
  context.subscriptions.push(...tasksView.disposables);
  context.subscriptions.push(...registerStatusBar(store, () => host.current()?.stats().workers));
  context.subscriptions.push(
    registerCommand(Commands.ShowLog, () => log.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'tasks.keepFinished')) store.setKeepFinished(readSetting('tasks.keepFinished', log));
      if (affects(e, 'symbolCacheMinutes')) sharedModuleCache.configure({ idleMs: readSetting('symbolCacheMinutes', log) * 60_000 });
    }),
    // Debug sessions own their tasks by session id; the view shows the session's name.
    vscode.debug.onDidStartDebugSession((s) => store.setOwnerName(s.id, s.name)),
    vscode.debug.onDidTerminateDebugSession((s) => store.setOwnerName(s.id, `${s.name} (ended)`)),
  );
  store.setOwnerName(selfTestOwner, 'Executor self-test');
  const getExecutor = (): Executor => host.get();
  context.subscriptions.push(...registerSelfTest(getExecutor, log));
  registerDebugging(context, { getExecutor, log });
  const modulesView = registerModulesView(log);
  context.subscriptions.push(...modulesView.disposables, registerSearchSymbols(() => modulesView.provider.liveSessions(), log));

  shutdown = async () => {
    const inTime = await host.shutdown(() => {
      for (const f of store.unsettled()) f.interrupt();
    });
    store.flush();
    return inTime;
  };
  log.info(`Rust Offload Debugger ${String(context.extension.packageJSON.version)} activated.`);
  return { getExecutor, currentExecutor: () => host.current(), tasks: store, tasksTree: tasksView.provider };
}

/** Interrupts every task and stops the workers (threads or child processes) within 2 s. */
export async function deactivate(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  await stop?.();
}
