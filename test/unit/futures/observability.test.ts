// Observability: ids, labels, kinds, owners, times and worker names on futures; submitted/started/settled events; stats.
import * as assert from 'node:assert/strict';
import type { FutureInfo } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: observability', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: events in order, with the fields the sidebar shows`, async () => {
      const ex = track(kind.create({ maxWorkers: 1 }));
      const log: string[] = [];
      for (const ev of ['submitted', 'started', 'settled'] as const) ex.on(ev, (f: FutureInfo) => log.push(`${ev}:${f.label}:${f.state}`));
      const f = ex.submitWith({ label: 'load libfoo.so', kind: 'Symbols', owner: 'session-1' }, demo.sleep, 10);
      assert.equal(await f.result(), 10);
      assert.deepEqual(log, ['submitted:load libfoo.so:PENDING', 'started:load libfoo.so:RUNNING', 'settled:load libfoo.so:FINISHED']);
      assert.equal(f.kind, 'Symbols');
      assert.equal(f.owner, 'session-1');
      assert.equal(f.lane, 'bulk');
      assert.equal(f.outcome, 'done');
      assert.match(f.worker!, kind.name === 'thread' ? /^thread#\d+$/ : /^process#\d+ pid \d+$/);
      assert.ok(f.submittedAt <= f.startedAt! && f.startedAt! <= f.finishedAt!);
      assert.equal(f.error, undefined);
    });
  }

  it('the label defaults to the task name and the kind to "Task"; ids increase', () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const a = ex.submit(demo.quick, 1);
    const b = ex.submit(demo.add, 1, 2);
    assert.equal(a.label, 'quick');
    assert.equal(a.kind, 'Task');
    assert.ok(b.id > a.id);
  });

  it('settled fires for cancelled, failed and timed-out futures, with error and outcome', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
    const settled = new Map<number, FutureInfo>();
    ex.on('settled', (f) => settled.set(f.id, f));
    const busy = ex.submit(demo.sleep, 100);
    const cancelled = ex.submit(demo.quick, 1);
    cancelled.cancel();
    const failed = ex.submit(demo.fail, 'x');
    const timedOut = ex.submitWith({ timeout: 20 }, demo.quick, 1);
    await Promise.allSettled([busy, failed, timedOut].map((f) => f.result()));
    assert.equal(settled.get(cancelled.id)?.outcome, 'cancelled');
    assert.equal(settled.get(failed.id)?.outcome, 'failed');
    assert.match(String((settled.get(failed.id)?.error as Error).message), /x/);
    assert.equal(settled.get(timedOut.id)?.outcome, 'timedOut');
    assert.equal(settled.get(busy.id)?.outcome, 'done');
  });

  it('stats() counts queued and running futures and live workers', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2, reserveInteractiveWorker: false }));
    assert.deepEqual(ex.stats(), { queued: 0, running: 0, workers: 0 });
    const fs = [1, 2, 3, 4, 5].map(() => ex.submit(demo.sleep, 5_000));
    await until(() => fs.filter((f) => f.running()).length === 2, 'two tasks run');
    assert.deepEqual(ex.stats(), { queued: 3, running: 2, workers: 2 });
    for (const f of fs) f.interrupt();
    assert.deepEqual({ ...ex.stats(), workers: 0 }, { queued: 0, running: 0, workers: 0 });
  });
});
