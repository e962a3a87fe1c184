// Runs tasks inside a worker (thread or process): loads task modules, runs one task at a time, batches results back.
import type { Progress, TaskContext } from './contract';
import { fromWireError, toWireError, type WireError } from './errors';
import { describeTask, taskModuleFile } from './task-ref';
import { CLAIM_DONE, CLAIM_RING, type HostToWorker, type RunTask, type TaskDone, type WorkerInit, type WorkerToHost } from './wire';

type AnyTask = (ctx: TaskContext, ...args: unknown[]) => unknown;

/** Progress reports closer together than this are coalesced into the latest one. */
const PROGRESS_INTERVAL_MS = 16;
/**
 * A thread worker that runs out of work waits this long in Atomics.wait for more before going back to
 * its event loop: the next task of a burst then starts without an event-loop wake-up (as piscina's
 * 'sync' atomics do), while an idle worker still costs nothing after a moment.
 */
const LINGER_MS = 2;
/**
 * The first part of the linger is spent polling instead of sleeping: waking a thread out of Atomics.wait
 * costs 40-60 µs here, as much as the rest of a hover's round trip, and a debugger's next request (the
 * next watch, the hover after a step) arrives within a client round trip. Measured on a hover:
 * worker round trip 0.12 ms sleeping, 0.06 ms polling. At most this much CPU per burst of tasks.
 */
const SPIN_MS = 1;

class TaskContextImpl implements TaskContext {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  lastProgressAt = 0;
  pendingProgress: Progress | undefined;
  progressTimer: NodeJS.Timeout | undefined;
  finished = false;

  constructor(
    private readonly runtime: WorkerRuntime,
    readonly task: RunTask,
    /** Its send number (threads: its claim cell, see CLAIM_RING). */
    readonly seq: number,
    /** The task function, unless it could not be loaded. */
    readonly fn: AnyTask | undefined,
  ) {}

  /** Created on first use: most tiny tasks never look at it. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.runtime.rejectRequestsOf(this.task.id, reason);
  }

  reportProgress(progress: Progress): void {
    if (this.finished) return;
    const now = Date.now();
    this.pendingProgress = { fraction: progress.fraction, message: progress.message };
    if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) {
      this.flushProgress();
    } else if (!this.progressTimer) {
      this.progressTimer = setTimeout(() => this.flushProgress(), PROGRESS_INTERVAL_MS);
    }
  }

  flushProgress(): void {
    if (this.progressTimer) {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
    }
    if (!this.pendingProgress) return;
    const progress = this.pendingProgress;
    this.pendingProgress = undefined;
    this.lastProgressAt = Date.now();
    this.runtime.post({ t: 'progress', id: this.task.id, progress });
  }

  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    if (!this.task.h) {
      return Promise.reject(
        new Error(`task ${describeTask(this.task)} called ctx.request('${method}') but no handler answers it: pass SubmitOptions.onRequest when submitting`),
      );
    }
    if (this.abortReason !== undefined) return Promise.reject(this.abortReason);
    return this.runtime.request(this.task.id, method, params) as Promise<T>;
  }
}

export class WorkerRuntime {
  private readonly queue: RunTask[] = [];
  /** The send number of each queued task (threads: its claim cell, see CLAIM_RING). */
  private readonly queueSeq: number[] = [];
  private received = 0;
  private busy = false;
  private ready = false;
  private current: TaskContextImpl | undefined;
  /**
   * Answers not yet posted. Never held across the start of another task (which may never yield) or a
   * turn of the event loop: see flush() in runQueued() and pump().
   */
  private outbox: TaskDone[] = [];
  private readonly modules = new Map<string, Record<string, unknown>>();
  private readonly requests = new Map<number, { id: number; resolve(v: unknown): void; reject(e: unknown): void }>();
  private nextRid = 1;
  private modulesRoot = '';
  private started: Int32Array | undefined;

  private lingering = false;

  /**
   * `receive` (threads) takes the next message off the port synchronously; with the shared `started`
   * array it lets the worker linger for more work (see LINGER_MS).
   */
  constructor(
    readonly post: (msg: WorkerToHost) => void,
    private readonly receive?: () => HostToWorker | undefined,
  ) {}

