// Runs the integration suite (out/test/vscode/integration/**/*.test.js) with mocha inside a real VS Code extension host.
// code-server: the test-runner extension calls runInExtensionHost(); @vscode/test-electron: it calls run() as extensionTestsPath.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  failures: Array<{ title: string; error: string }>;
}

interface MochaRunnable {
  title: string;
  fullTitle(): string;
  titlePath(): string[];
}

/** Loads every *.test.js next to this file and runs them; `write` receives spec-style lines as tests finish. */
export async function runSuite(write: (line: string) => void, grep?: string): Promise<SuiteResult> {
  const Mocha = loadMocha();
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: class {} as any, grep });
  // extension.test.js checks the state right after activation (no executor yet), so it runs first;
  // shutdown.test.js deactivates the extension, so it runs last.
  const files = findTests(__dirname).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const result: SuiteResult = { passed: 0, failed: 0, pending: 0, failures: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_SUITE_BEGIN } = Mocha.Runner.constants;
    runner.on(EVENT_SUITE_BEGIN, (suite: MochaRunnable) => {
      if (suite.title) write(`${'  '.repeat(suite.titlePath().length)}${suite.title}`);
    });
    runner.on(EVENT_TEST_PASS, (test: MochaRunnable) => {
      result.passed++;
      write(`${'  '.repeat(test.titlePath().length)}✔ ${test.title}`);
    });
    runner.on(EVENT_TEST_PENDING, (test: MochaRunnable) => {
      result.pending++;
      write(`${'  '.repeat(test.titlePath().length)}- ${test.title} (pending)`);
    });
    runner.on(EVENT_TEST_FAIL, (test: MochaRunnable, err: Error) => {
      result.failed++;
      const error = err?.stack ?? String(err);
      result.failures.push({ title: test.fullTitle(), error });
      write(`${'  '.repeat(test.titlePath().length)}✘ ${test.title}\n${error.replace(/^/gm, '      ')}`);
    });
  });
  return result;
}

function rank(file: string): number {
  const name = path.basename(file);
  return name === 'extension.test.js' ? 0 : name === 'shutdown.test.js' ? 2 : 1;
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** For code-server: runs the suite, appending lines to `logFile` as it goes and the summary to `resultFile` at the end. */
export async function runInExtensionHost(options: { logFile: string; resultFile: string; grep?: string }): Promise<void> {
  let result: SuiteResult;
  try {
    result = await runSuite((line) => fs.appendFileSync(options.logFile, line + '\n'), options.grep);
  } catch (err) {
    result = { passed: 0, failed: 1, pending: 0, failures: [{ title: 'loading the integration suite', error: err instanceof Error ? err.stack ?? err.message : String(err) }] };
    fs.appendFileSync(options.logFile, `✘ loading the integration suite failed: ${result.failures[0].error}\n`);
  }
  fs.writeFileSync(options.resultFile, JSON.stringify(result, null, 2));
}

/** For @vscode/test-electron (extensionTestsPath): prints to the console and rejects on any failure. */
export async function run(): Promise<void> {
  const result = await runSuite((line) => console.log(line), process.env.ROD_TEST_GREP);
  console.log(`\nintegration: ${result.passed} passed, ${result.failed} failed${result.pending ? `, ${result.pending} skipped` : ''}`);
  if (result.failed > 0 || result.passed === 0) throw new Error(`${result.failed} integration tests failed (${result.passed} passed).`);
}

/** mocha 12 is an ES module: require() gives its namespace under Node 20 and the class itself under Node 24. */
export function loadMocha(): typeof import('mocha') {
  const m = require('mocha') as typeof import('mocha') & { default?: typeof import('mocha') };
  return m.default ?? m;
}
