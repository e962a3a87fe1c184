// DWARF constants (tags, attributes, forms, languages) and the attribute-form decoder shared by .debug_info and .debug_line.
import { Reader } from '../byte-source';
import { SymbolReadError } from '../errors';

export const DW_TAG = {
  compile_unit: 0x11,
  partial_unit: 0x3c,
  skeleton_unit: 0x4a,
  subprogram: 0x2e,
  inlined_subroutine: 0x1d,
  namespace: 0x39,
  structure_type: 0x13,
  enumeration_type: 0x04,
  union_type: 0x17,
  class_type: 0x02,
  interface_type: 0x38,
  // The type readers' tags (dwarf-types.ts).
  array_type: 0x01,
  formal_parameter: 0x05,
  lexical_block: 0x0b,
  member: 0x0d,
  pointer_type: 0x0f,
  reference_type: 0x10,
  subroutine_type: 0x15,
  typedef: 0x16,
  unspecified_parameters: 0x18,
  variant: 0x19,
  inheritance: 0x1c,
  ptr_to_member_type: 0x1f,
  subrange_type: 0x21,
  base_type: 0x24,
  const_type: 0x26,
  enumerator: 0x28,
  template_type_parameter: 0x2f,
  template_value_parameter: 0x30,
  variant_part: 0x33,
  variable: 0x34,
  volatile_type: 0x35,
  restrict_type: 0x37,
  unspecified_type: 0x3b,
  type_unit: 0x41,
  rvalue_reference_type: 0x42,
  atomic_type: 0x47,
  immutable_type: 0x4b,
} as const;

export const DW_AT = {
  sibling: 0x01,
  name: 0x03,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  language: 0x13,
  comp_dir: 0x1b,
  inline: 0x20,
  producer: 0x25,
  abstract_origin: 0x31,
  decl_file: 0x3a,
  decl_line: 0x3b,
  declaration: 0x3c,
  specification: 0x47,
  entry_pc: 0x52,
  ranges: 0x55,
  call_file: 0x58,
  call_line: 0x59,
  linkage_name: 0x6e,
  str_offsets_base: 0x72,
  addr_base: 0x73,
  rnglists_base: 0x74,
  // The type readers' attributes (dwarf-types.ts).
  location: 0x02,
  byte_size: 0x0b,
  bit_offset: 0x0c,
  bit_size: 0x0d,
  const_value: 0x1c,
  containing_type: 0x1d,
  lower_bound: 0x22,
  upper_bound: 0x2f,
  artificial: 0x34,
  count: 0x37,
  data_member_location: 0x38,
  discr: 0x15,
  discr_value: 0x16,
  discr_list: 0x3d,
  encoding: 0x3e,
  external: 0x3f,
  type: 0x49,
  signature: 0x69,
  data_bit_offset: 0x6b,
  alignment: 0x88,
  MIPS_linkage_name: 0x2007,
  GNU_addr_base: 0x2133,
  GNU_ranges_base: 0x2132,
} as const;

export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11,
  ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18,
  flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c, strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f,
  ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26,
  strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

const languages: Record<number, string> = {
  0x01: 'C89', 0x02: 'C', 0x04: 'C++', 0x0c: 'C99', 0x1c: 'Rust', 0x1a: 'C++11', 0x21: 'C++14', 0x1d: 'C11',
  0x2b: 'C17', 0x2c: 'C++17', 0x2d: 'C++20', 0x8001: 'Mips_Assembler', 0x0016: 'Go', 0x001e: 'Swift', 0x0013: 'D',
};

export function languageName(code: number | undefined): string {
  if (code === undefined) return 'unknown';
  return languages[code] ?? `DW_LANG_0x${code.toString(16)}`;
}

export const DW_LANG_RUST = 0x1c;

/** Unit-level facts the decoder needs to size and resolve forms. */
export interface FormContext {
  version: number;
  addressSize: number;
  offsetSize: number;
}

