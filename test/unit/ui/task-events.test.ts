// observeExecutor: a real thread pool's events reach the Debugger Tasks store and the log (debug lines only at debug level).
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { ThreadPoolExecutor, taskModule } from '../../../src/futures';
import { observeExecutor } from '../../../src/ui/task-events';
import { TaskStore } from '../../../src/ui/task-store';

const demo = taskModule<typeof import('../../../src/futures/demo-tasks')>('futures/demo-tasks');

/** Records lines like a LogOutputChannel; `logLevel` as vscode.LogLevel (2 = Debug, 3 = Info). */
function recordingLog(logLevel: number): vscode.LogOutputChannel & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string): void => void lines.push(`${level} ${message}`);
  return { logLevel, lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as vscode.LogOutputChannel & { lines: string[] };
}

describe('observeExecutor', function () {
  this.timeout(30_000);
  let executor: ThreadPoolExecutor;
  beforeEach(() => {
    executor = new ThreadPoolExecutor({ maxWorkers: 1 });
  });
  afterEach(async () => {
    await executor.shutdown({ wait: true, cancelFutures: true });
  });

  it('tracks every task in the store and writes a debug line per event, with the error of a failure', async () => {
    const store = new TaskStore({ keepFinished: 10 });
    const log = recordingLog(2);
    const sub = observeExecutor(executor, store, log);
    const ok = executor.submitWith({ label: 'double 21', kind: 'Demo', owner: 's1' }, demo.quick, 21);
    const bad = executor.submitWith({ label: 'fails', kind: 'Demo', owner: 's1' }, demo.fail, 'on purpose');
    assert.equal(await ok.result(), 42);
    await assert.rejects(bad.result(), /on purpose/);
    store.flush();
    assert.equal(store.get(ok.id)?.future, ok, 'the store holds the future itself, so the view can interrupt it');
    assert.deepEqual(store.counts(), { pending: 0, running: 0, finished: 2 });
    const about = (id: number): string[] => log.lines.filter((l) => l.includes(`task #${id} `));
    assert.deepEqual(about(ok.id).map((l) => l.replace(/ after .*| on .*/, '')), [
      `debug task #${ok.id} "double 21" (Demo, s1) submitted`,
      `debug task #${ok.id} "double 21" (Demo, s1) started`,
      `debug task #${ok.id} "double 21" (Demo, s1) done`,
    ]);
    assert.match(about(bad.id)[2], /failed after .*: DemoTaskError: on purpose$/);
    sub.dispose();
    store.dispose();
  });

  it('writes no debug lines at the default Info level, and stops observing once disposed', async () => {
    const store = new TaskStore({ keepFinished: 10 });
    const log = recordingLog(3);
    const sub = observeExecutor(executor, store, log);
    await executor.submit(demo.quick, 1).result();
    assert.deepEqual(log.lines, []);
    assert.equal(store.size, 1);
    sub.dispose();
    await executor.submit(demo.quick, 2).result();
    assert.equal(store.size, 1, 'a task after dispose is not tracked');
    store.dispose();
  });
});
