// Executor benchmark against piscina, poolifier, tinypool and workerpool (2 workers each, same run): throughput, round trip, the settle bound, stopping a never-yielding task, interactive start latency.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import { Tinypool } from 'tinypool';
import * as workerpool from 'workerpool';
import { ProcessPoolExecutor, ThreadPoolExecutor, taskModule, type Executor, type Future, type PoolOptions } from '../src/futures';
import { report, row, type BenchRow } from './report';

const demo = taskModule<typeof import('../src/futures/demo-tasks')>('futures/demo-tasks');
const PEER_TASKS = path.join(__dirname, 'executor-peer-tasks.js');
const WORKERS = 2;
const TINY_TASKS = 20_000;
const THROUGHPUT_ROUNDS = 5;
/** The default before (for comparison with the default, 128). */
const SHALLOW_PREFETCH = 32;
const ROUND_TRIPS = 1_000;
const ROUND_TRIP_BLOCKS = 3;
const CANCEL_REPEATS = 7;
const SETTLE_REPEATS = 7;
const LANE_SAMPLES = 25;

const now = (): number => performance.now();
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A pool measured the same way as ours: the tiny task, and the never-yielding one with a way to stop it. */
interface PeerPool {
  quick(x: number): Promise<number>;
  /** Starts the endless task; the function stops it (each peer's own way: AbortSignal or cancel()). */
  spin(): { done: Promise<unknown>; stop(): void };
  close(): Promise<void>;
}

interface Peer {
  readonly name: string;
  create(workers: number): Promise<PeerPool>;
}

const peers: Peer[] = [
  {
    name: 'piscina',
    async create(workers) {
      const pool = new Piscina({ filename: PEER_TASKS, minThreads: workers, maxThreads: workers });
      return {
        quick: (x) => pool.run(x, { name: 'quick' }) as Promise<number>,
        spin: () => {
          const ac = new AbortController();
          return { done: pool.run(null, { name: 'spin', signal: ac.signal }).catch(() => undefined), stop: () => ac.abort() };
        },
        close: () => pool.close(),
      };
    },
  },
  {
    name: 'poolifier',
    async create(workers) {
      const pool = new FixedThreadPool<number, number>(workers, path.join(__dirname, 'executor-peer-poolifier.js'));
      return {
        quick: (x) => pool.execute(x, 'quick'),
        spin: () => {
          const ac = new AbortController();
          return { done: pool.execute(0, 'spin', ac.signal).catch(() => undefined), stop: () => ac.abort() };
        },
        close: () => pool.destroy(),
      };
    },
  },
  {
    name: 'tinypool',
    async create(workers) {
      const pool = new Tinypool({ filename: PEER_TASKS, minThreads: workers, maxThreads: workers });
      return {
        quick: (x) => pool.run(x, { name: 'quick' }) as Promise<number>,
        spin: () => {
          const ac = new AbortController();
          return { done: pool.run(null, { name: 'spin', signal: ac.signal }).catch(() => undefined), stop: () => ac.abort() };
        },
        close: () => pool.destroy(),
      };
    },
  },
  {
    name: 'workerpool',
    async create(workers) {
      const pool = workerpool.pool(path.join(__dirname, 'executor-peer-workerpool.js'), { minWorkers: workers, maxWorkers: workers, workerType: 'thread' });
      return {
        quick: (x) => pool.exec('quick', [x]) as unknown as Promise<number>,
        spin: () => {
          const p = pool.exec('spin', []);
          return { done: Promise.resolve(p).catch(() => undefined), stop: () => void p.cancel() };
        },
        close: async () => void (await pool.terminate(true)),
      };
    },
  },
];

function ours(options: PoolOptions = {}): ThreadPoolExecutor {
  return new ThreadPoolExecutor({ maxWorkers: WORKERS, ...options });
}

async function warmOurs(ex: Executor): Promise<void> {
  // Both workers up and running quick tasks (so they prefetch as they would in steady state).
  await Promise.all(Array.from({ length: 200 }, (_, i) => ex.submit(demo.quick, i).result()));
  await Promise.all([ex.submit(demo.spinFor, 30).result(), ex.submit(demo.spinFor, 30).result()]);
}
async function warmPeer(pool: PeerPool): Promise<void> {
  await Promise.all(Array.from({ length: 200 }, (_, i) => pool.quick(i)));
}

/**
 * Median tasks/s of ours and of each peer, in alternating rounds so noise from elsewhere hits all alike.
 * `shallow`: ours with prefetch SHALLOW_PREFETCH, for comparison (more refills; a long task holds fewer).
 */
