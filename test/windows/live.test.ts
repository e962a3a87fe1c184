// Live debugging of Windows x64 MSVC Rust programs under wine: attach through winedbg's gdb stub, breakpoints by file:line and Rust path, stepping, stack, modules, panics, evaluations, and the stub dying.
import * as assert from 'node:assert';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { MODULES_REQUEST, type ModuleSymbolsInfo } from '../../src/debug/session-symbols';
import { startClient, stopQuietly, WAIT_MS } from '../dap/support/client';
import { markerLine } from '../dap/support/programs';
import { printedValues } from '../dap/support/values-oracle-program';
import type { MsvcToolchain } from '../support/msvc-programs';
import { endWineserver, type Wine } from '../support/wine-debug';
import { attachToWindowsProgram, figures, framesOf, nextStop, requireWine, sourcePath, windowsProgram, type AttachedSession } from './support';

describe('Windows x64 MSVC programs under wine', function () {
  // The first run builds the MSVC sysroots (minutes); each session starts a program under wine (seconds).
  this.timeout(30 * 60_000);
  let wine: Wine;
  let dc: DebugClient | undefined;
  let session: AttachedSession | undefined;

  before(async function () {
    wine = await requireWine(this);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const packets = session.target.packets.filter((l) => !/stub< T05/.test(l)).slice(-80);
      console.log(`      last gdb-remote packets (ms since winedbg started):\n${packets.map((l) => `        ${l}`).join('\n')}`);
    }
    await stopQuietly(dc);
    dc = undefined;
    await session?.target.dispose();
    if (session) assert.deepStrictEqual(session.target.pids(), [], 'every wine process of the session ended');
    session = undefined;
  });
  after(async () => {
    if (wine) await endWineserver(wine.prefix);
    if (figures.length) console.log(`\n      Windows figures (this machine, this run):\n${figures.splice(0).map((f) => `        ${f}`).join('\n')}`);
  });

  for (const toolchain of ['1.96', '1.63'] as MsvcToolchain[]) {
    it(`Rust ${toolchain}: file:line and Rust-path breakpoints, every local against its {:?}, stack, evaluation, step in/next/step out, and the Modules entry with its PDB`, async () => {
      const { exe, pdb } = await windowsProgram('values', toolchain);
      const source = sourcePath('values');
      const valuesLine = markerLine(source, 'values');
      dc = await startClient();
      const started = Date.now();
      const first = nextStop(dc);
      session = await attachToWindowsProgram(dc, wine, exe, {
        sourceBreakpoints: [{ source, lines: [valuesLine] }],
        // A generic instance and a trait method (`impl Area for Shape`, named by its impl in the PDB), through our PDB index.
        functionBreakpoints: ['values::largest<u16>', 'values::impl$0::area'],
      });
      assert.strictEqual(session.sourceBreakpoints[0]?.verified, true, JSON.stringify(session.sourceBreakpoints));
      assert.deepStrictEqual(session.functionBreakpoints.map((b) => b.verified), [true, true], JSON.stringify(session.functionBreakpoints));
      let stop = await first;
      figures.push(`Rust ${toolchain}: time to first stop (winedbg start, attach, breakpoint at values.rs:${valuesLine}): ${Date.now() - started} ms`);
      assert.strictEqual(stop.reason, 'breakpoint', JSON.stringify(stop));
      const threadId = stop.threadId!;
      let frames = await framesOf(dc, threadId);
      // The source map from the PDB's C:\build\programs\values.rs to this checkout.
      assert.strictEqual(frames[0].line, valuesLine, JSON.stringify(frames[0]));
      assert.strictEqual(frames[0].source?.path, source);
      assert.strictEqual(frames[0].name, 'values::main');
      assert.ok(frames.some((f) => f.name === 'msvc_rt::run'), frames.map((f) => f.name).join(' < '));
      assert.ok(session.target.proxy.corrections >= 1, 'the proxy moved RIP back onto the int3');

      // Evaluations in main's frame.
      const evaluate = async (expression: string): Promise<string> => (await dc!.evaluateRequest({ expression, frameId: frames[0].id, context: 'watch' })).body.result;
      assert.strictEqual(await evaluate('point.x'), '3');
      assert.strictEqual(await evaluate('tuple.0 + 1'), '8');
      // Every local of main in the Variables view (scopes + variables, as VS Code asks) reads as the program's own
      // `{:?}` line printed before this breakpoint: the PDB's types (enum2$/enum$, ref$, slice2$, str$) through our formatters.
      const printed = printedValues(session.target.programOutput());
      assert.ok(printed.size >= 21, `the program printed its locals: ${session.target.programOutput()}`);
      // Memory reads go through wine's stub; on a loaded machine a summary can run out of its time budget and say so.
      // Only such a value is asked again (the stop's reads are kept by then); any other difference fails at once.
      let mismatches: string[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
        const locals = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
        mismatches = [];
        for (const [name, expected] of printed) {
          const ours = locals.find((l) => l.name === name);
          if (!ours) mismatches.push(`${name}: not listed (${locals.map((l) => l.name).join(', ')})`);
          else if (ours.value !== expected) mismatches.push(`${name}: ours ${ours.value} | rust ${expected}`);
        }
        if (mismatches.length === 0 || !mismatches.every((m) => /<summary cut after \d+ ms: expand to see more> \| rust /.test(m))) break;
        figures.push(`Rust ${toolchain}: ${mismatches.length} value(s) cut by the summary's time budget, asked again`);
      }
      assert.deepStrictEqual(mismatches, []);

      // The Modules view's entry: the exe, loaded from its PDB by our workers (on fewer than 4 cores the load may have
      // started only at this stop, so it is waited for).
      const ownModule = async (): Promise<{ modules: ModuleSymbolsInfo[]; own?: ModuleSymbolsInfo }> => {
        const modules = ((await dc!.customRequest(MODULES_REQUEST)).body as { modules: ModuleSymbolsInfo[] }).modules;
        return { modules, own: modules.find((m) => m.name === path.basename(exe)) };
      };
      let { modules, own } = await ownModule();
      for (const until = Date.now() + WAIT_MS; own?.status === 'loading' && Date.now() < until; ({ modules, own } = await ownModule())) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(own, `the program is in the Modules view: ${JSON.stringify(modules.map((m) => m.name))}`);
      assert.strictEqual(own.status, 'loaded', JSON.stringify(own));
      assert.strictEqual(path.basename(own.debugInfoPath ?? ''), path.basename(pdb), JSON.stringify(own));

      // The trait method, then next and step out (back to main's loop).
      let next = nextStop(dc);
      await dc.continueRequest({ threadId });
      await next;
      frames = await framesOf(dc, threadId);
      assert.match(frames[0].name, /^values::impl\$0::area$/, frames[0].name);
      assert.strictEqual(frames[1].name, 'values::main');
      next = nextStop(dc);
      await dc.nextRequest({ threadId });
      stop = await next;
      assert.strictEqual(stop.reason, 'step');
      const afterNext = (await framesOf(dc, threadId))[0];
      assert.match(afterNext.name, /::area$/);
      assert.ok(afterNext.line > frames[0].line, `next moved down from line ${frames[0].line} to ${afterNext.line}`);
      next = nextStop(dc);
      await dc.stepOutRequest({ threadId });
      await next;
      const back = (await framesOf(dc, threadId))[0];
      assert.strictEqual(back.name, 'values::main');
      assert.strictEqual(back.line, markerLine(source, 'loop'));

      // Step in from main into the generic Rust function called on the closure's line, then step out back to main.
      const closureLine = markerLine(source, 'closure');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: closureLine }] });
      next = nextStop(dc);
      await dc.continueRequest({ threadId });
      await next;
      assert.strictEqual((await framesOf(dc, threadId))[0].line, closureLine);
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
      next = nextStop(dc);
      await dc.stepInRequest({ threadId });
      stop = await next;
      assert.strictEqual(stop.reason, 'step', JSON.stringify(stop));
      const inner = await framesOf(dc, threadId);
      assert.match(inner[0].name, /^values::apply<.*closure.*>$/, inner.map((f) => f.name).join(' < '));
      assert.strictEqual(inner[0].line, markerLine(source, 'apply'));
      assert.strictEqual(inner[0].source?.path, source);
      assert.strictEqual(inner[1].name, 'values::main');
      next = nextStop(dc);
      await dc.stepOutRequest({ threadId });
      stop = await next;
      assert.strictEqual(stop.reason, 'step', JSON.stringify(stop));
      const outer = (await framesOf(dc, threadId))[0];
      assert.strictEqual(outer.name, 'values::main');
      assert.strictEqual(outer.line, closureLine);

      // The generic instance for u16 (not the i32 one), through the loop's other area() calls.
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'values::largest<u16>' }] });
      next = nextStop(dc);
      await dc.continueRequest({ threadId });
      await next;
      frames = await framesOf(dc, threadId);
      assert.match(frames[0].name, /^values::largest<u16>$/, frames[0].name);
      assert.strictEqual(frames[1].name, 'values::main');

      const terminated = dc.waitForEvent('terminated', WAIT_MS);
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      await dc.continueRequest({ threadId });
      await terminated;
    });
  }

  it('Rust: Panic stops at the panic in the program', async () => {
    const { exe } = await windowsProgram('panics');
    const source = sourcePath('panics');
    dc = await startClient();
    const first = nextStop(dc);
    session = await attachToWindowsProgram(dc, wine, exe, { exceptionFilters: ['rust_panic'] });
    const stop = await first;
    assert.strictEqual(stop.reason, 'exception', JSON.stringify(stop));
    const frames = await framesOf(dc, stop.threadId!);
    const check = frames.find((f) => f.name === 'panics::check');
    assert.ok(check, frames.map((f) => f.name).join(' < '));
    assert.strictEqual(check.line, markerLine(source, 'panic'));
    assert.strictEqual((await dc.customRequest('exceptionInfo', { threadId: stop.threadId })).body.exceptionId, 'panic');
    // The message itself is not checked: the program's console is winedbg's, not lldb-dap's, so the adapter never
    // sees the panic line (exceptionInfo then says where to find it).
  });

  it('the stub dying mid-session ends the session with a message, and nothing hangs', async () => {
    const { exe } = await windowsProgram('values');
    dc = await startClient();
    const first = nextStop(dc);
    session = await attachToWindowsProgram(dc, wine, exe, { functionBreakpoints: ['values::largest<i32>'] });
    await first;
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    const terminated = dc.waitForEvent('terminated', WAIT_MS);
    process.kill(session.target.stubPid, 'SIGKILL');
    for (const pid of session.target.pids()) process.kill(pid, 'SIGKILL');
    // The user presses Continue: lldb finds the connection gone and the session ends rather than hanging.
    await dc.continueRequest({ threadId: 0 }).catch(() => undefined);
    await terminated;
    assert.ok(output.some((o) => /exit|terminat|lost|disconnect|ended/i.test(o)), `a message says the session ended: ${JSON.stringify(output)}`);
  });
});
