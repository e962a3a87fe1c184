// PE32+/COFF x86_64 image reader: headers, sections (long names via the COFF string table), COFF symbols, exports, CodeView debug directory.

import { ByteReader, FormatError, limits } from './pe-byte-reader';

export const IMAGE_FILE_MACHINE_AMD64 = 0x8664;
const IMAGE_FILE_MACHINE_I386 = 0x14c;
const IMAGE_FILE_MACHINE_ARM64 = 0xaa64;
const PE32_MAGIC = 0x10b;
const PE32PLUS_MAGIC = 0x20b;
const IMAGE_DEBUG_TYPE_CODEVIEW = 2;
const IMAGE_SCN_CNT_CODE = 0x20;
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;

export interface PeSection {
  /** Full name: long names (`/4` in the header) are resolved through the COFF string table. */
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  pointerToRawData: number;
  characteristics: number;
  isCode: boolean;
}

export interface CoffSymbol {
  name: string;
  value: number;
  /** 1-based section number; 0 undefined, -1 absolute, -2 debug. */
  section: number;
  type: number;
  storageClass: number;
  /** imageBase + section RVA + value, for symbols in a section. */
  address?: number;
  isFunction: boolean;
}

export interface PeExport {
  name?: string;
  ordinal: number;
  rva: number;
  /** `DLL.Function` when the export forwards to another DLL. */
  forwarder?: string;
}

export interface CodeViewInfo {
  /** The path the linker wrote, usually absolute on the build machine (`C:\...\app.pdb`). */
  pdbPath: string;
  /** `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, upper case, as llvm-readobj and llvm-pdbutil print it. */
  guid: string;
  age: number;
}

export interface PeImage {
  machine: number;
  timeDateStamp: number;
  imageBase: number;
  sizeOfImage: number;
  sections: PeSection[];
  symbols: CoffSymbol[];
  exports: PeExport[];
  codeView?: CodeViewInfo;
  /** Entry RVA of every data directory, as [rva, size]. */
  dataDirectories: Array<[number, number]>;
  /** Non-fatal problems of the image itself (a section whose raw size runs past the file). */
  warnings?: string[];
}

/** Names the format of bytes that are not a PE image, so the error can say what the file is. */
export function describeNonPe(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 4) {
    const m = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
    if (m === 0x7f454c46) return 'an ELF file';
    const le = (bytes[3] << 24) | (bytes[2] << 16) | (bytes[1] << 8) | bytes[0];
    const macho = [0xfeedfacf | 0, 0xfeedface | 0];
    if (macho.includes(le) || macho.includes(m) || m === (0xcafebabe | 0)) return 'a Mach-O file';
    if (bytes.length >= 32 && new TextDecoder().decode(bytes.subarray(0, 26)) === 'Microsoft C/C++ MSF 7.00\r\n')
      return 'a PDB file (open the .exe or .dll it belongs to)';
  }
  return undefined;
}

