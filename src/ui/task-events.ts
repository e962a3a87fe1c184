// Feeds an executor's events into the Debugger Tasks store and the "Rust Offload" log (one debug line per task event).
import type * as vscode from 'vscode';
import type { Executor } from '../futures';
import type { FutureInfo, Progress } from '../futures/contract';
import { errorText, formatElapsed, labelOf, statusOf } from './task-presentation';
import type { TaskStore, TrackedFuture } from './task-store';

/** Subscribes `store` and `log` to `executor`; the returned disposable unsubscribes. */
export function observeExecutor(executor: Executor, store: TaskStore, log: vscode.LogOutputChannel): vscode.Disposable {
  const track = (f: FutureInfo): TrackedFuture | undefined => {
    // The events carry the Future itself; a future that cannot be interrupted could not be cancelled from the view.
    if (typeof (f as Partial<TrackedFuture>).interrupt !== 'function') {
      log.error(`Executor event for task #${f.id} carried no cancellable future; it is not shown in Debugger Tasks.`);
      return undefined;
    }
    const tracked = f as TrackedFuture;
    store.update(tracked);
    return tracked;
  };
  // vscode.LogLevel values (this file imports vscode for types only): Off 0, Trace 1, Debug 2. Lines are only
  // formatted when they will be written: 10,000 tiny tasks make 30,000 events.
  const debugOn = (): boolean => log.logLevel !== 0 && log.logLevel <= 2;
  const traceOn = (): boolean => log.logLevel === 1;
  const name = (f: FutureInfo): string => `task #${f.id} ${JSON.stringify(labelOf(f))} (${f.kind}${f.owner ? `, ${f.owner}` : ''})`;
  const onSubmitted = (f: FutureInfo): void => {
    track(f);
    if (debugOn()) log.debug(`${name(f)} submitted on the ${f.lane} lane`);
  };
  const onStarted = (f: FutureInfo): void => {
    track(f);
    if (debugOn()) log.debug(`${name(f)} started on ${f.worker ?? 'a worker'} after ${formatElapsed((f.startedAt ?? Date.now()) - f.submittedAt)} queued`);
  };
  const onProgress = (f: FutureInfo, p: Progress): void => {
    track(f);
    if (traceOn()) log.trace(`${name(f)} progress ${typeof p.fraction === 'number' ? `${Math.round(p.fraction * 100)}% ` : ''}${p.message ?? ''}`);
  };
  const onSettled = (f: FutureInfo): void => {
    track(f);
    if (!debugOn()) return;
    const status = statusOf(f);
    const took = formatElapsed((f.finishedAt ?? Date.now()) - (f.startedAt ?? f.submittedAt));
    const detail = status === 'failed' || status === 'timedOut' ? `: ${errorText(f.error, 600).split('\n')[0]}` : '';
    log.debug(`${name(f)} ${status === 'timedOut' ? 'timed out' : status} after ${took}${detail}`);
  };
  executor.on('submitted', onSubmitted);
  executor.on('started', onStarted);
  executor.on('progress', onProgress);
  executor.on('settled', onSettled);
  return {
    dispose: () => {
      executor.off('submitted', onSubmitted);
      executor.off('started', onStarted);
      executor.off('progress', onProgress);
      executor.off('settled', onSettled);
    },
  };
}
