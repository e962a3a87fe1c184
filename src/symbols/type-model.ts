// The format-neutral type model every type reader (DWARF, PDB) produces and every value formatter reads: Rust names, sizes, offsets, variants.
//
// A type is identified inside its module by a TypeRef: an opaque number the reader chooses (a DWARF DIE offset, a PDB
// type index). Readers parse a type the first time it is asked for and keep it; a reference inside a type (a field's
// type, a pointee) is another TypeRef, resolved only when the formatter follows it. So a frame with 16 locals parses
// the handful of types those locals need, never the whole table.

/** Opaque per-module id of a type; only the TypeTable that produced it can resolve it. */
export type TypeRef = number;

/** How a value of this type is laid out. The formatter switches on `kind`; `name` is always the Rust spelling. */
export type TypeKind =
  /** i8..i128, u8..u128, isize, usize */
  | 'int'
  | 'float'
  | 'bool'
  /** Rust `char` (4-byte Unicode scalar value) */
  | 'char'
  /** `&T`, `&mut T`, `*const T`, `*mut T`, `Box`'s inner pointer... A thin pointer: `pointee` is set. Fat pointers (`&str`, `&[T]`, `&dyn Tr`) are structs. */
  | 'pointer'
  /** A struct, a tuple, a closure's environment, a fat pointer (`&str` is a struct with `data_ptr`, `length`). */
  | 'struct'
  | 'union'
  /** An enum with data or a niche (DWARF variant_part, MSVC enum2$/enum$): `variants` and `discriminant` are set. */
  | 'enum'
  /** A C-like enum (DWARF enumeration_type, PDB LF_ENUM): `enumerators` and `underlying` are set. */
  | 'cEnum'
  /** `[T; N]`: `element` and `count` are set. */
  | 'array'
  /** A function type (a pointer to it is a fn pointer). */
  | 'function'
  /** `!` and types the reader could not classify but whose size it knows. */
  | 'never'
  | 'opaque';

export interface RustType {
  kind: TypeKind;
  /** The Rust spelling: `u32`, `&str`, `&[u32]`, `(u8, &str, f32)`, `[u8; 4]`, `alloc::vec::Vec<u32, alloc::alloc::Global>`, `core::option::Option<u32>`. Never `unsigned int` or `ref$<str$>`. */
  name: string;
  /** Size in bytes (0 for zero-sized types). */
  size: number;
  /** Alignment in bytes when the debug info records it. */
  align?: number;
  /** `int`: whether it is signed. */
  signed?: boolean;
  /** `pointer`: what it points to. `reference` tells `&`/`&mut` from raw pointers. */
  pointee?: TypeRef;
  pointerKind?: 'ref' | 'refMut' | 'const' | 'mut';
  /** `struct`/`union`/`enum` variant structs: the fields in declaration order (tuple fields are named `__0`, `__1`...). */
  fields?: FieldLayout[];
  /** Template type arguments in order (`Vec<T, A>` → [T, A]). Readers without template records (PDB) resolve them by name; an argument that cannot be found has `type` undefined. */
  typeArguments?: Array<{ name: string; type?: TypeRef }>;
  /** `array`: element type and count. */
  element?: TypeRef;
  count?: number;
  /** `enum`: where the discriminant (tag or niche) is, absent when there is a single variant. */
  discriminant?: DiscriminantLayout;
  /** `enum`: every variant, with the rule that selects it. */
  variants?: VariantLayout[];
  /** `cEnum`: the named values. */
  enumerators?: Array<{ name: string; value: bigint }>;
  /** `cEnum`: the integer type that stores it (its size and signedness). */
  underlying?: TypeRef;
  /** `function`: return and parameter types (undefined return = unit). */
  returnType?: TypeRef;
  parameters?: TypeRef[];
}

export interface FieldLayout {
  name: string;
  /** Byte offset from the start of the containing value. */
  offset: number;
  type: TypeRef;
  /** Bitfields (PDB LF_BITFIELD, DWARF data_bit_offset): bit position and width inside the storage unit at `offset`. */
  bitOffset?: number;
  bitSize?: number;
}

/** Where a value's discriminant is read: an unsigned or signed integer of `size` bytes at `offset` (16 bytes for a 128-bit tag). */
export interface DiscriminantLayout {
  offset: number;
  size: number;
  signed: boolean;
}

