// Reads a stopped local Linux debuggee's memory straight from /proc/<pid>/mem, for the value and expression tasks, when our own lldb-dap is the one tracing it; anything else is read through lldb-dap.
import * as fs from 'node:fs';
import { readFully, type DirectMemoryGrant } from '../rust/values/direct-memory';

/**
 * What lldb-dap's `process` event says of the debuggee (DAP ProcessEvent body). A core file or a remote target has a
 * process id that is not a live local process of ours; the checks below refuse those.
 */
export interface ProcessFacts {
  systemProcessId?: number;
  isLocalProcess?: boolean;
}

/** The few file-system calls used, so tests can give a /proc of their own. */
export interface ProcFs {
  readFileSync(path: string, encoding: 'utf8'): string;
  openSync(path: string, flags: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

/**
 * lldb-dap-22 answers a readMemory in ~0.3–0.5 ms (JSON, base64, a gdb-remote packet to lldb-server, ptrace), one at a
 * time; the program's own /proc/<pid>/mem answers a 256-byte line in microseconds. A Variables view with a HashMap of
 * String keys reads one line per key shown, so this is most of a stop's cost when read through lldb-dap.
 *
 * Reading is allowed only while the session knows the program is stopped, and only for a process that our lldb-dap
 * (or the lldb-server it started) traces: a core file's or a remote target's pid, or a process traced by another
 * debugger, is never read. Any failure (a page that is not mapped, a refused open) answers undefined, and the read
 * goes to lldb-dap, which knows partial reads and what its breakpoints hide.
 */
export class ProcessMemory {
  private fd: number | undefined;
  /** undefined: not yet checked; false: refused for the rest of the session. */
  private usable: boolean | undefined;
  private pid: number | undefined;
  /** Bumped whenever the process may change (see grant). */
  private generation = 0;
  /** Reads answered here, and why this source is off (for the session's log and tests). */
  reads = 0;
  refusal: string | undefined;

  constructor(
    private readonly backendPid: () => number | undefined,
    private readonly procFs: ProcFs = fs,
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly enabled = process.env.RUST_OFFLOAD_DIRECT_MEMORY !== 'off',
  ) {
    if (!enabled) this.refuse('RUST_OFFLOAD_DIRECT_MEMORY=off');
  }

  /** lldb-dap's process event; `postMortem`: the session opened a core file or a dump, whose pid is not a process. */
  noteProcess(facts: ProcessFacts | undefined, postMortem: boolean): void {
    if (!this.enabled || this.usable === false) return;
    if (this.platform !== 'linux') return this.refuse('not Linux: memory is read through lldb-dap');
    if (postMortem) return this.refuse('a core file has no live process');
    if (facts?.isLocalProcess === false) return this.refuse('the process is not on this machine');
    const pid = facts?.systemProcessId;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return this.refuse('lldb-dap gave no process id');
    if (pid !== this.pid) this.close(); // a restarted program: check the new process afresh
    this.pid = pid;
  }

  /**
   * `count` bytes at `address`, or undefined when they must be read through lldb-dap (not usable, or not all of them
   * readable here). The caller asks only while the program is stopped.
   */
  read(address: bigint, count: number): Uint8Array | undefined {
    if (count <= 0 || !this.open()) return undefined;
    const position = Number(address);
    if (!Number.isSafeInteger(position) || position <= 0) return undefined;
    const bytes = readFully((...a) => this.procFs.readSync(...a), this.fd!, position, count);
    if (bytes) this.reads++;
    return bytes;
  }

  /**
   * The grant a task needs to read the memory file itself (the same checks as read()), or undefined. `process` tells
   * processes apart, so a worker that opened an earlier one's file opens this one's.
   */
  grant(): DirectMemoryGrant | undefined {
    if (!this.open()) return undefined;
    return { path: `/proc/${this.pid}/mem`, process: this.generation };
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        this.procFs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    this.fd = undefined;
    this.pid = undefined;
    if (this.enabled) this.usable = undefined;
    this.generation++;
  }

  /** Opens /proc/<pid>/mem the first time, after checking that our lldb-dap's side traces the process. */
  private open(): boolean {
    if (this.usable !== undefined) return this.usable;
    if (this.pid === undefined) return false;
    const tracer = this.tracerOf(this.pid);
    const backend = this.backendPid();
    if (tracer === undefined || backend === undefined || !this.descendsFrom(tracer, backend)) {
      this.refuse(`process ${this.pid} is not traced by our lldb-dap (pid ${backend ?? '?'})`);
      return false;
    }
    try {
      this.fd = this.procFs.openSync(`/proc/${this.pid}/mem`, 'r');
    } catch (err) {
      this.refuse(`/proc/${this.pid}/mem cannot be opened (${(err as Error).message})`);
      return false;
    }
    this.usable = true;
    return true;
  }

  private refuse(why: string): void {
    this.usable = false;
    this.refusal = why;
  }

  private tracerOf(pid: number): number | undefined {
    const status = this.status(pid);
    const tracer = status ? /^TracerPid:\s+(\d+)/m.exec(status)?.[1] : undefined;
    return tracer !== undefined && Number(tracer) > 0 ? Number(tracer) : undefined;
  }

  /** Whether `pid` is `ancestor` or one of its descendants (lldb-dap traces through the lldb-server it starts). */
  private descendsFrom(pid: number, ancestor: number): boolean {
    for (let at: number | undefined = pid, hops = 0; at !== undefined && at > 1 && hops < 8; hops++) {
      if (at === ancestor) return true;
      const status = this.status(at);
      const parent = status ? /^PPid:\s+(\d+)/m.exec(status)?.[1] : undefined;
      at = parent === undefined ? undefined : Number(parent);
    }
    return false;
  }

  private status(pid: number): string | undefined {
    try {
      return this.procFs.readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return undefined;
    }
  }
}
