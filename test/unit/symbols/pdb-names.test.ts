// rustc's CodeView spellings turned into Rust paths, and the demangling switch for mangled publics.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { cleanRustCodeViewName, demanglePublic } from '../../../src/symbols/pdb/pdb-names';
import { genericArguments, msvcToRust } from '../../../src/symbols/pdb/msvc-type-names';
import { readPeModule } from '../../../src/symbols/pe/pe-module';
import { fixture } from './pe-llvm-reference';

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
      // Issue 17 defect 9: the spellings the symbol index kept.
      ['drop_in_place<ref$<dyn$<core::ops::function::Fn<tuple$<ref$<core::panic::panic_info::PanicInfo> >,assoc$<Output,tuple$<> > >,core::marker::Send> > >', 'drop_in_place<&dyn core::ops::function::Fn<(&core::panic::panic_info::PanicInfo,), Output = ()> + core::marker::Send>'],
      ['core::ops::function::FnOnce::call_once<never$ (*)(core::alloc::layout::Layout),tuple$<core::alloc::layout::Layout> >', 'core::ops::function::FnOnce::call_once<fn(core::alloc::layout::Layout) -> !, (core::alloc::layout::Layout,)>'],
      ['print_backref<enum$<core::result::Result<tuple$<>,core::fmt::Error> > (*)(ref_mut$<rustc_demangle::v0::Printer>)>', 'print_backref<fn(&mut rustc_demangle::v0::Printer) -> core::result::Result<(), core::fmt::Error>>'],
      ['reserve<tuple$<ptr_mut$<u8>,void (*)(ptr_mut$<u8>)> >', 'reserve<(*mut u8, fn(*mut u8))>'],
      ['try_initialize<core::cell::Cell<enum$<core::option::Option<ref$<u8> >, 1, 18446744073709551615, Some> > (*)()>', 'try_initialize<fn() -> core::cell::Cell<core::option::Option<&u8>>>'],
      ['write_fmt<tuple$<slice$<u8>,i16> >', 'write_fmt<(&[u8], i16)>'],
      ['f<ref$<str$>,ref_mut$<slice2$<u32> >,array$<tuple$<>,0> >', 'f<&str, &mut [u32], [(); 0]>'],
      ['unsigned __int64', 'u64'],
      ['core::option::Option<char>', 'core::option::Option<char>'],
      // rustc 1.64: `str` and `slice$<T>` are references except behind a pointer.
      ['tuple$<u8,str,i16>', '(u8, &str, i16)'],
      ['alloc::boxed::Box<slice$<u8>,alloc::alloc::Global>', 'alloc::boxed::Box<[u8], alloc::alloc::Global>'],
      ['alloc::rc::Rc<str>', 'alloc::rc::Rc<str>'],
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

  it('leaves no CodeView spelling in the function names of the Windows fixtures (issue 17, defect 9)', function () {
    this.timeout(120_000);
    for (const stem of ['msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.58.1', 'msvc-rust/Native_x64_RustC_Rust_debuginfo2_v1.59.0', 'enums-msvc/enums', 'enums-msvc/enums-old']) {
      const exe = fixture(`${stem}.exe`);
      const m = readPeModule(fs.readFileSync(exe), { path: exe, searchPaths: [], readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p) : undefined) });
      const names = [...m.functions.map((f) => f.name), ...m.inlineSites.map((s) => s.name)];
      assert.ok(names.length > 3, stem);
      const left = names.filter((n) => /\b(ref|ref_mut|ptr_const|ptr_mut|slice2?|tuple|enum2?|array|dyn|assoc|never|str)\$|\(\*\)/.test(n));
      assert.deepEqual(left, [], stem);
    }
  });

  it('splits generic arguments at the top level', () => {
    assert.deepEqual(genericArguments('a::Vec<u32, b::C<i8, u8>>'), ['u32', 'b::C<i8, u8>']);
    assert.deepEqual(genericArguments('a::F<fn(u8) -> u32, (i8, u8)>'), ['fn(u8) -> u32', '(i8, u8)']);
    assert.deepEqual(genericArguments('a::Vec<u8>::Iter'), []);
    assert.deepEqual(genericArguments(msvcToRust('enum$<core::option::Option<u8>, 1, 255, Some>')), ['u8']);
  });
});
