// The adapter serves Rust values through the values task in its workers: locals as the program printed them, paged expansion, View as Hex.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { launchToMarker, startClient, stopQuietly, WAIT_MS } from './support/client';

describe('values through the adapter (values_oracle, rustc stable, lldb-dap-22)', function () {
  this.timeout(WAIT_MS * 2);
  let dc: DebugClient;
  let locals: DebugProtocol.Variable[];
  let printed: Map<string, string>;

  before(async () => {
    dc = await startClient();
    let stdout = '';
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') stdout += e.body.output;
    });
    const stop = await launchToMarker(dc, 'values_oracle', 'values');
    const scopes = await dc.scopesRequest({ frameId: stop.frameId });
    const scope = scopes.body.scopes.find((s) => /locals/i.test(s.name))!;
    locals = (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
    for (let i = 0; i < 100 && !stdout.includes('\nfn_pointer = '); i++) await new Promise((r) => setTimeout(r, 50));
    printed = new Map(
      stdout
        .split(/\r?\n/)
        .map((l) => /^(\w+) = (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
  });

  after(() => stopQuietly(dc));

  const local = (name: string): DebugProtocol.Variable => {
    const v = locals.find((l) => l.name === name);
    assert.ok(v, `${name} is among the locals`);
    return v;
  };

  it('shows every short local as the program printed it', () => {
    const mismatches: string[] = [];
    for (const [name, text] of printed) {
      if (text.length > 900) continue;
      const v = locals.find((l) => l.name === name);
      if (v?.value !== text) mismatches.push(`${name}: ${v?.value} | ${text}`);
    }
    assert.deepStrictEqual(mismatches, []);
    assert.ok(printed.size >= 60);
  });

  it('pages a 100,000-element Vec to its end and names map entries by key', async () => {
    const v = local('vec_large');
    assert.strictEqual(v.indexedVariables, 100_000);
    assert.ok(v.value.startsWith('len=100000 [0, 1, 2, 3, '), v.value);
    const last = (await dc.variablesRequest({ variablesReference: v.variablesReference, filter: 'indexed', start: 99_900, count: 100 })).body.variables;
    assert.strictEqual(last.length, 100);
    assert.deepStrictEqual([last[99].name, last[99].value, last[99].evaluateName], ['[99999]', '99999', 'vec_large[99999]']);
    const m = local('map_one');
    const entries = (await dc.variablesRequest({ variablesReference: m.variablesReference })).body.variables;
    assert.deepStrictEqual(
      entries.map((e) => [e.name, e.value, e.evaluateName]),
      [['["k"]', '1', 'map_one["k"]']],
    );
  });

  it('View as Hex formats the integers of a value and of its children', async () => {
    const scopes = await dc.scopesRequest({ frameId: (await dc.stackTraceRequest({ threadId: (await dc.threadsRequest()).body.threads[0].id })).body.stackFrames[0].id });
    const scope = scopes.body.scopes.find((s) => /locals/i.test(s.name))!;
    const hex = (await dc.variablesRequest({ variablesReference: scope.variablesReference, format: { hex: true } })).body.variables;
    assert.strictEqual(hex.find((v) => v.name === 'vec_small')?.value, '[0x1, 0x2, 0x3]');
    const point = hex.find((v) => v.name === 'point')!;
    const fields = (await dc.variablesRequest({ variablesReference: point.variablesReference, format: { hex: true } })).body.variables;
    assert.strictEqual(fields.find((f) => f.name === 'x')?.value, '0x7');
  });
});
