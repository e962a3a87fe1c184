// Reads `llvm-dwarfdump-19 --debug-info` text into DIEs, the reference the DWARF reader's facts are checked against.
import { run } from './linux-fixtures';

export interface DumpDie {
  offset: number;
  tag: string;
  depth: number;
  attrs: Map<string, string>;
  /** [low, high) pairs listed under DW_AT_ranges. */
  ranges: Array<[number, number]>;
  parent: DumpDie | undefined;
}

export interface DumpUnit {
  version: number;
  dies: DumpDie[];
  /** Which section the unit is in (.debug_types only with `types`). */
  section: 'info' | 'types';
  /** Type units: the signature (hex, as printed) and the section offset of the type it defines. */
  signature?: string;
  typeOffset?: number;
}

/** The units of .debug_info, and with `types` those of .debug_types too (type units of either section included). */
export function dwarfdump(file: string, options: { types?: boolean } = {}): DumpUnit[] {
  const text = run('llvm-dwarfdump-19', ['--debug-info', ...(options.types ? ['--debug-types'] : []), file]);
  let section: DumpUnit['section'] = 'info';
  const units: DumpUnit[] = [];
  let unit: DumpUnit | undefined;
  let die: DumpDie | undefined;
  let inRanges = false;
  const stack: DumpDie[] = [];
  let baseIndent = -1;
  for (const line of text.split('\n')) {
    if (line.startsWith('.debug_types contents:')) section = 'types';
    else if (line.startsWith('.debug_info contents:')) section = 'info';
    const cu = /^0x([0-9a-f]+): (?:Compile|Type) Unit: .*version = 0x([0-9a-f]+)/.exec(line);
    if (cu) {
      unit = { version: parseInt(cu[2], 16), dies: [], section };
      const sig = /type_signature = 0x([0-9a-f]+), type_offset = 0x([0-9a-f]+)/.exec(line);
      if (sig) {
        unit.signature = sig[1];
        unit.typeOffset = parseInt(cu[1], 16) + parseInt(sig[2], 16);
      }
      units.push(unit);
      stack.length = 0;
      baseIndent = -1;
      continue;
    }
    const tag = /^0x([0-9a-f]+):(\s+)(DW_TAG_\w+|NULL)/.exec(line);
    if (tag && unit) {
      inRanges = false;
      const indent = tag[2].length;
      if (baseIndent < 0) baseIndent = indent;
      const depth = (indent - baseIndent) / 2;
      if (tag[3] === 'NULL') {
        die = undefined;
        continue;
      }
      stack.length = depth;
      die = { offset: parseInt(tag[1], 16), tag: tag[3], depth, attrs: new Map(), ranges: [], parent: stack[depth - 1] };
      stack[depth] = die;
      unit.dies.push(die);
      continue;
    }
    const attr = /^\s+(DW_AT_\w+)\s+\((.*)$/.exec(line);
    if (attr && die) {
      die.attrs.set(attr[1], attr[2].replace(/\)$/, ''));
      inRanges = attr[1] === 'DW_AT_ranges';
      const r = /\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/.exec(attr[2]);
      if (inRanges && r) die.ranges.push([parseInt(r[1], 16), parseInt(r[2], 16)]);
      continue;
    }
    const range = /^\s+\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/.exec(line);
    if (range && die && inRanges) die.ranges.push([parseInt(range[1], 16), parseInt(range[2], 16)]);
  }
  return units;
}

/** The PC ranges of a DIE, with discarded (address 0) ranges dropped, as the reader does. */
export function dieRanges(d: DumpDie): Array<[number, number]> {
  const low = d.attrs.get('DW_AT_low_pc');
  const high = d.attrs.get('DW_AT_high_pc');
  if (low !== undefined && high !== undefined) {
    const lo = parseInt(low, 16);
    const hi = high.startsWith('0x') ? parseInt(high, 16) : lo + parseInt(high, 10);
    return lo !== 0 && hi > lo ? [[lo, hi]] : [];
  }
  return d.ranges.filter((r) => r[0] !== 0);
}

/** The quoted name dwarfdump prints after a reference (`(0x1234 "name")`). */
export function quoted(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /"(.*)"/.exec(value);
  return m ? m[1] : undefined;
}
