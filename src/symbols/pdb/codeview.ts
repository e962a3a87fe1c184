// CodeView records shared by PDB streams: symbol records, C13 line subsections, inline-site binary annotations.

import { ByteReader, FormatError } from '../pe/pe-byte-reader';

export const SymKind = {
  S_END: 0x0006,
  S_OBJNAME: 0x1101,
  S_THUNK32: 0x1102,
  S_BLOCK32: 0x1103,
  S_WITH32: 0x1104,
  S_LDATA32: 0x110c,
  S_GDATA32: 0x110d,
  S_PUB32: 0x110e,
  S_LPROC32: 0x110f,
  S_GPROC32: 0x1110,
  S_LTHREAD32: 0x1112,
  S_GTHREAD32: 0x1113,
  S_COMPILE2: 0x1116,
  S_PROCREF: 0x1125,
  S_LPROCREF: 0x1127,
  S_SEPCODE: 0x1132,
  S_COMPILE3: 0x113c,
  S_LPROC32_ID: 0x1146,
  S_GPROC32_ID: 0x1147,
  S_INLINESITE: 0x114d,
  S_INLINESITE_END: 0x114e,
  S_PROC_ID_END: 0x114f,
  S_LPROC32_DPC: 0x1155,
  S_LPROC32_DPC_ID: 0x1156,
  S_INLINESITE2: 0x115d,
} as const;

export function isProcKind(kind: number): boolean {
  return (
    kind === SymKind.S_GPROC32 ||
    kind === SymKind.S_LPROC32 ||
    kind === SymKind.S_GPROC32_ID ||
    kind === SymKind.S_LPROC32_ID ||
    kind === SymKind.S_LPROC32_DPC ||
    kind === SymKind.S_LPROC32_DPC_ID
  );
}

/** Records that open a scope closed by S_END / S_INLINESITE_END / S_PROC_ID_END. */
export function opensScope(kind: number): boolean {
  return (
    isProcKind(kind) ||
    kind === SymKind.S_BLOCK32 ||
    kind === SymKind.S_THUNK32 ||
    kind === SymKind.S_WITH32 ||
    kind === SymKind.S_SEPCODE ||
    kind === SymKind.S_INLINESITE ||
    kind === SymKind.S_INLINESITE2
  );
}

export function closesScope(kind: number): boolean {
  return kind === SymKind.S_END || kind === SymKind.S_INLINESITE_END || kind === SymKind.S_PROC_ID_END;
}

/** CV_CFL_LANG values, capitalised as the DWARF reader names its languages so one Modules view shows both alike. */
const LANGUAGES = [
  'C', 'C++', 'Fortran', 'MASM', 'Pascal', 'Basic', 'COBOL', 'Link', 'CVTRES', 'CVTPGD', 'C#', 'Visual Basic',
  'ILASM', 'Java', 'JScript', 'MSIL', 'HLSL', 'Objective-C', 'Objective-C++', 'Swift', 'AliasObj', 'Rust', 'Go',
];
export const CV_LANG_RUST = 21;

export function languageName(code: number): string {
  return LANGUAGES[code] ?? `language 0x${code.toString(16)}`;
}

export interface SymRecord {
  /** Offset of the record (its length field) within the stream. */
  offset: number;
  kind: number;
  /** The record's data after the kind field: [dataStart, end) of the stream. */
  dataStart: number;
  end: number;
}

/** A reader over one record's data, made only for the records a caller needs (most are skipped). */
export function recordData(stream: Uint8Array, rec: SymRecord, what: string): ByteReader {
  return new ByteReader(stream.subarray(rec.dataStart, rec.end), what, 0, rec.dataStart);
}

/** Walks `[start, end)` of a symbol stream record by record; a record running past the end is an error. */
export function* symbolRecords(stream: Uint8Array, start: number, end: number, what: string): Generator<SymRecord> {
  const r = new ByteReader(stream.subarray(0, Math.min(end, stream.length)), what, start);
  // One object reused for every record: callers read it before asking for the next.
  const rec: SymRecord = { offset: 0, kind: 0, dataStart: 0, end: 0 };
  while (r.remaining >= 4) {
    const offset = r.pos;
    const len = r.u16();
    if (len < 2) r.fail(`a symbol record at ${offset} has length ${len}`);
    r.need(len);
    rec.offset = offset;
    rec.kind = r.u16();
    rec.dataStart = offset + 4;
    rec.end = offset + 2 + len;
    r.pos = rec.end;
    yield rec;
  }
}

