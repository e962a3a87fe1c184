// The DWARF type reader's fuzzer: mutates small real binaries and resolves every type of their own units, the frame variables at each function and the lookups by name; each must end in a result or a TypeReadError/SymbolReadError. Shared by the test and scripts/fuzz-symbols.mjs.
import * as fs from 'node:fs';
import { bufferSource } from '../../../src/symbols/byte-source';
import { DieReader } from '../../../src/symbols/dwarf/dwarf-die';
import { DW_TAG } from '../../../src/symbols/dwarf/dwarf-forms';
import { DwarfTypeTable } from '../../../src/symbols/dwarf/dwarf-types';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { dwarfSections } from '../../../src/symbols/elf/elf-module';
import { SymbolReadError } from '../../../src/symbols/errors';
import { RustType, TypeReadError, TypeTable } from '../../../src/symbols/type-model';
import { prng } from '../../support/seeded-random';
import { FuzzFailure, FuzzInput, mutate } from './elf-fuzz';
import { cppTypesBuilds, smallTypesBuilds } from './type-programs';

export interface TypeFuzzReport {
  cases: number;
  /** Cases where every type, frame and lookup gave a result. */
  results: number;
  /** Cases where at least one gave a TypeReadError or SymbolReadError (and nothing else went wrong). */
  cleanErrors: number;
  /** Types resolved, and those that ended in a clean error, over all cases. */
  typesResolved: number;
  typeErrors: number;
  failures: FuzzFailure[];
  slowestMs: number;
  /** Largest V8 heap seen after a case, MB: the tables of mutated files must not pile up. */
  peakHeapMb: number;
}

const TYPE_TAGS = new Set<number>([
  DW_TAG.base_type, DW_TAG.pointer_type, DW_TAG.reference_type, DW_TAG.structure_type, DW_TAG.union_type, DW_TAG.enumeration_type,
  DW_TAG.array_type, DW_TAG.typedef, DW_TAG.const_type, DW_TAG.volatile_type, DW_TAG.subroutine_type, DW_TAG.class_type,
]);

/** What a clean read of the input offers to ask for: its own units' type DIEs, function entry pcs, names. */
interface Prepared extends FuzzInput {
  regions: Array<[number, number]>;
  typeRefs: number[];
  pcs: number[];
  names: string[];
  statics: string[];
  vtables: number[];
}

function openTable(bytes: Uint8Array, name: string): DwarfTypeTable {
  const elf = new ElfFile(bufferSource(bytes), name);
  const sections = dwarfSections(elf);
  if (!sections) throw new TypeReadError('no DWARF', name);
  return new DwarfTypeTable({ module: name, sections, types: elf.data('.debug_types') });
}

/**
 * `ownUnits`: the names of the units whose types are resolved in every case (the program's own, not the toolchain's
 * precompiled core/std units, which would make each case 20 times slower and test the same code).
 */
function prepare(input: FuzzInput, ownUnit: (name: string) => boolean): Prepared {
  const table = openTable(input.bytes, input.name);
  const dies: DieReader = table.dies;
  const typeRefs: number[] = [];
  const pcs: number[] = [];
  const units = [...dies.typesUnitOffsets().map((o) => dies.unitAtOffset(o, true)), ...dies.infoUnitOffsets().map((o) => dies.unitAtOffset(o))];
  for (const unit of units) {
    if (unit.base === 0 && !ownUnit(unit.name ?? '')) continue;
    for (const d of dies.allDies(unit)) {
      if (TYPE_TAGS.has(d.tag)) typeRefs.push(d.ref);
      else if (d.tag === DW_TAG.subprogram) {
        const ranges = dies.dieRanges(dies.readDie(unit, d.ref));
        if (ranges.length > 0) pcs.push(Math.floor((ranges[0][0] + ranges[0][1]) / 2));
      }
    }
  }
  const g = table.globals();
  const names = [...g.types.keys()].filter((n) => !n.startsWith('core::')).slice(0, 40);
  const statics = [...g.statics.keys()].slice(0, 20);
  const regions: Array<[number, number]> = [];
  const elf = new ElfFile(bufferSource(input.bytes), input.name);
  for (const s of elf.sections) if (s.name.startsWith('.debug') && s.size > 0 && s.offset + s.size <= input.bytes.length) regions.push([s.offset, s.size]);
  // .debug_info and .debug_abbrev hold what the type reader decodes most: twice the weight.
  for (const s of elf.sections) if ((s.name === '.debug_info' || s.name === '.debug_abbrev') && s.size > 0) regions.push([s.offset, s.size]);
  return { ...input, regions, typeRefs, pcs, names, statics, vtables: [...g.vtables.keys()] };
}

