// The variables in scope at a program counter from DWARF: the unit and function covering it, then its blocks and inlined calls that cover it, innermost first.
import { Reader } from '../byte-source';
import { SymbolReadError } from '../errors';
import { unitAddressRanges, UnitAddressRanges } from '../elf/elf-module';
import { FrameVariable } from '../type-model';
import { skipDie } from './dwarf';
import { Die, DieReader, DieUnit, attrNumber, attrRef, attrString } from './dwarf-die';
import { DW_AT, DW_TAG } from './dwarf-forms';
import type { DwarfTypeTable } from './dwarf-types';

/** abstract_origin/specification chains are short; a longer one is a loop in corrupt data. */
const MAX_ORIGIN_HOPS = 8;

/** Per table: which unit's code holds an address, and each unit's functions by address (made on first use). */
interface CodeMap {
  aranges: UnitAddressRanges | undefined;
  /** Units' own ranges (when .debug_aranges is absent or misses a unit): [low, high, unit offset] sorted by low. */
  unitRanges: Array<[number, number, number]> | undefined;
  functionsByUnit: Map<number, FunctionRanges>;
}

/** A unit's subprograms with code, by address: parallel arrays sorted by `low`. */
interface FunctionRanges {
  low: number[];
  high: number[];
  ref: number[];
}

const codeMaps = new WeakMap<DwarfTypeTable, CodeMap>();

function codeMap(table: DwarfTypeTable): CodeMap {
  let m = codeMaps.get(table);
  if (!m) {
    const aranges = table.dies.s.aranges;
    m = { aranges: aranges ? unitAddressRanges(aranges) : undefined, unitRanges: undefined, functionsByUnit: new Map() };
    codeMaps.set(table, m);
  }
  return m;
}

/** The unit whose code holds `pc`: .debug_aranges first, else every unit's own ranges. */
export function unitCovering(table: DwarfTypeTable, pc: number): DieUnit | undefined {
  const m = codeMap(table);
  const dies = table.dies;
  if (m.aranges) {
    const at = m.aranges.unitIndexAt(pc);
    if (at >= 0) return dies.unitAtOffset(m.aranges.units[at]);
  }
  if (!m.unitRanges) {
    const list: Array<[number, number, number]> = [];
    for (const off of dies.infoUnitOffsets()) {
      try {
        const unit = dies.unitAtOffset(off);
        if (!DieReader.isCodeUnit(unit)) continue;
        const top = dies.readDie(unit, unit.h.dieOffset);
        for (const [lo, hi] of dies.dieRanges(top)) list.push([lo, hi, off]);
      } catch (err) {
        if (!(err instanceof SymbolReadError)) throw err; // one unreadable unit does not hide the others
      }
    }
    list.sort((a, b) => a[0] - b[0]);
    m.unitRanges = list;
  }
  for (const [lo, hi, off] of m.unitRanges) {
    if (lo > pc) break;
    if (pc < hi) return dies.unitAtOffset(off);
  }
  return undefined;
}

