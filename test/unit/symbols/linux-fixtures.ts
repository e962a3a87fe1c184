// Builds the Linux ELF+DWARF fixtures from test/fixtures/linux with the real rustc/clang once per test run, and runs LLVM's tools for reference facts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const fixtureSources = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'linux');

export interface LinuxFixtures {
  dir: string;
  /** rustc -g, legacy mangling, DWARF 4. */
  legacy: string;
  /** rustc -g -C symbol-mangling-version=v0. */
  v0: string;
  /** v0 with -C dwarf-version=5: our crate's units are DWARF 5, std's precompiled ones DWARF 4. */
  mixed: string;
  /** legacy with zlib-compressed debug sections (SHF_COMPRESSED). */
  zlib: string;
  /** legacy with its debug info moved to `split.debug`, found through .gnu_debuglink. */
  split: string;
  splitDebug: string;
  /** Small files for the fuzzer: C with DWARF 5 and 4, a Rust object with v0 names. */
  smallC5: string;
  smallC4: string;
  smallRustObj: string;
  /** smallC5 with zlib-compressed debug sections. */
  smallZlib: string;
}

export function toolEnv(): NodeJS.ProcessEnv {
  const home = os.homedir();
  return { ...process.env, PATH: [path.join(home, '.cargo', 'bin'), '/root/.cargo/bin', process.env.PATH ?? ''].join(path.delimiter) };
}

export function run(cmd: string, args: string[], options: { cwd?: string; maxBuffer?: number } = {}): string {
  return execFileSync(cmd, args, { env: toolEnv(), encoding: 'utf8', maxBuffer: options.maxBuffer ?? 512 * 1024 * 1024, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The toolchain's librustc_driver-*.so (about 164,000 defined symbols, v0-mangled). */
export function findRustcDriver(): string {
  const sysroot = run('rustc', ['--print', 'sysroot']).trim();
  const lib = path.join(sysroot, 'lib');
  const name = fs.readdirSync(lib).find((f) => /^librustc_driver-.*\.so$/.test(f));
  if (!name) throw new Error(`no librustc_driver-*.so in ${lib}; install a rustup toolchain (rustup toolchain install stable)`);
  return path.join(lib, name);
}

let built: LinuxFixtures | undefined;

export function linuxFixtures(): LinuxFixtures {
  if (built) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-elf-'));
  const src = path.join(fixtureSources, 'symbols_demo.rs');
  const out = (n: string): string => path.join(dir, n);
  const rustc = (o: string, extra: string[]): void => {
    run('rustc', ['-g', '-C', 'opt-level=0', '--edition=2021', '-o', o, ...extra, src]);
  };
  rustc(out('legacy'), []);
  rustc(out('v0'), ['-C', 'symbol-mangling-version=v0']);
  rustc(out('mixed'), ['-C', 'symbol-mangling-version=v0', '-C', 'dwarf-version=5']);
  rustc(out('zlib'), ['-C', 'link-arg=-Wl,--compress-debug-sections=zlib']);
  run('objcopy', ['--only-keep-debug', out('legacy'), out('split.debug')]);
  run('objcopy', ['--strip-debug', `--add-gnu-debuglink=${out('split.debug')}`, out('legacy'), out('split')]);
  const csrc = path.join(fixtureSources, 'small.c');
  run('clang-19', ['-g', '-O1', '-gdwarf-5', '-o', out('small-c5'), csrc]);
  run('clang-19', ['-g', '-O1', '-gdwarf-4', '-o', out('small-c4'), csrc]);
  run('rustc', ['-g', '-C', 'opt-level=1', '--crate-type=lib', '--emit=obj', '-C', 'symbol-mangling-version=v0', '-C', 'dwarf-version=5', '-o', out('small-rust.o'), path.join(fixtureSources, 'small_lib.rs')]);
  run('objcopy', ['--compress-debug-sections=zlib', out('small-c5'), out('small-zlib')]);
  built = {
    dir, legacy: out('legacy'), v0: out('v0'), mixed: out('mixed'), zlib: out('zlib'), split: out('split'), splitDebug: out('split.debug'),
    smallC5: out('small-c5'), smallC4: out('small-c4'), smallRustObj: out('small-rust.o'), smallZlib: out('small-zlib'),
  };
  return built;
}

/** Removes the built fixtures (mocha root hook calls it at the end). */
export function removeLinuxFixtures(): void {
  if (built) fs.rmSync(built.dir, { recursive: true, force: true });
  built = undefined;
}

// Under mocha, a root-level hook removes the built fixtures when the run ends; the fuzz script calls removeLinuxFixtures itself.
if (typeof after === 'function') after(removeLinuxFixtures);
