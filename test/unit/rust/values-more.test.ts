// More std layouts on hand-built rustc 1.95 tables: pointers, text types, locks and cells, ranges, lists, sets and dyn Trait.
import * as assert from 'node:assert';
import { formatterFor } from '../../../src/rust/values-task';
import { HandTypes, MemoryImage } from './rustc-layouts';

describe('values: more std layouts (rustc 1.95)', () => {
  const t = new HandTypes('1.95');
  const m = new MemoryImage();
  const f = (): ReturnType<typeof formatterFor> => formatterFor(t, m.fetch, { slide: 0x1000 });
  const text = (type: number, address: number, expr = 'x'): Promise<string> => f().summary({ type, address, expr });
  const u8 = t.prim('u8');
  const u32 = t.prim('u32');
  const usize = t.prim('usize');

  it('references and Box show their target; raw pointers their address', async () => {
    const v = m.alloc(4, 4);
    m.int(v, 42, 4);
    const at = m.alloc(8);
    m.u64(at, v);
    assert.strictEqual(await text(t.pointer(u32, '&u32', 'ref'), at), '42');
    assert.strictEqual(await text(t.pointer(u32, 'alloc::boxed::Box<u32, alloc::alloc::Global>'), at), '42');
    assert.strictEqual(await text(t.pointer(u32, '*const u32', 'const'), at), `0x${v.toString(16)}`);
    const children = await f().children({ type: t.pointer(u32, '*const u32', 'const'), address: at, expr: 'p' });
    assert.deepStrictEqual(children.map((c) => [c.name, c.value, c.evaluateName]), [['*', '42', '*p']]);
    const nul = m.alloc(8);
    assert.strictEqual(await text(t.pointer(u32, '&u32', 'ref'), nul), '<error: null reference>');
  });

  it('slices, Box<[T]>, arrays', async () => {
    const data = m.alloc(3, 1);
    m.write(data, [1, 2, 3]);
    const fat = m.alloc(16);
    m.u64(fat, data);
    m.u64(fat + 8, 3);
    assert.strictEqual(await text(t.slice(u8), fat), '[1, 2, 3]');
    const boxed = t.struct('alloc::boxed::Box<[u8], alloc::alloc::Global>', 16, [['data_ptr', 0, t.pointer(u8, '*const u8')], ['length', 8, usize]]);
    assert.strictEqual(await text(boxed, fat), '[1, 2, 3]');
    assert.strictEqual(await text(t.array(u8, 3), data), '[1, 2, 3]');
    const page = await f().children({ type: t.slice(u8), address: fat, expr: 'sl' }, 1, 2);
    assert.deepStrictEqual(page.map((c) => [c.name, c.value, c.evaluateName]), [['[1]', '2', 'sl[1]'], ['[2]', '3', 'sl[2]']]);
  });

  it('Cow<str>, PathBuf, OsString, CString', async () => {
    const str = t.str();
    const cow = t.enumType('alloc::borrow::Cow<str>', 24, { offset: 0, size: 8 }, [
      { name: 'Borrowed', rule: { kind: 'values', values: [0x8000000000000000n] }, fields: [['__0', 8, str]] },
      { name: 'Owned', rule: { kind: 'default' }, fields: [['__0', 0, t.string()]] },
    ]);
    const borrowed = m.alloc(24);
    m.u64(borrowed, 0x8000000000000000n);
    m.u64(borrowed + 8, m.bytesOf('c'));
    m.u64(borrowed + 16, 1);
    assert.strictEqual(await text(cow, borrowed), '"c"');
    assert.strictEqual(await text(cow, m.string('owned')), '"owned"');

    const vecU8 = t.vec(u8);
    const buf = t.struct('std::sys::os_str::bytes::Buf', 24, [['inner', 0, vecU8]]);
    const osString = t.struct('std::ffi::os_str::OsString', 24, [['inner', 0, buf]]);
    const pathBuf = t.struct('std::path::PathBuf', 24, [['inner', 0, osString]]);
    const raw = m.alloc(3, 1);
    m.write(raw, [0x2f, 0xff, 0x61]);
    const p = m.alloc(24);
    m.vecAt(p, raw, 3, 3);
    assert.strictEqual(await text(pathBuf, p), '"/\\xFFa"');
    assert.strictEqual(await text(osString, m.string('o')), '"o"');

    const boxSlice = t.struct('alloc::boxed::Box<[u8], alloc::alloc::Global>', 16, [['data_ptr', 0, t.pointer(u8, '*const u8')], ['length', 8, usize]]);
    const cString = t.struct('alloc::ffi::c_str::CString', 16, [['inner', 0, boxSlice]]);
    const cs = m.alloc(16);
    m.u64(cs, m.bytesOf('cs\0'));
    m.u64(cs + 8, 3);
    assert.strictEqual(await text(cString, cs), '"cs"');
  });

  it('Cell, Mutex, RwLock, OnceCell, Duration, ranges, NonZero, Wrapping', async () => {
    const unsafeU16 = t.struct('core::cell::UnsafeCell<u16>', 2, [['value', 0, t.prim('u16')]]);
    const cell = t.struct('core::cell::Cell<u16>', 2, [['value', 0, unsafeU16]]);
    const c = m.alloc(2, 2);
    m.int(c, 3, 2);
    assert.strictEqual(await text(cell, c), 'Cell { value: 3 }');

    const atomicU32 = t.struct('core::sync::atomic::AtomicU32', 4, [['v', 0, t.struct('core::cell::UnsafeCell<u32>', 4, [['value', 0, u32]])]]);
    const futex = t.struct('std::sys::sync::mutex::futex::Mutex', 4, [['futex', 0, atomicU32]]);
    const atomicBool = t.struct('core::sync::atomic::AtomicBool', 1, [['v', 0, t.struct('core::cell::UnsafeCell<u8>', 1, [['value', 0, u8]])]]);
    const flag = t.struct('std::sync::poison::Flag', 1, [['failed', 0, atomicBool]]);
    const mutex = t.struct('std::sync::poison::mutex::Mutex<i32>', 12, [['inner', 0, futex], ['poison', 4, flag], ['data', 8, t.struct('core::cell::UnsafeCell<i32>', 4, [['value', 0, t.prim('i32')]])]]);
    const mx = m.alloc(12, 4);
    m.int(mx + 8, 5, 4);
    assert.strictEqual(await text(mutex, mx), 'Mutex { data: 5, poisoned: false, .. }');
    m.int(mx, 1, 4);
    m.write(mx + 4, [1]);
    assert.strictEqual(await text(mutex, mx), 'Mutex { data: <locked>, poisoned: true, .. }');

    const optionU8 = t.taggedOption(u8, 1);
    const onceCell = t.struct('core::cell::once::OnceCell<u8>', 2, [['inner', 0, t.struct('core::cell::UnsafeCell<core::option::Option<u8>>', 2, [['value', 0, optionU8]])]]);
    const oc = m.alloc(2, 1);
    assert.strictEqual(await text(onceCell, oc), 'OnceCell(<uninit>)');
    m.write(oc, [1, 9]);
    assert.strictEqual(await text(onceCell, oc), 'OnceCell(9)');

    const nanos = t.struct('core::num::niche_types::Nanoseconds', 4, [['__0', 0, u32]]);
    const duration = t.struct('core::time::Duration', 16, [['secs', 0, t.prim('u64')], ['nanos', 8, nanos]]);
    const d = m.alloc(16);
    m.u64(d, 1);
    m.int(d + 8, 500_000_000, 4);
    assert.strictEqual(await text(duration, d), '1.5s');

    const i32 = t.prim('i32');
    const range = t.struct('core::ops::range::Range<i32>', 8, [['start', 0, i32], ['end', 4, i32]], [i32]);
    const r = m.alloc(8, 4);
    m.int(r, 1, 4);
    m.int(r + 4, 5, 4);
    assert.strictEqual(await text(range, r), '1..5');
    const inclusive = t.struct('core::ops::range::RangeInclusive<i32>', 12, [['start', 0, i32], ['end', 4, i32], ['exhausted', 8, t.prim('bool')]], [i32]);
    const ri = m.alloc(12, 4);
    m.int(ri, 2, 4);
    m.int(ri + 4, 2, 4);
    m.write(ri + 8, [1]);
    assert.strictEqual(await text(inclusive, ri), '2..=2 (exhausted)');
    const to = t.struct('core::ops::range::RangeTo<i32>', 4, [['end', 0, i32]], [i32]);
    assert.strictEqual(await text(to, r + 4), '..5');

    const inner = t.struct('core::num::niche_types::NonZeroU32Inner', 4, [['__0', 0, u32]]);
    const nonZero = t.struct('core::num::nonzero::NonZero<u32>', 4, [['__0', 0, inner]], [u32]);
    assert.strictEqual(await text(nonZero, r + 4), '5');
    const wrapping = t.struct('core::num::wrapping::Wrapping<u8>', 1, [['__0', 0, u8]], [u8]);
    const w = m.alloc(1, 1);
    m.write(w, [7]);
    assert.strictEqual(await text(wrapping, w), '7');
  });

  it('LinkedList (a short list ends in an error) and HashSet', async () => {
    const node = t.add({ kind: 'struct', name: 'alloc::collections::linked_list::Node<u8>', size: 24, fields: [] });
    const nodePtr = t.nonNull(node);
    const optNode = t.nicheOption(nodePtr, 0n);
    t.type(node).fields = [
      { name: 'next', offset: 0, type: optNode },
      { name: 'prev', offset: 8, type: optNode },
      { name: 'element', offset: 16, type: u8 },
    ];
    const list = t.struct('alloc::collections::linked_list::LinkedList<u8, alloc::alloc::Global>', 24, [['head', 0, optNode], ['tail', 8, optNode], ['len', 16, usize]], [u8, t.global()]);
    const n2 = m.alloc(24);
    m.write(n2 + 16, [2]);
    const n1 = m.alloc(24);
    m.u64(n1, n2);
    m.write(n1 + 16, [1]);
    const l = m.alloc(24);
    m.u64(l, n1);
    m.u64(l + 8, n2);
    m.u64(l + 16, 2);
    assert.strictEqual(await text(list, l), '[1, 2]');
    m.u64(l + 16, 3);
    assert.strictEqual(await text(list, l), '[1, 2, <error: list ends after 2 of 3 nodes>]');

    const unit = t.prim('()');
    const setMap = t.hashMap(u8, unit, 1, 0, 1);
    const hashbrownSet = t.struct('hashbrown::set::HashSet<u8, std::hash::random::RandomState, alloc::alloc::Global>', 48, [['map', 0, t.type(setMap).fields![0].type]]);
    const set = t.struct('std::collections::hash::set::HashSet<u8, std::hash::random::RandomState, alloc::alloc::Global>', 48, [['base', 0, hashbrownSet]], [u8]);
    const base = m.alloc(4 + 4 + 16, 16);
    const ctrl = base + 4;
    m.write(ctrl, new Array(20).fill(0xff));
    m.write(ctrl - 3, [9]);
    m.write(ctrl + 2, [0x33]);
    const s = m.alloc(48);
    m.u64(s, ctrl);
    m.u64(s + 8, 3);
    m.u64(s + 24, 1);
    assert.strictEqual(await text(set, s), '{9}');
  });

  it('dyn Trait shows the concrete type found from the vtable (link-time address = runtime - slide)', async () => {
    const concrete = t.struct('demo::Circle', 8, [['r', 0, t.prim('f64')]]);
    t.vtables.set(0x5000, concrete);
    const dyn = t.struct('alloc::boxed::Box<dyn demo::Shape, alloc::alloc::Global>', 16, [['pointer', 0, t.pointer(u8, '*const dyn demo::Shape')], ['vtable', 8, t.pointer(usize, '&[usize; 4]')]]);
    const obj = m.alloc(8);
    m.f64(obj, 1.5);
    const at = m.alloc(16);
    m.u64(at, obj);
    m.u64(at + 8, 0x6000);
    assert.strictEqual(await text(dyn, at), 'Circle { r: 1.5 }');
    const children = await f().children({ type: dyn, address: at, expr: 'b' });
    assert.deepStrictEqual(children.map((c) => [c.name, c.value, c.evaluateName]), [['r', '1.5', 'b.r'], ['[type]', 'demo::Circle', undefined]]);
    m.u64(at + 8, 0x9999);
    assert.match(await text(dyn, at), /^Box \{ pointer: 0x[0-9a-f]+, vtable: 0x9999 \} <concrete type not found from the vtable>$/);
  });

  it('closures show their captures by name', async () => {
    const vec = t.vec(u32);
    const env = t.struct('demo::main::{closure_env#0}', 8, [['_ref__v', 0, t.pointer(vec, '&alloc::vec::Vec<u32, alloc::alloc::Global>', 'ref')]]);
    const data = m.alloc(4, 4);
    m.int(data, 1, 4);
    const v = m.alloc(24);
    m.vecAt(v, data, 1, 1);
    const c = m.alloc(8);
    m.u64(c, v);
    assert.strictEqual(await text(env, c, 'f'), '{closure_env#0} { v: [1] }');
  });
});