function functionRanges(table: DwarfTypeTable, unit: DieUnit): FunctionRanges {
  const m = codeMap(table);
  let f = m.functionsByUnit.get(unit.h.offset);
  if (f) return f;
  const dies = table.dies;
  const scopes = dies.scopes(unit);
  const rows: Array<[number, number, number]> = [];
  for (const i of scopes.functions) {
    const die = dies.readDie(unit, unit.base + scopes.start[i]);
    for (const [lo, hi] of dies.dieRanges(die)) if (lo !== 0) rows.push([lo, hi, die.ref]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  f = { low: rows.map((r) => r[0]), high: rows.map((r) => r[1]), ref: rows.map((r) => r[2]) };
  m.functionsByUnit.set(unit.h.offset, f);
  return f;
}

/** The innermost subprogram DIE whose code holds pc (the one starting last, as nested ranges go), or undefined. */
export function functionAt(table: DwarfTypeTable, pc: number): Die | undefined {
  const unit = unitCovering(table, pc);
  if (!unit) return undefined;
  const f = functionRanges(table, unit);
  let lo = 0;
  let hi = f.low.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (f.low[mid] <= pc) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Ranges may overlap (a function's cold part): walk back to the nearest range that holds pc.
  for (let i = at; i >= 0 && i > at - 64; i--) if (pc < f.high[i]) return table.dies.readDie(unit, f.ref[i]);
  return undefined;
}

function covers(ranges: Array<[number, number]>, pc: number): boolean {
  for (const [lo, hi] of ranges) if (pc >= lo && pc < hi) return true;
  return false;
}

/** A variable's name, type and line through its abstract_origin chain (inlined and concrete copies carry only the link). */
function resolveVariable(dies: DieReader, die: Die): { name?: string; type?: number; line?: number } {
  let name = attrString(die, DW_AT.name);
  let type = attrRef(die, DW_AT.type);
  let line = attrNumber(die, DW_AT.decl_line);
  let cur = die;
  for (let hop = 0; hop < MAX_ORIGIN_HOPS && (name === undefined || type === undefined); hop++) {
    const origin = attrRef(cur, DW_AT.abstract_origin) ?? attrRef(cur, DW_AT.specification);
    if (origin === undefined) break;
    cur = dies.die(origin);
    name ??= attrString(cur, DW_AT.name);
    type ??= attrRef(cur, DW_AT.type);
    line ??= attrNumber(cur, DW_AT.decl_line);
  }
  return { name, type, line };
}

/**
 * The variables in scope at pc: the covering function's parameters and locals, and those of each lexical block and
 * inlined call around pc, deepest first (a shadowed name then resolves to the innermost live one). One linear walk of
 * the function's DIEs: blocks that do not cover pc are stepped over with everything in them.
 */
export function frameVariablesAt(table: DwarfTypeTable, pc: number): FrameVariable[] {
  const fn = functionAt(table, pc);
  if (!fn || !fn.hasChildren) return [];
  const dies = table.dies;
  const unit = fn.unit;
  dies.load(unit);
  const r = new Reader(unit.section.subarray(0, unit.h.end), '.debug_info', fn.attrsEnd - unit.base);
  const out: FrameVariable[] = [];
  // One entry per open DIE with children: whether its scope is live at pc, and the depth its variables get.
  const live: boolean[] = [];
  const depthOf: number[] = [];
  let isLive = true;
  let depth = 0;
  while (r.pos < unit.h.end) {
    const off = r.pos;
    const code = r.uleb();
    if (code === 0) {
      if (live.length === 0) break;
      isLive = live.pop()!;
      depth = depthOf.pop()!;
      continue;
    }
    const a = unit.abbrevs.get(code);
    if (!a) throw new SymbolReadError(`DIE at offset 0x${off.toString(16)} uses abbreviation code ${code}, which is not defined`);
    const tag = a.tag;
    let childLive = false;
    let childDepth = depth;
    if (isLive && (tag === DW_TAG.variable || tag === DW_TAG.formal_parameter || tag === DW_TAG.lexical_block || tag === DW_TAG.inlined_subroutine)) {
      const die = dies.readDie(unit, unit.base + off);
      r.pos = die.attrsEnd - unit.base;
      if (tag === DW_TAG.lexical_block || tag === DW_TAG.inlined_subroutine) {
        const ranges = dies.dieRanges(die);
        // A block without addresses holds for the whole of its parent.
        childLive = ranges.length === 0 || covers(ranges, pc);
        childDepth = depth + 1;
      } else {
        const v = resolveVariable(dies, die);
        if (v.name !== undefined && v.type !== undefined) {
          const fv: FrameVariable = { name: v.name, type: v.type, parameter: tag === DW_TAG.formal_parameter, depth };
          if (v.line !== undefined) fv.line = v.line;
          out.push(fv);
        }
      }
    } else skipDie(r, a, unit.u.cx, unit.h.end, off);
    if (a.children) {
      live.push(isLive);
      depthOf.push(depth);
      isLive = childLive;
      depth = childDepth;
    }
  }
  // Deepest first; within one depth, declaration order (the sort is stable).
  return out.sort((x, y) => y.depth - x.depth);
}
