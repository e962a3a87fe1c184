// "Rust: Panic" in the Breakpoints view: an lldb breakpoint on std's panic entry (`rust_panic`), its stops reported as exceptions, and the panic message read from the program's output for the exception widget.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { conditionArguments, deleteLldbBreakpoints, parseBreakpointSetOutput, runLldbCommand } from './function-breakpoints';
import type { LldbDapClient } from './lldb-dap-client';

export const PANIC_FILTER_ID = 'rust_panic';

/** The exception filter announced to the client, first in the Breakpoints view and on by default, as Rust developers expect. */
export const PANIC_FILTER: DebugProtocol.ExceptionBreakpointsFilter = {
  filter: PANIC_FILTER_ID,
  label: 'Rust: Panic',
  description: 'Stops in the thread that panics, before it unwinds (a panic that is caught later stops too)',
  default: true,
  supportsCondition: true,
  conditionDescription: 'An lldb expression evaluated in std\'s rust_panic frame, e.g. a thread check',
};

/**
 * Every panic of std goes through `rust_panic` after the panic hook has printed the message: `#[no_mangle]` in older
 * releases, `__rustc::rust_panic` (v0-mangled) in newer ones, `std::panicking::rust_panic` in a PDB. lldb matches all
 * of them by base name, on ELF and PDB alike.
 */
export const PANIC_FUNCTION = 'rust_panic';

/** How long exceptionInfo waits for the panic message: the hook has written it, but lldb-dap may relay it after the stop. */
const MESSAGE_WAIT_MS = 500;

/** Quiet after a panic report that means the hook has written all of it. */
const QUIET_MS = 60;

/** Program output kept for finding panic messages (the hook's text is short; a long backtrace is cut from its start). */
const OUTPUT_TAIL = 64 << 10;

/** One panic as std's default hook reports it. */
export interface PanicReport {
  thread: string;
  /** `src/main.rs:7:9`. */
  location: string;
  message: string;
}

/**
 * The panic reports in program output, oldest first. Both forms of std's default hook: `thread 'main' panicked at
 * 'msg', src/main.rs:7:9` (Rust before 1.73) and `thread 'main' panicked at src/main.rs:7:9:\nmsg` (since; with a thread
 * id, `thread 'main' (1234)`, since 1.88). A message runs to the hook's `note:` or `stack backtrace:` line. CRLF too.
 */
export function parsePanicReports(output: string): PanicReport[] {
  const text = output.replace(/\r\n/g, '\n');
  const reports: PanicReport[] = [];
  const head = /thread '([^'\n]*)'(?: \(\d+\))? panicked at /g;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const rest = text.slice(head.lastIndex);
    const old = /^'([\s\S]*?)', ([^\n]+?:\d+:\d+)\n/.exec(rest);
    if (old) {
      reports.push({ thread: m[1], location: old[2], message: old[1] });
      continue;
    }
    const current = /^([^\n]+?:\d+:\d+):\n/.exec(rest);
    if (!current) continue;
    const body = rest.slice(current[0].length);
    const end = /\n(?:note: |stack backtrace:|thread '[^'\n]*'(?: \(\d+\))? panicked at )/.exec(body);
    const message = (end ? body.slice(0, end.index) : body).replace(/\n+$/, '');
    reports.push({ thread: m[1], location: current[1], message });
  }
  return reports;
}

/** Std's own sources: `/rustc/<hash>/library/…` as built (`<hash>\\library\\…` in a PDB), or the toolchain's rust-src. */
const STD_SOURCE = /(?:^|[\\/])[0-9a-f]{40}[\\/]library[\\/]|[\\/]rustlib[\\/]src[\\/]rust[\\/]library[\\/]/i;
/** Std's frames by name, for those without a source: paths in std, core and alloc, and the panic entry points. */
const STD_NAME = /^<?(?:std|core|alloc|panic_unwind|panic_abort|__rustc)::|^(?:rust_panic|rust_begin_unwind|__rust_start_panic)\b/;

/** Whether a frame is in Rust's standard library (by its source path, or by its name when it has none). */
export function isStdFrame(frame: DebugProtocol.StackFrame): boolean {
  const file = frame.source?.path;
  return file ? STD_SOURCE.test(file) : STD_NAME.test(frame.name);
}

/** lldb's breakpoint id in a stop's description ("breakpoint 3.1"), which lldb-dap passes on for breakpoints it did not set itself. */
export function breakpointIdOfStop(body: DebugProtocol.StoppedEvent['body'] | undefined): number | undefined {
  if (!body) return undefined;
  const ids = (body as { hitBreakpointIds?: number[] }).hitBreakpointIds;
  const m = /^breakpoint (\d+)(?:\.\d+)?/.exec(body.description ?? '');
  if (m) return Number(m[1]);
  return ids?.length === 1 ? ids[0] : undefined;
}

/** `breakpoint set --name rust_panic [--condition …]`. */
export function panicBreakpointCommand(condition?: string): string {
  return ['breakpoint', 'set', '--name', PANIC_FUNCTION, ...conditionArguments(condition)].join(' ');
}

