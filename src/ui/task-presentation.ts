// How one future looks in Debugger Tasks (status, description, icon, tooltip text, contextValue), kept free of `vscode` so unit tests cover it.
import type { FutureInfo } from '../futures/contract';

/** What the sidebar distinguishes; `contextValue` and the icon follow it. */
export type TaskStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'timedOut';

export function statusOf(f: FutureInfo): TaskStatus {
  if (f.outcome) return f.outcome;
  switch (f.state) {
    case 'PENDING':
      return 'pending';
    case 'RUNNING':
      return 'running';
    case 'CANCELLED':
    case 'CANCELLED_AND_NOTIFIED':
      return 'cancelled';
    case 'FINISHED':
      return f.error === undefined ? 'done' : 'failed';
  }
}

export function isUnsettled(status: TaskStatus): boolean {
  return status === 'pending' || status === 'running';
}

const statusWords: Record<TaskStatus, string> = {
  pending: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  timedOut: 'timed out',
};

/** Codicon id and theme colour id per status; `~spin` animates the running one. */
export const statusIcons: Record<TaskStatus, { readonly id: string; readonly color?: string }> = {
  pending: { id: 'clock' },
  running: { id: 'loading~spin' },
  done: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
  timedOut: { id: 'watch', color: 'list.warningForeground' },
};

/** The `contextValue` of a task item: menus offer Cancel only on `task-pending` and `task-running`. */
export function contextValueOf(status: TaskStatus): string {
  return `task-${status}`;
}

/** Short, steady-width elapsed time: `350 ms`, `4.2 s`, `3 m 07 s`, `2 h 05 m`. */
export function formatElapsed(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 1000) return `${Math.round(t)} ms`;
  if (t < 60_000) return `${(t / 1000).toFixed(1)} s`;
  const s = Math.floor(t / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** Time spent in the current state: waiting when queued, working when running, in total once settled. */
export function elapsedOf(f: FutureInfo, now: number): number {
  const status = statusOf(f);
  if (status === 'pending') return now - f.submittedAt;
  if (status === 'running') return now - (f.startedAt ?? f.submittedAt);
  return (f.finishedAt ?? now) - (f.startedAt ?? f.submittedAt);
}

export function labelOf(f: FutureInfo): string {
  return f.label.trim() || `task #${f.id}`;
}

/** `running · 4.2 s · 40% reading .debug_info` */
export function describeTask(f: FutureInfo, now: number): string {
  const status = statusOf(f);
  const parts = [statusWords[status], formatElapsed(elapsedOf(f, now))];
  if (status === 'running' && f.lastProgress) {
    const { fraction, message } = f.lastProgress;
    const pct = typeof fraction === 'number' && Number.isFinite(fraction) ? `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%` : '';
    const text = [pct, message?.trim() ?? ''].filter(Boolean).join(' ');
    if (text) parts.push(text);
  }
  return parts.join(' · ');
}

/** Tooltip lines (Markdown) with times, lane, worker and, for a failure, the error with the worker's stack. */
export function tooltipMarkdown(f: FutureInfo, now: number): string {
  const status = statusOf(f);
  const lines = [
    `**${escapeMarkdown(labelOf(f))}**  `,
    `${escapeMarkdown(f.kind)} · ${statusWords[status]} · ${f.lane} lane · #${f.id}`,
    '',
    `- submitted: ${clock(f.submittedAt)}`,
    `- started: ${f.startedAt ? clock(f.startedAt) : '—'}`,
    `- finished: ${f.finishedAt ? clock(f.finishedAt) : '—'}`,
    `- ${isUnsettled(status) ? 'elapsed' : 'took'}: ${formatElapsed(elapsedOf(f, now))}`,
    `- worker: ${f.worker ? escapeMarkdown(f.worker) : '—'}`,
  ];
  if (f.lastProgress?.message) lines.push(`- progress: ${escapeMarkdown(f.lastProgress.message)}`);
  if (status === 'failed' || status === 'timedOut') {
    lines.push('', '```text', errorText(f.error).replace(/```/g, '`\u200b``'), '```');
  }
  return lines.join('\n');
}

/** The error's name and message, then the stack thrown inside the worker (carried as its `cause`), capped for a tooltip. */
export function errorText(error: unknown, maxChars = 4000): string {
  let text: string;
  if (error instanceof Error) {
    text = `${error.name}: ${error.message}`;
    const cause = (error as { cause?: unknown }).cause;
    const remote = cause && typeof cause === 'object' && typeof (cause as { remoteStack?: unknown }).remoteStack === 'string'
      ? (cause as { remoteStack: string }).remoteStack
      : undefined;
    if (remote) text += `\n\nin the worker:\n${remote}`;
    else if (error.stack) text = error.stack;
  } else {
    text = `thrown value: ${safeString(error)}`;
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n…` : text;
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Local wall-clock time with milliseconds, e.g. 14:03:07.215. */
function clock(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Escapes what could start emphasis, code, a link or HTML inside a line; labels are expressions and paths. */
function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, '\\$&');
}
