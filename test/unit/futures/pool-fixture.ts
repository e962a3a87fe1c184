// Shared by the executor tests: the demo task refs, both pool kinds, cleanup after each test, polling for a condition.
import {
  BrokenProcessPool,
  BrokenThreadPool,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  taskModule,
  type BrokenExecutor,
  type Executor,
  type FutureInfo,
  type PoolOptions,
} from '../../../src/futures';

export const demo = taskModule<typeof import('../../../src/futures/demo-tasks')>('futures/demo-tasks');

export interface PoolKind {
  readonly name: 'thread' | 'process';
  readonly Broken: new (message: string) => BrokenExecutor;
  create(options?: PoolOptions): Executor;
}

export const poolKinds: PoolKind[] = [
  { name: 'thread', Broken: BrokenThreadPool, create: (o) => new ThreadPoolExecutor(o) },
  { name: 'process', Broken: BrokenProcessPool, create: (o) => new ProcessPoolExecutor(o) },
];

/** Polls until cond() holds; fails naming `what` after a generous time (tests never assert on durations). */
export async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Returns `track(executor)`: after each test, every future it ran is interrupted and it is shut down,
 * so a failing test leaves no worker behind.
 */
export function trackExecutors(): <E extends Executor>(ex: E) => E {
  const live: Array<{ ex: Executor; futures: FutureInfo[] }> = [];
  afterEach(async function () {
    this.timeout(30_000);
    for (const { ex, futures } of live.splice(0)) {
      for (const f of futures) (f as unknown as { interrupt(): boolean }).interrupt();
      await ex.shutdown({ wait: true, cancelFutures: true });
    }
  });
  return (ex) => {
    const entry = { ex, futures: [] as FutureInfo[] };
    ex.on('submitted', (f) => entry.futures.push(f));
    live.push(entry);
    return ex;
  };
}
