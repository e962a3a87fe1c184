// A TypeTable for the oracle tests read from llvm-dwarfdump-19's text of a real binary, until src/symbols' own DWARF type reader lands on main.
import { execFileSync } from 'node:child_process';
import type { FieldLayout, FrameVariable, RustType, TypeRef, TypeTable, VariantLayout } from '../../../src/symbols/type-model';

interface Die {
  offset: number;
  tag: string;
  attrs: Map<string, string>;
  children: Die[];
  parent?: Die;
}

/** The type a DW_AT_type attribute points at: `(0x000045ef "u64")` → 0x45ef. */
function reference(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^0x([0-9a-f]+)/.exec(value);
  return m ? parseInt(m[1], 16) : undefined;
}

function quoted(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^"(.*)"$/.exec(value);
  return m ? m[1] : undefined;
}

function bigOf(value: string): bigint {
  const m = /^(0x[0-9a-f]+|-?\d+)/.exec(value);
  if (!m) throw new Error(`not a number: ${value}`);
  return BigInt(m[1]);
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(0x[0-9a-f]+|-?\d+)/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/**
 * Every DIE of the binary's .debug_info, converted to the type model on first use, with rustc's DWARF conventions:
 * variant parts for enums, template type parameters, `{closure_env#N}` structs. Enough for the oracle tests only.
 */
export class DwarfdumpTypes implements TypeTable {
  readonly pointerSize = 8;
  private readonly dies = new Map<number, Die>();
  private readonly types = new Map<number, RustType>();
  private readonly names = new Map<string, number>();
  private readonly function: Die;
  /** `<T as Trait>::{vtable}` variables by link-time address → T. */
  private readonly vtables = new Map<number, number>();

  constructor(
    readonly module: string,
    functionLinkageName: RegExp,
  ) {
    const text = execFileSync('llvm-dwarfdump-19', ['--debug-info', module], { maxBuffer: 1 << 30 }).toString('utf8');
    const stack: Array<{ indent: number; die: Die }> = [];
    let current: Die | undefined;
    for (const line of text.split('\n')) {
      const tag = /^0x([0-9a-f]+):(\s+)(DW_TAG_\w+|NULL)/.exec(line);
      if (tag) {
        const indent = tag[2].length;
        while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
        if (tag[3] === 'NULL') {
          current = undefined;
          continue;
        }
        const die: Die = { offset: parseInt(tag[1], 16), tag: tag[3].slice(7), attrs: new Map(), children: [], parent: stack[stack.length - 1]?.die };
        die.parent?.children.push(die);
        this.dies.set(die.offset, die);
        stack.push({ indent, die });
        current = die;
        continue;
      }
      const attr = /^\s+DW_AT_(\w+)\s+\((.*)\)$/.exec(line);
      if (attr && current) current.attrs.set(attr[1], attr[2]);
    }
    for (const die of this.dies.values()) {
      if (/_type$/.test(die.tag) && die.tag !== 'subroutine_type' && die.attrs.has('name')) {
        const name = this.qualifiedName(die);
        if (!this.names.has(name) && !die.attrs.has('declaration')) this.names.set(name, die.offset);
      }
    }
    for (const die of this.dies.values()) {
      const location = /DW_OP_addr 0x([0-9a-f]+)/.exec(die.attrs.get('location') ?? '');
      if (die.tag === 'variable' && location && /::\{vtable\}"$/.test(die.attrs.get('name') ?? '')) {
        const concrete = reference(this.dies.get(reference(die.attrs.get('type')) ?? -1)?.attrs.get('containing_type'));
        if (concrete !== undefined) this.vtables.set(parseInt(location[1], 16), concrete);
      }
    }
    const fn = [...this.dies.values()].find((d) => d.tag === 'subprogram' && functionLinkageName.test(quoted(d.attrs.get('linkage_name')) ?? '') && d.attrs.has('low_pc'));
    if (!fn) throw new Error(`${module}: no function whose linkage name matches ${functionLinkageName}`);
    this.function = fn;
  }

  get parsedTypes(): number {
    return this.types.size;
  }

  private qualifiedName(die: Die): string {
    const own = quoted(die.attrs.get('name')) ?? '';
    const parts = [own];
    for (let p = die.parent; p; p = p.parent) {
      if (p.tag === 'namespace' || p.tag === 'structure_type' || p.tag === 'union_type' || p.tag === 'enumeration_type') parts.unshift(quoted(p.attrs.get('name')) ?? '');
    }
    return parts.join('::');
  }

  vtableType(address: number): TypeRef | undefined {
    return this.vtables.get(address);
  }

  findType(name: string): TypeRef | undefined {
    return this.names.get(name);
  }

  frameVariables(): FrameVariable[] {
    const out: FrameVariable[] = [];
    const walk = (die: Die, depth: number): void => {
      for (const c of die.children) {
        if ((c.tag === 'variable' || c.tag === 'formal_parameter') && c.attrs.has('name') && c.attrs.has('type')) {
          out.push({ name: quoted(c.attrs.get('name'))!, type: reference(c.attrs.get('type'))!, parameter: c.tag === 'formal_parameter', depth, line: numberOf(c.attrs.get('decl_line')) });
        } else if (c.tag === 'lexical_block') walk(c, depth + 1);
      }
    };
    walk(this.function, 0);
    return out.sort((a, b) => b.depth - a.depth);
  }

  type(ref: TypeRef): RustType {
    let t = this.types.get(ref);
    if (!t) {
      t = this.convert(ref);
      this.types.set(ref, t);
    }
    return t;
  }

  private die(ref: number): Die {
    const die = this.dies.get(ref);
    if (!die) throw new Error(`no DIE at 0x${ref.toString(16)}`);
    return die;
  }

  private convert(ref: number): RustType {
    const die = this.die(ref);
    const a = die.attrs;
    const name = (die.tag === "pointer_type" || die.tag === "reference_type" ? quoted(a.get("name")) : this.qualifiedName(die)) ?? "";
    const size = numberOf(a.get('byte_size')) ?? 0;
    switch (die.tag) {
      case 'base_type': {
        const encoding = a.get('encoding') ?? '';
        if (/float/.test(encoding)) return { kind: 'float', name: name!, size };
        if (/boolean/.test(encoding)) return { kind: 'bool', name: name!, size };
        if (/UTF/.test(encoding) || name === 'char') return { kind: 'char', name: name!, size };
        if (name === '()') return { kind: 'struct', name: '()', size: 0, fields: [] };
        return { kind: 'int', name: name!, size, signed: /signed/.test(encoding) && !/unsigned/.test(encoding) };
      }
      case 'pointer_type':
      case 'reference_type': {
        const pointee = reference(a.get('type'));
        const n = name || `*const ${pointee !== undefined ? this.type(pointee).name : '()'}`;
        const pointerKind = n.startsWith('&mut ') ? 'refMut' : n.startsWith('&') ? 'ref' : n.startsWith('*mut') ? 'mut' : 'const';
        return { kind: 'pointer', name: n, size: 8, pointee, pointerKind };
      }
      case 'typedef':
      case 'const_type':
      case 'volatile_type':
        return this.type(reference(a.get('type'))!);
      case 'array_type': {
        const element = reference(a.get('type'))!;
        const count = numberOf(die.children.find((c) => c.tag === 'subrange_type')?.attrs.get('count')) ?? 0;
        const e = this.type(element);
        return { kind: 'array', name: `[${e.name}; ${count}]`, size: e.size * count, element, count };
      }
      case 'subroutine_type':
        return { kind: 'function', name: 'fn', size: 0 };
      case 'enumeration_type':
        return {
          kind: 'cEnum',
          name,
          size,
          underlying: reference(a.get('type')),
          enumerators: die.children.filter((c) => c.tag === 'enumerator').map((c) => ({ name: quoted(c.attrs.get('name'))!, value: BigInt(numberOf(c.attrs.get('const_value')) ?? 0) })),
        };
      case 'structure_type':
      case 'union_type': {
        const fields: FieldLayout[] = die.children.filter((c) => c.tag === 'member').map((c) => ({ name: quoted(c.attrs.get('name')) ?? '', offset: numberOf(c.attrs.get('data_member_location')) ?? 0, type: reference(c.attrs.get('type'))! }));
        const typeArguments = die.children.filter((c) => c.tag === 'template_type_parameter').map((c) => ({ name: quoted(c.attrs.get('name')) ?? '', type: reference(c.attrs.get('type')) }));
        const part = die.children.find((c) => c.tag === 'variant_part');
        if (!part) return { kind: die.tag === 'union_type' ? 'union' : 'struct', name, size, fields, typeArguments };
        const discrDie = part.children.find((c) => c.offset === reference(part.attrs.get('discr')));
        const discriminant = discrDie ? { offset: numberOf(discrDie.attrs.get('data_member_location')) ?? 0, size: this.type(reference(discrDie.attrs.get('type'))!).size, signed: this.type(reference(discrDie.attrs.get('type'))!).signed ?? false } : undefined;
        const variants: VariantLayout[] = part.children
          .filter((c) => c.tag === 'variant')
          .map((v) => {
            const member = v.children.find((c) => c.tag === 'member')!;
            const value = v.attrs.get('discr_value');
            return {
              name: quoted(member.attrs.get('name'))!,
              type: reference(member.attrs.get('type'))!,
              offset: numberOf(member.attrs.get('data_member_location')) ?? 0,
              rule: value === undefined ? { kind: 'default' as const } : { kind: 'values' as const, values: [BigInt.asUintN(discriminant ? discriminant.size * 8 : 64, bigOf(value))] },
            };
          });
        return { kind: 'enum', name, size, discriminant, variants, typeArguments };
      }
      default:
        return { kind: 'opaque', name: name || die.tag, size };
    }
  }
}
