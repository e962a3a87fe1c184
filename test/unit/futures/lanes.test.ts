// Lanes: an interactive task never waits behind bulk work, whether the bulk work saturates the pool or is queued.
import * as assert from 'node:assert/strict';
import type { Future } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: lanes', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: an interactive task completes while bulk tasks saturate every general worker`, async () => {
      const ex = track(kind.create({ maxWorkers: 2 }));
      const bulk = Array.from({ length: 20 }, () => ex.submit(demo.sleep, 5_000));
      const interactive = ex.submitWith({ lane: 'interactive', label: 'hover' }, demo.quick, 21);
      assert.equal(await interactive.result(), 42);
      assert.ok(bulk.every((f) => !f.done()), 'no bulk task had finished: the interactive one did not wait for them');
      assert.equal(ex.stats().workers, 3, 'two general workers and the interactive one');
    });
  }

  it('the interactive worker starts as soon as bulk work fills every general worker, before any interactive task', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2 }));
    const bulk = [1, 2, 3].map(() => ex.submit(demo.sleep, 5_000));
    await until(() => bulk.filter((f) => f.running()).length === 2, 'the bulk tasks fill both general workers');
    assert.equal(ex.stats().workers, 3);
    const interactive = ex.submitWith({ lane: 'interactive' }, demo.whoAmI);
    await interactive.result();
    assert.ok(bulk.every((f) => f.worker !== interactive.worker));
  });

  it('without a reserved worker, interactive tasks still jump the bulk queue', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
    const order: string[] = [];
    const first = ex.submit(demo.sleep, 50);
    await until(() => first.running(), 'the first bulk task runs');
    const bulk: Future<number>[] = [1, 2, 3].map((i) => ex.submitWith({ label: `bulk${i}` }, demo.quick, i));
    const interactive = ex.submitWith({ lane: 'interactive', label: 'eval' }, demo.quick, 0);
    for (const f of [first, ...bulk, interactive]) f.addDoneCallback(() => order.push(f.label));
    await Promise.all([first, ...bulk, interactive].map((f) => f.result()));
    assert.deepEqual(order, ['sleep', 'eval', 'bulk1', 'bulk2', 'bulk3']);
  });

  it('interactive tasks use an idle general worker when the reserved one is busy', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2 }));
    const a = ex.submitWith({ lane: 'interactive' }, demo.sleep, 300);
    const b = ex.submitWith({ lane: 'interactive' }, demo.quick, 2);
    assert.equal(await b.result(), 4);
    assert.equal(a.done(), false);
    assert.notEqual(a.worker, b.worker);
  });

  it('rejects an unknown lane', () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    assert.throws(() => ex.submitWith({ lane: 'urgent' as never }, demo.quick, 1), /SubmitOptions\.lane must be 'interactive' or 'bulk' \(got urgent\)/);
  });
});
