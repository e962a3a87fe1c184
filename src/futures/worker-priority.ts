// Lowers the scheduling priority of a worker that runs bulk work, so interactive work (the interactive lane's worker, the host, the debugger) keeps the CPU on a small machine.
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * The niceness of a general worker: bulk work (a module's symbols) runs at about a tenth of the CPU share of a thread
 * at 0 when both want the CPU, and at full speed when nothing else does. Measured on 2 cores: at the first stop, the
 * interactive worker, lldb-dap and the host shared the CPU with two workers reading the program's DWARF.
 */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling worker's priority. A thread on Linux sets its own thread's niceness (Linux schedules threads,
 * and /proc/thread-self names this one); a process sets its own (Windows: below-normal priority class). Anything
 * else (a thread on Windows or macOS) keeps its priority. Never throws: a refused change leaves it as it was.
 */
export function lowerOwnPriority(kind: 'thread' | 'process', nice = BACKGROUND_NICE): boolean {
  try {
    const id = schedulingId(kind);
    if (id === undefined) return false;
    os.setPriority(id, nice);
    return true;
  } catch {
    return false;
  }
}

/** The calling worker's niceness (undefined where a thread has none of its own), for tests and the Debugger Tasks view. */
export function ownPriority(kind: 'thread' | 'process'): number | undefined {
  try {
    const id = schedulingId(kind);
    return id === undefined ? undefined : os.getPriority(id);
  } catch {
    return undefined;
  }
}

/** What os.setPriority addresses for the caller: 0 (itself) for a process, its thread id for a Linux thread. */
function schedulingId(kind: 'thread' | 'process'): number | undefined {
  if (kind === 'process') return 0;
  if (process.platform !== 'linux') return undefined;
  const tid = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1];
  return tid === undefined ? undefined : Number(tid);
}
