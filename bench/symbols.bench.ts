// Symbol loading benchmark: demangle+index librustc_driver vs `nm -C`, a full index of a generated ≥200 MB-DWARF Rust binary vs lldb-22, event-loop delay, memory.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Progress, TaskContext } from '../src/futures/contract';
import { ThreadPoolExecutor } from '../src/futures/thread-pool';
import { fileSource } from '../src/symbols/byte-source';
import { ElfFile } from '../src/symbols/elf/elf';
import { addElfPublics } from '../src/symbols/elf/elf-module';
import { loadModule, planModuleLoad } from '../src/symbols/load-task';
import { loadModuleSymbols, symbolTasks } from '../src/symbols/module-loader';
import { SymbolIndexStore } from '../src/symbols/index-store';
import { LoadedModuleCache } from '../src/symbols/loaded-module-cache';
import { ModuleEntry, ModuleRegistry } from '../src/symbols/module-registry';
import { IndexBuilder, SymbolIndex } from '../src/symbols/symbol-index';
import { BenchRow, report, row } from './report';

const env = { ...process.env, PATH: [path.join(os.homedir(), '.cargo', 'bin'), '/root/.cargo/bin', process.env.PATH ?? ''].join(path.delimiter) };
const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function rustcDriver(): string {
  const sysroot = execFileSync('rustc', ['--print', 'sysroot'], { env, encoding: 'utf8' }).trim();
  const lib = path.join(sysroot, 'lib');
  const name = fs.readdirSync(lib).find((f) => /^librustc_driver-.*\.so$/.test(f));
  if (!name) throw new Error(`no librustc_driver-*.so in ${lib}`);
  return path.join(lib, name);
}

/** Demangling + indexing every defined symbol, in this process, as the worker does it (straight from .strtab into the index). */
function indexPublicsOf(file: string): SymbolIndex {
  const source = fileSource(file);
  try {
    const builder = new IndexBuilder();
    addElfPublics(new ElfFile(source, file), builder);
    return new SymbolIndex([builder.finish()]);
  } finally {
    source.close?.();
  }
}

async function benchDemangle(rows: BenchRow[]): Promise<void> {
  const lib = rustcDriver();
  const count = indexPublicsOf(lib).symbolCount; // warm-up, and the count
  const ours = median([1, 2, 3].map(() => timeMs(() => indexPublicsOf(lib))));
  const peer = median([1, 2, 3].map(() => timeMs(() => spawnSync('sh', ['-c', `nm -C --defined-only '${lib}' > /dev/null`]))));
  console.log(`librustc_driver: ${count} symbols indexed`);
  rows.push(row('demangle+index all defined symbols of librustc_driver, 1 thread', 'ms', ours, peer, { peerName: 'nm -C --defined-only', note: `${count} symbols; median of 3` }));
  const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  try {
    await Promise.allSettled([1, 2].map(() => executor.submit(symbolTasks.planModuleLoad, { path: __filename }).result()));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const loaded = await loadModuleSymbols(executor, { path: lib });
      times.push(performance.now() - t0);
      if (loaded.index.symbolCount !== count) throw new Error(`the split load indexed ${loaded.index.symbolCount} symbols, not ${count}`);
    }
    rows.push(row('demangle+index all defined symbols of librustc_driver, 2 workers (from the host)', 'ms', median(times), peer, { peerName: 'nm -C --defined-only', note: 'symbol table split across workers; median of 3' }));
  } finally {
    await executor.shutdown({ wait: true });
  }
}

