// SubmitOptions.timeout: on expiry, queued or running, the task is cancelled and the future fails with TimeoutError ('timedOut').
import * as assert from 'node:assert/strict';
import { TimeoutError } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: deadlines', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('a running task past its deadline fails with TimeoutError, outcome timedOut, even a CPU loop', async () => {
        const ex = track(kind.create({ maxWorkers: 1, interruptGraceMs: 20 }));
        const f = ex.submitWith({ timeout: 100 }, demo.spin);
        const err = await f.exception();
        assert.ok(err instanceof TimeoutError, String(err));
        assert.match((err as Error).message, /missed its deadline of 100 ms/);
        assert.equal(f.outcome, 'timedOut');
        assert.equal(f.state, 'FINISHED');
        assert.equal(await ex.submit(demo.quick, 1).result(), 2, 'the pool still works');
      });

      it('a queued task past its deadline never runs', async () => {
        const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false }));
        const busy = ex.submit(demo.sleep, 300);
        const queued = ex.submitWith({ timeout: 30 }, demo.quick, 1);
        const err = await queued.exception();
        assert.ok(err instanceof TimeoutError);
        assert.equal(queued.outcome, 'timedOut');
        assert.equal(queued.startedAt, undefined, 'it never started');
        assert.equal(await busy.result(), 300);
      });
    });
  }

  it('a task that finishes before its deadline is not affected', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const f = ex.submitWith({ timeout: 10_000 }, demo.sleep, 5);
    assert.equal(await f.result(), 5);
    assert.equal(f.outcome, 'done');
  });

  it('the task sees its signal abort with a TimeoutError reason', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, interruptGraceMs: 5_000 }));
    const f = ex.submitWith({ timeout: 50 }, demo.untilAborted, 0);
    assert.ok((await f.exception()) instanceof TimeoutError);
    // The worker was not killed: the task stopped by itself.
    assert.equal(await ex.submit(demo.quick, 3).result(), 6);
  });
});
