// Bad DWARF type records, made by patching single DIEs of a real build: each fails alone with a TypeReadError naming the module and DIE, and the rest of the table keeps working.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { bufferSource } from '../../../src/symbols/byte-source';
import { DwarfTypeTable } from '../../../src/symbols/dwarf/dwarf-types';
import { DW_AT, DW_FORM, DW_TAG, fixedFormSize } from '../../../src/symbols/dwarf/dwarf-forms';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { dwarfSections } from '../../../src/symbols/elf/elf-module';
import { TypeReadError } from '../../../src/symbols/type-model';
import { typesBuilds } from './type-programs';

const MODULE = 'patched/types';

function open(bytes: Uint8Array): DwarfTypeTable {
  const elf = new ElfFile(bufferSource(bytes), MODULE);
  return new DwarfTypeTable({ module: MODULE, sections: dwarfSections(elf)! });
}

/** The file offset of attribute `at` of the DIE at `ref`, when only fixed-size attributes come before it (rustc's layouts). */
function attributeAt(bytes: Uint8Array, table: DwarfTypeTable, ref: number, at: number): { pos: number; form: number } {
  const elf = new ElfFile(bufferSource(bytes), MODULE);
  const infoStart = elf.section('.debug_info')!.offset;
  const unit = table.dies.unitOf(ref);
  const die = table.dies.readDie(unit, ref);
  const attrs = unit.abbrevs.get(bytes[infoStart + ref])!.attrs;
  assert.equal(unit.abbrevs.get(bytes[infoStart + ref])!.tag, die.tag, 'a one-byte abbreviation code');
  let pos = infoStart + ref + 1;
  for (let i = 0; i < attrs.length; i += 3) {
    if (attrs[i] === at) return { pos, form: attrs[i + 1] };
    const size = fixedFormSize(attrs[i + 1], unit.u.cx);
    assert.ok(size >= 0, 'only fixed-size attributes before it');
    pos += size;
  }
  throw new Error(`DIE 0x${ref.toString(16)} has no attribute 0x${at.toString(16)}`);
}

function setRef4(bytes: Uint8Array, pos: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(pos, value, true);
}

describe('DWARF type records that are bad', function () {
  this.timeout(300_000);
  let original: Uint8Array;
  let clean: DwarfTypeTable;
  before(() => {
    original = fs.readFileSync(typesBuilds()[0].file);
    clean = open(original);
  });

  /** Checks that the table still answers for other types after the bad one. */
  function stillWorks(table: DwarfTypeTable): void {
    const shape = table.type(table.findType('types::Shape')!);
    assert.deepEqual(shape.variants?.map((v) => v.name), ['Circle', 'Rect', 'Empty']);
    assert.equal(table.type(table.findType('types::Point')!).size, 16);
  }

  it('an array whose element is itself: a cycle, reported for that array', () => {
    const grid = clean.findStatic('types::S_GRID')!;
    const arrayRef = grid.type;
    const bytes = new Uint8Array(original);
    const { pos, form } = attributeAt(bytes, clean, arrayRef, DW_AT.type);
    assert.equal(form, DW_FORM.ref4);
    const unitStart = clean.dies.unitOf(arrayRef).h.offset;
    setRef4(bytes, pos, arrayRef - unitStart);
    const table = open(bytes);
    assert.throws(() => table.type(arrayRef), (e: Error) => e instanceof TypeReadError && e.record === arrayRef && e.message.includes(MODULE) && /refers to itself/.test(e.message));
    // Asked again: the same answer, not a hang or a different error.
    assert.throws(() => table.type(arrayRef), /refers to itself/);
    stillWorks(table);
  });

  it('a struct that contains itself by value', () => {
    const pointRef = clean.findType('types::Point')!;
    const bytes = new Uint8Array(original);
    const member = clean.dies.children(clean.dies.die(pointRef)).find((c) => c.tag === DW_TAG.member)!;
    const { pos, form } = attributeAt(bytes, clean, member.ref, DW_AT.type);
    assert.equal(form, DW_FORM.ref4);
    setRef4(bytes, pos, pointRef - clean.dies.unitOf(pointRef).h.offset);
    const table = open(bytes);
    assert.throws(() => table.type(pointRef), (e: Error) => e instanceof TypeReadError && e.record === pointRef && /contains the type itself by value/.test(e.message));
    const shape = table.type(table.findType('types::Shape')!);
    assert.equal(shape.variants?.length, 3);
  });

  it('a DIE whose abbreviation code is undefined', () => {
    const innerRef = clean.findType('types::nested::deeper::Inner')!;
    const bytes = new Uint8Array(original);
    const infoStart = new ElfFile(bufferSource(bytes), MODULE).section('.debug_info')!.offset;
    bytes[infoStart + innerRef] = 0x7f; // no unit of this build defines 127 abbreviations
    const table = open(bytes);
    assert.throws(() => table.type(innerRef), (e: Error) => e instanceof TypeReadError && e.record === innerRef && /abbreviation code 127/.test(e.message) && e.message.includes(MODULE));
    stillWorks(table);
  });

  it('a type of a tag it does not know: opaque, with its size', () => {
    // Retag the abbreviation the `u32` base type uses (and whatever shares it) as an unknown tag.
    const u32 = clean.findType('u32')!;
    const unit = clean.dies.unitOf(u32);
    const elf = new ElfFile(bufferSource(original), MODULE);
    const abbrevStart = elf.section('.debug_abbrev')!.offset + unit.h.abbrevOffset;
    const code = original[elf.section('.debug_info')!.offset + u32];
    const bytes = new Uint8Array(original);
    // The abbreviation table: code, tag (one byte each here), children flag, then attribute pairs ending in 0, 0.
    let pos = abbrevStart;
    for (;;) {
      assert.ok(bytes[pos] !== 0, `abbreviation ${code} not found`);
      if (bytes[pos] === code) break;
      pos += 3;
      while (bytes[pos] !== 0 || bytes[pos + 1] !== 0) pos += 2;
      pos += 2;
    }
    assert.equal(bytes[pos + 1], DW_TAG.base_type);
    bytes[pos + 1] = 0x7e;
    const table = open(bytes);
    const t = table.type(u32);
    assert.equal(t.kind, 'opaque');
    assert.equal(t.size, 4);
    assert.equal(t.name, 'u32');
  });

  it('a truncated .debug_info: the units before the cut still answer', () => {
    const info = new ElfFile(bufferSource(original), MODULE).section('.debug_info')!;
    const pointRef = clean.findType('types::Point')!;
    const lastUnit = clean.dies.infoUnitOffsets().at(-1)!;
    assert.ok(pointRef < lastUnit, 'types::Point is not in the last unit');
    const bytes = new Uint8Array(original);
    // Claim the last unit runs far past the section's end.
    new DataView(bytes.buffer).setUint32(info.offset + lastUnit, 0x7fff_0000, true);
    const table = open(bytes);
    assert.equal(table.type(pointRef).name, 'types::Point');
    const someLastRef = lastUnit + 40;
    assert.throws(() => table.type(someLastRef), (e: Error) => e instanceof TypeReadError && e.record === someLastRef);
  });
});
