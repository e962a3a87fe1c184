// What the benchmarks need to speak to lldb-dap-22 directly, as a peer: its events awaited by name, and the Rust toolchain's LLDB formatters.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { LldbDapClient } from '../src/debug/lldb-dap-client';
import { toolchainEnv } from '../test/dap/support/programs';

/**
 * Keeps the client's events from now on; the returned function resolves with the first unclaimed event of that name
 * (one already arrived, or the next one).
 */
export function eventWaiter(client: LldbDapClient): (name: string) => Promise<DebugProtocol.Event> {
  const events: DebugProtocol.Event[] = [];
  const waiters: Array<{ name: string; resolve(e: DebugProtocol.Event): void }> = [];
  client.on('event', (e: DebugProtocol.Event) => {
    const i = waiters.findIndex((w) => w.name === e.event);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(e);
    else events.push(e);
  });
  return (name) => {
    const i = events.findIndex((e) => e.event === name);
    if (i >= 0) return Promise.resolve(events.splice(i, 1)[0]);
    return new Promise((resolve) => waiters.push({ name, resolve }));
  };
}

/**
 * The Rust toolchain's LLDB formatters (what CodeLLDB loads) as lldb-dap initCommands: lldb_lookup.py and lldb_commands
 * of the toolchain `rustc` runs, else of a rustup toolchain that ships them; undefined when none does.
 */
export function toolchainFormatters(): string[] | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(path.join(execFileSync('rustc', ['--print', 'sysroot'], { env: toolchainEnv(), encoding: 'utf8' }).trim(), 'lib', 'rustlib', 'etc'));
  } catch {
    // No rustc on PATH: the rustup folders below.
  }
  const rustup = path.join(process.env.HOME ?? '/root', '.rustup', 'toolchains');
  if (fs.existsSync(rustup)) for (const t of fs.readdirSync(rustup)) candidates.push(path.join(rustup, t, 'lib', 'rustlib', 'etc'));
  const etc = candidates.find((d) => fs.existsSync(path.join(d, 'lldb_commands')) && fs.existsSync(path.join(d, 'lldb_lookup.py')));
  if (!etc) return undefined;
  return [`command script import "${path.join(etc, 'lldb_lookup.py')}"`, `command source -s 0 "${path.join(etc, 'lldb_commands')}"`];
}
