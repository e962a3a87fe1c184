// Entry point for Windows images: reads a PE32+ file and its PDB (or its COFF tables) into the format-neutral ModuleSymbols.

import { ByteSource } from '../byte-source';
import { CompileUnit, FunctionSymbol, InlineSite, LineRow, ModuleSymbols, PublicSymbol } from '../model';
import { PdbFile } from '../pdb/pdb';
import { languageName, mergeRanges } from '../pdb/codeview';
import { locatePdb } from '../pdb/pdb-locate';
import { cleanRustCodeViewName, demanglePublic } from '../pdb/pdb-names';
import { PeImage, PeSection, readPe, sectionBytes } from './pe';
import { DwarfSections, LineColumnsBuilder, listUnits, readDwarf } from '../dwarf/dwarf';
import { DWARF_SECTION_NAMES } from '../elf/elf-module';
import { crc32 } from '../elf/elf';
import { checkAborted, FormatError, limits } from './pe-byte-reader';

export interface PeModuleOptions {
  /** Where the image is (its PDB is looked for beside it). */
  path: string;
  /** Extra folders to look for PDBs in (the `rustOffload.symbolSearchPaths` setting). */
  searchPaths: string[];
  /**
   * Reads a file, or returns undefined when it does not exist. Returning a ByteSource (`fileSource(p)`) instead of
   * the bytes lets a PDB be read stream by stream: needed for PDBs over 2 GiB, and lighter for every big one.
   */
  readFile: (p: string) => Uint8Array | ByteSource | undefined;
  signal?: AbortSignal;
  /**
   * DWARF images only: read just the `.debug_info` units in [start, end), so a big MinGW image can be split across
   * workers like an ELF file (plan with `peDwarfSections` + `listUnits`). Publics come with the chunk starting at 0.
   */
  unitRange?: { start: number; end: number };
  /**
   * PDB images only: read just the PDB modules (compilands) in [start, end), one chunk of a load split across workers
   * (plan with `planPeChunks`). Publics and globals come with the chunk starting at 0.
   */
  moduleRange?: { start: number; end: number };
  /** Called as PDB modules (compilands) are read, with the fraction done; cheap enough to forward to reportProgress. */
  onProgress?: (fraction: number, message: string) => void;
}

/** What readPeModule returns: the module, plus how many bytes of debug info it read (the PDB, or `.debug_info`). */
export type PeModuleSymbols = ModuleSymbols & { debugInfoBytes: number };

export function readPeModule(bytes: Uint8Array, options: PeModuleOptions): PeModuleSymbols {
  if (bytes.length > limits.maxFileBytes) throw new FormatError(`${options.path} is ${bytes.length} bytes, larger than any supported image`);
  const image = readPe(bytes, options.path);
  const m = readDebugInfo(bytes, image, options);
  const imageWarnings = image.warnings ?? [];
  if (imageWarnings.length > 0) m.warnings.unshift(...imageWarnings.map((w) => `${options.path}: ${w}`));
  return m;
}

function readDebugInfo(bytes: Uint8Array, image: PeImage, options: PeModuleOptions): PeModuleSymbols {
  checkAborted(options.signal);
  // Windows GNU (MinGW) images carry DWARF in `.debug_*` sections (long names through the COFF string table), or
  // in a separate file named by `.gnu_debuglink` (objcopy --only-keep-debug / --add-gnu-debuglink).
  const linked = peDwarf(bytes, image, options);
  if (linked.dwarf) {
    const { dwarf } = linked;
    const info = options.unitRange ? options.unitRange.end - options.unitRange.start : dwarf.info.length;
    const m = moduleFromDwarf(image, dwarf, options);
    if (linked.path) m.debugInfoPath = linked.path;
    return { ...m, debugInfoBytes: info };
  }
  if (linked.warning && !image.codeView) {
    const m = moduleFromCoff(image);
    m.warnings.push(linked.warning);
    return { ...m, debugInfoBytes: 0 };
  }
  if (image.codeView) {
    const { path, pdb } = locatePdb(options.path, image.codeView, options.searchPaths, options.readFile);
    try {
      return moduleFromPdb(image, pdb, path, options);
    } finally {
      pdb.msf.source.close?.();
    }
  }
  return { ...moduleFromCoff(image), debugInfoBytes: 0 };
}

