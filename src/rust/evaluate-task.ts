// Worker task module: evaluates one Rust expression, reading the stopped program through the task's host channel.
import type { TaskContext } from '../futures/contract';
import type { TypeTable } from '../symbols/type-model';
import { typeTableFor } from '../symbols/type-tables';
import { evaluateRustExpression, memberNames, type EvaluationResult, type EvaluationScope, type FrameLocal } from './expression-evaluator';
import { StopMemory } from './expression-stop-memory';
import { evaluateExpression, type DebuggerData } from './lldb-view-evaluator';
import type { DirectMemoryGrant } from './values/direct-memory';
import { baseName, formatterFor, hostMemory, localPlace, matchVariables, type LldbVariable } from './values-task';

export type { TaskMemory } from './expression-evaluator';

/** The host channel method the adapter answers: one lldb-dap request, checked against the backend's capabilities. */
export const BACKEND_REQUEST = 'dap';

export interface BackendRequestParams {
  command: 'scopes' | 'variables' | 'readMemory' | 'evaluate';
  arguments: object;
}

export interface EvaluateTaskArgs {
  expression: string;
  frameId?: number;
  context?: string;
  /**
   * Names the stop the evaluation belongs to (session and stop number). Reads of scopes and variables are
   * kept per stop in the worker, so the next evaluation of the same stop on this worker needs no round trip.
   */
  stop?: string;
  /** The frame's module (from stackTrace and the session's symbols): with it, names and types come from our type table. */
  module?: string;
  searchPaths?: string[];
  /** Link-time pc of the frame. */
  pc?: number;
  /** Runtime minus link-time address of the module. */
  slide?: number;
  hex?: boolean;
  /** Given while the program is stopped and ours to read (Linux): memory is read in the worker, not through the session. */
  directMemory?: DirectMemoryGrant;
}

/** The program cannot change while stopped, so what one evaluation read holds for the whole stop. */
interface StopState {
  /** lldb-dap's scopes/variables answers. */
  reads: Map<string, Promise<unknown>>;
  /** Memory pages read by this stop's evaluations on this worker. */
  memory: StopMemory;
  /** A frame's locals matched to their declared types, by frame, module and pc. */
  locals: Map<string, Promise<FrameLocal[]>>;
  /** Single locals found by name (frame, module, pc and name), when the whole list was not needed. */
  named: Map<string, Promise<FrameLocal | undefined>>;
}

/** A few stops are kept because sessions may share the worker. */
const STOPS_KEPT = 4;
const stops = new Map<string, StopState>();

/** This worker's state for one stop. */
function stopState(stop: string): StopState {
  let state = stops.get(stop);
  if (!state) {
    if (stops.size >= STOPS_KEPT) stops.delete(stops.keys().next().value as string);
    state = { reads: new Map(), memory: new StopMemory(), locals: new Map(), named: new Map() };
    stops.set(stop, state);
  }
  return state;
}

/** The reads the adapter also keeps per stop (a paged variables read is not kept: its pages differ). */
function keptPerStop(command: string, params: object): boolean {
  return command === 'scopes' || (command === 'variables' && (params as { start?: number }).start === undefined);
}

/** The `/nat` prefix hands the rest of the expression to LLDB's own evaluator. */
export const NATIVE_PREFIX = '/nat';

/**
 * The expression for LLDB's own evaluator when `expression` starts with the `/nat` prefix, else undefined (the
 * adapter sends it to lldb-dap itself: no worker is needed to wait on lldb).
 */
export function nativeExpressionOf(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (trimmed !== NATIVE_PREFIX && !trimmed.startsWith(`${NATIVE_PREFIX} `)) return undefined;
  return trimmed.slice(NATIVE_PREFIX.length).trim();
}

/** The error for a `/nat` with nothing after it. */
export const NATIVE_WITHOUT_EXPRESSION = `'${NATIVE_PREFIX}' needs an expression after it, e.g. '${NATIVE_PREFIX} v.len'`;

export async function evaluate(ctx: TaskContext, args: EvaluateTaskArgs): Promise<EvaluationResult> {
  if (typeof args.expression !== 'string') throw new Error("the evaluate request has no 'expression'; give the Rust expression to evaluate");
  const data = hostData(ctx, args);
  const scope = await scopeOf(ctx, args, data);
  // Without a type table of ours (no debug info we read, a PDB before its reader): lldb-dap's view of the variables.
  if (!scope) return evaluateExpression(data, { expression: args.expression, frameId: args.frameId });
  return evaluateRustExpression(scope, args.expression);
}

export interface CompletionArgs extends EvaluateTaskArgs {
  /** Text before the `.` whose value's members are wanted; empty for the frame's variable names. */
  target: string;
}

/** Names for DAP completions: the frame's variables, or the fields and methods of the value before the dot. */
export async function completions(ctx: TaskContext, args: CompletionArgs): Promise<string[]> {
  const data = hostData(ctx, args);
  const scope = await scopeOf(ctx, args, data);
  if (!scope) return [];
  if (!args.target.trim()) return [...new Set((await scope.locals()).map((l) => l.name))];
  return memberNames(scope, args.target);
}

function hostData(ctx: TaskContext, args: EvaluateTaskArgs): DebuggerData {
  const reads = args.stop === undefined ? undefined : stopState(args.stop).reads;
  return {
    signal: ctx.signal,
    request: (command, params) => {
      const ask = (): Promise<unknown> => ctx.request(BACKEND_REQUEST, { command, arguments: params } satisfies BackendRequestParams);
      if (!reads || !keptPerStop(command, params)) return ask();
      const key = `${command}:${JSON.stringify(params)}`;
      let read = reads.get(key);
      if (!read) {
        read = ask();
        read.catch(() => reads.delete(key));
        reads.set(key, read);
      }
      return read;
    },
    reportProgress: (fraction, message) => ctx.reportProgress({ fraction, message }),
  };
}

