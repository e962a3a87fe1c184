// Frame names without the legacy Rust mangling hash (`main::h0123456789abcdef` → `main`).

const LEGACY_HASH = /::h[0-9a-f]{16}(?=$|[\s{<(])/g;

export function withoutLegacyHash(name: string): string {
  return name.replace(LEGACY_HASH, '');
}
