// Crash injection: 1,000 tasks while workers die at random points (exit, uncaught error, heap limit, SIGKILL); every future settles, none is lost, none runs twice.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrokenExecutor, wait, type Future, type PoolOptions } from '../../../src/futures';
import { delay, demo, poolKinds, trackExecutors } from './pool-fixture';
import { prng } from '../../support/seeded-random';

describe('futures: crash injection', () => {
  const track = trackExecutors();

  for (const kind of poolKinds) {
    it(`${kind.name} pool: 1,000 tasks with workers dying at random points`, async function () {
      this.timeout(120_000);
      const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
      const random = prng(seed);
      const context = `(seed ${seed}; rerun with CRASH_SEED=${seed})`;
      const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'futures-crash-')), 'starts.log');
      fs.writeFileSync(log, '');
      // A heap cap so that blowHeap tasks die of it quickly; V8's dying words kept out of the output.
      const ex = track(kind.create({ maxWorkers: 3, reserveInteractiveWorker: false, resourceLimits: { maxOldGenerationSizeMb: 48 }, onStderr: () => undefined } as PoolOptions));

      const normal = new Map<number, Future<number>>();
      const crashing: Future<unknown>[] = [];
      for (let id = 0; id < 1000; id++) {
        const r = random();
        if (r < 0.015) crashing.push(ex.submit(demo.exit, 1 + Math.floor(random() * 100), Math.floor(random() * 3)));
        else if (r < 0.025) crashing.push(ex.submit(demo.throwUncaught, `injected ${id}`));
        else if (r < 0.028) crashing.push(ex.submit(demo.blowHeap));
        else normal.set(id, ex.submitWith({ lane: random() < 0.1 ? 'interactive' : 'bulk' }, demo.logged, log, id, Math.floor(random() * 3)));
      }

      // Outside kills as well, at random moments: SIGKILL of a process worker (not possible on Windows here).
      let externalKills = 0;
      const all = [...normal.values(), ...crashing] as Future<unknown>[];
      if (kind.name === 'process' && process.platform !== 'win32') {
        for (let i = 0; i < 8; i++) {
          await delay(20 + Math.floor(random() * 60));
          // A task that logged its start runs on a worker that is up: kill it mid-task.
          const logged = new Set(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number));
          const running = [...normal].filter(([id, f]) => f.running() && logged.has(id)).map(([, f]) => f);
          const victim = running[Math.floor(random() * running.length)];
          const pid = victim?.worker && /pid (\d+)/.exec(victim.worker)?.[1];
          if (pid) {
            try {
              process.kill(Number(pid), 'SIGKILL');
              externalKills++;
            } catch {
              // Already gone.
            }
          }
        }
      }

      const { notDone } = await wait(all, { timeout: 100_000 });
      assert.equal(notDone.size, 0, `every future settles ${context}`);

      const starts = new Map<number, number>();
      for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
        if (line) starts.set(Number(line), (starts.get(Number(line)) ?? 0) + 1);
      }
      let lostToKills = 0;
      for (const [id, f] of normal) {
        const runs = starts.get(id) ?? 0;
        assert.ok(runs <= 1, `task ${id} ran ${runs} times ${context}`);
        if (f.outcome === 'done') {
          assert.equal(await f.result(), id);
          assert.equal(runs, 1, `task ${id} succeeded, so it ran once ${context}`);
        } else {
          // Only a task running on a worker killed from outside may fail; a task never kills another.
          const err = await f.exception();
          assert.ok(err instanceof kind.Broken, `task ${id}: ${String(err)} ${context}`);
          assert.match((err as Error).message, /killed by signal SIGKILL while running/, `task ${id}: ${(err as Error).message} ${context}`);
          lostToKills++;
        }
      }
      assert.ok(lostToKills <= externalKills, `${lostToKills} tasks lost to ${externalKills} outside kills ${context}`);
      for (const f of crashing) {
        const err = await f.exception();
        assert.ok(err instanceof BrokenExecutor, `a crashing task fails with BrokenExecutor: ${String(err)} ${context}`);
      }
      assert.ok(crashing.length > 0);
      assert.equal(await ex.submit(demo.quick, 1).result(), 2, `the pool still works ${context}`);
      fs.rmSync(path.dirname(log), { recursive: true, force: true });
    });
  }
});
