// rustc's CodeView spellings of types and functions (`ref$<str$>`, `enum2$<T>`, `tuple$<u8,i16>`, `never$ (*)(u8)`) turned into Rust (`&str`, `T`, `(u8, i16)`, `fn(u8) -> !`).

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const SCOPE_SUFFIX = /^(impl|closure|closure_env|async_block|async_fn|generator|coroutine)\$(\d+)$/;

/**
 * The C spellings LLVM's CodeView writer and rustc's MSVC names use for Rust's primitive types. `unsigned __int64`
 * is also `usize` and `__int64` also `isize`: CodeView keeps only size and signedness, so the fixed-width name is used.
 */
const C_BASE_TYPES: Record<string, string> = {
  'signed char': 'i8', // not `char`: rustc spells Rust's char `char` in its names
  __int8: 'i8',
  'unsigned char': 'u8',
  'unsigned __int8': 'u8',
  char8_t: 'u8',
  short: 'i16',
  __int16: 'i16',
  'unsigned short': 'u16',
  'unsigned __int16': 'u16',
  wchar_t: 'u16',
  char16_t: 'u16',
  int: 'i32',
  long: 'i32',
  __int32: 'i32',
  unsigned: 'u32',
  'unsigned int': 'u32',
  'unsigned long': 'u32',
  'unsigned __int32': 'u32',
  __int64: 'i64',
  'long long': 'i64',
  'unsigned __int64': 'u64',
  'unsigned long long': 'u64',
  __int128: 'i128',
  'unsigned __int128': 'u128',
  char32_t: 'char',
  float: 'f32',
  double: 'f64',
  void: '()',
};

/** The Rust name of a C base type spelling (`unsigned int` → `u32`), or undefined when it is not one. */
export function rustBaseTypeName(cName: string): string | undefined {
  return C_BASE_TYPES[cName];
}

/**
 * Rewrites a CodeView name written by rustc for MSVC (a type's or a function's) into Rust syntax, e.g.
 * `core::ops::function::FnOnce::call_once<std::rt::lang_start::closure$0,tuple$<> >`
 * → `core::ops::function::FnOnce::call_once<std::rt::lang_start::{closure#0}, ()>`, and
 * `enum$<core::option::Option<ref$<u8> >, 1, 18446744073709551615, Some>` → `core::option::Option<&u8>`.
 * Only meant for names from Rust modules (it maps C base type names); malformed input comes back unchanged.
 * Idempotent: a name already in Rust syntax comes back as it is.
 */
export function msvcToRust(name: string): string {
  if (!name.includes('$') && !name.includes('<') && !name.includes('(*)') && C_BASE_TYPES[name] === undefined) return name;
  try {
    const p = new NameParser(name);
    const out = p.type();
    return p.atEnd() ? out : name;
  } catch {
    return name;
  }
}

