// The rust-offload debug session: run control proxied to lldb-dap, every evaluation a cancellable future on the shared executor.
import { setMaxListeners } from 'node:events';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugSession, Logger, LoggingDebugSession, OutputEvent, Response, TerminatedEvent, logger } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Executor, Future, SubmitOptions } from '../futures';
import { taskModule } from '../futures/task-ref';
import type { EvaluationResult } from '../rust/expression-evaluator';
import { STOP_PAGE } from '../rust/expression-stop-memory';
import type { DirectMemoryGrant } from '../rust/values/direct-memory';
import { BACKEND_REQUEST, NATIVE_WITHOUT_EXPRESSION, nativeExpressionOf, type BackendRequestParams, type EvaluateTaskArgs, type TaskMemory } from '../rust/evaluate-task';
import { backendSupports, clientCapabilities } from './backend-capabilities';
import { buildWithCargo, normaliseCargoSettings } from './cargo-build';
import { checkCoreFile } from './core-file';
import { FrameNames, rustFrameName } from './frame-names';
import {
  ConfigurationError,
  parseRustcVersion,
  rustSourceMapping,
  toLldbDapAttach,
  toLldbDapLaunch,
  type AttachArguments,
  type CommonArguments,
  type LaunchArguments,
} from './launch-arguments';
import { BackendExitedError, LldbDapClient } from './lldb-dap-client';
import { WholeLineOutput } from './output-lines';
import { findLldbDapForSession, type FoundLldbDap } from './lldb-dap-discovery';
import { PanicStops } from './panic-stops';
import { SessionSymbols } from './session-symbols';
import { SessionValues, VALUE_FORMAT_REQUEST } from './session-values';
import { ProcessMemory } from './process-memory';
import { StopMemory } from './stop-memory';

const evaluateTasks = taskModule<typeof import('../rust/evaluate-task')>('rust/evaluate-task');

/**
 * 30 s: long enough for a legitimately slow evaluation of a large value to finish (CodeLLDB's 5 s
 * cuts those off), and costless because an evaluation never blocks stepping and can be cancelled
 * from the sidebar at any time.
 */
export const DEFAULT_EVALUATION_TIMEOUT_MS = 30_000;

/**
 * How long a watch may take before it answers with a placeholder and goes on in the background. VS Code paints the
 * watch list only when every watch has answered; 250 ms keeps a step feeling immediate (the list changes within a
 * quarter second) while the evaluations that take milliseconds, nearly all of them, still answer in place.
 */
export const WATCH_ANSWER_BUDGET_MS = 250;

/** Results a stop keeps for repeated evaluations (see stopResults); past this, new ones are not kept. */
const STOP_RESULTS_KEPT = 1000;

/** Children counts from which an expansion runs as a future of its own (and shows in the sidebar). */
const LARGE_EXPANSION = 1000;

/** lldb's warning at a stop in Rust code: `This version of LLDB has no plugin for the language "rust". Inspection of frame variables will be limited.` */
const NO_RUST_PLUGIN = /has no plugin for the language "?rust"?/i;

/** lldb's words when a native expression's thread did not come back: the program may be ending. */
const PROGRAM_ENDING = /unexpected state|process (exited|is not|has exited)|no process|interrupted|exited/i;

/** Requests that leave the current stop: they cancel the evaluations made in it. */
const RUN_CONTROL = new Set(['continue', 'next', 'stepIn', 'stepOut', 'pause', 'stepBack', 'reverseContinue', 'goto', 'restartFrame']);

/** Requests that change the stopped program's state, making cached reads stale. */
const CHANGES_PROGRAM = new Set(['setVariable', 'setExpression', 'writeMemory', 'restartFrame', 'goto']);

/**
 * Bytes per lldb-dap readMemory when a task reads memory (see readMemoryInPieces). lldb-dap-22 answers a
 * 4-64 KiB read in ~0.15 ms here, so a client request behind one piece waits little; measured with 4, 16 and
 * 64 KiB pieces, a stackTrace during a long comparison took 1.24-1.27 ms (0.73-0.76 ms idle) whichever was used.
 */
const READ_PIECE = 16 << 10;

/** What an evaluation task may ask lldb-dap for. */
const TASK_COMMANDS = new Set(['scopes', 'variables', 'readMemory', 'evaluate']);

export interface SessionOptions {
  /** The shared executor; the session does not own it. */
  executor: Executor;
  /** The `rustOffload.lldbDapPath` setting, or undefined to search PATH and install places. */
  lldbDapPath?: string;
  /** Finds lldb-dap; defaults to discovery from `lldbDapPath`. The UI passes its own to show errors. */
  findLldbDap?: () => Promise<FoundLldbDap>;
  /** `rustOffload.evaluationTimeout` in ms (0 = none); launch.json's `evaluationTimeout` wins. */
  evaluationTimeout?: number;
  /** `rustOffload.callStack.shortenFrameNames`, read when frames are named (default true). */
  shortenFrameNames?: () => boolean;
  /** Identifies this session's futures in the sidebar. */
  sessionId?: string;
  /** Environment for lldb-dap, cargo and the debuggee (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** Called once the session is over (disconnect answered, or lldb-dap died); the standalone adapter exits then. */
  onEnd?: () => void;
}

