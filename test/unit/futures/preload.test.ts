// Preloading: a new worker loads the task modules the pool has already run, so its first task starts warm.
import * as assert from 'node:assert/strict';
import { BrokenExecutor, taskRef } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: task module preloading', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: a replacement worker has the modules used before already loaded`, async () => {
      const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false }));
      // futures/wait is no task module, and the worker runtime never imports it: only the pool's preload brings it in.
      assert.equal(await ex.submit(demo.moduleLoaded, 'futures/wait.js').result(), false);
      await ex.submit(taskRef<[], unknown>('futures/wait', 'wait')).exception();
      assert.ok((await ex.submit(demo.exit, 1).exception()) instanceof BrokenExecutor);
      assert.equal(await ex.submit(demo.moduleLoaded, 'futures/wait.js').result(), true);
    });
  }

  it('a module that fails to load is reported by the task that needs it, not at start-up', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
    await assert.rejects(ex.submit(taskRef<[], void>('futures/missing-module', 'x')).result(), /cannot load task module 'futures\/missing-module'/);
    assert.ok((await ex.submit(demo.exit, 1).exception()) instanceof BrokenExecutor);
    assert.equal(await ex.submit(demo.quick, 3).result(), 6);
    await assert.rejects(ex.submit(taskRef<[], void>('futures/missing-module', 'x')).result(), /cannot load task module 'futures\/missing-module'/);
  });
});
