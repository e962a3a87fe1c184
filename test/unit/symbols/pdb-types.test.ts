// The PDB type table against llvm-pdbutil-19 on every Windows fixture, MSVC enum rules against the values the fixtures' statics hold, and frame variables.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openPdbTypeTable, PdbTypeTable } from '../../../src/symbols/pdb/pdb-types';
import { readNumeric } from '../../../src/symbols/pdb/tpi-records';
import { msvcToRust } from '../../../src/symbols/pdb/msvc-type-names';
import { rvaToOffset } from '../../../src/symbols/pe/pe';
import { RustType, selectVariant, TypeReadError } from '../../../src/symbols/type-model';
import { clearTypeTables, typeTableFor } from '../../../src/symbols/type-tables';
import { fixture, run } from './pe-llvm-reference';
import { pdbProcLocals, pdbTypes, RefType } from './pdb-types-llvm';

/** Every PDB fixture (stem of the .exe/.pdb pair) and whether it is Rust. */
const FIXTURES: Array<[string, boolean]> = [
  ['msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1', true],
  ['msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0', true],
  ['old-rust-msvc/oldenum', true],
  ['nocore-msvc/nocore', true],
  ['enums-msvc/enums', true],
  ['enums-msvc/enums-old', true],
  ['cpp-msvc/hello', false],
];

const CODEVIEW_SPELLING = /\b(ref|ref_mut|ptr_const|ptr_mut|slice2?|tuple|enum2?|array|dyn|assoc|never|str)\$|\bunsigned\b|__int64/;

function open(stem: string): PdbTypeTable {
  return openPdbTypeTable(fixture(`${stem}.exe`)) as PdbTypeTable;
}

function rustName(r: RefType): string {
  return r.name === 'str' && r.leaf !== 'LF_ENUM' ? '&str' : msvcToRust(r.name);
}

