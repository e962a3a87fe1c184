// The `rust-offload` launch.json attributes (CodeLLDB-compatible) and their translation into lldb-dap's launch/attach arguments.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';

/** Cargo build settings, as CodeLLDB's `cargo` attribute. */
export interface CargoSettings {
  /** Arguments after `cargo`, e.g. ["build", "--bin=example"]; `--message-format=json` is added. */
  args: string[];
  /** Which artifact to debug when the build produces several. */
  filter?: { name?: string; kind?: string };
  /** Environment for cargo itself. */
  env?: Record<string, string>;
  /** Directory to run cargo in (defaults to `cwd`). */
  cwd?: string;
}

/** Attributes shared by launch and attach; keep in step with `contributes.debuggers` in package.json. */
export interface CommonArguments {
  /** lldb commands run before the target is created. */
  initCommands?: string[];
  preRunCommands?: string[];
  postRunCommands?: string[];
  exitCommands?: string[];
  stopCommands?: string[];
  /** Remote path prefix → local path (CodeLLDB style object). */
  sourceMap?: Record<string, string | null>;
  /** Deadline for each evaluation in ms; 0 disables it. Filled from `rustOffload.evaluationTimeout` when absent. */
  evaluationTimeout?: number;
  /** Integers in hexadecimal in Variables, Watch and hover. Filled from `rustOffload.values.hexadecimal` when absent. */
  hexadecimal?: boolean;
  /** Extra folders for PDBs and .gnu_debuglink files; the `rustOffload.symbolSearchPaths` setting is appended. */
  symbolSearchPaths?: string[];
  /**
   * Where symbol indexes persist across windows (the extension fills in a folder of its global storage): a module
   * stored there unchanged is not read again. None: indexes live in memory only.
   */
  symbolIndexDir?: string;
  /** Size cap of symbolIndexDir in bytes, least recently used files evicted first (default 2 GiB). */
  symbolIndexMaxBytes?: number;
  /** Map Rust's std sources (/rustc/<hash>/) to the toolchain's rust-src when it is installed (default true). */
  mapRustSources?: boolean;
  /** Log the adapter's DAP traffic to the Debug Console. */
  trace?: boolean;
}

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments, CommonArguments {
  program?: string;
  cargo?: CargoSettings | string[];
  args?: string | string[];
  cwd?: string;
  env?: Record<string, string>;
  envFile?: string;
  stopOnEntry?: boolean;
}

export interface AttachArguments extends DebugProtocol.AttachRequestArguments, CommonArguments {
  pid?: number | string;
  program?: string;
  waitFor?: boolean;
  /** `host:port` (or a port on this machine) of a gdb-remote stub: lldb-server, gdbserver, winedbg --gdb, QEMU. */
  gdbRemote?: string | number;
  /** A core file (ELF core, Windows minidump) to debug post-mortem, with "program" for its symbols. */
  coreFile?: string;
}

/**
 * Seconds LLDB waits for a gdb-remote reply. Its default (a few seconds) is shorter than some stubs take to answer the
 * handshake: winedbg starts the program only when the debugger connects.
 */
export const GDB_REMOTE_PACKET_TIMEOUT_S = 60;

