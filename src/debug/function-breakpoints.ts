// Function breakpoints by Rust path resolved through our symbol index: which functions a name means, where to stop in each, and the lldb commands that place them.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ModuleSymbolHit } from '../symbols/module-registry';
import { stripGenerics } from '../symbols/symbol-index';
import type { LldbDapClient } from './lldb-dap-client';

/** One place a function breakpoint stops at. */
export interface BreakpointSite {
  /** The module's file name as lldb knows it (`app`, `app.exe`, `libfoo.so`). */
  module: string;
  /** Link-time (file) address of the stop: lldb maps it to the module wherever it is loaded. */
  fileAddress: number;
  /** Where the address is at run time, when the module's load address is known. */
  runtimeAddress?: number;
  name: string;
  file?: string;
  line?: number;
}

export interface Resolution {
  sites: BreakpointSite[];
  /** True when the name gave generic arguments the index does not record (legacy mangling): every instance is used. */
  allInstances: boolean;
}

/** The index's lookups the resolution needs; the registry answers them for every loaded module. */
export interface PathLookup {
  resolveFunction(path: string): ModuleSymbolHit[];
  /** Source line at a file address of a module, to step over the prologue. */
  lineAt(module: string, fileAddress: number): { file?: string; line?: number } | undefined;
}

/** Bytes after a function's entry searched for the first statement; prologues of debug builds are far shorter. */
const PROLOGUE_SEARCH_BYTES = 256;

/**
 * Resolves `path` (`my_crate::module::func`, `my_crate::f::<u32>`) to stop sites. Functions win over public symbols
 * (publics are what a PDB without our line info, or a stripped ELF, still has). An empty result means the index
 * does not know the name: lldb's own lookup is the fallback.
 */
export function resolveRustPath(path: string, lookup: PathLookup): Resolution {
  const name = normaliseRustPath(path);
  if (name === '') return { sites: [], allInstances: false };
  let hits = lookup.resolveFunction(name);
  let allInstances = false;
  if (hits.length === 0 && name.includes('<')) {
    // Legacy-mangled names carry no generic arguments, so `f::<u32>` can only mean every instance of `f`.
    const bare = stripGenerics(name);
    if (bare !== name) {
      hits = lookup.resolveFunction(bare);
      allInstances = hits.length > 0;
    }
  }
  const functions = hits.filter((h) => h.kind === 'function');
  const chosen = functions.length > 0 ? functions : hits;
  const seen = new Set<string>();
  const sites: BreakpointSite[] = [];
  for (const hit of chosen) {
    const key = `${hit.module}\0${hit.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const stop = hit.kind === 'function' ? afterPrologue(hit, lookup) : { address: hit.address, file: hit.file, line: hit.line };
    const site: BreakpointSite = { module: hit.module, fileAddress: stop.address, name: hit.name };
    if (hit.runtimeAddress !== undefined) site.runtimeAddress = hit.runtimeAddress + (stop.address - hit.address);
    if (stop.file !== undefined) site.file = stop.file;
    if (stop.line !== undefined) site.line = stop.line;
    sites.push(site);
  }
  return { sites, allInstances };
}

/** Accepts what users paste: surrounding spaces, a leading `::`, a legacy `::h<16 hex>` suffix, `fn ` or `()`. */
export function normaliseRustPath(path: string): string {
  let s = path.trim();
  s = s.replace(/^fn\s+/, '').replace(/\(\)$/, '').replace(/::h[0-9a-f]{16}$/, '').replace(/^::/, '');
  return s.trim();
}

/**
 * The first address whose source line differs from the entry's: where lldb would stop for a name breakpoint, after
 * the prologue has stored the arguments (at the entry they read as garbage). Stays at the entry when the line table
 * does not show a second line within the function.
 */
export function afterPrologue(hit: ModuleSymbolHit, lookup: PathLookup): { address: number; file?: string; line?: number } {
  const entry = lookup.lineAt(hit.module, hit.address);
  const start = { address: hit.address, file: entry?.file ?? hit.file, line: entry?.line ?? hit.line };
  if (entry?.line === undefined) return start;
  const end = hit.address + Math.min(hit.size ?? PROLOGUE_SEARCH_BYTES, PROLOGUE_SEARCH_BYTES);
  for (let a = hit.address + 1; a < end; a++) {
    const at = lookup.lineAt(hit.module, a);
    if (at?.line !== undefined && at.line !== 0 && (at.line !== entry.line || at.file !== entry.file)) return { address: a, file: at.file, line: at.line };
  }
  return start;
}

/** Quotes an argument for lldb's command line (double quotes; backslash and quote escaped). */
export function lldbQuote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * `breakpoint set --address A --shlib M`: with exactly one shlib, lldb takes A as a file address in that module and
 * keeps the breakpoint there wherever (and whenever) the module loads, before the process exists too.
 */
export function addressBreakpointCommand(site: BreakpointSite, options: { condition?: string; hitCondition?: string } = {}): string {
  const parts = ['breakpoint', 'set', '--address', `0x${site.fileAddress.toString(16)}`, '--shlib', lldbQuote(site.module), ...conditionArguments(options.condition)];
  const hits = options.hitCondition?.trim();
  // lldb-dap reads a hit condition as "stop on the Nth hit", i.e. ignore N−1.
  if (hits && /^\d+$/.test(hits) && Number(hits) > 1) parts.push('--ignore-count', String(Number(hits) - 1));
  return parts.join(' ');
}

/** `--condition "…"` for `breakpoint set`, or nothing for a blank condition. */
export function conditionArguments(condition: string | undefined): string[] {
  return condition?.trim() ? ['--condition', lldbQuote(condition.trim())] : [];
}

/** Runs an lldb command through lldb-dap (an evaluate in the Debug Console's context, after a backtick); returns what lldb printed. */
export async function runLldbCommand(backend: LldbDapClient, command: string): Promise<string> {
  const answer = await backend.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: `\`${command}`, context: 'repl' });
  return answer.body?.result ?? '';
}

/** Removes lldb breakpoints by id, whether or not they still exist. */
export async function deleteLldbBreakpoints(backend: LldbDapClient, ids: number[]): Promise<void> {
  await runLldbCommand(backend, `breakpoint delete --force ${ids.join(' ')}`);
}

/** The breakpoint id in lldb's answer to `breakpoint set` ("Breakpoint 7: where = …"), or an error saying what lldb said. */
export function parseBreakpointSetOutput(output: string): number {
  const m = /Breakpoint (\d+):/.exec(output);
  if (!m) throw new Error(`lldb did not set the address breakpoint: ${output.trim() || 'no output'}`);
  return Number(m[1]);
}

/** How the response describes a resolved breakpoint with several instances. */
export function resolutionMessage(path: string, resolution: Resolution): string | undefined {
  const n = resolution.sites.length;
  if (n <= 1 && !resolution.allInstances) return undefined;
  const modules = new Set(resolution.sites.map((s) => s.module));
  const where = modules.size > 1 ? ` in ${modules.size} modules` : '';
  const why = resolution.allInstances ? ' (the symbols do not record generic arguments, so every instance is used)' : '';
  return `${path}: ${n} ${n === 1 ? 'location' : 'locations'}${where}${why}`;
}
