// Random-access bytes of an object file (a whole buffer, or an open file read on demand) and a bounds-checked little-endian cursor over them.
import * as fs from 'node:fs';
import { SymbolReadError } from './errors';

/** Where a reader gets bytes from; a file source lets a 150 MB library be indexed without reading it all. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or a SymbolReadError when the range lies outside the file. */
  read(offset: number, length: number): Uint8Array;
  /** Reads `length` bytes at `offset` straight into target[at, at + length) (no buffer of its own, no second copy). */
  readInto?(offset: number, length: number, target: Uint8Array, at: number): void;
  close?(): void;
}

/** source.readInto when it has one, else read and copy. */
export function readInto(source: ByteSource, offset: number, length: number, target: Uint8Array, at: number): void {
  if (source.readInto) source.readInto(offset, length, target, at);
  else target.set(source.read(offset, length), at);
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      checkRange(offset, length, bytes.length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

export function fileSource(path: string): ByteSource {
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  const readInto = (offset: number, length: number, target: Uint8Array, at: number): void => {
    checkRange(offset, length, size);
    if (at < 0 || at + length > target.length) throw new RangeError(`${length} bytes do not fit at ${at} of a ${target.length}-byte array`);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, target, at + done, length - done, offset + done);
      if (n <= 0) throw new SymbolReadError(`file ended while reading ${length} bytes at offset ${offset} (it shrank while being read?)`, path);
      done += n;
    }
  };
  return {
    size,
    read(offset, length) {
      const out = new Uint8Array(length);
      readInto(offset, length, out, 0);
      return out;
    },
    readInto,
    close() {
      fs.closeSync(fd);
    },
  };
}

function checkRange(offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new SymbolReadError(`the file is truncated or corrupt: ${length} bytes at offset ${offset} lie outside its ${size} bytes`);
  }
}

/** A little-endian cursor; every read is bounds-checked and throws SymbolReadError naming `what` when it runs off the end. */
export class Reader {
  readonly view: DataView;
  pos: number;
  constructor(readonly bytes: Uint8Array, readonly what: string, pos = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }
  get length(): number {
    return this.bytes.length;
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  private fail(n: number): never {
    throw new SymbolReadError(`${this.what} is truncated or corrupt: needed ${n} bytes at offset ${this.pos}, only ${Math.max(0, this.bytes.length - this.pos)} left`);
  }
  need(n: number): void {
    if (this.pos < 0 || this.pos + n > this.bytes.length) this.fail(n);
  }
  u8(): number {
    if (this.pos >= this.bytes.length) this.fail(1);
    return this.bytes[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** 64-bit value as a number; exact below 2^53, which holds for every address and offset we use. */
  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  /** Reads a 1/2/4/8-byte unsigned value. */
  uN(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: throw new SymbolReadError(`${this.what}: unsupported value size ${size}`);
    }
  }
  uleb(): number {
    const b = this.bytes;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= b.length) this.fail(1);
      const byte = b[this.pos++];
      if (mul < 2 ** 56) result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
  }
  sleb(): number {
    const b = this.bytes;
    let result = 0;
    let mul = 1;
    let byte: number;
    for (;;) {
      if (this.pos >= b.length) this.fail(1);
      byte = b[this.pos++];
      if (mul < 2 ** 56) result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) break;
    }
    if (byte & 0x40 && mul <= 2 ** 63) result -= mul;
    return result;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  /** Skips a LEB128 value without decoding it. */
  skipLeb(): void {
    const b = this.bytes;
    while (this.pos < b.length && b[this.pos] & 0x80) this.pos++;
    if (this.pos >= b.length) this.fail(1);
    this.pos++;
  }
  sub(n: number, what = this.what): Reader {
    this.need(n);
    const r = new Reader(this.bytes.subarray(this.pos, this.pos + n), what);
    this.pos += n;
    return r;
  }
  /** NUL-terminated UTF-8 string. */
  cstr(): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0) throw new SymbolReadError(`${this.what} is corrupt: a string at offset ${this.pos} is not terminated`);
    const s = decodeUtf8(this.bytes, this.pos, end);
    this.pos = end + 1;
    return s;
  }
}

/** Decodes bytes[start, end) as UTF-8 through Buffer's native slice (much faster than TextDecoder per short string). */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return asBuffer(bytes).toString('utf8', start, end);
}

