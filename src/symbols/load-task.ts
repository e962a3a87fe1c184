// Task module for the executor: detects a module's format, reads it (ELF+DWARF here, PE+PDB via pe-module) and builds its symbol index in a worker.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import type { TaskContext } from '../futures/contract';
import { ByteSource, fileSource } from './byte-source';
import { ElfFile } from './elf/elf';
import { ElfReadOptions, ElfUnitSlice, findDebugElf, indexElfModule, planDwarfChunks, publicSymbolCount } from './elf/elf-module';
import { SymbolReadError, throwIfAborted } from './errors';
import { ModuleSymbols } from './model';
import { IndexBuilder, buildIndex } from './symbol-index';

export interface SymbolLoadRequest {
  /** The module on disk (as the debugger reports it). */
  path: string;
  /** `rustOffload.symbolSearchPaths`: where to look for PDBs and .gnu_debuglink files. */
  searchPaths?: string[];
  /** Read only these .debug_info units — one chunk of a split load (from planModuleLoad). */
  unitRange?: { start: number; end: number };
  /** Read only the .debug_info units at these offsets (a size-balanced chunk from planModuleLoad). */
  units?: number[];
  /** PE with a PDB: read only these PDB modules (compilands), one chunk from planPeChunks. */
  moduleRange?: { start: number; end: number };
  /** A split DWARF load: this chunk reads the symbols in its own units' code (and `leftoverPublics`: those in none). */
  publicsByUnit?: boolean;
  leftoverPublics?: boolean;
  /** Read only these symbol-table entries (a file without DWARF whose table is split across workers). */
  symbolRange?: { start: number; end: number };
  /** One slice of the unit in `units`, a unit too large for one worker (from planModuleLoad). */
  slice?: ElfUnitSlice;
  /** Chunk `part` of `parts`, for labels and to leave the ELF symbol table to part 0. */
  part?: number;
  parts?: number;
  /** Put the index in a SharedArrayBuffer (default: in a worker thread yes, in a child process or on the main thread no): it then reaches the host and other workers without a copy. */
  shared?: boolean;
}

export type SymbolStatus = 'loaded' | 'publicsOnly' | 'none';

export interface SymbolLoadResult {
  path: string;
  format: 'elf' | 'pe';
  debugFormat: 'dwarf' | 'pdb' | 'none';
  debugInfoPath?: string;
  /** Link-time base address of the image (ELF: lowest loaded page; PE: ImageBase); runtime address = address − imageBase + load address. */
  imageBase: number;
  status: SymbolStatus;
  /** One index segment; `new SymbolIndex([...segments])` queries them together. */
  index: ArrayBufferLike;
  counts: { compileUnits: number; rustUnits: number; functions: number; inlineSites: number; lines: number; publics: number; files: number };
  languages: string[];
  producers: string[];
  fileBytes: number;
  /** Bytes of debug info read by this load (this chunk's share of .debug_info plus the shared DWARF sections it needed). */
  debugInfoBytes: number;
  /** Largest V8 heap use seen in the worker during this load. */
  peakHeapBytes: number;
  /** Largest memory held in array buffers (the worker's, incl. the sections it keeps for the file's next chunk; unread pages of a section count although the OS does not back them) seen during this load. */
  peakExternalBytes: number;
  elapsedMs: number;
  warnings: string[];
}

export interface SymbolLoadPlan {
  path: string;
  format: 'elf' | 'pe';
  fileBytes: number;
  /** Size of .debug_info, 0 when none. */
  debugInfoBytes: number;
  /** Submit one loadModule per entry; each yields an index segment. */
  chunks: SymbolLoadRequest[];
  /** Problems found while planning (a unit header that cannot be read, so no chunk reads that unit). */
  warnings: string[];
}

const MACHO_MAGICS = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe, 0xbebafeca]);

export type FileKind = 'elf' | 'pe';

