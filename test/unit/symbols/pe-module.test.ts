// readPeModule end to end: PDB location (beside the image, debug-directory path, search paths, Windows paths), mismatches, Rust vs C++, GNU DWARF.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fileSource } from '../../../src/symbols/byte-source';
import { SymbolReadError } from '../../../src/symbols/errors';
import { ModuleSymbols } from '../../../src/symbols/model';
import { expandSymbolPath, pathFlavor, pdbCandidates } from '../../../src/symbols/pdb/pdb-locate';
import { cleanRustCodeViewName } from '../../../src/symbols/pdb/pdb-names';
import { listUnits } from '../../../src/symbols/dwarf/dwarf';
import { peDwarfSections, planPeChunks, readPeModule } from '../../../src/symbols/pe/pe-module';
import { buildIndex, SymbolIndex } from '../../../src/symbols/symbol-index';
import { readPe } from '../../../src/symbols/pe/pe';
import { dwarfSubprogramStarts, fixture, nmDefined, pdbLines, pdbPublics, pdbSymbols, symbolize } from './pe-llvm-reference';

const V158 = 'Native_x64_RustC_Rust_debuginfo2_v1.58.1';
const V159 = 'Native_x64_RustC_Rust_debuginfo2_v1.59.0';
const V158_CV_PATH = `C:\\C\\Rust\\hello-rust\\${V158}.pdb`;

function bytes(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixture(rel)));
}

/** A Windows file system as a map: readFile is injected, so the PDB search runs on Windows paths here too. */
function windowsFiles(files: Record<string, Uint8Array>): { readFile: (p: string) => Uint8Array | undefined; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    readFile: (p) => {
      asked.push(p);
      return files[p];
    },
  };
}

function fromDisk(p: string): Uint8Array | undefined {
  return fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : undefined;
}