export function readPe(bytes: Uint8Array, fileName = 'the image'): PeImage {
  const r = new ByteReader(bytes, `PE image ${fileName}`);
  if (bytes.length < 64 || bytes[0] !== 0x4d || bytes[1] !== 0x5a) {
    const other = describeNonPe(bytes);
    throw new FormatError(
      `${fileName} is not a PE image${other ? `: it is ${other}` : ' (no MZ header)'}; ` +
        'only PE32+ x86_64 (Windows) and ELF64 x86_64 files are supported',
    );
  }
  const peOffset = r.u32At(0x3c);
  r.need(24, peOffset);
  if (r.u32At(peOffset) !== 0x00004550) r.seek(Math.min(peOffset, bytes.length)).fail('no PE\\0\\0 signature where the DOS header points');
  r.seek(peOffset + 4);
  const machine = r.u16();
  const numberOfSections = r.u16();
  const timeDateStamp = r.u32();
  const pointerToSymbolTable = r.u32();
  const numberOfSymbols = r.u32();
  const sizeOfOptionalHeader = r.u16();
  r.u16(); // characteristics
  const optStart = r.pos;
  const magic = sizeOfOptionalHeader >= 2 ? r.u16At(optStart) : 0;
  if (magic === PE32_MAGIC || machine === IMAGE_FILE_MACHINE_I386) {
    throw new FormatError(
      `${fileName} is a 32-bit PE image (PE32, x86); only 64-bit x86_64 images (PE32+) are supported — debug a 64-bit build`,
    );
  }
  if (machine !== IMAGE_FILE_MACHINE_AMD64) {
    const what = machine === IMAGE_FILE_MACHINE_ARM64 ? 'ARM64' : `machine 0x${machine.toString(16)}`;
    throw new FormatError(`${fileName} is a PE image for ${what}; only x86_64 (AMD64) images are supported`);
  }
  if (magic !== PE32PLUS_MAGIC) r.fail(`optional header magic 0x${magic.toString(16)} is not PE32+ (0x20b)`);
  if (sizeOfOptionalHeader < 112) r.fail(`optional header of ${sizeOfOptionalHeader} bytes is too small for PE32+`);
  r.need(sizeOfOptionalHeader, optStart);
  const imageBase = new ByteReader(bytes, r.what, optStart + 24).u64();
  const sizeOfImage = r.u32At(optStart + 56);
  const numberOfRvaAndSizes = Math.min(r.u32At(optStart + 108), 16, Math.floor((sizeOfOptionalHeader - 112) / 8));
  const dataDirectories: Array<[number, number]> = [];
  for (let i = 0; i < numberOfRvaAndSizes; i++) {
    dataDirectories.push([r.u32At(optStart + 112 + i * 8), r.u32At(optStart + 116 + i * 8)]);
  }

  if (numberOfSections > limits.maxSections) r.fail(`it claims ${numberOfSections} sections (at most ${limits.maxSections} are plausible)`);
  const strings = readStringTable(r, pointerToSymbolTable, numberOfSymbols);
  r.seek(optStart + sizeOfOptionalHeader);
  const sections: PeSection[] = [];
  for (let i = 0; i < numberOfSections; i++) {
    const rawName = r.slice(8);
    const virtualSize = r.u32();
    const virtualAddress = r.u32();
    const sizeOfRawData = r.u32();
    const pointerToRawData = r.u32();
    r.skip(12);
    const characteristics = r.u32();
    sections.push({
      name: sectionName(rawName, strings, r),
      virtualSize,
      virtualAddress,
      sizeOfRawData,
      pointerToRawData,
      characteristics,
      isCode: (characteristics & (IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE)) !== 0,
    });
  }

  const warnings: string[] = [];
  for (const s of sections) {
    if (s.pointerToRawData + s.sizeOfRawData > bytes.length && s.sizeOfRawData > s.virtualSize) {
      warnings.push(`section ${s.name} claims ${s.sizeOfRawData} bytes of raw data, past the end of the file (${bytes.length} bytes); only its virtual size (${s.virtualSize}) was used`);
    }
  }
  const image: PeImage = {
    warnings,
    machine,
    timeDateStamp,
    imageBase,
    sizeOfImage,
    sections,
    symbols: [],
    exports: [],
    dataDirectories,
  };
  image.symbols = readCoffSymbols(r, image, pointerToSymbolTable, numberOfSymbols, strings);
  if (dataDirectories[0] && dataDirectories[0][1] > 0) image.exports = readExports(r, image, dataDirectories[0]);
  if (dataDirectories[6] && dataDirectories[6][1] > 0) image.codeView = readDebugDirectory(r, image, dataDirectories[6]);
  return image;
}

/**
 * The file offset holding an RVA, or undefined when no section's raw data covers it. A section covers its virtual
 * size (when set) and no more than its raw data: a corrupt SizeOfRawData (0x7fffffff) must not let `.text` swallow
 * the RVAs of the sections after it, as the loader and LLVM's readers go by the virtual size too.
 */
