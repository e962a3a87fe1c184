// initializer/initargs: run once per worker before its tasks; a failing initializer breaks the pool for queued and later work.
import * as assert from 'node:assert/strict';
import { BrokenExecutor, taskRef, wait } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: initializer', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('runs initializer(...initargs) in the worker before its tasks', async () => {
        const ex = track(kind.create({ maxWorkers: 1, initializer: taskRef('futures/demo-tasks', 'demoInitializer'), initargs: ['x', 7] }));
        assert.deepEqual(await ex.submit(demo.initialized).result(), ['x', 7]);
      });

      it(`a failing initializer fails queued futures and later submits with ${kind.Broken.name}`, async () => {
        const ex = track(kind.create({ maxWorkers: 2, initializer: taskRef('futures/demo-tasks', 'failingInitializer'), initargs: ['init went wrong'] }));
        const fs = [1, 2, 3, 4, 5].map((i) => ex.submit(demo.quick, i));
        await wait(fs, { timeout: 15_000 });
        for (const f of fs) {
          const err = (await f.exception()) as Error;
          assert.ok(err instanceof kind.Broken, `${f}: ${String(err)}`);
          assert.ok(err instanceof BrokenExecutor);
          assert.match(err.message, /initializer futures\/demo-tasks#failingInitializer failed in .*init went wrong/);
          assert.match(String((err.cause as Error).message), /init went wrong/);
        }
        assert.throws(() => ex.submit(demo.quick, 1), (e: Error) => e instanceof kind.Broken && /cannot schedule new futures: .*initializer/.test(e.message));
      });
    });
  }
});
