// Classification of the type names lldb reports for Rust values.
import * as assert from 'node:assert';
import { genericArguments, knownSize, rustTypeName, scalarType, typeShape } from '../../../src/rust/rust-types';

describe('rust types as lldb names them', () => {
  it('maps C names of primitives to Rust sizes and names', () => {
    assert.deepStrictEqual(scalarType('unsigned long'), { kind: 'int', size: 8, signed: false, rust: 'u64' });
    assert.strictEqual(scalarType('int')?.rust, 'i32');
    assert.strictEqual(scalarType('char32_t')?.kind, 'char');
    assert.strictEqual(scalarType('double')?.size, 8);
    assert.strictEqual(scalarType('values::Point'), undefined);
    assert.strictEqual(rustTypeName('unsigned short'), 'u16');
  });

  it('splits generic arguments at the top level only', () => {
    assert.deepStrictEqual(genericArguments('alloc::vec::Vec<alloc::vec::Vec<int, alloc::alloc::Global>, alloc::alloc::Global>'), [
      'alloc::vec::Vec<int, alloc::alloc::Global>',
      'alloc::alloc::Global',
    ]);
    assert.deepStrictEqual(genericArguments('Foo<(u8, i64), [u16; 4]>'), ['(u8, i64)', '[u16; 4]']);
  });

  it('recognises std layouts', () => {
    assert.deepStrictEqual(typeShape('alloc::vec::Vec<values::Point, alloc::alloc::Global>'), { kind: 'vec', element: 'values::Point' });
    assert.deepStrictEqual(typeShape('&[u16]'), { kind: 'slice', element: 'u16' });
    assert.deepStrictEqual(typeShape('&mut str'), { kind: 'str' });
    assert.deepStrictEqual(typeShape('unsigned short[4]'), { kind: 'array', element: 'unsigned short', length: 4 });
    assert.deepStrictEqual(typeShape('values::Point *'), { kind: 'pointer', pointee: 'values::Point' });
    assert.strictEqual(typeShape('std::collections::hash::map::HashMap<alloc::string::String, unsigned int, std::hash::random::RandomState, alloc::alloc::Global>').kind, 'hashMap');
    assert.strictEqual(knownSize('alloc::string::String'), 24);
    assert.strictEqual(knownSize('&str'), 16);
    assert.strictEqual(knownSize('values::Point'), undefined);
  });
});
