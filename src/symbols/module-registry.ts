// Host-side record of one debug session's modules and their symbol loads: what the Modules view shows, what symbol search and function breakpoints by Rust path query.
import { EventEmitter } from 'node:events';
import type { Executor } from '../futures/executor';
import type { Future } from '../futures/future';
import type { SymbolIndexStore } from './index-store';
import { readImageBase } from './image-base';
import { FileIdentity, fileIdentity, fileIdentitySync, LoadedModuleCache, moduleCacheKey, sameFile } from './loaded-module-cache';
import { LoadedModule, loadModuleSymbols, moduleFileName } from './module-loader';
import { SymbolHit, SymbolIndex } from './symbol-index';

export type ModuleSymbolStatus = 'loading' | 'loaded' | 'publicsOnly' | 'none' | 'error' | 'cancelled';

/** A module as the DAP `module` event and `modules` response describe it (the fields we use). */
export interface DapModuleLike {
  id: number | string;
  name: string;
  path?: string;
  /** lldb-dap: where the module is loaded, e.g. "0x00005555...". */
  addressRange?: string;
}

export interface ModuleEntry {
  id: string;
  name: string;
  path: string;
  status: ModuleSymbolStatus;
  /** 0..1 while loading. */
  progress: number;
  message?: string;
  /** File size in bytes, once known. */
  sizeBytes?: number;
  /** Time the load took, once settled. */
  elapsedMs?: number;
  /** Why the load failed (status 'error'), for the view's tooltip. */
  error?: string;
  warnings: string[];
  index?: SymbolIndex;
  /** Runtime address − link-time address, when the debugger reported where the module is loaded. */
  slide?: number;
  debugInfoPath?: string;
  /** True when the symbols came from an earlier session's load of the unchanged file (the window's cache). */
  cached?: boolean;
  /** True while its load is held back (see `holdLoads`); `message` says why. */
  held?: boolean;
}

/** A hit with its module and, when the load address is known, its runtime address. */
export interface ModuleSymbolHit extends SymbolHit {
  module: string;
  runtimeAddress?: number;
}

export interface ModuleRegistryOptions {
  /** The debug session id: futures carry it as owner so the session can cancel its own loads. */
  owner?: string;
  /** `rustOffload.symbolSearchPaths`. */
  searchPaths?: string[];
  /** Loads to reuse from earlier sessions, and where this session's go for later ones; none by default. */
  cache?: LoadedModuleCache;
  /** Indexes kept on disk across windows; none by default. */
  store?: SymbolIndexStore;
}

/** Emits 'changed' (one module) whenever a module is added, progresses, settles or is removed. */
export class ModuleRegistry extends EventEmitter<{ changed: [ModuleEntry]; removed: [ModuleEntry] }> {
  private readonly entries = new Map<string, ModuleEntry>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly imageBases = new Map<string, number>();
  private readonly loadAddresses = new Map<string, number>();
  /** Per module id: the cache entry this session uses, released when the module goes or the session ends. */
  private readonly held = new Map<string, { key: string; loaded: LoadedModule }>();
  /** The program's load started before its module event (prefetchProgram), until that event adopts it. */
  private prefetch: { id: string; path: string; identity: FileIdentity } | undefined;
  /** While loads are held (see `holdLoads`): each waiting module's entry and how to start it, in arrival order. */
  private heldStarts: Map<ModuleEntry, AbortController> | undefined;
  private holdReason = '';
  private disposed = false;

  constructor(private readonly executor: Executor, private readonly options: ModuleRegistryOptions = {}) {
    super();
  }

  /** Feed every DAP `module` event (and each module of a `modules` response as 'new'); loads start in the bulk lane. */
  onModule(reason: 'new' | 'changed' | 'removed', module: DapModuleLike): void {
    if (this.disposed) return;
    const id = String(module.id);
    if (reason === 'removed') {
      this.controllers.get(id)?.abort();
      this.release(id);
      const entry = this.entries.get(id);
      this.entries.delete(id);
      if (entry) this.emit('removed', entry);
      return;
    }
    const load = parseAddress(module.addressRange);
    if (load !== undefined) this.loadAddresses.set(id, load);
    const existing = this.entries.get(id);
    if (existing && existing.path === (module.path ?? existing.path)) {
      this.updateSlide(existing);
      this.emit('changed', existing);
      return;
    }
    if (!module.path) return; // nothing to read (a module without a file, e.g. [vdso])
    if (this.adoptPrefetch(id, module.name, module.path)) return;
    this.start(id, module.name, module.path);
  }

  /**
   * Starts reading the program about to be launched before the debugger reports it (lldb-dap reports it only once
   * its own target is created, seconds later for a large program): its module event then adopts this load instead of
   * starting another. The row shows under a provisional id until then.
   */
  prefetchProgram(path: string): void {
    if (this.disposed || this.prefetch) return;
    const identity = fileIdentitySync(path);
    if (!identity) return;
    const id = `program:${path}`;
    this.prefetch = { id, path, identity };
    // Asked for to load at once: not held.
    this.start(id, moduleFileName(path), path, [], false);
  }

