// How the Modules view and Search Symbols present module symbol states and hits.
import * as assert from 'node:assert/strict';
import type { ModuleSymbolsInfo } from '../../../src/debug/session-symbols';
import { describeModule, formatBytes, hitDetail, hitLocation, moduleContextValue, moduleStatusIcons, moduleTooltipMarkdown } from '../../../src/ui/module-presentation';

const base: ModuleSymbolsInfo = { id: '1', name: 'app.exe', path: 'C:\\work\\app.exe', status: 'loading', progress: 0.427, warnings: [] };

describe('module presentation', () => {
  it('describes each status: loading with %, loaded with size and time, publics only, none, error, cancelled', () => {
    assert.equal(describeModule(base), 'loading 42%');
    assert.equal(describeModule({ ...base, progress: 1.5 }), 'loading 100%');
    // A load held back until the first stop says so rather than `loading 0%`.
    assert.equal(describeModule({ ...base, progress: 0, held: true, message: 'waits for the first stop' }), 'waits for the first stop');
    assert.equal(describeModule({ ...base, status: 'loaded', progress: 1, sizeBytes: 3.5 * 1024 * 1024, elapsedMs: 1234 }), 'loaded · 3.5 MB · 1.2 s');
    assert.equal(describeModule({ ...base, status: 'publicsOnly', sizeBytes: 200 * 1024, elapsedMs: 40 }), 'public symbols only · 200 KB · 40 ms');
    assert.equal(describeModule({ ...base, status: 'none' }), 'no symbols');
    assert.equal(describeModule({ ...base, status: 'error', elapsedMs: 5 }), 'error · 5 ms');
    assert.equal(describeModule({ ...base, status: 'cancelled' }), 'cancelled');
    assert.equal(describeModule({ ...base, status: 'loaded', sizeBytes: 2048, elapsedMs: 3, cached: true }), 'loaded · 2.0 KB · 3 ms · reused');
    assert.match(moduleTooltipMarkdown({ ...base, status: 'loaded', cached: true }), /Reused from an earlier debug session/);
    assert.doesNotMatch(moduleTooltipMarkdown({ ...base, status: 'loaded' }), /Reused/);
    for (const s of ['loading', 'loaded', 'publicsOnly', 'none', 'error', 'cancelled'] as const) {
      assert.ok(moduleStatusIcons[s].id);
      assert.equal(moduleContextValue({ ...base, status: s }), `module-${s}`);
    }
  });

  it('puts the error message and the debug info path in the tooltip, escaped', () => {
    const md = moduleTooltipMarkdown({ ...base, status: 'error', error: 'PDB GUID mismatch: app.pdb is for another build', debugInfoPath: 'C:\\work\\app.pdb', warnings: ['unit *skipped*'] });
    assert.match(md, /\*\*Error:\*\* PDB GUID mismatch: app.pdb is for another build/);
    assert.match(md, /Debug info: `C:\\work\\app.pdb`/);
    assert.match(md, /unit \\\*skipped\\\*/);
    assert.doesNotMatch(moduleTooltipMarkdown({ ...base, status: 'loaded' }), /Error/);
  });

  it('formats sizes', () => {
    assert.equal(formatBytes(12), '12 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(40 * 1024 ** 3), '40 GB');
  });

  it('shows a hit as file:line (Windows paths too), or its module when it has no line', () => {
    const hit = { name: 'app::f', kind: 'function' as const, address: 0x140001000, module: 'app.exe', file: 'C:\\src\\main.rs', line: 12 };
    assert.equal(hitLocation(hit), 'main.rs:12');
    assert.equal(hitDetail(hit), 'C:\\src\\main.rs:12 — app.exe');
    assert.equal(hitLocation({ ...hit, file: undefined, line: undefined, kind: 'public' }), 'app.exe · public symbol');
    assert.equal(hitDetail({ ...hit, file: undefined, runtimeAddress: 0x7ff600001000 }), '0x7ff600001000 — app.exe');
  });
});
