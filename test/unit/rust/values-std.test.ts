// The value formatters on hand-built rustc layouts and memory images: std types, enums, budgets, children and faults.
import * as assert from 'node:assert';
import { formatVariables, formatterFor } from '../../../src/rust/values-task';
import type { ValueFormatter } from '../../../src/rust/values/value-formatter';
import type { TypeRef } from '../../../src/symbols/type-model';
import { HandTypes, MemoryImage, type Rustc } from './rustc-layouts';

function setup(rustc: Rustc = '1.95', options: { hex?: boolean } = {}): { t: HandTypes; m: MemoryImage; f: () => ValueFormatter } {
  const t = new HandTypes(rustc);
  const m = new MemoryImage();
  return { t, m, f: () => formatterFor(t, m.fetch, options) };
}

async function summary(f: ValueFormatter, type: TypeRef, address: number, expr = 'x'): Promise<string> {
  return f.summary({ type, address, expr });
}

describe('values: std layouts from raw memory', () => {
  for (const rustc of ['1.95', '1.63'] as const) {
    it(`String, &str, Vec and Option<String> (rustc ${rustc})`, async () => {
      const { t, m, f } = setup(rustc);
      const s = m.string('hi\n"é', rustc);
      assert.strictEqual(await summary(f(), t.string(), s), '"hi\\n\\"é"');
      const st = m.alloc(16);
      m.u64(st, m.bytesOf('abc'));
      m.u64(st + 8, 3);
      assert.strictEqual(await summary(f(), t.str(), st), '"abc"');
      const u32 = t.prim('u32');
      const data = m.alloc(12, 4);
      [1, 2, 3].forEach((v, i) => m.int(data + 4 * i, v, 4));
      const v = m.alloc(24);
      m.vecAt(v, data, 3, 4, rustc);
      assert.strictEqual(await summary(f(), t.vec(u32), v), '[1, 2, 3]');
      const empty = m.alloc(24);
      m.vecAt(empty, 4, 0, 0, rustc);
      assert.strictEqual(await summary(f(), t.vec(u32), empty), '[]');

      // Option<String>: 1.95 puts None in the capacity's niche (0x8000000000000000 at offset 0), 1.63 in the null pointer.
      const option = rustc === '1.95' ? t.nicheOption(t.string(), 0x8000000000000000n) : t.nicheOption(t.string(), 0n);
      const none = m.alloc(24);
      if (rustc === '1.95') m.u64(none, 0x8000000000000000n);
      assert.strictEqual(await summary(f(), option, none), 'None');
      const some = m.string('', rustc);
      assert.strictEqual(await summary(f(), option, some), 'Some("")');
    });
  }

  it('tuples, structs, enums and unit as derived Debug prints them', async () => {
    const { t, m, f } = setup();
    const tuple = t.tuple(
      [
        [16, t.prim('u8')],
        [0, t.str()],
        [20, t.prim('f32')],
      ],
      24,
    );
    const at = m.alloc(24);
    m.u64(at, m.bytesOf('two'));
    m.u64(at + 8, 3);
    m.int(at + 16, 1, 1);
    m.f32(at + 20, 3);
    assert.strictEqual(await summary(f(), tuple, at), '(1, "two", 3.0)');

    const point = t.struct('demo::Point', 32, [
      ['x', 24, t.prim('i32')],
      ['y', 16, t.prim('f64')],
      ['name', 0, t.str()],
    ]);
    const p = m.alloc(32);
    m.u64(p, m.bytesOf('origin'));
    m.u64(p + 8, 6);
    m.f64(p + 16, 2.5);
    m.int(p + 24, 7, 4);
    assert.strictEqual(await summary(f(), point, p), 'Point { x: 7, y: 2.5, name: "origin" }');

    const u32 = t.prim('u32');
    const shape = t.enumType('demo::Shape', 16, { offset: 0, size: 4 }, [
      { name: 'Circle', rule: { kind: 'values', values: [0n] }, fields: [['r', 8, t.prim('f64')]] },
      { name: 'Rect', rule: { kind: 'values', values: [1n] }, fields: [['__0', 4, u32], ['__1', 8, u32]] },
      { name: 'Empty', rule: { kind: 'values', values: [2n] }, fields: [] },
    ]);
    const rect = m.alloc(16);
    m.int(rect, 1, 4);
    m.int(rect + 4, 3, 4);
    m.int(rect + 8, 4, 4);
    assert.strictEqual(await summary(f(), shape, rect), 'Rect(3, 4)');
    const circle = m.alloc(16);
    m.f64(circle + 8, 1.5);
    assert.strictEqual(await summary(f(), shape, circle), 'Circle { r: 1.5 }');
    const empty = m.alloc(16);
    m.int(empty, 2, 4);
    assert.strictEqual(await summary(f(), shape, empty), 'Empty');
    const bad = m.alloc(16);
    m.int(bad, 9, 4);
    assert.strictEqual(await summary(f(), shape, bad), '<error: Shape has no variant for discriminant 9>');

    const children = await f().children({ type: shape, address: rect, expr: 'shape' });
    assert.deepStrictEqual(
      children.map((c) => [c.name, c.value, c.evaluateName]),
      [
        ['0', '3', 'shape.0'],
        ['1', '4', 'shape.1'],
      ],
    );
    assert.strictEqual(await summary(f(), t.prim('()'), m.alloc(1)), '()');
  });

  it('cuts a large Vec to the budget, starting with its length, and pages its children', async () => {
    const { t, m, f } = setup();
    const n = 1_000_000;
    const data = m.alloc(4 * n, 4);
    const bytes = new Uint8Array(4 * n);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) view.setUint32(4 * i, i, true);
    m.write(data, bytes);
    const v = m.alloc(24);
    m.vecAt(v, data, n, n);
    const formatter = f();
    const text = await formatter.summary({ type: t.vec(t.prim('u32')), address: v, expr: 'v' }, 40);
    assert.ok(text.startsWith('len=1000000 [0, 1, 2, 3, '), text);
    assert.ok(text.endsWith(', …]'), text);
    const row = await formatter.shown('v', { type: t.vec(t.prim('u32')), address: v, expr: 'v' });
    assert.strictEqual(row.indexedVariables, n);
    assert.ok(row.handle);
    const page = await formatter.children({ type: t.vec(t.prim('u32')), address: v, expr: 'v' }, n - 100, 100);
    assert.strictEqual(page.length, 100);
    assert.deepStrictEqual([page[0].name, page[0].value, page[0].evaluateName], ['[999900]', '999900', 'v[999900]']);
    assert.strictEqual(page[99].value, '999999');
    // Only the pages shown were read: a summary and two pages of children, not 4 MB.
    const read = m.requests.reduce((sum, r) => sum + r.count, 0);
    assert.ok(read < 64 * 1024, `read ${read} bytes`);
  });

  it('HashMap<String, u64> in hashbrown order with entries named by key (rustc 1.95 and 1.63)', async () => {
    for (const rustc of ['1.95', '1.63'] as const) {
      const { t, m, f } = setup(rustc);
      const map = t.hashMap(t.string(), t.prim('u64'), 32, 0, 24);
      const buckets = 8;
      const base = m.alloc(buckets * 32 + buckets + 16, 16);
      const ctrl = base + buckets * 32;
      m.write(ctrl, new Array(buckets + 16).fill(0xff));
      const put = (bucket: number, key: string, value: number): void => {
        const entry = ctrl - (bucket + 1) * 32;
        m.string(key, rustc, entry);
        m.u64(entry + 24, value);
        m.write(ctrl + bucket, [0x12]);
      };
      put(5, 'b', 2);
      put(1, 'a', 1);
      put(6, 'c', 3);
      const at = m.alloc(48);
      const inner = rustc === '1.95' ? at : at + 16;
      if (rustc === '1.95') {
        m.u64(inner, ctrl);
        m.u64(inner + 8, buckets - 1);
      } else {
        m.u64(inner, buckets - 1);
        m.u64(inner + 8, ctrl);
      }
      m.u64(inner + 24, 3);
      const formatter = f();
      assert.strictEqual(await formatter.summary({ type: map, address: at, expr: 'm' }), '{"a": 1, "b": 2, "c": 3}');
      const children = await formatter.children({ type: map, address: at, expr: 'm' }, 1, 2);
      assert.deepStrictEqual(
        children.map((c) => [c.name, c.value, c.evaluateName]),
        [
          ['["b"]', '2', 'm["b"]'],
          ['["c"]', '3', 'm["c"]'],
        ],
      );

      // hashbrown's own HashMap (std's `base`; programs also use the crate directly) reads the same.
      const hashbrownMap = t.type(map).fields!.find((x) => x.name === 'base')!.type;
      assert.strictEqual(await f().summary({ type: hashbrownMap, address: at, expr: 'm' }), '{"a": 1, "b": 2, "c": 3}');

      // A bucket_mask that is not 2^n - 1 is corrupt: an error, not a walk through memory.
      if (rustc === '1.95') m.u64(inner + 8, 6);
      else m.u64(inner, 6);
      assert.strictEqual(await f().summary({ type: map, address: at }), '<error: hash table with 7 buckets and 3 items>');
    }
  });

  it('BTreeMap with an internal node, in key order', async () => {
    const { t, m, f } = setup();
    const u32 = t.prim('u32');
    const layout = t.btreeMap(u32, u32);
    const node = (keys: number[], edges?: number[]): number => {
      const at = m.alloc(layout.leafSize + (edges ? 12 * 8 : 0));
      keys.forEach((k, i) => {
        m.int(at + layout.keys + 4 * i, k, 4);
        m.int(at + layout.vals + 4 * i, k * 2, 4);
      });
      m.int(at + layout.len, keys.length, 2);
      edges?.forEach((e, i) => m.u64(at + layout.edges + 8 * i, e));
      return at;
    };
    const left = node([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const right = node([11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const root = node([10], [left, right]);
    const map = m.alloc(24);
    m.u64(map, root);
    m.u64(map + 8, 1);
    m.u64(map + 16, 20);
    const expected = `{${Array.from({ length: 20 }, (_, i) => `${i}: ${i * 2}`).join(', ')}}`;
    assert.strictEqual(await f().summary({ type: layout.map, address: map, expr: 'b' }), expected);
    const page = await f().children({ type: layout.map, address: map, expr: 'b' }, 9, 3);
    assert.deepStrictEqual(
      page.map((c) => [c.name, c.value, c.evaluateName]),
      [
        ['[9]', '18', 'b[9]'],
        ['[10]', '20', 'b[10]'],
        ['[11]', '22', 'b[11]'],
      ],
    );
    // A node claiming more keys than a node holds stops the walk with an error.
    m.int(right + layout.len, 200, 2);
    assert.match(await f().summary({ type: layout.map, address: map }), /<error: BTreeMap node at 0x[0-9a-f]+ has 200 keys>/);
    const empty = m.alloc(24);
    assert.strictEqual(await f().summary({ type: layout.map, address: empty }), '{}');
  });

  it('Rc<RefCell<Vec<u8>>> shows the value, its borrow state and the counts beside the target', async () => {
    const { t, m, f } = setup();
    const vec = t.vec(t.prim('u8'));
    const borrowCell = t.struct('core::cell::Cell<isize>', 8, [['value', 0, t.struct('core::cell::UnsafeCell<isize>', 8, [['value', 0, t.prim('isize')]])]]);
    const refCell = t.struct('core::cell::RefCell<alloc::vec::Vec<u8, alloc::alloc::Global>>', 32, [
      ['borrow', 0, borrowCell],
      ['value', 8, t.struct('core::cell::UnsafeCell<alloc::vec::Vec<u8, alloc::alloc::Global>>', 24, [['value', 0, vec]])],
    ]);
    const usizeCell = t.struct('core::cell::Cell<usize>', 8, [['value', 0, t.struct('core::cell::UnsafeCell<usize>', 8, [['value', 0, t.prim('usize')]])]]);
    const inner = t.struct('alloc::rc::RcInner<core::cell::RefCell<alloc::vec::Vec<u8, alloc::alloc::Global>>>', 48, [
      ['strong', 0, usizeCell],
      ['weak', 8, usizeCell],
      ['value', 16, refCell],
    ]);
    const rc = t.struct('alloc::rc::Rc<core::cell::RefCell<alloc::vec::Vec<u8, alloc::alloc::Global>>, alloc::alloc::Global>', 8, [['ptr', 0, t.nonNull(inner)]]);
    const box = m.alloc(48);
    m.u64(box, 2);
    m.u64(box + 8, 1);
    const bytes = m.alloc(3, 1);
    m.write(bytes, [7, 8, 9]);
    m.vecAt(box + 24, bytes, 3, 3);
    const at = m.alloc(8);
    m.u64(at, box);
    const formatter = f();
    assert.strictEqual(await formatter.summary({ type: rc, address: at, expr: 'r' }), 'RefCell { value: [7, 8, 9] }');
    const children = await formatter.children({ type: rc, address: at, expr: 'r' });
    assert.deepStrictEqual(
      children.map((c) => [c.name, c.value]),
      [
        ['value', '[7, 8, 9]'],
        ['[borrow]', 'not borrowed'],
        ['[strong]', '2'],
        ['[weak]', '0'],
      ],
    );
    assert.strictEqual(children[0].evaluateName, 'r.value');
    m.u64(box + 16, -1n);
    assert.strictEqual(await f().summary({ type: rc, address: at }), 'RefCell { value: <borrowed> }');
  });

  it('VecDeque in ring order (1.95 head/len and 1.63 tail/head)', async () => {
    for (const rustc of ['1.95', '1.63'] as const) {
      const { t, m, f } = setup(rustc);
      const u8 = t.prim('u8');
      const raw = t.rawVec(u8);
      const usize = t.prim('usize');
      const deque =
        rustc === '1.95'
          ? t.struct('alloc::collections::vec_deque::VecDeque<u8, alloc::alloc::Global>', 32, [['buf', 0, raw], ['head', 16, usize], ['len', 24, usize]], [u8, t.global()])
          : t.struct('alloc::collections::vec_deque::VecDeque<u8, alloc::alloc::Global>', 32, [['tail', 0, usize], ['head', 8, usize], ['buf', 16, raw]], [u8, t.global()]);
      const ring = m.alloc(4, 1);
      m.write(ring, [3, 4, 1, 2]);
      const at = m.alloc(32);
      if (rustc === '1.95') {
        m.u64(at, 4);
        m.u64(at + 8, ring);
        m.u64(at + 16, 2);
        m.u64(at + 24, 4);
      } else {
        // tail 2, head 1: elements at 2, 3, 0 (len 3, one slot kept free).
        m.u64(at, 2);
        m.u64(at + 8, 1);
        m.u64(at + 16, ring);
        m.u64(at + 24, 4);
      }
      assert.strictEqual(await f().summary({ type: deque, address: at }), rustc === '1.95' ? '[1, 2, 3, 4]' : '[1, 2, 3]');
    }
  });

  it('hex formats every integer, also inside collections', async () => {
    const { t, m, f } = setup('1.95', { hex: true });
    const data = m.alloc(2, 1);
    m.write(data, [255, 16]);
    const v = m.alloc(24);
    m.vecAt(v, data, 2, 2);
    assert.strictEqual(await f().summary({ type: t.vec(t.prim('u8')), address: v }), '[0xff, 0x10]');
  });
});

describe('values: faults', () => {
  it('a Vec with len 2^60 is refused before anything is read', async () => {
    const { t, m, f } = setup();
    const v = m.alloc(24);
    m.vecAt(v, 0x20000, 2 ** 60, 2 ** 60);
    const before = m.requests.length;
    assert.match(await f().summary({ type: t.vec(t.prim('u64')), address: v }), /^<error: length 1152921504606846976 is more than memory can hold>$/);
    assert.ok(m.requests.every((r) => r.count <= 4096 * 2), JSON.stringify(m.requests.slice(before)));
  });

  it('a length beyond the capacity, a dangling pointer and unreadable memory show errors for that value only', async () => {
    const { t, m, f } = setup();
    const v = m.alloc(24);
    m.vecAt(v, 0x4000_0000, 3, 2);
    assert.strictEqual(await f().summary({ type: t.vec(t.prim('u8')), address: v }), '<error: length 3 exceeds capacity 2>');
    const dangling = m.alloc(24);
    m.vecAt(dangling, 0x7000_0000, 3, 3);
    assert.strictEqual(await f().summary({ type: t.string(), address: dangling }), '<error: cannot read memory at 0x70000000>');
    // A Vec of Strings where the second String's bytes are gone: only that element fails.
    const strings = m.alloc(72);
    m.string('a', '1.95', strings);
    m.vecAt(strings + 24, 0x7100_0000, 1, 1);
    m.string('c', '1.95', strings + 48);
    const outer = m.alloc(24);
    m.vecAt(outer, strings, 3, 3);
    assert.strictEqual(await f().summary({ type: t.vec(t.string()), address: outer }), '["a", <error: cannot read memory at 0x71000000>, "c"]');
  });

  it('a std type whose fields changed falls back to its plain fields with a note, never a wrong value', async () => {
    const { t, m, f } = setup();
    const odd = t.struct('alloc::vec::Vec<u8, alloc::alloc::Global>', 24, [['buffer', 0, t.prim('usize')], ['len', 16, t.prim('usize')]], [t.prim('u8')]);
    const at = m.alloc(24);
    m.u64(at + 16, 3);
    assert.strictEqual(await f().summary({ type: odd, address: at }), "Vec { buffer: 0, len: 3 } <std layout not recognised: alloc::vec::Vec<u8, alloc::alloc::Global> has no field 'buf'>");
  });

  it('a summary that runs out of time says so', async () => {
    const { t, m } = setup();
    const n = 10_000;
    const data = m.alloc(n, 1);
    const v = m.alloc(24);
    m.vecAt(v, data, n, n);
    let clock = 0;
    // Each look at the clock moves it 1 ms: the 250 ms budget runs out after a few hundred elements.
    const formatter = formatterFor(t, m.fetch, {});
    Object.assign(formatter, { now: () => clock++ });
    const text = await formatter.summary({ type: t.vec(t.prim('u8')), address: v }, 100_000);
    assert.match(text, /^len=10000 \[0, 0, .*, …\] <summary cut after 250 ms: expand to see more>$/);
  });

  it('a cancelled task stops formatting', async () => {
    const { t, m } = setup();
    const controller = new AbortController();
    const formatter = formatterFor(t, m.fetch, { signal: controller.signal });
    const v = m.alloc(24);
    m.vecAt(v, m.alloc(10, 1), 10, 10);
    controller.abort();
    await assert.rejects(formatter.summary({ type: t.vec(t.prim('u8')), address: v }));
  });
});

describe('values: frame variables', () => {
  it('pairs lldb-dap locals with declared types, shadowed names by line, and falls back to lldb text', async () => {
    const { t, m, f } = setup();
    const u32 = t.prim('u32');
    const a = m.alloc(4, 4);
    m.int(a, 5, 4);
    const b = m.alloc(4, 4);
    m.int(b, 6, 4);
    const declared = [
      { name: 'x', type: u32, parameter: false, depth: 1, line: 12 },
      { name: 'x', type: t.string(), parameter: false, depth: 0, line: 10 },
      { name: 'y', type: u32, parameter: false, depth: 0 },
    ];
    const shown = await formatVariables(f(), declared, [
      { name: 'x @ main.rs:12', value: '5', memoryReference: `0x${a.toString(16)}` },
      { name: 'x @ main.rs:10', value: '', memoryReference: `0x${m.string('s').toString(16)}` },
      { name: 'y', value: '6' },
      { name: 'z', value: '7', memoryReference: `0x${b.toString(16)}` },
    ]);
    assert.deepStrictEqual(
      shown.map((s) => [s.name, s.value, s.evaluateName, s.fromLldb ?? false]),
      [
        ['x @ main.rs:12', '5', 'x', false],
        ['x @ main.rs:10', '"s"', 'x', false],
        ['y', '6', undefined, true],
        ['z', '7', undefined, true],
      ],
    );
  });

  it('a reference-typed local whose memoryReference is its pointee is shown through the pointer value', async () => {
    const { t, m, f } = setup();
    const s = m.string('hello');
    const ref = t.pointer(t.string(), '&alloc::string::String', 'ref');
    const shown = await formatVariables(f(), [{ name: 'r', type: ref, parameter: true, depth: 0 }], [{ name: 'r', value: `0x${s.toString(16).padStart(16, '0')}`, memoryReference: `0x${s.toString(16)}` }]);
    assert.strictEqual(shown[0].value, '"hello"');
  });
});
