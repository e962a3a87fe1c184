// Checks the PE32+/COFF reader against llvm-readobj-19 and nm (sections, long names, COFF symbols, exports, CodeView record) and its refusals.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describeNonPe, readPe, rvaToOffset } from '../../../src/symbols/pe/pe';
import { SymbolReadError } from '../../../src/symbols/errors';
import { fixture, nmDefined, peCoffSymbols, peDebugDirectory, peExports, peSections } from './pe-llvm-reference';

const IMAGES = [
  'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe',
  'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe',
  'nocore-msvc/nocore.exe',
  'old-rust-msvc/oldenum.exe',
  'cpp-msvc/hello.exe',
  'cpp-msvc/exports.dll',
  'rust-gnu/gnu.exe',
];

function load(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixture(rel)));
}

describe('PE32+/COFF reader against llvm-readobj-19 and nm', function () {
  this.timeout(60_000);

  for (const rel of IMAGES) {
    describe(rel, () => {
      const image = readPe(load(rel), rel);

      it('reads the sections, resolving long names through the COFF string table', () => {
        const ref = peSections(fixture(rel));
        assert.ok(ref.length > 0);
        assert.deepEqual(
          image.sections.map((s) => [s.name, s.virtualAddress, s.virtualSize, s.sizeOfRawData]),
          ref.map((s) => [s.name, s.virtualAddress, s.virtualSize, s.rawSize]),
        );
      });

      it('reads the CodeView debug directory entry (PDB path, GUID, age)', () => {
        const ref = peDebugDirectory(fixture(rel));
        if (!ref) {
          assert.equal(image.codeView, undefined);
          return;
        }
        assert.deepEqual(image.codeView, { pdbPath: ref.pdbPath, guid: ref.guid, age: ref.age });
      });

      it('reads the exports', () => {
        const ref = peExports(fixture(rel));
        assert.deepEqual(
          image.exports.map((e) => (e.forwarder ? { ordinal: e.ordinal, name: e.name ?? '', forwarder: e.forwarder } : { ordinal: e.ordinal, name: e.name ?? '', rva: e.rva })),
          ref,
        );
      });

      it('reads the COFF symbol table', () => {
        const ref = peCoffSymbols(fixture(rel));
        assert.deepEqual(image.symbols.map((s) => [s.name, s.value]), ref.map((s) => [s.name, s.value]));
      });
    });
  }

  it('has the facts the fixtures promise: absolute C:\\ PDB paths, long .debug_* names, an export', () => {
    const v158 = readPe(load(IMAGES[0]));
    assert.match(v158.codeView!.pdbPath, /^C:\\.*\\Native_x64_RustC_Rust_debuginfo2_v1\.58\.1\.pdb$/);
    assert.equal(v158.imageBase, 0x140000000);
    const gnu = readPe(load('rust-gnu/gnu.exe'));
    assert.ok(gnu.sections.some((s) => s.name === '.debug_line_str'), 'a section name longer than 8 bytes');
    assert.ok(gnu.symbols.length > 1000);
    assert.equal(readPe(load('cpp-msvc/hello.exe')).exports[0]?.name, 'exported_add');
    const dll = readPe(load('cpp-msvc/exports.dll')).exports;
    assert.ok(dll.some((e) => e.forwarder === 'kernel32.Sleep' && e.name === 'forwarded'));
    assert.ok(dll.some((e) => e.ordinal === 7 && e.name === undefined));
  });

  it('places every defined COFF symbol at the address nm prints', () => {
    const gnu = readPe(load('rust-gnu/gnu.exe'));
    const ref = new Set(nmDefined(fixture('rust-gnu/gnu.exe')).map((s) => `${s.name}@${s.address}`));
    const ours = gnu.symbols.filter((s) => s.address !== undefined);
    assert.ok(ours.length > 800);
    for (const s of ours) assert.ok(ref.has(`${s.name}@${s.address}`), `${s.name} at 0x${s.address!.toString(16)} is not in nm's output`);
  });

  it('keeps /N section names as written when the symbol table was stripped', () => {
    const bytes = load('rust-gnu/gnu.exe').slice();
    const dv = new DataView(bytes.buffer);
    const pe = dv.getUint32(0x3c, true);
    dv.setUint32(pe + 12, 0, true); // PointerToSymbolTable
    dv.setUint32(pe + 16, 0, true); // NumberOfSymbols
    const image = readPe(bytes);
    assert.equal(image.symbols.length, 0);
    assert.ok(image.sections.some((s) => /^\/\d+$/.test(s.name)));
    assert.ok(image.sections.some((s) => s.name === '.text'));
  });

  it('maps RVAs to file offsets only inside a section\'s raw data', () => {
    const image = readPe(load(IMAGES[0]));
    const text = image.sections[0];
    assert.equal(rvaToOffset(image, text.virtualAddress), text.pointerToRawData);
    assert.equal(rvaToOffset(image, 0x10), undefined);
    assert.equal(rvaToOffset(image, image.sizeOfImage + 0x1000), undefined);
  });

  describe('refuses what it cannot read, saying why', () => {
    const refuses = (bytes: Uint8Array, pattern: RegExp) => {
      assert.throws(() => readPe(bytes, 'x.exe'), (e: unknown) => e instanceof SymbolReadError && pattern.test(e.message));
    };

    it('a 32-bit PE', () => refuses(load('cpp-msvc/hello32.exe'), /32-bit PE image .*only 64-bit x86_64/));

    it('a Mach-O file', () => {
      const macho = new Uint8Array(4096);
      new DataView(macho.buffer).setUint32(0, 0xfeedfacf, true);
      refuses(macho, /not a PE image: it is a Mach-O file/);
      assert.equal(describeNonPe(macho), 'a Mach-O file');
    });

    it('an ELF file and a PDB given as the image', () => {
      refuses(new Uint8Array(fs.readFileSync(process.execPath).subarray(0, 4096)), /not a PE image: it is an ELF file/);
      refuses(load('nocore-msvc/nocore.pdb'), /not a PE image: it is a PDB file/);
    });

    it('an ARM64 image', () => {
      const bytes = load('nocore-msvc/nocore.exe').slice();
      const pe = new DataView(bytes.buffer).getUint32(0x3c, true);
      new DataView(bytes.buffer).setUint16(pe + 4, 0xaa64, true);
      refuses(bytes, /ARM64; only x86_64/);
    });

    it('truncated images, at every header boundary', () => {
      const bytes = load('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe');
      for (const n of [0, 1, 2, 63, 64, 100, 0xf8, 0xf8 + 24, 0x180, 0x200, 0x1000, 0x1fcb4 + 10]) {
        assert.throws(() => readPe(bytes.subarray(0, n), 'x.exe'), SymbolReadError, `truncated to ${n}`);
      }
    });

    it('absurd section and symbol counts', () => {
      const bytes = load('rust-gnu/gnu.exe').slice();
      const dv = new DataView(bytes.buffer);
      const pe = dv.getUint32(0x3c, true);
      const withSections = bytes.slice();
      new DataView(withSections.buffer).setUint16(pe + 6, 0xffff, true);
      refuses(withSections, /claims 65535 sections/);
      const withSymbols = bytes.slice();
      new DataView(withSymbols.buffer).setUint32(pe + 12, 0x7fffffff, true);
      refuses(withSymbols, /COFF symbol table .* runs past the end/);
    });
  });
});
