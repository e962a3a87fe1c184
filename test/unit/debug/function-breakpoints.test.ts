// Function breakpoints by Rust path: which functions a name resolves to, where past the prologue each stops, and the lldb commands that place them.
import * as assert from 'node:assert/strict';
import {
  addressBreakpointCommand,
  afterPrologue,
  lldbQuote,
  normaliseRustPath,
  parseBreakpointSetOutput,
  resolutionMessage,
  resolveRustPath,
  type PathLookup,
} from '../../../src/debug/function-breakpoints';
import { hasFile } from '../../../src/debug/session-symbols';
import type { ModuleSymbolHit } from '../../../src/symbols/module-registry';

const fn = (name: string, address: number, extra: Partial<ModuleSymbolHit> = {}): ModuleSymbolHit => ({ name, kind: 'function', address, size: 64, file: '/src/lib.rs', line: 10, module: 'app', ...extra });

/** A lookup over a fixed name table; every function's lines: entry line 10 for 8 bytes, then line 11. */
function lookupOf(table: Record<string, ModuleSymbolHit[]>, lines?: (module: string, a: number) => { file?: string; line?: number } | undefined): PathLookup {
  return {
    resolveFunction: (name) => table[name] ?? [],
    lineAt: lines ?? ((_m, a) => ({ file: '/src/lib.rs', line: a % 0x100 < 8 ? 10 : 11 })),
  };
}

describe('function breakpoints by Rust path', () => {
  it('resolves a path to every function of that name, past the prologue, with runtime addresses moved alike', () => {
    const lookup = lookupOf({ 'app::geometry::scale': [fn('app::geometry::scale', 0x1000, { runtimeAddress: 0x5555_0000_1000 })] });
    const r = resolveRustPath('app::geometry::scale', lookup);
    assert.equal(r.allInstances, false);
    assert.deepEqual(r.sites, [{ module: 'app', name: 'app::geometry::scale', fileAddress: 0x1008, runtimeAddress: 0x5555_0000_1008, file: '/src/lib.rs', line: 11 }]);
  });

  it('takes every generic instance, and falls back to all instances when the symbols lack generic arguments', () => {
    const instances = [fn('app::largest', 0x2000), fn('app::largest', 0x3000)];
    const lookup = lookupOf({ 'app::largest': instances });
    assert.equal(resolveRustPath('app::largest', lookup).sites.length, 2);
    const typed = resolveRustPath('app::largest::<f32>', lookup);
    assert.equal(typed.allInstances, true);
    assert.equal(typed.sites.length, 2);
    assert.match(resolutionMessage('app::largest::<f32>', typed) ?? '', /2 locations.*generic arguments/);
    assert.equal(resolutionMessage('x', { sites: typed.sites.slice(0, 1), allInstances: false }), undefined);
  });

  it('prefers functions to public symbols of the same name, uses publics when that is all there is, and nothing for unknown names', () => {
    const pub: ModuleSymbolHit = { name: 'app::f', kind: 'public', address: 0x4000, module: 'app.exe' };
    assert.deepEqual(resolveRustPath('app::f', lookupOf({ 'app::f': [pub, fn('app::f', 0x5000)] })).sites.map((s) => s.fileAddress), [0x5008]);
    assert.deepEqual(resolveRustPath('app::f', lookupOf({ 'app::f': [pub] })).sites, [{ module: 'app.exe', name: 'app::f', fileAddress: 0x4000 }]);
    assert.deepEqual(resolveRustPath('app::nothing', lookupOf({})).sites, []);
    assert.deepEqual(resolveRustPath('   ', lookupOf({})).sites, []);
  });

  it('stays at the entry when the line table shows no second line within the function', () => {
    const hit = fn('app::tiny', 0x6000, { size: 4 });
    assert.deepEqual(afterPrologue(hit, lookupOf({}, () => ({ file: '/src/lib.rs', line: 10 }))), { address: 0x6000, file: '/src/lib.rs', line: 10 });
    assert.deepEqual(afterPrologue(hit, lookupOf({}, () => undefined)), { address: 0x6000, file: '/src/lib.rs', line: 10 });
  });

  it('accepts what users paste: spaces, a leading ::, fn, () and a legacy hash', () => {
    assert.equal(normaliseRustPath('  fn ::app::f::h0123456789abcdef '), 'app::f');
    assert.equal(normaliseRustPath('app::f()'), 'app::f');
    assert.equal(normaliseRustPath('<app::S as core::fmt::Debug>::fmt'), '<app::S as core::fmt::Debug>::fmt');
  });

  it('builds lldb address breakpoints in a module, quoting Windows paths, conditions and hit counts', () => {
    const site = { module: 'my app.exe', name: 'f', fileAddress: 0x140001000 };
    assert.equal(addressBreakpointCommand(site), 'breakpoint set --address 0x140001000 --shlib "my app.exe"');
    assert.equal(
      addressBreakpointCommand(site, { condition: 'name == "a\\b"', hitCondition: '3' }),
      'breakpoint set --address 0x140001000 --shlib "my app.exe" --condition "name == \\"a\\\\b\\"" --ignore-count 2',
    );
    assert.equal(addressBreakpointCommand(site, { hitCondition: 'x > 2' }), 'breakpoint set --address 0x140001000 --shlib "my app.exe"');
    assert.equal(lldbQuote('C:\\a\\b'), '"C:\\\\a\\\\b"');
  });

  it('reads the breakpoint id from lldb, and says what lldb answered when it set none', () => {
    assert.equal(parseBreakpointSetOutput('Breakpoint 7: where = app`app::f + 8 at lib.rs:11:5, address = 0x0000555555559008\n'), 7);
    assert.equal(parseBreakpointSetOutput('Breakpoint 12: address = app[0x0000000000001008]'), 12);
    assert.throws(() => parseBreakpointSetOutput('error: invalid address'), /lldb did not set the address breakpoint: error: invalid address/);
  });

  it('loads modules that have a file, not [vdso] and the like', () => {
    assert.equal(hasFile({ id: 1, name: 'app', path: '/work/app' }), true);
    assert.equal(hasFile({ id: 2, name: 'app.exe', path: 'C:\\work\\app.exe' }), true);
    assert.equal(hasFile({ id: 3, name: '[vdso]', path: '[vdso]' }), false);
    assert.equal(hasFile({ id: 4, name: 'x' }), false);
  });
});
