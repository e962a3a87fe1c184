// Bounds-checked little-endian reading for the PE, MSF and PDB readers: every out-of-range read becomes a FormatError, never a crash.

import { SymbolReadError } from '../errors';

/** The shared bad-input error, under the name these readers use; the message says which file part, why, and what to do. */
export const FormatError = SymbolReadError;

/** Hard ceilings that keep corrupt counts and sizes from turning into huge allocations or long loops. */
export const limits = {
  /** Largest image we accept: PE32+ images cannot exceed 4 GiB. */
  maxFileBytes: 4 * 1024 * 1024 * 1024,
  /** The PE format allows 96 sections. */
  maxSections: 96,
};

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/**
 * A view on bytes with a position; `what` names the structure for error messages. Integers are assembled from bytes
 * rather than through a DataView: readers are created per record, and a DataView each was most of a big PDB's load time.
 */
export class ByteReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    start = 0,
    /** Where `bytes` starts in the enclosing stream or file, so error offsets are absolute. */
    readonly base = 0,
  ) {
    this.pos = start;
  }

  get length(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(reason: string): never {
    throw new FormatError(`${this.what} is corrupt: ${reason} (at offset ${this.base + this.pos})`);
  }

  need(n: number, at = this.pos): void {
    if (!(n >= 0) || at < 0 || at + n > this.bytes.length) {
      throw new FormatError(
        `${this.what} is truncated or corrupt: needs ${n} bytes at offset ${this.base + at}, but it ends at ${this.base + this.bytes.length}`,
      );
    }
  }

  seek(pos: number): this {
    if (pos < 0 || pos > this.bytes.length) this.fail(`offset ${pos} is outside the data`);
    this.pos = pos;
    return this;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  align(n: number): void {
    const p = Math.ceil(this.pos / n) * n;
    this.pos = Math.min(p, this.bytes.length);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    const v = this.u16At(this.pos);
    this.pos += 2;
    return v;
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  u32(): number {
    const v = this.u32At(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** A 64-bit value as a number; values past 2^53 lose precision, which no image base or RVA sum reaches in practice. */
  u64(): number {
    this.need(8);
    const lo = this.u32At(this.pos);
    const hi = this.u32At(this.pos + 4);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  u16At(at: number): number {
    const b = this.bytes;
    if (at < 0 || at + 2 > b.length) this.need(2, at);
    return b[at] | (b[at + 1] << 8);
  }

  u32At(at: number): number {
    const b = this.bytes;
    if (at < 0 || at + 4 > b.length) this.need(4, at);
    return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  }

  slice(n: number): Uint8Array {
    this.need(n);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  sliceAt(at: number, n: number): Uint8Array {
    this.need(n, at);
    return this.bytes.subarray(at, at + n);
  }

  /** A NUL-terminated string; without a NUL it runs to the end (corrupt, but readable). */
  cstr(): string {
    this.need(0);
    let end = this.bytes.indexOf(0, this.pos);
    if (end < 0) end = this.bytes.length;
    const s = decodeUtf8(this.bytes.subarray(this.pos, end));
    this.pos = Math.min(end + 1, this.bytes.length);
    return s;
  }

  cstrAt(at: number): string {
    this.need(0, at);
    let end = this.bytes.indexOf(0, at);
    if (end < 0) end = this.bytes.length;
    return decodeUtf8(this.bytes.subarray(at, end));
  }

  guid(): string {
    const d1 = this.u32();
    const d2 = this.u16();
    const d3 = this.u16();
    const rest = this.slice(8);
    const h = (v: number, w: number) => v.toString(16).toUpperCase().padStart(w, '0');
    const b = Array.from(rest, (x) => h(x, 2));
    return `{${h(d1, 8)}-${h(d2, 4)}-${h(d3, 4)}-${b.slice(0, 2).join('')}-${b.slice(2).join('')}}`;
  }
}

export { throwIfAborted as checkAborted } from '../errors';
