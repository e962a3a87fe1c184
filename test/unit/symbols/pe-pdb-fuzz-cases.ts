// Fuzz cases for the PE/PDB readers: deterministic mutations of the real Windows fixtures, each ending in a result or a SymbolReadError.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SymbolReadError } from '../../../src/symbols/errors';
import { MsfFile } from '../../../src/symbols/pdb/msf';
import { PdbFile } from '../../../src/symbols/pdb/pdb';
import { PeImage, readPe } from '../../../src/symbols/pe/pe';
import { PdbTypeTable } from '../../../src/symbols/pdb/pdb-types';
import { TypeReadError } from '../../../src/symbols/type-model';
import { readPeModule } from '../../../src/symbols/pe/pe-module';
import { prng } from '../../support/seeded-random';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/windows');

interface Corpus {
  images: Array<{ name: string; bytes: Uint8Array; pdbName?: string; pdb?: Uint8Array; streams?: number[][]; blockSize?: number }>;
  big: { exe: Uint8Array; pdb: Uint8Array; msf: MsfFile; streamBlocks: number[][] };
}

let corpus: Corpus | undefined;

function load(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, rel)));
}

function getCorpus(): Corpus {
  if (corpus) return corpus;
  const bigPdb = load('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.pdb');
  const msf = new MsfFile(bigPdb, 'big.pdb');
  // Which blocks make up each stream, so a mutation can be aimed inside one stream's data.
  const streamBlocks: number[][] = [];
  for (let i = 0; i < msf.numStreams; i++) streamBlocks.push([...msf.streamBlockList(i)]);
  corpus = {
    images: [
      { name: 'nocore.exe', bytes: load('nocore-msvc/nocore.exe'), pdbName: 'nocore.pdb', pdb: load('nocore-msvc/nocore.pdb') },
      { name: 'hello.exe', bytes: load('cpp-msvc/hello.exe'), pdbName: 'hello.pdb', pdb: load('cpp-msvc/hello.pdb') },
      { name: 'oldenum.exe', bytes: load('old-rust-msvc/oldenum.exe'), pdbName: 'oldenum.pdb', pdb: load('old-rust-msvc/oldenum.pdb') },
      { name: 'exports.dll', bytes: load('cpp-msvc/exports.dll') },
      { name: 'hello32.exe', bytes: load('cpp-msvc/hello32.exe') },
      { name: 'gnu.exe', bytes: load('rust-gnu/gnu.exe') },
      { name: 'v159.exe', bytes: load('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0.exe') },
    ],
    big: { exe: load('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1.exe'), pdb: bigPdb, msf, streamBlocks },
  };
  for (const img of corpus.images) {
    if (!img.pdb) continue;
    const m = new MsfFile(img.pdb, img.pdbName!);
    img.blockSize = m.blockSize;
    img.streams = [];
    for (let i = 0; i < m.numStreams; i++) if (m.streamBlockList(i).length) img.streams.push([...m.streamBlockList(i)]);
  }
  return corpus;
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x1000, 0x40000000];

/** Applies 1–4 random mutations in [lo, hi) of `b` (in place). */
function mutate(b: Uint8Array, rnd: () => number, lo = 0, hi = b.length): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = lo + Math.floor(rnd() * Math.max(1, hi - lo - 4));
    if (at + 4 > b.length) continue;
    const op = Math.floor(rnd() * 5);
    if (op === 0) b[at] ^= 1 << Math.floor(rnd() * 8);
    else if (op === 1) b[at] = Math.floor(rnd() * 256);
    else if (op === 2) dv.setUint32(at, INTERESTING_U32[Math.floor(rnd() * INTERESTING_U32.length)], true);
    else if (op === 3) dv.setUint16(at, [0, 1, 0x7fff, 0x8000, 0xffff][Math.floor(rnd() * 5)], true);
    else {
      const len = Math.min(1 + Math.floor(rnd() * 64), b.length - at);
      b.fill(rnd() < 0.5 ? 0 : 0xff, at, at + len);
    }
  }
}

export type Outcome = 'ok' | 'rejected';

export interface CaseResult {
  outcome: Outcome;
  target: string;
  message?: string;
}

/**
 * Runs case `index` of the run seeded `seed`. Returns ok or rejected (a SymbolReadError); any other exception propagates,
 * which is the bug a fuzz run looks for.
 */
