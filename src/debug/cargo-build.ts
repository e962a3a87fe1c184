// Builds the program with cargo (`--message-format=json`) and picks the executable to debug, as CodeLLDB's `cargo` attribute does.
import { spawn } from 'node:child_process';
import type { CargoSettings } from './launch-arguments';
import { ConfigurationError } from './launch-arguments';
import { LineBuffer } from './output-lines';

export interface CargoArtifact {
  name: string;
  kinds: string[];
  executable: string;
}

/** A cargo build that failed; the compiler's messages were already streamed to the output callback. */
export class CargoBuildError extends Error {
  override readonly name = 'CargoBuildError';
}

export function normaliseCargoSettings(cargo: CargoSettings | string[]): CargoSettings {
  const settings = Array.isArray(cargo) ? { args: cargo } : cargo;
  if (!settings || !Array.isArray(settings.args) || settings.args.some((a) => typeof a !== 'string')) {
    throw new ConfigurationError('"cargo" must be { "args": ["build", "--bin=NAME"], "filter": { "name": "NAME", "kind": "bin" } } or an array of cargo arguments');
  }
  return settings;
}

/** Cargo's arguments with the JSON message format, and `--no-run` for `cargo test` so tests are built, not run. */
export function cargoCommandLine(settings: CargoSettings): string[] {
  const args = [...settings.args];
  if (args[0] === 'test' && !args.includes('--no-run')) args.splice(1, 0, '--no-run');
  if (!args.some((a) => a.startsWith('--message-format'))) args.push('--message-format=json');
  return args;
}

/** Reads cargo's JSON lines: artifacts with an executable, and the rendered compiler messages. */
export function parseCargoMessages(lines: string[]): { artifacts: CargoArtifact[]; messages: string[] } {
  const artifacts: CargoArtifact[] = [];
  const messages: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    let msg: { reason?: string; executable?: string | null; target?: { name: string; kind: string[] }; message?: { rendered?: string } };
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if (msg.reason === 'compiler-artifact' && msg.executable && msg.target) {
      artifacts.push({ name: msg.target.name, kinds: msg.target.kind, executable: msg.executable });
    } else if (msg.reason === 'compiler-message' && msg.message?.rendered) {
      messages.push(msg.message.rendered);
    }
  }
  return { artifacts, messages };
}

export function pickArtifact(artifacts: CargoArtifact[], filter: CargoSettings['filter']): string {
  const matching = artifacts.filter((a) => (!filter?.name || a.name === filter.name) && (!filter?.kind || a.kinds.includes(filter.kind)));
  // The same executable is reported once per fresh build and again for test harnesses: count distinct paths.
  const distinct = [...new Map(matching.map((a) => [a.executable, a])).values()];
  if (distinct.length === 1) return distinct[0].executable;
  const described = artifacts.map((a) => `${a.name} (${a.kinds.join(', ')})`).join(', ') || 'none';
  if (distinct.length === 0) {
    throw new ConfigurationError(`cargo produced no executable matching ${JSON.stringify(filter ?? {})}; it produced: ${described}. Fix "cargo.filter" or the cargo arguments`);
  }
  throw new ConfigurationError(`cargo produced several executables (${described}); add "filter": { "name": ..., "kind": ... } to "cargo" to choose one`);
}

/** Runs cargo, streams its human-readable output, and returns the executable to debug. */
export async function buildWithCargo(settings: CargoSettings, cwd: string, env: NodeJS.ProcessEnv, output: (text: string) => void): Promise<string> {
  const args = cargoCommandLine(settings);
  const runIn = settings.cwd ?? cwd;
  output(`Running: cargo ${args.join(' ')} (in ${runIn})\n`);
  const child = spawn('cargo', args, { cwd: runIn, env: { ...env, ...settings.env }, windowsHide: true });
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split(/\r?\n/);
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const rendered = parseCargoMessages([line]).messages[0];
      if (rendered) output(rendered);
    }
  });
  child.stderr.setEncoding('utf8');
  // cargo's own progress ("Compiling ...", "error: could not compile") goes to stderr, in chunks that may end mid-line.
  const progress = new LineBuffer();
  child.stderr.on('data', (chunk: string) => {
    const lines = progress.push(chunk);
    if (lines) output(lines);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) =>
      reject(new CargoBuildError(`could not run cargo: ${err.message}; install Rust from https://rustup.rs or put cargo on PATH`)),
    );
    child.on('close', (c) => resolve(c));
  });
  const lastProgress = progress.flush();
  if (lastProgress) output(lastProgress);
  if (partial) lines.push(partial);
  if (code !== 0) {
    throw new CargoBuildError(`cargo ${args.join(' ')} failed (exit code ${code}); the compiler's messages are in the Debug Console`);
  }
  return pickArtifact(parseCargoMessages(lines).artifacts, settings.filter);
}
