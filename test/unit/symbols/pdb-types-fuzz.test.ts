// Bounded fuzz run over the PDB type table: 20,000 mutated Rust PDBs whose every type, frame variables and lookups end in an answer or a clean TypeReadError/SymbolReadError.

import * as assert from 'node:assert/strict';
import { runTypeCase } from './pe-pdb-fuzz-cases';
import { runFuzz } from './pe-pdb-fuzz-runner';

describe('PDB type table fuzz (bounded)', function () {
  // About a minute on two quiet cores; far longer when the machine is shared.
  this.timeout(900_000);

  it('resolves every type of 20,000 mutated PDBs to a type or a clean error, without a hang or runaway memory', async () => {
    // A fixed seed keeps CI reproducible; `node scripts/fuzz-pe-pdb.mjs --types` runs fresh seeds for longer.
    const seed = 20261207;
    const halves = await Promise.all([runFuzz({ seed, start: 0, count: 10_000, types: true }), runFuzz({ seed, start: 10_000, count: 10_000, types: true })]);
    for (const s of halves) {
      assert.equal(s.stalled, undefined, `replay with runTypeCase(${seed}, ${s.stalled?.index}): ${s.stalled?.reason}`);
      assert.deepEqual(s.crashes.slice(0, 3), [], `replay with runTypeCase(${seed}, index)`);
    }
    const ok = halves.reduce((a, s) => a + s.ok, 0);
    const rejected = halves.reduce((a, s) => a + s.rejected, 0);
    assert.equal(ok + rejected, 20_000);
    // Most mutated PDBs still open (the mutations reach the type records), and some do not.
    assert.ok(ok > 5000 && rejected > 100, `ok ${ok}, rejected ${rejected}`);
    console.log(`      ${ok} tables read, ${rejected} PDBs refused; slowest case ${Math.max(...halves.map((s) => s.slowestMs)).toFixed(1)} ms`);
  });

  it('replays a case exactly from its seed and index', () => {
    for (const i of [3, 555, 9999]) assert.deepEqual(runTypeCase(7, i), runTypeCase(7, i));
  });
});