export interface ProcRecord {
  parent: number;
  end: number;
  codeSize: number;
  offset: number;
  segment: number;
  name: string;
}

export function readProc(d: ByteReader): ProcRecord {
  const parent = d.u32();
  const end = d.u32();
  d.u32(); // next
  const codeSize = d.u32();
  d.skip(12); // debug start, debug end, function type
  const offset = d.u32();
  const segment = d.u16();
  d.u8(); // flags
  return { parent, end, codeSize, offset, segment, name: d.cstr() };
}

export interface CompileRecord {
  language: number;
  compiler: string;
}

export function readCompile(kind: number, d: ByteReader): CompileRecord {
  const flags = d.u32();
  d.u16(); // machine
  d.skip(kind === SymKind.S_COMPILE3 ? 16 : 12);
  return { language: flags & 0xff, compiler: d.cstr() };
}

export interface PubRecord {
  flags: number;
  offset: number;
  segment: number;
  name: string;
}

/** S_PUB32, and the data records S_GDATA32/S_LDATA32/S_G/LTHREAD32 (type, offset, segment, name) in the same shape. */
export function readPubOrData(kind: number, d: ByteReader): PubRecord {
  const flags = d.u32(); // S_PUB32: flags; data records: type index
  const offset = d.u32();
  const segment = d.u16();
  return { flags: kind === SymKind.S_PUB32 ? flags : 0, offset, segment, name: d.cstr() };
}

// ---- C13 line information ----

export const DebugSubsection = {
  LINES: 0xf2,
  FILECHKSMS: 0xf4,
  INLINEELINES: 0xf6,
} as const;

export interface LineBlock {
  segment: number;
  /** Section-relative start of the contribution the block belongs to. */
  offset: number;
  codeSize: number;
  /** Offset into the FILECHKSMS subsection. */
  fileId: number;
  /** Section-relative offsets with their line numbers (0xfeefee/0xf00f00 "hidden" lines removed). */
  lines: Array<{ offset: number; line: number; column?: number }>;
}

export interface InlineeLine {
  inlinee: number;
  fileId: number;
  line: number;
}

export interface C13Info {
  blocks: LineBlock[];
  /** FILECHKSMS offset → /names offset of the file name. */
  fileNames: Map<number, number>;
  inlinees: Map<number, InlineeLine>;
}

const HIDDEN_LINES = new Set([0xfeefee, 0xf00f00]);

export function readC13(bytes: Uint8Array, what: string): C13Info {
  const info: C13Info = { blocks: [], fileNames: new Map(), inlinees: new Map() };
  const r = new ByteReader(bytes, what);
  while (r.remaining >= 8) {
    const kind = r.u32();
    const len = r.u32();
    r.need(len);
    const sub = new ByteReader(r.slice(len), `${what} subsection 0x${kind.toString(16)}`);
    r.align(4);
    // The high bit marks a subsection to ignore (DEBUG_S_IGNORE).
    if (kind & 0x80000000) continue;
    if (kind === DebugSubsection.LINES) readLines(sub, info);
    else if (kind === DebugSubsection.FILECHKSMS) readChecksums(sub, info);
    else if (kind === DebugSubsection.INLINEELINES) readInlineeLines(sub, info);
  }
  return info;
}

function readLines(s: ByteReader, info: C13Info): void {
  const offset = s.u32();
  const segment = s.u16();
  const flags = s.u16();
  const codeSize = s.u32();
  const hasColumns = (flags & 1) !== 0;
  while (s.remaining >= 12) {
    const fileId = s.u32();
    const numLines = s.u32();
    const blockSize = s.u32();
    const entrySize = hasColumns ? 12 : 8;
    if (blockSize < 12 || numLines * entrySize > blockSize - 12) s.fail(`a line block claims ${numLines} lines in ${blockSize} bytes`);
    const blockStart = s.pos;
    const lines: LineBlock['lines'] = [];
    const cols = blockStart + numLines * 8;
    for (let i = 0; i < numLines; i++) {
      const off = s.u32();
      const data = s.u32();
      const line = data & 0xffffff;
      if (HIDDEN_LINES.has(line)) continue;
      const entry: { offset: number; line: number; column?: number } = { offset: offset + off, line };
      if (hasColumns) entry.column = s.u16At(cols + i * 4);
      lines.push(entry);
    }
    s.seek(blockStart - 12);
    s.skip(blockSize);
    info.blocks.push({ segment, offset, codeSize, fileId, lines });
  }
}