function readFixture(rel: string): ModuleSymbols {
  return readPeModule(bytes(rel), { path: fixture(rel), searchPaths: [], readFile: fromDisk });
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SymbolReadError, `expected a SymbolReadError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('readPeModule', function () {
  this.timeout(60_000);

  describe('finds the PDB', () => {
    const exe = bytes(`msvc-rust/${V158}.exe`);
    const pdb = bytes(`msvc-rust/${V158}.pdb`);

    it('beside the image, by the file name in the debug directory', () => {
      const fs1 = windowsFiles({ [`D:\\app\\bin\\${V158}.pdb`]: pdb });
      const m = readPeModule(exe, { path: `D:\\app\\bin\\${V158}.exe`, searchPaths: [], readFile: fs1.readFile });
      assert.equal(m.debugInfoPath, `D:\\app\\bin\\${V158}.pdb`);
      assert.equal(fs1.asked[0], `D:\\app\\bin\\${V158}.pdb`, 'looks beside the image first');
    });

    it('at the absolute C:\\ path in the debug directory', () => {
      const m = readPeModule(exe, { path: `D:\\app\\bin\\${V158}.exe`, searchPaths: [], readFile: windowsFiles({ [V158_CV_PATH]: pdb }).readFile });
      assert.equal(m.debugInfoPath, V158_CV_PATH);
    });

    it('in a search path, flat or in symbol-store layout (name\\GUIDAGE\\name)', () => {
      const flat = readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: ['E:\\syms'], readFile: windowsFiles({ [`E:\\syms\\${V158}.pdb`]: pdb }).readFile });
      assert.equal(flat.debugInfoPath, `E:\\syms\\${V158}.pdb`);
      const storePath = `E:\\store\\${V158}.pdb\\0FB5AE189F7E49D4B1B03EF369FA76351\\${V158}.pdb`;
      const store = readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: ['E:\\store'], readFile: windowsFiles({ [storePath]: pdb }).readFile });
      assert.equal(store.debugInfoPath, storePath);
      const posix = readPeModule(exe, { path: `/home/u/app/${V158}.exe`, searchPaths: ['/srv/syms'], readFile: windowsFiles({ [`/srv/syms/${V158}.pdb`]: pdb }).readFile });
      assert.equal(posix.debugInfoPath, `/srv/syms/${V158}.pdb`);
    });

    it('skips a PDB of another build and takes a matching one further down the list', () => {
      const files = windowsFiles({ [`D:\\app\\${V158}.pdb`]: bytes(`msvc-rust/${V159}.pdb`), [`E:\\syms\\${V158}.pdb`]: pdb });
      const m = readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: ['E:\\syms'], readFile: files.readFile });
      assert.equal(m.debugInfoPath, `E:\\syms\\${V158}.pdb`);
    });

    it('fails on a GUID mismatch, naming both GUIDs', () => {
      const files = windowsFiles({ [`D:\\app\\${V158}.pdb`]: bytes(`msvc-rust/${V159}.pdb`) });
      rejects(
        () => readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: [], readFile: files.readFile }),
        /does not match the image \(GUID or age mismatch\).*has GUID \{[0-9A-F-]+\} but the image expects \{0FB5AE18-9F7E-49D4-B1B0-3EF369FA7635\}.*rebuild/,
      );
    });

    it('fails on an age mismatch, naming both ages', () => {
      const older = exe.slice();
      const rsds = Buffer.from(older).indexOf('RSDS');
      new DataView(older.buffer).setUint32(rsds + 20, 7, true);
      rejects(
        () => readPeModule(older, { path: `D:\\app\\${V158}.exe`, searchPaths: [], readFile: windowsFiles({ [`D:\\app\\${V158}.pdb`]: pdb }).readFile }),
        /has age 1 but the image expects age 7/,
      );
    });

    it('fails when no PDB is anywhere, listing where it looked and what to do', () => {
      const files = windowsFiles({});
      rejects(
        () => readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: ['E:\\syms'], readFile: files.readFile }),
        /no PDB found .*Looked at: D:\\app\\Native.*\.pdb, C:\\C\\Rust.*E:\\syms\\Native.*rustOffload\.symbolSearchPaths/,
      );
      assert.ok(files.asked.length >= 4);
    });

    it('reports a corrupt PDB as a read error, not a crash, unless a good copy is found further on', () => {
      const broken = pdb.slice(0, 5000);
      rejects(() => readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: [], readFile: windowsFiles({ [`D:\\app\\${V158}.pdb`]: broken }).readFile }), /truncated/);
      const files = windowsFiles({ [`D:\\app\\${V158}.pdb`]: broken, [`E:\\syms\\${V158}.pdb`]: pdb });
      assert.equal(readPeModule(exe, { path: `D:\\app\\${V158}.exe`, searchPaths: ['E:\\syms'], readFile: files.readFile }).debugInfoPath, `E:\\syms\\${V158}.pdb`);
    });

    it('takes search paths written for Windows debuggers (srv*cache*url, cache*dir, a;b)', () => {
      assert.deepEqual(expandSymbolPath(['srv*C:\\symcache*https://msdl.microsoft.com/download/symbols', 'cache*D:\\c;E:\\flat', '', 'symsrv*symsrv.dll*F:\\s*http://x']), [
        'C:\\symcache',
        'D:\\c',
        'E:\\flat',
        'F:\\s',
      ]);
      const storePath = `C:\\symcache\\${V158}.pdb\\0FB5AE189F7E49D4B1B03EF369FA76351\\${V158}.pdb`;
      const m = readPeModule(exe, {
        path: `D:\\app\\${V158}.exe`,
        searchPaths: ['srv*C:\\symcache*https://msdl.microsoft.com/download/symbols'],
        readFile: windowsFiles({ [storePath]: pdb }).readFile,
      });
      assert.equal(m.debugInfoPath, storePath);
    });

    it('treats drive-letter and UNC paths as Windows paths on every host', () => {
      assert.equal(pathFlavor('C:\\x\\y.exe').sep, '\\');
      assert.equal(pathFlavor('\\\\server\\share\\y.exe').sep, '\\');
      assert.equal(pathFlavor('/usr/bin/y').sep, '/');
      const cands = pdbCandidates('\\\\server\\share\\bin\\app.exe', { pdbPath: 'C:\\b\\app.pdb', guid: '{00000000-0000-0000-0000-000000000000}', age: 2 }, ['c:/syms']);
      assert.deepEqual(cands, [
        '\\\\server\\share\\bin\\app.pdb',
        'C:\\b\\app.pdb',
        'c:\\syms\\app.pdb',
        'c:\\syms\\app.pdb\\000000000000000000000000000000002\\app.pdb',
      ]);
    });

    it('reads the PDB stream by stream from a file source, and closes every file it opened', () => {
      const openFds = () => fs.readdirSync('/proc/self/fd').length;
      const before = openFds();
      const fromFile = (p: string) => (fs.existsSync(p) ? fileSource(p) : undefined);
      const viaFile = readPeModule(exe, { path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: fromFile });
      const viaBytes = readPeModule(exe, { path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: fromDisk });
      assert.deepEqual(viaFile.functions, viaBytes.functions);
      assert.deepEqual(viaFile.inlineSites, viaBytes.inlineSites);
      assert.equal(viaFile.lineColumns?.count, viaBytes.lineColumns?.count);
      assert.equal(viaFile.debugInfoBytes, pdb.length);
      // A mismatching PDB (1.59's under 1.58's name) is opened, refused and closed too.
      const wrong = (p: string) => (p.endsWith(`${V158}.pdb`) ? fileSource(fixture(`msvc-rust/${V159}.pdb`)) : undefined);
      assert.throws(() => readPeModule(exe, { path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: wrong }), /GUID or age mismatch/);
      assert.equal(openFds(), before);
    });

    it('reports progress through the PDB modules', () => {
      const seen: number[] = [];
      readPeModule(exe, { path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: fromDisk, onProgress: (f) => seen.push(f) });
      assert.ok(seen.length > 50);
      assert.ok(seen.every((f, i) => f >= 0 && f < 1 && (i === 0 || f >= seen[i - 1])));
    });

    it('stops when the signal is aborted', () => {
      const ac = new AbortController();
      ac.abort();
      assert.throws(() => readPeModule(exe, { path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: fromDisk, signal: ac.signal }), { name: 'AbortError' });
      // And part-way through the PDB.
      const mid = new AbortController();
      let modules = 0;
      assert.throws(
        () =>
          readPeModule(exe, {
            path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: fromDisk, signal: mid.signal,
            onProgress: () => {
              if (++modules === 10) mid.abort();
            },
          }),
        { name: 'AbortError' },
      );
      assert.equal(modules, 10, 'stopped at the next module');
    });
  });

  describe('builds the module symbols', () => {
    it('of MSVC Rust programs: every procedure with a Rust path, demangled publics, lines, inline sites', () => {
      for (const name of [V158, V159]) {
        const m = readFixture(`msvc-rust/${name}.exe`);
        assert.equal(m.format, 'pe');
        assert.equal(m.debugFormat, 'pdb');
        assert.equal(m.imageBase, 0x140000000);
        const ref = pdbSymbols(fixture(`msvc-rust/${name}.pdb`));
        const rustModules = new Set([...ref.compile].filter(([, c]) => /rustc/.test(c.compiler)).map(([i]) => i));
        const expected = ref.procs.map((p) => (rustModules.has(p.module) ? cleanRustCodeViewName(p.name) : p.name)).sort();
        assert.deepEqual(m.functions.map((f) => f.name).sort(), expected);
        const main = m.functions.find((f) => f.name === 'main::main');
        assert.ok(main, 'main::main is there');
        assert.ok(m.files[main.file!].endsWith('src\\main.rs'));
        assert.equal(main.line, 1);
        assert.ok(m.compileUnits.some((c) => c.isRust && c.language === 'Rust'));
        assert.ok(m.compileUnits.some((c) => !c.isRust && c.language === 'C++'));
        const pubs = pdbPublics(fixture(`msvc-rust/${name}.pdb`));
        const legacy = m.publics.filter((p) => p.name.startsWith('_ZN'));
        assert.equal(legacy.length, pubs.filter((p) => p.name.startsWith('_ZN')).length);
        for (const p of legacy) {
          assert.ok(p.demangled && !/17h[0-9a-f]{16}E$|::h[0-9a-f]{16}$/.test(p.demangled), `${p.name} → ${p.demangled}`);
        }
        assert.ok((m.lineColumns?.count ?? 0) > 1000);
        assert.ok(m.inlineSites.length > 1000);
        assert.deepEqual(m.warnings, []);
      }
    });

    it('of the no_core nightly build: module paths, a generic, a method and an always-inlined call', () => {
      const m = readFixture('nocore-msvc/nocore.exe');
      const names = m.functions.map((f) => f.name).sort();
      assert.deepEqual(names, ['nocore::mainCRTStartup', 'nocore::shapes::Point::sum', 'nocore::shapes::first<i32>']);
      const site = m.inlineSites.find((s) => s.name === 'nocore::shapes::double');
      assert.ok(site, JSON.stringify(m.inlineSites));
      assert.equal(m.functions[site.parent].name, 'nocore::mainCRTStartup');
      assert.ok(m.files[site.callFile!].endsWith('nocore.rs'));
      const src = fs.readFileSync(fixture('src/nocore.rs'), 'utf8').split('\n');
      assert.match(src[site.callLine! - 1], /shapes::double\(/);
      assert.ok(m.compileUnits.every((c) => c.isRust || c.producer.includes('Linker')));
      assert.ok(m.publics.some((p) => p.name === 'COUNTER'));
    });

    it('of a Rust 1.63 build: its `enum$<…>` spellings become Rust types', () => {
      const m = readFixture('old-rust-msvc/oldenum.exe');
      const names = new Set(m.functions.map((f) => f.name));
      for (const n of [
        'core::option::Option<u32>::unwrap_or<u32>',
        'core::result::Result<u8, ()>::map<u8, (), u32, oldenum::mainCRTStartup::{closure_env#0}>',
        'oldenum::pick<core::result::Result<u8, ()>>',
        'oldenum::pick<core::option::Option<u32>>',
        'oldenum::mainCRTStartup::{closure#0}',
        'core::ops::arith::{impl#115}::mul',
        'oldenum::shapes::area',
      ]) {
        assert.ok(names.has(n), `${n} in ${JSON.stringify([...names])}`);
      }
      assert.ok(m.compileUnits.some((c) => c.isRust && c.producer.includes('1.63.0')));
    });

    it('of the C++ control: plain names, no Rust unit, the forced inline call', () => {
      const m = readFixture('cpp-msvc/hello.exe');
      assert.deepEqual(m.functions.map((f) => f.name).sort(), ['exported_add', 'geometry::Point::sum', 'mainCRTStartup']);
      assert.ok(m.compileUnits.every((c) => !c.isRust));
      assert.ok(m.compileUnits.some((c) => c.language === 'C++'));
      const site = m.inlineSites.find((s) => s.name === 'geometry::twice');
      assert.ok(site);
      const src = fs.readFileSync(fixture('src/hello.cpp'), 'utf8').split('\n');
      assert.match(src[site.callLine! - 1], /geometry::twice\(/);
    });

    it('of a Windows GNU Rust program: DWARF 4 and 5 from PE sections, COFF symbols as publics', () => {
      const m = readFixture('rust-gnu/gnu.exe');
      assert.equal(m.debugFormat, 'dwarf');
      assert.ok(m.compileUnits.some((c) => c.isRust && /rustc version 1\.63/.test(c.producer)));
      assert.ok(m.compileUnits.some((c) => !c.isRust));
      const nm = nmDefined(fixture('rust-gnu/gnu.exe'));
      for (const [name, mangled] of [['gnu::main', '_ZN3gnu4main'], ['gnu::shapes::Point::sum', '_ZN3gnu6shapes5Point3sum'], ['gnu::first', '_ZN3gnu5first']]) {
        const f = m.functions.find((x) => x.name === name);
        assert.ok(f, `${name} is read from DWARF`);
        const sym = nm.find((s) => s.name.startsWith(mangled));
        assert.ok(sym);
        assert.equal(f.ranges[0][0], sym.address, `${name} starts where nm puts ${sym.name}`);
        const pub = m.publics.find((p) => p.name === sym.name);
        assert.equal(pub?.address, sym.address);
        assert.equal(pub?.demangled, name);
      }
      assert.ok((m.lineColumns?.count ?? 0) > 100);
      // Every subprogram with code that llvm-dwarfdump-19 sees in the PE's .debug_* sections is a function here.
      assert.deepEqual([...new Set(m.functions.map((f) => f.ranges[0][0]))].sort(), [...new Set(dwarfSubprogramStarts(fixture('rust-gnu/gnu.exe')))].sort());
    });

    it('feed the symbol index: a Rust path finds the PDB function, an address finds its inline chain', () => {
      const exe = fixture(`msvc-rust/${V158}.exe`);
      const index = new SymbolIndex([buildIndex(readFixture(`msvc-rust/${V158}.exe`))]);
      const hits = index.lookupByName('main::main');
      assert.equal(hits.length, 1);
      const [ref] = symbolize(exe, [hits[0].address]);
      assert.equal(ref[0].name, 'main::main');
      assert.equal(hits[0].line, ref[0].line);
      const inner = readFixture(`msvc-rust/${V158}.exe`).inlineSites.find((s) => s.name === 'core::fmt::num::{impl#89}::fmt')!;
      const at = index.lookupAddress(inner.ranges[0][0]);
      assert.equal(at.inlined?.[0]?.name, 'core::fmt::num::{impl#89}::fmt');
      assert.equal(at.function?.name, 'core::fmt::{impl#52}::fmt<usize>');
    });

    it('map addresses to the lines llvm-symbolizer gives for the function itself (the outermost frame)', () => {
      for (const rel of [`msvc-rust/${V158}.exe`, `msvc-rust/${V159}.exe`, 'nocore-msvc/nocore.exe', 'old-rust-msvc/oldenum.exe', 'cpp-msvc/hello.exe']) {
        const m = readFixture(rel);
        const index = new SymbolIndex([buildIndex(m)]);
        // Addresses spread through every function (start, a third in, two thirds in) and the padding just past it.
        const addrs = m.functions.flatMap((f) => {
          const [lo, hi] = f.ranges[0];
          return [lo, lo + Math.floor((hi - lo) / 3), lo + Math.floor((2 * (hi - lo)) / 3), hi];
        }).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 400)) === 0);
        const chains = symbolize(fixture(rel), addrs);
        // Where two rows share an address, llvm-symbolizer gives the first at that exact address and the last just
        // after it; the index (like DWARF) gives the last throughout, so such exact addresses are left out.
        const image = readPe(bytes(rel));
        const rowsAt = new Map<number, number>();
        for (const l of pdbLines(m.debugInfoPath!)) {
          const a = m.imageBase + image.sections[l.segment - 1].virtualAddress + l.offset;
          rowsAt.set(a, (rowsAt.get(a) ?? 0) + 1);
        }
        let compared = 0;
        let noLine = 0;
        addrs.forEach((a, i) => {
          const outer = chains[i][chains[i].length - 1];
          if ((rowsAt.get(a) ?? 0) > 1) return;
          if (outer.line === 0) {
            // Padding between functions, or code no row covers: no line, for both.
            assert.equal(index.lookupAddress(a).line, undefined, `${rel} at 0x${a.toString(16)}: ${JSON.stringify(chains[i])}`);
            noLine++;
            return;
          }
          const hit = index.lookupAddress(a);
          assert.equal(hit.line, outer.line, `${rel} at 0x${a.toString(16)}: ${JSON.stringify(chains[i])}`);
          assert.equal(hit.file, outer.file);
          compared++;
        });
        assert.ok(compared + noLine > addrs.length * 0.8, `${rel}: compared ${compared} + ${noLine} of ${addrs.length}`);
        assert.ok(compared > addrs.length * 0.5, `${rel}: compared ${compared} of ${addrs.length}`);
      }
    });

    it('of a Windows GNU program split by DWARF units, as for several workers', () => {
      const exe = bytes('rust-gnu/gnu.exe');
      const whole = readPeModule(exe, { path: 'C:\\x\\gnu.exe', searchPaths: [], readFile: () => undefined });
      const info = peDwarfSections(exe, readPe(exe), 'gnu.exe')!.info;
      const units = listUnits(info);
      assert.ok(units.length > 4);
      const mid = units[Math.floor(units.length / 2)].offset;
      const parts = [{ start: 0, end: mid }, { start: mid, end: info.length }].map((unitRange) =>
        readPeModule(exe, { path: 'C:\\x\\gnu.exe', searchPaths: [], readFile: () => undefined, unitRange }),
      );
      assert.equal(parts[0].functions.length + parts[1].functions.length, whole.functions.length);
      assert.equal(parts[0].compileUnits.length + parts[1].compileUnits.length, whole.compileUnits.length);
      assert.equal(parts[0].publics.length, whole.publics.length);
      assert.equal(parts[1].publics.length, 0);
    });

    it('of a DLL without debug info: named, non-forwarded exports as publics', () => {
      const m = readFixture('cpp-msvc/exports.dll');
      assert.equal(m.debugFormat, 'none');
      assert.deepEqual(m.publics.map((p) => p.name).sort(), ['another', 'exported_add']);
    });

    it('of a PDB split by modules, as for several workers, adding up to the whole', () => {
      const exe = bytes(`msvc-rust/${V158}.exe`);
      const options = { path: fixture(`msvc-rust/${V158}.exe`), searchPaths: [], readFile: fromDisk };
      const whole = readPeModule(exe, options);
      const chunks = planPeChunks(exe, options, 32 * 1024);
      assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
      assert.deepEqual(chunks.map((c) => c.moduleRange!.start), [0, ...chunks.slice(0, -1).map((c) => c.moduleRange!.end)]);
      const parts = chunks.map((c) => readPeModule(exe, { ...options, ...c }));
      assert.deepEqual(parts.flatMap((p) => p.functions).map((f) => f.name).sort(), whole.functions.map((f) => f.name).sort());
      assert.equal(parts.reduce((a, p) => a + p.inlineSites.length, 0), whole.inlineSites.length);
      assert.equal(parts.reduce((a, p) => a + (p.lineColumns?.count ?? 0), 0), whole.lineColumns?.count);
      assert.equal(parts.reduce((a, p) => a + p.compileUnits.length, 0), whole.compileUnits.length);
      // Sizes of publics come from the procedures a chunk read, else from section contributions, so only they may differ.
      const bare = (ps: typeof whole.publics) => ps.map(({ name, address, demangled }) => ({ name, address, demangled }));
      assert.deepEqual(bare(parts[0].publics), bare(whole.publics));
      assert.ok(parts.slice(1).every((p) => p.publics.length === 0));
      assert.equal(parts.reduce((a, p) => a + p.debugInfoBytes, 0), whole.debugInfoBytes);
      // The DWARF image plans by units.
      const gnu = bytes('rust-gnu/gnu.exe');
      const gnuChunks = planPeChunks(gnu, { path: 'gnu.exe', searchPaths: [], readFile: () => undefined }, 4096);
      assert.ok(gnuChunks.length > 2 && gnuChunks.every((c) => c.unitRange));
    });

    it('of an image without debug info: exports as publics', () => {
      const exe = bytes('cpp-msvc/hello.exe').slice();
      const dv = new DataView(exe.buffer);
      const pe = dv.getUint32(0x3c, true);
      dv.setUint32(pe + 24 + 112 + 6 * 8 + 4, 0, true); // debug directory size 0
      const m = readPeModule(exe, { path: 'C:\\x\\hello.exe', searchPaths: [], readFile: () => undefined });
      assert.equal(m.debugFormat, 'none');
      assert.deepEqual(m.publics.map((p) => [p.name, p.address]), [['exported_add', 0x140001000]]);
    });
  });
});
