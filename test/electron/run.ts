// `npm run test:electron`: the integration suite in desktop VS Code through @vscode/test-electron; prints SKIPPED (never a pass) where VS Code cannot be downloaded or shown.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function skip(reason: string): never {
  console.log(`test:electron: SKIPPED — ${reason}`);
  console.log('The same integration suite runs inside code-server in `npm run test:vscode`; nothing was run here, so nothing passed.');
  process.exit(0);
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, name)));
}

async function main(): Promise<number> {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first (`npm test` does).');
  }
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ cachePath: path.join(repoRoot, '.vscode-test'), timeout: 20_000 });
  } catch (err) {
    skip(`VS Code could not be downloaded here (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`);
  }
  // Desktop VS Code needs a display on Linux; re-run under xvfb-run when there is none.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    if (process.env.ROD_UNDER_XVFB) skip('xvfb-run started, but VS Code still has no display.');
    if (!onPath('xvfb-run')) skip('there is no display and no xvfb-run (Debian package xvfb) to provide one.');
    const r = spawnSync('xvfb-run', ['-a', process.execPath, __filename], { stdio: 'inherit', env: { ...process.env, ROD_UNDER_XVFB: '1' } });
    return r.status ?? 1;
  }
  const folder = fs.existsSync(path.join(repoRoot, 'example')) ? path.join(repoRoot, 'example') : fs.mkdtempSync(path.join(os.tmpdir(), 'rod-electron-'));
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'rod-electron-user-'));
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'vscode', 'integration', 'index.js'),
      launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${userData}`],
    });
    return 0;
  } catch (err) {
    console.error(`test:electron: the integration suite failed in desktop VS Code: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    fs.rmSync(userData, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`test:electron failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
