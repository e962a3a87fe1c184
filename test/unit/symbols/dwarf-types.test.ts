// The DWARF type table against llvm-dwarfdump-19 (every struct, enum and union: size, members, variants) and against the compiler (each static enum's variant, read from the file).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { bufferSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { clearTypeTables, typeTableFor } from '../../../src/symbols/type-tables';
import { RustType, TypeTable, selectVariant } from '../../../src/symbols/type-model';
import { DumpDie, dwarfdump, quoted as quotedEscaped } from './dwarfdump-reference';
import { linuxFixtures } from './linux-fixtures';
import { TypesBuild, cppTypesBuilds, debugListItems, printed, typesBuilds } from './type-programs';
import { TYPES_SECTION_BIT } from '../../../src/symbols/dwarf/dwarf-die';

const AGGREGATES = new Set(['DW_TAG_structure_type', 'DW_TAG_union_type', 'DW_TAG_enumeration_type', 'DW_TAG_class_type']);
const SCOPES = new Set(['DW_TAG_namespace', ...AGGREGATES]);

/** A quoted name as dwarfdump prints it, its `\"` escapes undone. */
function quoted(value: string | undefined): string | undefined {
  return quotedEscaped(value)?.replace(/\\"/g, '"');
}

/** `0x00001234 "name"` → offset and name. */
function refOf(value: string | undefined): { offset: number; name?: string } | undefined {
  const m = value === undefined ? null : /^0x([0-9a-f]+)/.exec(value);
  return m ? { offset: parseInt(m[1], 16), name: quoted(value) } : undefined;
}

/** A constant as dwarfdump prints it: `0x02`, `-300`, `12`, or a block `<0x10> 05 00 ...` (little-endian). */
function constantOf(value: string): bigint {
  const block = /^<0x[0-9a-f]+>\s*((?:[0-9a-f]{2}\s*)+)$/.exec(value.trim());
  if (block) return block[1].trim().split(/\s+/).reverse().reduce((v, b) => (v << 8n) | BigInt(parseInt(b, 16)), 0n);
  return BigInt(value.trim());
}

function normalize(v: bigint, size: number, signed: boolean): bigint {
  const raw = BigInt.asUintN(size * 8, v);
  return signed ? BigInt.asIntN(size * 8, raw) : raw;
}

function qualifiedName(d: DumpDie): string {
  const parts: string[] = [quoted(d.attrs.get('DW_AT_name')) ?? ''];
  for (let p = d.parent; p; p = p.parent) {
    if (!SCOPES.has(p.tag)) break;
    const n = quoted(p.attrs.get('DW_AT_name'));
    if (n !== undefined) parts.unshift(n);
  }
  return parts.join('::');
}

/** Compares every aggregate dwarfdump lists with the table's view of it; returns how many were compared. */
function compareWithDwarfdump(file: string): { aggregates: number; enums: number; members: number; typeUnits: number } {
  const table = typeTableFor(file);
  const counts = { aggregates: 0, enums: 0, members: 0, typeUnits: 0 };
  const units = dwarfdump(file, { types: true });
  // DW_FORM_ref_sig8 references print as the signature: the type unit's type, as the table names it.
  const bySignature = new Map<string, number>();
  for (const u of units) if (u.signature) bySignature.set(u.signature, (u.section === 'types' ? TYPES_SECTION_BIT : 0) + u.typeOffset!);
  for (const unit of units) {
    if (unit.signature) counts.typeUnits++;
    const rust = unit.dies[0]?.attrs.get('DW_AT_language') === 'DW_LANG_Rust';
    /** The table's ref of a DIE offset in this unit's section. */
    const base = unit.section === 'types' ? TYPES_SECTION_BIT : 0;
    const byOffset = new Map(unit.dies.map((d) => [d.offset, d]));
    const children = new Map<DumpDie, DumpDie[]>();
    for (const d of unit.dies) if (d.parent) (children.get(d.parent) ?? children.set(d.parent, []).get(d.parent)!).push(d);
    const kids = (d: DumpDie): DumpDie[] => children.get(d) ?? [];
    /** The member's type: same DIE, and (Rust) the same name where dwarfdump prints rustc's own (not `T *` or `T[N]`). */
    const checkType = (value: string | undefined, actual: number, what: string): void => {
      const ref = refOf(value);
      assert.ok(ref, `${what}: dwarfdump lists no type`);
      const signature = /^0x([0-9a-f]{16})$/.exec(value!.trim());
      assert.equal(actual, signature ? bySignature.get(signature[1]) : base + ref.offset, `${what}: type DIE`);
      const target = byOffset.get(ref.offset);
      if (rust && ref.name && !/\*$|\]$|\(\*+\)/.test(ref.name) && target?.tag !== 'DW_TAG_typedef') {
        // dwarfdump appends template arguments to a variant struct's own name (`Option<u32>::None<u32>`); rustc's name has none.
        const name = table.type(actual).name;
        assert.ok(name === ref.name || ref.name.startsWith(`${name}<`), `${what}: type name ${name}, dwarfdump says ${ref.name}`);
      }
    };
    for (const d of unit.dies) {
      if (!AGGREGATES.has(d.tag) || d.attrs.has('DW_AT_declaration')) continue;
      const t: RustType = table.type(base + d.offset);
      const what = `${file} ${unit.section} DIE 0x${d.offset.toString(16)} ${t.name}`;
      counts.aggregates++;
      const size = d.attrs.get('DW_AT_byte_size');
      if (size !== undefined) assert.equal(t.size, parseInt(size, 16), `${what}: size`);
      if (d.attrs.has('DW_AT_name')) assert.equal(t.name, qualifiedName(d), `${what}: name`);
      if (d.tag === 'DW_TAG_enumeration_type') {
        assert.equal(t.kind, 'cEnum', what);
        const signed = t.underlying !== undefined && table.type(t.underlying).signed === true;
        const expected = kids(d).filter((e) => e.tag === 'DW_TAG_enumerator' && e.attrs.has('DW_AT_const_value')).map((e) => ({
          name: quoted(e.attrs.get('DW_AT_name')) ?? '',
          value: normalize(constantOf(e.attrs.get('DW_AT_const_value')!), t.size, signed),
        }));
        assert.deepEqual(t.enumerators, expected, `${what}: enumerators`);
        continue;
      }
      const members = kids(d).filter((m) => (m.tag === 'DW_TAG_member' || m.tag === 'DW_TAG_inheritance') && !m.attrs.has('DW_AT_declaration') && !m.attrs.has('DW_AT_external'));
      const vp = kids(d).find((c) => c.tag === 'DW_TAG_variant_part');
      if (vp) {
        counts.enums++;
        assert.equal(t.kind, 'enum', what);
        const discr = refOf(vp.attrs.get('DW_AT_discr'));
        if (discr) {
          const m = byOffset.get(discr.offset)!;
          const dtype = byOffset.get(refOf(m.attrs.get('DW_AT_type'))!.offset)!;
          assert.deepEqual(t.discriminant, {
            offset: parseInt(m.attrs.get('DW_AT_data_member_location') ?? '0', 16),
            size: parseInt(dtype.attrs.get('DW_AT_byte_size')!, 16),
            signed: /DW_ATE_signed/.test(dtype.attrs.get('DW_AT_encoding') ?? ''),
          }, `${what}: discriminant`);
        } else assert.equal(t.discriminant, undefined, `${what}: no discriminant`);
        const variants = kids(vp).filter((v) => v.tag === 'DW_TAG_variant');
        assert.equal(t.variants?.length, variants.length, `${what}: variant count`);
        variants.forEach((v, i) => {
          const actual = t.variants![i];
          const m = kids(v).find((c) => c.tag === 'DW_TAG_member')!;
          assert.equal(actual.name, quoted(m.attrs.get('DW_AT_name')), `${what}: variant ${i} name`);
          assert.equal(actual.offset, parseInt(m.attrs.get('DW_AT_data_member_location') ?? '0', 16), `${what}: variant ${actual.name} offset`);
          checkType(m.attrs.get('DW_AT_type'), actual.type, `${what}: variant ${actual.name}`);
          const value = v.attrs.get('DW_AT_discr_value');
          if (value === undefined) assert.deepEqual(actual.rule, { kind: 'default' }, `${what}: variant ${actual.name} rule`);
          else {
            const d0 = t.discriminant!;
            assert.deepEqual(actual.rule, { kind: 'values', values: [normalize(constantOf(value), d0.size, d0.signed)] }, `${what}: variant ${actual.name} rule`);
          }
        });
        continue;
      }
      assert.equal(t.kind, d.tag === 'DW_TAG_union_type' ? 'union' : 'struct', what);
      // A base class is named after its type.
      const memberName = (m: DumpDie): string => quoted(m.attrs.get('DW_AT_name')) ?? (m.tag === 'DW_TAG_inheritance' ? refOf(m.attrs.get('DW_AT_type'))?.name ?? '' : '');
      assert.deepEqual(t.fields?.map((f) => f.name), members.map(memberName), `${what}: member names`);
      members.forEach((m, i) => {
        const f = t.fields![i];
        counts.members++;
        const bitOffset = m.attrs.get('DW_AT_data_bit_offset');
        if (bitOffset === undefined) assert.equal(f.offset, parseInt(m.attrs.get('DW_AT_data_member_location') ?? '0', 16), `${what}: ${f.name} offset`);
        else {
          assert.equal(f.offset * 8 + f.bitOffset!, parseInt(bitOffset, 16), `${what}: ${f.name} bit offset`);
          assert.equal(f.bitSize, parseInt(m.attrs.get('DW_AT_bit_size')!, 16), `${what}: ${f.name} bit size`);
        }
        checkType(m.attrs.get('DW_AT_type'), f.type, `${what}: ${f.name}`);
      });
    }
  }
  return counts;
}