export class RustDebugSession extends LoggingDebugSession {
  private backend: LldbDapClient | undefined;
  private backendInfo: FoundLldbDap | undefined;
  private readonly evaluations = new Map<number, Future<unknown>>();
  /** Client request seq → lldb-dap request seq, so a DAP `cancel` can follow a forwarded request. */
  private readonly forwarded = new Map<number, number>();
  /** variablesReference → name, for references with enough children that expanding them is a future. */
  private readonly largeReferences = new Map<number, string>();
  private evaluationTimeout: number;
  private disconnecting = false;
  private programExit: string | undefined;
  /** Set when lldb-dap died without being asked to end: evaluations cancelled by that say so. */
  private backendDied: string | undefined;
  private readonly programEndListeners = new Set<() => void>();
  private stderrTail = '';
  /**
   * lldb-dap's answers to scopes/variables within the current stop, shared by every evaluation of that
   * stop: the program cannot change while stopped (except by a native call, which drops them).
   */
  private readonly stopCache = new Map<string, Promise<unknown>>();
  /** The stopped program's memory pages read in this stop, shared by its tasks; cleared with stopCache. */
  private readonly stopMemory = new StopMemory();
  /** The stopped program's memory read from /proc on Linux, when our lldb-dap traces it (else through lldb-dap). */
  private readonly processMemory = new ProcessMemory(() => this.backend?.pid);
  /** Counts stops (and anything else that makes cached reads stale); workers keep their reads per stop by it. */
  private stopNumber = 0;
  /** Whether lldb-dap reported the program stopped and it has not been resumed since. */
  private programStopped = false;
  /** Attached to a core file or minidump: its one stop is the crash. */
  private postMortem = false;
  /** The launched program (or the attach's `program`), whose values the first stop shows. */
  private programPath: string | undefined;
  /**
   * The thread list of the current stop: it cannot change until the program runs again (lldb-dap stops
   * all threads), and VS Code asks for it after every stop and step.
   */
  private stopThreads: DebugProtocol.ThreadsResponse['body'] | undefined;
  private verbose = false;
  /** Client requests forwarded and not yet answered; evaluation reads wait for them (interactive first). */
  private clientInFlight = 0;
  private clientIdleWaiters: Array<() => void> = [];
  /** Whether the client re-asks on an `invalidated` event (initialize's supportsInvalidatedEvent): slow watches then answer early. */
  private clientRefreshes = false;
  /** Whether the client shows progress (initialize's supportsProgressReporting). */
  private clientShowsProgress = false;
  /** progressId → client request seq, so cancelling a progress notification cancels its evaluation. */
  private readonly progressRequests = new Map<string, number>();
  readonly sessionId: string;
  /** The "Rust: Panic" exception filter. */
  private readonly panics = new PanicStops({ backend: () => this.backend });
  /** Call Stack names shortened inside generic arguments, with the full name in the row's file hover. */
  private readonly frameNames = new FrameNames(() => ({ shorten: this.options.shortenFrameNames?.() ?? true }));
  /** lldb-dap's events on their way to the client, the program's output held until its lines are whole. */
  private readonly outputLines = new WholeLineOutput((e) => this.sendEvent(e));
  /** Module symbol loads, symbol queries and function breakpoints by Rust path. */
  readonly symbols = new SessionSymbols({ executor: () => this.options.executor, owner: () => this.sessionId, backend: () => this.backend, sendEvent: (e) => this.sendEvent(e) });
  /** Rust values of the Variables view, formatted in workers. */
  private readonly values = new SessionValues({
    executor: () => this.options.executor,
    submitOptions: (label) => this.evaluationOptions(label, this.evaluationTimeout),
    backendRequest: (command, args) => this.clientRequest(command, args),
    moduleAt: (moduleId, pc, waitMs) => this.symbols.moduleAt(moduleId, pc, waitMs),
    settle: (seq, future) => this.settle(seq, future),
    note: (message) => this.noteOncePerStop(message),
    hex: () => this.hexValues,
    directMemory: () => this.directMemory(),
  });
  /** Integers in hexadecimal (launch.json's `hexadecimal`, the setting, View as Hex). */
  private hexValues = false;
  /** The notes said in this stop (each is said once). */
  private readonly stopNotes = new Set<string>();
  /** Watch results of this stop that settled after their placeholder answer, by expression: the re-ask gets them. */
  private readonly settledWatches = new Map<string, { result?: EvaluationResult; error?: string }>();
  /** Watch evaluations of this stop still running after their placeholder answer, by the same key. */
  private readonly runningWatches = new Map<string, { future: Future<EvaluationResult>; started: number }>();
  /**
   * Rust evaluations of this stop that succeeded, by frame, format and expression (see resultKey). The Watch view asks
   * again at every frame or thread selection and a hover at every pause: the program cannot change while stopped and
   * our evaluator only reads it, so the answer is the same, and comes from here without a worker. Dropped with stopCache.
   */
  private readonly stopResults = new Map<string, { result: EvaluationResult; present: (result: EvaluationResult) => EvaluationResult }>();

