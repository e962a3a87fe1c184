// How the Modules view and Search Symbols show a module's symbol state and a symbol hit (pure: no vscode, unit-tested).
import type { ModuleSymbolsInfo } from '../debug/session-symbols';
import type { ModuleSymbolHit } from '../symbols/module-registry';
import { formatElapsed } from './task-presentation';

export const moduleStatusIcons: Record<ModuleSymbolsInfo['status'], { readonly id: string; readonly color?: string }> = {
  loading: { id: 'loading~spin' },
  loaded: { id: 'pass', color: 'testing.iconPassed' },
  publicsOnly: { id: 'symbol-key', color: 'list.warningForeground' },
  none: { id: 'circle-outline', color: 'disabledForeground' },
  error: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

const statusWords: Record<ModuleSymbolsInfo['status'], string> = {
  loading: 'loading',
  loaded: 'loaded',
  publicsOnly: 'public symbols only',
  none: 'no symbols',
  error: 'error',
  cancelled: 'cancelled',
};

/** `1.2 MB`, `640 KB`, `12 B` (powers of 1024, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (!(bytes >= 0)) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** The row's description: `loading 42%`, `waits for the first stop`, `loaded · 3.4 MB · 1.2 s`, `error · 0.1 s`. */
export function describeModule(m: ModuleSymbolsInfo): string {
  if (m.status === 'loading' && m.held) return m.message ?? 'waiting to load';
  if (m.status === 'loading') return `loading ${Math.floor(Math.max(0, Math.min(1, m.progress)) * 100)}%`;
  const parts = [statusWords[m.status]];
  if (m.sizeBytes !== undefined) parts.push(formatBytes(m.sizeBytes));
  if (m.elapsedMs !== undefined) parts.push(formatElapsed(m.elapsedMs));
  if (m.cached) parts.push('reused');
  return parts.join(' · ');
}

/** The row's tooltip (Markdown): the path, what was read, and for an error what went wrong. */
export function moduleTooltipMarkdown(m: ModuleSymbolsInfo): string {
  const lines = [`**${escapeMarkdown(m.name)}** — ${statusWords[m.status]}`, '', `\`${m.path}\``];
  if (m.debugInfoPath && m.debugInfoPath !== m.path) lines.push('', `Debug info: \`${m.debugInfoPath}\``);
  if (m.status === 'loading' && m.message) lines.push('', escapeMarkdown(m.message));
  if (m.symbols !== undefined) lines.push('', `${m.symbols.toLocaleString('en-US')} symbols`);
  if (m.cached) lines.push('', 'Reused from an earlier debug session in this window: the file is unchanged since it was read (setting `rustOffload.symbolCacheMinutes`).');
  if (m.error) lines.push('', `**Error:** ${escapeMarkdown(m.error)}`);
  if (m.warnings.length > 0) lines.push('', `Warnings (${m.warnings.length}):`, ...m.warnings.slice(0, 5).map((w) => `- ${escapeMarkdown(w)}`));
  return lines.join('\n');
}

export function moduleContextValue(m: ModuleSymbolsInfo): string {
  return `module-${m.status}`;
}

/** A search hit's location as the quick pick shows it: `main.rs:12`, or the module when the symbol has no line. */
export function hitLocation(hit: ModuleSymbolHit): string {
  if (!hit.file) return `${hit.module} · ${hit.kind === 'public' ? 'public symbol' : 'no line info'}`;
  const base = hit.file.split(/[\\/]/).pop() ?? hit.file;
  return hit.line !== undefined ? `${base}:${hit.line}` : base;
}

/** The hit's detail line: the full path and module. */
export function hitDetail(hit: ModuleSymbolHit): string {
  const where = hit.file ? `${hit.file}${hit.line !== undefined ? `:${hit.line}` : ''}` : `0x${(hit.runtimeAddress ?? hit.address).toString(16)}`;
  return `${where} — ${hit.module}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