async function throughput(): Promise<{ ours: number; shallow: number; peers: Map<string, number> }> {
  const ex = ours();
  await warmOurs(ex);
  const shallowEx = ours({ prefetch: SHALLOW_PREFETCH });
  await warmOurs(shallowEx);
  const pools = new Map<string, PeerPool>();
  for (const p of peers) {
    const pool = await p.create(WORKERS);
    await warmPeer(pool);
    pools.set(p.name, pool);
  }
  const o: number[] = [];
  const d: number[] = [];
  const ps = new Map<string, number[]>(peers.map((p) => [p.name, []]));
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (const [pool, samples] of [
      [ex, o],
      [shallowEx, d],
    ] as const) {
      const t0 = now();
      const fs: Future<number>[] = [];
      for (let i = 0; i < TINY_TASKS; i++) fs.push(pool.submit(demo.quick, i));
      await Promise.all(fs.map((f) => f.result()));
      samples.push(TINY_TASKS / ((now() - t0) / 1000));
    }
    for (const [name, pool] of pools) {
      const t0 = now();
      const all: Promise<number>[] = [];
      for (let i = 0; i < TINY_TASKS; i++) all.push(pool.quick(i));
      await Promise.all(all);
      ps.get(name)!.push(TINY_TASKS / ((now() - t0) / 1000));
    }
  }
  await ex.shutdown();
  await shallowEx.shutdown();
  for (const pool of pools.values()) await pool.close();
  return { ours: median(o), shallow: median(d), peers: new Map([...ps].map(([n, v]) => [n, median(v)])) };
}

/** Median of block medians of one awaited tiny task at a time, ours and each peer interleaved. */
async function roundTrip(): Promise<{ ours: number; peers: Map<string, number> }> {
  // Which pool starts its threads first changes where the OS places them on a small machine, and that
  // moves round trips by tens of percent either way; so ours is measured started first and started last.
  const oBlocks: number[] = [];
  const pBlocks = new Map<string, number[]>(peers.map((p) => [p.name, []]));
  for (const oursFirst of [true, false]) {
    let ex: ThreadPoolExecutor | undefined;
    if (oursFirst) {
      ex = ours();
      await warmOurs(ex);
    }
    const pools = new Map<string, PeerPool>();
    for (const p of peers) {
      const pool = await p.create(WORKERS);
      await warmPeer(pool);
      pools.set(p.name, pool);
    }
    if (!ex) {
      ex = ours();
      await warmOurs(ex);
    }
    // One warm-up block (JIT), then blocks of alternating round trips.
    for (let block = 0; block <= ROUND_TRIP_BLOCKS; block++) {
      const o: number[] = [];
      const p = new Map<string, number[]>(peers.map((q) => [q.name, []]));
      for (let i = 0; i < ROUND_TRIPS; i++) {
        let t0 = now();
        await ex.submit(demo.quick, i).result();
        o.push(now() - t0);
        for (const [name, pool] of pools) {
          t0 = now();
          await pool.quick(i);
          p.get(name)!.push(now() - t0);
        }
      }
      if (block > 0) {
        oBlocks.push(median(o));
        for (const [name, v] of p) pBlocks.get(name)!.push(median(v));
      }
    }
    await ex.shutdown();
    for (const pool of pools.values()) await pool.close();
  }
  return { ours: median(oBlocks), peers: new Map([...pBlocks].map(([n, v]) => [n, median(v)])) };
}

/**
 * The settle bound: ms from submitting a tiny task to its future settling, when a never-yielding task
 * is sent to the same worker right behind it (1 worker, tasks sent ahead). Ours posts each answer
 * before starting the next task, so this is a round trip, whatever comes after. piscina, for scale,
 * sends one task at a time.
 */
async function settleBehindEndless(): Promise<{ thread: number; process: number; piscina: number }> {
  const measure = async (ex: Executor): Promise<number> => {
    await warmOurs(ex);
    const samples: number[] = [];
    for (let i = 0; i < SETTLE_REPEATS; i++) {
      // Its function known quick, as in a burst of symbol loads.
      await ex.submit(demo.spinFor, 0).result();
      const t0 = now();
      const a = ex.submit(demo.quick, i);
      const b = ex.submit(demo.spinFor, 1e9);
      await a.result();
      samples.push(now() - t0);
      b.interrupt();
      await ex.submit(demo.quick, 0).result();
    }
    await ex.shutdown();
    return median(samples);
  };
  const thread = await measure(new ThreadPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false, interruptGraceMs: 20 }));
  const proc = await measure(new ProcessPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false, interruptGraceMs: 20, prefetch: 8 }));
  const peer = await peers[0].create(1);
  await warmPeer(peer);
  const samples: number[] = [];
  for (let i = 0; i < SETTLE_REPEATS; i++) {
    const t0 = now();
    const a = peer.quick(i);
    const b = peer.spin();
    await a;
    samples.push(now() - t0);
    b.stop();
    await b.done;
    await peer.quick(0);
  }
  await peer.close();
  return { thread, process: proc, piscina: median(samples) };
}

/** [settle ms, next task ms] medians: interrupt a never-yielding loop, then run a tiny task submitted right after. */
async function cancelRunning(workers: number, makeOurs: () => Executor): Promise<{ ours: [number, number]; peer: [number, number] }> {
  const ex = makeOurs();
  await warmOurs(ex);
  const pool = await peers[0].create(workers);
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

    const spin = pool.spin();
    await delay(50);
    t0 = now();
    spin.stop();
    await spin.done;
    ps.push(now() - t0);
    t0 = now();
    await pool.quick(i);
    pn.push(now() - t0);
    await delay(300);
  }
  await ex.shutdown();
  await pool.close();
  return { ours: [median(os), median(on)], peer: [median(ps), median(pn)] };
}

