// Runs the benchmarks named on the command line (`npm run bench -- executor dap symbols`), or all of them.
import * as fs from 'node:fs';
import * as path from 'node:path';

async function main(): Promise<void> {
  const available = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.slice(0, -'.bench.js'.length))
    .sort();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    process.exit(2);
  }
  for (const name of wanted.length > 0 ? wanted : available) {
    console.log(`\n=== bench: ${name} ===`);
    const mod = require(path.join(__dirname, `${name}.bench.js`)) as { run(): Promise<void> };
    await mod.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
