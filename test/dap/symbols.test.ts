// Symbols in a real session: module loads as bulk futures reported to the UI, symbol queries, and function breakpoints by Rust path (generic instances too) placed through our index.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { MODULE_SYMBOLS_EVENT, MODULES_REQUEST, SEARCH_SYMBOLS_REQUEST, type ModuleSymbolsInfo, type SymbolSearchResult } from '../../src/debug/session-symbols';
import { currentStop, initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { buildDir, compileProgram, markerLine, sourceOf, toolchainEnv } from './support/programs';

/** test/programs/paths.rs with v0 mangling, whose names keep generic arguments (`largest::<f32>`). */
function compileV0(): string {
  const source = sourceOf('paths');
  const out = path.join(buildDir, `paths-v0-${fs.statSync(source).mtimeMs.toFixed(0)}${process.platform === 'win32' ? '.exe' : ''}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    execFileSync('rustc', ['-g', '-C', 'opt-level=0', '-C', 'symbol-mangling-version=v0', '--edition=2021', '-o', out, source], { env: toolchainEnv(), stdio: 'pipe' });
  }
  return out;
}

/** Latest state of each module from the session's custom events. */
function watchModules(dc: DebugClient): Map<string, ModuleSymbolsInfo> {
  const modules = new Map<string, ModuleSymbolsInfo>();
  dc.on(MODULE_SYMBOLS_EVENT, (e: DebugProtocol.Event) => {
    const info = e.body as ModuleSymbolsInfo;
    if (info.removed) modules.delete(info.id);
    else modules.set(info.id, info);
  });
  return modules;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Launches `program` with function breakpoints set the way VS Code sets them (before configurationDone). */
async function launchWithFunctionBreakpoints(dc: DebugClient, program: string, names: string[]): Promise<DebugProtocol.Breakpoint[]> {
  let breakpoints: DebugProtocol.Breakpoint[] = [];
  await Promise.all([
    dc.waitForEvent('initialized', WAIT_MS).then(async () => {
      const set = await dc.setFunctionBreakpointsRequest({ breakpoints: names.map((name) => ({ name })) });
      breakpoints = set.body.breakpoints;
      await dc.configurationDoneRequest();
    }),
    initializeLikeVsCode(dc).then(() => dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments)),
  ]);
  return breakpoints;
}

/** Launches `program` (the paths program) as VS Code does, with a breakpoint at its `scale` marker. */
async function launchToScale(client: DebugClient, program: string, source: string): Promise<void> {
  await Promise.all([
    client.waitForEvent('initialized', WAIT_MS).then(async () => {
      await client.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: markerLine(source, 'scale') }] });
      await client.configurationDoneRequest();
    }),
    initializeLikeVsCode(client).then(() => client.launchRequest({ program } as DebugProtocol.LaunchRequestArguments)),
  ]);
}

describe('symbols in a debug session', function () {
  this.timeout(240_000);
  let dc: DebugClient;
  afterEach(() => stopQuietly(dc));

  it('loads every module as a future, and stops at function breakpoints given by Rust path, generic instances included', async () => {
    dc = await startClient();
    const program = compileProgram('paths');
    const source = sourceOf('paths');
    const modules = watchModules(dc);
    const firstStop = dc.waitForEvent('stopped', WAIT_MS);
    const [scale, largest, missing] = await launchWithFunctionBreakpoints(dc, program, [
      'paths::shapes::geometry::scale',
      'paths::shapes::largest',
      'paths::no_such_function',
    ]);

    // The program's own module had been loaded from our index before the breakpoints were answered.
    const own = [...modules.values()].find((m) => m.name === path.basename(program));
    assert.ok(own, `no ${MODULE_SYMBOLS_EVENT} event for ${path.basename(program)}: ${JSON.stringify([...modules.values()].map((m) => m.name))}`);
    assert.strictEqual(own.status, 'loaded', JSON.stringify([...modules.values()].map((m) => [m.id, m.name, m.status])));
    assert.ok((own.symbols ?? 0) > 0 && (own.sizeBytes ?? 0) > 0 && own.elapsedMs !== undefined, JSON.stringify(own));

    assert.strictEqual(scale.verified, true, JSON.stringify(scale));
    assert.strictEqual(scale.line, markerLine(source, 'scale'));
    assert.strictEqual(scale.source?.path, source);
    assert.match(scale.instructionReference ?? '', /^0x[0-9a-f]+$/);
    assert.strictEqual(largest.verified, true, JSON.stringify(largest));
    assert.strictEqual(largest.line, markerLine(source, 'largest'));
    assert.match(largest.message ?? '', /2 locations/);
    assert.strictEqual(missing.verified, false, JSON.stringify(missing));

    await firstStop;
    let stop = await currentStop(dc);
    assert.strictEqual(stop.frames[0].line, markerLine(source, 'scale'));
    assert.match(stop.frames[0].name, /scale/);
    // Past the prologue: the arguments hold what main passed.
    assert.strictEqual((await dc.evaluateRequest({ expression: 'value', frameId: stop.frameId, context: 'watch' })).body.result, '3');

    // Both instances of the generic function stop.
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const next = dc.waitForEvent('stopped', WAIT_MS);
      await dc.continueRequest({ threadId: stop.threadId });
      await next;
      stop = await currentStop(dc);
      assert.strictEqual(stop.frames[0].line, markerLine(source, 'largest'));
      seen.push((await dc.evaluateRequest({ expression: 'items.len()', frameId: stop.frameId, context: 'watch' })).body.result);
    }
    assert.deepStrictEqual(seen.sort(), ['2', '3']);

    // Every module the process loaded settles (libc and the loader too), and the index answers queries.
    await until('every module settled', () => modules.size >= 2 && [...modules.values()].every((m) => m.status !== 'loading'));
    for (const m of modules.values()) assert.ok(['loaded', 'publicsOnly', 'none'].includes(m.status), `${m.name}: ${m.status} ${m.error ?? ''}`);
    const listed = (await dc.customRequest(MODULES_REQUEST)).body as { modules: ModuleSymbolsInfo[] };
    assert.ok(listed.modules.some((m) => m.name === own.name && m.status === 'loaded'));
    const found = (await dc.customRequest(SEARCH_SYMBOLS_REQUEST, { query: 'geometry::scale', limit: 10 })).body as SymbolSearchResult;
    assert.strictEqual(found.hits[0]?.name, 'paths::shapes::geometry::scale');
    assert.strictEqual(found.hits[0]?.file, source);
    assert.ok(found.hits[0]?.runtimeAddress !== undefined, 'the running module has a load address');

    const terminated = dc.waitForEvent('terminated', WAIT_MS);
    await dc.continueRequest({ threadId: stop.threadId });
    await terminated;
  });

  it('reads the program before lldb-dap reports it, and the module event takes over that load', async () => {
    // Forced on: by default only machines with 4 or more cores prefetch (on fewer it delays the first stop).
    dc = await startClient({ RUST_OFFLOAD_PREFETCH: 'on' });
    const program = compileProgram('paths');
    const name = path.basename(program);
    const order: string[] = [];
    const ours: ModuleSymbolsInfo[] = [];
    dc.on(MODULE_SYMBOLS_EVENT, (e: DebugProtocol.Event) => {
      const info = e.body as ModuleSymbolsInfo;
      if (info.name !== name) return;
      ours.push(info);
      order.push(`ours ${info.id}${info.removed ? ' removed' : ''}`);
    });
    dc.on('module', (e: DebugProtocol.Event) => {
      const m = (e.body as DebugProtocol.ModuleEvent['body']).module;
      if (m.name === name) order.push(`lldb ${m.id}`);
    });
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    const [bp] = await launchWithFunctionBreakpoints(dc, program, ['paths::shapes::geometry::scale']);
    assert.strictEqual(bp.verified, true, JSON.stringify(bp));
    await stopped;

    const provisional = ours[0];
    assert.ok(provisional && provisional.id.startsWith('program:') && provisional.status === 'loading', JSON.stringify(ours[0]));
    const firstLldb = order.findIndex((o) => o.startsWith('lldb '));
    assert.ok(firstLldb > 0, `our load started before lldb-dap reported the module: ${order.join(', ')}`);
    const lldbId = order[firstLldb].slice('lldb '.length);
    assert.ok(order.includes(`ours ${provisional.id} removed`), order.join(', '));
    await until('the program loaded under lldb-dap\'s id', () => ours.some((m) => m.id === lldbId && m.status === 'loaded'));
    // One row and one load for the program: the provisional row went, no second load started.
    const listed = ((await dc.customRequest(MODULES_REQUEST)).body as { modules: ModuleSymbolsInfo[] }).modules.filter((m) => m.name === name);
    assert.deepStrictEqual(listed.map((m) => [m.id, m.status]), [[lldbId, 'loaded']]);
  });

  it('holds symbol loads until the first stop, then loads them and shows that stop\'s locals', async () => {
    // Forced on: by default only machines with fewer than 4 cores hold them (there they slow lldb-dap's start).
    dc = await startClient({ RUST_OFFLOAD_HOLD_SYMBOLS: 'on' });
    const program = compileProgram('paths');
    const source = sourceOf('paths');
    const name = path.basename(program);
    const order: string[] = [];
    const modules = watchModules(dc);
    dc.on(MODULE_SYMBOLS_EVENT, (e: DebugProtocol.Event) => {
      const info = e.body as ModuleSymbolsInfo;
      if (info.name === name) order.push(`${info.status} ${info.progress} ${info.message ?? ''}`.trim());
    });
    const stopped = dc.waitForEvent('stopped', WAIT_MS).then((e) => (order.push('stopped'), e));
    await launchToScale(dc, program, source);
    await stopped;
    const atStop = order.indexOf('stopped');
    assert.ok(atStop > 0, `the program's module was not reported before the stop: ${order.join(', ')}`);
    for (const o of order.slice(0, atStop)) assert.strictEqual(o, 'loading 0 waits for the first stop', order.join(', '));

    // The stop's locals are ours (formatted from the program's memory), and the held loads then settle.
    const stop = await currentStop(dc);
    const scopes = await dc.scopesRequest({ frameId: stop.frameId });
    const locals = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
    assert.strictEqual(locals.find((v) => v.name === 'value')?.value, '3', JSON.stringify(locals));
    await until('every module settled', () => modules.size >= 2 && [...modules.values()].every((m) => m.status !== 'loading'));
    assert.strictEqual([...modules.values()].find((m) => m.name === name)?.status, 'loaded', order.join(', '));
  });

  it('held loads still settle after a first stop whose locals are never asked for (a collapsed Variables view)', async () => {
    dc = await startClient({ RUST_OFFLOAD_HOLD_SYMBOLS: 'on' });
    const program = compileProgram('paths');
    const source = sourceOf('paths');
    const modules = watchModules(dc);
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await launchToScale(dc, program, source);
    await stopped;
    await until('every module settled without a variables request', () => modules.size >= 2 && [...modules.values()].every((m) => m.status !== 'loading'));
    assert.strictEqual([...modules.values()].find((m) => m.name === path.basename(program))?.status, 'loaded');
  });

  it('with v0 mangling, a breakpoint on one generic instance stops only there', async () => {
    dc = await startClient();
    const program = compileV0();
    const source = sourceOf('paths');
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    const [bp] = await launchWithFunctionBreakpoints(dc, program, ['paths::shapes::largest::<f32>']);
    assert.strictEqual(bp.verified, true, JSON.stringify(bp));
    assert.strictEqual(bp.message, undefined, 'one location');
    await stopped;
    const stop = await currentStop(dc);
    assert.strictEqual(stop.frames[0].line, markerLine(source, 'largest'));
    assert.strictEqual((await dc.evaluateRequest({ expression: 'items.len()', frameId: stop.frameId, context: 'watch' })).body.result, '2');
    const terminated = dc.waitForEvent('terminated', WAIT_MS);
    await dc.continueRequest({ threadId: stop.threadId });
    await terminated;
  });
});
