// Rust symbol demangling, legacy (`_ZN…17h<hash>E`) and v0 (`_R…`), printing what binutils' `nm -C` prints (libiberty's rust-demangle).
// Differences from `nm -C` are listed in README "## Symbols"; the test over librustc_driver checks there are no others.
// Works on bytes and writes bytes: a large library has 100,000s of names, and strings per name (input, pieces, output) were most of the cost.
import { GrowableBytes } from './byte-source';

export interface DemangleOptions {
  /** Keep the legacy `::h<hash>` suffix and v0 crate disambiguators (`[1a2b…]`), as `c++filt --verbose` would. Default false. */
  verbose?: boolean;
}

/** Depth beyond which a name is considered hostile; real names nest a few dozen levels at most. */
const MAX_DEPTH = 500;
/** Grammar steps per name: backrefs can make output grow exponentially with the input, so the work is capped. */
const MAX_STEPS = 200_000;
/** Output bytes per name; real names stay below a few KB, and the step cap alone still allows tens of MB. */
const MAX_OUTPUT = 1 << 20;

const scratchIn = new GrowableBytes(1024);
const scratchOut = new GrowableBytes(1024);

/** Demangles a Rust symbol; undefined when `sym` is not a valid Rust mangled name (C, C++, or corrupt). */
export function demangleRust(sym: string, options?: DemangleOptions): string | undefined {
  scratchIn.length = 0;
  scratchIn.appendString(sym);
  scratchOut.length = 0;
  if (!demangleRustBytes(scratchIn.bytes, 0, scratchIn.length, scratchOut, options?.verbose === true)) return undefined;
  return scratchOut.text(0, scratchOut.length);
}

/**
 * Demangles the name in `src[start, end)` and appends the result to `out`; false (and `out` as it was) when it is not
 * a Rust mangled name. The index builders call this with the string table's bytes and their own string pool.
 */
export function demangleRustBytes(src: Uint8Array, start: number, end: number, out: GrowableBytes, verbose = false): boolean {
  const n = end - start;
  if (n < 2) return false;
  const c0 = src[start];
  const c1 = src[start + 1];
  const c2 = n > 2 ? src[start + 2] : -1;
  const mark = out.length;
  let ok = false;
  // `_R`, `R` (Windows strips one underscore), `__R` (macOS adds one).
  if (c0 === 95 /* _ */ && c1 === 82 /* R */) ok = demangleV0(src, start + 2, end, out, verbose);
  else if (c0 === 82) ok = demangleV0(src, start + 1, end, out, verbose);
  else if (c0 === 95 && c1 === 95 && c2 === 82) ok = demangleV0(src, start + 3, end, out, verbose);
  else if (c0 === 95 && c1 === 90 && c2 === 78) ok = demangleLegacy(src, start + 3, end, out, verbose);
  else if (c0 === 90 && c1 === 78) ok = demangleLegacy(src, start + 2, end, out, verbose);
  else if (c0 === 95 && c1 === 95 && c2 === 90 && n > 3 && src[start + 3] === 78) ok = demangleLegacy(src, start + 4, end, out, verbose);
  if (!ok) out.length = mark;
  return ok;
}

/** Whether a name looks like a mangled Rust symbol (cheap prefix test, no validation). */
export function looksLikeRustSymbol(sym: string): boolean {
  return sym.startsWith('_R') || sym.startsWith('_ZN') || sym.startsWith('__R') || sym.startsWith('__ZN');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** Per byte: 1 for `[0-9A-Za-z_]`, 2 for the other characters a legacy symbol may hold (`$ . :`). A table: these loops see every byte of every name. */
const SYMBOL_CHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) SYMBOL_CHAR[c] = 1;
  else if (c === 36 || c === 46 || c === 58) SYMBOL_CHAR[c] = 2;
}
function isLowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Appends an ASCII literal (the demangler's punctuation and keywords). */
function ascii(out: GrowableBytes, t: string): void {
  const n = t.length;
  out.ensure(n);
  const b = out.bytes;
  let at = out.length;
  for (let i = 0; i < n; i++) b[at++] = t.charCodeAt(i);
  out.length = at;
}

/** Appends one code point as UTF-8. */
function codePoint(out: GrowableBytes, cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) {
    out.push(0xc0 | (cp >> 6));
    out.push(0x80 | (cp & 63));
  } else if (cp < 0x10000) {
    out.push(0xe0 | (cp >> 12));
    out.push(0x80 | ((cp >> 6) & 63));
    out.push(0x80 | (cp & 63));
  } else {
    out.push(0xf0 | (cp >> 18));
    out.push(0x80 | ((cp >> 12) & 63));
    out.push(0x80 | ((cp >> 6) & 63));
    out.push(0x80 | (cp & 63));
  }
}

