// Symbol loads a launch holds until the first stop: nothing runs while held, rows show why, release loads them, and a module is placed from its headers meanwhile.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { readImageBase } from '../../../src/symbols/image-base';
import { ModuleRegistry } from '../../../src/symbols/module-registry';
import { readPe } from '../../../src/symbols/pe/pe';
import { linuxFixtures } from './linux-fixtures';
import { fixture } from './pe-llvm-reference';
import { settled } from './registry-support';

const LOAD = 0x5555_5555_4000;

describe('held symbol loads', function () {
  this.timeout(120_000);
  let executor: ThreadPoolExecutor;
  let submitted = 0;
  before(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 2 });
    executor.on('submitted', () => submitted++);
  });
  after(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
  });

  it('starts no load while held, shows the rows as waiting, and loads them on release', async () => {
    const registry = new ModuleRegistry(executor, { owner: 'held-1' });
    registry.holdLoads('waits for the first stop');
    const before = submitted;
    registry.onModule('new', { id: 1, name: 'demo_v0', path: linuxFixtures().v0, addressRange: `0x${LOAD.toString(16)}` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(submitted, before, 'a held module submitted a load');
    const [row] = registry.modules();
    assert.equal(row.status, 'loading');
    assert.equal(row.message, 'waits for the first stop');
    assert.ok(registry.holding);

    const done = settled(registry, '1');
    registry.releaseLoads();
    assert.ok(!registry.holding);
    const entry = await done;
    assert.equal(entry.status, 'loaded');
    assert.equal(entry.message, undefined);
    assert.ok(submitted > before);
    assert.ok(registry.resolveFunction('symbols_demo::count_words').length > 0);
    registry.dispose();
  });

  it('places a held module from its headers at the slide its symbol load finds', async () => {
    const registry = new ModuleRegistry(executor, { owner: 'held-2' });
    registry.holdLoads('waits');
    registry.onModule('new', { id: 2, name: 'demo_v0', path: linuxFixtures().v0, addressRange: `0x${LOAD.toString(16)}` });
    assert.equal(registry.get('2')!.slide, undefined);
    assert.ok(registry.placeFromHeaders('2'));
    const early = registry.get('2')!.slide;
    assert.equal(registry.get('2')!.status, 'loading', 'placing it does not load it');
    const done = settled(registry, '2');
    registry.releaseLoads();
    assert.equal((await done).slide, early);
    registry.dispose();
  });

  it('never starts a held module that was removed, and ends held rows as cancelled when disposed', async () => {
    const registry = new ModuleRegistry(executor, { owner: 'held-3' });
    registry.holdLoads('waits');
    const statuses: string[] = [];
    registry.on('changed', (e) => statuses.push(`${e.id}:${e.status}`));
    registry.onModule('new', { id: 3, name: 'a', path: linuxFixtures().v0 });
    registry.onModule('new', { id: 4, name: 'b', path: linuxFixtures().legacy });
    registry.onModule('removed', { id: 3, name: 'a' });
    const before = submitted;
    registry.dispose();
    registry.releaseLoads();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(submitted, before);
    assert.deepEqual(statuses, ['3:loading', '4:loading', '4:cancelled']);
  });

  it('reads the image base from ELF and PE headers, and nothing from other files', () => {
    // ELF: what the symbol load computes (the test above compares the slides); a PIE links at 0.
    assert.equal(readImageBase(linuxFixtures().v0), 0);
    const exe = fixture('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe');
    assert.equal(readImageBase(exe), readPe(new Uint8Array(fs.readFileSync(exe))).imageBase);
    assert.ok(readImageBase(exe)! > 0);
    const text = path.join(os.tmpdir(), `not-an-image-${process.pid}.txt`);
    fs.writeFileSync(text, 'hello');
    try {
      assert.equal(readImageBase(text), undefined);
      assert.equal(readImageBase(path.join(os.tmpdir(), 'no-such-file-here')), undefined);
    } finally {
      fs.rmSync(text, { force: true });
    }
  });
});