  constructor(private readonly options: SessionOptions) {
    super();
    this.evaluationTimeout = options.evaluationTimeout ?? DEFAULT_EVALUATION_TIMEOUT_MS;
    this.sessionId = options.sessionId ?? `rust-offload-${process.pid}-${Date.now()}`;
    this.configureLogging(false);
  }

  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(inStream, outStream);
    // start() re-initialises the package's logger, which then queues again until setup().
    this.configureLogging(false);
  }

  /**
   * The package's logger keeps every message in memory until it is set up, and an inline session is never
   * start()ed: set it up always, quiet unless launch.json asks for `"trace": true` (then to the Debug Console).
   */
  private configureLogging(verbose: boolean): void {
    this.verbose = verbose;
    logger.init((event) => this.sendEvent(event), undefined, false);
    logger.setup(verbose ? Logger.LogLevel.Verbose : Logger.LogLevel.Stop, false);
  }

  // LoggingDebugSession turns every message into JSON for its log even when the log is off; only trace pays that.
  override sendResponse(response: DebugProtocol.Response): void {
    if (this.verbose) super.sendResponse(response);
    else DebugSession.prototype.sendResponse.call(this, response);
  }

  override sendEvent(event: DebugProtocol.Event): void {
    if (this.verbose) super.sendEvent(event);
    else DebugSession.prototype.sendEvent.call(this, event);
  }

  /** The lldb-dap process id, while it runs. */
  get backendPid(): number | undefined {
    return this.backend?.pid;
  }

  /** Futures of this session not yet settled (evaluations and large expansions). */
  get pendingEvaluations(): number {
    return this.evaluations.size;
  }

  // Requests are not awaited one after another: each runs on its own, so a slow evaluate never delays a threads.
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    if (this.verbose) logger.verbose(`From client: ${request.command}(${JSON.stringify(request.arguments)})`);
    this.symbols.requestStarted();
    this.handle(request)
      .catch((err) => this.fail(request, err))
      .finally(() => this.symbols.requestEnded());
  }

  private async handle(request: DebugProtocol.Request): Promise<void> {
    if (this.symbols.takes(request)) return this.sendResponse(Object.assign(responseTo(request), { body: await this.symbols.handle(request) }));
    if (this.panics.takes(request)) return this.sendResponse(Object.assign(responseTo(request), { body: await this.panics.handle(request) }));
    switch (request.command) {
      case 'initialize':
        return this.onInitialize(request);
      case 'launch':
        return this.onLaunch(request);
      case 'attach':
        return this.onAttach(request);
      case 'evaluate':
        return this.onEvaluate(request);
      case 'completions':
        return this.onCompletions(request);
      case 'cancel':
        return this.onCancel(request);
      case 'disconnect':
      case 'terminate':
        return this.onDisconnect(request);
      case 'stackTrace':
        return this.forward(request, request.arguments, (body: DebugProtocol.StackTraceResponse['body']) => {
          this.values.noteStackTrace(body, (request.arguments as DebugProtocol.StackTraceArguments)?.startFrame ?? 0);
          for (const frame of body?.stackFrames ?? []) frame.name = rustFrameName(frame.name);
          this.panics.markPanicFrames(request.arguments as DebugProtocol.StackTraceArguments, body);
          this.frameNames.shorten(body?.stackFrames ?? [], this.stopNumber);
          return body;
        });
      case 'scopes':
        return this.forward(request, request.arguments, (body: DebugProtocol.ScopesResponse['body']) => {
          this.values.noteScopes(request.arguments as DebugProtocol.ScopesArguments, body);
          return body;
        });
      case 'variables':
        return this.onVariables(request);
      case VALUE_FORMAT_REQUEST:
        this.hexValues = (request.arguments as { hex?: unknown } | undefined)?.hex === true;
        this.sendResponse(responseTo(request));
        // VS Code asks again for what it shows; the values it caches per stop are not ours to keep.
        return this.sendEvent({ seq: 0, type: 'event', event: 'invalidated', body: { areas: ['variables'] } } as DebugProtocol.InvalidatedEvent);
      case 'threads':
        return this.onThreads(request);
      default:
        if (RUN_CONTROL.has(request.command)) {
          this.cancelEvaluations();
          this.programStopped = false;
        }
        if (RUN_CONTROL.has(request.command) || CHANGES_PROGRAM.has(request.command)) this.clearStopCache();
        return this.forward(request);
    }
  }

  // ---- lifecycle ----

  private async onInitialize(request: DebugProtocol.Request): Promise<void> {
    this.clientShowsProgress = (request.arguments as DebugProtocol.InitializeRequestArguments | undefined)?.supportsProgressReporting === true;
    this.clientRefreshes = (request.arguments as DebugProtocol.InitializeRequestArguments | undefined)?.supportsInvalidatedEvent === true;
    // The rustc probe for the std source map runs meanwhile; launch needs its answer.
    void probeRustc();
    const found = await (this.options.findLldbDap ?? (() => findLldbDapForSession(this.options.lldbDapPath)))();
    this.backendInfo = found;
    const backend = new LldbDapClient(found.path, [], this.options.env ?? process.env);
    this.backend = backend;
    backend.on('event', (event: DebugProtocol.Event) => this.onBackendEvent(event));
    backend.on('reverseRequest', (req: DebugProtocol.Request) => this.relayReverseRequest(req));
    backend.on('stderr', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      logger.verbose(`lldb-dap stderr: ${text}`);
    });
    backend.on('exit', () => this.onBackendExit());
    const answer = await backend.request<DebugProtocol.InitializeResponse>('initialize', {
      ...(request.arguments as object),
      // We parse values ourselves, and memory references are how evaluations read data.
      supportsMemoryReferences: true,
      supportsVariableType: true,
    });
    backend.capabilities = answer.body ?? {};
    const response = responseTo(request) as DebugProtocol.InitializeResponse;
    response.body = clientCapabilities(backend.capabilities);
    this.sendResponse(response);
    this.sendEvent(new OutputEvent(`rust-offload: using ${found.versionText} at ${found.path} (${found.source}), pid ${backend.pid}\n`, 'console'));
  }

  private applyCommon(args: CommonArguments): void {
    if (args.trace === true) this.configureLogging(true);
    if (args.hexadecimal !== undefined) this.hexValues = args.hexadecimal === true;
    if (args.evaluationTimeout !== undefined) {
      if (typeof args.evaluationTimeout !== 'number' || !(args.evaluationTimeout >= 0)) {
        throw new ConfigurationError(`"evaluationTimeout" must be a number of milliseconds (0 for no deadline), not ${JSON.stringify(args.evaluationTimeout)}`);
      }
      this.evaluationTimeout = args.evaluationTimeout;
    }
  }

  private async onLaunch(request: DebugProtocol.Request): Promise<void> {
    const args = request.arguments as LaunchArguments;
    this.applyCommon(args);
    const env = this.options.env ?? process.env;
    const cwd = args.cwd ?? process.cwd();
    let program = args.program;
    if (args.cargo) {
      program = await buildWithCargo(normaliseCargoSettings(args.cargo), cwd, env, (text) => this.sendEvent(new OutputEvent(text.endsWith('\n') ? text : `${text}\n`, 'console')));
      this.sendEvent(new OutputEvent(`rust-offload: debugging ${program}\n`, 'console'));
    }
    if (!program) throw new ConfigurationError('"program" is required: the path of the executable to debug (or give "cargo" to build it first)');
    program = resolveProgram(path.resolve(cwd, program));
    this.programPath = program;
    this.symbols.prefetchProgram(program);
    const backendArgs = toLldbDapLaunch({ ...args, cwd }, program, env, await this.rustSourceMap(args));
    await this.forward(request, backendArgs);
  }

  private async onAttach(request: DebugProtocol.Request): Promise<void> {
    const args = request.arguments as AttachArguments;
    this.applyCommon(args);
    const backendArgs = toLldbDapAttach(args, await this.rustSourceMap(args));
    // lldb-dap's own error for a bad core file is a bare "failed to load"; say which file and what is wrong with it.
    if (typeof backendArgs.coreFile === 'string') {
      checkCoreFile(backendArgs.coreFile);
      this.postMortem = true;
    }
    // With a stub or a core file the program is known up front: read its symbols while lldb-dap connects.
    if (typeof backendArgs.program === 'string') this.programPath = backendArgs.program;
    if (typeof backendArgs.program === 'string' && (backendArgs.coreFile || backendArgs['gdb-remote-port'])) this.symbols.prefetchProgram(backendArgs.program);
    await this.forward(request, backendArgs);
  }

  private async rustSourceMap(args: CommonArguments): Promise<Array<[string, string]>> {
    if (args.mapRustSources === false) return [];
    const { verbose, sysroot } = await probeRustc();
    const mapping = rustSourceMapping({ commitHash: parseRustcVersion(verbose), sysroot: sysroot.trim() || undefined });
    return mapping ? [mapping] : [];
  }

  private async onDisconnect(request: DebugProtocol.Request): Promise<void> {
    this.disconnecting = true;
    this.cancelEvaluations();
    const backend = this.backend;
    if (backend && !backend.exited) {
      try {
        await withTimeout(backend.request(request.command === 'terminate' && backendSupports(backend.capabilities, 'terminate') ? 'terminate' : 'disconnect', request.arguments), 10_000);
      } catch (err) {
        logger.warn(`lldb-dap did not answer ${request.command} cleanly: ${(err as Error).message}`);
      }
      if (request.command === 'disconnect') setTimeout(() => backend.kill(), 2000).unref();
    }
    this.sendResponse(responseTo(request));
    if (request.command === 'disconnect') this.options.onEnd?.();
  }

  /** Ends the adapter's own resources (the inline factory calls this when VS Code disposes the session). */
  override dispose(): void {
    this.disconnecting = true;
    this.cancelEvaluations();
    this.backend?.kill();
    this.outputLines.dispose();
    this.symbols.dispose();
    this.processMemory.close();
    super.dispose();
  }

  // ---- events from lldb-dap ----

  private onBackendEvent(event: DebugProtocol.Event): void {
    // Values are ours, so lldb's warning that it cannot show Rust ones would only mislead.
    if (event.event === 'output' && NO_RUST_PLUGIN.test((event.body as DebugProtocol.OutputEvent['body'])?.output ?? '')) return;
    this.symbols.onBackendEvent(event);
    event = this.panics.onBackendEvent(event);
    if (event.event === 'stopped' && this.postMortem) event = crashStop(event);
    if (event.event === 'exited') {
      this.programExit = `exit code ${(event.body as DebugProtocol.ExitedEvent['body'])?.exitCode}`;
    }
    if (event.event === 'process') {
      this.processMemory.noteProcess(event.body as DebugProtocol.ProcessEvent['body'], this.postMortem);
      if (this.programPath) this.values.prepare(this.programPath, this.symbols.searchPaths);
    }
    if (event.event === 'exited' || event.event === 'terminated') {
      this.programExit ??= 'terminated';
      this.processMemory.close();
      this.cancelEvaluations();
      for (const listener of [...this.programEndListeners]) listener();
    }
    if (event.event === 'capabilities' && this.backend) {
      const added = (event.body as DebugProtocol.CapabilitiesEvent['body'])?.capabilities ?? {};
      this.backend.capabilities = { ...this.backend.capabilities, ...added };
      event = { ...event, body: { capabilities: clientCapabilities(added, false) } };
    }
    if (event.event === 'stopped' || event.event === 'continued' || event.event === 'invalidated' || event.event === 'exited') {
      this.largeReferences.clear();
      this.values.clear();
      this.clearStopCache();
      this.programStopped = event.event === 'stopped';
    }
    const stoppedThread = event.event === 'stopped' ? (event.body as DebugProtocol.StoppedEvent['body'])?.threadId : undefined;
    if (stoppedThread !== undefined) void this.readAheadLocals(stoppedThread, this.stopNumber);
    if (event.event === 'thread') this.stopThreads = undefined;
    this.outputLines.pass(event);
  }

  /**
   * lldb reads a frame's debug info the first time it lists the frame's variables (~35 ms at the first stop of the
   * values bench; ~2 ms at the next ones). Asked at the stop, that work overlaps the client's threads, stackTrace and
   * scopes round trips, and our own read of the frame (SessionValues.prepareFrame) starts with it; the client's
   * variables request then finds lldb ready. Nothing is answered from these requests, and a new stop ends them.
   */
  private async readAheadLocals(threadId: number, stop: number): Promise<void> {
    try {
      const backend = this.requireBackend();
      const trace = (await backend.request('stackTrace', { threadId, startFrame: 0, levels: 1 })).body as DebugProtocol.StackTraceResponse['body'] | undefined;
      const frame = trace?.stackFrames?.[0];
      if (!frame || stop !== this.stopNumber) return;
      this.values.noteStackTrace(trace, 0);
      const scopes = (await backend.request('scopes', { frameId: frame.id })).body as DebugProtocol.ScopesResponse['body'] | undefined;
      const locals = scopes?.scopes?.find((s) => s.presentationHint === 'locals') ?? scopes?.scopes?.[0];
      if (!locals || locals.variablesReference <= 0 || stop !== this.stopNumber) return;
      await backend.request('variables', { variablesReference: locals.variablesReference });
    } catch {
      // The client's own requests say what is wrong.
    }
  }

  private relayReverseRequest(req: DebugProtocol.Request): void {
    this.sendRequest(req.command, req.arguments, 30_000, (answer) => this.backend?.respond(req, answer.success, answer.body, answer.message));
  }

  private onBackendExit(): void {
    const exit = this.backend?.exited;
    if (!this.disconnecting) this.backendDied = exit?.description ?? 'unknown cause';
    this.cancelEvaluations();
    this.outputLines.flush();
    if (this.disconnecting) return;
    const tail = this.stderrTail.trim() ? ` Its last output: ${this.stderrTail.trim().split(/\r?\n/).slice(-3).join(' | ')}` : '';
    this.sendEvent(
      new OutputEvent(`lldb-dap exited unexpectedly (${exit?.description ?? 'unknown cause'}); the debug session has ended and its evaluations were cancelled.${tail}\n`, 'important'),
    );
    this.sendEvent(new TerminatedEvent());
    // After the cancelled evaluations have been answered: a pending one (a /nat lldb-dap died in) must still get its answer.
    void this.evaluationsAnswered(2000).then(() => setTimeout(() => this.options.onEnd?.(), 50));
  }

  // ---- forwarding ----

  private async forward<B>(request: DebugProtocol.Request, args: unknown = request.arguments, transform?: (body: B) => B): Promise<void> {
    const backend = this.requireBackend();
    if (!backendSupports(backend.capabilities, request.command)) {
      throw new Error(
        `'${request.command}' is not supported by ${this.backendInfo?.versionText ?? 'lldb-dap'} (it does not announce it), so it was not sent: lldb-dap aborts on requests it does not implement`,
      );
    }
    const { seq, response } = backend.requestWithSeq(request.command, args);
    this.forwarded.set(request.seq, seq);
    this.clientInFlight++;
    try {
      const answer = await response;
      const reply = responseTo(request);
      reply.body = transform ? transform(answer.body as B) : answer.body;
      this.noteLargeReferences(reply.body);
      this.sendResponse(reply);
    } finally {
      this.forwarded.delete(request.seq);
      this.clientRequestDone();
    }
  }

  /** One request to lldb-dap on the client's behalf, counted as client work so evaluation reads wait behind it. */
  private async clientRequest(command: string, args: object): Promise<unknown> {
    const backend = this.requireBackend();
    this.clientInFlight++;
    try {
      return (await backend.request(command, args)).body;
    } finally {
      this.clientRequestDone();
    }
  }

  private clientRequestDone(): void {
    if (--this.clientInFlight === 0) {
      const waiters = this.clientIdleWaiters;
      this.clientIdleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** A future serving client request `seq`: a DAP cancel of the request interrupts it, and its failure reads as an evaluation's. */
  private async settle<T>(seq: number, future: Future<T>): Promise<T> {
    this.evaluations.set(seq, future as Future<unknown>);
    try {
      return await future.result();
    } catch (err) {
      throw new Error(this.describeEvaluationFailure(err, this.evaluationTimeout), { cause: err });
    } finally {
      this.evaluations.delete(seq);
    }
  }

  private noteOncePerStop(message: string): void {
    if (this.stopNotes.has(message)) return;
    this.stopNotes.add(message);
    this.sendEvent(new OutputEvent(`rust-offload: ${message}\n`, 'console'));
  }

  /**
   * lldb-dap answers one request at a time, so an evaluation's next read waits until the client's
   * own requests (threads, stackTrace, step) have been answered: they queue behind at most one read.
   */
  private async clientRequestsAnswered(): Promise<void> {
    while (this.clientInFlight > 0) await new Promise<void>((resolve) => this.clientIdleWaiters.push(resolve));
  }

  private requireBackend(): LldbDapClient {
    if (!this.backend) throw new Error('lldb-dap is not running: the client must send initialize first');
    if (this.backend.exited) throw new BackendExitedError(this.backend.exited.description);
    return this.backend;
  }

  private noteLargeReferences(body: unknown): void {
    const vars = (body as { variables?: DebugProtocol.Variable[] } | undefined)?.variables;
    for (const v of vars ?? []) {
      if (v.variablesReference > 0 && ((v.indexedVariables ?? 0) >= LARGE_EXPANSION || (v.namedVariables ?? 0) >= LARGE_EXPANSION)) {
        this.largeReferences.set(v.variablesReference, v.evaluateName ?? v.name);
      }
    }
  }

  private fail(request: DebugProtocol.Request, err: unknown): void {
    const response = responseTo(request);
    response.success = false;
    response.message = describeFailure(err);
    logger.warn(`${request.command} failed: ${response.message}`);
    this.sendResponse(response);
  }

  // ---- evaluations ----

  private async onEvaluate(request: DebugProtocol.Request): Promise<void> {
    const args = (request.arguments ?? {}) as DebugProtocol.EvaluateArguments;
    // A hover over blank space or an empty watch: nothing to evaluate, so no task either.
    if (typeof args.expression !== 'string' || !args.expression.trim()) throw new Error('there is no expression to evaluate: type a Rust expression, e.g. v.len()');
    this.requireBackend();
    const command = lldbCommandOf(args.expression);
    if (command !== undefined) {
      if (!command) throw new Error("an LLDB command is missing after the prefix: type e.g. '`bt' or '/cmd frame variable'");
      // lldb-dap runs a repl expression that starts with its command escape as an LLDB command.
      return this.forward(request, { expression: `\`${command}`, frameId: args.frameId, context: 'repl' });
    }
    const kept = this.stopResults.get(resultKey(args));
    if (kept) return this.sendResponse(Object.assign(responseTo(request), { body: kept.present(kept.result) }));
    if (args.context === 'watch' && this.clientRefreshes) return this.onWatch(request, args);
    const timeout = this.evaluationTimeout;
    const { future, present } = await this.startEvaluation(args, timeout);
    await this.respondWhenSettled(request, future, timeout, present);
  }

  /**
   * The future of one evaluation: a Rust expression is a task on a worker; a `/nat` one waits only on lldb-dap, so it
   * is sent from here (a worker would add two hops) as a future of the host, shown and cancelled like the others.
   */
  private async startEvaluation(args: DebugProtocol.EvaluateArguments, timeout: number): Promise<{ future: Future<EvaluationResult>; present: (result: EvaluationResult) => EvaluationResult }> {
    const options = this.evaluationOptions(args.expression, timeout);
    const native = nativeExpressionOf(args.expression);
    if (native !== undefined) {
      const future = this.options.executor.submitOnHost(options, (signal) => this.evaluateNatively(native, args.frameId, signal));
      return { future, present: (result) => this.presentLldbResult(args.expression, result) };
    }
    const { taskArgs, present } = await this.evaluationTask(args);
    if (taskArgs.module !== undefined) this.lookUpAhead(args);
    const future = this.options.executor.submitWith(options, evaluateTasks.evaluate, taskArgs);
    // Kept only when it used our type table: without it (symbols still loading) a later evaluation may answer better.
    if (taskArgs.module !== undefined) this.keepResult(args, future, present);
    return { future, present };
  }

  /** Keeps the evaluation's result for the rest of the stop once it succeeds (before it is answered), unless the stop has changed since. */
  private keepResult(args: DebugProtocol.EvaluateArguments, future: Future<EvaluationResult>, present: (result: EvaluationResult) => EvaluationResult): void {
    const stop = this.stopNumber;
    future.result().then(
      (result) => {
        // While the program runs its memory changes under the evaluation: only a stopped program's results hold.
        if (stop === this.stopNumber && this.programStopped && this.stopResults.size < STOP_RESULTS_KEPT) this.stopResults.set(resultKey(args), { result, present });
      },
      () => undefined,
    );
  }

  /** LLDB's own evaluator on the rest of a `/nat` expression. It may call functions that change the program, so the stop's reads are dropped. */
  private evaluateNatively(native: string, frameId: number | undefined, signal: AbortSignal): Promise<EvaluationResult> {
    if (!native) return Promise.reject(new Error(NATIVE_WITHOUT_EXPRESSION));
    this.clearStopCache();
    return this.sendTaskRequest('evaluate', { expression: native, frameId, context: 'watch' }, signal) as Promise<EvaluationResult>;
  }

  /** A result of lldb's (its variablesReference is lldb-dap's): a large one still expands as a future. */
  private presentLldbResult(expression: string, result: EvaluationResult): EvaluationResult {
    const { handle: _handle, ...body } = result;
    this.noteLargeReferences({ variables: [{ ...body, name: expression, value: body.result }] });
    return body;
  }

  /** The evaluate task's arguments (with the frame's module and link-time pc, as the Variables view has them) and how its result is answered. */
  private async evaluationTask(args: DebugProtocol.EvaluateArguments): Promise<{ taskArgs: EvaluateTaskArgs; present: (result: EvaluationResult) => EvaluationResult }> {
    const frame = await this.values.frameModule(args.frameId).catch(() => undefined);
    const hex = args.format?.hex === true;
    const taskArgs: EvaluateTaskArgs = {
      expression: args.expression,
      frameId: args.frameId,
      context: args.context,
      stop: `${this.sessionId}#${this.stopNumber}`,
      ...(frame ? { module: frame.module.path, searchPaths: frame.module.searchPaths, pc: frame.pc, slide: frame.module.slide, hex } : {}),
      directMemory: this.directMemory(),
    };
    const present = (result: EvaluationResult): EvaluationResult => {
      const { handle, ...body } = result;
      if (!handle || !frame) return this.presentLldbResult(args.expression, result);
      body.variablesReference = this.values.register(handle, frame.module, hex);
      return body;
    };
    return { taskArgs, present };
  }

  /** DAP completions: the frame's variables, or the fields and methods of the value before the dot. */
  private async onCompletions(request: DebugProtocol.Request): Promise<void> {
    const args = request.arguments as DebugProtocol.CompletionsArguments;
    const line = (args.text ?? '').split('\n')[Math.max(0, (args.line ?? 1) - 1)] ?? '';
    const before = line.slice(0, Math.max(0, (args.column ?? line.length + 1) - 1));
    const m = /([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before)!;
    const prefix = m[1] ?? '';
    const head = before.slice(0, before.length - prefix.length);
    const dot = head.endsWith('.');
    const target = dot ? expressionBeforeDot(head.slice(0, -1)) : '';
    const response = responseTo(request) as DebugProtocol.CompletionsResponse;
    if (lldbCommandOf(before) !== undefined || (dot && !target)) {
      response.body = { targets: [] };
      return this.sendResponse(response);
    }
    this.requireBackend();
    const { taskArgs } = await this.evaluationTask({ expression: target, frameId: args.frameId, context: 'repl' });
    const future = this.options.executor.submitWith(this.evaluationOptions(`completions of ${target || 'names'}`, this.evaluationTimeout), evaluateTasks.completions, { ...taskArgs, target });
    let names: string[] = [];
    try {
      names = await this.settle(request.seq, future);
    } catch {
      // A value that cannot be evaluated has nothing to offer; completions never fail loudly.
    }
    response.body = {
      targets: names.filter((n) => n.startsWith(prefix)).map((label) => ({ label, type: dot ? 'property' : 'variable', start: before.length - prefix.length, length: prefix.length })),
    };
    this.sendResponse(response);
  }

  /**
   * VS Code shows the watch list only once every watch has answered, so one slow watch would hold every other at the
   * previous stop's value. A watch still running after WATCH_ANSWER_BUDGET_MS answers with a placeholder; its future
   * runs on, and when it settles the client is told to refresh (invalidated) and the re-ask gets the result kept here.
   */
  private async onWatch(request: DebugProtocol.Request, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const stop = this.stopNumber;
    const key = `${stop}\u0000${args.frameId ?? ''}\u0000${args.format?.hex ? 'x' : ''}\u0000${args.expression}`;
    const settled = this.settledWatches.get(key);
    if (settled) {
      const response = responseTo(request);
      if (settled.result) response.body = settled.result;
      else {
        response.success = false;
        response.message = settled.error;
      }
      return this.sendResponse(response);
    }
    const running = this.runningWatches.get(key);
    if (running) return this.sendResponse(Object.assign(responseTo(request), { body: watchPlaceholder(running.started) }));
    const timeout = this.evaluationTimeout;
    const started = Date.now();
    const { future, present } = await this.startEvaluation(args, timeout);
    // Among the session's evaluations from the start, so a step within the budget cancels it before its next read.
    this.evaluations.set(request.seq, future as Future<unknown>);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      future.result().then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), WATCH_ANSWER_BUDGET_MS))),
    ]);
    clearTimeout(timer);
    if (inTime || stop !== this.stopNumber) {
      return this.respondWhenSettled(request, future, timeout, present);
    }
    // It stays among the session's evaluations (a step or a DAP cancel of this request interrupts it) until it settles.
    this.runningWatches.set(key, { future, started });
    this.sendResponse(Object.assign(responseTo(request), { body: watchPlaceholder(started) }));
    future.result().then(
      (result): { result?: EvaluationResult; error?: string } => ({ result }),
      (err: unknown): { result?: EvaluationResult; error?: string } => ({ error: this.describeEvaluationFailure(err, timeout) }),
    ).then((outcome) => {
      this.evaluations.delete(request.seq);
      if (this.runningWatches.get(key)?.future !== future) return;
      this.runningWatches.delete(key);
      if (stop !== this.stopNumber) return;
      this.settledWatches.set(key, outcome.result ? { result: present(outcome.result) } : outcome);
      this.sendEvent({ seq: 0, type: 'event', event: 'invalidated', body: { areas: ['variables'] } } as DebugProtocol.InvalidatedEvent);
    });
  }

  /** Within a stop the thread list is answered once by lldb-dap and then from memory. */
  private async onThreads(request: DebugProtocol.Request): Promise<void> {
    const known = this.programStopped ? this.stopThreads : undefined;
    if (known) {
      const response = responseTo(request);
      response.body = known;
      return this.sendResponse(response);
    }
    const stop = this.stopNumber;
    return this.forward(request, request.arguments, (body: DebugProtocol.ThreadsResponse['body']) => {
      if (this.programStopped && stop === this.stopNumber) this.stopThreads = body;
      return body;
    });
  }

  private async onVariables(request: DebugProtocol.Request): Promise<void> {
    const args = request.arguments as DebugProtocol.VariablesArguments;
    if (this.values.takes(args)) {
      this.requireBackend();
      const response = responseTo(request);
      response.body = await this.values.variables(request.seq, args);
      // Values we left to lldb-dap keep its references; a large one still expands as a future.
      this.noteLargeReferences(response.body);
      return this.sendResponse(response);
    }
    const name = this.largeReferences.get(args.variablesReference);
    if (name === undefined) return this.forward(request);
    this.requireBackend();
    const timeout = this.evaluationTimeout;
    const future = this.options.executor.submitWith(
      this.evaluationOptions(`expand ${name}`, timeout),
      evaluateTasks.expand,
      args,
    );
    await this.respondWhenSettled(request, future, timeout, (body) => {
      this.noteLargeReferences(body);
      return body;
    });
  }

  /** How every evaluation and large expansion runs: interactive, under the deadline, owned by this session, reading through answerTask. */
  private evaluationOptions(label: string, timeout: number): SubmitOptions {
    return {
      label,
      kind: 'Evaluations',
      lane: 'interactive',
      timeout: timeout > 0 ? timeout : undefined,
      owner: this.sessionId,
      onRequest: (method, params, signal) => this.answerTask(method, params, signal),
    };
  }

  private async respondWhenSettled<T>(request: DebugProtocol.Request, future: Future<T>, timeout: number, present: (value: T) => unknown): Promise<void> {
    this.evaluations.set(request.seq, future as Future<unknown>);
    const progress = this.reportProgressOf(request, future as Future<unknown>);
    try {
      const value = await future.result();
      const response = responseTo(request);
      response.body = present(value);
      this.sendResponse(response);
    } catch (err) {
      const expression = (request.arguments as { expression?: string }).expression ?? '';
      if (expression.trim().startsWith('/nat') && !this.programExit && !this.backendDied && PROGRAM_ENDING.test(describeFailure(err))) {
        // A native call that ends the program fails in lldb ("execution stopped with unexpected state") just before
        // the exited event; only then is it worth waiting briefly for it, so the message can say what happened.
        await this.programEnded(1000);
      }
      const response = responseTo(request);
      response.success = false;
      response.message = this.describeEvaluationFailure(err, timeout);
      this.sendResponse(response);
    } finally {
      this.evaluations.delete(request.seq);
      progress.end();
    }
  }

  /**
   * Once a task reports progress (a long read), the client gets a cancellable progress notification
   * naming the expression; its cancel button arrives as a DAP cancel with the progressId.
   */
  private reportProgressOf(request: DebugProtocol.Request, future: Future<unknown>): { end(): void } {
    if (!this.clientShowsProgress) return { end: () => undefined };
    const progressId = `rust-offload-evaluation-${request.seq}`;
    let started = false;
    const subscription = future.onProgress((p) => {
      const message = p.message ?? '';
      const percentage = p.fraction === undefined ? undefined : Math.round(p.fraction * 100);
      if (!started) {
        started = true;
        this.progressRequests.set(progressId, request.seq);
        const label = (request.arguments as { expression?: string; variablesReference?: number }).expression ?? 'expanding a value';
        this.sendEvent({ seq: 0, type: 'event', event: 'progressStart', body: { progressId, title: `Evaluating ${label}`, requestId: request.seq, cancellable: true, message, percentage } } as DebugProtocol.ProgressStartEvent);
      } else {
        this.sendEvent({ seq: 0, type: 'event', event: 'progressUpdate', body: { progressId, message, percentage } } as DebugProtocol.ProgressUpdateEvent);
      }
    });
    return {
      end: () => {
        subscription.dispose();
        if (started) {
          this.progressRequests.delete(progressId);
          this.sendEvent({ seq: 0, type: 'event', event: 'progressEnd', body: { progressId } } as DebugProtocol.ProgressEndEvent);
        }
      },
    };
  }

  /** Resolves once every evaluation of this session has been answered, or after `ms`. */
  private async evaluationsAnswered(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.evaluations.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private programEnded(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.programEndListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.programEndListeners.add(done);
    });
  }

  private describeEvaluationFailure(err: unknown, timeout: number): string {
    const name = (err as Error | undefined)?.name;
    if (name === 'TimeoutError') {
      return `timed out after ${timeout} ms; raise the "rustOffload.evaluationTimeout" setting (or "evaluationTimeout" in launch.json, 0 for no deadline) to give slow expressions longer`;
    }
    // Whatever reached the task first (the cancellation, or the failed read), the cause is the same.
    if (this.backendDied) return `lldb-dap exited (${this.backendDied}) during the evaluation`;
    if (name === 'CancelledError' || name === 'AbortError') {
      if (this.programExit) return `the program ended (${this.programExit}) during the evaluation`;
      return 'cancelled';
    }
    if (this.programExit) return `the program ended (${this.programExit}) during the evaluation: ${describeFailure(err)}`;
    return describeFailure(err);
  }

  /** Answers an evaluation task's host-channel request with one lldb-dap request, cancelled with the future. */
  private async answerTask(method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
    if (method !== BACKEND_REQUEST) throw new Error(`unknown host request '${method}' from an evaluation task`);
    const { command, arguments: args } = params as BackendRequestParams;
    if (!TASK_COMMANDS.has(command)) throw new Error(`an evaluation task may not send '${command}' to lldb-dap`);
    // A task looks a local up by name (lldb-dap's hover evaluation, a lookup only): it holds for the stop like the lists.
    const lookup = command === 'evaluate' && (args as DebugProtocol.EvaluateArguments).context === 'hover';
    if (command === 'scopes' || (command === 'variables' && (args as DebugProtocol.VariablesArguments).start === undefined) || lookup) {
      const key = `${command}:${JSON.stringify(args)}`;
      let cached = this.stopCache.get(key);
      if (!cached) {
        // Shared by several evaluations, so one being cancelled must not cancel it for the others; it is quick anyway.
        signal.throwIfAborted();
        cached = this.sendTaskRequest(command, args, new AbortController().signal);
        // A failed or cancelled read is not remembered.
        cached.catch(() => this.stopCache.delete(key));
        this.stopCache.set(key, cached);
        // The local is read next: its page is read meanwhile, once the answer has gone to the worker.
        if (lookup) cached.then((answer) => setImmediate(() => this.readAhead((answer as DebugProtocol.EvaluateResponse['body'] | undefined)?.memoryReference)), () => undefined);
      }
      return cached;
    }
    if (command === 'readMemory') return this.readMemoryInPieces(args as DebugProtocol.ReadMemoryArguments, signal);
    return this.sendTaskRequest(command, args, signal);
  }

  /**
   * Looks up the local an expression starts with (`p` of `p.name`) as its task will, before the task starts: the worker
   * then finds the answer here, and the local's memory on its way, instead of waiting for each in turn.
   */
  private lookUpAhead(args: DebugProtocol.EvaluateArguments): void {
    const name = leadingLocal(args.expression);
    if (name === undefined || args.frameId === undefined) return;
    const params: BackendRequestParams = { command: 'evaluate', arguments: { expression: name, frameId: args.frameId, context: 'hover' } };
    this.answerTask(BACKEND_REQUEST, params, new AbortController().signal).catch(() => undefined);
  }

  /** The grant under which a task reads the program's memory itself: only while it is stopped (see process-memory.ts). */
  private directMemory(): DirectMemoryGrant | undefined {
    return this.programStopped ? this.processMemory.grant() : undefined;
  }

  /** Reads the worker's page at `memoryReference` into the stop's memory, for the read that follows; a failure is the later read's to meet. */
  private readAhead(memoryReference: string | undefined): void {
    // A worker that reads the program's memory itself asks us for none: reading it here would only keep lldb-dap busy.
    if (this.directMemory()) return;
    let address: bigint;
    try {
      address = BigInt(memoryReference ?? '');
    } catch {
      return;
    }
    if (address <= 0n) return;
    const page = BigInt(STOP_PAGE);
    const start = address - (address % page);
    // Shared by whoever reads the page next, so not cancelled with this task.
    const signal = new AbortController().signal;
    this.stopMemory.read(start, STOP_PAGE, async (at, count) => (await this.readPieces({ memoryReference: `0x${at.toString(16)}`, count }, signal)).bytes).catch(() => undefined);
  }

  private clearStopCache(): void {
    this.stopCache.clear();
    this.stopMemory.clear();
    this.stopNotes.clear();
    this.settledWatches.clear();
    this.runningWatches.clear();
    this.stopResults.clear();
    this.stopThreads = undefined;
    this.stopNumber++;
  }

  /**
   * A task's memory read is sent to lldb-dap in pieces, each behind the client's pending requests, so a
   * threads/stackTrace waits for one small piece rather than the whole read. The task gets the bytes, not base64.
   * Reads by address go through the stop's page cache, so the tasks of one stop (the locals, then a page of
   * their children, a watch) read each page once.
   */
  private async readMemoryInPieces(args: DebugProtocol.ReadMemoryArguments, signal: AbortSignal): Promise<TaskMemory> {
    let address: bigint | undefined;
    try {
      address = BigInt(args.memoryReference) + BigInt(args.offset ?? 0);
    } catch {
      address = undefined; // not a plain address: lldb-dap's to resolve, uncached
    }
    if (address === undefined || address < 0n) return this.readPieces(args, signal);
    try {
      const read = await this.stopMemory.read(
        address,
        args.count,
        async (at, count) => (this.programStopped ? this.processMemory.read(at, count) : undefined) ?? (await this.readPieces({ memoryReference: `0x${at.toString(16)}`, count }, signal)).bytes,
      );
      return { ...read, bytes: Buffer.from(read.bytes.buffer, read.bytes.byteOffset, read.bytes.length) };
    } catch (err) {
      // A shared read fails for all who wait on it, also when it was another task that was cancelled: read alone.
      signal.throwIfAborted();
      void err;
      return this.readPieces(args, signal);
    }
  }

  private async readPieces(args: DebugProtocol.ReadMemoryArguments, signal: AbortSignal): Promise<TaskMemory> {
    const piece = READ_PIECE;
    const parts: Buffer[] = [];
    let address: string | undefined;
    let read = 0;
    for (let offset = 0; offset < args.count; offset += piece) {
      const count = Math.min(piece, args.count - offset);
      const body = (await this.sendTaskRequest('readMemory', { ...args, offset: (args.offset ?? 0) + offset, count }, signal)) as DebugProtocol.ReadMemoryResponse['body'];
      address ??= body?.address;
      const bytes = Buffer.from(body?.data ?? '', 'base64');
      parts.push(bytes);
      read += bytes.length;
      // A short piece means unreadable memory from here on: report what was read, as lldb-dap would.
      if (bytes.length < count) break;
    }
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, read);
    return { address: address ?? args.memoryReference, bytes, unreadableBytes: args.count - read };
  }

  private async sendTaskRequest(command: string, args: object, signal: AbortSignal): Promise<unknown> {
    const backend = this.requireBackend();
    if (!backendSupports(backend.capabilities, command)) {
      throw new Error(`${this.backendInfo?.versionText ?? 'lldb-dap'} does not offer '${command}', which this evaluation needs; use lldb-dap 20 or newer`);
    }
    if (this.clientInFlight > 0) await this.clientRequestsAnswered();
    signal.throwIfAborted();
    const { seq, response } = backend.requestWithSeq(command, args);
    const onAbort = (): void => {
      if (backendSupports(backend.capabilities, 'cancel')) backend.request('cancel', { requestId: seq }).catch(() => undefined);
    };
    // A formatter's batch sends many reads at once under one signal: each listener goes when its read answers.
    setMaxListeners(256, signal);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return (await response).body;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private onCancel(request: DebugProtocol.Request): void {
    const args = (request.arguments ?? {}) as DebugProtocol.CancelArguments;
    if (args.progressId !== undefined) {
      const seq = this.progressRequests.get(args.progressId);
      if (seq !== undefined) this.evaluations.get(seq)?.interrupt();
    }
    if (args.requestId !== undefined) {
      this.evaluations.get(args.requestId)?.interrupt();
      const backendSeq = this.forwarded.get(args.requestId);
      if (backendSeq !== undefined && this.backend && backendSupports(this.backend.capabilities, 'cancel')) {
        this.backend.request('cancel', { requestId: backendSeq }).catch(() => undefined);
      }
    }
    this.sendResponse(responseTo(request));
  }

  /** Interrupts every evaluation of this session: they belong to a stop that is being left. */
  private cancelEvaluations(): void {
    for (const future of this.evaluations.values()) future.interrupt();
  }
}

