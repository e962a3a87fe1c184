// The Variables view's Rust values: lldb-dap lists a scope's variables (names and addresses), our workers format them from memory, and children live in our own variablesReference space.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Executor, Future, SubmitOptions } from '../futures';
import { taskModule } from '../futures/task-ref';
import type { ShownValue, ValueHandle } from '../rust/values-task';
import type { DirectMemoryGrant } from '../rust/values/direct-memory';

const valueTasks = taskModule<typeof import('../rust/values-task')>('rust/values-task');

/**
 * Our variablesReferences start here. lldb-dap numbers its own from 1 per stop (and from 2^32 for permanent ones), so
 * the two spaces never meet, and a value we leave to lldb-dap (one held in registers) keeps lldb-dap's reference.
 */
export const OWN_REFERENCE_BASE = 0x4000_0000;

/** Debugger Tasks groups the work done ahead of need apart, so it does not push evaluations out of the finished list. */
const READ_AHEAD_KIND = 'Read ahead';

/** Custom request from the UI: `{ hex: boolean }` switches how integers are shown, and the views redraw. */
export const VALUE_FORMAT_REQUEST = 'rustOffload/valueFormat';

/**
 * Where a module is: the file, and runtime address − link-time address (placed from the file's headers as soon as
 * lldb-dap reports the module, before its symbols load: SessionSymbols.moduleAt).
 */
export interface ModulePlacement {
  path: string;
  slide: number;
  searchPaths: string[];
}

export interface ValuesHost {
  executor(): Executor;
  /** How a formatting future runs: interactive lane, the evaluation deadline, reading memory through the session. */
  submitOptions(label: string): SubmitOptions;
  /** Sends one request to lldb-dap as the client's own (it is counted as client work, ahead of task reads). */
  backendRequest(command: string, args: object): Promise<unknown>;
  /** The module holding a frame's pc, once its load address is known (waits up to `waitMs`, 10 s by default, for a load in progress). */
  moduleAt(moduleId: string | number | undefined, pc: number, waitMs?: number): Promise<ModulePlacement | undefined>;
  /** Runs a future to its result, answering cancel requests for `seq` meanwhile. */
  settle<T>(seq: number, future: Future<T>): Promise<T>;
  /** Whether integers are shown in hexadecimal unless a request says otherwise (launch.json, setting, View as Hex). */
  hex(): boolean;
  /** While the program is stopped and ours to read: tasks read its memory themselves (see process-memory.ts). */
  directMemory(): DirectMemoryGrant | undefined;
  /** Says once per stop why lldb's own view is shown instead of ours. */
  note(message: string): void;
}

interface FrameFacts {
  pc: number;
  moduleId?: string | number;
}

interface OwnReference {
  module: ModulePlacement;
  handle: ValueHandle;
  hex: boolean;
}

export class SessionValues {
  /** frameId → its pc and module, from the stackTrace answers of this stop. */
  private readonly frames = new Map<number, FrameFacts>();
  /** lldb-dap scope reference (Locals, Arguments) → the frame whose scopes were asked last: lldb-dap's own meaning of it. */
  private readonly scopeFrames = new Map<number, number>();
  private readonly own = new Map<number, OwnReference>();
  /** Frames of this stop whose unit and types were read ahead (prepareFrame). */
  private readonly prepared = new Set<number>();
  private nextReference = OWN_REFERENCE_BASE;

  constructor(private readonly host: ValuesHost) {}

  /** Forgets everything of the stop being left. */
  clear(): void {
    this.frames.clear();
    this.prepared.clear();
    this.scopeFrames.clear();
    this.own.clear();
    this.nextReference = OWN_REFERENCE_BASE;
  }

  // The warm-up (prepare) waits for the process event: measured, opening the type table in the interactive worker at
  // the launch request made launch → first stop ~10% slower (2.55 s against 2.32 s, medians of 5 under load).

  /**
   * Readies the interactive worker for the program's first stop (its start, the values code, the program's type
   * table), once its process runs. Fire and forget: a failure is the first stop's to report.
   */
  prepare(program: string, searchPaths: string[]): void {
    const future = this.host.executor().submitWith(this.readAheadOptions(`prepare the values of ${program.split(/[\\/]/).pop()}`), valueTasks.prepareModule, { module: program, searchPaths });
    future.result().catch(() => undefined);
  }