  /** The module event of the prefetched program takes over its load (true); another file of its name cancels it. */
  private adoptPrefetch(id: string, name: string, path: string): boolean {
    const pre = this.prefetch;
    if (!pre) return false;
    const entry = this.entries.get(pre.id);
    const same = path === pre.path || sameFile(fileIdentitySync(path), pre.identity);
    if (!same) {
      if (moduleFileName(path).toLowerCase() === moduleFileName(pre.path).toLowerCase()) this.dropPrefetch();
      return false;
    }
    this.prefetch = undefined;
    if (!entry) return false;
    this.entries.delete(pre.id);
    this.emit('removed', { ...entry });
    entry.id = id;
    entry.name = name;
    this.entries.set(id, entry);
    rekey(this.controllers, pre.id, id);
    rekey(this.held, pre.id, id);
    rekey(this.imageBases, pre.id, id);
    this.updateSlide(entry);
    this.emit('changed', entry);
    return true;
  }

  /** The prefetch guessed wrong (the debugger runs another file of that name): cancel it and drop its row. */
  private dropPrefetch(): void {
    const pre = this.prefetch;
    this.prefetch = undefined;
    if (!pre) return;
    this.controllers.get(pre.id)?.abort();
    this.controllers.delete(pre.id);
    this.release(pre.id);
    const entry = this.entries.get(pre.id);
    this.entries.delete(pre.id);
    if (entry) this.emit('removed', entry);
  }

  /**
   * New loads wait (their rows show, as loading, with `reason`) until `releaseLoads()`: a launch keeps the cores for
   * the debugger until the program first stops.
   */
  holdLoads(reason: string): void {
    if (this.disposed || this.heldStarts) return;
    this.heldStarts = new Map();
    this.holdReason = reason;
  }

  /** Whether loads are being held. */
  get holding(): boolean {
    return this.heldStarts !== undefined;
  }

  /** Starts every held load, in the order their modules came, and stops holding. */
  releaseLoads(): void {
    const held = this.heldStarts;
    this.heldStarts = undefined;
    for (const [entry, controller] of held ?? []) {
      if (this.disposed || controller.signal.aborted || this.entries.get(entry.id) !== entry) continue;
      entry.message = undefined;
      this.begin(entry, controller);
      this.emit('changed', entry);
    }
  }

  /**
   * Gives a module still loading (or held) its slide from its file's headers, when the debugger said where it is
   * loaded: a stop's values need only that, not the symbols. True when the module has a slide now.
   */
  placeFromHeaders(id: string): boolean {
    const entry = this.entries.get(String(id));
    if (!entry) return false;
    if (entry.slide !== undefined) return true;
    if (!this.loadAddresses.has(entry.id) || this.imageBases.has(entry.id)) return false;
    const base = readImageBase(entry.path);
    if (base === undefined) return false;
    this.imageBases.set(entry.id, base);
    this.updateSlide(entry);
    return entry.slide !== undefined;
  }

