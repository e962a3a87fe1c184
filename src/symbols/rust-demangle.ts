// Rust symbol demangling, legacy (`_ZN…17h<hash>E`) and v0 (`_R…`), printing what binutils' `nm -C` prints (libiberty's rust-demangle).
// Differences from `nm -C` are listed in README "## Symbols"; the test over librustc_driver checks there are no others.

export interface DemangleOptions {
  /** Keep the legacy `::h<hash>` suffix and v0 crate disambiguators (`[1a2b…]`), as `c++filt --verbose` would. Default false. */
  verbose?: boolean;
}

/** Depth beyond which a name is considered hostile; real names nest a few dozen levels at most. */
const MAX_DEPTH = 500;
/** Grammar steps per name: backrefs can make output grow exponentially with the input, so the work is capped. */
const MAX_STEPS = 200_000;

/** Demangles a Rust symbol; undefined when `sym` is not a valid Rust mangled name (C, C++, or corrupt). */
export function demangleRust(sym: string, options?: DemangleOptions): string | undefined {
  const verbose = options?.verbose === true;
  const c0 = sym.charCodeAt(0);
  // `_R`, `R` (Windows strips one underscore), `__R` (macOS adds one).
  if (c0 === 95 /* _ */ && sym.charCodeAt(1) === 82 /* R */) return demangleV0(sym, 2, verbose);
  if (c0 === 82) return demangleV0(sym, 1, verbose);
  if (c0 === 95 && sym.charCodeAt(1) === 95 && sym.charCodeAt(2) === 82) return demangleV0(sym, 3, verbose);
  if (c0 === 95 && sym.charCodeAt(1) === 90 && sym.charCodeAt(2) === 78) return demangleLegacy(sym, 3, verbose);
  if (c0 === 90 && sym.charCodeAt(1) === 78) return demangleLegacy(sym, 2, verbose);
  if (c0 === 95 && sym.charCodeAt(1) === 95 && sym.charCodeAt(2) === 90 && sym.charCodeAt(3) === 78) return demangleLegacy(sym, 4, verbose);
  return undefined;
}