/** The panic filter taken out of a setExceptionBreakpoints request, and what is left for lldb-dap. */
export function splitExceptionFilters(args: DebugProtocol.SetExceptionBreakpointsArguments): {
  panic: { condition?: string } | undefined;
  backend: DebugProtocol.SetExceptionBreakpointsArguments;
} {
  const filters = args.filters ?? [];
  const options = args.filterOptions ?? [];
  const option = options.find((o) => o.filterId === PANIC_FILTER_ID);
  const panic = option ? { condition: option.condition } : filters.includes(PANIC_FILTER_ID) ? {} : undefined;
  const backend: DebugProtocol.SetExceptionBreakpointsArguments = { ...args, filters: filters.filter((f) => f !== PANIC_FILTER_ID) };
  if (args.filterOptions) backend.filterOptions = options.filter((o) => o.filterId !== PANIC_FILTER_ID);
  return { panic, backend };
}

export interface PanicStopsHost {
  backend(): LldbDapClient | undefined;
}

/** The panic filter of one debug session: its breakpoint, its stops, and exceptionInfo for them. */
export class PanicStops {
  /** lldb's id of the rust_panic breakpoint while the filter is on. */
  private breakpointId: number | undefined;
  private condition: string | undefined;
  /** Serialises setExceptionBreakpoints requests: each replaces the previous. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The thread stopped at a panic, its report once read, and how many of its top frames are std's (once a frame of the program follows them). */
  private stop: { threadId: number; report?: PanicReport; stdFrames: number; programFrameFound: boolean } | undefined;
  private output = '';
  /** Reports in `output` before this many characters were there at earlier stops: a stop takes only a newer one. */
  private consumed = 0;
  private outputWaiters: Array<() => void> = [];
  /** How the breakpoint bound when it was set (a pending one is not verified). */
  private placed: DebugProtocol.Breakpoint = { verified: true };

  constructor(private readonly host: PanicStopsHost) {}

  /** Sees every client request first; true when this object answers it (then `handle` gives the body). */
  takes(request: DebugProtocol.Request): boolean {
    if (request.command === 'setExceptionBreakpoints') return true;
    return request.command === 'exceptionInfo' && this.stop !== undefined && (request.arguments as DebugProtocol.ExceptionInfoArguments)?.threadId === this.stop.threadId;
  }

  async handle(request: DebugProtocol.Request): Promise<unknown> {
    if (request.command === 'setExceptionBreakpoints') {
      const run = this.chain.then(() => this.setExceptionBreakpoints(request.arguments as DebugProtocol.SetExceptionBreakpointsArguments));
      this.chain = run.catch(() => undefined);
      return run;
    }
    return this.exceptionInfo();
  }

  /** Sees every lldb-dap event before the client; returns the event the client gets (a panic stop becomes an exception stop). */
  onBackendEvent(event: DebugProtocol.Event): DebugProtocol.Event {
    if (event.event === 'output') {
      const body = (event as DebugProtocol.OutputEvent).body;
      if (body.category === 'stdout' || body.category === 'stderr' || body.category === undefined) this.addOutput(body.output);
      return event;
    }
    if (event.event === 'continued' || event.event === 'exited' || event.event === 'terminated') this.stop = undefined;
    if (event.event !== 'stopped') return event;
    const body = (event as DebugProtocol.StoppedEvent).body;
    if (this.breakpointId === undefined || body.threadId === undefined || breakpointIdOfStop(body) !== this.breakpointId) {
      if (body.threadId === undefined || body.allThreadsStopped !== false) this.stop = undefined;
      return event;
    }
    this.stop = { threadId: body.threadId, stdFrames: 0, programFrameFound: false };
    // lldb's id of our breakpoint means nothing to the client, or names one of its own breakpoints by chance.
    const { hitBreakpointIds: _ids, ...rest } = body as DebugProtocol.StoppedEvent['body'] & { hitBreakpointIds?: number[] };
    return { ...event, body: { ...rest, reason: 'exception', description: 'Paused on panic', text: 'panic' } } as DebugProtocol.StoppedEvent;
  }

  /**
   * At a panic stop, marks std's frames above the code that panicked (the hook, `panic_fmt`, `unwrap_failed`, an
   * index check…) as deemphasised: VS Code then focuses the first frame of the program and shows the exception there.
   * VS Code asks for the top frame first and the rest after, so the run of std frames is followed across pages. Every
   * other frame in std's sources is deemphasised too: VS Code keeps one source object per file, with the hint of the
   * frame it saw last, and finds the exception's frame by the source's hint alone (`panicking.rs` is also where
   * `catch_unwind` sits, below the program's frame).
   */
  markPanicFrames(args: DebugProtocol.StackTraceArguments, body: DebugProtocol.StackTraceResponse['body'] | undefined): void {
    const stop = this.stop;
    if (!body || stop === undefined || args.threadId !== stop.threadId) return;
    const start = args.startFrame ?? 0;
    (body.stackFrames ?? []).forEach((frame, i) => {
      const index = start + i;
      if (index === stop.stdFrames && !stop.programFrameFound) {
        if (isStdFrame(frame)) stop.stdFrames++;
        else stop.programFrameFound = true;
      }
      const above = index < stop.stdFrames;
      if (above) frame.presentationHint = 'subtle';
      if (frame.source && (above || (frame.source.path !== undefined && isStdFrame(frame)))) frame.source = { ...frame.source, presentationHint: 'deemphasize' };
    });
  }

