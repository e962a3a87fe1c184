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
   * Threads only: Int32Array[2 + CLAIM_RING] over a SharedArrayBuffer. Slot 0 counts tasks started, so
   * the host knows which ran when a worker dies; slot 1 is bumped (and notified) by the host after each
   * message, which wakes a worker lingering in Atomics.wait right after its work. The rest is the claim
   * ring (see CLAIM_RING).
   */
  readonly started?: SharedArrayBuffer;
  /** Threads only: the worker's end of the task channel. */
  readonly port?: import('node:worker_threads').MessagePort;
}

/**
 * Threads only: how a prefetched task that has not started can be taken back. The n-th task sent to a
 * worker (n from 0, in send order) owns cell 2 + n % CLAIM_RING of the shared array; the host stores
 * n + 1 there before sending it. The worker runs it only if it swaps n + 1 for -(n + 1) (it claims it);
 * the host revokes it only if it swaps n + 1 for 0. One compare-and-swap on one cell decides, so a task
 * is either run or revoked, never both. When the task is over, the worker stores CLAIM_DONE there
 * before it posts the answer, so the host knows a claimed task has finished even while its answer is on
 * the way (and reports it done, never cancelled). The host keeps the tasks in flight on a worker within
 * a span of fewer than CLAIM_RING send numbers, so a cell is reused only once its task was settled.
 */
export const CLAIM_RING = 2048;

/** A claimed task that has finished (see CLAIM_RING); no send number maps to it. */
export const CLAIM_DONE = -0x80000000;

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