export function runCase(seed: number, index: number): CaseResult {
  const c = getCorpus();
  const rnd = prng((seed * 0x9e3779b1) ^ index);
  const kind = rnd();
  try {
    if (kind < 0.3) {
      // A mutated or truncated image (with its PDB intact when it has one).
      const img = c.images[Math.floor(rnd() * c.images.length)];
      let bytes = img.bytes.slice();
      if (rnd() < 0.15) bytes = bytes.subarray(0, Math.floor(rnd() * bytes.length));
      // Headers are where the structure is: aim most mutations at the first 4 KiB.
      else mutate(bytes, rnd, 0, rnd() < 0.7 ? Math.min(4096, bytes.length) : bytes.length);
      readPeModule(bytes, { path: `C:\\x\\${img.name}`, searchPaths: [], readFile: (p) => (img.pdb && p === `C:\\x\\${img.pdbName}` ? img.pdb : undefined) });
      return { outcome: 'ok', target: `image ${img.name}` };
    }
    if (kind < 0.75) {
      // A mutated small PDB behind its real image.
      const img = c.images[Math.floor(rnd() * 3)];
      let pdb = img.pdb!.slice();
      const how = rnd();
      if (how < 0.1) pdb = pdb.subarray(0, Math.floor(rnd() * pdb.length));
      else if (how < 0.5) mutate(pdb, rnd);
      else {
        // Aim at one stream (DBI, a module's symbols, the type streams...), which uniform mutations rarely reach.
        const blocks = img.streams![Math.floor(rnd() * img.streams!.length)];
        const block = blocks[Math.floor(rnd() * blocks.length)];
        mutate(pdb, rnd, block * img.blockSize!, (block + 1) * img.blockSize!);
      }
      readPeModule(img.bytes, { path: `C:\\x\\${img.name}`, searchPaths: [], readFile: (p) => (p === `C:\\x\\${img.pdbName}` ? pdb : undefined) });
      return { outcome: 'ok', target: `pdb ${img.pdbName}` };
    }
    // The big real PDB, mutated inside one stream and read through the part that uses that stream.
    const big = c.big;
    const streams = big.streamBlocks.map((b, i) => [i, b] as const).filter(([, b]) => b.length > 0);
    const [stream, blocks] = streams[Math.floor(rnd() * streams.length)];
    const bs = big.msf.blockSize;
    const block = blocks[Math.floor(rnd() * Math.min(blocks.length, 4))];
    const saved = big.pdb.slice(block * bs, (block + 1) * bs);
    mutate(big.pdb, rnd, block * bs, (block + 1) * bs);
    try {
      const pdb = new PdbFile(big.pdb, 'big.pdb');
      const mod = pdb.modules.find((m) => m.symStream === stream);
      if (mod) pdb.readModule(mod.index);
      else if (stream === 2 || stream === 4) {
        for (let i = 0; i < 20; i++) pdb.inlineeName(0x1000 + Math.floor(rnd() * 6000));
        for (let i = 0; i < 20; i++) pdb.typeName(0x1000 + Math.floor(rnd() * 6000));
      } else {
        pdb.readPublics();
        pdb.readGlobals();
        if (pdb.modules.length) pdb.name(Math.floor(rnd() * 4000));
      }
      return { outcome: 'ok', target: `big pdb stream ${stream}` };
    } finally {
      big.pdb.set(saved, block * bs);
    }
  } catch (e) {
    if (e instanceof SymbolReadError) return { outcome: 'rejected', target: 'any', message: e.message };
    throw e;
  }
}

/** Sanity check for the harness: the unmutated inputs read cleanly. */
export function baseline(): void {
  const c = getCorpus();
  for (const img of c.images.slice(0, 3)) {
    readPeModule(img.bytes, { path: `C:\\x\\${img.name}`, searchPaths: [], readFile: (p) => (p === `C:\\x\\${img.pdbName}` ? img.pdb : undefined) });
  }
  readPe(c.big.exe);
}

interface TypeFixture {
  name: string;
  image: PeImage;
  pdb: Uint8Array;
  blockSize: number;
  /** Stream index → its blocks. */
  streams: number[][];
  /** Streams worth aiming at: TPI, the globals and symbol records, module symbols. */
  aims: { tpi: number[]; symbols: number[]; modules: number[] };
  /** Link-time addresses inside procedures, for frame variables. */
  pcs: number[];
  typeCount: number;
}

let typeCorpus: TypeFixture[] | undefined;

