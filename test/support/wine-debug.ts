// Runs Windows test programs under wine: a cached prefix, winedbg's gdb stub behind our proxy, and the end of every wine process started, by pid.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GdbRemoteProxy } from './gdb-remote-proxy';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Debian's wine64 has no /usr/bin/wine64 and no winedbg wrapper: the loader itself runs `winedbg`. */
const WINE_CANDIDATES = ['/usr/lib/wine/wine64', '/usr/bin/wine64'];

export interface Wine {
  wine: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Why wine cannot be used here, or undefined when it can. The suite fails with this in CI (where .ci/run installs
 * wine64) and skips with it locally.
 */
export function wineMissing(): string | undefined {
  if (process.platform !== 'linux') return `the Windows suite runs Windows programs under wine on Linux, not on ${process.platform}`;
  if (!WINE_CANDIDATES.some((c) => fs.existsSync(c))) return `wine64 is not installed (looked for ${WINE_CANDIDATES.join(', ')}); install it with: apt-get install --no-install-recommends wine64`;
  return undefined;
}

/**
 * A prefix per checkout (tests in two worktrees must not share a wineserver: ending one's would end the other's
 * programs), made once with `wineboot -i` (half a minute, about 700 MB) and reused by later runs.
 */
export async function winePrefix(): Promise<Wine> {
  const missing = wineMissing();
  if (missing) throw new Error(missing);
  const wine = WINE_CANDIDATES.find((c) => fs.existsSync(c))!;
  const key = crypto.createHash('sha1').update(REPO_ROOT).digest('hex').slice(0, 10);
  const prefix = path.join(os.tmpdir(), `rust-offload-wine-${process.getuid?.() ?? 0}-${key}`);
  // No Gecko/Mono install prompts, no debug channels: nothing a test run could wait on.
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  const ready = path.join(prefix, '.rust-offload-ready');
  if (!fs.existsSync(ready)) {
    fs.mkdirSync(prefix, { recursive: true });
    try {
      await run(wine, ['wineboot', '-i'], { env, timeout: 300_000 });
    } catch (err) {
      throw new Error(`wine failed to make its prefix ${prefix} (wineboot -i): ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
    }
    await endWineserver(prefix);
    fs.writeFileSync(ready, new Date().toISOString());
  }
  return { wine, prefix, env };
}

/** The Windows path wine gives a Unix path (its Z: drive is the Unix root). */
export function windowsPath(unixPath: string): string {
  return `Z:${path.resolve(unixPath).replace(/\//g, '\\')}`;
}

/**
 * A file for a test program's printed lines: the programs' runtime (msvc_rt) appends a copy of its stdout to the file
 * the RUST_OFFLOAD_STDOUT variable names, as their console under winedbg is one nobody reads. In a temp directory of
 * its own, removed by `remove`.
 */
export function programOutputFile(): { file: string; env: NodeJS.ProcessEnv; read(): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-wine-out-'));
  const file = path.join(dir, 'stdout.txt');
  return {
    file,
    env: { RUST_OFFLOAD_STDOUT: windowsPath(file) },
    read: () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A free TCP port on the loopback interface (the OS picks it; released at once for the stub to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something listens on the port, from the kernel's socket table: connecting would take the stub's one connection. */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[1].endsWith(`:${hex}`) && cols[3] === '0A') return true;
    }
  }
  return false;
}

/** The pids of the live processes whose environment holds `NAME=value`. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}\0`;
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (`${environ}\0`.includes(needle) || environ.startsWith(needle)) out.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

function processName(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Ends the prefix's wineserver by its pid (it would otherwise linger a few seconds after its last client). */
export async function endWineserver(prefix: string): Promise<void> {
  const servers = processesWithEnv('WINEPREFIX', prefix).filter((pid) => processName(pid).startsWith('wineserver'));
  for (const pid of servers) killQuietly(pid, 'SIGTERM');
  await untilGone(servers, 5000);
  for (const pid of servers) killQuietly(pid, 'SIGKILL');
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

async function untilGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** A Windows program started stopped under `winedbg --gdb`, with the proxy LLDB connects to. */
export class WineGdbTarget {
  output = '';
  private exited = false;

  private constructor(
    readonly wine: Wine,
    readonly exe: string,
    readonly stubPort: number,
    readonly proxy: GdbRemoteProxy,
    private readonly winedbg: ChildProcess,
    /** Marks every process of this target (winedbg, the program) in its environment, so they can be found by pid. */
    private readonly marker: string,
    /** The proxy's packet log (the last 400 lines, each with ms since start), for a failing test to print. */
    readonly packets: string[],
    private readonly printed: ReturnType<typeof programOutputFile>,
  ) {
    winedbg.once('exit', () => (this.exited = true));
  }

  /** What the program printed so far (its `NAME = {:?}` lines, the oracle of its values). */
  programOutput(): string {
    return this.printed.read();
  }

  /** `host:port` of the proxy, for the adapter's `gdbRemote` attribute. */
  get address(): string {
    return `127.0.0.1:${this.proxy.port}`;
  }

  /**
   * Starts the program under winedbg's stub. Wine now and then fails to start a program right after the previous one
   * was killed ("Application could not be started … ShellExecuteEx failed: Internal error", winedbg exits 1): that
   * start is tried once more, with a note in the log, since it says nothing of what the tests check.
   */
  static async start(wine: Wine, exe: string, options: { log?: (line: string) => void } = {}): Promise<WineGdbTarget> {
    try {
      return await WineGdbTarget.startOnce(wine, exe, options);
    } catch (err) {
      if (!/before listening[\s\S]*could not be started/.test((err as Error).message)) throw err;
      console.log(`      (wine could not start ${path.basename(exe)} this once: ${(err as Error).message.split('\n')[0]}; starting it again)`);
      return WineGdbTarget.startOnce(wine, exe, options);
    }
  }

  private static async startOnce(wine: Wine, exe: string, options: { log?: (line: string) => void }): Promise<WineGdbTarget> {
    const started = Date.now();
    const packets: string[] = [];
    const log = (line: string): void => {
      packets.push(`${Date.now() - started} ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
      if (packets.length > 400) packets.splice(0, packets.length - 400);
      options.log?.(line);
    };
    const stubPort = await freePort();
    const marker = crypto.randomUUID();
    const printed = programOutputFile();
    const winedbg = spawn(wine.wine, ['winedbg', '--gdb', '--no-start', '--port', String(stubPort), exe], {
      env: { ...wine.env, ...printed.env, RUST_OFFLOAD_WINE_TARGET: marker },
      cwd: path.dirname(exe),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    winedbg.stdout!.on('data', (d: Buffer) => (output += d.toString('latin1')));
    winedbg.stderr!.on('data', (d: Buffer) => (output += d.toString('latin1')));
    // Its "target remote" line is buffered until it exits, so readiness is the listening socket itself.
    const deadline = Date.now() + 120_000;
    while (!listening(stubPort)) {
      if (winedbg.exitCode !== null || winedbg.signalCode !== null) {
        printed.remove();
        throw new Error(`winedbg exited (${winedbg.exitCode ?? winedbg.signalCode}) before listening on port ${stubPort}: ${output.trim() || 'no output'}`);
      }
      if (Date.now() > deadline) {
        killQuietly(winedbg.pid!, 'SIGKILL');
        printed.remove();
        throw new Error(`winedbg did not listen on port ${stubPort} within 120 s: ${output.trim() || 'no output'}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    log(`winedbg listening on ${stubPort}`);
    const proxy = await GdbRemoteProxy.listen({ stubPort, log });
    const target = new WineGdbTarget(wine, exe, stubPort, proxy, winedbg, marker, packets, printed);
    winedbg.stdout!.on('data', (d: Buffer) => (target.output += d.toString('latin1')));
    target.output = output;
    return target;
  }

  /** Every live process of this target: winedbg and the program it started. */
  pids(): number[] {
    return processesWithEnv('RUST_OFFLOAD_WINE_TARGET', this.marker);
  }

  /** The stub's process (winedbg), for the fault tests to kill. */
  get stubPid(): number {
    return this.winedbg.pid!;
  }

  get stubExited(): boolean {
    return this.exited;
  }

  /** Ends the proxy and every wine process of this target, by pid. */
  async dispose(): Promise<void> {
    this.proxy.close();
    const pids = [...new Set([this.winedbg.pid!, ...this.pids()])];
    for (const pid of pids) killQuietly(pid, 'SIGKILL');
    await untilGone(pids, 5000);
    this.printed.remove();
  }
}