/** Tells ELF from PE by magic; Mach-O, 32-bit or unknown files get an error saying what they are and what is supported. */
export function detectFormat(head: Uint8Array, path: string): FileKind {
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  if (head.length >= 4) {
    const magic = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
    if (MACHO_MAGICS.has(magic)) throw new SymbolReadError('Mach-O files are not supported; symbols are read from ELF (Linux) and PE/COFF (Windows) files', path);
  }
  throw new SymbolReadError('not an object file this debugger can read (neither ELF nor PE/COFF)', path);
}

function openSource(p: string): ByteSource | undefined {
  try {
    return fileSource(p);
  } catch {
    return undefined;
  }
}

/** Decides how to split a module: DWARF in unit-aligned chunks of about `chunkBytes` of .debug_info; anything else in one piece. */
export function planModuleLoad(ctx: TaskContext, request: SymbolLoadRequest, chunkBytes = 32 * 1024 * 1024): SymbolLoadPlan {
  throwIfAborted(ctx.signal);
  const source = openSource(request.path);
  if (!source) throw new SymbolReadError('the file could not be opened; check that it exists and is readable', request.path);
  try {
    const kind = detectFormat(source.read(0, Math.min(4, source.size)), request.path);
    if (kind === 'pe') return planPe(source, request, chunkBytes);
    const elf = new ElfFile(source, request.path);
    const options = elfOptions(request, ctx);
    const debugElf = findDebugElf(elf, options).elf;
    const info = debugElf.section('.debug_info') ?? debugElf.section('.zdebug_info');
    let chunks: SymbolLoadRequest[];
    const warnings: string[] = [];
    const symbols = publicSymbolCount(elf);
    if (!info && symbols > 2 * SYMBOLS_PER_CHUNK) {
      // No DWARF: the symbol table is the work (demangling), split by entry ranges.
      const parts = Math.min(8, Math.ceil(symbols / SYMBOLS_PER_CHUNK));
      const per = Math.ceil(symbols / parts);
      chunks = Array.from({ length: parts }, (_, part) => ({ ...request, symbolRange: { start: part * per, end: Math.min(symbols, (part + 1) * per) }, part, parts }));
    } else {
      const planned = planDwarfChunks(elf, options, Math.max(MIN_CHUNK_BYTES, chunkBytes), warnings);
      // Each chunk takes the symbols in its own units' code and skips those its DWARF names; the last (smallest)
      // also takes the symbols outside every unit.
      // (A slice that leaves the unit's symbols to its first slice takes no leftovers either.)
      const byUnit = info !== undefined && planned.length > 1;
      let leftovers = planned.length - 1;
      while (leftovers > 0 && planned[leftovers].slice && !planned[leftovers].slice!.publics) leftovers--;
      chunks = planned.map((c, part) => ({
        ...request, units: c.units, part, parts: planned.length, ...(c.slice ? { slice: c.slice } : {}),
        ...(byUnit ? { publicsByUnit: true, leftoverPublics: part === leftovers } : {}),
      }));
    }
    return { path: request.path, format: 'elf', fileBytes: source.size, debugInfoBytes: info?.size ?? 0, chunks, warnings };
  } finally {
    source.close?.();
  }
}

/** A PDB split by runs of compilands, a MinGW image by runs of DWARF units (planPeChunks); also surfaces a missing or mismatched PDB before any chunk starts. */
function planPe(source: ByteSource, request: SymbolLoadRequest, chunkBytes: number): SymbolLoadPlan {
  const pe = require('./pe/pe-module') as typeof import('./pe/pe-module');
  const bytes = source.read(0, source.size);
  const planned = pe.planPeChunks(bytes, { path: request.path, searchPaths: request.searchPaths ?? [], readFile: openSource }, Math.max(MIN_CHUNK_BYTES, chunkBytes));
  const chunks = planned.map((c, part) => ({ ...request, unitRange: c.unitRange, moduleRange: c.moduleRange, part, parts: planned.length }));
  // The chunks read whole ranges of units and warn about a bad unit themselves.
  return { path: request.path, format: 'pe', fileBytes: source.size, debugInfoBytes: 0, chunks, warnings: [] };
}

/**
 * The smallest chunk planModuleLoad makes. The loader asks for 4 MB or more; tests split small fixtures into many
 * chunks to check that a split load answers as a whole one.
 */
