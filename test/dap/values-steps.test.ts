// Values after the program changes them: a step or a continue must never show what the page cache kept from the stop before (the program's own {:?} at each stop is the oracle).
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { currentStop, launchToMarker, startClient, stopQuietly, WAIT_MS } from './support/client';
import { markerLine, sourceOf } from './support/programs';
import { printedValues } from './support/values-oracle-program';

const NAMES = ['counts', 'name', 'total', 'pair'];

describe('values after a step or a continue are read afresh (no stale page of the stop before)', function () {
  this.timeout(WAIT_MS * 4);
  let dc: DebugClient;
  let stdout = '';
  const source = sourceOf('values_steps');
  const afterLine = markerLine(source, 'after');

  before(async () => {
    dc = await startClient();
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'stdout') stdout += e.body.output;
    });
  });
  after(() => stopQuietly(dc));

  const locals = async (frameId: number): Promise<Map<string, string>> => {
    const scopes = await dc.scopesRequest({ frameId });
    const variables = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
    return new Map(variables.map((v) => [v.name, v.value]));
  };
  /** What the program printed last, once its round `round` has printed. */
  const printed = async (round: number): Promise<Map<string, string>> => {
    for (let i = 0; i < 200 && printedValues(stdout).get('round') !== String(round); i++) await new Promise((r) => setTimeout(r, 25));
    const values = printedValues(stdout);
    assert.strictEqual(values.get('round'), String(round), `the program printed round ${round}`);
    return values;
  };
  const assertShowsPrinted = (shown: Map<string, string>, expected: Map<string, string>, when: string): void => {
    assert.deepStrictEqual(
      NAMES.map((n) => `${n} = ${shown.get(n)}`),
      NAMES.map((n) => `${n} = ${expected.get(n)}`),
      when,
    );
  };

  it('after `next` over the lines that change them, the locals equal what the program printed', async () => {
    const first = await launchToMarker(dc, 'values_steps', 'before');
    // Read everything once: the page cache now holds the buffers' bytes of this stop.
    const before = await locals(first.frameId);
    assert.strictEqual(before.get('counts'), '[1, 2, 3]');
    assert.strictEqual(before.get('name'), '"a"');
    let stop = first;
    for (let i = 0; i < 40 && stop.frames[0].line !== afterLine; i++) {
      const stopped = dc.waitForEvent('stopped', WAIT_MS);
      await dc.nextRequest({ threadId: stop.threadId });
      await stopped;
      stop = await currentStop(dc);
      await locals(stop.frameId); // VS Code reads the locals at every step: each step's reads are cached in turn
    }
    assert.strictEqual(stop.frames[0].line, afterLine, 'stepped to the line after the prints');
    assertShowsPrinted(await locals(stop.frameId), await printed(0), 'after the steps of round 0');
  });

  it('after `continue` to a later stop, the locals equal what the program printed', async () => {
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: afterLine }] });
    let stop = await currentStop(dc);
    const stopped = dc.waitForEvent('stopped', WAIT_MS);
    await dc.continueRequest({ threadId: stop.threadId });
    await stopped;
    stop = await currentStop(dc);
    assert.strictEqual(stop.frames[0].line, afterLine);
    const shown = await locals(stop.frameId);
    assertShowsPrinted(shown, await printed(1), 'at round 1');
    assert.strictEqual(shown.get('counts'), '[21, 2, 3, 0, 1]');
  });
});
