// Cargo's JSON messages and artifact choice, frame names without hashes and shortened, and which requests may reach lldb-dap.
import * as assert from 'node:assert';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { backendSupports, clientCapabilities } from '../../../src/debug/backend-capabilities';
import { cargoCommandLine, parseCargoMessages, pickArtifact } from '../../../src/debug/cargo-build';
import { FrameNames, fullNameOrigin, rustFrameName, shortFrameName, withoutLegacyHash } from '../../../src/debug/frame-names';

describe('cargo build output', () => {
  const lines = [
    '{"reason":"compiler-message","message":{"rendered":"warning: unused variable\\n"}}',
    '{"reason":"compiler-artifact","target":{"name":"demo","kind":["lib"]},"executable":null}',
    '{"reason":"compiler-artifact","target":{"name":"demo","kind":["bin"]},"executable":"C:\\\\w\\\\target\\\\debug\\\\demo.exe"}',
    '{"reason":"compiler-artifact","target":{"name":"other","kind":["example"]},"executable":"C:\\\\w\\\\target\\\\debug\\\\examples\\\\other.exe"}',
    'not json',
    '{"reason":"build-finished","success":true}',
  ];

  it('collects executables and rendered messages', () => {
    const { artifacts, messages } = parseCargoMessages(lines);
    assert.deepStrictEqual(messages, ['warning: unused variable\n']);
    assert.deepStrictEqual(artifacts.map((a) => a.executable), ['C:\\w\\target\\debug\\demo.exe', 'C:\\w\\target\\debug\\examples\\other.exe']);
  });

  it('picks by name and kind, and explains ambiguity and absence', () => {
    const { artifacts } = parseCargoMessages(lines);
    assert.strictEqual(pickArtifact(artifacts, { kind: 'example' }), 'C:\\w\\target\\debug\\examples\\other.exe');
    assert.strictEqual(pickArtifact(artifacts, { name: 'demo' }), 'C:\\w\\target\\debug\\demo.exe');
    assert.throws(() => pickArtifact(artifacts, undefined), /several executables \(demo \(bin\), other \(example\)\); add "filter"/);
    assert.throws(() => pickArtifact(artifacts, { name: 'nope' }), /no executable matching \{"name":"nope"\}/);
  });

  it('adds the JSON format, and --no-run for cargo test', () => {
    assert.deepStrictEqual(cargoCommandLine({ args: ['build', '--bin=demo'] }), ['build', '--bin=demo', '--message-format=json']);
    assert.deepStrictEqual(cargoCommandLine({ args: ['test', '--lib'] }), ['test', '--no-run', '--lib', '--message-format=json']);
  });
});

describe('frame names', () => {
  it('drops the legacy ::h<hash> suffix only', () => {
    assert.strictEqual(withoutLegacyHash('values::main::hc89f1824c9b61e1d'), 'values::main');
    assert.strictEqual(withoutLegacyHash('core::ops::function::FnOnce::call_once::h1f18a5edfa883f9b{{vtable.shim}}'), 'core::ops::function::FnOnce::call_once{{vtable.shim}}');
    assert.strictEqual(withoutLegacyHash('my::hash::h123'), 'my::hash::h123');
    assert.strictEqual(withoutLegacyHash('<T as Trait>::method'), '<T as Trait>::method');
  });

  it('decodes legacy escapes LLDB leaves in frame names, and leaves other names alone', () => {
    assert.strictEqual(rustFrameName('std::rt::lang_start::_$u7b$$u7b$closure$u7d$$u7d$::h0b1c2d3e4f5a6b7c'), 'std::rt::lang_start::{{closure}}');
    assert.strictEqual(rustFrameName('core::ptr::drop_in_place$LT$alloc..string..String$GT$'), 'core::ptr::drop_in_place<alloc::string::String>');
    assert.strictEqual(rustFrameName('warehouse::main'), 'warehouse::main');
    assert.strictEqual(rustFrameName('<&dyn core::ops::function::Fn<()> as x>::call'), '<&dyn core::ops::function::Fn<()> as x>::call');
    assert.strictEqual(rustFrameName('odd$name'), 'odd$name');
  });
});

