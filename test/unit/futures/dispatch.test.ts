// Dispatch: no worker is left idle while another holds tasks it has not started (tasks submitted together run side by side).
import * as assert from 'node:assert/strict';
import type { Future } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: dispatch does not leave a worker idle while another holds waiting tasks', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('a quick and a long task submitted in the same tick, one worker warm: they run on different workers', async () => {
        const ex = track(kind.create({ maxWorkers: 2, reserveInteractiveWorker: false, prefetch: 8 }));
        // The reproduction of issue 18: one warm worker whose tasks were quick.
        assert.ok((await ex.submit(demo.spinFor, 0).result()) >= 0);
        const a = ex.submit(demo.spinFor, 0);
        const b = ex.submit(demo.spinFor, 1000);
        await a.result();
        assert.equal(b.done(), false);
        assert.notEqual(a.worker, b.worker, 'the second task went to the other worker, not behind the first');
        await b.result();
      });

      // Default prefetch: a process worker that was sent tasks ahead (prefetch > 1, opt-in) keeps them,
      // since without shared memory the host cannot take one back knowing it has not started.
      it('two workers up, eight tasks submitted together behind a long one: none waits on the busy worker', async () => {
        const ex = track(kind.create({ maxWorkers: 2, reserveInteractiveWorker: false }));
        await Promise.all([ex.submit(demo.spinFor, 30).result(), ex.submit(demo.spinFor, 30).result()]);
        assert.equal(ex.stats().workers, 2);
        assert.ok((await ex.submit(demo.quick, 0).result()) === 0);
        const long = ex.submit(demo.untilAborted, 0);
        const quick: Future<number>[] = Array.from({ length: 8 }, (_, i) => ex.submit(demo.quick, i));
        await until(() => quick.every((f) => f.done()), 'the quick tasks finish while the long one runs');
        assert.equal(long.running(), true);
        assert.ok(quick.every((f) => f.worker !== long.worker), 'all ran on the other worker');
        long.interrupt();
      });
    });
  }
});
