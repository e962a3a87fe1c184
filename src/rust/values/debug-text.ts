// Scalars as Rust's `{:?}` prints them: integers (exact to 128 bits), floats at their own precision, chars and strings escaped.

/** Reads an unsigned or signed little-endian integer of 1..16 bytes exactly. */
export function readInteger(bytes: Uint8Array, offset: number, size: number, signed: boolean): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i]);
  if (signed && size > 0 && bytes[offset + size - 1] & 0x80) value -= 1n << BigInt(size * 8);
  return value;
}

/** `{:?}` of an integer, or `{:#x?}` when hex is asked for (a negative value shows its two's complement, as Rust does). */
export function integerText(value: bigint, size: number, hex: boolean): string {
  if (!hex) return value.toString();
  const unsigned = value < 0n ? value + (1n << BigInt(size * 8)) : value;
  return `0x${unsigned.toString(16)}`;
}

/**
 * `{:?}` of a float: the shortest digits that read back to the same value at the type's precision, in decimal form
 * for 1e-4 <= |x| < 1e16 (keeping `.0` on integral values) and in exponent form (`1e16`, `1.5e-7`) outside it.
 */
export function floatText(value: number, size: 4 | 8): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const { digits, exponent } = shortestDigits(value, size);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e16) {
    // exponent is the power of ten of the first digit.
    if (exponent >= digits.length - 1) return `${sign}${digits}${'0'.repeat(exponent - digits.length + 1)}.0`;
    if (exponent >= 0) return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exponent}`;
}

/** The shortest decimal digits (no sign, no dot) that round-trip at f32 or f64 precision, and the first digit's power of ten. */
function shortestDigits(value: number, size: 4 | 8): { digits: string; exponent: number } {
  let text: string;
  if (size === 8) text = Math.abs(value).toExponential();
  else {
    // JavaScript only knows f64's shortest form; an f32 takes the first precision whose nearest decimal reads back.
    const target = Math.fround(Math.abs(value));
    text = target.toExponential(8);
    for (let p = 1; p <= 9; p++) {
      const candidate = target.toExponential(p - 1);
      if (Math.fround(Number(candidate)) === target) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exp] = text.split('e');
  return { digits: mantissa.replace('.', '').replace(/0+$/, '') || '0', exponent: Number(exp) };
}

// Rust's char::escape_debug escapes what core::unicode::printable rejects (controls, format characters,
// separators other than the ASCII space, private use, unassigned) and grapheme extenders.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\p{Grapheme_Extend}]/u;

/** One character as escape_debug writes it inside a char (`quote` = "'") or a string (`quote` = '"') literal. */
function escapeChar(ch: string, quote: '"' | "'"): string {
  switch (ch) {
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
    case '\n':
      return '\\n';
    case '\\':
      return '\\\\';
    case '\0':
      return '\\0';
    case quote:
      return `\\${quote}`;
  }
  if (ch !== ' ' && NOT_PRINTABLE.test(ch)) return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
  return ch;
}

/** `{:?}` of a char given as its code point (an invalid one, which safe Rust cannot make, is shown as such). */
export function charText(codePoint: number, hex: boolean): string {
  if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return `<invalid char ${integerText(BigInt(codePoint), 4, hex)}>`;
  return `'${escapeChar(String.fromCodePoint(codePoint), "'")}'`;
}

/** `{:?}` of a str: `"..."` with escape_debug per char. */
export function stringText(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeChar(ch, '"');
  return `${out}"`;
}

/**
 * `{:?}` of bytes that should be UTF-8 (an OsStr on Unix, a Path): valid runs escaped as in a str, each invalid byte
 * as `\xNN`, like Rust's Utf8Chunks-based Debug.
 */
export function lossyBytesText(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      out += `\\x${bytes[i].toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
      continue;
    }
    let end = i + len;
    while (end < bytes.length) {
      const next = utf8SequenceLength(bytes, end);
      if (next === 0) break;
      end += next;
    }
    for (const ch of decoder.decode(bytes.subarray(i, end))) out += escapeChar(ch, '"');
    i = end;
  }
  return `${out}"`;
}

/** Length of the valid UTF-8 sequence starting at `i`, 0 when the byte there cannot start one. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number): boolean => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

/**
 * `{:?}` of a CStr/CString's bytes (without the terminating NUL) as current Rust prints it: ASCII bytes with
 * ascii::escape_default, other valid UTF-8 chars with escape_debug, invalid bytes as `\xNN`. (Rust 1.63 escaped every
 * non-ASCII byte as `\xNN`; the newer form is what users of current toolchains see.)
 */
export function cStringText(bytes: Uint8Array): string {
  let out = '"';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      out += byteEscape(bytes[i]);
      i++;
      continue;
    }
    out += len === 1 ? byteEscape(bytes[i]) : escapeChar(decoder.decode(bytes.subarray(i, i + len)), '"');
    i += len;
  }
  return `${out}"`;
}

/** ascii::escape_default of one byte. */
function byteEscape(b: number): string {
  switch (b) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x22:
      return '\\"';
    case 0x27:
      return "\\'";
    case 0x5c:
      return '\\\\';
  }
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

/** Decodes Windows WTF-8 (an OsStr on Windows may hold unpaired surrogates, encoded as 3-byte sequences) for display. */
export function wtf8Text(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c === 0xed && i + 2 < bytes.length && bytes[i + 1] >= 0xa0 && (bytes[i + 2] & 0xc0) === 0x80) {
      const unit = ((c & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      out += `\\u{${unit.toString(16)}}`;
      i += 3;
      continue;
    }
    let end = i;
    while (end < bytes.length && !(bytes[end] === 0xed && end + 1 < bytes.length && bytes[end + 1] >= 0xa0)) end++;
    out += lossyBytesText(bytes.subarray(i, end)).slice(1, -1);
    i = end;
  }
  return `${out}"`;
}

/** `{:?}` of a Duration: the largest unit of s, ms, µs, ns that is at least 1, with the fraction's trailing zeros dropped. */
export function durationText(secs: bigint, nanos: number): string {
  const fraction = (integer: bigint, frac: number, digits: number, unit: string): string => {
    const f = frac.toString().padStart(digits, '0').replace(/0+$/, '');
    return `${integer}${f ? `.${f}` : ''}${unit}`;
  };
  if (secs > 0n) return fraction(secs, nanos, 9, 's');
  if (nanos >= 1_000_000) return fraction(BigInt(Math.floor(nanos / 1_000_000)), nanos % 1_000_000, 6, 'ms');
  if (nanos >= 1_000) return fraction(BigInt(Math.floor(nanos / 1_000)), nanos % 1_000, 3, 'µs');
  return `${nanos}ns`;
}
