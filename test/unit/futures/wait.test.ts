// wait(): each returnWhen mode, duplicates counted once, already-done futures, timeout returning the partial sets.
import * as assert from 'node:assert/strict';
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, Future, asCompleted, wait } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

function finished(value: number): Future<number> {
  const f = new Future<number>();
  f.setResult(value);
  return f;
}
function failed(): Future<number> {
  const f = new Future<number>();
  f.setException(new Error('failed'));
  return f;
}
function cancelledAndNotified(): Future<number> {
  const f = new Future<number>();
  f.cancel();
  f.setRunningOrNotifyCancel();
  return f;
}
function later(fn: () => void, ms = 5): void {
  setTimeout(fn, ms);
}

describe('futures: wait()', () => {
  it('FIRST_COMPLETED returns as soon as one completes', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    later(() => a.setResult(1));
    const { done, notDone } = await wait([a, b], { returnWhen: FIRST_COMPLETED, timeout: 10_000 });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...notDone], [b]);
  });

  it('FIRST_COMPLETED with an already-done future returns at once, with every done one', async () => {
    const done1 = finished(1);
    const done2 = cancelledAndNotified();
    const pending = new Future<number>();
    const { done, notDone } = await wait([done1, pending, done2], { returnWhen: FIRST_COMPLETED });
    assert.deepEqual(new Set(done), new Set([done1, done2]));
    assert.deepEqual([...notDone], [pending]);
  });

  it('FIRST_EXCEPTION returns at the first exception, not at a success', async () => {
    const ok = new Future<number>();
    const bad = new Future<number>();
    const pending = new Future<number>();
    later(() => ok.setResult(1), 2);
    later(() => bad.setException(0), 20);
    const { done, notDone } = await wait([ok, bad, pending], { returnWhen: FIRST_EXCEPTION, timeout: 10_000 });
    assert.deepEqual(new Set(done), new Set([ok, bad]));
    assert.deepEqual([...notDone], [pending]);
  });

  it('FIRST_EXCEPTION with an already-failed future returns at once', async () => {
    const bad = failed();
    const pending = new Future<number>();
    const { done, notDone } = await wait([pending, bad], { returnWhen: FIRST_EXCEPTION });
    assert.deepEqual([...done], [bad]);
    assert.deepEqual([...notDone], [pending]);
  });

  it('FIRST_EXCEPTION without any exception waits for all (cancelled ones count as done, not as exceptions)', async () => {
    const a = new Future<number>();
    const c = new Future<number>();
    later(() => a.setResult(1));
    later(() => {
      c.cancel();
      c.setRunningOrNotifyCancel();
    }, 10);
    const { done, notDone } = await wait([a, c, finished(2)], { returnWhen: FIRST_EXCEPTION, timeout: 10_000 });
    assert.equal(done.size, 3);
    assert.equal(notDone.size, 0);
  });

  it('ALL_COMPLETED (the default) waits for every future, duplicates once', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    later(() => a.setResult(1));
    later(() => b.setException(new Error('x')), 10);
    const { done, notDone } = await wait([a, a, b, b, a]);
    assert.deepEqual(new Set(done), new Set([a, b]));
    assert.equal(done.size, 2);
    assert.equal(notDone.size, 0);
  });

  it('a cancelled future counts as done only once its executor notified it', async () => {
    const c = new Future<number>();
    c.cancel();
    const r1 = await wait([c], { timeout: 10 });
    assert.equal(r1.notDone.size, 1);
    later(() => c.setRunningOrNotifyCancel());
    const r2 = await wait([c], { timeout: 10_000 });
    assert.deepEqual([...r2.done], [c]);
  });

  it('a timeout returns the partial sets', async () => {
    const a = finished(1);
    const b = new Future<number>();
    const { done, notDone } = await wait([a, b, b], { timeout: 20 });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...notDone], [b]);
  });

  it('an empty list is done at once', async () => {
    const { done, notDone } = await wait([], { returnWhen: ALL_COMPLETED });
    assert.equal(done.size + notDone.size, 0);
  });

  describe('with executor futures', () => {
    const track = trackExecutors();

    it('an executor notifies its cancelled and interrupted futures at once, so wait and asCompleted see them', async () => {
      const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
      const running = ex.submit(demo.sleep, 10_000);
      await until(() => running.running(), 'the first task runs');
      const queued = ex.submit(demo.quick, 1);
      queued.cancel();
      running.interrupt();
      const { done, notDone } = await wait([running, queued], { timeout: 10_000 });
      assert.equal(done.size, 2);
      assert.equal(notDone.size, 0);
      const order: Array<Future<unknown>> = [];
      const next = ex.submit(demo.quick, 2);
      for await (const f of asCompleted<unknown>([queued, next, running], 10_000)) order.push(f);
      assert.deepEqual(order.slice(0, 2), [queued, running]);
      assert.equal(order[2], next);
    });
  });

  it('rejects a bad returnWhen or timeout with a message naming it', async () => {
    await assert.rejects(wait([], { returnWhen: 'SOMETIMES' as never }), /returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED/);
    await assert.rejects(wait([], { timeout: -1 }), /timeout must be a number of milliseconds >= 0/);
  });
});
