// `npm run demo`: the built extension in a real VS Code on the example Rust program — desktop `code` when on PATH, else code-server (prints the URL).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeServer, stopAllCodeServersNow } from './code-server';
import { exampleFolder, packageExtension } from './harness';
import { ensureToolchain, repoRoot } from './toolchain';

function desktopCode(): string | undefined {
  const names = process.platform === 'win32' ? ['code.cmd', 'code.exe'] : ['code'];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const n of names) {
      const p = path.join(dir, n);
      if (dir && fs.existsSync(p)) return p;
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const folder = fs.existsSync(exampleFolder) ? exampleFolder : repoRoot;
  const forceCodeServer = process.argv.includes('--code-server');
  const code = forceCodeServer ? undefined : desktopCode();
  if (code) {
    // The development host loads the extension from the repo (dist/, built by `npm run demo`).
    console.log(`Opening ${folder} in ${code} with the extension from ${repoRoot} (--code-server uses code-server instead).`);
    const r = spawnSync(code, ['--extensionDevelopmentPath', repoRoot, folder], { stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(r.status ?? 0);
  }

  const toolchain = await ensureToolchain();
  const { vsix } = packageExtension();
  const server = await CodeServer.start(toolchain, { name: 'demo', vsixFiles: [vsix] });
  const url = server.url(folder);
  console.log('');
  console.log(`Rust Offload Debugger demo: code-server is running with the extension installed from ${path.relative(repoRoot, vsix)}.`);
  console.log(`Open ${url}`);
  console.log('In the Rust Offload view (activity bar), try "Run Executor Self-Test"; press F5 to debug the example.');
  console.log('From another machine, forward the port first, e.g. ssh -L PORT:127.0.0.1:PORT. Ctrl-C stops the demo.');
  const stop = async (): Promise<void> => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('exit', stopAllCodeServersNow);
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  stopAllCodeServersNow();
  process.exit(1);
});
