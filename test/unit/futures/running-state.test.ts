// Only the task a worker is executing is RUNNING: never two on one worker, never one whose worker has moved on.
import * as assert from 'node:assert/strict';
import type { Executor, Future, FutureInfo } from '../../../src/futures';
import { delay, demo, poolKinds, trackExecutors, until } from './pool-fixture';

/** Fails the test if two futures on one worker are ever RUNNING at once (checked on every event and every 2 ms). */
function watchRunning(ex: Executor): { futures: FutureInfo[]; stop(): void; violations: string[] } {
  const futures: FutureInfo[] = [];
  const violations: string[] = [];
  const check = (): void => {
    const byWorker = new Map<string, number[]>();
    for (const f of futures) if (f.state === 'RUNNING' && f.worker) byWorker.set(f.worker, [...(byWorker.get(f.worker) ?? []), f.id]);
    for (const [worker, ids] of byWorker) if (ids.length > 1) violations.push(`${worker} had futures ${ids.join(', ')} RUNNING at once`);
  };
  ex.on('submitted', (f) => futures.push(f));
  ex.on('started', check);
  ex.on('settled', check);
  ex.on('progress', check);
  const timer = setInterval(check, 2);
  return { futures, violations, stop: () => clearInterval(timer) };
}

describe('futures: only the task a worker is executing is RUNNING', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      for (const maxWorkers of [1, 2]) {
        it(`${maxWorkers} worker(s): a quick task and an endless one sent together: when the endless one executes, it alone is RUNNING`, async () => {
          const ex = track(kind.create({ maxWorkers, reserveInteractiveWorker: false, prefetch: 8 }));
          const watch = watchRunning(ex);
          try {
            assert.equal(await ex.submit(demo.quick, 0).result(), 0);
            assert.ok((await ex.submit(demo.spinAfterProgress, 0, false).result()) >= 0, 'its function is known quick');
            const a = ex.submit(demo.quick, 1);
            // Never ends by itself: it is still executing whenever the host looks.
            const b = ex.submit(demo.spinAfterProgress, -1);
            const c = ex.submit(demo.quick, 3);
            // b's progress proves it executes; by then `a`, if it was sent to the same worker, must be over.
            let seen: string | undefined;
            b.onProgress(() => (seen ??= `a ${a.worker === b.worker ? a.state : 'elsewhere'}, b ${b.state}`));
            await until(() => seen !== undefined, 'the long task executes');
            assert.match(seen!, /^a (FINISHED|elsewhere), b RUNNING$/);
            await delay(60);
            assert.equal(b.state, 'RUNNING');
            // With one worker, c waits behind b: it runs on the replacement.
            b.interrupt();
            assert.deepEqual(await Promise.all([a.result(), c.result()]), [2, 6]);
            assert.deepEqual(watch.violations, []);
          } finally {
            watch.stop();
          }
        });
      }

      it('a burst of 300 quick tasks on 2 workers: never two RUNNING on one worker', async () => {
        const ex = track(kind.create({ maxWorkers: 2, reserveInteractiveWorker: false, prefetch: 8 }));
        const watch = watchRunning(ex);
        try {
          const fs: Future<number>[] = Array.from({ length: 300 }, (_, i) => ex.submit(demo.spinFor, i % 7 === 0 ? 3 : 0));
          await Promise.all(fs.map((f) => f.result()));
          assert.deepEqual(watch.violations, []);
        } finally {
          watch.stop();
        }
      });
    });
  }
});
