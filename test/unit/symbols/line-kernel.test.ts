// The compiled line-program kernel (src/symbols/dwarf/wasm/line-program.c) against the TypeScript loop it replaces: the same
// rows and the same errors for every program of the real fixtures, for hand-made programs, and for mutated ones.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { LineSections, readLineProgram } from '../../../src/symbols/dwarf/dwarf-line';
import { lineKernelActive, useLineKernel } from '../../../src/symbols/dwarf/line-kernel';
import { compiler } from '../../../src/symbols/dwarf/wasm/line-program.wasm';
import { linuxFixtures } from './linux-fixtures';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** Rows as both kinds of sink deliver them, one row at a time or in batches. */
class RecordingSink {
  address: number[] = [];
  file: number[] = [];
  line: number[] = [];
  row(address: number, file: number, line: number): void {
    this.address.push(address);
    this.file.push(file);
    // As the index's Uint32 column stores it.
    this.line.push(line >>> 0);
  }
  rows(address: Float64Array, file: Uint32Array, line: Uint32Array, count: number): void {
    for (let i = 0; i < count; i++) this.row(address[i], file[i], line[i]);
  }
}

interface Outcome {
  rows: RecordingSink;
  files?: string[];
  error?: string;
}

function runProgram(s: LineSections, offset: number, compiled: boolean): Outcome {
  useLineKernel(compiled);
  const sink = new RecordingSink();
  const ids = new Map<string, number>();
  try {
    const p = readLineProgram(s, offset, '/work', 'main.rs', 8, (f) => ids.get(f) ?? (ids.set(f, ids.size), ids.size - 1), sink);
    return { rows: sink, files: p.files };
  } catch (err) {
    return { rows: sink, error: (err as Error).message };
  } finally {
    useLineKernel(true);
  }
}

/** The offsets of every program in a .debug_line section (32-bit DWARF). */
function programOffsets(line: Uint8Array): number[] {
  const view = new DataView(line.buffer, line.byteOffset, line.byteLength);
  const out: number[] = [];
  for (let off = 0; off + 4 <= line.length; off += 4 + view.getUint32(off, true)) out.push(off);
  return out;
}

function debugLineOf(file: string): Uint8Array {
  const elf = new ElfFile(fileSource(file), file);
  const sec = elf.section('.debug_line');
  assert.ok(sec, `${file} has no .debug_line`);
  return elf.source.read(sec.offset, sec.size);
}

/** A DWARF 5 line program: the header (one directory, one file, both DW_FORM_string) and then `ops`. */
function program5(addressSize: number, ops: number[]): Uint8Array {
  const str = (s: string): number[] => [...Buffer.from(s), 0];
  const afterHeaderLength = [
    1, 1, 1, -5 & 0xff, 14, 13, // min_inst 1, max_ops 1, default_is_stmt 1, line_base -5, line_range 14, opcode_base 13
    0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, // standard_opcode_lengths
    1, 1, 0x08, 1, ...str('/src'), // directory entry format: path/string; one directory
    2, 1, 0x08, 2, 0x0f, 1, ...str('a.rs'), 0, // file entry format: path/string, directory_index/udata; one file
  ];
  const body = [5, 0, addressSize, 0, ...u32(afterHeaderLength.length), ...afterHeaderLength, ...ops];
  return Uint8Array.from([...u32(body.length), ...body]);
}

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

