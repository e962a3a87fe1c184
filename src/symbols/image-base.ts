// A module's link-time base address read from its headers alone: it places the module's addresses long before its symbols are read.
import { fileSource } from './byte-source';
import { ElfFile } from './elf/elf';
import { elfImageBase } from './elf/elf-module';

const PE32PLUS_MAGIC = 0x20b;

/**
 * ELF: the lowest loaded page (as the symbol load computes it); PE32+: the optional header's ImageBase. Undefined for
 * anything else or a file that cannot be read: the caller then waits for the symbol load's own answer.
 */
export function readImageBase(path: string): number | undefined {
  let source;
  try {
    source = fileSource(path);
  } catch {
    return undefined;
  }
  try {
    const head = source.read(0, Math.min(source.size, 4096));
    if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return elfImageBase(new ElfFile(source, path));
    if (head[0] !== 0x4d || head[1] !== 0x5a || head.length < 64) return undefined;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const pe = view.getUint32(0x3c, true);
    const optStart = pe + 24;
    if (optStart + 32 > head.length || view.getUint32(pe, true) !== 0x00004550 || view.getUint16(optStart, true) !== PE32PLUS_MAGIC) return undefined;
    const base = Number(view.getBigUint64(optStart + 24, true));
    return Number.isSafeInteger(base) ? base : undefined;
  } catch {
    return undefined;
  } finally {
    source.close?.();
  }
}
