// Debugger Tasks under load: 10,000 quick tasks through a real thread pool with the sidebar's store, log observer and a simulated tree consumer attached, against the same executor with nothing attached (same run).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import { ThreadPoolExecutor, taskModule, type Future } from '../src/futures';
import { observeExecutor } from '../src/ui/task-events';
import { describeTask } from '../src/ui/task-presentation';
import { TaskStore, type TaskTreeNode } from '../src/ui/task-store';
import { report, row } from './report';

const demo = taskModule<typeof import('../src/futures/demo-tasks')>('futures/demo-tasks');
const TASKS = 10_000;
const ROUNDS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A LogOutputChannel at its default level (Info): the observer skips its debug lines. */
const quietLog = { logLevel: 3, debug: () => undefined, trace: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as vscode.LogOutputChannel;

/** What VS Code does on onDidChangeTreeData: fetch the changed nodes' children and build an item for each. */
class TreeConsumer {
  events = 0;
  items = 0;
  constructor(private readonly store: TaskStore) {
    store.onDidChange((change) => {
      this.events++;
      if (change === undefined) this.walk(undefined);
      else for (const node of change) this.walk(node);
    });
  }
  private walk(node: TaskTreeNode | undefined): void {
    if (node) this.build(node);
    if (node && node.type !== 'session' && node.type !== 'kind') return;
    for (const child of this.store.children(node)) {
      if (child.type === 'session' || child.type === 'kind') this.walk(child);
      else this.build(child);
    }
  }
  private build(node: TaskTreeNode): void {
    this.items++;
    if (node.type === 'task') {
      // getTreeItem: the description; tooltips are built only on hover (resolveTreeItem).
      describeTask(node.future, Date.now());
    }
  }
}

async function runOnce(ex: ThreadPoolExecutor): Promise<{ ms: number; maxDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  const fs: Future<number>[] = [];
  for (let i = 0; i < TASKS; i++) fs.push(ex.submitWith({ owner: 'bench', kind: 'Bench', label: `quick ${i}` }, demo.quick, i));
  await Promise.all(fs.map((f) => f.result()));
  const ms = performance.now() - t0;
  h.disable();
  return { ms, maxDelayMs: h.max / 1e6 };
}

export async function run(): Promise<void> {
  // One executor for both sides, the sidebar attached in alternate rounds: only the observation differs.
  const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
  const store = new TaskStore({ keepFinished: 100 });
  const consumer = new TreeConsumer(store);
  try {
    await runOnce(ex);
    await runOnce(ex);
    const o = { ms: [] as number[], delay: [] as number[] };
    const p = { ms: [] as number[], delay: [] as number[] };
    let events = 0;
    let items = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const observer = observeExecutor(ex as never, store, quietLog);
      const e0 = consumer.events;
      const i0 = consumer.items;
      const a = await runOnce(ex);
      store.flush();
      observer.dispose();
      events += consumer.events - e0;
      items += consumer.items - i0;
      o.ms.push(a.ms);
      o.delay.push(a.maxDelayMs);
      const b = await runOnce(ex);
      p.ms.push(b.ms);
      p.delay.push(b.maxDelayMs);
    }
    const note = 'peer: the same thread pool with no sidebar attached, alternate rounds';
    report('tasks-view', [
      row(`${TASKS} quick tasks, submit to all settled (median of ${ROUNDS})`, 'ms', median(o.ms), median(p.ms), { peerName: 'bare executor', note }),
      row('largest event-loop delay of the host meanwhile (median)', 'ms', median(o.delay), median(p.delay), { peerName: 'bare executor', note }),
      row(`tree refresh events per ${TASKS} tasks (each submitted, started, settled)`, 'events', events / ROUNDS, null, { note: `${3 * TASKS} executor events without batching` }),
      row(`tree items built per ${TASKS} tasks`, 'items', items / ROUNDS, null, { note: 'what VS Code would fetch on those refresh events' }),
    ]);
  } finally {
    store.dispose();
    await ex.shutdown({ wait: true });
  }
}
