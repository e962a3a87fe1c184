// The worker pool behind both executors: lanes, prefetch, interrupt with a grace period, deadlines, crash handling.
//
// Lanes. Bulk work uses up to maxWorkers "general" workers. Interactive work goes first to a worker
// reserved for it (beyond maxWorkers, kept warm; spawned on the first interactive submit or as soon
// as bulk work fills every general worker, whichever comes first), or to any
// general worker with nothing in flight, and is always taken from the queue before bulk work. So an
// interactive task never waits behind a bulk task; it can wait only for other interactive tasks.
//
// Prefetch. A general worker whose last task ran in under ~1 ms gets up to `prefetch` bulk tasks in
// flight at once; a worker running longer tasks gets one at a time. A queue of n tasks is shared
// among the workers that can take them (never all to one while another could start some), and a
// thread worker that runs dry takes back half of what waits on the busiest one, so a worker is never
// idle while another holds a task it has not started. A worker runs its tasks one at a time, in the
// order sent, and posts each answer before it starts the next task (whatever that task is), so a
// finished task settles within one host event-loop turn of finishing, even if the next one never
// yields. Only the task a worker runs is RUNNING (the first unanswered one); the others wait on it,
// PENDING, and cancel() takes them back. A quick-looking task can still turn out long: once a thread
// worker's task has run STEAL_AFTER_MS, the tasks waiting behind it are taken back (see CLAIM_RING: a
// task is either run or taken back, never both) and go to the front of the queue, for a new worker.
// (Process workers prefetch only when asked; theirs stay.)
//
// Stopping (interrupt() or a deadline). A thread task not yet claimed by its worker is taken back and
// never runs; one that has finished (CLAIM_DONE) is left to its answer (a completed task is never
// reported cancelled). Otherwise the future settles at once, the task's signal aborts, and if the
// worker is still running that task interruptGraceMs after it started running it stopped, the worker
// is terminated: wherever the task was in what had been sent ahead. The tasks behind it run exactly
// once, on a replacement.
//
// Crash policy (see README "Crash policy"):
// - A worker that dies (process.exit, uncaught exception, out of memory, killed) fails the future of
//   the task it was running with BrokenThreadPool/BrokenProcessPool saying what happened. Its other
//   tasks had not started: they go back to the front of the queue and run on a replacement.
// - A task is never retried: a task that kills its worker would kill the next one too. So a death
//   after start-up costs at most the one task that was running, and cannot loop.
// - A crash loop is a worker that cannot start: `crashLoopLimit` (default 3) workers in a row that
//   die before they are ready (entry or initializer crashing, heap too small to boot, killed while
//   booting) break the pool, like CPython's broken pool: every pending future fails with the cause,
//   and submit() throws.
// - An initializer that throws breaks the pool at once (CPython semantics).
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutorEvents, ExecutorStats, Lane, Progress, SubmitOptions, TaskRef } from './contract';
import { BrokenExecutor, CancelledError, TimeoutError, describeError, fromWireError } from './errors';
import { Executor, type ShutdownOptions } from './executor';
import { Future, futureLogger, type FutureControl } from './future';
import { JobQueue, type Job, type Slot } from './job-queue';
import { MAX_WORKERS_LIMIT, checkInteger, validatePoolOptions, type PoolOptions } from './pool-options';
import { checkModulePath, describeTask } from './task-ref';
import type { WorkerEvents, WorkerExit, WorkerHandle } from './worker-handle';
import { CLAIM_DONE, CLAIM_RING, type HostToWorker, type RunTask, type WorkerInit, type WorkerToHost } from './wire';

/** A prefetched task waits at most about this long behind a task that turns out long (threads). */
const STEAL_AFTER_MS = 20;

export abstract class WorkerPoolExecutor extends Executor {
  private max: number;
  private readonly modulesRoot: string;
  private readonly options: PoolOptions;
  private readonly graceMs: number;
  private readonly prefetch: number;
  private readonly crashLoopLimit: number;
  private readonly interactiveQueue = new JobQueue();
  private readonly bulkQueue = new JobQueue();
  private readonly jobs = new Map<number, Job>();
  /** Futures of submitOnHost() not yet settled: shutdown waits for them as for tasks. */
  private readonly hostFutures = new Set<Future<unknown>>();
  /** Task modules submitted so far (bounded), which new workers load ahead of need. */
  private readonly usedModules = new Set<string>();
  private readonly slots: Slot[] = [];
  /** Every worker not yet exited, including retired and killed ones (shutdown waits for them). */
  private readonly alive = new Set<Slot>();
  private interactiveSlot: Slot | undefined;
  /** options.warmSpare: a started general worker, beyond maxWorkers, that takes the place of one terminated. */
  private spare: Slot | undefined;
  private nextSeq = 1;
  private pumpScheduled = false;
  /** Workers in a row that died before they were ready. */
  private startupFailures = 0;
  private brokenBy: BrokenExecutor | undefined;
  private shuttingDown = false;
  private closed: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;
  private readonly control: FutureControl = {
    cancelled: (future) => this.onCancelled(future),
    interrupt: (future) => {
      const job = this.jobs.get(future.id);
      if (job) this.stop(job, 'cancelled');
    },
    settled: (future) => {
      const job = this.jobs.get(future.id);
      if (job) this.onSettled(job);
    },
  };

