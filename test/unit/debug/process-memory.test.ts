// Reading a stopped program's memory from /proc: who may be read (only a local live process our lldb-dap's side traces), what a failed read answers, and the grant a worker reads under.
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ProcessMemory, type ProcFs } from '../../../src/debug/process-memory';
import { closeDirectMemory, readDirect } from '../../../src/rust/values/direct-memory';

/** A /proc with the given status files (pid → parent, tracer) and one memory file of `memory` bytes from address 0x1000. */
function fakeProc(processes: Record<number, { ppid: number; tracer?: number }>, memory = new Uint8Array(0)): ProcFs & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    readFileSync(file: string) {
      const pid = Number(/^\/proc\/(\d+)\/status$/.exec(file)?.[1]);
      const p = processes[pid];
      if (!p) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return `Name:\tx\nState:\tt (tracing stop)\nPPid:\t${p.ppid}\nTracerPid:\t${p.tracer ?? 0}\n`;
    },
    openSync(file: string) {
      opened.push(file);
      return 42;
    },
    readSync(_fd: number, buffer: Uint8Array, offset: number, length: number, position: number) {
      const from = position - 0x1000;
      if (from < 0 || from >= memory.length) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      const n = Math.min(length, memory.length - from);
      buffer.set(memory.subarray(from, from + n), offset);
      return n;
    },
    closeSync() {},
  };
}

const LLDB_DAP = 500;
const LLDB_SERVER = 501;
const DEBUGGEE = 502;
/** lldb-dap starts lldb-server, which starts and traces the program. */
const ours = { [LLDB_DAP]: { ppid: 1 }, [LLDB_SERVER]: { ppid: LLDB_DAP }, [DEBUGGEE]: { ppid: LLDB_SERVER, tracer: LLDB_SERVER } };

