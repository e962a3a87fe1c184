// The executor's error classes (CPython's concurrent.futures names) and the wire form of errors thrown inside workers.

/** The future was cancelled (by `cancel()`, `interrupt()` or shutdown with `cancelFutures`). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/** A wait ran out of time (`result(timeoutMs)`, `wait`, `asCompleted`, `map`), or a task's deadline expired. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** An operation is not allowed in the future's current state; the message names the state. */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}

/** The executor cannot run this work: a worker died under it, the initializer failed, or it crash-looped. */
export class BrokenExecutor extends Error {
  override readonly name: string = 'BrokenExecutor';
}

export class BrokenThreadPool extends BrokenExecutor {
  override readonly name: string = 'BrokenThreadPool';
}

export class BrokenProcessPool extends BrokenExecutor {
  override readonly name: string = 'BrokenProcessPool';
}

/**
 * Carries the stack text of an error thrown inside a worker. The error the host sees keeps the
 * remote name and message; this is its `cause`, as CPython attaches `_RemoteTraceback`.
 */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(readonly remoteStack: string) {
    super(`\n"""\n${remoteStack}\n"""`);
  }
}

/** The structured-clone-safe form of anything a task threw (`throw 0` and `throw undefined` included). */
export type WireError =
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack: string; readonly props: Record<string, unknown> }
  | { readonly kind: 'value'; readonly value: unknown };

const standardErrors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

export function toWireError(thrown: unknown): WireError {
  if (thrown instanceof Error) {
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(thrown)) {
      const v = (thrown as unknown as Record<string, unknown>)[key];
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[key] = v;
    }
    return { kind: 'error', name: thrown.name, message: thrown.message, stack: String(thrown.stack ?? `${thrown.name}: ${thrown.message}`), props };
  }
  try {
    structuredClone(thrown);
    return { kind: 'value', value: thrown };
  } catch {
    return { kind: 'value', value: String(thrown) };
  }
}

/** Rebuilds a worker's error on the host: same name, message and own data properties; the remote stack as `cause`. */
export function fromWireError(wire: WireError): unknown {
  if (wire.kind === 'value') return wire.value;
  const Ctor = standardErrors[wire.name] ?? Error;
  const err = new Ctor(wire.message, { cause: new RemoteError(wire.stack) });
  if (err.name !== wire.name) Object.defineProperty(err, 'name', { value: wire.name, configurable: true, writable: true });
  Object.assign(err, wire.props);
  return err;
}

/** One line describing any thrown value, for messages and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `thrown value ${JSON.stringify(err) ?? String(err)}`;
}
