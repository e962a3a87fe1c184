// The binary symbol index: queries by name, prefix, fuzzy and address, and a SharedArrayBuffer that a worker reads without a copy.
import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fileSource } from '../../../src/symbols/byte-source';
import { readElfModule } from '../../../src/symbols/elf/elf-module';
import { ModuleSymbols } from '../../../src/symbols/model';
import { SymbolIndex, buildIndex, fuzzyScore, stripGenerics } from '../../../src/symbols/symbol-index';
import { linuxFixtures } from './linux-fixtures';

describe('symbol index', function () {
  this.timeout(60_000);
  let mod: ModuleSymbols;
  let index: SymbolIndex;
  before(() => {
    const f = linuxFixtures().v0;
    mod = readElfModule(fileSource(f), { path: f });
    index = new SymbolIndex([buildIndex(mod)]);
  });

  it('finds a function by its exact Rust path, with file and line', () => {
    const hits = index.lookupByName('symbols_demo::count_words');
    assert.equal(hits.length, 1);
    assert.equal(hits[0].kind, 'function');
    assert.match(hits[0].file!, /symbols_demo\.rs$/);
    assert.equal(hits[0].line, 31);
    assert.equal(hits[0].address, mod.functions.find((f) => f.name === 'symbols_demo::count_words')!.ranges[0][0]);
  });

  it('finds every generic instance by the path without generic arguments', () => {
    const hits = index.lookupByName('symbols_demo::generic_max');
    assert.deepEqual(hits.map((h) => h.name).sort(), ['symbols_demo::generic_max::<i32>', 'symbols_demo::generic_max::<u64>']);
    assert.equal(index.lookupByName('symbols_demo::generic_max::<u64>').length, 1);
    assert.equal(index.lookupByName('symbols_demo::no_such_fn').length, 0);
    assert.equal(stripGenerics('<alloc::vec::Vec<u8>>::push'), '<alloc::vec::Vec>::push');
    assert.equal(stripGenerics('a::b::<T>::c'), 'a::b::c');
  });

  it('searches by prefix and fuzzily, best match first, within the limit', () => {
    const prefix = index.searchPrefix('symbols_demo::shapes::', 10);
    assert.ok(prefix.length >= 2 && prefix.every((h) => h.name.startsWith('symbols_demo::shapes::')));
    const fuzzy = index.search('countwords', 5);
    assert.equal(fuzzy[0].name, 'symbols_demo::count_words');
    assert.ok(index.search('e', 1000).length === 1000);
    assert.equal(index.search('zzzzqqqq', 10).length, 0);
    assert.ok(fuzzyScore('add_one', 'symbols_demo::add_one')! > fuzzyScore('add_one', 'symbols_demo::main::add_to_one_more')!);
  });

  it('maps an address to its function, inline chain and line, and nothing outside code', () => {
    const main = index.lookupByName('symbols_demo::main')[0];
    const site = mod.inlineSites.find((s) => s.name === 'symbols_demo::add_one')!;
    const hit = index.lookupAddress(site.ranges[0][0]);
    assert.equal(hit.function?.name, 'symbols_demo::main');
    assert.ok(hit.inlined.some((i) => i.name === 'symbols_demo::add_one' && i.callLine === 48));
    assert.ok(hit.line! > 0 && hit.file);
    assert.equal(index.lookupAddress(main.address).line, 44);
    assert.equal(index.lookupAddress(0).function, undefined);
  });

  it('is one buffer that another thread reads as a SharedArrayBuffer without a copy', async () => {
    const buffer = buildIndex(mod, { shared: true });
    assert.ok(buffer instanceof SharedArrayBuffer);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { SymbolIndex } = require(${JSON.stringify(require.resolve('../../../src/symbols/symbol-index'))});
      const index = new SymbolIndex([workerData]);
      const hit = index.lookupByName('symbols_demo::count_words')[0];
      new Uint8Array(workerData)[workerData.byteLength - 1] = 0x5a; // visible to the sender only if shared
      parentPort.postMessage(hit.name);`;
    const worker = new Worker(code, { eval: true, workerData: buffer });
    const name = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(name, 'symbols_demo::count_words');
    assert.equal(new Uint8Array(buffer)[buffer.byteLength - 1], 0x5a);
  });

  it('rejects a buffer that is not an index', () => {
    assert.throws(() => new SymbolIndex([new ArrayBuffer(8)]), /too small/);
    assert.throws(() => new SymbolIndex([new ArrayBuffer(256)]), /not a symbol index/);
  });
});
