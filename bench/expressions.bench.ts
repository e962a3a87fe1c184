// Benchmark: Rust expressions in our session (inline as VS Code runs it, and as a standalone adapter process) against lldb-dap-22 spoken to directly, with and without the Rust toolchain's LLDB formatters, at the same stop of test/programs/expressions.rs.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LldbDapClient } from '../src/debug/lldb-dap-client';
import { findLldbDap } from '../src/debug/lldb-dap-discovery';
import { compileProgram, markerLine, sourceOf } from '../test/dap/support/programs';
import { report, row, type BenchRow } from './report';
import { eventWaiter, toolchainFormatters } from './direct-lldb-dap';
import { inlineSession, standaloneSession } from './our-session';

const PROGRAM = 'expressions';
const MARKER = 'expressions';
/** Few samples: the machine is shared while this is checked; the lead's quiet run may raise it with BENCH_SAMPLES. */
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);

interface Side {
  /** Milliseconds of one evaluate, and whether it succeeded. */
  evaluate(expression: string, context?: string): Promise<{ ms: number; ok: boolean; text: string }>;
  close(): Promise<void>;
}

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * p50 of `n` evaluations of `expression` on each side, the sides taking turns (one evaluation each per round), so a
 * shared machine's changing load falls on all of them alike. The first evaluation of each is left out (and shown).
 */
async function sample(sides: Side[], expression: string, n: number, context = 'watch'): Promise<Array<{ p50: number; ok: boolean; text: string }>> {
  const firsts: Array<{ ok: boolean; text: string }> = [];
  for (const side of sides) firsts.push(await side.evaluate(expression, context));
  const times: number[][] = sides.map(() => []);
  for (let i = 0; i < n; i++) for (let k = 0; k < sides.length; k++) times[k].push((await sides[k].evaluate(expression, context)).ms);
  return sides.map((_, k) => ({ p50: p50(times[k]), ok: firsts[k].ok, text: firsts[k].text }));
}

/**
 * The first evaluation of `expression` in a stop, n times on each side (taking turns): before each, a native
 * expression starts a new stop as far as caches go (ours drops every read kept for the stop, in the adapter and in
 * the workers; lldb-dap is asked the same).
 */
async function sampleCold(sides: Array<{ side: Side; flush: string }>, expression: string, n: number): Promise<number[]> {
  const times: number[][] = sides.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < sides.length; k++) {
      await sides[k].side.evaluate(sides[k].flush, 'repl');
      times[k].push((await sides[k].side.evaluate(expression, 'watch')).ms);
    }
  }
  return times.map(p50);
}

/** Times one evaluate through `send`, and says whether it succeeded. */
function timedEvaluate(send: (expression: string, context: string) => Promise<string>): Side['evaluate'] {
  return async (expression, context = 'watch') => {
    const start = process.hrtime.bigint();
    try {
      const text = await send(expression, context);
      return { ms: Number(process.hrtime.bigint() - start) / 1e6, ok: true, text };
    } catch (err) {
      return { ms: Number(process.hrtime.bigint() - start) / 1e6, ok: false, text: (err as Error).message };
    }
  };
}

/** The session as the extension runs it: inline in this process (VS Code's extension host), on a shared executor. */
async function inline(): Promise<Side> {
  const { client, frameId, close } = await inlineSession(PROGRAM, MARKER);
  return {
    evaluate: timedEvaluate(async (expression, context) => (await client.send<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, frameId, context })).result),
    close,
  };
}

/** The same session as a standalone adapter process on stdio: one process hop more than VS Code has. */
async function ours(): Promise<Side> {
  const { client: dc, frameId, close } = await standaloneSession(PROGRAM, MARKER);
  return {
    evaluate: timedEvaluate(async (expression, context) => (await dc.evaluateRequest({ expression, frameId, context })).body.result),
    close,
  };
}

/** lldb-dap-22 spoken to directly, bare or with the toolchain's formatters as initCommands. */
async function direct(initCommands?: string[]): Promise<Side> {
  const found = await findLldbDap(process.env.RUST_OFFLOAD_LLDB_DAP);
  const c = new LldbDapClient(found.path);
  const waitFor = eventWaiter(c);
  const init = await c.request<DebugProtocol.InitializeResponse>('initialize', { adapterID: 'lldb-dap', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  c.capabilities = init.body ?? {};
  const launched = c.request('launch', { program: compileProgram(PROGRAM), ...(initCommands ? { initCommands } : {}) });
  await waitFor('initialized');
  const source = sourceOf(PROGRAM);
  await c.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line: markerLine(source, MARKER) }] });
  const stopped = waitFor('stopped');
  await c.request('configurationDone');
  await launched;
  await stopped;
  const threadId = (await c.request<DebugProtocol.ThreadsResponse>('threads')).body.threads[0].id;
  const frameId = (await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId, levels: 1 })).body.stackFrames[0].id;
  return {
    evaluate: timedEvaluate(async (expression, context) => (await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression, frameId, context })).body?.result ?? ''),
    close: async () => {
      await c.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
      c.kill();
    },
  };
}

