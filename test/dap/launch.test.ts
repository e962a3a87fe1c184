// Launch, breakpoints, stepping, stack and variables through the adapter; cargo builds; launch errors; golden transcript.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, failureOf, initializeLikeVsCode, launchToMarker, startClient, stopQuietly, WAIT_MS } from './support/client';
import { compileProgram, copyCargoProject, markerLine, sourceOf } from './support/programs';
import { Transcript } from './support/transcript';

describe('launch and run control', function () {
  this.timeout(300_000);
  let dc: DebugClient | undefined;
  afterEach(async () => {
    await stopQuietly(dc);
    dc = undefined;
  });

  it('stops at a breakpoint, steps in and out, shows the stack without hashes and the locals (golden transcript)', async () => {
    dc = await startClient();
    const stop = await launchToMarker(dc, 'values', 'loop');
    const t = new Transcript('launch-step-variables', dc, { build: path.dirname(compileProgram('values')) });

    const stack = await t.send<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 });
    assert.strictEqual(stack.body.stackFrames[0].name, 'values::main');
    for (const frame of stop.frames) assert.doesNotMatch(frame.name, /::h[0-9a-f]{16}/, `frame name still has its hash: ${frame.name}`);

    const scopes = await t.send<DebugProtocol.ScopesResponse>('scopes', { frameId: stop.frameId });
    const localsRef = scopes.body.scopes.find((s) => s.presentationHint === 'locals')!.variablesReference;
    const locals = await t.send<DebugProtocol.VariablesResponse>('variables', { variablesReference: localsRef });
    const byName = new Map(locals.body.variables.map((v) => [v.name, v]));
    assert.strictEqual(byName.get('total')?.value, '0');
    assert.strictEqual(byName.get('i')?.value, '0');
    // Values are ours: Rust types and {:?} text, not lldb's C view (`Vec<int, …>` with the type name as its value).
    assert.strictEqual(byName.get('numbers')?.type, 'alloc::vec::Vec<i32, alloc::alloc::Global>');
    assert.strictEqual(byName.get('numbers')?.value, '[10, 20, 30, 40]');
    const pts = await t.send<DebugProtocol.VariablesResponse>('variables', { variablesReference: byName.get('first')!.variablesReference });
    assert.deepStrictEqual(pts.body.variables.map((v) => `${v.name}=${v.value}`), ['x=1', 'y=2.5']);

    const line = stop.frames[0].line;
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await t.send('next', { threadId: stop.threadId });
    t.note('stopped', (await stopped).body);
    const afterNext = await currentStop(dc);
    assert.notStrictEqual(afterNext.frames[0].line, line, `next should leave line ${line}`);
    const total = await t.send<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'total', frameId: afterNext.frameId, context: 'watch' });
    assert.strictEqual(total.body.result, '0');
    t.check();
  });

  it('steps into a function and out again', async () => {
    dc = await startClient();
    const source = sourceOf('values');
    const callLine = markerLine(source, 'main') - 1; // `let a = area(&shape);`
    const stop = await launchToMarker(dc, 'values', 'loop');
    let stopped = dc.waitForEvent('stopped', WAIT_MS);
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: callLine }] });
    await dc.continueRequest({ threadId: stop.threadId });
    await stopped;
    assert.strictEqual((await currentStop(dc)).frames[0].line, callLine);
    stopped = dc.waitForEvent('stopped', WAIT_MS);
    await dc.stepInRequest({ threadId: stop.threadId });
    await stopped;
    const inside = await currentStop(dc);
    assert.strictEqual(inside.frames[0].name, 'values::area');
    assert.strictEqual(inside.frames[1].name, 'values::main');
    const shape = await dc.evaluateRequest({ expression: 'shape', frameId: inside.frameId, context: 'watch' });
    assert.strictEqual(shape.body.type, '&values::Shape');
    stopped = dc.waitForEvent('stopped', WAIT_MS);
    await dc.stepOutRequest({ threadId: stop.threadId });
    await stopped;
    assert.strictEqual((await currentStop(dc)).frames[0].name, 'values::main');
  });

  it('a missing program is a clear launch error', async () => {
    dc = await startClient();
    await initializeLikeVsCode(dc);
    const missing = path.join(path.dirname(compileProgram('values')), 'no-such-program');
    const text = await failureOf(dc.launchRequest({ program: missing } as DebugProtocol.LaunchRequestArguments));
    assert.match(text, /"program": '.*no-such-program' does not exist; build it first/);
  });

  it('builds with cargo, picks the executable by filter, and debugs it', async () => {
    dc = await startClient();
    const project = copyCargoProject('cargo-demo');
    const source = path.join(project, 'src', 'main.rs');
    const line = markerLine(source, 'cargo-main');
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await Promise.all([
      dc.waitForEvent('initialized', WAIT_MS).then(async () => {
        await dc!.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }] });
        await dc!.configurationDoneRequest();
      }),
      initializeLikeVsCode(dc).then(() =>
        dc!.launchRequest({ cargo: { args: ['build', '--bins', '--examples'], filter: { name: 'cargo-demo', kind: 'bin' } }, cwd: project } as DebugProtocol.LaunchRequestArguments),
      ),
    ]);
    await stopped;
    const stop = await currentStop(dc);
    assert.strictEqual(stop.frames[0].line, line);
    const answer = await dc.evaluateRequest({ expression: 'answer', frameId: stop.frameId, context: 'watch' });
    assert.strictEqual(answer.body.result, '42');
    assert.ok(output.some((o) => /debugging .*target[\\/]debug[\\/]cargo-demo/.test(o)), 'the chosen executable is reported');
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('several executables without a filter is a clear error', async () => {
    dc = await startClient();
    const project = copyCargoProject('cargo-demo');
    await initializeLikeVsCode(dc);
    const text = await failureOf(dc.launchRequest({ cargo: ['build', '--bins', '--examples'], cwd: project } as DebugProtocol.LaunchRequestArguments));
    assert.match(text, /several executables \(.*\); add "filter"/);
    assert.match(text, /cargo-demo \(bin\)/);
    assert.match(text, /other \(example\)/);
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('a failed cargo build is a clear error with the compiler messages in the Debug Console', async () => {
    dc = await startClient();
    const project = copyCargoProject('cargo-broken');
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body.output));
    await initializeLikeVsCode(dc);
    const text = await failureOf(dc.launchRequest({ cargo: { args: ['build'] }, cwd: project } as DebugProtocol.LaunchRequestArguments));
    assert.match(text, /cargo build --message-format=json failed \(exit code 101\); the compiler's messages are in the Debug Console/);
    assert.ok(output.some((o) => /mismatched types/.test(o)), `expected rustc's error in the output, got: ${output.join('')}`);
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('never forwards a request lldb-dap did not announce', async () => {
    dc = await startClient();
    await launchToMarker(dc, 'values', 'main');
    const text = await failureOf(dc.customRequest('stepBack', { threadId: 1 }));
    assert.match(text, /'stepBack' is not supported by .*so it was not sent/);
    const unknown = await failureOf(dc.customRequest('rustOffloadNoSuchRequest', {}));
    assert.match(unknown, /not sent/);
    // The session is still alive after both.
    const threads = await dc.threadsRequest();
    assert.ok(threads.body.threads.length >= 1);
  });
});