function latin1(src: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(src[i]);
  return s;
}

// ---------------------------------------------------------------- legacy

function demangleLegacy(sym: Uint8Array, start: number, end: number, out: GrowableBytes, verbose: boolean): boolean {
  let len = legacyEnd(sym, start, end);
  if (len < 0) return false;
  for (let i = start; i < len; i++) if (SYMBOL_CHAR[sym[i]] === 0) return false;
  if (sym[len - 1] !== 69 /* E */) return false;
  len--;
  // Every legacy Rust symbol ends in a `17h<16 hex>` hash segment; this rejects C++ names early.
  if (len - start <= 19 || sym[len - 19] !== 49 || sym[len - 18] !== 55 || sym[len - 17] !== 104) return false;
  // The hash segment must sit exactly at the end: walk the segments and require the last to start at len - 17.
  const hashStart = len - 17;
  if (!isLegacyHash(sym, hashStart + 1)) return false;
  let p = start;
  let first = true;
  while (p < len) {
    let c = sym[p];
    if (!isDigit(c)) return false;
    let n = c - 48;
    p++;
    if (n !== 0) {
      while (p < len && isDigit((c = sym[p]))) {
        n = n * 10 + (c - 48);
        if (n > len) return false;
        p++;
      }
    }
    if (p + n > len) return false;
    if (p === hashStart) {
      if (n !== 17 || p + n !== len) return false;
      if (first) return false;
      if (verbose) {
        ascii(out, '::');
        out.append(sym, p, p + n);
      }
      return true;
    }
    if (!first) ascii(out, '::');
    legacyIdent(sym, p, p + n, out);
    first = false;
    p += n;
  }
  return false;
}

/**
 * Where a legacy name ends before a `.llvm.<digits>`, `.cold` or other `.suffix` that LLVM appends (dropped, as
 * libiberty and so `nm -C` drop it): the last `E` followed by a `.`, or `end` when the name ends in `E`; -1 when
 * neither. The suffix may hold `@` besides the symbol characters.
 */
function legacyEnd(sym: Uint8Array, start: number, end: number): number {
  if (sym[end - 1] === 69 /* E */) return end;
  for (let i = end - 1; i > start; i--) {
    const c = sym[i];
    if (SYMBOL_CHAR[c] === 0 && c !== 64 /* @ */) return -1;
    if (c === 46 /* . */ && sym[i - 1] === 69) return i;
  }
  return -1;
}

function isLegacyHash(sym: Uint8Array, at: number): boolean {
  let seen = 0;
  for (let i = 0; i < 16; i++) {
    const c = sym[at + i];
    if (!isLowerHex(c)) return false;
    seen |= 1 << (c <= 57 ? c - 48 : c - 87);
  }
  let count = 0;
  while (seen) {
    count += seen & 1;
    seen >>>= 1;
  }
  return count >= 5;
}

/** The character of a two-letter (or `C`) legacy escape between `$`s, or -1. */
function legacyEscape(sym: Uint8Array, at: number, len: number): number {
  if (len === 1) return sym[at] === 67 /* C */ ? 44 /* , */ : -1;
  if (len !== 2) return -1;
  const a = sym[at];
  const b = sym[at + 1];
  if (a === 83 && b === 80) return 64; // SP @
  if (a === 66 && b === 80) return 42; // BP *
  if (a === 82 && b === 70) return 38; // RF &
  if (a === 76 && b === 84) return 60; // LT <
  if (a === 71 && b === 84) return 62; // GT >
  if (a === 76 && b === 80) return 40; // LP (
  if (a === 82 && b === 80) return 41; // RP )
  return -1;
}

