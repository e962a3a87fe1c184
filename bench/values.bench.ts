// Benchmark: the Variables view at a stop in a program with a 1M-element Vec<u32>, a 100k-entry HashMap<String, u64> and 14 other locals — our session against lldb-dap-22 with the Rust toolchain's own LLDB formatters (what CodeLLDB loads) and lldb-dap-22 bare.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { LldbDapClient } from '../src/debug/lldb-dap-client';
import { findLldbDap } from '../src/debug/lldb-dap-discovery';
import { compileProgram, markerLine, sourceOf, toolchainEnv } from '../test/dap/support/programs';
import { report, row, type BenchRow } from './report';

const PROGRAM = 'values_bench';
const ADAPTER = path.resolve(__dirname, '..', 'src', 'debug', 'adapter-main.js');
const STOPS = 4;

/** One debugger as the benchmark drives it: requests, the stopped event, and its lldb-dap's pid. */
interface Side {
  name: string;
  request<T = any>(command: string, args?: object): Promise<T>;
  nextStop(): Promise<number>;
  frameId: number;
  threadId: number;
  lldbDapPid(): number | undefined;
  /** Our adapter process (the extension host's share of memory when it runs inline). */
  adapterPid?(): number | undefined;
  close(): Promise<void>;
}

function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status);
  return kb ? Number(kb[1]) * 1024 : NaN;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, value];
}

/** Our adapter as a standalone process on stdio (adapter-main), driven as VS Code drives it. */
async function ours(): Promise<Side> {
  const dc = new DebugClient('node', ADAPTER, 'rust-offload', { env: { ...toolchainEnv(), RUST_OFFLOAD_EVALUATION_TIMEOUT: '0' } } as object);
  dc.defaultTimeout = 600_000;
  await dc.start();
  let lldbDapPid: number | undefined;
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    const pid = /using .* pid (\d+)/.exec(e.body.output);
    if (pid) lldbDapPid = Number(pid[1]);
  });
  const source = sourceOf(PROGRAM);
  const stopped = dc.waitForEvent('stopped', 600_000);
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: markerLine(source, 'stop') }] });
      await dc.configurationDoneRequest();
    }),
    dc
      .initializeRequest({ adapterID: 'rust-offload', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariableType: true, supportsMemoryReferences: true })
      .then(() => dc.launchRequest({ program: compileProgram(PROGRAM) } as DebugProtocol.LaunchRequestArguments)),
  ]);
  const threadId = ((await stopped).body as DebugProtocol.StoppedEvent['body']).threadId!;
  const frameOf = async (): Promise<number> => (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].id;
  return {
    name: 'ours',
    request: async (command, args) => (await dc.customRequest(command, args)).body,
    nextStop: async () => {
      const next = dc.waitForEvent('stopped', 600_000);
      await dc.continueRequest({ threadId });
      await next;
      return frameOf();
    },
    frameId: await frameOf(),
    threadId,
    lldbDapPid: () => lldbDapPid,
    adapterPid: () => (dc as unknown as { _adapterProcess?: { pid?: number } })._adapterProcess?.pid,
    close: async () => {
      await dc.disconnectRequest({ terminateDebuggee: true }).catch(() => undefined);
      await dc.stop();
    },
  };
}

/** lldb-dap-22 spoken to directly, with the toolchain's formatters loaded as CodeLLDB loads them, or bare. */
async function direct(withFormatters: boolean): Promise<Side> {
  const found = await findLldbDap(process.env.RUST_OFFLOAD_LLDB_DAP);
  const c = new LldbDapClient(found.path, [], toolchainEnv());
  const events: DebugProtocol.Event[] = [];
  const waiters: Array<{ name: string; resolve(e: DebugProtocol.Event): void }> = [];
  c.on('event', (e: DebugProtocol.Event) => {
    const i = waiters.findIndex((w) => w.name === e.event);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(e);
    else events.push(e);
  });
  const waitFor = (name: string): Promise<DebugProtocol.Event> => {
    const i = events.findIndex((e) => e.event === name);
    if (i >= 0) return Promise.resolve(events.splice(i, 1)[0]);
    return new Promise((resolve) => waiters.push({ name, resolve }));
  };
  const init = await c.request<DebugProtocol.InitializeResponse>('initialize', { adapterID: 'lldb-dap', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariableType: true, supportsMemoryReferences: true });
  c.capabilities = init.body ?? {};
  const etc = path.join(execFileSync('rustc', ['--print', 'sysroot'], { env: toolchainEnv() }).toString().trim(), 'lib', 'rustlib', 'etc');
  const initCommands = withFormatters ? [`command script import "${path.join(etc, 'lldb_lookup.py')}"`, `command source -s 0 "${path.join(etc, 'lldb_commands')}"`] : [];
  const launched = c.request('launch', { program: compileProgram(PROGRAM), initCommands });
  await waitFor('initialized');
  const source = sourceOf(PROGRAM);
  await c.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line: markerLine(source, 'stop') }] });
  const stopped = waitFor('stopped');
  await c.request('configurationDone');
  await launched;
  await stopped;
  const threadId = (await c.request<DebugProtocol.ThreadsResponse>('threads')).body.threads[0].id;
  const frameOf = async (): Promise<number> => (await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId, levels: 1 })).body.stackFrames[0].id;
  return {
    name: withFormatters ? 'lldb-dap-22 + toolchain formatters' : 'lldb-dap-22 bare',
    request: async (command, args) => (await c.request(command, args)).body as any,
    nextStop: async () => {
      const next = waitFor('stopped');
      await c.request('continue', { threadId });
      await next;
      return frameOf();
    },
    frameId: await frameOf(),
    threadId,
    lldbDapPid: () => c.pid,
    close: async () => {
      await c.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
      c.kill();
    },
  };
}