  private addOutput(text: string): void {
    this.output += text;
    if (this.output.length > OUTPUT_TAIL) {
      const cut = this.output.length - OUTPUT_TAIL;
      this.output = this.output.slice(cut);
      this.consumed = Math.max(0, this.consumed - cut);
    }
    const waiters = this.outputWaiters;
    this.outputWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * The newest panic report written since the last stop took one. Waits for it a little, then for the output to go
   * quiet: std's stderr is unbuffered, so the hook's text comes in pieces, and lldb-dap may relay them after the stop.
   */
  private async takeReport(): Promise<PanicReport | undefined> {
    const deadline = Date.now() + MESSAGE_WAIT_MS;
    for (let left = MESSAGE_WAIT_MS; left > 0; left = deadline - Date.now()) {
      const found = parsePanicReports(this.output.slice(this.consumed)).length > 0;
      const arrived = await this.nextOutput(found ? Math.min(QUIET_MS, left) : left);
      if (!arrived) break;
    }
    const reports = parsePanicReports(this.output.slice(this.consumed));
    if (reports.length === 0) return undefined;
    this.consumed = this.output.length;
    return reports[reports.length - 1];
  }

  /** True when more output arrives within `ms`. */
  private nextOutput(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.outputWaiters = this.outputWaiters.filter((w) => w !== wake);
        resolve(false);
      }, ms);
      this.outputWaiters.push(wake);
    });
  }

  private async exceptionInfo(): Promise<DebugProtocol.ExceptionInfoResponse['body']> {
    const stop = this.stop;
    if (!stop) throw new Error('The thread is no longer stopped at the panic.');
    stop.report ??= await this.takeReport();
    const report = stop.report;
    if (!report) {
      return {
        exceptionId: 'panic',
        description: 'The thread panicked. Its message is in the program\'s output (the Debug Console, or the terminal it runs in).',
        breakMode: 'always',
      };
    }
    return {
      exceptionId: 'panic',
      description: `${report.message}\n(thread '${report.thread}' panicked at ${report.location})`,
      breakMode: 'always',
      details: { message: report.message, typeName: 'panic', stackTrace: report.location },
    };
  }

  private async setExceptionBreakpoints(args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<DebugProtocol.SetExceptionBreakpointsResponse['body']> {
    const backend = this.host.backend();
    if (!backend) throw new Error('lldb-dap is not running.');
    const { panic, backend: forwarded } = splitExceptionFilters(args);
    const answer = await backend.request<DebugProtocol.SetExceptionBreakpointsResponse>('setExceptionBreakpoints', forwarded);
    const ours = await this.placePanicBreakpoint(backend, panic);
    // The answer lists the filters, then the filter options, each in the order asked; ours goes where the client put it.
    const theirs = [...(answer?.body?.breakpoints ?? [])];
    const merged: DebugProtocol.Breakpoint[] = [];
    for (const id of args.filters ?? []) merged.push(id === PANIC_FILTER_ID ? ours ?? { verified: false } : theirs.shift() ?? { verified: true });
    for (const option of args.filterOptions ?? []) merged.push(option.filterId === PANIC_FILTER_ID ? ours ?? { verified: false } : theirs.shift() ?? { verified: true });
    return { breakpoints: merged };
  }

  /** Sets, replaces (new condition) or removes the rust_panic breakpoint; returns how it bound. */
  private async placePanicBreakpoint(backend: LldbDapClient, panic: { condition?: string } | undefined): Promise<DebugProtocol.Breakpoint | undefined> {
    const condition = panic?.condition?.trim() || undefined;
    if (this.breakpointId !== undefined && (!panic || condition !== this.condition)) {
      const id = this.breakpointId;
      this.breakpointId = undefined;
      await deleteLldbBreakpoints(backend, [id]).catch(() => undefined);
    }
    if (!panic) return undefined;
    if (this.breakpointId === undefined) {
      const output = await runLldbCommand(backend, panicBreakpointCommand(condition));
      this.breakpointId = parseBreakpointSetOutput(output);
      this.condition = condition;
      this.placed = /no locations/.test(output)
        ? {
            verified: false,
            message: `No ${PANIC_FUNCTION} in the program yet (a #![no_std] program, or std in a library not loaded yet): the panic breakpoint binds when a module that has it loads.`,
          }
        : { verified: true };
    }
    return this.placed;
  }
}