/**
 * Which discriminant values select a variant. `values` and `ranges` (inclusive, begin <= end; a wrapping MSVC range
 * is given as two ranges) are compared with the discriminant read as an integer of its size; `default` is the
 * variant that holds when no other matches (a niche enum's dataful variant, DWARF's variant without discr_value).
 */
export type DiscriminantRule = { kind: 'values'; values: bigint[] } | { kind: 'ranges'; ranges: Array<[bigint, bigint]> } | { kind: 'default' };

export interface VariantLayout {
  /** The variant's name as written in Rust: `Some`, `Circle`. */
  name: string;
  /** A struct type holding the variant's fields, at offsets from the start of the enum value (tuple variants name them `__0`...). */
  type: TypeRef;
  /** Offset of the variant struct inside the enum value (0 for rustc's encodings). */
  offset: number;
  rule: DiscriminantRule;
}

/** A variable visible at a program counter, as a frame lists it. */
export interface FrameVariable {
  name: string;
  type: TypeRef;
  /** A parameter of the function (DW_TAG_formal_parameter, PDB S_LOCAL with the param flag). */
  parameter: boolean;
  /** Nesting depth of the block that declares it (0 = the function's own scope); a shadowed name resolves to the deepest. */
  depth: number;
  /** Declaration line when known. */
  line?: number;
  /**
   * How many inlined calls enclose its scope at this pc (0 or absent: the function's own). A debugger shows an inlined
   * call as a frame of its own at the same pc: the variables of that frame are those of the deepest inlineDepth.
   */
  inlineDepth?: number;
}

/** A static (a `static` item or a promoted constant) by its Rust path, with its link-time address. */
export interface StaticVariable {
  name: string;
  type: TypeRef;
  address: number;
}

/**
 * One module's types, read lazily. Every method may throw TypeReadError for a corrupt or unsupported record; that
 * error concerns the one type asked for, and the table keeps answering for the others.
 */
export interface TypeTable {
  /** The module file (for messages). */
  readonly module: string;
  /** Pointer size of the target in bytes (8 on x64). */
  readonly pointerSize: number;
  /** The type behind a reference, parsed on first use. */
  type(ref: TypeRef): RustType;
  /** A type by its Rust name (`alloc::string::String`, `u32`, `&str`), for element types and casts; undefined when the module has none. */
  findType(rustName: string): TypeRef | undefined;
  /** The variables in scope at `pc` (a link-time address), innermost block first; empty when no function covers pc. */
  frameVariables(pc: number): FrameVariable[];
  /** Builds what the first frameVariables needs whatever the pc (DWARF: which unit's code holds an address), ahead of the first stop. */
  prepareFrames?(): void;
  /** A static variable by its Rust path (`crate::module::STATIC`), undefined when none. */
  findStatic?(rustPath: string): StaticVariable | undefined;
  /** `dyn Trait`: the concrete type whose vtable is at this link-time address (DWARF: the `{vtable}` variable's containing type; PDB: the vtable symbol's name), undefined when unknown. */
  vtableType?(address: number): TypeRef | undefined;
  /** Number of types parsed so far (for memory figures). */
  readonly parsedTypes: number;
}

/** A type record that cannot be read: names the module and the record, so the one value that needed it can say so. */
export class TypeReadError extends Error {
  override readonly name = 'TypeReadError';
  constructor(
    message: string,
    readonly module?: string,
    /** DWARF DIE offset or PDB type index of the record. */
    readonly record?: number,
  ) {
    super(`${module ? `${module}: ` : ''}${record !== undefined ? `type record 0x${record.toString(16)}: ` : ''}${message}`);
  }
}

/** The variant a discriminant value selects (the default variant when no rule matches), or undefined when none. */
export function selectVariant(variants: readonly VariantLayout[], discriminant: bigint): VariantLayout | undefined {
  let fallback: VariantLayout | undefined;
  for (const v of variants) {
    const rule = v.rule;
    if (rule.kind === 'default') fallback ??= v;
    else if (rule.kind === 'values' ? rule.values.includes(discriminant) : rule.ranges.some(([lo, hi]) => discriminant >= lo && discriminant <= hi)) return v;
  }
  return fallback;
}
