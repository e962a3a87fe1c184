// DWARF 2–5 line-number programs (.debug_line, with .debug_line_str for v5 paths): file tables and address→line rows.
import * as path from 'node:path';
import { cstrAt, Reader, SectionPages } from '../byte-source';
import { DW_FORM, FormContext, readNumberForm, skipForm } from './dwarf-forms';
import { SymbolReadError } from '../errors';
import { LineRowsSink, runLineProgramCompiled } from './line-kernel';

export interface LineSections {
  line: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  strOffsets?: Uint8Array;
  /** .debug_str read page by page: pages are read before a string is. */
  strPages?: SectionPages;
}

/** Receives rows as they are decoded; `line` 0 marks the end of a sequence (no source line past it). */
export interface LineSink {
  row(address: number, file: number, line: number): void;
  /** Rows in bulk, when the sink takes them so (the compiled kernel's batches). */
  rows?(address: Float64Array, file: Uint32Array, line: Uint32Array, count: number): void;
}

export interface LineProgram {
  /** Index as used by DW_AT_decl_file / DW_LNS_set_file → full path (joined with the directory and comp_dir). */
  files: string[];
}

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

/** Joins DWARF path pieces the way the producing host would: Windows drive/UNC paths keep backslashes. */
export function joinDwarfPath(dir: string | undefined, name: string): string {
  if (!dir || isAbsolute(name)) return name;
  if (/^[A-Za-z]:[\\/]|^\\\\/.test(dir)) return path.win32.join(dir, name);
  return path.posix.join(dir, name);
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/**
 * Decodes the line program at `offset` (only its header's file table when `sink` is undefined). `mapFile` turns a program-local path into the caller's file id, so rows carry
 * global ids. Rows are emitted only where file or line changes, and at each sequence end; sequences starting at
 * address 0 (functions the linker discarded) are dropped.
 */
export function readLineProgram(
  s: LineSections,
  offset: number,
  compDir: string | undefined,
  cuName: string | undefined,
  strOffsetsBase: number,
  mapFile: (fullPath: string) => number,
  sink: LineSink | undefined,
): LineProgram {
  const all = new Reader(s.line, '.debug_line', offset);
  let length = all.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = all.u64();
    offsetSize = 8;
  }
  if (length > all.remaining) throw new SymbolReadError(`.debug_line program at offset ${offset} claims ${length} bytes, only ${all.remaining} remain`);
  const r = all.sub(length, `.debug_line program at offset ${offset}`);
  const version = r.u16();
  if (version < 2 || version > 5) throw new SymbolReadError(`.debug_line program at offset ${offset} has unsupported version ${version}`);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = r.uN(offsetSize);
  const programStart = r.pos + headerLength;
  const minInst = r.u8();
  if (version >= 4) r.u8(); // max ops per instruction (VLIW only)
  const defaultIsStmt = r.u8() !== 0;
  void defaultIsStmt;
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new SymbolReadError(`.debug_line program at offset ${offset} has line_range 0`);
  const stdLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(r.u8());

  const localPaths: string[] = [];
  const cx: FormContext = { version, addressSize, offsetSize };
  if (version >= 5) {
    const dirs = readEntryTable(r, s, cx, strOffsetsBase).map((e) => joinDwarfPath(compDir, e.path));
    const files = readEntryTable(r, s, cx, strOffsetsBase);
    for (const f of files) localPaths.push(joinDwarfPath(dirs[f.dir] ?? compDir, f.path));
  } else {
    const dirs: string[] = [compDir ?? ''];
    for (;;) {
      const d = r.cstr();
      if (d === '') break;
      dirs.push(joinDwarfPath(compDir, d));
    }
    localPaths.push(cuName ? joinDwarfPath(compDir, cuName) : ''); // index 0 is not used before v5
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb();
      r.uleb();
      r.uleb();
      localPaths.push(joinDwarfPath(dirs[dir] ?? compDir, name));
    }
  }
  // Uint32, so a missing file (0xffffffff) does not turn the array into doubles for some programs and not others.
  const ids = Uint32Array.from(localPaths, (p) => (p === '' ? 0xffffffff : mapFile(p)));
  r.pos = programStart;
  // Without a sink only the file table is wanted (a unit read in slices: one slice takes the rows).
  if (sink) {
    const start = Math.min(programStart, r.length);
    const compiled = sink.rows !== undefined
      && runLineProgramCompiled(r.bytes, start, ids, { addressSize, minInst, lineBase, lineRange, opcodeBase, stdLengths }, sink as LineRowsSink, r.what);
    if (!compiled) runLineProgram(r, ids, sink, addressSize, minInst, lineBase, lineRange, opcodeBase, stdLengths);
  }
  return { files: Array.from(ids, (id, i) => (id === 0xffffffff ? '' : localPaths[i])) };
}

