// The executor's public contract, fixed up front so that the UI, the debug adapter and the symbol loader can be written against it.
// The futures library implements these; src/futures/index.ts re-exports them with the classes.

/** States of a Future, as in CPython's concurrent.futures (CANCELLED_AND_NOTIFIED is what `wait` needs). */
export type FutureState = 'PENDING' | 'RUNNING' | 'CANCELLED' | 'CANCELLED_AND_NOTIFIED' | 'FINISHED';

/** Interactive work (an evaluation the user waits for) never queues behind bulk work (symbol loading). */
export type Lane = 'interactive' | 'bulk';

/** How a settled future ended, for display: done, failed, cancelled, or timed out (its deadline fired). */
export type Outcome = 'done' | 'failed' | 'cancelled' | 'timedOut';

export interface Progress {
  /** 0..1, when known. */
  readonly fraction?: number;
  readonly message?: string;
}

export interface Disposable {
  dispose(): void;
}

/** What a task function receives as its first argument, inside the worker. */
export interface TaskContext {
  /** Aborted when the future is cancelled or its deadline expires; the task should stop soon after. */
  readonly signal: AbortSignal;
  /** Reports progress; the submitting side sees it as the future's `progress` event. Cheap to call often (coalesced). */
  reportProgress(progress: Progress): void;
  /** Asks the submitting side a question; answered by `SubmitOptions.onRequest`. Rejects if there is no handler. */
  request<T = unknown>(method: string, params?: unknown): Promise<T>;
}

/** A task is a named export of a task module: `(ctx, ...args) => result`. */
export type TaskFunction<A extends unknown[] = any[], R = unknown> = (ctx: TaskContext, ...args: A) => R | Promise<R>;

/** A reference to a task by module and export name; no function source crosses to a worker. */
export interface TaskRef<A extends unknown[], R> {
  /** Module path relative to the executor's `modulesRoot` without extension, e.g. 'rust/evaluate-task'. */
  readonly module: string;
  readonly name: string;
  /** Phantom fields that carry the signature for type checking. */
  readonly __args?: A;
  readonly __result?: R;
}

/** Handler for a task's `ctx.request`, given at submit. `signal` aborts when the future settles. */
export type RequestHandler = (method: string, params: unknown, signal: AbortSignal) => Promise<unknown> | unknown;

export interface SubmitOptions {
  /** What the task works on, shown in the sidebar (e.g. the expression, the module name). */
  label?: string;
  /** Grouping in the sidebar: 'Symbols', 'Evaluations', 'Formatting', 'Demo', ... */
  kind?: string;
  lane?: Lane;
  /** Deadline in ms from submission: on expiry, queued or running, the task is cancelled and the future fails with TimeoutError. */
  timeout?: number;
  /** Free-form owner tag, e.g. the debug session id, used by the sidebar to group and by the adapter to cancel. */
  owner?: string;
  /** Answers the task's `ctx.request` calls. */
  onRequest?: RequestHandler;
  /** ArrayBuffers to transfer (not copy) with the arguments. */
  transfer?: ArrayBuffer[];
}

/** Read-only view of one future for observers (the sidebar, the log). */
export interface FutureInfo {
  readonly id: number;
  readonly label: string;
  readonly kind: string;
  readonly lane: Lane;
  readonly owner: string | undefined;
  readonly state: FutureState;
  /** Set once settled. */
  readonly outcome: Outcome | undefined;
  /** Date.now() values. */
  readonly submittedAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** Which worker ran it (e.g. 'thread#3', 'process#2 pid 1234'), once started. */
  readonly worker: string | undefined;
  readonly lastProgress: Progress | undefined;
  /** The error it failed with, once failed or timed out. */
  readonly error: unknown;
}

export interface ExecutorStats {
  readonly queued: number;
  readonly running: number;
  readonly workers: number;
}

/** Events emitted by every executor (Node EventEmitter names). */
export interface ExecutorEvents {
  submitted: [FutureInfo];
  started: [FutureInfo];
  progress: [FutureInfo, Progress];
  settled: [FutureInfo];
}