/** On Windows `target\debug\app` means `app.exe`; say clearly when neither exists. */
function resolveProgram(program: string): string {
  if (fs.existsSync(program)) return program;
  if (process.platform === 'win32' && !program.toLowerCase().endsWith('.exe') && fs.existsSync(`${program}.exe`)) return `${program}.exe`;
  throw new ConfigurationError(`"program": '${program}' does not exist; build it first (cargo build), or give "cargo" in launch.json to build it before debugging`);
}

function responseTo(request: DebugProtocol.Request): DebugProtocol.Response {
  return new Response(request) as DebugProtocol.Response;
}

function describeFailure(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** `rustc -vV` and `rustc --print sysroot` per PATH, run once per process: through rustup's proxy each costs a few hundred ms of a launch. */
const rustcProbes = new Map<string, Promise<{ verbose: string; sysroot: string }>>();

function probeRustc(): Promise<{ verbose: string; sysroot: string }> {
  const key = process.env.PATH ?? '';
  let probe = rustcProbes.get(key);
  if (!probe) {
    const run = (argv: string[]): Promise<string> =>
      new Promise((resolve) => execFile('rustc', argv, { timeout: 10_000, windowsHide: true }, (err, stdout) => resolve(err ? '' : stdout)));
    probe = Promise.all([run(['-vV']), run(['--print', 'sysroot'])]).then(([verbose, sysroot]) => ({ verbose, sysroot }));
    rustcProbes.set(key, probe);
  }
  return probe;
}

/** The LLDB command of a Debug Console line written with lldb-dap's backtick escape or `/cmd`, or undefined for an expression. */
export function lldbCommandOf(expression: string): string | undefined {
  const t = expression.trim();
  if (t.startsWith('`')) return t.slice(1).trim();
  if (t === '/cmd' || t.startsWith('/cmd ')) return t.slice(4).trim();
  return undefined;
}

/** The expression a `.` completes: back from the dot over names, calls, indexing and field chains. */
export function expressionBeforeDot(text: string): string {
  let depth = 0;
  let i = text.length;
  while (i > 0) {
    const c = text[i - 1];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && !/[\w.:]/.test(c)) break;
    i--;
  }
  return text.slice(i).trim();
}

