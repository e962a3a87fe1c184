// Executor benchmark against piscina (2 workers each, same run): throughput, round trip, cancelling a running CPU loop, interactive start latency under bulk load.
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { ThreadPoolExecutor, taskModule, type Future } from '../src/futures';
import { report, row, type BenchRow } from './report';

const demo = taskModule<typeof import('../src/futures/demo-tasks')>('futures/demo-tasks');
const PEER_TASKS = path.join(__dirname, 'executor-peer-tasks.js');
const WORKERS = 2;
const TINY_TASKS = 20_000;
const THROUGHPUT_ROUNDS = 7;
const ROUND_TRIPS = 2_000;
const ROUND_TRIP_BLOCKS = 3;
const CANCEL_REPEATS = 7;
const LANE_SAMPLES = 25;

const now = (): number => performance.now();
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function ours(): ThreadPoolExecutor {
  return new ThreadPoolExecutor({ maxWorkers: WORKERS });
}
function peer(): Piscina {
  return new Piscina({ filename: PEER_TASKS, minThreads: WORKERS, maxThreads: WORKERS });
}

async function warmOurs(ex: ThreadPoolExecutor): Promise<void> {
  // Both workers up and running quick tasks (so they prefetch as they would in steady state).
  await Promise.all(Array.from({ length: 200 }, (_, i) => ex.submit(demo.quick, i).result()));
  await Promise.all([ex.submit(demo.spinFor, 30).result(), ex.submit(demo.spinFor, 30).result()]);
}
async function warmPeer(pool: Piscina): Promise<void> {
  await Promise.all(Array.from({ length: 200 }, (_, i) => pool.run(i, { name: 'quick' })));
}

async function throughput(): Promise<[number, number]> {
  const ex = ours();
  await warmOurs(ex);
  const pool = peer();
  await warmPeer(pool);
  const o: number[] = [];
  const p: number[] = [];
  // Alternate, so that noise from other work on the machine hits both alike.
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    let t0 = now();
    const fs: Future<number>[] = [];
    for (let i = 0; i < TINY_TASKS; i++) fs.push(ex.submit(demo.quick, i));
    await Promise.all(fs.map((f) => f.result()));
    o.push(TINY_TASKS / ((now() - t0) / 1000));
    t0 = now();
    const ps: Promise<number>[] = [];
    for (let i = 0; i < TINY_TASKS; i++) ps.push(pool.run(i, { name: 'quick' }));
    await Promise.all(ps);
    p.push(TINY_TASKS / ((now() - t0) / 1000));
  }
  await ex.shutdown();
  await pool.close();
  return [median(o), median(p)];
}

async function roundTrip(): Promise<[number, number]> {
  // Which pool starts its threads first changes where the OS places them on a small machine, and that
  // moves round trips by tens of percent either way; so both orders are measured.
  const oBlocks: number[] = [];
  const pBlocks: number[] = [];
  for (const oursFirst of [true, false]) {
    let ex: ThreadPoolExecutor;
    let pool: Piscina;
    if (oursFirst) {
      ex = ours();
      await warmOurs(ex);
      pool = peer();
      await warmPeer(pool);
    } else {
      pool = peer();
      await warmPeer(pool);
      ex = ours();
      await warmOurs(ex);
    }
    // One warm-up block (JIT), then blocks of alternating round trips; the median of the block medians
    // keeps a burst of load from elsewhere on the machine from deciding the figure.
    for (let block = 0; block <= ROUND_TRIP_BLOCKS; block++) {
      const o: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < ROUND_TRIPS; i++) {
        let t0 = now();
        await ex.submit(demo.quick, i).result();
        o.push(now() - t0);
        t0 = now();
        await pool.run(i, { name: 'quick' });
        p.push(now() - t0);
      }
      if (block > 0) {
        oBlocks.push(median(o));
        pBlocks.push(median(p));
      }
    }
    await ex.shutdown();
    await pool.close();
  }
  return [median(oBlocks), median(pBlocks)];
}

/** [settle ms, next task ms] medians: interrupt a never-yielding loop, then run a tiny task submitted right after. */
async function cancelRunning(): Promise<{ ours: [number, number]; peer: [number, number] }> {
  const ex = ours();
  await warmOurs(ex);
  const pool = peer();
  await warmPeer(pool);
  const os: number[] = [];
  const on: number[] = [];
  const ps: number[] = [];
  const pn: number[] = [];
  for (let i = 0; i < CANCEL_REPEATS; i++) {
    const f = ex.submit(demo.spin);
    await delay(50);
    let t0 = now();
    f.interrupt();
    await f.result().catch(() => undefined);
    os.push(now() - t0);
    t0 = now();
    await ex.submit(demo.quick, i).result();
    on.push(now() - t0);
    // Let the stuck worker be replaced, as piscina's is, before the next round.
    await delay(300);

    const ac = new AbortController();
    const p = pool.run(null, { name: 'spin', signal: ac.signal }).catch(() => undefined);
    await delay(50);
    t0 = now();
    ac.abort();
    await p;
    ps.push(now() - t0);
    t0 = now();
    await pool.run(i, { name: 'quick' });
    pn.push(now() - t0);
    await delay(300);
  }
  await ex.shutdown();
  await pool.close();
  return { ours: [median(os), median(on)], peer: [median(ps), median(pn)] };
}

/** Median ms from submitting an interactive task to its start inside a worker, while 100 long bulk tasks saturate the pool. */
async function laneLatency(): Promise<number> {
  const ex = ours();
  await warmOurs(ex);
  await ex.submitWith({ lane: 'interactive' }, demo.quick, 0).result();
  const bulk = Array.from({ length: 100 }, () => ex.submit(demo.sleep, 60_000));
  await delay(100);
  const samples: number[] = [];
  for (let i = 0; i < LANE_SAMPLES; i++) {
    const submittedAt = performance.timeOrigin + now();
    const startedAt = await ex.submitWith({ lane: 'interactive' }, demo.now).result();
    samples.push(startedAt - submittedAt);
    await delay(5);
  }
  if (bulk.some((f) => f.done())) throw new Error('a bulk task finished during the lane measurement: the pool was not saturated');
  for (const f of bulk) f.interrupt();
  await ex.shutdown();
  return median(samples);
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  const [tpOurs, tpPeer] = await throughput();
  rows.push(row(`throughput, ${TINY_TASKS} tiny tasks, ${WORKERS} workers`, 'tasks/s', tpOurs, tpPeer, { peerName: 'piscina', note: 'goal: >= 1.5x piscina' }));
  const [rtOurs, rtPeer] = await roundTrip();
  rows.push(row('round trip p50, one tiny task', 'ms', rtOurs, rtPeer, { peerName: 'piscina', note: 'goal: <= piscina' }));
  const cancel = await cancelRunning();
  rows.push(row('cancel a running never-yielding CPU task: future settles (median)', 'ms', cancel.ours[0], cancel.peer[0], { peerName: 'piscina (AbortSignal)', note: 'goal: <= 5 ms' }));
  rows.push(row('task submitted right after the cancel completes (median)', 'ms', cancel.ours[1], cancel.peer[1], { peerName: 'piscina', note: 'goal: <= 30 ms' }));
  const lane = await laneLatency();
  rows.push(row('interactive task start latency, 100 long bulk tasks saturating the pool (median)', 'ms', lane, null, { note: 'no peer has lanes' }));
  report('executor', rows);
}