  constructor(options: PoolOptions, defaultModulesRoot: string) {
    super();
    validatePoolOptions(options);
    this.options = options;
    this.max = options.maxWorkers ?? Math.max(1, Math.min(MAX_WORKERS_LIMIT, os.availableParallelism()));
    // Absolute: workers resolve task files from it, whatever their own working directory.
    this.modulesRoot = path.resolve(options.modulesRoot ?? defaultModulesRoot);
    this.graceMs = options.interruptGraceMs ?? 100;
    // Each answer comes back on its own (see WorkerRuntime.runQueued), so a quick worker needs a deep
    // pipeline not to run dry between the host's refills: in one benchmark run (loaded machine), 128
    // gave 13.1k tiny tasks/s against 9.4k at 32 (and 8 about half of 32).
    this.prefetch = options.prefetch ?? 128;
    this.crashLoopLimit = options.crashLoopLimit ?? 3;
  }

  get maxWorkers(): number {
    return this.max;
  }

  /** Starts one worker. */
  protected abstract spawnWorker(seq: number, init: WorkerInit, events: WorkerEvents): WorkerHandle;
  /** BrokenThreadPool or BrokenProcessPool. */
  protected abstract broken(message: string, cause?: unknown): BrokenExecutor;
  /** 'thread' or 'process', for messages. */
  protected abstract readonly workerKind: string;

  submitWith<A extends unknown[], R>(options: SubmitOptions, task: TaskRef<A, R>, ...args: A): Future<R> {
    return this.enqueue(options, task, args, false) as Future<R>;
  }

  protected submitChunk<A extends unknown[], R>(options: SubmitOptions, task: TaskRef<A, R>, argLists: A[]): Future<R[]> {
    return this.enqueue(options, task, argLists, true) as Future<R[]>;
  }

  private enqueue(options: SubmitOptions, task: TaskRef<unknown[], unknown>, args: unknown[], chunk: boolean): Future<unknown> {
    if (this.brokenBy) throw this.broken(`cannot schedule new futures: ${this.brokenBy.message}`, this.brokenBy);
    if (this.shuttingDown) throw new Error('cannot schedule new futures after shutdown');
    if (!task || typeof task !== 'object' || typeof task.name !== 'string') {
      throw new TypeError(`submit() needs a TaskRef { module, name } from taskModule() or taskRef() (got ${String(task)})`);
    }
    checkModulePath(task.module);
    if (this.usedModules.size < 64) this.usedModules.add(task.module);
    const lane = checkLaneAndTimeout(options);
    if (options.onRequest !== undefined && typeof options.onRequest !== 'function') throw new TypeError('SubmitOptions.onRequest must be a function (method, params, signal) => answer');
    const future = new Future<unknown>({ label: options.label ?? task.name, kind: options.kind, lane, owner: options.owner });
    future._control = this.control;
    const job: Job = {
      future,
      task: this.runTask(future.id, task, args, options.onRequest !== undefined, chunk),
      transfer: options.transfer,
      onRequest: options.onRequest,
      requestAbort: undefined,
      deadline: undefined,
      queued: true,
      slot: undefined,
      sent: 0,
      stopped: false,
    };
    this.jobs.set(future.id, job);
    if (options.timeout !== undefined) job.deadline = setTimeout(() => this.stop(job, 'timedOut', options.timeout), options.timeout);
    (lane === 'interactive' ? this.interactiveQueue : this.bulkQueue).push(job);
    this.notify('submitted', future);
    this.schedulePump();
    return future;
  }

  submitOnHost<R>(options: SubmitOptions, work: (signal: AbortSignal) => Promise<R>): Future<R> {
    if (this.brokenBy) throw this.broken(`cannot schedule new futures: ${this.brokenBy.message}`, this.brokenBy);
    if (this.shuttingDown) throw new Error('cannot schedule new futures after shutdown');
    if (typeof work !== 'function') throw new TypeError('submitOnHost() needs the work as a function (signal) => Promise');
    const lane = checkLaneAndTimeout(options);
    const future = new Future<R>({ label: options.label ?? (work.name || 'host work'), kind: options.kind, lane, owner: options.owner });
    const abort = new AbortController();
    let deadline: NodeJS.Timeout | undefined;
    future._control = {
      // Never pending: it runs from the start.
      cancelled: () => false,
      interrupt: (f) => {
        abort.abort(new CancelledError(`future #${f.id} was cancelled`));
        f.settleCancelled();
        f.setRunningOrNotifyCancel();
      },
      // The signal is not aborted when the work itself settled it: nothing waits on it then (interrupt and the deadline abort it).
      settled: (f) => {
        if (deadline) clearTimeout(deadline);
        this.hostFutures.delete(f as Future<unknown>);
        this.notify('settled', f);
        if (this.shuttingDown) this.checkShutdown();
      },
    };
    this.hostFutures.add(future as Future<unknown>);
    this.notify('submitted', future);
    future.setRunningOrNotifyCancel();
    future.worker = 'host';
    this.notify('started', future);
    if (options.timeout !== undefined) {
      deadline = setTimeout(() => {
        if (future.done()) return;
        const timeout = new TimeoutError(`host work ${future.label ? `'${future.label}' ` : ''}(future #${future.id}) missed its deadline of ${options.timeout} ms and was cancelled`);
        abort.abort(timeout);
        future._deadlineExpired = true;
        future.setException(timeout);
      }, options.timeout);
    }
    let running: Promise<R>;
    try {
      running = work(abort.signal);
    } catch (err) {
      running = Promise.reject(err);
    }
    Promise.resolve(running).then(
      (value) => {
        if (!future.done()) future.setResult(value);
      },
      (err: unknown) => {
        if (!future.done()) future.setException(err);
      },
    );
    return future;
  }

