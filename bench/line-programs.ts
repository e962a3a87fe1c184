// Child process of the symbols benchmark: decodes every line program of a file's .debug_line into an index builder, in
// this fresh process (so the figure includes warm-up), and prints {"ms","rows"} as JSON. RUST_OFFLOAD_LINE_KERNEL=off
// runs the TypeScript loop instead of the compiled kernel.
import { fileSource } from '../src/symbols/byte-source';
import { readLineProgram } from '../src/symbols/dwarf/dwarf-line';
import { ElfFile } from '../src/symbols/elf/elf';
import { IndexBuilder } from '../src/symbols/symbol-index';

function main(file: string): void {
  const elf = new ElfFile(fileSource(file), file);
  const read = (name: string): Uint8Array | undefined => {
    const s = elf.section(name);
    return s ? elf.source.read(s.offset, s.size) : undefined;
  };
  const line = read('.debug_line');
  if (!line) throw new Error(`${file} has no .debug_line`);
  const sections = { line, str: read('.debug_str'), lineStr: read('.debug_line_str') };
  const builder = new IndexBuilder();
  const files = new Map<string, number>();
  const mapFile = (p: string): number => files.get(p) ?? (files.set(p, files.size), files.size - 1);
  const view = new DataView(line.buffer, line.byteOffset, line.byteLength);
  const t0 = performance.now();
  for (let off = 0; off + 4 <= line.length; off += 4 + view.getUint32(off, true)) readLineProgram(sections, off, '/', 'main.rs', 8, mapFile, builder);
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, rows: builder.lines }));
}

main(process.argv[2]);
