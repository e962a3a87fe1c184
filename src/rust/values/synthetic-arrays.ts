// Array types that exist only in an evaluation (`v[10..20]`, `p,[8]`): encoded in the TypeRef itself, so a ValueHandle holding one expands in any worker.
import type { RustType, TypeRef, TypeTable } from '../../symbols/type-model';

/** Low bits hold the element's TypeRef (DIE offsets and PDB indices stay far below 2^31), high bits the count and the slice flag. */
const ELEMENT_SPAN = 2 ** 31;
/** Elements a synthetic array may have: the high bits left below 2^53. */
export const MAX_SYNTHETIC_COUNT = 2 ** 21 - 1;

/** A TypeRef naming `[T; count]` (or the slice `&[T]` of that many elements when `slice`). */
export function syntheticArray(element: TypeRef, count: number, slice: boolean): TypeRef | undefined {
  if (element < 0 || element >= ELEMENT_SPAN || !Number.isInteger(element) || count > MAX_SYNTHETIC_COUNT) return undefined;
  return -((count * 2 + (slice ? 1 : 0)) * ELEMENT_SPAN + element + 1);
}

/** The table with synthetic arrays resolved; every other reference goes to the module's table. */
export function withSyntheticArrays(table: TypeTable): TypeTable {
  const made = new Map<TypeRef, RustType>();
  const type = (ref: TypeRef): RustType => {
    if (ref >= 0) return table.type(ref);
    let t = made.get(ref);
    if (!t) {
      const code = -ref - 1;
      const element = code % ELEMENT_SPAN;
      const high = Math.floor(code / ELEMENT_SPAN);
      const count = Math.floor(high / 2);
      const e = table.type(element);
      t = { kind: 'array', name: high % 2 === 1 ? `&[${e.name}]` : `[${e.name}; ${count}]`, size: e.size * count, align: e.align, element, count };
      made.set(ref, t);
    }
    return t;
  };
  return {
    module: table.module,
    pointerSize: table.pointerSize,
    type,
    findType: (name) => table.findType(name),
    frameVariables: (pc) => table.frameVariables(pc),
    findStatic: table.findStatic ? (path) => table.findStatic!(path) : undefined,
    vtableType: table.vtableType ? (address) => table.vtableType!(address) : undefined,
    get parsedTypes() {
      return table.parsedTypes;
    },
  };
}
