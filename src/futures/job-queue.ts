// The pool's bookkeeping: a job (one submitted task), a slot (one worker and its tasks in flight), and the FIFO of jobs.
import type { SubmitOptions } from './contract';
import type { Future } from './future';
import type { WorkerHandle } from './worker-handle';
import type { RunTask } from './wire';

export interface Job {
  readonly future: Future<unknown>;
  readonly task: RunTask;
  readonly transfer: ArrayBuffer[] | undefined;
  readonly onRequest: SubmitOptions['onRequest'];
  requestAbort: AbortController | undefined;
  deadline: NodeJS.Timeout | undefined;
  queued: boolean;
  slot: Slot | undefined;
  /** Its send number on its current worker (see CLAIM_RING). */
  sent: number;
  /** Settled by interrupt/deadline while its worker still holds it. */
  stopped: boolean;
}

export interface Slot {
  readonly seq: number;
  handle: WorkerHandle;
  readonly interactive: boolean;
  readonly inFlight: Map<number, Job>;
  dispatched: number;
  /** Tasks sent so far, revoked ones included (the next task's send number). */
  sent: number;
  /** Tasks that ran to an answer (not skipped). */
  answered: number;
  ready: boolean;
  /** The last task took under ~1 ms: prefetch more. */
  quick: boolean;
  /** Takes no new tasks; exits when its tasks are answered. */
  closing: boolean;
  dead: boolean;
  graceTimer: NodeJS.Timeout | undefined;
  /** The stopped task the grace timer is for. */
  graceFor: Job | undefined;
  /** Checks whether the running task has become long, to take back the tasks waiting behind it (threads). */
  stealTimer: NodeJS.Timeout | undefined;
  fatal: unknown;
  /** Holds the host's event loop open (while it has work). */
  refed: boolean;
  unrefScheduled: boolean;
}

/** A FIFO with O(1) removal by marking (cancelled jobs stay until shifted past). */
export class JobQueue {
  private items: Job[] = [];
  private head = 0;
  size = 0;
  push(job: Job): void {
    this.items.push(job);
    this.size++;
  }
  /** Puts jobs (in their order) before everything else. */
  pushFront(jobs: Job[]): void {
    if (this.head >= jobs.length) {
      // Into the room the shifted-out jobs left: no copy of a long queue for a few tasks taken back.
      this.head -= jobs.length;
      for (let i = 0; i < jobs.length; i++) this.items[this.head + i] = jobs[i];
    } else {
      this.items = [...jobs, ...this.items.slice(this.head)];
      this.head = 0;
    }
    this.size += jobs.length;
  }
  shift(): Job | undefined {
    while (this.head < this.items.length) {
      const job = this.items[this.head++];
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (job.queued) {
        this.size--;
        return job;
      }
    }
    return undefined;
  }
  removed(): void {
    this.size--;
  }
  drain(): Job[] {
    const jobs = this.items.slice(this.head).filter((j) => j.queued);
    this.items = [];
    this.head = 0;
    this.size = 0;
    return jobs;
  }
}
