#!/usr/bin/env node
// Long PE/PDB fuzz run over the real Windows fixtures: `npm run build:tests && node scripts/fuzz-pe-pdb.mjs [--cases N] [--seed S] [--workers W] [--types]`
// (--types: the type-table cases, runTypeCase).
// Prints any case that crashed (threw something other than SymbolReadError), hung or ran out of memory, with the seed and
// index to replay it: `node -e "require('./out/test/unit/symbols/pe-pdb-fuzz-cases.js').runCase(SEED, INDEX)"`.
import * as os from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { runFuzz } = require('../out/test/unit/symbols/pe-pdb-fuzz-runner.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const cases = arg('cases', 200_000);
const seed = arg('seed', Math.floor(Math.random() * 2 ** 31));
const workers = Math.max(1, arg('workers', Math.max(1, os.availableParallelism() - 1)));
const per = Math.ceil(cases / workers);
const types = process.argv.includes('--types');

console.log(`fuzzing the PE/PDB readers: ${cases} cases, seed ${seed}, ${workers} workers`);
const t0 = Date.now();
const results = await Promise.all(
  Array.from({ length: workers }, (_, w) => runFuzz({ seed, start: w * per, count: Math.min(per, cases - w * per), stallMs: 120_000, types })),
);
let ok = 0;
let rejected = 0;
let bad = 0;
for (const r of results) {
  ok += r.ok;
  rejected += r.rejected;
  for (const c of r.crashes) {
    bad++;
    console.log(`CRASH case ${c.index} (seed ${seed}):\n${c.error}\n`);
  }
  if (r.stalled) {
    bad++;
    console.log(`STALL seed ${seed}: ${r.stalled.reason}`);
  }
}
const slowest = results.reduce((a, r) => (r.slowestMs > a.slowestMs ? r : a), results[0]);
console.log(`${ok} read, ${rejected} refused, ${bad} problems in ${((Date.now() - t0) / 1000).toFixed(1)} s; slowest case ${slowest.slowestCase} took ${slowest.slowestMs.toFixed(1)} ms`);
process.exit(bad ? 1 : 0);
