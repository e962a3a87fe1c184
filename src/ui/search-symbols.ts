// "Rust Offload: Search Symbols": a fuzzy quick pick over the symbols of every loaded module, answered by the sessions' rustOffload/searchSymbols request; opens the source or sets a breakpoint there.
import * as vscode from 'vscode';
import { SEARCH_SYMBOLS_REQUEST, type SymbolSearchArguments, type SymbolSearchResult } from '../debug/session-symbols';
import type { ModuleSymbolHit } from '../symbols/module-registry';
import { Commands, registerCommand } from './contributions';
import { hitDetail, hitLocation } from './module-presentation';

/** The most results shown, over all sessions. */
export const SEARCH_LIMIT = 1000;
/** Typing pauses this long before a query goes out (each query scans every symbol). */
const QUERY_DELAY_MS = 120;

interface HitItem extends vscode.QuickPickItem {
  hit: ModuleSymbolHit;
}

const breakpointButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('debug-breakpoint'), tooltip: 'Set a breakpoint here' };

/** `sessions` gives the live Rust Offload sessions (the Modules view tracks them). */
export function registerSearchSymbols(sessions: () => vscode.DebugSession[], log: vscode.LogOutputChannel): vscode.Disposable {
  return registerCommand(Commands.SearchSymbols, (initialQuery?: unknown) => searchSymbols(sessions(), log, typeof initialQuery === 'string' ? initialQuery : ''));
}

async function searchSymbols(sessions: vscode.DebugSession[], log: vscode.LogOutputChannel, initialQuery: string): Promise<void> {
  if (sessions.length === 0) {
    void vscode.window.showInformationMessage('Search Symbols needs a running Rust Offload debug session: its modules are what is searched. Start debugging (F5) first.');
    return;
  }
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = 'Rust Offload: Search Symbols';
  pick.placeholder = 'Type part of a Rust path (fuzzy), e.g. geometry::scale — Enter opens the source, the button sets a breakpoint';
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = async (query: string): Promise<void> => {
    const mine = ++generation;
    if (query.trim() === '') {
      pick.items = [];
      pick.busy = false;
      return;
    }
    pick.busy = true;
    const hits = await querySessions(sessions, { query, limit: SEARCH_LIMIT }, log);
    if (mine !== generation) return;
    // Our fuzzy match already filtered and ranked: alwaysShow keeps the quick pick from filtering again by label.
    pick.items = hits.map((hit) => ({ label: hit.name, description: hitLocation(hit), detail: hitDetail(hit), alwaysShow: true, buttons: [breakpointButton], hit }));
    pick.busy = false;
  };
  pick.onDidChangeValue((value) => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(value), QUERY_DELAY_MS);
  });
  pick.onDidAccept(() => {
    const item = pick.selectedItems[0];
    if (!item) return;
    pick.hide();
    void openHit(item.hit);
  });
  pick.onDidTriggerItemButton((e) => void setBreakpointAt(e.item.hit));
  pick.onDidHide(() => {
    clearTimeout(timer);
    pick.dispose();
  });
  pick.value = initialQuery;
  pick.show();
  if (initialQuery) await run(initialQuery);
}

async function querySessions(sessions: vscode.DebugSession[], args: SymbolSearchArguments, log: vscode.LogOutputChannel): Promise<ModuleSymbolHit[]> {
  const answers = await Promise.all(
    sessions.map(async (s) => {
      try {
        return ((await s.customRequest(SEARCH_SYMBOLS_REQUEST, args)) as SymbolSearchResult | undefined)?.hits ?? [];
      } catch (err) {
        log.warn(`Search Symbols: ${s.name} did not answer: ${(err as Error).message}`);
        return [];
      }
    }),
  );
  return answers.flat().slice(0, SEARCH_LIMIT);
}

async function openHit(hit: ModuleSymbolHit): Promise<void> {
  if (!hit.file) {
    void vscode.window.showInformationMessage(`${hit.name} has no source line in the debug info of ${hit.module} (a public symbol only); use the breakpoint button to stop at it by name.`);
    return;
  }
  const line = Math.max(0, (hit.line ?? 1) - 1);
  try {
    await vscode.window.showTextDocument(vscode.Uri.file(hit.file), { selection: new vscode.Range(line, 0, line, 0), preview: true });
  } catch (err) {
    void vscode.window.showWarningMessage(`Could not open ${hit.file} for ${hit.name}: ${(err as Error).message}. The source may be on another machine; map it with "sourceMap" in launch.json.`);
  }
}

/** A line breakpoint where the source is known; a function breakpoint by its Rust path otherwise. */
async function setBreakpointAt(hit: ModuleSymbolHit): Promise<void> {
  const breakpoint = hit.file && hit.line !== undefined
    ? new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(hit.file), new vscode.Position(hit.line - 1, 0)))
    : new vscode.FunctionBreakpoint(hit.name);
  vscode.debug.addBreakpoints([breakpoint]);
  void vscode.window.setStatusBarMessage(`Breakpoint set at ${hit.file ? hitLocation(hit) : hit.name}`, 3000);
}
