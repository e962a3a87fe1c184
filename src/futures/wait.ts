// wait() and asCompleted(): CPython's module functions over sets of futures, with duplicates counted once.
import { TimeoutError } from './errors';
import type { Future } from './future';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export interface WaitOptions {
  /** Milliseconds; on expiry the partial sets are returned (no error). */
  timeout?: number;
  returnWhen?: ReturnWhen;
}

export interface DoneAndNotDone<T> {
  done: Set<Future<T>>;
  notDone: Set<Future<T>>;
}

/** Done for `wait`: FINISHED, or cancelled and noticed by its executor (CANCELLED_AND_NOTIFIED). */
function completed<T>(f: Future<T>): boolean {
  return f.state === 'FINISHED' || f.state === 'CANCELLED_AND_NOTIFIED';
}

function failed<T>(f: Future<T>): boolean {
  return f.state === 'FINISHED' && f.failed;
}

function checkTimeout(timeout: number | undefined, what: string): void {
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0)) {
    throw new RangeError(`${what}: timeout must be a number of milliseconds >= 0 or undefined (got ${String(timeout)})`);
  }
}

/** Waits until the condition in returnWhen holds (default ALL_COMPLETED) or the timeout passes. */
export function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): Promise<DoneAndNotDone<T>> {
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (![FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED].includes(returnWhen)) {
    return Promise.reject(new RangeError(`wait(): returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED (got ${String(returnWhen)})`));
  }
  try {
    checkTimeout(options.timeout, 'wait()');
  } catch (err) {
    return Promise.reject(err);
  }
  const all = new Set(futures);
  const done = new Set<Future<T>>();
  for (const f of all) if (completed(f)) done.add(f);
  const split = (): DoneAndNotDone<T> => ({ done: new Set(done), notDone: new Set([...all].filter((f) => !done.has(f))) });
  const satisfied = (): boolean =>
    done.size === all.size ||
    (returnWhen === FIRST_COMPLETED && done.size > 0) ||
    (returnWhen === FIRST_EXCEPTION && [...done].some(failed));
  if (satisfied()) return Promise.resolve(split());
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearTimeout(timer);
      for (const f of all) f._removeWaiter(onComplete);
      resolve(split());
    };
    const onComplete = (f: Future<T>): void => {
      done.add(f);
      if (satisfied()) finish();
    };
    for (const f of all) if (!done.has(f)) f._addWaiter(onComplete);
    if (options.timeout !== undefined) timer = setTimeout(finish, options.timeout);
  });
}

/**
 * Yields the futures as they complete: those already done first, then in completion order; each once.
 * Throws TimeoutError "N (of M) futures unfinished" if they are not all done within timeoutMs of the call.
 */
export async function* asCompleted<T>(futures: Iterable<Future<T>>, timeoutMs?: number): AsyncGenerator<Future<T>, void, undefined> {
  checkTimeout(timeoutMs, 'asCompleted()');
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const all = new Set(futures);
  const pending = new Set<Future<T>>();
  const ready: Future<T>[] = [];
  let wake: (() => void) | undefined;
  const onComplete = (f: Future<T>): void => {
    if (!pending.delete(f)) return;
    f._removeWaiter(onComplete);
    ready.push(f);
    wake?.();
  };
  const finished: Future<T>[] = [];
  for (const f of all) {
    if (completed(f)) finished.push(f);
    else {
      pending.add(f);
      f._addWaiter(onComplete);
    }
  }
  try {
    yield* finished;
    while (pending.size > 0 || ready.length > 0) {
      if (ready.length === 0) {
        const remaining = deadline === undefined ? undefined : deadline - Date.now();
        if (remaining !== undefined && remaining <= 0) {
          throw new TimeoutError(`${pending.size} (of ${all.size}) futures unfinished`);
        }
        await new Promise<void>((resolve) => {
          const timer = remaining === undefined ? undefined : setTimeout(resolve, remaining);
          wake = () => {
            if (timer) clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        continue;
      }
      yield ready.shift()!;
    }
  } finally {
    for (const f of pending) f._removeWaiter(onComplete);
  }
}
