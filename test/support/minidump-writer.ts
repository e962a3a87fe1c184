// Post-mortem dumps of Windows test programs under wine: the full-memory dump writer (built with mingw, cached), registered as the prefix's AeDebug debugger, and a crash run to its dump.
import { execFile, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { msvcCacheDir } from './msvc-programs';
import { processesWithEnv, programOutputFile, windowsPath, type Wine } from './wine-debug';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const WRITER_SOURCE = path.join(REPO_ROOT, 'test', 'programs', 'windows', 'dump_writer.c');
const MINGW_GCC = 'x86_64-w64-mingw32-gcc';
const AEDEBUG_KEY = 'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\AeDebug';

/** dump_writer.exe, built from its source once and cached beside the MSVC sysroots (keyed by the source's hash). */
export async function buildDumpWriter(): Promise<string> {
  const source = fs.readFileSync(WRITER_SOURCE);
  const key = crypto.createHash('sha1').update(source).digest('hex').slice(0, 12);
  const exe = path.join(msvcCacheDir(), `dump-writer-${key}`, 'dump_writer.exe');
  if (fs.existsSync(exe)) return exe;
  fs.mkdirSync(path.dirname(exe), { recursive: true });
  const building = `${exe}.${process.pid}.exe`;
  try {
    await run(MINGW_GCC, ['-O1', '-Wall', '-o', building, WRITER_SOURCE, '-ldbghelp']);
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    const why = e.code === 'ENOENT' ? `${MINGW_GCC} is not installed (Debian package gcc-mingw-w64-x86-64-win32; .ci/run installs it)` : (e.stderr ?? String(err)).trim();
    throw new Error(`building the minidump writer ${WRITER_SOURCE} failed: ${why}`, { cause: err });
  }
  fs.renameSync(building, exe);
  return exe;
}

/**
 * Makes the writer the prefix's AeDebug debugger (Auto=1: no dialog), so a crashing program gets a full-memory dump.
 * The path is a Z: path with forward slashes, which wine's command line handling keeps intact. Recorded in the prefix,
 * so later runs skip the two `reg add` calls.
 */
export async function registerDumpWriter(wine: Wine, writer: string): Promise<void> {
  const command = `${windowsPath(writer).replace(/\\/g, '/')} %ld %ld`;
  const done = path.join(wine.prefix, '.rust-offload-aedebug');
  if (fs.existsSync(done) && fs.readFileSync(done, 'utf8') === command) return;
  try {
    await run(wine.wine, ['reg', 'add', AEDEBUG_KEY, '/v', 'Debugger', '/t', 'REG_SZ', '/d', command, '/f'], { env: wine.env, timeout: 120_000 });
    await run(wine.wine, ['reg', 'add', AEDEBUG_KEY, '/v', 'Auto', '/t', 'REG_SZ', '/d', '1', '/f'], { env: wine.env, timeout: 120_000 });
  } catch (err) {
    throw new Error(`wine reg add could not set the AeDebug debugger in ${wine.prefix}: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  }
  fs.writeFileSync(done, command);
}

export interface Crash {
  /** The complete minidump. */
  dump: string;
  /** What the program printed before it crashed (its `NAME = {:?}` lines). */
  output: string;
  /** The crashed process's exit code (the exception code, as the writer ends it with). */
  exitCode: number | null;
  /** Milliseconds from starting the program to the dump being complete. */
  ms: number;
}

/**
 * Runs the exe under wine, in the empty directory `dir`, until it crashes and the AeDebug writer has dumped it there. Waits for the events
 * themselves (the program's exit, then the end of every process of the run, the writer included), never a fixed
 * delay; ends whatever is left of the run by pid after `timeoutMs`.
 */
export async function crashToDump(wine: Wine, exe: string, dir: string, timeoutMs = 120_000): Promise<Crash> {
  const dumps = (): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.dmp'));
  if (dumps().length > 0) throw new Error(`crashToDump: ${dir} already holds a dump; give an empty directory`);
  const printed = programOutputFile();
  const marker = crypto.randomUUID();
  const started = Date.now();
  const child = spawn(wine.wine, [exe], {
    env: { ...wine.env, ...printed.env, RUST_OFFLOAD_WINE_TARGET: marker },
    // The writer puts crash-PID.dmp in the crashing process's working directory.
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let console = '';
  child.stdout!.on('data', (d: Buffer) => (console += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (console += d.toString('latin1')));
  const deadline = started + timeoutMs;
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${path.basename(exe)} did not end within ${timeoutMs} ms`)), timeoutMs);
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    // The writer ends the program once the dump is renamed into place; it may still be closing its handles.
    while (processesWithEnv('RUST_OFFLOAD_WINE_TARGET', marker).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const written = dumps();
    if (written.length !== 1) {
      throw new Error(`${path.basename(exe)} ended (exit code ${exitCode}) without a dump in ${dir}; the AeDebug writer did not run or failed: ${console.trim() || 'no output'}`);
    }
    return { dump: path.join(dir, written[0]), output: printed.read(), exitCode, ms: Date.now() - started };
  } finally {
    const running = child.exitCode === null && child.signalCode === null ? [child.pid!] : [];
    for (const pid of [...running, ...processesWithEnv('RUST_OFFLOAD_WINE_TARGET', marker)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    printed.remove();
  }
}
