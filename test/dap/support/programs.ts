// Builds the Rust programs the protocol tests debug (rustc -g, cargo) once per run, and finds lines by their BREAK markers.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** test/programs in the source tree (tests run from out/test/dap/support). */
export const PROGRAMS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'programs');

/** rustup's toolchain lives in ~/.cargo/bin, which a CI shell may not have on PATH. */
export function toolchainEnv(): NodeJS.ProcessEnv {
  const cargoBin = path.join(os.homedir(), '.cargo', 'bin');
  const parts = (process.env.PATH ?? '').split(path.delimiter);
  const extra = [cargoBin, '/root/.cargo/bin'].filter((d) => !parts.includes(d) && fs.existsSync(d));
  return { ...process.env, PATH: [...extra, ...parts].join(path.delimiter) };
}

/**
 * Per checkout (out/ of this clone), never shared through the temp dir: the debug info names the source
 * by absolute path, so a binary built from another checkout would put breakpoints in the wrong files.
 */
export const buildDir = path.resolve(PROGRAMS_DIR, '..', '..', 'out', 'test-programs');

/** Compiles test/programs/<name>.rs with debug info; cached by source hash across runs. */
export function compileProgram(name: string): string {
  const source = path.join(PROGRAMS_DIR, `${name}.rs`);
  const hash = crypto.createHash('sha1').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  const out = path.join(buildDir, `${name}-${hash}${process.platform === 'win32' ? '.exe' : ''}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(buildDir, { recursive: true });
    execFileSync('rustc', ['-g', '-C', 'opt-level=0', '--edition=2021', '-o', out, source], { env: toolchainEnv(), stdio: 'pipe' });
  }
  return out;
}

/** A copy of a cargo project under test/programs in a temp dir, so its target/ does not land in the source tree. */
export function copyCargoProject(name: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), `rust-offload-${name}-`));
  fs.cpSync(path.join(PROGRAMS_DIR, name), dest, { recursive: true });
  return dest;
}

/** The 1-based line carrying `// BREAK: <marker>`. */
export function markerLine(sourceFile: string, marker: string): number {
  const lines = fs.readFileSync(sourceFile, 'utf8').split(/\r?\n/);
  const index = lines.findIndex((l) => l.includes(`// BREAK: ${marker}`));
  if (index < 0) throw new Error(`no '// BREAK: ${marker}' in ${sourceFile}`);
  return index + 1;
}

export function sourceOf(name: string): string {
  return path.join(PROGRAMS_DIR, `${name}.rs`);
}
