// The "Run Executor Self-Test" command: submits demo tasks that end in every state, so Debugger Tasks can be seen and tried before any debugging.
import * as vscode from 'vscode';
import { taskModule, type Executor, type FutureInfo } from '../futures';
import { Commands, registerCommand, revealTasksViewCommand } from './contributions';
import { labelOf, statusOf, type TaskStatus } from './task-presentation';

/** Owner tag of the self-test's futures; the view groups them under "Executor self-test". */
export const selfTestOwner = 'self-test';

const demo = taskModule<typeof import('../futures/demo-tasks')>('futures/demo-tasks');

export interface SelfTestResult {
  /** Every submitted task's id, label and status when the finite ones had settled. */
  readonly tasks: ReadonlyArray<{ id: number; label: string; status: TaskStatus }>;
  /** The endless task, still running until someone cancels it. */
  readonly endlessId: number;
}

/** Submits the demo tasks, reveals the view, and resolves once every task but the endless one has settled. */
export async function runSelfTest(executor: Executor, log: vscode.LogOutputChannel): Promise<SelfTestResult> {
  const base = { owner: selfTestOwner, kind: 'Demo' } as const;
  const endless = executor.submitWith({ ...base, label: 'endless CPU-bound loop (cancel me)' }, demo.spin);
  // Once the endless task holds a worker, the bulk tasks queue behind the free ones (with one worker, behind it:
  // queued until it is cancelled), and the interactive ones take the worker reserved for them.
  await startedOrSettled(executor, endless, 10_000);
  const finite: Array<FutureInfo & { result(): Promise<unknown> }> = [
    executor.submitWith({ ...base, label: 'slow: 20 steps with progress' }, demo.slow, 20, 250),
    executor.submitWith({ ...base, label: 'failing: throws DemoTaskError' }, demo.fail, 'the self-test fails this task on purpose'),
    executor.submitWith({ ...base, label: 'slow past its 2 s deadline', timeout: 2000 }, demo.slow, 40, 250),
    executor.submitWith({ ...base, label: 'queued: waits for a free worker' }, demo.slow, 4, 250),
    executor.submitWith({ ...base, label: 'quick: 21 × 2', lane: 'interactive' }, demo.quick, 21),
    executor.submitWith({ ...base, label: 'quick: 2 + 3', lane: 'interactive' }, demo.add, 2, 3),
  ];
  log.info(`Self-test: submitted ${finite.length + 1} demo tasks; the endless one runs until cancelled.`);
  void vscode.commands.executeCommand(revealTasksViewCommand);
  await Promise.allSettled(finite.map((f) => f.result()));
  const all = [endless, ...finite];
  const tasks = all.map((f) => ({ id: f.id, label: labelOf(f), status: statusOf(f) }));
  const counts = new Map<TaskStatus, number>();
  for (const t of tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s === 'timedOut' ? 'timed out' : s}`).join(', ');
  log.info(`Self-test: ${summary}.`);
  return { tasks, endlessId: endless.id };
}

/** Resolves when `future` has started or settled, or after `limitMs` (a slow worker start must not hang the command). */
function startedOrSettled(executor: Executor, future: FutureInfo, limitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (f: FutureInfo): void => {
      if (f === future) finish();
    };
    const finish = (): void => {
      clearTimeout(timer);
      executor.off('started', check);
      executor.off('settled', check);
      resolve();
    };
    const timer = setTimeout(finish, limitMs);
    executor.on('started', check);
    executor.on('settled', check);
    if (future.state !== 'PENDING') finish();
  });
}

export function registerSelfTest(getExecutor: () => Executor, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    registerCommand(Commands.RunSelfTest, async (): Promise<SelfTestResult | undefined> => {
      try {
        const result = await runSelfTest(getExecutor(), log);
        const endless = result.tasks.find((t) => t.id === result.endlessId);
        const expected = new Set<TaskStatus>(['done', 'failed', 'timedOut']);
        const seen = new Set(result.tasks.filter((t) => t.id !== result.endlessId).map((t) => t.status));
        const ok = [...expected].every((s) => seen.has(s));
        const message = ok
          ? `Rust Offload self-test: tasks finished as done, failed and timed out as intended${endless?.status === 'running' ? '; the endless task is still running — cancel it in Debugger Tasks' : ''}.`
          : `Rust Offload self-test: the demo tasks did not end as intended (${[...seen].join(', ')}). See the log for details.`;
        if (ok) void vscode.window.showInformationMessage(message);
        else void vscode.window.showWarningMessage(message, 'Show Log').then((a) => a && log.show());
        return result;
      } catch (err) {
        const message = `Rust Offload self-test could not run: ${err instanceof Error ? err.message : String(err)}`;
        log.error(message);
        void vscode.window.showErrorMessage(message, 'Show Log').then((a) => a && log.show());
        return undefined;
      }
    }),
  ];
}
