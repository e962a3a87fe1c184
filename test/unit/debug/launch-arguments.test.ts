// Translation of CodeLLDB-style launch.json attributes into lldb-dap's, including Windows paths and CRLF env files.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConfigurationError,
  expandEnvReferences,
  parseEnvFile,
  parseRustcVersion,
  rustSourceMapping,
  sourceMapPairs,
  splitCommandLine,
  toLldbDapAttach,
  toLldbDapLaunch,
} from '../../../src/debug/launch-arguments';

describe('launch arguments', () => {
  it('splits an args string like a shell, keeping quoted spaces', () => {
    assert.deepStrictEqual(splitCommandLine(`run --name "two words" 'single q' a\\ b ""`), ['run', '--name', 'two words', 'single q', 'a b', '']);
    assert.throws(() => splitCommandLine('"open'), /unterminated " quote/);
  });

  it('reads env files with CRLF, export, quotes and comments', () => {
    const text = 'A=1\r\nexport B="two words"\r\n# comment\r\nC=3 # trailing\r\nD=\'x=y\'\r\n\r\nnot a line\r\n';
    assert.deepStrictEqual(parseEnvFile(text), { A: '1', B: 'two words', C: '3', D: 'x=y' });
  });

  it('expands ${env:NAME}, case-insensitively on Windows', () => {
    assert.strictEqual(expandEnvReferences('${env:HOME}/x:${env:MISSING}', { HOME: '/h' }, false), '/h/x:');
    assert.strictEqual(expandEnvReferences('${env:path};C:\\bin', { Path: 'C:\\Windows' }, true), 'C:\\Windows;C:\\bin');
  });

  it('turns env into K=V strings with envFile underneath and sourceMap into pairs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-unit-'));
    fs.writeFileSync(path.join(dir, '.env'), 'FROM_FILE=1\r\nSHARED=file\r\n');
    const out = toLldbDapLaunch(
      { program: '/p/app', args: 'a "b c"', cwd: dir, envFile: '.env', env: { SHARED: 'env', USER_HOME: '${env:HOME}' }, sourceMap: { '/build': '/src', '/skip': null }, stopOnEntry: true, initCommands: ['settings set x y'] },
      '/p/app',
      { HOME: '/home/u' },
      [['/rustc/abc', '/sysroot/lib/rustlib/src/rust']],
    );
    assert.deepStrictEqual(out, {
      program: '/p/app',
      args: ['a', 'b c'],
      cwd: dir,
      env: ['FROM_FILE=1', 'SHARED=env', 'USER_HOME=/home/u'],
      stopOnEntry: true,
      sourceMap: [
        ['/build', '/src'],
        ['/rustc/abc', '/sysroot/lib/rustlib/src/rust'],
      ],
      initCommands: ['settings set x y'],
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the attribute in every configuration error', () => {
    assert.throws(() => toLldbDapLaunch({ env: { A: 1 as unknown as string } }, '/p', {}), /"env.A" must be a string/);
    assert.throws(() => toLldbDapLaunch({ args: 3 as unknown as string }, '/p', {}), /"args" must be a string or an array/);
    assert.throws(() => toLldbDapLaunch({ envFile: '/no/such/file' }, '/p', {}), /"envFile": cannot read/);
    assert.throws(() => toLldbDapLaunch({ initCommands: 'x' as unknown as string[] }, '/p', {}), /"initCommands" must be an array/);
    assert.throws(() => sourceMapPairs([] as unknown as Record<string, string>), ConfigurationError);
  });

  it('translates attach by pid, as a number or a picked string', () => {
    assert.deepStrictEqual(toLldbDapAttach({ pid: '1234' }), { pid: 1234 });
    assert.deepStrictEqual(toLldbDapAttach({ program: '/p/app', waitFor: true }), { program: '/p/app', waitFor: true });
    assert.throws(() => toLldbDapAttach({ pid: '12x' }), /"pid" must be a process id/);
    assert.throws(() => toLldbDapAttach({}), /attach needs "pid"/);
  });

  it('maps /rustc/<hash> to rust-src only when it is installed, with Windows sysroots', () => {
    const hash = '59807616e1fa2540724bfbac14d7976d7e4a3860';
    assert.strictEqual(parseRustcVersion(`rustc 1.95.0\nbinary: rustc\ncommit-hash: ${hash}\r\nhost: x86_64-pc-windows-msvc\n`), hash);
    const sysroot = 'C:\\Users\\u\\.rustup\\toolchains\\stable-x86_64-pc-windows-msvc';
    const seen: string[] = [];
    const mapping = rustSourceMapping({ commitHash: hash, sysroot }, (p) => (seen.push(p), true), path.win32);
    assert.deepStrictEqual(mapping, [`/rustc/${hash}`, `${sysroot}\\lib\\rustlib\\src\\rust`]);
    assert.strictEqual(seen[0], `${sysroot}\\lib\\rustlib\\src\\rust\\library`);
    assert.strictEqual(rustSourceMapping({ commitHash: hash, sysroot }, () => false, path.win32), undefined);
  });
});
