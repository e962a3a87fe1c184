// lldb-dap discovery order and version checks, on a Linux and a Windows machine described in memory.
import * as assert from 'node:assert';
import { candidatePaths, findLldbDap, parseLldbDapVersion, type DiscoveryHost } from '../../../src/debug/lldb-dap-discovery';

function host(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, files: string[]): DiscoveryHost {
  const norm = (p: string): string => (platform === 'win32' ? p.toLowerCase() : p);
  const set = new Set(files.map(norm));
  return {
    platform,
    env,
    isFile: (p) => set.has(norm(p)),
    listDir: (dir) => {
      const sep = platform === 'win32' ? '\\' : '/';
      const prefix = norm(dir.endsWith(sep) ? dir : dir + sep);
      // Entries directly inside `dir`: files, and the first segment of deeper paths (directories).
      const names = files.filter((f) => norm(f).startsWith(prefix)).map((f) => f.slice(prefix.length).split(sep)[0]);
      return [...new Set(names)];
    },
  };
}

describe('lldb-dap discovery', () => {
  it('looks at the setting, then lldb-dap on PATH, then lldb-dap-NN highest first, then install places (Linux)', () => {
    const h = host('linux', { PATH: '/usr/local/bin:/usr/bin' }, ['/usr/bin/lldb-dap-19', '/usr/bin/lldb-dap-22', '/usr/local/bin/lldb-dap', '/usr/lib/llvm-20/bin/lldb-dap', '/usr/lib/llvm-18/bin/lldb-dap']);
    assert.deepStrictEqual(
      candidatePaths('/opt/llvm/bin/lldb-dap', h).map((c) => `${c.source}: ${c.path}`),
      [
        'setting rustOffload.lldbDapPath: /opt/llvm/bin/lldb-dap',
        'PATH: /usr/local/bin/lldb-dap',
        'PATH: /usr/bin/lldb-dap-22',
        'PATH: /usr/bin/lldb-dap-19',
        'install location: /usr/lib/llvm-20/bin/lldb-dap',
        'install location: /usr/lib/llvm-18/bin/lldb-dap',
      ],
    );
  });

  it('finds lldb-dap.exe on a Windows PATH (case-insensitive Path, quoted dirs) and in Program Files', () => {
    const h = host('win32', { Path: 'C:\\Windows;"D:\\Tools\\LLVM 21\\bin"', ProgramFiles: 'C:\\Program Files' }, [
      'D:\\Tools\\LLVM 21\\bin\\lldb-dap.exe',
      'C:\\Program Files\\LLVM\\bin\\lldb-dap.exe',
    ]);
    assert.deepStrictEqual(
      candidatePaths(undefined, h).map((c) => c.path),
      ['D:\\Tools\\LLVM 21\\bin\\lldb-dap.exe', 'C:\\Program Files\\LLVM\\bin\\lldb-dap.exe'],
    );
  });

  it('parses the version lines lldb-dap prints', () => {
    assert.strictEqual(parseLldbDapVersion('lldb-dap: Debian LLVM version 22.1.8\n  Optimized build.'), 22);
    assert.strictEqual(parseLldbDapVersion('lldb version 20.1.0'), 20);
    assert.strictEqual(parseLldbDapVersion('garbage'), undefined);
  });

  it('skips a too-old lldb-dap on PATH for a newer one', async () => {
    const h = host('linux', { PATH: '/usr/bin' }, ['/usr/bin/lldb-dap', '/usr/bin/lldb-dap-22']);
    const versions: Record<string, string> = { '/usr/bin/lldb-dap': 'lldb version 19.1.7', '/usr/bin/lldb-dap-22': 'lldb-dap: Debian LLVM version 22.1.8' };
    const found = await findLldbDap(undefined, h, async (exe) => versions[exe]);
    assert.strictEqual(found.path, '/usr/bin/lldb-dap-22');
    assert.strictEqual(found.major, 22);
  });

  it('an old lldb-dap in the setting is an error naming it, the need, and how to install on Windows and Linux', async () => {
    const h = host('win32', { Path: '' }, []);
    await assert.rejects(
      findLldbDap('C:\\LLVM19\\bin\\lldb-dap.exe', h, async () => 'lldb version 19.1.0'),
      (err: Error) =>
        /lldb-dap 20 or newer is needed/.test(err.message) &&
        /C:\\LLVM19\\bin\\lldb-dap.exe \(setting rustOffload.lldbDapPath\): version 19 is too old/.test(err.message) &&
        /winget install LLVM.LLVM/.test(err.message) &&
        /sudo apt install lldb-22/.test(err.message),
    );
  });

  it('nothing found says so', async () => {
    await assert.rejects(findLldbDap(undefined, host('linux', { PATH: '/nowhere' }, []), async () => ''), /No lldb-dap was found/);
  });
});
