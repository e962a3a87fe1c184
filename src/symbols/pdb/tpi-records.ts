// CodeView TPI records: leaf kinds, numeric leaves, UDT headers and field lists, read from one record's bytes (pdb-types.ts builds types from them).

import { ByteReader } from '../pe/pe-byte-reader';

/** CodeView leaf kinds of the TPI records this reader understands. */
export const Leaf = {
  LF_VTSHAPE: 0x000a,
  LF_MODIFIER: 0x1001,
  LF_POINTER: 0x1002,
  LF_PROCEDURE: 0x1008,
  LF_MFUNCTION: 0x1009,
  LF_ARGLIST: 0x1201,
  LF_FIELDLIST: 0x1203,
  LF_BITFIELD: 0x1205,
  LF_METHODLIST: 0x1206,
  LF_BCLASS: 0x1400,
  LF_VBCLASS: 0x1401,
  LF_IVBCLASS: 0x1402,
  LF_INDEX: 0x1404,
  LF_VFUNCTAB: 0x1409,
  LF_ENUMERATE: 0x1502,
  LF_ARRAY: 0x1503,
  LF_CLASS: 0x1504,
  LF_STRUCTURE: 0x1505,
  LF_UNION: 0x1506,
  LF_ENUM: 0x1507,
  LF_MEMBER: 0x150d,
  LF_STMEMBER: 0x150e,
  LF_METHOD: 0x150f,
  LF_NESTTYPE: 0x1510,
  LF_ONEMETHOD: 0x1511,
  LF_FRIENDFCN: 0x150c,
  LF_FRIENDCLS: 0x140b,
  LF_NESTTYPEEX: 0x1512,
} as const;


export const PROP_FORWARD_REF = 0x80;
export const PROP_HAS_UNIQUE_NAME = 0x200;

/** One entry of an LF_FIELDLIST. */
export interface FieldListEntry {
  leaf: number;
  name: string;
  /** The member's, base class's, nested or static member's type. */
  type: number;
  offset: number;
  /** LF_ENUMERATE's value. */
  value?: bigint;
}

/** The header of an LF_CLASS/LF_STRUCTURE/LF_UNION/LF_ENUM record. */
export interface UdtHeader {
  index: number;
  leaf: number;
  props: number;
  fieldList: number;
  /** LF_ENUM: the underlying integer type. */
  underlying: number;
  size: number;
  name: string;
  uniqueName?: string;
}

/** Reads a CodeView numeric leaf (a value below 0x8000 is itself; above, a kind tag then the value). */
export function readNumeric(d: ByteReader): bigint {
  const v = d.u16();
  if (v < 0x8000) return BigInt(v);
  const le = (n: number, signed: boolean): bigint => {
    const bytes = d.slice(n);
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
    return signed ? BigInt.asIntN(n * 8, x) : x;
  };
  switch (v) {
    case 0x8000: return le(1, true); // LF_CHAR
    case 0x8001: return le(2, true); // LF_SHORT
    case 0x8002: return le(2, false); // LF_USHORT
    case 0x8003: return le(4, true); // LF_LONG
    case 0x8004: return le(4, false); // LF_ULONG
    case 0x8009: return le(8, true); // LF_QUADWORD
    case 0x800a: return le(8, false); // LF_UQUADWORD
    case 0x8017: return le(16, true); // LF_OCTWORD
    case 0x8018: return le(16, false); // LF_UOCTWORD
    default:
      return d.fail(`numeric leaf 0x${v.toString(16)} is not an integer kind this reader knows`);
  }
}

export function numericNumber(d: ByteReader, what: string): number {
  const v = readNumeric(d);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) d.fail(`${what} ${v} is absurd`);
  return Number(v);
}

/** Reads the header of a UDT record (data after the kind). */
export function readUdtHeader(index: number, leaf: number, d: ByteReader): UdtHeader {
  let fieldList: number;
  let underlying = 0;
  let size = 0;
  d.u16(); // member count
  const props = d.u16();
  if (leaf === Leaf.LF_ENUM) {
    underlying = d.u32();
    fieldList = d.u32();
  } else {
    fieldList = d.u32();
    if (leaf !== Leaf.LF_UNION) d.skip(8); // derivation list, vtable shape
    size = numericNumber(d, 'size');
  }
  const name = d.cstr();
  const h: UdtHeader = { index, leaf, props, fieldList, underlying, size, name };
  if (props & PROP_HAS_UNIQUE_NAME && d.remaining > 0) h.uniqueName = d.cstr();
  return h;
}

export function isUdtLeaf(leaf: number): boolean {
  return leaf === Leaf.LF_CLASS || leaf === Leaf.LF_STRUCTURE || leaf === Leaf.LF_UNION || leaf === Leaf.LF_ENUM;
}

/** Reads an LF_FIELDLIST record's entries (without following LF_INDEX continuations, which are returned as entries). */
export function readFieldList(d: ByteReader): FieldListEntry[] {
  const out: FieldListEntry[] = [];
  const skipPadding = () => {
    while (d.remaining > 0 && d.bytes[d.pos] >= 0xf0) d.pos = Math.min(d.length, d.pos + Math.max(1, d.bytes[d.pos] & 0x0f));
  };
  skipPadding();
  while (d.remaining >= 2) {
    const leaf = d.u16();
    const e: FieldListEntry = { leaf, name: '', type: 0, offset: 0 };
    switch (leaf) {
      case Leaf.LF_MEMBER:
        d.u16();
        e.type = d.u32();
        e.offset = numericNumber(d, 'member offset');
        e.name = d.cstr();
        break;
      case Leaf.LF_STMEMBER:
      case Leaf.LF_NESTTYPEEX:
        d.u16();
        e.type = d.u32();
        e.name = d.cstr();
        break;
      case Leaf.LF_NESTTYPE:
      case Leaf.LF_FRIENDFCN:
        d.u16();
        e.type = d.u32();
        e.name = d.cstr();
        break;
      case Leaf.LF_ENUMERATE:
        d.u16();
        e.value = readNumeric(d);
        e.name = d.cstr();
        break;
      case Leaf.LF_BCLASS:
        d.u16();
        e.type = d.u32();
        e.offset = numericNumber(d, 'base class offset');
        break;
      case Leaf.LF_VBCLASS:
      case Leaf.LF_IVBCLASS:
        d.u16();
        e.type = d.u32();
        d.u32();
        readNumeric(d);
        readNumeric(d);
        break;
      case Leaf.LF_INDEX:
      case Leaf.LF_VFUNCTAB:
      case Leaf.LF_FRIENDCLS:
        d.u16();
        e.type = d.u32();
        break;
      case Leaf.LF_ONEMETHOD: {
        const attrs = d.u16();
        e.type = d.u32();
        const mprop = (attrs >> 2) & 7;
        if (mprop === 4 || mprop === 6) d.u32(); // introducing virtual: vtable offset
        e.name = d.cstr();
        break;
      }
      case Leaf.LF_METHOD:
        d.u16();
        e.type = d.u32();
        e.name = d.cstr();
        break;
      default:
        d.pos -= 2;
        d.fail(`field list entry 0x${leaf.toString(16)} is of a kind this reader does not know`);
    }
    out.push(e);
    skipPadding();
  }
  return out;
}

