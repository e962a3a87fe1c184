// A task context for calling the symbol load task on the test's own thread, without an executor.
import type { TaskContext } from '../../../src/futures/contract';

export function directContext(): TaskContext {
  return { signal: new AbortController().signal, reportProgress: () => undefined } as unknown as TaskContext;
}
