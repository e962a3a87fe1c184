// Executor.map(): input order, chunksize, buffersize, timeout cancelling the rest, and the consumer stopping early.
import * as assert from 'node:assert/strict';
import { TimeoutError, type Future } from '../../../src/futures';
import { demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: map()', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('yields results in input order even when later items finish first', async () => {
        const ex = track(kind.create({ maxWorkers: 3 }));
        const out: number[] = [];
        for await (const ms of ex.map(demo.sleep, [60, 1, 30, 1, 10])) out.push(ms);
        assert.deepEqual(out, [60, 1, 30, 1, 10]);
      });

      it('with chunksize runs several items per task and still yields them in order', async () => {
        const ex = track(kind.create({ maxWorkers: 2 }));
        const tasks: Future<unknown>[] = [];
        ex.on('submitted', (f) => tasks.push(f as Future<unknown>));
        const out: number[] = [];
        for await (const v of ex.map(demo.quick, [1, 2, 3, 4, 5, 6, 7], { chunksize: 3 })) out.push(v);
        assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14]);
        assert.equal(tasks.length, 3);
      });
    });
  }

  it('a timeout throws TimeoutError and cancels the tasks not yet done', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const submitted: Future<unknown>[] = [];
    ex.on('submitted', (f) => submitted.push(f as Future<unknown>));
    const out: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of ex.map(demo.sleep, [1, 10_000, 1, 1], { timeout: 300 })) out.push(v);
      })(),
      TimeoutError,
    );
    assert.deepEqual(out, [1]);
    assert.equal(submitted[0].outcome, 'done');
    for (const f of submitted.slice(1)) assert.equal(f.cancelled(), true, `${f} should be cancelled`);
  });

  it('when the consumer stops early, the rest are cancelled', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const submitted: Future<unknown>[] = [];
    ex.on('submitted', (f) => submitted.push(f as Future<unknown>));
    for await (const v of ex.map(demo.sleep, [1, 5_000, 5_000])) {
      assert.equal(v, 1);
      break;
    }
    await until(() => submitted.slice(1).every((f) => f.cancelled()), 'the unconsumed map tasks are cancelled');
  });

  it('buffersize limits how many tasks are submitted ahead of the consumer', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2 }));
    let submitted = 0;
    ex.on('submitted', () => submitted++);
    const it = ex.map(demo.quick, [1, 2, 3, 4, 5, 6], { buffersize: 2 });
    assert.equal(submitted, 2);
    const out: number[] = [];
    for await (const v of it) {
      out.push(v);
      assert.ok(submitted <= out.length + 2, `at most 2 ahead (submitted ${submitted}, consumed ${out.length})`);
    }
    assert.deepEqual(out, [2, 4, 6, 8, 10, 12]);
    assert.equal(submitted, 6);
  });

  it('an exception in one item is thrown at its position', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2 }));
    const out: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of ex.map(demo.fail, ['a'])) out.push(v);
      })(),
      /a/,
    );
  });

  it('rejects bad chunksize/buffersize/timeout naming the option', () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    assert.throws(() => ex.map(demo.quick, [1], { chunksize: 0 }), /options\.chunksize must be a positive integer \(got 0\)/);
    assert.throws(() => ex.map(demo.quick, [1], { buffersize: 1.5 }), /options\.buffersize must be a positive integer/);
    assert.throws(() => ex.map(demo.quick, [1], { timeout: -5 }), /options\.timeout must be a number of milliseconds/);
  });
});
