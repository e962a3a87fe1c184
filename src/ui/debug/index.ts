// Registers the `rust-offload` debugger: configuration provider, inline adapter factory, lldb-dap discovery.
import * as vscode from 'vscode';
import type { Executor } from '../../futures';

/** What the debugger contribution needs from the composition root. */
export interface DebuggingServices {
  /** The shared executor, created on first use. */
  getExecutor(): Executor;
  log: vscode.LogOutputChannel;
}

export function registerDebugging(_context: vscode.ExtensionContext, _services: DebuggingServices): void {
  // Filled in by the debugging feature (issue 4).
}
