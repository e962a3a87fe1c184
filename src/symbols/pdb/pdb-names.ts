// Names from PDBs and COFF tables made readable: rustc's CodeView spellings (`closure$0`, `tuple$<>`, `ref$<T>`) become Rust paths; mangled publics are demangled.

import { demangleRust } from '../rust-demangle';

/**
 * Demangles a public or COFF symbol name (legacy `_ZN…` or v0 `_R…`, without the hash), or returns undefined when it
 * is not a mangled Rust name. The one switch point between the PE/PDB readers and the Rust demangler.
 */
export function demanglePublic(name: string): string | undefined {
  return demangleRust(name);
}

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const SCOPE_SUFFIX = /^(impl|closure|closure_env|async_block|async_fn|generator|coroutine)\$(\d+)$/;

/**
 * Rewrites a CodeView name written by rustc for MSVC into Rust syntax, e.g.
 * `core::ops::function::FnOnce::call_once<std::rt::lang_start::closure$0,tuple$<> >`
 * → `core::ops::function::FnOnce::call_once<std::rt::lang_start::{closure#0}, ()>`.
 * Only applied to names from Rust modules; malformed input comes back unchanged.
 */
export function cleanRustCodeViewName(name: string): string {
  if (!name.includes('$') && !name.includes('<')) return name;
  try {
    const p = new NameParser(name);
    const out = p.path();
    return p.atEnd() ? out : name;
  } catch {
    return name;
  }
}

class NameParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  /** segment (`::` segment)* where a segment may carry `<args>`. */
  path(): string {
    if (++this.depth > 200) throw new Error('nested too deeply');
    const parts: string[] = [];
    for (;;) {
      parts.push(this.segment());
      if (this.s.startsWith('::', this.pos)) this.pos += 2;
      else break;
    }
    this.depth--;
    return parts.join('::');
  }

  private segment(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !'<>,:'.includes(this.s[this.pos])) {
      // Bracketed groups are kept verbatim: `void (*)()` pointer spellings, and already-clean `(A, B)`, `[T; 4]`, `{impl#0}`,
      // which keeps cleaning idempotent.
      const close = CLOSERS[this.s[this.pos]];
      if (close) this.skipGroup(this.s[this.pos], close);
      else this.pos++;
    }
    let head = this.s.slice(start, this.pos).trim();
    const scoped = SCOPE_SUFFIX.exec(head);
    if (scoped) head = `{${scoped[1]}#${scoped[2]}}`;
    if (this.s[this.pos] !== '<') {
      if (head === 'never$') return '!';
      if (head === 'str$') return 'str';
      return head;
    }
    this.pos++;
    const args: string[] = [];
    this.skipSpaces();
    if (this.s[this.pos] !== '>') {
      for (;;) {
        this.skipSpaces();
        args.push(this.path());
        this.skipSpaces();
        if (this.s[this.pos] === ',') {
          this.pos++;
          continue;
        }
        break;
      }
    }
    this.skipSpaces();
    if (this.s[this.pos] !== '>') throw new Error('unbalanced <>');
    this.pos++;
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
    case 'slice$':
    case 'slice2$':
      return `[${args[0]}]`;
    case 'array$':
      return `[${args[0]}; ${args[1] ?? '?'}]`;
    case 'enum$':
    case 'enum2$':
      return args[0] ?? head;
    case 'dyn$':
      return `dyn ${args.join(' + ')}`;
    default:
      return `${head}<${args.join(', ')}>`;
  }
}