const MIN_CHUNK_BYTES = 1024;

/** Symbol-table entries per chunk when a file without DWARF is split (demangling ~50,000 names takes a fraction of a second). */
const SYMBOLS_PER_CHUNK = 50_000;

function elfOptions(request: SymbolLoadRequest, ctx: TaskContext): ElfReadOptions {
  let cacheKey: string | undefined;
  try {
    const st = fs.statSync(request.path);
    cacheKey = `${request.path}\0${st.size}\0${st.mtimeMs}\0${(request.searchPaths ?? []).join('\0')}`;
  } catch {
    cacheKey = undefined;
  }
  return {
    path: request.path, searchPaths: request.searchPaths, openFile: openSource, signal: ctx.signal, unitRange: request.unitRange,
    units: request.units, symbolRange: request.symbolRange, publicsByUnit: request.publicsByUnit, leftoverPublics: request.leftoverPublics, cacheKey,
    slice: request.slice,
  };
}

/** How much lower than normal a worker runs while it loads symbols (Unix nice units). */
const BULK_NICE = 19;

/**
 * Runs `fn` with this thread's scheduling priority lowered, so that on a busy machine the extension host and
 * interactive work get the CPU first. Linux only (a thread is a task with its own id in /proc/thread-self); the old
 * priority is restored afterwards where the OS allows raising it again, otherwise the worker stays at the lower one.
 */
async function atBulkPriority<T>(fn: () => Promise<T>): Promise<T> {
  let tid: number | undefined;
  let before: number | undefined;
  if (process.platform === 'linux') {
    try {
      tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
      before = os.getPriority(tid);
      if (before < BULK_NICE) os.setPriority(tid, BULK_NICE);
    } catch {
      tid = undefined;
    }
  }
  try {
    return await fn();
  } finally {
    if (tid !== undefined && before !== undefined && before < BULK_NICE) {
      try {
        os.setPriority(tid, before);
      } catch {
        // Unprivileged processes cannot raise priority again; the worker keeps the lower one.
      }
    }
  }
}

/** Reads one module (or one chunk of it) and returns its index segment, at a lowered thread priority. */
export function loadModule(ctx: TaskContext, request: SymbolLoadRequest): Promise<SymbolLoadResult> {
  return atBulkPriority(() => loadModuleNow(ctx, request));
}

