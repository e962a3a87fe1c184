// Which DAP requests lldb-dap will accept, judged from the capabilities it announced (lldb-dap 19 aborts on the rest).
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PANIC_FILTER } from './panic-stops';

/** Requests every DAP adapter must implement; lldb-dap announces no capability for them. */
const BASE_REQUESTS = new Set([
  'initialize',
  'launch',
  'attach',
  'disconnect',
  'setBreakpoints',
  'setExceptionBreakpoints',
  'configurationDone',
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'pause',
  'stackTrace',
  'scopes',
  'variables',
  'threads',
  'source',
  'evaluate',
]);

/** The capability that announces each optional request. */
const GATED_REQUESTS: Record<string, keyof DebugProtocol.Capabilities | string> = {
  setFunctionBreakpoints: 'supportsFunctionBreakpoints',
  setInstructionBreakpoints: 'supportsInstructionBreakpoints',
  dataBreakpointInfo: 'supportsDataBreakpoints',
  setDataBreakpoints: 'supportsDataBreakpoints',
  breakpointLocations: 'supportsBreakpointLocationsRequest',
  readMemory: 'supportsReadMemoryRequest',
  writeMemory: 'supportsWriteMemoryRequest',
  disassemble: 'supportsDisassembleRequest',
  cancel: 'supportsCancelRequest',
  loadedSources: 'supportsLoadedSourcesRequest',
  modules: 'supportsModulesRequest',
  completions: 'supportsCompletionsRequest',
  setVariable: 'supportsSetVariable',
  setExpression: 'supportsSetExpression',
  stepInTargets: 'supportsStepInTargetsRequest',
  gotoTargets: 'supportsGotoTargetsRequest',
  goto: 'supportsGotoTargetsRequest',
  restart: 'supportsRestartRequest',
  restartFrame: 'supportsRestartFrame',
  terminate: 'supportsTerminateRequest',
  terminateThreads: 'supportsTerminateThreadsRequest',
  exceptionInfo: 'supportsExceptionInfoRequest',
  stepBack: 'supportsStepBack',
  reverseContinue: 'supportsStepBack',
  moduleSymbols: 'supportsModuleSymbolsRequest',
};

export function backendSupports(capabilities: DebugProtocol.Capabilities, command: string): boolean {
  if (BASE_REQUESTS.has(command)) return true;
  const capability = GATED_REQUESTS[command];
  return capability !== undefined && (capabilities as Record<string, unknown>)[capability] === true;
}

/**
 * Capabilities we announce to the client: lldb-dap's, plus what the adapter itself provides. `initial` for the
 * initialize response; a later `capabilities` event announces our panic filter again only when it changes lldb-dap's.
 */
export function clientCapabilities(backend: DebugProtocol.Capabilities, initial = true): DebugProtocol.Capabilities {
  const own: DebugProtocol.Capabilities = {
    // Evaluations are futures we can always cancel, whatever lldb-dap offers.
    supportsCancelRequest: true,
    supportsEvaluateForHovers: true,
    supportsClipboardContext: true,
    supportsConfigurationDoneRequest: true,
    // A restart would need the launch replayed through cargo; not offered yet.
    supportsRestartRequest: false,
    // The "Rust: Panic" filter: its stops are exceptions, with the panic message, and it takes a condition.
    supportsExceptionInfoRequest: true,
    supportsExceptionFilterOptions: true,
    // Variable names, and fields and methods of the value before a dot, from our type table.
    supportsCompletionsRequest: true,
  };
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(backend)) {
    // lldb-dap's private fields ($__lldb_version) stay private.
    if (!k.startsWith('$')) copy[k] = v;
  }
  // Objective-C exception filters mean nothing in a Rust program (C++ ones do, for linked C++ code); Rust's panic comes first.
  const filters = (copy.exceptionBreakpointFilters as DebugProtocol.ExceptionBreakpointsFilter[] | undefined)?.filter((f) => !f.filter.startsWith('objc_'));
  if (filters || initial) copy.exceptionBreakpointFilters = [PANIC_FILTER, ...(filters ?? [])];
  return { ...(copy as DebugProtocol.Capabilities), ...own };
}
