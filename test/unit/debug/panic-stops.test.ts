// The "Rust: Panic" filter's pure parts: panic reports in program output (both hook formats, CRLF), the breakpoint id of a stop, and the filter split off a setExceptionBreakpoints request.
import * as assert from 'node:assert';
import { breakpointIdOfStop, isStdFrame, panicBreakpointCommand, parsePanicReports, splitExceptionFilters } from '../../../src/debug/panic-stops';

describe('panic reports in program output', () => {
  it('reads the current hook format, with and without a thread id, up to its note line', () => {
    const out = [
      'day 1\n',
      "\nthread 'main' (28704) panicked at src/main.rs:7:9:\nlevel 7 is too deep\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
      'caught: true\n',
      "\nthread 'worker-2' panicked at src\\lib.rs:12:5:\nindex out of bounds: the len is 3 but the index is 5\n",
    ].join('');
    assert.deepStrictEqual(parsePanicReports(out), [
      { thread: 'main', location: 'src/main.rs:7:9', message: 'level 7 is too deep' },
      { thread: 'worker-2', location: 'src\\lib.rs:12:5', message: 'index out of bounds: the len is 3 but the index is 5' },
    ]);
  });

  it('reads the format of Rust before 1.73, and a message over several lines', () => {
    assert.deepStrictEqual(parsePanicReports("thread '<unnamed>' panicked at 'level 3 is too deep', panics.rs:7:9\nnote: run with\n"), [
      { thread: '<unnamed>', location: 'panics.rs:7:9', message: 'level 3 is too deep' },
    ]);
    assert.deepStrictEqual(parsePanicReports("thread 'main' panicked at src/main.rs:3:5:\nfirst line\nsecond line\nstack backtrace:\n   0: x\n"), [
      { thread: 'main', location: 'src/main.rs:3:5', message: 'first line\nsecond line' },
    ]);
  });

  it('reads Windows output (CRLF, a drive letter in the location)', () => {
    const out = "\r\nthread 'main' panicked at C:\\work\\app\\src\\main.rs:10:5:\r\nboom\r\nnote: run with `RUST_BACKTRACE=1`\r\n";
    assert.deepStrictEqual(parsePanicReports(out), [{ thread: 'main', location: 'C:\\work\\app\\src\\main.rs:10:5', message: 'boom' }]);
  });

  it('finds nothing in output without a panic, or with only its first piece', () => {
    assert.deepStrictEqual(parsePanicReports('thread count: 4\nall done\n'), []);
    assert.deepStrictEqual(parsePanicReports("\nthread 'main' panicked at "), []);
  });
});

describe('panic breakpoint plumbing', () => {
  it('takes the breakpoint id from the stop description lldb-dap gives, or its one hit id', () => {
    assert.strictEqual(breakpointIdOfStop({ reason: 'breakpoint', description: 'breakpoint 2.1', threadId: 1 }), 2);
    assert.strictEqual(breakpointIdOfStop({ reason: 'breakpoint', threadId: 1, hitBreakpointIds: [5] } as never), 5);
    assert.strictEqual(breakpointIdOfStop({ reason: 'step', description: 'step over', threadId: 1 }), undefined);
    assert.strictEqual(breakpointIdOfStop(undefined), undefined);
  });

  it('splits the panic filter, with its condition, off what goes to lldb-dap', () => {
    assert.deepStrictEqual(splitExceptionFilters({ filters: ['cpp_throw', 'rust_panic'] }), { panic: {}, backend: { filters: ['cpp_throw'] } });
    assert.deepStrictEqual(splitExceptionFilters({ filters: [], filterOptions: [{ filterId: 'rust_panic', condition: 'x > 1' }, { filterId: 'cpp_catch' }] }), {
      panic: { condition: 'x > 1' },
      backend: { filters: [], filterOptions: [{ filterId: 'cpp_catch' }] },
    });
    assert.deepStrictEqual(splitExceptionFilters({ filters: ['cpp_catch'] }), { panic: undefined, backend: { filters: ['cpp_catch'] } });
  });

  it('sets the breakpoint by base name, quoting a condition for lldb', () => {
    assert.strictEqual(panicBreakpointCommand(), 'breakpoint set --name rust_panic');
    assert.strictEqual(panicBreakpointCommand(' n == "a" '), 'breakpoint set --name rust_panic --condition "n == \\"a\\""');
  });
});

describe('std frames above a panic', () => {
  const frame = (name: string, file?: string) => ({ id: 1, name, line: 1, column: 1, ...(file ? { source: { path: file } } : {}) });

  it('knows std by its source path: as built on Linux and in a Windows PDB, and in rust-src on both', () => {
    assert.ok(isStdFrame(frame('std::panicking::rust_panic_with_hook', '/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs')));
    assert.ok(isStdFrame(frame('core::fmt::Arguments::new_v1', '9d1b2106e23b1abd32fce1f17267604a5102f57a\\library\\core\\src\\fmt\\mod.rs')));
    assert.ok(isStdFrame(frame('x', 'C:\\Users\\me\\.rustup\\toolchains\\stable-x86_64-pc-windows-msvc\\lib\\rustlib\\src\\rust\\library\\core\\src\\panicking.rs')));
    assert.ok(isStdFrame(frame('x', '/home/me/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/alloc/src/vec/mod.rs')));
    // A program's own file, even one named like std's, and a program in a folder called library.
    assert.ok(!isStdFrame(frame('std::fmt::my_shadow', 'C:\\work\\app\\src\\main.rs')));
    assert.ok(!isStdFrame(frame('app::check', '/home/me/library/app/src/main.rs')));
  });

  it('knows std by name when a frame has no source', () => {
    assert.ok(isStdFrame(frame('rust_panic')));
    assert.ok(isStdFrame(frame('__rustc::rust_begin_unwind')));
    assert.ok(isStdFrame(frame('<core::result::Result<T, E>>::unwrap')));
    assert.ok(!isStdFrame(frame('app::check')));
    assert.ok(!isStdFrame(frame('std_helpers::run')));
  });
});

