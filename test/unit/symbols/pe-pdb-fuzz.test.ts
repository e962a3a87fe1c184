// Bounded fuzz run over the PE and PDB readers: 20,000 mutations of the real fixtures, each a result or a clean SymbolReadError.

import * as assert from 'node:assert/strict';
import { runCase } from './pe-pdb-fuzz-cases';
import { runFuzz } from './pe-pdb-fuzz-runner';

describe('PE/PDB fuzz (bounded)', function () {
  this.timeout(300_000);

  it('ends 20,000 mutated images and PDBs in a result or a clean error, without a hang or runaway memory', async () => {
    // A fixed seed keeps CI reproducible; `node scripts/fuzz-pe-pdb.mjs` runs fresh seeds for longer.
    const seed = 20261125;
    const halves = await Promise.all([runFuzz({ seed, start: 0, count: 10_000 }), runFuzz({ seed, start: 10_000, count: 10_000 })]);
    for (const s of halves) {
      assert.equal(s.stalled, undefined, `replay with runCase(${seed}, ${s.stalled?.index}): ${s.stalled?.reason}`);
      assert.deepEqual(s.crashes.slice(0, 3), [], `replay with runCase(${seed}, index)`);
    }
    const ok = halves.reduce((a, s) => a + s.ok, 0);
    const rejected = halves.reduce((a, s) => a + s.rejected, 0);
    assert.equal(ok + rejected, 20_000);
    // Both outcomes must occur, or the mutations are not reaching the parsers (or everything is being refused).
    assert.ok(ok > 500 && rejected > 500, `ok ${ok}, rejected ${rejected}`);
    console.log(`      ${ok} read, ${rejected} refused; slowest case ${Math.max(...halves.map((s) => s.slowestMs)).toFixed(1)} ms`);
  });

  it('replays a case exactly from its seed and index', () => {
    for (const i of [1, 77, 4242]) assert.deepEqual(runCase(99, i), runCase(99, i));
  });
});
