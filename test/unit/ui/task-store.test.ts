// TaskStore: grouping, ordering, keepFinished trimming per kind, the "more" row, and batched change events (no vscode needed).
import * as assert from 'node:assert/strict';
import type { FutureState, Outcome } from '../../../src/futures/contract';
import { TaskStore, type TaskStoreChange, type TrackedFuture } from '../../../src/ui/task-store';

/** A future-like object whose state the test moves by hand, as the executor's events would. */
class FakeFuture implements TrackedFuture {
  static next = 1;
  readonly id = FakeFuture.next++;
  state: FutureState = 'PENDING';
  outcome: Outcome | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  worker: string | undefined;
  lastProgress = undefined;
  error: unknown = undefined;
  readonly submittedAt = Date.now();
  readonly lane = 'bulk' as const;
  interrupted = false;
  constructor(readonly label: string, readonly kind = 'Demo', readonly owner: string | undefined = 'session-1') {}
  start(): this {
    this.state = 'RUNNING';
    this.startedAt = Date.now();
    this.worker = 'thread#1';
    return this;
  }
  finish(outcome: Outcome = 'done', at = Date.now()): this {
    this.state = outcome === 'cancelled' ? 'CANCELLED_AND_NOTIFIED' : 'FINISHED';
    this.outcome = outcome;
    this.finishedAt = at;
    return this;
  }
  interrupt(): boolean {
    this.interrupted = true;
    return true;
  }
}

function labels(store: TaskStore, owner = 'session-1', kind = 'Demo'): string[] {
  const session = store.roots().find((s) => s.owner === owner);
  const k = session?.kinds.get(kind);
  return k ? store.children(k).map((n) => (n.type === 'task' ? n.future.label : n.type)) : [];
}

