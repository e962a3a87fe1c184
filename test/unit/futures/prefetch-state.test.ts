// Prefetch and future states: tasks sent ahead to a busy worker stay PENDING (cancellable) until that worker starts them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, TimeoutError, type Executor, type Future, type FutureInfo } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

/** The ids a `demo.logged` task wrote to the log (one line each time one started). */
function loggedIds(logFile: string): number[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map(Number)
    .sort((a, b) => a - b);
}

/** The 'started' events of an executor, by future id. */
function startedLog(ex: Executor): Map<number, number> {
  const started = new Map<number, number>();
  ex.on('started', (f: FutureInfo) => started.set(f.id, (started.get(f.id) ?? 0) + 1));
  return started;
}

describe('futures: prefetched tasks are PENDING until their worker starts them', () => {
  const track = trackExecutors();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prefetch-state-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of poolKinds) {
    // Process workers prefetch only when asked (they default to one task at a time).
    const options = { maxWorkers: 1, reserveInteractiveWorker: false, interruptGraceMs: 5_000, prefetch: 8 };

    describe(`${kind.name} pool`, () => {
      it('behind a long task on one worker: the waiting ones are PENDING, cancellable, and not started; interrupting the long one lets the rest run', async () => {
        const ex = track(kind.create(options));
        const started = startedLog(ex);
        const log = path.join(dir, 'runs.log');
        // A quick task first, so the worker is known to be quick and gets a batch in flight.
        assert.equal(await ex.submit(demo.quick, 1).result(), 2);
        const long = ex.submit(demo.untilAborted, 0);
        const waiting = [1, 2, 3, 4, 5].map((id) => ex.submit(demo.logged, log, id, 0));
        await until(() => long.running(), 'the long task runs');
        assert.ok(
          waiting.every((f) => f.state === 'PENDING'),
          `the tasks behind it wait: ${waiting.map((f) => f.state).join(', ')}`,
        );
        assert.ok(waiting.every((f) => f.startedAt === undefined && f.worker === undefined && !started.has(f.id)), 'no start time, worker or started event while waiting');
        assert.equal(ex.stats().running, 1, 'only the long task counts as running');
        assert.equal(ex.stats().queued, 5, 'the waiting ones count as queued');
        assert.deepEqual(loggedIds(log), [], 'none of them has run');

        const cancelled = waiting[2];
        assert.equal(cancelled.cancel(), true, 'cancel() of a waiting prefetched task succeeds');
        assert.equal(cancelled.state, 'CANCELLED_AND_NOTIFIED');
        await assert.rejects(cancelled.result(), CancelledError);

        assert.equal(long.interrupt(), true);
        const rest = waiting.filter((f) => f !== cancelled);
        assert.deepEqual(await Promise.all(rest.map((f) => f.result())), [1, 2, 4, 5]);
        assert.deepEqual(loggedIds(log), [1, 2, 4, 5], 'each ran once; the cancelled one never ran');
        for (const f of rest) {
          assert.equal(started.get(f.id), 1, `future #${f.id} had one started event`);
          assert.ok(f.startedAt !== undefined && f.startedAt >= f.submittedAt && f.startedAt <= f.finishedAt!, 'started within its lifetime');
        }
        assert.equal(started.has(cancelled.id), false, 'the cancelled one never started');
      });

      it('a deadline that expires while a task waits behind a long one fails it with TimeoutError; it never runs', async () => {
        const ex = track(kind.create(options));
        const log = path.join(dir, 'runs.log');
        assert.equal(await ex.submit(demo.quick, 1).result(), 2);
        const long = ex.submit(demo.untilAborted, 0);
        const doomed = ex.submitWith({ timeout: 50 }, demo.logged, log, 7, 0);
        const after = ex.submit(demo.logged, log, 8, 0);
        await until(() => doomed.done(), 'the deadline expires');
        await assert.rejects(doomed.result(), TimeoutError);
        assert.equal(doomed.outcome, 'timedOut');
        assert.equal(after.state, 'PENDING');
        long.interrupt();
        assert.equal(await after.result(), 8);
        assert.deepEqual(loggedIds(log), [8], 'the timed-out task never ran');
      });
    });
  }

  it('thread pool: tasks prefetched behind a task that turns out endless move to the idle worker and complete while it still runs', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2, reserveInteractiveWorker: false, interruptGraceMs: 50 }));
    const started = startedLog(ex);
    const log = path.join(dir, 'runs.log');
    assert.equal(await ex.submit(demo.quick, 1).result(), 2);
    // All six go to the quick worker in one batch; the first never yields.
    const endless = ex.submit(demo.spin);
    const waiting = [1, 2, 3, 4, 5].map((id) => ex.submit(demo.logged, log, id, 0));
    assert.deepEqual(await Promise.all(waiting.map((f) => f.result())), [1, 2, 3, 4, 5]);
    assert.equal(endless.state, 'RUNNING', 'the endless task still runs');
    assert.ok(waiting.every((f) => f.worker !== endless.worker), 'they ran on the other worker');
    assert.deepEqual(loggedIds(log), [1, 2, 3, 4, 5], 'each ran exactly once');
    assert.ok(waiting.every((f) => started.get(f.id) === 1), 'one started event each');
    assert.equal(endless.interrupt(), true);
    assert.equal(await ex.submit(demo.quick, 3).result(), 6);
  });

  it('thread pool: cancel() racing the worker through its prefetched tasks: a task cancelled with true never runs, every other one runs once', async function () {
    this.timeout(60_000);
    const ex = track(poolKinds[0].create({ maxWorkers: 2, reserveInteractiveWorker: false }));
    const log = path.join(dir, 'runs.log');
    assert.equal(await ex.submit(demo.quick, 1).result(), 2);
    const futures = Array.from({ length: 1500 }, (_, id) => ex.submit(demo.logged, log, id, 0));
    const cancelled = new Set<number>();
    // Between turns of the event loop, cancel some of the first unfinished tasks: those are the ones
    // prefetched on the workers, which the workers are about to start (or just have).
    let next = 0;
    for (let round = 0; next < futures.length; round++) {
      await new Promise((r) => setImmediate(r));
      let seen = 0;
      for (let id = next; id < futures.length && seen < 10; id++) {
        if (futures[id].done()) {
          if (id === next) next++;
          continue;
        }
        seen++;
        if ((id + round) % 3 === 0 && futures[id].cancel()) cancelled.add(id);
      }
    }
    const outcomes = await Promise.allSettled(futures.map((f) => f.result()));
    const ran = loggedIds(log);
    assert.equal(new Set(ran).size, ran.length, 'no task ran twice');
    const expected = futures.map((_, id) => id).filter((id) => !cancelled.has(id));
    assert.deepEqual(ran, expected, 'exactly the tasks not cancelled ran');
    outcomes.forEach((o, id) => assert.equal(o.status === 'rejected', cancelled.has(id), `future ${id}: ${o.status}`));
    assert.ok(cancelled.size > 0, 'some cancels succeeded');
  });

  it('thread pool: shutdown({ cancelFutures }) cancels prefetched tasks that have not started', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1, reserveInteractiveWorker: false }));
    const log = path.join(dir, 'runs.log');
    assert.equal(await ex.submit(demo.quick, 1).result(), 2);
    const long = ex.submit(demo.untilAborted, 0);
    const waiting: Future<number>[] = [1, 2, 3].map((id) => ex.submit(demo.logged, log, id, 0));
    await until(() => long.running(), 'the long task runs');
    const closed = ex.shutdown({ wait: true, cancelFutures: true });
    assert.ok(waiting.every((f) => f.cancelled()), `all waiting ones cancelled: ${waiting.map((f) => f.state).join(', ')}`);
    long.interrupt();
    await closed;
    assert.deepEqual(loggedIds(log), []);
  });
});