/** Byte size of a form whose size does not depend on the data, or -1 when it is variable (LEB128, strings, blocks). */
export function fixedFormSize(form: number, cx: FormContext): number {
  switch (form) {
    case DW_FORM.addr: return cx.addressSize;
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: return 1;
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: return 2;
    case DW_FORM.strx3: case DW_FORM.addrx3: return 3;
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.ref_sup4: case DW_FORM.strx4: case DW_FORM.addrx4: return 4;
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return 8;
    case DW_FORM.data16: return 16;
    case DW_FORM.strp: case DW_FORM.sec_offset: case DW_FORM.line_strp: case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt:
      return cx.offsetSize;
    case DW_FORM.ref_addr: return cx.version <= 2 ? cx.addressSize : cx.offsetSize;
    case DW_FORM.flag_present: case DW_FORM.implicit_const: return 0;
    default: return -1;
  }
}

/** Skips one attribute value of `form`. */
export function skipForm(r: Reader, form: number, cx: FormContext): void {
  const size = fixedFormSize(form, cx);
  if (size >= 0) {
    r.skip(size);
    return;
  }
  switch (form) {
    case DW_FORM.string: {
      const end = r.bytes.indexOf(0, r.pos);
      if (end < 0) r.skip(r.remaining + 1);
      r.pos = end + 1;
      return;
    }
    case DW_FORM.block1: r.skip(r.u8()); return;
    case DW_FORM.block2: r.skip(r.u16()); return;
    case DW_FORM.block4: r.skip(r.u32()); return;
    case DW_FORM.block: case DW_FORM.exprloc: r.skip(r.uleb()); return;
    case DW_FORM.sdata: case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.strx: case DW_FORM.addrx:
    case DW_FORM.loclistx: case DW_FORM.rnglistx: case DW_FORM.GNU_addr_index: case DW_FORM.GNU_str_index:
      r.skipLeb();
      return;
    case DW_FORM.indirect: skipForm(r, r.uleb(), cx); return;
    default:
      throw new SymbolReadError(`unknown DWARF attribute form 0x${form.toString(16)} at .debug_info offset ${r.pos}; the file is corrupt or uses an unsupported DWARF extension`);
  }
}

/** Reads a value of a constant, reference, offset, address or index form as a number (strings and blocks are not numbers). */
export function readNumberForm(r: Reader, form: number, cx: FormContext): number {
  switch (form) {
    case DW_FORM.addr: return r.uN(cx.addressSize);
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: return r.u8();
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: return r.u16();
    case DW_FORM.strx3: case DW_FORM.addrx3: {
      const lo = r.u16();
      return lo + r.u8() * 65536;
    }
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.ref_sup4: case DW_FORM.strx4: case DW_FORM.addrx4: return r.u32();
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return r.u64();
    case DW_FORM.strp: case DW_FORM.sec_offset: case DW_FORM.line_strp: case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt:
      return r.uN(cx.offsetSize);
    case DW_FORM.ref_addr: return r.uN(cx.version <= 2 ? cx.addressSize : cx.offsetSize);
    case DW_FORM.flag_present: return 1;
    case DW_FORM.sdata: return r.sleb();
    case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.strx: case DW_FORM.addrx: case DW_FORM.loclistx:
    case DW_FORM.rnglistx: case DW_FORM.GNU_addr_index: case DW_FORM.GNU_str_index:
      return r.uleb();
    default:
      skipForm(r, form, cx);
      return NaN;
  }
}

export function isStrxForm(form: number): boolean {
  return form === DW_FORM.strx || (form >= DW_FORM.strx1 && form <= DW_FORM.strx4) || form === DW_FORM.GNU_str_index;
}
export function isAddrxForm(form: number): boolean {
  return form === DW_FORM.addrx || (form >= DW_FORM.addrx1 && form <= DW_FORM.addrx4) || form === DW_FORM.GNU_addr_index;
}
export function isUnitRefForm(form: number): boolean {
  return (form >= DW_FORM.ref1 && form <= DW_FORM.ref_udata);
}
