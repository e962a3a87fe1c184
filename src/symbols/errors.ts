// The one error type every symbol reader throws for bad input, so callers can tell a corrupt file from a bug.

/** A file could not be read as what it claimed to be: truncated, corrupt, unsupported, or absurdly large. */
export class SymbolReadError extends Error {
  override readonly name = 'SymbolReadError';
  constructor(message: string, readonly path?: string) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** Raised when ctx.signal aborts a load; distinct so the future is reported cancelled, not failed. */
export class SymbolLoadCancelled extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('symbol loading was cancelled');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SymbolLoadCancelled();
}

/**
 * Bytes of an index segment that arrive on demand (an index read from the on-disk store) could not be had: the file
 * is gone or replaced, or a block failed its checksum. The index then withdraws rather than answer from them.
 */
export class SegmentUnavailableError extends Error {
  override readonly name = 'SegmentUnavailableError';
}
