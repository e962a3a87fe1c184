// Speaks DAP to one lldb-dap child process: framing, request/response matching, events, and death of the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { DebugProtocol } from '@vscode/debugprotocol';

/** Thrown for a request lldb-dap answered with success=false; `response` is its answer. */
export class BackendRequestError extends Error {
  constructor(
    readonly command: string,
    readonly response: DebugProtocol.Response,
  ) {
    super(
      (response.body as { error?: { format?: string } } | undefined)?.error?.format ||
        response.message ||
        `lldb-dap failed the '${command}' request without giving a reason`,
    );
    this.name = 'BackendRequestError';
  }
}

/** Thrown for every request outstanding or sent after lldb-dap exited. */
export class BackendExitedError extends Error {
  constructor(readonly exitDescription: string) {
    super(`lldb-dap exited (${exitDescription})`);
    this.name = 'BackendExitedError';
  }
}

export interface BackendExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** "exit code 3", "signal SIGKILL". */
  description: string;
}

interface Pending {
  command: string;
  resolve(response: DebugProtocol.Response): void;
  reject(err: Error): void;
}

/**
 * Events: 'event' (DebugProtocol.Event), 'reverseRequest' (DebugProtocol.Request), 'exit' (BackendExit), 'stderr' (string).
 * Requests may be outstanding concurrently; lldb-dap answers them in its own order.
 */
export class LldbDapClient extends EventEmitter {
  private readonly process: ChildProcess;
  private seq = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer: Buffer = Buffer.alloc(0);
  private exitInfo: BackendExit | undefined;
  /** What lldb-dap announced in its initialize response. */
  capabilities: DebugProtocol.Capabilities = {};

  constructor(
    readonly executable: string,
    args: string[] = [],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    super();
    this.process = spawn(executable, args, { stdio: ['pipe', 'pipe', 'pipe'], env, windowsHide: true });
    this.process.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.process.stderr!.on('data', (chunk: Buffer) => this.emit('stderr', chunk.toString('utf8')));
    // A write to a dead lldb-dap raises EPIPE; the 'exit' handler reports the death itself.
    this.process.stdin!.on('error', () => undefined);
    this.process.on('error', (err) => this.onExit(null, null, err.message));
    this.process.on('exit', (code, signal) => this.onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get exited(): BackendExit | undefined {
    return this.exitInfo;
  }

  /** Sends a request; resolves with the response body's owner (the full response) or rejects with BackendRequestError. */
  request<R extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown): Promise<R> {
    return this.requestWithSeq<R>(command, args).response;
  }

  /** Like `request`, but also gives the seq used, so the request can be cancelled with a DAP `cancel`. */
  requestWithSeq<R extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown): { seq: number; response: Promise<R> } {
    const seq = this.seq++;
    if (this.exitInfo) {
      return { seq, response: Promise.reject(new BackendExitedError(this.exitInfo.description)) };
    }
    const response = new Promise<R>((resolve, reject) => {
      this.pending.set(seq, { command, resolve: resolve as (r: DebugProtocol.Response) => void, reject });
    });
    this.write({ seq, type: 'request', command, arguments: args });
    return { seq, response };
  }

  /** Answers a reverse request lldb-dap sent (e.g. runInTerminal). */
  respond(request: DebugProtocol.Request, success: boolean, body?: unknown, message?: string): void {
    this.write({ seq: this.seq++, type: 'response', request_seq: request.seq, command: request.command, success, body, message });
  }

  /** Kills lldb-dap if it is still running. */
  kill(): void {
    if (!this.exitInfo) {
      this.process.kill('SIGKILL');
    }
  }

  // One write per message (as VS Code sends them): two woke lldb-dap's reader twice and cost a second system call.
  private write(message: object): void {
    const json = JSON.stringify(message);
    this.process.stdin!.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length:\s*(\d+)/i.exec(header);
      if (!match) {
        // Not DAP framing (a stray line on stdout): drop through the separator and resynchronise.
        this.buffer = this.buffer.subarray(headerEnd + 4);
        continue;
      }
      const length = Number(match[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      let message: DebugProtocol.ProtocolMessage;
      try {
        message = JSON.parse(body) as DebugProtocol.ProtocolMessage;
      } catch {
        continue;
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: DebugProtocol.ProtocolMessage): void {
    if (message.type === 'response') {
      const response = message as DebugProtocol.Response;
      const pending = this.pending.get(response.request_seq);
      if (!pending) return;
      this.pending.delete(response.request_seq);
      if (response.success) pending.resolve(response);
      else pending.reject(new BackendRequestError(pending.command, response));
    } else if (message.type === 'event') {
      this.emit('event', message as DebugProtocol.Event);
    } else if (message.type === 'request') {
      this.emit('reverseRequest', message as DebugProtocol.Request);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.exitInfo) return;
    const description = spawnError ? `could not start: ${spawnError}` : signal ? `signal ${signal}` : `exit code ${code}`;
    this.exitInfo = { code, signal, description };
    const err = new BackendExitedError(description);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.emit('exit', this.exitInfo);
  }
}
