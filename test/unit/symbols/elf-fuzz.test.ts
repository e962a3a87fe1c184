// Bounded fuzz run over mutated ELF/DWARF fixtures and mangled names: every case ends in a result or a SymbolReadError (scripts/fuzz-symbols.mjs runs longer).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runElfFuzz } from './elf-fuzz';
import { linuxFixtures } from './linux-fixtures';

/** The CI share of the symbol fuzzing; the PE/PDB fuzz test adds its own cases toward the 20,000 of the issue. */
export const CI_ELF_FUZZ_CASES = 12_000;

describe('ELF/DWARF fuzzing (bounded)', function () {
  this.timeout(300_000);

  it(`survives ${CI_ELF_FUZZ_CASES} mutated fixtures and names with a result or a clean error`, () => {
    const f = linuxFixtures();
    const inputs = [
      { name: 'small-c5', bytes: fs.readFileSync(f.smallC5) },
      { name: 'small-c4', bytes: fs.readFileSync(f.smallC4) },
      { name: 'small-zlib', bytes: fs.readFileSync(f.smallZlib) },
      { name: 'small-rust.o', bytes: fs.readFileSync(f.smallRustObj) },
    ];
    const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
    const report = runElfFuzz(inputs, CI_ELF_FUZZ_CASES, seed);
    assert.equal(report.cases, CI_ELF_FUZZ_CASES);
    assert.deepEqual(report.failures.slice(0, 3), [], `seed ${seed}: ${report.failures.length} inputs threw something other than SymbolReadError`);
    assert.equal(report.results + report.cleanErrors, report.cases);
    // The mutations must reach both outcomes, or the run proves nothing.
    assert.ok(report.results > 1000 && report.cleanErrors > 1000, `results ${report.results}, errors ${report.cleanErrors}`);
  });
});
