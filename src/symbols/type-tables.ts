// Opens a module's TypeTable inside a worker (ELF/PE with DWARF here; PE with a PDB through the PDB reader) and keeps the last few per thread.
import * as fs from 'node:fs';
import { ByteSource, SectionPages, fileSource } from './byte-source';
import { DwarfTypeTable } from './dwarf/dwarf-types';
import { ElfFile } from './elf/elf';
import { dwarfSections, elfImageBase, findDebugElf } from './elf/elf-module';
import { SymbolReadError } from './errors';
import { FileIdentity, fileIdentitySync, moduleCacheKey, sameFile } from './loaded-module-cache';
import { openPdbTypeTable } from './pdb/pdb-types';
import { peDwarfSections } from './pe/pe-module';
import { readPe } from './pe/pe';
import { TypeReadError, TypeTable } from './type-model';

/** Tables kept per worker thread: a debug session touches a handful of modules; each table holds its file open. */
const MAX_TABLES = 8;

interface Entry {
  identity: FileIdentity;
  table: TypeTable;
  close(): void;
}

/** Most recently used last. */
const tables = new Map<string, Entry>();

/**
 * The type table of the module at `modulePath` (a link-time view: addresses as in the file). Opened on first use and
 * kept while the file is unchanged (same path, size, mtime, inode), so every value formatted in this worker reuses
 * the types parsed before. Throws SymbolReadError when the file cannot be read, TypeReadError when it has no types.
 */
export function typeTableFor(modulePath: string, searchPaths: string[] = []): TypeTable {
  const key = moduleCacheKey(modulePath, searchPaths);
  const identity = fileIdentitySync(modulePath);
  if (!identity) throw new SymbolReadError('the module file does not exist or cannot be read; was it moved or deleted since it was loaded?', modulePath);
  const known = tables.get(key);
  if (known) {
    tables.delete(key);
    if (sameFile(known.identity, identity)) {
      tables.set(key, known);
      return known.table;
    }
    known.close(); // rebuilt since: its types are stale
  }
  const opened = openTypeTable(modulePath, searchPaths);
  tables.set(key, { identity, ...opened });
  while (tables.size > MAX_TABLES) {
    const [oldest, entry] = tables.entries().next().value as [string, Entry];
    tables.delete(oldest);
    entry.close();
  }
  return opened.table;
}

const imageBases = new Map<string, { identity: FileIdentity; base: number }>();

/**
 * The module's link-time image base (ELF: its lowest allocated page, as the symbol loader counts it; PE: ImageBase),
 * so that lldb-dap's load address of the module minus this is the slide, known before the module's symbols load.
 */
export function imageBaseOf(modulePath: string): number {
  const identity = fileIdentitySync(modulePath);
  if (!identity) throw new SymbolReadError('the module file does not exist or cannot be read; was it moved or deleted since it was loaded?', modulePath);
  const known = imageBases.get(modulePath);
  if (known && sameFile(known.identity, identity)) return known.base;
  const source = fileSource(modulePath);
  let base: number;
  try {
    const head = source.read(0, Math.min(4096, source.size));
    if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
      base = elfImageBase(new ElfFile(source, modulePath));
    } else if (head.length >= 0x40 && head[0] === 0x4d && head[1] === 0x5a) {
      const view = new DataView(head.buffer, head.byteOffset, head.length);
      const opt = view.getUint32(0x3c, true) + 24;
      if (opt + 32 > head.length) throw new SymbolReadError('the PE optional header is not within the first 4 KiB', modulePath);
      const magic = view.getUint16(opt, true);
      base = magic === 0x20b ? Number(view.getBigUint64(opt + 24, true)) : view.getUint32(opt + 28, true);
    } else {
      throw new SymbolReadError('neither an ELF nor a PE file', modulePath);
    }
  } finally {
    source.close?.();
  }
  imageBases.set(modulePath, { identity, base });
  return base;
}

/** Drops every kept table (tests, and a worker asked to free memory). */
export function clearTypeTables(): void {
  for (const e of tables.values()) e.close();
  tables.clear();
}

function openTypeTable(modulePath: string, searchPaths: string[]): { table: TypeTable; close(): void } {
  const source = fileSource(modulePath);
  try {
    const magic = source.read(0, Math.min(4, source.size));
    if (magic.length === 4 && magic[0] === 0x7f && magic[1] === 0x45 && magic[2] === 0x4c && magic[3] === 0x46) {
      return openElf(source, modulePath, searchPaths);
    }
    if (magic.length >= 2 && magic[0] === 0x4d && magic[1] === 0x5a) {
      source.close?.();
      return openPe(modulePath, searchPaths);
    }
    throw new SymbolReadError('neither an ELF nor a PE file: no type information can be read from it', modulePath);
  } catch (err) {
    source.close?.();
    throw err;
  }
}

function openElf(source: ByteSource, modulePath: string, searchPaths: string[]): { table: TypeTable; close(): void } {
  const elf = new ElfFile(source, modulePath);
  const opened: ByteSource[] = [];
  const { elf: debugElf, warning } = findDebugElf(elf, {
    path: modulePath,
    searchPaths,
    openFile: (p) => {
      if (!fs.existsSync(p)) return undefined;
      const s = fileSource(p);
      opened.push(s);
      return s;
    },
  });
  for (const s of opened) s.close?.(); // findDebugElf keeps the matching file's bytes, not its handle
  // .debug_info page by page (unless compressed): a frame's types touch one unit of a file that may hold 200 MB.
  const info = debugElf.section('.debug_info');
  let infoPages: SectionPages | undefined;
  if (info && !(info.flags & 0x800) && info.type !== 8 && info.offset + info.size <= debugElf.source.size) {
    infoPages = new SectionPages(debugElf.source, info.offset, info.size);
  }
  const sections = dwarfSections(debugElf, infoPages?.bytes, true);
  if (!sections) {
    throw new TypeReadError(`the module has no DWARF debug info${warning ? ` (${warning})` : ''}; build it with debug info (rustc -g, or debug = true in the Cargo profile)`, modulePath);
  }
  const table = new DwarfTypeTable({ module: modulePath, sections, infoPages, types: debugElf.data('.debug_types') });
  return { table, close: () => source.close?.() };
}

function openPe(modulePath: string, searchPaths: string[]): { table: TypeTable; close(): void } {
  const bytes = fs.readFileSync(modulePath);
  const image = readPe(bytes, modulePath);
  // Windows GNU (MinGW) images carry DWARF sections; MSVC images a PDB.
  const sections = peDwarfSections(bytes, image, modulePath);
  if (sections) return { table: new DwarfTypeTable({ module: modulePath, sections }), close: () => undefined };
  if (image.codeView) {
    const table = openPdbTypeTable(modulePath, searchPaths, image);
    return { table, close: () => table.close() };
  }
  throw new TypeReadError('the image has neither DWARF sections nor a PDB reference; build it with debug info', modulePath);
}
