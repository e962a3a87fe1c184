// Post-mortem debugging of Windows x64 MSVC Rust programs: a real crash under wine dumped by our full-memory writer (AeDebug), opened with "coreFile" through lldb-dap-22 with no wine at analysis time.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { initializeLikeVsCode, startClient, stopQuietly } from '../dap/support/client';
import { markerLine } from '../dap/support/programs';
import { printedValues } from '../dap/support/values-oracle-program';
import { buildDumpWriter, crashToDump, registerDumpWriter, type Crash } from '../support/minidump-writer';
import type { MsvcToolchain } from '../support/msvc-programs';
import { endWineserver, type Wine } from '../support/wine-debug';
import { figures, framesOf, openDump, requireWine, sourcePath, windowsProgram } from './support';

describe('Windows x64 MSVC post-mortem: a minidump of a real crash, opened with coreFile', function () {
  this.timeout(30 * 60_000);
  let wine: Wine;
  let dc: DebugClient | undefined;
  const dirs: string[] = [];
  const crashes = new Map<MsvcToolchain, { exe: string; crash: Crash }>();

  before(async function () {
    wine = await requireWine(this);
    await registerDumpWriter(wine, await buildDumpWriter());
  });
  afterEach(async () => {
    await stopQuietly(dc);
    dc = undefined;
  });
  after(async () => {
    if (wine) await endWineserver(wine.prefix);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    if (figures.length) console.log(`\n      Windows post-mortem figures (this machine, this run):\n${figures.splice(0).map((f) => `        ${f}`).join('\n')}`);
  });

  /** crash.rs built with the toolchain, crashed under wine once per run, and its dump. */
  async function crashed(toolchain: MsvcToolchain): Promise<{ exe: string; crash: Crash }> {
    const known = crashes.get(toolchain);
    if (known) return known;
    const { exe } = await windowsProgram('crash', toolchain);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-dump-'));
    dirs.push(dir);
    const crash = await crashToDump(wine, exe, dir);
    figures.push(`Rust ${toolchain}: crash to complete full-memory dump under wine: ${crash.ms} ms (${(fs.statSync(crash.dump).size / 1e6).toFixed(1)} MB)`);
    crashes.set(toolchain, { exe, crash });
    return { exe, crash };
  }

  for (const toolchain of ['1.96', '1.63'] as MsvcToolchain[]) {
    it(`Rust ${toolchain}: the stack to the faulting line, the access violation, and heap values equal to the program's {:?}`, async () => {
      const { exe, crash } = await crashed(toolchain);
      const printed = printedValues(crash.output);
      assert.deepStrictEqual([...printed.keys()], ['values', 'name'], `the program printed its values before crashing: ${crash.output}`);
      const source = sourcePath('crash');
      dc = await startClient();
      const opened = Date.now();
      const stop = await openDump(dc, exe, crash.dump);
      const frames = await framesOf(dc, stop.threadId!);
      figures.push(`Rust ${toolchain}: post-mortem open (attach coreFile to the first stack): ${Date.now() - opened} ms`);

      // The exception: the stop (lldb-dap's "entry", ours "exception") and exceptionInfo name the access violation
      // (0xc0000005) at the faulting instruction.
      assert.strictEqual(stop.reason, 'exception', JSON.stringify(stop));
      assert.match(stop.description ?? '', /^Exception 0xc0000005 encountered at address 0x[0-9a-f]+$/, JSON.stringify(stop));
      const info = (await dc.customRequest('exceptionInfo', { threadId: stop.threadId })).body as DebugProtocol.ExceptionInfoResponse['body'];
      assert.strictEqual(info.description, stop.description, JSON.stringify(info));
      assert.strictEqual(Number(frames[0].instructionPointerReference), Number(/address (0x[0-9a-f]+)/.exec(stop.description!)![1]), 'the top frame is the faulting instruction');

      // The stack: the faulting write (core's write_volatile, not inlined at opt-level 0) in crash::crash at its line, called from main.
      const names = frames.map((f) => f.name);
      const at = names.indexOf('crash::crash');
      assert.ok(at >= 0 && at <= 1, names.join(' < '));
      assert.strictEqual(frames[at].line, markerLine(source, 'crash'), JSON.stringify(frames[at]));
      assert.strictEqual(frames[at].source?.path, source);
      assert.strictEqual(frames[at + 1].name, 'crash::main', names.join(' < '));
      assert.ok(names.includes('msvc_rt::run'), names.join(' < '));

      // Heap values: main's Vec<u64> and String, read from the dump's memory, as the program printed them.
      const scopes = (await dc.scopesRequest({ frameId: frames[at + 1].id })).body.scopes;
      const locals = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
      for (const [name, expected] of printed) {
        assert.strictEqual(locals.find((l) => l.name === name)?.value, expected, `${name} in ${JSON.stringify(locals.map((l) => [l.name, l.value]))}`);
      }
      // And through the crashing frame's references to them.
      const crashScopes = (await dc.scopesRequest({ frameId: frames[at].id })).body.scopes;
      const crashLocals = (await dc.variablesRequest({ variablesReference: crashScopes[0].variablesReference })).body.variables;
      assert.strictEqual(crashLocals.find((l) => l.name === 'name')?.value, printed.get('name'), JSON.stringify(crashLocals));
      const evaluated = await dc.evaluateRequest({ expression: 'values[5]', frameId: frames[at].id, context: 'watch' });
      assert.strictEqual(evaluated.body.result, String(6 * 0x1111_1111));
    });
  }

  it('a truncated dump and a file that is not a minidump are refused with a clear error', async () => {
    const { exe, crash } = await crashed('1.96');
    const cut = path.join(path.dirname(crash.dump), 'cut.dmp');
    fs.writeFileSync(cut, fs.readFileSync(crash.dump).subarray(0, Math.floor(fs.statSync(crash.dump).size / 2)));
    const attachError = async (dump: string): Promise<string> => {
      dc = await startClient();
      await initializeLikeVsCode(dc);
      const message = await dc.attachRequest({ program: exe, coreFile: dump } as DebugProtocol.AttachRequestArguments).then(
        () => 'attached',
        (err: Error) => err.message,
      );
      await stopQuietly(dc);
      dc = undefined;
      return message;
    };
    assert.match(await attachError(cut), /the minidump '.*cut\.dmp' is truncated \(\d+ bytes\): .* lies past its end/);
    assert.match(await attachError(exe), /is neither a Windows minidump \(no MDMP signature\) nor an ELF core/);
  });
});
