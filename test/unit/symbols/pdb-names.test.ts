// rustc's CodeView spellings turned into Rust paths, and the demangling switch for mangled publics.

import * as assert from 'node:assert/strict';
import { cleanRustCodeViewName, demanglePublic } from '../../../src/symbols/pdb/pdb-names';

describe('PDB names', () => {
  it('rewrites rustc\'s MSVC spellings into Rust syntax', () => {
    const cases: Array<[string, string]> = [
      ['core::ops::function::FnOnce::call_once<std::rt::lang_start::closure$0,tuple$<> >', 'core::ops::function::FnOnce::call_once<std::rt::lang_start::{closure#0}, ()>'],
      ['std::process::impl$48::report', 'std::process::{impl#48}::report'],
      ['core::ptr::drop_in_place<ref$<str> >', 'core::ptr::drop_in_place<&str>'],
      ['f<ref_mut$<slice$<u8> >,ptr_const$<i32>,ptr_mut$<u8> >', 'f<&mut [u8], *const i32, *mut u8>'],
      ['g<array$<u8,4>,tuple$<i32,f64>,tuple$<bool> >', 'g<[u8; 4], (i32, f64), (bool,)>'],
      ['drop_in_place<enum$<core::option::Option<u32> > >', 'drop_in_place<core::option::Option<u32>>'],
      ['drop_in_place<enum2$<core::result::Result<u8,never$> > >', 'drop_in_place<core::result::Result<u8, !>>'],
      ['h<ref$<dyn$<core::fmt::Debug,core::marker::Send> > >', 'h<&dyn core::fmt::Debug + core::marker::Send>'],
      ['core::ops::function::FnOnce::call_once<void (*)(),tuple$<> >', 'core::ops::function::FnOnce::call_once<fn(), ()>'],
      ['a::b::closure_env$3', 'a::b::{closure_env#3}'],
      ['plain::path', 'plain::path'],
    ];
    for (const [raw, clean] of cases) {
      assert.equal(cleanRustCodeViewName(raw), clean, raw);
      assert.equal(cleanRustCodeViewName(clean), clean, `idempotent on ${clean}`);
    }
  });

  it('leaves malformed names unchanged instead of failing', () => {
    for (const bad of ['a<b', 'a>b', 'x<y,<', 'z$<'.repeat(300), '<'.repeat(5000)]) assert.equal(cleanRustCodeViewName(bad), bad);
  });

  it('demangles Rust publics and leaves C, C++ and MSVC-decorated names alone', () => {
    assert.equal(demanglePublic('_ZN4core3ops8function6FnOnce9call_once17hefe17fa8d41dcbabE'), 'core::ops::function::FnOnce::call_once');
    assert.equal(demanglePublic('_RNvCs1234_5hello4main'), 'hello::main');
    for (const other of ['RtlCaptureContext', '?__scrt_initialize_type_info@@YAXXZ', '__imp_GetCurrentThreadId', 'mainCRTStartup']) {
      assert.equal(demanglePublic(other), undefined, other);
    }
  });
});
