// The window's cache of loaded modules: real loads of the real fixtures, reused by a later session's registry only while
// the file is unchanged, kept while in use, dropped when idle too long or beyond the byte budget; Windows keys.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { fileIdentity, LoadedModuleCache, moduleCacheKey } from '../../../src/symbols/loaded-module-cache';
import { LoadedModule, loadModuleSymbols } from '../../../src/symbols/module-loader';
import { ModuleRegistry } from '../../../src/symbols/module-registry';
import { linuxFixtures } from './linux-fixtures';
import { settled } from './registry-support';

describe('loaded-module cache', function () {
  this.timeout(120_000);
  let executor: ThreadPoolExecutor;
  let dir: string;
  before(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 2 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-cache-'));
  });
  after(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keys Windows paths case-insensitively with either slash, POSIX paths exactly, and the search paths too', () => {
    assert.equal(moduleCacheKey('C:\\Work\\App.exe', [], 'win32'), moduleCacheKey('c:/work/app.exe', [], 'win32'));
    assert.notEqual(moduleCacheKey('/work/App', [], 'linux'), moduleCacheKey('/work/app', [], 'linux'));
    assert.notEqual(moduleCacheKey('/work/app', ['/syms'], 'linux'), moduleCacheKey('/work/app', [], 'linux'));
  });

  it('gives a later session the loaded symbols of the unchanged file, and reads the file again once it changed', async () => {
    const file = path.join(dir, 'demo');
    fs.copyFileSync(linuxFixtures().legacy, file);
    const cache = new LoadedModuleCache({ idleMs: 60_000, maxIdleBytes: 1 << 30 });

    const first = new ModuleRegistry(executor, { owner: 's1', cache });
    const a = settled(first, '1');
    first.onModule('new', { id: 1, name: 'demo', path: file });
    const loaded = await a;
    assert.equal(loaded.status, 'loaded');
    assert.equal(loaded.cached, false);
    assert.equal(cache.idleBytes(), 0, 'in use by the first session, so not idle');
    first.dispose();
    assert.ok(cache.idleBytes() > 0, 'idle once the first session ended');

    const second = new ModuleRegistry(executor, { owner: 's2', cache });
    const b = settled(second, '1');
    second.onModule('new', { id: 1, name: 'demo', path: file });
    const reused = await b;
    assert.equal(reused.cached, true);
    assert.equal(reused.index, loaded.index, 'the same index, not a new read');
    assert.equal(second.resolveFunction('symbols_demo::count_words').filter((h) => h.kind === 'function').length, 1);
    second.dispose();

    // The program is rebuilt: a different file at the same path.
    fs.appendFileSync(file, Buffer.alloc(16));
    const third = new ModuleRegistry(executor, { owner: 's3', cache });
    const c = settled(third, '1');
    third.onModule('new', { id: 1, name: 'demo', path: file });
    const reread = await c;
    assert.equal(reread.cached, false);
    assert.notEqual(reread.index, loaded.index);
    third.dispose();
  });

  it('keeps nothing when a file changes while it is read, or when idle entries are not kept', async () => {
    const file = path.join(dir, 'racy');
    fs.copyFileSync(linuxFixtures().smallC5, file);
    const before = (await fileIdentity(file))!;
    const loaded = await loadModuleSymbols(executor, { path: file });
    fs.appendFileSync(file, Buffer.alloc(1));
    const cache = new LoadedModuleCache({ idleMs: 60_000, maxIdleBytes: 1 << 30 });
    assert.equal(await cache.remember('k', file, before, loaded), false);
    const off = new LoadedModuleCache({ idleMs: 0, maxIdleBytes: 1 << 30 });
    assert.equal(await off.remember('k', file, (await fileIdentity(file))!, loaded), false);
    assert.deepEqual(off.keys(), []);
  });

  it('drops idle entries after their time and the least recently used beyond the budget, never one in use', async () => {
    const f = linuxFixtures();
    const files = [f.smallC5, f.smallC4, f.legacy];
    const loads: LoadedModule[] = [];
    for (const file of files) loads.push(await loadModuleSymbols(executor, { path: file }));
    let now = 1_000;
    const sizes = loads.map((l) => l.index.byteLength);
    // Room for the two largest idle entries, not all three.
    const budget = sizes.reduce((a, b) => a + b, 0) - Math.min(...sizes) + 1;
    const cache = new LoadedModuleCache({ idleMs: 60_000, maxIdleBytes: budget, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(await cache.remember(files[i], files[i], (await fileIdentity(files[i]))!, loads[i]), true);
    assert.equal(cache.keys().length, 3, 'all in use');
    // Released oldest first: file 0 is the least recently used.
    for (let i = 0; i < 3; i++) {
      now += 10;
      cache.release(files[i], loads[i]);
    }
    // Over budget only when the third is released: the least recently used (file 0) goes.
    assert.deepEqual(cache.keys(), [files[1], files[2]]);
    assert.ok(cache.idleBytes() <= budget);
    // In use again, then past the idle time: only the idle ones go.
    const held = files[2];
    assert.ok(await cache.acquire(held));
    now += 60_001;
    cache.sweep();
    assert.deepEqual(cache.keys(), [held]);
  });
});
