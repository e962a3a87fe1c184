// The stopped program's memory as one worker has read it during one stop, shared by every evaluation of that stop there.
import type { FetchMemory, MemoryBlock } from './values/memory-reader';

/** What a worker reads at a time: the page holding what it needs (exported for the adapter, which reads ahead for it). */
export const STOP_PAGE = 1 << 12;
const PAGE = STOP_PAGE;
/** Bytes one stop may keep in a worker; past this the stop's pages are dropped and read again as needed. */
export const STOP_MEMORY_LIMIT = 64 << 20;

/**
 * Memory cannot change while the program is stopped (a native call or a write starts a new stop number), so a page
 * read by one evaluation answers the next evaluation of the same stop without a host round trip. Pages that could not
 * be read are kept as such; a failed or cancelled fetch keeps nothing.
 */
export class StopMemory {
  private readonly pages = new Map<number, Uint8Array | null>();
  private kept = 0;
  /** Fetches made through this stop's cache, for tests and figures. */
  fetches = 0;

  /** `fetch` (the current task's host channel) behind this stop's pages. */
  through(fetch: FetchMemory): FetchMemory {
    return (address, count) => this.read(fetch, address, count);
  }

  private async read(fetch: FetchMemory, address: number, count: number): Promise<MemoryBlock> {
    if (count <= 0) return { bytes: new Uint8Array(0) };
    if (count > STOP_MEMORY_LIMIT / 4) return fetch(address, count);
    const first = Math.floor(address / PAGE);
    const last = Math.floor((address + count - 1) / PAGE);
    // This read's pages, kept here too: the stop's pages may be dropped (the limit) while they are being fetched.
    const have: Array<Uint8Array | null> = [];
    for (let page = first; page <= last; page++) {
      const known = this.pages.get(page);
      if (known !== undefined) {
        have[page - first] = known;
        continue;
      }
      let end = page;
      while (end + 1 <= last && !this.pages.has(end + 1)) end++;
      this.fetches++;
      const bytes = (await fetch(page * PAGE, (end - page + 1) * PAGE)).bytes;
      if (this.kept + bytes.length > STOP_MEMORY_LIMIT) this.clear();
      for (let p = page; p <= end; p++) {
        const offset = (p - page) * PAGE;
        const piece = offset >= bytes.length ? null : bytes.subarray(offset, Math.min(offset + PAGE, bytes.length));
        this.pages.set(p, piece);
        have[p - first] = piece;
      }
      this.kept += bytes.length;
      page = end;
    }
    // Answered like a readMemory: the bytes up to the first that cannot be read.
    const out = new Uint8Array(count);
    let got = 0;
    for (let page = first; page <= last; page++) {
      const bytes = have[page - first];
      const pageStart = page * PAGE;
      const from = Math.max(address, pageStart) - pageStart;
      const to = Math.min(address + count, pageStart + PAGE) - pageStart;
      if (!bytes || bytes.length <= from) break;
      const piece = bytes.subarray(from, Math.min(to, bytes.length));
      out.set(piece, got);
      got += piece.length;
      if (bytes.length < to) break;
    }
    return { bytes: got === count ? out : out.subarray(0, got) };
  }

  private clear(): void {
    this.pages.clear();
    this.kept = 0;
  }
}
