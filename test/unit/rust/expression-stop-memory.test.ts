// A worker's memory pages for one stop: each page fetched once across evaluations, unreadable memory answered short, nothing kept from a failed fetch.
import * as assert from 'node:assert';
import { StopMemory } from '../../../src/rust/expression-stop-memory';
import type { FetchMemory } from '../../../src/rust/values/memory-reader';

const PAGE = 4096;
const BASE = 0x10000;

/** Memory readable from BASE for `readable` bytes (byte i holds i & 0xff), counting fetches. */
function program(readable: number): { fetch: FetchMemory; calls: Array<[number, number]> } {
  const calls: Array<[number, number]> = [];
  return {
    calls,
    fetch: async (address, count) => {
      calls.push([address, count]);
      const end = Math.min(address + count, BASE + readable);
      const bytes = new Uint8Array(Math.max(0, end - address));
      for (let i = 0; i < bytes.length; i++) bytes[i] = (address - BASE + i) & 0xff;
      return { bytes };
    },
  };
}

describe('StopMemory', () => {
  it('fetches each page once for every evaluation of the stop', async () => {
    const memory = new StopMemory();
    const { fetch, calls } = program(4 * PAGE);
    const first = await memory.through(fetch)(BASE + 10, 100);
    assert.deepStrictEqual([...first.bytes.subarray(0, 3)], [10, 11, 12]);
    const again = await memory.through(fetch)(BASE + 50, 3 * PAGE);
    assert.strictEqual(again.bytes.length, 3 * PAGE);
    assert.strictEqual(again.bytes[PAGE], (50 + PAGE) & 0xff);
    // The first page was kept; only pages 2-4 were fetched, in one run.
    assert.deepStrictEqual(calls, [[BASE, PAGE], [BASE + PAGE, 3 * PAGE]]);
  });

  it('answers short where memory cannot be read, like readMemory', async () => {
    const memory = new StopMemory();
    const { fetch } = program(PAGE + 100);
    const r = await memory.through(fetch)(BASE + PAGE - 10, 500);
    assert.strictEqual(r.bytes.length, 110);
    const past = await memory.through(fetch)(BASE + 3 * PAGE, 8);
    assert.strictEqual(past.bytes.length, 0);
  });

  it('keeps nothing from a fetch that failed', async () => {
    const memory = new StopMemory();
    let fail = true;
    const { fetch, calls } = program(PAGE);
    const flaky: FetchMemory = async (a, c) => {
      if (fail) throw new Error('cancelled');
      return fetch(a, c);
    };
    await assert.rejects(memory.through(flaky)(BASE, 8), /cancelled/);
    fail = false;
    assert.strictEqual((await memory.through(flaky)(BASE, 8)).bytes.length, 8);
    assert.strictEqual(calls.length, 1);
  });
});
