// ThreadPoolExecutor: the pool on worker_threads (shared memory tells exactly which tasks a dead worker had started).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { BrokenThreadPool, type BrokenExecutor } from './errors';
import { WorkerPoolExecutor } from './pool';
import { locateModulesRoot, type PoolOptions } from './pool-options';
import type { WorkerEvents, WorkerHandle } from './worker-handle';
import { CLAIM_RING, type HostToWorker, type WorkerInit } from './wire';

export type ThreadPoolOptions = PoolOptions;

export class ThreadPoolExecutor extends WorkerPoolExecutor {
  protected readonly workerKind = 'thread';

  constructor(options: ThreadPoolOptions = {}) {
    super(options, locateModulesRoot(__dirname));
    this.limits = options.resourceLimits;
    this.entry = path.resolve(options.modulesRoot ?? locateModulesRoot(__dirname), 'futures', 'worker-entry.js');
    if (!fs.existsSync(this.entry)) {
      throw new Error(`options.modulesRoot: the worker entry ${this.entry} does not exist; modulesRoot must be the folder that holds the compiled futures/ folder (out/src under tsc, dist in the bundle)`);
    }
  }

  private readonly limits: ThreadPoolOptions['resourceLimits'];
  private readonly entry: string;

  protected spawnWorker(seq: number, init: WorkerInit, events: WorkerEvents): WorkerHandle {
    const started = new Int32Array(new SharedArrayBuffer(4 * (2 + CLAIM_RING)));
    // A channel of our own, not the worker's parentPort: one hop less per message each way.
    const { port1: port, port2 } = new MessageChannel();
    const worker = new Worker(this.entry, {
      workerData: { ...init, started: started.buffer, port: port2 } satisfies WorkerInit,
      transferList: [port2],
      resourceLimits: this.limits,
      name: `rust-offload thread#${seq}`,
    });
    let uncaught: unknown;
    const drain = (): void => {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) events.message(m.message);
    };
    // One wake-up takes every answer already posted: the rest are read synchronously, without an event each.
    port.on('message', (msg) => {
      events.message(msg);
      drain();
    });
    worker.on('error', (err) => {
      uncaught = err;
    });
    worker.on('exit', (code) => {
      // What the worker posted before it ended is still queued on our side of the channel.
      drain();
      port.close();
      const oom = (uncaught as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      events.exit({ code, signal: null, error: oom ? undefined : uncaught, outOfMemory: oom });
    });
    return {
      name: `thread#${seq}`,
      started,
      post: (msg: HostToWorker, transfer?: ArrayBuffer[]) => {
        port.postMessage(msg, transfer);
        // Wakes the worker if it lingers after its last task (see WorkerRuntime.linger).
        Atomics.add(started, 1, 1);
        Atomics.notify(started, 1);
      },
      kill: () => void worker.terminate(),
      drain,
      ref: () => {
        worker.ref();
        port.ref();
      },
      unref: () => {
        worker.unref();
        port.unref();
      },
    };
  }

  protected broken(message: string, cause?: unknown): BrokenExecutor {
    return new BrokenThreadPool(message, cause === undefined ? undefined : { cause });
  }
}
