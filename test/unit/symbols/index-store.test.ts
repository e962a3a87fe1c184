// The on-disk symbol index store: a stored module answers as the load it came from (each query also as the first on a freshly opened file), a changed file is read again, the size cap evicts the least recently used, and corrupt files (fuzzed) are never trusted: refused at open, or withdrawn when a query first reads a bad block, and the module read again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { STORE_HEADER_BYTES, STORE_VERSION, StoreKey, SymbolIndexStore } from '../../../src/symbols/index-store';
import { LoadedModuleCache } from '../../../src/symbols/loaded-module-cache';
import { LoadedModule, loadModuleSymbols, LoadModuleOptions } from '../../../src/symbols/module-loader';
import { ModuleEntry, ModuleRegistry } from '../../../src/symbols/module-registry';
import { SymbolIndex } from '../../../src/symbols/symbol-index';
import { linuxFixtures } from './linux-fixtures';
import { fixture } from './pe-llvm-reference';

/** A deterministic pseudo-random sequence, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The same answers to names, prefixes, fuzzy queries and addresses. */
function assertSameAnswers(a: SymbolIndex, b: SymbolIndex): void {
  const all = a.searchPrefix('', 1e9);
  assert.deepEqual(b.searchPrefix('', 1e9), all);
  assert.ok(all.length > 0);
  assert.deepEqual(b.files(), a.files());
  for (const h of all.filter((_, i) => i % 7 === 0)) {
    assert.deepEqual(b.lookupByName(h.name), a.lookupByName(h.name));
    assert.deepEqual(b.lookupAddress(h.address + 1), a.lookupAddress(h.address + 1));
  }
  assert.deepEqual(b.search('main', 20), a.search('main', 20));
}

/** A store file taken apart as put() lays it out (the test's own reading of the format). */
interface StoreFileLayout {
  tocLength: number;
  metaBytes: number;
  meta: { blockBytes: number; segments: Array<{ offset: number; bytes: number; marks: number }>; [k: string]: unknown };
  crcAt: number;
  dataStart: number;
}

function layoutOf(b: Buffer): StoreFileLayout {
  const tocLength = b.readUInt32LE(16);
  const metaBytes = b.readUInt32LE(STORE_HEADER_BYTES);
  const meta = JSON.parse(b.subarray(STORE_HEADER_BYTES + 4, STORE_HEADER_BYTES + 4 + metaBytes).toString('utf8')) as StoreFileLayout['meta'];
  const crcAt = STORE_HEADER_BYTES + Math.ceil((4 + metaBytes) / 4) * 4;
  return { tocLength, metaBytes, meta, crcAt, dataStart: Math.ceil((STORE_HEADER_BYTES + tocLength) / 8) * 8 };
}

/** Recomputes every checksum of a file whose segment bytes changed (blocks, table of contents, header), so only the content checks can refuse it. */
function reseal(b: Buffer): Buffer {
  const l = layoutOf(b);
  let k = 0;
  for (const seg of l.meta.segments) {
    for (let at = 0; at < seg.bytes; at += l.meta.blockBytes) {
      const start = l.dataStart + seg.offset + at;
      b.writeUInt32LE(zlib.crc32(b.subarray(start, start + Math.min(l.meta.blockBytes, seg.bytes - at))) >>> 0, l.crcAt + 4 * k++);
    }
  }
  return resealToc(b);
}

/** Recomputes the checksums of the table of contents and the header. */
function resealToc(b: Buffer): Buffer {
  const l = layoutOf(b);
  b.writeUInt32LE(zlib.crc32(b.subarray(STORE_HEADER_BYTES, STORE_HEADER_BYTES + l.tocLength)) >>> 0, 20);
  b.writeUInt32LE(zlib.crc32(b.subarray(0, 28)) >>> 0, 28);
  return b;
}

/** The file with other metadata (the checksums made to match), or undefined when the metadata cannot keep its length. */
function withMeta(original: Buffer, change: (m: StoreFileLayout['meta']) => void): Buffer {
  const l = layoutOf(original);
  const m = structuredClone(l.meta);
  change(m);
  let json = JSON.stringify(m);
  // Same length, so the rest of the table of contents stays where it is.
  if (json.length > l.metaBytes) throw new Error('the changed metadata is longer than the original');
  json = json.padEnd(l.metaBytes, ' ');
  const b = Buffer.from(original);
  b.write(json, STORE_HEADER_BYTES + 4, 'utf8');
  return resealToc(b);
}

