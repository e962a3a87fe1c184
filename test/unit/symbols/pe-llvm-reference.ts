// Reference facts for the PE/PDB tests, parsed from LLVM's tools (llvm-pdbutil-19, llvm-readobj-19, llvm-symbolizer-19) and nm.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export const WINDOWS_FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/windows');

export function fixture(rel: string): string {
  return path.join(WINDOWS_FIXTURES, rel);
}

export function run(tool: string, args: string[], input?: string): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, input });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error(`${tool} is not installed: install the Debian packages llvm-19 and binutils (bash .ci/run --setup-only)`, { cause: e });
    throw e;
  }
}

export interface RefProc {
  module: number;
  kind: string;
  name: string;
  segment: number;
  offset: number;
  codeSize: number;
}

export interface RefSymbols {
  procs: RefProc[];
  /** Module index → compiler string and language of its S_COMPILE3. */
  compile: Map<number, { compiler: string; language: string }>;
  inlineSites: Map<number, number>;
}

export function pdbSymbols(pdb: string): RefSymbols {
  const out = run('llvm-pdbutil-19', ['dump', '--symbols', pdb]).split('\n');
  const res: RefSymbols = { procs: [], compile: new Map(), inlineSites: new Map() };
  let mod = -1;
  for (let i = 0; i < out.length; i++) {
    const l = out[i];
    const m = /^\s*Mod (\d{4}) \|/.exec(l);
    if (m) {
      mod = Number(m[1]);
      continue;
    }
    const p = /\| (S_[GL]PROC32(?:_ID)?) \[size = \d+\] `(.*)`$/.exec(l);
    if (p) {
      const a = /addr = (\d{4}):(\d+), code size = (\d+)/.exec(out[i + 1]);
      if (!a) throw new Error(`unexpected llvm-pdbutil output after: ${l}`);
      res.procs.push({ module: mod, kind: p[1], name: p[2], segment: Number(a[1]), offset: Number(a[2]), codeSize: Number(a[3]) });
      continue;
    }
    if (/\| S_COMPILE[23] /.test(l)) {
      const c = /[Vv]er = (.*), language = (.*)$/.exec(out[i + 1]);
      if (c) res.compile.set(mod, { compiler: c[1], language: c[2] });
      continue;
    }
    if (/\| S_INLINESITE \[/.test(l)) res.inlineSites.set(mod, (res.inlineSites.get(mod) ?? 0) + 1);
  }
  return res;
}

export interface RefPublic {
  name: string;
  segment: number;
  offset: number;
  isFunction: boolean;
}

export function pdbPublics(pdb: string): RefPublic[] {
  const out = run('llvm-pdbutil-19', ['dump', '--publics', pdb]).split('\n');
  const res: RefPublic[] = [];
  for (let i = 0; i < out.length; i++) {
    const p = /\| S_PUB32 \[size = \d+\] `(.*)`$/.exec(out[i]);
    if (!p) continue;
    const a = /flags = (.*), addr = (\d{4}):(\d+)/.exec(out[i + 1]);
    if (!a) throw new Error(`unexpected llvm-pdbutil output after: ${out[i]}`);
    res.push({ name: p[1], segment: Number(a[2]), offset: Number(a[3]), isFunction: /function/.test(a[1]) });
  }
  return res;
}

/** Data and procedure-reference records of the globals stream: kind, name, and segment:offset (module:offset for refs). */
export function pdbGlobals(pdb: string): string[] {
  const out = run('llvm-pdbutil-19', ['dump', '--globals', pdb]).split('\n');
  const res: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const g = /\| (S_[GL]DATA32|S_[GL]THREAD32|S_L?PROCREF) \[size = \d+\] `(.*)`$/.exec(out[i]);
    if (!g) continue;
    const d = /addr = (\d{4}):(\d+)/.exec(out[i + 1]);
    const r = /module = (\d+), sum name = \d+, offset = (\d+)/.exec(out[i + 1]);
    const [a, b] = d ? [Number(d[1]), Number(d[2])] : [Number(r![1]), Number(r![2])];
    res.push(`${g[1]}|${g[2]}|${a}:${b}`);
  }
  return res;
}

export interface RefSummary {
  guid: string;
  age: number;
  streams: number;
  modules: string[];
  sectionContributions: number;
  sectionMapEntries: number;
}

