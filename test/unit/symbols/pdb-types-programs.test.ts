// The PDB type table on MSVC programs built with core and alloc (rustc 1.96: enum2$, rustc 1.63: enum$): each static of test/programs/windows/pdb_types.rs formats as the {:?} text the program prints for it.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryReader } from '../../../src/rust/values/memory-reader';
import { ValueFormatter } from '../../../src/rust/values/value-formatter';
import { ValueViews } from '../../../src/rust/values/value-views';
import { openPdbTypeTable } from '../../../src/symbols/pdb/pdb-types';
import { rvaToOffset } from '../../../src/symbols/pe/pe';

const REPO = path.resolve(__dirname, '../../../..');
const SOURCE = path.join(REPO, 'test', 'programs', 'windows', 'pdb_types.rs');
/** The Windows program builder (test/support/msvc-programs.ts, from the Windows end-to-end work). */
const BUILDER = path.join(REPO, 'out', 'test', 'support', 'msvc-programs.js');
const CODEVIEW_SPELLING = /\b(ref|ref_mut|ptr_const|ptr_mut|slice2?|tuple|enum2?|array|dyn|assoc|never|str)\$/;

describe('PDB types on programs built with core and alloc', function () {
  // Building a toolchain's sysroot the first time takes minutes; later runs reuse it.
  this.timeout(900_000);

  for (const toolchain of ['1.96', '1.63'] as const) {
    it(`rustc ${toolchain}: every static formats as the {:?} text the program prints for it`, async function () {
      // Until the builder is merged into this branch's main, there is nothing to build with.
      if (!fs.existsSync(BUILDER)) this.skip();
      const { buildMsvcProgram } = (await import(BUILDER)) as { buildMsvcProgram(o: { source: string; toolchain: string }): Promise<{ exe: string }> };
      const { exe } = await buildMsvcProgram({ source: SOURCE, toolchain });
      const bytes = fs.readFileSync(exe);
      const table = openPdbTypeTable(exe);
      const fetch = async (address: number, count: number) => {
        const out = new Uint8Array(count);
        for (let i = 0; i < count; i++) {
          const at = rvaToOffset(table.image, address - table.image.imageBase + i, 1);
          if (at === undefined) return { bytes: out.subarray(0, i) };
          out[i] = bytes[at];
        }
        return { bytes: out };
      };
      const formatter = new ValueFormatter(new ValueViews(table, new MemoryReader(fetch), { hex: false, slide: 0 }));
      let checked = 0;
      // `// => text` after each static is what main prints for it with {:?} (checked by running the program under wine).
      for (const m of fs.readFileSync(SOURCE, 'utf8').matchAll(/^#\[no_mangle\] pub static (\w+): .+ = .+; \/\/ => (.+)$/gm)) {
        const [, name, expected] = m;
        const s = table.findStatic(`pdb_types::${name}`);
        assert.ok(s, `${toolchain}: static ${name}`);
        const row = await formatter.shown(name, { type: s.type, address: s.address });
        assert.equal(row.value, expected, `${toolchain} ${name}: ${row.type}`);
        assert.doesNotMatch(row.type ?? '', CODEVIEW_SPELLING, `${toolchain} ${name}`);
        checked++;
      }
      assert.ok(checked >= 20, `only ${checked} statics`);
    });
  }
});
