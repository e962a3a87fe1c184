// The benchmark's task functions for the peers (piscina, tinypool; poolifier and workerpool wrap them), the same work as futures/demo-tasks' quick and spin.

/** Returns at once. */
export function quick(x: number): number {
  return x * 2;
}

/** Never yields, never returns: only terminating the worker stops it. */
export function spin(): never {
  for (;;) {
    // Deliberately endless.
  }
}
