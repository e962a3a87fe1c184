// interrupt(): cancels a running task; a task that ignores its signal has its worker terminated and replaced, others unaffected.
import * as assert from 'node:assert/strict';
import { CancelledError } from '../../../src/futures';
import { delay, demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: interrupt a running task', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('a CPU-bound task that never yields: settles CANCELLED at once, its worker is replaced, the other worker is unaffected', async () => {
        const ex = track(kind.create({ maxWorkers: 2, interruptGraceMs: 50, reserveInteractiveWorker: false }));
        const other = ex.submit(demo.slow, 10, 20);
        const spin = ex.submit(demo.spin);
        await until(() => spin.running() && other.running(), 'both tasks run');
        assert.notEqual(spin.worker, other.worker);
        await delay(20);
        assert.equal(spin.cancel(), false, 'cancel() keeps CPython semantics: false while running');
        assert.equal(spin.interrupt(), true);
        assert.equal(spin.state, 'CANCELLED_AND_NOTIFIED', 'settled synchronously');
        assert.equal(spin.outcome, 'cancelled');
        await assert.rejects(spin.result(), CancelledError);
        assert.equal(spin.interrupt(), false, 'false once settled');
        // The next task gets a worker (a replacement for the stuck one, or the other one).
        assert.equal(await ex.submit(demo.quick, 4).result(), 8);
        assert.equal(await other.result(), 10, 'the task on the other worker completed normally');
        await until(() => ex.stats().workers <= 2, 'the stuck worker is gone');
      });

      it('a task that honours its signal stops by itself; its worker stays', async () => {
        const ex = track(kind.create({ maxWorkers: 1, interruptGraceMs: 5_000 }));
        const first = ex.submit(demo.whoAmI);
        const who = await first.result();
        const f = ex.submit(demo.untilAborted, 10);
        await until(() => f.running(), 'the task runs');
        await delay(20);
        assert.equal(f.interrupt(), true);
        assert.equal(f.cancelled(), true);
        const again = await ex.submit(demo.whoAmI).result();
        assert.deepEqual(again, who, 'same worker: it was not terminated');
      });

      it('interrupting a queued task cancels it without touching a worker', async () => {
        const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false }));
        const busy = ex.submit(demo.sleep, 100);
        const queued = ex.submit(demo.quick, 1);
        assert.equal(queued.state, 'PENDING');
        assert.equal(queued.interrupt(), true);
        assert.equal(queued.state, 'CANCELLED_AND_NOTIFIED');
        assert.equal(await busy.result(), 100);
        assert.deepEqual(ex.stats().queued, 0);
      });

      it('cancel() of a queued task removes it from the queue (CANCELLED_AND_NOTIFIED)', async () => {
        const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false }));
        const busy = ex.submit(demo.sleep, 50);
        await until(() => busy.running(), 'the first task runs');
        const queued = ex.submit(demo.quick, 1);
        assert.equal(ex.stats().queued, 1);
        assert.equal(queued.cancel(), true);
        assert.equal(queued.state, 'CANCELLED_AND_NOTIFIED');
        assert.equal(ex.stats().queued, 0);
        assert.equal(await busy.result(), 50);
      });
    });
  }

  it('tasks prefetched behind an interrupted stuck task run on the replacement', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, interruptGraceMs: 20, reserveInteractiveWorker: false }));
    await Promise.all([1, 2, 3, 4].map((i) => ex.submit(demo.quick, i).result()));
    const spin = ex.submit(demo.spin);
    const behind = [1, 2, 3].map((i) => ex.submit(demo.quick, i));
    await until(() => spin.running(), 'the spin task runs');
    await delay(20);
    spin.interrupt();
    assert.deepEqual(await Promise.all(behind.map((f) => f.result())), [2, 4, 6]);
  });
});
