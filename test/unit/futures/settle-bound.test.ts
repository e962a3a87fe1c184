// The settle bound: a finished task's future settles as soon as its answer reaches the host, whatever its worker runs next (a task that never yields, or yields rarely).
import * as assert from 'node:assert/strict';
import type { Future, Progress } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: a finished task settles whatever runs after it on its worker', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    // One worker, tasks sent ahead (process workers prefetch only when asked), so both go to the same worker.
    const options = { maxWorkers: 1, reserveInteractiveWorker: false, prefetch: 8, interruptGraceMs: 50 };

    describe(`${kind.name} pool`, () => {
      it('behind it a task that never yields: it settles while that task still runs', async () => {
        const ex = track(kind.create(options));
        // Both functions known quick to the worker, as in a burst of symbol loads.
        assert.equal(await ex.submit(demo.quick, 0).result(), 0);
        assert.equal(await ex.submit(demo.spinFor, 0).result() >= 0, true);
        const a = ex.submit(demo.quick, 21);
        // Never yields (for days), and its function was quick last time.
        const b = ex.submit(demo.spinFor, 1e9);
        // Generous: without the bound it never settles (the worker never gets back to sending it).
        await until(() => a.done(), 'the finished task settles', 15_000);
        assert.equal(await a.result(), 42);
        assert.equal(b.done(), false, 'the endless task still runs');
        b.interrupt();
        assert.equal(await ex.submit(demo.quick, 2).result(), 4, 'the worker was replaced');
      });

      it('behind it a task that yields rarely: it settles before that task first yields', async () => {
        const ex = track(kind.create(options));
        assert.equal(await ex.submit(demo.quick, 0).result(), 0);
        assert.equal(await ex.submit(demo.spinSlices, 1, 0).result(), 1);
        const a = ex.submit(demo.quick, 21);
        const b: Future<number> = ex.submit(demo.spinSlices, 3, 300);
        // Ordering, not time: the answer of `a` and the progress of `b` come down one ordered channel.
        let aDoneAtFirstYield: boolean | undefined;
        b.onProgress((_p: Progress) => (aDoneAtFirstYield ??= a.done()));
        assert.equal(await b.result(), 3);
        assert.equal(await a.result(), 42);
        assert.equal(aDoneAtFirstYield, true, 'the quick task had settled before the slow one first yielded');
      });
    });
  }
});
