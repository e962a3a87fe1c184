// A worker's reads of the stopped program's memory straight from /proc/<pid>/mem, under the grant the session gives a task while the program is stopped (see src/debug/process-memory.ts).
import * as fs from 'node:fs';

/**
 * The session's word that this task may read the program's memory from `path` itself: given only while the program is
 * stopped and traced by our lldb-dap. `process` changes when the program does (a restart), so a worker never reads
 * another process through a file it opened before.
 */
export interface DirectMemoryGrant {
  path: string;
  process: number;
}

/** One file per worker, reopened when the grant names another process. */
let open: { grant: DirectMemoryGrant; fd: number } | undefined;

function fdFor(grant: DirectMemoryGrant): number | undefined {
  if (open && open.grant.path === grant.path && open.grant.process === grant.process) return open.fd;
  closeDirectMemory();
  try {
    open = { grant, fd: fs.openSync(grant.path, 'r') };
    return open.fd;
  } catch {
    return undefined;
  }
}

/**
 * `count` bytes at `address`, or undefined when they are not all readable here (an unmapped page, a refused open):
 * the caller then reads through the session, which knows partial reads.
 */
export function readDirect(grant: DirectMemoryGrant, address: number, count: number): Uint8Array | undefined {
  const fd = fdFor(grant);
  return fd === undefined ? undefined : readFully(fs.readSync, fd, address, count);
}

/**
 * All `count` bytes at `address` of a memory file, or undefined when any of them cannot be read (EIO: not mapped; a
 * short read: the end of a mapping): a partial read is lldb-dap's to answer. Shared with the session's own reads.
 */
export function readFully(read: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number, fd: number, address: number, count: number): Uint8Array | undefined {
  const bytes = new Uint8Array(count);
  try {
    for (let done = 0; done < count; ) {
      const n = read(fd, bytes, done, count - done, address + done);
      if (n <= 0) return undefined;
      done += n;
    }
  } catch {
    return undefined;
  }
  return bytes;
}

export function closeDirectMemory(): void {
  if (!open) return;
  try {
    fs.closeSync(open.fd);
  } catch {
    // already closed
  }
  open = undefined;
}