  async init(init: WorkerInit): Promise<void> {
    this.modulesRoot = init.modulesRoot;
    if (init.started) this.started = new Int32Array(init.started);
    if (init.initializer) {
      try {
        const fn = this.resolve(init.initializer.module, init.initializer.name);
        await (fn as (...a: unknown[]) => unknown)(...init.initargs);
      } catch (err) {
        this.post({ t: 'initFailed', error: toWireError(err) });
        return;
      }
    }
    this.ready = true;
    this.post({ t: 'ready' });
    this.pump();
    const preload = init.preload;
    if (preload && preload.length > 0) setImmediate(() => this.preload(preload));
  }

  /** Loads task modules ahead of their tasks; a module that fails to load is reported by the task that needs it. */
  private preload(modules: string[]): void {
    for (const module of modules) {
      try {
        this.load(module);
      } catch {
        // Reported when a task uses it.
      }
    }
  }

  onMessage(msg: HostToWorker): void {
    switch (msg.t) {
      case 'run':
        for (const task of msg.tasks) this.enqueue(task);
        if (!this.busy && this.ready && !this.lingering) this.pump();
        return;
      case 'task':
        this.enqueue(msg);
        if (!this.busy && this.ready && !this.lingering) this.pump();
        return;
      case 'exit':
        this.flush();
        process.exit(0);
        return;
      case 'cancel':
        this.cancel(msg.id, msg.reason);
        return;
      case 'reply': {
        const pending = this.requests.get(msg.rid);
        if (!pending) return;
        this.requests.delete(msg.rid);
        if (msg.ok) pending.resolve(msg.value);
        else pending.reject(fromWireError(msg.error!));
        return;
      }
      default:
        return;
    }
  }

  private enqueue(task: RunTask): void {
    this.queue.push(task);
    this.queueSeq.push(this.received++);
  }

  /** Threads: takes the task with send number n unless the host has revoked it (see CLAIM_RING). */
  private claim(n: number): boolean {
    const state = this.started;
    if (!state || state.length <= 2) return true;
    return Atomics.compareExchange(state, 2 + (n % CLAIM_RING), n + 1, -(n + 1)) === n + 1;
  }