function getTypeCorpus(): TypeFixture[] {
  if (typeCorpus) return typeCorpus;
  typeCorpus = ['enums-msvc/enums', 'enums-msvc/enums-old', 'old-rust-msvc/oldenum', 'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0'].map((stem) => {
    const image = readPe(load(`${stem}.exe`), stem);
    const pdb = load(`${stem}.pdb`);
    const file = new PdbFile(pdb, `${stem}.pdb`);
    const streams: number[][] = [];
    for (let i = 0; i < file.msf.numStreams; i++) streams.push([...file.msf.streamBlockList(i)]);
    const modules = file.modules.map((m) => m.symStream).filter((i) => streams[i]?.length);
    const pcs: number[] = [];
    for (const m of file.modules) {
      for (const p of file.readModule(m.index).procs) {
        const rva = file.rva(p.segment, p.offset, image.sections);
        if (rva !== undefined) pcs.push(image.imageBase + rva + Math.floor(p.codeSize / 2));
      }
    }
    const tpi = file.typeStream('TPI')!;
    return { name: stem, image, pdb, blockSize: file.msf.blockSize, streams, aims: { tpi: [2, 4], symbols: [3, ...streams.map((_, i) => i).filter((i) => i > 4 && !modules.includes(i))], modules }, pcs, typeCount: tpi.count };
  });
  return typeCorpus;
}

/**
 * A type-table case: a Rust PDB mutated (mostly inside its type stream, symbol records or a module's symbols), then
 * every type resolved (a random 250 of the large one's), and frame variables, findType, findStatic and vtableType
 * asked. Ok when the table was made; a TypeReadError or SymbolReadError for one type or query is an expected answer.
 */
export function runTypeCase(seed: number, index: number): CaseResult {
  const fixtures = getTypeCorpus();
  const rnd = prng((seed * 0x85ebca6b) ^ index);
  const fx = fixtures[rnd() < 0.9 ? Math.floor(rnd() * 3) : 3];
  let pdb = fx.pdb.slice();
  const how = rnd();
  if (how < 0.05) pdb = pdb.subarray(0, Math.floor(rnd() * pdb.length));
  else if (how < 0.2) mutate(pdb, rnd);
  else {
    const group = rnd() < 0.55 ? fx.aims.tpi : rnd() < 0.5 ? fx.aims.modules : fx.aims.symbols;
    const blocks = fx.streams[group[Math.floor(rnd() * group.length)]] ?? [];
    if (blocks.length) {
      const block = blocks[Math.floor(rnd() * blocks.length)];
      mutate(pdb, rnd, block * fx.blockSize, (block + 1) * fx.blockSize);
    }
  }
  const expected = (e: unknown) => e instanceof SymbolReadError || e instanceof TypeReadError;
  try {
    const table = new PdbTypeTable(new PdbFile(pdb, `${fx.name}.pdb`), fx.image, `${fx.name}.exe`);
    const ask = <T>(f: () => T): T | undefined => {
      try {
        return f();
      } catch (e) {
        if (expected(e)) return undefined;
        throw e;
      }
    };
    const all = fx.typeCount < 2000;
    const tpi = ask(() => table.pdb.typeStream('TPI'));
    for (let i = 0; i < (all ? fx.typeCount + 16 : 250); i++) {
      const ref = all ? (i < fx.typeCount ? 0x1000 + i : Math.floor(rnd() * 0x1000)) : 0x1000 + Math.floor(rnd() * fx.typeCount);
      // Field and argument lists are parts of types, not types: they are read through the types that use them
      // (asking for one directly is an error, tried now and then).
      const kind = ask(() => tpi?.record(ref)?.kind);
      if ((kind === 0x1203 || kind === 0x1201 || kind === 0x1206) && rnd() < 0.95) continue;
      const t = ask(() => table.type(ref));
      for (const v of t?.variants ?? []) ask(() => table.type(v.type));
    }
    for (const name of ['enums::Shape', 'enums::Opt<&u32>', '&str', '&[u8]', 'u32', '[u8; 4]', '&&enums::Big', 'core::option::Option<u32>']) {
      const r = ask(() => table.findType(name));
      if (r !== undefined) ask(() => table.type(r));
    }
    for (let i = 0; i < 8 && fx.pcs.length; i++) {
      const pc = fx.pcs[Math.floor(rnd() * fx.pcs.length)];
      for (const v of ask(() => table.frameVariables(pc)) ?? []) ask(() => table.type(v.type));
    }
    ask(() => table.findStatic('enums::SHAPE_SQUARE'));
    ask(() => table.vtableType(fx.image.imageBase + Math.floor(rnd() * 0x4000)));
    return { outcome: 'ok', target: `types ${fx.name}` };
  } catch (e) {
    if (expected(e)) return { outcome: 'rejected', target: `types ${fx.name}`, message: (e as Error).message };
    throw e;
  }
}
