// Run by types.bench.ts in a fresh process: `node types-frame.js BIN PC` opens the type table, resolves the frame's locals, then measures the type cache and the name index; prints JSON.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { DW_TAG } from '../src/symbols/dwarf/dwarf-forms';
import { DwarfTypeTable } from '../src/symbols/dwarf/dwarf-types';
import { clearTypeTables, typeTableFor } from '../src/symbols/type-tables';
import { RustType, TypeReadError, TypeTable } from '../src/symbols/type-model';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A local's type and what a Variables view shows of it at once: its fields', variants' and element's types. */
function resolveLocal(table: TypeTable, ref: number): number {
  let n = 0;
  const one = (r: number | undefined): RustType | undefined => {
    if (r === undefined) return undefined;
    n++;
    return table.type(r);
  };
  const t = one(ref)!;
  for (const f of t.fields ?? []) one(f.type);
  for (const v of t.variants ?? []) one(v.type);
  one(t.element);
  one(t.pointee);
  return n;
}

function main(): void {
  const [bin, pcText] = process.argv.slice(2);
  const pc = Number(pcText);
  const t0 = performance.now();
  const table = typeTableFor(bin);
  const opened = performance.now();
  const vars = table.frameVariables(pc);
  const found = performance.now();
  let types = 0;
  for (const v of vars) types += resolveLocal(table, v.type);
  const done = performance.now();

  // The type cache: the heap it adds per 1,000 types, over the types of the frame's unit.
  const dwarf = table as DwarfTypeTable;
  const unit = dwarf.dies.unitOf(vars[0].type);
  const refs = dwarf.dies.allDies(unit).filter((d) => d.tag === DW_TAG.structure_type || d.tag === DW_TAG.pointer_type || d.tag === DW_TAG.base_type
    || d.tag === DW_TAG.array_type || d.tag === DW_TAG.enumeration_type || d.tag === DW_TAG.union_type).map((d) => d.ref);
  gc();
  const before = process.memoryUsage().heapUsed;
  const parsedBefore = table.parsedTypes;
  for (const r of refs.slice(0, 20_000)) {
    try {
      table.type(r);
    } catch (err) {
      if (!(err instanceof TypeReadError)) throw err;
    }
  }
  const parsed = table.parsedTypes - parsedBefore;
  gc();
  const cacheBytesPer1000 = ((process.memoryUsage().heapUsed - before) / Math.max(1, parsed)) * 1000;

  // The name index findType builds on first use, on a table of its own.
  clearTypeTables();
  const fresh = typeTableFor(bin);
  const i0 = performance.now();
  const someName = table.type(vars[0].type).name;
  const foundByName = fresh.findType(someName);
  const indexMs = performance.now() - i0;
  gc();
  console.log(JSON.stringify({
    openMs: opened - t0, frameMs: found - opened, typesMs: done - found, totalMs: done - t0, locals: vars.length, types,
    names: vars.map((v) => `${v.name}: ${table.type(v.type).name}`), cacheBytesPer1000, typesMeasured: parsed, indexMs, indexFound: foundByName !== undefined,
    indexHeapMb: process.memoryUsage().heapUsed / 2 ** 20,
  }));
}

main();