/** What an evaluation's answer depends on within a stop besides the program: the frame, the format and the expression (not the context). */
function resultKey(args: DebugProtocol.EvaluateArguments): string {
  return `${args.frameId ?? ''}\u0000${args.format?.hex ? 'x' : ''}\u0000${args.expression}`;
}

/** Words that start an expression but never name a local. */
const NOT_LOCALS = new Set(['true', 'false', 'as', 'if', 'match', 'let', 'loop', 'while', 'for', 'in', 'mut', 'ref', 'move', 'return', 'unsafe', 'crate', 'super', 'fn', 'dyn', 'impl']);

/** The name an expression starts with when it reads like a local (`p` of `p.name`, `v` of `&v[1..]`): not a path, call, macro, type or keyword. */
export function leadingLocal(expression: string): string | undefined {
  const m = /^[\s&*!(-]*([a-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|\s*(?:::|\(|!))/.exec(expression);
  if (!m || NOT_LOCALS.has(m[1]) || /^_+$/.test(m[1])) return undefined;
  return m[1];
}

/** What a slow watch shows while it runs on: how long so far, and where to stop it. */
function watchPlaceholder(started: number): EvaluationResult {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { result: `evaluating… (${seconds} s so far; cancel it in Debugger Tasks)`, variablesReference: 0 };
}

/**
 * lldb-dap calls a core file's only stop "entry"; when the dump records an exception (a minidump's exception stream,
 * an ELF core's signal) that stop is the crash, and VS Code shows it as one (Paused on exception, with the text).
 */
function crashStop(event: DebugProtocol.Event): DebugProtocol.Event {
  const body = event.body as DebugProtocol.StoppedEvent['body'] | undefined;
  if (body?.reason !== 'entry' || !/^(Exception 0x[0-9a-f]+|signal SIG)/i.test(body.description ?? '')) return event;
  return { ...event, body: { ...body, reason: 'exception' } };
}
