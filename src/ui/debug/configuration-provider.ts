// launch.json help for `rust-offload`: a configuration per Cargo binary, defaults filled in, the evaluation deadline from settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { binaryTargets, launchConfigurationFor } from '../../debug/cargo-targets';
import { readSetting } from '../contributions';
import { DEBUG_TYPE } from './debug-ids';

/** Cargo packages at the folder root and one level down (a workspace's members usually sit there). */
function cargoPackages(folder: string): string[] {
  const found: string[] = [];
  if (fs.existsSync(path.join(folder, 'Cargo.toml'))) found.push(folder);
  try {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'target' && fs.existsSync(path.join(folder, entry.name, 'Cargo.toml'))) {
        found.push(path.join(folder, entry.name));
      }
    }
  } catch {
    // An unreadable folder has no packages to offer.
  }
  return found;
}

export function configurationsFor(folder: vscode.WorkspaceFolder): vscode.DebugConfiguration[] {
  const out: vscode.DebugConfiguration[] = [];
  for (const pkg of cargoPackages(folder.uri.fsPath)) {
    try {
      for (const target of binaryTargets(pkg)) out.push(launchConfigurationFor(target, pkg, folder.uri.fsPath) as vscode.DebugConfiguration);
    } catch {
      // A Cargo.toml we cannot read contributes nothing rather than failing the whole list.
    }
  }
  return out;
}

export class RustConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
    return folder ? configurationsFor(folder) : [];
  }

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    // F5 without a launch.json: debug the first binary of the open folder's package.
    if (!config.type && !config.request && !config.name) {
      const first = folder ? configurationsFor(folder)[0] : undefined;
      if (!first) {
        void vscode.window.showErrorMessage('Rust Offload: no Cargo binary found in the open folder. Open a Cargo package, or add a "rust-offload" configuration to launch.json.');
        return undefined;
      }
      config = first;
    }
    if (config.evaluationTimeout === undefined) config.evaluationTimeout = readSetting('evaluationTimeout', this.log);
    if (config.hexadecimal === undefined) config.hexadecimal = readSetting('values.hexadecimal', this.log);
    config.symbolSearchPaths = [...(Array.isArray(config.symbolSearchPaths) ? config.symbolSearchPaths : []), ...readSetting('symbolSearchPaths', this.log)];
    // Relative paths and cargo run from the folder, not from wherever the extension host was started.
    if (config.request === 'launch' && config.cwd === undefined && folder) config.cwd = folder.uri.fsPath;
    if (config.request === 'launch' && !config.program && !config.cargo) {
      void vscode.window.showErrorMessage(`Rust Offload: the configuration '${config.name}' needs "program" or "cargo".`);
      return undefined;
    }
    return config;
  }
}

export function registerConfigurationProviders(log: vscode.LogOutputChannel): vscode.Disposable[] {
  const provider = new RustConfigurationProvider(log);
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  ];
}