/** Whether a name looks like a mangled Rust symbol (cheap prefix test, no validation). */
export function looksLikeRustSymbol(sym: string): boolean {
  return sym.startsWith('_R') || sym.startsWith('_ZN') || sym.startsWith('__R') || sym.startsWith('__ZN');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnumOrUnderscore(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isLowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

// ---------------------------------------------------------------- legacy

function demangleLegacy(sym: string, start: number, verbose: boolean): string | undefined {
  let len = sym.length;
  for (let i = start; i < len; i++) {
    const c = sym.charCodeAt(i);
    if (!(isAlnumOrUnderscore(c) || c === 36 /* $ */ || c === 46 /* . */ || c === 58 /* : */)) return undefined;
  }
  if (sym.charCodeAt(len - 1) !== 69 /* E */) return undefined;
  len--;
  // Every legacy Rust symbol ends in a `17h<16 hex>` hash segment; this rejects C++ names early.
  if (len - start <= 19 || sym.charCodeAt(len - 19) !== 49 || sym.charCodeAt(len - 18) !== 55 || sym.charCodeAt(len - 17) !== 104) return undefined;
  // The hash segment must sit exactly at the end: walk the segments and require the last to start at len - 17.
  const hashStart = len - 17;
  if (!isLegacyHash(sym, hashStart + 1)) return undefined;
  let out = '';
  let p = start;
  let first = true;
  while (p < len) {
    let c = sym.charCodeAt(p);
    if (!isDigit(c)) return undefined;
    let n = c - 48;
    p++;
    if (n !== 0) {
      while (p < len && isDigit((c = sym.charCodeAt(p)))) {
        n = n * 10 + (c - 48);
        if (n > len) return undefined;
        p++;
      }
    }
    if (p + n > len) return undefined;
    if (p === hashStart) {
      if (n !== 17 || p + n !== len) return undefined;
      if (verbose) out += (first ? '' : '::') + sym.slice(p, p + n);
      return first ? undefined : out;
    }
    out += (first ? '' : '::') + legacyIdent(sym, p, n);
    first = false;
    p += n;
  }
  return undefined;
}

function isLegacyHash(sym: string, at: number): boolean {
  let seen = 0;
  for (let i = 0; i < 16; i++) {
    const c = sym.charCodeAt(at + i);
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

const legacyEscapes: Record<string, string> = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

function legacyIdent(sym: string, start: number, len: number): string {
  let s = sym.slice(start, start + len);
  // The mangler prefixes `_` so an identifier starting with an escape begins with an XID_Start character.
  if (s.length >= 2 && s.charCodeAt(0) === 95 && s.charCodeAt(1) === 36) s = s.slice(1);
  if (s.indexOf('$') < 0 && s.indexOf('.') < 0) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 36) {
      const end = s.indexOf('$', i + 1);
      const code = end < 0 ? undefined : s.slice(i + 1, end);
      let ch: string | undefined;
      if (code !== undefined) {
        ch = legacyEscapes[code];
        if (ch === undefined && code.length > 1 && code.charCodeAt(0) === 117 /* u */) {
          const hex = code.slice(1);
          if (/^[0-9a-f]+$/.test(hex) && hex.length <= 6) {
            const cp = parseInt(hex, 16);
            if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) ch = String.fromCodePoint(cp);
          }
        }
      }
      if (ch === undefined) return out + s.slice(i); // unknown escape: the rest verbatim, as libiberty does
      out += ch;
      i = end! + 1;
    } else if (c === 46) {
      if (s.charCodeAt(i + 1) === 46) {
        out += '::';
        i += 2;
      } else {
        out += '.';
        i += 1;
      }
    } else {
      let j = i;
      while (j < s.length && s.charCodeAt(j) !== 36 && s.charCodeAt(j) !== 46) j++;
      out += s.slice(i, j);
      i = j;
    }
  }
  return out;
}

// ---------------------------------------------------------------- v0

class V0Error extends Error {}
const fail = new V0Error('invalid v0 symbol');

const basicTypes: Record<string, string> = {
  a: 'i8', b: 'bool', c: 'char', d: 'f64', e: 'str', f: 'f32', h: 'u8', i: 'isize', j: 'usize', l: 'i32', m: 'u32',
  n: 'i128', o: 'u128', s: 'i16', t: 'u16', u: '()', v: '...', x: 'i64', y: 'u64', z: '!', p: '_',
};

const basicByCode: Array<string | undefined> = Array.from({ length: 26 }, (_, i) => basicTypes[String.fromCharCode(97 + i)]);

function demangleV0(sym: string, start: number, verbose: boolean): string | undefined {
  // An optional decimal encoding version may follow `_R`; only version 0 (no digits) exists.
  if (start < sym.length && isDigit(sym.charCodeAt(start))) return undefined;
  const c = sym.charCodeAt(start);
  if (!(c >= 65 && c <= 90)) return undefined;
  let end = sym.length;
  for (let i = start; i < sym.length; i++) {
    const ch = sym.charCodeAt(i);
    if (ch === 46 /* . */) { end = i; break; } // `.llvm.123`, `.cold`: dropped, as nm -C does
    if (!isAlnumOrUnderscore(ch)) return undefined;
  }
  const p = new V0Printer(sym.slice(start, end), verbose);
  try {
    p.path(true);
    if (p.pos < p.s.length) {
      p.skipping++;
      p.path(false); // the instantiating crate is not printed
      p.skipping--;
    }
    if (p.pos !== p.s.length) return undefined;
    return p.out;
  } catch (err) {
    if (err instanceof V0Error || err instanceof RangeError) return undefined;
    throw err;
  }
}

class V0Printer {
  pos = 0;
  out = '';
  skipping = 0;
  depth = 0;
  boundLifetimes = 0;
  constructor(readonly s: string, readonly verbose: boolean) {}

  private print(t: string): void {
    if (this.skipping === 0) this.out += t;
  }
  private peek(): number {
    return this.s.charCodeAt(this.pos);
  }
  private eat(c: number): boolean {
    if (this.s.charCodeAt(this.pos) === c) {
      this.pos++;
      return true;
    }
    return false;
  }
  private next(): number {
    if (this.pos >= this.s.length) throw fail;
    return this.s.charCodeAt(this.pos++);
  }
  private steps = 0;
  private enter(): void {
    if (++this.depth > MAX_DEPTH || ++this.steps > MAX_STEPS) throw fail;
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

  private ident(): { ascii: string; puny: string | undefined } {
    const isPuny = this.eat(117 /* u */);
    let c = this.peek();
    if (!isDigit(c)) throw fail;
    let len = c - 48;
    this.pos++;
    if (len !== 0) {
      while (isDigit((c = this.peek()))) {
        len = len * 10 + (c - 48);
        if (len > this.s.length) throw fail;
        this.pos++;
      }
    }
    this.eat(95);
    const start = this.pos;
    if (start + len > this.s.length) throw fail;
    this.pos += len;
    const raw = this.s.slice(start, start + len);
    if (!isPuny) return { ascii: raw, puny: undefined };
    const sep = raw.lastIndexOf('_');
    const puny = sep < 0 ? raw : raw.slice(sep + 1);
    if (puny.length === 0) throw fail;
    return { ascii: sep < 0 ? '' : raw.slice(0, sep), puny };
  }

  private printIdent(id: { ascii: string; puny: string | undefined }): void {
    if (this.skipping) return;
    if (id.puny === undefined) {
      this.out += id.ascii;
      return;
    }
    const decoded = decodePunycode(id.ascii, id.puny);
    if (decoded === undefined) {
      // libiberty prints the raw form when the punycode cannot be decoded.
      this.out += `punycode{${id.ascii ? id.ascii + '-' : ''}${id.puny}}`;
    } else this.out += decoded;
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
        const dis = this.verbose ? crateDisambiguator(this.s.slice(disStart, this.pos)) : '';
        const name = this.ident();
        this.printIdent(name);
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
        const name = this.ident();
        if (upper) {
          this.print('::{');
          this.print(ns === 67 ? 'closure' : ns === 83 ? 'shim' : String.fromCharCode(ns));
          if (name.ascii || name.puny) {
            this.print(':');
            this.printIdent(name);
          }
          this.print(`#${dis}}`);
        } else if (name.ascii || name.puny) {
          this.print('::');
          this.printIdent(name);
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
        if (!this.skipping) this.at(target, () => this.path(inValue));
        break;
      }
      default:
        throw fail;
    }
    this.depth--;
  }

  private at(target: number, fn: () => void): void {
    const saved = this.pos;
    this.pos = target;
    fn();
    this.pos = saved;
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
            const id = this.ident();
            if (id.puny !== undefined) throw fail;
            abi = id.ascii.replace(/_/g, '-');
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
        if (!this.skipping) this.at(target, () => this.type());
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
      this.printIdent(this.ident());
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
      if (!this.skipping) this.at(target, () => this.konst());
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
    const hex = this.s.slice(start, this.pos - 1).replace(/^0+/, '');
    return hex === '' ? '0' : hex;
  }

  private constUint(): void {
    const hex = this.hexValue();
    this.print(hex.length > 16 ? `0x${hex}` : BigInt('0x' + hex).toString());
  }
}

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
