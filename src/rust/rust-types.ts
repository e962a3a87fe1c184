// Classifies the type names lldb reports for Rust values (C-style names for primitives, Rust paths for std types).

export interface ScalarType {
  kind: 'int' | 'float' | 'bool' | 'char';
  size: number;
  signed: boolean;
  /** The Rust spelling, shown to the user. */
  rust: string;
}

const SCALARS: Record<string, ScalarType> = {};
function scalar(names: string[], kind: ScalarType['kind'], size: number, signed: boolean, rust: string): void {
  for (const n of names) SCALARS[n] = { kind, size, signed, rust };
}
scalar(['i8', 'char', 'signed char'], 'int', 1, true, 'i8');
scalar(['u8', 'unsigned char'], 'int', 1, false, 'u8');
scalar(['i16', 'short', 'short int'], 'int', 2, true, 'i16');
scalar(['u16', 'unsigned short', 'unsigned short int'], 'int', 2, false, 'u16');
scalar(['i32', 'int'], 'int', 4, true, 'i32');
scalar(['u32', 'unsigned int'], 'int', 4, false, 'u32');
scalar(['i64', 'long', 'long int', 'long long', 'long long int'], 'int', 8, true, 'i64');
scalar(['u64', 'unsigned long', 'unsigned long int', 'unsigned long long', 'unsigned long long int'], 'int', 8, false, 'u64');
scalar(['isize'], 'int', 8, true, 'isize');
scalar(['usize', '__size_t'], 'int', 8, false, 'usize');
scalar(['i128', '__int128'], 'int', 16, true, 'i128');
scalar(['u128', 'unsigned __int128'], 'int', 16, false, 'u128');
scalar(['f32', 'float'], 'float', 4, true, 'f32');
scalar(['f64', 'double'], 'float', 8, true, 'f64');
scalar(['bool', '_Bool'], 'bool', 1, false, 'bool');
scalar(['char32_t'], 'char', 4, false, 'char');

export function scalarType(typeName: string): ScalarType | undefined {
  return Object.prototype.hasOwnProperty.call(SCALARS, typeName.trim()) ? SCALARS[typeName.trim()] : undefined;
}

/** The Rust name of an integer type given its size and signedness, for literals that take another operand's type. */
export function intTypeName(size: number, signed: boolean): string {
  return `${signed ? 'i' : 'u'}${size * 8}`;
}

export type TypeShape =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'string' }
  | { kind: 'str' }
  | { kind: 'vec'; element: string }
  | { kind: 'slice'; element: string }
  | { kind: 'array'; element: string; length: number }
  | { kind: 'hashMap' }
  | { kind: 'hashSet' }
  | { kind: 'pointer'; pointee: string }
  | { kind: 'other' };

/** Splits `A<B, C<D, E>>`'s arguments at the top level: ['B', 'C<D, E>']. */
export function genericArguments(typeName: string): string[] {
  const open = typeName.indexOf('<');
  if (open < 0 || !typeName.endsWith('>')) return [];
  const inner = typeName.slice(open + 1, -1);
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '<' || c === '(' || c === '[') depth++;
    else if (c === '>' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(inner.slice(start).trim());
  return args.filter((a) => a.length > 0);
}

export function typeShape(typeName: string): TypeShape {
  const t = typeName.trim();
  const s = scalarType(t);
  if (s) return { kind: 'scalar', scalar: s };
  if (t === 'alloc::string::String') return { kind: 'string' };
  if (t === '&str' || t === '&mut str' || t === 'str') return { kind: 'str' };
  if (t.startsWith('alloc::vec::Vec<')) return { kind: 'vec', element: genericArguments(t)[0] ?? '?' };
  const slice = /^&(?:mut )?\[(.*)\]$/.exec(t);
  if (slice) return { kind: 'slice', element: slice[1].trim() };
  if (/^std::collections::hash::map::HashMap</.test(t)) return { kind: 'hashMap' };
  if (/^std::collections::hash::set::HashSet</.test(t)) return { kind: 'hashSet' };
  const array = /^(.*)\[(\d+)\]$/.exec(t);
  if (array) return { kind: 'array', element: array[1].trim(), length: Number(array[2]) };
  const pointer = /^(.*\S)\s*\*$/.exec(t);
  if (pointer) return { kind: 'pointer', pointee: pointer[1].trim() };
  return { kind: 'other' };
}

/** Sizes of std layouts on a 64-bit target, for element strides when the element is not a scalar. */
export function knownSize(typeName: string): number | undefined {
  const shape = typeShape(typeName);
  switch (shape.kind) {
    case 'scalar':
      return shape.scalar.size;
    case 'string':
    case 'vec':
      return 24;
    case 'str':
    case 'slice':
      return 16;
    case 'pointer':
      return 8;
    default:
      return undefined;
  }
}

/** The Rust spelling of a type lldb names in C terms (`int` → `i32`, `t::Point *` → `*t::Point`… kept as is). */
export function rustTypeName(typeName: string): string {
  return scalarType(typeName)?.rust ?? typeName;
}
