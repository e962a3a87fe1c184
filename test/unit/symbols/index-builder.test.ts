// The loading path (DWARF and symbols straight into an IndexBuilder, names demangled from bytes) answers every query as the object path does.
import * as assert from 'node:assert/strict';
import { fileSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { addElfPublics, elfPublics, indexElfModule, planDwarfChunks, readElfModule } from '../../../src/symbols/elf/elf-module';
import { loadModule, planModuleLoad } from '../../../src/symbols/load-task';
import { IndexBuilder, SymbolIndex, buildIndex, sortByAddress, stripGenerics } from '../../../src/symbols/symbol-index';
import type { TaskContext } from '../../../src/futures/contract';
import { findRustcDriver, linuxFixtures } from './linux-fixtures';

function fastIndex(file: string, extra: Parameters<typeof indexElfModule>[1] | object = {}): SymbolIndex {
  const source = fileSource(file);
  try {
    const b = new IndexBuilder();
    indexElfModule(source, { path: file, ...extra }, b);
    return new SymbolIndex([b.finish()]);
  } finally {
    source.close?.();
  }
}

describe('index builder (the loading path) vs the object path', function () {
  this.timeout(120_000);

  for (const kind of ['legacy', 'v0', 'mixed'] as const) {
    it(`${kind}: same functions, publics, inlined calls, lines and files, and the same answer to every name and address`, () => {
      const file = linuxFixtures()[kind];
      const mod = readElfModule(fileSource(file), { path: file });
      const slow = new SymbolIndex([buildIndex(mod)]);
      const fast = fastIndex(file);
      assert.equal(fast.symbolCount, slow.symbolCount);
      assert.equal(fast.inlineCount, slow.inlineCount);
      assert.equal(fast.lineCount, slow.lineCount);
      assert.deepEqual(fast.files().sort(), slow.files().sort());
      assert.ok(mod.functions.length > 100 && mod.inlineSites.length > 0);
      for (const f of mod.functions) {
        assert.deepEqual(fast.lookupByName(f.name), slow.lookupByName(f.name), f.name);
        const bare = stripGenerics(f.name);
        if (bare !== f.name) assert.deepEqual(fast.lookupByName(bare), slow.lookupByName(bare), bare);
        for (const [lo] of f.ranges) assert.deepEqual(fast.lookupAddress(lo), slow.lookupAddress(lo), `${f.name} at ${lo}`);
      }
      for (const s of mod.inlineSites) for (const [lo, hi] of s.ranges) assert.deepEqual(fast.lookupAddress((lo + hi) >>> 1), slow.lookupAddress((lo + hi) >>> 1));
      for (const p of mod.publics) {
        const name = p.demangled ?? p.name;
        assert.deepEqual(fast.lookupByName(name), slow.lookupByName(name), name);
      }
      assert.deepEqual(fast.search('main', 50), slow.search('main', 50));
    });
  }

  it('a load split by units, each chunk taking the symbols in its own code (.debug_aranges), finds what the whole load finds', () => {
    const file = linuxFixtures().legacy;
    const elf = new ElfFile(fileSource(file), file);
    assert.ok(elf.section('.debug_aranges'), 'the fixture has .debug_aranges');
    const chunks = planDwarfChunks(elf, { path: file }, 64 * 1024);
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    const segments = chunks.map((c, i) => {
      const b = new IndexBuilder();
      indexElfModule(fileSource(file), { path: file, units: c.units, slice: c.slice, publicsByUnit: true, leftoverPublics: i === chunks.length - 1 }, b);
      return b.finish();
    });
    const split = new SymbolIndex(segments);
    const whole = fastIndex(file);
    const mod = readElfModule(fileSource(file), { path: file });
    for (const p of mod.publics) {
      const name = p.demangled ?? p.name;
      const want = whole.lookupByName(name).map((h) => `${h.kind} ${h.address}`);
      const got = split.lookupByName(name).map((h) => `${h.kind} ${h.address}`);
      assert.deepEqual(got, want, name);
    }
    for (const f of mod.functions) assert.equal(split.lookupAddress(f.ranges[0][0]).function?.name, whole.lookupAddress(f.ranges[0][0]).function?.name);
  });

  it('a unit too large for one worker, read in slices, gives the index the whole load gives', async () => {
    const file = linuxFixtures().legacy;
    const ctx: TaskContext = { signal: new AbortController().signal, reportProgress: () => undefined, request: () => Promise.reject(new Error('no host')) };
    // The planner as loading runs it, with chunks small enough that the fixture's largest units are sliced.
    const plan = planModuleLoad(ctx, { path: file }, 16 * 1024);
    const slices = plan.chunks.filter((c) => c.slice);
    assert.ok(slices.length >= 3, `${slices.length} slices`);
    assert.equal(slices.filter((c) => c.slice!.lines).length, new Set(slices.map((c) => c.units![0])).size, 'one slice per unit reads its lines');
    const parts = [];
    for (const chunk of plan.chunks) parts.push(await loadModule(ctx, { ...chunk, shared: false }));
    const sliced = new SymbolIndex(parts.map((p) => p.index));
    const whole = fastIndex(file);
    assert.equal(sliced.symbolCount, whole.symbolCount);
    assert.equal(sliced.inlineCount, whole.inlineCount);
    assert.equal(sliced.lineCount, whole.lineCount);
    assert.deepEqual(sliced.files().sort(), whole.files().sort());
    const mod = readElfModule(fileSource(file), { path: file });
    assert.equal(parts.reduce((n, p) => n + p.counts.compileUnits, 0), mod.compileUnits.length);
    assert.ok(mod.inlineSites.length > 100);
    for (const f of mod.functions) {
      assert.deepEqual(sliced.lookupByName(f.name), whole.lookupByName(f.name), f.name);
      for (const [lo] of f.ranges) assert.deepEqual(sliced.lookupAddress(lo), whole.lookupAddress(lo), `${f.name} at ${lo}`);
    }
    for (const site of mod.inlineSites) for (const [lo, hi] of site.ranges) assert.deepEqual(sliced.lookupAddress((lo + hi) >>> 1), whole.lookupAddress((lo + hi) >>> 1));
  });

  it('indexes every defined symbol of librustc_driver with the names and addresses elfPublics gives', () => {
    const lib = findRustcDriver();
    const elf = new ElfFile(fileSource(lib), lib);
    const publics = elfPublics(elf);
    const b = new IndexBuilder();
    assert.equal(addElfPublics(elf, b), publics.length);
    const index = new SymbolIndex([b.finish()]);
    assert.equal(index.symbolCount, publics.length);
    const step = Math.max(1, Math.floor(publics.length / 3000));
    for (let i = 0; i < publics.length; i += step) {
      const p = publics[i];
      const name = p.demangled ?? p.name;
      assert.ok(index.lookupByName(name).some((h) => h.address === p.address && h.name === name), name);
    }
  });

  it('finds a function by its name without generic arguments, however the arguments sit', () => {
    const names = [
      'a::b::<T>::c', 'a::f::<u8>', '<T as core::Trait>::f<U>', 'f<A<B>>::g<C>', 'x::<T>::<U>::y', 'h::<T>>', 'm::<T>::',
      'core::ptr::drop_in_place<alloc::vec::Vec<u8>>', 'ü::<T>::g', 'plain::name', 'weird::::x<T>', 'k<T>::', 'q<T>:::>',
    ];
    const b = new IndexBuilder();
    names.forEach((n, i) => {
      const at = b.name(n);
      const e = b.addFunction(at, b.names.length - at, 0xffffffff, 0);
      b.range(e, 0x1000 + i * 16, 0x1008 + i * 16);
    });
    const index = new SymbolIndex([b.finish()]);
    names.forEach((n, i) => {
      assert.ok(index.lookupByName(n).some((h) => h.address === 0x1000 + i * 16), n);
      assert.ok(index.lookupByName(stripGenerics(n)).some((h) => h.address === 0x1000 + i * 16), `${n} as ${stripGenerics(n)}`);
    });
  });

  it('answers address queries the same whether addresses fit 32-bit offsets from a base or need doubles', () => {
    for (const bases of [[0x140001000, 0x140002000], [0x10, 2 ** 40]]) {
      const b = new IndexBuilder();
      const file = b.file('/src/lib.rs');
      bases.forEach((low, i) => {
        const at = b.name(`f${i}`);
        const e = b.addFunction(at, b.names.length - at, file, 10 + i);
        b.range(e, low, low + 0x40);
        const s = b.addInline(at, b.names.length - at, e, file, 20 + i, 1);
        b.inlineRange(s, low + 8, low + 16);
        b.line(low, file, 30 + i);
        b.line(low + 0x40, file, 0);
      });
      const index = new SymbolIndex([b.finish()]);
      bases.forEach((low, i) => {
        assert.deepEqual(index.lookupByName(`f${i}`), [{ name: `f${i}`, kind: 'function', address: low, size: 0x40, file: '/src/lib.rs', line: 10 + i }]);
        const hit = index.lookupAddress(low + 9);
        assert.equal(hit.function?.name, `f${i}`);
        assert.deepEqual(hit.inlined, [{ name: `f${i}`, callFile: '/src/lib.rs', callLine: 20 + i }]);
        assert.equal(hit.line, 30 + i);
        assert.equal(index.lookupAddress(low + 0x40).function, undefined);
        assert.equal(index.lookupAddress(low - 1).function, undefined);
      });
    }
  });

  it('sorts address columns stably, companions alike, by radix (under 4 GiB of span) or by comparison', () => {
    for (const [base, span] of [[0x140000000, 3e9], [0x400000, 2 ** 40], [0, 5000]]) {
      const n = 50_000;
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = base + Math.floor(((i * 7919) % 10007) / 10007 * span);
      const original = keys.slice();
      const f = Float64Array.from(keys, (k) => k + 0.5);
      const u = Uint32Array.from(keys.keys());
      sortByAddress(keys, [f], [u]);
      for (let i = 0; i < n; i++) {
        assert.equal(keys[i], original[u[i]], 'companion moved with its key');
        assert.equal(f[i], keys[i] + 0.5);
        if (i > 0) assert.ok(keys[i - 1] < keys[i] || (keys[i - 1] === keys[i] && u[i - 1] < u[i]), `ascending and stable at ${i}`);
      }
    }
  });
});
