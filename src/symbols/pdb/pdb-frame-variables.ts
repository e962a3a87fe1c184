// Frame variables from PDB module symbols: the procedure covering a pc, its block and inline-site scopes, and the S_LOCAL (with S_DEFRANGE_* liveness), S_REGREL32, S_BPREL32 and S_REGISTER records in them.

import { FrameVariable } from '../type-model';
import { ByteReader, FormatError } from '../pe/pe-byte-reader';
import { PeImage } from '../pe/pe';
import { closesScope, decodeAnnotations, isProcKind, opensScope, readInlineSite, readProc, recordData, SymKind, symbolRecords } from './codeview';
import { PdbFile } from './pdb';

const S_REGISTER = 0x1106;
const S_BPREL32 = 0x110b;
const S_REGREL32 = 0x1111;
const S_LOCAL = 0x113e;
const S_DEFRANGE = 0x113f;
const S_DEFRANGE_SUBFIELD = 0x1140;
const S_DEFRANGE_REGISTER = 0x1141;
const S_DEFRANGE_FRAMEPOINTER_REL = 0x1142;
const S_DEFRANGE_SUBFIELD_REGISTER = 0x1143;
const S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE = 0x1144;
const S_DEFRANGE_REGISTER_REL = 0x1145;

/** Bytes before the address range in each S_DEFRANGE_* kind's data. */
const DEFRANGE_PREFIX: Record<number, number> = {
  [S_DEFRANGE]: 4,
  [S_DEFRANGE_SUBFIELD]: 8,
  [S_DEFRANGE_REGISTER]: 4,
  [S_DEFRANGE_FRAMEPOINTER_REL]: 4,
  [S_DEFRANGE_SUBFIELD_REGISTER]: 8,
  [S_DEFRANGE_REGISTER_REL]: 8,
};

interface Variable {
  name: string;
  type: number;
  parameter: boolean;
  /** Live everywhere in its scope (S_REGREL32, S_BPREL32, a full-scope def-range), or where `ranges` say. */
  always: boolean;
  /** RVA intervals [start, end) where the variable's location is valid (S_DEFRANGE_* minus gaps). */
  ranges: Array<[number, number]>;
}

interface Scope {
  depth: number;
  /** RVA intervals the scope covers; undefined: the same as its parent's. */
  ranges?: Array<[number, number]>;
  vars: Variable[];
  children: Scope[];
}

interface Proc {
  start: number;
  end: number;
  root: Scope;
}

/** Frame variable lookup for one PDB: module symbols are read the first time a pc in the module is asked for. */
export class PdbFrameVariables {
  private contributions?: Array<{ start: number; end: number; module: number }>;
  private readonly procs = new Map<number, Proc[]>();

  constructor(
    private readonly pdb: PdbFile,
    private readonly image: PeImage,
    private readonly module: string,
  ) {}

  /** The variables in scope at `pc` (link-time VA), innermost first. */
  at(pc: number): FrameVariable[] {
    const rva = pc - this.image.imageBase;
    const mod = this.moduleAt(rva);
    if (mod === undefined) return [];
    let procs = this.procs.get(mod);
    if (!procs) {
      procs = this.readModule(mod);
      this.procs.set(mod, procs);
    }
    const proc = procs.find((p) => rva >= p.start && rva < p.end);
    if (!proc) return [];
    const out: FrameVariable[] = [];
    const covers = (ranges: Array<[number, number]>) => ranges.some(([a, b]) => rva >= a && rva < b);
    const visit = (s: Scope, parentRanges: Array<[number, number]>) => {
      const ranges = s.ranges ?? parentRanges;
      const inScope = covers(ranges);
      for (const v of s.vars) {
        // A variable with def-ranges is live exactly where they say (an inline site's own ranges can stop short of
        // them): a shadowing `let` not yet run is not listed. One without any (declared but optimised out), or
        // with a location for its whole scope, is listed wherever its scope is.
        if (v.always || v.ranges.length === 0 ? !inScope : !covers(v.ranges)) continue;
        out.push({ name: v.name, type: v.type, parameter: v.parameter, depth: s.depth });
      }
      for (const c of s.children) visit(c, ranges);
    };
    visit(proc.root, [[proc.start, proc.end]]);
    // Innermost first; inside one depth, declaration order.
    return out.map((v, i) => ({ v, i })).sort((a, b) => b.v.depth - a.v.depth || a.i - b.i).map((x) => x.v);
  }

