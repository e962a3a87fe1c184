// A debug session's symbols: loads each module lldb-dap reports as a bulk-lane future, tells the UI how far they are, answers symbol queries, and places function breakpoints by Rust path.
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Executor } from '../futures/executor';
import { sharedModuleCache } from '../symbols/loaded-module-cache';
import { SymbolIndexStore } from '../symbols/index-store';
import { ModuleRegistry, type DapModuleLike, type ModuleEntry, type ModuleSymbolHit } from '../symbols/module-registry';
import { backendSupports } from './backend-capabilities';
import {
  addressBreakpointCommand,
  deleteLldbBreakpoints,
  parseBreakpointSetOutput,
  resolutionMessage,
  resolveRustPath,
  runLldbCommand,
  type PathLookup,
  type Resolution,
} from './function-breakpoints';
import type { LldbDapClient } from './lldb-dap-client';

/** Event the session sends whenever a module's symbol state changes; the Modules view listens for it. */
export const MODULE_SYMBOLS_EVENT = 'rustOffload/moduleSymbols';
/** Custom requests the UI sends (it never holds a session object). */
export const MODULES_REQUEST = 'rustOffload/modules';
export const SEARCH_SYMBOLS_REQUEST = 'rustOffload/searchSymbols';
export const LOOKUP_SYMBOL_REQUEST = 'rustOffload/lookupSymbol';

/**
 * What the UI learns of one module (the body of MODULE_SYMBOLS_EVENT, one per entry of the MODULES_REQUEST answer):
 * the registry's entry without the index and load address, plus its symbol count.
 */
export type ModuleSymbolsInfo = Omit<ModuleEntry, 'index' | 'slide'> & {
  symbols?: number;
  /** True once the module was unloaded (the event's last word on it). */
  removed?: boolean;
};

export interface SymbolSearchArguments {
  query: string;
  limit?: number;
}

export interface SymbolLookupArguments {
  /** A Rust path: every function it names (generic instances included). */
  name?: string;
  /** A runtime address (number or "0x…"): the function and line there. */
  address?: number | string;
}

export interface SymbolSearchResult {
  hits: ModuleSymbolHit[];
}

/** What the session lends this object: the executor, the backend, and its event channel to the client. */
export interface SessionSymbolsHost {
  executor(): Executor;
  owner(): string;
  backend(): LldbDapClient | undefined;
  sendEvent(event: DebugProtocol.Event): void;
}

/**
 * Longest a `setFunctionBreakpoints` waits for symbol loads in progress before it falls back to lldb's own name
 * lookup. VS Code starts the program only after the breakpoints are answered, so this is how a function breakpoint by
 * Rust path binds before the program runs past it; sessions without function breakpoints never wait.
 */
export const FUNCTION_BREAKPOINT_SYMBOL_WAIT_MS = 120_000;

/**
 * Whether to read the program before lldb-dap reports it. Only with 4 or more cores: lldb-dap creates its target
 * at the same moment, and on fewer cores the two loads share them and the first stop comes later (measured on 2
 * cores, forced on: symbols ready 0.15–0.35 s sooner, the first stop 0.45–0.5 s later). RUST_OFFLOAD_PREFETCH=on|off
 * overrides.
 */
function prefetchWanted(): boolean {
  const forced = process.env.RUST_OFFLOAD_PREFETCH;
  if (forced === 'on' || forced === 'off') return forced === 'on';
  return os.availableParallelism() >= 4;
}

/**
 * Whether a launch keeps its symbol loads waiting until the program first stops. On fewer than 4 cores they share
 * the CPU with lldb-dap starting the process, and the first stop came later by their cost (measured on 2 cores:
 * configurationDone → stopped ~600 ms against lldb-dap alone's ~370 ms on the example crate). RUST_OFFLOAD_HOLD_SYMBOLS=on|off overrides.
 */
function holdWanted(): boolean {
  const forced = process.env.RUST_OFFLOAD_HOLD_SYMBOLS;
  if (forced === 'on' || forced === 'off') return forced === 'on';
  return os.availableParallelism() < 4;
}

/**
 * Held loads start at the latest this long after configurationDone or the process start, whichever comes first, when
 * the program has not stopped: it then runs, and its symbols should be ready by the time the user pauses it.
 */
export const SYMBOL_HOLD_MAX_MS = 3_000;