function note(side: string, r: { ok: boolean; text: string }): string {
  return `${side} ${r.ok ? 'answered' : 'failed'}: ${r.text.split('\n')[0].slice(0, 60)}`;
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  const us = await ours();
  const inProcess = await inline();
  const peer = await direct();
  const formatters = toolchainFormatters();
  const withFormatters = formatters ? await direct(formatters) : undefined;
  try {
    const COLD = Math.max(5, Math.round(SAMPLES / 4));
    const peers: Side[] = withFormatters ? [peer, withFormatters] : [peer];
    for (const expression of ['v.len()', 'm["key5"]', 'p.name']) {
      const [inl, inlPeer] = await sample([inProcess, peer], expression, SAMPLES);
      const [coldInline, coldInlinePeer] = await sampleCold([{ side: inProcess, flush: '/nat 1' }, { side: peer, flush: '1' }], expression, Math.max(5, Math.round(SAMPLES / 4)));
      rows.push(row(`evaluate ${expression} p50, repeated in the stop, inline as VS Code runs it`, 'ms', inl.p50, inlPeer.p50, { peerName: 'lldb-dap-22 direct', note: `${note('ours', inl)}; goal for p.name: at most 1.2x` }));
      rows.push(row(`evaluate ${expression} p50, first in the stop, inline`, 'ms', coldInline, coldInlinePeer, { peerName: 'lldb-dap-22 direct' }));
      const [a, b, c] = await sample([us, ...peers], expression, SAMPLES);
      const [coldOurs, coldPeer, coldFormatters] = await sampleCold([{ side: us, flush: '/nat 1' }, ...peers.map((side) => ({ side, flush: '1' }))], expression, COLD);
      rows.push(row(`evaluate ${expression} p50, repeated in the stop`, 'ms', a.p50, b.p50, { peerName: 'lldb-dap-22 direct', note: `${note('ours', a)}; ${note('peer', b)}` }));
      rows.push(row(`evaluate ${expression} p50, first in the stop`, 'ms', coldOurs, coldPeer, { peerName: 'lldb-dap-22 direct', note: `${COLD} stops` }));
      if (c) {
        rows.push(row(`evaluate ${expression} p50, repeated (peer with the toolchain formatters)`, 'ms', a.p50, c.p50, { peerName: 'lldb-dap-22 + rust formatters', note: note('peer', c) }));
        rows.push(row(`evaluate ${expression} p50, first in the stop (peer with the toolchain formatters)`, 'ms', coldOurs, coldFormatters, { peerName: 'lldb-dap-22 + rust formatters' }));
      }
    }
    const FILTER = 'v.iter().filter(|x| *x % 3 == 0).count()';
    const [filter] = await sample([us], FILTER, 5);
    rows.push(row(`${FILTER} on 1M Vec<u32> p50, repeated in the stop`, 'ms', filter.p50, null, { note: `${note('ours', filter)}; no peer evaluates closures` }));
    const [filterCold] = await sampleCold([{ side: us, flush: '/nat 1' }], FILTER, 5);
    rows.push(row(`${FILTER} on 1M Vec<u32> p50, first in the stop`, 'ms', filterCold, null, { note: 'reads the 4 MB' }));
    const nat = await Promise.resolve().then(async () => {
      const times: number[][] = [[], []];
      const texts: string[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const x = await us.evaluate('/nat no_such_name_here', 'repl');
        const y = await peer.evaluate('no_such_name_here', 'repl');
        times[0].push(x.ms);
        times[1].push(y.ms);
        if (i === 0) texts.push(note('ours', x));
      }
      return { ours: p50(times[0]), peer: p50(times[1]), note: texts[0] };
    });
    rows.push(row('failing /nat p50 (standalone adapter)', 'ms', nat.ours, nat.peer, { peerName: 'lldb-dap-22 direct', note: nat.note }));
    const [natInline, natPeer] = await sample([inProcess, peer].map((side, k) => ({ ...side, evaluate: (_e: string, c?: string) => side.evaluate(k === 0 ? '/nat no_such_name_here' : 'no_such_name_here', c) })), '', SAMPLES, 'repl');
    rows.push(row('failing /nat p50, inline as VS Code runs it', 'ms', natInline.p50, natPeer.p50, { peerName: 'lldb-dap-22 direct', note: `${note('ours', natInline)}; goal: at most 1.2x` }));
  } finally {
    await us.close().catch(() => undefined);
    await inProcess.close().catch(() => undefined);
    await peer.close();
    await withFormatters?.close();
  }
  report('expressions', rows);
}
