// PDB loading benchmark: readPeModule + index on a generated 20,000-function Rust PDB and a real MSVC one, against llvm-pdbutil-19 and lldb-22 on the same files.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { readPeModule } from '../src/symbols/pe/pe-module';
import { buildIndex } from '../src/symbols/symbol-index';
import { report, row, BenchRow } from './report';

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'bench', 'work', 'pdb');
const MODULES = 200;
const FUNCTIONS = 100;

/** A `#![no_core]` crate (no Windows SDK needed) with MODULES × FUNCTIONS functions, generics and inlined helpers. */
function generateCrate(): string {
  const fixture = fs.readFileSync(path.join(ROOT, 'test/fixtures/windows/src/nocore.rs'), 'utf8');
  const out = [fixture.slice(0, fixture.indexOf('pub mod shapes')).replace('impl Copy for i32 {}', 'impl Copy for i32 {}\nimpl Copy for u8 {}\nimpl Copy for u64 {}')];
  for (let m = 0; m < MODULES; m++) {
    out.push(`pub mod module_${m} {\n    #[inline(never)]\n    pub fn pick<T: crate::Copy>(a: T, _b: T) -> T { a }\n`);
    for (let f = 0; f < FUNCTIONS; f++) {
      out.push(`    #[inline(always)]\n    fn helper_${f}(v: i32) -> i32 { v + ${f} }\n`);
      out.push(`    #[inline(never)]\n    pub fn function_${f}(v: i32) -> i32 {\n        let a = helper_${f}(v);\n        let b = pick(a, v);\n        let _c = pick(${f}u8, 1u8);\n        b + a\n    }\n`);
    }
    out.push('    pub fn run(v: i32) -> i32 {\n        let mut s = v;\n');
    for (let f = 0; f < FUNCTIONS; f++) out.push(`        s = function_${f}(s);\n`);
    out.push('        let _d = pick(7u64, 8u64);\n        s\n    }\n}\n');
  }
  out.push('#[no_mangle]\npub extern "C" fn mainCRTStartup() -> i32 {\n    let mut s = 0;\n');
  for (let m = 0; m < MODULES; m++) out.push(`    s = module_${m}::run(s);\n`);
  out.push('    s\n}\n');
  return out.join('');
}

function buildBig(): string {
  const exe = path.join(WORK, 'big.exe');
  if (fs.existsSync(exe) && fs.existsSync(path.join(WORK, 'big.pdb'))) return exe;
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(path.join(WORK, 'big.rs'), generateCrate());
  const env = { ...process.env, PATH: `/root/.cargo/bin:${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
  console.log('building the generated crate (nightly rustc, x86_64-pc-windows-msvc, lld-link-19)...');
  execFileSync('rustc', ['+nightly', '--target', 'x86_64-pc-windows-msvc', '--crate-type', 'bin', '-C', 'debuginfo=2', '-C', 'panic=abort', '-C', 'overflow-checks=off', '-C', 'opt-level=1', '--emit', 'obj', '-o', path.join(WORK, 'big.obj'), path.join(WORK, 'big.rs')], { env, stdio: 'inherit' });
  execFileSync('lld-link-19', ['/nologo', '/debug', '/entry:mainCRTStartup', '/subsystem:console', '/nodefaultlib', `/out:${exe}`, `/pdb:${path.join(WORK, 'big.pdb')}`, path.join(WORK, 'big.obj')], { stdio: 'inherit' });
  return exe;
}

function wallMs(fn: () => void, runs = 3): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

function readFile(p: string): Uint8Array | undefined {
  return fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : undefined;
}

function measure(label: string, exe: string, lookupName: string): BenchRow[] {
  const pdbPath = exe.replace(/\.exe$/, '.pdb');
  const pdbMb = fs.statSync(pdbPath).size / (1024 * 1024);
  const bytes = new Uint8Array(fs.readFileSync(exe));
  let indexBytes = 0;
  let functions = 0;
  let peakHeap = 0;
  const ours = wallMs(() => {
    if (global.gc) global.gc();
    const before = v8.getHeapStatistics().used_heap_size;
    const m = readPeModule(bytes, { path: exe, searchPaths: [], readFile });
    const index = buildIndex(m);
    peakHeap = Math.max(peakHeap, v8.getHeapStatistics().used_heap_size - before);
    indexBytes = index.byteLength;
    functions = m.functions.length;
  });
  const pdbutil = wallMs(() => execFileSync('llvm-pdbutil-19', ['dump', '--symbols', '--publics', '--l', pdbPath], { maxBuffer: 1 << 30 }));
  let lldb: number | null = null;
  try {
    lldb = wallMs(() => {
      const out = execFileSync('lldb-22', ['-b', '-o', `target create ${exe}`, '-o', `image lookup -n ${lookupName}`], { encoding: 'utf8' });
      if (!out.includes('Summary:')) throw new Error(`lldb-22 did not find ${lookupName}`);
    });
  } catch (e) {
    console.log(`lldb-22 peer unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
  console.log(`${label}: ${pdbMb.toFixed(1)} MB PDB, ${functions} functions`);
  return [
    row(`${label}: read PE+PDB and build the index`, 'ms', ours, pdbutil, { peerName: 'llvm-pdbutil-19 dump --symbols --publics --l' }),
    row(`${label}: read PE+PDB and build the index vs lldb-22 load + name lookup`, 'ms', ours, lldb, { peerName: 'lldb-22 target create + image lookup -n' }),
    row(`${label}: index bytes per MB of PDB`, 'bytes/MB', indexBytes / pdbMb, null),
    row(`${label}: heap growth while loading`, 'MB', peakHeap / (1024 * 1024), null),
  ];
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  rows.push(...measure('real MSVC Rust 1.58 (binskim)', path.join(ROOT, 'test/fixtures/windows/msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe'), 'main::main'));
  rows.push(...measure(`generated ${MODULES * FUNCTIONS} functions`, buildBig(), 'big::module_7::function_3'));
  report('pdb', rows);
}
