// maxTasksPerChild: a worker is replaced after that many tasks (a different thread id / pid answers).
import * as assert from 'node:assert/strict';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: maxTasksPerChild', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: a new worker after every 2 tasks`, async () => {
      const ex = track(kind.create({ maxWorkers: 1, maxTasksPerChild: 2 }));
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const who = await ex.submit(demo.whoAmI).result();
        ids.push(kind.name === 'thread' ? `t${who.threadId}` : `p${who.pid}`);
      }
      assert.equal(ids[0], ids[1]);
      assert.equal(ids[2], ids[3]);
      assert.equal(ids[4], ids[5]);
      assert.equal(new Set(ids).size, 3, ids.join(' '));
    });
  }

  it('queued work survives the replacement when many tasks are submitted at once', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 2, maxTasksPerChild: 3 }));
    const fs = Array.from({ length: 40 }, (_, i) => ex.submit(demo.quick, i));
    const results = await Promise.all(fs.map((f) => f.result()));
    assert.deepEqual(results, Array.from({ length: 40 }, (_, i) => i * 2));
    const workers = new Set(fs.map((f) => f.worker));
    assert.ok(workers.size >= 14, `40 tasks at 3 per worker need >= 14 workers, saw ${workers.size}`);
  });
});
