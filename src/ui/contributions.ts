// The ids this extension contributes in package.json (commands, views, settings, context keys), typed in one place.
import * as vscode from 'vscode';

export const enum Commands {
  CancelTask = 'rustOffload.cancelTask',
  CancelAllTasks = 'rustOffload.cancelAllTasks',
  ClearFinishedTasks = 'rustOffload.clearFinishedTasks',
  ShowLog = 'rustOffload.showLog',
  RunSelfTest = 'rustOffload.runSelfTest',
  SearchSymbols = 'rustOffload.searchSymbols',
}

export const enum Views {
  Container = 'rustOffload',
  Tasks = 'rustOffload.tasks',
  Modules = 'rustOffload.modules',
}

/** The command VS Code generates to reveal a contributed view. */
export const revealTasksViewCommand = `${Views.Tasks}.focus`;

export const configSection = 'rustOffload';

/** Settings under `rustOffload.` with their value types; package.json holds their schema and defaults. */
export interface Settings {
  'executor.kind': 'thread' | 'process';
  'executor.maxWorkers': number;
  evaluationTimeout: number;
  'tasks.keepFinished': number;
  'callStack.shortenFrameNames': boolean;
  lldbDapPath: string;
  symbolSearchPaths: string[];
  symbolCacheMinutes: number;
}

const defaults: Settings = {
  'executor.kind': 'thread',
  'executor.maxWorkers': 0,
  evaluationTimeout: 30_000,
  'tasks.keepFinished': 100,
  'callStack.shortenFrameNames': true,
  lldbDapPath: '',
  symbolSearchPaths: [],
  symbolCacheMinutes: 10,
};

/** Reads a setting; a value of the wrong type (hand-edited settings.json) falls back to the default, with a warning in the log. */
export function readSetting<K extends keyof Settings>(key: K, log?: vscode.LogOutputChannel): Settings[K] {
  const value = vscode.workspace.getConfiguration(configSection).get<unknown>(key);
  const fallback = defaults[key];
  if (value === undefined || value === null) return fallback;
  const ok = typeof value === typeof fallback
    && (key !== 'executor.kind' || value === 'thread' || value === 'process')
    && (typeof value !== 'number' || (Number.isInteger(value) && value >= 0));
  if (!ok) {
    log?.warn(`Setting ${configSection}.${key} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(fallback)}. Fix it in Settings.`);
    return fallback;
  }
  return value as Settings[K];
}

export function affects(e: vscode.ConfigurationChangeEvent, key: keyof Settings): boolean {
  return e.affectsConfiguration(`${configSection}.${key}`);
}

/** registerCommand typed by the Commands enum, so a renamed command breaks the build rather than the menu. */
export function registerCommand(id: Commands, handler: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler);
}
