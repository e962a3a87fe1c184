// Runs last (index.ts orders it so): deactivate() must stop every worker thread and child process, running tasks included.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { taskModule } from '../../../src/futures/task-ref';
import { extensionId, getApi, setSetting, until } from './host';

const demo = taskModule<typeof import('../../../src/futures/demo-tasks')>('futures/demo-tasks');

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('deactivation', () => {
  it('interrupts running work and leaves no worker thread or child process behind', async () => {
    const api = await getApi();
    const threadPool = api.getExecutor();
    const endlessThread = threadPool.submitWith({ owner: 'it-shutdown', kind: 'Test', label: 'endless in a thread' }, demo.spin);
    const queued = Array.from({ length: 5 }, (_, i) => threadPool.submitWith({ owner: 'it-shutdown', kind: 'Test', label: `queued ${i}` }, demo.sleep, 600_000));
    await until('the endless thread task to start', () => endlessThread.running());

    await setSetting('executor.kind', 'process');
    const processPool = api.getExecutor();
    const who = await processPool.submitWith({ owner: 'it-shutdown', kind: 'Test', label: 'whoAmI' }, demo.whoAmI).result();
    assert.notEqual(who.pid, process.pid);
    assert.ok(processExists(who.pid), 'the worker process is alive before deactivation');
    const endlessProcess = processPool.submitWith({ owner: 'it-shutdown', kind: 'Test', label: 'endless in a process' }, demo.spin);
    await until('the endless process task to start', () => endlessProcess.running());

    // The same module instance the extension host loaded: deactivate() is what VS Code calls on shutdown.
    const ext = vscode.extensions.getExtension(extensionId)!;
    const main = require(path.join(ext.extensionPath, 'dist', 'extension.js')) as typeof import('../../../src/extension');
    await main.deactivate();

    for (const f of [endlessThread, endlessProcess, ...queued]) assert.ok(f.done(), `${f.label} settled (${f.state})`);
    assert.ok(endlessThread.cancelled() && endlessProcess.cancelled());
    assert.equal(threadPool.stats().workers, 0, 'no worker thread left');
    assert.equal(processPool.stats().workers, 0, 'no worker process left');
    await until(`worker process ${who.pid} to be gone`, () => !processExists(who.pid), 5000);
    assert.throws(() => api.getExecutor(), /shut down because the extension is deactivating/);
  });
});
