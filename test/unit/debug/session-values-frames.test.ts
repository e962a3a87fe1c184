// The pc by which a frame's variables are looked up: the innermost frame's own, a caller's return address minus one.
import * as assert from 'node:assert';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { SessionValues, type ValuesHost } from '../../../src/debug/session-values';

function frame(id: number, pc: number): DebugProtocol.StackFrame {
  return { id, name: `f${id}`, line: 1, column: 1, instructionPointerReference: `0x${pc.toString(16)}` };
}

describe('session values: frame pcs', () => {
  const host = { moduleAt: async () => ({ path: '/bin/app', slide: 0x1000, searchPaths: [] }) } as unknown as ValuesHost;

  it('looks up a caller by its call instruction (return address - 1), the innermost frame by its pc', async () => {
    const values = new SessionValues(host);
    values.noteStackTrace({ stackFrames: [frame(1, 0x2010), frame(2, 0x2020)] });
    assert.strictEqual((await values.frameModule(1))?.pc, 0x1010);
    // A return address can lie just past the block of the caller's last `let` (the call was its last instruction).
    assert.strictEqual((await values.frameModule(2))?.pc, 0x101f);
  });

  it('counts frames from the request\'s startFrame: a later page holds callers only', async () => {
    const values = new SessionValues(host);
    values.noteStackTrace({ stackFrames: [frame(7, 0x3000)] }, 5);
    assert.strictEqual((await values.frameModule(7))?.pc, 0x1fff);
  });
});
