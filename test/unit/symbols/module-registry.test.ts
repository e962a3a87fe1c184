// The session's module registry on a real executor: loads per DAP module event, status for the Modules view, search, and function addresses at runtime checked against lldb-22.
import * as assert from 'node:assert/strict';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { ModuleEntry, ModuleRegistry } from '../../../src/symbols/module-registry';
import { linuxFixtures, run } from './linux-fixtures';

function settled(registry: ModuleRegistry, id: string): Promise<ModuleEntry> {
  return new Promise((resolve) => {
    const check = (e: ModuleEntry): void => {
      if (e.id === id && e.status !== 'loading') {
        registry.off('changed', check);
        resolve(e);
      }
    };
    registry.on('changed', check);
  });
}

describe('module registry', function () {
  this.timeout(120_000);
  let executor: ThreadPoolExecutor;
  before(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  });
  after(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
  });

  it('loads a module from its DAP event and resolves a Rust path to the runtime address lldb-22 stops at', async () => {
    const file = linuxFixtures().v0;
    const out = run('lldb-22', ['-b', file, '-o', 'breakpoint set -n symbols_demo::count_words', '-o', 'run', '-o', 'image list -h', '-o', 'register read pc']);
    const load = /\[\s*0\] (0x[0-9a-f]+)/.exec(out)?.[1];
    const pc = /rip = (0x[0-9a-f]+)/.exec(out)?.[1];
    assert.ok(load && pc, out);

    const registry = new ModuleRegistry(executor, { owner: 'session-1' });
    const states: string[] = [];
    registry.on('changed', (e) => states.push(e.status));
    const done = settled(registry, '1');
    registry.onModule('new', { id: 1, name: 'demo_v0', path: file, addressRange: load });
    const entry = await done;
    assert.equal(entry.status, 'loaded');
    assert.equal(states[0], 'loading');
    assert.ok(entry.sizeBytes! > 0 && entry.elapsedMs! >= 0);
    const hits = registry.resolveFunction('symbols_demo::count_words').filter((h) => h.kind === 'function');
    assert.equal(hits.length, 1);
    const at = Number(BigInt(pc));
    assert.ok(hits[0].runtimeAddress! <= at && at < hits[0].runtimeAddress! + hits[0].size!, `pc ${pc} outside ${hits[0].runtimeAddress!.toString(16)}+${hits[0].size}`);
    assert.equal(registry.resolveFunction('symbols_demo::generic_max').length, 2);
    const found = registry.search('count_words', 10);
    assert.equal(found[0].name, 'symbols_demo::count_words');
    assert.equal(found[0].module, 'demo_v0');
    registry.dispose();
  });

  it('shows a missing or unreadable file as an error with the reason, and forgets removed modules', async () => {
    const registry = new ModuleRegistry(executor);
    const done = settled(registry, '7');
    registry.onModule('new', { id: 7, name: 'gone.so', path: '/nonexistent/gone.so' });
    const entry = await done;
    assert.equal(entry.status, 'error');
    assert.match(entry.error!, /could not be opened/);
    const removed = new Promise<ModuleEntry>((resolve) => registry.once('removed', resolve));
    registry.onModule('removed', { id: 7, name: 'gone.so' });
    assert.equal((await removed).id, '7');
    assert.equal(registry.modules().length, 0);
    registry.onModule('new', { id: 8, name: '[vdso]' });
    assert.equal(registry.modules().length, 0, 'a module without a file has nothing to load');
    registry.dispose();
  });
});
