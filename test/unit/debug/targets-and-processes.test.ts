// Cargo binary targets for the dynamic configurations, and process lists for the attach picker (ps and Windows CSV).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { binaryTargets, launchConfigurationFor, parseCargoManifest } from '../../../src/debug/cargo-targets';
import { parseCsvLine, parsePsOutput, parseWindowsProcessCsv } from '../../../src/debug/process-list';

describe('cargo binary targets', () => {
  it('reads the package name and declared bins from a CRLF manifest with comments', () => {
    const manifest = '[package]\r\nname = "demo" # the crate\r\nversion = "0.1.0"\r\n\r\n[[bin]]\r\nname = \'tool\'\r\npath = "src/tool.rs"\r\n[dependencies]\r\nname = "not-a-bin"\r\n';
    assert.deepStrictEqual(parseCargoManifest(manifest), { packageName: 'demo', bins: ['tool'], examples: [], autobins: true });
  });

  it('finds src/main.rs and src/bin/* like cargo, and builds a CodeLLDB-style configuration', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-targets-'));
    fs.mkdirSync(path.join(dir, 'crate', 'src', 'bin', 'multi'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'crate', 'Cargo.toml'), '[package]\nname = "app"\n');
    fs.writeFileSync(path.join(dir, 'crate', 'src', 'main.rs'), 'fn main() {}');
    fs.writeFileSync(path.join(dir, 'crate', 'src', 'bin', 'extra.rs'), 'fn main() {}');
    fs.writeFileSync(path.join(dir, 'crate', 'src', 'bin', 'multi', 'main.rs'), 'fn main() {}');
    const targets = binaryTargets(path.join(dir, 'crate'));
    assert.deepStrictEqual(targets.map((t) => t.name).sort(), ['app', 'extra', 'multi']);
    const config = launchConfigurationFor({ name: 'app', kind: 'bin' }, path.join(dir, 'crate'), dir);
    assert.deepStrictEqual(config.cargo, { args: ['build', '--bin=app', '--manifest-path=${workspaceFolder}/crate/Cargo.toml'], filter: { name: 'app', kind: 'bin' } });
    assert.strictEqual(config.cwd, '${workspaceFolder}/crate');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('process lists', () => {
  it('parses ps output', () => {
    const list = parsePsOutput('    1 systemd /sbin/init splash\n 4242 values /tmp/values wait\n  77 kthreadd\n');
    assert.deepStrictEqual(list[1], { pid: 4242, name: 'values', commandLine: '/tmp/values wait' });
    assert.strictEqual(list[2].commandLine, 'kthreadd');
  });

  it('parses PowerShell CSV with CRLF, quotes inside quotes, and empty command lines', () => {
    const csv = '"ProcessId","Name","CommandLine"\r\n"4","System",""\r\n"5120","app.exe","""C:\\Program Files\\app\\app.exe"" --flag ""a,b"""\r\n';
    const list = parseWindowsProcessCsv(csv);
    assert.deepStrictEqual(list, [
      { pid: 4, name: 'System', commandLine: 'System' },
      { pid: 5120, name: 'app.exe', commandLine: '"C:\\Program Files\\app\\app.exe" --flag "a,b"' },
    ]);
    assert.deepStrictEqual(parseCsvLine('a,"b,c",""'), ['a', 'b,c', '']);
  });
});