/** The evaluation's view of the frame: our type table, the task's memory, and lldb-dap's locals matched to their declared types. */
async function scopeOf(ctx: TaskContext, args: EvaluateTaskArgs, data: DebuggerData): Promise<EvaluationScope | undefined> {
  if (args.module === undefined || args.pc === undefined) return undefined;
  let table: TypeTable;
  try {
    table = await typeTableFor(args.module, args.searchPaths);
  } catch {
    return undefined;
  }
  const stop = args.stop === undefined ? undefined : stopState(args.stop);
  const fetch = hostMemory(ctx, args.directMemory);
  const memory = stop ? stop.memory.through(fetch) : fetch;
  const formatter = formatterFor(table, memory, { hex: args.hex, slide: args.slide, signal: ctx.signal, direct: args.directMemory !== undefined });
  let locals: Promise<FrameLocal[]> | undefined;
  const frameKey = `${args.frameId}\u0000${args.module}\u0000${args.pc}`;
  const localsOfFrame = (): Promise<FrameLocal[]> => {
    if (!stop) return frameLocals(data, args, table, formatter);
    const key = frameKey;
    let kept = stop.locals.get(key);
    if (!kept) {
      kept = frameLocals(data, args, table, formatter);
      kept.catch(() => stop.locals.delete(key));
      stop.locals.set(key, kept);
    }
    return kept;
  };
  const crate = args.module.split(/[\\/]/).pop()!.replace(/\.(exe|dll|so|dylib)$/i, '').replace(/-[0-9a-f]{6,}$/, '').replace(/-/g, '_');
  return {
    formatter,
    slide: args.slide ?? 0,
    signal: ctx.signal,
    crate,
    reportProgress: (fraction, message) => ctx.reportProgress({ fraction, message }),
    locals: () => (locals ??= localsOfFrame()),
    local: (name) => {
      const known = stop?.locals.get(frameKey);
      if (known) return known.then((all) => all.find((l) => l.name === name));
      if (!stop) return localByName(ctx, data, args, table, formatter, name);
      const key = `${frameKey}\u0000${name}`;
      let kept = stop.named.get(key);
      if (!kept) {
        kept = localByName(ctx, data, args, table, formatter, name);
        kept.catch(() => stop.named.delete(key));
        stop.named.set(key, kept);
      }
      return kept;
    },
  };
}

/**
 * One local by name, when the frame declares exactly one of that name: lldb-dap's hover evaluation of the bare name
 * (variable lookup only, never its expression evaluator) gives its address in a fraction of a millisecond, where the
 * frame's whole variables list costs lldb-dap a summary of every local. Undefined when that cannot decide (a shadowed
 * name, a value in registers): the caller then uses the whole list.
 */
async function localByName(ctx: TaskContext, data: DebuggerData, args: EvaluateTaskArgs, table: TypeTable, formatter: ReturnType<typeof formatterFor>, name: string): Promise<FrameLocal | undefined> {
  if (args.frameId === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  const declared = table.frameVariables(args.pc!).filter((d) => d.name === name);
  if (declared.length !== 1) return undefined;
  let body: { result?: string; type?: string; memoryReference?: string };
  try {
    body = (await data.request('evaluate', { expression: name, frameId: args.frameId, context: 'hover' })) as typeof body;
  } catch (err) {
    ctx.signal.throwIfAborted();
    void err;
    return undefined;
  }
  const address = body?.memoryReference ? Number(body.memoryReference) : NaN;
  if (!Number.isSafeInteger(address) || address <= 0) return undefined;
  const v: LldbVariable = { name, value: body.result ?? '', type: body.type, memoryReference: body.memoryReference };
  return { name, place: await localPlace(formatter, declared[0].type, address, v) };
}

/** lldb-dap's locals and arguments (names, addresses) with their declared types from our table, innermost first. */
async function frameLocals(data: DebuggerData, args: EvaluateTaskArgs, table: TypeTable, formatter: ReturnType<typeof formatterFor>): Promise<FrameLocal[]> {
  if (args.frameId === undefined) throw new Error('no stack frame to evaluate in: stop the program at a breakpoint first');
  const scopes = (await data.request('scopes', { frameId: args.frameId })) as { scopes: Array<{ name: string; variablesReference: number; presentationHint?: string }> };
  const wanted = scopes.scopes.filter((s) => s.presentationHint === 'locals' || s.presentationHint === 'arguments' || /^(locals|arguments)$/i.test(s.name));
  const listed: LldbVariable[] = [];
  for (const scope of wanted) {
    const body = (await data.request('variables', { variablesReference: scope.variablesReference })) as { variables: LldbVariable[] };
    listed.push(...body.variables);
  }
  const declared = table.frameVariables(args.pc!);
  const matched = matchVariables(declared, listed);
  const out: FrameLocal[] = [];
  for (let i = 0; i < listed.length; i++) {
    const v = listed[i];
    const decl = matched[i];
    const address = v.memoryReference ? Number(v.memoryReference) : NaN;
    const name = baseName(v.name);
    if (!decl || !Number.isSafeInteger(address) || address <= 0) out.push({ name, lldbText: v.value, lldbType: v.type });
    else out.push({ name, place: await localPlace(formatter, decl.type, address, v) });
  }
  // lldb-dap lists outer scopes' shadowed names too; the innermost (matched first) wins a lookup by name.
  return out;
}

/** Expands a value with many children (a large Vec, a big struct) as a future of its own. */
export async function expand(ctx: TaskContext, args: object): Promise<unknown> {
  return ctx.request(BACKEND_REQUEST, { command: 'variables', arguments: args } satisfies BackendRequestParams);
}
