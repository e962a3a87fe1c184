// A deadline or interrupt() on any task a worker holds, first or sent ahead behind others, stops it and frees the worker; the tasks behind it run exactly once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, TimeoutError, type Future } from '../../../src/futures';
import { delay, demo, poolKinds, trackExecutors, until } from './pool-fixture';

/** How many times each id was logged by demo.logged (one line per start). */
function runs(log: string): Map<number, number> {
  const counts = new Map<number, number>();
  if (!fs.existsSync(log)) return counts;
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) if (line) counts.set(Number(line), (counts.get(Number(line)) ?? 0) + 1);
  return counts;
}

describe('futures: stopping any task a worker holds frees that worker', () => {
  const track = trackExecutors();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stop-frees-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      for (const position of ['first', 'sent ahead behind a finished task'] as const) {
        for (const how of ['deadline', 'interrupt()'] as const) {
          it(`${how} on a never-yielding task ${position}: it stops, the worker is replaced, the tasks behind it run exactly once`, async () => {
            // One worker and sent-ahead tasks: everything below goes to the same worker in one batch.
            const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false, prefetch: 8, interruptGraceMs: 100 }));
            const log = path.join(dir, 'runs.log');
            assert.equal(await ex.submit(demo.quick, 0).result(), 0);
            assert.ok((await ex.submit(demo.spinFor, 0).result()) >= 0, 'the endless one looks quick (its function was)');
            const before = position === 'first' ? undefined : ex.submit(demo.quick, 1);
            const stuck: Future<number> = how === 'deadline' ? ex.submitWith({ timeout: 300 }, demo.spinFor, 1e9) : ex.submit(demo.spinFor, 1e9);
            const behind = [1, 2, 3].map((id) => ex.submit(demo.logged, log, id, 0));
            if (how === 'interrupt()') {
              await until(() => stuck.running(), 'the endless task runs');
              await delay(50);
              assert.equal(stuck.interrupt(), true);
            }
            // Generous: without the fix the worker is never freed and these never run.
            await until(() => behind.every((f) => f.done()), 'the tasks behind the stopped one settle', 20_000);
            if (how === 'deadline') {
              await assert.rejects(stuck.result(), TimeoutError);
              assert.equal(stuck.outcome, 'timedOut');
            } else {
              await assert.rejects(stuck.result(), CancelledError);
            }
            if (before) assert.equal(await before.result(), 2, 'the task before it completed');
            assert.deepEqual(await Promise.all(behind.map((f) => f.result())), [1, 2, 3]);
            const counts = runs(log);
            assert.deepEqual([1, 2, 3].map((id) => counts.get(id)), [1, 1, 1], 'each ran exactly once');
            assert.ok(behind.every((f) => f.worker !== undefined && f.worker !== stuck.worker), 'they ran on a replacement');
            assert.equal(await ex.submit(demo.quick, 5).result(), 10, 'the pool still works');
            await until(() => ex.stats().workers === 1, 'the stuck worker is gone');
          });
        }
      }

      it('with warmSpare: the next task after a stuck task runs on the spare, a worker started before the interrupt', async () => {
        const ex = track(kind.create({ maxWorkers: 1, reserveInteractiveWorker: false, warmSpare: true, interruptGraceMs: 50 }));
        assert.equal(await ex.submit(demo.quick, 1).result(), 2);
        await until(() => ex.stats().workers === 2, 'the spare is started');
        // Let the spare get ready (it announces itself; a task would go to the general worker).
        await delay(200);
        const stuck = ex.submit(demo.spinFor, 1e9);
        await until(() => stuck.running(), 'the endless task runs');
        const interruptedAt = performance.timeOrigin + performance.now();
        stuck.interrupt();
        const next = ex.submit(demo.workerStartedAt);
        const startedAt = await next.result();
        assert.ok(startedAt < interruptedAt, `the next task ran on a worker started before the interrupt (${startedAt} < ${interruptedAt})`);
        assert.notEqual(next.worker, stuck.worker);
        await until(() => ex.stats().workers === 2, 'a new spare is started');
      });
    });
  }
});
