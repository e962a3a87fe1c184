// Bounded fuzz run of the DWARF type reader over mutated small binaries (Rust no_std, C++ with type units): every case ends in types or a clean error (scripts/fuzz-symbols.mjs --types runs longer).
import * as assert from 'node:assert/strict';
import { ownUnit, runTypeFuzz, typeFuzzInputs } from './dwarf-types-fuzz';

/** The issue asks for at least 20,000 cases of the type readers in CI. */
export const CI_TYPE_FUZZ_CASES = 20_000;

describe('DWARF type reader fuzzing (bounded)', function () {
  this.timeout(600_000);

  it(`survives ${CI_TYPE_FUZZ_CASES} mutated binaries with types, frame variables and lookups, or clean errors`, () => {
    const seed = Number(process.env.FUZZ_SEED ?? 0x7e5);
    const report = runTypeFuzz(typeFuzzInputs(), CI_TYPE_FUZZ_CASES, seed, ownUnit);
    assert.equal(report.cases, CI_TYPE_FUZZ_CASES);
    assert.deepEqual(report.failures.slice(0, 3), [], `seed ${seed}: ${report.failures.length} cases threw something other than TypeReadError/SymbolReadError`);
    assert.equal(report.results + report.cleanErrors, report.cases);
    // Both outcomes must be reached, and most types still resolve, or the run proves nothing.
    assert.ok(report.results > 2000 && report.cleanErrors > 2000, `results ${report.results}, clean errors ${report.cleanErrors}`);
    assert.ok(report.typesResolved > 100 * report.cases, `${report.typesResolved} types resolved`);
    assert.ok(report.peakHeapMb < 1024, `heap reached ${report.peakHeapMb} MB`);
    console.log(`      ${report.typesResolved} types resolved, ${report.typeErrors} clean type errors, slowest case ${report.slowestMs.toFixed(1)} ms, peak heap ${report.peakHeapMb.toFixed(0)} MB`);
  });
});
