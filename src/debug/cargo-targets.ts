// Finds a Cargo package's binary targets from Cargo.toml and src/ (for one launch configuration per binary).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BinaryTarget {
  name: string;
  kind: 'bin' | 'example';
}

/**
 * Reads just what cargo's target discovery needs from Cargo.toml: the package name and `[[bin]]` /
 * `[[example]]` names. Not a full TOML parser: tables, `key = "string"` lines and comments.
 */
export function parseCargoManifest(text: string): { packageName?: string; bins: string[]; examples: string[]; autobins: boolean } {
  let section = '';
  let packageName: string | undefined;
  let autobins = true;
  const bins: string[] = [];
  const examples: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const table = /^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?$/.exec(line);
    if (table) {
      section = line.startsWith('[[') ? `[[${table[1]}]]` : table[1];
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const value = /^"(.*)"$/.exec(kv[2])?.[1] ?? /^'(.*)'$/.exec(kv[2])?.[1];
    if (section === 'package' && kv[1] === 'name' && value) packageName = value;
    if (section === 'package' && kv[1] === 'autobins') autobins = kv[2] !== 'false';
    if (section === '[[bin]]' && kv[1] === 'name' && value) bins.push(value);
    if (section === '[[example]]' && kv[1] === 'name' && value) examples.push(value);
  }
  return { packageName, bins, examples, autobins };
}

/** The package's binaries as cargo would find them: declared `[[bin]]`s, `src/main.rs`, `src/bin/*.rs`. */
export function binaryTargets(packageDir: string): BinaryTarget[] {
  const manifest = parseCargoManifest(fs.readFileSync(path.join(packageDir, 'Cargo.toml'), 'utf8'));
  const names = new Set(manifest.bins);
  if (manifest.autobins && manifest.packageName) {
    if (fs.existsSync(path.join(packageDir, 'src', 'main.rs'))) names.add(manifest.packageName);
    const binDir = path.join(packageDir, 'src', 'bin');
    if (fs.existsSync(binDir)) {
      for (const entry of fs.readdirSync(binDir, { withFileTypes: true })) {
        if (entry.isFile() && entry.name.endsWith('.rs')) names.add(entry.name.slice(0, -3));
        else if (entry.isDirectory() && fs.existsSync(path.join(binDir, entry.name, 'main.rs'))) names.add(entry.name);
      }
    }
  }
  return [...names].map((name) => ({ name, kind: 'bin' }));
}

/** One launch configuration per binary, in the CodeLLDB shape (cargo build + filter). */
export function launchConfigurationFor(target: BinaryTarget, packageDir: string, workspaceFolder: string): Record<string, unknown> {
  const relative = path.relative(workspaceFolder, packageDir);
  const cwd = relative ? `\${workspaceFolder}/${relative.split(path.sep).join('/')}` : '${workspaceFolder}';
  const manifestArg = relative ? [`--manifest-path=${cwd}/Cargo.toml`] : [];
  return {
    type: 'rust-offload',
    request: 'launch',
    name: `Debug ${target.kind === 'bin' ? 'executable' : 'example'} '${target.name}'`,
    cargo: {
      args: ['build', `--${target.kind}=${target.name}`, ...manifestArg],
      filter: { name: target.name, kind: target.kind },
    },
    args: [],
    cwd,
  };
}
