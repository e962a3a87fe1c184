// Checks the MSF/PDB reader's facts against llvm-pdbutil-19 and llvm-symbolizer-19 on real MSVC Rust PDBs, a no_core Rust PDB and a C++ control.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { SymbolReadError } from '../../../src/symbols/errors';
import { PdbFile } from '../../../src/symbols/pdb/pdb';
import { readPe } from '../../../src/symbols/pe/pe';
import { readPeModule } from '../../../src/symbols/pe/pe-module';
import { cleanRustCodeViewName } from '../../../src/symbols/pdb/pdb-names';
import { fixture, pdbGlobals, pdbLines, pdbPublics, pdbSummary, pdbSymbols, symbolize } from './pe-llvm-reference';

const PDBS = [
  'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.pdb',
  'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.pdb',
  'nocore-msvc/nocore.pdb',
  'old-rust-msvc/oldenum.pdb',
  'cpp-msvc/hello.pdb',
];

function open(rel: string): PdbFile {
  return new PdbFile(new Uint8Array(fs.readFileSync(fixture(rel))), rel);
}

function fsReadFile(p: string): Uint8Array | undefined {
  return fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : undefined;
}

describe('PDB reader against llvm-pdbutil-19', function () {
  this.timeout(120_000);

  for (const rel of PDBS) {
    describe(rel, () => {
      const pdb = open(rel);
      const file = fixture(rel);

      it('reads the info stream, the stream directory, DBI modules, section contributions and the section map', () => {
        const ref = pdbSummary(file);
        assert.equal(pdb.guid, ref.guid);
        assert.equal(pdb.age, ref.age);
        assert.equal(pdb.msf.numStreams, ref.streams);
        assert.deepEqual(pdb.modules.map((m) => m.name), ref.modules);
        assert.equal(pdb.sectionContributions.length, ref.sectionContributions);
        assert.equal(pdb.sectionMap.length, ref.sectionMapEntries);
        assert.ok(pdb.sectionContributions.every((c) => c.module < pdb.modules.length));
      });

      it('reads every S_GPROC32/S_LPROC32 with its address and size, and each S_COMPILE3', () => {
        const ref = pdbSymbols(file);
        const ours = pdb.modules.flatMap((m) => pdb.readModule(m.index).procs);
        const key = (p: { module: number; name: string; segment: number; offset: number; codeSize: number }) =>
          `${p.module}|${p.name}|${p.segment}:${p.offset}+${p.codeSize}`;
        assert.ok(ref.procs.length > 0);
        assert.deepEqual(ours.map(key).sort(), ref.procs.map(key).sort());
        for (const m of pdb.modules) {
          const d = pdb.readModule(m.index);
          const r = ref.compile.get(m.index);
          assert.equal(d.compile?.compiler, r?.compiler, `compiler of module ${m.index}`);
          assert.equal(d.inlineSites.length, ref.inlineSites.get(m.index) ?? 0, `inline sites of module ${m.index}`);
        }
      });

      it('reads every S_PUB32 from the publics hash', () => {
        const ref = pdbPublics(file);
        const ours = pdb.readPublics();
        const key = (p: { name: string; segment: number; offset: number }) => `${p.name}|${p.segment}:${p.offset}`;
        assert.deepEqual(ours.map(key).sort(), ref.map(key).sort());
        assert.deepEqual(ours.filter((p) => p.flags & 2).map(key).sort(), ref.filter((p) => p.isFunction).map(key).sort());
      });

      it('reads global data and procedure references from the globals hash', () => {
        const kinds: Record<number, string> = { 0x110c: 'S_LDATA32', 0x110d: 'S_GDATA32', 0x1112: 'S_LTHREAD32', 0x1113: 'S_GTHREAD32', 0x1125: 'S_PROCREF', 0x1127: 'S_LPROCREF' };
        const ours = pdb.readGlobals().map((g) => `${kinds[g.kind]}|${g.name}|${g.segment}:${g.offset}`);
        assert.deepEqual(ours.sort(), pdbGlobals(file).sort());
        // Each procedure reference points at a procedure record this reader found (module is 1-based there).
        const procs = new Map(pdb.modules.flatMap((m) => pdb.readModule(m.index).procs).map((p) => [`${p.module + 1}:${p.recordOffset}`, p.name]));
        const refs = pdb.readGlobals().filter((g) => g.kind === 0x1125 || g.kind === 0x1127);
        for (const r of refs) assert.equal(procs.get(`${r.segment}:${r.offset}`), r.name);
      });

      it('reads the C13 line tables with their file names', () => {
        const ref = pdbLines(file);
        const ours: string[] = [];
        for (const m of pdb.modules) {
          const d = pdb.readModule(m.index);
          for (const b of d.c13.blocks) {
            const name = pdb.name(d.c13.fileNames.get(b.fileId)!);
            for (const l of b.lines) ours.push(`${m.index}|${name}|${b.segment}:${l.offset}|${l.line}`);
          }
        }
        // llvm-pdbutil prints the hidden lines 0xfeefee/0xf00f00 too; the reader drops them on purpose.
        const expected = ref.filter((l) => l.line !== 0xfeefee && l.line !== 0xf00f00).map((l) => `${l.module}|${l.file}|${l.segment}:${l.offset}|${l.line}`);
        assert.ok(expected.length > 0);
        assert.deepEqual(ours.sort(), expected.sort());
      });
    });
  }

  it('finds the MSVC Rust fixtures\' reference counts: about 390 procedures and about 141 legacy-mangled publics each', () => {
    for (const rel of PDBS.slice(0, 2)) {
      const pdb = open(rel);
      const procs = pdb.modules.flatMap((m) => pdb.readModule(m.index).procs);
      assert.ok(procs.length >= 380 && procs.length <= 400, `${rel}: ${procs.length} procedures`);
      const legacy = pdb.readPublics().filter((p) => p.name.startsWith('_ZN'));
      assert.ok(legacy.length >= 135 && legacy.length <= 150, `${rel}: ${legacy.length} _ZN publics`);
    }
  });

  it('detects Rust by compiler name when rustc 1.58 writes language masm, and by language in 1.59 and nightly', () => {
    const rustModules = (rel: string) => {
      const pdb = open(rel);
      return pdb.modules.map((m) => pdb.readModule(m.index)).filter((d) => d.compile);
    };
    const v158 = rustModules(PDBS[0]);
    const rust158 = v158.filter((d) => d.isRust);
    assert.ok(rust158.length > 0);
    assert.ok(rust158.every((d) => d.compile!.language === 3 /* masm */ && d.compile!.compiler.includes('rustc version 1.58.1')));
    // MASM itself (the CRT's assembly) is not Rust.
    assert.ok(v158.some((d) => !d.isRust && d.compile!.compiler.includes('Macro Assembler')));
    const v159 = rustModules(PDBS[1]).filter((d) => d.isRust);
    assert.ok(v159.length > 0 && v159.every((d) => d.compile!.language === 21));
    assert.ok(rustModules(PDBS[2]).some((d) => d.isRust && d.compile!.compiler.includes('nightly')));
    assert.ok(rustModules(PDBS[3]).some((d) => d.isRust && d.compile!.compiler.includes('rustc version 1.63.0')));
    assert.ok(rustModules(PDBS[4]).every((d) => !d.isRust), 'the C++ control has no Rust module');
  });

  it('resolves inline sites like llvm-symbolizer-19: callee name, caller, call line and file', () => {
    for (const exeRel of ['msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe', 'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe', 'nocore-msvc/nocore.exe', 'cpp-msvc/hello.exe']) {
      const exe = fixture(exeRel);
      const m = readPeModule(new Uint8Array(fs.readFileSync(exe)), { path: exe, searchPaths: [], readFile: fsReadFile });
      assert.ok(m.inlineSites.length > 0, `${exeRel} has inline sites`);
      // Sample sites; for each, the innermost frame at its first address must be this site (or one nested deeper).
      const step = Math.max(1, Math.floor(m.inlineSites.length / 300));
      // Zero-length sites (an inlined `fence` that compiled to nothing) have no address to ask about.
      const sample = m.inlineSites.filter((s, i) => i % step === 0 && s.ranges.length > 0);
      const chains = symbolize(exe, sample.map((s) => s.ranges[0][0]));
      assert.equal(chains.length, sample.length);
      let checked = 0;
      sample.forEach((site, i) => {
        const address = site.ranges[0][0];
        // Sites come in pre-order (a parent before its children), so the containing sites in array order run outermost
        // to innermost; llvm-symbolizer prints innermost first, then the function.
        const containing = m.inlineSites.filter((s) => s.parent === site.parent && s.ranges.some(([lo, hi]) => lo <= address && address < hi));
        const ours = containing.reverse();
        const chain = chains[i];
        const where = `${exeRel} at 0x${address.toString(16)}: ours ${JSON.stringify(ours.map((s) => [s.name, s.callLine]))}, llvm ${JSON.stringify(chain)}`;
        assert.equal(chain.length, ours.length + 1, where);
        ours.forEach((s, depth) => {
          assert.equal(s.name, cleanName(chain[depth].name).replace(/<.*>$/, ''), where);
          const caller = chain[depth + 1];
          // A site's call line is the caller's line at the site's lowest address; elsewhere it may differ (code motion).
          if (s.ranges[0][0] !== address) return;
          if (caller.line === 0 && caller.file === '??') {
            // No line row covers the call (llvm-symbolizer prints `??:0`): the call site is unknown to both.
            assert.equal(s.callLine, undefined, where);
          } else {
            assert.equal(s.callLine, caller.line, where);
            assert.equal(m.files[s.callFile!], caller.file, where);
          }
        });
        const fn = m.functions[site.parent];
        const outer = chain[ours.length].name;
        const hash = /::h([0-9a-f]{16})$/.exec(outer);
        // llvm-symbolizer names some functions by their public symbol (legacy-mangled, with the hash): match that.
        // Identical code folding can put several publics at one address, so any of them will do.
        if (hash) assert.ok(m.publics.some((p) => p.address === fn.ranges[0][0] && p.name.endsWith(`17h${hash[1]}E`)), where);
        else if (fn.linkageName !== outer) assert.equal(fn.name, cleanName(outer), where);
        checked++;
      });
      assert.ok(checked > 0);
    }
  });

  it('maps sections to RVAs the way the image does', () => {
    const pdb = open(PDBS[0]);
    const image = readPe(new Uint8Array(fs.readFileSync(fixture(PDBS[0].replace(/\.pdb$/, '.exe')))));
    assert.deepEqual(
      pdb.sectionHeaders.map((s) => [s.name, s.virtualAddress]),
      image.sections.map((s) => [s.name, s.virtualAddress]),
    );
  });
});

