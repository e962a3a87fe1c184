// What the pool needs from one worker, thread or process: post, kill, ref/unref, and its messages and exit.
import type { HostToWorker, WorkerToHost } from './wire';

/** How a worker ended, as the subclass observed it. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** The uncaught error that killed it, if known. */
  error?: unknown;
  outOfMemory: boolean;
}

export interface WorkerEvents {
  message(msg: WorkerToHost): void;
  exit(exit: WorkerExit): void;
}

/** One worker, thread or process, as the pool drives it. */
export interface WorkerHandle {
  readonly name: string;
  /** Threads only: counts tasks started (tells which ran when the worker dies), and the claim ring (see CLAIM_RING). */
  readonly started?: Int32Array;
  post(msg: HostToWorker, transfer?: ArrayBuffer[]): void;
  /** Terminates at once, even inside a loop that never yields. */
  kill(): void;
  /** Threads: delivers the messages the worker has already posted, now (before a kill loses them). */
  drain?(): void;
  /** Lets the host process exit while this worker is idle. */
  ref(): void;
  unref(): void;
}