export function rvaToOffset(image: PeImage, rva: number, length = 1): number | undefined {
  for (const s of image.sections) {
    const size = s.virtualSize > 0 ? Math.min(s.virtualSize, s.sizeOfRawData) : s.sizeOfRawData;
    if (rva >= s.virtualAddress && rva + length <= s.virtualAddress + size) return s.pointerToRawData + (rva - s.virtualAddress);
  }
  return undefined;
}

/** The raw bytes of a section (clipped to the file), e.g. `.debug_info` for the DWARF reader. */
export function sectionBytes(bytes: Uint8Array, section: PeSection): Uint8Array {
  const start = Math.min(section.pointerToRawData, bytes.length);
  const size = section.virtualSize > 0 ? Math.min(section.virtualSize, section.sizeOfRawData) : section.sizeOfRawData;
  return bytes.subarray(start, Math.min(start + size, bytes.length));
}

function readStringTable(r: ByteReader, pointerToSymbolTable: number, numberOfSymbols: number): Uint8Array | undefined {
  if (pointerToSymbolTable === 0) return undefined;
  const at = pointerToSymbolTable + numberOfSymbols * 18;
  if (at + 4 > r.length) {
    throw new FormatError(`${r.what} is truncated or corrupt: its COFF symbol table (${numberOfSymbols} symbols at offset ${pointerToSymbolTable}) runs past the end of the file`);
  }
  const size = r.u32At(at);
  if (size < 4 || at + size > r.length) return r.sliceAt(at, r.length - at);
  return r.sliceAt(at, size);
}

function stringAt(strings: Uint8Array | undefined, offset: number, r: ByteReader): string {
  if (!strings || offset >= strings.length) r.fail(`a name points at offset ${offset} past the COFF string table`);
  return new ByteReader(strings, 'COFF string table').cstrAt(offset);
}

function sectionName(raw: Uint8Array, strings: Uint8Array | undefined, r: ByteReader): string {
  const end = raw.indexOf(0);
  const short = new TextDecoder().decode(raw.subarray(0, end < 0 ? 8 : end));
  // A stripped image can keep `/4`-style names without the string table they point into: keep them as written.
  if (!strings) return short;
  if (short.startsWith('//')) return stringAt(strings, decodeBase64Offset(short.slice(2), r), r);
  if (short.startsWith('/') && /^\/\d+$/.test(short)) return stringAt(strings, Number(short.slice(1)), r);
  return short;
}

function decodeBase64Offset(s: string, r: ByteReader): number {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let v = 0;
  for (const c of s) {
    const d = alphabet.indexOf(c);
    if (d < 0) r.fail(`section name //${s} is not a base64 string table offset`);
    v = v * 64 + d;
  }
  return v;
}

function readCoffSymbols(r: ByteReader, image: PeImage, at: number, count: number, strings: Uint8Array | undefined): CoffSymbol[] {
  if (at === 0 || count === 0) return [];
  r.need(count * 18, at);
  const out: CoffSymbol[] = [];
  const s = new ByteReader(r.bytes, r.what, at);
  for (let i = 0; i < count; i++) {
    const nameBytes = s.slice(8);
    let name: string;
    if (nameBytes[0] === 0 && nameBytes[1] === 0 && nameBytes[2] === 0 && nameBytes[3] === 0) {
      const off = nameBytes[4] | (nameBytes[5] << 8) | (nameBytes[6] << 16) | (nameBytes[7] << 24);
      name = stringAt(strings, off >>> 0, s);
    } else {
      const end = nameBytes.indexOf(0);
      name = new TextDecoder().decode(nameBytes.subarray(0, end < 0 ? 8 : end));
    }
    const value = s.u32();
    const section = s.i16();
    const type = s.u16();
    const storageClass = s.u8();
    const aux = s.u8();
    const sec = section > 0 ? image.sections[section - 1] : undefined;
    out.push({
      name,
      value,
      section,
      type,
      storageClass,
      address: sec ? image.imageBase + sec.virtualAddress + value : undefined,
      isFunction: (type >> 4) === 2,
    });
    const skip = Math.min(aux, count - 1 - i);
    s.skip(skip * 18);
    i += skip;
  }
  return out;
}

