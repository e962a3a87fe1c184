// Builds test/programs/types.rs for the type reader tests with each compiler that matters (rustup stable with DWARF 4 and 5, Debian's rustc 1.63), and reads its `NAME=value` output and markers.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROGRAMS_DIR, buildDir, toolchainEnv } from '../../dap/support/programs';
import { fixtureSources } from './linux-fixtures';

export const TYPES_SOURCE = path.join(PROGRAMS_DIR, 'types.rs');

export interface TypesBuild {
  /** What built it, for test titles. */
  label: string;
  file: string;
  /** The lines the program prints (`NAME=value`). */
  output: string[];
}

/** The builds: stable's default (DWARF 4), stable with DWARF 5 units, and Debian's rustc 1.63 (older enum encodings; no 128-bit reprs). */
const VARIANTS: Array<{ label: string; rustc: string; args: string[] }> = [
  { label: 'rustc stable, DWARF 4', rustc: 'rustc', args: [] },
  { label: 'rustc stable, DWARF 5', rustc: 'rustc', args: ['-C', 'dwarf-version=5'] },
  { label: 'Debian rustc 1.63', rustc: '/usr/bin/rustc', args: ['--cfg', 'old_rustc'] },
];

let builds: TypesBuild[] | undefined;

/**
 * Compiles types.rs once per variant (cached by source hash and variant in out/test-programs) and runs each build
 * once for its output. Non-PIE (relocation-model=static), so pointers in statics are stored in the file as the program sees them.
 */
export function typesBuilds(): TypesBuild[] {
  if (builds) return builds;
  const hash = crypto.createHash('sha1').update(fs.readFileSync(TYPES_SOURCE)).digest('hex').slice(0, 12);
  fs.mkdirSync(buildDir, { recursive: true });
  builds = VARIANTS.map((v, i) => {
    const file = path.join(buildDir, `types-${i}-${hash}`);
    if (!fs.existsSync(file)) {
      execFileSync(v.rustc, ['-g', '-C', 'opt-level=0', '-C', 'relocation-model=static', '--edition=2021', ...v.args, '-o', `${file}.tmp`, TYPES_SOURCE], { env: toolchainEnv(), stdio: 'pipe' });
      fs.renameSync(`${file}.tmp`, file);
    }
    const output = execFileSync(file, [], { encoding: 'utf8' }).split('\n');
    return { label: v.label, file, output };
  });
  return builds;
}

let cppBuilds: string[] | undefined;

/** test/fixtures/linux/types.cpp built by clang-19 with type units (-fdebug-types-section): DWARF 4 (.debug_types) and DWARF 5 (DW_UT_type). */
export function cppTypesBuilds(): string[] {
  if (cppBuilds) return cppBuilds;
  const source = path.join(fixtureSources, 'types.cpp');
  const hash = crypto.createHash('sha1').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  fs.mkdirSync(buildDir, { recursive: true });
  cppBuilds = [4, 5].map((version) => {
    const file = path.join(buildDir, `types-cpp-dwarf${version}-${hash}`);
    if (!fs.existsSync(file)) {
      execFileSync('clang-19', ['-x', 'c++', '-g', '-O0', `-gdwarf-${version}`, '-fdebug-types-section', '-o', `${file}.tmp`, source], { stdio: 'pipe' });
      fs.renameSync(`${file}.tmp`, file);
    }
    return file;
  });
  return cppBuilds;
}

/** The 1-based line carrying `// TYPES: <marker>` in types.rs. */
export function typesMarkerLine(marker: string): number {
  const lines = fs.readFileSync(TYPES_SOURCE, 'utf8').split(/\r?\n/);
  const index = lines.findIndex((l) => l.includes(`// TYPES: ${marker}`));
  if (index < 0) throw new Error(`no '// TYPES: ${marker}' in ${TYPES_SOURCE}`);
  return index + 1;
}

/** The top-level elements of a printed `[a, b(c, d), e { f: g }]`, split at commas outside brackets and quotes. */
export function debugListItems(text: string): string[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inner.slice(start).trim()) out.push(inner.slice(start).trim());
  return out;
}

/** The value the program printed for `NAME=`. */
export function printed(build: TypesBuild, name: string): string | undefined {
  const line = build.output.find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1);
}
