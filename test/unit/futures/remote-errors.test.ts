// Errors thrown in a worker arrive with name, message and own properties, and the remote stack as `cause`.
import * as assert from 'node:assert/strict';
import { RemoteError } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: remote errors', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    describe(`${kind.name} pool`, () => {
      it('keeps the name, message and properties, with the remote stack as cause', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const err = (await ex.submit(demo.fail, 'bad input 42').exception()) as Error & { code?: string };
        assert.ok(err instanceof Error);
        assert.equal(err.name, 'DemoTaskError');
        assert.equal(err.message, 'bad input 42');
        assert.equal(err.code, 'E_DEMO');
        assert.ok(err.cause instanceof RemoteError);
        const remote = (err.cause as RemoteError).remoteStack;
        assert.match(remote, /DemoTaskError: bad input 42/);
        assert.match(remote, /at throwDeep .*demo-tasks\.js/);
        assert.match(remote, /at fail .*demo-tasks\.js/);
      });

      it('rebuilds built-in error classes', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        // quick(ctx, x) with a BigInt: BigInt * number throws a TypeError inside the worker.
        const err = await ex.submit(demo.quick, 10n as unknown as number).exception();
        assert.ok(err instanceof TypeError, String(err));
        assert.match((err as Error).message, /BigInt/);
      });

      it('falsy and non-Error thrown values arrive as they were thrown', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        for (const value of [0, undefined, null, '', false, 'text', { code: 7 }]) {
          const f = ex.submit(demo.throwValue, value);
          await assert.rejects(f.result(), (e) => {
            assert.deepEqual(e, value);
            return true;
          });
          assert.equal(f.outcome, 'failed');
          assert.equal(f.failed, true);
        }
      });

      it('a missing task module or export gives an error naming it and what to check', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const { taskRef } = await import('../../../src/futures');
        const noModule = (await ex.submit(taskRef<[], void>('futures/no-such-module', 'x')).exception()) as Error;
        assert.match(noModule.message, /cannot load task module 'futures\/no-such-module' from .*no-such-module\.js.*Check the TaskRef's module name and the executor's modulesRoot/);
        const noExport = (await ex.submit(taskRef<[], void>('futures/demo-tasks', 'nope')).exception()) as Error;
        assert.match(noExport.message, /task module 'futures\/demo-tasks' has no exported function 'nope'; it exports: .*quick/);
      });

      it('a result that cannot be cloned fails the future with a clear error', async () => {
        const ex = track(kind.create({ maxWorkers: 1 }));
        const err = (await ex.submit(demo.echo, 1).exception()) as Error | undefined;
        assert.equal(err, undefined);
        const bad = (await ex.submit(demo.echo, () => 1).exception().catch((e: unknown) => e)) as Error;
        assert.match(String(bad.message), /could not be sent to (a worker|the host)/);
      });
    });
  }
});
