// Standalone debug adapter over stdin/stdout (for DebugClient tests and other editors), with an executor of its own.
import * as path from 'node:path';
import { ThreadPoolExecutor } from '../futures';
import { RustDebugSession } from './rust-debug-session';

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`rust-offload: ignoring ${name}='${raw}' (expected a non-negative number)\n`);
    return undefined;
  }
  return n;
}

// Task modules sit next to this file's folder in both layouts: out/src/rust/… under tsc, dist/rust/… in the bundle.
const executor = new ThreadPoolExecutor({ maxWorkers: numberFromEnv('RUST_OFFLOAD_MAX_WORKERS') || 2, modulesRoot: path.resolve(__dirname, '..') });

let ending = false;
async function end(code: number): Promise<void> {
  if (ending) return;
  ending = true;
  session.dispose();
  await executor.shutdown({ wait: false, cancelFutures: true }).catch(() => undefined);
  // Let the last responses flush before leaving.
  setTimeout(() => process.exit(code), 100);
}

const session = new RustDebugSession({
  executor,
  lldbDapPath: process.env.RUST_OFFLOAD_LLDB_DAP || undefined,
  evaluationTimeout: numberFromEnv('RUST_OFFLOAD_EVALUATION_TIMEOUT'),
  onEnd: () => void end(0),
});
process.on('SIGTERM', () => void end(0));
process.stdin.on('close', () => void end(0));
session.start(process.stdin, process.stdout);
