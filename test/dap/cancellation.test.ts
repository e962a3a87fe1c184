// Concurrency and cancellation: threads answers during a running evaluation; DAP cancel, progress cancel, step, continue and the deadline end it.
import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { currentStop, failureOf, launchToMarker, progressStarted, startClient, stopQuietly, track, WAIT_MS, type Stop } from './support/client';

/** Compares two 512 MiB buffers through readMemory: far longer than any test step, so it is still running when we act. */
const SLOW = 'haystack == needle';

describe('concurrency and cancellation', function () {
  this.timeout(240_000);

  describe('in one stopped session', () => {
    let dc: DebugClient;
    let stop: Stop;
    before(async () => {
      dc = await startClient();
      stop = await launchToMarker(dc, 'values', 'loop');
    });
    after(() => stopQuietly(dc));

    it('answers threads, stackTrace, scopes and variables while an evaluation is still running', async () => {
      const started = progressStarted(dc);
      const evaluation = track(dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' }));
      const progress = await started;
      assert.match(progress.title, /haystack == needle/);

      const threads = await dc.threadsRequest();
      assert.ok(threads.body.threads.length >= 1);
      assert.strictEqual(evaluation.settled(), false, 'threads should be answered before the evaluation finished');
      const stack = await dc.stackTraceRequest({ threadId: stop.threadId, levels: 3 });
      assert.strictEqual(stack.body.stackFrames[0].name, 'values::main');
      const scopes = await dc.scopesRequest({ frameId: stop.frameId });
      const locals = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
      assert.ok(locals.body.variables.some((v) => v.name === 'numbers'));
      assert.strictEqual(evaluation.settled(), false, 'the evaluation should still be running after four other requests');

      await dc.customRequest('cancel', { requestId: progress.requestId });
      assert.strictEqual(await failureOf(evaluation.promise), 'cancelled');
    });

    it('a second evaluation runs alongside the slow one and answers first', async () => {
      const started = progressStarted(dc);
      const slow = track(dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' }));
      const progress = await started;
      const quick = await dc.evaluateRequest({ expression: 'numbers[1] + 1', frameId: stop.frameId, context: 'hover' });
      assert.strictEqual(quick.body.result, '21');
      assert.strictEqual(slow.settled(), false);
      await dc.customRequest('cancel', { requestId: progress.requestId });
      assert.strictEqual(await failureOf(slow.promise), 'cancelled');
    });

    it('cancelling the progress notification cancels the evaluation', async () => {
      const started = progressStarted(dc);
      const evaluation = track(dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'repl' }));
      const progress = await started;
      const ended = dc.waitForEvent('progressEnd', WAIT_MS);
      await dc.customRequest('cancel', { progressId: progress.progressId });
      assert.strictEqual(await failureOf(evaluation.promise), 'cancelled');
      assert.strictEqual((await ended).body.progressId, progress.progressId);
    });

    it('next cancels the evaluations of the stop it leaves, and answers', async () => {
      const started = progressStarted(dc);
      const evaluation = track(dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' }));
      await started;
      const stopped = dc.waitForEvent('stopped', WAIT_MS);
      await dc.nextRequest({ threadId: stop.threadId });
      assert.strictEqual(await failureOf(evaluation.promise), 'cancelled');
      await stopped;
      stop = await currentStop(dc);
      const after = await dc.evaluateRequest({ expression: 'total', frameId: stop.frameId, context: 'watch' });
      assert.match(after.body.result, /^\d+$/);
    });

    it('continue cancels them too', async () => {
      const started = progressStarted(dc);
      const evaluation = track(dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' }));
      await started;
      const stopped = dc.waitForEvent('stopped', WAIT_MS);
      await dc.continueRequest({ threadId: stop.threadId });
      assert.strictEqual(await failureOf(evaluation.promise), 'cancelled');
      await stopped;
      stop = await currentStop(dc);
    });

    it('the program exiting during a native evaluation fails it clearly, and the session ends', async () => {
      const exited = dc.waitForEvent('exited', WAIT_MS);
      const text = await failureOf(dc.evaluateRequest({ expression: '/nat exit_now(3)', frameId: stop.frameId, context: 'repl' }));
      assert.match(text, /^the program ended \(exit code 3\) during the evaluation/);
      const event = await exited;
      assert.strictEqual(event.body.exitCode, 3);
    });
  });

  describe('deadline', () => {
    let dc: DebugClient;
    after(() => stopQuietly(dc));

    it('an evaluation past evaluationTimeout fails with "timed out after N ms" and a hint', async () => {
      dc = await startClient();
      const stop = await launchToMarker(dc, 'values', 'main', { evaluationTimeout: 700 });
      const text = await failureOf(dc.evaluateRequest({ expression: SLOW, frameId: stop.frameId, context: 'watch' }));
      assert.match(text, /^timed out after 700 ms/);
      assert.match(text, /rustOffload\.evaluationTimeout/);
      const quick = await dc.evaluateRequest({ expression: 'numbers.len()', frameId: stop.frameId, context: 'watch' });
      assert.strictEqual(quick.body.result, '4');
    });

    it('a /nat past evaluationTimeout fails the same way, though lldb-dap runs it', async () => {
      const stop = await currentStop(dc);
      const text = await failureOf(dc.evaluateRequest({ expression: '/nat slow_answer(2500)', frameId: stop.frameId, context: 'repl' }));
      assert.match(text, /^timed out after 700 ms/);
      assert.match(text, /rustOffload\.evaluationTimeout/);
      // Behind the native call in lldb-dap, which still finishes it.
      const quick = await dc.evaluateRequest({ expression: 'numbers.len()', frameId: stop.frameId, context: 'watch' });
      assert.strictEqual(quick.body.result, '4');
    });
  });
});
