// Reference facts for the PDB type tests: the TPI records as `llvm-pdbutil-19 dump --types` and the module symbols as `dump --symbols` print them.

import { run } from './pe-llvm-reference';

export interface RefMember {
  leaf: string;
  name: string;
  type: number;
  offset: number;
  value?: bigint;
}

export interface RefType {
  index: number;
  leaf: string;
  name: string;
  size: number;
  forward: boolean;
  fieldList: number;
  /** LF_ENUM's underlying type. */
  underlying?: number;
  /** LF_FIELDLIST's entries. */
  members: RefMember[];
  /** LF_BITFIELD's storage type. */
  bitfieldType?: number;
}

/** A type index as llvm-pdbutil prints it: `0x1020`, `0x0023 (unsigned __int64)`, `<no type>`. */
function typeIndex(s: string): number {
  return s.startsWith('<no type>') ? 0 : parseInt(s, 16);
}

export function pdbTypes(pdb: string): Map<number, RefType> {
  const out = new Map<number, RefType>();
  let cur: RefType | undefined;
  for (const line of run('llvm-pdbutil-19', ['dump', '--types', pdb]).split('\n')) {
    const head = /^\s+0x([0-9A-F]+) \| (LF_\w+) \[size = \d+\](?: `(.*)`)?$/.exec(line);
    if (head) {
      cur = { index: parseInt(head[1], 16), leaf: head[2], name: head[3] ?? '', size: 0, forward: false, fieldList: 0, members: [] };
      out.set(cur.index, cur);
      continue;
    }
    if (!cur) continue;
    let m: RegExpExecArray | null;
    if ((m = /field list: (<no type>|0x[0-9A-F]+)/.exec(line))) cur.fieldList = typeIndex(m[1]);
    if ((m = /underlying type: (0x[0-9A-F]+)/.exec(line))) cur.underlying = parseInt(m[1], 16);
    if ((m = /options: (.*)/.exec(line))) {
      cur.forward = /forward ref/.test(m[1]);
      const size = /sizeof (\d+)/.exec(m[1]);
      if (size) cur.size = Number(size[1]);
    }
    if ((m = /^\s+type = (0x[0-9A-F]+|<no type>).*bit offset = (\d+), # bits = (\d+)/.exec(line)) && cur.leaf === 'LF_BITFIELD') cur.bitfieldType = typeIndex(m[1]);
    if ((m = /^\s+- LF_MEMBER \[name = `(.*)`, Type = (0x[0-9A-F]+|<no type>).*, offset = (\d+), attrs/.exec(line))) {
      cur.members.push({ leaf: 'LF_MEMBER', name: m[1], type: typeIndex(m[2]), offset: Number(m[3]) });
    } else if ((m = /^\s+- LF_ENUMERATE \[(.*) = (-?\d+)\]/.exec(line))) {
      cur.members.push({ leaf: 'LF_ENUMERATE', name: m[1], type: 0, offset: 0, value: BigInt(m[2]) });
    } else if ((m = /^\s+- (LF_\w+)(?: \[|$)/.exec(line))) {
      cur.members.push({ leaf: m[1], name: '', type: 0, offset: 0 });
    } else if ((m = /^\s+type = (0x[0-9A-F]+), offset = (\d+), attrs/.exec(line)) && cur.members.at(-1)?.leaf === 'LF_BCLASS') {
      const base = cur.members.at(-1)!;
      base.type = parseInt(m[1], 16);
      base.offset = Number(m[2]);
    }
  }
  return out;
}

export interface RefLocal {
  /** S_LOCAL, S_REGREL32, S_BPREL32. */
  kind: string;
  name: string;
  type: number;
  /** 1 directly in the procedure, more inside blocks and inline sites. */
  depth: number;
  /** Section and offset of the first def-range's start, when it has one. */
  rangeStart?: { segment: number; offset: number };
}

export interface RefProcLocals {
  name: string;
  segment: number;
  offset: number;
  codeSize: number;
  locals: RefLocal[];
}

/** Every procedure's locals (S_LOCAL with its first def-range, S_REGREL32, S_BPREL32), from `dump --symbols`. */
export function pdbProcLocals(pdb: string): RefProcLocals[] {
  const out: RefProcLocals[] = [];
  let proc: RefProcLocals | undefined;
  let pending: 'proc' | 'local' | 'range' | undefined;
  let local: RefLocal | undefined;
  let depth = 0;
  for (const line of run('llvm-pdbutil-19', ['dump', '--symbols', pdb]).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^\s+\d+ \| (S_\w+) \[size = \d+\](?: `(.*)`)?/.exec(line))) {
      const kind = m[1];
      pending = undefined;
      if (/^S_[GL]PROC32/.test(kind)) {
        if (depth === 0) {
          proc = { name: m[2] ?? '', segment: 0, offset: 0, codeSize: 0, locals: [] };
          out.push(proc);
          pending = 'proc';
        }
        depth++;
      } else if (kind === 'S_BLOCK32' || kind.startsWith('S_INLINESITE') && kind !== 'S_INLINESITE_END' || kind === 'S_THUNK32') depth++;
      else if (kind === 'S_END' || kind === 'S_INLINESITE_END' || kind === 'S_PROC_ID_END') {
        depth = Math.max(0, depth - 1);
        if (depth === 0) proc = undefined;
      } else if (proc && (kind === 'S_LOCAL' || kind === 'S_REGREL32' || kind === 'S_BPREL32')) {
        local = { kind, name: m[2] ?? '', type: 0, depth };
        proc.locals.push(local);
        pending = 'local';
      } else if (proc && local && kind.startsWith('S_DEFRANGE') && !local.rangeStart) pending = 'range';
      continue;
    }
    // llvm-pdbutil prints section:offset in decimal.
    if (pending === 'proc' && proc && (m = /addr = (\d+):(\d+), code size = (\d+)/.exec(line))) {
      proc.segment = Number(m[1]);
      proc.offset = Number(m[2]);
      proc.codeSize = Number(m[3]);
    }
    if (pending === 'local' && local && (m = /type ?= ?(0x[0-9A-F]+)/.exec(line))) local.type = parseInt(m[1], 16);
    if (pending === 'range' && local && (m = /range(?: start)? = \[?(\d+):(\d+)/.exec(line))) {
      local.rangeStart = { segment: Number(m[1]), offset: Number(m[2]) };
    }
    // A gap at the range's start leaves the variable dead there: no pc to test it at.
    if (pending === 'range' && local?.rangeStart && /gaps = \[\(0,/.test(line)) delete local.rangeStart;
  }
  return out;
}
