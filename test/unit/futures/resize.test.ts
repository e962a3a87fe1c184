// resize(): more workers take queued work at once; fewer workers retire as they become idle.
import * as assert from 'node:assert/strict';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: resize', () => {
  const track = trackExecutors();

  it('growing starts queued work on new workers', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
    const fs = [1, 2, 3].map(() => ex.submit(demo.sleep, 5_000));
    await until(() => fs[0].running(), 'the first task runs');
    assert.equal(ex.stats().queued, 2);
    ex.resize(3);
    assert.equal(ex.maxWorkers, 3);
    await until(() => fs.every((f) => f.running()), 'all three run');
    assert.equal(ex.stats().workers, 3);
  });

  it('shrinking retires idle workers now and busy ones when their task is done', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 3, reserveInteractiveWorker: false }));
    const busy = ex.submit(demo.sleep, 200);
    await Promise.all([ex.submit(demo.sleep, 20).result(), ex.submit(demo.sleep, 20).result()]);
    assert.equal(ex.stats().workers, 3);
    ex.resize(1);
    await until(() => ex.stats().workers === 1, 'the idle workers retire');
    assert.equal(await busy.result(), 200);
    const after = await Promise.all([1, 2, 3].map((i) => ex.submit(demo.quick, i).result()));
    assert.deepEqual(after, [2, 4, 6]);
    assert.ok(ex.stats().workers <= 1);
  });
});