function readExports(r: ByteReader, image: PeImage, [dirRva, dirSize]: [number, number]): PeExport[] {
  const dirOff = rvaToOffset(image, dirRva, 40);
  if (dirOff === undefined) throw new FormatError(`${r.what} is corrupt: the export directory RVA 0x${dirRva.toString(16)} is in no section`);
  const d = new ByteReader(r.bytes, `${r.what} export directory`, dirOff + 16);
  const base = d.u32();
  const numberOfFunctions = d.u32();
  const numberOfNames = d.u32();
  const addressOfFunctions = d.u32();
  const addressOfNames = d.u32();
  const addressOfNameOrdinals = d.u32();
  const funcsOff = numberOfFunctions ? rvaToOffset(image, addressOfFunctions, numberOfFunctions * 4) : 0;
  const namesOff = numberOfNames ? rvaToOffset(image, addressOfNames, numberOfNames * 4) : 0;
  const ordsOff = numberOfNames ? rvaToOffset(image, addressOfNameOrdinals, numberOfNames * 2) : 0;
  if (funcsOff === undefined || namesOff === undefined || ordsOff === undefined) {
    throw new FormatError(`${d.what} is corrupt: its function, name or ordinal table lies outside every section`);
  }
  const names = new Map<number, string>();
  for (let i = 0; i < numberOfNames; i++) {
    const idx = d.u16At(ordsOff + i * 2);
    const nameOff = rvaToOffset(image, d.u32At(namesOff + i * 4));
    if (nameOff === undefined) throw new FormatError(`${d.what} is corrupt: export name ${i} points outside every section`);
    names.set(idx, d.cstrAt(nameOff));
  }
  const out: PeExport[] = [];
  for (let i = 0; i < numberOfFunctions; i++) {
    const rva = d.u32At(funcsOff + i * 4);
    if (rva === 0) continue;
    const e: PeExport = { ordinal: base + i, rva, name: names.get(i) };
    if (rva >= dirRva && rva < dirRva + dirSize) {
      const fOff = rvaToOffset(image, rva);
      if (fOff !== undefined) e.forwarder = d.cstrAt(fOff);
    }
    out.push(e);
  }
  return out;
}

function readDebugDirectory(r: ByteReader, image: PeImage, [rva, size]: [number, number]): CodeViewInfo | undefined {
  const off = rvaToOffset(image, rva, Math.min(size, 28));
  if (off === undefined) throw new FormatError(`${r.what} is corrupt: the debug directory RVA 0x${rva.toString(16)} is in no section`);
  const count = Math.floor(size / 28);
  if (count > 1024) r.fail(`the debug directory claims ${count} entries`);
  for (let i = 0; i < count; i++) {
    const e = new ByteReader(r.bytes, `${r.what} debug directory`, off + i * 28);
    e.skip(12);
    const type = e.u32();
    const sizeOfData = e.u32();
    const addressOfRawData = e.u32();
    let pointerToRawData = e.u32();
    if (type !== IMAGE_DEBUG_TYPE_CODEVIEW) continue;
    // Some linkers leave the file pointer 0 and give only the RVA.
    if (pointerToRawData === 0) pointerToRawData = rvaToOffset(image, addressOfRawData, sizeOfData) ?? 0;
    const cv = new ByteReader(e.sliceAt(pointerToRawData, sizeOfData), `${r.what} CodeView record`);
    const sig = cv.u32();
    if (sig !== 0x53445352 /* RSDS */) continue; // NB10 (VC6-era) PDBs are not supported.
    const guid = cv.guid();
    const age = cv.u32();
    const pdbPath = cv.cstr();
    return { pdbPath, guid, age };
  }
  return undefined;
}