describe('DWARF type table vs llvm-dwarfdump-19', function () {
  this.timeout(600_000);
  after(clearTypeTables);

  for (const [i, label] of ['rustc stable, DWARF 4', 'rustc stable, DWARF 5', 'Debian rustc 1.63'].entries()) {
    it(`types.rs built by ${label}: every struct, enum and union`, () => {
      const build = typesBuilds()[i];
      assert.equal(build.label, label);
      const counts = compareWithDwarfdump(build.file);
      assert.ok(counts.aggregates > 200 && counts.enums > 20 && counts.members > 400, JSON.stringify(counts));
    });
  }

  for (const fixture of ['legacy', 'mixed'] as const) {
    it(`the ${fixture} Linux fixture: every struct, enum and union`, () => {
      const counts = compareWithDwarfdump(linuxFixtures()[fixture]);
      assert.ok(counts.aggregates > 200 && counts.enums > 20, JSON.stringify(counts));
    });
  }

  for (const version of [4, 5]) {
    it(`types.cpp built by clang-19 with DWARF ${version} type units: bitfields, base classes, typedefs, 2-D arrays`, () => {
      const file = cppTypesBuilds()[version - 4];
      const counts = compareWithDwarfdump(file);
      assert.ok(counts.aggregates >= 6 && counts.typeUnits >= 4, JSON.stringify(counts));
      const table = typeTableFor(file);
      const node = table.type(table.findType('Node')!);
      const field = (name: string): RustType => table.type(node.fields!.find((f) => f.name === name)!.type);
      assert.equal(field('grid').name, '[[i32; 3]; 2]');
      assert.equal(table.type(field('grid').element!).name, '[i32; 3]');
      assert.equal(field('grid').size, 24);
      assert.equal(field('id').name, 'u64', 'const and the typedef are transparent');
      assert.equal(field('hits').name, 'i32', 'volatile is transparent');
      assert.equal(field('next').name, '*const Node');
      assert.equal(table.type(field('next').pointee!), node);
      assert.equal(field('callback').kind, 'pointer');
      assert.equal(field('callback').name, 'fn(i32, *const Node)');
      const direction = table.type(table.findType('Direction')!);
      assert.deepEqual(direction.enumerators, [{ name: 'North', value: 1n }, { name: 'East', value: 2n }, { name: 'South', value: -3n }]);
    });
  }
});

