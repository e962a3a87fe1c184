// Names from PDBs and COFF tables made readable: rustc's CodeView spellings (`closure$0`, `tuple$<>`, `ref$<T>`) become Rust paths; mangled publics are demangled.

import { demangleRust } from '../rust-demangle';
import { msvcToRust } from './msvc-type-names';

/**
 * Demangles a public or COFF symbol name (legacy `_ZN…` or v0 `_R…`, without the hash), or returns undefined when it
 * is not a mangled Rust name. The one switch point between the PE/PDB readers and the Rust demangler.
 */
export function demanglePublic(name: string): string | undefined {
  return demangleRust(name);
}

/**
 * Rewrites a CodeView name written by rustc for MSVC into Rust syntax (see msvcToRust): function names in the symbol
 * index get the same spellings as types, `ref$<enum$<demo::Shape> >` → `&demo::Shape`.
 */
export const cleanRustCodeViewName = msvcToRust;
