// Finds the PDB an image names: beside the image, at the debug-directory path, in search paths (flat or symbol-store layout); checks GUID and age.

import * as path from 'node:path';
import { ByteSource } from '../byte-source';
import { CodeViewInfo } from '../pe/pe';
import { FormatError } from '../pe/pe-byte-reader';
import { PdbFile } from './pdb';

/** Windows paths (`C:\x`, `\\server\share`, anything with a backslash) are handled with path.win32 on every host. */
export function pathFlavor(p: string): path.PlatformPath {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\') || p.includes('\\') ? path.win32 : path.posix;
}

/** The places a PDB may be, most specific first, without duplicates. */
export function pdbCandidates(imagePath: string, cv: CodeViewInfo, searchPaths: readonly string[]): string[] {
  const pdbName = path.win32.basename(cv.pdbPath); // the debug-directory path is written by the Windows linker
  const imageFlavor = pathFlavor(imagePath);
  const imageDir = imageFlavor.dirname(imagePath);
  const imageStem = imageFlavor.basename(imagePath).replace(/\.[^.]*$/, '');
  const out: string[] = [];
  const add = (p: string) => {
    if (p && !out.includes(p)) out.push(p);
  };
  if (pdbName) add(imageFlavor.join(imageDir, pdbName));
  if (cv.pdbPath) add(cv.pdbPath);
  const storeKey = cv.guid.replace(/[{}-]/g, '') + cv.age.toString(16).toUpperCase();
  for (const dir of expandSymbolPath(searchPaths)) {
    const f = pathFlavor(dir);
    if (pdbName) {
      add(f.join(dir, pdbName));
      add(f.join(dir, pdbName, storeKey, pdbName)); // symbol store / symbol server cache layout
    }
  }
  add(imageFlavor.join(imageDir, `${imageStem}.pdb`));
  return out;
}

/**
 * Search-path entries as users write them for Windows debuggers (`_NT_SYMBOL_PATH` style): plain folders,
 * `a;b` lists, and `srv*C:\cache*https://server` / `cache*C:\cache` entries, of which the local folders are kept
 * (downloading from a symbol server is not done here).
 */
export function expandSymbolPath(entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    for (const part of entry.split(';')) {
      const p = part.trim();
      if (!p) continue;
      if (!p.includes('*')) {
        out.push(p);
        continue;
      }
      for (const piece of p.split('*')) {
        const t = piece.trim();
        if (!t || /^(srv|symsrv|cache)$/i.test(t) || /^[a-z][a-z0-9+.-]*:\/\//i.test(t) || /\.dll$/i.test(t)) continue;
        out.push(t);
      }
    }
  }
  return out;
}

export interface LocatedPdb {
  path: string;
  pdb: PdbFile;
}

/**
 * Opens the first candidate whose GUID and age match the image. A candidate that exists but does not match is
 * skipped; if nothing matches, the error names the mismatch (or every place looked at).
 */
export function locatePdb(
  imagePath: string,
  cv: CodeViewInfo,
  searchPaths: readonly string[],
  readFile: (p: string) => Uint8Array | ByteSource | undefined,
): LocatedPdb {
  const candidates = pdbCandidates(imagePath, cv, searchPaths);
  const mismatches: string[] = [];
  const unreadable: string[] = [];
  const corrupt: Error[] = [];
  for (const p of candidates) {
    let bytes: Uint8Array | ByteSource | undefined;
    try {
      bytes = readFile(p);
    } catch (e) {
      unreadable.push(`${p} (${(e as Error).message})`);
      continue;
    }
    if (!bytes) continue;
    let pdb: PdbFile;
    try {
      pdb = new PdbFile(bytes, p);
    } catch (e) {
      close(bytes);
      // A damaged copy should not hide a good one further down the list.
      if (!(e instanceof FormatError)) throw e;
      corrupt.push(e);
      continue;
    }
    const ageMatches = pdb.age === cv.age || pdb.dbiAge === cv.age;
    if (pdb.guid === cv.guid && ageMatches) return { path: p, pdb };
    close(bytes);
    mismatches.push(
      pdb.guid !== cv.guid
        ? `${p} has GUID ${pdb.guid} but the image expects ${cv.guid}`
        : `${p} has age ${pdb.age} but the image expects age ${cv.age}`,
    );
  }
  if (corrupt.length && !mismatches.length) throw corrupt[0];
  if (mismatches.length) {
    throw new FormatError(
      `${imagePath}: the PDB does not match the image (GUID or age mismatch): ${mismatches.join('; ')}. ` +
        'The PDB is from a different build: rebuild, or put the matching PDB beside the image or in rustOffload.symbolSearchPaths',
    );
  }
  throw new FormatError(
    `${imagePath}: no PDB found for it (the image names ${cv.pdbPath}, GUID ${cv.guid}, age ${cv.age}). ` +
      `Looked at: ${candidates.join(', ')}${unreadable.length ? `; could not read: ${unreadable.join(', ')}` : ''}. ` +
      'Put the PDB beside the image or add its folder to rustOffload.symbolSearchPaths',
  );
}

function close(data: Uint8Array | ByteSource): void {
  if (!(data instanceof Uint8Array)) data.close?.();
}
