// Reads the stopped program's memory for the value formatters: aligned lines (256 bytes through lldb-dap, 4 KiB from the memory file), fetched in runs and kept for the task.

/** What one readMemory answers (the adapter's TaskMemory): the bytes read from `address`, short when memory ends. */
export interface MemoryBlock {
  bytes: Uint8Array;
}

/** Fetches `count` bytes at `address`; answers fewer bytes when the rest cannot be read. */
export type FetchMemory = (address: number, count: number) => Promise<MemoryBlock>;

/** Memory the formatter could not read, or a read the formatter refused (an absurd length); shown as `<error: …>` for that value only. */
export class MemoryError extends Error {
  override readonly name = 'MemoryError';
}

/**
 * The unit of reading and caching: 256 bytes, not a 4 KiB page. lldb-dap-22 costs ~0.07 ms per KiB read (base64,
 * JSON, lldb-server's packets), so a 4 KiB page read for an 8-byte String key took ~0.6 ms against ~0.1 ms for a
 * line (measured under load: 64 concurrent reads at scattered heap addresses, 40 ms at 4 KiB, 5 ms at 512 B).
 */
const PAGE = 256;
/**
 * Read from the program's memory file in the worker, a read costs a system call whatever its size up to a page (the
 * kernel copies page by page): 4 KiB lines take a Vec's elements or a hash table's buckets in one.
 */
const LOCAL_PAGE = 4096;
/** The largest single read the formatters make; a value needing more is read a piece at a time or refused. */
export const MAX_READ = 64 << 20;
/** x86-64 (and AArch64) user space ends below 2^47 (2^48); a pointer above that is not one to follow. */
const ADDRESS_LIMIT = 2 ** 48;

/**
 * A per-task cache of memory pages. The program is stopped, so a page read once stays valid for the task; pages
 * that cannot be read are remembered as such, so a dangling pointer costs one request.
 */
export class MemoryReader {
  private readonly pages = new Map<number, Uint8Array | null>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Bytes per line. */
  private readonly page: number;
  /** Requests made, for tests and figures. */
  requests = 0;

  /**
   * `local`: reads are answered in the worker itself (the program's memory file), in microseconds, so reading ahead
   * of formatting (ValueFormatter.warmUp) to save round trips would only format twice.
   */
  constructor(
    private readonly fetch: FetchMemory,
    private readonly signal?: AbortSignal,
    readonly local = false,
  ) {
    this.page = local ? LOCAL_PAGE : PAGE;
  }

  /** `count` bytes at `address`, or a MemoryError naming the address when any of them cannot be read. */
  async read(address: number, count: number): Promise<Uint8Array> {
    if (count === 0) return new Uint8Array(0);
    checkRange(address, count);
    const first = Math.floor(address / this.page);
    const last = Math.floor((address + count - 1) / this.page);
    if (!this.holds(first, last)) await this.ensurePages(first, last);
    const out = new Uint8Array(count);
    for (let page = first; page <= last; page++) {
      const bytes = this.pages.get(page);
      const pageStart = page * this.page;
      if (!bytes) throw new MemoryError(`cannot read memory at 0x${Math.max(address, pageStart).toString(16)}`);
      const from = Math.max(address, pageStart);
      const to = Math.min(address + count, pageStart + this.page);
      if (to - pageStart > bytes.length) throw new MemoryError(`cannot read memory at 0x${(pageStart + bytes.length).toString(16)}`);
      out.set(bytes.subarray(from - pageStart, to - pageStart), from - address);
    }
    return out;
  }

  /** Whether lines first..last are all known (read, or known unreadable): the common case needs no fetch at all. */
  private holds(first: number, last: number): boolean {
    for (let page = first; page <= last; page++) if (!this.pages.has(page)) return false;
    return true;
  }

  /**
   * `count` bytes at `address` read past the page cache (a comparison of two large buffers reads each byte once, and
   * caching them would hold the whole buffers in the worker); a MemoryError when any of them cannot be read.
   */
  async readThrough(address: number, count: number): Promise<Uint8Array> {
    if (count === 0) return new Uint8Array(0);
    checkRange(address, count);
    this.signal?.throwIfAborted();
    this.requests++;
    const bytes = (await this.fetch(address, count)).bytes;
    if (bytes.length < count) throw new MemoryError(`cannot read memory at 0x${(address + bytes.length).toString(16)}`);
    return bytes;
  }

  /**
   * Fetches the missing pages of first..last, each contiguous run of them in one request. Pages another read is
   * already fetching are waited for, not fetched again, so formatting several values at once costs no extra reads.
   */
  private async ensurePages(first: number, last: number): Promise<void> {
    const waits: Promise<void>[] = [];
    let page = first;
    while (page <= last) {
      const pending = this.inFlight.get(page);
      if (pending || this.pages.has(page)) {
        if (pending) waits.push(pending);
        page++;
        continue;
      }
      let end = page;
      while (end + 1 <= last && !this.pages.has(end + 1) && !this.inFlight.has(end + 1)) end++;
      this.signal?.throwIfAborted();
      this.requests++;
      const from = page;
      const to = end;
      const fetched = this.fetchRun(from, to).finally(() => {
        for (let p = from; p <= to; p++) this.inFlight.delete(p);
      });
      for (let p = from; p <= to; p++) this.inFlight.set(p, fetched);
      waits.push(fetched);
      page = end + 1;
    }
    await Promise.all(waits);
  }

  private async fetchRun(page: number, end: number): Promise<void> {
    const count = (end - page + 1) * this.page;
    let bytes: Uint8Array;
    try {
      bytes = (await this.fetch(page * this.page, count)).bytes;
    } catch (err) {
      this.signal?.throwIfAborted();
      bytes = new Uint8Array(0);
      void err;
    }
    for (let p = page; p <= end; p++) {
      const offset = (p - page) * this.page;
      if (offset >= bytes.length) this.pages.set(p, null);
      else this.pages.set(p, bytes.subarray(offset, Math.min(offset + this.page, bytes.length)));
    }
  }
}

/** Refuses reads no real value needs before anything is fetched. */
export function checkRange(address: number, count: number): void {
  if (!Number.isSafeInteger(address) || address <= 0 || address >= ADDRESS_LIMIT) throw new MemoryError(`invalid address 0x${address.toString(16)}`);
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_READ) throw new MemoryError(`refusing to read ${count} bytes at 0x${address.toString(16)} (more than ${MAX_READ >> 20} MiB)`);
  if (address + count > ADDRESS_LIMIT) throw new MemoryError(`${count} bytes at 0x${address.toString(16)} run past the end of the address space`);
}