/** One piece of a split load: pass it with the same options to readPeModule. */
export interface PeChunk {
  unitRange?: { start: number; end: number };
  moduleRange?: { start: number; end: number };
}

/**
 * Splits a PE module's debug info into pieces of about `targetBytes` for several workers: DWARF by units, a PDB by
 * modules (compilands). Finding the PDB here also surfaces a missing or mismatched PDB before any chunk starts.
 */
export function planPeChunks(bytes: Uint8Array, options: PeModuleOptions, targetBytes: number): PeChunk[] {
  const image = readPe(bytes, options.path);
  const { dwarf } = peDwarf(bytes, image, options);
  const chunks: PeChunk[] = [];
  if (dwarf) {
    let start = 0;
    // A unit with a bad header is skipped (and warned about) by the chunk whose range holds it.
    for (const u of listUnits(dwarf.info, [])) {
      if (u.end - start >= targetBytes) {
        chunks.push({ unitRange: { start, end: u.end } });
        start = u.end;
      }
    }
    if (start < dwarf.info.length || chunks.length === 0) chunks.push({ unitRange: { start, end: dwarf.info.length } });
    return chunks;
  }
  if (!image.codeView) return [{}];
  const { pdb } = locatePdb(options.path, image.codeView, options.searchPaths, options.readFile);
  try {
    let start = 0;
    let size = 0;
    pdb.modules.forEach((mod, i) => {
      size += mod.symBytes + mod.c11Bytes + mod.c13Bytes;
      if (size >= targetBytes) {
        chunks.push({ moduleRange: { start, end: i + 1 } });
        start = i + 1;
        size = 0;
      }
    });
    if (start < pdb.modules.length || chunks.length === 0) chunks.push({ moduleRange: { start, end: pdb.modules.length } });
    return chunks;
  } finally {
    pdb.msf.source.close?.();
  }
}

/**
 * The image's DWARF: its own sections, or those of the debug file its `.gnu_debuglink` names (looked for beside
 * it, in `.debug/` and in the search paths, and accepted only when its CRC-32 matches), with that file's path.
 * Without either, a warning when a link was there but its file was not found or did not match.
 */
function peDwarf(bytes: Uint8Array, image: PeImage, options: PeModuleOptions): { dwarf?: DwarfSections; path?: string; warning?: string } {
  const own = peDwarfSections(bytes, image, options.path);
  if (own) return { dwarf: own };
  const section = image.sections.find((s) => s.name === '.gnu_debuglink');
  if (!section) return {};
  const link = parseDebugLink(sectionBytes(bytes, section));
  if (!link) return { warning: `the .gnu_debuglink section of ${options.path} is corrupt; its debug file cannot be found` };
  const dir = dirnameOf(options.path);
  const sep = options.path.includes('\\') && !options.path.includes('/') ? '\\' : '/';
  const candidates = [dir + sep + link.file, dir + sep + '.debug' + sep + link.file, ...options.searchPaths.map((p) => p.replace(/[\\/]+$/, '') + sep + link.file)];
  let mismatch: string | undefined;
  for (const c of candidates) {
    if (c === options.path) continue;
    const read = options.readFile(c);
    if (!read) continue;
    const debugBytes = read instanceof Uint8Array ? read : readWhole(read);
    if (crc32(debugBytes) !== link.crc) {
      mismatch = c;
      continue;
    }
    const dwarf = peDwarfSections(debugBytes, readPe(debugBytes, c), c);
    if (dwarf) return { dwarf, path: c };
  }
  return {
    warning: mismatch
      ? `the debug file ${mismatch} named by .gnu_debuglink does not match (CRC differs): it belongs to another build; rebuild or copy the matching debug file`
      : `the debug info was split into ${link.file} (.gnu_debuglink), which was not found next to ${options.path}, in .debug/, or in rustOffload.symbolSearchPaths`,
  };
}

