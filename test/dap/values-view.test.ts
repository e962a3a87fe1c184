// The Variables view through the adapter, end to end: lldb-dap lists the locals, our workers read the DWARF types and memory, and every value equals the program's own {:?}; children page through our own references.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { OWN_REFERENCE_BASE, VALUE_FORMAT_REQUEST } from '../../src/debug/session-values';
import { initializeLikeVsCode, startClient, stopQuietly, WAIT_MS } from './support/client';
import { markerLine, sourceOf } from './support/programs';
import { buildValuesOracle, firstItems, printedValues } from './support/values-oracle-program';

const TOOLCHAINS = [
  { name: 'stable', rustc: 'rustc', args: [] as string[] },
  { name: 'Debian 1.63', rustc: '/usr/bin/rustc', args: ['--cfg', 'old_rustc'] },
];

/** Printed values longer than our 1,000-character summary budget are checked by their first page of children. */
const WHOLE_TEXT_LIMIT = 900;

describe('the Variables view through the adapter: our text equals the program\'s {:?}', function () {
  this.timeout(WAIT_MS * 4);
  for (const toolchain of TOOLCHAINS) {
    describe(`built by rustc ${toolchain.name}`, () => {
      let dc: DebugClient;
      let locals: DebugProtocol.Variable[];
      const printed = new Map<string, string>();

      before(async () => {
        if (toolchain.rustc.startsWith('/') && !fs.existsSync(toolchain.rustc)) throw new Error(`${toolchain.rustc} is missing: install Debian's rustc (.ci/run does)`);
        const program = buildValuesOracle(toolchain);
        dc = await startClient();
        let stdout = '';
        dc.on('output', (e: DebugProtocol.OutputEvent) => {
          if (e.body.category === 'stdout') stdout += e.body.output;
        });
        const source = sourceOf('values_oracle');
        const stopped = dc.waitForEvent('stopped', WAIT_MS);
        await Promise.all([
          dc.waitForEvent('initialized', WAIT_MS).then(async () => {
            await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: markerLine(source, 'values') }] });
            await dc.configurationDoneRequest();
          }),
          initializeLikeVsCode(dc).then(() => dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments)),
        ]);
        const threadId = ((await stopped).body as DebugProtocol.StoppedEvent['body']).threadId!;
        const frameId = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].id;
        const scopes = await dc.scopesRequest({ frameId });
        locals = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
        for (let i = 0; i < 100 && !stdout.includes('\nfn_pointer = '); i++) await new Promise((r) => setTimeout(r, 50));
        for (const [name, value] of printedValues(stdout)) printed.set(name, value);
      });
      after(() => stopQuietly(dc));

      const local = (name: string): DebugProtocol.Variable => {
        const v = locals.find((l) => l.name === name);
        assert.ok(v, `${name} is listed`);
        return v;
      };
      const children = async (v: DebugProtocol.Variable, start?: number, count?: number): Promise<DebugProtocol.Variable[]> =>
        (await dc.variablesRequest({ variablesReference: v.variablesReference, start, count })).body.variables;

      it('every local reads as the program printed it (or, when longer than the summary, starts with its length and its first page is the first items)', async () => {
        assert.ok(printed.size >= 60, `the program printed ${printed.size} locals`);
        const mismatches: string[] = [];
        for (const [name, expected] of printed) {
          const ours = locals.find((l) => l.name === name);
          if (!ours) {
            mismatches.push(`${name}: not listed`);
            continue;
          }
          if (expected.length <= WHOLE_TEXT_LIMIT) {
            if (ours.value !== expected) mismatches.push(`${name}: ours ${ours.value} | rust ${expected}`);
            continue;
          }
          if (!ours.value.startsWith('len=')) mismatches.push(`${name}: a cut summary should start with its length: ${ours.value.slice(0, 60)}`);
          const page = await children(ours, 0, 100);
          const items = firstItems(expected, 100);
          const ourItems = page.map((c) => (/^\[\d+\]$/.test(c.name) ? c.value : `${c.name.slice(1, -1)}: ${c.value}`));
          if (JSON.stringify(ourItems) !== JSON.stringify(items)) mismatches.push(`${name}: first children ${ourItems.slice(0, 5).join(', ')} | rust ${items.slice(0, 5).join(', ')}`);
        }
        assert.deepStrictEqual(mismatches, []);
      });

      it('children live in our own references: fields, variant fields, map entries by key, and pages of a large Vec to its end', async () => {
        const point = local('point');
        assert.ok(point.variablesReference >= OWN_REFERENCE_BASE, 'the struct expands through our reference space');
        assert.deepStrictEqual((await children(point)).map((c) => `${c.name}=${c.value}@${c.evaluateName}`), ['x=7@point.x', 'y=2.5@point.y', 'name="origin"@point.name']);
        assert.deepStrictEqual((await children(local('rect'))).map((c) => `${c.name}=${c.value}`), ['0=3', '1=4']);
        assert.deepStrictEqual((await children(local('map_one'))).map((c) => `${c.name}=${c.value}@${c.evaluateName}`), ['["k"]=1@map_one["k"]']);
        const large = local('vec_large');
        assert.strictEqual(large.indexedVariables, 100_000);
        const last = await children(large, 99_900, 100);
        assert.strictEqual(last.length, 100);
        assert.deepStrictEqual(last.slice(-2).map((c) => `${c.name}=${c.value}@${c.evaluateName}`), ['[99998]=99998@vec_large[99998]', '[99999]=99999@vec_large[99999]']);
        // A child with children of its own expands too (a nested Option<String> in a Vec).
        const nested = await children(local('nested'));
        assert.deepStrictEqual(nested.map((c) => c.value), ['Some("a")', 'None', 'Some("")']);
      });

      it('View as Hex switches integers to hexadecimal and back, and tells the client to redraw', async () => {
        const relist = async (): Promise<DebugProtocol.Variable[]> => {
          const threadId = (await dc.threadsRequest()).body.threads[0].id;
          const frameId = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].id;
          const scopes = await dc.scopesRequest({ frameId });
          return (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
        };
        const redraw = dc.waitForEvent('invalidated', WAIT_MS);
        await dc.customRequest(VALUE_FORMAT_REQUEST, { hex: true });
        assert.deepStrictEqual(((await redraw) as DebugProtocol.InvalidatedEvent).body.areas, ['variables']);
        let now = await relist();
        assert.strictEqual(now.find((v) => v.name === 'small')?.value, '0x1');
        assert.strictEqual(now.find((v) => v.name === 'vec_small')?.value, '[0x1, 0x2, 0x3]');
        await dc.customRequest(VALUE_FORMAT_REQUEST, { hex: false });
        now = await relist();
        assert.strictEqual(now.find((v) => v.name === 'small')?.value, '1');
      });
    });
  }
});
