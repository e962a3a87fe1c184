// ProcessPoolExecutor: the pool on child processes (fork + IPC; no POSIX signals assumed, so it runs on Windows).
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrokenProcessPool, type BrokenExecutor } from './errors';
import { WorkerPoolExecutor } from './pool';
import { locateModulesRoot, type PoolOptions } from './pool-options';
import type { WorkerEvents, WorkerHandle } from './worker-handle';
import type { HostToWorker, WorkerInit } from './wire';

export interface ProcessPoolOptions extends PoolOptions {
  /** Where the workers' stderr goes (e.g. a log channel); default: this process's stderr. */
  onStderr?: (text: string) => void;
}

/** V8's last words when a process hits its heap limit (it aborts; the exit code differs by platform). */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

export class ProcessPoolExecutor extends WorkerPoolExecutor {
  protected readonly workerKind = 'process';
  private readonly entry: string;
  private readonly execArgv: string[];
  private readonly onStderr: (text: string) => void;

  constructor(options: ProcessPoolOptions = {}) {
    // Without shared memory the host cannot tell which of a killed process's prefetched tasks had
    // started (their batched answers die with it), so a requeue could run one twice: one at a time.
    super({ ...options, prefetch: options.prefetch ?? 1 }, locateModulesRoot(__dirname));
    this.entry = path.resolve(options.modulesRoot ?? locateModulesRoot(__dirname), 'futures', 'process-worker-entry.js');
    if (!fs.existsSync(this.entry)) {
      throw new Error(`options.modulesRoot: the worker entry ${this.entry} does not exist; modulesRoot must be the folder that holds the compiled futures/ folder (out/src under tsc, dist in the bundle)`);
    }
    if (options.onStderr !== undefined && typeof options.onStderr !== 'function') throw new TypeError('options.onStderr must be a function (text) => void');
    this.onStderr = options.onStderr ?? ((text) => process.stderr.write(text));
    const heap = options.resourceLimits?.maxOldGenerationSizeMb;
    this.execArgv = heap ? [`--max-old-space-size=${Math.ceil(heap)}`] : [];
  }

  protected spawnWorker(seq: number, init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const child = fork(this.entry, [], {
      // Inside VS Code, execPath is the Electron binary: ELECTRON_RUN_AS_NODE makes it a plain Node.
      execPath: process.execPath,
      execArgv: this.execArgv,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      try {
        this.onStderr(text);
      } catch {
        // A failing log sink must not take the pool down.
      }
      stderrTail = (stderrTail + text).slice(-8192);
    });
    let ended = false;
    const end = (code: number | null, signal: string | null, error?: unknown): void => {
      if (ended) return;
      ended = true;
      events.exit({ code, signal, error, outOfMemory: OUT_OF_MEMORY.test(stderrTail) });
    };
    child.on('message', (msg) => events.message(msg as never));
    // 'close' comes after stderr has drained, so the out-of-memory text is in the tail.
    child.on('close', (code, signal) => end(code, signal));
    child.on('error', (err) => {
      if (child.pid === undefined) end(null, null, err);
    });
    child.send({ t: 'init', init } satisfies HostToWorker);
    const name = `process#${seq} pid ${child.pid ?? '?'}`;
    return {
      name,
      post: (msg: HostToWorker) => {
        if (child.connected) child.send(msg);
      },
      // On Windows any signal is TerminateProcess; on POSIX SIGKILL also stops a loop that never yields.
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
      ref: () => {
        child.ref();
        (child.stderr as { ref?: () => void } | null)?.ref?.();
        (child.channel as { ref?: () => void } | undefined)?.ref?.();
      },
      unref: () => {
        child.unref();
        (child.stderr as { unref?: () => void } | null)?.unref?.();
        (child.channel as { unref?: () => void } | undefined)?.unref?.();
      },
    };
  }

  protected broken(message: string, cause?: unknown): BrokenExecutor {
    return new BrokenProcessPool(message, cause === undefined ? undefined : { cause });
  }
}