describe('short frame names', () => {
  // Names as lldb-22 showed them for a rustc 1.95 program stopped in a panic inside an iterator closure.
  it('drops core/alloc/std module paths inside generic arguments and keeps the frame\'s own path', () => {
    assert.strictEqual(
      shortFrameName('<&dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync + core::panic::unwind_safe::RefUnwindSafe as core::ops::function::FnOnce<()>>::call_once'),
      '<&dyn Fn<(), Output = i32> + Sync + RefUnwindSafe as FnOnce<()>>::call_once',
    );
    assert.strictEqual(
      shortFrameName('std::panicking::catch_unwind::<i32, &dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync + core::panic::unwind_safe::RefUnwindSafe>'),
      'std::panicking::catch_unwind::<i32, &dyn Fn<(), Output = i32> + Sync + RefUnwindSafe>',
    );
    assert.strictEqual(shortFrameName('<core::slice::iter::Iter<T> as core::iter::traits::iterator::Iterator>::fold'), '<Iter<T> as Iterator>::fold');
    assert.strictEqual(shortFrameName('warehouse::total::<alloc::vec::Vec<alloc::string::String>, std::collections::hash::map::HashMap<u32, f::Item>>'), 'warehouse::total::<Vec<String>, HashMap<u32, f::Item>>');
    assert.strictEqual(shortFrameName('core::ops::function::FnOnce::call_once<fn() -> core::result::Result<(), std::io::error::Error>, ()>'), 'core::ops::function::FnOnce::call_once<fn() -> Result<(), Error>, ()>');
  });

  it('shows closures as {closure#0}, and a closure in a generic argument with its function', () => {
    assert.strictEqual(shortFrameName('std::rt::lang_start::{{closure}}'), 'std::rt::lang_start::{closure#0}');
    assert.strictEqual(shortFrameName('std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>'), 'std::sys::backtrace::__rust_end_short_backtrace::<panic_handler::{closure#0}, !>');
    assert.strictEqual(shortFrameName('std::panicking::catch_unwind::<isize, std::rt::lang_start_internal::{closure#0}>'), 'std::panicking::catch_unwind::<isize, lang_start_internal::{closure#0}>');
  });

  it('leaves names without std paths in generic arguments alone', () => {
    for (const name of ['warehouse::main', 'f::main::{closure#0}', 'main', '__libc_start_call_main', 'mystd::x::<mycore::a::B>', '<f::Item as f::Named>::name']) {
      assert.strictEqual(shortFrameName(name), name);
    }
  });

  const frame = (id: number, name: string, path?: string): DebugProtocol.StackFrame => ({ id, name, line: 1, column: 1, source: path ? { path } : undefined });

  it('puts the full names of a file\'s shortened frames in its source origin, per stop, across pages', () => {
    const names = new FrameNames(() => ({ shorten: true }));
    const page1 = [frame(1, 'std::panicking::catch_unwind::<isize, std::rt::lang_start_internal::{closure#0}>', '/rustc/x/library/std/src/panicking.rs')];
    names.shorten(page1, 7);
    assert.strictEqual(page1[0].name, 'std::panicking::catch_unwind::<isize, lang_start_internal::{closure#0}>');
    assert.strictEqual(page1[0].source?.origin, fullNameOrigin(['std::panicking::catch_unwind::<isize, std::rt::lang_start_internal::{closure#0}>']));
    const page2 = [
      frame(2, 'std::panicking::catch_unwind::do_call::<std::rt::lang_start_internal::{closure#0}, isize>', '/rustc/x/library/std/src/panicking.rs'),
      frame(3, 'warehouse::main', '/w/src/main.rs'),
      frame(4, 'std::panicking::catch_unwind::<isize, std::rt::lang_start_internal::{closure#0}>'),
    ];
    names.shorten(page2, 7);
    assert.match(page2[0].source?.origin ?? '', /^Full names of frames in this file:\nstd::panicking::catch_unwind::<isize, std::rt::lang_start_internal::\{closure#0\}>\nstd::panicking::catch_unwind::do_call::<std::rt::lang_start_internal::\{closure#0\}, isize>$/);
    assert.strictEqual(page2[1].source?.origin, undefined, 'a name that was not shortened adds nothing');
    assert.strictEqual(page2[2].source, undefined);
    names.shorten([frame(5, 'std::panicking::catch_unwind::do_call::<std::rt::lang_start_internal::{closure#0}, isize>', '/rustc/x/library/std/src/panicking.rs')], 8);
    assert.strictEqual(page2[0].source?.origin?.startsWith('Full names'), true);
  });

  it('leaves the full names when the setting turns shortening off', () => {
    const names = new FrameNames(() => ({ shorten: false }));
    const frames = [frame(1, 'std::rt::lang_start::{{closure}}', '/rustc/x/library/std/src/rt.rs')];
    names.shorten(frames, 1);
    assert.strictEqual(frames[0].name, 'std::rt::lang_start::{{closure}}');
    assert.strictEqual(frames[0].source?.origin, undefined);
  });
});

describe('backend capabilities', () => {
  const lldbDap19 = { supportsConfigurationDoneRequest: true, supportsFunctionBreakpoints: true };
  it('forwards base requests and announced ones only', () => {
    assert.ok(backendSupports(lldbDap19, 'threads'));
    assert.ok(backendSupports(lldbDap19, 'setFunctionBreakpoints'));
    assert.ok(!backendSupports(lldbDap19, 'readMemory'));
    assert.ok(!backendSupports(lldbDap19, 'cancel'));
    assert.ok(!backendSupports(lldbDap19, 'loadedSources'));
    assert.ok(!backendSupports(lldbDap19, 'someUnknownCommand'));
    assert.ok(backendSupports({ supportsReadMemoryRequest: true }, 'readMemory'));
  });

  it('announces cancel and hover evaluation ourselves, and hides lldb private fields', () => {
    const caps = clientCapabilities({ ...lldbDap19, $__lldb_version: 'x' } as object);
    assert.strictEqual(caps.supportsCancelRequest, true);
    assert.strictEqual(caps.supportsEvaluateForHovers, true);
    assert.ok(!('$__lldb_version' in caps));
  });

  it('puts Rust: Panic first, keeps C++ exception filters and drops Objective-C ones', () => {
    const caps = clientCapabilities({
      exceptionBreakpointFilters: [
        { filter: 'cpp_catch', label: 'C++ Catch' },
        { filter: 'objc_throw', label: 'Objective-C Throw' },
      ],
    });
    assert.deepStrictEqual(caps.exceptionBreakpointFilters?.map((f) => f.filter), ['rust_panic', 'cpp_catch']);
    assert.strictEqual(caps.supportsExceptionInfoRequest, true);
    assert.strictEqual(caps.supportsExceptionFilterOptions, true);
    // An lldb-dap announcing no filters still gets the panic one; a later capabilities event without filters leaves them alone.
    assert.deepStrictEqual(clientCapabilities({}).exceptionBreakpointFilters?.map((f) => f.filter), ['rust_panic']);
    assert.strictEqual(clientCapabilities({ supportsStepBack: false }, false).exceptionBreakpointFilters, undefined);
  });
});
