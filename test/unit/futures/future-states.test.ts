// Future state machine and cancel rules (CPython test_concurrent_futures FutureTests), without an executor.
import * as assert from 'node:assert/strict';
import { CancelledError, Future, InvalidStateError, TimeoutError } from '../../../src/futures';

function inState(state: 'PENDING' | 'RUNNING' | 'CANCELLED' | 'CANCELLED_AND_NOTIFIED' | 'FINISHED_OK' | 'FINISHED_ERR'): Future<number> {
  const f = new Future<number>({ label: state });
  if (state === 'RUNNING') f.setRunningOrNotifyCancel();
  if (state === 'CANCELLED' || state === 'CANCELLED_AND_NOTIFIED') f.cancel();
  if (state === 'CANCELLED_AND_NOTIFIED') f.setRunningOrNotifyCancel();
  if (state === 'FINISHED_OK') f.setResult(42);
  if (state === 'FINISHED_ERR') f.setException(new Error('boom'));
  return f;
}

describe('futures: Future states and cancel rules', () => {
  it('reports its state through cancelled/running/done', () => {
    const cases: Array<[Parameters<typeof inState>[0], boolean, boolean, boolean]> = [
      ['PENDING', false, false, false],
      ['RUNNING', false, true, false],
      ['CANCELLED', true, false, true],
      ['CANCELLED_AND_NOTIFIED', true, false, true],
      ['FINISHED_OK', false, false, true],
      ['FINISHED_ERR', false, false, true],
    ];
    for (const [state, cancelled, running, done] of cases) {
      const f = inState(state);
      assert.deepEqual([f.cancelled(), f.running(), f.done()], [cancelled, running, done], state);
    }
  });

  it('cancel(): true when pending or already cancelled, false when running or finished', () => {
    assert.equal(inState('PENDING').cancel(), true);
    assert.equal(inState('CANCELLED').cancel(), true);
    assert.equal(inState('CANCELLED_AND_NOTIFIED').cancel(), true);
    assert.equal(inState('RUNNING').cancel(), false);
    assert.equal(inState('FINISHED_OK').cancel(), false);
    assert.equal(inState('FINISHED_ERR').cancel(), false);
    const f = inState('RUNNING');
    f.cancel();
    assert.equal(f.state, 'RUNNING');
  });

  it('interrupt(): cancels pending and running futures, false only when settled', () => {
    const running = inState('RUNNING');
    assert.equal(running.interrupt(), true);
    assert.equal(running.state, 'CANCELLED_AND_NOTIFIED');
    assert.equal(running.outcome, 'cancelled');
    assert.equal(inState('PENDING').interrupt(), true);
    assert.equal(inState('FINISHED_OK').interrupt(), false);
    assert.equal(inState('CANCELLED').interrupt(), false);
  });

  it('setRunningOrNotifyCancel(): PENDING → RUNNING, CANCELLED → CANCELLED_AND_NOTIFIED, else InvalidStateError', () => {
    const f = new Future();
    assert.equal(f.setRunningOrNotifyCancel(), true);
    assert.equal(f.state, 'RUNNING');
    assert.ok(f.startedAt !== undefined);
    const c = inState('CANCELLED');
    assert.equal(c.setRunningOrNotifyCancel(), false);
    assert.equal(c.state, 'CANCELLED_AND_NOTIFIED');
    assert.throws(() => inState('RUNNING').setRunningOrNotifyCancel(), (e: Error) => e instanceof InvalidStateError && /RUNNING/.test(e.message));
    assert.throws(() => inState('FINISHED_OK').setRunningOrNotifyCancel(), InvalidStateError);
  });

  it('setResult/setException on a settled future throw InvalidStateError naming the state', () => {
    for (const state of ['FINISHED_OK', 'FINISHED_ERR', 'CANCELLED', 'CANCELLED_AND_NOTIFIED'] as const) {
      const f = inState(state);
      const expected = state.startsWith('FINISHED') ? 'FINISHED' : state;
      assert.throws(() => f.setResult(1), (e: Error) => e instanceof InvalidStateError && e.message.includes(`already ${expected}`), state);
      assert.throws(() => f.setException(new Error('x')), (e: Error) => e instanceof InvalidStateError && e.message.includes(`already ${expected}`), state);
    }
  });

  it('result() resolves with the value; exception() with undefined after success', async () => {
    const f = inState('FINISHED_OK');
    assert.equal(await f.result(), 42);
    assert.equal(await f.exception(), undefined);
    assert.equal(f.outcome, 'done');
  });

  it('result() rejects with the exception; exception() resolves with it', async () => {
    const f = inState('FINISHED_ERR');
    await assert.rejects(f.result(), /boom/);
    assert.match(String(await f.exception()), /boom/);
    assert.equal(f.outcome, 'failed');
  });

  it('a falsy thrown value still counts as an exception', async () => {
    for (const value of [0, undefined, null, '', false]) {
      const f = new Future<number>();
      f.setException(value);
      assert.equal(f.failed, true);
      assert.equal(f.outcome, 'failed');
      await assert.rejects(f.result(), (e) => Object.is(e, value));
      assert.ok(Object.is(await f.exception(), value));
    }
  });

  it('result()/exception() of a cancelled future reject with CancelledError', async () => {
    await assert.rejects(inState('CANCELLED').result(), CancelledError);
    await assert.rejects(inState('CANCELLED_AND_NOTIFIED').exception(), CancelledError);
  });

  it('result(timeout) and exception(timeout) reject with TimeoutError when not done in time', async () => {
    await assert.rejects(inState('PENDING').result(10), TimeoutError);
    await assert.rejects(inState('RUNNING').exception(10), TimeoutError);
    await assert.rejects(inState('PENDING').result(0), TimeoutError);
  });

  it('result() waits for a later setResult, and for a cancel', async () => {
    const f = new Future<string>();
    const pending = f.result(5000);
    setTimeout(() => f.setResult('late'), 5);
    assert.equal(await pending, 'late');
    const c = new Future<string>();
    const waiting = c.result();
    setTimeout(() => c.cancel(), 5);
    await assert.rejects(waiting, CancelledError);
  });

  it('each future has its own increasing id, and the info fields', () => {
    const a = new Future({ label: 'x', kind: 'Demo', lane: 'interactive', owner: 's1' });
    const b = new Future();
    assert.ok(b.id > a.id);
    assert.deepEqual([a.label, a.kind, a.lane, a.owner], ['x', 'Demo', 'interactive', 's1']);
    assert.deepEqual([b.label, b.kind, b.lane, b.owner], ['', 'Task', 'bulk', undefined]);
    assert.ok(a.submittedAt <= Date.now());
    a.setRunningOrNotifyCancel();
    a.setResult(1);
    assert.ok(a.finishedAt! >= a.startedAt!);
  });
});
