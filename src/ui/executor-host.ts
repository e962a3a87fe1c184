// The extension's one executor: created on first use from the settings, resized or replaced when they change, shut down within 2 s on deactivate.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { ProcessPoolExecutor, ThreadPoolExecutor, type Executor } from '../futures';
import { affects, readSetting } from './contributions';

/** How long deactivation may take: VS Code gives an extension little time before it kills the host. */
export const shutdownBudgetMs = 2000;

/** `executor.maxWorkers: 0` means automatic: one worker per core, at least two (so one stuck task never blocks the rest), at most eight. */
export function automaticWorkers(cores = os.availableParallelism()): number {
  return Math.min(8, Math.max(2, cores));
}

export class ExecutorHost implements vscode.Disposable {
  private executor: Executor | undefined;
  private kind: 'thread' | 'process' | undefined;
  private readonly created = new vscode.EventEmitter<Executor>();
  /** Fires with each executor created (the first, and a replacement after `executor.kind` changes). */
  readonly onDidCreate = this.created.event;
  /** Executors being shut down after a replacement; awaited on dispose. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private closed = false;

  constructor(
    /** Folder that task module paths are relative to: `dist` in the bundle. */
    private readonly modulesRoot: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)), this.created);
  }

  /** The executor, created now if this is the first use. */
  get(): Executor {
    if (this.closed) throw new Error('The Rust Offload executor is shut down because the extension is deactivating; no new work can start.');
    if (!this.executor) this.executor = this.create();
    return this.executor;
  }

  /** The executor if one has been created. */
  current(): Executor | undefined {
    return this.executor;
  }

  private maxWorkers(): number {
    const n = readSetting('executor.maxWorkers', this.log);
    return n === 0 ? automaticWorkers() : n;
  }

  private create(): Executor {
    const kind = readSetting('executor.kind', this.log);
    const maxWorkers = this.maxWorkers();
    const options = { maxWorkers, modulesRoot: this.modulesRoot };
    const executor = kind === 'process'
      ? new ProcessPoolExecutor({ ...options, onStderr: (text) => this.log.warn(`worker stderr: ${text.trimEnd()}`) })
      : new ThreadPoolExecutor(options);
    this.kind = kind;
    this.log.info(`Started a ${kind} pool executor with ${maxWorkers} worker${maxWorkers === 1 ? '' : 's'} (modules from ${this.modulesRoot}).`);
    this.created.fire(executor);
    return executor;
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!this.executor || this.closed) return;
    if (affects(e, 'executor.kind') && readSetting('executor.kind', this.log) !== this.kind) {
      // A pool cannot change its kind: new work goes to a new executor, and the old one finishes what it has.
      const old = this.executor;
      this.executor = undefined;
      this.retire(old, 'the executor kind changed');
      this.executor = this.create();
    } else if (affects(e, 'executor.maxWorkers')) {
      const n = this.maxWorkers();
      this.executor.resize(n);
      this.log.info(`Resized the executor to ${n} workers.`);
    }
  }

  private retire(executor: Executor, why: string): void {
    this.log.info(`Shutting down the previous executor (${why}); its queued and running tasks finish first.`);
    const done: Promise<void> = executor.shutdown({ wait: true, cancelFutures: false })
      .catch((err: unknown) => this.log.error(`The previous executor did not shut down cleanly: ${String(err)}`))
      .finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }

  /**
   * Stops every executor within the budget: cancels queued work, interrupts running work and waits for the
   * workers (threads or child processes) to exit. Resolves false if the budget ran out first.
   */
  async shutdown(interruptAll: () => void): Promise<boolean> {
    if (this.closed) return true;
    this.closed = true;
    for (const d of this.subscriptions) d.dispose();
    const executors = this.executor ? [this.executor] : [];
    this.executor = undefined;
    interruptAll();
    const all = Promise.all([
      ...executors.map((x) => x.shutdown({ wait: true, cancelFutures: true })),
      ...this.retiring,
    ]).then(() => true, (err: unknown) => {
      this.log.error(`Executor shutdown failed: ${String(err)}`);
      return true;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const budget = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), shutdownBudgetMs)));
    const inTime = await Promise.race([all, budget]);
    clearTimeout(timer);
    if (!inTime) this.log.warn(`The executor did not shut down within ${shutdownBudgetMs} ms; its workers are left to the extension host's exit.`);
    return inTime;
  }

  dispose(): void {
    void this.shutdown(() => undefined);
  }
}