/** The line-number state machine over the program's opcodes, rows to `sink` (its own function: optimized once, not per header shape). */
function runLineProgram(
  r: Reader, ids: Uint32Array, sink: LineSink, addressSize: number, minInst: number, lineBase: number, lineRange: number,
  opcodeBase: number, stdLengths: number[],
): void {
  let address = 0;
  let file = 1;
  let line = 1;
  let lastFile = -1;
  let lastLine = -1;
  let skipping = false;
  let seqStarted = false;
  // One loop with the row emission inline (no closure over the registers: a closure per program made the optimized
  // loop deoptimize for every unit).
  while (r.pos < r.length) {
    const op = r.u8();
    let emit = false;
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInst;
      line += lineBase + (adj % lineRange);
      emit = true;
    } else {
      switch (op) {
        case 0: {
          const len = r.uleb();
          if (len === 0) break;
          const end = r.pos + len;
          const sub = r.u8();
          if (sub === 1) {
            if (seqStarted && !skipping) sink.row(address, ids[file] ?? 0xffffffff, 0);
            address = 0;
            file = 1;
            line = 1;
            lastFile = -1;
            lastLine = -1;
            seqStarted = false;
            skipping = false;
          } else if (sub === 2) {
            address = r.uN(len - 1 === 4 ? 4 : len - 1 === 8 ? 8 : addressSize);
          }
          r.pos = end;
          r.need(0);
          break;
        }
        case 1: emit = true; break;
        case 2: address += r.uleb() * minInst; break;
        case 3: line += r.sleb(); break;
        case 4: file = r.uleb(); break;
        case 5: r.uleb(); break;
        case 6: case 7: case 10: case 11: break;
        case 8: address += Math.floor((255 - opcodeBase) / lineRange) * minInst; break;
        case 9: address += r.u16(); break;
        case 12: r.uleb(); break;
        default:
          for (let i = 0; i < stdLengths[op]; i++) r.uleb();
      }
    }
    if (!emit) continue;
    if (!seqStarted) {
      seqStarted = true;
      skipping = address === 0;
    }
    if (skipping) continue;
    const id = ids[file] ?? 0xffffffff;
    if (id !== lastFile || line !== lastLine) {
      sink.row(address, id, line);
      lastFile = id;
      lastLine = line;
    }
  }
}

function readEntryTable(r: Reader, s: LineSections, cx: FormContext, strOffsetsBase: number): Array<{ path: string; dir: number }> {
  const formatCount = r.u8();
  const format: Array<[number, number]> = [];
  for (let i = 0; i < formatCount; i++) format.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  if (count > r.remaining) throw new SymbolReadError(`.debug_line header claims ${count} entries, more than its bytes could hold`);
  const out: Array<{ path: string; dir: number }> = [];
  for (let i = 0; i < count; i++) {
    let p = '';
    let dir = 0;
    for (const [type, form] of format) {
      if (type === DW_LNCT_path) p = readStringForm(r, form, cx, s, strOffsetsBase);
      else if (type === DW_LNCT_directory_index) dir = readNumberForm(r, form, cx);
      else skipForm(r, form, cx);
    }
    out.push({ path: p, dir });
  }
  return out;
}

function strAt(s: LineSections, offset: number): string {
  s.strPages?.ensureString(offset);
  return cstrAt(s.str!, offset, '.debug_str');
}

function readStringForm(r: Reader, form: number, cx: FormContext, s: LineSections, strOffsetsBase: number): string {
  switch (form) {
    case DW_FORM.string: return r.cstr();
    case DW_FORM.line_strp: return s.lineStr ? cstrAt(s.lineStr, r.uN(cx.offsetSize), '.debug_line_str') : (r.uN(cx.offsetSize), '');
    case DW_FORM.strp: return s.str ? strAt(s, r.uN(cx.offsetSize)) : (r.uN(cx.offsetSize), '');
    default: {
      const index = readNumberForm(r, form, cx);
      if (!s.strOffsets || !s.str || Number.isNaN(index)) return '';
      const at = strOffsetsBase + index * cx.offsetSize;
      const so = new Reader(s.strOffsets, '.debug_str_offsets', at);
      return strAt(s, so.uN(cx.offsetSize));
    }
  }
}
