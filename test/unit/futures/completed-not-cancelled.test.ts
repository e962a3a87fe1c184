// A task that completed is never reported cancelled: interrupt() after its worker finished it (and moved on) leaves its result.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: a completed task is never reported cancelled', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: interrupt() of a finished task while its worker runs an endless one: the result stands`, async () => {
      const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false, prefetch: 8, interruptGraceMs: 50 }));
      assert.equal(await ex.submit(demo.quick, 0).result(), 0);
      assert.ok((await ex.submit(demo.spinAfterProgress, 0, false).result()) >= 0, 'its function is known quick');
      const a = ex.submit(demo.quick, 21);
      const b = ex.submit(demo.spinAfterProgress, -1);
      let executing = false;
      b.onProgress(() => (executing = true));
      await until(() => executing, 'the endless task executes');
      a.interrupt();
      assert.equal(a.cancelled(), false, `a completed task is not cancelled (state ${a.state})`);
      assert.equal(await a.result(), 42);
      assert.equal(a.outcome, 'done');
      b.interrupt();
    });
  }

  it('thread pool: interrupt() while the answer is still on its way (the host was busy when it came): the result stands', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'completed-')), 'runs.log');
    fs.writeFileSync(log, '');
    assert.equal(await ex.submit(demo.quick, 0).result(), 0);
    for (let i = 1; i <= 10; i++) {
      const f = ex.submit(demo.logged, log, i, 0);
      // Sent (the pool dispatches in a microtask queued before this one).
      await Promise.resolve();
      assert.equal(f.running(), true, 'sent to the worker');
      // Keep this thread busy, so the answer cannot be read, until the worker has run the task (it
      // logs its start and returns at once), and a while more.
      const giveUp = Date.now() + 15_000;
      while (!fs.readFileSync(log, 'utf8').split('\n').includes(String(i))) {
        if (Date.now() > giveUp) throw new Error(`task ${i} never started`);
      }
      const end = Date.now() + 100;
      while (Date.now() < end) {
        // Busy, deliberately.
      }
      f.interrupt();
      assert.equal(f.cancelled(), false, `round ${i}: a finished task is not cancelled`);
      assert.equal(await f.result(), i);
    }
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  });
});