describe('PDB type table', function () {
  this.timeout(120_000);

  for (const [stem, isRust] of FIXTURES) {
    it(`${stem}: every struct, union and enum llvm-pdbutil lists has its size, members, offsets and types`, () => {
      const ref = pdbTypes(fixture(`${stem}.pdb`));
      const table = open(stem);
      let checked = 0;
      let enums = 0;
      for (const r of ref.values()) {
        if (!['LF_STRUCTURE', 'LF_CLASS', 'LF_UNION', 'LF_ENUM'].includes(r.leaf) || r.forward) continue;
        const t = table.type(r.index);
        const what = `${stem} 0x${r.index.toString(16)} ${r.name}`;
        assert.equal(t.name, rustName(r), what);
        if (isRust) assert.doesNotMatch(t.name, CODEVIEW_SPELLING, what);
        const members = ref.get(r.fieldList)?.members ?? [];
        checked++;
        if (r.leaf === 'LF_ENUM') {
          assert.equal(t.kind, 'cEnum', what);
          assert.equal(t.size, table.type(r.underlying!).size, what);
          assert.deepEqual(
            t.enumerators,
            members.filter((m) => m.leaf === 'LF_ENUMERATE').map((m) => ({ name: m.name, value: m.value })),
            what,
          );
          continue;
        }
        assert.equal(t.size, r.size, what);
        if (r.leaf === 'LF_UNION' && /^enum2?\$</.test(r.name)) {
          enums++;
          checkEnum(t, r, members, what);
          continue;
        }
        const expected = members
          .filter((m) => m.leaf === 'LF_MEMBER' || m.leaf === 'LF_BCLASS')
          .map((m) => ({ name: m.leaf === 'LF_BCLASS' ? '<base>' : m.name, offset: m.offset, type: ref.get(m.type)?.bitfieldType ?? m.type }))
          .sort((a, b) => a.name.localeCompare(b.name));
        // A raw pointer field (`data_ptr`, `pointer`) is a made-up `*const T` over the record's pointer to T.
        const actual = (t.fields ?? [])
          .map((f) => {
            // A member without a type in rustc 1.58/1.59 is a `char` (see PdbTypeTable.struct).
            if (f.type === 0x7b && members.find((x) => x.name === f.name)?.type === 0) return { name: f.name, offset: f.offset, type: 0 };
            if (f.type < 2 ** 32) return { name: f.name, offset: f.offset, type: f.type };
            const raw = table.type(f.type);
            assert.match(raw.name, /^\*const /, `${what}.${f.name}`);
            const m = members.find((x) => x.name === f.name)!;
            assert.equal(raw.pointee, table.type(m.type).pointee, `${what}.${f.name}`);
            return { name: f.name, offset: f.offset, type: m.type };
          })
          .sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(actual, expected, what);
        // Every member's type resolves (a corrupt one would throw TypeReadError), to a Rust name in Rust fixtures.
        for (const f of t.fields ?? []) {
          const ft = table.type(f.type);
          if (isRust && f.type !== 0) assert.doesNotMatch(ft.name, CODEVIEW_SPELLING, `${what}.${f.name}: ${ft.name}`);
        }
      }
      assert.ok(checked > 0, `${stem}: no types checked`);
      if (isRust && stem !== 'nocore-msvc/nocore') assert.ok(enums > 0, `${stem}: no MSVC enum checked`);
    });
  }

  it('names generic arguments and finds them as types by their Rust names', () => {
    const table = open('enums-msvc/enums');
    const opt = table.findType('enums::Opt<enums::Wrap>');
    assert.ok(opt !== undefined, 'Opt<Wrap> by its Rust name');
    const t = table.type(opt);
    assert.equal(t.name, 'enums::Opt<enums::Wrap>');
    assert.deepEqual(t.typeArguments?.map((a) => a.name), ['enums::Wrap']);
    const wrap = table.type(t.typeArguments![0].type!);
    assert.equal(wrap.kind, 'cEnum');
    assert.deepEqual(wrap.enumerators?.map((e) => [e.name, e.value]), [['A', 254n], ['B', 255n], ['C', 0n]]);
    // Spacing does not matter; a reference is made up from its pointee, and found again.
    assert.equal(table.findType('enums::Opt< enums::Wrap >'), opt);
    const refOpt = table.findType('&enums::Opt<enums::Wrap>')!;
    const r = table.type(refOpt);
    assert.equal(r.kind, 'pointer');
    assert.equal(r.pointee, opt);
    assert.equal(table.findType('&enums::Opt<enums::Wrap>'), refOpt);
    const optRef = table.type(table.findType('enums::Opt<&u32>')!);
    assert.equal(table.type(optRef.typeArguments![0].type!).name, '&u32');
    assert.equal(table.type(table.findType('u32')!).name, 'u32');
    assert.equal(table.findType('no::such::Type'), undefined);
    const old = open('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0');
    const fill = old.type(old.findType('core::fmt::Formatter')!).fields!.find((f) => f.name === 'fill')!;
    assert.equal(old.type(fill.type).name, 'char', 'rustc 1.59 wrote no type for a char member');
    const s = old.type(old.findType('&str')!);
    assert.equal(s.kind, 'struct');
    assert.deepEqual(s.fields?.map((f) => `${f.name}: ${old.type(f.type).name}`), ['data_ptr: *const u8', 'length: u64']);
  });

  for (const stem of ['enums-msvc/enums', 'enums-msvc/enums-old']) {
    it(`${stem}: the discriminant rules select the variant the source gives each static`, () => {
      const table = open(stem);
      const exe = fs.readFileSync(fixture(`${stem}.exe`));
      const source = fs.readFileSync(path.join(fixture('src'), 'enums.rs'), 'utf8');
      let checked = 0;
      for (const m of source.matchAll(/^#\[no_mangle\] pub static (\w+): (.+?) = (.+);$/gm)) {
        const [, name, declared, value] = m;
        const expected = /\b\w+::(\w+)/.exec(value)![1];
        const s = table.findStatic(`enums::${name}`);
        assert.ok(s, `${stem}: no static ${name}`);
        const t = table.type(s.type);
        const what = `${stem} ${name}: ${t.name}`;
        assert.equal(t.name, declared.replace(/\b(Shape|Opt|Letter|Wrap|Single|Many|Pair|Big)\b/g, 'enums::$1'), what);
        assert.equal(t.kind, 'enum', what);
        const at = rvaToOffset(table.image, s.address - table.image.imageBase, t.size);
        assert.ok(at !== undefined, what);
        const bytes = exe.subarray(at, at + t.size);
        let discr = 0n;
        if (t.discriminant) for (let i = t.discriminant.size - 1; i >= 0; i--) discr = (discr << 8n) | BigInt(bytes[t.discriminant.offset + i]);
        const v = selectVariant(t.variants!, discr);
        assert.equal(v?.name, expected, `${what}: discriminant ${discr} selects ${v?.name}`);
        // A field given as an integer in the source has that value at the variant's offsets.
        const field = /\((\d+)\)$|\{ (\w+): (\d+) \}$/.exec(value);
        if (field) {
          const vt = table.type(v!.type);
          const f = vt.fields?.find((x) => x.name === (field[2] ?? '__0'));
          assert.ok(f, `${what}: field ${field[2] ?? '__0'} of ${vt.name}`);
          assert.equal(bytes[v!.offset + f.offset], Number(field[1] ?? field[3]), `${what}: field value`);
        }
        checked++;
      }
      assert.ok(checked >= 20, `only ${checked} statics checked`);
    });
  }

  it('reads the enum$ niche encoding of rustc 1.59: Option<&[T]> is Some for a non-null pointer, None for null', () => {
    const table = open('msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0');
    const t = table.type(table.findType('core::option::Option<&[core::fmt::rt::v1::Argument]>')!);
    assert.equal(t.kind, 'enum');
    assert.deepEqual(t.discriminant, { offset: 0, size: 8, signed: false });
    assert.equal(selectVariant(t.variants!, 0n)?.name, 'None');
    assert.equal(selectVariant(t.variants!, 0x1400_0000n)?.name, 'Some');
    const some = table.type(t.variants!.find((v) => v.name === 'Some')!.type);
    assert.equal(table.type(some.fields![0].type).name, '&[core::fmt::rt::v1::Argument]');
  });

  for (const [stem, isRust] of FIXTURES) {
    it(`${stem}: frame variables at a procedure's pc have the types llvm-pdbutil gives its locals`, () => {
      const table = open(stem);
      let checked = 0;
      for (const p of pdbProcLocals(fixture(`${stem}.pdb`))) {
        for (const l of p.locals) {
          const at = l.rangeStart ?? (l.kind !== 'S_LOCAL' && l.depth === 1 ? { segment: p.segment, offset: p.offset } : undefined);
          if (!at) continue;
          const pc = table.image.imageBase + table.pdb.rva(at.segment, at.offset, table.image.sections)!;
          const vars = table.frameVariables(pc);
          assert.ok(
            vars.some((v) => v.name === l.name && v.type === l.type),
            `${stem} ${p.name}: ${l.name} (0x${l.type.toString(16)}) at 0x${pc.toString(16)}; got ${vars.map((v) => `${v.name}:0x${v.type.toString(16)}`).join(', ')}`,
          );
          const t = table.type(l.type);
          if (isRust) assert.doesNotMatch(t.name, CODEVIEW_SPELLING, `${p.name}: ${l.name}`);
          checked++;
        }
      }
      if (stem !== 'nocore-msvc/nocore') assert.ok(checked > 0, `${stem}: no locals checked`);
    });
  }

  it('a shadowed name resolves to the innermost live one, and a closure sees its environment', () => {
    const table = open('enums-msvc/enums');
    const procs = pdbProcLocals(fixture('enums-msvc/enums.pdb'));
    const locals = procs.find((p) => p.name === 'enums::locals')!;
    const inner = locals.locals.filter((l) => l.name === 'x')[1].rangeStart!;
    const pc = table.image.imageBase + table.pdb.rva(inner.segment, inner.offset, table.image.sections)!;
    const vars = table.frameVariables(pc);
    const xs = vars.filter((v) => v.name === 'x');
    assert.equal(xs.length, 2, 'both x are in scope');
    assert.ok(xs[0].depth > xs[1].depth, 'the inner x comes first');
    assert.equal(vars.findIndex((v) => v.name === 'x'), vars.indexOf(xs[0]));
    const byName = new Map(vars.map((v) => [v.name, v] as const));
    assert.equal(table.type(byName.get('n')!.type).name, 'u32');
    assert.equal(byName.get('n')!.parameter, true);
    assert.equal(table.type(byName.get('shape')!.type).name, 'enums::Shape');
    assert.ok(!byName.has('total'), 'total is not live before its let');
    // The closure: its environment lists the captured locals.
    const add = procs.find((p) => p.name === 'enums::locals::closure$0')!;
    const live = add.locals.find((l) => l.rangeStart)!.rangeStart!;
    const cpc = table.image.imageBase + table.pdb.rva(live.segment, live.offset, table.image.sections)!;
    // rustc lists a closure's captures as locals of the closure (references for by-reference captures).
    const captured = table.frameVariables(cpc).map((v) => `${v.name}: ${table.type(v.type).name}${v.parameter ? ' (parameter)' : ''}`);
    assert.deepEqual(captured.sort(), ['total: &u32', 'v: u32 (parameter)', 'x: &u32']);
  });

  it('finds the concrete type behind a dyn vtable by the vtable symbol, and statics by their path', () => {
    const stem = 'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0';
    const table = open(stem);
    const globals = run('llvm-pdbutil-19', ['dump', '--globals', fixture(`${stem}.pdb`)]);
    const m = /`impl\$<std::rt::lang_start::closure\$0, [^`]*>::vtable\$`\n\s+type = .*addr = (\d+):(\d+)/.exec(globals);
    assert.ok(m, 'llvm-pdbutil lists the vtable');
    const address = table.image.imageBase + table.pdb.rva(Number(m[1]), Number(m[2]), table.image.sections)!;
    const t = table.vtableType(address);
    assert.ok(t !== undefined);
    assert.equal(table.type(t).name, 'std::rt::lang_start::{closure#0}');
    assert.equal(table.vtableType(address + 1), undefined);
    const enums = open('enums-msvc/enums');
    const x = enums.findStatic('enums::X')!;
    assert.equal(enums.type(x.type).name, 'u32');
    assert.equal(enums.findStatic('enums::NO_SUCH'), undefined);
  });

  it('finds every global by name through the globals hash table, as a scan of the globals does', () => {
    for (const stem of ['enums-msvc/enums', 'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0']) {
      const pdb = open(stem).pdb;
      const names = new Set<string>();
      for (const g of pdb.globalSymbols()) {
        if (g.kind === 0x1107 /* S_CONSTANT */) {
          g.data.u32();
          readNumeric(g.data);
          names.add(g.data.cstr());
        } else if (g.kind === 0x110d || g.kind === 0x110c) {
          g.data.skip(10);
          names.add(g.data.cstr());
        }
      }
      assert.ok(names.size > 10, stem);
      for (const n of names) assert.ok((pdb.globalsNamed(n) ?? []).length > 0, `${stem}: ${n}`);
      assert.deepEqual(pdb.globalsNamed('no::such::global'), []);
    }
  });

  it('is what a worker opens for an MSVC image (typeTableFor), kept while the file is unchanged', () => {
    try {
      const table = typeTableFor(fixture('enums-msvc/enums.exe'));
      assert.ok(table instanceof PdbTypeTable);
      assert.equal(table.type(table.findType('enums::Shape')!).kind, 'enum');
      assert.equal(typeTableFor(fixture('enums-msvc/enums.exe')), table);
    } finally {
      clearTypeTables();
    }
  });

  it('a corrupt type record fails alone, naming the module and the record', () => {
    const table = open('enums-msvc/enums');
    assert.throws(() => table.type(0x7fff_0000), (e: unknown) => e instanceof TypeReadError && /enums\.exe/.test(e.message) && /0x7fff0000/.test(e.message));
    assert.throws(() => table.type(2 ** 32 + 10_000), TypeReadError);
    const ok: RustType = table.type(table.findType('enums::Shape')!);
    assert.equal(ok.kind, 'enum');
  });
});

function checkEnum(t: RustType, r: RefType, members: Array<{ leaf: string; name: string; type: number; offset: number }>, what: string): void {
  assert.equal(t.kind, 'enum', what);
  const tag = members.find((m) => m.leaf === 'LF_MEMBER' && ['tag', 'tag128_lo', 'discriminant'].includes(m.name));
  if (tag) assert.equal(t.discriminant?.offset, tag.offset, what);
  const variants = members.filter((m) => m.leaf === 'LF_MEMBER' && /^variant\d+$/.test(m.name));
  if (r.name.startsWith('enum2$<') || variants.length > 0) assert.equal(t.variants?.length, variants.length, what);
  for (const v of t.variants ?? []) assert.ok(v.name && !v.name.includes('$'), `${what}: variant ${v.name}`);
}
