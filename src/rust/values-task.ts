// Worker task module: formats a frame's locals and expands values from raw memory, using the module's type table.
import type { TaskContext } from '../futures/contract';
import type { FrameVariable, TypeRef, TypeTable } from '../symbols/type-model';
import { typeTableFor } from '../symbols/type-tables';
import { BACKEND_REQUEST, type BackendRequestParams, type TaskMemory } from './evaluate-task';
import { readDirect, type DirectMemoryGrant } from './values/direct-memory';
import { MemoryReader, type FetchMemory } from './values/memory-reader';
import { placeOf, ValueFormatter, type ShownValue, type ValueHandle } from './values/value-formatter';
import { ValueViews, type Place } from './values/value-views';
import { withSyntheticArrays } from './values/synthetic-arrays';

export type { ShownValue, ValueHandle } from './values/value-formatter';

/** A variable as lldb-dap lists it. */
export interface LldbVariable {
  name: string;
  memoryReference?: string;
  value: string;
  type?: string;
  evaluateName?: string;
  variablesReference?: number;
}

/** Where the module is. `slide`: runtime minus link-time address, needed to find a `dyn Trait`'s concrete type from its vtable. */
export interface ModuleWhere {
  module: string;
  searchPaths?: string[];
  slide?: number;
  /** Given while the program is stopped and ours to read (Linux): reads skip the session and lldb-dap. */
  directMemory?: DirectMemoryGrant;
}

export interface FormatFrameArgs extends ModuleWhere {
  /** Link-time pc of the frame. */
  pc: number;
  variables: LldbVariable[];
  hex?: boolean;
}

function slideOf(where: ModuleWhere): number {
  return where.slide ?? 0;
}

export interface ExpandArgs extends ModuleWhere {
  handle: ValueHandle;
  start?: number;
  count?: number;
  /** DAP's variables filter: only the indexed (elements, entries) or only the named (fields, counts) children. */
  filter?: 'indexed' | 'named';
  hex?: boolean;
}

export interface FormatValueArgs extends ModuleWhere {
  type: TypeRef | string;
  address: number;
  name: string;
  evaluateName?: string;
  hex?: boolean;
}

/**
 * Reads memory through the adapter (which splits large reads so client requests are not held back), or from the
 * program's memory file under the session's grant, falling back to the adapter for what that cannot read.
 */
export function hostMemory(ctx: TaskContext, grant?: DirectMemoryGrant): FetchMemory {
  return async (address, count) => {
    const direct = grant ? readDirect(grant, address, count) : undefined;
    if (direct) return { bytes: direct };
    const params: BackendRequestParams = { command: 'readMemory', arguments: { memoryReference: `0x${address.toString(16)}`, count } };
    const body = await ctx.request<TaskMemory>(BACKEND_REQUEST, params);
    return { bytes: body.bytes };
  };
}

/** A value task's formatter: its module's table, its memory (read itself under a grant, else through the session). */
function taskFormatter(ctx: TaskContext, table: TypeTable, args: ModuleWhere & { hex?: boolean }): ValueFormatter {
  return formatterFor(table, hostMemory(ctx, args.directMemory), { hex: args.hex, slide: slideOf(args), signal: ctx.signal, direct: args.directMemory !== undefined });
}

/** The formatter for one task: its table, a memory cache for the task, the task's cancellation. */
export function formatterFor(table: TypeTable, fetch: FetchMemory, options: { hex?: boolean; slide?: number; signal?: AbortSignal; direct?: boolean }): ValueFormatter {
  const memory = new MemoryReader(fetch, options.signal, options.direct);
  // Expressions' results may be arrays of their own making (`v[10..20]`), which expand here like any other value.
  return new ValueFormatter(new ValueViews(withSyntheticArrays(table), memory, { hex: options.hex ?? false, slide: options.slide ?? 0 }), { signal: options.signal });
}

export async function formatFrame(ctx: TaskContext, args: FormatFrameArgs): Promise<ShownValue[]> {
  let table: TypeTable | undefined;
  let declared: FrameVariable[] = [];
  try {
    table = await typeTableFor(args.module, args.searchPaths);
    declared = table.frameVariables(args.pc);
  } catch {
    // No table (no debug info, a reader error): lldb-dap's own text for every variable, never an error.
    table = undefined;
  }
  if (!table) return args.variables.map(fromLldb);
  return formatVariables(taskFormatter(ctx, table, args), declared, args.variables);
}

/** Formats lldb-dap's variables with their declared types; exported for tests that bring their own table and memory. */
export async function formatVariables(formatter: ValueFormatter, declared: FrameVariable[], variables: LldbVariable[]): Promise<ShownValue[]> {
  const matched = matchVariables(declared, variables);
  const out: ShownValue[] = [];
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i];
    const decl = matched[i];
    const address = v.memoryReference ? Number(v.memoryReference) : NaN;
    // A zero-sized local (`()`, a unit struct) has no address but needs none.
    const zeroSized = decl !== undefined && sizeOf(formatter, decl.type) === 0;
    if (!decl || (!zeroSized && (!Number.isSafeInteger(address) || address <= 0))) {
      out.push(fromLldb(v));
      continue;
    }
    const place = zeroSized ? { type: decl.type, address: 0, bytes: new Uint8Array(0) } : await localPlace(formatter, decl.type, address, v);
    out.push(await formatter.shown(v.name, { ...place, expr: v.evaluateName ?? baseName(v.name) }));
  }
  return out;
}

/**
 * The place of a local. lldb-dap gives a pointer-typed local's memoryReference as the pointee's address (its value
 * text shows the same address), so such a local is given by its content: the pointer value itself.
 */
