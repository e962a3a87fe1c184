// Pool lifecycle: workers spawn lazily, idle workers are reused, and a throwing event listener cannot break the pool.
import * as assert from 'node:assert/strict';
import { setFutureLogger } from '../../../src/futures';
import { futureLogger } from '../../../src/futures/future';
import { demo, poolKinds, trackExecutors } from './pool-fixture';

describe('futures: pool lifecycle', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: no worker before the first task; one-at-a-time work reuses one idle worker`, async () => {
      const ex = track(kind.create({ maxWorkers: 4 }));
      assert.equal(ex.stats().workers, 0);
      const who = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const f = ex.submit(demo.whoAmI);
        const w = await f.result();
        who.add(`${w.pid}/${w.threadId}`);
        assert.equal(f.worker !== undefined, true);
      }
      assert.equal(who.size, 1, 'the same idle worker ran all five');
      assert.equal(ex.stats().workers, 1);
    });
  }

  it('concurrent work spawns up to maxWorkers and no more', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 3, reserveInteractiveWorker: false }));
    const fs = Array.from({ length: 8 }, () => ex.submit(demo.sleep, 30));
    await Promise.all(fs.map((f) => f.result()));
    assert.equal(new Set(fs.map((f) => f.worker)).size, 3);
  });

  it('a throwing event listener is logged; the futures and the pool carry on', async () => {
    const ex = track(poolKinds[0].create({ maxWorkers: 1 }));
    const logged: string[] = [];
    setFutureLogger((m) => logged.push(m));
    try {
      let later = 0;
      ex.on('settled', () => {
        throw new Error('sidebar bug');
      });
      ex.on('settled', () => later++);
      assert.equal(await ex.submit(demo.quick, 1).result(), 2);
      assert.equal(await ex.submit(demo.quick, 2).result(), 4);
      assert.equal(later, 2, 'the other listeners still ran');
      assert.ok(logged.some((m) => /'settled' listener of the executor threw Error: sidebar bug/.test(m)));
    } finally {
      setFutureLogger(futureLogger);
    }
  });
});
