// Registers the `rust-offload` debugger: configuration provider, inline adapter factory, lldb-dap discovery, process picker.
import * as vscode from 'vscode';
import type { Executor } from '../../futures';
import { InlineAdapterFactory } from './adapter-factory';
import { checkLldbDap } from './check-lldb-dap';
import { registerConfigurationProviders } from './configuration-provider';
import { DEBUG_TYPE, DebugCommands } from './debug-ids';
import { pickProcess } from './process-picker';

/** What the debugger contribution needs from the composition root. */
export interface DebuggingServices {
  /** The shared executor, created on first use. */
  getExecutor(): Executor;
  log: vscode.LogOutputChannel;
}

export function registerDebugging(context: vscode.ExtensionContext, services: DebuggingServices): void {
  context.subscriptions.push(
    ...registerConfigurationProviders(services.log),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineAdapterFactory(services)),
    vscode.commands.registerCommand(DebugCommands.PickProcess, pickProcess),
    vscode.commands.registerCommand(DebugCommands.CheckLldbDap, () => checkLldbDap(services.log)),
  );
}
