// Bundles the extension, the standalone debug adapter and every worker/task entry with esbuild; --watch keeps rebuilding.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Entry points are paths under src/; each bundles to dist/<same path>.js so that
// code locating a worker or task module by a src-relative name finds it in both
// the tsc layout (out/src/...) and the bundle layout (dist/...).
const candidates = [
  'src/extension.ts',
  'src/debug/adapter-main.ts',
  'src/futures/worker-entry.ts',
  'src/futures/process-worker-entry.ts',
  'src/futures/demo-tasks.ts',
  'src/rust/evaluate-task.ts',
  'src/rust/values-task.ts',
  'src/symbols/load-task.ts',
];
const entryPoints = candidates.filter((p) => existsSync(p));

const options = {
  entryPoints,
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
