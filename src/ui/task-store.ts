// What Debugger Tasks shows: every unsettled future plus the latest finished ones, grouped by owner then kind, with batched change events.
import type { FutureInfo } from '../futures/contract';
import { isUnsettled, statusOf, type TaskStatus } from './task-presentation';

/** A future as the sidebar holds it: observable, and cancellable in any unsettled state. */
export interface TrackedFuture extends FutureInfo {
  interrupt(): boolean;
}

export interface SessionNode {
  readonly type: 'session';
  /** Stable tree id. */
  readonly key: string;
  readonly owner: string | undefined;
  readonly kinds: Map<string, KindNode>;
}

export interface KindNode {
  readonly type: 'kind';
  readonly key: string;
  readonly kind: string;
  readonly parent: SessionNode;
  readonly tasks: Map<number, TaskNode>;
  /** This group's settled task ids in the order they settled: keepFinished applies per group, so a burst of one kind never pushes out another's. */
  readonly finished: Set<number>;
}

export interface TaskNode {
  readonly type: 'task';
  readonly key: string;
  readonly parent: KindNode;
  readonly future: TrackedFuture;
}

/** Stands for the items of a very large group that are not listed, so the view never receives thousands of rows at once. */
export interface MoreNode {
  readonly type: 'more';
  readonly key: string;
  readonly parent: KindNode;
  readonly hidden: number;
}

export type TaskTreeNode = SessionNode | KindNode | TaskNode | MoreNode;

export interface TaskCounts {
  readonly pending: number;
  readonly running: number;
  readonly finished: number;
}

export interface TaskStoreOptions {
  /** Finished tasks kept for display per kind within each session (the `rustOffload.tasks.keepFinished` setting); older ones are dropped. */
  keepFinished: number;
  /** Changes are coalesced and announced at most once per this many ms. */
  batchMs?: number;
  /** A kind group lists at most this many tasks, then a "… N more" item. */
  maxChildren?: number;
  /** More changed nodes than this in one batch announce a whole-tree refresh instead. */
  maxPartialRefresh?: number;
}

/** `undefined` means "refresh everything"; otherwise the nodes whose item or children changed. */
export type TaskStoreChange = readonly TaskTreeNode[] | undefined;

export class TaskStore {
  private readonly sessions = new Map<string, SessionNode>();
  private readonly tasks = new Map<number, TaskNode>();
  /** Settled task ids with their rank (the order they settled), for listing latest first. */
  private readonly finishedOrder = new Map<number, number>();
  private settleSeq = 0;
  private readonly ownerNames = new Map<string, string>();
  private readonly lastStatus = new Map<number, TaskStatus>();
  private readonly listeners = new Set<(change: TaskStoreChange) => void>();
  private dirty = new Set<TaskTreeNode>();
  private dirtyAll = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private keepFinished: number;
  private readonly batchMs: number;
  readonly maxChildren: number;
  private readonly maxPartialRefresh: number;
  private disposed = false;

  constructor(options: TaskStoreOptions) {
    this.keepFinished = checkKeepFinished(options.keepFinished);
    this.batchMs = options.batchMs ?? 200;
    this.maxChildren = options.maxChildren ?? 500;
    this.maxPartialRefresh = options.maxPartialRefresh ?? 200;
  }