describe('process memory read from /proc', () => {
  it('reads a process that the lldb-server of our lldb-dap traces, and gives workers a grant naming it', () => {
    const memory = Uint8Array.from({ length: 64 }, (_, i) => i);
    const proc = fakeProc(ours, memory);
    const pm = new ProcessMemory(() => LLDB_DAP, proc, 'linux', true);
    pm.noteProcess({ systemProcessId: DEBUGGEE, isLocalProcess: true }, false);
    assert.deepStrictEqual([...pm.read(0x1008n, 4)!], [8, 9, 10, 11]);
    assert.deepStrictEqual(proc.opened, [`/proc/${DEBUGGEE}/mem`]);
    assert.strictEqual(pm.grant()?.path, `/proc/${DEBUGGEE}/mem`);
    assert.strictEqual(pm.reads, 1);
  });

  it('answers undefined (read through lldb-dap) for unmapped memory and for a read that runs past the end', () => {
    const pm = new ProcessMemory(() => LLDB_DAP, fakeProc(ours, new Uint8Array(64)), 'linux', true);
    pm.noteProcess({ systemProcessId: DEBUGGEE }, false);
    assert.strictEqual(pm.read(0x10n, 8), undefined);
    assert.strictEqual(pm.read(0x1038n, 16), undefined);
    assert.ok(pm.read(0x1038n, 8));
  });

  it('refuses a process traced by another debugger, a core file, a remote target, no pid, another OS and RUST_OFFLOAD_DIRECT_MEMORY=off', () => {
    const cases: Array<[string, ProcessMemory, () => void]> = [];
    const other = new ProcessMemory(() => LLDB_DAP, fakeProc({ ...ours, 700: { ppid: 1 }, [DEBUGGEE]: { ppid: 700, tracer: 700 } }), 'linux', true);
    cases.push(['not traced by our lldb-dap', other, () => other.noteProcess({ systemProcessId: DEBUGGEE }, false)]);
    const untraced = new ProcessMemory(() => LLDB_DAP, fakeProc({ ...ours, [DEBUGGEE]: { ppid: LLDB_SERVER } }), 'linux', true);
    cases.push(['not traced by our lldb-dap', untraced, () => untraced.noteProcess({ systemProcessId: DEBUGGEE }, false)]);
    const core = new ProcessMemory(() => LLDB_DAP, fakeProc(ours), 'linux', true);
    cases.push(['core file', core, () => core.noteProcess({ systemProcessId: DEBUGGEE }, true)]);
    const remote = new ProcessMemory(() => LLDB_DAP, fakeProc(ours), 'linux', true);
    cases.push(['not on this machine', remote, () => remote.noteProcess({ systemProcessId: DEBUGGEE, isLocalProcess: false }, false)]);
    const noPid = new ProcessMemory(() => LLDB_DAP, fakeProc(ours), 'linux', true);
    cases.push(['no process id', noPid, () => noPid.noteProcess({}, false)]);
    const windows = new ProcessMemory(() => LLDB_DAP, fakeProc(ours), 'win32', true);
    cases.push(['not Linux', windows, () => windows.noteProcess({ systemProcessId: DEBUGGEE }, false)]);
    const off = new ProcessMemory(() => LLDB_DAP, fakeProc(ours), 'linux', false);
    cases.push(['RUST_OFFLOAD_DIRECT_MEMORY=off', off, () => off.noteProcess({ systemProcessId: DEBUGGEE }, false)]);
    for (const [why, pm, note] of cases) {
      note();
      assert.strictEqual(pm.read(0x1000n, 8), undefined, why);
      assert.strictEqual(pm.grant(), undefined, why);
      assert.match(pm.refusal ?? '', new RegExp(why.replace(/[=]/g, '.')), why);
    }
    off.close();
    off.noteProcess({ systemProcessId: DEBUGGEE }, false);
    assert.strictEqual(off.grant(), undefined, 'switched off stays off after a restart');
  });

  it('refuses a real process on this machine that no debugger of ours traces', async function () {
    if (process.platform !== 'linux') this.skip();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const pm = new ProcessMemory(() => process.pid);
      pm.noteProcess({ systemProcessId: child.pid, isLocalProcess: true }, false);
      assert.strictEqual(pm.read(0x400000n, 16), undefined);
      assert.match(pm.refusal ?? '', /not traced by our lldb-dap/);
    } finally {
      child.kill();
    }
  });

  it('gives a restarted program (a new pid) a new grant, so a worker opens the new process file', () => {
    const procs = { ...ours, 503: { ppid: LLDB_SERVER, tracer: LLDB_SERVER } };
    const pm = new ProcessMemory(() => LLDB_DAP, fakeProc(procs, new Uint8Array(8)), 'linux', true);
    pm.noteProcess({ systemProcessId: DEBUGGEE }, false);
    const first = pm.grant()!;
    pm.noteProcess({ systemProcessId: 503 }, false);
    const second = pm.grant()!;
    assert.strictEqual(second.path, '/proc/503/mem');
    assert.notStrictEqual(second.process, first.process);
  });
});

describe('a worker reading under a grant', () => {
  afterEach(() => closeDirectMemory());

  it('reads mapped memory as the file holds it, and answers undefined for an unmapped page', function () {
    if (process.platform !== 'linux') this.skip();
    // The first mapping of this process's executable holds the start of the file: its ELF header.
    const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\n');
    const exe = fs.realpathSync(process.execPath);
    const line = maps.find((l) => l.endsWith(exe) && / 00000000 /.test(l));
    assert.ok(line, `no mapping of ${exe} at offset 0 in /proc/self/maps`);
    const start = parseInt(line.split('-')[0], 16);
    const grant = { path: '/proc/self/mem', process: 1 };
    const fromFile = Buffer.alloc(64);
    const fd = fs.openSync(exe, 'r');
    fs.readSync(fd, fromFile, 0, 64, 0);
    fs.closeSync(fd);
    assert.deepStrictEqual(Buffer.from(readDirect(grant, start, 64)!), fromFile);
    assert.strictEqual(readDirect(grant, 0x1000, 8), undefined);
  });

  it('answers undefined when the grant names a file that cannot be opened', () => {
    assert.strictEqual(readDirect({ path: '/proc/0/no-such-file', process: 2 }, 0x1000, 8), undefined);
  });
});
