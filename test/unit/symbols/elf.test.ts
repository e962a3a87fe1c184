// The ELF64 reader's sections and symbols checked against llvm-readobj-19 and nm; bad files end in clear errors.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { bufferSource, fileSource } from '../../../src/symbols/byte-source';
import { ElfFile, crc32 } from '../../../src/symbols/elf/elf';
import { elfPublics, readElfModule } from '../../../src/symbols/elf/elf-module';
import { SymbolReadError } from '../../../src/symbols/errors';
import { detectFormat } from '../../../src/symbols/load-task';
import { linuxFixtures, run } from './linux-fixtures';

interface ReadobjSection {
  Section: { Index: number; Name: { Name: string }; Type: { Value: number }; Flags: { Value: number }; Address: number; Offset: number; Size: number; Link: number };
}

describe('ELF64 reader vs llvm-readobj-19 and nm', function () {
  this.timeout(120_000);

  for (const variant of ['legacy', 'zlib'] as const) {
    it(`reads every section header of the ${variant} fixture as llvm-readobj does`, () => {
      const file = linuxFixtures()[variant];
      const json = JSON.parse(run('llvm-readobj-19', ['--sections', '--elf-output-style=JSON', file])) as Array<{ Sections: ReadobjSection[] }>;
      const want = json[0].Sections.map((s) => s.Section);
      const elf = new ElfFile(fileSource(file), file);
      assert.equal(elf.sections.length, want.length);
      elf.sections.forEach((s, i) => {
        assert.equal(s.name, want[i].Name.Name);
        assert.equal(s.type, want[i].Type.Value);
        assert.equal(s.flags, want[i].Flags.Value);
        assert.equal(s.addr, want[i].Address);
        assert.equal(s.offset, want[i].Offset);
        assert.equal(s.size, want[i].Size);
        assert.equal(s.link, want[i].Link);
      });
      assert.equal(elf.machine, 62);
    });
  }

  it('lists the defined symbols nm lists, at the same addresses', () => {
    const file = linuxFixtures().v0;
    const nm = run('nm', ['--defined-only', file])
      .split('\n')
      .filter((l) => l.length > 19)
      .map((l) => `${parseInt(l.slice(0, 16), 16)} ${l.slice(19)}`)
      .sort();
    const ours = elfPublics(new ElfFile(fileSource(file), file))
      .map((p) => `${p.address} ${p.name}`)
      .sort();
    assert.deepEqual(ours, nm);
    const main = elfPublics(new ElfFile(fileSource(file), file)).find((p) => p.demangled === 'symbols_demo::main');
    assert.ok(main && main.size! > 0);
  });

  it('decompresses zlib debug sections to the bytes the uncompressed build has', () => {
    const f = linuxFixtures();
    const z = new ElfFile(fileSource(f.zlib), f.zlib);
    assert.ok(z.section('.debug_info')!.flags & 0x800, 'SHF_COMPRESSED');
    const plain = new ElfFile(fileSource(f.legacy), f.legacy);
    for (const name of ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_str']) {
      assert.equal(Buffer.compare(Buffer.from(z.data(name)!), Buffer.from(plain.data(name)!)), 0, name);
    }
  });

  it('reads .gnu_debuglink with the CRC of the debug file', () => {
    const f = linuxFixtures();
    const link = new ElfFile(fileSource(f.split), f.split).debugLink()!;
    assert.equal(link.file, 'split.debug');
    assert.equal(link.crc, crc32(fs.readFileSync(f.splitDebug)));
  });

  describe('bad input', () => {
    const bytes = (): Buffer => Buffer.from(fs.readFileSync(linuxFixtures().smallC5));
    const expectError = (b: Uint8Array, re: RegExp): void => {
      assert.throws(() => readElfModule(bufferSource(b), { path: '/x/bad' }), (err: unknown) => err instanceof SymbolReadError && re.test(err.message));
    };

    it('says a 32-bit ELF is not supported', () => {
      const b = bytes();
      b[4] = 1;
      expectError(b, /32-bit ELF files are not supported/);
    });

    it('says a big-endian ELF is not supported', () => {
      const b = bytes();
      b[5] = 2;
      expectError(b, /big-endian/);
    });

    it('says a truncated file is truncated', () => {
      const b = bytes();
      expectError(b.subarray(0, 2000), /truncated or corrupt|outside/);
      expectError(b.subarray(0, 10), /too small/);
    });

    it('rejects section counts and compressed sizes that are absurd', () => {
      const b = bytes();
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      view.setUint16(0x3c, 0xfffe, true); // e_shnum
      expectError(b, /truncated or corrupt|absurd|outside/);
      const z = Buffer.from(fs.readFileSync(linuxFixtures().zlib));
      const elf = new ElfFile(bufferSource(z), 'z');
      const info = elf.section('.debug_info')!;
      new DataView(z.buffer, z.byteOffset).setUint32(info.offset + 8, 0x7fff0000, true); // ch_size
      assert.throws(() => new ElfFile(bufferSource(z), 'z').data('.debug_info'), /absurd size/);
    });

    it('tells Mach-O and unknown files apart from ELF and PE', () => {
      assert.equal(detectFormat(bytes().subarray(0, 4), 'a'), 'elf');
      assert.equal(detectFormat(Buffer.from('MZ\x90\x00'), 'a'), 'pe');
      assert.throws(() => detectFormat(Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), '/x/a.dylib'), /Mach-O files are not supported/);
      assert.throws(() => detectFormat(Buffer.from('#!/bin/sh\n'), '/x/script'), /neither ELF nor PE/);
    });
  });
});
