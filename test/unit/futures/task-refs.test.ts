// Task references: taskModule() typing, module path rules, and the task file path on Windows and POSIX.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { taskModule, taskRef } from '../../../src/futures';
import { locateModulesRoot } from '../../../src/futures/pool-options';
import { taskModuleFile } from '../../../src/futures/task-ref';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: task references', () => {
  const track = trackExecutors();

  it('taskModule() gives { module, name } per export, and submit() is type-checked against the signature', async () => {
    assert.deepEqual({ ...demo.add }, { module: 'futures/demo-tasks', name: 'add' });
    assert.equal(demo.add, demo.add, 'the same ref each time');
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const sum: number = await ex.submit(demo.add, 2, 3).result();
    assert.equal(sum, 5);
    if (Date.now() < 0) {
      // Compile-time checks only (never run): wrong argument types or counts do not compile.
      // @ts-expect-error a string where a number is expected
      ex.submit(demo.add, 'x', 3);
      // @ts-expect-error missing argument
      ex.submit(demo.add, 2);
      // @ts-expect-error the result is a number, not a string
      const s: Promise<string> = ex.submit(demo.add, 1, 2).result();
      void s;
      // @ts-expect-error not a task of the module
      void demo.notATask;
    }
  });

  it('taskModule() refs are not thenables (awaiting one does not hang)', async () => {
    const refs = taskModule<{ x(ctx: unknown): void }>('futures/demo-tasks');
    assert.equal((refs as unknown as { then?: unknown }).then, undefined);
  });

  it('module paths must be relative, without "..", drive letters or extensions', () => {
    for (const bad of ['', '/abs/mod', 'C:\\tasks\\mod', 'c:/tasks/mod', '\\\\server\\share\\mod', '../outside', 'a/../../b', 'futures/demo-tasks.js', 'x.ts']) {
      assert.throws(() => taskRef(bad, 'f'), TypeError, JSON.stringify(bad));
    }
    assert.doesNotThrow(() => taskRef('rust/evaluate-task', 'evaluate'));
  });

  it('the task file is <modulesRoot>/<module>.js with the platform separator', () => {
    assert.equal(taskModuleFile('C:\\Users\\me\\.vscode\\extensions\\rust-offload\\dist', 'rust/evaluate-task', path.win32), 'C:\\Users\\me\\.vscode\\extensions\\rust-offload\\dist\\rust\\evaluate-task.js');
    assert.equal(taskModuleFile('/home/me/ext/out/src', 'symbols/load-task', path.posix), '/home/me/ext/out/src/symbols/load-task.js');
  });

  it('the default modulesRoot is found in the tsc layout and in both bundle layouts, on Windows paths too', () => {
    const has = (files: string[]) => (f: string) => files.includes(f);
    // tsc: out\src\futures\thread-pool.js → out\src
    assert.equal(locateModulesRoot('C:\\ext\\out\\src\\futures', has(['C:\\ext\\out\\src\\futures\\worker-entry.js']), path.win32), 'C:\\ext\\out\\src');
    // bundle: dist\extension.js → dist
    assert.equal(locateModulesRoot('C:\\ext\\dist', has(['C:\\ext\\dist\\futures\\worker-entry.js']), path.win32), 'C:\\ext\\dist');
    // bundle: dist\debug\adapter-main.js → dist
    assert.equal(locateModulesRoot('C:\\ext\\dist\\debug', has(['C:\\ext\\dist\\futures\\worker-entry.js']), path.win32), 'C:\\ext\\dist');
    assert.equal(locateModulesRoot('/ext/dist', has(['/ext/dist/futures/worker-entry.js']), path.posix), '/ext/dist');
  });
});
