// Worker task module: evaluates one Rust expression, reading the stopped program through the task's host channel.
import type { TaskContext } from '../futures/contract';
import { evaluateExpression, type DebuggerData, type EvaluationResult } from './expression-evaluator';

export type { TaskMemory } from './expression-evaluator';

/** The host channel method the adapter answers: one lldb-dap request, checked against the backend's capabilities. */
export const BACKEND_REQUEST = 'dap';

export interface BackendRequestParams {
  command: 'scopes' | 'variables' | 'readMemory' | 'evaluate';
  arguments: object;
  /** A native expression may call functions that change the program, so cached reads of this stop must be dropped. */
  mayChangeProgram?: boolean;
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
}

/** The program cannot change while stopped, so scopes/variables answers hold for the whole stop. */
const STOPS_KEPT = 4;
const stopReads = new Map<string, Map<string, Promise<unknown>>>();

/** This worker's reads for one stop; a few stops are kept because sessions may share the worker. */
function readsOf(stop: string): Map<string, Promise<unknown>> {
  let reads = stopReads.get(stop);
  if (!reads) {
    if (stopReads.size >= STOPS_KEPT) stopReads.delete(stopReads.keys().next().value as string);
    reads = new Map();
    stopReads.set(stop, reads);
  }
  return reads;
}

/** The reads the adapter also keeps per stop (a paged variables read is not kept: its pages differ). */
function keptPerStop(command: string, params: object): boolean {
  return command === 'scopes' || (command === 'variables' && (params as { start?: number }).start === undefined);
}

/** The `/nat` prefix hands the rest of the expression to LLDB's own evaluator. */
export const NATIVE_PREFIX = '/nat';

export async function evaluate(ctx: TaskContext, args: EvaluateTaskArgs): Promise<EvaluationResult> {
  const reads = args.stop === undefined ? undefined : readsOf(args.stop);
  const data: DebuggerData = {
    signal: ctx.signal,
    request: (command, params) => {
      const ask = (): Promise<unknown> => ctx.request(BACKEND_REQUEST, { command, arguments: params } satisfies BackendRequestParams);
      if (!reads || !keptPerStop(command, params)) return ask();
      const key = `${command}:${JSON.stringify(params)}`;
      let read = reads.get(key);
      if (!read) {
        read = ask();
        // A failed or cancelled read is not kept: the next evaluation asks again.
        read.catch(() => reads.delete(key));
        reads.set(key, read);
      }
      return read;
    },
    reportProgress: (fraction, message) => ctx.reportProgress({ fraction, message }),
  };
  const trimmed = args.expression.trim();
  if (trimmed === NATIVE_PREFIX || trimmed.startsWith(`${NATIVE_PREFIX} `)) {
    const native = trimmed.slice(NATIVE_PREFIX.length).trim();
    if (!native) throw new Error(`'${NATIVE_PREFIX}' needs an expression after it, e.g. '${NATIVE_PREFIX} v.len'`);
    const params: BackendRequestParams = { command: 'evaluate', arguments: { expression: native, frameId: args.frameId, context: 'watch' }, mayChangeProgram: true };
    return (await ctx.request(BACKEND_REQUEST, params)) as EvaluationResult;
  }
  return evaluateExpression(data, { expression: args.expression, frameId: args.frameId });
}

/** Expands a value with many children (a large Vec, a big struct) as a future of its own. */
export async function expand(ctx: TaskContext, args: object): Promise<unknown> {
  return ctx.request(BACKEND_REQUEST, { command: 'variables', arguments: args } satisfies BackendRequestParams);
}
