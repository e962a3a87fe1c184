// Symbol reader defects found against LLVM's tools (issue 17): each case on a fixture that shows it, checked against the tool or the source.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModule, planModuleLoad } from '../../../src/symbols/load-task';
import { readPeModule } from '../../../src/symbols/pe/pe-module';
import { demangleRust } from '../../../src/symbols/rust-demangle';
import { buildIndex, stripGenerics, SymbolIndex } from '../../../src/symbols/symbol-index';
import { linuxFixtures, run } from './linux-fixtures';
import { fixture, pdbLines, pdbSymbols } from './pe-llvm-reference';
import { directContext } from './direct-context';

function fromDisk(p: string): Uint8Array | undefined {
  return fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : undefined;
}

function readPe(file: string): ReturnType<typeof readPeModule> {
  return readPeModule(new Uint8Array(fs.readFileSync(file)), { path: file, searchPaths: [], readFile: fromDisk });
}

function indexOf(file: string): SymbolIndex {
  return new SymbolIndex([buildIndex(readPe(file))]);
}

const MULTIFILE = fixture('multifile-msvc/multifile.exe');
const V158 = fixture('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe');

describe('symbol reader defects (issue 17)', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-defects-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('2: a PDB function whose lines span several files starts at its first row, as the line table says', () => {
    const idx = indexOf(MULTIFILE);
    const ref = pdbLines(fixture('multifile-msvc/multifile.pdb'));
    let checked = 0;
    for (const proc of pdbSymbols(fixture('multifile-msvc/multifile.pdb')).procs) {
      const rows = ref.filter((r) => r.segment === proc.segment && r.offset >= proc.offset && r.offset < proc.offset + proc.codeSize);
      if (rows.length === 0) continue;
      const first = rows.reduce((a, r) => (r.offset < a.offset ? r : a));
      const [hit] = idx.lookupByName(`multifile::${proc.name.split('::').pop()}`).filter((h) => h.kind === 'function');
      if (!hit || new Set(rows.map((r) => r.file)).size < 2) continue;
      const at = idx.lookupAddress(hit.address);
      assert.equal(at.line, first.line, `${proc.name} at its start`);
      assert.equal(at.file, first.file);
      checked++;
    }
    assert.ok(checked >= 2, `${checked} functions with lines from two files`);
  });

  it('3: a Windows GNU image stripped with --add-gnu-debuglink reads its DWARF from the linked file', () => {
    const exe = path.join(tmp, 'gnu.exe');
    const debug = path.join(tmp, 'gnu.debug');
    const stripped = path.join(tmp, 'gnu-stripped.exe');
    fs.copyFileSync(fixture('rust-gnu/gnu.exe'), exe);
    run('x86_64-w64-mingw32-objcopy', ['--only-keep-debug', exe, debug]);
    run('x86_64-w64-mingw32-objcopy', ['--strip-debug', `--add-gnu-debuglink=${debug}`, exe, stripped]);
    const whole = readPe(exe);
    const linked = readPe(stripped);
    assert.equal(linked.debugFormat, 'dwarf');
    assert.equal(linked.debugInfoPath, debug);
    assert.equal(linked.functions.length, whole.functions.length);
    const idx = new SymbolIndex([buildIndex(linked)]);
    const [sum] = idx.lookupByName('gnu::shapes::Point::sum');
    assert.ok(sum, 'gnu::shapes::Point::sum is found');
    assert.match(sum.file ?? '', /gnu\.rs$/);
    assert.equal(sum.line, 10);
    // A debug file from another build (its CRC differs) is refused with a warning that says so.
    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    fs.copyFileSync(stripped, path.join(other, 'gnu-stripped.exe'));
    const bad = fs.readFileSync(debug);
    bad[bad.length - 1] ^= 0xff;
    fs.writeFileSync(path.join(other, 'gnu.debug'), bad);
    const refused = readPe(path.join(other, 'gnu-stripped.exe'));
    assert.equal(refused.debugFormat, 'none');
    assert.ok(refused.warnings.some((w) => /gnu\.debug.*CRC differs/.test(w)), refused.warnings.join('\n'));
  });

  it('4: a path without generic arguments finds closures that carry them', () => {
    assert.equal(stripGenerics('std::rt::lang_start::{closure#0}<()>'), 'std::rt::lang_start::{closure#0}');
    const idx = indexOf(V158);
    const hits = idx.lookupByName('std::rt::lang_start::{closure#0}');
    assert.ok(hits.some((h) => h.name === 'std::rt::lang_start::{closure#0}<()>'), JSON.stringify(hits));
  });

  it('5: a PDB trait-impl method is found by its Rust path, and a generic function by its turbofish', () => {
    const idx = indexOf(MULTIFILE);
    const [impl] = idx.lookupByName('multifile::inner::{impl#0}::greet');
    assert.ok(impl);
    assert.deepEqual(idx.lookupByName('<multifile::inner::En as multifile::inner::Greeter>::greet'), [impl]);
    const [largest] = idx.lookupByName('multifile::largest<u64>');
    assert.ok(largest);
    assert.deepEqual(idx.lookupByName('multifile::largest::<u64>'), [largest]);
    // The alias is no symbol of its own: prefix and fuzzy search list the function once.
    assert.equal(idx.searchPrefix('<multifile').length, 0);
    assert.equal(idx.search('greet', 10).filter((h) => h.address === impl.address).length, 1);
  });

  it('6: legacy names with a .llvm.N or .cold suffix are demangled, as nm -C does', () => {
    const names = [
      '_ZN3std2rt10lang_start17hfb8b2c0e1d3a4f56E.llvm.16981898696539933757',
      '_ZN3std2rt10lang_start17hfb8b2c0e1d3a4f56E.cold',
      '_ZN3std2rt10lang_start17hfb8b2c0e1d3a4f56E.cold.1',
      '_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h2a0d8e9f1c3b4a5dE.llvm.1',
    ];
    const cxxfilt = execFileSync('c++filt', [], { input: names.join('\n') + '\n', encoding: 'utf8' }).trim().split('\n');
    names.forEach((n, i) => {
      assert.equal(demangleRust(n, { verbose: true }), cxxfilt[i], n);
      assert.equal(demangleRust(n), cxxfilt[i].replace(/::h[0-9a-f]{16}$/, ''), n);
    });
    assert.equal(demangleRust('_ZN3std2rt10lang_start17hfb8b2c0e1d3a4f56E.llvm.1x!'), undefined, 'a suffix with characters no symbol holds');
  });

  it('7: a bad DWARF unit header loses that unit only, with a warning', async () => {
    const src = linuxFixtures().legacy;
    const file = path.join(tmp, 'bad-unit');
    const bytes = fs.readFileSync(src);
    // The third unit's version field (after its 4-byte length) becomes 99.
    const info = /\.debug_info\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(run('readelf', ['-SW', src]));
    assert.ok(info, 'readelf lists .debug_info');
    const base = parseInt(info[1], 16);
    let off = 0;
    for (let u = 0; u < 2; u++) off += 4 + bytes.readUInt32LE(base + off);
    bytes.writeUInt16LE(99, base + off + 4);
    fs.writeFileSync(file, bytes);
    const good = await loadModule(directContext(), { path: src, shared: false });
    for (const chunkBytes of [undefined, 16 * 1024]) {
      const parts = chunkBytes === undefined
        ? [await loadModule(directContext(), { path: file, shared: false })]
        : await Promise.all(planModuleLoad(directContext(), { path: file }, chunkBytes).chunks.map((c) => loadModule(directContext(), { ...c, shared: false })));
      const plan = chunkBytes === undefined ? undefined : planModuleLoad(directContext(), { path: file }, chunkBytes);
      const warnings = [...(plan?.warnings ?? []), ...parts.flatMap((p) => p.warnings)];
      assert.ok(parts.some((p) => p.status === 'loaded'));
      assert.equal(warnings.filter((w) => w.includes(`.debug_info offset ${off}`) && w.includes('version 99')).length, 1, warnings.join('\n'));
      const functions = parts.reduce((n, p) => n + p.counts.functions, 0);
      assert.ok(functions > 0 && functions < good.counts.functions, `${functions} of ${good.counts.functions} functions`);
      const idx = new SymbolIndex(parts.map((p) => p.index));
      assert.equal(idx.lookupByName('symbols_demo::count_words')[0]?.line, 31);
    }
    // llvm-dwarfdump reads the units around it as well.
    assert.match(run('llvm-dwarfdump-19', ['--debug-info', '--show-form', file], { maxBuffer: 1 << 30 }), /DW_TAG_subprogram/);
  });

  it('8: a corrupt .text SizeOfRawData does not lose the PDB, and says what is wrong', () => {
    const dir = path.join(tmp, 'corrupt-size');
    fs.mkdirSync(dir);
    const exe = path.join(dir, path.basename(V158));
    fs.copyFileSync(V158.replace(/\.exe$/, '.pdb'), exe.replace(/\.exe$/, '.pdb'));
    const bytes = fs.readFileSync(V158);
    const pe = bytes.readUInt32LE(0x3c);
    const sections = pe + 24 + bytes.readUInt16LE(pe + 20);
    assert.equal(bytes.subarray(sections, sections + 5).toString('latin1'), '.text');
    bytes.writeUInt32LE(0x7fffffff, sections + 16);
    fs.writeFileSync(exe, bytes);
    const whole = readPe(V158);
    const m = readPe(exe);
    assert.equal(m.debugFormat, 'pdb');
    assert.equal(m.functions.length, whole.functions.length);
    assert.ok(m.warnings.some((w) => w.includes('.text') && w.includes('2147483647')), m.warnings.join('\n'));
  });
});
