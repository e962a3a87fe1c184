// Worker side of the PE/PDB fuzz run: runs cases in order and reports each start, so the parent can catch a hang or a crash.

import { parentPort, workerData } from 'node:worker_threads';
import { baseline, runCase, runTypeCase } from './pe-pdb-fuzz-cases';

const { seed, start, count, types } = workerData as { seed: number; start: number; count: number; types?: boolean };
const run = types ? runTypeCase : runCase;
baseline();
const tally = { ok: 0, rejected: 0, slowestMs: 0, slowestCase: -1 };
for (let i = start; i < start + count; i++) {
  if ((i - start) % 50 === 0) parentPort!.postMessage({ type: 'at', index: i });
  const t0 = performance.now();
  try {
    const r = run(seed, i);
    tally[r.outcome]++;
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ type: 'crash', index: i, error: `${err.name}: ${err.message}\n${err.stack ?? ''}` });
    continue;
  }
  const ms = performance.now() - t0;
  if (ms > tally.slowestMs) {
    tally.slowestMs = ms;
    tally.slowestCase = i;
  }
}
parentPort!.postMessage({ type: 'done', tally });
