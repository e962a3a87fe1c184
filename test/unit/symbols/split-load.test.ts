// Every symbol index query gives the same answer for a module loaded whole and split into many small chunks (in any order), on every fixture.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadModule, planModuleLoad, SymbolLoadRequest } from '../../../src/symbols/load-task';
import { stripGenerics, SymbolHit, SymbolIndex } from '../../../src/symbols/symbol-index';
import { directContext } from './direct-context';
import { linuxFixtures } from './linux-fixtures';
import { fixture } from './pe-llvm-reference';


async function loadWhole(file: string): Promise<SymbolIndex> {
  const r = await loadModule(directContext(), { path: file, shared: false });
  return new SymbolIndex([r.index]);
}

/** The module in chunks of about `chunkBytes` (as the loader would split it), segments in the plan's order and reversed. */
async function loadSplit(file: string, chunkBytes: number): Promise<{ chunks: number; forward: SymbolIndex; reversed: SymbolIndex }> {
  const plan = planModuleLoad(directContext(), { path: file }, chunkBytes);
  const parts = [];
  for (const chunk of plan.chunks) parts.push(await loadModule(directContext(), { ...chunk, shared: false } as SymbolLoadRequest));
  const buffers = parts.map((p) => p.index);
  return { chunks: parts.length, forward: new SymbolIndex(buffers), reversed: new SymbolIndex([...buffers].reverse()) };
}

/** Addresses worth asking about: each symbol's start, the byte after it, its middle and last byte, and the byte before it. */
function probeAddresses(hits: SymbolHit[]): number[] {
  const out = new Set<number>();
  for (const h of hits) {
    out.add(h.address);
    out.add(h.address + 1);
    if (h.address > 0) out.add(h.address - 1);
    if (h.size) {
      out.add(h.address + Math.floor(h.size / 2));
      out.add(h.address + h.size - 1);
      out.add(h.address + h.size);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Fuzzy queries: the last path segment of some names, a few letters, and a common word. */
function fuzzyQueries(names: string[]): string[] {
  const picks = names.filter((_, i) => i % Math.max(1, Math.floor(names.length / 12)) === 0).map((n) => n.split('::').pop() ?? n);
  return [...new Set(['main', 'new', 'fmt', 'drop', 'a', 'sum', ...picks.map((p) => p.slice(0, 6)).filter((p) => p.trim() !== '')])];
}

function differences(whole: SymbolIndex, split: SymbolIndex): string[] {
  const diffs: string[] = [];
  const check = (what: string, a: unknown, b: unknown): void => {
    try {
      assert.deepStrictEqual(b, a);
    } catch {
      if (diffs.length < 10) diffs.push(`${what}: whole ${JSON.stringify(a)?.slice(0, 300)} split ${JSON.stringify(b)?.slice(0, 300)}`);
      else diffs.length++;
    }
  };
  const all = whole.searchPrefix('', 1e9);
  check('searchPrefix("")', all, split.searchPrefix('', 1e9));
  check('searchPrefix("", 50)', whole.searchPrefix('', 50), split.searchPrefix('', 50));
  check('symbolCount', whole.symbolCount, split.symbolCount);
  check('files', whole.files(), split.files());
  const names = [...new Set(all.map((h) => h.name))];
  for (const name of names) {
    check(`lookupByName(${name})`, whole.lookupByName(name), split.lookupByName(name));
    const bare = stripGenerics(name);
    if (bare !== name) check(`lookupByName(${bare})`, whole.lookupByName(bare), split.lookupByName(bare));
  }
  for (const prefix of new Set(names.map((n) => n.slice(0, 5)))) check(`searchPrefix(${prefix}, 20)`, whole.searchPrefix(prefix, 20), split.searchPrefix(prefix, 20));
  for (const q of fuzzyQueries(names)) check(`search(${q}, 50)`, whole.search(q, 50), split.search(q, 50));
  for (const a of probeAddresses(all)) check(`lookupAddress(0x${a.toString(16)})`, whole.lookupAddress(a), split.lookupAddress(a));
  return diffs;
}

describe('a module loaded in chunks answers as when loaded whole', function () {
  this.timeout(600_000);

  const windows = [
    'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe',
    'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe',
    'nocore-msvc/nocore.exe',
    'old-rust-msvc/oldenum.exe',
    'multifile-msvc/multifile.exe',
    'cpp-msvc/hello.exe',
    'rust-gnu/gnu.exe',
  ];
  for (const rel of windows) {
    it(`${rel}`, async () => {
      const file = fixture(rel);
      const whole = await loadWhole(file);
      const split = await loadSplit(file, 1024);
      if (!rel.startsWith('nocore') && !rel.startsWith('cpp')) assert.ok(split.chunks > 1, `${rel} was not split (${split.chunks} chunk)`);
      assert.deepEqual(differences(whole, split.forward), []);
      assert.deepEqual(differences(whole, split.reversed), []);
    });
  }

  for (const kind of ['legacy', 'v0', 'mixed'] as const) {
    it(`Linux ${kind}`, async () => {
      const file = linuxFixtures()[kind];
      const whole = await loadWhole(file);
      // Whole units in many chunks, and (below 4 chunks' worth) large units cut into slices.
      for (const chunkBytes of [64 * 1024, 4 * 1024]) {
        const split = await loadSplit(file, chunkBytes);
        assert.ok(split.chunks > 4, `${path.basename(file)} in ${split.chunks} chunks`);
        assert.deepEqual(differences(whole, split.forward), [], `chunks of ${chunkBytes} bytes`);
        assert.deepEqual(differences(whole, split.reversed), [], `chunks of ${chunkBytes} bytes, reversed`);
      }
    });
  }
});