/** `.gnu_debuglink`: a NUL-terminated file name, padding to 4 bytes, then the file's CRC-32. */
function parseDebugLink(d: Uint8Array): { file: string; crc: number } | undefined {
  const nul = d.indexOf(0);
  if (nul <= 0) return undefined;
  const at = (nul + 4) & ~3;
  if (at + 4 > d.length) return undefined;
  const file = new TextDecoder().decode(d.subarray(0, nul));
  if (/[\\/]/.test(file)) return undefined;
  return { file, crc: new DataView(d.buffer, d.byteOffset + at, 4).getUint32(0, true) };
}

function dirnameOf(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? p.slice(0, 1) : p.slice(0, i);
}

function readWhole(source: ByteSource): Uint8Array {
  try {
    return source.read(0, source.size);
  } finally {
    source.close?.();
  }
}

/** The DWARF sections of a PE image, in the shape the DWARF reader takes; undefined without `.debug_info`. */
export function peDwarfSections(bytes: Uint8Array, image: PeImage, fileName: string): DwarfSections | undefined {
  const byName = new Map(image.sections.map((s) => [s.name, s]));
  const info = byName.get('.debug_info');
  if (!info || info.sizeOfRawData === 0) return undefined;
  const abbrev = byName.get('.debug_abbrev');
  if (!abbrev) throw new FormatError(`${fileName} has .debug_info but no .debug_abbrev section; the file is corrupt`);
  const data = (s: PeSection) => sectionBytes(bytes, s);
  const out: DwarfSections = { info: data(info), abbrev: data(abbrev) };
  for (const key of ['str', 'line', 'ranges', 'rnglists', 'addr', 'strOffsets', 'lineStr'] as const) {
    const s = byName.get(DWARF_SECTION_NAMES[key]);
    if (s) out[key] = data(s);
  }
  return out;
}

function moduleFromDwarf(image: PeImage, sections: DwarfSections, options: PeModuleOptions): ModuleSymbols {
  const m = moduleFromCoff(image);
  if (options.unitRange && options.unitRange.start > 0) m.publics = [];
  m.debugFormat = 'dwarf';
  m.debugInfoPath = options.path;
  const d = readDwarf(sections, { signal: options.signal, range: options.unitRange, onProgress: (f) => options.onProgress?.(f, 'reading DWARF') });
  m.compileUnits = d.compileUnits;
  m.functions = d.functions;
  m.inlineSites = d.inlineSites;
  m.files = d.files;
  m.lineColumns = { address: d.lines.address, file: d.lines.file, line: d.lines.line, count: d.lines.count };
  m.warnings.push(...d.warnings);
  return m;
}

/** No PDB named and no debug info read: exports and COFF symbols are all there is. */
function moduleFromCoff(image: PeImage): ModuleSymbols {
  const publics: PublicSymbol[] = [];
  const seen = new Set<string>();
  const add = (name: string, address: number) => {
    const key = `${name}@${address}`;
    if (seen.has(key)) return;
    seen.add(key);
    const p: PublicSymbol = { name, address };
    const d = demanglePublic(name);
    if (d !== undefined) p.demangled = d;
    publics.push(p);
  };
  for (const s of image.symbols) {
    // External and static symbols defined in a section; section symbols and labels carry no useful names.
    if (s.address !== undefined && (s.storageClass === 2 || (s.storageClass === 3 && s.isFunction))) add(s.name, s.address);
  }
  for (const e of image.exports) if (e.name && !e.forwarder) add(e.name, image.imageBase + e.rva);
  return {
    format: 'pe',
    debugFormat: 'none',
    imageBase: image.imageBase,
    compileUnits: [],
    functions: [],
    inlineSites: [],
    files: [],
    lines: [],
    publics,
    warnings: [],
  };
}

