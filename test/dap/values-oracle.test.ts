// The compiler is the oracle: a real program prints {:?} of every local, lldb-dap-22 stops it, and our formatters must print the same from its memory.
import * as assert from 'node:assert';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LldbDapClient } from '../../src/debug/lldb-dap-client';
import { formatVariables, formatterFor, type ShownValue } from '../../src/rust/values-task';
import type { TypeTable } from '../../src/symbols/type-model';
import { typeTableFor } from '../../src/symbols/type-tables';
import type { FetchMemory } from '../../src/rust/values/memory-reader';
import { WAIT_MS } from './support/client';
import { markerLine, sourceOf, toolchainEnv } from './support/programs';
import { buildValuesOracle, firstItems, printedValues } from './support/values-oracle-program';

const TOOLCHAINS = [
  { name: 'stable', rustc: 'rustc', args: [] as string[] },
  { name: 'stable, DWARF 5', rustc: 'rustc', args: ['-C', 'dwarf-version=5'] },
  { name: 'nightly', rustc: 'rustc', args: ['+nightly'] },
  { name: 'Debian 1.63', rustc: '/usr/bin/rustc', args: ['--cfg', 'old_rustc'] },
];

/** Outputs longer than this are checked by their first children, not as one text (our summary budget is 1000). */
const WHOLE_TEXT_LIMIT = 900;

interface Stopped {
  backend: LldbDapClient;
  /** Load address minus link-time address of the program (lldb runs PIEs at 0x555555554000). */
  slide: number;
  /** The stopped frame's runtime pc. */
  pc: number;
  locals: DebugProtocol.Variable[];
  printed: Map<string, string>;
}

/** Runs the program under lldb-dap-22 to the BREAK line; what it printed on stdout before, by local name. */
async function stopAtBreak(program: string): Promise<Stopped> {
  const backend = new LldbDapClient('lldb-dap-22', [], toolchainEnv());
  let stdout = '';
  let stopped: () => void = () => undefined;
  const stop = new Promise<void>((resolve) => (stopped = resolve));
  let initialized: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (initialized = resolve));
  backend.on('event', (e: DebugProtocol.Event) => {
    if (e.event === 'output' && (e.body as DebugProtocol.OutputEvent['body']).category === 'stdout') stdout += (e.body as DebugProtocol.OutputEvent['body']).output;
    if (e.event === 'stopped') stopped();
    if (e.event === 'initialized') initialized();
  });
  await backend.request('initialize', { adapterID: 'lldb-dap', supportsMemoryReferences: true, supportsVariableType: true, linesStartAt1: true, columnsStartAt1: true });
  const launched = backend.request('launch', { program });
  await ready;
  const source = sourceOf('values_oracle');
  await backend.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line: markerLine(source, 'values') }] });
  await backend.request('configurationDone', {});
  await launched;
  await stop;
  const threads = (await backend.request<DebugProtocol.ThreadsResponse>('threads')).body.threads;
  const frames = (await backend.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: threads[0].id, levels: 1 })).body.stackFrames;
  const scopes = (await backend.request<DebugProtocol.ScopesResponse>('scopes', { frameId: frames[0].id })).body.scopes;
  const locals = (await backend.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: scopes[0].variablesReference })).body.variables;
  // Output events may trail the stop a little: wait until the last local's line is in.
  for (let i = 0; i < 100 && !stdout.includes('\nshown'); i++) await new Promise((r) => setTimeout(r, 50));
  const printed = printedValues(stdout);
  const modules = (await backend.request<DebugProtocol.ModulesResponse>('modules', {})).body.modules;
  const own = modules.find((m) => m.path === program || m.name === path.basename(program));
  const slide = Number((own as { addressRange?: string } | undefined)?.addressRange ?? NaN);
  return { backend, locals, printed, slide, pc: Number(frames[0].instructionPointerReference) };
}

function readerOver(backend: LldbDapClient): FetchMemory {
  return async (address, count) => {
    const r = await backend.request<DebugProtocol.ReadMemoryResponse>('readMemory', { memoryReference: `0x${address.toString(16)}`, count });
    return { bytes: Buffer.from(r.body?.data ?? '', 'base64') };
  };
}

/** Memory as lldb-dap reads it, with some bytes replaced: a corrupted image of real values. */
function patched(fetch: FetchMemory, patches: Array<[number, bigint, number]>): FetchMemory {
  return async (address, count) => {
    const block = await fetch(address, count);
    const bytes = Uint8Array.from(block.bytes);
    for (const [at, value, size] of patches) {
      for (let i = 0; i < size; i++) {
        const offset = at + i - address;
        if (offset >= 0 && offset < bytes.length) bytes[offset] = Number((BigInt.asUintN(size * 8, value) >> BigInt(8 * i)) & 0xffn);
      }
    }
    return { bytes };
  };
}

