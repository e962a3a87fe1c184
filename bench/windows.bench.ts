// Windows x64 MSVC programs: time to the first stop under wine through winedbg's stub, the PDB's symbol load (our reader + index) against lldb-22's target create on the same exe, and opening a crash minidump.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPeModule } from '../src/symbols/pe/pe-module';
import { buildIndex } from '../src/symbols/symbol-index';
import { startClient, stopQuietly } from '../test/dap/support/client';
import { markerLine } from '../test/dap/support/programs';
import { buildDumpWriter, crashToDump, registerDumpWriter } from '../test/support/minidump-writer';
import { endWineserver, wineMissing, winePrefix, type Wine } from '../test/support/wine-debug';
import { attachToWindowsProgram, framesOf, nextStop, openDump, sourcePath, windowsProgram } from '../test/windows/support';
import { report, row, type BenchRow } from './report';

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function readFile(p: string): Uint8Array | undefined {
  return fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : undefined;
}

/** Our load: the PE, its PDB and the index, as a symbol worker does it, against lldb-22 creating a target (which reads the PDB). */
function loadRows(label: string, exe: string): BenchRow[] {
  const ours: number[] = [];
  const peer: number[] = [];
  let functions = 0;
  for (let i = 0; i < 5; i++) {
    // Alternating, so both see the same machine load.
    let t0 = performance.now();
    const m = readPeModule(new Uint8Array(fs.readFileSync(exe)), { path: exe, searchPaths: [], readFile });
    buildIndex(m);
    functions = m.functions.length;
    ours.push(performance.now() - t0);
    t0 = performance.now();
    execFileSync('lldb-22', ['-b', '-o', `target create ${exe}`, '-o', 'image lookup -n main'], { encoding: 'utf8' });
    peer.push(performance.now() - t0);
  }
  console.log(`${label}: ${(fs.statSync(exe.replace(/\.exe$/, '.pdb')).size / 1048576).toFixed(1)} MB PDB, ${functions} functions`);
  return [row(`${label}: load the PDB's symbols (reader + index)`, 'ms', median(ours), median(peer), { peerName: "lldb-22 -b -o 'target create X' -o 'image lookup -n main'" })];
}

/** crash.rs dumped once under wine; then opening the dump (attach coreFile → first stack) against lldb-22's `target create --core` + `bt`, no wine. */
async function postMortemRows(wine: Wine): Promise<BenchRow[]> {
  const { exe } = await windowsProgram('crash', '1.96');
  await registerDumpWriter(wine, await buildDumpWriter());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-bench-dump-'));
  try {
    const { dump, ms } = await crashToDump(wine, exe, dir);
    console.log(`crash.rs, Rust 1.96: crash to a complete ${(fs.statSync(dump).size / 1048576).toFixed(1)} MB full-memory dump under wine: ${ms} ms`);
    const ours: number[] = [];
    const peer: number[] = [];
    for (let i = 0; i < 3; i++) {
      const dc = await startClient();
      let t0 = performance.now();
      const stop = await openDump(dc, exe, dump);
      await framesOf(dc, stop.threadId!);
      ours.push(performance.now() - t0);
      await stopQuietly(dc);
      t0 = performance.now();
      execFileSync('lldb-22', ['-b', '-o', `target create ${exe} --core ${dump}`, '-o', 'bt'], { encoding: 'utf8' });
      peer.push(performance.now() - t0);
    }
    return [row('crash.rs, Rust 1.96: post-mortem open (attach coreFile to the first stack)', 'ms', median(ours), median(peer), { peerName: "lldb-22 -b -o 'target create X --core D' -o bt" })];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const toolchain of ['1.96', '1.63'] as const) {
    const { exe } = await windowsProgram('values', toolchain);
    rows.push(...loadRows(`values.rs, Rust ${toolchain}`, exe));
  }
  const missing = wineMissing();
  if (missing) {
    console.log(`time to first stop not measured: ${missing}`);
  } else {
    const wine = await winePrefix();
    const { exe } = await windowsProgram('values', '1.96');
    const source = sourcePath('values');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const dc = await startClient();
      const t0 = performance.now();
      const stopped = nextStop(dc, 180_000);
      const session = await attachToWindowsProgram(dc, wine, exe, { sourceBreakpoints: [{ source, lines: [markerLine(source, 'values')] }] });
      await stopped;
      times.push(performance.now() - t0);
      await stopQuietly(dc);
      await session.target.dispose();
    }
    rows.push(row('values.rs, Rust 1.96: winedbg start to the first breakpoint stop (through the proxy)', 'ms', median(times), null));
    rows.push(...(await postMortemRows(wine)));
    await endWineserver(wine.prefix);
  }
  report('windows', rows);
}
