// Golden DAP transcripts: records requests and responses with ids, addresses and paths normalised; RESET_RESULTS=1 rewrites them.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { execFileSync } from 'node:child_process';
import { PROGRAMS_DIR, toolchainEnv } from './programs';

let cachedRustc: string | undefined;
/** `1.95` for `rustc 1.95.0 (…)`: the toolchain that compiled the test programs. */
function rustcVersion(): string {
  cachedRustc ??= /rustc (\d+\.\d+)/.exec(execFileSync('rustc', ['--version'], { env: toolchainEnv(), encoding: 'utf8' }))?.[1] ?? 'unknown';
  return cachedRustc;
}

export const GOLDEN_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'dap', 'golden');

/** Keys whose numbers are handles lldb-dap chooses; they become `<kind#n>` by order of appearance. */
const ID_KEYS: Record<string, string> = {
  threadId: 'thread',
  frameId: 'frame',
  variablesReference: 'ref',
  declarationLocationReference: 'decl',
  valueLocationReference: 'decl',
  requestId: 'request',
  systemProcessId: 'pid',
  pid: 'pid',
};
/** Keys dropped: machine-specific and not part of our contract. */
const DROP_KEYS = new Set(['moduleId', 'instructionPointerReference', '$__lldb_statistics', '$__lldb_version', 'seq', 'request_seq']);

export class Transcript {
  private readonly entries: unknown[] = [];
  private readonly ids = new Map<string, Map<number, string>>();

  constructor(
    private readonly name: string,
    private readonly dc: DebugClient,
    private readonly extraPaths: Record<string, string> = {},
  ) {}

  /** Sends a request, records it and its (normalised) answer, and returns the raw answer. */
  async send<T = any>(command: string, args?: object): Promise<T> {
    const request = { request: command, arguments: args ?? {} };
    try {
      const response = await this.dc.send(command, args);
      this.entries.push(this.normalise({ ...request, response: { success: true, body: response.body ?? null } }));
      return response as T;
    } catch (err) {
      this.entries.push(this.normalise({ ...request, response: { success: false, message: (err as Error).message } }));
      throw err;
    }
  }

  /** Records a note (an event the test waited for) in the transcript. */
  note(what: string, body: unknown): void {
    this.entries.push(this.normalise({ event: what, body }));
  }

  /** Compares with test/dap/golden/<name>.json; writes `.actual` on mismatch. */
  /**
   * Compares with test/dap/golden/<name>.rustc-<major.minor>.json: type names and layouts of std differ
   * between Rust releases, so each toolchain has its own golden. One not yet recorded (a new toolchain)
   * is written and reported; a mismatch writes `.actual`.
   */
  check(): void {
    const file = path.join(GOLDEN_DIR, `${this.name}.rustc-${rustcVersion()}.json`);
    const text = JSON.stringify(this.entries, null, 2) + '\n';
    if (process.env.RESET_RESULTS === '1' || !fs.existsSync(file)) {
      if (process.env.RESET_RESULTS !== '1') console.log(`      (no golden for this toolchain yet: recorded ${path.relative(process.cwd(), file)})`);
      fs.mkdirSync(GOLDEN_DIR, { recursive: true });
      fs.writeFileSync(file, text);
      return;
    }
    const expected = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
    if (expected !== text) {
      fs.writeFileSync(`${file}.actual`, text);
      assert.fail(`DAP transcript differs from ${file}; see ${file}.actual (RESET_RESULTS=1 regenerates the goldens)`);
    }
    if (fs.existsSync(`${file}.actual`)) fs.unlinkSync(`${file}.actual`);
  }

  private id(kind: string, value: number): string | number {
    if (value === 0) return 0;
    let map = this.ids.get(kind);
    if (!map) this.ids.set(kind, (map = new Map()));
    if (!map.has(value)) map.set(value, `<${kind}#${map.size + 1}>`);
    return map.get(value)!;
  }

  private normalise(value: unknown, key?: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.normalise(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value).sort()) {
        if (DROP_KEYS.has(k)) continue;
        out[k] = this.normalise((value as Record<string, unknown>)[k], k);
      }
      // A std HashMap's order comes from its RandomState, new in every run: its text is recorded without it.
      if (typeof out.type === 'string' && /RandomState/.test(out.type) && typeof out.value === 'string') out.value = '<in this run\'s hash order>';
      // A struct holding one shows its entries in that order too: a map of string keys is recorded with its entries sorted.
      else if (typeof out.value === 'string') out.value = sortStringKeyedMaps(out.value);
      // Frames, threads and breakpoints carry their handle as `id`.
      if (typeof out.id === 'number' && ('line' in out || 'name' in out || 'verified' in out)) {
        out.id = this.id('name' in out && 'line' in out ? 'frame' : 'line' in out || 'verified' in out ? 'breakpoint' : 'thread', out.id);
      }
      return out;
    }
    if (typeof value === 'number' && key && ID_KEYS[key]) return this.id(ID_KEYS[key], value);
    if (typeof value === 'string') {
      let s = value;
      for (const [label, p] of Object.entries(this.extraPaths)) s = s.split(p).join(`<${label}>`);
      s = s.split(PROGRAMS_DIR).join('<programs>');
      s = s.replace(/\/rustc\/[0-9a-f]{40}/g, '/rustc/<hash>');
      s = s.replace(/0x[0-9a-fA-F]{6,16}/g, '0x<addr>');
      if (key === 'memoryReference') s = '<memory>';
      return s;
    }
    return value;
  }
}

/** `{"pears": 5, "apples": 3}` → `{"apples": 3, "pears": 5}` for every map literal with string keys and flat values in `text`. */
export function sortStringKeyedMaps(text: string): string {
  return text.replace(/\{("(?:[^"\\]|\\.)*": [^{}[\]()"]*(?:, "(?:[^"\\]|\\.)*": [^{}[\]()"]*)*)\}/g, (_all, body: string) => {
    const entries = body.split(/, (?=")/);
    return `{${entries.sort().join(', ')}}`;
  });
}
