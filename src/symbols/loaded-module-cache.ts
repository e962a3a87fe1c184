// Symbols a debug session loaded, kept for the next session of the same window: restarting a session on an unchanged
// program (or debugging it again) finds its modules' indexes here instead of reading them again. An entry is reused
// only while its files (the module and, when apart, its debug file) have the size, modification time and file id they
// had when read; it is dropped once no session has used it for a while, and idle entries are kept within a byte budget.
import { statSync, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LoadedModule } from './module-loader';

/** Which file a path names, and which version of it: a rebuilt or replaced file differs in one of these. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface LoadedModuleCacheOptions {
  /** Idle entries (no session using them) are kept this long; 0 keeps none. */
  idleMs: number;
  /** Idle entries are kept within this many bytes of index, least recently used dropped first. */
  maxIdleBytes: number;
  now?: () => number;
}

interface Entry {
  loaded: LoadedModule;
  files: Array<[string, FileIdentity]>;
  bytes: number;
  users: number;
  idleSince: number;
}

function identityOf(st: Stats): FileIdentity | undefined {
  return st.isFile() ? { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

export async function fileIdentity(file: string): Promise<FileIdentity | undefined> {
  try {
    return identityOf(await fs.stat(file));
  } catch {
    return undefined;
  }
}

/** fileIdentity with one synchronous stat, for a caller that cannot wait (a DAP event handler). */
export function fileIdentitySync(file: string): FileIdentity | undefined {
  try {
    return identityOf(statSync(file));
  } catch {
    return undefined;
  }
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The cache key of a module: its absolute path (case-insensitive on Windows) and the symbol search paths used to read it. */
export function moduleCacheKey(file: string, searchPaths: readonly string[] = [], platform: NodeJS.Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32.resolve(file).toLowerCase() : path.posix.resolve(file);
  return [p, ...searchPaths].join('\0');
}

export class LoadedModuleCache {
  private readonly entries = new Map<string, Entry>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private options: LoadedModuleCacheOptions) {}

  configure(options: Partial<LoadedModuleCacheOptions>): void {
    this.options = { ...this.options, ...options };
    this.sweep();
  }

  /** Keys held, for tests and the log. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Bytes of index held by idle entries. */
  idleBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.users === 0) n += e.bytes;
    return n;
  }

  /**
   * The module loaded earlier under `key`, if its files are unchanged since; the caller then uses it until release().
   * A changed or vanished file drops the entry.
   */
  async acquire(key: string): Promise<LoadedModule | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = await Promise.all(e.files.map(([file]) => fileIdentity(file)));
    if (this.entries.get(key) !== e) return undefined;
    if (!e.files.every(([, before], i) => sameFile(before, now[i]))) {
      this.entries.delete(key);
      return undefined;
    }
    e.users++;
    return e.loaded;
  }

  /**
   * Keeps `loaded`, read from `file` whose identity was `before` when the read began, in use by the caller until
   * release(). Nothing is kept when the file changed during the read, when the load failed to find anything worth
   * keeping, or when idle entries are not kept at all.
   */
  async remember(key: string, file: string, before: FileIdentity, loaded: LoadedModule): Promise<boolean> {
    if (this.options.idleMs <= 0 || loaded.index.byteLength > this.options.maxIdleBytes) return false;
    const files: Array<[string, FileIdentity]> = [[file, before]];
    const debugFile = loaded.parts.find((p) => p.debugInfoPath)?.debugInfoPath;
    const after = await fileIdentity(file);
    if (!sameFile(before, after)) return false;
    if (debugFile && debugFile !== file) {
      const id = await fileIdentity(debugFile);
      if (!id) return false;
      files.push([debugFile, id]);
    }
    // A second session that read the same module meanwhile replaces the first one's result (whose release is then ignored).
    this.entries.set(key, { loaded, files, bytes: loaded.index.byteLength, users: 1, idleSince: 0 });
    return true;
  }

  /** The caller no longer uses the entry: from now on it is idle, kept for idleMs within the byte budget. */
  release(key: string, loaded: LoadedModule): void {
    const e = this.entries.get(key);
    if (!e || e.loaded !== loaded || e.users === 0) return;
    if (--e.users === 0) {
      e.idleSince = this.now();
      // Most recently used last: the budget drops from the front.
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    this.sweep();
  }

  /** Drops the entry of `loaded` at once, used or not (its index withdrew: nobody may be given it again). */
  forget(key: string, loaded: LoadedModule): void {
    if (this.entries.get(key)?.loaded === loaded) this.entries.delete(key);
  }

  /** Drops idle entries past their time, and the oldest idle ones beyond the byte budget. */
  sweep(): void {
    const now = this.now();
    for (const [key, e] of this.entries) if (e.users === 0 && now - e.idleSince >= this.options.idleMs) this.entries.delete(key);
    let idle = this.idleBytes();
    for (const [key, e] of this.entries) {
      if (idle <= this.options.maxIdleBytes) break;
      if (e.users > 0) continue;
      this.entries.delete(key);
      idle -= e.bytes;
    }
    this.schedule();
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private schedule(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    let next = Infinity;
    for (const e of this.entries.values()) if (e.users === 0) next = Math.min(next, e.idleSince + this.options.idleMs);
    if (next === Infinity || this.options.now) return; // a test's clock sweeps by hand
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(1000, next - this.now()));
    this.sweepTimer.unref?.();
  }
}

/** Ten minutes: long enough for a restart or the next run of the same build, short enough not to hold memory all day. */
export const DEFAULT_SYMBOL_CACHE_MINUTES = 10;

/** The window's cache (the extension host runs every session's adapter inline, so they all share it). */
export const sharedModuleCache = new LoadedModuleCache({ idleMs: DEFAULT_SYMBOL_CACHE_MINUTES * 60_000, maxIdleBytes: 1024 * 1024 * 1024 });
