// The line-number state machine compiled to WebAssembly (wasm/line-program.c): the same rows as the TypeScript loop in
// dwarf-line.ts, without that loop's JIT warm-up in every fresh worker. The TypeScript loop stays as the reference
// (tests compare the two) and as the fallback when WebAssembly cannot run.
import { SymbolReadError } from '../errors';
import { wasmBase64 } from './wasm/line-program.wasm';

/** Receives rows in bulk: columns valid for `count` entries, reused after the call returns. */
export interface LineRowsSink {
  rows(address: Float64Array, file: Uint32Array, line: Uint32Array, count: number): void;
}

export interface LineProgramHeader {
  addressSize: number;
  minInst: number;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  stdLengths: number[];
}

// The few WebAssembly globals used here (the project's TypeScript libs do not declare them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  lp_reserve(length: number, idCount: number): number;
  lp_input(): number;
  lp_ids(): number;
  lp_std_lengths(): number;
  lp_out_address(): number;
  lp_out_file(): number;
  lp_out_line(): number;
  lp_begin(length: number, start: number, idCount: number, addressSize: number, minInst: number, lineBase: number, lineRange: number, opcodeBase: number): void;
  lp_run(): number;
  lp_status(): number;
  lp_error_kind(): number;
  lp_error_pos(): number;
  lp_error_n(): number;
}

const STATUS_FULL = 1;
const STATUS_ERROR = 2;
const ERR_VALUE_SIZE = 2;

let kernel: KernelExports | null | undefined;
// RUST_OFFLOAD_LINE_KERNEL=off runs the TypeScript loop everywhere (workers included): to compare, or to rule the kernel out.
let enabled = process.env.RUST_OFFLOAD_LINE_KERNEL !== 'off';

/** Turns the compiled kernel off (true: on, the default): the benchmark's peer and the tests' reference. */
export function useLineKernel(on: boolean): void {
  enabled = on && process.env.RUST_OFFLOAD_LINE_KERNEL !== 'off';
}

/** The kernel's exports, instantiated on first use; undefined when it is turned off or WebAssembly is unavailable. */
function instance(): KernelExports | undefined {
  if (!enabled) return undefined;
  if (kernel === undefined) {
    try {
      const module = new WebAssembly.Module(Buffer.from(wasmBase64, 'base64'));
      kernel = new WebAssembly.Instance(module, {}).exports as KernelExports;
    } catch {
      kernel = null; // e.g. a host started with --jitless: the TypeScript loop does the work
    }
  }
  return kernel ?? undefined;
}

/** Whether programs are run by the compiled kernel (it is on and could be instantiated). */
export function lineKernelActive(): boolean {
  return instance() !== undefined;
}

/**
 * Runs the opcodes of one line program, `bytes` being the program after its unit_length and `start` where its opcodes
 * begin; rows go to `sink`, in batches. Returns false (nothing done) when the kernel is not available, so the caller
 * runs the TypeScript loop. A bad program throws the SymbolReadError the TypeScript loop would throw, after the rows
 * before the fault have gone to the sink, as they do there.
 */
export function runLineProgramCompiled(bytes: Uint8Array, start: number, ids: Uint32Array, h: LineProgramHeader, sink: LineRowsSink, what: string): boolean {
  const k = instance();
  if (!k || h.opcodeBase > 256 || !k.lp_reserve(bytes.length, ids.length)) return false;
  new Uint8Array(k.memory.buffer, k.lp_input(), bytes.length).set(bytes);
  new Uint32Array(k.memory.buffer, k.lp_ids(), ids.length).set(ids);
  const std = new Uint8Array(k.memory.buffer, k.lp_std_lengths(), 256);
  std.fill(0);
  for (let i = 1; i < h.opcodeBase && i < h.stdLengths.length; i++) std[i] = h.stdLengths[i];
  k.lp_begin(bytes.length, start, ids.length, h.addressSize, h.minInst, h.lineBase, h.lineRange, h.opcodeBase);
  for (;;) {
    const n = k.lp_run();
    const status = k.lp_status();
    if (n > 0) {
      // Views made after the run: memory growth replaces the buffer.
      const buf = k.memory.buffer;
      sink.rows(new Float64Array(buf, k.lp_out_address(), n), new Uint32Array(buf, k.lp_out_file(), n), new Uint32Array(buf, k.lp_out_line(), n), n);
    }
    if (status === STATUS_FULL) continue;
    if (status === STATUS_ERROR) {
      const pos = k.lp_error_pos();
      const need = k.lp_error_n();
      if (k.lp_error_kind() === ERR_VALUE_SIZE) throw new SymbolReadError(`${what}: unsupported value size ${need}`);
      throw new SymbolReadError(`${what} is truncated or corrupt: needed ${need} bytes at offset ${pos}, only ${Math.max(0, bytes.length - pos)} left`);
    }
    return true;
  }
}