describe('compiled line-program kernel', function () {
  this.timeout(120_000);

  it('is active (WebAssembly instantiated) in this Node', () => {
    assert.equal(lineKernelActive(), true);
  });

  it('gives the rows the TypeScript loop gives for every program of the Rust and C fixtures', () => {
    const f = linuxFixtures();
    let programs = 0;
    let rows = 0;
    for (const file of [f.legacy, f.v0, f.mixed, f.smallC5, f.smallC4]) {
      const line = debugLineOf(file);
      for (const off of programOffsets(line)) {
        const a = runProgram({ line }, off, true);
        const b = runProgram({ line }, off, false);
        assert.equal(a.error, undefined, `${path.basename(file)} program at ${off}: ${a.error}`);
        assert.deepEqual(a, b, `${path.basename(file)} program at ${off}`);
        programs++;
        rows += a.rows.address.length;
      }
    }
    assert.ok(programs >= 20 && rows > 10_000, `${programs} programs, ${rows} rows`);
  });

  it('decodes a hand-made program to the rows the DWARF rules give', () => {
    const setAddress = [0, 9, 2, 0x00, 0x10, 0, 0, 0, 0, 0, 0]; // DW_LNE_set_address 0x1000
    const ops = [
      ...setAddress,
      0x0d + 6, // special: address +0, line +1 → 0x1000 line 2
      2, 0x10, // advance_pc 16
      3, 0x7d, // advance_line -3 → line -1
      3, 0x0a, // advance_line +10 → line 9
      1, // copy → 0x1010 line 9
      9, 0x20, 0x00, // fixed_advance_pc 32
      0x0d + 14 * 2 + 5, // special: address +2, line +0 → 0x1032 line 9 (same line: no row)
      0x0d + 14 * 1 + 6, // special: address +1, line +1 → 0x1033 line 10
      0, 1, 1, // end_sequence → 0x1033, line 0
    ];
    const line = program5(8, ops);
    for (const compiled of [true, false]) {
      const o = runProgram({ line }, 0, compiled);
      assert.equal(o.error, undefined);
      assert.deepEqual(o.rows.address, [0x1000, 0x1010, 0x1033, 0x1033], `compiled ${compiled}`);
      assert.deepEqual(o.rows.line, [2, 9, 10, 0], `compiled ${compiled}`);
    }
  });

  it('reports a bad address size and a truncated opcode with the TypeScript loop\'s errors, after the same rows', () => {
    // advance_pc 16 and a row; then DW_LNE_set_address of 3 bytes (address_size 3).
    const badSize = program5(3, [2, 0x10, 0x0d + 6, 0, 4, 2, 1, 2, 3]);
    // advance_pc 16 and two rows; then an advance_pc whose LEB128 never ends.
    const truncated = program5(8, [2, 0x10, 0x0d + 6, 0x0d + 7, 2, 0x80, 0x80]);
    for (const [line, message] of [[badSize, /unsupported value size 3/], [truncated, /truncated or corrupt: needed 1 bytes/]] as const) {
      const a = runProgram({ line }, 0, true);
      const b = runProgram({ line }, 0, false);
      assert.match(a.error ?? '', message);
      assert.deepEqual(a, b);
      assert.ok(a.rows.address.length > 0);
    }
  });

  it('matches the TypeScript loop on 3,000 mutated programs, rows and errors alike', () => {
    const f = linuxFixtures();
    const line = debugLineOf(f.mixed);
    const offsets = programOffsets(line);
    let seed = 0x11ee;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const original = new Map(offsets.map((off) => [off, runProgram({ line }, off, false)]));
    let errors = 0;
    let changed = 0;
    for (let i = 0; i < 3000; i++) {
      const off = offsets[rand(offsets.length)];
      const length = new DataView(line.buffer, line.byteOffset).getUint32(off, true) + 4;
      const copy = line.slice(off, off + length);
      for (let k = 1 + rand(4); k > 0; k--) copy[4 + rand(length - 4)] = rand(256);
      const a = runProgram({ line: copy }, 0, true);
      const b = runProgram({ line: copy }, 0, false);
      assert.deepEqual(a, b, `mutation ${i} of the program at ${off}`);
      if (a.error) errors++;
      else if (!isDeepStrictEqual(a.rows, original.get(off)!.rows)) changed++;
    }
    // The mutations must reach errors and changed rows both, or the comparison proves little.
    assert.ok(errors >= 10 && changed >= 300, `${errors} errors, ${changed} changed row sets of 3000 mutated programs`);
  });

  it('is the module its C source builds to (when this machine has the same clang)', function () {
    let version: string;
    try {
      version = execFileSync('clang-19', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
    } catch {
      this.skip(); // no clang-19: the checked-in module is still checked by the tests above
    }
    if (version !== compiler) this.skip(); // another clang may emit other bytes for the same source
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-wasm.mjs'), '--check'], { stdio: 'pipe' });
    assert.ok(fs.existsSync(path.join(repoRoot, 'src', 'symbols', 'dwarf', 'wasm', 'line-program.c')));
  });
});
