// Exits 0 when node_modules holds every package package-lock.json pins at its pinned version (so .ci/run --setup-only can skip `npm ci`), else 1 naming the first difference.
import * as fs from 'node:fs';

if (!fs.existsSync('node_modules')) {
  console.log('setup: installing the npm packages (npm ci)');
  process.exit(1);
}
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
for (const [where, entry] of Object.entries(lock.packages ?? {})) {
  // The root, and optional packages for other platforms (esbuild's per-OS binaries) that npm rightly skipped.
  if (where === '' || entry.link) continue;
  let installed;
  try {
    installed = JSON.parse(fs.readFileSync(`${where}/package.json`, 'utf8')).version;
  } catch {
    if (entry.optional) continue;
    console.log(`setup: ${where} is missing; running npm ci`);
    process.exit(1);
  }
  if (installed !== entry.version) {
    console.log(`setup: ${where} is ${installed}, package-lock.json pins ${entry.version}; running npm ci`);
    process.exit(1);
  }
}
