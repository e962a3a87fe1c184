// Our session as the benchmarks drive it, stopped at a `// BREAK: <marker>` line of a test program: inline as VS Code runs it, or as a standalone adapter process.
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ThreadPoolExecutor } from '../src/futures';
import { RustDebugSession } from '../src/debug/rust-debug-session';
import { InlineClient } from '../test/dap/support/inline-client';
import { compileProgram, markerLine, sourceOf, toolchainEnv } from '../test/dap/support/programs';

const ADAPTER = path.resolve(__dirname, '..', 'src', 'debug', 'adapter-main.js');

export interface Stopped<C> {
  client: C;
  threadId: number;
  frameId: number;
  close(): Promise<void>;
}

/** Inline in this process (VS Code's extension host), on a shared executor of 2 workers, without an evaluation deadline. */
export async function inlineSession(program: string, marker: string): Promise<Stopped<InlineClient>> {
  const executor = new ThreadPoolExecutor({ maxWorkers: 2, modulesRoot: path.resolve(__dirname, '..', 'src') });
  const session = new RustDebugSession({ executor, sessionId: 'bench', env: toolchainEnv(), evaluationTimeout: 0 });
  const client = new InlineClient(session);
  const { threadId, frameId } = await client.launchToMarker(program, marker, { supportsProgressReporting: true });
  return {
    client,
    threadId,
    frameId,
    close: async () => {
      await client.send('disconnect', { terminateDebuggee: true }).catch(() => undefined);
      session.dispose();
      await executor.shutdown({ wait: true, cancelFutures: true });
    },
  };
}

/** A standalone adapter process on stdio (adapter-main): one process hop more than VS Code has. */
export async function standaloneSession(program: string, marker: string): Promise<Stopped<DebugClient>> {
  const dc = new DebugClient('node', ADAPTER, 'rust-offload', { env: { ...toolchainEnv(), RUST_OFFLOAD_EVALUATION_TIMEOUT: '0' } } as object);
  dc.defaultTimeout = 120_000;
  await dc.start();
  const source = sourceOf(program);
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: markerLine(source, marker) }] });
      await dc.configurationDoneRequest();
    }),
    dc.initializeRequest({ adapterID: 'rust-offload', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true }).then(() =>
      dc.launchRequest({ program: compileProgram(program) } as DebugProtocol.LaunchRequestArguments),
    ),
    dc.waitForEvent('stopped'),
  ]);
  const threadId = (await dc.threadsRequest()).body.threads[0].id;
  const frameId = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].id;
  return { client: dc, threadId, frameId, close: () => dc.stop() };
}
