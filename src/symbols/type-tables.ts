// PLACEHOLDER until the dwarf-types/pdb-types branches land: the per-module TypeTable lookup the value formatters call. The merge replaces this file.
import type { TypeTable } from './type-model';

/** The type table of a module (ELF/PE with DWARF or PDB), read lazily and kept per worker. */
export async function typeTableFor(modulePath: string, searchPaths?: string[]): Promise<TypeTable> {
  void searchPaths;
  throw new Error(`no type reader is built into this build yet, so ${modulePath}'s types cannot be read`);
}
