// Whole-line output: chunks split mid-line, CRLF split across chunks, a last line without a newline, and what the session passes on around stops.
import * as assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LineBuffer, WholeLineOutput } from '../../../src/debug/output-lines';

function output(text: string, category = 'stdout'): DebugProtocol.OutputEvent {
  return { seq: 0, type: 'event', event: 'output', body: { category, output: text } };
}

function texts(events: DebugProtocol.Event[]): string[] {
  return events.map((e) => (e.event === 'output' ? `${(e as DebugProtocol.OutputEvent).body.category}:${(e as DebugProtocol.OutputEvent).body.output}` : e.event));
}

describe('LineBuffer', () => {
  it('joins a line split mid-word across chunks, and hands back several lines of one chunk together', () => {
    const b = new LineBuffer();
    assert.equal(b.push('   Compiling'), '');
    assert.equal(b.pending, true);
    assert.equal(b.push(' warehouse v0.1.0 (/w/example)\n    Finished `dev` prof'), '   Compiling warehouse v0.1.0 (/w/example)\n');
    assert.equal(b.push('ile\nRunning\n'), '    Finished `dev` profile\nRunning\n');
    assert.equal(b.pending, false);
  });

  it('ends CRLF lines with a single newline, also when the \\r and the \\n arrive in different chunks', () => {
    const b = new LineBuffer();
    assert.equal(b.push('first\r\nsecond\r'), 'first\n');
    assert.equal(b.push('\nthird'), 'second\n');
    assert.equal(b.push('\r\n'), 'third\n');
    // A lone \r (a progress line redrawn in place) is text, not a line end.
    assert.equal(b.push('50%\r100%\n'), '50%\r100%\n');
  });

  it('gives the last line without a newline at the end of the stream, once', () => {
    const b = new LineBuffer();
    assert.equal(b.push('done\nbye'), 'done\n');
    assert.equal(b.flush(), 'bye');
    assert.equal(b.flush(), '');
    assert.equal(b.pending, false);
  });
});

describe('WholeLineOutput', () => {
  it("passes program output on in whole lines per stream, and other events at once", () => {
    const sent: DebugProtocol.Event[] = [];
    const out = new WholeLineOutput((e) => sent.push(e), 60_000);
    out.pass(output('a'));
    out.pass(output('err '));
    out.pass(output('whole\n', 'stderr'));
    out.pass({ seq: 0, type: 'event', event: 'module', body: {} });
    out.pass(output('b\n'));
    out.pass(output('rust-offload: using lldb-dap', 'console'));
    assert.deepEqual(texts(sent), ['stderr:whole\n', 'module', 'stdout:aerr b\n', 'console:rust-offload: using lldb-dap']);
    out.dispose();
  });

  it('sends a held unfinished line before a stop and before the end, so the console shows the prompt the program stopped at', () => {
    const sent: DebugProtocol.Event[] = [];
    const out = new WholeLineOutput((e) => sent.push(e), 60_000);
    out.pass(output('Enter a number: '));
    out.pass({ seq: 0, type: 'event', event: 'stopped', body: { reason: 'breakpoint' } });
    out.pass(output('partial', 'stderr'));
    out.pass({ seq: 0, type: 'event', event: 'exited', body: { exitCode: 0 } });
    assert.deepEqual(texts(sent), ['stdout:Enter a number: ', 'stopped', 'stderr:partial', 'exited']);
    out.dispose();
  });

  it('sends an unfinished line by itself when no more output follows', async () => {
    const sent: DebugProtocol.Event[] = [];
    const out = new WholeLineOutput((e) => sent.push(e), 5);
    out.pass(output('> '));
    assert.deepEqual(texts(sent), []);
    for (let i = 0; i < 400 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(texts(sent), ['stdout:> ']);
    out.dispose();
  });

  it('passes output that carries a source location unchanged (a message of its own, not stream text)', () => {
    const sent: DebugProtocol.Event[] = [];
    const out = new WholeLineOutput((e) => sent.push(e), 60_000);
    const located: DebugProtocol.OutputEvent = { seq: 0, type: 'event', event: 'output', body: { category: 'stdout', output: 'no newline', source: { path: '/w/main.rs' }, line: 3 } };
    out.pass(located);
    assert.deepEqual(sent, [located]);
    out.dispose();
  });
});
