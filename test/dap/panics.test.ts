// The "Rust: Panic" exception filter: announced first and on by default, stops where the program panics (a caught panic too) as an exception with the panic's message, and stays silent when off.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { panicBreakpointCommand } from '../../src/debug/panic-stops';
import { compileProgram, markerLine, PROGRAMS_DIR, sourceOf } from './support/programs';

describe('the Rust: Panic exception filter', function () {
  this.timeout(180_000);
  let dc: DebugClient;
  afterEach(() => stopQuietly(dc));

  /** Launches panics.rs with these exception filters, as VS Code does after `initialized`. */
  async function launch(filters: DebugProtocol.SetExceptionBreakpointsArguments): Promise<{ capabilities: DebugProtocol.Capabilities; set: DebugProtocol.SetExceptionBreakpointsResponse }> {
    const program = compileProgram('panics');
    let set: DebugProtocol.SetExceptionBreakpointsResponse | undefined;
    const [, init] = await Promise.all([
      dc.waitForEvent('initialized', WAIT_MS).then(async () => {
        set = await dc.setExceptionBreakpointsRequest(filters);
        await dc.configurationDoneRequest();
      }),
      initializeLikeVsCode(dc).then(async (answer) => {
        await dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments);
        return answer;
      }),
    ]);
    return { capabilities: init.body ?? {}, set: set! };
  }

  /**
   * The frame VS Code shows the exception at: the first whose source is not deemphasised, where VS Code keeps one
   * source object per file with the hint of the frame it saw last (so a hint on one frame of a file is not enough).
   */
  function exceptionFrame(frames: DebugProtocol.StackFrame[]): DebugProtocol.StackFrame | undefined {
    const lastHint = new Map<string, string | undefined>();
    for (const f of frames) if (f.source?.path) lastHint.set(f.source.path, f.source.presentationHint);
    return frames.find((f) => f.source?.path && lastHint.get(f.source.path) !== 'deemphasize');
  }

  /** The top 20 frames, asked for as VS Code does: the top frame first, then the rest. */
  async function topFrames(threadId: number): Promise<DebugProtocol.StackFrame[]> {
    const top = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 })).body.stackFrames;
    const rest = (await dc.stackTraceRequest({ threadId, startFrame: 1, levels: 19 })).body.stackFrames;
    return [...top, ...rest];
  }

  it('is announced first, on by default, next to lldb-dap\'s C++ filters, and stops at each panic with its message', async () => {
    const source = sourceOf('panics');
    const panicLine = markerLine(source, 'panic');
    dc = await startClient({ RUST_BACKTRACE: '0' });
    const first = dc.waitForEvent('stopped', WAIT_MS) as Promise<DebugProtocol.StoppedEvent>;
    const { capabilities, set } = await launch({ filters: ['rust_panic', 'cpp_throw'] });
    const filters = capabilities.exceptionBreakpointFilters ?? [];
    assert.strictEqual(filters[0]?.filter, 'rust_panic');
    assert.strictEqual(filters[0]?.default, true);
    assert.ok(filters.some((f) => f.filter === 'cpp_throw'), `lldb-dap's C++ filters are kept: ${JSON.stringify(filters)}`);
    assert.ok(!filters.some((f) => f.filter.startsWith('objc_')));
    assert.strictEqual(capabilities.supportsExceptionInfoRequest, true);
    assert.deepStrictEqual(set.body?.breakpoints?.map((b) => b.verified), [true, true], JSON.stringify(set.body));

    // The caught panic: check(7) inside catch_unwind.
    const stop = await first;
    assert.strictEqual(stop.body.reason, 'exception', JSON.stringify(stop.body));
    assert.strictEqual((stop.body as { hitBreakpointIds?: number[] }).hitBreakpointIds, undefined, 'lldb\'s breakpoint id is not passed on');
    let frames = await topFrames(stop.body.threadId!);
    // std's frames above it are deemphasised, so VS Code focuses panics::check, where the panic! is.
    const focused = exceptionFrame(frames);
    assert.ok(focused && /panics::check/.test(focused.name), `the first frame not deemphasised is panics::check: ${frames.map((f) => `${f.name} ${f.source?.presentationHint ?? ''}`).join(' | ')}`);
    assert.strictEqual(focused.line, panicLine);
    assert.ok(frames.indexOf(focused) > 0, 'std frames come first');
    const info = await dc.customRequest('exceptionInfo', { threadId: stop.body.threadId });
    assert.strictEqual(info.body.exceptionId, 'panic');
    assert.match(info.body.description, /level 7 is too deep/);
    assert.match(info.body.description, /panics\.rs:\d+:\d+/);

    // The uncaught one: check(3) in the loop, with its own message.
    const second = dc.waitForEvent('stopped', WAIT_MS) as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: stop.body.threadId! });
    const again = await second;
    assert.strictEqual(again.body.reason, 'exception');
    frames = await topFrames(again.body.threadId!);
    assert.ok(frames.some((f) => /panics::main/.test(f.name) && f.line === markerLine(source, 'call')), frames.map((f) => `${f.name}:${f.line}`).join(' | '));
    assert.match(exceptionFrame(frames)?.name ?? '', /panics::check/);
    const info2 = await dc.customRequest('exceptionInfo', { threadId: again.body.threadId });
    assert.match(info2.body.description, /level 3 is too deep/);

    // Continuing lets the panic end the program as it would without a debugger: exit code 101.
    const exited = dc.waitForEvent('exited', WAIT_MS) as Promise<DebugProtocol.ExitedEvent>;
    await dc.continueRequest({ threadId: again.body.threadId! });
    assert.strictEqual((await exited).body.exitCode, 101);
  });

  it('with the filter off, the program panics to its end without a stop; a condition limits the stops', async () => {
    const stops: DebugProtocol.StoppedEvent[] = [];
    dc = await startClient({ RUST_BACKTRACE: '0' });
    dc.on('stopped', (e: DebugProtocol.StoppedEvent) => stops.push(e));
    const exited = dc.waitForEvent('exited', WAIT_MS) as Promise<DebugProtocol.ExitedEvent>;
    await launch({ filters: [] });
    assert.strictEqual((await exited).body.exitCode, 101);
    assert.deepStrictEqual(stops.map((s) => s.body), []);
    await stopQuietly(dc);

    // A condition that never holds: the filter is on, and yet the program never stops.
    dc = await startClient({ RUST_BACKTRACE: '0' });
    dc.on('stopped', (e: DebugProtocol.StoppedEvent) => stops.push(e));
    const exited2 = dc.waitForEvent('exited', WAIT_MS) as Promise<DebugProtocol.ExitedEvent>;
    const { set } = await launch({ filters: [], filterOptions: [{ filterId: 'rust_panic', condition: '1 == 2' }] });
    assert.deepStrictEqual(set.body?.breakpoints?.map((b) => b.verified), [true]);
    assert.strictEqual((await exited2).body.exitCode, 101);
    assert.deepStrictEqual(stops.map((s) => s.body), []);
  });

  it('its breakpoint binds in the PDB of real Windows MSVC Rust programs (lldb reads them here too)', function () {
    const lldb = ['lldb-22', 'lldb'].find((exe) => spawnSync(exe, ['--version'], { stdio: 'ignore' }).status === 0);
    if (!lldb) throw new Error('No lldb-22 or lldb on PATH: install Debian\'s lldb-22 (the package that also gives lldb-dap-22).');
    const fixtures = path.resolve(PROGRAMS_DIR, '..', 'fixtures', 'windows', 'msvc-rust');
    for (const exe of ['Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe', 'Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe']) {
      const run = spawnSync(lldb, ['--batch', '--no-lldbinit', '-o', panicBreakpointCommand(), path.join(fixtures, exe)], { encoding: 'utf8' });
      assert.match(run.stdout, /Breakpoint 1: where = \S+`rust_panic\b/, `${exe}: ${run.stdout}${run.stderr}`);
    }
  });
});
