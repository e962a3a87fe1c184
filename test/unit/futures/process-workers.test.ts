// Process workers: started from process.execPath as plain Node (also inside Electron), with only the flags the pool sets, and gone after shutdown.
import * as assert from 'node:assert/strict';
import { ProcessPoolExecutor } from '../../../src/futures';
import { demo, trackExecutors, until } from './pool-fixture';
import { processExists } from '../../support/processes';

describe('futures: process workers', () => {
  const track = trackExecutors();

  it("runs the host's own executable with ELECTRON_RUN_AS_NODE=1 and no inherited flags", async () => {
    const ex = track(new ProcessPoolExecutor({ maxWorkers: 1 }));
    const info = await ex.submit(demo.processInfo).result();
    assert.equal(info.execPath, process.execPath);
    assert.equal(info.electronRunAsNode, '1');
    assert.deepEqual(info.execArgv, []);
    assert.equal(info.ppid, process.pid);
    assert.notEqual(info.pid, process.pid);
  });

  it('resourceLimits.maxOldGenerationSizeMb becomes --max-old-space-size', async () => {
    const ex = track(new ProcessPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 96 } }));
    const info = await ex.submit(demo.processInfo).result();
    assert.deepEqual(info.execArgv, ['--max-old-space-size=96']);
  });

  it("onStderr receives the workers' stderr", async () => {
    let text = '';
    const ex = track(new ProcessPoolExecutor({ maxWorkers: 1, onStderr: (t) => (text += t) }));
    await ex.submit(demo.writeStderr, 'warning from a worker\n').result();
    await until(() => text.includes('warning from a worker'), 'the text reaches onStderr');
    assert.throws(() => new ProcessPoolExecutor({ onStderr: 'log' as never }), /options\.onStderr must be a function/);
  });

  it('shutdown leaves no worker process behind', async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 2, reserveInteractiveWorker: false });
    const pids = await Promise.all([ex.submit(demo.sleep, 50), ex.submit(demo.sleep, 50)].map(async (f) => {
      await f.result();
      return Number(/pid (\d+)/.exec(f.worker!)![1]);
    }));
    await ex.shutdown({ wait: true });
    await until(() => pids.every((pid) => !processExists(pid)), 'the worker processes have exited');
  });
});
