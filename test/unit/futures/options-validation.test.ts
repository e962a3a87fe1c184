// Option validation: each bad option or argument is rejected up front with a message naming it and the allowed range.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ProcessPoolExecutor, ThreadPoolExecutor, taskRef } from '../../../src/futures';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: option validation', () => {
  const track = trackExecutors();

  for (const Ctor of [ThreadPoolExecutor, ProcessPoolExecutor]) {
    describe(Ctor.name, () => {
      it('maxWorkers must be an integer from 1 to 1024', () => {
        for (const bad of [0, -1, 1.5, 1025, NaN, '2' as unknown as number]) {
          assert.throws(() => new Ctor({ maxWorkers: bad }), (e: Error) => e instanceof RangeError && e.message.startsWith('options.maxWorkers must be an integer from 1 to 1024 (got'), String(bad));
        }
      });

      it('other numeric options name themselves', () => {
        assert.throws(() => new Ctor({ maxTasksPerChild: 0 }), /options\.maxTasksPerChild must be an integer from 1/);
        assert.throws(() => new Ctor({ interruptGraceMs: -1 }), /options\.interruptGraceMs must be an integer from 0 to 60000/);
        assert.throws(() => new Ctor({ prefetch: 0 }), /options\.prefetch must be an integer from 1 to 1024/);
        assert.throws(() => new Ctor({ crashLoopLimit: 0 }), /options\.crashLoopLimit must be an integer from 1/);
        assert.throws(() => new Ctor({ resourceLimits: { maxOldGenerationSizeMb: -5 } }), /options\.resourceLimits\.maxOldGenerationSizeMb must be a positive number of megabytes/);
        assert.throws(() => new Ctor({ initargs: 'x' as unknown as unknown[] }), /options\.initargs must be an array/);
        assert.throws(() => new Ctor({ modulesRoot: '' }), /options\.modulesRoot must be a folder path/);
      });

      it('a modulesRoot without the worker entry is rejected, naming the missing file', () => {
        assert.throws(() => new Ctor({ modulesRoot: '/no/such/folder' }), /options\.modulesRoot: the worker entry .*futures.*worker-entry\.js does not exist; modulesRoot must be the folder that holds the compiled futures\/ folder/);
      });

      it('a relative modulesRoot is taken from the working directory', async () => {
        const relative = path.relative(process.cwd(), path.resolve(__dirname, '../../../src'));
        const ex = track(new Ctor({ maxWorkers: 1, modulesRoot: relative }));
        assert.equal(await ex.submit(demo.add, 2, 2).result(), 4);
      });

      it('defaults maxWorkers to the CPU count and spawns nothing until work comes', () => {
        const ex = new Ctor();
        assert.ok(ex.maxWorkers >= 1);
        assert.equal(ex.stats().workers, 0);
      });
    });
  }

  it('submit() rejects a bad timeout, handler or task reference', () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    assert.throws(() => ex.submitWith({ timeout: 0 }, demo.quick, 1), /SubmitOptions\.timeout must be a positive number of milliseconds \(got 0\)/);
    assert.throws(() => ex.submitWith({ onRequest: 5 as never }, demo.quick, 1), /SubmitOptions\.onRequest must be a function/);
    assert.throws(() => ex.submit(undefined as never), /submit\(\) needs a TaskRef/);
    assert.throws(() => ex.submit(taskRef('/abs/path', 'x')), /must be relative to the executor's modulesRoot/);
  });

  it('resize() validates like maxWorkers', () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    assert.throws(() => ex.resize(0), /options\.maxWorkers must be an integer from 1 to 1024 \(got 0\)/);
  });
});
