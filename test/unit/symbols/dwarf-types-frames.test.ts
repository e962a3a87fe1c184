// The DWARF type table's frame variables (by pc, innermost block first; a shadowed name; a closure's captures), and its lookups by name: types, statics, vtables.
import * as assert from 'node:assert/strict';
import { fileSource } from '../../../src/symbols/byte-source';
import { readElfModule } from '../../../src/symbols/elf/elf-module';
import { ModuleSymbols } from '../../../src/symbols/model';
import { clearTypeTables, typeTableFor } from '../../../src/symbols/type-tables';
import { FrameVariable, TypeTable } from '../../../src/symbols/type-model';
import { TypesBuild, typesBuilds, typesMarkerLine } from './type-programs';

/** The lowest address of a `// TYPES: <marker>` line in the build's line table (read by our symbol reader). */
function markerPc(mod: ModuleSymbols, marker: string): number {
  const line = typesMarkerLine(marker);
  const file = mod.files.findIndex((f) => f.endsWith('/types.rs'));
  assert.ok(file >= 0, 'types.rs is not in the line table');
  const c = mod.lineColumns;
  assert.ok(c, 'the reader gives line rows as columns');
  let pc = Infinity;
  for (let k = 0; k < c.count; k++) if (c.file[k] === file && c.line[k] === line) pc = Math.min(pc, c.address[k]);
  assert.ok(pc < Infinity, `no line-table row for types.rs:${line}`);
  return pc;
}

/** The declared type name of the innermost variable called `name`, as a frame resolves it. */
function typeOf(table: TypeTable, vars: FrameVariable[], name: string): string {
  const v = vars.find((x) => x.name === name);
  assert.ok(v, `no variable ${name} among ${vars.map((x) => x.name).join(', ')}`);
  return table.type(v.type).name;
}

/** What the source of `locals` in types.rs declares, in rustc's spelling (Box and NonZeroU32 as each rustc names them). */
function declaredAtOuter(build: TypesBuild): Record<string, string> {
  const old = build.label.includes('1.63');
  return {
    param: 'u32',
    text: '&str',
    point: 'types::Point',
    pair: 'types::Pair<u8, &str>',
    tuple: '(u8, &str, f32)',
    array: '[u8; 4]',
    grid: '[[i32; 3]; 2]',
    slice: '&[u32]',
    shape: 'types::Shape',
    maybe: 'core::option::Option<&types::Point>',
    nz: old ? 'core::option::Option<core::num::nonzero::NonZeroU32>' : 'core::option::Option<core::num::nonzero::NonZero<u32>>',
    unit: 'types::Unit',
    boxed: 'alloc::boxed::Box<u64, alloc::alloc::Global>',
    vec: 'alloc::vec::Vec<u32, alloc::alloc::Global>',
    color: 'types::Color',
    reference: '&mut i64',
    shadow: 'u8',
    raw: '*const types::Point',
  };
}