/** `$u7b$`-style escape: the code point, or -1 when it is not one (1 to 6 lowercase hex digits, a scalar value). */
function legacyUnicode(sym: Uint8Array, at: number, len: number): number {
  if (len < 2 || len > 7 || sym[at] !== 117 /* u */) return -1;
  let cp = 0;
  for (let i = at + 1; i < at + len; i++) {
    const c = sym[i];
    if (!isLowerHex(c)) return -1;
    cp = cp * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  return cp;
}

function legacyIdent(sym: Uint8Array, start: number, end: number, out: GrowableBytes): void {
  // The mangler prefixes `_` so an identifier starting with an escape begins with an XID_Start character.
  if (end - start >= 2 && sym[start] === 95 && sym[start + 1] === 36) start++;
  let i = start;
  while (i < end) {
    const c = sym[i];
    if (c === 36) {
      let close = -1;
      for (let j = i + 1; j < end; j++) {
        if (sym[j] === 36) {
          close = j;
          break;
        }
      }
      let ch = -1;
      if (close >= 0) {
        const len = close - i - 1;
        ch = legacyEscape(sym, i + 1, len);
        if (ch < 0) ch = legacyUnicode(sym, i + 1, len);
      }
      if (ch < 0) {
        out.append(sym, i, end); // unknown escape: the rest verbatim, as libiberty does
        return;
      }
      codePoint(out, ch);
      i = close + 1;
    } else if (c === 46) {
      if (i + 1 < end && sym[i + 1] === 46) {
        out.push(58);
        out.push(58);
        i += 2;
      } else {
        out.push(46);
        i += 1;
      }
    } else {
      let j = i;
      while (j < end && sym[j] !== 36 && sym[j] !== 46) j++;
      out.append(sym, i, j);
      i = j;
    }
  }
}

// ---------------------------------------------------------------- v0

class V0Error extends Error {}
const fail = new V0Error('invalid v0 symbol');

const basicTypes: Record<string, string> = {
  a: 'i8', b: 'bool', c: 'char', d: 'f64', e: 'str', f: 'f32', h: 'u8', i: 'isize', j: 'usize', l: 'i32', m: 'u32',
  n: 'i128', o: 'u128', s: 'i16', t: 'u16', u: '()', v: '...', x: 'i64', y: 'u64', z: '!', p: '_',
};

const basicByCode: Array<string | undefined> = Array.from({ length: 26 }, (_, i) => basicTypes[String.fromCharCode(97 + i)]);

function demangleV0(sym: Uint8Array, start: number, symEnd: number, out: GrowableBytes, verbose: boolean): boolean {
  // An optional decimal encoding version may follow `_R`; only version 0 (no digits) exists.
  if (start >= symEnd) return false;
  const c = sym[start];
  if (isDigit(c)) return false;
  if (!(c >= 65 && c <= 90)) return false;
  let end = symEnd;
  for (let i = start; i < symEnd; i++) {
    const ch = sym[i];
    if (SYMBOL_CHAR[ch] === 1) continue;
    if (ch === 46 /* . */) { end = i; break; } // `.llvm.123`, `.cold`: dropped, as nm -C does
    return false;
  }
  const p = printer;
  p.reset(sym, start, end, out, verbose);
  try {
    p.path(true);
    if (p.pos < p.n) {
      p.skipping++;
      p.path(false); // the instantiating crate is not printed
      p.skipping--;
    }
    return p.pos === p.n;
  } catch (err) {
    if (err instanceof V0Error || err instanceof RangeError) return false;
    throw err;
  } finally {
    p.release();
  }
}

/** Positions are relative to `base` (just after `_R`), as v0 backrefs are. */
const NO_BYTES = new Uint8Array(0);

class V0Printer {
  s: Uint8Array = NO_BYTES;
  base = 0;
  n = 0;
  pos = 0;
  out!: GrowableBytes;
  outStart = 0;
  skipping = 0;
  depth = 0;
  boundLifetimes = 0;
  verbose = false;
  private steps = 0;
  /** The last identifier read: start (relative), length, whether punycode. */
  private idStart = 0;
  private idLen = 0;
  private idPuny = false;

  reset(s: Uint8Array, base: number, end: number, out: GrowableBytes, verbose: boolean): void {
    this.s = s;
    this.base = base;
    this.n = end - base;
    this.pos = 0;
    this.out = out;
    this.outStart = out.length;
    this.skipping = 0;
    this.depth = 0;
    this.boundLifetimes = 0;
    this.verbose = verbose;
    this.steps = 0;
  }
  /** Drops the reference to the caller's bytes. */
  release(): void {
    this.s = NO_BYTES;
  }

  private print(t: string): void {
    if (this.skipping !== 0) return;
    ascii(this.out, t);
    if (this.out.length - this.outStart > MAX_OUTPUT) throw fail;
  }
  private peek(): number {
    return this.pos < this.n ? this.s[this.base + this.pos] : -1;
  }
  private eat(c: number): boolean {
    if (this.pos < this.n && this.s[this.base + this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }
  private next(): number {
    if (this.pos >= this.n) throw fail;
    return this.s[this.base + this.pos++];
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH || ++this.steps > MAX_STEPS) throw fail;
  }
  private text(from: number, to: number): string {
    return latin1(this.s, this.base + from, this.base + to);
  }

  /** base-62 number terminated by `_`; `_` alone is 0, otherwise value + 1. */
  private int62(): number {
    if (this.eat(95)) return 0;
    let x = 0;
    for (;;) {
      const c = this.next();
      if (c === 95) break;
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 122) d = c - 87;
      else if (c >= 65 && c <= 90) d = c - 29;
      else throw fail;
      // Disambiguators are 64-bit hashes and lose precision here; only backrefs and counts need exact values, and those are small.
      x = x * 62 + d;
    }
    return x + 1;
  }
  private optInt62(tag: number): number {
    return this.eat(tag) ? this.int62() + 1 : 0;
  }

  /** Reads an identifier into idStart/idLen/idPuny. */
  private ident(): void {
    const isPuny = this.eat(117 /* u */);
    let c = this.peek();
    if (!isDigit(c)) throw fail;
    let len = c - 48;
    this.pos++;
    if (len !== 0) {
      while (isDigit((c = this.peek()))) {
        len = len * 10 + (c - 48);
        if (len > this.n) throw fail;
        this.pos++;
      }
    }
    this.eat(95);
    const start = this.pos;
    if (start + len > this.n) throw fail;
    this.pos += len;
    this.idStart = start;
    this.idLen = len;
    this.idPuny = isPuny;
    if (isPuny) {
      // The part after the last `_` is the punycode; it must not be empty.
      let sep = -1;
      for (let i = start + len - 1; i >= start; i--) {
        if (this.s[this.base + i] === 95) {
          sep = i;
          break;
        }
      }
      if (len === 0 || sep === start + len - 1) throw fail;
    }
  }

  /** Whether the last identifier prints anything (the ascii or punycode part is non-empty). */
  private identNonEmpty(): boolean {
    return this.idPuny || this.idLen > 0;
  }

  private printIdent(): void {
    if (this.skipping) return;
    const start = this.idStart;
    const len = this.idLen;
    if (!this.idPuny) {
      this.out.append(this.s, this.base + start, this.base + start + len);
      if (this.out.length - this.outStart > MAX_OUTPUT) throw fail;
      return;
    }
    let sep = -1;
    for (let i = start + len - 1; i >= start; i--) {
      if (this.s[this.base + i] === 95) {
        sep = i;
        break;
      }
    }
    const asciiPart = sep < 0 ? '' : this.text(start, sep);
    const puny = sep < 0 ? this.text(start, start + len) : this.text(sep + 1, start + len);
    const decoded = decodePunycode(asciiPart, puny);
    // libiberty prints the raw form when the punycode cannot be decoded.
    this.out.appendString(decoded ?? `punycode{${asciiPart ? asciiPart + '-' : ''}${puny}}`);
  }

  private backref(): number {
    const at = this.pos - 1;
    const target = this.int62();
    if (target >= at) throw fail; // only strictly backwards, so a cycle cannot form
    return target;
  }

  path(inValue: boolean): void {
    this.enter();
    const tag = this.next();
    switch (tag) {
      case 67 /* C */: {
        const disStart = this.pos;
        this.optInt62(115);
        const dis = this.verbose ? crateDisambiguator(this.text(disStart, this.pos)) : '';
        this.ident();
        this.printIdent();
        if (this.verbose) this.print(`[${dis}]`);
        break;
      }
      case 78 /* N */: {
        const ns = this.next();
        const lower = ns >= 97 && ns <= 122;
        const upper = ns >= 65 && ns <= 90;
        if (!lower && !upper) throw fail;
        this.path(inValue);
        const dis = this.optInt62(115);
        this.ident();
        if (upper) {
          this.print('::{');
          this.print(ns === 67 ? 'closure' : ns === 83 ? 'shim' : String.fromCharCode(ns));
          if (this.identNonEmpty()) {
            this.print(':');
            this.printIdent();
          }
          this.print(`#${dis}}`);
        } else if (this.identNonEmpty()) {
          this.print('::');
          this.printIdent();
        }
        break;
      }
      case 77 /* M */:
      case 88 /* X */:
      case 89 /* Y */: {
        if (tag !== 89) {
          this.optInt62(115);
          this.skipping++;
          this.path(inValue);
          this.skipping--;
        }
        this.print('<');
        this.type();
        if (tag !== 77) {
          this.print(' as ');
          this.path(false);
        }
        this.print('>');
        break;
      }
      case 73 /* I */: {
        this.path(inValue);
        if (inValue) this.print('::');
        this.print('<');
        for (let i = 0; !this.eat(69); i++) {
          if (i > 0) this.print(', ');
          this.genericArg();
        }
        this.print('>');
        break;
      }
      case 66 /* B */: {
        const target = this.backref();
        if (!this.skipping) {
          const saved = this.pos;
          this.pos = target;
          this.path(inValue);
          this.pos = saved;
        }
        break;
      }
      default:
        throw fail;
    }
    this.depth--;
  }

  private genericArg(): void {
    if (this.eat(76 /* L */)) this.lifetime(this.int62());
    else if (this.eat(75 /* K */)) this.konst();
    else this.type();
  }

  private lifetime(lt: number): void {
    if (lt === 0) {
      this.print("'_");
      return;
    }
    const depth = this.boundLifetimes - lt;
    if (depth < 0) throw fail;
    if (depth < 26) this.print("'" + String.fromCharCode(97 + depth));
    else this.print(`'_${depth}`);
  }

  private binder(): void {
    const n = this.optInt62(71 /* G */);
    if (n > 1000) throw fail;
    if (n > 0) {
      this.print('for<');
      for (let i = 0; i < n; i++) {
        if (i > 0) this.print(', ');
        this.boundLifetimes++;
        this.lifetime(1);
      }
      this.print('> ');
    }
  }

  type(): void {
    this.enter();
    const c = this.next();
    const basic = c >= 97 && c <= 122 ? basicByCode[c - 97] : undefined;
    if (basic !== undefined) {
      this.print(basic);
      this.depth--;
      return;
    }
    switch (c) {
      case 82 /* R */:
      case 81 /* Q */: {
        this.print('&');
        if (this.eat(76)) {
          const lt = this.int62();
          if (lt) {
            this.lifetime(lt);
            this.print(' ');
          }
        }
        if (c === 81) this.print('mut ');
        this.type();
        break;
      }
      case 80 /* P */:
        this.print('*const ');
        this.type();
        break;
      case 79 /* O */:
        this.print('*mut ');
        this.type();
        break;
      case 65 /* A */:
        this.print('[');
        this.type();
        this.print('; ');
        this.konst();
        this.print(']');
        break;
      case 83 /* S */:
        this.print('[');
        this.type();
        this.print(']');
        break;
      case 84 /* T */: {
        this.print('(');
        let i = 0;
        for (; !this.eat(69); i++) {
          if (i > 0) this.print(', ');
          this.type();
        }
        if (i === 1) this.print(',');
        this.print(')');
        break;
      }
      case 70 /* F */: {
        const saved = this.boundLifetimes;
        this.binder();
        if (this.eat(85 /* U */)) this.print('unsafe ');
        if (this.eat(75 /* K */)) {
          let abi: string;
          if (this.eat(67)) abi = 'C';
          else {
            this.ident();
            if (this.idPuny) throw fail;
            abi = this.text(this.idStart, this.idStart + this.idLen).replace(/_/g, '-');
          }
          this.print(`extern "${abi}" `);
        }
        this.print('fn(');
        for (let i = 0; !this.eat(69); i++) {
          if (i > 0) this.print(', ');
          this.type();
        }
        this.print(')');
        if (!this.eat(117 /* u */)) {
          this.print(' -> ');
          this.type();
        }
        this.boundLifetimes = saved;
        break;
      }
      case 68 /* D */: {
        this.print('dyn ');
        const saved = this.boundLifetimes;
        this.binder();
        for (let i = 0; !this.eat(69); i++) {
          if (i > 0) this.print(' + ');
          this.dynTrait();
        }
        this.boundLifetimes = saved;
        if (!this.eat(76)) throw fail;
        const lt = this.int62();
        if (lt) {
          this.print(' + ');
          this.lifetime(lt);
        }
        break;
      }
      case 66 /* B */: {
        const target = this.backref();
        if (!this.skipping) {
          const saved = this.pos;
          this.pos = target;
          this.type();
          this.pos = saved;
        }
        break;
      }
      default:
        this.pos--;
        this.path(false);
    }
    this.depth--;
  }

  private dynTrait(): void {
    let open = this.pathMaybeOpenGenerics();
    while (this.eat(112 /* p */)) {
      this.print(open ? ', ' : '<');
      open = true;
      this.ident();
      this.printIdent();
      this.print(' = ');
      this.type();
    }
    if (open) this.print('>');
  }

  private pathMaybeOpenGenerics(): boolean {
    this.enter();
    let open = false;
    if (this.eat(66 /* B */)) {
      const target = this.backref();
      if (!this.skipping) {
        const saved = this.pos;
        this.pos = target;
        open = this.pathMaybeOpenGenerics();
        this.pos = saved;
      }
    } else if (this.eat(73 /* I */)) {
      this.path(false);
      this.print('<');
      for (let i = 0; !this.eat(69); i++) {
        if (i > 0) this.print(', ');
        this.genericArg();
      }
      open = true;
    } else this.path(false);
    this.depth--;
    return open;
  }

  private konst(): void {
    this.enter();
    if (this.eat(66 /* B */)) {
      const target = this.backref();
      if (!this.skipping) {
        const saved = this.pos;
        this.pos = target;
        this.konst();
        this.pos = saved;
      }
      this.depth--;
      return;
    }
    const tag = this.next();
    switch (String.fromCharCode(tag)) {
      case 'p':
        this.print('_');
        break;
      case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
        this.constUint();
        break;
      case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
        if (this.eat(110 /* n */)) this.print('-');
        this.constUint();
        break;
      case 'b': {
        const v = this.hexValue();
        if (v === '0') this.print('false');
        else if (v === '1') this.print('true');
        else throw fail;
        break;
      }
      case 'c': {
        const v = this.hexValue();
        const cp = v.length <= 6 ? parseInt(v, 16) : -1;
        if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw fail;
        this.print(quoteChar(cp));
        break;
      }
      default:
        throw fail;
    }
    if (this.verbose) this.print(`: ${basicTypes[String.fromCharCode(tag)]}`);
    this.depth--;
  }

  /** Hex digits up to `_`, leading zeros stripped ('0' for none). */
  private hexValue(): string {
    const start = this.pos;
    for (;;) {
      const c = this.next();
      if (c === 95) break;
      if (!isLowerHex(c)) throw fail;
    }
    const hex = this.text(start, this.pos - 1).replace(/^0+/, '');
    return hex === '' ? '0' : hex;
  }

  private constUint(): void {
    const hex = this.hexValue();
    this.print(hex.length > 16 ? `0x${hex}` : BigInt('0x' + hex).toString());
  }
}

/** One printer, reused: demangling is synchronous and not re-entrant. */
const printer = new V0Printer();

/** The exact hex value of an `s<base62>_` crate disambiguator (64 bits, beyond a double's precision). */
function crateDisambiguator(text: string): string {
  if (text === '') return '0';
  if (text === 's_') return '1';
  let x = 0n;
  for (let i = 1; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    x = x * 62n + BigInt(c <= 57 ? c - 48 : c >= 97 ? c - 87 : c - 29);
  }
  return (x + 2n).toString(16);
}

function quoteChar(cp: number): string {
  switch (cp) {
    case 9: return "'\\t'";
    case 13: return "'\\r'";
    case 10: return "'\\n'";
    case 92: return "'\\\\'";
    case 39: return "'\\''";
  }
  if (cp >= 0x20 && cp < 0x7f) return `'${String.fromCharCode(cp)}'`;
  return `'\\u{${cp.toString(16)}}'`;
}

/** RFC 3492 decoding with Rust's `_` in place of `-`; undefined when malformed. */
function decodePunycode(ascii: string, puny: string): string | undefined {
  const out = Array.from(ascii, (ch) => ch.codePointAt(0)!);
  const base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
  let n = 128, i = 0, bias = 72, p = 0, first = true;
  while (p < puny.length) {
    const oldi = i;
    let w = 1;
    for (let k = base; ; k += base) {
      if (p >= puny.length) return undefined;
      const c = puny.charCodeAt(p++);
      const d = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : -1;
      if (d < 0) return undefined;
      i += d * w;
      if (i > 0x10ffff * 1000) return undefined;
      const t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
      if (d < t) break;
      w *= base - t;
    }
    const len = out.length + 1;
    let delta = first ? Math.floor((i - oldi) / damp) : Math.floor((i - oldi) / 2);
    first = false;
    delta += Math.floor(delta / len);
    let k = 0;
    while (delta > ((base - tmin) * tmax) >> 1) {
      delta = Math.floor(delta / (base - tmin));
      k += base;
    }
    bias = k + Math.floor(((base - tmin + 1) * delta) / (delta + skew));
    n += Math.floor(i / len);
    i %= len;
    if (n > 0x10ffff || out.length > 1000) return undefined;
    out.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...out);
}
