// The options shared by both pools, their up-front validation, and where task modules are found by default.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkModulePath } from './task-ref';

export interface ResourceLimits {
  /** Heap cap of each worker (threads: resourceLimits; processes: --max-old-space-size). */
  maxOldGenerationSizeMb?: number;
  /** Threads only. */
  maxYoungGenerationSizeMb?: number;
  /** Threads only. */
  stackSizeMb?: number;
}

export interface PoolOptions {
  /** General workers for bulk (and interactive) work; default: the number of CPUs. */
  maxWorkers?: number;
  /** Where task modules are found: '<modulesRoot>/<module>.js'. Default: the folder above futures/ (out/src or dist). */
  modulesRoot?: string;
  /** Runs once in each new worker before any task, as initializer(...initargs); if it throws, the pool breaks. */
  initializer?: { readonly module: string; readonly name: string };
  initargs?: unknown[];
  /** A worker is replaced after running this many tasks. */
  maxTasksPerChild?: number;
  resourceLimits?: ResourceLimits;
  /** How long an interrupted task may take to stop before its worker is terminated (default 100 ms). */
  interruptGraceMs?: number;
  /** Quick bulk tasks in flight per worker (default 128 for threads, 1 for processes; 1 disables prefetch). */
  prefetch?: number;
  /** Keep a worker for the interactive lane beyond maxWorkers (default true). */
  reserveInteractiveWorker?: boolean;
  /**
   * Keep one more general worker started and idle (beyond maxWorkers; counted in stats().workers), which
   * takes the place of a worker terminated for a task that would not stop, so the next task does not
   * wait for a new worker to start (default false: it costs an idle worker's memory).
   */
  warmSpare?: boolean;
  /** Workers in a row that die before they are ready (a crash loop) that break the pool (default 3). */
  crashLoopLimit?: number;
}

export function checkInteger(value: unknown, option: string, min: number, max: number): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`options.${option} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
}

export const MAX_WORKERS_LIMIT = 1024;

/**
 * The default modulesRoot: the folder holding futures/worker-entry.js. Under tsc this code is
 * out/src/futures/*.js (root out/src); bundled it is inlined into dist/extension.js (root dist) or
 * dist/debug/adapter-main.js (root dist); `here` is the __dirname of the calling file.
 */
export function locateModulesRoot(here: string, exists: (file: string) => boolean = fs.existsSync, pathApi: path.PlatformPath = path): string {
  const candidates = [pathApi.resolve(here, '..'), here];
  return candidates.find((dir) => exists(pathApi.join(dir, 'futures', 'worker-entry.js'))) ?? candidates[0];
}

/** Throws an error naming the option and its allowed range for the first bad option. */
export function validatePoolOptions(options: PoolOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  checkInteger(options.maxWorkers, 'maxWorkers', 1, MAX_WORKERS_LIMIT);
  checkInteger(options.maxTasksPerChild, 'maxTasksPerChild', 1, Number.MAX_SAFE_INTEGER);
  checkInteger(options.interruptGraceMs, 'interruptGraceMs', 0, 60_000);
  checkInteger(options.prefetch, 'prefetch', 1, 1024);
  checkInteger(options.crashLoopLimit, 'crashLoopLimit', 1, 1_000_000);
  for (const key of ['reserveInteractiveWorker', 'warmSpare'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new TypeError(`options.${key} must be true or false (got ${String(options[key])})`);
  }
  if (options.initargs !== undefined && !Array.isArray(options.initargs)) throw new TypeError('options.initargs must be an array of arguments for the initializer');
  if (options.initializer !== undefined) {
    checkModulePath(options.initializer.module);
    if (typeof options.initializer.name !== 'string') throw new TypeError('options.initializer must be a task reference { module, name }');
  }
  const limits = options.resourceLimits ?? {};
  for (const key of ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'] as const) {
    const v = limits[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new RangeError(`options.resourceLimits.${key} must be a positive number of megabytes (got ${String(v)})`);
    }
  }
  if (options.modulesRoot !== undefined && (typeof options.modulesRoot !== 'string' || options.modulesRoot === '')) {
    throw new TypeError('options.modulesRoot must be a folder path (where <module>.js task files are)');
  }
}
