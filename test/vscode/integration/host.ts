// Helpers for integration tests running inside the extension host: the extension's API, settings, polling.
import * as assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import type { RustOffloadApi } from '../../../src/extension';
import type { KindNode, TaskTreeNode } from '../../../src/ui/task-store';
import type { Settings } from '../../../src/ui/contributions';

export const extensionId = 'rust-offload.rust-offload-debugger';

/** Activates the installed extension (as its activation events would) and returns what activate() returned. */
export async function getApi(): Promise<RustOffloadApi> {
  const ext = vscode.extensions.getExtension<RustOffloadApi>(extensionId);
  assert.ok(ext, `${extensionId} is not installed in this VS Code`);
  return ext.activate();
}

/**
 * Sets a user setting (undefined removes it) and returns once the extension host sees the new value, by which time
 * every onDidChangeConfiguration listener has run. User scope: the harness's user-data-dir is thrown away after the run.
 */
export async function setSetting<K extends keyof Settings>(key: K, value: Settings[K] | undefined): Promise<void> {
  const config = vscode.workspace.getConfiguration('rustOffload');
  await config.update(key, value, vscode.ConfigurationTarget.Global);
  const expected = value ?? config.inspect(key)?.defaultValue;
  await until(`setting rustOffload.${key} to read ${JSON.stringify(expected)}`, () => isDeepStrictEqual(vscode.workspace.getConfiguration('rustOffload').get(key), expected));
}

/** Polls until `ready()` holds; fails after timeoutMs with `what`. For states reached asynchronously, not for timing. */
export async function until(what: string, ready: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The task items under a kind group, as VS Code would get them from the tree data provider. */
export async function taskItems(api: RustOffloadApi, kind: TaskTreeNode): Promise<Array<{ node: TaskTreeNode; item: vscode.TreeItem }>> {
  const children = (await api.tasksTree.getChildren(kind as KindNode)) ?? [];
  return children.filter((n) => n.type === 'task').map((node) => ({ node, item: api.tasksTree.getTreeItem(node) as vscode.TreeItem }));
}