function moduleFromPdb(image: PeImage, pdb: PdbFile, pdbPath: string, options: PeModuleOptions): PeModuleSymbols {
  const { signal, onProgress } = options;
  const first = Math.max(0, options.moduleRange?.start ?? 0);
  const last = Math.min(pdb.modules.length, options.moduleRange?.end ?? pdb.modules.length);
  const withPublics = first === 0;
  const m: PeModuleSymbols = {
    debugInfoBytes: 0,
    format: 'pe',
    debugFormat: 'pdb',
    debugInfoPath: pdbPath,
    imageBase: image.imageBase,
    compileUnits: [],
    functions: [],
    inlineSites: [],
    files: [],
    lines: [],
    publics: [],
    warnings: [],
  };
  // Maps and sets below are keyed by RVA (address - base): small integers hash and store far faster than the
  // 0x140000000-range addresses, which are heap numbers to V8.
  const base = image.imageBase;
  const va = (segment: number, offset: number): number | undefined => {
    const rva = pdb.rva(segment, offset, image.sections);
    return rva === undefined ? undefined : image.imageBase + rva;
  };
  const fileIndex = new Map<string, number>();
  // /names offsets are shared by all modules: decode each file name once.
  const fileByNameOffset = new Map<number, number>();
  const internFile = (name: string): number => {
    let i = fileIndex.get(name);
    if (i === undefined) {
      i = m.files.length;
      m.files.push(name);
      fileIndex.set(name, i);
    }
    return i;
  };

  // Publics and globals are extras beside the module streams: a corrupt one costs a warning, not the module.
  // Only the first chunk reads the publics: it returns them, and takes its functions' linkage names from them (the
  // index does not use those, so the other chunks skip a stream that a large Rust PDB fills with millions of names).
  const publics = withPublics ? tolerate(m, 'public symbols', () => pdb.readPublics(signal)) : [];
  const publicByAddress = new Map<number, string>();
  for (const p of publics) {
    const address = va(p.segment, p.offset);
    if (address === undefined) continue;
    if (p.flags & 2 /* function */) publicByAddress.set(address - base, p.name);
    if (!withPublics) continue;
    const pub: PublicSymbol = { name: p.name, address };
    const d = demanglePublic(p.name);
    if (d !== undefined) pub.demangled = d;
    m.publics.push(pub);
  }
  // Section contributions (in DBI, so known to every chunk) give each function's extent: sizes for publics, and where
  // code of any compiland starts, which a line-0 end row must not cover.
  const codeSize = new Map<number, number>();
  for (const c of pdb.sectionContributions) {
    if (!(c.characteristics & 0x20) /* IMAGE_SCN_CNT_CODE */) continue;
    const a = va(c.section, c.offset);
    if (a !== undefined && c.size > 0) codeSize.set(a - base, Math.max(c.size, codeSize.get(a - base) ?? 0));
  }

  // Columns, not row objects: a big PDB has millions of rows (columns are not kept; nothing downstream uses them).
  const lineRows = new LineColumnsBuilder();
  const rowAddresses = new Set<number>();
  const blockEnds: Array<[number, number]> = [];
  const procSizes = new Map<number, number>();
  let ipiWarned = false;
  for (let mi = first; mi < last; mi++) {
    const mod = pdb.modules[mi];
    checkAborted(signal);
    onProgress?.((mi - first) / Math.max(1, last - first), `reading PDB module ${mi + 1} of ${pdb.modules.length}`);
    m.debugInfoBytes += mod.symBytes + mod.c11Bytes + mod.c13Bytes;
    let debug;
    try {
      debug = pdb.readModule(mod.index, signal);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      m.warnings.push(`module ${mod.index} (${mod.name}) skipped: ${e.message}`);
      continue;
    }
    if (debug.compile) {
      const cu: CompileUnit = {
        name: mod.name,
        language: debug.isRust ? 'Rust' : languageName(debug.compile.language),
        producer: debug.compile.compiler,
        isRust: debug.isRust,
      };
      m.compileUnits.push(cu);
    }
    const fileOf = (fileId: number | undefined): number | undefined => {
      if (fileId === undefined) return undefined;
      const nameOffset = debug.c13.fileNames.get(fileId);
      if (nameOffset === undefined) return undefined;
      const known = fileByNameOffset.get(nameOffset);
      if (known !== undefined) return known;
      try {
        const index = internFile(pdb.name(nameOffset));
        fileByNameOffset.set(nameOffset, index);
        return index;
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        return undefined;
      }
    };

    // Line table: sorted per block; the function's declaring line is the line at its first address.
    const lineAt = new Map<number, { file?: number; line: number }>();
    const moduleRows: LineRow[] = [];
    const leads = leadingBlocks(debug.c13.blocks);
    debug.c13.blocks.forEach((block, bi) => {
      const file = fileOf(block.fileId);
      const first = block.lines[0];
      // Code before a function's first row belongs to that row, as llvm-symbolizer and the Windows debuggers read it.
      // A function whose lines span several files has one block per file, all starting at the function: only the
      // block holding the lowest row gets the extra row (one per block made the last file's first line win).
      const lines = leads[bi] && first && first.offset > block.offset ? [{ ...first, offset: block.offset }, ...block.lines] : block.lines;
      // Several rows at one address (`133` then `135` at a function start) are all kept: the last one holds for the
      // code that follows, as in DWARF; the function's declaring line below takes the first.
      for (const l of lines) {
        const address = va(block.segment, l.offset);
        if (address === undefined || file === undefined) continue;
        const row: LineRow = { address, file, line: l.line };
        lineRows.row(address, file, l.line);
        rowAddresses.add(address - base);
        moduleRows.push(row);
        if (!lineAt.has(address - base)) lineAt.set(address - base, { file, line: l.line });
      }
      // Line 0 ends the sequence at the block's end, so padding after a function maps to no line; added at the end,
      // only where no row of any module starts (code that directly follows keeps its line).
      const end = va(block.segment, block.offset + block.codeSize);
      if (file !== undefined && end !== undefined && lines.length > 0) blockEnds.push([end, file]);
    });

    const functionIndex: number[] = [];
    for (const p of debug.procs) {
      const start = va(p.segment, p.offset);
      if (start === undefined) {
        functionIndex.push(-1);
        continue;
      }
      const f: FunctionSymbol = { name: debug.isRust ? cleanRustCodeViewName(p.name) : p.name, ranges: [[start, start + p.codeSize]] };
      const linkage = publicByAddress.get(start - base);
      if (linkage !== undefined) f.linkageName = linkage;
      const at = lineAt.get(start - base);
      if (at) {
        f.file = at.file;
        f.line = at.line;
      }
      functionIndex.push(m.functions.length);
      m.functions.push(f);
      procSizes.set(start - base, p.codeSize);
    }

    moduleRows.sort((a, b) => a.address - b.address);
    const depths: number[] = [];
    const inlineeNames = new Map<number, string>();
    for (const s of debug.inlineSites) {
      const proc = debug.procs[s.proc];
      const base = va(proc.segment, proc.offset);
      const parent = functionIndex[s.proc];
      if (base === undefined || parent < 0) {
        depths.push(0);
        continue;
      }
      // Thousands of sites share a few hundred inlinees: name each once.
      let name = inlineeNames.get(s.inlinee);
      if (name === undefined) {
        let raw: string | undefined;
        try {
          raw = pdb.inlineeName(s.inlinee);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          if (!ipiWarned) m.warnings.push(`inlined functions are unnamed: ${e.message}`);
          ipiWarned = true;
        }
        raw ??= `inlinee 0x${s.inlinee.toString(16)}`;
        name = debug.isRust ? cleanRustCodeViewName(raw) : raw;
        inlineeNames.set(s.inlinee, name);
      }
      const depth = s.parentSite >= 0 ? (depths[s.parentSite] ?? 0) + 1 : 1;
      depths.push(depth);
      // `depth` (1 = directly inside the function) is what the index uses to order nested sites, as for DWARF.
      const site: InlineSite & { depth: number } = {
        name,
        depth,
        parent,
        ranges: mergeRanges(s.ranges.map((r) => [base + r.start, base + r.end] as [number, number])),
      };
      // The call site is where the enclosing scope (the outer inline site, or the procedure) was at the first address.
      // The lowest address stands for the call: a site split by code motion can sit under different caller lines.
      const first = s.ranges.reduce<(typeof s.ranges)[number] | undefined>((a, r) => (!a || r.start < a.start ? r : a), undefined);
      if (first) {
        if (s.parentSite >= 0) {
          const outer = debug.inlineSites[s.parentSite].ranges.find((r) => r.start <= first.start && first.start < r.end);
          if (outer) {
            site.callLine = outer.line;
            const outerDecl = debug.c13.inlinees.get(debug.inlineSites[s.parentSite].inlinee);
            site.callFile = fileOf(outer.fileId ?? outerDecl?.fileId);
          }
        } else {
          const row = lineBefore(moduleRows, base + first.start, base);
          if (row) {
            site.callLine = row.line;
            site.callFile = row.file;
          }
        }
      }
      m.inlineSites.push(site);
    }
  }

  for (const [end, file] of blockEnds) if (!rowAddresses.has(end - base) && !codeSize.has(end - base)) lineRows.row(end, file, 0);
  m.lineColumns = { address: lineRows.address, file: lineRows.file, line: lineRows.line, count: lineRows.count };
  // Chunk 0 also accounts for the PDB's other streams, so the chunks' debugInfoBytes add up to the PDB's size.
  if (withPublics) m.debugInfoBytes += pdb.msf.size - pdb.modules.reduce((a, x) => a + x.symBytes + x.c11Bytes + x.c13Bytes, 0);
  if (!withPublics) return m;
  for (const p of m.publics) {
    const size = procSizes.get(p.address - base) ?? codeSize.get(p.address - base);
    if (size !== undefined) p.size = size;
  }
  // Global data has no S_PUB32 when it is not external; add it so statics can be found by name.
  const publicAddresses = new Set(m.publics.map((p) => p.address));
  for (const g of tolerate(m, 'global symbols', () => pdb.readGlobals(signal))) {
    if (g.kind === 0x1125 || g.kind === 0x1127) continue; // procedure references: already in functions
    const address = va(g.segment, g.offset);
    if (address === undefined || publicAddresses.has(address)) continue;
    publicAddresses.add(address);
    m.publics.push({ name: g.name, address });
  }
  return m;
}