/** Rust source with enough generic instances and types for ≥200 MB of DWARF at opt-level 0. */
function generateCrate(modules: number, perModule: number): string {
  const out: string[] = [];
  out.push('#![allow(dead_code)]\nuse std::fmt::Debug;\nuse std::collections::HashMap;\n');
  out.push('#[derive(Debug, Clone, Default)] pub struct Wrap<T> { pub inner: T, pub tag: u64, pub name: String }\n');
  out.push('impl<T: Debug + Clone + Default> Wrap<T> { #[inline(never)] pub fn new(inner: T) -> Self { Wrap { inner, tag: 1, name: String::new() } } #[inline(never)] pub fn describe(&self) -> String { format!("{:?}/{}", self.inner, self.tag) } #[inline(never)] pub fn twice(&self) -> (T, T) { (self.inner.clone(), self.inner.clone()) } }\n');
  out.push('#[inline(never)] pub fn process<T: Debug + Clone + Default>(x: T) -> usize { let w = Wrap::new(x); let v: Vec<Wrap<T>> = vec![w.clone(), w.clone()]; let mut m: HashMap<u64, Wrap<T>> = HashMap::new(); m.insert(1, w.clone()); v.iter().map(|e| e.describe().len()).sum::<usize>() + m.len() + w.twice().0.clone().default_len() }\n');
  out.push('pub trait DefaultLen { fn default_len(&self) -> usize { 1 } }\nimpl<T> DefaultLen for T {}\n');
  const calls: string[] = [];
  for (let m = 0; m < modules; m++) {
    out.push(`pub mod m${m} {\n  use super::*;\n`);
    for (let s = 0; s < perModule; s++) {
      out.push(`  #[derive(Debug, Clone, Default, PartialEq)] pub struct S${s} { pub a: u32, pub b: String, pub c: Vec<u${8 * (1 << s % 4)}>, pub d: Option<Box<u64>>, pub e: (i32, f64), pub f: [u16; ${(s % 7) + 1}] }\n`);
      out.push(`  impl S${s} { #[inline(never)] pub fn run(&self, k: u32) -> usize { let mut t = 0usize; for i in 0..k { t += (self.a as usize).wrapping_mul(i as usize) + self.b.len() + self.c.len(); } t + process(self.clone()) + process(Some(self.a)) } }\n`);
    }
    out.push(`  #[inline(never)] pub fn entry(n: u32) -> usize { 0 ${Array.from({ length: perModule }, (_, s) => `+ S${s}::default().run(n) `).join('')}}\n}\n`);
    calls.push(`m${m}::entry(n)`);
  }
  out.push(`fn main() { let n = std::env::args().count() as u32; let mut t = 0usize;\n${calls.map((c) => `  t += ${c};\n`).join('')}  println!("{}", t); }\n`);
  return out.join('');
}

function debugBytesOf(file: string): number {
  const source = fileSource(file);
  try {
    return new ElfFile(source, file).sections.filter((s) => s.name.startsWith('.debug_')).reduce((n, s) => n + s.size, 0);
  } finally {
    source.close?.();
  }
}

/** Builds (once, cached in the temp dir) a Rust binary with at least 200 MB of DWARF. */
export function bigBinary(): string {
  const dir = path.join(os.tmpdir(), 'rust-offload-bench', 'big-dwarf-v1');
  const bin = path.join(dir, 'big');
  if (fs.existsSync(bin) && debugBytesOf(bin) >= 200 * MB) return bin;
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'big.rs');
  fs.writeFileSync(src, generateCrate(175, 20));
  console.log(`generating a large Rust binary in ${dir} (takes a few minutes)...`);
  const t = timeMs(() => execFileSync('rustc', ['-g', '-C', 'opt-level=0', '-C', 'codegen-units=16', '-o', bin, src], { env, cwd: dir, stdio: 'inherit' }));
  const bytes = debugBytesOf(bin);
  console.log(`built in ${(t / 1000).toFixed(0)} s: ${(bytes / MB).toFixed(0)} MB of DWARF`);
  if (bytes < 200 * MB) throw new Error(`the generated binary has only ${(bytes / MB).toFixed(0)} MB of DWARF; raise the module count in generateCrate`);
  return bin;
}

interface ChildCost {
  cpuMs: number;
  systemMs: number;
  minorFaults: number;
}

/** What a shell's waited-for children used, from the /proc/<pid>/stat line it printed last (Linux; clock ticks of 10 ms). */
function childCost(stdout: string): ChildCost | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, so field n is fields[n − 3]: cminflt 11, cutime 16, cstime 17.
  const [cminflt, cutime, cstime] = [fields[8], fields[13], fields[14]].map(Number);
  if (![cminflt, cutime, cstime].every(Number.isFinite)) return undefined;
  return { cpuMs: (cutime + cstime) * 10, systemMs: cstime * 10, minorFaults: cminflt };
}