  request(id: number, method: string, params: unknown): Promise<unknown> {
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      this.requests.set(rid, { id, resolve, reject });
      this.post({ t: 'request', id, rid, method, params });
    });
  }

  rejectRequestsOf(id: number, reason: unknown): void {
    if (this.requests.size === 0) return;
    for (const [rid, pending] of this.requests) {
      if (pending.id === id) {
        this.requests.delete(rid);
        pending.reject(reason);
      }
    }
  }

  private cancel(id: number, reason: 'cancelled' | 'timedOut'): void {
    const abortReason = new DOMException(reason === 'timedOut' ? 'the task deadline expired' : 'the task was cancelled', reason === 'timedOut' ? 'TimeoutError' : 'AbortError');
    if (this.current && this.current.task.id === id) {
      this.current.abort(abortReason);
      return;
    }
    const i = this.queue.findIndex((t) => t.id === id);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.queueSeq.splice(i, 1);
      this.outbox.push({ t: 'answer', id, ok: false, s: true, d: 0 });
      this.flush();
    }
  }

  /** Runs queued tasks one at a time; synchronous ones back to back, results batched. */
  private pump(): void {
    this.busy = true;
    do {
      if (!this.runQueued()) return;
      this.current = undefined;
      this.flush();
    } while (this.linger());
    this.busy = false;
  }

  /** Runs the queued tasks; false when it stopped at an asynchronous one (which calls pump() when it settles). */
  private runQueued(): boolean {
    while (this.queue.length > 0) {
      const task = this.queue.shift()!;
      const seq = this.queueSeq.shift()!;
      // Revoked by the host (cancelled, or moved to another worker): it is no longer ours, and unanswered.
      if (!this.claim(seq)) continue;
      // The answers of the tasks before go out before this one starts, whatever it is: it may never
      // yield (and be stopped only by terminating this worker), so nothing may wait behind it. This is
      // the settle bound: a finished task's answer is posted before its worker does anything else.
      this.flush();
      let fn: AnyTask | undefined;
      let unresolved: unknown;
      try {
        fn = this.resolve(task.module, task.name) as AnyTask;
      } catch (err) {
        unresolved = err;
      }
      if (this.started) Atomics.add(this.started, 0, 1);
      const ctx = new TaskContextImpl(this, task, seq, fn);
      const t0 = Date.now();
      let value: unknown;
      try {
        if (!fn) throw unresolved;
        this.current = ctx;
        value = task.c ? this.runChunk(fn, ctx, task.args as unknown[][]) : fn(ctx, ...task.args);
      } catch (err) {
        this.complete(ctx, false, err, t0);
        continue;
      }
      if (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function') {
        (value as PromiseLike<unknown>).then(
          (v) => {
            this.complete(ctx, true, v, t0);
            this.pump();
          },
          (e) => {
            this.complete(ctx, false, e, t0);
            this.pump();
          },
        );
        return false;
      }
      this.complete(ctx, true, value, t0);
    }
    return true;
  }

  /** Waits up to LINGER_MS for a message without the event loop; true when it brought work. */
  private linger(): boolean {
    const state = this.started;
    if (!state || !this.receive || this.requests.size > 0) return false;
    const now = performance.now();
    const end = now + LINGER_MS;
    const spinEnd = now + SPIN_MS;
    this.lingering = true;
    try {
      for (;;) {
        const seq = Atomics.load(state, 1);
        let msg = this.receive();
        while (msg) {
          this.onMessage(msg);
          if (this.queue.length > 0) return true;
          msg = this.receive();
        }
        // The host bumps state[1] with every message it posts: poll that, not the port.
        let at = performance.now();
        while (at < spinEnd && Atomics.load(state, 1) === seq) at = performance.now();
        if (Atomics.load(state, 1) !== seq) continue;
        const remaining = end - at;
        if (remaining <= 0) return false;
        Atomics.wait(state, 1, seq, remaining);
      }
    } finally {
      this.lingering = false;
    }
  }

  private runChunk(fn: AnyTask, ctx: TaskContext, argLists: unknown[][]): unknown {
    const results = argLists.map((args) => fn(ctx, ...args));
    return results.some((r) => r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') ? Promise.all(results) : results;
  }

  private complete(ctx: TaskContextImpl, ok: boolean, valueOrError: unknown, t0: number): void {
    ctx.flushProgress();
    ctx.finished = true;
    this.current = undefined;
    if (this.requests.size > 0) this.rejectRequestsOf(ctx.task.id, new Error('the task has finished'));
    const d = Date.now() - t0;
    // Threads: the host sees at once that this task is over (an interrupt() from now on is too late
    // to cancel it: its answer is on the way).
    if (this.started) Atomics.store(this.started, 2 + (ctx.seq % CLAIM_RING), CLAIM_DONE);
    this.outbox.push(ok ? { t: 'answer', id: ctx.task.id, ok: true, value: valueOrError, d } : { t: 'answer', id: ctx.task.id, ok: false, error: toWireError(valueOrError), d });
  }

  /**
   * Makes process.exit() in a task send the results still held in the batch first: a task that ends
   * its worker must not take the answers of the tasks before it along.
   */
  guardExit(): void {
    const realExit = process.exit.bind(process);
    process.exit = ((code?: number | string | null) => {
      this.flush();
      realExit(code as number | undefined);
    }) as typeof process.exit;
  }

  /** Sends the held results and the error that is about to end the worker. */
  reportFatal(err: unknown): void {
    this.flush();
    this.post({ t: 'fatal', error: toWireError(err) });
  }

  flush(): void {
    if (this.outbox.length === 0) return;
    const results = this.outbox;
    this.outbox = [];
    try {
      this.post(results.length === 1 ? results[0] : { t: 'done', results });
    } catch {
      // One value in the batch cannot be cloned: send them one by one, and the bad ones as errors.
      for (const r of results) {
        try {
          this.post(r);
        } catch (err) {
          const error: WireError = toWireError(
            new TypeError(`the task's result could not be sent to the host (${(err as Error).message}); return plain data (structured-clone-able)`),
          );
          this.post({ t: 'answer', id: r.id, ok: false, error, d: r.d });
        }
      }
    }
  }

  private resolve(module: string, name: string): unknown {
    const exports = this.load(module);
    const fn = exports[name];
    if (typeof fn !== 'function') {
      const available = Object.keys(exports).filter((k) => typeof exports[k] === 'function');
      throw new TypeError(`task module '${module}' has no exported function '${name}'; it exports: ${available.join(', ') || '(no functions)'}`);
    }
    return fn;
  }

  private load(module: string): Record<string, unknown> {
    let exports = this.modules.get(module);
    if (!exports) {
      const file = taskModuleFile(this.modulesRoot, module);
      try {
        exports = require(file) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`cannot load task module '${module}' from ${file}: ${String((err as Error).message).split('\n')[0]}. Check the TaskRef's module name and the executor's modulesRoot.`, {
          cause: err,
        });
      }
      this.modules.set(module, exports);
    }
    return exports;
  }
}
