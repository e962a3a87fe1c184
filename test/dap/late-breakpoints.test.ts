// Function breakpoints in a library the program loads later: unbound at first, bound through our index when its symbols load, announced with a breakpoint event.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { buildDir, compileProgram, markerLine, sourceOf, toolchainEnv } from './support/programs';

/** test/programs/plugin.rs as a shared library (cached by source hash, like compileProgram). */
function compilePlugin(): string {
  const source = sourceOf('plugin');
  const hash = crypto.createHash('sha1').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  const out = path.join(buildDir, `libplugin-${hash}.so`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(buildDir, { recursive: true });
    execFileSync('rustc', ['-g', '-C', 'opt-level=0', '--edition=2021', '--crate-type', 'cdylib', '-o', out, source], { env: toolchainEnv(), stdio: 'pipe' });
  }
  return out;
}

describe('function breakpoints in a library loaded later', function () {
  this.timeout(240_000);
  let dc: DebugClient | undefined;
  afterEach(() => stopQuietly(dc));

  it('a Rust path lldb cannot bind (every instance of a generic) binds once the library loads, and stops in each instance', async function () {
    if (process.platform !== 'linux') this.skip(); // the host program loads its library with dlopen
    const library = compilePlugin();
    const program = compileProgram('plugin_host');
    const client = await startClient();
    dc = client;
    const changed: DebugProtocol.BreakpointEvent['body'][] = [];
    client.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => changed.push(e.body));

    let early: DebugProtocol.Breakpoint | undefined;
    const hostSource = sourceOf('plugin_host');
    await Promise.all([
      client.waitForEvent('initialized', WAIT_MS).then(async () => {
        // Only lldb's name lookup can take it now, and lldb matches a generic function only with its arguments.
        early = (await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'plugin::inner::work' }] })).body.breakpoints[0];
        await client.setBreakpointsRequest({ source: { path: hostSource }, breakpoints: [{ line: markerLine(hostSource, 'loaded') }] });
        await client.configurationDoneRequest();
      }),
      initializeLikeVsCode(client).then(() => client.launchRequest({ program, args: [library] } as DebugProtocol.LaunchRequestArguments)),
      client.waitForEvent('stopped', WAIT_MS),
    ]);
    assert.ok(early, 'setFunctionBreakpoints answered');
    assert.strictEqual(early.verified, false, JSON.stringify(early));
    assert.match(early.message ?? '', /not found in the loaded symbols yet; it binds when a module that has it loads/);
    assert.notStrictEqual(early.id, undefined, 'the client needs an id to hear about the breakpoint later');

    // Stopped after dlopen: the library's symbols load as a future, then the breakpoint binds under the same id.
    const deadline = Date.now() + WAIT_MS;
    while (!changed.some((c) => c.breakpoint.id === early!.id && c.breakpoint.verified)) {
      if (Date.now() > deadline) throw new Error(`no breakpoint event bound ${early.id}; events: ${JSON.stringify(changed)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const bound = changed.find((c) => c.breakpoint.id === early!.id && c.breakpoint.verified)!;
    assert.strictEqual(bound.reason, 'changed');
    assert.strictEqual(bound.breakpoint.line, markerLine(sourceOf('plugin'), 'work'));
    assert.match(bound.breakpoint.message ?? '', /2 locations/);

    // Both instances stop, past their prologue: the argument holds what plugin_entry passed.
    const values: string[] = [];
    let stop = await currentStop(client);
    for (let i = 0; i < 2; i++) {
      const stopped = client.waitForEvent('stopped', WAIT_MS);
      await client.continueRequest({ threadId: stop.threadId });
      await stopped;
      stop = await currentStop(client);
      assert.strictEqual(stop.frames[0].line, markerLine(sourceOf('plugin'), 'work'), JSON.stringify(stop.frames[0]));
      values.push((await client.evaluateRequest({ expression: 'x', frameId: stop.frameId, context: 'watch' })).body.result);
    }
    assert.deepStrictEqual(values, ['21', '21']);
    const exited = client.waitForEvent('exited', WAIT_MS);
    await client.continueRequest({ threadId: stop.threadId });
    assert.strictEqual(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  });
});
