// Benchmark: the Variables view at a stop in a program with a 1M-element Vec<u32>, a 100k-entry HashMap<String, u64> and 14 other locals — our session against lldb-dap-22 with the Rust toolchain's own LLDB formatters (what CodeLLDB loads) and lldb-dap-22 bare.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { LldbDapClient } from '../src/debug/lldb-dap-client';
import { findLldbDap } from '../src/debug/lldb-dap-discovery';
import { compileProgram, markerLine, sourceOf, toolchainEnv } from '../test/dap/support/programs';
import { report, row, type BenchRow } from './report';
import { eventWaiter, toolchainFormatters } from './direct-lldb-dap';

const PROGRAM = 'values_bench';
const ADAPTER = path.resolve(__dirname, '..', 'src', 'debug', 'adapter-main.js');
const STOPS = 4;

/** One debugger as the benchmark drives it: requests, the stopped event, and its processes. */
interface Side {
  name: string;
  /** Seconds any one step may take before the side is killed. */
  deadlineS: number;
  request<T = any>(command: string, args?: object): Promise<T>;
  nextStop(): Promise<number>;
  frameId: number;
  threadId: number;
  /** When the last stopped event arrived (ms, hrtime). */
  stoppedAt(): number;
  lldbDapPid(): number | undefined;
  /** Our adapter process (the extension host's share of memory when it runs inline). */
  adapterPid?(): number | undefined;
  /** The process whose tree is killed when the side does not answer in time. */
  rootPid(): number | undefined;
  close(): Promise<void>;
}

function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : NaN;
  } catch {
    return NaN; // gone
  }
}

/** A process and everything it started (lldb-dap → lldb-server → the debuggee; our adapter → lldb-dap → …), children first. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // The command name may hold spaces and parentheses: the parent pid is the second field after the last ')'.
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    return [root]; // no /proc (not Linux): the root only
  }
  const out: number[] = [];
  const visit = (pid: number): void => {
    for (const child of children.get(pid) ?? []) visit(child);
    out.push(pid);
  };
  visit(root);
  return out;
}

function killTree(root: number | undefined): void {
  if (root === undefined) return;
  for (const pid of processTree(root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A side that did not answer in time: it has been killed, and the rest of its rows say why. */
class NoAnswer extends Error {}

/** Per-request deadline (s) for the peers, and for our side a cap so a regression cannot hang the bench. */
const PEER_DEADLINE_S = positive(process.env.BENCH_PEER_DEADLINE_S, 60, 'BENCH_PEER_DEADLINE_S');
const OUR_DEADLINE_S = positive(process.env.BENCH_OUR_DEADLINE_S, 60, 'BENCH_OUR_DEADLINE_S');

