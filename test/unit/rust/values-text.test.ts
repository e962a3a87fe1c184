// Scalars as Rust's {:?} prints them; the expected texts were printed by rustc 1.95 and 1.63 programs.
import * as assert from 'node:assert';
import { charText, cStringText, durationText, floatText, integerText, lossyBytesText, readInteger, stringText, wtf8Text } from '../../../src/rust/values/debug-text';

describe('values: Rust Debug text of scalars', () => {
  it('prints f64 like Rust: shortest round trip, .0 kept, exponent outside 1e-4..1e16', () => {
    const cases: Array<[number, string]> = [
      [0, '0.0'],
      [-0, '-0.0'],
      [1, '1.0'],
      [3, '3.0'],
      [0.1, '0.1'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e16'],
      [1.5e16, '1.5e16'],
      [1e-4, '0.0001'],
      [1e-5, '1e-5'],
      [1.2345e-7, '1.2345e-7'],
      [Number.MAX_VALUE, '1.7976931348623157e308'],
      [2.2250738585072014e-308, '2.2250738585072014e-308'],
      [5e-324, '5e-324'],
      [NaN, 'NaN'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [123456789.125, '123456789.125'],
    ];
    for (const [value, text] of cases) assert.strictEqual(floatText(value, 8), text, `f64 ${value}`);
  });

  it('prints f32 at f32 precision', () => {
    const cases: Array<[number, string]> = [
      [3, '3.0'],
      [0.1, '0.1'],
      [1e16, '1e16'],
      [16777216, '16777216.0'],
      [1e-5, '1e-5'],
      [3.4028234663852886e38, '3.4028235e38'],
      [0.3, '0.3'],
      [1.1, '1.1'],
    ];
    for (const [value, text] of cases) assert.strictEqual(floatText(Math.fround(value), 4), text, `f32 ${value}`);
  });

  it('prints integers exactly to 128 bits, and as hex on request', () => {
    const max = new Uint8Array(16).fill(0xff);
    assert.strictEqual(integerText(readInteger(max, 0, 16, false), 16, false), '340282366920938463463374607431768211455');
    const min = new Uint8Array(16);
    min[15] = 0x80;
    assert.strictEqual(integerText(readInteger(min, 0, 16, true), 16, false), '-170141183460469231731687303715884105728');
    assert.strictEqual(integerText(255n, 1, true), '0xff');
    assert.strictEqual(integerText(-1n, 1, true), '0xff');
    assert.strictEqual(integerText(1n, 1, false), '1');
  });

  it('escapes chars and strs as escape_debug does', () => {
    const chars: Array<[number, string]> = [
      [0x61, "'a'"],
      [0x27, "'\\''"],
      [0x22, `'"'`],
      [0x0a, "'\\n'"],
      [0, "'\\0'"],
      [0x7f, "'\\u{7f}'"],
      [0x301, "'\\u{301}'"],
      [0xe9, "'é'"],
      [0x200b, "'\\u{200b}'"],
      [0x20, "' '"],
      [0xa0, "'\\u{a0}'"],
    ];
    for (const [cp, text] of chars) assert.strictEqual(charText(cp, false), text);
    assert.strictEqual(stringText('a\'"\\\u0301x\u0301\u007f\u200b\r\t\u{1F600}\u00a0'), '"a\'\\"\\\\\\u{301}x\\u{301}\\u{7f}\\u{200b}\\r\\t😀\\u{a0}"');
    assert.strictEqual(charText(0xd800, false), '<invalid char 55296>');
  });

  it('prints OsStr, CStr and WTF-8 bytes as current Rust does', () => {
    assert.strictEqual(lossyBytesText(Uint8Array.from([0x61, 0xff, 0x0a, 0xe2, 0x80, 0x8b, 0x7a])), '"a\\xFF\\n\\u{200b}z"');
    assert.strictEqual(cStringText(new TextEncoder().encode('\u200b\n"\'\x7f')), '"\\u{200b}\\n\\"\\\'\\x7f"');
    assert.strictEqual(cStringText(Uint8Array.from([0x61, 0xff, 0x62])), '"a\\xffb"');
    assert.strictEqual(cStringText(new TextEncoder().encode('é\x01a')), '"é\\x01a"');
    // An unpaired surrogate U+D800 in WTF-8 is ED A0 80.
    assert.strictEqual(wtf8Text(Uint8Array.from([0x61, 0xed, 0xa0, 0x80, 0x62])), '"a\\u{d800}b"');
  });

  it('prints Durations in their largest unit', () => {
    assert.strictEqual(durationText(1n, 5), '1.000000005s');
    assert.strictEqual(durationText(0n, 1500), '1.5µs');
    assert.strictEqual(durationText(0n, 1_500_000), '1.5ms');
    assert.strictEqual(durationText(0n, 7), '7ns');
    assert.strictEqual(durationText(0n, 0), '0ns');
    assert.strictEqual(durationText(5n, 0), '5s');
    assert.strictEqual(durationText(1n, 500_000_000), '1.5s');
  });
});