/** `host:port`, `[v6]:port` or a bare port (this machine) → host and port; anything else is a ConfigurationError. */
export function parseGdbRemote(value: unknown): { host: string; port: number } {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:\s]+):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw new ConfigurationError(`"gdbRemote" must be "host:port" or a port number of a gdb-remote stub (lldb-server, gdbserver, winedbg --gdb), e.g. "127.0.0.1:1234", not ${JSON.stringify(value)}`);
  }
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/** A user mistake in launch.json: the message names the attribute and says what to write. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Splits a command line string like a POSIX shell does for quotes and backslashes (no expansion). */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inToken = true;
    } else if (c === '\\' && i + 1 < line.length && /[\s"'\\]/.test(line[i + 1])) {
      current += line[++i];
      inToken = true;
    } else if (/\s/.test(c)) {
      if (inToken) out.push(current);
      current = '';
      inToken = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (quote) throw new ConfigurationError(`"args": unterminated ${quote} quote in '${line}'; close the quote or give "args" as an array`);
  if (inToken) out.push(current);
  return out;
}

/** Parses a dotenv file: `K=V`, `export K=V`, quotes, `#` comments; CRLF line ends are accepted. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      const quoted = value[0] === '"';
      value = value.slice(1, -1);
      if (quoted) value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    env[m[1]] = value;
  }
  return env;
}

/**
 * Replaces `${env:NAME}` with the value from `base` (empty when unset). On Windows names are
 * case-insensitive, so `caseInsensitive` looks them up that way.
 */
export function expandEnvReferences(value: string, base: NodeJS.ProcessEnv, caseInsensitive = process.platform === 'win32'): string {
  return value.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => {
    if (!caseInsensitive) return base[name] ?? '';
    const key = Object.keys(base).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? (base[key] ?? '') : '';
  });
}

/** The environment lldb-dap should give the debuggee, as `K=V` strings: envFile first, then `env` on top. */
export function debuggeeEnvironment(args: Pick<LaunchArguments, 'env' | 'envFile'>, base: NodeJS.ProcessEnv, cwd: string): string[] {
  const merged: Record<string, string> = {};
  if (args.envFile) {
    const file = path.resolve(cwd, args.envFile);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigurationError(`"envFile": cannot read '${file}' (${(err as Error).message}); fix the path or remove the attribute`);
    }
    Object.assign(merged, parseEnvFile(text));
  }
  if (args.env !== undefined) {
    if (typeof args.env !== 'object' || args.env === null || Array.isArray(args.env)) {
      throw new ConfigurationError('"env" must be an object of NAME: value strings, e.g. { "RUST_LOG": "debug" }');
    }
    for (const [k, v] of Object.entries(args.env)) {
      if (typeof v !== 'string') throw new ConfigurationError(`"env.${k}" must be a string, not ${typeof v}`);
      merged[k] = expandEnvReferences(v, base);
    }
  }
  return Object.entries(merged).map(([k, v]) => `${k}=${v}`);
}

/** CodeLLDB's sourceMap object as lldb-dap's pairs; a null target is skipped (CodeLLDB uses it to suppress a mapping). */
export function sourceMapPairs(map: Record<string, string | null> | undefined): Array<[string, string]> {
  if (map === undefined) return [];
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new ConfigurationError('"sourceMap" must be an object mapping a build path to a local path, e.g. { "/build/src": "${workspaceFolder}/src" }');
  }
  return Object.entries(map)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([from, to]) => [from, to]);
}

/** Facts about the Rust toolchain used to map `/rustc/<hash>/` sources, from `rustc -vV` and `rustc --print sysroot`. */
export interface RustToolchain {
  commitHash?: string;
  sysroot?: string;
}

/** The `/rustc/<hash>` → `<sysroot>/lib/rustlib/src/rust` mapping when rust-src is installed; works with Windows sysroots too. */
export function rustSourceMapping(toolchain: RustToolchain, exists: (p: string) => boolean = fs.existsSync, pathApi: path.PlatformPath = path): [string, string] | undefined {
  if (!toolchain.commitHash || !toolchain.sysroot) return undefined;
  const local = pathApi.join(toolchain.sysroot, 'lib', 'rustlib', 'src', 'rust');
  if (!exists(pathApi.join(local, 'library'))) return undefined;
  return [`/rustc/${toolchain.commitHash}`, local];
}

export function parseRustcVersion(verbose: string): string | undefined {
  return /^commit-hash:\s*([0-9a-f]{40})\s*$/m.exec(verbose)?.[1];
}

function checkCommands(args: CommonArguments): void {
  for (const key of ['initCommands', 'preRunCommands', 'postRunCommands', 'exitCommands', 'stopCommands'] as const) {
    const v = args[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((c) => typeof c !== 'string'))) {
      throw new ConfigurationError(`"${key}" must be an array of lldb command strings`);
    }
  }
}

