// Task functions for the executor self-test command, the demo and the executor's own tests and benchmark.
import * as fs from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { TaskContext } from './contract';

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Returns at once: the cheapest possible task. */
export function quick(_ctx: TaskContext, x: number): number {
  return x * 2;
}

export function add(_ctx: TaskContext, a: number, b: number): number {
  return a + b;
}

export function echo<T>(_ctx: TaskContext, value: T): T {
  return value;
}

/** `steps` steps of `stepMs` each, reporting progress; stops when the signal aborts. */
export async function slow(ctx: TaskContext, steps: number, stepMs: number): Promise<number> {
  for (let i = 0; i < steps; i++) {
    ctx.reportProgress({ fraction: i / steps, message: `step ${i + 1} of ${steps}` });
    await sleepFor(stepMs, ctx.signal);
  }
  ctx.reportProgress({ fraction: 1, message: 'done' });
  return steps;
}

/** Waits (asynchronously) for ms, honouring the signal. */
export async function sleep(ctx: TaskContext, ms: number): Promise<number> {
  await sleepFor(ms, ctx.signal);
  return ms;
}

/** Busy for ms without yielding (ignores the signal while busy). */
export function spinFor(_ctx: TaskContext, ms: number): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

/** Reports progress 'started' (so the submitter knows it is executing; unless !announce), then is busy for ms without yielding; ms < 0: forever. */
export function spinAfterProgress(ctx: TaskContext, ms: number, announce = true): number {
  if (announce) ctx.reportProgress({ fraction: 0, message: 'started' });
  const end = ms < 0 ? Infinity : Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

/** A task that yields rarely: `slices` times, busy for sliceMs without yielding, then reports progress and yields once. */
export async function spinSlices(ctx: TaskContext, slices: number, sliceMs: number): Promise<number> {
  for (let i = 0; i < slices; i++) {
    const end = Date.now() + sliceMs;
    while (Date.now() < end) {
      // Busy, deliberately.
    }
    ctx.reportProgress({ fraction: (i + 1) / slices, message: `slice ${i + 1} of ${slices}` });
    await new Promise((r) => setImmediate(r));
  }
  return slices;
}

/** A CPU-bound loop that never yields and never returns: only terminating the worker stops it. */
export function spin(_ctx: TaskContext): never {
  for (;;) {
    // Deliberately endless.
  }
}

export class DemoTaskError extends Error {
  override readonly name = 'DemoTaskError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Throws a DemoTaskError (code 'E_DEMO') from a nested function, so the remote stack has frames to see. */
export function fail(_ctx: TaskContext, message: string): never {
  throwDeep(message);
}
function throwDeep(message: string): never {
  throw new DemoTaskError(message, 'E_DEMO');
}

/** Throws any value, falsy ones included (`throw 0`, `throw undefined`). */
export function throwValue(_ctx: TaskContext, value: unknown): never {
  throw value;
}

/** Ends the whole worker (thread or process) with this exit code, optionally after a delay. */
export async function exit(_ctx: TaskContext, code: number, afterMs = 0): Promise<never> {
  if (afterMs > 0) await new Promise((r) => setTimeout(r, afterMs));
  process.exit(code);
}

/** Throws from a timer, outside the task's promise: an uncaught exception that kills the worker. */
export function throwUncaught(_ctx: TaskContext, message: string): Promise<never> {
  setTimeout(() => {
    throw new Error(message);
  }, 0);
  return new Promise<never>(() => undefined);
}

/** Allocates until the worker's heap limit kills it. */
export function blowHeap(_ctx: TaskContext): never {
  const hoard: unknown[] = [];
  for (;;) hoard.push(new Array(100_000).fill({ hoard: hoard.length }));
}

/** Asks the submitting side through the host channel and returns its answer. */
export async function ask(ctx: TaskContext, method: string, params: unknown): Promise<unknown> {
  return ctx.request(method, params);
}

/** Sums `count` answers of the host's 'next' method: many round trips over the host channel. */
export async function askMany(ctx: TaskContext, count: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += await ctx.request<number>('next', i);
  return sum;
}

/** Which worker runs this: thread id and process id. */
export function whoAmI(_ctx: TaskContext): { threadId: number; pid: number } {
  return { threadId, pid: process.pid };
}

/** Appends `id` to a log file when it starts (to count runs across workers), then waits ms. */
export async function logged(ctx: TaskContext, logFile: string, id: number, ms: number): Promise<number> {
  fs.appendFileSync(logFile, `${id}\n`);
  if (ms > 0) await sleepFor(ms, ctx.signal);
  return id;
}

/** Waits until the signal aborts, then finishes after a cleanup of cleanupMs (a task that honours cancellation). */
export async function untilAborted(ctx: TaskContext, cleanupMs: number): Promise<string> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  if (cleanupMs > 0) await new Promise((r) => setTimeout(r, cleanupMs));
  return 'stopped';
}

/** Returns the state an initializer left in the worker's global scope. */
export function initialized(_ctx: TaskContext): unknown {
  return (globalThis as { __demoInit?: unknown }).__demoInit;
}

/** An initializer (called as initializer(...initargs), no ctx): records its arguments for initialized(). */
export function demoInitializer(...args: unknown[]): void {
  (globalThis as { __demoInit?: unknown }).__demoInit = args;
}

/** An initializer that fails. */
export function failingInitializer(message: string): never {
  throw new Error(message);
}

/** An initializer that ends its worker: every new worker dies before it is ready (a crash loop). */
export function exitingInitializer(code: number): void {
  process.exit(code);
}

/** The absolute high-resolution time at which the task started (ms), comparable across threads and processes. */
export function now(_ctx: TaskContext): number {
  return performance.timeOrigin + performance.now();
}

/** When this worker (thread or process) started, in ms since the epoch (its performance.timeOrigin). */
export function workerStartedAt(_ctx: TaskContext): number {
  return performance.timeOrigin;
}

/** How this worker process was started: its executable, flags and the Electron-as-Node switch. */
export function processInfo(_ctx: TaskContext): { execPath: string; execArgv: string[]; electronRunAsNode: string | undefined; pid: number; ppid: number } {
  return { execPath: process.execPath, execArgv: process.execArgv, electronRunAsNode: process.env.ELECTRON_RUN_AS_NODE, pid: process.pid, ppid: process.ppid };
}

/** Writes text to the worker's stderr (the pool's log sink sees it). */
export function writeStderr(_ctx: TaskContext, text: string): void {
  process.stderr.write(text);
}

/** Whether a module whose path ends with `suffix` ('/'-separated) is loaded in this worker, after letting pending work run. */
export async function moduleLoaded(_ctx: TaskContext, suffix: string): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 20));
  return Object.keys(require.cache).some((file) => file.split(/[\\/]/).join('/').endsWith(suffix));
}