describe('DWARF frame variables', function () {
  this.timeout(600_000);
  after(clearTypeTables);

  for (const [i, label] of ['rustc stable, DWARF 4', 'rustc stable, DWARF 5', 'Debian rustc 1.63'].entries()) {
    describe(`types.rs built by ${label}`, () => {
      let build: TypesBuild;
      let mod: ModuleSymbols;
      let table: TypeTable;
      before(() => {
        build = typesBuilds()[i];
        mod = readElfModule(fileSource(build.file), { path: build.file });
        table = typeTableFor(build.file);
      });

      it('resolves every local in scope at the outer marker to the type the source declares', () => {
        const vars = table.frameVariables(markerPc(mod, 'outer'));
        const expected = declaredAtOuter(build);
        for (const [name, type] of Object.entries(expected)) assert.equal(typeOf(table, vars, name), type, name);
        // The inner block's bindings are out of scope here.
        for (const gone of ['captured', 'closure', 'total']) assert.ok(!vars.some((v) => v.name === gone), `${gone} is out of scope`);
        assert.deepEqual(vars.filter((v) => v.parameter).map((v) => v.name).sort(), ['param', 'text']);
        assert.deepEqual(vars.map((v) => v.depth), [...vars.map((v) => v.depth)].sort((a, b) => b - a), 'innermost first');
      });

      it('resolves a shadowed name to the innermost binding, and a closure and its captures', () => {
        const vars = table.frameVariables(markerPc(mod, 'inner'));
        assert.equal(typeOf(table, vars, 'shadow'), '&str', 'the inner `shadow` hides the outer u8');
        const shadows = vars.filter((v) => v.name === 'shadow');
        assert.equal(shadows.length, 2);
        assert.ok(shadows[0].depth > shadows[1].depth);
        assert.equal(table.type(shadows[1].type).name, 'u8');
        assert.equal(typeOf(table, vars, 'captured'), 'u64');
        assert.equal(typeOf(table, vars, 'total'), 'u64');
        assert.equal(typeOf(table, vars, 'point'), 'types::Point');
        const env = table.type(vars.find((v) => v.name === 'closure')!.type);
        assert.equal(env.name, 'types::locals::{closure_env#0}');
        // Captured by reference: one pointer field per captured variable.
        const fields = env.fields!.map((f) => ({ name: f.name, type: table.type(f.type) }));
        const captured = fields.find((f) => /captured/.test(f.name));
        const shadow = fields.find((f) => /shadow/.test(f.name));
        assert.ok(captured && shadow, fields.map((f) => f.name).join(', '));
        assert.equal(captured.type.kind, 'pointer');
        assert.equal(table.type(captured.type.pointee!).name, 'u64');
        assert.equal(shadow.type.kind, 'pointer');
        assert.equal(table.type(shadow.type.pointee!).name, '&str');
      });

      it("resolves the closure body's parameter and captured variables", () => {
        const body = mod.functions.find((f) => /locals::\{\{?closure(#0)?\}\}?$/.test(f.name));
        assert.ok(body, 'no types::locals::{closure#0}');
        const vars = table.frameVariables(body.ranges[0][0]);
        assert.equal(typeOf(table, vars, 'k'), 'u64');
        assert.ok(vars.find((v) => v.name === 'k')!.parameter);
        assert.equal(typeOf(table, vars, 'captured'), 'u64');
        assert.equal(typeOf(table, vars, 'shadow'), '&str');
      });

      it("resolves an inlined call's parameter and locals through their abstract origin, deeper than the caller's", () => {
        const vars = table.frameVariables(markerPc(mod, 'inlined'));
        assert.equal(typeOf(table, vars, 'twice'), 'u32');
        assert.equal(typeOf(table, vars, 'v'), 'u32');
        const v = vars.find((x) => x.name === 'v')!;
        assert.ok(v.parameter);
        assert.ok(v.depth > vars.find((x) => x.name === 'param')!.depth);
        assert.equal(v.inlineDepth, 1, "the inlined call's own");
        assert.equal(vars.find((x) => x.name === 'twice')!.inlineDepth, 1);
        assert.equal(vars.find((x) => x.name === 'param')!.inlineDepth, undefined, "the caller's own");
        assert.equal(typeOf(table, vars, 'shadow'), 'u8');
      });

      it('keeps each pc\'s variables: asked again, the same list without reading the DIEs again; another pc has its own', () => {
        const outer = table.frameVariables(markerPc(mod, 'outer'));
        const inner = table.frameVariables(markerPc(mod, 'inner'));
        assert.strictEqual(table.frameVariables(markerPc(mod, 'outer')), outer);
        assert.strictEqual(table.frameVariables(markerPc(mod, 'inner')), inner);
        assert.ok(inner.some((v) => v.name === 'captured') && !outer.some((v) => v.name === 'captured'));
      });

      it('finds nothing where no function is', () => {
        assert.deepEqual(table.frameVariables(0x10), []);
      });

      it('finds types by Rust name, statics by path, and a dyn value\'s concrete type by its vtable', () => {
        for (const name of ['types::Point', 'u32', '&str', 'types::nested::deeper::Inner', 'core::option::Option<&types::Point>', '[u8; 4]', '[types::Point; 2]']) {
          const ref = table.findType(name);
          assert.ok(ref !== undefined, name);
          assert.equal(table.type(ref).name, name);
        }
        assert.equal(table.findType('types::NoSuchType'), undefined);
        const point = table.findStatic!('types::S_POINT');
        assert.ok(point);
        assert.equal(table.type(point.type).name, 'types::Point');
        assert.equal(table.findStatic!('types::S_NOPE'), undefined);
        // main's `&S_POINT as &dyn Debug`: the vtable that value carries names Point as its concrete type.
        const vtable = table.findStatic!('<types::Point as core::fmt::Debug>::{vtable}');
        assert.ok(vtable, 'no <types::Point as core::fmt::Debug>::{vtable}');
        const concrete = table.vtableType!(vtable.address);
        assert.ok(concrete !== undefined);
        assert.equal(table.type(concrete).name, 'types::Point');
        assert.equal(table.vtableType!(vtable.address + 1), undefined);
      });
    });
  }
});