  modules(): ModuleEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): ModuleEntry | undefined {
    return this.entries.get(String(id));
  }

  /** Fuzzy search over every loaded module, best first, up to `limit`. */
  search(query: string, limit = 1000): ModuleSymbolHit[] {
    const all: Array<ModuleSymbolHit & { rank: number }> = [];
    for (const e of this.entries.values()) {
      if (!e.index) continue;
      e.index.search(query, limit).forEach((hit, rank) => all.push({ ...this.withModule(e, hit), rank }));
    }
    // Interleave modules by rank so one big module does not crowd out the rest.
    return all.sort((a, b) => a.rank - b.rank).slice(0, limit).map(({ rank: _rank, ...hit }) => hit);
  }

  /** Functions named `path` (generic instances included) in every loaded module: where a function breakpoint goes. */
  resolveFunction(path: string): ModuleSymbolHit[] {
    const out: ModuleSymbolHit[] = [];
    for (const e of this.entries.values()) {
      if (e.index) for (const hit of e.index.lookupByName(path)) out.push(this.withModule(e, hit));
    }
    return out;
  }

  /** Cancels every load still running. */
  dispose(): void {
    this.disposed = true;
    const held = this.heldStarts;
    this.heldStarts = undefined;
    for (const entry of held?.keys() ?? []) {
      if (this.entries.get(entry.id) !== entry) continue;
      // Never started: it ends as its running siblings do when cancelled.
      entry.status = 'cancelled';
      entry.message = undefined;
      entry.held = undefined;
      this.emit('changed', entry);
    }
    for (const c of this.controllers.values()) c.abort();
    this.controllers.clear();
    for (const id of [...this.held.keys()]) this.release(id);
  }

  private release(id: string): void {
    const held = this.held.get(id);
    this.held.delete(id);
    if (held) this.options.cache?.release(held.key, held.loaded);
  }

  private withModule(e: ModuleEntry, hit: SymbolHit): ModuleSymbolHit {
    const out: ModuleSymbolHit = { ...hit, module: e.name };
    if (e.slide !== undefined) out.runtimeAddress = hit.address + e.slide;
    return out;
  }

  private updateSlide(e: ModuleEntry): void {
    const load = this.loadAddresses.get(e.id);
    const base = this.imageBases.get(e.id);
    if (load !== undefined && base !== undefined) e.slide = load - base;
  }

  /**
   * A module's index from the on-disk store withdrew (bytes a query needed failed their checksum or vanished): it is
   * read again, as a new load, and the window's cache drops it. Breakpoints it would have bound bind when the load settles.
   */
  private rereadWithdrawn(entry: ModuleEntry, loaded: LoadedModule, cacheKey: string, err: Error): void {
    this.options.cache?.forget(cacheKey, loaded);
    if (this.disposed || this.entries.get(entry.id) !== entry || entry.index !== loaded.index) return;
    this.start(entry.id, entry.name, entry.path, [`symbols read again: ${err.message}`], false);
  }

  private start(id: string, name: string, path: string, notes: string[] = [], holdable = true): void {
    this.controllers.get(id)?.abort();
    this.release(id); // a module id that names another file now: the old load is no longer this session's
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const entry: ModuleEntry = { id, name, path, status: 'loading', progress: 0, warnings: [...notes] };
    this.entries.set(id, entry);
    if (this.heldStarts && holdable) {
      entry.message = this.holdReason;
      entry.held = true;
      this.heldStarts.set(entry, controller);
      this.emit('changed', entry);
      return;
    }
    this.emit('changed', entry);
    this.begin(entry, controller);
  }

  private begin(entry: ModuleEntry, controller: AbortController): void {
    const path = entry.path;
    entry.held = undefined;
    const notes = [...entry.warnings]; // what start() noted before the load (a re-read's reason)
    const t0 = Date.now();
    const futures: Array<Future<unknown>> = [];
    const cache = this.options.cache;
    const key = moduleCacheKey(path, this.options.searchPaths);
    const read = async (): Promise<{ loaded: LoadedModule; cached: boolean; before?: FileIdentity }> => {
      const hit = await cache?.acquire(key);
      if (hit) return { loaded: hit, cached: true };
      controller.signal.throwIfAborted();
      const before = cache ? await fileIdentity(path) : undefined;
      const loaded = await loadModuleSymbols(this.executor, { path, searchPaths: this.options.searchPaths }, {
        owner: this.options.owner,
        signal: controller.signal,
        store: this.options.store,
        onFuture: (f) => futures.push(f),
        onProgress: (fraction, message) => {
          if (this.entries.get(entry.id) !== entry) return;
          entry.progress = fraction;
          entry.message = message;
          this.emit('changed', entry);
        },
      });
      return { loaded, cached: false, before };
    };
    read().then(
      async ({ loaded, cached, before }) => {
        // Held for this session whether it came from the cache or goes into it; released when the module or session goes.
        const fresh = before !== undefined && cache !== undefined && (await cache.remember(key, path, before, loaded).catch(() => false));
        if (cache && (cached || fresh)) {
          if (this.entries.get(entry.id) !== entry || this.disposed) {
            cache.release(key, loaded);
            return;
          }
          this.release(entry.id);
          this.held.set(entry.id, { key, loaded });
        }
        if (this.entries.get(entry.id) !== entry) return;
        entry.status = loaded.status;
        entry.index = loaded.index;
        entry.progress = 1;
        entry.message = undefined;
        entry.warnings = [...notes, ...loaded.warnings];
        entry.sizeBytes = loaded.parts[0]?.fileBytes;
        entry.debugInfoPath = loaded.parts.find((p) => p.debugInfoPath)?.debugInfoPath;
        entry.cached = cached || loaded.stored !== undefined;
        this.imageBases.set(entry.id, loaded.parts[0]?.imageBase ?? 0);
        this.updateSlide(entry);
        entry.elapsedMs = Date.now() - t0;
        this.controllers.delete(entry.id);
        if (loaded.index.isLazy) loaded.index.onWithdrawn((why) => this.rereadWithdrawn(entry, loaded, key, why));
        this.emit('changed', entry);
      },
      (err: unknown) => {
        if (this.entries.get(entry.id) !== entry) return;
        const cancelled = controller.signal.aborted || futures.some((f) => f.outcome === 'cancelled');
        entry.status = cancelled ? 'cancelled' : 'error';
        entry.error = err instanceof Error ? err.message : String(err);
        entry.elapsedMs = Date.now() - t0;
        this.controllers.delete(entry.id);
        this.emit('changed', entry);
      },
    );
  }
}

/** Moves a per-module value from the provisional id to the module's own. */
function rekey<V>(map: Map<string, V>, from: string, to: string): void {
  const v = map.get(from);
  map.delete(from);
  if (v !== undefined) map.set(to, v);
}

function parseAddress(range: string | undefined): number | undefined {
  if (!range) return undefined;
  const m = /0x[0-9a-fA-F]+/.exec(range);
  if (!m) return undefined;
  const v = Number(BigInt(m[0]));
  return Number.isSafeInteger(v) ? v : undefined;
}
