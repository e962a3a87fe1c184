// The Debugger Tasks tree: renders the TaskStore, keeps elapsed times moving while visible, and offers cancel / cancel all / clear finished.
import * as vscode from 'vscode';
import { Commands, registerCommand, Views } from './contributions';
import { contextValueOf, describeTask, labelOf, statusIcons, statusOf, tooltipMarkdown, type TaskStatus } from './task-presentation';
import type { KindNode, SessionNode, TaskNode, TaskStore, TaskTreeNode } from './task-store';

/** Elapsed times in the descriptions move once a second, and only while the view is visible. */
const tickMs = 1000;

export class TasksTreeDataProvider implements vscode.TreeDataProvider<TaskTreeNode> {
  private readonly changed = new vscode.EventEmitter<TaskTreeNode | TaskTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: TaskStore) {
    store.onDidChange((change) => this.changed.fire(change ? [...change] : undefined));
  }

  getChildren(element?: TaskTreeNode): TaskTreeNode[] {
    return this.store.children(element);
  }

  getParent(element: TaskTreeNode): TaskTreeNode | undefined {
    return this.store.parent(element);
  }

  getTreeItem(node: TaskTreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'session':
        return this.groupItem(node, this.store.ownerName(node.owner), 'debug-alt');
      case 'kind':
        return this.groupItem(node, node.kind, 'symbol-folder');
      case 'task':
        return this.taskItem(node, Date.now());
      case 'more': {
        const item = new vscode.TreeItem(`… ${node.hidden} more`, vscode.TreeItemCollapsibleState.None);
        item.id = node.key;
        item.description = 'not listed; cancel all or clear finished to see them';
        item.contextValue = 'more';
        return item;
      }
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: TaskTreeNode): vscode.TreeItem {
    if (node.type === 'task') {
      const tooltip = new vscode.MarkdownString(tooltipMarkdown(node.future, Date.now()));
      tooltip.supportThemeIcons = false;
      item.tooltip = tooltip;
    }
    return item;
  }

  private groupItem(node: SessionNode | KindNode, label: string, icon: string): vscode.TreeItem {
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.key;
    item.iconPath = new vscode.ThemeIcon(icon);
    item.description = describeCounts(this.store.groupCounts(node));
    item.contextValue = node.type === 'session' ? 'session' : 'kind';
    return item;
  }

  private taskItem(node: TaskNode, now: number): vscode.TreeItem {
    const f = node.future;
    const status = statusOf(f);
    const item = new vscode.TreeItem(labelOf(f), vscode.TreeItemCollapsibleState.None);
    item.id = node.key;
    item.description = describeTask(f, now);
    const icon = statusIcons[status];
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = contextValueOf(status);
    // The tooltip is built in resolveTreeItem, when the pointer rests on the row: thousands of rows never need one.
    item.accessibilityInformation = { label: `${labelOf(f)}, ${item.description}` };
    return item;
  }
}

function describeCounts(counts: Partial<Record<TaskStatus, number>>): string {
  const order: Array<[TaskStatus, string]> = [['running', 'running'], ['pending', 'queued'], ['failed', 'failed'], ['timedOut', 'timed out'], ['cancelled', 'cancelled'], ['done', 'done']];
  return order.filter(([s]) => counts[s]).map(([s, w]) => `${counts[s]} ${w}`).join(' · ');
}

/** Creates the view and registers its commands; everything returned goes into context.subscriptions. */
export function registerTasksView(store: TaskStore, log: vscode.LogOutputChannel): { view: vscode.TreeView<TaskTreeNode>; provider: TasksTreeDataProvider; disposables: vscode.Disposable[] } {
  const provider = new TasksTreeDataProvider(store);
  const view = vscode.window.createTreeView(Views.Tasks, { treeDataProvider: provider, showCollapseAll: true });
  let ticker: ReturnType<typeof setInterval> | undefined;
  const updateTicker = (): void => {
    const c = store.counts();
    const needed = view.visible && c.pending + c.running > 0;
    if (needed && !ticker) ticker = setInterval(() => store.tick(), tickMs);
    if (!needed && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
  const updateBadge = (): void => {
    const c = store.counts();
    const active = c.pending + c.running;
    view.badge = active > 0 ? { value: active, tooltip: `${c.running} running, ${c.pending} queued` } : undefined;
  };
  const storeSub = store.onDidChange(() => {
    updateTicker();
    updateBadge();
  });

  const cancel = (node: TaskTreeNode | undefined): void => {
    // From the inline button VS Code passes the node; from a keybinding, nothing: take the selection.
    const targets = node ? [node] : view.selection;
    for (const t of targets) {
      if (t.type !== 'task') continue;
      const ok = t.future.interrupt();
      log.info(ok ? `Cancelled task #${t.future.id} "${labelOf(t.future)}" on request.` : `Task #${t.future.id} "${labelOf(t.future)}" had already settled; nothing to cancel.`);
    }
  };
  const disposables: vscode.Disposable[] = [
    view,
    storeSub,
    view.onDidChangeVisibility(updateTicker),
    registerCommand(Commands.CancelTask, cancel),
    registerCommand(Commands.CancelAllTasks, () => {
      const active = store.unsettled();
      for (const f of active) f.interrupt();
      log.info(`Cancelled all ${active.length} unsettled tasks on request.`);
    }),
    registerCommand(Commands.ClearFinishedTasks, () => {
      const n = store.clearFinished();
      log.debug(`Cleared ${n} finished tasks from the view.`);
    }),
    { dispose: () => ticker && clearInterval(ticker) },
  ];
  return { view, provider, disposables };
}
