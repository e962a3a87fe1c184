// The on-disk symbol index through the adapter: a new adapter process (a new window) gets the program's symbols from the store an earlier one wrote, and a block damaged on disk is found at the query that first reads it, the module then read again.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { MODULE_SYMBOLS_EVENT, SEARCH_SYMBOLS_REQUEST, type ModuleSymbolsInfo, type SymbolSearchResult } from '../../src/debug/session-symbols';
import { STORE_HEADER_BYTES, SymbolIndexStore } from '../../src/symbols/index-store';
import { currentStop, initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { compileProgram, markerLine, sourceOf } from './support/programs';

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every state the program's module went through in this session, from our module events. */
function watchProgram(dc: DebugClient, name: string): ModuleSymbolsInfo[] {
  const seen: ModuleSymbolsInfo[] = [];
  dc.on(MODULE_SYMBOLS_EVENT, (e: DebugProtocol.Event) => {
    const info = e.body as ModuleSymbolsInfo;
    if (info.name === name && !info.removed) seen.push(info);
  });
  return seen;
}

/** Launches with the store directory and a function breakpoint by Rust path, and waits for the stop there. */
async function launchToBreakpoint(dc: DebugClient, program: string, symbolIndexDir: string, fn: string): Promise<void> {
  const stopped = dc.waitForEvent('stopped', WAIT_MS);
  await Promise.all([
    dc.waitForEvent('initialized', WAIT_MS).then(async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: fn }] });
      await dc.configurationDoneRequest();
    }),
    initializeLikeVsCode(dc).then(() => dc.launchRequest({ program, symbolIndexDir } as DebugProtocol.LaunchRequestArguments)),
  ]);
  await stopped;
}

/** Flips a byte in the middle of the first segment's names (header words 9: their length, 11 + 15: where they start), in a block the open does not read. */
function damageNames(file: string): void {
  const b = fs.readFileSync(file);
  const tocLength = b.readUInt32LE(16);
  const metaBytes = b.readUInt32LE(STORE_HEADER_BYTES);
  const meta = JSON.parse(b.subarray(STORE_HEADER_BYTES + 4, STORE_HEADER_BYTES + 4 + metaBytes).toString('utf8')) as { segments: Array<{ offset: number }> };
  const segAt = Math.ceil((STORE_HEADER_BYTES + tocLength) / 8) * 8 + meta.segments[0].offset;
  const at = segAt + b.readUInt32LE(segAt + 4 * (11 + 15)) + Math.floor(b.readUInt32LE(segAt + 4 * 9) / 2);
  b[at] ^= 0x55;
  fs.writeFileSync(file, b);
}

describe('symbol index store in debug sessions', function () {
  this.timeout(300_000);
  let dc: DebugClient;
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-dap-store-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => stopQuietly(dc));

  it('a new adapter process takes the program\'s symbols from the store the first one wrote; a damaged block is found by the query that reads it and the module is read again', async () => {
    const program = compileProgram('paths');
    const source = sourceOf('paths');
    const name = path.basename(program);
    const fn = 'paths::shapes::geometry::scale';
    const stored = new SymbolIndexStore({ dir }).keyOf(program)!.file;

    // The first window reads the program and stores its index.
    dc = await startClient();
    const first = watchProgram(dc, name);
    await launchToBreakpoint(dc, program, dir, fn);
    await until('the program loaded', () => first.some((m) => m.status === 'loaded'));
    assert.notStrictEqual(first.find((m) => m.status === 'loaded')?.cached, true, 'the first window read the program');
    await until('the index stored', () => fs.existsSync(stored));
    await stopQuietly(dc);

    // A new window: its symbols come from the store, and they answer.
    dc = await startClient();
    const second = watchProgram(dc, name);
    await launchToBreakpoint(dc, program, dir, fn);
    assert.strictEqual((await currentStop(dc)).frames[0].line, markerLine(source, 'scale'));
    await until('the program loaded', () => second.some((m) => m.status === 'loaded'));
    const loaded = second.find((m) => m.status === 'loaded')!;
    assert.strictEqual(loaded.cached, true, `the new window's symbols came from the store: ${JSON.stringify(loaded)}`);
    assert.ok((loaded.symbols ?? 0) > 0);
    const found = (await dc.customRequest(SEARCH_SYMBOLS_REQUEST, { query: 'geometry::scale', limit: 10 })).body as SymbolSearchResult;
    assert.strictEqual(found.hits[0]?.name, fn);
    assert.strictEqual(found.hits[0]?.file, source);
    await stopQuietly(dc);

    // Another window, after a block of the stored file went bad on disk.
    damageNames(stored);
    dc = await startClient();
    const third = watchProgram(dc, name);
    await launchToBreakpoint(dc, program, dir, fn);
    await until('the program loaded', () => third.some((m) => m.status === 'loaded'));
    assert.strictEqual(third.find((m) => m.status === 'loaded')?.cached, true, 'the damage is not in what the open reads');
    // A search scans every name, so it reads the damaged block: never an answer from it.
    const during = (await dc.customRequest(SEARCH_SYMBOLS_REQUEST, { query: 'geometry::scale', limit: 10 })).body as SymbolSearchResult;
    assert.ok(during.hits.every((h) => h.name === fn), JSON.stringify(during.hits));
    await until('the module read again', () => third.some((m) => m.status === 'loaded' && m.cached !== true));
    const again = third.find((m) => m.status === 'loaded' && m.cached !== true)!;
    assert.match(again.warnings.join('\n'), /symbols read again: .*checksum/);
    assert.ok(third.slice(third.findIndex((m) => m.cached === true)).some((m) => m.status === 'loading'), 'back to loading after the withdrawal');
    const after = (await dc.customRequest(SEARCH_SYMBOLS_REQUEST, { query: 'geometry::scale', limit: 10 })).body as SymbolSearchResult;
    assert.strictEqual(after.hits[0]?.name, fn);
    // The fresh load is stored again.
    await until('the index stored again', () => fs.existsSync(stored));
  });
});