/** The offset of a field reached through named fields (`['buf', 'inner', 'cap']`). */
function offsetOf(table: TypeTable, type: number, names: string[]): number {
  let offset = 0;
  let current = type;
  for (const name of names) {
    const t = table.type(current);
    const field = t.fields?.find((f) => f.name === name) ?? t.variants?.find((v) => v.name === name)?.type;
    if (field === undefined) throw new Error(`${t.name} has no field ${name}`);
    if (typeof field === 'number') current = field;
    else {
      offset += field.offset;
      current = field.type;
    }
  }
  return offset;
}

describe('values oracle: our text equals the program\'s {:?} (lldb-dap-22, real programs)', function () {
  this.timeout(WAIT_MS * 3);
  for (const toolchain of TOOLCHAINS) {
    it(`every local, built by rustc ${toolchain.name}`, async () => {
      const program = buildValuesOracle(toolchain);
      const table = typeTableFor(program);
      const { backend, locals, printed, slide, pc } = await stopAtBreak(program);
      try {
        assert.ok(printed.size >= 60, `the program printed ${printed.size} locals`);
        assert.ok(Number.isSafeInteger(slide), 'lldb-dap lists the program among its modules with an address range');
        const formatter = formatterFor(table, readerOver(backend), { slide });
        const declared = table.frameVariables(pc - slide);
        assert.ok(declared.length >= 60, `the type table lists ${declared.length} variables at the BREAK line`);
        const shown = await formatVariables(formatter, declared, locals);
        const byName = new Map<string, ShownValue>(shown.map((s) => [s.name, s]));
        const mismatches: string[] = [];
        for (const [name, expected] of printed) {
          const ours = byName.get(name);
          if (!ours) {
            mismatches.push(`${name}: not listed by lldb-dap`);
            continue;
          }
          if (ours.fromLldb) {
            mismatches.push(`${name}: left to lldb (${ours.value})`);
            continue;
          }
          if (expected.length <= WHOLE_TEXT_LIMIT) {
            if (ours.value !== expected) mismatches.push(`${name}: ours ${ours.value} | rust ${expected}`);
            continue;
          }
          // Too long for a summary: it starts with the length, and the first page of children is the first items.
          const children = await formatter.children({ type: ours.handle!.type, address: ours.handle!.address, expr: name }, 0, 100);
          const items = firstItems(expected, 100);
          const ourItems = children.map((c) => (/^\[\d+\]$/.test(c.name) ? c.value : `${c.name.slice(1, -1)}: ${c.value}`));
          if (JSON.stringify(ourItems) !== JSON.stringify(items)) mismatches.push(`${name}: first children ${ourItems.slice(0, 5).join(', ')} | rust ${items.slice(0, 5).join(', ')}`);
          if (!ours.value.startsWith('len=')) mismatches.push(`${name}: a cut summary should start with its length: ${ours.value.slice(0, 60)}`);
        }
        assert.deepStrictEqual(mismatches, []);

        // Children: named by field, index or key, each with an evaluateName of our expression language.
        const kids = async (name: string, start?: number, count?: number): Promise<string[]> => {
          const h = byName.get(name)!.handle!;
          return (await formatter.children({ type: h.type, address: h.address, expr: h.expr, bytes: h.bytes ? Uint8Array.from(h.bytes) : undefined }, start, count)).map((c) => `${c.name}=${c.value}@${c.evaluateName ?? ''}`);
        };
        assert.deepStrictEqual(await kids('point'), ['x=7@point.x', 'y=2.5@point.y', 'name="origin"@point.name']);
        assert.deepStrictEqual(await kids('rect'), ['0=3@rect.0', '1=4@rect.1']);
        assert.deepStrictEqual(await kids('map_one'), ['["k"]=1@map_one["k"]']);
        assert.deepStrictEqual(await kids('nested'), ['[0]=Some("a")@nested[0]', '[1]=None@nested[1]', '[2]=Some("")@nested[2]']);
        assert.deepStrictEqual(await kids('vec_large', 99_998, 2), ['[99998]=99998@vec_large[99998]', '[99999]=99999@vec_large[99999]']);
        assert.deepStrictEqual(await kids('btree', 12, 2), ['[12]=24@btree[12]', '[13]=26@btree[13]']);
        assert.deepStrictEqual(await kids('rc'), ['value=[1, 2]@rc.value', '[borrow]=not borrowed@', '[strong]=2@', '[weak]=1@']);
        assert.deepStrictEqual(await kids('reference'), ['x=7@reference.x', 'y=2.5@reference.y', 'name="origin"@reference.name']);
      } finally {
        await backend.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
        backend.kill();
      }
    });
  }

  it('faults: corrupted images of real values (rustc stable) end in errors for that value, bounded reads, cycles and time budgets', async () => {
    const program = buildValuesOracle(TOOLCHAINS[0]);
    const table = typeTableFor(program);
    const { backend, locals, slide, pc } = await stopAtBreak(program);
    try {
      const declared = table.frameVariables(pc - slide);
      const local = (name: string): { type: number; address: number } => {
        const v = locals.find((l) => l.name === name);
        const d = declared.find((x) => x.name === name);
        assert.ok(v?.memoryReference && d, `${name} is listed with an address`);
        return { type: d.type, address: Number(v.memoryReference) };
      };
      const reads: number[] = [];
      const real = readerOver(backend);
      const counting: FetchMemory = async (address, count) => {
        reads.push(count);
        return real(address, count);
      };
      const summaryWith = (patches: Array<[number, bigint, number]>, place: { type: number; address: number }): Promise<string> => formatterFor(table, patched(counting, patches), {}).summary(place);

      const v = local('vec_large');
      const len = v.address + offsetOf(table, v.type, ['len']);
      const cap = v.address + offsetOf(table, v.type, ['buf', 'inner', 'cap']);
      assert.strictEqual(await summaryWith([[len, 1n << 60n, 8]], v), `<error: length 1152921504606846976 exceeds capacity 100000>`);
      reads.length = 0;
      assert.strictEqual(await summaryWith([[len, 1n << 60n, 8], [cap, 1n << 60n, 8]], v), '<error: length 1152921504606846976 is more than memory can hold>');
      assert.ok(Math.max(...reads) <= 64 << 10, `largest read ${Math.max(...reads)} bytes`);

      const m = local('map_large');
      const inner = ['base', 'table', 'table'];
      const mask = m.address + offsetOf(table, m.type, [...inner, 'bucket_mask']);
      assert.strictEqual(await summaryWith([[mask, 1000n, 8]], m), '<error: hash table with 1001 buckets and 1000 items>');
      const items = m.address + offsetOf(table, m.type, [...inner, 'items']);
      assert.strictEqual(await summaryWith([[items, 5000n, 8]], m), '<error: hash table with 2048 buckets and 5000 items>');
      const formatter = formatterFor(table, patched(counting, [[items, 1500n, 8]]), {});
      const page = await formatter.children({ ...m, expr: 'map_large' }, 1490, 10);
      assert.deepStrictEqual(
        page.map((c) => c.value),
        ['<error: hash table lists 1500 items but its control bytes mark 1000>'],
      );

      const b = local('btree');
      const node = Number(Buffer.from((await real(b.address + offsetOf(table, b.type, ['root', 'Some', '__0', 'node']), 8)).bytes).readBigUInt64LE(0));
      const leaf = table.type(table.findType('alloc::collections::btree::node::LeafNode<u32, u32>')!);
      const lenOffset = leaf.fields!.find((f) => f.name === 'len')!.offset;
      assert.match(await summaryWith([[node + lenOffset, 200n, 2]], b), /^<error: BTreeMap node at 0x[0-9a-f]+ has 200 keys>$/);

      const text = local('text');
      const ptr = text.address + offsetOf(table, text.type, ['vec', 'buf', 'inner', 'ptr']);
      assert.strictEqual(await summaryWith([[ptr, 0x10n, 8]], text), '<error: cannot read memory at 0x10>');

      // An Rc cycle: the summary stops at its nesting limit, the children are one level each.
      const cycle = await formatterFor(table, real, {}).summary({ ...local('cycle'), expr: 'cycle' });
      assert.ok(cycle.startsWith('Link { value: 1, next: RefCell { value: Some(Link { value: 2, next: RefCell { value: Some(Link { value: 1, '), cycle);
      assert.ok(cycle.includes('…'), cycle);

      // A summary past its time budget says so (the clock moves 1 ms each time it is read).
      let clock = 0;
      const slow = formatterFor(table, real, {});
      Object.assign(slow, { now: () => clock++ });
      assert.match(await slow.summary({ ...m, expr: 'map_large' }, 100_000), /<summary cut after 250 ms: expand to see more>$/);
    } finally {
      await backend.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
      backend.kill();
    }
  });
});