/**
 * What a warm spare costs: the memory of one more started, idle worker (MB). Threads: the host's RSS
 * with two warm workers against one; processes: the second worker's own RSS (Linux /proc).
 */
async function spareMemory(): Promise<{ thread: number; process: number | null }> {
  const settle = async (): Promise<number> => {
    (globalThis as { gc?: () => void }).gc?.();
    await delay(200);
    return process.memoryUsage().rss / 2 ** 20;
  };
  const ex = new ThreadPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false });
  await warmOurs(ex);
  const one = await settle();
  ex.resize(2);
  await Promise.all([ex.submit(demo.spinFor, 50).result(), ex.submit(demo.spinFor, 50).result()]);
  const two = await settle();
  await ex.shutdown();
  let proc: number | null = null;
  if (process.platform === 'linux') {
    const px = new ProcessPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false });
    await warmOurs(px);
    const { pid } = await px.submit(demo.processInfo).result();
    await delay(200);
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    proc = kb ? Number(kb) / 1024 : null;
    await px.shutdown();
  }
  return { thread: two - one, process: proc };
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
  const tp = await throughput();
  const goals: Record<string, string> = { piscina: 'goal: >= 2x piscina', poolifier: 'goal: >= 1.2x poolifier' };
  for (const [name, v] of tp.peers) rows.push(row(`throughput, ${TINY_TASKS} tiny tasks, ${WORKERS} workers (vs ${name})`, 'tasks/s', tp.ours, v, { peerName: name, note: goals[name] ?? '' }));
  const poolifier = tp.peers.get('poolifier')!;
  rows.push(row(`throughput, same, ours with prefetch ${SHALLOW_PREFETCH} (vs poolifier)`, 'tasks/s', tp.shallow, poolifier, { peerName: 'poolifier', note: 'default prefetch is 128' }));
  const rt = await roundTrip();
  for (const [name, v] of rt.peers) rows.push(row(`round trip p50, one tiny task (vs ${name})`, 'ms', rt.ours, v, { peerName: name, note: 'goal: <= every peer' }));
  const settle = await settleBehindEndless();
  rows.push(row('settle bound: tiny task with a never-yielding task sent right behind it, 1 worker (thread)', 'ms', settle.thread, settle.piscina, { peerName: 'piscina (sends one at a time)', note: 'bound: a round trip' }));
  rows.push(row('settle bound: same, process worker with prefetch 8', 'ms', settle.process, settle.piscina, { peerName: 'piscina (sends one at a time)', note: 'bound: a round trip' }));
  const cancel = await cancelRunning(WORKERS, () => ours());
  rows.push(row('cancel a running never-yielding CPU task: future settles (median)', 'ms', cancel.ours[0], cancel.peer[0], { peerName: 'piscina (AbortSignal)', note: 'goal: <= 5 ms' }));
  rows.push(row('task submitted right after the cancel completes (median)', 'ms', cancel.ours[1], cancel.peer[1], { peerName: 'piscina', note: 'goal: <= 30 ms' }));
  const one = await cancelRunning(1, () => new ThreadPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false }));
  rows.push(row('next task after interrupting a never-yielding task, with 1 worker (thread)', 'ms', one.ours[1], one.peer[1], { peerName: 'piscina (respawn)', note: `ours: ${100} ms grace, then a new worker` }));
  const oneProc = await cancelRunning(1, () => new ProcessPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false }));
  rows.push(row('next task after interrupting a never-yielding task, with 1 worker (process)', 'ms', oneProc.ours[1], one.peer[1], { peerName: 'piscina (respawn, thread)', note: `ours: ${100} ms grace, then a new process` }));
  const spareThread = await cancelRunning(1, () => new ThreadPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false, warmSpare: true }));
  rows.push(row('same, thread, with warmSpare (the spare takes over when the grace period ends)', 'ms', spareThread.ours[1], spareThread.peer[1], { peerName: 'piscina (respawn)', note: 'ours: 100 ms grace, no spawn' }));
  const spareProc = await cancelRunning(1, () => new ProcessPoolExecutor({ maxWorkers: 1, reserveInteractiveWorker: false, warmSpare: true }));
  rows.push(row('same, process, with warmSpare', 'ms', spareProc.ours[1], spareThread.peer[1], { peerName: 'piscina (respawn, thread)', note: 'ours: 100 ms grace, no spawn' }));
  const memory = await spareMemory();
  rows.push(row('memory of the warm spare: one more idle thread worker (host RSS)', 'MB', memory.thread, null, { note: 'the cost of warmSpare' }));
  if (memory.process !== null) rows.push(row('memory of the warm spare: one idle process worker (its RSS)', 'MB', memory.process, null, { note: 'the cost of warmSpare' }));
  const lane = await laneLatency();
  rows.push(row('interactive task start latency, 100 long bulk tasks saturating the pool (median)', 'ms', lane, null, { note: 'no peer has lanes' }));
  report('executor', rows);
}