  /** Subscribes to batched changes; returns the unsubscribe function. */
  onDidChange(listener: (change: TaskStoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Records a submitted future (idempotent) or notes a change of one already tracked (started, progress, settled). */
  update(future: TrackedFuture): void {
    if (this.disposed) return;
    const status = statusOf(future);
    let node = this.tasks.get(future.id);
    if (!node) {
      const kindNode = this.kindNode(future.owner, future.kind || 'Tasks');
      node = { type: 'task', key: `task:${future.id}`, parent: kindNode, future };
      this.tasks.set(future.id, node);
      kindNode.tasks.set(future.id, node);
      this.markDirty(kindNode);
      this.markDirty(kindNode.parent);
    } else if (this.lastStatus.get(future.id) !== status) {
      // The groups' descriptions count statuses, and a settled task moves below the unsettled ones.
      this.markDirty(node.parent);
      this.markDirty(node.parent.parent);
    } else {
      // Progress only: the item alone.
      this.markDirty(node);
    }
    this.lastStatus.set(future.id, status);
    if (!isUnsettled(status) && !this.finishedOrder.has(future.id)) {
      this.finishedOrder.set(future.id, ++this.settleSeq);
      node.parent.finished.add(future.id);
      this.trim(node.parent);
    }
  }

  /** Marks every running and pending task changed, so their elapsed times move; cheap when nothing runs. */
  tick(): void {
    let n = 0;
    for (const node of this.tasks.values()) {
      if (isUnsettled(statusOf(node.future))) {
        this.markDirty(node);
        n++;
      }
    }
    if (n > 0) this.schedule();
  }

  /** Shows `name` instead of the raw owner id (a debug session's name for its id). */
  setOwnerName(owner: string, name: string): void {
    if (this.ownerNames.get(owner) === name) return;
    this.ownerNames.set(owner, name);
    const session = this.sessions.get(sessionKey(owner));
    if (session) this.markDirty(session);
  }

  ownerName(owner: string | undefined): string {
    if (owner === undefined) return 'Extension';
    return this.ownerNames.get(owner) ?? owner;
  }

  setKeepFinished(keep: number): void {
    this.keepFinished = checkKeepFinished(keep);
    for (const session of [...this.sessions.values()]) for (const kind of [...session.kinds.values()]) this.trim(kind);
  }

  /** Drops every finished task; returns how many. */
  clearFinished(): number {
    const ids = [...this.finishedOrder.keys()];
    for (const id of ids) this.remove(id);
    return ids.length;
  }

  /** Unsettled futures, optionally of one owner. */
  unsettled(owner?: string): TrackedFuture[] {
    const out: TrackedFuture[] = [];
    for (const node of this.tasks.values()) {
      if (owner !== undefined && node.future.owner !== owner) continue;
      if (isUnsettled(statusOf(node.future))) out.push(node.future);
    }
    return out;
  }

  get(id: number): TaskNode | undefined {
    return this.tasks.get(id);
  }

  counts(): TaskCounts {
    let pending = 0;
    let running = 0;
    for (const node of this.tasks.values()) {
      const s = statusOf(node.future);
      if (s === 'pending') pending++;
      else if (s === 'running') running++;
    }
    return { pending, running, finished: this.finishedOrder.size };
  }

  /** Total tracked tasks, settled or not. */
  get size(): number {
    return this.tasks.size;
  }

  /** The tree's top level: one node per owner, in order of first submission. */
  roots(): SessionNode[] {
    return [...this.sessions.values()];
  }

  /** Children as the tree shows them: kinds by name; tasks unsettled first (oldest first), then finished (latest first). */
  children(node: TaskTreeNode | undefined): TaskTreeNode[] {
    if (!node) return this.roots();
    if (node.type === 'session') return [...node.kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
    if (node.type !== 'kind') return [];
    const active: TaskNode[] = [];
    const finished: TaskNode[] = [];
    for (const t of node.tasks.values()) (isUnsettled(statusOf(t.future)) ? active : finished).push(t);
    active.sort((a, b) => a.future.id - b.future.id);
    const rank = (t: TaskNode): number => this.finishedOrder.get(t.future.id) ?? 0;
    finished.sort((a, b) => rank(b) - rank(a));
    const all: TaskTreeNode[] = [...active, ...finished];
    if (all.length <= this.maxChildren) return all;
    const hidden = all.length - this.maxChildren;
    return [...all.slice(0, this.maxChildren), { type: 'more', key: `${node.key}/more`, parent: node, hidden }];
  }

  parent(node: TaskTreeNode): TaskTreeNode | undefined {
    return node.type === 'session' ? undefined : node.parent;
  }

  /** Counts per status inside a group, for its description. */
  groupCounts(node: SessionNode | KindNode): Partial<Record<TaskStatus, number>> {
    const counts: Partial<Record<TaskStatus, number>> = {};
    const add = (k: KindNode): void => {
      for (const t of k.tasks.values()) {
        const s = statusOf(t.future);
        counts[s] = (counts[s] ?? 0) + 1;
      }
    };
    if (node.type === 'kind') add(node);
    else node.kinds.forEach(add);
    return counts;
  }

  /** Announces any pending change now (tests, and before disposal). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirtyAll && this.dirty.size === 0) return;
    const change: TaskStoreChange = this.dirtyAll || this.dirty.size > this.maxPartialRefresh ? undefined : [...this.dirty];
    this.dirty = new Set();
    this.dirtyAll = false;
    for (const l of this.listeners) l(change);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private kindNode(owner: string | undefined, kind: string): KindNode {
    const sKey = sessionKey(owner);
    let session = this.sessions.get(sKey);
    if (!session) {
      session = { type: 'session', key: sKey, owner, kinds: new Map() };
      this.sessions.set(sKey, session);
      this.dirtyAll = true;
    }
    let k = session.kinds.get(kind);
    if (!k) {
      k = { type: 'kind', key: `${sKey}/${kind}`, kind, parent: session, tasks: new Map(), finished: new Set() };
      session.kinds.set(kind, k);
      this.markDirty(session);
    }
    return k;
  }

  /** Drops the group's oldest finished tasks beyond keepFinished (per group: symbol loads outlive a burst of evaluations). */
  private trim(kind: KindNode): void {
    while (kind.finished.size > this.keepFinished) {
      const oldest = kind.finished.values().next().value as number;
      this.remove(oldest);
    }
  }

  private remove(id: number): void {
    const node = this.tasks.get(id);
    this.finishedOrder.delete(id);
    if (!node) return;
    this.tasks.delete(id);
    this.lastStatus.delete(id);
    this.dirty.delete(node);
    const kind = node.parent;
    kind.tasks.delete(id);
    kind.finished.delete(id);
    this.markDirty(kind);
    this.markDirty(kind.parent);
    if (kind.tasks.size === 0) {
      kind.parent.kinds.delete(kind.kind);
      this.dirty.delete(kind);
      this.markDirty(kind.parent);
      if (kind.parent.kinds.size === 0) {
        this.sessions.delete(kind.parent.key);
        this.dirty.delete(kind.parent);
        this.dirtyAll = true;
      }
    }
  }

  private markDirty(node: TaskTreeNode): void {
    if (!this.dirtyAll) this.dirty.add(node);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => this.flush(), this.batchMs);
  }
}

function sessionKey(owner: string | undefined): string {
  return owner === undefined ? 'session:' : `session:${owner}`;
}

function checkKeepFinished(keep: number): number {
  if (!Number.isInteger(keep) || keep < 0) {
    throw new RangeError(`rustOffload.tasks.keepFinished must be a non-negative integer (got ${keep}); fix it in Settings.`);
  }
  return keep;
}