describe('TaskStore', () => {
  it('groups by owner, then kind; kinds sorted by name, owners by first submission', () => {
    const store = new TaskStore({ keepFinished: 10 });
    store.update(new FakeFuture('a', 'Symbols', 's2'));
    store.update(new FakeFuture('b', 'Evaluations', 's1'));
    store.update(new FakeFuture('c', 'Demo', 's2'));
    assert.deepEqual(store.roots().map((r) => r.owner), ['s2', 's1']);
    const s2 = store.roots()[0];
    assert.deepEqual(store.children(s2).map((k) => k.type === 'kind' && k.kind), ['Demo', 'Symbols']);
    const task = store.children(store.children(s2)[1])[0];
    assert.equal(store.parent(task), s2.kinds.get('Symbols'));
    assert.equal(store.parent(s2), undefined);
    store.dispose();
  });

  it('lists unsettled tasks first in submission order, then finished ones latest first', () => {
    const store = new TaskStore({ keepFinished: 10 });
    const f = ['one', 'two', 'three', 'four'].map((l) => new FakeFuture(l));
    f.forEach((x) => store.update(x));
    store.update(f[0].finish('done', 1000));
    store.update(f[2].start());
    store.update(f[3].finish('failed', 2000));
    assert.deepEqual(labels(store), ['two', 'three', 'four', 'one']);
    assert.deepEqual(store.counts(), { pending: 1, running: 1, finished: 2 });
    store.dispose();
  });

  it('keeps only keepFinished finished tasks per kind in each session, dropping the ones that finished first, and empty groups with them', () => {
    const store = new TaskStore({ keepFinished: 2 });
    const f = ['a', 'b', 'c'].map((l) => new FakeFuture(l));
    const other = new FakeFuture('x', 'Other', 'session-2');
    [...f, other].forEach((x) => store.update(x));
    store.update(other.finish());
    store.update(f[1].finish());
    store.update(f[0].finish());
    store.update(f[2].finish());
    assert.deepEqual(labels(store), ['c', 'a'], 'b finished first of the three and was dropped');
    assert.deepEqual(labels(store, 'session-2', 'Other'), ['x'], "session-2's group keeps its own two");
    store.setKeepFinished(0);
    assert.deepEqual(labels(store), []);
    assert.equal(store.roots().length, 0, 'every group emptied, and with it its session');
    assert.throws(() => store.setKeepFinished(-1), /keepFinished must be a non-negative integer \(got -1\)/);
    store.dispose();
  });

  it('a burst of one kind never pushes out another kind of the same session (symbol loads outlive 150 evaluations)', () => {
    const store = new TaskStore({ keepFinished: 100 });
    const loads = ['warehouse', 'libc.so.6', 'ld-linux-x86-64.so.2'].map((m) => new FakeFuture(`load ${m}`, 'Symbols'));
    for (const l of loads) store.update(l);
    for (const l of loads) store.update(l.finish());
    for (let i = 0; i < 150; i++) {
      const e = new FakeFuture(`total + ${i}`, 'Evaluations');
      store.update(e);
      store.update(e.finish());
    }
    assert.deepEqual(labels(store, 'session-1', 'Symbols'), ['load ld-linux-x86-64.so.2', 'load libc.so.6', 'load warehouse']);
    const evaluations = labels(store, 'session-1', 'Evaluations');
    assert.equal(evaluations.length, 100);
    assert.equal(evaluations[0], 'total + 149');
    assert.equal(evaluations[99], 'total + 50');
    assert.deepEqual(store.counts(), { pending: 0, running: 0, finished: 103 });
    store.dispose();
  });

  it('clearFinished drops settled tasks only', () => {
    const store = new TaskStore({ keepFinished: 10 });
    const f = ['a', 'b'].map((l) => new FakeFuture(l));
    f.forEach((x) => store.update(x));
    store.update(f[0].finish('cancelled'));
    assert.equal(store.clearFinished(), 1);
    assert.deepEqual(labels(store), ['b']);
    assert.deepEqual(store.unsettled().map((x) => x.label), ['b']);
    store.dispose();
  });

  it('lists at most maxChildren tasks of a group, then one "more" row', () => {
    const store = new TaskStore({ keepFinished: 10, maxChildren: 3 });
    for (let i = 0; i < 5; i++) store.update(new FakeFuture(`t${i}`));
    const kind = store.roots()[0].kinds.get('Demo')!;
    const children = store.children(kind);
    assert.equal(children.length, 4);
    const more = children[3];
    assert.ok(more.type === 'more' && more.hidden === 2);
    store.dispose();
  });

  it('announces changes in batches: many updates, one event', async () => {
    const store = new TaskStore({ keepFinished: 100, batchMs: 20, maxPartialRefresh: 50 });
    const events: TaskStoreChange[] = [];
    const first = new Promise<void>((resolve) => store.onDidChange(() => resolve()));
    store.onDidChange((c) => events.push(c));
    const f = Array.from({ length: 10_000 }, (_, i) => new FakeFuture(`t${i}`, 'Flood'));
    f.forEach((x) => store.update(x));
    assert.equal(events.length, 0, 'nothing announced synchronously');
    await first;
    store.flush();
    assert.equal(events.length, 1, 'one event for 10,000 submissions, nothing left over');
    assert.equal(events[0], undefined, 'a new group refreshes the whole tree');

    events.length = 0;
    store.update(f[5].start());
    store.flush();
    assert.equal(events.length, 1);
    const changed = events[0]!;
    assert.ok(changed.every((n) => n.type === 'kind' || n.type === 'session'), 'a state change refreshes the groups that count it');
    store.dispose();
  });

  it('refreshes just the item on progress, and ticks only unsettled tasks', () => {
    const store = new TaskStore({ keepFinished: 10 });
    const running = new FakeFuture('r').start();
    const done = new FakeFuture('d');
    store.update(running);
    store.update(done);
    store.update(done.finish());
    store.flush();
    const events: TaskStoreChange[] = [];
    store.onDidChange((c) => events.push(c));
    store.update(running);
    store.flush();
    assert.deepEqual(events[0]!.map((n) => n.type === 'task' && n.future.label), ['r']);
    store.tick();
    store.flush();
    assert.deepEqual(events[1]!.map((n) => n.type === 'task' && n.future.label), ['r']);
    store.dispose();
  });

  it('names an owner by its debug session name; no owner is "Extension"', () => {
    const store = new TaskStore({ keepFinished: 10 });
    store.setOwnerName('session-1', 'Launch example');
    assert.equal(store.ownerName('session-1'), 'Launch example');
    assert.equal(store.ownerName('unknown-id'), 'unknown-id');
    assert.equal(store.ownerName(undefined), 'Extension');
    store.dispose();
  });
});

