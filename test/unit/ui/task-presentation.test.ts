// How a task reads in Debugger Tasks: status, elapsed time, description, contextValue, tooltip with the worker's stack.
import * as assert from 'node:assert/strict';
import type { FutureInfo } from '../../../src/futures/contract';
import { contextValueOf, describeTask, elapsedOf, errorText, formatElapsed, statusIcons, statusOf, tooltipMarkdown } from '../../../src/ui/task-presentation';

function info(over: Partial<FutureInfo>): FutureInfo {
  return { id: 7, label: 'x.len()', kind: 'Evaluations', lane: 'interactive', owner: 's', state: 'PENDING', outcome: undefined, submittedAt: 1_000, startedAt: undefined, finishedAt: undefined, worker: undefined, lastProgress: undefined, error: undefined, ...over };
}

describe('task presentation', () => {
  it('maps states and outcomes to the six statuses, each with its own icon and contextValue', () => {
    assert.equal(statusOf(info({})), 'pending');
    assert.equal(statusOf(info({ state: 'RUNNING' })), 'running');
    assert.equal(statusOf(info({ state: 'FINISHED', outcome: 'done' })), 'done');
    assert.equal(statusOf(info({ state: 'FINISHED', outcome: 'failed' })), 'failed');
    assert.equal(statusOf(info({ state: 'FINISHED', outcome: 'timedOut' })), 'timedOut');
    assert.equal(statusOf(info({ state: 'CANCELLED' })), 'cancelled');
    const ids = new Set(Object.values(statusIcons).map((i) => i.id));
    assert.equal(ids.size, 6);
    assert.equal(statusIcons.running.id, 'loading~spin');
    assert.equal(contextValueOf('running'), 'task-running');
  });

  it('formats elapsed times at a steady width', () => {
    assert.equal(formatElapsed(0), '0 ms');
    assert.equal(formatElapsed(999), '999 ms');
    assert.equal(formatElapsed(4210), '4.2 s');
    assert.equal(formatElapsed(187_000), '3 m 07 s');
    assert.equal(formatElapsed(2 * 3600_000 + 5 * 60_000), '2 h 05 m');
    assert.equal(formatElapsed(-5), '0 ms');
  });

  it('measures queued time while pending, run time while running, and total work once settled', () => {
    assert.equal(elapsedOf(info({}), 3_000), 2_000);
    assert.equal(elapsedOf(info({ state: 'RUNNING', startedAt: 2_500 }), 3_000), 500);
    assert.equal(elapsedOf(info({ state: 'FINISHED', outcome: 'done', startedAt: 2_500, finishedAt: 2_750 }), 9_999), 250);
    // Cancelled while queued: never started.
    assert.equal(elapsedOf(info({ state: 'CANCELLED', outcome: 'cancelled', finishedAt: 1_400 }), 9_999), 400);
  });

  it('describes a running task with its progress', () => {
    const f = info({ state: 'RUNNING', startedAt: 1_000, lastProgress: { fraction: 0.4, message: 'reading .debug_info' } });
    assert.equal(describeTask(f, 5_200), 'running · 4.2 s · 40% reading .debug_info');
    assert.equal(describeTask(info({ state: 'FINISHED', outcome: 'timedOut', startedAt: 1_000, finishedAt: 6_000 }), 0), 'timed out · 5.0 s');
  });

  it('puts the error and the stack from inside the worker in the tooltip', () => {
    const cause = Object.assign(new Error('remote'), { remoteStack: 'TypeError: bad\n    at parse (evaluate-task.js:10:5)' });
    const error = new TypeError('bad', { cause });
    const text = tooltipMarkdown(info({ state: 'FINISHED', outcome: 'failed', startedAt: 1_100, finishedAt: 1_300, worker: 'process#2 pid 1234', error }), 0);
    assert.match(text, /TypeError: bad\n\nin the worker:\nTypeError: bad\n {4}at parse \(evaluate-task\.js:10:5\)/);
    assert.match(text, /worker: process#2 pid 1234/);
    assert.match(text, /^\*\*x\.len\(\)\*\*/);
    assert.match(tooltipMarkdown(info({ label: 'v[0]*2' }), 0), /^\*\*v\\\[0\\\]\\\*2\*\*/, 'Markdown in a label is escaped');
    assert.equal(errorText(0), 'thrown value: 0');
    assert.equal(errorText('x'.repeat(5000), 10).length, 10 + 2);
  });
});
