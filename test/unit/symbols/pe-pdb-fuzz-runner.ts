// Runs PE/PDB fuzz cases in a worker with a watchdog and a heap limit: a hang, a crash or runaway memory is reported with the case to replay.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FuzzSummary {
  seed: number;
  cases: number;
  ok: number;
  rejected: number;
  /** Cases that threw something other than SymbolReadError, with the error. */
  crashes: Array<{ index: number; error: string }>;
  /** Set when the worker stopped making progress or died (out of memory, native crash). */
  stalled?: { index: number; reason: string };
  slowestMs: number;
  slowestCase: number;
}

export interface FuzzOptions {
  seed: number;
  start?: number;
  count: number;
  /** A case range with no progress report for this long counts as a hang (not a timing assertion: a hang never finishes). */
  stallMs?: number;
  maxHeapMb?: number;
  /** Run the type-table cases (runTypeCase) instead of the image and PDB loading ones. */
  types?: boolean;
}

export function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const { seed, count } = options;
  const start = options.start ?? 0;
  const summary: FuzzSummary = { seed, cases: count, ok: 0, rejected: 0, crashes: [], slowestMs: 0, slowestCase: -1 };
  return new Promise((resolve) => {
    const worker = new Worker(path.join(__dirname, 'pe-pdb-fuzz-worker.js'), {
      workerData: { seed, start, count, types: options.types ?? false },
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 768 },
    });
    let at = start;
    let finished = false;
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ index: at, reason: `no progress for ${options.stallMs ?? 60_000} ms after case ${at} (a hang?)` }), options.stallMs ?? 60_000);
    };
    const finish = (stalled?: FuzzSummary['stalled']) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (stalled) summary.stalled = stalled;
      void worker.terminate();
      resolve(summary);
    };
    arm();
    worker.on('message', (m: { type: string; index?: number; error?: string; tally?: { ok: number; rejected: number; slowestMs: number; slowestCase: number } }) => {
      if (m.type === 'at') {
        at = m.index!;
        arm();
      } else if (m.type === 'crash') {
        summary.crashes.push({ index: m.index!, error: m.error! });
      } else if (m.type === 'done') {
        Object.assign(summary, m.tally);
        finish();
      }
    });
    worker.on('error', (e) => finish({ index: at, reason: `the worker died near case ${at}: ${e.message}` }));
    worker.on('exit', (code) => finish(code === 0 ? undefined : { index: at, reason: `the worker exited with code ${code} near case ${at}` }));
  });
}
