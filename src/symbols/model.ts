// The format-neutral facts every object/debug-info reader produces (ELF, PE, DWARF, PDB), before indexing.
// Changes (for the PE/PDB readers): `lineColumns` (optional columnar alternative to `lines`) and `InlineSite.depth` (optional nesting) were added; nothing existing changed.

export type ObjectFormat = 'elf' | 'pe';
export type DebugFormat = 'dwarf' | 'pdb' | 'none';

/** Addresses are virtual addresses as the image is linked (ELF VMA; PE imageBase + RVA). Numbers: < 2^53 in practice. */
export interface FunctionSymbol {
  /** Demangled Rust path without the legacy `::h<hash>` suffix, or the plain name for non-Rust. */
  name: string;
  /** The mangled/linkage name when known. */
  linkageName?: string;
  /** [low, high) ranges. */
  ranges: Array<[number, number]>;
  /** Declaring file (index into ModuleSymbols.files) and line, when known. */
  file?: number;
  line?: number;
}

export interface InlineSite {
  /** Name of the inlined callee (demangled). */
  name: string;
  /** Index of the containing function in ModuleSymbols.functions. */
  parent: number;
  ranges: Array<[number, number]>;
  callFile?: number;
  callLine?: number;
  /** 1 for a call inlined directly into the function, 2 for one inlined into that, ...; orders the chain at an address. */
  depth?: number;
}

export interface LineRow {
  address: number;
  file: number;
  line: number;
  column?: number;
}

export interface LineColumns {
  address: Float64Array;
  file: Uint32Array;
  /** 0 marks the end of a sequence: addresses from here on have no line until the next row. */
  line: Uint32Array;
  count: number;
}

export interface PublicSymbol {
  name: string;
  /** Demangled name when the symbol is a Rust (legacy or v0) or otherwise demangleable name. */
  demangled?: string;
  address: number;
  size?: number;
}

export interface CompileUnit {
  name: string;
  language: string;
  producer: string;
  isRust: boolean;
}

export interface ModuleSymbols {
  format: ObjectFormat;
  debugFormat: DebugFormat;
  /** Where the debug info came from (the object itself, a .debug file, a .pdb). */
  debugInfoPath?: string;
  imageBase: number;
  compileUnits: CompileUnit[];
  functions: FunctionSymbol[];
  inlineSites: InlineSite[];
  files: string[];
  lines: LineRow[];
  /** The same rows as columns, for readers with millions of rows; the index reads `lines` and then these. */
  lineColumns?: LineColumns;
  publics: PublicSymbol[];
  /** Non-fatal problems (a unit skipped, an unknown form) worth showing to the user. */
  warnings: string[];
}