describe('symbol index store on disk', function () {
  this.timeout(300_000);
  let executor: ThreadPoolExecutor;
  let dir: string;
  before(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  });
  after(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-index-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Loads through the store and waits until a cold load has been written to it. */
  async function load(store: SymbolIndexStore, file: string, options: LoadModuleOptions = {}): Promise<LoadedModule> {
    let done: (err?: Error) => void = () => undefined;
    const written = new Promise<void>((resolve, reject) => {
      done = (err) => (err ? reject(err) : resolve());
    });
    const loaded = await loadModuleSymbols(executor, { path: file }, { ...options, store, onStored: done });
    if (!loaded.stored) await written;
    return loaded;
  }

  it('gives a new window the stored index of an unchanged module, with the answers of the load it came from', async () => {
    for (const [file, chunkBytes] of [[linuxFixtures().v0, 256 * 1024], [fixture('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe'), undefined]] as const) {
      const store = new SymbolIndexStore({ dir });
      const cold = await load(store, file, { chunkBytes });
      assert.equal(cold.stored, undefined, 'the first load reads the module');
      if (chunkBytes) assert.ok(cold.parts.length > 1, 'the load was split, so the store keeps several segments');
      // Another window: a store object of its own over the same directory.
      const warm = await load(new SymbolIndexStore({ dir }), file, { chunkBytes });
      assert.ok(warm.stored, 'the second load comes from the store');
      assert.ok(warm.index.isLazy, 'its segments are read on demand');
      assert.equal(warm.status, cold.status);
      assert.deepEqual(warm.warnings, cold.warnings);
      assert.deepEqual(warm.parts.map((p) => p.counts), cold.parts.map((p) => p.counts));
      assertSameAnswers(cold.index, warm.index);
    }
  });

  it('reads a module again once its mtime or size changes, or the search paths differ', async () => {
    const file = path.join(dir, 'prog');
    fs.copyFileSync(fixture('multifile-msvc/multifile.exe'), file);
    fs.copyFileSync(fixture('multifile-msvc/multifile.pdb'), path.join(dir, 'multifile.pdb'));
    const store = new SymbolIndexStore({ dir: path.join(dir, 'store') });
    await load(store, file);
    assert.equal((await load(store, file)).stored !== undefined, true);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.equal((await load(store, file)).stored, undefined, 'a touched file is read again');
    assert.equal((await load(store, file)).stored !== undefined, true);
    assert.notEqual(store.keyOf(file, ['/elsewhere'])?.file, store.keyOf(file)?.file);
    // The key names the build: a PE by its PDB's GUID and age.
    assert.match(store.keyOf(file)!.text, /^pdb:[0-9a-f]{32}-\d+\n/);
    assert.match(store.keyOf(linuxFixtures().v0)!.text, /^elf-build-id:[0-9a-f]+\n/);
  });

  it('keeps within its size cap, evicting the least recently used', async () => {
    const files = ['nocore-msvc/nocore.exe', 'multifile-msvc/multifile.exe', 'old-rust-msvc/oldenum.exe'].map((rel) => fixture(rel));
    const probe = new SymbolIndexStore({ dir: path.join(dir, 'probe') });
    for (const f of files) await load(probe, f);
    const sizes = fs.readdirSync(probe.dir).map((n) => fs.statSync(path.join(probe.dir, n)).size);
    const store = new SymbolIndexStore({ dir: path.join(dir, 'capped'), maxBytes: Math.max(...sizes) * 2 + 1 });
    await load(store, files[0]);
    await load(store, files[1]);
    // files[0] used again: now files[1] is the least recently used.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await load(store, files[0])).stored !== undefined, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await load(store, files[2]);
    const total = fs.readdirSync(store.dir).reduce((n, name) => n + fs.statSync(path.join(store.dir, name)).size, 0);
    assert.ok(total <= store.maxBytes, `${total} bytes stored, cap ${store.maxBytes}`);
    assert.equal((await load(store, files[0])).stored !== undefined, true, 'the recently used one stays');
    assert.equal(fs.existsSync(store.keyOf(files[1])!.file), false, 'the least recently used one was evicted');
  });

  it('answers every query as the load did when it is the first query on a freshly opened file (so no query reads a block it did not ask for)', async () => {
    const file = linuxFixtures().v0;
    // Small blocks: many of them, so a query that skipped asking for one would read zeros.
    const store = new SymbolIndexStore({ dir, blockBytes: 64 });
    const cold = await load(store, file, { chunkBytes: 256 * 1024 });
    assert.ok(cold.parts.length > 1);
    const key = store.keyOf(file)!;
    const fresh = async (): Promise<LoadedModule> => {
      const opened = await store.get(key);
      assert.ok(opened?.stored, 'the stored file opens');
      return opened;
    };
    const all = cold.index.searchPrefix('', 1e9);
    const sample = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / 40)) === 0);
    for (const h of sample) {
      assert.deepEqual((await fresh()).index.lookupByName(h.name), cold.index.lookupByName(h.name), h.name);
      for (const address of [h.address, h.address + 1, h.address + 7]) {
        assert.deepEqual((await fresh()).index.lookupAddress(address), cold.index.lookupAddress(address), `${h.name} + ${address - h.address}`);
      }
    }
    assert.deepEqual((await fresh()).index.search('main', 20), cold.index.search('main', 20));
    assert.deepEqual((await fresh()).index.searchPrefix('symbols_demo::', 50), cold.index.searchPrefix('symbols_demo::', 50));
    assert.deepEqual((await fresh()).index.files(), cold.index.files());
    assert.equal((await fresh()).index.symbolCount, cold.index.symbolCount);
    // Opening and one lookup read a fraction of the file.
    const opened = await fresh();
    opened.index.lookupByName(sample[0].name);
    const { fileBytes, bytesRead } = opened.stored!;
    assert.ok(bytesRead() < fileBytes / 2, `${bytesRead()} of ${fileBytes} bytes read by the open and one lookup`);
  });

  it('never trusts a truncated, corrupt or version-mismatched file: refused at open, or withdrawn at the first query that reads a bad block; deleted and written anew (fuzzed)', async () => {
    const file = fixture('multifile-msvc/multifile.exe');
    const store = new SymbolIndexStore({ dir, blockBytes: 256 });
    // In chunks: a file of several segments.
    const good = await load(store, file, { chunkBytes: 1024 });
    assert.ok(good.parts.length > 1);
    const key = store.keyOf(file)!;
    const original = fs.readFileSync(key.file);
    const l = layoutOf(original);
    const rand = random(17);
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['another store version', (() => {
        const b = Buffer.from(original);
        b.writeUInt32LE(STORE_VERSION + 1, 4);
        b.writeUInt32LE(zlib.crc32(b.subarray(0, 28)) >>> 0, 28);
        return b;
      })()],
      ['another index version', withMeta(original, (m) => (m.indexVersion = (m.indexVersion as number) - 1))],
      ['another key', withMeta(original, (m) => (m.key = `${(m.key as string).slice(0, -1)}x`))],
      ['segment sizes that do not add up', withMeta(original, (m) => (m.segments[0].bytes -= 8))],
      ['a segment offset out of place', withMeta(original, (m) => (m.segments[m.segments.length - 1].offset += 8))],
      ['a block size of 0', withMeta(original, (m) => (m.blockBytes = 0))],
      ['marks that do not fit the entries', withMeta(original, (m) => {
        m.segments[0].marks -= 1;
        m.segments[m.segments.length - 1].marks += 1;
      })],
      ['a segment that is not an index', (() => {
        const b = Buffer.from(original);
        b.fill(0, l.dataStart, l.dataStart + 8);
        return reseal(b);
      })()],
      ['garbage appended', Buffer.concat([original, Buffer.from('tail')])],
    ];
    for (let i = 0; i < 60; i++) cases.push([`truncated ${i}`, original.subarray(0, Math.floor(rand() * original.length))]);
    for (let i = 0; i < 200; i++) {
      const b = Buffer.from(original);
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] ^= 1 + Math.floor(rand() * 255);
      cases.push([`flipped ${i}`, b]);
    }
    let refused = 0;
    let withdrawn = 0;
    let unread = 0;
    for (const [what, bytes] of cases) {
      fs.writeFileSync(key.file, bytes);
      const got = await store.get(key);
      if (got === undefined) {
        refused++;
        assert.equal(fs.existsSync(key.file), false, `${what}: the bad file was left in place`);
        continue;
      }
      // Opened (the damage lies in blocks not read yet): every answer is the good one until a query reads a bad
      // block; from then on the index answers nothing and the file is gone.
      const answers = (): void => assertSameAnswers(good.index, got.index);
      if (got.index.withdrawn === undefined) {
        try {
          answers();
        } catch (err) {
          if (got.index.withdrawn === undefined) throw new Error(`${what}: a query answered from bad bytes: ${(err as Error).message}`, { cause: err });
        }
      }
      if (got.index.withdrawn) {
        withdrawn++;
        assert.match(got.index.withdrawn.message, /checksum|could not be read/, what);
        assert.deepEqual(got.index.searchPrefix('', 10), [], `${what}: a withdrawn index still answers`);
        assert.deepEqual(got.index.lookupAddress(good.index.searchPrefix('', 1)[0].address), { inlined: [] });
        assert.equal(got.index.symbolCount, 0);
        assert.equal(fs.existsSync(key.file), false, `${what}: the bad file was left in place`);
      } else {
        // Every block the sweep read was good (the damage is in padding, or in blocks no query here reads).
        assert.ok(what.startsWith('flipped'), `${what}: accepted`);
        unread++;
      }
    }
    console.log(`      ${refused} refused at open, ${withdrawn} withdrawn at first use, ${unread} with the damage where no query read`);
    assert.ok(refused > 60, `${refused} refused at open`);
    assert.ok(withdrawn > 30, `${withdrawn} withdrawn at first use`);
    // The next load reads the module again and writes a good file, which is then trusted.
    fs.writeFileSync(key.file, cases[cases.length - 1][1]);
    await store.get(key).then((m) => m?.index.searchPrefix('', 1e9));
    const again = await load(store, file, { chunkBytes: 1024 });
    assert.equal(again.stored, undefined);
    const reread = await store.get(key);
    assert.ok(reread, 'the rewritten file is trusted');
    assertSameAnswers(good.index, reread.index);
  });

  it('finds a damaged block at the first query that reads it, and the session reads the module again (its breakpoints bind from the fresh load)', async () => {
    const file = linuxFixtures().v0;
    const store = new SymbolIndexStore({ dir, blockBytes: 256 });
    const good = await load(store, file, { chunkBytes: 256 * 1024 });
    const key: StoreKey = store.keyOf(file)!;
    // Damage a byte in the middle of the first segment's names (header words 9: their length, 11 + 15: where they start): not a block the open reads.
    const b = fs.readFileSync(key.file);
    const l = layoutOf(b);
    const segAt = l.dataStart + l.meta.segments[0].offset;
    const at = segAt + b.readUInt32LE(segAt + 4 * (11 + 15)) + Math.floor(b.readUInt32LE(segAt + 4 * 9) / 2);
    assert.ok(at - segAt >= 256, 'the damage lies beyond the first block');
    b[at] ^= 0x55;
    fs.writeFileSync(key.file, b);

    const cache = new LoadedModuleCache({ idleMs: 60_000, maxIdleBytes: 1 << 30 });
    const registry = new ModuleRegistry(executor, { store, cache });
    const seen: ModuleEntry[] = [];
    const settled = (): Promise<ModuleEntry> =>
      new Promise((resolve) => {
        const on = (e: ModuleEntry): void => {
          seen.push({ ...e });
          if (e.status !== 'loading') {
            registry.off('changed', on);
            resolve(e);
          }
        };
        registry.on('changed', on);
      });
    const first = settled();
    registry.onModule('new', { id: 1, name: 'v0', path: file });
    const opened = await first;
    assert.equal(opened.cached, true, 'the module came from the store');
    const name = good.index.searchPrefix('symbols_demo::', 1)[0].name;
    // A scan of every name reads the damaged block: nothing from this module, never a wrong answer.
    const reread = settled();
    assert.deepEqual(registry.search(name, 5), []);
    assert.ok(opened.index?.withdrawn, 'the index withdrew');
    assert.equal(fs.existsSync(key.file), false, 'the damaged file is deleted');
    const fresh = await reread;
    assert.ok(seen.some((e) => e.status === 'loading' && e.id === '1'), 'the module went back to loading');
    assert.equal(fresh.status, 'loaded');
    assert.notEqual(fresh.cached, true, 'the module was read again, not taken from the store or the window cache');
    assert.match(fresh.warnings.join('\n'), /symbols read again: .*checksum/);
    assert.deepEqual(registry.resolveFunction(name).map(({ module: _m, ...hit }) => hit), good.index.lookupByName(name));
    assert.deepEqual(fresh.index!.searchPrefix('', 1e9), good.index.searchPrefix('', 1e9));
    const cached = await cache.acquire(registry.get('1') ? [...cache.keys()][0] : '');
    assert.ok(cached && cached.index.withdrawn === undefined, 'the window cache holds the fresh load, not the withdrawn one');
    registry.dispose();
    // The fresh load was stored again, and the new file is trusted.
    await waitFor(() => fs.existsSync(key.file));
    const stored = await store.get(key);
    assert.ok(stored);
    assertSameAnswers(good.index, stored.index);
  });

  it('refuses a store without a directory, naming the option', () => {
    assert.throws(() => new SymbolIndexStore({ dir: '' }), /options\.dir/);
    assert.throws(() => new SymbolIndexStore({ dir, maxBytes: -1 }), /options\.maxBytes/);
  });
});

async function waitFor(cond: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
