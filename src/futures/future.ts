// Future<T>: CPython's concurrent.futures state machine, plus progress, observability fields and interrupt().
import type { Disposable, FutureInfo, FutureState, Lane, Outcome, Progress } from './contract';
import { CancelledError, InvalidStateError, TimeoutError, describeError } from './errors';

/** Where a throwing done-callback or progress listener is reported; replace it to route into a log. */
export let futureLogger: (message: string, err: unknown) => void = (message, err) => {
  console.error(message, err);
};
export function setFutureLogger(logger: (message: string, err: unknown) => void): void {
  futureLogger = logger;
}

/** What the executor that owns a future does when it is cancelled or interrupted. */
export interface FutureControl {
  /**
   * A PENDING future is being cancelled: take it out of the queue or back from its worker (the future
   * then notifies itself). False: its worker has just started it, so it is RUNNING now and not cancelled.
   */
  cancelled(future: Future<unknown>): boolean;
  /** interrupt() on an unsettled future: stop the work; the executor settles the future. */
  interrupt(future: Future<unknown>): void;
  /** The future has just settled (before its done callbacks run). */
  settled?(future: Future<unknown>): void;
}

export interface FutureOptions {
  label?: string;
  kind?: string;
  lane?: Lane;
  owner?: string;
}

let nextId = 1;

export class Future<T = unknown> implements FutureInfo {
  readonly id = nextId++;
  readonly label: string;
  readonly kind: string;
  readonly lane: Lane;
  readonly owner: string | undefined;
  readonly submittedAt = Date.now();
  startedAt: number | undefined;
  finishedAt: number | undefined;
  worker: string | undefined;
  lastProgress: Progress | undefined;

  private _state: FutureState = 'PENDING';
  private _outcome: Outcome | undefined;
  private _result: T | undefined;
  private _exception: unknown;
  private _hasException = false;
  // Typed with Future<any> so that Future<T> stays covariant in T (a Future<number> is a Future<unknown>).
  private callbacks: Array<(f: Future<any>) => void> | undefined;
  /** Resolvers of result()/exception() calls; run when done() becomes true. */
  private settleWaiters: Array<() => void> | undefined;
  /** resolve, reject, resolve, reject, ... of result() calls without a timeout. */
  private resultWaiters: Array<(v: never) => void> | undefined;
  /** Observers for wait/asCompleted; told when the future is FINISHED or CANCELLED_AND_NOTIFIED. */
  private waiters: Set<(f: Future<any>) => void> | undefined;
  private progressListeners: Array<(p: Progress) => void> | undefined;
  /** @internal set by the executor that created the future. */
  _control: FutureControl | undefined;

  constructor(options: FutureOptions = {}) {
    this.label = options.label ?? '';
    this.kind = options.kind ?? 'Task';
    this.lane = options.lane ?? 'bulk';
    this.owner = options.owner;
  }

  get state(): FutureState {
    return this._state;
  }
  get outcome(): Outcome | undefined {
    return this._outcome;
  }
  /** The error it failed with (undefined unless failed or timed out). */
  get error(): unknown {
    return this._hasException ? this._exception : undefined;
  }
  /** True when it failed, even with a falsy thrown value (`throw 0`). */
  get failed(): boolean {
    return this._hasException;
  }

  /** Cancels a PENDING future. False when RUNNING or FINISHED; true when (already) cancelled. See interrupt() for running work. */
  cancel(): boolean {
    if (this._state === 'RUNNING' || this._state === 'FINISHED') return false;
    if (this._state === 'CANCELLED' || this._state === 'CANCELLED_AND_NOTIFIED') return true;
    // The owning executor takes it out of its queue first, and notifies it at once (no worker will).
    if (this._control && !this._control.cancelled(this as Future<unknown>)) return false;
    this.settleCancelled();
    if (this._control) this.setRunningOrNotifyCancel();
    return true;
  }

  /**
   * Beyond CPython: cancels in any unsettled state. A running task's signal is aborted and the future
   * settles CANCELLED at once; its executor terminates the worker if the task does not stop within
   * the grace period. False only when already settled.
   */
  interrupt(): boolean {
    if (this.done()) return false;
    if (this._control) {
      this._control.interrupt(this as Future<unknown>);
    } else {
      this.settleCancelled();
      this.setRunningOrNotifyCancel();
    }
    return true;
  }

  cancelled(): boolean {
    return this._state === 'CANCELLED' || this._state === 'CANCELLED_AND_NOTIFIED';
  }
  running(): boolean {
    return this._state === 'RUNNING';
  }
  done(): boolean {
    return this._state === 'CANCELLED' || this._state === 'CANCELLED_AND_NOTIFIED' || this._state === 'FINISHED';
  }

  /** Resolves with the result; rejects with the task's exception, CancelledError, or TimeoutError after timeoutMs. */
  result(timeoutMs?: number): Promise<T> {
    if (timeoutMs === undefined && !this.done()) {
      // The common case, kept cheap: one promise, settled straight from the worker's answer.
      return new Promise<T>((resolve, reject) => (this.resultWaiters ??= []).push(resolve, reject));
    }
    return this.whenDone(timeoutMs, () => {
      if (this.cancelled()) throw new CancelledError(`future #${this.id}${this.describeLabel()} was cancelled`);
      if (this._hasException) throw this._exception;
      return this._result as T;
    });
  }

  /** Resolves with the exception (undefined on success); rejects with CancelledError or TimeoutError. */
  exception(timeoutMs?: number): Promise<unknown> {
    return this.whenDone(timeoutMs, () => {
      if (this.cancelled()) throw new CancelledError(`future #${this.id}${this.describeLabel()} was cancelled`);
      return this._hasException ? this._exception : undefined;
    });
  }

