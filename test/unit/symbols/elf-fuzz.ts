// The ELF/DWARF fuzzer: mutates real fixtures (and real mangled names) and requires a result or a SymbolReadError for each; shared by the test and scripts/fuzz-symbols.mjs.
import { bufferSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { indexElfModule, planDwarfChunks, readElfModule } from '../../../src/symbols/elf/elf-module';
import { SymbolReadError } from '../../../src/symbols/errors';
import { demangleRust } from '../../../src/symbols/rust-demangle';
import { IndexBuilder, SymbolIndex, buildIndex } from '../../../src/symbols/symbol-index';
import { prng } from '../../support/seeded-random';

export interface FuzzInput {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzFailure {
  input: string;
  seed: number;
  caseIndex: number;
  error: string;
}

export interface FuzzReport {
  cases: number;
  results: number;
  cleanErrors: number;
  demangled: number;
  failures: FuzzFailure[];
  slowestMs: number;
  /** Distinct error messages (first words), to see which checks fire. */
  errorKinds: Map<string, number>;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 24, 64];

/** Where mutations do the most damage: the ELF header, section headers and each debug section. */
function targets(bytes: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [[0, 64]];
  try {
    const elf = new ElfFile(bufferSource(bytes), 'fuzz');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shoff = Number(view.getBigUint64(0x28, true));
    out.push([shoff, elf.sections.length * 64]);
    for (const s of elf.sections) if (s.name.startsWith('.debug') || s.name === '.symtab' || s.name === '.strtab') out.push([s.offset, s.size]);
  } catch {
    // fixture not an ELF: only whole-file mutations
  }
  return out.filter(([o, n]) => n > 0 && o + n <= bytes.length);
}

export function mutate(bytes: Uint8Array, rnd: () => number, regions: Array<[number, number]>): Uint8Array {
  const m = new Uint8Array(bytes);
  const view = new DataView(m.buffer);
  const [start, len] = rnd() < 0.85 ? regions[Math.floor(rnd() * regions.length)] : [0, m.length];
  const at = (): number => start + Math.floor(rnd() * len);
  const kind = Math.floor(rnd() * 6);
  switch (kind) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) m[at()] ^= 1 << Math.floor(rnd() * 8);
      return m;
    case 1: { // an interesting 32-bit value
      const o = Math.min(at() & ~3, m.length - 4);
      view.setUint32(o, INTERESTING[Math.floor(rnd() * INTERESTING.length)], true);
      return m;
    }
    case 2: { // a huge or random 64-bit value
      const o = Math.min(at() & ~7, m.length - 8);
      view.setUint32(o, Math.floor(rnd() * 2 ** 32), true);
      view.setUint32(o + 4, rnd() < 0.5 ? 0 : Math.floor(rnd() * 2 ** 32), true);
      return m;
    }
    case 3: // truncate
      return m.subarray(0, Math.floor(rnd() * m.length));
    case 4: { // zero or 0xff a run
      const o = at();
      m.fill(rnd() < 0.5 ? 0 : 0xff, o, Math.min(m.length, o + 1 + Math.floor(rnd() * 64)));
      return m;
    }
    default: { // random bytes over a run (LEB128s, forms, opcodes)
      const o = at();
      for (let i = o; i < Math.min(m.length, o + 1 + Math.floor(rnd() * 16)); i++) m[i] = Math.floor(rnd() * 256);
      return m;
    }
  }
}

function mutateName(name: string, rnd: () => number): string {
  const chars = name.split('');
  const alphabet = '_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$.';
  for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) {
    const p = Math.floor(rnd() * chars.length);
    const r = rnd();
    if (r < 0.4) chars[p] = alphabet[Math.floor(rnd() * alphabet.length)];
    else if (r < 0.7) chars.splice(p, 1);
    else chars.splice(p, 0, alphabet[Math.floor(rnd() * alphabet.length)]);
  }
  return chars.join('');
}

/** Runs `cases` mutations spread over the inputs; 1 in 5 cases mutates a mangled name from the inputs instead. */
let chunkedLoads = 0;

/**
 * The loading path over `bytes`: planned into small chunks (larger units sliced), each read into an index segment.
 * As in a worker, the chunks of one load share the sections kept under the load's cache key, and each load takes over
 * the section arrays of the load before it (another mutated file).
 */
function readInChunks(bytes: Uint8Array, path: string): void {
  const source = bufferSource(bytes);
  const chunks = planDwarfChunks(new ElfFile(source, path), { path }, 8 * 1024);
  const cacheKey = `fuzz load ${++chunkedLoads}`;
  const segments = chunks.map((c, i) => {
    const b = new IndexBuilder();
    indexElfModule(source, { path, units: c.units, slice: c.slice, publicsByUnit: true, leftoverPublics: i === chunks.length - 1, cacheKey }, b);
    return b.finish();
  });
  new SymbolIndex(segments).search('main', 10);
}

export function runElfFuzz(inputs: FuzzInput[], cases: number, seed: number): FuzzReport {
  const report: FuzzReport = { cases: 0, results: 0, cleanErrors: 0, demangled: 0, failures: [], slowestMs: 0, errorKinds: new Map() };
  const rnd = prng(seed);
  const prepared = inputs.map((i) => ({ ...i, regions: targets(i.bytes), names: namesOf(i.bytes) }));
  for (let c = 0; c < cases; c++) {
    const input = prepared[c % prepared.length];
    report.cases++;
    if (c % 5 === 4 && input.names.length > 0) {
      const name = mutateName(input.names[Math.floor(rnd() * input.names.length)], rnd);
      try {
        const d = demangleRust(name);
        if (d !== undefined) report.demangled++;
        report.results++;
      } catch (err) {
        report.failures.push({ input: `name ${name}`, seed, caseIndex: c, error: String((err as Error).stack ?? err) });
      }
      continue;
    }
    const mutated = mutate(input.bytes, rnd, input.regions);
    const t0 = performance.now();
    try {
      const mod = readElfModule(bufferSource(mutated), { path: `fuzz/${input.name}` });
      const index = new SymbolIndex([buildIndex(mod)]);
      const f = mod.functions[0];
      if (f) {
        index.lookupByName(f.name);
        index.lookupAddress(f.ranges[0][0]);
      }
      index.search('main', 10);
      // Every fifth file is also read as a split load with its larger units in slices (the loading path).
      if (c % 5 === 2) readInChunks(mutated, `fuzz/${input.name}`);
      report.results++;
    } catch (err) {
      if (err instanceof SymbolReadError) {
        report.cleanErrors++;
        const kind = err.message.replace(/^fuzz\/\S+: /, '').split(/[0-9]/)[0].slice(0, 60);
        report.errorKinds.set(kind, (report.errorKinds.get(kind) ?? 0) + 1);
      } else {
        report.failures.push({ input: input.name, seed, caseIndex: c, error: String((err as Error).stack ?? err) });
      }
    }
    report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
  }
  return report;
}

function namesOf(bytes: Uint8Array): string[] {
  try {
    const elf = new ElfFile(bufferSource(bytes), 'fuzz');
    return elf.symbols('.symtab').map((s) => s.name).filter((n) => n.startsWith('_R') || n.startsWith('_ZN'));
  } catch {
    return [];
  }
}