export async function localPlace(formatter: ValueFormatter, type: TypeRef, address: number, v: LldbVariable): Promise<Place> {
  const t = formatter.values.type(type);
  if (t.kind === 'pointer') {
    const shown = /0x[0-9a-f]+/i.exec(v.value);
    if (shown && Number(shown[0]) === address) {
      const bytes = new Uint8Array(t.size || formatter.values.table.pointerSize);
      let rest = BigInt(address);
      for (let i = 0; i < bytes.length; i++, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
      return { type, address: 0, bytes };
    }
  }
  return { type, address };
}

function sizeOf(formatter: ValueFormatter, type: TypeRef): number | undefined {
  try {
    return formatter.values.type(type).size;
  } catch {
    return undefined;
  }
}

/** `x @ main.rs:12` (lldb-dap's name for one of several locals named x) → `x`. */
export function baseName(name: string): string {
  const at = name.indexOf(' @ ');
  return at < 0 ? name : name.slice(0, at);
}

/**
 * Pairs lldb-dap's variables with declared ones by name. lldb-dap names shadowed duplicates `x @ file:line`; the
 * line picks the declaration. Without one, the k-th `x` lldb lists takes the k-th declaration of x innermost first.
 */
export function matchVariables(declared: FrameVariable[], variables: LldbVariable[]): Array<FrameVariable | undefined> {
  const used = new Set<FrameVariable>();
  return variables.map((v) => {
    const name = baseName(v.name);
    const line = /:(\d+)$/.exec(v.name.slice(name.length))?.[1];
    const candidates = declared.filter((d) => d.name === name && !used.has(d));
    const chosen = (line !== undefined ? candidates.find((d) => d.line === Number(line)) : undefined) ?? candidates[0];
    if (chosen) used.add(chosen);
    return chosen;
  });
}

function fromLldb(v: LldbVariable): ShownValue {
  return { name: v.name, value: v.value, type: v.type, evaluateName: v.evaluateName, memoryReference: v.memoryReference, fromLldb: true };
}

/**
 * Opens a module's type table and what its first frame needs, in the interactive worker while the program runs to its
 * first stop, so the first Variables view does not pay for the worker's start, this module's code and the table.
 */
export function prepareModule(_ctx: TaskContext, args: ModuleWhere): void {
  try {
    typeTableFor(args.module, args.searchPaths).prepareFrames?.();
  } catch {
    // Said by the first stop's variables, which fall back to lldb's view of them.
  }
}

/** Types parsed ahead per frame: its locals' own types and what they hold, a few levels down. */
const PREPARE_DEPTH = 4;
const PREPARE_TYPES = 4000;

/**
 * A stop's top frame, as soon as its pc is known (the stackTrace answer), while lldb-dap lists the frame's
 * variables: reads the frame's unit and parses its locals' types, so formatFrame finds them ready.
 */
export async function prepareFrame(ctx: TaskContext, args: ModuleWhere & { pc: number }): Promise<void> {
  let table: TypeTable;
  let declared: FrameVariable[];
  try {
    table = typeTableFor(args.module, args.searchPaths);
    declared = table.frameVariables(args.pc);
    const seen = new Set<TypeRef>();
    for (const v of declared) parseTypes(table, v.type, seen, 0);
  } catch {
    return; // said by formatFrame, which falls back to lldb's view
  }
  // Each local formatted once over zeroed bytes (empty collections, None, zeros: nothing is read), so that the code
  // its real value takes (its layout's view, the formatter's paths) is compiled before that value is asked for: a
  // frame's first formatting took ~40 ms against ~15 ms once warm.
  const formatter = formatterFor(table, async () => ({ bytes: new Uint8Array(0) }), { signal: ctx.signal });
  for (const v of declared) {
    const size = sizeOf(formatter, v.type);
    if (size === undefined || size > ZEROED_LIMIT) continue;
    await formatter.summary({ type: v.type, address: 0, bytes: new Uint8Array(size) }).catch(() => undefined);
  }
}

/** Locals larger than this (a big array on the stack) are not formatted ahead over zeroes. */
const ZEROED_LIMIT = 4096;

function parseTypes(table: TypeTable, ref: TypeRef | undefined, seen: Set<TypeRef>, depth: number): void {
  if (ref === undefined || depth > PREPARE_DEPTH || seen.has(ref) || seen.size >= PREPARE_TYPES) return;
  seen.add(ref);
  let t;
  try {
    t = table.type(ref);
  } catch {
    return; // a corrupt record: its value says so when formatted
  }
  for (const f of t.fields ?? []) parseTypes(table, f.type, seen, depth + 1);
  for (const v of t.variants ?? []) parseTypes(table, v.type, seen, depth + 1);
  for (const a of t.typeArguments ?? []) parseTypes(table, a.type, seen, depth + 1);
  parseTypes(table, t.pointee, seen, depth + 1);
  parseTypes(table, t.element, seen, depth + 1);
}

export async function expandValue(ctx: TaskContext, args: ExpandArgs): Promise<ShownValue[]> {
  const table = await typeTableFor(args.module, args.searchPaths);
  const formatter = taskFormatter(ctx, table, args);
  return formatter.children(placeOf(args.handle), args.start, args.count, args.filter);
}

export async function formatValue(ctx: TaskContext, args: FormatValueArgs): Promise<ShownValue> {
  const table = await typeTableFor(args.module, args.searchPaths);
  const type = typeof args.type === 'number' ? args.type : table.findType(args.type);
  if (type === undefined) throw new Error(`type '${args.type}' is not in ${table.module}'s debug info; check the spelling (a Rust path such as alloc::string::String)`);
  const formatter = taskFormatter(ctx, table, args);
  const place: Place = { type, address: args.address, expr: args.evaluateName ?? args.name };
  return formatter.shown(args.name, place);
}