  /** Runs fn when the future is done (at once if it already is). A throwing fn is logged; the others still run. */
  addDoneCallback(fn: (future: Future<T>) => void): void {
    if (this.done()) {
      this.invoke(fn);
      return;
    }
    (this.callbacks ??= []).push(fn);
  }

  /** Listens to the task's progress reports. */
  onProgress(fn: (progress: Progress, future: Future<T>) => void): Disposable {
    const listener = (p: Progress): void => fn(p, this);
    (this.progressListeners ??= []).push(listener);
    return {
      dispose: () => {
        const i = this.progressListeners?.indexOf(listener) ?? -1;
        if (i >= 0) this.progressListeners!.splice(i, 1);
      },
    };
  }

  /**
   * For executors: PENDING → RUNNING returns true; CANCELLED → CANCELLED_AND_NOTIFIED returns false
   * (and wakes `wait`/`asCompleted`). InvalidStateError in any other state.
   */
  setRunningOrNotifyCancel(): boolean {
    if (this._state === 'CANCELLED') {
      this._state = 'CANCELLED_AND_NOTIFIED';
      this.notifyWaiters();
      return false;
    }
    if (this._state === 'PENDING') {
      this._state = 'RUNNING';
      this.startedAt = Date.now();
      return true;
    }
    throw new InvalidStateError(`future #${this.id} in unexpected state ${this._state}: setRunningOrNotifyCancel() needs PENDING or CANCELLED`);
  }

  setResult(value: T): void {
    this.checkSettleable('setResult');
    this._result = value;
    this.finish('done');
  }

  /** Any thrown value counts as an exception, falsy ones too. */
  setException(exception: unknown): void {
    this.checkSettleable('setException');
    this._exception = exception;
    this._hasException = true;
    this.finish(exception instanceof TimeoutError && this._deadlineExpired ? 'timedOut' : 'failed');
  }

  /** @internal marks the coming TimeoutError as the future's own deadline (outcome 'timedOut'). */
  _deadlineExpired = false;

  /** @internal progress from the worker. */
  _progress(progress: Progress): void {
    if (this.done()) return;
    this.lastProgress = progress;
    for (const fn of this.progressListeners?.slice() ?? []) {
      try {
        fn(progress);
      } catch (err) {
        futureLogger(`progress listener of future #${this.id} threw ${describeError(err)}`, err);
      }
    }
  }

  /** @internal for wait/asCompleted. */
  _addWaiter(fn: (f: Future<T>) => void): void {
    (this.waiters ??= new Set()).add(fn);
  }
  /** @internal */
  _removeWaiter(fn: (f: Future<T>) => void): void {
    this.waiters?.delete(fn);
  }

  /** @internal a prefetched task whose worker died or that was taken back before it started goes back to the queue. */
  _backToPending(): void {
    if (this._state === 'RUNNING') {
      this._state = 'PENDING';
      this.startedAt = undefined;
      this.worker = undefined;
    }
  }

  /** @internal PENDING or RUNNING → CANCELLED, running the done callbacks. */
  settleCancelled(): void {
    this._state = 'CANCELLED';
    this._outcome = 'cancelled';
    this.finishedAt = Date.now();
    this.afterDone();
  }

  toString(): string {
    return `Future #${this.id}${this.describeLabel()} [${this._state}]`;
  }

  private describeLabel(): string {
    return this.label ? ` (${this.label})` : '';
  }

  private checkSettleable(op: string): void {
    if (this.done()) throw new InvalidStateError(`${op}() on future #${this.id}${this.describeLabel()}: it is already ${this._state}`);
  }

  private finish(outcome: Outcome): void {
    this._state = 'FINISHED';
    this._outcome = outcome;
    this.finishedAt = Date.now();
    this.notifyWaiters();
    this.afterDone();
  }

  private afterDone(): void {
    this._control?.settled?.(this as Future<unknown>);
    const results = this.resultWaiters;
    this.resultWaiters = undefined;
    if (results) {
      const cancelled = this.cancelled() ? new CancelledError(`future #${this.id}${this.describeLabel()} was cancelled`) : undefined;
      for (let i = 0; i < results.length; i += 2) {
        if (cancelled) results[i + 1](cancelled as never);
        else if (this._hasException) results[i + 1](this._exception as never);
        else results[i](this._result as never);
      }
    }
    const settle = this.settleWaiters;
    this.settleWaiters = undefined;
    if (settle) for (const fn of settle) fn();
    const callbacks = this.callbacks;
    this.callbacks = undefined;
    if (callbacks) for (const fn of callbacks) this.invoke(fn);
    this.progressListeners = undefined;
  }

  private notifyWaiters(): void {
    if (this.waiters) for (const fn of [...this.waiters]) fn(this);
  }

  private invoke(fn: (f: Future<any>) => void): void {
    try {
      fn(this);
    } catch (err) {
      futureLogger(`done callback of future #${this.id}${this.describeLabel()} threw ${describeError(err)}`, err);
    }
  }

  private whenDone<R>(timeoutMs: number | undefined, read: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const settle = (): void => {
        try {
          resolve(read());
        } catch (err) {
          reject(err);
        }
      };
      if (this.done()) return settle();
      let timer: NodeJS.Timeout | undefined;
      const onDone = (): void => {
        if (timer) clearTimeout(timer);
        settle();
      };
      (this.settleWaiters ??= []).push(onDone);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.settleWaiters?.indexOf(onDone) ?? -1;
          if (i >= 0) this.settleWaiters!.splice(i, 1);
          reject(new TimeoutError(`future #${this.id}${this.describeLabel()} did not finish within ${timeoutMs} ms (it is ${this._state})`));
        }, Math.max(0, timeoutMs));
      }
    });
  }
}
