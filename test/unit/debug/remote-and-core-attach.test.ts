// Attach to a gdb-remote stub ("gdbRemote") and to a core file ("coreFile"): their translation for lldb-dap, Windows paths kept verbatim, and the core file check.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCoreBytes, checkCoreFile } from '../../../src/debug/core-file';
import { GDB_REMOTE_PACKET_TIMEOUT_S, parseGdbRemote, toLldbDapAttach } from '../../../src/debug/launch-arguments';

const TIMEOUT = `settings set plugin.process.gdb-remote.packet-timeout ${GDB_REMOTE_PACKET_TIMEOUT_S}`;

/** A minidump header and directory with one stream of `size` bytes at `rva`, in a file of `length` bytes. */
function minidump(length: number, stream: { type: number; size: number; rva: number }): Buffer {
  const bytes = Buffer.alloc(length);
  bytes.writeUInt32LE(0x504d444d, 0);
  bytes.writeUInt32LE(0xa793, 4);
  bytes.writeUInt32LE(1, 8);
  bytes.writeUInt32LE(32, 12);
  bytes.writeUInt32LE(stream.type, 32);
  bytes.writeUInt32LE(stream.size, 36);
  bytes.writeUInt32LE(stream.rva, 40);
  return bytes;
}

describe('attach to a gdb-remote stub or a core file', () => {
  it('gdbRemote: lldb-dap connects after creating the target from a Windows program path, kept verbatim', () => {
    const program = 'C:\\Users\\dev\\My Project\\target\\debug\\app.exe';
    assert.deepStrictEqual(toLldbDapAttach({ program, gdbRemote: '127.0.0.1:1234' }), {
      program,
      'gdb-remote-port': 1234,
      'gdb-remote-hostname': '127.0.0.1',
      initCommands: [TIMEOUT],
    });
    // The user's own initCommands run after the timeout setting.
    const args = toLldbDapAttach({ program: 'D:/a/app.exe', gdbRemote: 5555, initCommands: ['log enable gdb-remote packets'] });
    assert.deepStrictEqual(args.initCommands, [TIMEOUT, 'log enable gdb-remote packets']);
    assert.strictEqual(args['gdb-remote-hostname'], '127.0.0.1');
  });

  it('parses host:port, [v6]:port and bare ports, and refuses the rest by name', () => {
    assert.deepStrictEqual(parseGdbRemote('build-box:2345'), { host: 'build-box', port: 2345 });
    assert.deepStrictEqual(parseGdbRemote('[::1]:2345'), { host: '::1', port: 2345 });
    assert.deepStrictEqual(parseGdbRemote(' 7000 '), { host: '127.0.0.1', port: 7000 });
    for (const bad of ['host:', 'host:99999', 'a:b:c', '', 'C:\\port', 0]) {
      assert.throws(() => parseGdbRemote(bad), /"gdbRemote" must be "host:port" or a port number/, JSON.stringify(bad));
    }
    assert.throws(() => toLldbDapAttach({ gdbRemote: '1234' }), /"gdbRemote" needs "program"/);
  });

  it('coreFile: passes a Windows dump path and program through, and needs the program', () => {
    const args = toLldbDapAttach({ program: 'C:\\build\\crash.exe', coreFile: 'C:\\dumps\\crash 1.dmp', sourceMap: { 'C:\\build': '/home/u/src' } });
    assert.deepStrictEqual(args, { program: 'C:\\build\\crash.exe', coreFile: 'C:\\dumps\\crash 1.dmp', sourceMap: [['C:\\build', '/home/u/src']] });
    assert.throws(() => toLldbDapAttach({ coreFile: 'C:\\dumps\\crash.dmp' }), /"coreFile" needs "program"/);
    assert.throws(() => toLldbDapAttach({ program: '/p', coreFile: 42 as unknown as string }), /"coreFile" must be the path/);
  });

  it('takes only one way to attach', () => {
    assert.throws(() => toLldbDapAttach({ program: '/p', pid: 3, coreFile: '/c' }), /one of "pid", "gdbRemote" and "coreFile", not "pid" and "coreFile"/);
    assert.throws(() => toLldbDapAttach({ program: '/p', gdbRemote: 1, coreFile: '/c' }), /not "gdbRemote" and "coreFile"/);
  });

  it('accepts a whole minidump and an ELF core, and says what is wrong with anything else', () => {
    assert.strictEqual(checkCoreBytes(minidump(100, { type: 3, size: 20, rva: 80 }), 'ok.dmp'), 'minidump');
    assert.throws(() => checkCoreBytes(minidump(90, { type: 3, size: 20, rva: 80 }), 'cut.dmp'), /minidump 'cut\.dmp' is truncated \(90 bytes\): stream 0 \(type 3\)/);
    assert.throws(() => checkCoreBytes(minidump(100, { type: 3, size: 20, rva: 80 }).subarray(0, 20), 'short.dmp'), /truncated \(20 bytes\): the 32-byte header/);
    // A full-memory dump cut inside its memory: the Memory64List's ranges run past the end.
    const full = minidump(200, { type: 9, size: 32, rva: 60 });
    full.writeBigUInt64LE(1n, 60);
    full.writeBigUInt64LE(100n, 68);
    full.writeBigUInt64LE(0x1000n, 76);
    full.writeBigUInt64LE(4096n, 84);
    assert.throws(() => checkCoreBytes(full, 'full.dmp'), /the memory of its 1 ranges \(up to byte 4196\)/);
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF', 0, 'latin1');
    elf[5] = 1;
    elf.writeUInt16LE(4, 16);
    assert.strictEqual(checkCoreBytes(elf, 'core'), 'elf-core');
    elf.writeUInt16LE(2, 16);
    assert.throws(() => checkCoreBytes(elf, 'app'), /'app' is an ELF file but not a core dump \(e_type 2\)/);
    assert.throws(() => checkCoreBytes(Buffer.from('MZ\x90\x00 an exe'), 'app.exe'), /'app\.exe' is neither a Windows minidump \(no MDMP signature\) nor an ELF core/);
  });

  it('names a core file it cannot read', () => {
    const missing = path.join(os.tmpdir(), 'rust-offload-no-such-dump.dmp');
    fs.rmSync(missing, { force: true });
    assert.throws(() => checkCoreFile(missing), /"coreFile": cannot read '.*rust-offload-no-such-dump\.dmp' \(ENOENT\)/);
  });
});
