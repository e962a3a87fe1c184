// Worker task module: evaluates one Rust expression, reading the stopped program through the task's host channel.
import type { TaskContext } from '../futures/contract';
import { evaluateExpression, type DebuggerData, type EvaluationResult } from './expression-evaluator';

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
  /** Answers the adapter already has for this stop, keyed `command:JSON(arguments)`: no round trip for them. */
  prefetched?: Record<string, unknown>;
}

/** The `/nat` prefix hands the rest of the expression to LLDB's own evaluator. */
export const NATIVE_PREFIX = '/nat';

export async function evaluate(ctx: TaskContext, args: EvaluateTaskArgs): Promise<EvaluationResult> {
  const data: DebuggerData = {
    signal: ctx.signal,
    request: (command, params) => {
      const known = args.prefetched?.[`${command}:${JSON.stringify(params)}`];
      if (known !== undefined) return Promise.resolve(known);
      return ctx.request(BACKEND_REQUEST, { command, arguments: params } satisfies BackendRequestParams);
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
