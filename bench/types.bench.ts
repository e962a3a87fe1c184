// Type reading benchmark: the first resolution of every local's type in a 16-local frame of the 222 MB-DWARF binary, in a fresh process, vs lldb-22's `frame variable --raw` there; the type cache's memory; the findType name index.
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { attrRef } from '../src/symbols/dwarf/dwarf-die';
import { DW_AT, DW_TAG } from '../src/symbols/dwarf/dwarf-forms';
import { DwarfTypeTable } from '../src/symbols/dwarf/dwarf-types';
import { clearTypeTables, typeTableFor } from '../src/symbols/type-tables';
import { BenchRow, report, row } from './report';
import { bigBinary } from './symbols.bench';

/** Locals the benchmark frame must have (the figure is for a frame with 16). */
const LOCALS = 16;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface Frame {
  pc: number;
  function: string;
  file: string;
  line: number;
  locals: number;
}

/**
 * A frame with at least 16 locals in scope in one of the binary's own units (big.rs), found once by our reader
 * (untimed): the function with the most variables, at the pc where most are live; its line from llvm-symbolizer-19.
 */
function findFrame(bin: string): Frame {
  const table = typeTableFor(bin) as DwarfTypeTable;
  const dies = table.dies;
  let best: { pc: number; name: string; locals: number } | undefined;
  for (const off of dies.infoUnitOffsets()) {
    const unit = dies.unitAtOffset(off);
    if (!/big\.rs/.test(unit.name ?? '')) continue;
    const scopes = dies.scopes(unit);
    const counts = new Map<number, number>();
    for (const d of dies.allDies(unit)) {
      if (d.tag !== DW_TAG.variable && d.tag !== DW_TAG.formal_parameter) continue;
      let s = scopes.enclosing(d.ref - unit.base);
      while (s >= 0 && scopes.tag[s] !== DW_TAG.subprogram) s = scopes.parent[s];
      if (s >= 0) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    // The functions with the fewest variables that can still have 16 live at once.
    for (const [s] of [...counts].filter(([, n]) => n >= LOCALS).sort((a, b) => a[1] - b[1]).slice(0, 20)) {
      const die = dies.readDie(unit, unit.base + scopes.start[s]);
      const ranges = dies.dieRanges(die);
      if (ranges.length === 0) continue;
      // The first pc where 16 or more of them are live: step through the function's code.
      const [lo, hi] = ranges[0];
      for (let pc = lo; pc < hi; pc++) {
        const live = table.frameVariables(pc).length;
        if (live >= LOCALS) {
          const spec = dies.die(attrRef(die, DW_AT.specification) ?? die.ref);
          best = { pc, name: table.qualifiedName(spec) ?? '?', locals: live };
          break;
        }
      }
      if (best) break;
    }
    if (best) break;
  }
  clearTypeTables();
  if (!best) throw new Error(`no function of big.rs has ${LOCALS} locals in scope at one pc`);
  // The line in the function itself (the outermost of the inline chain llvm-symbolizer prints): lldb stops at that line of an instance of it.
  const frames = execFileSync('llvm-symbolizer-19', [`--obj=${bin}`, `0x${best.pc.toString(16)}`], { encoding: 'utf8' }).trim().split('\n');
  const where = frames[frames.length - 1];
  const m = /^(.*):(\d+):\d+$/.exec(where ?? '');
  if (!m) throw new Error(`llvm-symbolizer-19 gave no line for 0x${best.pc.toString(16)}: ${where}`);
  return { pc: best.pc, function: best.name, file: m[1], line: Number(m[2]), locals: best.locals };
}

interface OursResult {
  openMs: number;
  frameMs: number;
  typesMs: number;
  totalMs: number;
  locals: number;
  types: number;
  names: string[];
  cacheBytesPer1000: number;
  typesMeasured: number;
  indexMs: number;
  indexFound: boolean;
  indexHeapMb: number;
}

function ours(bin: string, pc: number): OursResult {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'types-frame.js'), bin, String(pc)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`types-frame.js failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as OursResult;
}

function lldb(args: string[]): { ms: number; stdout: string } {
  let stdout = '';
  const ms = timeMs(() => {
    const r = spawnSync('lldb-22', ['-b', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`lldb-22 failed: ${r.stderr}`);
    stdout = r.stdout;
  });
  return { ms, stdout };
}

export async function run(): Promise<void> {
  const bin = bigBinary();
  const frame = findFrame(bin);
  console.log(`frame: ${frame.function} at 0x${frame.pc.toString(16)} (${path.basename(frame.file)}:${frame.line}), ${frame.locals} locals in scope`);
  const runs = [1, 2, 3, 4, 5].map(() => ours(bin, frame.pc));
  const first = runs[0];
  console.log(`ours, fresh process: ${runs.map((r) => r.totalMs.toFixed(0)).join(' ')} ms (open ${first.openMs.toFixed(0)}, frame ${first.frameMs.toFixed(0)}, types ${first.typesMs.toFixed(0)}); ${first.locals} locals, ${first.types} types`);
  for (const n of first.names) console.log(`  ${n}`);

  // lldb-22: the same stop and `frame variable --raw`, less what its `target create` alone takes.
  const target = ['-o', `target create ${bin}`];
  const full = [...target, '-o', `b ${path.basename(frame.file)}:${frame.line}`, '-o', 'run', '-o', 'frame variable --raw'];
  const fullRuns: number[] = [];
  const createRuns: number[] = [];
  let listed = '';
  for (let i = 0; i < 3; i++) {
    createRuns.push(lldb(target).ms);
    const r = lldb(full);
    fullRuns.push(r.ms);
    listed = r.stdout;
  }
  const variablesShown = listed.split('\n').filter((l) => /^\(.*\) \w+ = /.test(l)).length;
  if (variablesShown === 0) throw new Error(`lldb-22 listed no variables:\n${listed.slice(-2000)}`);
  const peer = median(fullRuns) - median(createRuns);
  console.log(`lldb-22: whole run ${fullRuns.map(Math.round).join(' ')} ms, target create alone ${createRuns.map(Math.round).join(' ')} ms; ${variablesShown} variables listed`);

  const rows: BenchRow[] = [
    row(`first resolution of the types of every local (${first.locals}) in a frame of the 222 MB-DWARF binary, fresh process`, 'ms', median(runs.map((r) => r.totalMs)), peer, {
      peerName: "lldb-22 -b -o 'target create X' -o 'b LINE' -o run -o 'frame variable --raw', less its target create",
      note: `${frame.function}; ours: open the table, find the frame's variables (those of calls inlined at that pc included), resolve each type and its fields' (${first.types} types); median of 5. lldb stops at the function's line in the first instance the program reaches, launching it, and listed ${variablesShown} variables (its own index of the DWARF is the cost)`,
    }),
    row('type cache: heap per 1,000 types parsed', 'KB', first.cacheBytesPer1000 / 1024, null, { note: `${first.typesMeasured} types of the frame's unit, V8 heap after GC` }),
    row('findType: the name index over every unit, built on first use', 'ms', median(runs.map((r) => r.indexMs)), null, { note: `fresh table; heap afterwards ${first.indexHeapMb.toFixed(0)} MB` }),
  ];
  report('types', rows);
}
