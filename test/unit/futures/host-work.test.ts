// submitOnHost(): a future whose work runs on the submitting side, observed, cancelled and timed out like a task.
import * as assert from 'node:assert/strict';
import { CancelledError, TimeoutError, type FutureInfo } from '../../../src/futures';
import { delay, poolKinds, trackExecutors, until } from './pool-fixture';

/** Work that waits until its signal aborts, and says why it stopped. */
function untilAborted(seen: { reason?: unknown }): (signal: AbortSignal) => Promise<never> {
  return (signal) =>
    new Promise((_, reject) =>
      signal.addEventListener('abort', () => {
        seen.reason = signal.reason;
        reject(signal.reason);
      }),
    );
}

describe('futures: work on the host (submitOnHost)', () => {
  const track = trackExecutors();
  const kind = poolKinds[0];

  it('settles with the work\'s result, after submitted and started events, on worker "host", with the options', async () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    const events: string[] = [];
    for (const name of ['submitted', 'started', 'settled'] as const) ex.on(name, (f: FutureInfo) => events.push(`${name} ${f.label} ${f.state}`));
    const f = ex.submitOnHost({ label: 'answer', kind: 'Evaluations', lane: 'interactive', owner: 'me' }, async () => {
      await delay(5);
      return 42;
    });
    assert.equal(f.running(), true);
    assert.equal(await f.result(), 42);
    assert.deepEqual([f.kind, f.lane, f.owner, f.worker, f.outcome], ['Evaluations', 'interactive', 'me', 'host', 'done']);
    assert.deepEqual(events, ['submitted answer PENDING', 'started answer RUNNING', 'settled answer FINISHED']);
  });

  it('fails with what the work threw, also when it throws before its first await', async () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    const thrown = ex.submitOnHost({}, () => {
      throw new Error('no such name');
    });
    await assert.rejects(thrown.result(), /no such name/);
    assert.equal(thrown.outcome, 'failed');
    const rejected = ex.submitOnHost({}, async () => Promise.reject(new RangeError('bad')));
    await assert.rejects(rejected.result(), RangeError);
  });

  it('interrupt() settles it cancelled at once and aborts the work\'s signal', async () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    const seen: { reason?: unknown } = {};
    const f = ex.submitOnHost({ label: 'slow' }, untilAborted(seen));
    assert.equal(f.cancel(), false, 'running work cannot be cancel()led, only interrupted');
    assert.equal(f.interrupt(), true);
    assert.equal(f.cancelled(), true);
    assert.ok(seen.reason instanceof CancelledError, String(seen.reason));
    await assert.rejects(f.result(), CancelledError);
  });

  it('past its deadline it fails with TimeoutError (outcome timedOut) and the work\'s signal aborts', async () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    const seen: { reason?: unknown } = {};
    const f = ex.submitOnHost({ label: 'slow', timeout: 30 }, untilAborted(seen));
    const err = await f.exception();
    assert.ok(err instanceof TimeoutError, String(err));
    assert.match((err as Error).message, /'slow' \(future #\d+\) missed its deadline of 30 ms/);
    assert.equal(f.outcome, 'timedOut');
    assert.ok(seen.reason instanceof TimeoutError);
  });

  it('work that ends after its future was interrupted changes nothing: the future stays cancelled', async () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    let finish: (() => void) | undefined;
    const f = ex.submitOnHost({}, () => new Promise<number>((resolve) => (finish = () => resolve(1))));
    f.interrupt();
    finish!();
    await delay(10);
    assert.equal(f.outcome, 'cancelled');
    await assert.rejects(f.result(), CancelledError);
  });

  it('shutdown(wait) waits for it; after shutdown no new one is taken', async () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    let finish: (() => void) | undefined;
    const f = ex.submitOnHost({}, () => new Promise<string>((resolve) => (finish = () => resolve('finished'))));
    let closed = false;
    const shutdown = ex.shutdown({ wait: true }).then(() => (closed = true));
    await delay(50);
    assert.equal(closed, false, 'shutdown resolved while host work ran');
    assert.throws(() => ex.submitOnHost({}, async () => 1), /after shutdown/);
    finish!();
    await shutdown;
    await until(() => closed, 'shutdown resolved');
    assert.equal(await f.result(), 'finished');
  });

  it('checks its options as submit() does', () => {
    const ex = track(kind.create({ maxWorkers: 1 }));
    assert.throws(() => ex.submitOnHost({ timeout: -1 }, async () => 1), /SubmitOptions\.timeout must be a positive number/);
    assert.throws(() => ex.submitOnHost({ lane: 'fast' as never }, async () => 1), /SubmitOptions\.lane must be/);
  });
});
