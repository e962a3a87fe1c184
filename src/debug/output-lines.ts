// Program and cargo output passed on to the Debug Console in whole lines, however the pipe happened to split it into chunks.
import type { DebugProtocol } from '@vscode/debugprotocol';

/**
 * Collects a stream's chunks and hands back only finished lines, each ending in `\n` (a `\r\n` becomes `\n`, also
 * when the chunk boundary falls between the `\r` and the `\n`). What follows the last newline waits for the next chunk
 * or for `flush()`.
 */
export class LineBuffer {
  private partial = '';

  /** Adds a chunk; returns the lines it completed (possibly several, possibly none: then ''). */
  push(chunk: string): string {
    const text = this.partial + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.partial = text;
      return '';
    }
    this.partial = text.slice(end + 1);
    return text.slice(0, end + 1).replace(/\r\n/g, '\n');
  }

  /** The unfinished last line, as it is (at the end of the stream, or when the program stops with a prompt shown); '' when there is none. */
  flush(): string {
    const rest = this.partial;
    this.partial = '';
    return rest;
  }

  /** Whether a line has been started and not finished. */
  get pending(): boolean {
    return this.partial.length > 0;
  }
}

/** Output categories that carry the program's own streams (lldb-dap sends the debuggee's stdout/stderr as these). */
const STREAM_CATEGORIES = new Set(['stdout', 'stderr']);

/** Events before which every held line must be out, so the console shows what was printed before the stop or the end. */
const FLUSHING_EVENTS = new Set(['stopped', 'exited', 'terminated']);

/**
 * 100 ms: an unfinished line (a prompt printed with `print!`, a progress dot) still shows promptly, while the pieces of
 * one line written at once (a pipe splits them well within a millisecond) are joined.
 */
export const IDLE_FLUSH_MS = 100;

/**
 * Passes a debug adapter's events on, holding the program's stdout/stderr output until its line is complete. Other
 * events pass at once; a stop or the end first sends what is held, and an unfinished line is sent at most
 * `idleFlushMs` after its first piece arrived.
 */
export class WholeLineOutput {
  private readonly buffers = new Map<string, LineBuffer>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (event: DebugProtocol.Event) => void,
    private readonly idleFlushMs = IDLE_FLUSH_MS,
  ) {}

  /** Sends `event` on, or holds the unfinished part of program output. */
  pass(event: DebugProtocol.Event): void {
    if (event.event === 'output') {
      const body = (event as DebugProtocol.OutputEvent).body;
      // Output with a source location, a variables reference, a group or data is a message of its own: not split text.
      const plain = body && typeof body.output === 'string' && body.source === undefined && !body.variablesReference && body.group === undefined && body.data === undefined;
      if (plain && STREAM_CATEGORIES.has(body.category ?? '')) return this.addStreamOutput(event as DebugProtocol.OutputEvent);
    }
    if (FLUSHING_EVENTS.has(event.event)) this.flush();
    this.send(event);
  }

  /** Sends every held unfinished line now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [category, buffer] of this.buffers) {
      const rest = buffer.flush();
      if (rest) this.send(outputEvent(category, rest));
    }
  }

  dispose(): void {
    this.flush();
  }

  private addStreamOutput(event: DebugProtocol.OutputEvent): void {
    const category = event.body.category as string;
    let buffer = this.buffers.get(category);
    if (!buffer) {
      buffer = new LineBuffer();
      this.buffers.set(category, buffer);
    }
    const lines = buffer.push(event.body.output);
    if (lines) this.send({ ...event, body: { ...event.body, output: lines } });
    if (buffer.pending && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.idleFlushMs);
      this.timer.unref?.();
    }
  }
}

function outputEvent(category: string, output: string): DebugProtocol.OutputEvent {
  return { seq: 0, type: 'event', event: 'output', body: { category, output } };
}