/** Resolves a type and what it refers to, one level down; returns [resolved, clean errors]. */
function resolveAround(table: TypeTable, ref: number): [number, number] {
  let ok = 0;
  let bad = 0;
  const one = (r: number | undefined): RustType | undefined => {
    if (r === undefined) return undefined;
    try {
      const t = table.type(r);
      ok++;
      return t;
    } catch (err) {
      if (!(err instanceof TypeReadError)) throw err;
      bad++;
      return undefined;
    }
  };
  const t = one(ref);
  if (t) {
    for (const f of t.fields ?? []) one(f.type);
    for (const v of t.variants ?? []) one(v.type);
    for (const a of t.typeArguments ?? []) one(a.type);
    for (const p of t.parameters ?? []) one(p);
    one(t.element);
    one(t.pointee);
    one(t.underlying);
    one(t.returnType);
  }
  return [ok, bad];
}

export function runTypeFuzz(inputs: FuzzInput[], cases: number, seed: number, ownUnit: (name: string) => boolean): TypeFuzzReport {
  const report: TypeFuzzReport = { cases: 0, results: 0, cleanErrors: 0, typesResolved: 0, typeErrors: 0, failures: [], slowestMs: 0, peakHeapMb: 0 };
  const rnd = prng(seed);
  const prepared = inputs.map((i) => prepare(i, ownUnit));
  for (let c = 0; c < cases; c++) {
    const input = prepared[c % prepared.length];
    report.cases++;
    const mutated = mutate(input.bytes, rnd, input.regions);
    const t0 = performance.now();
    let clean = false;
    try {
      const table = openTable(mutated, `fuzz/${input.name}`);
      for (const ref of input.typeRefs) {
        const [ok, bad] = resolveAround(table, ref);
        report.typesResolved += ok;
        report.typeErrors += bad;
        if (bad > 0) clean = true;
      }
      // Eight functions' frames per case, in turn: every function is asked for over the run.
      const first = (Math.floor(c / prepared.length) * 8) % Math.max(1, input.pcs.length);
      for (const pc of input.pcs.slice(first, first + 8)) {
        try {
          for (const v of table.frameVariables(pc)) resolveAround(table, v.type);
        } catch (err) {
          if (!(err instanceof TypeReadError)) throw err;
          clean = true;
        }
      }
      // The name index walks every unit: one case in eight asks.
      if (c % 8 === 3) {
        for (const n of input.names) if (table.findType(n) === undefined) clean = true;
        for (const s of input.statics) table.findStatic(s);
        for (const a of input.vtables) {
          try {
            table.vtableType(a);
          } catch (err) {
            if (!(err instanceof TypeReadError)) throw err;
            clean = true;
          }
        }
      }
      if (clean) report.cleanErrors++;
      else report.results++;
    } catch (err) {
      if (err instanceof SymbolReadError || err instanceof TypeReadError) report.cleanErrors++;
      else report.failures.push({ input: input.name, seed, caseIndex: c, error: String((err as Error).stack ?? err) });
    }
    report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
    if (c % 500 === 0) report.peakHeapMb = Math.max(report.peakHeapMb, process.memoryUsage().heapUsed / 2 ** 20);
  }
  return report;
}

/** The fuzzer's inputs: the program's own units are resolved in every case (types_small.rs, and the C++ fixture's). */
export function typeFuzzInputs(): Array<{ name: string; bytes: Uint8Array }> {
  const [rust4, rust5] = smallTypesBuilds();
  const [cpp4, cpp5] = cppTypesBuilds();
  return [
    { name: 'types-small-dwarf4', bytes: fs.readFileSync(rust4) },
    { name: 'types-small-dwarf5', bytes: fs.readFileSync(rust5) },
    { name: 'types-cpp-dwarf4', bytes: fs.readFileSync(cpp4) },
    { name: 'types-cpp-dwarf5', bytes: fs.readFileSync(cpp5) },
  ];
}

export const ownUnit = (name: string): boolean => /types_small\.rs|types\.cpp/.test(name);
