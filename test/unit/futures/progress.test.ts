// Progress: a task's reportProgress reaches the future's onProgress and the executor's 'progress' event, coalesced.
import * as assert from 'node:assert/strict';
import type { FutureInfo, Progress } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: progress', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: the future and the executor see each step, then the final report`, async () => {
      const ex = track(kind.create({ maxWorkers: 1 }));
      const events: Array<[FutureInfo, Progress]> = [];
      ex.on('progress', (f, p) => events.push([f, p]));
      const f = ex.submitWith({ label: 'stepper' }, demo.slow, 4, 30);
      const seen: Progress[] = [];
      f.onProgress((p) => seen.push(p));
      assert.equal(await f.result(), 4);
      assert.deepEqual(
        seen.map((p) => p.message),
        ['step 1 of 4', 'step 2 of 4', 'step 3 of 4', 'step 4 of 4', 'done'],
      );
      assert.deepEqual(seen[1], { fraction: 0.25, message: 'step 2 of 4' });
      assert.equal(events.length, seen.length);
      assert.ok(events.every(([info]) => info === f));
      assert.deepEqual(f.lastProgress, { fraction: 1, message: 'done' });
    });
  }

  it('many reports in a burst are coalesced, and the latest one is delivered', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    // slow(steps, 0): every step reports and yields for 0 ms; far more reports than 16 ms windows.
    const f = ex.submit(demo.slow, 2000, 0);
    let count = 0;
    f.onProgress(() => count++);
    assert.equal(await f.result(), 2000);
    assert.ok(count < 2001, `coalesced: ${count} deliveries for 2001 reports`);
    assert.ok(count >= 1);
    assert.deepEqual(f.lastProgress, { fraction: 1, message: 'done' });
  });

  it('a throwing progress listener does not disturb the task', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const { setFutureLogger } = await import('../../../src/futures');
    const { futureLogger } = await import('../../../src/futures/future');
    const logged: string[] = [];
    setFutureLogger((m) => logged.push(m));
    try {
      const f = ex.submit(demo.slow, 2, 5);
      f.onProgress(() => {
        throw new Error('listener bug');
      });
      assert.equal(await f.result(), 2);
      assert.ok(logged.some((m) => /progress listener of future #\d+ threw Error: listener bug/.test(m)));
    } finally {
      setFutureLogger(futureLogger);
    }
  });
});