  /** The wire form of a task; optional flags only when set (every property is cloned per task). */
  private runTask(id: number, task: TaskRef<unknown[], unknown>, args: unknown[], handler: boolean, chunk: boolean): RunTask {
    if (!handler && !chunk) return { t: 'task', id, module: task.module, name: task.name, args };
    return { t: 'task', id, module: task.module, name: task.name, args, ...(handler ? { h: true } : {}), ...(chunk ? { c: true } : {}) };
  }

  /**
   * emit() that cannot throw: these run inside worker message handling, where a throwing listener (a
   * sidebar bug) would otherwise become an uncaught exception in the extension host. Logged instead.
   */
  private notify<K extends keyof ExecutorEvents>(event: K, ...args: ExecutorEvents[K]): void {
    if (this.listenerCount(event) === 0) return;
    for (const listener of this.rawListeners(event)) {
      try {
        (listener as (...a: unknown[]) => void).apply(this, args);
      } catch (err) {
        futureLogger(`'${event}' listener of the executor threw ${describeError(err)}`, err);
      }
    }
  }

  stats(): ExecutorStats {
    let running = 0;
    let waiting = 0;
    for (const slot of this.liveSlots()) {
      for (const job of slot.inFlight.values()) {
        if (job.future.running()) running++;
        else if (!job.future.done()) waiting++;
      }
    }
    // Prefetched tasks that have not started count as queued: they wait, only on a worker.
    return { queued: this.interactiveQueue.size + this.bulkQueue.size + waiting, running, workers: this.liveSlots().length };
  }