/** The loader run on this thread, as an extension host without workers would. */
async function loadOnMainThread(file: string): Promise<{ index: SymbolIndex; functions: number }> {
  const ctx: TaskContext = {
    signal: new AbortController().signal,
    reportProgress: (_p: Progress) => undefined,
    request: () => Promise.reject(new Error('no host channel on the main thread')),
  };
  const plan = planModuleLoad(ctx, { path: file });
  const parts = [];
  for (const chunk of plan.chunks) parts.push(await loadModule(ctx, chunk));
  return { index: new SymbolIndex(parts.map((p) => p.index)), functions: parts.reduce((n, p) => n + p.counts.functions, 0) };
}

/** Runs `fn` while a 1 ms timer records the longest gap between its ticks: the host's worst event-loop stall. */
async function measureDelay<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; maxDelayMs: number }> {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 5)); // one more tick, so a stall at the very end is counted
    return { value, ms, maxDelayMs: Math.max(0, maxGap - 1) };
  } finally {
    clearInterval(timer);
  }
}

async function benchBig(rows: BenchRow[]): Promise<void> {
  const bin = bigBinary();
  const debugBytes = debugBytesOf(bin);
  const info = new ElfFile(fileSource(bin), bin).section('.debug_info')!.size;
  console.log(`large binary: ${(debugBytes / MB).toFixed(0)} MB of DWARF (.debug_info ${(info / MB).toFixed(0)} MB)`);

  let lldbCost: ChildCost | undefined;
  const lldb = timeMs(() => {
    // Through a shell that reports what its child used (CPU, page faults) once it has waited for it.
    const script = `lldb-22 -b -o "target create $1" -o 'image lookup -r -n entry' >/dev/null || exit 1; cat /proc/$$/stat`;
    const r = spawnSync('bash', ['-c', script, 'bash', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`lldb-22 failed: ${r.stderr}`);
    lldbCost = childCost(r.stdout);
  });

  const executor = new ThreadPoolExecutor({ maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
  let loaded: Awaited<ReturnType<typeof loadModuleSymbols>>;
  let workers: { ms: number; maxDelayMs: number };
  let nextBuild: number;
  let ourCost: ChildCost;
  try {
    // Start both workers and load the task module in each (a source file is refused quickly), so the figure is the load, not the pool start.
    const warm = path.join(path.dirname(bin), 'big.rs');
    await Promise.allSettled([1, 2].map(() => executor.submit(symbolTasks.planModuleLoad, { path: warm }).result()));
    const faults0 = process.resourceUsage().minorPageFault;
    const cpu0 = process.cpuUsage();
    const r = await measureDelay(() => loadModuleSymbols(executor, { path: bin }));
    const cpu = process.cpuUsage(cpu0);
    ourCost = { cpuMs: (cpu.user + cpu.system) / 1000, systemMs: cpu.system / 1000, minorFaults: process.resourceUsage().minorPageFault - faults0 };
    loaded = r.value;
    workers = r;
    // The next build in the same window: another file (so no cached sections), on workers that have loaded one.
    const next: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const copy = path.join(os.tmpdir(), `rust-offload-next-build-${process.pid}-${i}`);
      fs.copyFileSync(bin, copy);
      try {
        const t0 = performance.now();
        await loadModuleSymbols(executor, { path: copy });
        next.push(performance.now() - t0);
      } finally {
        fs.rmSync(copy, { force: true });
      }
    }
    console.log(`next builds on the same workers: ${next.map(Math.round).join(' ')} ms`);
    nextBuild = median(next);
  } finally {
    await executor.shutdown({ wait: true });
  }
  const main = await measureDelay(() => loadOnMainThread(bin));
  const indexBytes = loaded.index.byteLength;
  const peakHeap = Math.max(...loaded.parts.map((p) => p.peakHeapBytes));
  console.log(`our index: ${loaded.parts.length} segments, ${loaded.index.symbolCount} symbols, ${loaded.index.inlineCount} inline sites, ${loaded.index.lineCount} line rows, ${(indexBytes / MB).toFixed(1)} MB`);
  const check = loaded.index.lookupByName('big::m0::entry');
  if (check.length !== 1) throw new Error('the index of the large binary does not find big::m0::entry');
  if (main.value.functions !== loaded.parts.reduce((n, p) => n + p.counts.functions, 0)) throw new Error('the main-thread load indexed a different number of functions');

  rows.push(row(`full index of a ${(debugBytes / MB).toFixed(0)} MB-DWARF Rust binary, 2 workers`, 'ms', workers.ms, lldb, { peerName: "lldb-22 -b -o 'target create X' -o 'image lookup -r -n entry'" }));
  rows.push(row(`the same, on 2 workers that have loaded it once (the next build in the window: a copy, no cached sections)`, 'ms', nextBuild, lldb, {
    peerName: "lldb-22 -b -o 'target create X' -o 'image lookup -r -n entry'", note: 'median of 3 copies, one after another; the figure above is the first load of fresh workers (V8 has compiled nothing yet)' }));
  if (lldbCost) {
    rows.push(row('full index: CPU time of all threads (ours: the whole process, V8\'s compiler and GC threads included)', 'ms', ourCost.cpuMs, lldbCost.cpuMs, {
      peerName: 'the same lldb-22 run', note: `system time: ours ${Math.round(ourCost.systemMs)} ms, lldb-22 ${Math.round(lldbCost.systemMs)} ms` }));
    rows.push(row('full index: minor page faults (first touches of a 4 KiB page; on a VM each costs the host a fault)', 'thousands', ourCost.minorFaults / 1000, lldbCost.minorFaults / 1000, {
      peerName: 'the same lldb-22 run' }));
  }
  rows.push(row('extension host: largest event-loop delay while loading (2 workers vs the same loader on the main thread)', 'ms', workers.maxDelayMs, main.maxDelayMs, { peerName: 'same loader on the main thread', note: `main-thread load took ${(main.ms / 1000).toFixed(1)} s` }));
  rows.push(row('index bytes per MB of debug info', 'bytes/MB', indexBytes / (debugBytes / MB), null, { note: `${(indexBytes / MB).toFixed(1)} MB index for ${(debugBytes / MB).toFixed(0)} MB DWARF` }));
  rows.push(row('peak worker heap while loading', 'MB', peakHeap / MB, null, { note: `V8 heap; largest of ${loaded.parts.length} chunks` }));
  const peakExternal = Math.max(...loaded.parts.map((p) => p.peakExternalBytes));
  rows.push(row('peak worker array-buffer memory while loading', 'MB', peakExternal / MB, null, { note: 'index columns and the sections a worker keeps (unread section pages included, though the OS does not back them)' }));
  await benchSlices(bin, rows);
  benchLinePrograms(bin, rows);
  await benchReuse(bin, rows);
}

/**
 * A second debug session on the unchanged binary: how long until its symbols are ready when the window's cache holds
 * the first session's load, against lldb-22 run a second time with its on-disk index cache.
 */
async function benchReuse(bin: string, rows: BenchRow[]): Promise<void> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-lldb-index-cache-'));
  const lldbCached = (): number => timeMs(() => {
    const r = spawnSync('lldb-22', ['-b', '-o', 'settings set symbols.enable-lldb-index-cache true', '-o', `settings set symbols.lldb-index-cache-path ${cacheDir}`,
      '-o', `target create ${bin}`, '-o', 'image lookup -r -n entry'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`lldb-22 failed: ${r.stderr}`);
  });
  const executor = new ThreadPoolExecutor({ maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
  let lldb: number;
  try {
    lldbCached(); // fills the cache
    lldb = median([lldbCached(), lldbCached(), lldbCached()]);
    const cache = new LoadedModuleCache({ idleMs: 60_000, maxIdleBytes: 4096 * MB });
    const session = async (): Promise<{ ms: number; entry: ModuleEntry }> => {
      const registry = new ModuleRegistry(executor, { cache });
      const t0 = performance.now();
      const entry = await new Promise<ModuleEntry>((resolve) => {
        registry.on('changed', (e) => {
          if (e.status !== 'loading') resolve(e);
        });
        registry.onModule('new', { id: 1, name: path.basename(bin), path: bin });
      });
      const ms = performance.now() - t0;
      registry.dispose();
      return { ms, entry };
    };
    const first = await session();
    const again = [await session(), await session(), await session()];
    if (first.entry.cached || again.some((r) => !r.entry.cached || r.entry.index !== first.entry.index)) throw new Error('the later sessions did not reuse the first load');
    console.log(`second session: reused in ${again.map((r) => r.ms.toFixed(1)).join(' ')} ms (first session ${Math.round(first.ms)} ms); lldb-22 with its index cache ${Math.round(lldb)} ms`);
    rows.push(row('next session on the unchanged large binary: symbols ready (reused from the window) vs lldb-22 with its on-disk index cache', 'ms', median(again.map((r) => r.ms)), lldb,
      { peerName: "lldb-22 with symbols.enable-lldb-index-cache, second run", note: `first session ${(first.ms / 1000).toFixed(1)} s; ours checks the file's size, mtime and id; medians of 3` }));
  } finally {
    await executor.shutdown({ wait: true });
  }
  try {
    await benchStore(bin, lldb, rows);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/**
 * A new window on the unchanged large binary: its symbols ready from the on-disk index store, the first queries
 * answered, in a fresh process (bench/store-window.ts), against the cold load of fresh workers that fills the store
 * and lldb-22 with its own index cache, in the same run.
 */
async function benchStore(bin: string, lldbCachedMs: number, rows: BenchRow[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-index-store-'));
  try {
    const colds: number[] = [];
    for (let i = 0; i < 3; i++) {
      fs.rmSync(dir, { recursive: true, force: true });
      // Fresh workers each time, started and with the task module loaded (as in the full-index row above).
      const executor = new ThreadPoolExecutor({ maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
      try {
        await Promise.allSettled([1, 2].map(() => executor.submit(symbolTasks.planModuleLoad, { path: path.join(path.dirname(bin), 'big.rs') }).result()));
        let written!: (err?: Error) => void;
        const stored = new Promise<void>((resolve, reject) => {
          written = (err) => (err ? reject(err) : resolve());
        });
        const t0 = performance.now();
        const cold = await loadModuleSymbols(executor, { path: bin }, { store: new SymbolIndexStore({ dir }), onStored: written });
        colds.push(performance.now() - t0);
        if (cold.stored) throw new Error('the cold load came from the store');
        await stored;
      } finally {
        await executor.shutdown({ wait: true });
      }
    }
    const windows: Array<{ ok: boolean; loadedMs: number; readyMs: number; bytesRead: number; fileBytes: number; uptimeMs: number }> = [];
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(process.execPath, [path.join(__dirname, 'store-window.js'), dir, bin, 'big::m0::entry'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`store-window.js failed: ${r.stderr}`);
      const w = JSON.parse(r.stdout.trim().split('\n').pop()!) as (typeof windows)[number];
      if (!w.ok) throw new Error(`the new window did not get the stored index or its answers: ${r.stdout}`);
      windows.push(w);
    }
    const ready = median(windows.map((w) => w.readyMs));
    const fileBytes = windows[0].fileBytes;
    const readBytes = median(windows.map((w) => w.bytesRead));
    console.log(`new window from the store (fresh processes): ready ${windows.map((w) => w.readyMs.toFixed(0)).join(' ')} ms (loaded ${windows.map((w) => w.loadedMs.toFixed(0)).join(' ')} ms); ` +
      `cold loads ${colds.map((m) => m.toFixed(0)).join(' ')} ms; store ${(fileBytes / MB).toFixed(0)} MB, ${(readBytes / MB).toFixed(2)} MB of it read by the open and first queries`);
    const note = `medians of 3, each a fresh process; ready = module event → status loaded and a breakpoint by Rust path, address → function and line, and the module listing answered; ` +
      `${(readBytes / MB).toFixed(2)} of the store file's ${(fileBytes / MB).toFixed(0)} MB read (header, table of contents, checked 4 KiB blocks); goal ≤ 0.05x`;
    rows.push(row('new window on the unchanged large binary: symbols ready from the on-disk index store vs the cold load', 'ms', ready, median(colds), { peerName: 'the cold load that filled the store (2 fresh workers, same run)', note }));
    rows.push(row('new window on the unchanged large binary: symbols ready from the on-disk index store vs lldb-22 with its index cache', 'ms', ready, lldbCachedMs, {
      peerName: 'lldb-22 with symbols.enable-lldb-index-cache, second run (process start to its answer)', note: 'ours excludes the process start (a new window has its extension host running); goal ≤ 0.2x',
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every line program of the large binary in a fresh process, the compiled kernel against the TypeScript loop (alternating, medians of 5). */
function benchLinePrograms(bin: string, rows: BenchRow[]): void {
  const once = (kernel: 'on' | 'off'): { ms: number; rows: number } => {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'line-programs.js'), bin], { encoding: 'utf8', env: { ...process.env, RUST_OFFLOAD_LINE_KERNEL: kernel } });
    if (r.status !== 0) throw new Error(`line-programs.js failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { ms: number; rows: number };
  };
  const on: number[] = [];
  const off: number[] = [];
  let count = 0;
  for (let i = 0; i < 5; i++) {
    const a = once('on');
    const b = once('off');
    if (a.rows !== b.rows) throw new Error(`the kernel decoded ${a.rows} line rows, the TypeScript loop ${b.rows}`);
    count = a.rows;
    on.push(a.ms);
    off.push(b.ms);
  }
  const lineBytes = new ElfFile(fileSource(bin), bin).section('.debug_line')!.size;
  console.log(`line programs: kernel ${on.map(Math.round).join(' ')} ms, TypeScript loop ${off.map(Math.round).join(' ')} ms`);
  rows.push(row(`line programs of the large binary (${(lineBytes / MB).toFixed(0)} MB, ${(count / 1e6).toFixed(2)} M rows), fresh process: compiled kernel vs TypeScript loop`, 'ms', median(on), median(off), { peerName: 'the TypeScript loop (RUST_OFFLOAD_LINE_KERNEL=off)', note: 'medians of 5, alternating; both into the index builder' }));
}

/**
 * The binary's largest unit read whole and read in slices (as planned for a pool of 8 workers), one after the other on
 * this thread after the loads above (code optimized, sections cached): the longest slice is what the unit costs with
 * enough cores, and all slices together show the price of slicing (the walk to each slice's start).
 */
async function benchSlices(bin: string, rows: BenchRow[]): Promise<void> {
  const ctx: TaskContext = { signal: new AbortController().signal, reportProgress: () => undefined, request: () => Promise.reject(new Error('no host channel')) };
  const fileBytes = fs.statSync(bin).size;
  const plan = planModuleLoad(ctx, { path: bin }, Math.max(4 * MB, Math.ceil((fileBytes * 0.4) / (8 * 4))));
  const slices = plan.chunks.filter((c) => c.slice);
  if (slices.length === 0) {
    console.log('no unit of the large binary is large enough to be sliced for 8 workers');
    return;
  }
  const unit = slices[0].units![0];
  const unitBytes = slices.filter((c) => c.units![0] === unit).reduce((n, c) => n + (c.slice!.end - c.slice!.start), 0);
  const time = async (chunk: (typeof plan.chunks)[number]): Promise<number> => {
    const t0 = performance.now();
    await loadModule(ctx, { ...chunk, shared: false });
    return performance.now() - t0;
  };
  const wholeMs = median(await sequence([1, 2, 3], () => time({ path: bin, units: [unit], publicsByUnit: true })));
  const sliceMs: number[] = [];
  for (const c of slices.filter((x) => x.units![0] === unit)) sliceMs.push(median(await sequence([1, 2, 3], () => time(c))));
  const note = `${(unitBytes / MB).toFixed(0)} MB unit in ${sliceMs.length} slices; all slices together ${Math.round(sliceMs.reduce((a, b) => a + b, 0))} ms; medians of 3, one thread`;
  console.log(`largest unit: whole ${Math.round(wholeMs)} ms, slices ${sliceMs.map(Math.round).join(' ')} ms`);
  rows.push(row('largest unit of the large binary: longest slice (8-worker plan) vs the unit read whole', 'ms', Math.max(...sliceMs), wholeMs, { peerName: 'the same unit read whole', note }));
}

async function sequence<T>(items: number[], fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const _ of items) out.push(await fn());
  return out;
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  await benchDemangle(rows);
  await benchBig(rows);
  report('symbols', rows);
}
