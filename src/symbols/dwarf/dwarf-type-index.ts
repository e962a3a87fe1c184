// The DWARF type table's module-wide index, built on the first lookup by name: types by qualified Rust name, statics by path, vtables by address.
import { Reader } from '../byte-source';
import { SymbolReadError } from '../errors';
import { StaticVariable } from '../type-model';
import { addressValue, skipDie } from './dwarf';
import { DieUnit, attrRef, attrString, lebBig } from './dwarf-die';
import { DW_AT, DW_FORM, DW_TAG } from './dwarf-forms';
import type { DwarfTypeTable } from './dwarf-types';

const DW_OP_addr = 0x03, DW_OP_addrx = 0xa1, DW_OP_GNU_addr_index = 0xfb;

export interface GlobalIndex {
  /** Qualified Rust name → TypeRef of its first definition. */
  types: Map<string, number>;
  statics: Map<string, StaticVariable>;
  /** Address of a `<T as Trait>::{vtable}` variable → TypeRef of its `{vtable_type}` struct (whose DW_AT_containing_type is T). */
  vtables: Map<number, number>;
  /** Units that could not be read (their types are missing from the index). */
  skippedUnits: number;
  /** Time it took to build, ms. */
  buildMs: number;
}

function isNamedTypeTag(tag: number): boolean {
  return tag === DW_TAG.structure_type || tag === DW_TAG.union_type || tag === DW_TAG.enumeration_type || tag === DW_TAG.class_type
    || tag === DW_TAG.base_type || tag === DW_TAG.typedef || tag === DW_TAG.pointer_type || tag === DW_TAG.interface_type
    || tag === DW_TAG.subroutine_type || tag === DW_TAG.array_type;
}

function isScopeTag(tag: number): boolean {
  return tag === DW_TAG.namespace || tag === DW_TAG.structure_type || tag === DW_TAG.union_type || tag === DW_TAG.enumeration_type
    || tag === DW_TAG.class_type || tag === DW_TAG.interface_type;
}

/** Walks every unit once, reading only the DIEs outside functions that name types, namespaces or statics. */
export function buildGlobalIndex(table: DwarfTypeTable): GlobalIndex {
  const t0 = performance.now();
  const index: GlobalIndex = { types: new Map(), statics: new Map(), vtables: new Map(), skippedUnits: 0, buildMs: 0 };
  const dies = table.dies;
  const units: DieUnit[] = [];
  for (const off of dies.typesUnitOffsets()) units.push(dies.unitAtOffset(off, true));
  for (const off of dies.infoUnitOffsets()) {
    try {
      units.push(dies.unitAtOffset(off));
    } catch (err) {
      if (!(err instanceof SymbolReadError)) throw err;
      index.skippedUnits++;
    }
  }
  for (const unit of units) {
    try {
      indexUnit(table, unit, index);
    } catch (err) {
      if (!(err instanceof SymbolReadError)) throw err;
      index.skippedUnits++;
    }
  }
  index.buildMs = performance.now() - t0;
  return index;
}

function indexUnit(table: DwarfTypeTable, unit: DieUnit, index: GlobalIndex): void {
  const dies = table.dies;
  dies.load(unit);
  const r = new Reader(unit.section.subarray(0, unit.h.end), '.debug_info', unit.h.dieOffset);
  // Per open DIE with children: the name prefix inside it, or undefined inside a function (nothing there is global).
  const prefixes: Array<string | undefined> = [];
  let prefix: string | undefined = '';
  let first = true;
  while (r.pos < unit.h.end) {
    const off = r.pos;
    const code = r.uleb();
    if (code === 0) {
      if (prefixes.length === 0) break;
      prefix = prefixes.pop();
      continue;
    }
    const a = unit.abbrevs.get(code);
    if (!a) throw new SymbolReadError(`DIE at offset 0x${off.toString(16)} uses abbreviation code ${code}, which is not defined`);
    const tag = a.tag;
    let inner: string | undefined = prefix;
    if (first) {
      first = false; // the unit DIE: its children are at the top level
      skipDie(r, a, unit.u.cx, unit.h.end, off);
    } else if (prefix !== undefined && (isNamedTypeTag(tag) || tag === DW_TAG.namespace || tag === DW_TAG.variable)) {
      const die = dies.readDie(unit, unit.base + off);
      r.pos = die.attrsEnd - unit.base;
      const name = attrString(die, DW_AT.name);
      if (tag === DW_TAG.variable) {
        const loc = die.attrs.get(DW_AT.location);
        const type = attrRef(die, DW_AT.type);
        const address = loc instanceof Uint8Array ? staticAddress(unit, loc) : undefined;
        if (name !== undefined && type !== undefined && address !== undefined) {
          const path = prefix + name;
          if (!index.statics.has(path)) index.statics.set(path, { name: path, type, address });
          if (name.endsWith('::{vtable}') || name === '{vtable}') index.vtables.set(address, type);
        }
      } else if (name !== undefined) {
        const qualified = prefix + name;
        if (tag !== DW_TAG.namespace && !die.attrs.has(DW_AT.declaration) && !index.types.has(qualified)) index.types.set(qualified, unit.base + off);
        if (isScopeTag(tag)) inner = `${qualified}::`;
      }
    } else {
      skipDie(r, a, unit.u.cx, unit.h.end, off);
      if (tag === DW_TAG.subprogram || tag === DW_TAG.lexical_block || tag === DW_TAG.inlined_subroutine) inner = undefined;
    }
    if (a.children) {
      prefixes.push(prefix);
      prefix = inner;
    }
  }
}

/** The address of a location that is exactly DW_OP_addr A (DWARF 5: DW_OP_addrx i), undefined for any other location. */
function staticAddress(unit: DieUnit, loc: Uint8Array): number | undefined {
  if (loc.length === 1 + unit.h.addressSize && loc[0] === DW_OP_addr) {
    let address = 0;
    for (let i = unit.h.addressSize; i >= 1; i--) address = address * 256 + loc[i];
    return address;
  }
  if (loc.length >= 2 && (loc[0] === DW_OP_addrx || loc[0] === DW_OP_GNU_addr_index)) {
    const { value, next } = lebBig(loc, 1, false);
    if (next !== loc.length) return undefined;
    return addressValue(unit.u, DW_FORM.addrx, Number(value));
  }
  return undefined;
}
