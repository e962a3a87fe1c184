// The session's module registry on a real executor: loads per DAP module event, status for the Modules view, search, and function addresses at runtime checked against lldb-22.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { ModuleEntry, ModuleRegistry } from '../../../src/symbols/module-registry';
import { linuxFixtures, run } from './linux-fixtures';
import { settled } from './registry-support';

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

  describe('the program read before its module event', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-prefetch-'));
    });
    after(() => {
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

    it('the module event of the same file (through a symlink too) takes over the load: one load, one row', async () => {
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
      const provisional = registry.modules()[0];
      await new Promise((r) => setTimeout(r, 150));
      const done = settled(registry, '42');
      registry.onModule('new', { id: 42, name: 'app', path: link, addressRange: '0x555555554000' });
      const entry = await done;
      assert.equal(entry.status, 'loaded');
      assert.equal(entry, provisional, 'the provisional entry itself, renamed to the module id');
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
});
