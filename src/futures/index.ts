// Public API of the executor library: futures, executors, wait/asCompleted, task references, errors.
export * from './contract';
export { Future, setFutureLogger, type FutureOptions } from './future';
export { Executor, type MapOptions, type ShutdownOptions } from './executor';
export { ThreadPoolExecutor, type ThreadPoolOptions } from './thread-pool';
export { ProcessPoolExecutor, type ProcessPoolOptions } from './process-pool';
export type { PoolOptions, ResourceLimits } from './pool-options';
export { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type WaitOptions, type DoneAndNotDone } from './wait';
export { taskModule, taskRef, type TaskModuleRefs } from './task-ref';
export { CancelledError, TimeoutError, InvalidStateError, BrokenExecutor, BrokenThreadPool, BrokenProcessPool, RemoteError, describeError } from './errors';
