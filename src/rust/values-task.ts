// Worker task module: formats a frame's Rust values, and expands one, from raw memory and the module's type table.
// (Placeholder of the lead's contract until the formatter lands; every call fails so the adapter shows lldb's view.)
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TaskContext } from '../futures/contract';
import type { TypeRef } from '../symbols/type-model';

export interface LldbVariable {
  name: string;
  memoryReference?: string;
  value: string;
  type?: string;
  evaluateName?: string;
  variablesReference?: number;
}

export interface FormatFrameArgs {
  module: string;
  searchPaths?: string[];
  /** Link-time pc of the frame. */
  pc: number;
  variables: LldbVariable[];
  hex?: boolean;
}

export type ValueHandle = { type: TypeRef; address: number };

export interface ShownValue {
  name: string;
  value: string;
  type?: string;
  evaluateName?: string;
  memoryReference?: string;
  handle?: ValueHandle;
  indexedVariables?: number;
  namedVariables?: number;
  presentationHint?: DebugProtocol.VariablePresentationHint;
  fromLldb?: boolean;
}

export interface ExpandArgs {
  module: string;
  searchPaths?: string[];
  handle: ValueHandle;
  start?: number;
  count?: number;
  hex?: boolean;
}

export async function formatFrame(_ctx: TaskContext, _args: FormatFrameArgs): Promise<ShownValue[]> {
  throw new Error('Rust value formatting is not built yet');
}

export async function expandValue(_ctx: TaskContext, _args: ExpandArgs): Promise<ShownValue[]> {
  throw new Error('Rust value formatting is not built yet');
}
