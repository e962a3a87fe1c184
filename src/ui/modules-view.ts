// The Modules view: every module of each Rust Offload debug session with its symbol status, size and load time, fed by the session's rustOffload/moduleSymbols events.
import * as vscode from 'vscode';
import { MODULE_SYMBOLS_EVENT, MODULES_REQUEST, type ModuleSymbolsInfo } from '../debug/session-symbols';
import { Views } from './contributions';
import { DEBUG_TYPE } from './debug/debug-ids';
import { describeModule, moduleContextValue, moduleStatusIcons, moduleTooltipMarkdown } from './module-presentation';

interface SessionModules {
  session: vscode.DebugSession;
  modules: Map<string, ModuleSymbolsInfo>;
}

type ModuleTreeNode = { type: 'session'; id: string } | { type: 'module'; sessionId: string; id: string };

export class ModulesTreeDataProvider implements vscode.TreeDataProvider<ModuleTreeNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The running Rust Offload sessions: an ended one is removed at once. */
  private readonly sessions = new Map<string, SessionModules>();
  /** Ended sessions' ids, so a module event that arrives after the end does not bring the session back. */
  private readonly ended = new Set<string>();
  private refreshPending: NodeJS.Timeout | undefined;

  /** Rust Offload sessions still running, newest last (Search Symbols asks them). */
  liveSessions(): vscode.DebugSession[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  /** Every module known, for tests and the status of a whole session. */
  modules(): ModuleSymbolsInfo[] {
    return [...this.sessions.values()].flatMap((s) => [...s.modules.values()]);
  }

  onSessionStarted(session: vscode.DebugSession): void {
    this.sessions.set(session.id, { session, modules: new Map() });
    this.refresh();
  }

  /**
   * An ended session's modules are removed, as the LLDB DAP extension's Modules view does (its session tracker
   * drops a session's modules when the adapter exits) and as VS Code's own Loaded Scripts view does: the view
   * lists what is loaded now, and a module of a program that is gone is not loaded anywhere.
   */
  onSessionEnded(session: vscode.DebugSession): void {
    this.ended.add(session.id);
    if (this.sessions.delete(session.id)) this.refresh();
  }

  onModuleSymbols(session: vscode.DebugSession, info: ModuleSymbolsInfo): void {
    if (this.ended.has(session.id)) return;
    let s = this.sessions.get(session.id);
    if (!s) {
      s = { session, modules: new Map() };
      this.sessions.set(session.id, s);
    }
    if (info.removed) s.modules.delete(info.id);
    else s.modules.set(info.id, info);
    this.refresh();
  }

  /** Fills a session's modules when the view starts listening after the session did (extension reloaded, view opened late). */
  async fetch(session: vscode.DebugSession): Promise<void> {
    const answer = (await session.customRequest(MODULES_REQUEST)) as { modules?: ModuleSymbolsInfo[] } | undefined;
    for (const m of answer?.modules ?? []) this.onModuleSymbols(session, m);
  }

  getChildren(element?: ModuleTreeNode): ModuleTreeNode[] {
    if (!element) {
      const sessions = [...this.sessions.entries()].filter(([, s]) => s.modules.size > 0);
      if (sessions.length === 1) return this.moduleNodes(sessions[0][0]);
      return sessions.map(([id]) => ({ type: 'session', id }));
    }
    return element.type === 'session' ? this.moduleNodes(element.id) : [];
  }

  getTreeItem(node: ModuleTreeNode): vscode.TreeItem {
    if (node.type === 'session') {
      const s = this.sessions.get(node.id);
      const item = new vscode.TreeItem(s?.session.name ?? node.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `session:${node.id}`;
      item.iconPath = new vscode.ThemeIcon('debug-alt');
      const all = [...(s?.modules.values() ?? [])];
      item.description = `${all.length} modules · ${all.filter((m) => m.status === 'loading').length} loading`;
      item.contextValue = 'session';
      return item;
    }
    const m = this.sessions.get(node.sessionId)?.modules.get(node.id);
    const item = new vscode.TreeItem(m?.name ?? node.id, vscode.TreeItemCollapsibleState.None);
    item.id = `module:${node.sessionId}:${node.id}`;
    if (!m) return item;
    item.description = describeModule(m);
    const icon = moduleStatusIcons[m.status];
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const tooltip = new vscode.MarkdownString(moduleTooltipMarkdown(m));
    tooltip.supportThemeIcons = false;
    item.tooltip = tooltip;
    item.contextValue = moduleContextValue(m);
    item.resourceUri = vscode.Uri.file(m.path);
    return item;
  }

  dispose(): void {
    clearTimeout(this.refreshPending);
    this.changed.dispose();
  }

  private moduleNodes(sessionId: string): ModuleTreeNode[] {
    return [...(this.sessions.get(sessionId)?.modules.keys() ?? [])].map((id) => ({ type: 'module', sessionId, id }));
  }

  /** Progress events come several times a second per module; the tree redraws at most every 100 ms. */
  private refresh(): void {
    if (this.refreshPending) return;
    this.refreshPending = setTimeout(() => {
      this.refreshPending = undefined;
      this.changed.fire();
    }, 100);
  }
}

export function registerModulesView(log: vscode.LogOutputChannel): { provider: ModulesTreeDataProvider; disposables: vscode.Disposable[] } {
  const provider = new ModulesTreeDataProvider();
  const ours = (s: vscode.DebugSession): boolean => s.type === DEBUG_TYPE;
  for (const s of vscode.debug.activeDebugSession && ours(vscode.debug.activeDebugSession) ? [vscode.debug.activeDebugSession] : []) {
    provider.onSessionStarted(s);
    provider.fetch(s).catch((err) => log.warn(`Modules: could not list the modules of ${s.name}: ${(err as Error).message}`));
  }
  const disposables: vscode.Disposable[] = [
    provider,
    vscode.window.createTreeView(Views.Modules, { treeDataProvider: provider, showCollapseAll: false }),
    vscode.debug.onDidStartDebugSession((s) => ours(s) && provider.onSessionStarted(s)),
    vscode.debug.onDidTerminateDebugSession((s) => ours(s) && provider.onSessionEnded(s)),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.event === MODULE_SYMBOLS_EVENT && ours(e.session)) provider.onModuleSymbols(e.session, e.body as ModuleSymbolsInfo);
    }),
  ];
  return { provider, disposables };
}
