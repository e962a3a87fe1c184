// asCompleted(): finished futures first, then completion order, duplicates once, TimeoutError naming the unfinished count.
import * as assert from 'node:assert/strict';
import { Future, TimeoutError, asCompleted } from '../../../src/futures';

async function collect<T>(it: AsyncIterable<Future<T>>): Promise<Array<Future<T>>> {
  const out: Array<Future<T>> = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('futures: asCompleted()', () => {
  it('yields the already-finished futures first, then in completion order', async () => {
    const done = new Future<number>();
    done.setResult(0);
    const slowOne = new Future<number>();
    const fastOne = new Future<number>();
    setTimeout(() => slowOne.setResult(2), 30);
    setTimeout(() => fastOne.setResult(1), 5);
    const order = await collect(asCompleted([slowOne, fastOne, done], 10_000));
    assert.deepEqual(order, [done, fastOne, slowOne]);
  });

  it('yields each future once, however often it is listed', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    b.setResult(2);
    setTimeout(() => a.setResult(1), 5);
    const order = await collect(asCompleted([a, b, a, b, a], 10_000));
    assert.deepEqual(order, [b, a]);
  });

  it('includes cancelled futures once notified', async () => {
    const c = new Future<number>();
    setTimeout(() => {
      c.cancel();
      c.setRunningOrNotifyCancel();
    }, 5);
    assert.deepEqual(await collect(asCompleted([c], 10_000)), [c]);
  });

  it('throws TimeoutError "N (of M) futures unfinished" after yielding what finished', async () => {
    const done = new Future<number>();
    done.setResult(1);
    const never1 = new Future<number>();
    const never2 = new Future<number>();
    const seen: Array<Future<number>> = [];
    await assert.rejects(
      (async () => {
        for await (const f of asCompleted([done, never1, never2, never1], 20)) seen.push(f);
      })(),
      (e: Error) => e instanceof TimeoutError && e.message === '2 (of 3) futures unfinished',
    );
    assert.deepEqual(seen, [done]);
  });

  it('a zero timeout still yields the already-finished ones', async () => {
    const done = new Future<number>();
    done.setResult(1);
    const it = asCompleted([done, new Future<number>()], 0)[Symbol.asyncIterator]();
    assert.equal((await it.next()).value, done);
    await assert.rejects(it.next(), /1 \(of 2\) futures unfinished/);
  });
});
