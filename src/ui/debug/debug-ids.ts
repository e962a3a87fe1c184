// The ids the debugger contribution uses (debug type, its commands), typed in one place like ui/contributions.ts.

export const DEBUG_TYPE = 'rust-offload';

export const enum DebugCommands {
  /** `${command:pickProcess}` in an attach configuration. */
  PickProcess = 'rustOffload.pickProcess',
  /** The walkthrough's first step: which lldb-dap a session would use, or how to install one. */
  CheckLldbDap = 'rustOffload.checkLldbDap',
}
