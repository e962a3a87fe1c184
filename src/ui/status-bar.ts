// The status bar item: running and queued task counts with a spinner while work runs; a click reveals Debugger Tasks.
import * as vscode from 'vscode';
import { revealTasksViewCommand } from './contributions';
import type { TaskStore } from './task-store';

export function statusBarText(counts: { running: number; pending: number }): string {
  if (counts.running + counts.pending === 0) return '$(tasklist) idle';
  const parts = [`${counts.running} running`];
  if (counts.pending > 0) parts.push(`${counts.pending} queued`);
  return `$(loading~spin) ${parts.join(' · ')}`;
}

/** Shown from the first task on (until then nothing has used the executor, so there is nothing to report). */
export function registerStatusBar(store: TaskStore, workers: () => number | undefined): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('rustOffload.tasks', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Rust Offload Debugger Tasks';
  item.command = revealTasksViewCommand;
  const update = (): void => {
    if (store.size === 0 && workers() === undefined) {
      item.hide();
      return;
    }
    const c = store.counts();
    item.text = statusBarText(c);
    const w = workers();
    item.tooltip = `Debugger Tasks: ${c.running} running, ${c.pending} queued, ${c.finished} finished shown${w === undefined ? '' : `; ${w} workers`}. Click to show them.`;
    item.show();
  };
  const sub = store.onDidChange(update);
  return [item, sub];
}
