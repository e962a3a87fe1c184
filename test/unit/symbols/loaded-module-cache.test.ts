// The window's cache of loaded modules: real loads of the real fixtures, reused by a later session's registry only while
// the file is unchanged, kept while in use, dropped when idle too long or beyond the byte budget; Windows keys.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { fileIdentity, LoadedModuleCache, moduleCacheKey } from '../../../src/symbols/loaded-module-cache';
import { LoadedModule, loadModuleSymbols } from '../../../src/symbols/module-loader';
import { ModuleEntry, ModuleRegistry } from '../../../src/symbols/module-registry';
import { linuxFixtures } from './linux-fixtures';

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

describe('module registry: the program read before its module event', function () {
  this.timeout(120_000);
  let executor: ThreadPoolExecutor;
  let dir: string;
  before(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 2 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-prefetch-'));
  });
  after(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The real executor, with a count of the loads submitted to it (plan futures: one per module load). */
  function counting(): { executor: ThreadPoolExecutor; plans: () => number } {
    let plans = 0;
    const proxy = new Proxy(executor, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== 'submitWith' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
        return (options: { label?: string }, ...rest: unknown[]) => {
          if (options.label?.endsWith(': plan')) plans++;
          return (v as (...a: unknown[]) => unknown).call(target, options, ...rest);
        };
      },
    });
    return { executor: proxy, plans: () => plans };
  }

  it('the module event of the same file (through a symlink too) takes over the load: one load, one row, its start kept', async () => {
    const file = path.join(dir, 'app');
    fs.copyFileSync(linuxFixtures().legacy, file);
    const link = path.join(dir, 'app-link');
    fs.symlinkSync(file, link);
    const { executor: ex, plans } = counting();
    const registry = new ModuleRegistry(ex, { owner: 's' });
    const removed: string[] = [];
    registry.on('removed', (e) => removed.push(e.id));
    registry.prefetchProgram(file);
    assert.deepEqual(registry.modules().map((m) => [m.id, m.status]), [[`program:${file}`, 'loading']]);
    await new Promise((r) => setTimeout(r, 150));
    const done = settled(registry, '42');
    registry.onModule('new', { id: 42, name: 'app', path: link, addressRange: '0x555555554000' });
    const entry = await done;
    assert.equal(entry.status, 'loaded');
    assert.ok(entry.elapsedMs! >= 150, `the load counts from the prefetch: ${entry.elapsedMs} ms`);
    assert.deepEqual(removed, [`program:${file}`]);
    assert.deepEqual(registry.modules().map((m) => m.id), ['42']);
    assert.equal(plans(), 1, 'one load, not a second one for the module event');
    assert.ok(registry.resolveFunction('symbols_demo::count_words').some((h) => h.runtimeAddress !== undefined), 'the load address of the event applies');
    registry.dispose();
  });

  it('another file of the same name cancels the prefetch; a session that ends first cancels it too', async () => {
    const file = path.join(dir, 'tool');
    fs.copyFileSync(linuxFixtures().legacy, file);
    const other = path.join(dir, 'elsewhere');
    fs.mkdirSync(other);
    fs.copyFileSync(linuxFixtures().v0, path.join(other, 'tool'));
    const registry = new ModuleRegistry(executor);
    const removed: string[] = [];
    registry.on('removed', (e) => removed.push(e.id));
    registry.prefetchProgram(file);
    const done = settled(registry, '1');
    registry.onModule('new', { id: 1, name: 'tool', path: path.join(other, 'tool') });
    assert.deepEqual(removed, [`program:${file}`]);
    assert.equal((await done).status, 'loaded');
    assert.deepEqual(registry.modules().map((m) => m.id), ['1']);
    registry.dispose();

    const ended = new ModuleRegistry(executor);
    ended.prefetchProgram(file);
    const cancelled = settled(ended, `program:${file}`);
    ended.dispose();
    assert.equal((await cancelled).status, 'cancelled');
  });
});