function readChecksums(s: ByteReader, info: C13Info): void {
  while (s.remaining >= 6) {
    const id = s.pos;
    const nameOffset = s.u32();
    const size = s.u8();
    s.u8(); // kind
    s.skip(size);
    s.align(4);
    info.fileNames.set(id, nameOffset);
  }
}

function readInlineeLines(s: ByteReader, info: C13Info): void {
  const signature = s.u32();
  const extra = signature === 1;
  while (s.remaining >= 12) {
    const inlinee = s.u32();
    const fileId = s.u32();
    const line = s.u32();
    if (extra) s.skip(s.u32() * 4);
    info.inlinees.set(inlinee, { inlinee, fileId, line });
  }
}

// ---- S_INLINESITE binary annotations ----

export interface InlineSiteRecord {
  parent: number;
  end: number;
  inlinee: number;
  annotations: Uint8Array;
}

export function readInlineSite(kind: number, d: ByteReader): InlineSiteRecord {
  const parent = d.u32();
  const end = d.u32();
  const inlinee = d.u32();
  if (kind === SymKind.S_INLINESITE2) d.u32(); // invocations
  return { parent, end, inlinee, annotations: d.slice(d.remaining) };
}

export interface InlineRange {
  /** Offset from the enclosing procedure's start. */
  start: number;
  end: number;
  line: number;
  /** FILECHKSMS offset, when the annotations changed the file. */
  fileId?: number;
}

/**
 * Decodes an inline site's annotations into code ranges with their source lines, relative to the procedure start.
 * `startLine`/`startFile` come from the inlinee's entry in the module's inlinee lines.
 */
export function decodeAnnotations(ann: Uint8Array, startLine: number, startFile: number | undefined): InlineRange[] {
  const out: InlineRange[] = [];
  let pos = 0;
  const bad = (why: string): never => {
    throw new FormatError(`an inline site's binary annotations are corrupt: ${why} at byte ${pos} of ${ann.length}`);
  };
  const uint = (): number => {
    if (pos >= ann.length) bad('an operand is missing');
    const b0 = ann[pos++];
    if ((b0 & 0x80) === 0) return b0;
    if ((b0 & 0xc0) === 0x80) {
      if (pos >= ann.length) bad('a two-byte operand is cut off');
      return ((b0 & 0x3f) << 8) | ann[pos++];
    }
    if ((b0 & 0xe0) === 0xc0) {
      if (pos + 3 > ann.length) bad('a four-byte operand is cut off');
      const v = ((b0 & 0x1f) << 24) | (ann[pos] << 16) | (ann[pos + 1] << 8) | ann[pos + 2];
      pos += 3;
      return v >>> 0;
    }
    return bad(`0x${b0.toString(16)} starts no valid compressed integer`);
  };
  const sint = (v: number): number => (v & 1 ? -(v >>> 1) : v >>> 1);

  let codeOffset = 0;
  let line = startLine;
  let file = startFile;
  let pendingLength: number | undefined;
  let last: InlineRange | undefined;
  const emit = () => {
    if (last && last.end < 0) last.end = codeOffset;
    last = { start: codeOffset, end: -1, line, fileId: file };
    if (pendingLength !== undefined) {
      last.end = codeOffset + pendingLength;
      pendingLength = undefined;
    }
    out.push(last);
  };
  while (pos < ann.length) {
    const op = uint();
    switch (op) {
      case 0: // padding to the record end
        pos = ann.length;
        break;
      case 1: codeOffset = uint(); break;
      case 2: uint(); break; // ChangeCodeOffsetBase: segment changes are not produced for x64 code
      case 3: codeOffset += uint(); emit(); break;
      case 4: {
        const len = uint();
        if (last && last.end < 0) last.end = last.start + len;
        codeOffset += len;
        break;
      }
      case 5: file = uint(); break;
      case 6: line += sint(uint()); break;
      case 7: uint(); break; // ChangeLineEndDelta
      case 8: uint(); break; // ChangeRangeKind
      case 9: uint(); break; // ChangeColumnStart
      case 10: uint(); break; // ChangeColumnEndDelta
      case 11: {
        const v = uint();
        codeOffset += v & 0xf;
        line += sint(v >>> 4);
        emit();
        break;
      }
      case 12: {
        pendingLength = uint();
        codeOffset += uint();
        emit();
        break;
      }
      case 13: uint(); break; // ChangeColumnEnd
      default:
        bad(`unknown opcode ${op}`);
    }
  }
  for (const r of out) if (r.end < 0) r.end = r.start;
  return out.filter((r) => r.end > r.start);
}

/** Merges touching ranges: an inline site's many line entries become its few address ranges. */
export function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = ranges.slice().sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
