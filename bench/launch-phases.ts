// Benchmark rows for `dap`: launch → first stop of our inline session against lldb-dap-22 alone, phase by phase, on the example crate and the 222 MB-DWARF binary, with line and function breakpoints.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ThreadPoolExecutor } from '../src/futures';
import { LldbDapClient } from '../src/debug/lldb-dap-client';
import { findLldbDap } from '../src/debug/lldb-dap-discovery';
import { RustDebugSession } from '../src/debug/rust-debug-session';
import { MODULES_REQUEST, type ModuleSymbolsInfo } from '../src/debug/session-symbols';
import { DEFAULT_SYMBOL_CACHE_MINUTES, sharedModuleCache } from '../src/symbols/loaded-module-cache';
import { InlineClient } from '../test/dap/support/inline-client';
import { toolchainEnv } from '../test/dap/support/programs';
import { row, type BenchRow } from './report';
import { bigBinary } from './symbols.bench';
import { eventWaiter } from './direct-lldb-dap';

/** One launch, timed from the initialize request: when each phase's answer came (ms). */
export interface LaunchTimes {
  initialize: number;
  initialized: number;
  breakpoints: number;
  configurationDone: number;
  stopped: number;
  /** When the first stop's locals were answered (threads, the top frame, its scopes, the first scope's variables), as VS Code asks after a stop. */
  variables: number;
  /** Ours only: when every module's symbols had settled (after the stop when they settle later). */
  symbols?: number;
}

/** Where to stop: a line (`file`, `line`) or a function by name. */
export type StopAt = { file: string; line: number } | { function: string };