  /**
   * The top frame's unit and its locals' types are read in the interactive worker while lldb-dap lists the frame's
   * variables (VS Code asks for scopes and variables right after the stack), so the two run side by side. Once per
   * frame; a failure is the variables request's to report.
   */
  private async prepareFrame(frameId: number): Promise<void> {
    const frame = this.frames.get(frameId);
    if (!frame || this.prepared.has(frameId)) return;
    this.prepared.add(frameId);
    try {
      const module = await this.host.moduleAt(frame.moduleId, frame.pc, 0);
      if (!module) return;
      const future = this.host.executor().submitWith(this.readAheadOptions(`read the frame at 0x${frame.pc.toString(16)}`), valueTasks.prepareFrame, {
        module: module.path,
        searchPaths: module.searchPaths,
        pc: frame.pc - module.slide,
      });
      await future.result();
    } catch {
      // the variables request says what is wrong
    }
  }

  /** Work done ahead of need: interactive like the rest, without the evaluation deadline, listed as its own kind. */
  private readAheadOptions(label: string): SubmitOptions {
    return { ...this.host.submitOptions(label), kind: READ_AHEAD_KIND, timeout: undefined };
  }

  /** `startFrame`: the index in the thread's stack of the answer's first frame (the request's startFrame). */
  noteStackTrace(body: DebugProtocol.StackTraceResponse['body'] | undefined, startFrame = 0): void {
    (body?.stackFrames ?? []).forEach((frame, i) => {
      const pc = parseAddress(frame.instructionPointerReference);
      // A caller's pc is its return address, which may lie past the call's scope (a `let` after which nothing runs but
      // the call): its variables are those of the call instruction, one byte before, as debuggers symbolise callers.
      if (pc !== undefined) this.frames.set(frame.id, { pc: startFrame + i > 0 ? pc - 1 : pc, moduleId: frame.moduleId });
      if (pc !== undefined && startFrame + i === 0) void this.prepareFrame(frame.id);
    });
  }

  noteScopes(args: DebugProtocol.ScopesArguments, body: DebugProtocol.ScopesResponse['body'] | undefined): void {
    for (const scope of body?.scopes ?? []) {
      if (scope.variablesReference > 0 && isValueScope(scope)) this.scopeFrames.set(scope.variablesReference, args.frameId);
    }
  }

  /** Whether a variables request is ours to answer (a scope of Rust values, or one of our children). */
  takes(args: DebugProtocol.VariablesArguments): boolean {
    return this.own.has(args.variablesReference) || this.scopeFrames.has(args.variablesReference);
  }