/** llvm-symbolizer prints the public (mangled-then-cleaned) name for some outermost frames; compare the CodeView spelling. */
function cleanName(name: string): string {
  return cleanRustCodeViewName(name.replace(/::h[0-9a-f]{16}$/, ''));
}

describe('PDB reader on corrupt input', () => {
  const good = new Uint8Array(fs.readFileSync(fixture('nocore-msvc/nocore.pdb')));
  const patched = (patch: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
    const b = good.slice();
    patch(new DataView(b.buffer), b);
    return b;
  };
  const refuses = (b: Uint8Array, pattern: RegExp) => {
    assert.throws(() => {
      const pdb = new PdbFile(b, 'x.pdb');
      for (const m of pdb.modules) pdb.readModule(m.index);
      pdb.readPublics();
      pdb.readGlobals();
    }, (e: unknown) => e instanceof SymbolReadError && pattern.test(e.message));
  };
  // Superblock: block size @32, number of blocks @40, directory bytes @44, block map block @52.
  const blockSize = new DataView(good.buffer).getUint32(32, true);
  const dirBlock = new DataView(good.buffer).getUint32(new DataView(good.buffer).getUint32(52, true) * blockSize, true);

  it('a file that is not a PDB, and an MSF 2.0 PDB', () => {
    refuses(new Uint8Array(4096), /not a PDB/);
    refuses(new TextEncoder().encode('Microsoft C/C++ program database 2.00\r\n\x1aJG\0\0' + ' '.repeat(100)), /old-style \(MSF 2\.0/);
  });

  it('a truncated PDB', () => {
    refuses(good.subarray(0, good.length - blockSize), /truncated: it claims \d+ blocks/);
    refuses(good.subarray(0, 40), /not a PDB/);
  });

  it('an impossible block size, directory size or block map address', () => {
    refuses(patched((dv) => dv.setUint32(32, 1000, true)), /block size 1000/);
    refuses(patched((dv) => dv.setUint32(44, 0x7fffffff, true)), /stream directory size/);
    refuses(patched((dv) => dv.setUint32(52, 0xffffff, true)), /block \d+ is past the last block/);
  });

  it('absurd stream counts and sizes in the directory', () => {
    refuses(patched((dv) => dv.setUint32(dirBlock * blockSize, 0x7fffffff, true)), /claims 2147483647 streams/);
    // Stream 1 (the info stream) claiming 2 GB: more blocks than the file has.
    refuses(patched((dv) => dv.setUint32(dirBlock * blockSize + 8, 0x7fffffff, true)), /past the file's \d+ blocks/);
  });

  it('a stream block outside the file', () => {
    const numStreams = new DataView(good.buffer).getUint32(dirBlock * blockSize, true);
    // The first block number in the directory follows the stream sizes (stream 0 may be empty, so find one that is not).
    refuses(patched((dv) => {
      const at = dirBlock * blockSize + 4 + numStreams * 4;
      dv.setUint32(at, 0x00ffffff, true);
    }), /uses block 16777215 of only/);
  });
});