  resize(maxWorkers: number): void {
    checkInteger(maxWorkers, 'maxWorkers', 1, MAX_WORKERS_LIMIT);
    if (maxWorkers === undefined) throw new RangeError('resize(maxWorkers): maxWorkers must be an integer from 1 to 1024');
    this.max = maxWorkers;
    let excess = this.slots.filter((s) => !s.closing).length - maxWorkers;
    // Idle workers go first, then those with the least work in flight.
    const candidates = this.slots.filter((s) => !s.closing).sort((a, b) => a.inFlight.size - b.inFlight.size);
    for (const slot of candidates) {
      if (excess <= 0) break;
      this.close(slot);
      excess--;
    }
    this.schedulePump();
  }

  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const wait = options.wait ?? true;
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    }
    if (options.cancelFutures) {
      for (const job of [...this.interactiveQueue.drain(), ...this.bulkQueue.drain()]) {
        job.queued = false;
        job.future.settleCancelled();
        job.future.setRunningOrNotifyCancel();
      }
      // Prefetched tasks that have not started are pending too.
      for (const slot of this.liveSlots()) for (const job of [...slot.inFlight.values()]) if (job.future.state === 'PENDING') job.future.cancel();
    }
    this.checkShutdown();
    return wait ? this.closed! : Promise.resolve();
  }

  // ---- scheduling ----

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private liveSlots(): Slot[] {
    if (!this.interactiveSlot && !this.spare) return this.slots;
    return [...this.slots, ...(this.interactiveSlot ? [this.interactiveSlot] : []), ...(this.spare ? [this.spare] : [])];
  }

  /** Can take a task now: alive, open, not stuck in an interrupted task, under maxTasksPerChild. */
  private open(slot: Slot): boolean {
    if (slot.dead || slot.closing) return false;
    if (this.running(slot)?.stopped) return false;
    const cap = this.options.maxTasksPerChild;
    return cap === undefined || slot.dispatched < cap;
  }

  private head(slot: Slot): Job | undefined {
    for (const job of slot.inFlight.values()) return job;
    return undefined;
  }

  /**
   * The task the worker is executing now. Threads: read from the claim cells (the answers of the tasks
   * before it may still be on the way). Processes: the first unanswered one (a worker posts each answer
   * before it starts the next task).
   */
  private running(slot: Slot): Job | undefined {
    if (!slot.ready) return undefined;
    const cells = slot.handle.started;
    if (!cells) return this.head(slot);
    for (const job of slot.inFlight.values()) {
      const cell = Atomics.load(cells, 2 + (job.sent % CLAIM_RING));
      if (cell === CLAIM_DONE) continue;
      return cell === -(job.sent + 1) ? job : undefined;
    }
    return undefined;
  }

  /** Threads: the task has finished on its worker (its answer may still be on the way). */
  private finished(job: Job): boolean {
    const cells = job.slot?.handle.started;
    return cells !== undefined && Atomics.load(cells, 2 + (job.sent % CLAIM_RING)) === CLAIM_DONE;
  }

  private pump(): void {
    if (this.brokenBy) return;
    while (this.interactiveQueue.size > 0) {
      let slot: Slot | undefined;
      if (this.interactiveSlot && this.open(this.interactiveSlot) && this.interactiveSlot.inFlight.size === 0) slot = this.interactiveSlot;
      slot ??= this.slots.find((s) => this.open(s) && s.inFlight.size === 0);
      if (!slot) {
        if ((this.options.reserveInteractiveWorker ?? true) && !this.interactiveSlot) slot = this.spawn(true);
        else if (this.slots.length < this.max) slot = this.spawn(false);
        if (!slot) break;
      }
      this.send(slot, [this.interactiveQueue.shift()!]);
    }
    while (this.bulkQueue.size > 0) {
      let best: Slot | undefined;
      let takers = 0;
      for (const s of this.slots) {
        if (!this.open(s) || this.room(s) <= 0) continue;
        takers++;
        if (!best || s.inFlight.size < best.inFlight.size) best = s;
      }
      const spawnable = this.max - this.slots.length;
      if ((!best || best.inFlight.size > 0) && spawnable > 0) best = this.spawn(false);
      if (!best) break;
      // Its share of the queue, not all it has room for: the other workers (and those that may still
      // be started) take the rest, so two tasks submitted together run side by side.
      let n = Math.min(this.room(best), Math.ceil(this.bulkQueue.size / Math.max(1, takers + spawnable)));
      const cap = this.options.maxTasksPerChild;
      if (cap !== undefined) n = Math.min(n, cap - best.dispatched);
      const batch: Job[] = [];
      while (batch.length < n) {
        const job = this.bulkQueue.shift();
        if (!job) break;
        batch.push(job);
      }
      if (batch.length === 0) break;
      this.send(best, batch);
    }
    if (this.bulkQueue.size === 0) this.balance();
    // Once bulk work fills every general worker, start the interactive worker ahead of need, so the
    // first evaluation during a symbol load does not pay for a spawn.
    if (
      (this.options.reserveInteractiveWorker ?? true) &&
      !this.interactiveSlot &&
      this.slots.length >= this.max &&
      this.slots.every((s) => s.inFlight.size > 0)
    ) {
      this.spawn(true);
    }
    if (this.options.warmSpare && !this.spare && this.slots.length > 0 && !this.shuttingDown) this.spawn(false, true);
  }

  /**
   * Threads: a general worker with nothing to do takes back (from the end) half of the tasks waiting
   * on the worker that holds most, so no worker idles while another holds tasks it has not started.
   */
  private balance(): void {
    for (const idle of this.slots) {
      if (idle.inFlight.size > 0 || !idle.ready || !idle.handle.started || !this.open(idle)) continue;
      let victim: Slot | undefined;
      for (const s of this.slots) if (s !== idle && !s.dead && s.inFlight.size >= 2 && (!victim || s.inFlight.size > victim.inFlight.size)) victim = s;
      if (!victim) return;
      const waiting = [...victim.inFlight.values()].slice(1).filter((j) => j.future.state === 'PENDING');
      const taken: Job[] = [];
      // From the end: once one has been claimed, all before it have been too.
      for (const job of waiting.slice(waiting.length - Math.ceil(waiting.length / 2)).reverse()) {
        if (!this.revoke(job, victim)) break;
        taken.unshift(job);
      }
      if (taken.length === 0) continue;
      const cap = this.options.maxTasksPerChild;
      const n = Math.min(taken.length, Math.max(1, this.room(idle)), cap === undefined ? Infinity : cap - idle.dispatched);
      this.send(idle, taken.slice(0, n));
      if (n < taken.length) {
        for (const job of taken.slice(n)) job.queued = true;
        this.bulkQueue.pushFront(taken.slice(n));
      }
    }
  }

  private depth(slot: Slot): number {
    return slot.quick ? this.prefetch : 1;
  }

  /** How many more tasks the worker may hold; within CLAIM_RING send numbers of its oldest (see wire.ts). */
  private room(slot: Slot): number {
    const depth = this.depth(slot);
    // Refilled once half-empty, in one message, rather than a task per answer.
    if (slot.inFlight.size > depth / 2) return 0;
    const room = depth - slot.inFlight.size;
    const head = this.head(slot);
    return head ? Math.min(room, CLAIM_RING - 1 - (slot.sent - head.sent)) : room;
  }

  private spawn(interactive: boolean, spare = false): Slot | undefined {
    const seq = this.nextSeq++;
    const init: WorkerInit = {
      modulesRoot: this.modulesRoot,
      initializer: this.options.initializer ? { module: this.options.initializer.module, name: this.options.initializer.name } : undefined,
      initargs: this.options.initargs ?? [],
      preload: [...this.usedModules],
    };
    const slot: Slot = {
      seq,
      // Set just below; no worker event can arrive before (they are asynchronous).
      handle: undefined as unknown as WorkerHandle,
      interactive,
      inFlight: new Map(),
      dispatched: 0,
      sent: 0,
      answered: 0,
      ready: false,
      quick: false,
      closing: false,
      dead: false,
      graceTimer: undefined,
      graceFor: undefined,
      stealTimer: undefined,
      fatal: undefined,
      refed: false,
      unrefScheduled: false,
    };
    let handle: WorkerHandle;
    try {
      handle = this.spawnWorker(seq, init, {
        message: (msg) => this.onMessage(slot, msg),
        exit: (exit) => {
          this.alive.delete(slot);
          this.onExit(slot, exit);
          this.checkShutdown();
        },
      });
    } catch (err) {
      // Scheduling runs outside any caller's stack: a throw here would crash the host, so break the pool instead.
      this.breakPool(this.broken(`cannot start a ${this.workerKind} worker: ${describeError(err)}`, err));
      return undefined;
    }
    slot.handle = handle;
    handle.unref();
    this.alive.add(slot);
    if (interactive) this.interactiveSlot = slot;
    else if (spare) this.spare = slot;
    else this.slots.push(slot);
    return slot;
  }

  private send(slot: Slot, jobs: Job[]): void {
    if (!slot.refed) {
      slot.refed = true;
      slot.handle.ref();
    }
    const tasks: RunTask[] = [];
    let transfer: ArrayBuffer[] | undefined;
    const cells = slot.handle.started;
    for (const job of jobs) {
      job.queued = false;
      job.slot = slot;
      job.sent = slot.sent++;
      if (cells) Atomics.store(cells, 2 + (job.sent % CLAIM_RING), job.sent + 1);
      slot.inFlight.set(job.task.id, job);
      slot.dispatched++;
      tasks.push(job.task);
      if (job.transfer) (transfer ??= []).push(...job.transfer);
    }
    try {
      slot.handle.post(tasks.length === 1 ? tasks[0] : { t: 'run', tasks }, transfer);
    } catch {
      // Arguments that cannot be cloned: find which, fail those futures, send the rest.
      for (const job of jobs) {
        try {
          slot.handle.post(job.task, job.transfer);
        } catch (e) {
          slot.inFlight.delete(job.task.id);
          if (cells) {
            // The worker numbers tasks by arrival: send a revoked stand-in so the next ones keep their numbers.
            Atomics.store(cells, 2 + (job.sent % CLAIM_RING), 0);
            slot.handle.post({ t: 'task', id: job.task.id, module: '', name: '', args: [] });
          }
          if (!job.future.done()) {
            job.future.setException(new TypeError(`the arguments of task ${describeTask(job.task)} could not be sent to a worker (${(e as Error).message}); pass plain data (structured-clone-able)`, { cause: e }));
          }
        }
      }
    }
    // The worker runs its tasks one at a time: only the first it holds is RUNNING, the others wait (PENDING).
    this.promote(slot);
    if (slot.inFlight.size === 0) this.unrefWhenIdle(slot);
    this.armSteal(slot);
  }

  /** Threads: while tasks wait on a worker, checks that its running task has not become long. */
  private armSteal(slot: Slot, delay = STEAL_AFTER_MS): void {
    if (slot.stealTimer || slot.dead || !slot.handle.started || slot.inFlight.size < 2) return;
    slot.stealTimer = setTimeout(() => {
      slot.stealTimer = undefined;
      this.stealBack(slot);
    }, delay);
    slot.stealTimer.unref();
  }

  /** Moves the tasks waiting behind a long-running (or interrupted) task back to the front of the queue. */
  private stealBack(slot: Slot): void {
    if (slot.dead || slot.inFlight.size < 2) return;
    const head = this.head(slot)!;
    const ranFor = head.future.startedAt === undefined ? 0 : Date.now() - head.future.startedAt;
    if (!head.stopped && ranFor < STEAL_AFTER_MS) {
      this.armSteal(slot, STEAL_AFTER_MS - ranFor);
      return;
    }
    const taken: Job[] = [];
    for (const job of [...slot.inFlight.values()].slice(1)) {
      if (job.future.state !== 'PENDING') continue;
      // Claimed: the worker has moved on (the long task is over); it keeps this one and those after it.
      if (!this.revoke(job, slot)) break;
      job.queued = true;
      taken.push(job);
    }
    if (taken.length === 0) return;
    // Not quick any more: the worker gets one task at a time until a quick one again.
    slot.quick = false;
    const interactive = taken.filter((j) => j.future.lane === 'interactive');
    const bulk = taken.filter((j) => j.future.lane !== 'interactive');
    if (interactive.length) this.interactiveQueue.pushFront(interactive);
    if (bulk.length) this.bulkQueue.pushFront(bulk);
    this.schedulePump();
  }

  /** Marks the worker's first unanswered task RUNNING: the one it runs, or is about to. */
  private promote(slot: Slot): void {
    const head = this.head(slot);
    if (head && head.future.state === 'PENDING') this.markRunning(head, slot);
  }

  private markRunning(job: Job, slot: Slot, startedAt?: number): void {
    job.future.setRunningOrNotifyCancel();
    if (startedAt !== undefined) job.future.startedAt = Math.min(job.future.startedAt!, Math.max(job.future.submittedAt, startedAt));
    job.future.worker = slot.handle.name;
    this.notify('started', job.future);
  }

  /**
   * Threads: takes a prefetched task back from its worker unless the worker has claimed it (see
   * CLAIM_RING). True: it will not run there. False: it has started (or finished). It is not marked
   * RUNNING here: the answers of the tasks before it may still be on the way, and until they arrive
   * those are RUNNING; promote() marks it when it is the first unanswered task.
   */
  private revoke(job: Job, slot: Slot): boolean {
    const cells = slot.handle.started!;
    if (Atomics.compareExchange(cells, 2 + (job.sent % CLAIM_RING), job.sent + 1, 0) === job.sent + 1) {
      slot.inFlight.delete(job.task.id);
      job.slot = undefined;
      if (slot.inFlight.size === 0) this.unrefWhenIdle(slot);
      this.schedulePump();
      return true;
    }
    return false;
  }

  /** Lets the host exit while a worker idles; deferred, so back-to-back tasks do not toggle it each time. */
  private unrefWhenIdle(slot: Slot): void {
    if (!slot.refed || slot.unrefScheduled) return;
    slot.unrefScheduled = true;
    setImmediate(() => {
      slot.unrefScheduled = false;
      if (slot.refed && slot.inFlight.size === 0 && !slot.dead) {
        slot.refed = false;
        slot.handle.unref();
      }
    });
  }

  // ---- worker messages ----

  private onMessage(slot: Slot, msg: WorkerToHost): void {
    if (slot.dead) return;
    switch (msg.t) {
      case 'ready':
        slot.ready = true;
        this.startupFailures = 0;
        this.armGrace(slot);
        this.schedulePump();
        return;
      case 'initFailed': {
        const cause = fromWireError(msg.error);
        this.breakPool(this.broken(`a worker's initializer ${describeTask(this.options.initializer!)} failed in ${slot.handle.name}: ${describeError(cause)}; fix the initializer, then create a new executor`, cause));
        return;
      }
      case 'done':
        this.onDone(slot, msg.results);
        return;
      case 'answer':
        this.onDone(slot, [msg]);
        return;
      case 'progress': {
        const job = slot.inFlight.get(msg.id);
        if (!job || job.future.done()) return;
        job.future._progress(msg.progress);
        this.notify('progress', job.future, msg.progress as Progress);
        return;
      }
      case 'request':
        this.onRequest(slot, msg.id, msg.rid, msg.method, msg.params);
        return;
      case 'fatal':
        slot.fatal = fromWireError(msg.error);
        return;
    }
  }

  private onDone(slot: Slot, results: Extract<WorkerToHost, { t: 'done' }>['results']): void {
    for (const r of results) {
      const job = slot.inFlight.get(r.id);
      if (!job) continue;
      slot.inFlight.delete(r.id);
      if (!r.s) {
        slot.answered++;
        slot.quick = r.d <= 1;
        // Answered before the host saw it start (results come in batches): it started d ms ago.
        if (job.future.state === 'PENDING') this.markRunning(job, slot, Date.now() - r.d);
      }
      if (job.future.done()) continue;
      if (r.ok) job.future.setResult(r.value);
      else if (r.s) job.future.setException(new Error(`task ${describeTask(job.task)} was skipped by its worker`));
      else job.future.setException(fromWireError(r.error!));
    }
    this.afterAnswers(slot);
  }

  private afterAnswers(slot: Slot): void {
    this.promote(slot);
    this.armSteal(slot);
    this.armGrace(slot);
    const cap = this.options.maxTasksPerChild;
    if (cap !== undefined && slot.dispatched >= cap) slot.closing = true;
    if (slot.inFlight.size === 0) {
      this.unrefWhenIdle(slot);
      if (slot.closing) this.retire(slot);
    }
    // After this turn's answers are all in (the thread port hands over every answer already posted at once).
    this.schedulePump();
    this.checkShutdown();
  }

  private onRequest(slot: Slot, id: number, rid: number, method: string, params: unknown): void {
    const job = slot.inFlight.get(id);
    const reply = (msg: HostToWorker): void => {
      try {
        if (!slot.dead) slot.handle.post(msg);
      } catch {
        // The worker is gone; nobody is waiting for the answer.
      }
    };
    if (!job || job.future.done() || !job.onRequest) {
      reply({ t: 'reply', rid, ok: false, error: { kind: 'error', name: 'Error', message: `request '${method}' of a task that has settled`, stack: '', props: {} } });
      return;
    }
    job.requestAbort ??= new AbortController();
    const signal = job.requestAbort.signal;
    const handler = job.onRequest;
    Promise.resolve()
      .then(() => handler(method, params, signal))
      .then(
        (value) => reply({ t: 'reply', rid, ok: true, value }),
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(`request '${method}' failed: ${describeError(err)}`);
          reply({ t: 'reply', rid, ok: false, error: { kind: 'error', name: e.name, message: e.message, stack: String(e.stack ?? ''), props: {} } });
        },
      );
  }

  // ---- cancel, interrupt, deadlines ----

  /**
   * cancel() of a PENDING future: out of the queue, or back from the worker it waits on (Future.cancel()
   * then settles and notifies it). False when its worker has just started it.
   */
  private onCancelled(future: Future<unknown>): boolean {
    const job = this.jobs.get(future.id);
    if (!job) return true;
    if (job.queued) {
      job.queued = false;
      (job.future.lane === 'interactive' ? this.interactiveQueue : this.bulkQueue).removed();
      return true;
    }
    const slot = job.slot;
    if (!slot || slot.dead || !slot.inFlight.has(job.task.id)) return true;
    if (slot.handle.started) return this.revoke(job, slot);
    // Processes (prefetch > 1 only): no shared memory, so ask the worker to skip it. Should it have
    // just started it, this interrupts it instead (grace period, then the worker is terminated).
    job.stopped = true;
    try {
      slot.handle.post({ t: 'cancel', id: job.task.id, reason: 'cancelled' });
    } catch {
      // Worker already gone; its exit handler takes care of the rest.
    }
    return true;
  }

  /** interrupt() or deadline: settle now; if the worker runs it on past the grace period, terminate the worker. */
  private stop(job: Job, why: 'cancelled' | 'timedOut', timeoutMs?: number): void {
    const future = job.future;
    if (future.done()) return;
    // Threads: it has finished and its answer is on the way; it settles with that, not as cancelled.
    if (job.slot && !job.slot.dead && this.finished(job)) return;
    let revoked = false;
    if (job.queued) {
      job.queued = false;
      (future.lane === 'interactive' ? this.interactiveQueue : this.bulkQueue).removed();
    } else if (job.slot?.handle.started && !job.slot.dead && job.slot.inFlight.has(job.task.id)) {
      // Threads: not claimed yet (prefetched, or first but not started): take it back, it never runs.
      revoked = this.revoke(job, job.slot);
      // It finished between the two looks: its answer settles it.
      if (!revoked && this.finished(job)) return;
    }
    if (why === 'cancelled') {
      future.settleCancelled();
      future.setRunningOrNotifyCancel();
    } else {
      future._deadlineExpired = true;
      future.setException(new TimeoutError(`task ${describeTask(job.task)} (future #${future.id}) missed its deadline of ${timeoutMs} ms and was cancelled`));
    }
    const slot = job.slot;
    if (revoked || !slot || slot.dead || !slot.inFlight.has(job.task.id)) return;
    job.stopped = true;
    try {
      slot.handle.post({ t: 'cancel', id: job.task.id, reason: why });
    } catch {
      // Worker already gone; its exit handler takes care of the rest.
    }
    this.armGrace(slot);
  }

  /**
   * Starts the grace period of a stopped task once its worker runs it (a booting worker, or one still
   * running an earlier task, has not started it yet; the answer of that earlier task brings us back
   * here). The period counts from when the host first saw it running, stopped.
   */
  private armGrace(slot: Slot): void {
    if (slot.dead) return;
    const job = this.running(slot);
    if (!job?.stopped) {
      if (slot.graceTimer) clearTimeout(slot.graceTimer);
      slot.graceTimer = undefined;
      slot.graceFor = undefined;
      return;
    }
    if (slot.graceFor === job) return;
    if (slot.graceTimer) clearTimeout(slot.graceTimer);
    slot.graceFor = job;
    slot.graceTimer = setTimeout(() => {
      slot.graceTimer = undefined;
      slot.graceFor = undefined;
      if (slot.dead) return;
      if (this.running(slot) === job) this.kill(slot);
      else this.armGrace(slot);
    }, this.graceMs);
  }

  private onSettled(job: Job): void {
    if (job.deadline) clearTimeout(job.deadline);
    job.requestAbort?.abort(new Error('the future has settled'));
    this.jobs.delete(job.future.id);
    this.notify('settled', job.future);
    if (this.shuttingDown) this.checkShutdown();
  }

  // ---- worker deaths ----

  /** Terminates a worker stuck in an interrupted task and moves its other tasks elsewhere at once. */
  private kill(slot: Slot): void {
    // Answers already posted (of the tasks before the stuck one) would die with the thread: take them first.
    slot.handle.drain?.();
    if (slot.dead) return;
    const started = slot.handle.started ? Atomics.load(slot.handle.started, 0) : undefined;
    slot.handle.kill();
    this.bury(slot, started, (job) => this.broken(`${slot.handle.name} was terminated while running task ${describeTask(job.task)} (future #${job.future.id}) because another task on it did not stop when interrupted`));
    this.replace(slot);
    this.pump();
    this.checkShutdown();
  }

  private onExit(slot: Slot, exit: WorkerExit): void {
    if (slot.dead) return;
    const started = slot.handle.started ? Atomics.load(slot.handle.started, 0) : undefined;
    const expected = slot.closing && slot.inFlight.size === 0;
    const cause = exit.error ?? slot.fatal;
    const how = this.describeExit(slot, exit, cause);
    this.bury(slot, started, (job) => this.broken(`${slot.handle.name} ${how} while running task ${describeTask(job.task)} (future #${job.future.id})`, cause));
    if (!expected && !slot.ready && !this.shuttingDown && !this.brokenBy) {
      this.startupFailures++;
      if (this.startupFailures >= this.crashLoopLimit) {
        this.breakPool(this.broken(`${this.startupFailures} ${this.workerKind} workers in a row died before they were ready (the last one ${how}); the pool is broken. Check the worker entry, the initializer and resourceLimits, then create a new executor`, cause));
        return;
      }
    }
    if (!expected && slot.ready) this.replace(slot);
    this.pump();
    this.checkShutdown();
  }

  /** A worker killed or dead after start-up is replaced at once, so the next task does not wait for a spawn. */
  private replace(dead: Slot): void {
    if (this.shuttingDown || this.brokenBy || dead.closing || dead === this.spare) return;
    if (dead.interactive) {
      if (!this.interactiveSlot) this.spawn(true);
    } else if (this.slots.length < this.max) {
      // The warm spare, when there is one, takes over at once; pump() starts the next spare.
      const spare = this.spare;
      if (spare && !spare.dead) {
        this.spare = undefined;
        this.slots.push(spare);
      } else {
        this.spawn(false);
      }
    }
  }

  private describeExit(slot: Slot, exit: WorkerExit, cause: unknown): string {
    if (exit.outOfMemory) {
      const cap = this.options.resourceLimits?.maxOldGenerationSizeMb;
      return `ran out of memory${cap ? ` (heap limit ${cap} MB from options.resourceLimits.maxOldGenerationSizeMb)` : ''}`;
    }
    if (cause !== undefined) return `died from an uncaught exception (${describeError(cause)})`;
    if (exit.signal) return `was killed by signal ${exit.signal}`;
    if (!slot.ready) return `exited with code ${exit.code} before it was ready (could it load its entry module?)`;
    return `exited with code ${exit.code}`;
  }

  /**
   * Removes a dead worker: the task it was running fails (unless already settled), the tasks it had
   * not started go back to the front of their queues. `started` (threads) says exactly how many of
   * its tasks began; without it (processes) the first unanswered one is taken as running.
   */
  private bury(slot: Slot, started: number | undefined, lost: (job: Job) => BrokenExecutor): void {
    slot.dead = true;
    if (slot.graceTimer) clearTimeout(slot.graceTimer);
    slot.graceTimer = undefined;
    slot.graceFor = undefined;
    if (slot.stealTimer) clearTimeout(slot.stealTimer);
    slot.stealTimer = undefined;
    if (slot === this.interactiveSlot) this.interactiveSlot = undefined;
    if (slot === this.spare) this.spare = undefined;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    // A worker that was not ready had started nothing; otherwise, without a counter, its first task was running.
    let running = !slot.ready ? 0 : started === undefined ? 1 : Math.max(0, started - slot.answered);
    const cells = slot.handle.started;
    const requeue: Job[] = [];
    for (const job of slot.inFlight.values()) {
      // Threads: the claim cell decides, even against a thread still winding down: a task taken back
      // here can no longer start there, so it runs exactly once, elsewhere.
      const ran = cells ? Atomics.compareExchange(cells, 2 + (job.sent % CLAIM_RING), job.sent + 1, 0) !== job.sent + 1 : running-- > 0;
      job.slot = undefined;
      if (ran) {
        if (!job.future.done()) job.future.setException(lost(job));
      } else if (!job.future.done()) {
        job.future._backToPending();
        job.queued = true;
        requeue.push(job);
      }
    }
    slot.inFlight.clear();
    const interactive = requeue.filter((j) => j.future.lane === 'interactive');
    const bulk = requeue.filter((j) => j.future.lane !== 'interactive');
    if (interactive.length) this.interactiveQueue.pushFront(interactive);
    if (bulk.length) this.bulkQueue.pushFront(bulk);
  }

  private breakPool(error: BrokenExecutor): void {
    if (this.brokenBy) return;
    this.brokenBy = error;
    for (const job of [...this.interactiveQueue.drain(), ...this.bulkQueue.drain()]) {
      job.queued = false;
      if (!job.future.done()) job.future.setException(error);
    }
    for (const slot of [...this.liveSlots()]) {
      slot.handle.kill();
      this.bury(slot, undefined, () => error);
      // bury() requeued what had not started; with the pool broken those fail too.
      for (const job of [...this.interactiveQueue.drain(), ...this.bulkQueue.drain()]) if (!job.future.done()) job.future.setException(error);
    }
    this.checkShutdown();
  }

  // ---- retiring and shutdown ----

  private close(slot: Slot): void {
    slot.closing = true;
    if (slot.inFlight.size === 0) this.retire(slot);
  }

  private retire(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    if (slot.stealTimer) clearTimeout(slot.stealTimer);
    slot.stealTimer = undefined;
    // Keep the host alive until the worker has exited, so shutdown({ wait: true }) can resolve.
    slot.refed = true;
    slot.handle.ref();
    if (slot === this.interactiveSlot) this.interactiveSlot = undefined;
    if (slot === this.spare) this.spare = undefined;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    try {
      slot.handle.post({ t: 'exit' });
    } catch {
      // Already gone.
    }
    // A worker kept alive by a task's leftover timer or handle is not waited for.
    setTimeout(() => slot.handle.kill(), 2000).unref();
  }

  private checkShutdown(): void {
    if (!this.shuttingDown) return;
    if (this.interactiveQueue.size > 0 || this.bulkQueue.size > 0) return;
    for (const slot of [...this.liveSlots()]) this.close(slot);
    if (this.liveSlots().length === 0 && this.alive.size === 0 && this.hostFutures.size === 0 && this.resolveClosed) {
      const resolve = this.resolveClosed;
      this.resolveClosed = undefined;
      resolve();
    }
  }
}

/** SubmitOptions' lane (default 'bulk') and deadline, checked up front. */
function checkLaneAndTimeout(options: SubmitOptions): Lane {
  const lane: Lane = options.lane ?? 'bulk';
  if (lane !== 'bulk' && lane !== 'interactive') throw new RangeError(`SubmitOptions.lane must be 'interactive' or 'bulk' (got ${String(lane)})`);
  if (options.timeout !== undefined && !(typeof options.timeout === 'number' && options.timeout > 0 && Number.isFinite(options.timeout))) {
    throw new RangeError(`SubmitOptions.timeout must be a positive number of milliseconds (got ${String(options.timeout)})`);
  }
  return lane;
}
