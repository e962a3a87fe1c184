// Runs each rust-offload session inline in the extension host, on the shared executor, after finding a usable lldb-dap.
import * as vscode from 'vscode';
import { findLldbDap, LldbDapNotFoundError } from '../../debug/lldb-dap-discovery';
import { RustDebugSession } from '../../debug/rust-debug-session';
import { readSetting } from '../contributions';
import type { DebuggingServices } from './index';

const INSTALL_GUIDE = 'https://github.com/llvm/llvm-project/releases';

export class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly services: DebuggingServices) {}

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const log = this.services.log;
    // Machine-scoped, so an untrusted workspace cannot point it at another program.
    const setting = readSetting('lldbDapPath', log) || undefined;
    let found;
    try {
      found = await findLldbDap(setting);
    } catch (err) {
      const message = err instanceof LldbDapNotFoundError ? err.message : `could not look for lldb-dap: ${(err as Error).message}`;
      log.error(message);
      void vscode.window.showErrorMessage(`Rust Offload: ${message}`, 'Open Settings', 'Download LLVM').then((choice) => {
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'rustOffload.lldbDapPath');
        if (choice === 'Download LLVM') void vscode.env.openExternal(vscode.Uri.parse(INSTALL_GUIDE));
      });
      throw err;
    }
    log.info(`Debug session '${session.name}': ${found.versionText} at ${found.path} (${found.source}).`);
    const adapter = new RustDebugSession({
      executor: this.services.getExecutor(),
      findLldbDap: async () => found,
      evaluationTimeout: readSetting('evaluationTimeout', log),
      shortenFrameNames: () => readSetting('callStack.shortenFrameNames', log),
      sessionId: session.id,
    });
    return new vscode.DebugAdapterInlineImplementation(adapter);
  }
}
