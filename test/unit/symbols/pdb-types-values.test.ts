// The PDB type table through the value formatters: each static of the MSVC enum fixtures, read from the .exe's sections, shows as Rust's {:?} of the value the source gives it.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryReader } from '../../../src/rust/values/memory-reader';
import { ValueFormatter } from '../../../src/rust/values/value-formatter';
import { ValueViews } from '../../../src/rust/values/value-views';
import { openPdbTypeTable } from '../../../src/symbols/pdb/pdb-types';
import { rvaToOffset } from '../../../src/symbols/pe/pe';
import { fixture } from './pe-llvm-reference';

describe('PDB types through the value formatters', () => {
  for (const stem of ['enums-msvc/enums', 'enums-msvc/enums-old']) {
    it(`${stem}: every static shows as {:?} of its value in the source`, async () => {
      const exe = fixture(`${stem}.exe`);
      const bytes = fs.readFileSync(exe);
      const table = openPdbTypeTable(exe);
      // The statics are initialised data: their bytes are the file's, at their section's file offset.
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
      const source = fs.readFileSync(path.join(fixture('src'), 'enums.rs'), 'utf8');
      let checked = 0;
      for (const m of source.matchAll(/^#\[no_mangle\] pub static (\w+): (.+?) = (.+);$/gm)) {
        const [, name, declared, value] = m;
        // {:?} of a derived Debug drops the type paths; `&X` prints as X's value (5).
        const expected = value.replace(/\b[A-Z]\w*::/g, '').replace('&X', '5');
        const s = table.findStatic(`enums::${name}`)!;
        const row = await formatter.shown(name, { type: s.type, address: s.address });
        assert.equal(row.value, expected, `${stem} ${name}`);
        assert.equal(row.type, declared.replace(/\b(Shape|Opt|Letter|Wrap|Single|Many|Pair|Big)\b/g, 'enums::$1'), `${stem} ${name}`);
        checked++;
      }
      assert.ok(checked >= 20);
    });
  }
});
