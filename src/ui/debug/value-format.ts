// View as Hex / View as Decimal: the rustOffload.values.hexadecimal setting, switched from the Variables and Watch context menus and passed to every open session.
import * as vscode from 'vscode';
import { VALUE_FORMAT_REQUEST } from '../../debug/session-values';
import { affects, configSection, readSetting } from '../contributions';
import { DEBUG_TYPE, DebugCommands } from './debug-ids';

export function registerValueFormat(log: vscode.LogOutputChannel): vscode.Disposable[] {
  const set = (hex: boolean) => () => vscode.workspace.getConfiguration(configSection).update('values.hexadecimal', hex, vscode.ConfigurationTarget.Global);
  return [
    vscode.commands.registerCommand(DebugCommands.ShowHex, set(true)),
    vscode.commands.registerCommand(DebugCommands.ShowDecimal, set(false)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affects(e, 'values.hexadecimal')) return;
      const hex = readSetting('values.hexadecimal', log);
      // A session redraws its Variables and Watch views itself once told (an `invalidated` event).
      for (const session of openSessions()) {
        session.customRequest(VALUE_FORMAT_REQUEST, { hex }).then(undefined, (err: unknown) => log.warn(`${session.name}: could not switch the value format: ${String(err)}`));
      }
    }),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === DEBUG_TYPE) sessions.add(s);
    }),
    vscode.debug.onDidTerminateDebugSession((s) => sessions.delete(s)),
  ];
}

const sessions = new Set<vscode.DebugSession>();

function openSessions(): vscode.DebugSession[] {
  return [...sessions];
}
