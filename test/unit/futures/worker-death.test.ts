// A worker that dies (exit, uncaught exception, heap limit, SIGKILL) fails only its running task with a Broken*Pool saying why.
import * as assert from 'node:assert/strict';
import { BrokenExecutor, wait } from '../../../src/futures';
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
        const ex = track(kind.create({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } }));
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
    const f = ex.submit(demo.sleep, 60_000);
    await until(() => f.running(), 'the task runs');
    const pid = Number(/pid (\d+)/.exec(f.worker!)![1]);
    await until(() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    }, 'the worker process exists');
    process.kill(pid, 'SIGKILL');
    const err = (await f.exception()) as Error;
    assert.ok(err instanceof poolKinds[1].Broken, String(err));
    assert.match(err.message, /was killed by signal SIGKILL while running task futures\/demo-tasks#sleep/);
    assert.equal(await ex.submit(demo.quick, 5).result(), 10);
  });

  it('a crash loop breaks the pool: every pending future fails and submit() throws', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, crashLoopLimit: 3, reserveInteractiveWorker: false }));
    const crashes = [1, 2, 3].map(() => ex.submit(demo.exit, 1));
    const pending = [1, 2, 3].map((i) => ex.submit(demo.sleep, i));
    await wait<unknown>([...crashes, ...pending], { timeout: 15_000 });
    for (const f of pending) {
      const err = (await f.exception()) as Error;
      assert.ok(err instanceof poolKinds[0].Broken, String(err));
      assert.match(err.message, /3 thread workers died in a row without any task finishing .*the pool is broken/);
    }
    assert.throws(() => ex.submit(demo.quick, 1), /cannot schedule new futures: 3 thread workers died in a row/);
  });

  it('a success in between resets the crash count', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, crashLoopLimit: 2, reserveInteractiveWorker: false }));
    for (let i = 0; i < 4; i++) {
      assert.ok((await ex.submit(demo.exit, 1).exception()) instanceof BrokenExecutor);
      assert.equal(await ex.submit(demo.quick, i).result(), i * 2);
    }
  });
});
