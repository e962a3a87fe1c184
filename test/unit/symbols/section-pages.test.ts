// Paged sections: each page is read once, and a string that crosses a page boundary is read whole.
import * as assert from 'node:assert/strict';
import { ByteSource, SectionPages, bufferSource } from '../../../src/symbols/byte-source';

/** A source over `bytes` that counts the bytes read from it. */
function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const inner = bufferSource(bytes);
  const source = {
    size: inner.size,
    bytesRead: 0,
    read(offset: number, length: number): Uint8Array {
      source.bytesRead += length;
      return inner.read(offset, length);
    },
  };
  return source;
}

/** A section of NUL-terminated strings spanning several 64 KiB pages. */
function stringSection(): Uint8Array {
  const text = Array.from({ length: 30_000 }, (_, i) => `name_${i}_${'x'.repeat(i % 13)}`).join('\0') + '\0';
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

describe('section pages', () => {
  it('reads each page once, and a string across a page boundary whole', () => {
    const section = stringSection();
    const source = countingSource(section);
    const pages = new SectionPages(source, 0, section.length);
    // A string that starts on the first page and ends on the second.
    let boundary = section.lastIndexOf(0, (1 << 16) - 1) + 1;
    if (boundary >= 1 << 16) boundary = section.lastIndexOf(0, (1 << 16) - 2) + 1;
    assert.ok(boundary < 1 << 16 && section.indexOf(0, boundary) >= 1 << 16);
    const end = pages.ensureString(boundary);
    assert.equal(end, section.indexOf(0, boundary));
    assert.equal(source.bytesRead, 2 << 16, 'the two pages the string lies on');
    pages.ensure(0, 100);
    pages.ensureString(boundary);
    assert.equal(source.bytesRead, 2 << 16, 'nothing read twice');
    assert.deepEqual(pages.bytes.subarray(0, 2 << 16), section.subarray(0, 2 << 16));
  });

  it('takes over the previous file\'s array for the next one: the same buffer, zero where the new file has not been read', () => {
    const first = stringSection();
    const old = new SectionPages(countingSource(first), 0, first.length);
    old.ensure(0, first.length); // every page of the first file read in
    const next = new Uint8Array(first.length - 70_000).fill(0x41); // the next build: smaller, other bytes
    next[next.length - 1] = 0;
    const source = countingSource(next);
    const pages = new SectionPages(source, 0, next.length, undefined, old);
    assert.equal(pages.bytes.buffer, old.bytes.buffer, 'the array was not reused');
    assert.equal(pages.bytes.length, next.length);
    assert.ok(pages.bytes.every((b) => b === 0), 'the first file\'s bytes are still there before any read');
    assert.equal(pages.ensureString(10), next.length - 1);
    assert.equal(source.bytesRead, next.length, 'each page of the next file read once');
    assert.deepEqual(pages.bytes, next);
    // A larger file cannot take the smaller array.
    const larger = new SectionPages(countingSource(first), 0, first.length + 1, undefined, pages);
    assert.notEqual(larger.bytes.buffer, pages.bytes.buffer);
  });
});