/**
 * Per block, whether it holds the lowest row of its lines subsection: the blocks of one subsection (one per source
 * file) follow each other and share its segment, offset and code size.
 */
function leadingBlocks(blocks: ReadonlyArray<{ segment: number; offset: number; codeSize: number; lines: ReadonlyArray<{ offset: number }> }>): boolean[] {
  const out = blocks.map(() => false);
  for (let i = 0; i < blocks.length; ) {
    const b = blocks[i];
    let j = i;
    let best = -1;
    for (; j < blocks.length && blocks[j].segment === b.segment && blocks[j].offset === b.offset && blocks[j].codeSize === b.codeSize; j++) {
      const first = blocks[j].lines[0];
      if (first && (best < 0 || first.offset < blocks[best].lines[0].offset)) best = j;
    }
    if (best >= 0) out[best] = true;
    i = j;
  }
  return out;
}

/** The last row at or before `address` and not before `lo` (the procedure start), in rows sorted by address. */
function lineBefore(rows: LineRow[], address: number, lo: number): LineRow | undefined {
  let a = 0;
  let b = rows.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (rows[mid].address <= address) a = mid + 1;
    else b = mid;
  }
  // Several rows can share an address: at that very address the first one holds, after it the last one (as
  // llvm-symbolizer reads CodeView lines).
  let i = a - 1;
  if (i >= 0 && rows[i].address === address) while (i > 0 && rows[i - 1].address === address) i--;
  const r = rows[i];
  return r && r.address >= lo ? r : undefined;
}

function tolerate<T>(m: ModuleSymbols, what: string, read: () => T[]): T[] {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    m.warnings.push(`the PDB's ${what} were skipped: ${e.message}`);
    return [];
  }
}