let lastBytes: Uint8Array | undefined;
let lastBuffer: Buffer | undefined;
/** A Buffer view of `bytes` (no copy), cached for the string table being read. */
function asBuffer(bytes: Uint8Array): Buffer {
  if (bytes !== lastBytes) {
    lastBytes = bytes;
    lastBuffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return lastBuffer!;
}

/** String at `offset` in a NUL-terminated string table. */
export function cstrAt(table: Uint8Array, offset: number, what: string): string {
  if (offset < 0 || offset >= table.length) throw new SymbolReadError(`${what} is corrupt: string offset ${offset} is outside its ${table.length} bytes`);
  let end = table.indexOf(0, offset);
  if (end < 0) end = table.length;
  return decodeUtf8(table, offset, end);
}

/**
 * An append-only byte buffer that doubles as it grows: the demangler writes names into it and the index keeps it as
 * its string table, so a name goes from the file's bytes to the index without becoming a JS string on the way.
 */
export class GrowableBytes {
  bytes: Uint8Array;
  length = 0;
  constructor(initial = 1 << 16) {
    this.bytes = new Uint8Array(Math.max(16, initial));
  }
  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    if (need > 2 ** 31 - 1) throw new SymbolReadError(`a string table would exceed 2 GiB (${need} bytes)`);
    const grown = new Uint8Array(Math.min(2 ** 31 - 1, Math.max(this.bytes.length * 2, need)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  push(b: number): void {
    if (this.length === this.bytes.length) this.ensure(1);
    this.bytes[this.length++] = b;
  }
  /** Appends src[start, end). */
  append(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const out = this.bytes;
    let at = this.length;
    // Names are short: a loop beats set()+subarray() allocations below a few dozen bytes.
    if (n < 48) for (let i = start; i < end; i++) out[at++] = src[i];
    else out.set(src.subarray(start, end), at);
    this.length += n;
  }
  /** Appends a string as UTF-8 (ASCII without a round trip through Buffer). */
  appendString(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.length = at;
        this.length += asBuffer(out).write(s.slice(i), at, 'utf8');
        return;
      }
      out[at++] = c;
    }
    this.length = at;
  }
  /** The bytes [start, end) as a string. */
  text(start = 0, end = this.length): string {
    return decodeUtf8(this.bytes, start, end);
  }
}

/**
 * A section read page by page as a reader touches it: `bytes` is section-sized, and pages not read yet are zero
 * pages the OS never backs. A chunk of a big file reads the part of .debug_str its units name, not all of it.
 * `source` is the file as the current load has it open (a worker's next chunk brings its own).
 */
export class SectionPages {
  readonly bytes: Uint8Array;
  private readonly loaded: Uint8Array;
  /**
   * `recycle`: the same section of the file the worker read before (the previous build), whose array is reused when
   * it is large enough: its pages are backed by the OS already, where a new array's are faulted in one by one as
   * they are read into (10–15 µs a page on a VM). `recycle` must not be used afterwards.
   */
  constructor(public source: ByteSource, private readonly fileOffset: number, size: number, private readonly pageSize = 1 << 16, recycle?: SectionPages) {
    this.bytes = recycle?.takeBytes(size) ?? new Uint8Array(size);
    this.loaded = new Uint8Array(Math.ceil(size / pageSize));
  }
  /** The array's first `size` bytes, all zero again (the pages read are cleared), or undefined when it is smaller. */
  private takeBytes(size: number): Uint8Array | undefined {
    if (size > this.bytes.length) return undefined;
    for (let p = 0; p < this.loaded.length; p++) {
      if (this.loaded[p]) this.bytes.fill(0, p * this.pageSize, Math.min(this.bytes.length, (p + 1) * this.pageSize));
    }
    this.loaded.fill(0);
    return this.bytes.subarray(0, size);
  }
  /** Reads the pages covering [start, end) that are not read yet. */
  ensure(start: number, end: number): void {
    const size = this.bytes.length;
    if (start < 0) start = 0;
    if (end > size) end = size;
    const last = Math.ceil(end / this.pageSize);
    for (let p = Math.floor(start / this.pageSize); p < last; p++) {
      if (this.loaded[p]) continue;
      // One read for each run of pages not read yet.
      let q = p + 1;
      while (q < last && !this.loaded[q]) q++;
      const from = p * this.pageSize;
      const length = Math.min(q * this.pageSize, this.bytes.length) - from;
      readInto(this.source, this.fileOffset + from, length, this.bytes, from);
      this.loaded.fill(1, p, q);
      p = q;
    }
  }
  /** Reads the pages holding the NUL-terminated string at `offset`; returns the offset of its NUL (the section's length when there is none). */
  ensureString(offset: number): number {
    const size = this.bytes.length;
    if (offset < 0 || offset >= size) return size;
    for (let p = Math.floor(offset / this.pageSize); p * this.pageSize < size; p++) {
      if (!this.loaded[p]) this.page(p);
      const pageEnd = Math.min(size, (p + 1) * this.pageSize);
      // A NUL found past this page may be an unread (zero) page's: only one within the page counts.
      const nul = this.bytes.indexOf(0, Math.max(offset, p * this.pageSize));
      if (nul >= 0 && nul < pageEnd) return nul;
    }
    return size;
  }
  private page(p: number): void {
    const start = p * this.pageSize;
    const length = Math.min(this.pageSize, this.bytes.length - start);
    readInto(this.source, this.fileOffset + start, length, this.bytes, start);
    this.loaded[p] = 1;
  }
}
