// A client over a session run inline (handleMessage / onDidSendMessage), as VS Code's DebugAdapterInlineImplementation drives it.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { RustDebugSession } from '../../../src/debug/rust-debug-session';
import { WAIT_MS } from './client';

/** A minimal client over the session's inline interface (handleMessage / onDidSendMessage), like VS Code's. */
export class InlineClient {
  private seq = 1;
  private readonly pending = new Map<number, (r: DebugProtocol.Response) => void>();
  private readonly waiters: Array<{ event: string; resolve(e: DebugProtocol.Event): void }> = [];

  constructor(private readonly session: RustDebugSession) {
    session.onDidSendMessage((m) => {
      const message = m as DebugProtocol.ProtocolMessage;
      if (message.type === 'response') {
        const r = message as DebugProtocol.Response;
        this.pending.get(r.request_seq)?.(r);
        this.pending.delete(r.request_seq);
      } else if (message.type === 'event') {
        const e = message as DebugProtocol.Event;
        const i = this.waiters.findIndex((w) => w.event === e.event);
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(e);
      }
    });
  }

  async send<T = any>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    const response = new Promise<DebugProtocol.Response>((resolve) => this.pending.set(seq, resolve));
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    const r = await response;
    if (!r.success) throw new Error(r.message);
    return r.body as T;
  }

  waitFor(event: string): Promise<DebugProtocol.Event> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${WAIT_MS} ms`)), WAIT_MS);
      this.waiters.push({ event, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }
}
