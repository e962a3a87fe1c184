// shutdown(): waits for work, cancelFutures cancels the queue, idempotent, submit afterwards fails, Symbol.asyncDispose.
import * as assert from 'node:assert/strict';
import type { Future } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: shutdown()', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('with wait, resolves after every submitted future has finished and the workers are gone', async () => {
        const ex = track(kind.create({ maxWorkers: 2 }));
        const fs = [1, 2, 3, 4].map((i) => ex.submit(demo.sleep, 20 * i));
        await ex.shutdown({ wait: true });
        assert.ok(fs.every((f) => f.state === 'FINISHED' && f.outcome === 'done'));
        assert.deepEqual(ex.stats(), { queued: 0, running: 0, workers: 0 });
      });

      it('cancelFutures cancels the queued futures; the running ones finish', async () => {
        const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false }));
        const running = ex.submit(demo.sleep, 100);
        const queued = [1, 2, 3].map(() => ex.submit(demo.sleep, 10_000));
        await new Promise<void>((resolve) => ex.once('started', () => resolve()));
        await ex.shutdown({ wait: true, cancelFutures: true });
        assert.equal(running.outcome, 'done');
        for (const f of queued) {
          assert.equal(f.state, 'CANCELLED_AND_NOTIFIED');
          assert.equal(f.outcome, 'cancelled');
        }
      });
    });
  }

  it('is idempotent, and submit() afterwards fails with "cannot schedule new futures after shutdown"', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const f = ex.submit(demo.quick, 1);
    const p1 = ex.shutdown({ wait: false });
    const p2 = ex.shutdown();
    await p1;
    await p2;
    await ex.shutdown({ wait: true, cancelFutures: true });
    assert.equal(await f.result(), 2);
    assert.throws(() => ex.submit(demo.quick, 1), /cannot schedule new futures after shutdown/);
  });

  it('without wait, resolves at once while the work still completes', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const f = ex.submit(demo.sleep, 50);
    await ex.shutdown({ wait: false });
    assert.equal(f.done(), false);
    assert.equal(await f.result(), 50);
  });

  it('Symbol.asyncDispose shuts down with wait (await using)', async () => {
    let f: Future<number>;
    const ex = poolKinds[0].create({ maxWorkers: 1 });
    {
      await using pool = ex;
      f = pool.submit(demo.sleep, 20);
    }
    assert.equal(f.outcome, 'done');
    assert.throws(() => ex.submit(demo.quick, 1), /after shutdown/);
  });
});
