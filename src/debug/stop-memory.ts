// The stopped program's memory as read through lldb-dap during one stop, kept in pages so every task of the stop shares each read; cleared whenever the program may change.

/** Reads `count` bytes at `address` from lldb-dap: the bytes from there up to the first unreadable one. */
export type FetchBytes = (address: bigint, count: number) => Promise<Uint8Array>;

export interface StopRead {
  address: string;
  bytes: Uint8Array;
  unreadableBytes: number;
}

/** Lines of 256 bytes, as the value workers read them (see memory-reader.ts: lldb-dap's cost is per byte read). */
const PAGE = 256n;
const PAGE_BYTES = 256;
/**
 * Reads larger than this pass by the cache: a comparison of two large buffers reads each megabyte once, and a value's
 * formatting reads far less (a page of 100 children, a summary's items).
 */
const LARGEST_CACHED_READ = 64 << 10;
/** The cache stops taking pages here; a stop of a program whose values need more reads past it. */
const CAPACITY = 64 << 20;

/**
 * Pages of the stopped program's memory, valid until the program may change (resume, step, setVariable, writeMemory,
 * a native call), when the session calls clear(). A page (line) shorter than 256 bytes ends in unreadable memory. A read that was
 * in flight when clear() was called is answered but not kept: it may belong to the stop being left.
 */
export class StopMemory {
  private pages = new Map<bigint, Uint8Array>();
  private inFlight = new Map<bigint, Promise<void>>();
  private held = 0;
  private generation = 0;
  /** Reads answered from the cache and reads sent to lldb-dap, for tests and figures. */
  hits = 0;
  misses = 0;

  clear(): void {
    this.pages = new Map();
    this.inFlight = new Map();
    this.held = 0;
    this.generation++;
  }

  async read(address: bigint, count: number, fetch: FetchBytes): Promise<StopRead> {
    const text = `0x${address.toString(16)}`;
    if (count <= 0) return { address: text, bytes: new Uint8Array(0), unreadableBytes: 0 };
    if (count > LARGEST_CACHED_READ || this.held >= CAPACITY) {
      this.misses++;
      const bytes = await fetch(address, count);
      return { address: text, bytes, unreadableBytes: count - bytes.length };
    }
    const first = address / PAGE;
    const last = (address + BigInt(count) - 1n) / PAGE;
    if (this.covers(first, last)) {
      this.hits++;
      return this.assemble(address, count, text);
    }
    this.misses++;
    await this.fetchPages(first, last, fetch);
    if (this.covers(first, last)) return this.assemble(address, count, text);
    // Not kept (the cache is full, or the stop was left meanwhile): read it for this caller alone.
    const bytes = await fetch(address, count);
    return { address: text, bytes, unreadableBytes: count - bytes.length };
  }

  /** Whether the pages first..last are held, or held up to one that ends in unreadable memory. */
  private covers(first: bigint, last: bigint): boolean {
    for (let p = first; p <= last; p++) {
      const page = this.pages.get(p);
      if (!page) return false;
      if (page.length < PAGE_BYTES) return true;
    }
    return true;
  }

  /** Fetches the pages of first..last not held or in flight, as one read, and waits for those in flight. */
  private async fetchPages(first: bigint, last: bigint, fetch: FetchBytes): Promise<void> {
    const waits: Promise<void>[] = [];
    let from: bigint | undefined;
    let to: bigint | undefined;
    for (let p = first; p <= last; p++) {
      const pending = this.inFlight.get(p);
      if (pending) waits.push(pending);
      else if (!this.pages.has(p)) {
        from ??= p;
        to = p;
      }
    }
    if (from !== undefined && to !== undefined) {
      const generation = this.generation;
      const start = from;
      const end = to;
      const own = fetch(start * PAGE, Number((end - start + 1n) * PAGE)).then((bytes) => {
        if (generation !== this.generation) return;
        for (let p = start; p <= end; p++) {
          const offset = Number((p - start) * PAGE);
          if (offset > bytes.length) break; // unreadable before this page: not known to be unreadable itself
          const page = bytes.slice(offset, Math.min(offset + PAGE_BYTES, bytes.length));
          if (this.held + page.length <= CAPACITY) {
            this.pages.set(p, page);
            this.held += page.length;
          }
          if (page.length < PAGE_BYTES) break;
        }
      });
      const settled = own.finally(() => {
        for (let p = start; p <= end; p++) if (this.inFlight.get(p) === settled) this.inFlight.delete(p);
      });
      for (let p = start; p <= end; p++) this.inFlight.set(p, settled);
      waits.push(settled);
      // Kept without waiting, a failed read would be lost: the caller's own read fails with it below.
      settled.catch(() => undefined);
    }
    await Promise.all(waits);
  }

  /** The bytes of address..address+count from held pages, up to the first missing or unreadable byte. */
  private assemble(address: bigint, count: number, text: string): StopRead {
    const out = new Uint8Array(count);
    let done = 0;
    while (done < count) {
      const at = address + BigInt(done);
      const page = this.pages.get(at / PAGE);
      if (!page) break;
      const inPage = Number(at % PAGE);
      const take = Math.min(count - done, page.length - inPage);
      if (take <= 0) break;
      out.set(page.subarray(inPage, inPage + take), done);
      done += take;
      if (inPage + take < PAGE_BYTES && done < count) break;
    }
    return { address: text, bytes: done === count ? out : out.slice(0, done), unreadableBytes: count - done };
  }
}
