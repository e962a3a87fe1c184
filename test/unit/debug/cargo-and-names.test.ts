// Cargo's JSON messages and artifact choice, frame names without hashes, and which requests may reach lldb-dap.
import * as assert from 'node:assert';
import { backendSupports, clientCapabilities } from '../../../src/debug/backend-capabilities';
import { cargoCommandLine, parseCargoMessages, pickArtifact } from '../../../src/debug/cargo-build';
import { rustFrameName, withoutLegacyHash } from '../../../src/debug/frame-names';

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
