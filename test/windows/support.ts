// Shared by the Windows suite: wine or a clear skip, the test programs built for MSVC, and an adapter session attached through winedbg's stub and our proxy.
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { initializeLikeVsCode, WAIT_MS } from '../dap/support/client';
import { buildMsvcProgram, type MsvcProgram, type MsvcToolchain } from '../support/msvc-programs';
import { wineMissing, winePrefix, WineGdbTarget, type Wine } from '../support/wine-debug';

/** test/programs/windows in the source tree (tests run from out/test/windows). */
export const WINDOWS_PROGRAMS = path.resolve(__dirname, '..', '..', '..', 'test', 'programs', 'windows');
/** Where the PDBs say the sources were: a Windows build machine's path, so breakpoints need the `\`-separated source map. */
export const PDB_SOURCE_DIR = 'C:\\build\\programs';

/** Figures printed at the end of the suite (time to first stop, …), never asserted on. */
export const figures: string[] = [];

/**
 * wine for the suite, or a skip with the reason locally. In CI (CI=true), where .ci/run installs wine64, a missing or
 * failing wine fails the suite instead of hiding it.
 */
export async function requireWine(context: Mocha.Context): Promise<Wine> {
  const missing = wineMissing();
  let failure = missing;
  if (!failure) {
    try {
      return await winePrefix();
    } catch (err) {
      failure = (err as Error).message;
    }
  }
  const message = `Windows suite: ${failure}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI installs wine64 through .ci/run; this must not be skipped there)`);
  console.log(`      skipped: ${message}`);
  context.skip();
  throw new Error('unreachable');
}

export function windowsProgram(name: string, toolchain: MsvcToolchain = '1.96'): Promise<MsvcProgram> {
  return buildMsvcProgram({ source: path.join(WINDOWS_PROGRAMS, `${name}.rs`), toolchain, pdbSourceDir: PDB_SOURCE_DIR });
}

export function sourcePath(name: string): string {
  return path.join(WINDOWS_PROGRAMS, `${name}.rs`);
}

export interface WindowsSetup {
  sourceBreakpoints?: Array<{ source: string; lines: number[] }>;
  functionBreakpoints?: string[];
  exceptionFilters?: string[];
  extra?: Record<string, unknown>;
}

export interface AttachedSession {
  target: WineGdbTarget;
  functionBreakpoints: DebugProtocol.Breakpoint[];
  sourceBreakpoints: DebugProtocol.Breakpoint[];
}

/**
 * Starts the exe under winedbg's stub and attaches the adapter to it with `gdbRemote`, setting breakpoints between
 * `initialized` and `configurationDone` as VS Code does; the program then runs to the first breakpoint.
 */
export async function attachToWindowsProgram(dc: DebugClient, wine: Wine, exe: string, setup: WindowsSetup = {}): Promise<AttachedSession> {
  const target = await WineGdbTarget.start(wine, exe);
  let functionBreakpoints: DebugProtocol.Breakpoint[] = [];
  const sourceBreakpoints: DebugProtocol.Breakpoint[] = [];
  try {
    await Promise.all([
      dc.waitForEvent('initialized', WAIT_MS).then(async () => {
        for (const { source, lines } of setup.sourceBreakpoints ?? []) {
          const set = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: lines.map((line) => ({ line })) });
          sourceBreakpoints.push(...set.body.breakpoints);
        }
        if (setup.functionBreakpoints) {
          functionBreakpoints = (await dc.setFunctionBreakpointsRequest({ breakpoints: setup.functionBreakpoints.map((name) => ({ name })) })).body.breakpoints;
        }
        await dc.setExceptionBreakpointsRequest({ filters: setup.exceptionFilters ?? [] });
        await dc.configurationDoneRequest();
      }),
      initializeLikeVsCode(dc).then(() =>
        dc.attachRequest({
          program: exe,
          gdbRemote: target.address,
          sourceMap: { [PDB_SOURCE_DIR]: WINDOWS_PROGRAMS },
          ...setup.extra,
        } as DebugProtocol.AttachRequestArguments),
      ),
    ]);
  } catch (err) {
    await target.dispose();
    const packets = target.packets.filter((l) => !/stub< T05/.test(l)).slice(-60).join('\n  ');
    throw new Error(`${(err as Error).message}\nlast gdb-remote packets (ms since winedbg started):\n  ${packets}`, { cause: err });
  }
  return { target, functionBreakpoints, sourceBreakpoints };
}

/** Attaches the adapter to a dump as VS Code does; resolves with the first stopped event (the crash). */
export async function openDump(dc: DebugClient, exe: string, dump: string): Promise<DebugProtocol.StoppedEvent['body']> {
  const stopped = dc.waitForEvent('stopped', WAIT_MS);
  await Promise.all([
    dc.waitForEvent('initialized', WAIT_MS).then(() => dc.configurationDoneRequest()),
    initializeLikeVsCode(dc).then(() =>
      dc.attachRequest({ program: exe, coreFile: dump, sourceMap: { [PDB_SOURCE_DIR]: WINDOWS_PROGRAMS } } as DebugProtocol.AttachRequestArguments),
    ),
  ]);
  return ((await stopped) as DebugProtocol.StoppedEvent).body;
}

/** winedbg's stop when LLDB connects (SIGTRAP in ntdll, before configurationDone resumes): not one the tests wait for. */
export function isAttachStop(body: DebugProtocol.StoppedEvent['body']): boolean {
  return body.reason === 'exception' && body.description === 'signal SIGTRAP';
}

/** The next stop after this call that is not the attach stop. */
export function nextStop(dc: DebugClient, ms = WAIT_MS): Promise<DebugProtocol.StoppedEvent['body']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      dc.removeListener('stopped', on);
      reject(new Error(`no stop within ${ms} ms`));
    }, ms);
    const on = (e: DebugProtocol.StoppedEvent): void => {
      if (isAttachStop(e.body)) return;
      clearTimeout(timer);
      dc.removeListener('stopped', on);
      resolve(e.body);
    };
    dc.on('stopped', on);
  });
}

/** The stopped thread's top frames. */
export async function framesOf(dc: DebugClient, threadId: number, levels = 20): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId, startFrame: 0, levels })).body.stackFrames;
}