/** The top-level generic arguments of a name's last path segment (`a::Vec<u32, b::C<i8, u8>>` → [`u32`, `b::C<i8, u8>`]). */
export function genericArguments(rustName: string): string[] {
  // The last segment's `<` is the first one at depth 0 after the last depth-0 `::`.
  let depth = 0;
  let open = -1;
  for (let i = 0; i < rustName.length; i++) {
    const c = rustName[i];
    if (c === '<') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === '>' && rustName[i - 1] !== '-') depth--;
    else if (c === ':' && depth === 0 && rustName[i + 1] === ':') open = -1;
  }
  if (open < 0 || !rustName.endsWith('>')) return [];
  const args: string[] = [];
  depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < rustName.length - 1; i++) {
    const c = rustName[i];
    if (c === '<' || c === '(' || c === '[') depth++;
    else if ((c === '>' && rustName[i - 1] !== '-') || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      args.push(rustName.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = rustName.slice(start, rustName.length - 1).trim();
  if (last) args.push(last);
  return args;
}

/** A comparison key for Rust type names: spaces are dropped, so `Vec<u32, Global>` and `Vec<u32,Global>` meet (but `&mut T` keeps its space). */
export function typeNameKey(rustName: string): string {
  return rustName.replace(/\s*([,<>()[\];&*+=])\s*/g, '$1').replace(/\s+/g, ' ').trim();
}

/** Heads whose argument is the pointee: rustc ≤ 1.64's `slice$<T>` and `str` there are unsized. */
const POINTER_HEADS = new Set(['ref$', 'ref_mut$', 'ptr_const$', 'ptr_mut$', 'Box', 'Rc', 'Arc', 'Weak', 'NonNull', 'Unique', 'Cow']);

class NameParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  /** A path, optionally followed by a C function-pointer suffix `(*)(args)` that makes it the return type. */
  type(): string {
    if (++this.depth > 200) throw new Error('nested too deeply');
    let t = this.path();
    this.skipSpaces();
    while (this.s.startsWith('(*)', this.pos)) {
      this.pos += 3;
      this.skipSpaces();
      if (this.s[this.pos] !== '(') throw new Error('function pointer without parameters');
      this.pos++;
      const params = this.list(')');
      const ret = t === '()' ? '' : ` -> ${t}`;
      t = `fn(${params.join(', ')})${ret}`;
      this.skipSpaces();
    }
    this.depth--;
    return t;
  }

  /** Comma-separated types up to `close` (consumed); `raw` receives each one's text as written. */
  private list(close: string, raw: string[] = []): string[] {
    const out: string[] = [];
    this.skipSpaces();
    if (this.s[this.pos] === close) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpaces();
      const start = this.pos;
      out.push(this.type());
      raw.push(this.s.slice(start, this.pos));
      this.skipSpaces();
      if (this.s[this.pos] === ',') {
        this.pos++;
        continue;
      }
      break;
    }
    if (this.s[this.pos] !== close) throw new Error(`unbalanced ${close}`);
    this.pos++;
    return out;
  }

  /** segment (`::` segment)* where a segment may carry `<args>`. */
  private path(): string {
    const parts: string[] = [];
    for (;;) {
      parts.push(this.segment());
      if (this.s.startsWith('::', this.pos)) this.pos += 2;
      else break;
    }
    return parts.join('::');
  }

  private segment(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !'<>,:)'.includes(this.s[this.pos])) {
      const c = this.s[this.pos];
      if (c === '(' && this.s.startsWith('(*)', this.pos)) break;
      if (c === '-' && this.s[this.pos + 1] === '>') {
        // `fn(A) -> B` in an already-clean name.
        this.pos += 2;
        continue;
      }
      // Bracketed groups are kept verbatim: already-clean `(A, B)`, `[T; 4]`, `{impl#0}`, `fn(u8)`, which keeps
      // cleaning idempotent.
      const close = CLOSERS[c];
      if (close) this.skipGroup(c, close);
      else this.pos++;
    }
    let head = this.s.slice(start, this.pos).trim();
    const scoped = SCOPE_SUFFIX.exec(head);
    if (scoped) head = `{${scoped[1]}#${scoped[2]}}`;
    if (this.s[this.pos] !== '<') {
      if (head === 'never$') return '!';
      if (head === 'str$') return 'str';
      return C_BASE_TYPES[head] ?? head;
    }
    this.pos++;
    const raw: string[] = [];
    const args = this.list('>', raw);
    // rustc ≤ 1.64 wrote `&[T]` and `[T]` alike as `slice$<T>`, and `&str` and `str` alike as `str`: inside a
    // pointer or a smart pointer they are the unsized type, elsewhere (tuples, Option...) the reference.
    const unsized = POINTER_HEADS.has(head);
    for (let i = 0; i < args.length; i++) {
      if (raw[i] === 'str') args[i] = unsized ? 'str' : '&str';
      else if (unsized && raw[i].startsWith('slice$<') && args[i].startsWith('&[')) args[i] = args[i].slice(1);
    }
    return rewrite(head, args);
  }

  private skipGroup(open: string, close: string): void {
    let depth = 0;
    do {
      const c = this.s[this.pos++];
      if (c === open) depth++;
      else if (c === close) depth--;
    } while (depth > 0 && this.pos < this.s.length);
    if (depth > 0) throw new Error(`unbalanced ${open}${close}`);
  }

  private skipSpaces(): void {
    while (this.s[this.pos] === ' ') this.pos++;
  }
}

function rewrite(head: string, args: string[]): string {
  switch (head) {
    case 'tuple$':
      return args.length === 1 ? `(${args[0]},)` : `(${args.join(', ')})`;
    case 'ref$':
      return `&${args[0]}`;
    case 'ref_mut$':
      return `&mut ${args[0]}`;
    case 'ptr_const$':
      return `*const ${args[0]}`;
    case 'ptr_mut$':
      return `*mut ${args[0]}`;
    case 'slice$': // rustc ≤ 1.64: a reference to a slice (the reference is implied)
      return `&[${args[0]}]`;
    case 'slice2$':
      return `[${args[0]}]`;
    case 'array$':
      return `[${args[0]}; ${args[1] ?? '?'}]`;
    case 'enum$': // the niche form adds the dataful range and variant: `enum$<T, 1, 18446744073709551615, Some>`
    case 'enum2$':
      return args[0] ?? head;
    case 'dyn$':
      return `dyn ${args.join(' + ')}`;
    case 'assoc$': // an associated type binding inside a `dyn$`: `Fn<tuple$<>,assoc$<Output,tuple$<> > >`
      return args.length === 2 ? `${args[0]} = ${args[1]}` : `${head}<${args.join(', ')}>`;
    default:
      return `${head}<${args.join(', ')}>`;
  }
}
