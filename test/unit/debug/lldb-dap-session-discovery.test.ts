// The session's lldb-dap discovery on this machine: the version taken from a versioned file name without running it, the same lldb-dap the full check finds, remembered for the next session.
import * as assert from 'node:assert/strict';
import { candidatePaths, findLldbDap, findLldbDapForSession } from '../../../src/debug/lldb-dap-discovery';

describe('lldb-dap discovery for a session', function () {
  this.timeout(60_000);

  it('finds what the full check finds, by the version in its file name, and remembers it', async () => {
    const full = await findLldbDap(undefined);
    const quick = await findLldbDapForSession(undefined);
    assert.equal(quick.path, full.path);
    assert.equal(quick.major, full.major);
    if (/lldb-dap-\d+$/.test(candidatePaths(undefined)[0]?.path ?? '')) assert.match(quick.versionText, /from its file name/);
    assert.equal(await findLldbDapForSession(undefined), quick, 'the second session reuses the first one\'s answer');
  });

  it('runs the full check for a setting without a version in its name, and reports a missing file as the full check does', async () => {
    await assert.rejects(findLldbDapForSession('/nonexistent/lldb-dap'), /lldb-dap 20 or newer is needed/);
  });
});
