// A worker that dies (exit, uncaught exception, heap limit, SIGKILL) fails only its running task with a Broken*Pool saying why.
import * as assert from 'node:assert/strict';
import { BrokenExecutor, taskRef, wait, type PoolOptions } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: worker death', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('process.exit in a task fails that future with the exit code; the pool goes on', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const crash = ex.submit(demo.exit, 3);
        const after = ex.submit(demo.quick, 21);
        const err = (await crash.exception()) as Error;
        assert.ok(err instanceof kind.Broken, String(err));
        assert.match(err.message, /exited with code 3 while running task futures\/demo-tasks#exit/);
        assert.equal(await after.result(), 42);
      });

      it('an uncaught exception names the error', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const err = (await ex.submit(demo.throwUncaught, 'stray timer error').exception()) as Error;
        assert.ok(err instanceof kind.Broken, String(err));
        assert.match(err.message, /died from an uncaught exception \(Error: stray timer error\)/);
        assert.equal(await ex.submit(demo.quick, 1).result(), 2);
      });

      it('hitting the heap limit says "ran out of memory" and names the limit', async function () {
        this.timeout(60_000);
        // V8's dying words go to the worker's stderr; keep them out of the test output.
        const ex = track(kind.create({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 }, onStderr: () => undefined } as PoolOptions));
        const err = (await ex.submit(demo.blowHeap).exception()) as Error;
        assert.ok(err instanceof kind.Broken, String(err));
        assert.match(err.message, /ran out of memory \(heap limit 32 MB/);
        assert.equal(await ex.submit(demo.quick, 2).result(), 4);
      });

      it('tasks queued behind the dead one run on a replacement', async () => {
        const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false }));
        // Quick tasks first so the worker prefetches; then a crash with quick tasks behind it.
        await Promise.all([1, 2, 3].map((i) => ex.submit(demo.quick, i).result()));
        const crash = ex.submit(demo.exit, 9);
        const behind = [1, 2, 3, 4, 5].map((i) => ex.submit(demo.quick, i));
        assert.ok((await crash.exception()) instanceof BrokenExecutor);
        assert.deepEqual(await Promise.all(behind.map((f) => f.result())), [2, 4, 6, 8, 10]);
      });
    });
  }

  it('process pool: SIGKILL of a worker process fails its task naming the signal', async function () {
    if (process.platform === 'win32') this.skip();
    const ex = track(poolKinds[1].create({ maxWorkers: 1 }));
    const f = ex.submit(demo.slow, 1000, 60);
    await until(() => f.lastProgress !== undefined, 'the task reports progress (it runs inside the worker)');
    const pid = Number(/pid (\d+)/.exec(f.worker!)![1]);
    process.kill(pid, 'SIGKILL');
    const err = (await f.exception()) as Error;
    assert.ok(err instanceof poolKinds[1].Broken, String(err));
    assert.match(err.message, /was killed by signal SIGKILL while running task futures\/demo-tasks#slow/);
    assert.equal(await ex.submit(demo.quick, 5).result(), 10);
  });

  for (const kind of poolKinds) {
    it(`${kind.name} pool: a crash loop (workers dying before they are ready) breaks the pool; pending futures fail with the cause`, async () => {
      const ex = track(kind.create({ maxWorkers: 1, crashLoopLimit: 3, initializer: taskRef('futures/demo-tasks', 'exitingInitializer'), initargs: [4] }));
      const pending = [1, 2, 3].map((i) => ex.submit(demo.quick, i));
      await wait(pending, { timeout: 15_000 });
      for (const f of pending) {
        const err = (await f.exception()) as Error;
        assert.ok(err instanceof kind.Broken, String(err));
        assert.match(err.message, new RegExp(`3 ${kind.name} workers in a row died before they were ready \\(the last one exited with code 4 before it was ready`));
      }
      assert.throws(() => ex.submit(demo.quick, 1), /cannot schedule new futures: 3 .* workers in a row died before they were ready/);
    });
  }

  it('deaths of started workers never break the pool: each costs only its own task', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, crashLoopLimit: 1, reserveInteractiveWorker: false }));
    const crashes = Array.from({ length: 6 }, () => ex.submit(demo.exit, 1));
    const after = ex.submit(demo.quick, 4);
    for (const f of crashes) assert.ok((await f.exception()) instanceof BrokenExecutor);
    assert.equal(await after.result(), 8);
  });
});