interface Program {
  label: string;
  program: string;
  line: StopAt;
  func: StopAt;
  /** The same function as lldb's own by-name breakpoint would name it, for lldb-dap alone. */
  lldbFunc: StopAt;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** What VS Code asks right after a stop, up to the locals of the top frame. */
async function firstLocals(send: (command: string, args: unknown) => Promise<unknown>, threadId: number): Promise<void> {
  await send('threads', {});
  const frames = (await send('stackTrace', { threadId, startFrame: 0, levels: 20 })) as DebugProtocol.StackTraceResponse['body'];
  const scopes = (await send('scopes', { frameId: frames.stackFrames[0].id })) as DebugProtocol.ScopesResponse['body'];
  await send('variables', { variablesReference: scopes.scopes[0].variablesReference });
}

/** Sends the breakpoint of `at` through `send` (either side speaks the same DAP). */
async function setStop(send: (command: string, args: unknown) => Promise<unknown>, at: StopAt): Promise<void> {
  if ('function' in at) await send('setFunctionBreakpoints', { breakpoints: [{ name: at.function }] });
  else await send('setBreakpoints', { source: { path: at.file }, breakpoints: [{ line: at.line }] });
}

/**
 * Our session as the extension runs it (inline, a fresh executor and no symbols kept from the last run, as on a
 * window's first F5; what the process remembers of lldb-dap and rustc stays, as for a window's later F5s).
 */
export async function oursOnce(program: string, at: StopAt): Promise<LaunchTimes> {
  // Every run reads the symbols afresh, as on a window's first F5: the window's cache of the last run is dropped.
  sharedModuleCache.configure({ idleMs: 0 });
  sharedModuleCache.configure({ idleMs: DEFAULT_SYMBOL_CACHE_MINUTES * 60_000 });
  const executor = new ThreadPoolExecutor({ maxWorkers: 2, modulesRoot: path.resolve(__dirname, '..', 'src') });
  const session = new RustDebugSession({ executor, sessionId: 'launch-bench', env: toolchainEnv(), evaluationTimeout: 0 });
  const client = new InlineClient(session);
  const t0 = performance.now();
  const since = (): number => performance.now() - t0;
  try {
    const initializedEvent = client.waitFor('initialized');
    const stoppedEvent = client.waitFor('stopped');
    await client.send('initialize', { adapterID: 'rust-offload', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true });
    const initialize = since();
    const launched = client.send('launch', { program, stopOnEntry: false });
    await initializedEvent;
    const initialized = since();
    await setStop((c, a) => client.send(c, a), at);
    const breakpoints = since();
    await client.send('configurationDone');
    const configurationDone = since();
    await launched;
    const stop = await stoppedEvent;
    const stopped = since();
    await firstLocals((c, a) => client.send(c, a), (stop.body as DebugProtocol.StoppedEvent['body']).threadId!);
    const variables = since();
    for (;;) {
      const modules = (await client.send<{ modules: ModuleSymbolsInfo[] }>(MODULES_REQUEST)).modules;
      if (modules.length > 0 && modules.every((m) => m.status !== 'loading')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { initialize, initialized, breakpoints, configurationDone, stopped, variables, symbols: since() };
  } finally {
    await client.send('disconnect', { terminateDebuggee: true }).catch(() => undefined);
    session.dispose();
    await executor.shutdown({ wait: true, cancelFutures: true });
  }
}

/** lldb-dap-22 spoken to directly, the same requests in the same order. */
export async function lldbOnce(program: string, at: StopAt): Promise<LaunchTimes> {
  const found = await findLldbDap(process.env.RUST_OFFLOAD_LLDB_DAP);
  const t0 = performance.now();
  const since = (): number => performance.now() - t0;
  const c = new LldbDapClient(found.path);
  const waitFor = eventWaiter(c);
  try {
    const init = await c.request<DebugProtocol.InitializeResponse>('initialize', { adapterID: 'lldb-dap', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    c.capabilities = init.body ?? {};
    const initialize = since();
    const launched = c.request('launch', { program });
    await waitFor('initialized');
    const initialized = since();
    await setStop((command, args) => c.request(command, args), at);
    const breakpoints = since();
    const stoppedEvent = waitFor('stopped');
    await c.request('configurationDone');
    const configurationDone = since();
    await launched;
    const stop = await stoppedEvent;
    const stopped = since();
    await firstLocals((command, args) => c.request<DebugProtocol.Response>(command, args).then((r) => r.body), (stop.body as DebugProtocol.StoppedEvent['body']).threadId!);
    return { initialize, initialized, breakpoints, configurationDone, stopped, variables: since() };
  } finally {
    await c.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
    c.kill();
  }
}

function describe(t: LaunchTimes): string {
  const f = (n: number | undefined): string => (n === undefined ? '-' : String(Math.round(n)));
  return `initialize ${f(t.initialize)}, initialized ${f(t.initialized)}, breakpoints ${f(t.breakpoints)}, configurationDone ${f(t.configurationDone)}, stopped ${f(t.stopped)}, locals ${f(t.variables)}, symbols ${f(t.symbols)}`;
}

/** The example crate built with cargo in a temp copy (its target/ stays out of the source tree). */
export function exampleCrate(): { program: string; source: string } {
  const src = path.resolve(__dirname, '..', '..', 'example');
  const dir = path.join(os.tmpdir(), 'rust-offload-bench', 'example');
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(src, dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}target`) });
  execFileSync('cargo', ['build', '--quiet', '--offline'], { cwd: dir, env: toolchainEnv(), stdio: 'inherit' });
  return { program: path.join(dir, 'target', 'debug', 'warehouse'), source: path.join(dir, 'src', 'main.rs') };
}

export function lineOf(file: string, pattern: RegExp): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`no line matching ${pattern} in ${file}`);
  return i + 1;
}

/**
 * Launch → first stop, ours against lldb-dap-22 alone, alternating side by side `runs` times per program, with a
 * line breakpoint and with a function breakpoint (ours by Rust path, lldb's by the name its own lookup binds).
 */
export async function launchRows(rows: BenchRow[], runs = 3): Promise<void> {
  const example = exampleCrate();
  const big = bigBinary();
  const bigSource = path.join(path.dirname(big), 'big.rs');
  const programs: Program[] = [
    {
      label: 'example crate',
      program: example.program,
      line: { file: example.source, line: lineOf(example.source, /let mut warehouse = Warehouse::new/) },
      // A free function: lldb's name lookup does not bind methods (their DWARF parent is `{impl#0}`).
      func: { function: 'warehouse::main' },
      lldbFunc: { function: 'warehouse::main' },
    },
    {
      label: '222 MB-DWARF binary',
      program: big,
      line: { file: bigSource, line: lineOf(bigSource, /^fn main\(\)/) },
      func: { function: 'big::m0::entry' },
      lldbFunc: { function: 'big::m0::entry' },
    },
  ];
  for (const p of programs) {
    for (const kind of ['line', 'function'] as const) {
      const ours: LaunchTimes[] = [];
      const peer: LaunchTimes[] = [];
      // One warm-up each (page cache, lldb's first start), then alternate so that load on the machine weighs on both.
      await oursOnce(p.program, kind === 'line' ? p.line : p.func);
      await lldbOnce(p.program, kind === 'line' ? p.line : p.lldbFunc);
      for (let i = 0; i < runs; i++) {
        ours.push(await oursOnce(p.program, kind === 'line' ? p.line : p.func));
        peer.push(await lldbOnce(p.program, kind === 'line' ? p.line : p.lldbFunc));
      }
      for (const t of ours) console.log(`ours ${p.label} ${kind}: ${describe(t)}`);
      for (const t of peer) console.log(`lldb-dap ${p.label} ${kind}: ${describe(t)}`);
      const phase = (k: keyof LaunchTimes, of: LaunchTimes[]): number => median(of.map((t) => t[k] ?? NaN));
      const note = ['initialize', 'initialized', 'breakpoints', 'configurationDone'].map((k) => `${k} ${Math.round(phase(k as keyof LaunchTimes, ours))}/${Math.round(phase(k as keyof LaunchTimes, peer))}`).join(', ');
      rows.push(row(`launch → first stop at a ${kind === 'line' ? 'line' : 'function (ours by Rust path, lldb by name)'} breakpoint, ${p.label}`, 'ms', phase('stopped', ours), phase('stopped', peer), {
        peerName: 'lldb-dap-22 alone',
        note: `medians of ${runs}, alternating; phases ours/peer ms: ${note}; first locals ${Math.round(phase('variables', ours))}/${Math.round(phase('variables', peer))}; our symbols ready at ${Math.round(phase('symbols', ours))} ms; goal ≤ 1.1x`,
      }));
    }
  }
}
