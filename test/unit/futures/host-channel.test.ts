// Host channel: ctx.request(method, params) inside a task is answered by SubmitOptions.onRequest on the submitting side.
import * as assert from 'node:assert/strict';
import { delay, demo, poolKinds, trackExecutors, until } from './pool-fixture';

describe('futures: host channel', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('answers a request with the handler (sync or async) result', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const calls: Array<[string, unknown]> = [];
        const f = ex.submitWith(
          {
            onRequest: async (method, params) => {
              calls.push([method, params]);
              await delay(1);
              return { bytes: [1, 2, 3], at: (params as { addr: number }).addr };
            },
          },
          demo.ask,
          'readMemory',
          { addr: 0x1000 },
        );
        assert.deepEqual(await f.result(), { bytes: [1, 2, 3], at: 0x1000 });
        assert.deepEqual(calls, [['readMemory', { addr: 0x1000 }]]);
      });

      it('many round trips from one task', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const f = ex.submitWith({ onRequest: (_m, i) => (i as number) * 2 }, demo.askMany, 50);
        assert.equal(await f.result(), 2 * ((49 * 50) / 2));
      });

      it('a throwing handler rejects the request inside the task with its message', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const f = ex.submitWith(
          {
            onRequest: () => {
              throw new Error('memory at 0x0 is not readable');
            },
          },
          demo.ask,
          'readMemory',
          0,
        );
        await assert.rejects(f.result(), /memory at 0x0 is not readable/);
      });

      it('without a handler the request fails with an error saying to pass onRequest', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        await assert.rejects(ex.submit(demo.ask, 'variables', 1).result(), /called ctx\.request\('variables'\) but no handler answers it: pass SubmitOptions\.onRequest/);
      });
    });
  }

  it("the handler's signal aborts when the future settles", async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    let signal: AbortSignal | undefined;
    const f = ex.submitWith(
      {
        onRequest: (_m, _p, s) => {
          signal = s;
          return new Promise(() => undefined);
        },
      },
      demo.ask,
      'hang',
      null,
    );
    await until(() => signal !== undefined, 'the handler is called');
    assert.equal(signal!.aborted, false);
    f.interrupt();
    assert.equal(signal!.aborted, true);
    assert.equal(await ex.submit(demo.quick, 1).result(), 2);
  });
});