/**
 * At the first stop, held loads start once the client has asked nothing for this long (VS Code asks for the threads,
 * the stack, the scopes, the locals and the watches within ~100 ms of a stop, then waits for the user), and at the
 * latest QUIET_RELEASE_MAX_MS after the stop. Measured on 2 cores (values bench): with two workers reading the
 * program's DWARF beside them (at nice 19: load-task.ts), the first stop's locals took ~180 ms instead of ~60 ms and
 * the first page of a 100,000-entry HashMap 90–230 ms instead of ~20 ms (the workers, and the host merging results).
 */
export const CLIENT_QUIET_MS = 300;
export const QUIET_RELEASE_MAX_MS = 3_000;

/** What the Modules view says of a load held back until the first stop. */
const HOLD_REASON = 'waits for the first stop';

/** Progress events per module at most this often; status changes go out at once. */
const PROGRESS_EVENT_INTERVAL_MS = 200;

const OWN_REQUESTS = new Set([MODULES_REQUEST, SEARCH_SYMBOLS_REQUEST, LOOKUP_SYMBOL_REQUEST, 'setFunctionBreakpoints', 'modules']);

export class SessionSymbols {
  private registry: ModuleRegistry | undefined;
  searchPaths: string[] = [];
  /** Client requests in flight, and when the last one was answered (see releaseWhenQuiet). */
  private clientBusy = 0;
  private clientQuietSince = 0;
  private store: SymbolIndexStore | undefined;
  private disposed = false;
  private readonly lastProgressEvent = new Map<string, number>();
  private readonly settleWaiters = new Set<() => void>();
  /** lldb breakpoint ids of the address breakpoints standing in for function breakpoints (replaced on every set). */
  private addressBreakpoints: number[] = [];
  /** Serialises setFunctionBreakpoints and late binding: each replaces or completes the previous set. */
  private breakpointChain: Promise<unknown> = Promise.resolve();
  /**
   * Function breakpoints of the current set that neither our index nor lldb could bind yet, by the id the client
   * knows: a module loaded later (a DLL or a dlopen'ed library, or symbols that took longer than the wait) may hold
   * them, and then they bind through our index and the client hears of it in a `breakpoint` event.
   */
  private unbound = new Map<number, DebugProtocol.FunctionBreakpoint>();
  private watchedBackend: LldbDapClient | undefined;
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: SessionSymbolsHost) {}

  /** Sees every client request first; true when this object answers it (then `handle` gives the body). */
  takes(request: DebugProtocol.Request): boolean {
    if (request.command === 'launch' || request.command === 'attach') {
      const args = request.arguments as { symbolSearchPaths?: unknown; symbolIndexDir?: unknown; symbolIndexMaxBytes?: unknown } | undefined;
      const paths = args?.symbolSearchPaths;
      if (Array.isArray(paths)) this.searchPaths = paths.filter((p): p is string => typeof p === 'string');
      if (typeof args?.symbolIndexDir === 'string' && args.symbolIndexDir !== '') {
        const maxBytes = typeof args.symbolIndexMaxBytes === 'number' && args.symbolIndexMaxBytes >= 0 ? args.symbolIndexMaxBytes : undefined;
        this.store = new SymbolIndexStore({ dir: args.symbolIndexDir, maxBytes });
      }
      this.watchBackend();
      if (holdWanted()) this.ensureRegistry()?.holdLoads(HOLD_REASON);
    }
    // The deadline runs from here too, for a backend that sends no process event.
    if (request.command === 'configurationDone') this.releaseLoadsLater();
    if (request.command === 'disconnect' || request.command === 'terminate') this.dispose();
    if (request.command === 'setFunctionBreakpoints' && !this.backendHas('setFunctionBreakpoints') && !this.registry) return false;
    if (request.command === 'modules' && !this.backendHas('modules')) return false;
    return OWN_REQUESTS.has(request.command);
  }

  async handle(request: DebugProtocol.Request): Promise<unknown> {
    switch (request.command) {
      case MODULES_REQUEST:
        return { modules: (this.registry?.modules() ?? []).map(describeModule) };
      case SEARCH_SYMBOLS_REQUEST:
        this.releaseLoads();
        return this.search(request.arguments as SymbolSearchArguments);
      case LOOKUP_SYMBOL_REQUEST:
        this.releaseLoads();
        return this.lookup(request.arguments as SymbolLookupArguments);
      case 'modules':
        return this.modulesRequest(request.arguments);
      case 'setFunctionBreakpoints': {
        const run = this.breakpointChain.then(() => this.setFunctionBreakpoints(request.arguments as DebugProtocol.SetFunctionBreakpointsArguments));
        this.breakpointChain = run.catch(() => undefined);
        return run;
      }
      default:
        throw new Error(`'${request.command}' is not a symbol request`);
    }
  }

  /** Sees every lldb-dap event before the client does. */
  onBackendEvent(event: DebugProtocol.Event): void {
    if (event.event === 'module') {
      const body = event.body as DebugProtocol.ModuleEvent['body'];
      if (body?.module && (body.reason === 'removed' || hasFile(body.module))) this.ensureRegistry()?.onModule(body.reason, body.module as DapModuleLike);
    } else if (event.event === 'process') {
      // Catch modules announced before we listened, or by a backend that sends no module events.
      void this.refreshModules();
      this.releaseLoadsLater();
    } else if (event.event === 'stopped') {
      // What the client shows of the stop goes first (a frame's module is placed from its headers).
      this.releaseWhenQuiet(Date.now() + QUIET_RELEASE_MAX_MS);
    } else if (event.event === 'terminated') {
      this.dispose();
    } else if (event.event === 'breakpoint') {
      // lldb bound one of them itself (its name lookup works for ELF modules): nothing left for us to do.
      const bp = (event.body as DebugProtocol.BreakpointEvent['body'])?.breakpoint;
      if (bp?.id !== undefined && bp.verified) this.unbound.delete(bp.id);
    }
  }

  /**
   * Starts loading the program's symbols as the launch is forwarded, before lldb-dap (busy creating its target)
   * reports the module; the module event then takes over the load.
   */
  prefetchProgram(program: string): void {
    if (prefetchWanted()) this.ensureRegistry()?.prefetchProgram(program);
  }

  /** Starts the loads held since the launch (at the first stop, or when something needs the symbols now). */
  releaseLoads(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.registry?.releaseLoads();
  }

  /** A client request arrived (dispatch); requestEnded when it has been answered. */
  requestStarted(): void {
    this.clientBusy++;
  }

  requestEnded(): void {
    this.clientBusy = Math.max(0, this.clientBusy - 1);
    this.clientQuietSince = Date.now();
  }

  /** Starts the held loads once no client request is in flight and none came for CLIENT_QUIET_MS, or at `deadline`. */
  private releaseWhenQuiet(deadline: number): void {
    if (!this.registry?.holding) return;
    clearTimeout(this.holdTimer);
    const check = (): void => {
      if (!this.registry?.holding || this.disposed) return;
      const now = Date.now();
      const quietFor = this.clientBusy === 0 ? now - this.clientQuietSince : 0;
      if (quietFor >= CLIENT_QUIET_MS || now >= deadline) return this.releaseLoads();
      this.holdTimer = setTimeout(check, Math.max(10, Math.min(deadline - now, CLIENT_QUIET_MS - quietFor)));
      this.holdTimer.unref?.();
    };
    this.holdTimer = setTimeout(check, CLIENT_QUIET_MS);
    this.holdTimer.unref?.();
  }

  private releaseLoadsLater(): void {
    if (!this.registry?.holding || this.holdTimer) return;
    this.holdTimer = setTimeout(() => this.releaseLoads(), SYMBOL_HOLD_MAX_MS);
    this.holdTimer.unref?.();
  }

  /** The session's modules, for tests and the session. */
  modules(): ModuleEntry[] {
    return this.registry?.modules() ?? [];
  }

  /** Cancels every load still running; later module events are ignored. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.holdTimer);
    this.registry?.dispose();
    this.wakeSettleWaiters();
  }

  // ---- loading ----

  private ensureRegistry(): ModuleRegistry | undefined {
    if (this.disposed) return undefined;
    if (this.registry) return this.registry;
    const registry = new ModuleRegistry(this.host.executor(), { owner: this.host.owner(), searchPaths: this.searchPaths, cache: sharedModuleCache, store: this.store });
    registry.on('changed', (entry) => this.onChanged(entry));
    registry.on('removed', (entry) => this.sendModuleEvent({ ...describeModule(entry), removed: true }));
    this.registry = registry;
    return registry;
  }

  private onChanged(entry: ModuleEntry): void {
    if (entry.status === 'loading' && entry.progress > 0) {
      const now = Date.now();
      if (now - (this.lastProgressEvent.get(entry.id) ?? 0) < PROGRESS_EVENT_INTERVAL_MS) return;
      this.lastProgressEvent.set(entry.id, now);
    }
    this.sendModuleEvent(describeModule(entry));
    if (entry.status !== 'loading') this.wakeSettleWaiters();
    if ((entry.status === 'loaded' || entry.status === 'publicsOnly') && this.unbound.size > 0) {
      this.breakpointChain = this.breakpointChain.then(() => this.bindLate()).catch(() => undefined);
    }
  }

  private sendModuleEvent(body: ModuleSymbolsInfo): void {
    this.host.sendEvent({ seq: 0, type: 'event', event: MODULE_SYMBOLS_EVENT, body });
  }

  private watchBackend(): void {
    const backend = this.host.backend();
    if (!backend || backend === this.watchedBackend) return;
    this.watchedBackend = backend;
    // lldb-dap died: its modules are gone with it.
    backend.once('exit', () => this.dispose());
  }

  private backendHas(command: string): boolean {
    const backend = this.host.backend();
    return !!backend && backendSupports(backend.capabilities, command);
  }

  private async modulesRequest(args: unknown): Promise<unknown> {
    const backend = this.requireBackend();
    const answer = await backend.request<DebugProtocol.ModulesResponse>('modules', args);
    for (const m of answer.body?.modules ?? []) if (hasFile(m)) this.ensureRegistry()?.onModule('new', m as DapModuleLike);
    return answer.body;
  }

  private async refreshModules(): Promise<void> {
    if (!this.backendHas('modules') || this.disposed) return;
    try {
      await this.modulesRequest({});
    } catch {
      // Module events still arrive; a failed refresh only means we rely on them.
    }
  }

  /** Resolves once no module is loading (or after `ms`); true when everything settled. */
  private async loadsSettled(ms: number): Promise<boolean> {
    const loading = (): boolean => !this.disposed && this.modules().some((m) => m.status === 'loading');
    if (!loading()) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    try {
      while (loading()) {
        let wake!: () => void;
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        this.settleWaiters.add(wake);
        let expired = false;
        await Promise.race([woken, timedOut.then(() => (expired = true))]);
        this.settleWaiters.delete(wake);
        if (expired) return !loading();
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  private wakeSettleWaiters(): void {
    for (const wake of [...this.settleWaiters]) wake();
  }

  // ---- queries ----

  /**
   * The module holding a frame's pc (by lldb-dap's module id, else by address), with its file and slide. A module whose
   * load address is not known yet (its symbol load still running) is waited for, at most `ms`.
   */
  async moduleAt(moduleId: string | number | undefined, pc: number, ms = 10_000): Promise<{ path: string; slide: number; searchPaths: string[] } | undefined> {
    const find = (): ModuleEntry | undefined => {
      const byId = moduleId === undefined ? undefined : this.registry?.get(String(moduleId));
      // Its headers place it at once; its symbol load (maybe held until this stop) need not be waited for.
      if (byId && byId.slide === undefined) this.registry?.placeFromHeaders(byId.id);
      if (byId) return byId;
      return this.modules().find((m) => m.slide !== undefined && m.index && m.index.lookupAddress(pc - m.slide).function);
    };
    let entry = find();
    // Without lldb-dap's module id the frame's module is found by address, in the loaded symbols.
    if (!entry || moduleId === undefined) {
      this.releaseLoads();
      entry = find();
    }
    // Only this module's load is waited for (its image base gives the slide), not the other modules'.
    const deadline = Date.now() + ms;
    while (entry && entry.slide === undefined && entry.status === 'loading' && !this.disposed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.settleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.settleWaiters.add(done);
      });
      entry = find();
    }
    if (!entry || entry.slide === undefined) return undefined;
    return { path: entry.path, slide: entry.slide, searchPaths: this.searchPaths };
  }

  private search(args: SymbolSearchArguments): SymbolSearchResult {
    const query = typeof args?.query === 'string' ? args.query : '';
    const limit = Math.max(1, Math.min(1000, Number.isInteger(args?.limit) ? (args.limit as number) : 1000));
    return { hits: this.registry?.search(query, limit) ?? [] };
  }

  private lookup(args: SymbolLookupArguments): SymbolSearchResult {
    if (typeof args?.name === 'string') return { hits: resolveRustPath(args.name, this.pathLookup()).sites.map((s) => siteHit(s)) };
    if (args?.address !== undefined) {
      const address = typeof args.address === 'number' ? args.address : Number(BigInt(String(args.address)));
      const hits: ModuleSymbolHit[] = [];
      for (const m of this.modules()) {
        if (!m.index || m.slide === undefined) continue;
        const found = m.index.lookupAddress(address - m.slide);
        if (found.function) hits.push({ ...found.function, file: found.file ?? found.function.file, line: found.line ?? found.function.line, module: m.name, runtimeAddress: address });
      }
      return { hits };
    }
    throw new Error(`${LOOKUP_SYMBOL_REQUEST} needs "name" (a Rust path) or "address"`);
  }

  private pathLookup(): PathLookup {
    const byName = new Map(this.modules().map((m) => [m.name, m]));
    return {
      resolveFunction: (name) => this.registry?.resolveFunction(name) ?? [],
      lineAt: (module, address) => {
        const hit = byName.get(module)?.index?.lookupAddress(address);
        return hit && hit.line !== undefined ? { file: hit.file, line: hit.line } : undefined;
      },
    };
  }

  // ---- function breakpoints ----

  /**
   * Names our index knows become lldb address breakpoints (file address + module, so they hold before the process
   * exists and wherever the module loads); the rest go to lldb-dap's own name lookup, in the same order.
   */
  private async setFunctionBreakpoints(args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<DebugProtocol.SetFunctionBreakpointsResponse['body']> {
    const backend = this.requireBackend();
    const wanted = args?.breakpoints ?? [];
    if (wanted.length > 0) {
      // While our symbols still load or are not known yet (a launch), lldb's own name lookup may bind every name at
      // once: then the answer comes as fast as lldb-dap's alone, and waiting for our index would only delay the start.
      const ready = this.modules().length > 0 && !this.modules().some((m) => m.status === 'loading');
      const quick = ready ? undefined : await this.lldbBindsAll(backend, wanted);
      if (quick) return quick;
      // Module events are sent from lldb-dap's event thread and may trail this request: ask for the target's modules.
      await this.refreshModules();
      this.releaseLoads();
      await this.loadsSettled(FUNCTION_BREAKPOINT_SYMBOL_WAIT_MS);
    }
    const lookup = this.pathLookup();
    const resolutions = wanted.map((bp) => resolveRustPath(bp.name, lookup));
    await this.deleteAddressBreakpoints(backend);

    const out: DebugProtocol.Breakpoint[] = new Array(wanted.length);
    const forwardedIndex: number[] = [];
    const forwarded: DebugProtocol.FunctionBreakpoint[] = [];
    for (let i = 0; i < wanted.length; i++) {
      const resolution = resolutions[i];
      if (resolution.sites.length === 0) {
        forwardedIndex.push(i);
        forwarded.push(wanted[i]);
        continue;
      }
      out[i] = await this.placeAddressBreakpoints(backend, wanted[i], resolution);
    }
    if (backendSupports(backend.capabilities, 'setFunctionBreakpoints')) {
      // Sent even when empty: it clears lldb-dap's previous name breakpoints.
      const answer = await backend.request<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', { breakpoints: forwarded });
      forwardedIndex.forEach((i, k) => (out[i] = answer.body?.breakpoints?.[k] ?? { verified: false, message: 'lldb-dap gave no answer for this breakpoint' }));
    } else {
      for (const i of forwardedIndex) out[i] = { verified: false, message: `${wanted[i].name}: not found in the loaded symbols` };
    }
    this.unbound = new Map();
    for (const i of forwardedIndex) {
      const id = out[i].id;
      if (out[i].verified) continue;
      if (id !== undefined) this.unbound.set(id, wanted[i]);
      out[i] = { ...out[i], message: `${wanted[i].name}: not found in the loaded symbols yet; it binds when a module that has it loads` };
    }
    return { breakpoints: out };
  }

  /**
   * The whole set through lldb-dap's own name lookup when lldb binds every one of them (its answer, our address
   * breakpoints removed), else undefined: the caller then resolves through our index and sends lldb the rest.
   */
  private async lldbBindsAll(backend: LldbDapClient, wanted: DebugProtocol.FunctionBreakpoint[]): Promise<DebugProtocol.SetFunctionBreakpointsResponse['body'] | undefined> {
    if (!backendSupports(backend.capabilities, 'setFunctionBreakpoints')) return undefined;
    const answer = await backend.request<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', { breakpoints: wanted });
    const bound = answer.body?.breakpoints ?? [];
    if (bound.length !== wanted.length || !bound.every((b) => b.verified)) return undefined;
    await this.deleteAddressBreakpoints(backend);
    this.unbound = new Map();
    return { breakpoints: bound };
  }

  /** Binds the breakpoints of the current set that a newly loaded module has, under the ids the client knows. */
  private async bindLate(): Promise<void> {
    if (this.unbound.size === 0 || this.disposed) return;
    const backend = this.requireBackend();
    const lookup = this.pathLookup();
    for (const [id, bp] of [...this.unbound]) {
      const resolution = resolveRustPath(bp.name, lookup);
      if (resolution.sites.length === 0) continue;
      this.unbound.delete(id);
      const placed = await this.placeAddressBreakpoints(backend, bp, resolution);
      this.host.sendEvent({ seq: 0, type: 'event', event: 'breakpoint', body: { reason: 'changed', breakpoint: { ...placed, id } } } as DebugProtocol.BreakpointEvent);
    }
  }

  private async placeAddressBreakpoints(backend: LldbDapClient, bp: DebugProtocol.FunctionBreakpoint, resolution: Resolution): Promise<DebugProtocol.Breakpoint> {
    const ids: number[] = [];
    const errors: string[] = [];
    for (const site of resolution.sites) {
      try {
        const id = parseBreakpointSetOutput(await runLldbCommand(backend, addressBreakpointCommand(site, { condition: bp.condition, hitCondition: bp.hitCondition })));
        ids.push(id);
        this.addressBreakpoints.push(id);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (ids.length === 0) return { verified: false, message: `${bp.name}: found in the symbols, but lldb refused the breakpoint: ${errors[0] ?? 'no answer'}` };
    const first = resolution.sites[0];
    const result: DebugProtocol.Breakpoint = {
      id: ids[0],
      verified: true,
      instructionReference: `0x${(first.runtimeAddress ?? first.fileAddress).toString(16)}`,
    };
    if (first.file) result.source = { name: pathBaseName(first.file), path: first.file };
    if (first.line !== undefined) result.line = first.line;
    const message = resolutionMessage(bp.name, resolution);
    if (message) result.message = message;
    return result;
  }

  private async deleteAddressBreakpoints(backend: LldbDapClient): Promise<void> {
    if (this.addressBreakpoints.length === 0) return;
    const ids = this.addressBreakpoints;
    this.addressBreakpoints = [];
    try {
      await deleteLldbBreakpoints(backend, ids);
    } catch {
      // Already gone (the target was deleted); nothing left to remove.
    }
  }

  private requireBackend(): LldbDapClient {
    const backend = this.host.backend();
    if (!backend || backend.exited) throw new Error('lldb-dap is not running, so the symbols of this session cannot be used');
    return backend;
  }
}

/** Modules with nothing on disk to read (`[vdso]`, `[stack]`; lldb reports them with their bracketed name as path) are left out. */
export function hasFile(module: DebugProtocol.Module): boolean {
  const p = module.path ?? '';
  return p !== '' && !/^\[[^\]]*\]$/.test(p.split(/[\\/]/).pop() ?? p);
}

export function describeModule(entry: ModuleEntry): ModuleSymbolsInfo {
  const info: ModuleSymbolsInfo = { id: entry.id, name: entry.name, path: entry.path, status: entry.status, progress: entry.progress, warnings: entry.warnings.slice(0, 20) };
  if (entry.message) info.message = entry.message;
  if (entry.sizeBytes !== undefined) info.sizeBytes = entry.sizeBytes;
  if (entry.elapsedMs !== undefined) info.elapsedMs = entry.elapsedMs;
  if (entry.error !== undefined) info.error = entry.error;
  if (entry.index) info.symbols = entry.index.symbolCount;
  if (entry.debugInfoPath) info.debugInfoPath = entry.debugInfoPath;
  if (entry.cached) info.cached = true;
  if (entry.held) info.held = true;
  return info;
}

function siteHit(site: { module: string; fileAddress: number; runtimeAddress?: number; name: string; file?: string; line?: number }): ModuleSymbolHit {
  const hit: ModuleSymbolHit = { name: site.name, kind: 'function', address: site.fileAddress, module: site.module };
  if (site.runtimeAddress !== undefined) hit.runtimeAddress = site.runtimeAddress;
  if (site.file !== undefined) hit.file = site.file;
  if (site.line !== undefined) hit.line = site.line;
  return hit;
}

/** Base name of a path from either OS (a PDB records Windows paths even when read elsewhere). */
function pathBaseName(p: string): string {
  return /^[a-zA-Z]:[\\/]|\\/.test(p) ? path.win32.basename(p) : path.posix.basename(p);
}
