// Starts and stops a throwaway code-server (its own user-data-dir, extensions-dir and settings) for one test suite.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withoutNpmRunVariables, type Toolchain } from './toolchain';

export interface CodeServerOptions {
  /** Names the instance in logs and temp folders. */
  readonly name: string;
  /** `.vsix` files installed with `code-server --install-extension`, as a user would. */
  readonly vsixFiles?: readonly string[];
  /** Unpacked extension folders copied into the extensions-dir (picked up at start). */
  readonly extensionFolders?: readonly string[];
  /** Extra user settings, merged over the test defaults. */
  readonly settings?: Record<string, unknown>;
  /** Extra environment for code-server and so its extension host. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Settings that keep the workbench quiet and deterministic: no trust prompt, no welcome page, no chat panel. */
const defaultSettings: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'window.commandCenter': false,
};

export class CodeServer {
  private stopped = false;

  private constructor(
    readonly name: string,
    readonly root: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly port: number,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  /** The workbench URL with `folder` open. */
  url(folder?: string): string {
    const base = `http://127.0.0.1:${this.port}/`;
    return folder ? `${base}?folder=${encodeURIComponent(path.resolve(folder))}` : base;
  }

  static async start(toolchain: Toolchain, options: CodeServerOptions): Promise<CodeServer> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `rod-${options.name}-`));
    const userDataDir = path.join(root, 'user-data');
    const extensionsDir = path.join(root, 'extensions');
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(extensionsDir, { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...defaultSettings, ...options.settings }, null, 2));
    // An own config file, so code-server never writes ~/.config/code-server/config.yaml.
    const config = path.join(root, 'config.yaml');
    fs.writeFileSync(config, 'auth: none\ncert: false\n');
    const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    const env = { ...withoutNpmRunVariables(process.env), ...options.env, PATH: `${path.dirname(toolchain.node)}${path.delimiter}${process.env.PATH ?? ''}` };

    // Folders first: code-server adopts unlisted folders only while it creates extensions.json, which the first install does.
    for (const folder of options.extensionFolders ?? []) {
      fs.cpSync(folder, path.join(extensionsDir, path.basename(folder)), { recursive: true });
    }
    for (const vsix of options.vsixFiles ?? []) {
      const r = await runToEnd(toolchain.node, [toolchain.codeServerEntry, ...common, '--install-extension', vsix], env);
      if (r.code !== 0 || !/was successfully installed/.test(r.output)) {
        throw new Error(`code-server could not install ${vsix} (exit ${r.code}):\n${r.output}`);
      }
    }
    const logFile = path.join(root, 'code-server.log');
    const log = fs.openSync(logFile, 'w');
    const serverArgs = [
      toolchain.codeServerEntry, ...common,
      '--bind-addr', '127.0.0.1:0',
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ];
    // A guardian leads a new process group holding code-server, its extension hosts and all they start: stop()
    // ends the group, and if this process dies without stopping it (even by SIGKILL) the guardian's stdin closes
    // and it ends the group itself, so no server is ever orphaned.
    const child = spawn(toolchain.node, ['-e', guardianSource, toolchain.node, ...serverArgs], {
      env,
      detached: true,
      stdio: ['pipe', 'pipe', log],
    });
    fs.closeSync(log);
    const port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`code-server did not start listening within 60 s. Output:\n${seen}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        fs.appendFileSync(logFile, text);
        seen += text;
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (code ${code}) before listening. Output:\n${seen}\nSee ${logFile}.`));
      });
    });
    const server = new CodeServer(options.name, root, userDataDir, extensionsDir, port, child, logFile);
    liveServers.add(server);
    return server;
  }

  /** The extension host's log of the first window (activations, extension errors). */
  extensionHostLog(): string {
    const logs = path.join(this.userDataDir, 'logs');
    let text = '';
    for (const session of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
      const file = path.join(logs, session, 'exthost1', 'remoteexthost.log');
      if (fs.existsSync(file)) text += fs.readFileSync(file, 'utf8');
    }
    return text;
  }

  /** Kills the process group and waits for the server to exit; keeps the temp folder when `keep` (for a failed run). */
  async stop(keep = false): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    liveServers.delete(this);
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    killGroup(this.child.pid!, 'SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), delay(5_000).then(() => true)]);
    // Extension hosts and their children can outlive the server's exit: end what is left of the group.
    killGroup(this.child.pid!, 'SIGKILL');
    if (timedOut) await exited;
    // Retries: processes of the group may still be writing logs as they die.
    if (!keep) fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

/** Run by the guardian process: starts code-server in its own group and ends the group when its stdin closes. */
const guardianSource = `
const { spawn } = require('node:child_process');
const [node, ...args] = process.argv.slice(1);
const server = spawn(node, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const endGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(1); } };
process.stdin.on('end', endGroup);
process.stdin.on('error', endGroup);
process.stdin.resume();
server.on('exit', (code) => process.exit(code ?? 1));
`;

const liveServers = new Set<CodeServer>();

/** Ends every server still running; for the harness's exit and signal handlers. */
export function stopAllCodeServersNow(): void {
  for (const s of liveServers) killGroup((s as unknown as { child: ChildProcess }).child.pid!, 'SIGKILL');
  liveServers.clear();
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function runToEnd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}
