// A client over a session run inline (handleMessage / onDidSendMessage), as VS Code's DebugAdapterInlineImplementation drives it.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { RustDebugSession } from '../../../src/debug/rust-debug-session';
import { WAIT_MS } from './client';
import { compileProgram, markerLine, sourceOf } from './programs';

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

  /** Launches test/programs/<name>.rs the way VS Code does and stops at its `// BREAK: <marker>` line. */
  async launchToMarker(name: string, marker: string, initialize: Partial<DebugProtocol.InitializeRequestArguments> = {}): Promise<{ threadId: number; frameId: number }> {
    const source = sourceOf(name);
    const initialized = this.waitFor('initialized');
    const stopped = this.waitFor('stopped');
    await this.send('initialize', { adapterID: 'rust-offload', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...initialize });
    const launched = this.send('launch', { program: compileProgram(name) });
    await initialized;
    await this.send('setBreakpoints', { source: { path: source }, breakpoints: [{ line: markerLine(source, marker) }] });
    await this.send('configurationDone');
    await launched;
    const threadId = ((await stopped).body as DebugProtocol.StoppedEvent['body']).threadId!;
    const frameId = (await this.send<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId, levels: 1 })).stackFrames[0].id;
    return { threadId, frameId };
  }
}
