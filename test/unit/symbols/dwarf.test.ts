// The DWARF reader's compile units, functions, inlined calls and lines, checked against llvm-dwarfdump-19 and llvm-symbolizer-19 on rustc-built fixtures.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { bufferSource, fileSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { dwarfSections, readElfModule } from '../../../src/symbols/elf/elf-module';
import { listUnits } from '../../../src/symbols/dwarf/dwarf';
import { joinDwarfPath } from '../../../src/symbols/dwarf/dwarf-line';
import { ModuleSymbols } from '../../../src/symbols/model';
import { demangleRust } from '../../../src/symbols/rust-demangle';
import { SymbolIndex, buildIndex } from '../../../src/symbols/symbol-index';
import { dieRanges, dwarfdump, quoted } from './dwarfdump-reference';
import { linuxFixtures, run } from './linux-fixtures';

function read(file: string): ModuleSymbols {
  return readElfModule(fileSource(file), { path: file });
}

describe('DWARF reader vs llvm-dwarfdump-19', function () {
  this.timeout(180_000);

  for (const variant of ['legacy', 'mixed'] as const) {
    describe(`${variant} fixture`, () => {
      let file: string;
      let mod: ModuleSymbols;
      let dump: ReturnType<typeof dwarfdump>;
      before(() => {
        file = linuxFixtures()[variant];
        mod = read(file);
        dump = dwarfdump(file);
      });

      it('reads every compile unit with its language and producer', () => {
        assert.equal(mod.compileUnits.length, dump.length);
        dump.forEach((u, i) => {
          const cu = u.dies[0];
          assert.equal(mod.compileUnits[i].name, quoted(cu.attrs.get('DW_AT_name')));
          assert.equal(mod.compileUnits[i].producer, quoted(cu.attrs.get('DW_AT_producer')));
          assert.equal(cu.attrs.get('DW_AT_language'), 'DW_LANG_Rust');
          assert.equal(mod.compileUnits[i].language, 'Rust');
          assert.ok(mod.compileUnits[i].isRust);
        });
        assert.deepEqual(mod.warnings, []);
      });

      if (variant === 'mixed') {
        it('holds DWARF 4 and DWARF 5 units in one file', () => {
          const versions = new Set(dump.map((u) => u.version));
          assert.deepEqual([...versions].sort(), [4, 5]);
          const info = new ElfFile(bufferSource(fs.readFileSync(file)), file).data('.debug_info')!;
          assert.deepEqual(listUnits(info).map((u) => u.version), dump.map((u) => u.version));
        });
      }

      it('finds every subprogram with code, with its linkage name, ranges and declaring line', () => {
        const expected = new Map<number, { linkage?: string; line?: number; ranges: Array<[number, number]> }>();
        for (const u of dump) {
          for (const d of u.dies) {
            if (d.tag !== 'DW_TAG_subprogram') continue;
            const ranges = dieRanges(d);
            if (ranges.length === 0) continue;
            const linkage = quoted(d.attrs.get('DW_AT_linkage_name')) ?? quoted(d.attrs.get('DW_AT_abstract_origin')) ?? quoted(d.attrs.get('DW_AT_specification'));
            const line = d.attrs.get('DW_AT_decl_line');
            expected.set(Math.min(...ranges.map((r) => r[0])), { linkage, line: line ? Number(line) : undefined, ranges });
          }
        }
        assert.ok(expected.size > 300, `expected many functions, dwarfdump shows ${expected.size}`);
        assert.equal(mod.functions.length, expected.size);
        for (const f of mod.functions) {
          const low = Math.min(...f.ranges.map((r) => r[0]));
          const e = expected.get(low);
          assert.ok(e, `function ${f.name} at 0x${low.toString(16)} is not a subprogram in dwarfdump`);
          assert.deepEqual(f.ranges, e.ranges, f.name);
          if (e.linkage?.startsWith('_R') || e.linkage?.startsWith('_ZN')) {
            assert.equal(f.linkageName, e.linkage);
            assert.equal(f.name, demangleRust(e.linkage));
          }
          if (e.line !== undefined) assert.equal(f.line, e.line, f.name);
        }
        const countWords = mod.functions.find((f) => f.name === 'symbols_demo::count_words');
        assert.ok(countWords);
        assert.match(mod.files[countWords.file!], /symbols_demo\.rs$/);
        assert.equal(countWords.line, 31);
      });

      it('finds every inlined call inside a function, named after its callee', () => {
        let expected = 0;
        for (const u of dump) {
          for (const d of u.dies) {
            if (d.tag !== 'DW_TAG_inlined_subroutine' || dieRanges(d).length === 0) continue;
            let p = d.parent;
            while (p && p.tag !== 'DW_TAG_subprogram') p = p.parent;
            if (p && dieRanges(p).length > 0) expected++;
          }
        }
        assert.ok(expected > 1000);
        assert.equal(mod.inlineSites.length, expected);
        const addOne = mod.inlineSites.filter((s) => s.name === 'symbols_demo::add_one');
        assert.equal(addOne.length, 1);
        assert.equal(mod.functions[addOne[0].parent].name, 'symbols_demo::main');
        assert.equal(addOne[0].callLine, 48);
      });

      it('maps addresses to function, inline chain and line as llvm-symbolizer-19 does', () => {
        const index = new SymbolIndex([buildIndex(mod)]);
        const ours = mod.functions.filter((f) => f.name.startsWith('symbols_demo') || f.name.includes('symbols_demo::'));
        const addrs: number[] = [];
        for (const f of ours) for (let a = f.ranges[0][0]; a < f.ranges[0][1]; a += 7) addrs.push(a);
        assert.ok(addrs.length > 100);
        const out = run('llvm-symbolizer-19', ['--no-demangle', `--obj=${file}`, ...addrs.map((a) => '0x' + a.toString(16))]);
        const blocks = out.trim().split(/\n\s*\n/);
        assert.equal(blocks.length, addrs.length);
        blocks.forEach((block, i) => {
          const lines = block.split('\n');
          const frames: Array<{ name: string; file: string; line: number }> = [];
          for (let j = 0; j + 1 < lines.length; j += 2) {
            const loc = /^(.*):(\d+):\d+$/.exec(lines[j + 1]);
            frames.push({ name: lines[j], file: loc ? loc[1] : '', line: loc ? Number(loc[2]) : 0 });
          }
          const hit = index.lookupAddress(addrs[i]);
          const where = `0x${addrs[i].toString(16)}`;
          assert.equal(hit.function?.name, demangleRust(frames[frames.length - 1].name) ?? frames[frames.length - 1].name, where);
          assert.equal(hit.inlined.length, frames.length - 1, `${where}: inline depth`);
          hit.inlined.forEach((inl, k) => {
            const callee = frames[frames.length - 2 - k];
            const caller = frames[frames.length - 1 - k];
            assert.equal(inl.name, demangleRust(callee.name) ?? callee.name, where);
            assert.equal(inl.callLine, caller.line, `${where}: call line`);
            assert.equal(inl.callFile, caller.file, `${where}: call file`);
          });
          if (frames[0].line !== 0) {
            assert.equal(hit.line, frames[0].line, `${where}: line`);
            assert.equal(hit.file, frames[0].file, `${where}: file`);
          }
        });
      });
    });
  }

  it('reads zlib-compressed debug sections (SHF_COMPRESSED) to the same result', () => {
    const f = linuxFixtures();
    const sections = run('llvm-readobj-19', ['--sections', f.zlib]);
    assert.match(sections, /SHF_COMPRESSED/);
    const plain = read(f.legacy);
    const zlib = read(f.zlib);
    assert.equal(zlib.functions.length, plain.functions.length);
    assert.equal(zlib.inlineSites.length, plain.inlineSites.length);
    assert.equal(zlib.lineColumns!.count, plain.lineColumns!.count);
    assert.deepEqual(zlib.compileUnits, plain.compileUnits);
  });

  it('follows .gnu_debuglink to the separate debug file, and says so when it is missing', () => {
    const f = linuxFixtures();
    const elf = new ElfFile(fileSource(f.split), f.split);
    assert.equal(elf.section('.debug_info'), undefined);
    assert.equal(elf.debugLink()?.file, 'split.debug');
    const mod = readElfModule(fileSource(f.split), { path: f.split, openFile: (p) => (fs.existsSync(p) ? fileSource(p) : undefined) });
    assert.equal(mod.debugFormat, 'dwarf');
    assert.equal(mod.debugInfoPath, f.splitDebug);
    assert.equal(mod.functions.length, read(f.legacy).functions.length);
    const alone = readElfModule(fileSource(f.split), { path: f.split, openFile: () => undefined });
    assert.equal(alone.debugFormat, 'none');
    assert.ok(alone.publics.length > 0);
    assert.match(alone.warnings.join('\n'), /split\.debug .*was not found/);
  });

  it('joins DWARF directories and file names the way the producing host spells paths (Windows drives and UNC too)', () => {
    assert.equal(joinDwarfPath('C:\\work\\app', 'src\\main.rs'), 'C:\\work\\app\\src\\main.rs');
    assert.equal(joinDwarfPath('C:/work/app', 'src/main.rs'), 'C:\\work\\app\\src\\main.rs');
    assert.equal(joinDwarfPath('\\\\server\\share', 'lib.rs'), '\\\\server\\share\\lib.rs');
    assert.equal(joinDwarfPath('C:\\work', 'D:\\other\\x.rs'), 'D:\\other\\x.rs', 'an absolute name wins');
    assert.equal(joinDwarfPath('/rustc/59807616e', 'library/core/src/lib.rs'), '/rustc/59807616e/library/core/src/lib.rs');
    assert.equal(joinDwarfPath(undefined, 'a.rs'), 'a.rs');
  });

  it('reads chunks of units that together give the whole', () => {
    const f = linuxFixtures().mixed;
    const whole = read(f);
    const elf = new ElfFile(fileSource(f), f);
    const units = listUnits(dwarfSections(elf)!.info);
    const mid = units[Math.floor(units.length / 2)].offset;
    const a = readElfModule(fileSource(f), { path: f, unitRange: { start: 0, end: mid } });
    const b = readElfModule(fileSource(f), { path: f, unitRange: { start: mid, end: Infinity } });
    assert.ok(a.functions.length > 0 && b.functions.length > 0);
    assert.equal(a.functions.length + b.functions.length, whole.functions.length);
    assert.equal(a.compileUnits.length + b.compileUnits.length, whole.compileUnits.length);
    assert.equal(b.publics.length, 0, 'only the first chunk carries the ELF symbols');
    const index = new SymbolIndex([buildIndex(a), buildIndex(b)]);
    assert.equal(index.lookupByName('symbols_demo::count_words').filter((h) => h.kind === 'function').length, 1);
  });
});
