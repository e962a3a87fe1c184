// The on-disk symbol index store: a stored module answers as the load it came from, a changed file is read again, the size cap evicts the least recently used, and corrupt files (fuzzed) are never trusted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ThreadPoolExecutor } from '../../../src/futures/thread-pool';
import { STORE_VERSION, SymbolIndexStore } from '../../../src/symbols/index-store';
import { LoadedModule, loadModuleSymbols, LoadModuleOptions } from '../../../src/symbols/module-loader';
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
      assert.equal(warm.stored, true, 'the second load comes from the store');
      assert.equal(warm.status, cold.status);
      assert.deepEqual(warm.warnings, cold.warnings);
      assert.deepEqual(warm.parts.map((p) => p.counts), cold.parts.map((p) => p.counts));
      assert.ok(warm.parts.every((p) => p.index instanceof SharedArrayBuffer));
      assertSameAnswers(cold.index, warm.index);
    }
  });

  it('reads a module again once its mtime or size changes, or the search paths differ', async () => {
    const file = path.join(dir, 'prog');
    fs.copyFileSync(fixture('multifile-msvc/multifile.exe'), file);
    fs.copyFileSync(fixture('multifile-msvc/multifile.pdb'), path.join(dir, 'multifile.pdb'));
    const store = new SymbolIndexStore({ dir: path.join(dir, 'store') });
    await load(store, file);
    assert.equal((await load(store, file)).stored, true);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.equal((await load(store, file)).stored, undefined, 'a touched file is read again');
    assert.equal((await load(store, file)).stored, true);
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
    assert.equal((await load(store, files[0])).stored, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await load(store, files[2]);
    const total = fs.readdirSync(store.dir).reduce((n, name) => n + fs.statSync(path.join(store.dir, name)).size, 0);
    assert.ok(total <= store.maxBytes, `${total} bytes stored, cap ${store.maxBytes}`);
    assert.equal((await load(store, files[0])).stored, true, 'the recently used one stays');
    assert.equal(fs.existsSync(store.keyOf(files[1])!.file), false, 'the least recently used one was evicted');
  });

  it('never trusts a truncated, corrupt or version-mismatched file: it is ignored, deleted and written anew (fuzzed)', async () => {
    const file = fixture('multifile-msvc/multifile.exe');
    const store = new SymbolIndexStore({ dir });
    const good = await load(store, file);
    const key = store.keyOf(file)!;
    const original = fs.readFileSync(key.file);
    const metaLength = original.readUInt32LE(20);
    const meta = JSON.parse(original.subarray(24, 24 + metaLength).toString('utf8')) as Record<string, unknown>;
    /** The file with other metadata, lengths and checksum made consistent: only the content checks can refuse it. */
    const withMeta = (change: (m: Record<string, unknown>) => void): Buffer => {
      const m = structuredClone(meta);
      change(m);
      const json = Buffer.from(JSON.stringify(m));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(json.length);
      const payload = Buffer.concat([len, json, original.subarray(24 + metaLength)]);
      const header = Buffer.from(original.subarray(0, 20));
      header.writeUInt32LE(zlib.crc32(payload) >>> 0, 8);
      header.writeUInt32LE(payload.length, 12);
      return Buffer.concat([header, payload]);
    };
    const rand = random(17);
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['another store version', (() => {
        const b = Buffer.from(original);
        b.writeUInt32LE(STORE_VERSION + 1, 4);
        return b;
      })()],
      ['another index version', withMeta((m) => (m.indexVersion = (m.indexVersion as number) - 1))],
      ['another key', withMeta((m) => (m.key = `${m.key as string}x`))],
      ['segment sizes that do not add up', withMeta((m) => ((m.segmentBytes as number[])[0] -= 8))],
      ['a segment that is not an index', (() => {
        const b = Buffer.from(original);
        b.fill(0, 24 + metaLength, 24 + metaLength + 8);
        const payload = b.subarray(20);
        b.writeUInt32LE(zlib.crc32(payload) >>> 0, 8);
        return b;
      })()],
      ['garbage appended', Buffer.concat([original, Buffer.from('tail')])],
    ];
    for (let i = 0; i < 60; i++) cases.push([`truncated ${i}`, original.subarray(0, Math.floor(rand() * original.length))]);
    for (let i = 0; i < 120; i++) {
      const b = Buffer.from(original);
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] ^= 1 + Math.floor(rand() * 255);
      cases.push([`flipped ${i}`, b]);
    }
    for (const [what, bytes] of cases) {
      fs.writeFileSync(key.file, bytes);
      const got = await store.get(key);
      assert.equal(got, undefined, `${what}: a bad file was trusted`);
      assert.equal(fs.existsSync(key.file), false, `${what}: the bad file was left in place`);
    }
    // The next load reads the module again and writes a good file, which is then trusted.
    fs.writeFileSync(key.file, cases[cases.length - 1][1]);
    const again = await load(store, file);
    assert.equal(again.stored, undefined);
    const reread = await store.get(key);
    assert.ok(reread, 'the rewritten file is trusted');
    assertSameAnswers(good.index, reread.index);
  });

  it('refuses a store without a directory, naming the option', () => {
    assert.throws(() => new SymbolIndexStore({ dir: '' }), /options\.dir/);
    assert.throws(() => new SymbolIndexStore({ dir, maxBytes: -1 }), /options\.maxBytes/);
  });
});