  async variables(seq: number, args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.VariablesResponse['body']> {
    const hex = args.format?.hex ?? this.host.hex();
    const own = this.own.get(args.variablesReference);
    if (own) {
      const future = this.host.executor().submitWith(this.host.submitOptions(`expand ${own.handle.expr ?? 'value'}${describePage(args)}`), valueTasks.expandValue, {
        module: own.module.path,
        searchPaths: own.module.searchPaths,
        handle: own.handle,
        start: args.start,
        count: args.count,
        filter: args.filter,
        hex,
        slide: own.module.slide,
        directMemory: this.host.directMemory(),
      });
      const shown = await this.host.settle(seq, future);
      // A child lives in our reference space, which lldb-dap's setVariable cannot address: it is shown read-only.
      return { variables: shown.map((v) => readOnly(this.toVariable(v, own.module, hex))) };
    }
    const listed = (await this.host.backendRequest('variables', args)) as DebugProtocol.VariablesResponse['body'];
    const frameId = this.scopeFrames.get(args.variablesReference);
    const frame = frameId === undefined ? undefined : this.frames.get(frameId);
    const variables = listed?.variables ?? [];
    if (!frame || variables.length === 0) return listed;
    // At the first stop the module's symbols are often still loading (or held until this stop): its headers place it.
    const module = await this.host.moduleAt(frame.moduleId, frame.pc);
    if (!module) {
      this.host.note('the frame is in a module without loaded symbols, so its variables are shown as lldb sees them');
      return listed;
    }
    try {
      return await this.formatFrame(seq, frameId!, frame, module, variables, hex);
    } catch (err) {
      const name = (err as Error | undefined)?.name;
      // A cancelled or timed-out formatting is the user's or the deadline's word: say so, as an evaluation would.
      if (name === 'CancelledError' || name === 'TimeoutError' || name === 'AbortError') throw err;
      this.host.note(`Rust values could not be read (${(err as Error).message}); showing lldb's view of them`);
      return listed;
    }
  }

  private async formatFrame(
    seq: number,
    frameId: number,
    frame: FrameFacts,
    module: ModulePlacement,
    variables: DebugProtocol.Variable[],
    hex: boolean,
  ): Promise<DebugProtocol.VariablesResponse['body']> {
    const future = this.host.executor().submitWith(this.host.submitOptions(`variables of frame ${frameId}`), valueTasks.formatFrame, {
      module: module.path,
      searchPaths: module.searchPaths,
      pc: frame.pc - module.slide,
      variables: variables.map((v) => ({
        name: v.name,
        memoryReference: v.memoryReference,
        value: v.value,
        type: v.type,
        evaluateName: v.evaluateName,
        variablesReference: v.variablesReference,
      })),
      hex,
      slide: module.slide,
      directMemory: this.host.directMemory(),
    });
    const shown = await this.host.settle(seq, future);
    return {
      variables: shown.map((v, i) => (v.fromLldb ? { ...variables[i], ...lldbFallback(v, variables[i]) } : withLldbFacts(this.toVariable(v, module, hex), variables[i]))),
    };
  }

  /** The module and link-time pc of a frame of this stop, for an evaluation in it (undefined when unknown). */
  async frameModule(frameId: number | undefined): Promise<{ module: ModulePlacement; pc: number } | undefined> {
    const frame = frameId === undefined ? undefined : this.frames.get(frameId);
    if (!frame) return undefined;
    const module = await this.host.moduleAt(frame.moduleId, frame.pc);
    return module ? { module, pc: frame.pc - module.slide } : undefined;
  }

  /** Gives an evaluation result's value a variablesReference of ours, so it expands like the Variables view's values. */
  register(handle: ValueHandle, module: ModulePlacement, hex: boolean): number {
    const reference = this.nextReference++;
    this.own.set(reference, { module, handle, hex });
    return reference;
  }

  private toVariable(v: ShownValue, module: ModulePlacement, hex: boolean): DebugProtocol.Variable {
    const variable: DebugProtocol.Variable = { name: v.name, value: v.value, type: v.type, evaluateName: v.evaluateName, variablesReference: 0 };
    if (v.memoryReference) variable.memoryReference = v.memoryReference;
    if (v.presentationHint) variable.presentationHint = v.presentationHint;
    if (v.handle) {
      variable.variablesReference = this.register(v.handle, module, hex);
      if (v.indexedVariables !== undefined) variable.indexedVariables = v.indexedVariables;
      if (v.namedVariables !== undefined) variable.namedVariables = v.namedVariables;
    }
    return variable;
  }
}

/** A value we left to lldb-dap keeps its children there; our text (and its note) replaces lldb's when we gave one. */
function lldbFallback(v: ShownValue, original: DebugProtocol.Variable): Partial<DebugProtocol.Variable> {
  return { value: v.value || original.value, type: v.type ?? original.type, presentationHint: v.presentationHint ?? original.presentationHint };
}

/**
 * A local keeps what lldb-dap knows of it beyond its value: where it is declared (Go to Declaration), and whether it
 * can be set (setVariable goes to lldb-dap by the scope's reference, which stays lldb-dap's own).
 */
function withLldbFacts(ours: DebugProtocol.Variable, listed: DebugProtocol.Variable | undefined): DebugProtocol.Variable {
  if (!listed) return ours;
  if (listed.declarationLocationReference !== undefined) ours.declarationLocationReference = listed.declarationLocationReference;
  if (listed.presentationHint && !ours.presentationHint) ours.presentationHint = listed.presentationHint;
  return ours;
}

function readOnly(v: DebugProtocol.Variable): DebugProtocol.Variable {
  const attributes = v.presentationHint?.attributes ?? [];
  if (!attributes.includes('readOnly')) v.presentationHint = { ...v.presentationHint, attributes: [...attributes, 'readOnly'] };
  return v;
}

function isValueScope(scope: DebugProtocol.Scope): boolean {
  if (scope.presentationHint === 'locals' || scope.presentationHint === 'arguments') return true;
  return scope.presentationHint === undefined && /^(locals|arguments|statics)$/i.test(scope.name);
}

function describePage(args: DebugProtocol.VariablesArguments): string {
  return args.start !== undefined || args.count !== undefined ? ` [${args.start ?? 0}..${(args.start ?? 0) + (args.count ?? 0)}]` : '';
}

export function parseAddress(text: string | undefined): number | undefined {
  if (!text) return undefined;
  try {
    const value = BigInt(text);
    return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  } catch {
    return undefined;
  }
}
