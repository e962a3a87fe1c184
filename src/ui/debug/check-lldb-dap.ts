// "Rust Offload: Check for lldb-dap": the Getting Started walkthrough's first step, saying which lldb-dap debugging will use or how to install one.
import * as vscode from 'vscode';
import { findLldbDap, LldbDapNotFoundError } from '../../debug/lldb-dap-discovery';
import { readSetting } from '../contributions';

const LLVM_RELEASES = 'https://github.com/llvm/llvm-project/releases';

/** Looks for lldb-dap exactly as a debug session will (setting, PATH, install places) and reports the result. */
export async function checkLldbDap(log: vscode.LogOutputChannel): Promise<string> {
  try {
    const found = await findLldbDap(readSetting('lldbDapPath', log) || undefined);
    // Short enough for a notification to show whole; the log has the version text too.
    const message = `Rust Offload: lldb-dap ${found.major} at ${found.path} (${found.source})`;
    log.info(`${message}: ${found.versionText}`);
    void vscode.window.showInformationMessage(message);
    return message;
  } catch (err) {
    const message = err instanceof LldbDapNotFoundError ? err.message : `could not look for lldb-dap: ${(err as Error).message}`;
    log.error(message);
    void vscode.window.showErrorMessage(`Rust Offload: ${message}`, 'Open Settings', 'Download LLVM').then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'rustOffload.lldbDapPath');
      if (choice === 'Download LLVM') void vscode.env.openExternal(vscode.Uri.parse(LLVM_RELEASES));
    });
    return message;
  }
}
