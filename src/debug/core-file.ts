// Checks a "coreFile" before lldb-dap sees it: a Windows minidump whose streams all lie inside the file, or an ELF core; anything else is a clear error.
import * as fs from 'node:fs';
import { ConfigurationError } from './launch-arguments';

const MINIDUMP_SIGNATURE = 0x504d444d; // "MDMP"
const MINIDUMP_VERSION = 0xa793;
const MEMORY64_LIST_STREAM = 9;
const ET_CORE = 4;

/** What kind of core file this is; throws a ConfigurationError naming the file and what is wrong with it. */
export function checkCoreFile(file: string): 'minidump' | 'elf-core' {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ConfigurationError(`"coreFile": cannot read '${file}' (${(err as NodeJS.ErrnoException).code ?? String(err)}); give the path of a minidump (.dmp) or core file`);
  }
  return checkCoreBytes(bytes, file);
}

/** The same check on bytes already read (the file name is only for the message). */
export function checkCoreBytes(bytes: Buffer, file: string): 'minidump' | 'elf-core' {
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === MINIDUMP_SIGNATURE) {
    checkMinidump(bytes, file);
    return 'minidump';
  }
  if (bytes.length >= 18 && bytes.subarray(0, 4).toString('latin1') === '\x7fELF') {
    const littleEndian = bytes[5] === 1;
    const type = littleEndian ? bytes.readUInt16LE(16) : bytes.readUInt16BE(16);
    if (type !== ET_CORE) throw new ConfigurationError(`"coreFile": '${file}' is an ELF file but not a core dump (e_type ${type}); give the core file, and the executable as "program"`);
    return 'elf-core';
  }
  throw new ConfigurationError(`"coreFile": '${file}' is neither a Windows minidump (no MDMP signature) nor an ELF core file; give the .dmp written when the program crashed`);
}

function checkMinidump(bytes: Buffer, file: string): void {
  const truncated = (what: string): ConfigurationError =>
    new ConfigurationError(`"coreFile": the minidump '${file}' is truncated (${bytes.length} bytes): ${what} lies past its end; the dump was cut short while being written or copied`);
  if (bytes.length < 32) throw truncated('the 32-byte header');
  if ((bytes.readUInt32LE(4) & 0xffff) !== MINIDUMP_VERSION) {
    throw new ConfigurationError(`"coreFile": '${file}' has a minidump signature but an unknown version 0x${(bytes.readUInt32LE(4) & 0xffff).toString(16)}`);
  }
  const streams = bytes.readUInt32LE(8);
  const directory = bytes.readUInt32LE(12);
  if (directory + streams * 12 > bytes.length) throw truncated(`the directory of ${streams} streams`);
  for (let i = 0; i < streams; i++) {
    const entry = directory + i * 12;
    const type = bytes.readUInt32LE(entry);
    const size = bytes.readUInt32LE(entry + 4);
    const rva = bytes.readUInt32LE(entry + 8);
    if (rva + size > bytes.length) throw truncated(`stream ${i} (type ${type})`);
    if (type === MEMORY64_LIST_STREAM && size >= 16) {
      // A full-memory dump keeps the memory after every stream: its ranges are where a cut file loses data.
      const ranges = bytes.readBigUInt64LE(rva);
      let end = bytes.readBigUInt64LE(rva + 8);
      for (let r = 0n; r < ranges && rva + 16 + Number(r) * 16 + 16 <= rva + size; r++) {
        end += bytes.readBigUInt64LE(rva + 16 + Number(r) * 16 + 8);
      }
      if (end > BigInt(bytes.length)) throw truncated(`the memory of its ${ranges} ranges (up to byte ${end})`);
    }
  }
}
