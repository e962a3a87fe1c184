// Long fuzz run of the ELF/DWARF readers and the Rust demangler, or with --types of the DWARF type reader: `node scripts/fuzz-symbols.mjs [--types] [--cases N] [--seed S]` (after `npm run build:tests`).
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const cases = arg('cases', 200_000);
const seed = arg('seed', Date.now() % 2 ** 31);
const out = path.join(root, 'out', 'test', 'unit', 'symbols');
if (!fs.existsSync(path.join(out, 'elf-fuzz.js'))) {
  console.error('out/test/unit/symbols/elf-fuzz.js is missing: run `npm run build:tests` first');
  process.exit(2);
}
if (process.argv.includes('--types')) {
  // Types, frame variables and lookups of mutated small binaries (dwarf-types-fuzz.ts).
  const { runTypeFuzz, typeFuzzInputs, ownUnit } = require(path.join(out, 'dwarf-types-fuzz.js'));
  const inputs = typeFuzzInputs();
  let typeFailures = 0;
  const started = Date.now();
  for (let done = 0, s = seed; done < cases; done += 10_000, s++) {
    const report = runTypeFuzz(inputs, Math.min(10_000, cases - done), s, ownUnit);
    typeFailures += report.failures.length;
    for (const fail of report.failures.slice(0, 5)) console.error(`FAIL seed ${fail.seed} case ${fail.caseIndex} (${fail.input}):\n${fail.error}`);
    console.log(`seed ${s}: ${report.cases} cases, ${report.results} clean, ${report.cleanErrors} with type errors, ${report.failures.length} failures, ${report.typesResolved} types, slowest ${report.slowestMs.toFixed(1)} ms, heap ${report.peakHeapMb.toFixed(0)} MB`);
  }
  console.log(`${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, ${typeFailures} failures`);
  process.exit(typeFailures > 0 ? 1 : 0);
}
const { runElfFuzz } = require(path.join(out, 'elf-fuzz.js'));
const { linuxFixtures, removeLinuxFixtures } = require(path.join(out, 'linux-fixtures.js'));
const f = linuxFixtures();
const inputs = ['smallC5', 'smallC4', 'smallZlib', 'smallRustObj'].map((k) => ({ name: k, bytes: fs.readFileSync(f[k]) }));
const batch = 10_000;
let failures = 0;
const t0 = Date.now();
try {
  for (let done = 0, s = seed; done < cases; done += batch, s++) {
    const report = runElfFuzz(inputs, Math.min(batch, cases - done), s);
    failures += report.failures.length;
    for (const fail of report.failures.slice(0, 5)) console.error(`FAIL seed ${fail.seed} case ${fail.caseIndex} (${fail.input}):\n${fail.error}`);
    console.log(`seed ${s}: ${report.cases} cases, ${report.results} results, ${report.cleanErrors} clean errors, ${report.failures.length} failures, slowest ${report.slowestMs.toFixed(1)} ms`);
  }
} finally {
  removeLinuxFixtures();
}
console.log(`${cases} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${failures} failures`);
process.exit(failures > 0 ? 1 : 0);
