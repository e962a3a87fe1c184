// Crash injection: 1,000 tasks while workers die at random points (exit, uncaught error, heap limit, SIGKILL) and tasks are stopped by deadlines and interrupts (sent-ahead ones too); every future settles, none is lost, none runs twice.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrokenExecutor, wait, type Future, type PoolOptions } from '../../../src/futures';
import { delay, demo, poolKinds, trackExecutors, type PoolKind } from './pool-fixture';
import { prng } from '../../support/seeded-random';

interface SoakCase {
  kind: PoolKind;
  /** Tasks sent ahead per worker (process workers default to 1). */
  prefetch?: number;
  /** SIGKILL process workers from outside, at random moments (a kill loses the answers of a prefetched run, so only with prefetch 1). */
  externalKills: boolean;
}

const cases: SoakCase[] = [
  { kind: poolKinds[0], externalKills: false },
  { kind: poolKinds[1], externalKills: process.platform !== 'win32' },
  { kind: poolKinds[1], prefetch: 4, externalKills: false },
];

describe('futures: crash injection', () => {
  const track = trackExecutors();

  for (const c of cases) {
    const title = `${c.kind.name} pool${c.prefetch ? `, prefetch ${c.prefetch}` : ''}: 1,000 tasks with workers dying at random points, deadlines and interrupts${c.externalKills ? ', SIGKILL from outside' : ''}`;
    it(title, async function () {
      this.timeout(180_000);
      const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
      const random = prng(seed);
      const context = `(seed ${seed}; rerun with CRASH_SEED=${seed})`;
      const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'futures-crash-')), 'starts.log');
      fs.writeFileSync(log, '');
      // A heap cap so that blowHeap tasks die of it quickly; V8's dying words kept out of the output.
      // A short grace period: endless tasks past their deadline get their worker terminated.
      const ex = track(
        c.kind.create({
          maxWorkers: 3,
          reserveInteractiveWorker: false,
          resourceLimits: { maxOldGenerationSizeMb: 48 },
          interruptGraceMs: 50,
          ...(c.prefetch ? { prefetch: c.prefetch } : {}),
          onStderr: () => undefined,
        } as PoolOptions),
      );

      const normal = new Map<number, Future<number>>();
      /** Tasks with a deadline, or interrupted: they may not run, but never run twice, and if done they ran once. */
      const stopped = new Set<number>();
      const crashing: Future<unknown>[] = [];
      const endless: Future<unknown>[] = [];
      const quickSpins: Future<number>[] = [];
      for (let id = 0; id < 1000; id++) {
        const r = random();
        const lane = random() < 0.1 ? 'interactive' : 'bulk';
        if (r < 0.015) crashing.push(ex.submit(demo.exit, 1 + Math.floor(random() * 100), Math.floor(random() * 3)));
        else if (r < 0.025) crashing.push(ex.submit(demo.throwUncaught, `injected ${id}`));
        else if (r < 0.028) crashing.push(ex.submit(demo.blowHeap));
        // Never yields, so only its worker's termination stops it when the deadline comes.
        else if (r < 0.032) {
          // Right behind a quick one of the same function, so it is likely sent ahead with it, looking
          // quick; its deadline comes after it has started, or while it still waits.
          quickSpins.push(ex.submit(demo.spinFor, 0));
          endless.push(ex.submitWith({ timeout: 100 + Math.floor(random() * 2000) }, demo.spinFor, 1e9));
        }
        // The same function, quick: so the endless ones come after it looking quick, sent ahead in batches.
        else if (r < 0.06) quickSpins.push(ex.submit(demo.spinFor, 0));
        else if (r < 0.1) {
          stopped.add(id);
          normal.set(id, ex.submitWith({ lane, timeout: 1 + Math.floor(random() * 30) }, demo.logged, log, id, Math.floor(random() * 20)));
        } else normal.set(id, ex.submitWith({ lane }, demo.logged, log, id, Math.floor(random() * 3)));
      }

      // While they run: interrupt a few unsettled tasks at random moments (most are waiting, in the
      // queue or sent ahead to a worker), and SIGKILL process workers from outside.
      let externalKills = 0;
      const all = [...normal.values(), ...crashing, ...endless, ...quickSpins] as Future<unknown>[];
      for (let i = 0; i < 10; i++) {
        await delay(20 + Math.floor(random() * 60));
        const unsettled = [...normal].filter(([, f]) => !f.done());
        for (let k = 0; k < 4 && unsettled.length > 0; k++) {
          const [id, f] = unsettled.splice(Math.floor(random() * unsettled.length), 1)[0];
          stopped.add(id);
          f.interrupt();
        }
        if (!c.externalKills || i >= 8) continue;
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

      const { notDone } = await wait(all, { timeout: 150_000 });
      assert.equal(notDone.size, 0, `every future settles: 0 hung ${context}`);

      const starts = new Map<number, number>();
      for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
        if (line) starts.set(Number(line), (starts.get(Number(line)) ?? 0) + 1);
      }
      let lostToKills = 0;
      let stoppedBeforeRunning = 0;
      for (const [id, f] of normal) {
        const runs = starts.get(id) ?? 0;
        assert.ok(runs <= 1, `task ${id} ran ${runs} times: 0 run twice ${context}`);
        if (f.outcome === 'done') {
          assert.equal(await f.result(), id);
          assert.equal(runs, 1, `task ${id} succeeded, so it ran once ${context}`);
        } else if (stopped.has(id) && (f.outcome === 'cancelled' || f.outcome === 'timedOut')) {
          if (runs === 0) stoppedBeforeRunning++;
        } else {
          // Only a task running on a worker killed from outside may fail; a task never kills another,
          // and a worker terminated for an endless task takes no other task with it: 0 lost.
          const err = f.cancelled() ? new Error(`cancelled, yet never stopped`) : await f.exception();
          assert.ok(err instanceof c.kind.Broken, `task ${id} (${f.outcome}): ${String(err)} ${context}`);
          assert.match((err as Error).message, /killed by signal SIGKILL while running/, `task ${id}: ${(err as Error).message} ${context}`);
          lostToKills++;
        }
      }
      assert.ok(lostToKills <= externalKills, `${lostToKills} tasks lost to ${externalKills} outside kills ${context}`);
      for (const f of crashing) {
        const err = await f.exception();
        assert.ok(err instanceof BrokenExecutor, `a crashing task fails with BrokenExecutor: ${String(err)} ${context}`);
      }
      for (const f of endless) assert.equal(f.outcome, 'timedOut', `an endless task fails on its deadline ${context}`);
      for (const f of quickSpins) {
        // Lost only to an outside kill, like the logged ones.
        if (f.outcome !== 'done') assert.match(String(await f.exception()), /killed by signal SIGKILL while running/, context);
      }
      assert.ok(crashing.length > 0 && endless.length > 0 && stopped.size > 0);
      assert.ok(stoppedBeforeRunning > 0, `some stopped tasks never ran ${context}`);
      assert.equal(await ex.submit(demo.quick, 1).result(), 2, `the pool still works ${context}`);
      fs.rmSync(path.dirname(log), { recursive: true, force: true });
    });
  }
});
