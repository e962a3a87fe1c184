// The messages between the pool and its workers (threads and processes use the same ones).
import type { Progress } from './contract';
import type { WireError } from './errors';

/** One task to run. `h`: the submitter gave an onRequest handler. `c`: args is a list of argument lists (map chunk). */
export interface RunTask {
  /** A single task is sent as it is (a message of its own); a flat message clones faster than a wrapped one. */
  readonly t: 'task';
  readonly id: number;
  readonly module: string;
  readonly name: string;
  readonly args: unknown[];
  readonly h?: boolean;
  readonly c?: boolean;
}

export interface WorkerInit {
  readonly modulesRoot: string;
  readonly initializer?: { readonly module: string; readonly name: string };
  readonly initargs: unknown[];
  /** Task modules the pool has run before: loaded once the worker is ready and idle, so a replacement's first task starts warm. */
  readonly preload?: string[];
  /**
   * Threads only: Int32Array[2] over a SharedArrayBuffer. Slot 0 counts tasks started, so the host
   * knows which ran when a worker dies; slot 1 is bumped (and notified) by the host after each message,
   * which wakes a worker lingering in Atomics.wait right after its work.
   */
  readonly started?: SharedArrayBuffer;
  /** Threads only: the worker's end of the task channel. */
  readonly port?: import('node:worker_threads').MessagePort;
}

export type HostToWorker =
  | { readonly t: 'init'; readonly init: WorkerInit }
  | { readonly t: 'run'; readonly tasks: RunTask[] }
  | RunTask
  | { readonly t: 'cancel'; readonly id: number; readonly reason: 'cancelled' | 'timedOut' }
  | { readonly t: 'reply'; readonly rid: number; readonly ok: boolean; readonly value?: unknown; readonly error?: WireError }
  | { readonly t: 'exit' };

/** A settled task: ok with value, or error; `s` = skipped (cancelled before it started); `d` = duration in ms. */
export interface TaskDone {
  /** A single answer is sent as it is; several go in one 'done' message. */
  readonly t: 'answer';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: WireError;
  readonly s?: boolean;
  readonly d: number;
}

export type WorkerToHost =
  | { readonly t: 'ready' }
  | { readonly t: 'initFailed'; readonly error: WireError }
  | { readonly t: 'done'; readonly results: TaskDone[] }
  | TaskDone
  | { readonly t: 'progress'; readonly id: number; readonly progress: Progress }
  | { readonly t: 'request'; readonly id: number; readonly rid: number; readonly method: string; readonly params: unknown }
  | { readonly t: 'fatal'; readonly error: WireError };