async function loadModuleNow(ctx: TaskContext, request: SymbolLoadRequest): Promise<SymbolLoadResult> {
  const t0 = Date.now();
  let peakHeap = 0;
  let peakExternal = 0;
  const sampleHeap = (): void => {
    const stats = v8.getHeapStatistics();
    peakHeap = Math.max(peakHeap, stats.used_heap_size);
    peakExternal = Math.max(peakExternal, stats.external_memory);
  };
  sampleHeap();
  throwIfAborted(ctx.signal);
  const source = openSource(request.path);
  if (!source) throw new SymbolReadError('the file could not be opened; check that it exists and is readable', request.path);
  const label = request.parts && request.parts > 1 ? ` (part ${(request.part ?? 0) + 1} of ${request.parts})` : '';
  const fileBytes = source.size;
  let format: FileKind;
  let result: Omit<SymbolLoadResult, 'path' | 'format' | 'fileBytes' | 'peakHeapBytes' | 'peakExternalBytes' | 'elapsedMs'>;
  try {
    format = detectFormat(source.read(0, Math.min(4, source.size)), request.path);
    ctx.reportProgress({ fraction: 0, message: `reading ${format === 'elf' ? 'ELF' : 'PE'}${label}` });
    const onProgress = (fraction: number, message: string): void => {
      sampleHeap();
      ctx.reportProgress({ fraction: 0.9 * fraction, message: message + label });
    };
    if (format === 'elf') {
      // ELF goes straight into the index builder: no object per function, inlined call or symbol.
      const builder = new IndexBuilder();
      const facts = indexElfModule(source, { ...elfOptions(request, ctx), onProgress }, builder);
      sampleHeap();
      throwIfAborted(ctx.signal);
      ctx.reportProgress({ fraction: 0.9, message: `indexing${label}` });
      const counts = {
        compileUnits: facts.compileUnits.length, rustUnits: facts.compileUnits.filter((c) => c.isRust).length, functions: builder.functions,
        inlineSites: builder.inlineSites, lines: builder.lines, publics: builder.publics, files: builder.files,
      };
      const index = builder.finish({ shared: shareIndex(request) });
      result = {
        debugFormat: facts.debugFormat, debugInfoPath: facts.debugInfoPath, imageBase: facts.imageBase,
        status: statusOf(facts.debugFormat, counts.functions, counts.lines, counts.publics), index, counts,
        languages: [...new Set(facts.compileUnits.map((c) => c.language))],
        producers: [...new Set(facts.compileUnits.map((c) => c.producer))].slice(0, 8),
        debugInfoBytes: facts.debugInfoBytes, warnings: facts.warnings,
      };
    } else {
      const bytes = source.read(0, source.size);
      const mod = await readPe(bytes, request, ctx.signal, onProgress);
      sampleHeap();
      throwIfAborted(ctx.signal);
      ctx.reportProgress({ fraction: 0.9, message: `indexing${label}` });
      const index = buildIndex(mod, { shared: shareIndex(request) });
      const lines = mod.lines.length + (mod.lineColumns?.count ?? 0);
      result = {
        debugFormat: mod.debugFormat, debugInfoPath: mod.debugInfoPath, imageBase: mod.imageBase,
        status: statusOf(mod.debugFormat, mod.functions.length, lines, mod.publics.length), index,
        counts: {
          compileUnits: mod.compileUnits.length, rustUnits: mod.compileUnits.filter((c) => c.isRust).length, functions: mod.functions.length,
          inlineSites: mod.inlineSites.length, lines, publics: mod.publics.length, files: mod.files.length,
        },
        languages: [...new Set(mod.compileUnits.map((c) => c.language))],
        producers: [...new Set(mod.compileUnits.map((c) => c.producer))].slice(0, 8),
        debugInfoBytes: mod.debugInfoBytes, warnings: mod.warnings,
      };
    }
  } finally {
    source.close?.();
  }
  sampleHeap();
  ctx.reportProgress({ fraction: 1, message: `done${label}` });
  return { path: request.path, format, fileBytes, peakHeapBytes: peakHeap, peakExternalBytes: peakExternal, elapsedMs: Date.now() - t0, ...result };
}

/**
 * A SharedArrayBuffer when the load runs in a worker thread (it reaches the host without a copy); a plain
 * ArrayBuffer in a child process (a process pool cannot send shared memory; the buffer is copied over IPC) or on
 * the main thread, unless the request says otherwise.
 */
function shareIndex(request: SymbolLoadRequest): boolean {
  return request.shared ?? !isMainThread;
}

function statusOf(debugFormat: string, functions: number, lines: number, publics: number): SymbolStatus {
  return debugFormat !== 'none' && (functions > 0 || lines > 0) ? 'loaded' : publics > 0 ? 'publicsOnly' : 'none';
}

type ReadPeModule = typeof import('./pe/pe-module').readPeModule;

/** The PE/PDB reader lives in pe-module (another reader); loaded on first use so an ELF-only load never pays for it. */
async function readPe(bytes: Uint8Array, request: SymbolLoadRequest, signal: AbortSignal, onProgress: (fraction: number, message: string) => void): Promise<ModuleSymbols & { debugInfoBytes: number }> {
  let reader: ReadPeModule;
  try {
    reader = (require('./pe/pe-module') as { readPeModule: ReadPeModule }).readPeModule;
  } catch (err) {
    throw new SymbolReadError(`the PE/COFF reader is not available in this build (${(err as Error).message})`, request.path);
  }
  // A ByteSource lets the PDB be read stream by stream (PDBs over 2 GiB, less memory for big ones).
  return reader(bytes, { path: request.path, searchPaths: request.searchPaths ?? [], readFile: openSource, signal, unitRange: request.unitRange, moduleRange: request.moduleRange, onProgress });
}
