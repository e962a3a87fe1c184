// Frame names as Rust paths: without the legacy mangling hash (`main::h0123456789abcdef` → `main`) and with
// legacy escapes LLDB leaves in place (`_$u7b$$u7b$closure$u7d$$u7d$` → `{{closure}}`).
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
