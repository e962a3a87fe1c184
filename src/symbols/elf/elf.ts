// ELF64 little-endian reader: header, sections (zlib-compressed debug sections included), .symtab/.dynsym and .gnu_debuglink.
import * as zlib from 'node:zlib';
import { ByteSource, Reader, cstrAt } from '../byte-source';
import { SymbolReadError } from '../errors';

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_*: 0 notype, 1 object, 2 func, 3 section, 4 file, 6 tls, 10 ifunc. */
  type: number;
  /** STB_*: 0 local, 1 global, 2 weak. */
  bind: number;
  shndx: number;
}

const SHT_NOBITS = 8;
const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
/** No real section decompresses past this; a header claiming more is corrupt, not a reason to allocate. */
const MAX_SECTION_BYTES = 2 ** 31 - 1;
const MAX_SECTIONS = 65_536;

export const EM_X86_64 = 62;

export class ElfFile {
  readonly sections: ElfSection[] = [];
  readonly machine: number;
  readonly type: number;
  readonly entry: number;
  private readonly byName = new Map<string, ElfSection>();

  constructor(readonly source: ByteSource, readonly path = '<memory>') {
    if (source.size < 64) throw new SymbolReadError(`too small to be an ELF file (${source.size} bytes)`, path);
    const h = new Reader(source.read(0, 64), 'the ELF header');
    if (h.u32() !== 0x464c457f) throw new SymbolReadError('not an ELF file (no \\x7fELF magic)', path);
    const cls = h.u8();
    const data = h.u8();
    if (cls === 1) throw new SymbolReadError('32-bit ELF files are not supported; build for x86_64 (64-bit)', path);
    if (cls !== 2) throw new SymbolReadError(`unknown ELF class ${cls}`, path);
    if (data !== 1) throw new SymbolReadError('big-endian ELF files are not supported; only little-endian x86_64', path);
    h.pos = 16;
    this.type = h.u16();
    this.machine = h.u16();
    h.u32();
    this.entry = h.u64();
    h.u64(); // phoff
    const shoff = h.u64();
    h.u32(); // flags
    h.u16(); // ehsize
    h.u16(); // phentsize
    h.u16(); // phnum
    const shentsize = h.u16();
    let shnum = h.u16();
    let shstrndx = h.u16();
    if (shoff === 0) return; // no section headers: nothing to read symbols from
    if (shentsize < 64) throw new SymbolReadError(`corrupt ELF header: section header size ${shentsize} < 64`, path);
    if (shnum === 0 || shstrndx === 0xffff) {
      // Extended numbering keeps the real counts in section 0.
      const s0 = new Reader(source.read(shoff, 64), 'section header 0');
      s0.pos = 32;
      if (shnum === 0) shnum = s0.u64();
      s0.pos = 40;
      if (shstrndx === 0xffff) shstrndx = s0.u32();
    }
    if (shnum > MAX_SECTIONS) throw new SymbolReadError(`corrupt ELF header: ${shnum} sections is absurd`, path);
    const table = new Reader(source.read(shoff, shnum * shentsize), 'the ELF section header table');
    const nameOffsets: number[] = [];
    for (let i = 0; i < shnum; i++) {
      table.pos = i * shentsize;
      nameOffsets.push(table.u32());
      this.sections.push({
        name: '',
        type: table.u32(),
        flags: table.u64(),
        addr: table.u64(),
        offset: table.u64(),
        size: table.u64(),
        link: table.u32(),
        entsize: (table.u32(), table.u64(), table.u64()),
      });
    }
    const strSec = this.sections[shstrndx];
    if (!strSec) throw new SymbolReadError(`corrupt ELF header: section name table index ${shstrndx} of ${shnum}`, path);
    const names = this.rawData(strSec);
    this.sections.forEach((s, i) => {
      s.name = nameOffsets[i] < names.length ? cstrAt(names, nameOffsets[i], 'the section name table') : '';
      if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    });
  }

  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** The bytes of a section as stored in the file (still compressed if it is). */
  rawData(s: ElfSection): Uint8Array {
    if (s.type === SHT_NOBITS) return new Uint8Array(0);
    if (s.size > this.source.size) throw new SymbolReadError(`section ${s.name || '#'} claims ${s.size} bytes, more than the whole file`, this.path);
    return this.source.read(s.offset, s.size);
  }