function commandArguments(args: CommonArguments): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['initCommands', 'preRunCommands', 'postRunCommands', 'exitCommands', 'stopCommands'] as const) {
    if (args[key]) out[key] = args[key];
  }
  return out;
}

/** lldb-dap's `launch` arguments for a resolved program. */
export function toLldbDapLaunch(args: LaunchArguments, program: string, base: NodeJS.ProcessEnv, extraSourceMap: Array<[string, string]> = []): Record<string, unknown> {
  checkCommands(args);
  const cwd = args.cwd ?? path.dirname(program);
  let programArgs: string[] = [];
  if (typeof args.args === 'string') programArgs = splitCommandLine(args.args);
  else if (Array.isArray(args.args)) {
    if (args.args.some((a) => typeof a !== 'string')) throw new ConfigurationError('"args" must be a string or an array of strings');
    programArgs = args.args;
  } else if (args.args !== undefined) throw new ConfigurationError('"args" must be a string or an array of strings');
  const sourceMap = [...sourceMapPairs(args.sourceMap), ...extraSourceMap];
  return {
    program,
    args: programArgs,
    cwd,
    env: debuggeeEnvironment(args, base, cwd),
    stopOnEntry: args.stopOnEntry === true,
    ...(sourceMap.length ? { sourceMap } : {}),
    ...commandArguments(args),
  };
}

/** lldb-dap's `attach` arguments: by pid, by name (waitFor), to a gdb-remote stub, or a core file. */
export function toLldbDapAttach(args: AttachArguments, extraSourceMap: Array<[string, string]> = []): Record<string, unknown> {
  checkCommands(args);
  const out: Record<string, unknown> = { ...commandArguments(args) };
  const ways = (['pid', 'gdbRemote', 'coreFile'] as const).filter((k) => args[k] !== undefined && args[k] !== '');
  if (ways.length > 1) throw new ConfigurationError(`attach takes one of "pid", "gdbRemote" and "coreFile", not ${ways.map((w) => `"${w}"`).join(' and ')}`);
  if (args.gdbRemote !== undefined && args.gdbRemote !== '') {
    const { host, port } = parseGdbRemote(args.gdbRemote);
    if (!args.program) throw new ConfigurationError('"gdbRemote" needs "program": the executable the stub runs, for its symbols (lldb does not fetch it from the stub)');
    // lldb-dap's own keys: it creates the target from "program", then runs `gdb-remote host:port`.
    out['gdb-remote-port'] = port;
    out['gdb-remote-hostname'] = host;
    out.initCommands = [`settings set plugin.process.gdb-remote.packet-timeout ${GDB_REMOTE_PACKET_TIMEOUT_S}`, ...((out.initCommands as string[] | undefined) ?? [])];
  } else if (args.coreFile !== undefined && args.coreFile !== '') {
    if (typeof args.coreFile !== 'string') throw new ConfigurationError(`"coreFile" must be the path of a core file or minidump, not ${JSON.stringify(args.coreFile)}`);
    if (!args.program) throw new ConfigurationError('"coreFile" needs "program": the executable that crashed, for its symbols');
    out.coreFile = args.coreFile;
  } else if (args.pid !== undefined && args.pid !== '') {
    const pid = typeof args.pid === 'number' ? args.pid : Number(String(args.pid).trim());
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new ConfigurationError(`"pid" must be a process id (a positive integer), not '${args.pid}'; use "\${command:pickProcess}" to choose one`);
    }
    out.pid = pid;
  } else if (!args.program) {
    throw new ConfigurationError('attach needs "pid" (or "${command:pickProcess}"), "gdbRemote", "coreFile", or "program" with "waitFor": true');
  }
  if (args.program) out.program = args.program;
  if (args.waitFor) out.waitFor = true;
  const sourceMap = [...sourceMapPairs(args.sourceMap), ...extraSourceMap];
  if (sourceMap.length) out.sourceMap = sourceMap;
  return out;
}
