// Finds an lldb-dap of version 20 or newer: the setting, then PATH, then the usual install places (Windows and Linux).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** lldb-dap 19 and older abort (and kill the debuggee) on requests they do not implement; 20 added what we rely on. */
export const MINIMUM_LLDB_DAP_VERSION = 20;

export interface Candidate {
  path: string;
  /** Where it came from, for messages: 'setting rustOffload.lldbDapPath', 'PATH', 'install location'. */
  source: string;
}

export interface FoundLldbDap extends Candidate {
  major: number;
  versionText: string;
}

/** The machine facts discovery reads; tests give a Windows one on Linux. */
export interface DiscoveryHost {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isFile(p: string): boolean;
  listDir(p: string): string[];
}

export const nodeHost: DiscoveryHost = {
  platform: process.platform,
  env: process.env,
  isFile: (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  listDir: (p) => {
    try {
      return fs.readdirSync(p);
    } catch {
      return [];
    }
  },
};

/** No usable lldb-dap; the message says what was found, what is needed and how to install it. */
export class LldbDapNotFoundError extends Error {
  override readonly name = 'LldbDapNotFoundError';
}

function envValue(env: NodeJS.ProcessEnv, name: string, windows: boolean): string | undefined {
  if (!windows) return env[name];
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? env[key] : undefined;
}

/** Every place to look, in order, without checking versions. */
export function candidatePaths(setting: string | undefined, host: DiscoveryHost = nodeHost): Candidate[] {
  const windows = host.platform === 'win32';
  const p = windows ? path.win32 : path.posix;
  const exe = windows ? '.exe' : '';
  const out: Candidate[] = [];
  if (setting && setting.trim()) out.push({ path: setting.trim(), source: 'setting rustOffload.lldbDapPath' });

  const dirs = (envValue(host.env, 'PATH', windows) ?? '')
    .split(windows ? ';' : ':')
    .map((d) => d.trim().replace(/^"(.*)"$/, '$1'))
    .filter((d) => d.length > 0);
  for (const dir of dirs) {
    const candidate = p.join(dir, `lldb-dap${exe}`);
    if (host.isFile(candidate)) out.push({ path: candidate, source: 'PATH' });
  }
  const versioned: Array<{ major: number; path: string }> = [];
  const pattern = windows ? /^lldb-dap-(\d+)\.exe$/i : /^lldb-dap-(\d+)$/;
  for (const dir of dirs) {
    for (const name of host.listDir(dir)) {
      const m = pattern.exec(name);
      if (m) versioned.push({ major: Number(m[1]), path: p.join(dir, name) });
    }
  }
  versioned.sort((a, b) => b.major - a.major);
  for (const v of versioned) out.push({ path: v.path, source: 'PATH' });

  const installs: string[] = [];
  if (windows) {
    for (const base of [envValue(host.env, 'ProgramFiles', true), envValue(host.env, 'ProgramW6432', true), 'C:\\Program Files']) {
      if (base) installs.push(p.join(base, 'LLVM', 'bin', 'lldb-dap.exe'));
    }
    const local = envValue(host.env, 'LOCALAPPDATA', true);
    if (local) installs.push(p.join(local, 'Programs', 'LLVM', 'bin', 'lldb-dap.exe'));
    const profile = envValue(host.env, 'USERPROFILE', true);
    if (profile) installs.push(p.join(profile, 'scoop', 'apps', 'llvm', 'current', 'bin', 'lldb-dap.exe'));
  } else {
    const llvmDirs = host
      .listDir('/usr/lib')
      .map((n) => /^llvm-(\d+)$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(b[1]) - Number(a[1]));
    for (const m of llvmDirs) installs.push(`/usr/lib/${m[0]}/bin/lldb-dap`);
    installs.push('/usr/local/bin/lldb-dap', '/opt/homebrew/opt/llvm/bin/lldb-dap', '/usr/local/opt/llvm/bin/lldb-dap');
  }
  for (const candidate of installs) {
    if (host.isFile(candidate)) out.push({ path: candidate, source: 'install location' });
  }
  // The same binary can be reached twice (PATH and an install dir): keep the first.
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = windows ? c.path.toLowerCase() : c.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `lldb-dap --version` prints e.g. "lldb-dap: Debian LLVM version 22.1.8" or "lldb version 20.1.0". */
export function parseLldbDapVersion(text: string): number | undefined {
  const m = /version\s+(\d+)\.(\d+)/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function runVersion(executable: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(executable, ['--version'], { timeout: 15000, windowsHide: true }, (err, stdout, stderr) => {
      if (err && !stdout) reject(err);
      else resolve(`${stdout}${stderr}`);
    });
  });
}

export function installAdvice(platform: NodeJS.Platform = process.platform): string {
  const linux = 'Linux: install LLVM 20 or newer, e.g. on Debian/Ubuntu `sudo apt install lldb-22` (from your release or https://apt.llvm.org), which provides lldb-dap-22.';
  const windows = 'Windows: install LLVM 20 or newer (`winget install LLVM.LLVM`, or LLVM-<version>-win64.exe from https://github.com/llvm/llvm-project/releases), which puts lldb-dap.exe in C:\\Program Files\\LLVM\\bin.';
  const setting = 'Or set "rustOffload.lldbDapPath" to the full path of lldb-dap.';
  return platform === 'win32' ? `${windows} ${linux} ${setting}` : `${linux} ${windows} ${setting}`;
}

/** The first candidate of version ≥ 20; an explicit setting that is missing or too old is an error, not skipped. */
export async function findLldbDap(setting: string | undefined, host: DiscoveryHost = nodeHost, version: (exe: string) => Promise<string> = runVersion): Promise<FoundLldbDap> {
  const candidates = candidatePaths(setting, host);
  const rejected: string[] = [];
  for (const c of candidates) {
    let text: string;
    try {
      text = await version(c.path);
    } catch (err) {
      rejected.push(`${c.path} (${c.source}): could not run it (${(err as Error).message})`);
      if (c.source.startsWith('setting')) break;
      continue;
    }
    const major = parseLldbDapVersion(text);
    if (major !== undefined && major >= MINIMUM_LLDB_DAP_VERSION) return { ...c, major, versionText: text.trim().split(/\r?\n/)[0] };
    rejected.push(`${c.path} (${c.source}): version ${major ?? 'unknown'} is too old`);
    if (c.source.startsWith('setting')) break;
  }
  const found = rejected.length ? `Found: ${rejected.join('; ')}.` : 'No lldb-dap was found in the setting, on PATH or in the usual install places.';
  throw new LldbDapNotFoundError(`lldb-dap ${MINIMUM_LLDB_DAP_VERSION} or newer is needed to debug Rust (older versions abort on requests they do not implement). ${found} ${installAdvice(host.platform)}`);
}

/** The version a versioned install names in the file name (`lldb-dap-22`, as Debian and apt.llvm.org install it). */
function versionInName(file: string): number | undefined {
  const m = /^lldb-dap-(\d+)(?:\.exe)?$/i.exec(path.basename(file));
  return m ? Number(m[1]) : undefined;
}

const discovered = new Map<string, { found: FoundLldbDap; size: number; mtimeMs: number }>();

/**
 * findLldbDap for a session start, without the cost of running `lldb-dap --version` (it loads all of liblldb, most
 * of a second on a busy machine, before the real lldb-dap starts the same way): a first candidate whose file name
 * carries its version is taken by that name, and what was found is remembered for this process while the file keeps
 * its size and mtime.
 */
export async function findLldbDapForSession(setting: string | undefined): Promise<FoundLldbDap> {
  const key = `${setting ?? ''}\0${nodeHost.env.PATH ?? ''}`;
  const known = discovered.get(key);
  if (known) {
    try {
      const st = fs.statSync(known.found.path);
      if (st.size === known.size && st.mtimeMs === known.mtimeMs) return known.found;
    } catch {
      // Gone: discover again.
    }
  }
  const first = candidatePaths(setting)[0];
  const named = first ? versionInName(first.path) : undefined;
  const found = first && named !== undefined && named >= MINIMUM_LLDB_DAP_VERSION
    ? { ...first, major: named, versionText: `lldb-dap ${named} (version from its file name)` }
    : await findLldbDap(setting);
  try {
    const st = fs.statSync(found.path);
    discovered.set(key, { found, size: st.size, mtimeMs: st.mtimeMs });
  } catch {
    // Not remembered; the next session looks again.
  }
  return found;
}