export function pdbSummary(pdb: string): RefSummary {
  const s = run('llvm-pdbutil-19', ['dump', '--summary', '--modules', pdb]);
  const modules = [...s.matchAll(/^\s*Mod \d{4} \| `(.*)`:\s*$/gm)].map((m) => m[1]);
  const sc = run('llvm-pdbutil-19', ['dump', '--section-contribs', pdb]);
  const map = run('llvm-pdbutil-19', ['dump', '--section-map', pdb]);
  return {
    guid: /GUID: (\{[0-9A-F-]+\})/.exec(s)![1],
    age: Number(/^\s*Age: (\d+)/m.exec(s)![1]),
    streams: Number(/Number of streams: (\d+)/.exec(s)![1]),
    modules,
    sectionContributions: (sc.match(/SC\[/g) ?? []).length,
    sectionMapEntries: (map.match(/^\s*Section \d{4} \|/gm) ?? []).length,
  };
}

export interface RefLine {
  module: number;
  file: string;
  segment: number;
  offset: number;
  line: number;
}

export function pdbLines(pdb: string): RefLine[] {
  const out = run('llvm-pdbutil-19', ['dump', '--l', pdb]).split('\n');
  const res: RefLine[] = [];
  let mod = -1;
  let file = '';
  let segment = 0;
  for (const l of out) {
    const m = /^\s*Mod (\d{4}) \|/.exec(l);
    if (m) {
      mod = Number(m[1]);
      continue;
    }
    const f = /^(\S.*) \((?:MD5|SHA-1|SHA-256|None)(?:: [0-9A-F]*)?\)\s*$/.exec(l);
    if (f) {
      file = f[1];
      continue;
    }
    const b = /^\s+(\d{4}):[0-9A-F]{8}-[0-9A-F]{8}, line\/addr entries = \d+/.exec(l);
    if (b) {
      segment = Number(b[1]);
      continue;
    }
    for (const e of l.matchAll(/(\d+) ([0-9A-F]{8})(?: !| {2})/g)) {
      res.push({ module: mod, file, segment, offset: parseInt(e[2], 16), line: Number(e[1]) });
    }
  }
  return res;
}

export interface RefSection {
  name: string;
  virtualAddress: number;
  virtualSize: number;
  rawSize: number;
}

export function readobj(file: string, flags: string[]): string {
  return run('llvm-readobj-19', [...flags, file]);
}

export function peSections(file: string): RefSection[] {
  const s = readobj(file, ['--sections']);
  return [...s.matchAll(/Name: (\S+) \([0-9A-F ]+\)\s+VirtualSize: (0x[0-9A-F]+)\s+VirtualAddress: (0x[0-9A-F]+)\s+RawDataSize: (\d+)/g)].map((m) => ({
    name: m[1],
    virtualSize: Number(m[2]),
    virtualAddress: Number(m[3]),
    rawSize: Number(m[4]),
  }));
}

export function peDebugDirectory(file: string): { guid: string; age: number; pdbPath: string } | undefined {
  const s = readobj(file, ['--coff-debug-directory']);
  const g = /PDBGUID: (\{[0-9A-F-]+\})\s+PDBAge: (\d+)\s+PDBFileName: (.*)$/m.exec(s);
  return g ? { guid: g[1], age: Number(g[2]), pdbPath: g[3].trim() } : undefined;
}

export function peExports(file: string): Array<{ ordinal: number; name: string; rva?: number; forwarder?: string }> {
  const s = readobj(file, ['--coff-exports']);
  return [...s.matchAll(/Export \{\s+Ordinal: (\d+)\s+Name: (\S*)\s+(?:RVA: (0x[0-9A-F]+)|ForwardedTo: (\S+))/g)].map((m) =>
    m[4] ? { ordinal: Number(m[1]), name: m[2], forwarder: m[4] } : { ordinal: Number(m[1]), name: m[2], rva: Number(m[3]) },
  );
}

export function peCoffSymbols(file: string): Array<{ name: string; value: number; section: string; storageClass: string }> {
  const s = readobj(file, ['--symbols']);
  return [...s.matchAll(/Symbol \{\s+Name: (.*)\n\s+Value: (\d+)\n\s+Section: (.*)\n\s+BaseType: .*\n\s+ComplexType: .*\n\s+StorageClass: (\S+)/g)].map((m) => ({
    name: m[1],
    value: Number(m[2]),
    section: m[3],
    storageClass: m[4],
  }));
}

/** `nm` on a PE: defined symbols as address → names. */
export function nmDefined(file: string): Array<{ address: number; type: string; name: string }> {
  return run('nm', ['--defined-only', file])
    .split('\n')
    .map((l) => /^([0-9a-f]+) (\S) (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ address: parseInt(m[1], 16), type: m[2], name: m[3] }));
}

/** llvm-symbolizer's inline chain (innermost first) for each address: function name, file and line. */
export function symbolize(exe: string, addresses: number[]): Array<Array<{ name: string; file: string; line: number }>> {
  const out = run('llvm-symbolizer-19', [`--obj=${exe}`, '--inlining'], addresses.map((a) => `0x${a.toString(16)}`).join('\n') + '\n');
  // Blocks of (name, file:line:column) pairs end with an empty line; a name can itself be empty (padding without
  // a symbol), which shows as an empty line followed by a location.
  const lines = out.split('\n');
  const isLoc = (l: string | undefined) => l !== undefined && /:\d+:\d+$/.test(l);
  const chains: Array<Array<{ name: string; file: string; line: number }>> = [];
  let frames: Array<{ name: string; file: string; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '' && !isLoc(lines[i + 1])) {
      if (frames.length) chains.push(frames);
      frames = [];
      continue;
    }
    const loc = /^(.*):(\d+):\d+$/.exec(lines[i + 1] ?? '');
    frames.push({ name: lines[i], file: loc ? loc[1] : (lines[i + 1] ?? ''), line: loc ? Number(loc[2]) : 0 });
    i++;
  }
  if (frames.length) chains.push(frames);
  return chains;
}

/** Start addresses of the DW_TAG_subprogram entries that have code (a DW_AT_low_pc), from llvm-dwarfdump-19. */
export function dwarfSubprogramStarts(file: string): number[] {
  const out: number[] = [];
  for (const die of run('llvm-dwarfdump-19', ['--debug-info', file]).split(/\n\s*\n/)) {
    if (!/DW_TAG_subprogram/.test(die)) continue;
    const low = /DW_AT_low_pc\s+\((0x[0-9a-f]+)\)/.exec(die);
    if (low) out.push(Number(low[1]));
  }
  return out;
}