function positive(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not '${text}'`);
  return n;
}

/**
 * Runs one step of a side under its deadline. When the step does not answer in time, the side's lldb-dap RSS at that
 * moment is taken, the side's processes (and its debuggee) are killed by pid, and NoAnswer says so.
 */
async function withinDeadline<T>(side: { name: string; deadlineS: number; lldbDapPid(): number | undefined; rootPid(): number | undefined }, what: string, step: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = step();
  attempt.catch(() => undefined); // a killed side's pending requests fail later; nobody waits for them
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const rss = rssBytes(side.lldbDapPid());
      killTree(side.rootPid());
      const at = Number.isNaN(rss) ? '' : ` (lldb-dap RSS ${(rss / 2 ** 30).toFixed(1)} GB at that moment)`;
      reject(new NoAnswer(`no answer to ${what} within ${side.deadlineS} s${at}; killed`));
    }, side.deadlineS * 1000);
  });
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, value];
}

/**
 * Our adapter as a standalone process on stdio (adapter-main), driven as VS Code drives it. `env` adds to its
 * environment (RUST_OFFLOAD_DIRECT_MEMORY=off: every read through lldb-dap, as on Windows and remote targets).
 */
async function ours(env: Record<string, string> = {}): Promise<Side> {
  const dc = new DebugClient('node', ADAPTER, 'rust-offload', { env: { ...toolchainEnv(), RUST_OFFLOAD_EVALUATION_TIMEOUT: '0', ...env } } as object);
  dc.defaultTimeout = 600_000;
  await dc.start();
  let lldbDapPid: number | undefined;
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    const pid = /using .* pid (\d+)/.exec(e.body.output);
    if (pid) lldbDapPid = Number(pid[1]);
  });
  const adapterPid = (): number | undefined => (dc as unknown as { _adapterProcess?: { pid?: number } })._adapterProcess?.pid;
  let stoppedAt = NaN;
  dc.on('stopped', () => (stoppedAt = nowMs()));
  const pids = { name: 'ours', deadlineS: OUR_DEADLINE_S, lldbDapPid: () => lldbDapPid, rootPid: adapterPid };
  const source = sourceOf(PROGRAM);
  const program = compileProgram(PROGRAM);
  const threadId = await withinDeadline(pids, 'launch to the first stop', async () => {
    const stopped = dc.waitForEvent('stopped', 600_000);
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: markerLine(source, 'stop') }] });
        await dc.configurationDoneRequest();
      }),
      dc
        .initializeRequest({ adapterID: 'rust-offload', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariableType: true, supportsMemoryReferences: true })
        .then(() => dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments)),
    ]);
    return ((await stopped).body as DebugProtocol.StoppedEvent['body']).threadId!;
  });
  const frameOf = async (): Promise<number> => (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].id;
  return {
    ...pids,
    request: async (command, args) => (await dc.customRequest(command, args)).body,
    nextStop: async () => {
      const next = dc.waitForEvent('stopped', 600_000);
      await dc.continueRequest({ threadId });
      await next;
      return frameOf();
    },
    frameId: await frameOf(),
    threadId,
    stoppedAt: () => stoppedAt,
    adapterPid,
    close: async () => {
      await Promise.race([dc.disconnectRequest({ terminateDebuggee: true }).catch(() => undefined), delay(10_000)]);
      await dc.stop().catch(() => undefined);
      killTree(adapterPid());
    },
  };
}

/** lldb-dap-22 spoken to directly, with the toolchain's formatters loaded as CodeLLDB loads them, or bare. */
async function direct(withFormatters: boolean): Promise<Side> {
  const found = await findLldbDap(process.env.RUST_OFFLOAD_LLDB_DAP);
  const c = new LldbDapClient(found.path, [], toolchainEnv());
  const waitFor = eventWaiter(c);
  let stoppedAt = NaN;
  c.on('event', (e: DebugProtocol.Event) => {
    if (e.event === 'stopped') stoppedAt = nowMs();
  });
  const pids = { name: withFormatters ? 'lldb-dap-22 + toolchain formatters' : 'lldb-dap-22 bare', deadlineS: PEER_DEADLINE_S, lldbDapPid: () => c.pid, rootPid: () => c.pid };
  const initCommands = withFormatters ? (toolchainFormatters() ?? []) : [];
  const program = compileProgram(PROGRAM);
  const source = sourceOf(PROGRAM);
  await withinDeadline(pids, 'launch to the first stop', async () => {
    const init = await c.request<DebugProtocol.InitializeResponse>('initialize', { adapterID: 'lldb-dap', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariableType: true, supportsMemoryReferences: true });
    c.capabilities = init.body ?? {};
    const launched = c.request('launch', { program, initCommands });
    await waitFor('initialized');
    await c.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line: markerLine(source, 'stop') }] });
    const stopped = waitFor('stopped');
    await c.request('configurationDone');
    await launched;
    await stopped;
  });
  const threadId = (await c.request<DebugProtocol.ThreadsResponse>('threads')).body.threads[0].id;
  const frameOf = async (): Promise<number> => (await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId, levels: 1 })).body.stackFrames[0].id;
  return {
    ...pids,
    request: async (command, args) => (await c.request(command, args)).body as any,
    nextStop: async () => {
      const next = waitFor('stopped');
      await c.request('continue', { threadId });
      await next;
      return frameOf();
    },
    frameId: await frameOf(),
    threadId,
    stoppedAt: () => stoppedAt,
    close: async () => {
      await Promise.race([c.request('disconnect', { terminateDebuggee: true }).catch(() => undefined), delay(10_000)]);
      killTree(c.pid);
      c.kill();
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** A figure, or why there is none (the side did not answer in time, or was killed before). */
type Figure = number | string;

interface Figures {
  locals: Figure;
  /** From the stopped event to the locals' answer: the client's stackTrace, scopes and variables, as VS Code asks them. */
  localsFromStop: Figure;
  /** Median of the locals request at stops 2..STOPS. */
  laterLocals: Figure;
  mPage: Figure;
  vPage: Figure;
  vLastPage: Figure;
  rssAfterStops: Figure;
  adapterRss: Figure;
  shown: Record<string, string>;
}

/** What VS Code does at a stop: scopes, then the first scope's variables. */
async function localsAt(side: Side, frameId: number): Promise<DebugProtocol.Variable[]> {
  const scopes = await side.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId });
  return (await side.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes.scopes[0].variablesReference })).variables;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each step under the side's deadline; after a side is killed, its remaining figures carry the reason. */
async function measure(create: () => Promise<Side>): Promise<Figures> {
  const figures: Figures = { localsFromStop: '-', locals: '-', laterLocals: '-', mPage: '-', vPage: '-', vLastPage: '-', rssAfterStops: '-', adapterRss: '-', shown: {} };
  let side: Side | undefined;
  let gone: string | undefined;
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<[number, T] | undefined> => {
    if (gone || !side) return undefined;
    try {
      return await withinDeadline(side, what, () => timed(fn));
    } catch (err) {
      gone = err instanceof NoAnswer ? err.message : `${what} failed: ${(err as Error).message}`;
      if (!(err instanceof NoAnswer)) killTree(side.rootPid());
      return undefined;
    }
  };
  const reason = (): string => `- (${gone ?? 'not measured'})`;
  try {
    side = await create();
  } catch (err) {
    gone = err instanceof NoAnswer ? err.message : `launch failed: ${(err as Error).message}`;
  }
  const s = side;
  const first = s ? await step('scopes+variables at the first stop', () => localsAt(s, s.frameId)) : undefined;
  figures.locals = first ? first[0] : reason();
  figures.localsFromStop = first && s ? nowMs() - s.stoppedAt() : reason();
  const variables = first?.[1] ?? [];
  figures.shown = Object.fromEntries(variables.map((v) => [v.name, v.value.slice(0, 80)]));
  const byName = new Map(variables.map((v) => [v.name, v]));
  const page = async (name: string, start: number): Promise<Figure> => {
    const v = byName.get(name);
    if (gone || !s) return reason();
    if (!v || v.variablesReference === 0) return `- (${name} has no children)`;
    const done = await step(`the page of ${name} at ${start}`, () => s.request('variables', { variablesReference: v.variablesReference, start, count: 100 }));
    return done ? done[0] : reason();
  };
  figures.mPage = await page('m', 0);
  figures.vPage = await page('v', 0);
  figures.vLastPage = await page('v', 1_000_000 - 100);
  const later: number[] = [];
  for (let stop = 2; stop <= STOPS && s && !gone; stop++) {
    const frame = await step(`continue to stop ${stop}`, () => s.nextStop());
    if (!frame) break;
    const locals = await step(`scopes+variables at stop ${stop}`, () => localsAt(s, frame[1]));
    if (locals) later.push(locals[0]);
  }
  figures.laterLocals = gone ? reason() : median(later);
  figures.rssAfterStops = gone || !s ? reason() : rssBytes(s.lldbDapPid());
  figures.adapterRss = gone || !s ? reason() : rssBytes(s.adapterPid?.());
  if (s) {
    if (gone) killTree(s.rootPid());
    else await s.close();
  }
  return figures;
}

const OUR_RUNS = Math.max(1, Math.round(positive(process.env.BENCH_VALUES_RUNS, 3, 'BENCH_VALUES_RUNS')));

/** Each figure's median over the runs (a run that has a reason instead of a figure gives the reason). */
function medianFigures(runs: Figures[]): Figures {
  const pick = (key: Exclude<keyof Figures, 'shown'>): Figure => {
    const values = runs.map((r) => r[key]);
    const reason = values.find((v) => typeof v === 'string');
    return reason ?? median(values as number[]);
  };
  return {
    locals: pick('locals'),
    localsFromStop: pick('localsFromStop'),
    laterLocals: pick('laterLocals'),
    mPage: pick('mPage'),
    vPage: pick('vPage'),
    vLastPage: pick('vLastPage'),
    rssAfterStops: pick('rssAfterStops'),
    adapterRss: pick('adapterRss'),
    shown: runs[0].shown,
  };
}

/** A row of ours against a peer whose figure may be the reason it has none. */
function against(metric: string, unit: string, ourFigure: Figure, peerFigure: Figure, peerName: string, scale = 1): BenchRow {
  const ourValue = typeof ourFigure === 'number' ? ourFigure / scale : NaN;
  const r = row(metric, unit, ourValue, typeof peerFigure === 'number' ? peerFigure / scale : null, { peerName });
  const notes = [typeof ourFigure === 'string' ? `ours: ${ourFigure}` : '', typeof peerFigure === 'string' ? `${peerName}: ${peerFigure}` : ''].filter(Boolean);
  if (notes.length) r.note = notes.join('; ');
  return r;
}

export async function run(): Promise<void> {
  const only = process.env.BENCH_VALUES_SIDES?.split(',');
  const wanted = (name: string): boolean => !only || only.includes(name);
  const skipped = (why: string): Figures => ({ localsFromStop: why, locals: why, laterLocals: why, mPage: why, vPage: why, vLastPage: why, rssAfterStops: why, adapterRss: why, shown: {} });
  // Ours is launched OUR_RUNS times and each figure is the median: one first stop is one sample, and this VM's runs
  // vary by tens of milliseconds (the peers' deadlines make running them more than once too slow).
  const ourRuns: Figures[] = [];
  for (let i = 0; i < OUR_RUNS; i++) ourRuns.push(await measure(() => ours()));
  const our = medianFigures(ourRuns);
  const throughLldb = wanted('through-lldb') ? await measure(() => ours({ RUST_OFFLOAD_DIRECT_MEMORY: 'off' })) : skipped('- (not run: BENCH_VALUES_SIDES)');
  const bare = wanted('bare') ? await measure(() => direct(false)) : skipped('- (not run: BENCH_VALUES_SIDES)');
  const formatted = wanted('formatters') ? await measure(() => direct(true)) : skipped('- (not run: BENCH_VALUES_SIDES)');

  const peer = 'lldb-dap-22 + toolchain formatters';
  const barePeer = 'lldb-dap-22 bare';
  const rows: BenchRow[] = [
    against(`scopes+variables, all locals, first stop (ours: median of ${OUR_RUNS} launches)`, 'ms', our.locals, formatted.locals, peer),
    against('  the same, lldb-dap-22 bare', 'ms', our.locals, bare.locals, barePeer),
    against('stopped event → all locals answered, first stop (stackTrace, scopes, variables)', 'ms', our.localsFromStop, bare.localsFromStop, barePeer),
    against(`scopes+variables, all locals, stops 2-${STOPS} (median)`, 'ms', our.laterLocals, formatted.laterLocals, peer),
    against('  the same, lldb-dap-22 bare', 'ms', our.laterLocals, bare.laterLocals, barePeer),
    against('first page of 100 children of m (HashMap, 100k)', 'ms', our.mPage, formatted.mPage, peer),
    against('  the same, lldb-dap-22 bare', 'ms', our.mPage, bare.mPage, barePeer),
    against('first page of 100 children of v (Vec, 1M)', 'ms', our.vPage, formatted.vPage, peer),
    against('  the same, lldb-dap-22 bare', 'ms', our.vPage, bare.vPage, barePeer),
    against('last page of v', 'ms', our.vLastPage, formatted.vLastPage, peer),
    against('  the same, lldb-dap-22 bare', 'ms', our.vLastPage, bare.vLastPage, barePeer),
    against(`lldb-dap RSS after ${STOPS} stops`, 'MB', our.rssAfterStops, formatted.rssAfterStops, peer, 2 ** 20),
    against('  the same, lldb-dap-22 bare', 'MB', our.rssAfterStops, bare.rssAfterStops, barePeer, 2 ** 20),
    against('ours with every read through lldb-dap (RUST_OFFLOAD_DIRECT_MEMORY=off, as on Windows): first stop', 'ms', throughLldb.locals, bare.locals, barePeer),
    against(`  the same, stops 2-${STOPS} (median)`, 'ms', throughLldb.laterLocals, bare.laterLocals, barePeer),
    against('  the same, first page of 100 children of m', 'ms', throughLldb.mPage, bare.mPage, barePeer),
    against('  the same, last page of v', 'ms', throughLldb.vLastPage, bare.vLastPage, barePeer),
    row(`our adapter process RSS after ${STOPS} stops (session, workers, type tables, caches)`, 'MB', typeof our.adapterRss === 'number' ? our.adapterRss / 2 ** 20 : NaN, null, typeof our.adapterRss === 'string' ? { note: our.adapterRss } : {}),
  ];
  console.log('what each side shows for the locals at the first stop (first 80 characters):');
  const names = [...new Set([...Object.keys(our.shown), ...Object.keys(formatted.shown), ...Object.keys(bare.shown)])];
  for (const name of names) {
    console.log(`  ${name}: ours ${JSON.stringify(our.shown[name] ?? '-')} | formatters ${JSON.stringify(formatted.shown[name] ?? '-')} | bare ${JSON.stringify(bare.shown[name] ?? '-')}`);
  }
  report('values', rows);
}