  /** The contents of a section, decompressed (SHF_COMPRESSED zlib, or a legacy .zdebug_ section); undefined if absent. */
  data(name: string): Uint8Array | undefined {
    let s = this.byName.get(name);
    let legacy = false;
    if (!s && name.startsWith('.debug_')) {
      s = this.byName.get('.zdebug_' + name.slice('.debug_'.length));
      legacy = s !== undefined;
    }
    if (!s) return undefined;
    const raw = this.rawData(s);
    if (s.flags & SHF_COMPRESSED) {
      const r = new Reader(raw, `compressed section ${s.name}`);
      const ctype = r.u32();
      r.u32();
      const size = r.u64();
      r.u64();
      if (ctype !== ELFCOMPRESS_ZLIB) {
        throw new SymbolReadError(`section ${s.name} uses compression type ${ctype}${ctype === 2 ? ' (zstd)' : ''}; only zlib is supported — relink with --compress-debug-sections=zlib or none`, this.path);
      }
      return this.inflate(s.name, raw.subarray(24), size);
    }
    if (legacy && raw.length >= 12 && raw[0] === 0x5a && raw[1] === 0x4c && raw[2] === 0x49 && raw[3] === 0x42) {
      const size = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0, false);
      return this.inflate(s.name, raw.subarray(12), Number(size));
    }
    return raw;
  }

  private inflate(name: string, body: Uint8Array, size: number): Uint8Array {
    // zlib cannot expand more than ~1032:1, so a larger claim is corrupt; checking first avoids a huge allocation.
    if (size > MAX_SECTION_BYTES || size > body.length * 1100 + 1024) {
      throw new SymbolReadError(`compressed section ${name} claims an absurd size of ${size} bytes for ${body.length} compressed bytes`, this.path);
    }
    let out: Buffer;
    try {
      out = zlib.inflateSync(body, { maxOutputLength: Math.max(size, 1) });
    } catch (err) {
      throw new SymbolReadError(`compressed section ${name} could not be decompressed: ${(err as Error).message}`, this.path);
    }
    if (out.length !== size) throw new SymbolReadError(`compressed section ${name} decompressed to ${out.length} bytes, its header says ${size}`, this.path);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }

  private symbolSection(which: '.symtab' | '.dynsym'): ElfSection | undefined {
    return this.sections.find((x) => x.name === which && x.type === (which === '.symtab' ? SHT_SYMTAB : SHT_DYNSYM));
  }

  /** Entries in .symtab or .dynsym, including the null entry 0. */
  symbolCount(which: '.symtab' | '.dynsym'): number {
    const s = this.symbolSection(which);
    return s ? Math.floor(s.size / 24) : 0;
  }

  /** Symbols of .symtab and .dynsym (index 0 skipped), or only entries [range.start, range.end). */
  symbols(which: '.symtab' | '.dynsym', range?: { start: number; end: number }): ElfSymbol[] {
    const out: ElfSymbol[] = [];
    this.forEachSymbol(which, range, (name, value, size, type, bind, shndx) => out.push({ name, value, size, type, bind, shndx }));
    return out;
  }

  /** Like `symbols`, without an object per entry: for the 100,000s of entries of a large library. */
  forEachSymbol(
    which: '.symtab' | '.dynsym',
    range: { start: number; end: number } | undefined,
    visit: (name: string, value: number, size: number, type: number, bind: number, shndx: number) => void,
  ): void {
    const t = this.symbolEntries(which, range);
    if (!t) return;
    const { data, count } = t;
    const strs = this.sections[this.symbolSection(which)!.link];
    if (!strs) throw new SymbolReadError(`${which} links to string table #${this.symbolSection(which)!.link}, which does not exist`, this.path);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const { strtab, base } = this.stringsFor(strs, view, count, range !== undefined);
    for (let i = 0; i < count; i++) {
      const o = i * 24;
      const nameOff = view.getUint32(o, true);
      const info = data[o + 4];
      const shndx = view.getUint16(o + 6, true);
      const value = view.getUint32(o + 12, true) * 4294967296 + view.getUint32(o + 8, true);
      const size = view.getUint32(o + 20, true) * 4294967296 + view.getUint32(o + 16, true);
      const name = nameOff === 0 || nameOff < base ? '' : nameOff - base < strtab.length ? cstrAt(strtab, nameOff - base, `the string table of ${which}`) : '';
      visit(name, value, size, info & 0xf, info >> 4, shndx);
    }
  }

  /** The raw entries (24 bytes each) of .symtab or .dynsym, all or [range.start, range.end), without the null entry; `first` is the first one's index. */
  symbolEntries(which: '.symtab' | '.dynsym', range?: { start: number; end: number }): { data: Uint8Array; count: number; first: number } | undefined {
    const s = this.symbolSection(which);
    if (!s) return undefined;
    const total = Math.floor(s.size / 24);
    const first = Math.max(1, range?.start ?? 1);
    const last = Math.min(total, range?.end ?? total);
    if (first >= last) return undefined;
    if (s.size > this.source.size) throw new SymbolReadError(`${which} claims ${s.size} bytes, more than the whole file`, this.path);
    return { data: this.source.read(s.offset + first * 24, (last - first) * 24), count: last - first, first };
  }

  /** The string table section that `which` names its entries from; undefined when the table has none the file can hold. */
  symbolStringSection(which: '.symtab' | '.dynsym'): ElfSection | undefined {
    const s = this.symbolSection(which);
    const strs = s ? this.sections[s.link] : undefined;
    return strs && strs.type !== SHT_NOBITS && strs.size <= this.source.size && strs.offset + strs.size <= this.source.size ? strs : undefined;
  }

  /** The span of the string table of `which` that holds the names starting at offsets lo..hi (name offset − base indexes it). */
  symbolNames(which: '.symtab' | '.dynsym', lo: number, hi: number): { strtab: Uint8Array; base: number } {
    const s = this.symbolSection(which);
    const strs = s ? this.sections[s.link] : undefined;
    if (!s || !strs) throw new SymbolReadError(`${which} has no string table`, this.path);
    if (strs.type === SHT_NOBITS || strs.size > this.source.size || lo >= strs.size) return { strtab: new Uint8Array(0), base: 0 };
    return this.namesSpan(strs, lo, Math.min(hi, strs.size - 1));
  }

  /** Bytes of string table `strs` from offset lo through the end of the name starting at hi. */
  private namesSpan(strs: ElfSection, lo: number, hi: number): { strtab: Uint8Array; base: number } {
    // The last name ends at the first NUL after it; read a margin past it, and the rest of the table if that is not enough.
    let end = Math.min(strs.size, hi + 4096);
    let strtab = this.source.read(strs.offset + lo, end - lo);
    if (strtab.indexOf(0, hi - lo) < 0 && end < strs.size) {
      end = strs.size;
      strtab = this.source.read(strs.offset + lo, end - lo);
    }
    return { strtab, base: lo };
  }

  /**
   * The string table bytes the entries in `view` name. A range of entries (one worker's chunk) reads only the span of
   * the table its names lie in, so chunks of a large symbol table do not each read the whole table again.
   */
  private stringsFor(strs: ElfSection, view: DataView, count: number, ranged: boolean): { strtab: Uint8Array; base: number } {
    if (!ranged || strs.type === SHT_NOBITS || strs.size > this.source.size) return { strtab: this.rawData(strs), base: 0 };
    let lo = Infinity;
    let hi = 0;
    for (let i = 0; i < count; i++) {
      const off = view.getUint32(i * 24, true);
      if (off === 0 || off >= strs.size) continue;
      if (off < lo) lo = off;
      if (off > hi) hi = off;
    }
    if (lo === Infinity) return { strtab: new Uint8Array(0), base: 0 };
    return this.namesSpan(strs, lo, hi);
  }

  /** The `.gnu_debuglink` file name and CRC32, when the debug info was split off into another file. */
  debugLink(): { file: string; crc: number } | undefined {
    const d = this.data('.gnu_debuglink');
    if (!d) return undefined;
    const r = new Reader(d, 'the .gnu_debuglink section');
    const file = r.cstr();
    r.pos = (r.pos + 3) & ~3;
    return { file, crc: r.u32() };
  }

  /** The GNU build id, hex. */
  buildId(): string | undefined {
    const d = this.data('.note.gnu.build-id');
    if (!d || d.length < 16) return undefined;
    const r = new Reader(d, 'the build-id note');
    const namesz = r.u32();
    const descsz = r.u32();
    r.u32();
    r.skip((namesz + 3) & ~3);
    r.need(descsz);
    return Buffer.from(d.subarray(r.pos, r.pos + descsz)).toString('hex');
  }
}

/** CRC-32 (IEEE) as used by .gnu_debuglink to pair an executable with its debug file. */
export function crc32(bytes: Uint8Array): number {
  let table = crcTable;
  if (!table) {
    table = crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
let crcTable: Int32Array | undefined;