  private moduleAt(rva: number): number | undefined {
    if (!this.contributions) {
      this.contributions = [];
      for (const c of this.pdb.sectionContributions) {
        const start = this.pdb.rva(c.section, c.offset, this.image.sections);
        if (start === undefined || c.size <= 0 || !(c.characteristics & 0x20)) continue;
        this.contributions.push({ start, end: start + c.size, module: c.module });
      }
      this.contributions.sort((a, b) => a.start - b.start);
    }
    const cs = this.contributions;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid].start <= rva) lo = mid + 1;
      else hi = mid;
    }
    const c = cs[lo - 1];
    return c && rva < c.end ? c.module : undefined;
  }

  private readModule(index: number): Proc[] {
    const bytes = this.pdb.moduleSymbolBytes(index);
    if (!bytes) return [];
    const m = this.pdb.modules[index];
    const what = `${this.module}: PDB module ${index} (${m.name})`;
    const procs: Proc[] = [];
    const stack: Scope[] = [];
    let procStart = 0;
    let last: Variable | undefined;
    for (const rec of symbolRecords(bytes, 4, m.symBytes, what)) {
      const top = stack[stack.length - 1];
      const kind = rec.kind;
      if (isProcKind(kind)) {
        const p = readProc(recordData(bytes, rec, what));
        const start = this.pdb.rva(p.segment, p.offset, this.image.sections);
        const root: Scope = { depth: 0, ranges: start === undefined ? [] : [[start, start + p.codeSize]], vars: [], children: [] };
        if (start !== undefined && !top) procs.push({ start, end: start + p.codeSize, root });
        procStart = start ?? 0;
        stack.push(root);
        last = undefined;
      } else if (kind === SymKind.S_BLOCK32 && top) {
        const d = recordData(bytes, rec, what);
        d.skip(8); // parent, end
        const length = d.u32();
        const offset = d.u32();
        const segment = d.u16();
        const start = this.pdb.rva(segment, offset, this.image.sections);
        const s: Scope = { depth: top.depth + 1, ranges: start === undefined ? [] : [[start, start + length]], vars: [], children: [] };
        top.children.push(s);
        stack.push(s);
      } else if ((kind === SymKind.S_INLINESITE || kind === SymKind.S_INLINESITE2) && top) {
        const site = readInlineSite(kind, recordData(bytes, rec, what));
        let ranges: Array<[number, number]> = [];
        try {
          ranges = decodeAnnotations(site.annotations, 0, undefined).map((r) => [procStart + r.start, procStart + r.end]);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e; // corrupt annotations: the site covers nothing
        }
        const s: Scope = { depth: top.depth + 1, ranges, vars: [], children: [] };
        top.children.push(s);
        stack.push(s);
      } else if (opensScope(kind)) {
        const s: Scope = { depth: top ? top.depth + 1 : 0, vars: [], children: [] };
        top?.children.push(s);
        stack.push(s);
      } else if (closesScope(kind)) {
        stack.pop();
        last = undefined;
      } else if (!top) {
        continue;
      } else if (kind === S_LOCAL) {
        const d = recordData(bytes, rec, what);
        const type = d.u32();
        const flags = d.u16();
        last = { name: d.cstr(), type, parameter: (flags & 1) !== 0, always: false, ranges: [] };
        top.vars.push(last);
      } else if (kind === S_REGREL32 || kind === S_BPREL32 || kind === S_REGISTER) {
        const d = recordData(bytes, rec, what);
        let type: number;
        if (kind === S_REGREL32) {
          d.u32();
          type = d.u32();
          d.u16();
        } else if (kind === S_BPREL32) {
          d.u32();
          type = d.u32();
        } else {
          type = d.u32();
          d.u16();
        }
        top.vars.push({ name: d.cstr(), type, parameter: false, always: true, ranges: [] });
        last = undefined;
      } else if (kind === S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE) {
        if (last) last.always = true;
      } else if (DEFRANGE_PREFIX[kind] !== undefined) {
        if (last) this.addRanges(last, recordData(bytes, rec, what), DEFRANGE_PREFIX[kind]);
      }
    }
    return procs.sort((a, b) => a.start - b.start);
  }

  /** Adds a def-range's live intervals: [start, start + length) less its gaps. */
  private addRanges(v: Variable, d: ByteReader, prefix: number): void {
    d.skip(prefix);
    const offset = d.u32();
    const segment = d.u16();
    const length = d.u16();
    const start = this.pdb.rva(segment, offset, this.image.sections);
    if (start === undefined) return;
    const gaps: Array<[number, number]> = [];
    while (d.remaining >= 4) {
      const g = d.u16();
      gaps.push([start + g, start + g + d.u16()]);
    }
    gaps.sort((a, b) => a[0] - b[0]);
    let from = start;
    for (const [a, b] of gaps) {
      if (a > from) v.ranges.push([from, Math.min(a, start + length)]);
      from = Math.max(from, b);
    }
    if (from < start + length) v.ranges.push([from, start + length]);
  }
}
