// Frame names as Rust paths: without the legacy mangling hash (`main::h0123456789abcdef` → `main`), with legacy escapes decoded (`_$u7b$$u7b$closure$u7d$$u7d$` → `{{closure}}`), and shortened inside generic arguments as Rust developers read them.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { demangleRust } from '../symbols/rust-demangle';

const LEGACY_HASH = /::h[0-9a-f]{16}(?=$|[\s{<(])/g;
/** One path segment still in legacy-escaped form: identifier characters around at least one `$…$` escape. */
const ESCAPED_SEGMENT = /[A-Za-z0-9_.]*\$[A-Za-z0-9_]+\$[A-Za-z0-9_$.]*/g;
/** A stand-in hash that the legacy demangler accepts (and drops), so a single segment demangles on its own. */
const STAND_IN_HASH = '17h0123456789abcdef';

export function withoutLegacyHash(name: string): string {
  return name.replace(LEGACY_HASH, '');
}

/** A frame name for display: legacy hash dropped, escaped segments decoded by the demangler; anything else unchanged. */
export function rustFrameName(name: string): string {
  const plain = withoutLegacyHash(name);
  if (plain.indexOf('$') < 0) return plain;
  return plain.replace(ESCAPED_SEGMENT, (segment) => demangleRust(`_ZN${segment.length}${segment}${STAND_IN_HASH}E`) ?? segment);
}

/** Crates whose module paths a Rust developer reads past inside generic arguments (rustc's own diagnostics print `Vec<String>`). */
const STD_CRATE = /^(?:core|alloc|std)::/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * A frame name the way Rust developers read it: inside generic arguments (`<...>`, including `<T as Trait>`) a path
 * into core, alloc or std keeps only its item (`core::ops::function::Fn<()>` → `Fn<()>`, a closure keeps its function:
 * `panic_handler::{closure#0}`), and legacy `{{closure}}` reads `{closure#0}` as v0 mangling spells it. The frame's own
 * path, outside any `<`, stays whole, so `std::rt::lang_start` still says where the frame is.
 */
export function shortFrameName(name: string): string {
  const text = name.replace(/\{\{closure\}\}/g, '{closure#0}');
  let out = '';
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '<') {
      depth++;
      out += c;
      i++;
      continue;
    }
    if (c === '>' && text[i - 1] !== '-') {
      depth = Math.max(0, depth - 1);
      out += c;
      i++;
      continue;
    }
    const startsPath = depth > 0 && !/[A-Za-z0-9_:]/.test(text[i - 1] ?? '') && STD_CRATE.test(text.slice(i));
    if (!startsPath) {
      out += c;
      i++;
      continue;
    }
    // Segments up to the first generic argument list or the end of the path; keep from the last identifier on.
    const segments: string[] = [];
    let j = i;
    for (;;) {
      const rest = text.slice(j);
      const m = IDENTIFIER.exec(rest) ?? /^\{[^{}]*\}/.exec(rest);
      if (!m) break;
      segments.push(m[0]);
      j += m[0].length;
      if (!text.startsWith('::', j) || !(IDENTIFIER.test(text.slice(j + 2)) || text[j + 2] === '{')) break;
      j += 2;
    }
    let keep = segments.length - 1;
    while (keep > 0 && segments[keep].startsWith('{')) keep--;
    out += segments.slice(keep).join('::');
    i = j;
  }
  return out;
}

/** How stack frames are named: short by default, whole when the setting turns shortening off. */
export interface FrameNameOptions {
  /** `rustOffload.callStack.shortenFrameNames` (default true). */
  shorten: boolean;
}

/**
 * Names the frames of stackTrace answers, and puts each shortened frame's full name where VS Code's Call Stack shows
 * a hover for the row: DAP's StackFrame has no tooltip, and the Call Stack's label hover repeats the name itself, but
 * hovering the row's file part shows the source's path and its `origin`. VS Code keeps one Source per file, whose
 * origin the last frame in that file sets, so the origin lists the full names of every shortened frame of the stop
 * in that file (across VS Code's paged stackTrace requests), each once.
 */
export class FrameNames {
  private stop: unknown;
  private readonly fullNamesByFile = new Map<string, string[]>();

  constructor(private readonly options: () => FrameNameOptions) {}

  /**
   * Shortens the names of `frames` (already `rustFrameName`s) in place, unless the setting is off; `stop` identifies
   * the program stop they belong to (a new one forgets the last one's names).
   */
  shorten(frames: DebugProtocol.StackFrame[], stop: unknown): void {
    if (stop !== this.stop) {
      this.stop = stop;
      this.fullNamesByFile.clear();
    }
    if (!this.options().shorten) return;
    for (const frame of frames) {
      const full = frame.name;
      frame.name = shortFrameName(full);
      if (frame.name === full || !frame.source) continue;
      const file = frame.source.path ?? frame.source.name ?? '';
      let names = this.fullNamesByFile.get(file);
      if (!names) this.fullNamesByFile.set(file, (names = []));
      if (!names.includes(full)) names.push(full);
      frame.source = { ...frame.source, origin: fullNameOrigin(names) };
    }
  }
}

/** The origin text VS Code shows under the file's path when the row's file part is hovered. */
export function fullNameOrigin(fullNames: readonly string[]): string {
  return fullNames.length === 1 ? `Full name: ${fullNames[0]}` : `Full names of frames in this file:\n${fullNames.join('\n')}`;
}
