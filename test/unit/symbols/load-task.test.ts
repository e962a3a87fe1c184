// The symbol load task on a real ThreadPoolExecutor: chunked DWARF loading, progress, cancellation, PE dispatch and clear errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessPoolExecutor } from '../../../src/futures/process-pool';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import type { Future } from '../../../src/futures/future';
import { loadModuleSymbols, symbolTasks } from '../../../src/symbols/module-loader';
import { SymbolIndex } from '../../../src/symbols/symbol-index';
import { findRustcDriver, linuxFixtures } from './linux-fixtures';

describe('symbol load task on the executor', function () {
  this.timeout(120_000);
  let executor: ThreadPoolExecutor;
  before(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  });
  after(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
  });

  it('splits DWARF into chunk futures in the bulk lane, reports progress, and joins their index segments', async () => {
    const file = linuxFixtures().mixed;
    const futures: Array<Future<unknown>> = [];
    const progress: number[] = [];
    const loaded = await loadModuleSymbols(executor, { path: file }, {
      chunkBytes: 256 * 1024,
      owner: 'test-session',
      onFuture: (f) => futures.push(f),
      onProgress: (fraction) => progress.push(fraction),
    });
    assert.ok(loaded.parts.length >= 3, `expected several chunks, got ${loaded.parts.length}`);
    assert.equal(futures.length, loaded.parts.length + 1, 'a plan future and one per chunk');
    for (const f of futures) {
      assert.equal(f.kind, 'Symbols');
      assert.equal(f.lane, 'bulk');
      assert.equal(f.owner, 'test-session');
      assert.equal(f.outcome, 'done');
    }
    assert.ok(progress.length > 0 && progress[progress.length - 1] === 1);
    assert.equal(loaded.status, 'loaded');
    assert.ok(loaded.parts.every((p) => p.index instanceof SharedArrayBuffer), 'segments are shared, not copied');
    assert.equal(loaded.parts.reduce((n, p) => n + p.counts.compileUnits, 0), 15);
    const hit = loaded.index.lookupByName('symbols_demo::count_words');
    assert.equal(hit.length, 1);
    assert.equal(hit[0].line, 31);
    assert.equal(loaded.index.lookupAddress(hit[0].address + 4).function?.name, 'symbols_demo::count_words');
    assert.ok(loaded.parts[0].peakHeapBytes > 0 && loaded.debugInfoBytes > 0);
  });

  it('loads a library without debug info as public symbols, its symbol table split across workers', async () => {
    const lib = findRustcDriver();
    const whole = await executor.submitWith({ kind: 'Symbols', lane: 'bulk' }, symbolTasks.loadModule, { path: lib }).result();
    assert.equal(whole.status, 'publicsOnly');
    assert.ok(whole.counts.publics > 100_000);
    const split = await loadModuleSymbols(executor, { path: lib });
    assert.ok(split.parts.length >= 2, `${split.parts.length} parts`);
    assert.equal(split.parts.reduce((n, p) => n + p.counts.publics, 0), whole.counts.publics);
    assert.equal(split.status, 'publicsOnly');
    assert.equal(split.index.symbolCount, new SymbolIndex([whole.index]).symbolCount);
    const hits = split.index.lookupByName('rustc_driver_impl::main');
    assert.ok(hits.length >= 1);
    assert.deepEqual(hits, new SymbolIndex([whole.index]).lookupByName('rustc_driver_impl::main'));
  });

  it('is cancelled by interrupt while it runs, and the executor goes on', async () => {
    const lib = findRustcDriver();
    const f = executor.submitWith({ kind: 'Symbols', lane: 'bulk' }, symbolTasks.loadModule, { path: lib });
    f.onProgress(() => f.interrupt());
    await assert.rejects(f.result());
    assert.ok(f.outcome === 'cancelled' || f.outcome === 'failed', `outcome ${f.outcome}`);
    const next = await executor.submit(symbolTasks.loadModule, { path: linuxFixtures().smallC5 }).result();
    assert.equal(next.status, 'loaded');
  });

  it('dispatches PE files to the PE/PDB reader', async () => {
    const exe = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'windows', 'nocore-msvc', 'nocore.exe');
    const result = await executor.submit(symbolTasks.loadModule, { path: exe }).result();
    assert.equal(result.format, 'pe');
    assert.equal(result.debugFormat, 'pdb');
  });

  it('fails with a clear error for a missing file, a Mach-O file and garbage, and keeps working', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-bad-'));
    try {
      const macho = path.join(dir, 'a.dylib');
      fs.writeFileSync(macho, Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]));
      const junk = path.join(dir, 'junk.so');
      fs.writeFileSync(junk, Buffer.from('\x7fELF\x02\x01\x01' + 'x'.repeat(200)));
      await assert.rejects(executor.submit(symbolTasks.loadModule, { path: path.join(dir, 'missing.so') }).result(), /could not be opened/);
      await assert.rejects(executor.submit(symbolTasks.loadModule, { path: macho }).result(), /Mach-O files are not supported/);
      await assert.rejects(executor.submit(symbolTasks.loadModule, { path: junk }).result(), /truncated or corrupt|outside/);
      const ok = await executor.submit(symbolTasks.loadModule, { path: linuxFixtures().smallC4 }).result();
      assert.equal(ok.status, 'loaded');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads in a process pool too: the index comes back as a plain ArrayBuffer (shared memory cannot cross processes)', async () => {
    const processes = new ProcessPoolExecutor({ maxWorkers: 2 });
    try {
      const loaded = await loadModuleSymbols(processes, { path: linuxFixtures().mixed }, { chunkBytes: 256 * 1024 });
      assert.ok(loaded.parts.length >= 3);
      assert.ok(loaded.parts.every((p) => p.index instanceof ArrayBuffer && !(p.index instanceof SharedArrayBuffer)));
      const hit = loaded.index.lookupByName('symbols_demo::count_words');
      assert.equal(hit.length, 1);
      assert.equal(hit[0].line, 31);
    } finally {
      await processes.shutdown({ wait: true, cancelFutures: true });
    }
  });
});
