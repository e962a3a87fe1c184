// The stop's page cache of task reads: a read is answered from lines already read, concurrent readers share one fetch, memory that ends mid-read reads short, large reads pass by, and clear() forgets everything (also a fetch still in flight).
import * as assert from 'node:assert/strict';
import { StopMemory, type FetchBytes } from '../../../src/debug/stop-memory';

/** A program's memory: readable from 0x10000 up to `end`, byte value = low 8 bits of the address plus `generation`. */
function memory(end = 0x20000): { fetch: FetchBytes; calls: Array<[bigint, number]>; generation: number } {
  const state = {
    calls: [] as Array<[bigint, number]>,
    generation: 0,
    fetch: async (address: bigint, count: number): Promise<Uint8Array> => {
      state.calls.push([address, count]);
      await new Promise((r) => setImmediate(r));
      const n = Math.max(0, Math.min(count, end - Number(address)));
      return Uint8Array.from({ length: n }, (_, i) => (Number(address) + i + state.generation) & 0xff);
    },
  };
  return state;
}

describe('StopMemory (the stop page cache of task reads)', () => {
  it('answers a second read of the same lines without fetching again', async () => {
    const m = memory();
    const cache = new StopMemory();
    const a = await cache.read(0x10010n, 16, m.fetch);
    assert.deepEqual([...a.bytes], Array.from({ length: 16 }, (_, i) => (0x10 + i) & 0xff));
    const b = await cache.read(0x10020n, 8, m.fetch);
    assert.equal(b.bytes[0], 0x20);
    assert.equal(m.calls.length, 1, 'one fetch of the line');
    assert.equal(cache.hits, 1);
  });

  it('concurrent reads of one line share its fetch', async () => {
    const m = memory();
    const cache = new StopMemory();
    await Promise.all([cache.read(0x10100n, 4, m.fetch), cache.read(0x10110n, 4, m.fetch), cache.read(0x10120n, 4, m.fetch)]);
    assert.equal(m.calls.length, 1);
  });

  it('a read running into unreadable memory answers the readable part and the count of the rest', async () => {
    const m = memory(0x10080);
    const cache = new StopMemory();
    const r = await cache.read(0x10040n, 0x100, m.fetch);
    assert.equal(r.bytes.length, 0x40);
    assert.equal(r.unreadableBytes, 0xc0);
    const again = await cache.read(0x10040n, 0x100, m.fetch);
    assert.equal(again.bytes.length, 0x40, 'the short line is kept as short');
  });

  it('reads over 64 KiB pass by the cache', async () => {
    const m = memory(0x100000);
    const cache = new StopMemory();
    await cache.read(0x10000n, 1 << 20, m.fetch);
    await cache.read(0x10000n, 16, m.fetch);
    assert.equal(m.calls.length, 2);
  });

  it('clear() forgets the stop: the next read fetches the changed bytes, and a fetch in flight across it is not kept', async () => {
    const m = memory();
    const cache = new StopMemory();
    await cache.read(0x10000n, 4, m.fetch);
    m.generation = 1;
    cache.clear();
    assert.equal((await cache.read(0x10000n, 4, m.fetch)).bytes[0], 1);
    const inFlight = cache.read(0x10200n, 4, m.fetch);
    cache.clear();
    m.generation = 2;
    await inFlight;
    assert.equal((await cache.read(0x10200n, 4, m.fetch)).bytes[0], 2, 'read afresh after the clear');
  });
});
