// Starts the standalone adapter under DebugClient and drives it to a stop; shared by every protocol test.
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { compileProgram, markerLine, sourceOf, toolchainEnv } from './programs';

/** The tsc build of the adapter (out/src/debug/adapter-main.js), next to its task modules. */
export const ADAPTER = path.resolve(__dirname, '..', '..', '..', 'src', 'debug', 'adapter-main.js');

/** Generous: lldb-dap start, symbol loading and a loaded 2-core CI machine; never asserted on. */
export const WAIT_MS = 60_000;

export async function startClient(env: NodeJS.ProcessEnv = {}): Promise<DebugClient> {
  const dc = new DebugClient('node', ADAPTER, 'rust-offload', { env: { ...toolchainEnv(), ...env }, stdio: 'pipe' } as object, true);
  dc.defaultTimeout = WAIT_MS;
  await dc.start();
  return dc;
}

/** initialize with the capabilities VS Code announces (progress, memory references, variable types). */
export function initializeLikeVsCode(dc: DebugClient): Promise<DebugProtocol.InitializeResponse> {
  return dc.initializeRequest({
    adapterID: 'rust-offload',
    clientID: 'vscode',
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: 'path',
    supportsVariableType: true,
    supportsMemoryReferences: true,
    supportsProgressReporting: true,
    supportsRunInTerminalRequest: false,
  });
}

export interface Stop {
  threadId: number;
  frameId: number;
  frames: DebugProtocol.StackFrame[];
}

/** The program's first thread stopped; its top frames. */
export async function currentStop(dc: DebugClient): Promise<Stop> {
  const threads = await dc.threadsRequest();
  const threadId = threads.body.threads[0].id;
  const stack = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 5 });
  return { threadId, frameId: stack.body.stackFrames[0].id, frames: stack.body.stackFrames };
}

/** Launches test/programs/<name>.rs (compiled with rustc -g) and stops at its `// BREAK: <marker>` line. */
export async function launchToMarker(dc: DebugClient, name: string, marker: string, extra: Record<string, unknown> = {}): Promise<Stop> {
  const program = compileProgram(name);
  const source = sourceOf(name);
  const line = markerLine(source, marker);
  const stopped = dc.waitForEvent('stopped', WAIT_MS);
  await Promise.all([
    dc.waitForEvent('initialized', WAIT_MS).then(async () => {
      await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }] });
      await dc.configurationDoneRequest();
    }),
    initializeLikeVsCode(dc).then(() => dc.launchRequest({ program, ...extra } as DebugProtocol.LaunchRequestArguments)),
  ]);
  await stopped;
  const stop = await currentStop(dc);
  if (stop.frames[0].line !== line) throw new Error(`expected to stop at ${source}:${line}, stopped at line ${stop.frames[0].line} in ${stop.frames[0].name}`);
  return stop;
}

/** Sends a request without awaiting it, remembering whether it has been answered (to prove ordering). */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; settled(): boolean } {
  let done = false;
  const p = promise.then(
    (v) => {
      done = true;
      return v;
    },
    (e) => {
      done = true;
      throw e;
    },
  );
  // The test awaits it later; avoid an unhandled rejection in between.
  p.catch(() => undefined);
  return { promise: p, settled: () => done };
}

/** Resolves with the error message of a request that must fail. */
export async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

/** Waits for a progressStart event (a long evaluation started reading) and returns its body. */
export async function progressStarted(dc: DebugClient): Promise<DebugProtocol.ProgressStartEvent['body']> {
  const event = (await dc.waitForEvent('progressStart', WAIT_MS)) as DebugProtocol.ProgressStartEvent;
  return event.body;
}

/** Stops the client and adapter even if the session is broken (used in afterEach). */
export async function stopQuietly(dc: DebugClient | undefined): Promise<void> {
  if (!dc) return;
  try {
    await Promise.race([dc.stop(), new Promise((r) => setTimeout(r, 15_000))]);
  } catch {
    // The adapter may already be gone (the fault tests kill things).
  }
  const adapter = (dc as unknown as { _adapterProcess?: { kill(): void; exitCode: number | null } })._adapterProcess;
  if (adapter && adapter.exitCode === null) adapter.kill();
}
