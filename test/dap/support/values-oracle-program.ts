// The values oracle program (test/programs/values_oracle.rs) for the tests that compare our values with its {:?}: its builds, what it printed, and the items of a printed collection.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDir, sourceOf, toolchainEnv } from './programs';

export interface OracleToolchain {
  name: string;
  rustc: string;
  args: string[];
}

/** Builds values_oracle.rs with one toolchain, cached in out/test-programs by source hash. */
export function buildValuesOracle(toolchain: OracleToolchain): string {
  const source = sourceOf('values_oracle');
  const hash = crypto.createHash('sha1').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  const out = path.join(buildDir, `values_oracle-${toolchain.name.replace(/\W+/g, '_')}-${hash}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(buildDir, { recursive: true });
    execFileSync(toolchain.rustc, [...toolchain.args, '-g', '-C', 'opt-level=0', '--edition=2021', '-o', `${out}.tmp`, source], { env: toolchainEnv(), stdio: 'pipe' });
    fs.renameSync(`${out}.tmp`, out);
  }
  return out;
}

/** The program's `NAME = {:?}` lines, by local name. */
export function printedValues(stdout: string): Map<string, string> {
  const printed = new Map<string, string>();
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^(\w+) = (.*)$/.exec(line);
    if (m) printed.set(m[1], m[2]);
  }
  return printed;
}

/** The first `n` top-level items of a printed `[…]` or `{…}`. */
export function firstItems(text: string, n: number): string[] {
  const items: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 1;
  for (let i = 1; i < text.length - 1 && items.length < n; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if ('[{('.includes(c)) depth++;
    else if (']})'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return items;
}
