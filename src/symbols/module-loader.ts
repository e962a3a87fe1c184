// Host side of symbol loading: plans a module, submits its chunks to the executor's bulk lane, and joins the index segments.
import type { Executor } from '../futures/executor';
import type { Future } from '../futures/future';
import { taskModule } from '../futures/task-ref';
import type { SymbolIndexStore } from './index-store';
import type { SymbolLoadRequest, SymbolLoadResult } from './load-task';
import { SymbolIndex } from './symbol-index';

export const symbolTasks = taskModule<typeof import('./load-task')>('symbols/load-task');

export interface LoadModuleOptions {
  /** Sidebar owner tag (the debug session id). */
  owner?: string;
  /** Target .debug_info bytes per chunk; default: about four chunks per worker (so a slow chunk does not leave a worker idle), at least 4 MB each. */
  chunkBytes?: number;
  /** Aggregated progress of all chunks, 0..1. */
  onProgress?: (fraction: number, message: string) => void;
  /** Called with each future as it is submitted (the Modules view can cancel them). */
  onFuture?: (future: Future<unknown>) => void;
  signal?: AbortSignal;
  /** Where indexes persist across windows: a module stored there unchanged is not read again, and one read is stored. */
  store?: SymbolIndexStore;
  /** Called when the store has been written (or failed to be), for tests and benchmarks. */
  onStored?: (error?: Error) => void;
}

/** What one chunk's load found; `index` (its segment) is there after a load, not when the module came from the on-disk store (its segments are read on demand). */
export type LoadedPart = Omit<SymbolLoadResult, 'index'> & { index?: ArrayBufferLike };

export interface LoadedModule {
  index: SymbolIndex;
  /** One result per chunk, in .debug_info order. */
  parts: LoadedPart[];
  status: SymbolLoadResult['status'];
  debugInfoBytes: number;
  warnings: string[];
  /** Set when the index came from the on-disk store rather than from reading the module: the file's size, and how much of it has been read so far. */
  stored?: { fileBytes: number; bytesRead: () => number };
}

/** Loads one module with as many chunk futures as its DWARF size warrants; rejects with the first chunk error (the others are cancelled). */
export async function loadModuleSymbols(executor: Executor, request: SymbolLoadRequest, options: LoadModuleOptions = {}): Promise<LoadedModule> {
  const name = moduleFileName(request.path);
  const base = { kind: 'Symbols', lane: 'bulk' as const, owner: options.owner };
  const track = <T>(f: Future<T>): Future<T> => {
    options.onFuture?.(f as Future<unknown>);
    if (options.signal?.aborted) f.interrupt();
    else options.signal?.addEventListener('abort', () => f.interrupt(), { once: true });
    return f;
  };
  options.signal?.throwIfAborted();
  const store = options.store;
  const key = store?.keyOf(request.path, request.searchPaths);
  if (store && key) {
    const stored = await store.get(key);
    if (stored) return stored;
    options.signal?.throwIfAborted();
  }
  const stat = await statSize(request.path);
  // The file size over-estimates .debug_info (about 40% of a Rust debug build), so divide more finely than the worker count alone suggests.
  const chunkBytes = options.chunkBytes ?? Math.max(4 * 1024 * 1024, Math.ceil((stat * 0.4) / (executor.maxWorkers * 4)));
  const plan = await track(executor.submitWith({ ...base, label: `${name}: plan` }, symbolTasks.planModuleLoad, request, chunkBytes)).result();
  const fractions = plan.chunks.map(() => 0);
  const futures = plan.chunks.map((chunk, i) => {
    const label = plan.chunks.length > 1 ? `${name} (${i + 1}/${plan.chunks.length})` : name;
    const f = track(executor.submitWith({ ...base, label }, symbolTasks.loadModule, chunk));
    f.onProgress((p) => {
      fractions[i] = p.fraction ?? fractions[i];
      options.onProgress?.(fractions.reduce((a, b) => a + b, 0) / fractions.length, p.message ?? '');
    });
    return f;
  });
  let parts: SymbolLoadResult[];
  try {
    parts = await Promise.all(futures.map((f) => f.result()));
  } catch (err) {
    for (const f of futures) f.interrupt();
    throw err;
  }
  const rank = { loaded: 2, publicsOnly: 1, none: 0 } as const;
  const status = parts.reduce<SymbolLoadResult['status']>((s, p) => (rank[p.status] > rank[s] ? p.status : s), 'none');
  const loaded: LoadedModule = {
    index: new SymbolIndex(parts.map((p) => p.index)),
    parts,
    status,
    debugInfoBytes: parts.reduce((n, p) => n + p.debugInfoBytes, 0),
    warnings: [...plan.warnings, ...parts.flatMap((p) => p.warnings)],
  };
  if (store && key) {
    // Stored in the background, and only when the file is still what the key says (not rebuilt during the load).
    const after = store.keyOf(request.path, request.searchPaths);
    if (after?.text === key.text) store.put(key, loaded).then(() => options.onStored?.(), (err: Error) => options.onStored?.(err));
    else options.onStored?.(new Error('the file changed while it was read; its index was not stored'));
  }
  return loaded;
}

/** The file name of a module's path, Windows or POSIX: its label in Debugger Tasks and the Modules view. */
export function moduleFileName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

async function statSize(p: string): Promise<number> {
  const fs = await import('node:fs/promises');
  try {
    return (await fs.stat(p)).size;
  } catch {
    return 0;
  }
}
