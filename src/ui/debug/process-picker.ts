// The attach process picker behind `${command:pickProcess}`: a filterable list of running processes.
import * as vscode from 'vscode';
import { listProcesses } from '../../debug/process-list';

/** Resolves with the chosen pid as a string (what launch.json variables produce), or undefined when dismissed. */
export async function pickProcess(): Promise<string | undefined> {
  let entries;
  try {
    entries = await listProcesses();
  } catch (err) {
    void vscode.window.showErrorMessage(`Rust Offload: could not list processes (${(err as Error).message}); give "pid" in launch.json instead.`);
    return undefined;
  }
  const items = entries
    .filter((p) => p.pid !== process.pid)
    .sort((a, b) => b.pid - a.pid)
    .map((p) => ({ label: p.name, description: String(p.pid), detail: p.commandLine, pid: p.pid }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Attach to process', placeHolder: 'Type to filter by name, pid or command line', matchOnDescription: true, matchOnDetail: true });
  return picked ? String(picked.pid) : undefined;
}
