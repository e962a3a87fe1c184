// The abstract Executor: submit/map/shutdown as in CPython, plus the events and stats the sidebar observes.
import { EventEmitter } from 'node:events';
import type { ExecutorEvents, ExecutorStats, SubmitOptions, TaskRef } from './contract';
import { TimeoutError } from './errors';
import type { Future } from './future';

export interface ShutdownOptions {
  /** Resolve only once every submitted future has settled and the workers have exited (default true). */
  wait?: boolean;
  /** Cancel the futures still queued (default false); running ones finish (interrupt() them to stop them). */
  cancelFutures?: boolean;
}

export interface MapOptions {
  /** Milliseconds from the map() call; when a result is not ready by then, TimeoutError and the rest are cancelled. */
  timeout?: number;
  /** Items per task (a worker runs a chunk of items as one task); default 1. */
  chunksize?: number;
  /** At most this many tasks submitted ahead of the consumer (CPython 3.14); default: all at once. */
  buffersize?: number;
  /** Submit options for every task (label, kind, lane, owner, ...). */
  submit?: SubmitOptions;
}

function positiveInteger(value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`${what} must be a positive integer (got ${String(value)})`);
  }
}

export abstract class Executor extends EventEmitter<ExecutorEvents> {
  abstract readonly maxWorkers: number;

  /** Runs `task(ctx, ...args)` on a worker; the returned future settles with its result. */
  submit<A extends unknown[], R>(task: TaskRef<A, R>, ...args: A): Future<R> {
    return this.submitWith({}, task, ...args);
  }

  /** submit() with a label, kind, lane, deadline, owner, request handler or transfer list. */
  abstract submitWith<A extends unknown[], R>(options: SubmitOptions, task: TaskRef<A, R>, ...args: A): Future<R>;

  /**
   * A future for work that runs here, on the submitting side's event loop, because it only waits (on a debugger, on
   * I/O): no worker round trip, yet shown, observed, cancelled and timed out like a task. It is RUNNING from the start
   * (worker 'host'); `work` gets a signal aborted when the future is interrupted or misses its deadline.
   * SubmitOptions' onRequest and transfer do not apply.
   */
  abstract submitOnHost<R>(options: SubmitOptions, work: (signal: AbortSignal) => Promise<R>): Future<R>;

  /** @internal one task over a list of argument lists, resolving with the list of results (map's chunksize). */
  protected abstract submitChunk<A extends unknown[], R>(options: SubmitOptions, task: TaskRef<A, R>, argLists: A[]): Future<R[]>;

  /**
   * `task(ctx, item)` for each item; yields the results in input order. Tasks are submitted now (not
   * when iteration starts), up to `buffersize` ahead. On timeout, an error, or when the consumer stops,
   * the futures not yet done are interrupted.
   */
  map<T, R>(task: TaskRef<[T], R>, items: Iterable<T>, options: MapOptions = {}): AsyncGenerator<R, void, undefined> {
    positiveInteger(options.chunksize, 'map(): options.chunksize');
    positiveInteger(options.buffersize, 'map(): options.buffersize');
    if (options.timeout !== undefined && !(typeof options.timeout === 'number' && options.timeout >= 0)) {
      throw new RangeError(`map(): options.timeout must be a number of milliseconds >= 0 (got ${String(options.timeout)})`);
    }
    const chunksize = options.chunksize ?? 1;
    const submitOptions = options.submit ?? {};
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    const iterator = items[Symbol.iterator]();
    let exhausted = false;
    const submitNext = (): Future<R[]> | Future<R> | undefined => {
      if (exhausted) return undefined;
      const chunk: [T][] = [];
      while (chunk.length < chunksize) {
        const next = iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        chunk.push([next.value]);
      }
      if (chunk.length === 0) return undefined;
      return chunksize === 1 ? this.submitWith(submitOptions, task, ...chunk[0]) : this.submitChunk(submitOptions, task, chunk);
    };
    const futures: Array<Future<R[]> | Future<R>> = [];
    const limit = options.buffersize ?? Infinity;
    while (futures.length < limit) {
      const f = submitNext();
      if (!f) break;
      futures.push(f);
    }
    return (async function* results(): AsyncGenerator<R, void, undefined> {
      try {
        while (futures.length > 0) {
          const f = futures.shift()!;
          const remaining = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
          let value: R | R[];
          try {
            value = await f.result(remaining);
          } catch (err) {
            if (err instanceof TimeoutError && !f.done()) {
              f.interrupt();
              throw new TimeoutError(`map(): a result was not ready within ${options.timeout} ms; the remaining tasks were cancelled`);
            }
            throw err;
          }
          const next = submitNext();
          if (next) futures.push(next);
          if (chunksize === 1) yield value as R;
          else yield* value as R[];
        }
      } finally {
        for (const f of futures) f.interrupt();
      }
    })();
  }

  /** Stops accepting work; idempotent. See ShutdownOptions. */
  abstract shutdown(options?: ShutdownOptions): Promise<void>;

  /** Queued and running futures, and live workers. */
  abstract stats(): ExecutorStats;

  /** Changes maxWorkers (e.g. after a settings change); extra workers retire when their work is done. */
  abstract resize(maxWorkers: number): void;

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }
}
