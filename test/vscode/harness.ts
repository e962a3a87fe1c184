// What a real-VS-Code test needs in one call: the packaged extension installed in a fresh code-server, and a browser window on a folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CodeServer } from './code-server';
import { ensureToolchain, repoRoot, cacheRoot, type Toolchain } from './toolchain';
import { Workbench } from './workbench';

/**
 * Where the harness packages the extension for the tests (`npm run package` writes the same thing to the repo root);
 * one file per run, so two runs at once never install each other's half-written package.
 */
export const testVsix = path.join(cacheRoot, 'vsix', `rust-offload-debugger-${process.pid}.vsix`);
process.on('exit', () => fs.rmSync(testVsix, { force: true }));

/** The bundled example Rust program, when present; the folder the demo and the debugging UI tests open. */
export const exampleFolder = path.join(repoRoot, 'example');

/** Builds the bundle and packages it with vsce exactly as `npm run package` does; returns the .vsix path and size. */
export function packageExtension(log: (line: string) => void = console.log): { vsix: string; bytes: number } {
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`Building the extension bundle failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  fs.mkdirSync(path.dirname(testVsix), { recursive: true });
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const pack = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', testVsix], { cwd: repoRoot, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`vsce package failed (exit ${pack.status}):\n${pack.stdout}\n${pack.stderr}`);
  const bytes = fs.statSync(testVsix).size;
  log(`[harness] packaged ${path.relative(repoRoot, testVsix)}: ${(bytes / 1024).toFixed(1)} KiB`);
  return { vsix: testVsix, bytes };
}

export interface OpenOptions {
  /** Names the code-server instance and the screenshot folder test-results/<name>/. */
  name: string;
  /** Folder to open; default: a new empty folder. */
  folder?: string;
  /** User settings for this instance (e.g. `'rustOffload.executor.maxWorkers': 2`). */
  settings?: Record<string, unknown>;
}

export interface OpenWorkbench {
  readonly toolchain: Toolchain;
  readonly server: CodeServer;
  readonly workbench: Workbench;
  readonly folder: string;
  /** Closes the browser and stops code-server with everything it started. */
  close(): Promise<void>;
}

/** Starts code-server with the packaged extension installed and opens `folder` in headless Chromium. Package first (run.ts does). */
export async function openWorkbench(options: OpenOptions): Promise<OpenWorkbench> {
  if (!fs.existsSync(testVsix)) throw new Error(`${testVsix} is missing: run the UI tests through \`npm run test:vscode\`, which packages the extension first.`);
  const toolchain = await ensureToolchain();
  const folder = options.folder ?? fs.mkdtempSync(path.join(os.tmpdir(), `rod-${options.name}-folder-`));
  const server = await CodeServer.start(toolchain, { name: options.name, vsixFiles: [testVsix], settings: options.settings });
  let workbench: Workbench;
  try {
    workbench = await Workbench.open(toolchain, server, { name: options.name, folder });
  } catch (e) {
    await server.stop(true);
    throw new Error(`Opening the workbench failed (server files kept in ${server.root}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return {
    toolchain,
    server,
    workbench,
    folder,
    close: async () => {
      await workbench.close().catch(() => undefined);
      await server.stop();
      if (!options.folder) fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The 1-based line of the example's src/main.rs that holds `marker` (by default the `Set a breakpoint here` comment). */
export function exampleLine(marker: string | RegExp = 'Set a breakpoint here'): number {
  const lines = fs.readFileSync(path.join(exampleFolder, 'src', 'main.rs'), 'utf8').split(/\r?\n/);
  const index = lines.findIndex((l) => (typeof marker === 'string' ? l.includes(marker) : marker.test(l)));
  if (index < 0) throw new Error(`example/src/main.rs has no line with ${String(marker)}`);
  return index + 1;
}

/** A describe's workbench, open from its `before` to its `after`; read `wb` inside the tests. */
export interface WorkbenchHooks {
  readonly wb: Workbench;
  readonly session: OpenWorkbench;
}

/**
 * Registers the describe's before/after hooks: opens the workbench (`options()` runs in `before`, so it may build a
 * folder first) and, after the tests, stops a debug session still running and closes browser and code-server.
 */
export function useWorkbench(options: () => OpenOptions): WorkbenchHooks {
  let session: OpenWorkbench | undefined;
  before(async function () {
    session = await openWorkbench(options());
  });
  after(async function () {
    const wb = session?.workbench;
    if (wb && (await wb.page.locator('.debug-toolbar').isVisible().catch(() => false))) await wb.runCommand('Debug: Stop').catch(() => undefined);
    await session?.close();
  });
  return {
    get wb(): Workbench {
      if (!session) throw new Error('the workbench is not open: use it inside a test of the describe that called useWorkbench');
      return session.workbench;
    },
    get session(): OpenWorkbench {
      if (!session) throw new Error('the workbench is not open');
      return session;
    },
  };
}