/** The bytes at a link-time address, from the section that holds it in the file. */
function bytesAt(file: string, address: number, size: number): Uint8Array {
  const elf = new ElfFile(bufferSource(fs.readFileSync(file)), file);
  const s = elf.sections.find((x) => x.addr > 0 && address >= x.addr && address + size <= x.addr + x.size && x.type !== 8);
  assert.ok(s, `no section of ${file} holds 0x${address.toString(16)}`);
  return elf.rawData(s).subarray(address - s.addr, address - s.addr + size);
}

function readInt(bytes: Uint8Array, offset: number, size: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]);
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

/** The variant a value's bytes select, by the table's layout alone (`cEnum`: the enumerator). */
function variantOf(table: TypeTable, t: RustType, bytes: Uint8Array, at: number): string | undefined {
  if (t.kind === 'cEnum') {
    const u = table.type(t.underlying!);
    const v = readInt(bytes, at, t.size, u.signed === true);
    return t.enumerators!.find((e) => e.value === v)?.name;
  }
  assert.equal(t.kind, 'enum', t.name);
  const d = t.discriminant;
  const value = d ? readInt(bytes, at + d.offset, d.size, d.signed) : 0n;
  return selectVariant(t.variants!, value)?.name;
}

describe('DWARF enum layouts against the compiler', function () {
  this.timeout(600_000);
  after(clearTypeTables);

  const statics = ['S_SHAPES', 'S_TRIS', 'S_GLYPHS', 'S_ONLY', 'S_COLORS', 'S_SIGNED', 'S_HUGE', 'S_HUGE_DATA', 'S_OPT_REF', 'S_OPT_NZ', 'S_OPT_BOOL', 'S_OPT_U32', 'S_RESULT'];
  for (const [i, label] of ['rustc stable, DWARF 4', 'rustc stable, DWARF 5', 'Debian rustc 1.63'].entries()) {
    it(`types.rs built by ${label}: each static's variant is the one the program prints`, () => {
      const build: TypesBuild = typesBuilds()[i];
      const table = typeTableFor(build.file);
      let checked = 0;
      for (const name of statics) {
        const text = printed(build, name);
        if (text === undefined) {
          assert.ok(label.includes('1.63') && name.startsWith('S_HUGE'), `${name} not printed by the ${label} build`);
          continue;
        }
        const expected = debugListItems(text).map((item) => /^[A-Za-z]\w*/.exec(item)![0]);
        const s = table.findStatic!(`types::${name}`);
        assert.ok(s, `${name}: no static`);
        const arrayType = table.type(s.type);
        const element = arrayType.kind === 'array' ? table.type(arrayType.element!) : arrayType;
        assert.equal(arrayType.kind === 'array' ? arrayType.count : 1, expected.length, `${name}: count`);
        const bytes = bytesAt(build.file, s.address, arrayType.size);
        const actual = expected.map((_, k) => variantOf(table, element, bytes, k * element.size));
        assert.deepEqual(actual, expected, `${name} (${element.name})`);
        checked += expected.length;
      }
      assert.ok(checked >= 25, `${checked} values checked`);
    });
  }

  it('reads a variant payload at its field offsets (Shape::Rect(3, 4), Option<u32>::Some(9))', () => {
    const build = typesBuilds()[0];
    const table = typeTableFor(build.file);
    const shapes = table.findStatic!('types::S_SHAPES')!;
    const shapeArray = table.type(shapes.type);
    const shape = table.type(shapeArray.element!);
    const bytes = bytesAt(build.file, shapes.address, shapeArray.size);
    const rect = shape.variants!.find((v) => v.name === 'Rect')!;
    const fields = table.type(rect.type).fields!;
    assert.deepEqual(fields.map((f) => f.name), ['__0', '__1']);
    assert.deepEqual(fields.map((f) => readInt(bytes, shape.size + rect.offset + f.offset, table.type(f.type).size, false)), [3n, 4n]);
    const opts = table.findStatic!('types::S_OPT_U32')!;
    const optArray = table.type(opts.type);
    const opt = table.type(optArray.element!);
    const some = opt.variants!.find((v) => v.name === 'Some')!;
    const payload = table.type(some.type).fields![0];
    assert.equal(readInt(bytesAt(build.file, opts.address, optArray.size), some.offset + payload.offset, 4, false), 9n);
  });
});