interface Figures {
  locals: number;
  mPage: number;
  vPage: number;
  vLastPage: number;
  rssAfterStops: number;
  adapterRss: number;
  shown: Record<string, string>;
}

/** What VS Code does at a stop: scopes, then the first scope's variables. */
async function localsAt(side: Side, frameId: number): Promise<DebugProtocol.Variable[]> {
  const scopes = await side.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId });
  return (await side.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes.scopes[0].variablesReference })).variables;
}

async function measure(side: Side): Promise<Figures> {
  const [locals, variables] = await timed(() => localsAt(side, side.frameId));
  const byName = new Map(variables.map((v) => [v.name, v]));
  const page = async (name: string, start: number): Promise<number> => {
    const v = byName.get(name);
    if (!v || v.variablesReference === 0) return NaN;
    const [ms] = await timed(() => side.request('variables', { variablesReference: v.variablesReference, start, count: 100 }));
    return ms;
  };
  const mPage = await page('m', 0);
  const vPage = await page('v', 0);
  const vLastPage = await page('v', 1_000_000 - 100);
  for (let stop = 1; stop < STOPS; stop++) await localsAt(side, await side.nextStop());
  return { locals, mPage, vPage, vLastPage, rssAfterStops: rssBytes(side.lldbDapPid()), adapterRss: rssBytes(side.adapterPid?.()), shown: Object.fromEntries(variables.map((v) => [v.name, v.value.slice(0, 80)])) };
}

export async function run(): Promise<void> {
  const oursSide = await ours();
  const our = await measure(oursSide);
  await oursSide.close();
  const bareSide = await direct(false);
  const bare = await measure(bareSide);
  await bareSide.close();
  const formattedSide = await direct(true);
  const formatted = await measure(formattedSide);
  await formattedSide.close();

  const peer = 'lldb-dap-22 + toolchain formatters';
  const rows: BenchRow[] = [
    row('scopes+variables, all locals, first stop', 'ms', our.locals, formatted.locals, { peerName: peer }),
    row('  the same, lldb-dap-22 bare', 'ms', our.locals, bare.locals, { peerName: 'lldb-dap-22 bare' }),
    row('first page of 100 children of m (HashMap, 100k)', 'ms', our.mPage, formatted.mPage, { peerName: peer }),
    row('first page of 100 children of v (Vec, 1M)', 'ms', our.vPage, formatted.vPage, { peerName: peer }),
    row('last page of v', 'ms', our.vLastPage, formatted.vLastPage, { peerName: peer }),
    row(`lldb-dap RSS after ${STOPS} stops`, 'MB', our.rssAfterStops / 2 ** 20, formatted.rssAfterStops / 2 ** 20, { peerName: peer }),
    row(`  the same, lldb-dap-22 bare`, 'MB', our.rssAfterStops / 2 ** 20, bare.rssAfterStops / 2 ** 20, { peerName: 'lldb-dap-22 bare' }),
    row('our adapter process RSS after 4 stops (session, workers, type tables, caches)', 'MB', our.adapterRss / 2 ** 20, null),
  ];
  console.log('what each side shows for the locals (first 80 characters):');
  for (const name of Object.keys(our.shown)) console.log(`  ${name}: ours ${JSON.stringify(our.shown[name])} | formatters ${JSON.stringify(formatted.shown[name] ?? '-')}`);
  report('values', rows);
}
