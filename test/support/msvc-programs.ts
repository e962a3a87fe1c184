// Builds Windows x64 MSVC Rust test programs (exe + PDB) here on Linux: a no_std + alloc sysroot per toolchain, cached, then lld-link-19.
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type MsvcToolchain = '1.96' | '1.63';

export interface MsvcProgramOptions {
  /** Path of a .rs file (a `#![no_std] #![no_main]` program using the `msvc_rt` runtime crate). */
  source: string;
  toolchain: MsvcToolchain;
  /** Where the exe and PDB go; default out/test-programs/windows/<toolchain>. */
  outDir?: string;
  /**
   * The directory recorded in the PDB for the program's source, as a Windows path (`C:\build\programs`), so tests
   * exercise a source map from `\`-separated paths as on a Windows build machine. Default: the real local path.
   */
  pdbSourceDir?: string;
}

export interface MsvcProgram {
  exe: string;
  pdb: string;
}

export const TARGET = 'x86_64-pc-windows-msvc';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const RUNTIME_SOURCE = path.join(REPO_ROOT, 'test', 'programs', 'windows', 'runtime', 'msvc_rt.rs');
const LLD_LINK = 'lld-link-19';
const DLLTOOL = 'llvm-dlltool-19';

/** The kernel32 functions the runtime imports; an import library is made from these, so no Windows SDK is needed. */
const KERNEL32_EXPORTS = ['GetStdHandle', 'WriteFile', 'ExitProcess', 'GetProcessHeap', 'HeapAlloc', 'HeapReAlloc', 'HeapFree'];
/**
 * kernel32 functions only the runtime imports (the copy of stdout to a file), in an import library of its own beside
 * the runtime (msvc_rt_kernel32.lib): adding one rebuilds the runtime (seconds), not the sysroots (minutes).
 */
const RUNTIME_KERNEL32_EXPORTS = ['GetEnvironmentVariableA', 'CreateFileA'];

/**
 * Where the sysroots and unpacked Debian packages live. Under node_modules/.cache by default, like other tools' caches,
 * so CI builds each sysroot once per run and a rerun (or another worktree sharing node_modules) reuses it.
 */
export function msvcCacheDir(): string {
  return process.env.RUST_OFFLOAD_MSVC_CACHE ?? path.join(REPO_ROOT, 'node_modules', '.cache', 'rust-offload-msvc');
}

interface Toolchain {
  version: MsvcToolchain;
  rustc: string;
  env: NodeJS.ProcessEnv;
  /** library/ of the matching Rust source tree (core, alloc). */
  library: string;
  core: { edition: string };
  compilerBuiltins: { source: string; edition: string; cfgs: string[] };
  hashbrown: { source: string; cfgs: string[] };
}

/**
 * Debian packages unpacked (not installed) into the cache: rustc-web conflicts with Debian's rustc 1.63 and rust-web-src
 * with rust-src, and both toolchains are needed side by side.
 */
async function unpackDebian(name: string, packages: string[]): Promise<string> {
  const root = path.join(msvcCacheDir(), 'debian', name);
  const done = path.join(root, '.unpacked');
  if (fs.existsSync(done)) return root;
  return withLock(`${root}.lock`, async () => {
    if (fs.existsSync(done)) return root;
    const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-debs-'));
    try {
      try {
        await run('apt-get', ['download', ...packages], { cwd: downloads, maxBuffer: 64 << 20 });
      } catch (err) {
        throw new Error(
          `could not download the Debian packages ${packages.join(', ')} with apt-get (needed to build Windows test programs ` +
            `with Rust ${name}): ${firstLine(err)}. Run 'apt-get update' and check the machine reaches the Debian archive.`,
          { cause: err },
        );
      }
      fs.mkdirSync(root, { recursive: true });
      for (const deb of fs.readdirSync(downloads).filter((f) => f.endsWith('.deb'))) {
        await run('dpkg-deb', ['-x', path.join(downloads, deb), root]);
      }
      fs.writeFileSync(done, packages.join('\n'));
      return root;
    } finally {
      fs.rmSync(downloads, { recursive: true, force: true });
    }
  });
}

async function toolchain(version: MsvcToolchain): Promise<Toolchain> {
  const bootstrap = { ...process.env, RUSTC_BOOTSTRAP: '1' };
  if (version === '1.96') {
    const root = await unpackDebian('1.96', ['rustc-web', 'libstd-rust-web-1.96', 'libstd-rust-web-dev', 'rust-web-src']);
    const library = path.join(root, 'usr', 'src', 'rustc-1.96.0', 'library');
    return {
      version,
      rustc: path.join(root, 'usr', 'bin', 'rustc'),
      env: { ...bootstrap, LD_LIBRARY_PATH: path.join(root, 'usr', 'lib', 'x86_64-linux-gnu') },
      library,
      core: { edition: '2024' },
      // build.rs's cfgs for x86_64 (configure.rs: f16/f128 are reliable there); `mem` because there is no CRT's memcpy.
      compilerBuiltins: {
        source: path.join(library, 'compiler-builtins', 'compiler-builtins', 'src', 'lib.rs'),
        edition: '2024',
        cfgs: ['feature="mem"', 'feature="mem-unaligned"', 'feature="compiler-builtins"', 'feature="unstable-intrinsics"',
          'intrinsics_enabled', 'arch_enabled', 'optimizations_enabled', 'f16_enabled', 'f128_enabled'],
      },
      // The very hashbrown std 1.96 vendors, so HashMap's table is std's.
      hashbrown: { source: path.join(library, 'vendor', 'hashbrown-0.16.1', 'src', 'lib.rs'), cfgs: ['feature="nightly"', 'feature="inline-more"'] },
    };
  }
  const rustc = '/usr/bin/rustc';
  const installed = await run(rustc, ['--version']).then((r) => r.stdout, () => '');
  if (!installed.startsWith('rustc 1.63.')) {
    throw new Error(`Windows test programs for Rust 1.63 need Debian's rustc 1.63 at ${rustc} (found: ${installed.trim() || 'nothing'}); install the Debian package rustc.`);
  }
  // rust-src and librust-compiler-builtins-dev are installed by .ci/run; librust-hashbrown-dev only unpacked (its
  // dependencies are a dozen crates it does not need without default features).
  let library = '/usr/src/rustc-1.63.0/library';
  let registry = '/usr/share/cargo/registry';
  if (!fs.existsSync(path.join(library, 'alloc')) || !fs.existsSync(path.join(registry, 'compiler_builtins-0.1.70'))) {
    const root = await unpackDebian('1.63-src', ['rust-src', 'librust-compiler-builtins-dev']);
    library = path.join(root, 'usr', 'src', 'rustc-1.63.0', 'library');
    registry = path.join(root, 'usr', 'share', 'cargo', 'registry');
  }
  const hashbrownRoot = await unpackDebian('1.63-hashbrown', ['librust-hashbrown-dev']);
  return {
    version,
    rustc,
    env: bootstrap,
    library,
    core: { edition: '2021' },
    compilerBuiltins: {
      source: path.join(registry, 'compiler_builtins-0.1.70', 'src', 'lib.rs'),
      edition: '2015',
      cfgs: ['feature="mem"', 'feature="mem-unaligned"', 'feature="compiler-builtins"', 'feature="unstable"'],
    },
    // std 1.63 used hashbrown 0.12.
    hashbrown: { source: path.join(hashbrownRoot, 'usr', 'share', 'cargo', 'registry', 'hashbrown-0.12.3', 'src', 'lib.rs'), cfgs: ['feature="nightly"', 'feature="inline-more"'] },
  };
}

/** Flags every crate of the sysroot is built with; part of the cache key, so changing them rebuilds. */
const SYSROOT_FLAGS = ['--target', TARGET, '-C', 'debuginfo=2', '-C', 'opt-level=1', '-C', 'panic=abort', '-C', 'embed-bitcode=no', '--cap-lints', 'allow'];

/**
 * core, compiler_builtins, alloc and hashbrown for the toolchain as a sysroot (`lib/rustlib/<target>/lib`), plus
 * kernel32.lib; built once (minutes) and reused while the flags are unchanged.
 */
export async function msvcSysroot(version: MsvcToolchain): Promise<string> {
  const key = crypto.createHash('sha1').update(JSON.stringify([SYSROOT_FLAGS, KERNEL32_EXPORTS])).digest('hex').slice(0, 12);
  const sysroot = path.join(msvcCacheDir(), `sysroot-${version}-${key}`);
  const lib = path.join(sysroot, 'lib', 'rustlib', TARGET, 'lib');
  const done = path.join(sysroot, '.built');
  if (fs.existsSync(done)) return sysroot;
  const tc = await toolchain(version);
  return withLock(`${sysroot}.lock`, async () => {
    if (fs.existsSync(done)) return sysroot;
    fs.rmSync(sysroot, { recursive: true, force: true });
    fs.mkdirSync(lib, { recursive: true });
    // Marked unstable like std's own crates; programs reach them through `extern crate alloc` as usual.
    const std = ['-Z', 'force-unstable-if-unmarked'];
    await buildRlib(tc, sysroot, lib, 'core', path.join(tc.library, 'core', 'src', 'lib.rs'), tc.core.edition, std);
    await buildRlib(tc, sysroot, lib, 'compiler_builtins', tc.compilerBuiltins.source, tc.compilerBuiltins.edition, [...std, ...tc.compilerBuiltins.cfgs.flatMap((c) => ['--cfg', c])]);
    await buildRlib(tc, sysroot, lib, 'alloc', path.join(tc.library, 'alloc', 'src', 'lib.rs'), tc.core.edition, std);
    await buildRlib(tc, sysroot, lib, 'hashbrown', tc.hashbrown.source, '2021', tc.hashbrown.cfgs.flatMap((c) => ['--cfg', c]));
    await importLibrary(path.join(lib, 'kernel32'), 'kernel32.dll', KERNEL32_EXPORTS);
    fs.writeFileSync(done, `${version}\n`);
    return sysroot;
  });
}

/** The msvc_rt runtime crate, apart from the sysroot so that editing it rebuilds seconds of work, not minutes. */
async function msvcRuntime(version: MsvcToolchain, sysroot: string): Promise<string> {
  const key = crypto.createHash('sha1').update(sysroot).update(fs.readFileSync(RUNTIME_SOURCE)).update(RUNTIME_KERNEL32_EXPORTS.join()).digest('hex').slice(0, 12);
  const dir = path.join(msvcCacheDir(), `runtime-${version}-${key}`);
  const rlib = path.join(dir, 'libmsvc_rt.rlib');
  if (fs.existsSync(rlib)) return dir;
  const tc = await toolchain(version);
  return withLock(`${dir}.lock`, async () => {
    if (fs.existsSync(rlib)) return dir;
    const building = `${dir}.${process.pid}`;
    fs.mkdirSync(building, { recursive: true });
    await importLibrary(path.join(building, 'msvc_rt_kernel32'), 'kernel32.dll', RUNTIME_KERNEL32_EXPORTS);
    await buildRlib(tc, sysroot, building, 'msvc_rt', RUNTIME_SOURCE, '2021', version === '1.63' ? ['--cfg', 'rust_before_1_68'] : []);
    fs.renameSync(building, dir);
    return dir;
  });
}

/** `<base>.lib`, an import library of `dll` for the named functions, made from a .def file (no Windows SDK needed). */
async function importLibrary(base: string, dll: string, exports: string[]): Promise<void> {
  fs.writeFileSync(`${base}.def`, `LIBRARY ${dll}\nEXPORTS\n${exports.map((f) => `  ${f}\n`).join('')}`);
  await run(DLLTOOL, ['-m', 'i386:x86-64', '-d', `${base}.def`, '-l', `${base}.lib`]).catch((err: unknown) => {
    throw new Error(`${DLLTOOL} could not make ${path.basename(base)}.lib: ${stderrOf(err)}. It comes with the Debian package llvm-19.`, { cause: err });
  });
}

async function buildRlib(tc: Toolchain, sysroot: string, outDir: string, crate: string, source: string, edition: string, extra: string[]): Promise<void> {
  const args = ['--crate-name', crate, '--crate-type', 'rlib', '--edition', edition, ...SYSROOT_FLAGS, '--sysroot', sysroot,
    '-o', path.join(outDir, `lib${crate}.rlib`), ...extra, source];
  try {
    await run(tc.rustc, args, { env: tc.env, maxBuffer: 64 << 20 });
  } catch (err) {
    throw new Error(`building ${crate} for ${TARGET} with Rust ${tc.version} failed: ${stderrOf(err)}`, { cause: err });
  }
}

/** Builds a test program for x86_64-pc-windows-msvc with debug info and a PDB; cached by source, toolchain and sysroot. */
export async function buildMsvcProgram(options: MsvcProgramOptions): Promise<MsvcProgram> {
  const { source, toolchain: version } = options;
  if (!fs.existsSync(source)) throw new Error(`buildMsvcProgram: no source file at ${source}`);
  if (version !== '1.96' && version !== '1.63') throw new Error(`buildMsvcProgram: toolchain must be '1.96' or '1.63', not ${String(version)}`);
  const sysroot = await msvcSysroot(version);
  const runtime = await msvcRuntime(version, sysroot);
  const tc = await toolchain(version);
  const name = path.basename(source, '.rs');
  const outDir = options.outDir ?? path.join(REPO_ROOT, 'out', 'test-programs', 'windows', version);
  // The whole file path is remapped (a directory prefix would leave rustc's `/` before the file name); it is part of the key: it changes the paths in the PDB and in panic messages.
  const remap = options.pdbSourceDir ? ['--remap-path-prefix', `${path.resolve(source)}=${options.pdbSourceDir}\\${path.basename(source)}`] : [];
  const hash = crypto.createHash('sha1').update(fs.readFileSync(source)).update(runtime).update(JSON.stringify(remap)).digest('hex').slice(0, 12);
  const exe = path.join(outDir, `${name}-${hash}.exe`);
  const pdb = path.join(outDir, `${name}-${hash}.pdb`);
  if (fs.existsSync(exe) && fs.existsSync(pdb)) return { exe, pdb };
  fs.mkdirSync(outDir, { recursive: true });
  const args = ['--crate-name', name.replace(/-/g, '_'), '--crate-type', 'bin', '--edition', '2021', '--target', TARGET, '--sysroot', sysroot,
    '-C', 'debuginfo=2', '-C', 'opt-level=0', '-C', 'panic=abort', '-C', 'overflow-checks=off', '-C', `linker=${LLD_LINK}`,
    '-C', 'link-arg=/entry:mainCRTStartup', '-C', 'link-arg=/subsystem:console', '-C', 'link-arg=/nodefaultlib',
    '-L', path.join(sysroot, 'lib', 'rustlib', TARGET, 'lib'), '-L', runtime, ...remap, '-o', exe, source];
  try {
    await run(tc.rustc, args, { env: tc.env, cwd: outDir, maxBuffer: 64 << 20 });
  } catch (err) {
    throw new Error(`building ${source} for ${TARGET} with Rust ${version} failed: ${stderrOf(err)}`, { cause: err });
  }
  if (!fs.existsSync(pdb)) throw new Error(`rustc built ${exe} but no PDB beside it (${LLD_LINK} writes one with /DEBUG, which rustc passes for debuginfo=2)`);
  return { exe, pdb };
}

/**
 * One builder at a time per cache entry, across processes (parallel test runs, other worktrees sharing node_modules):
 * a lock directory holding the builder's pid; a lock left by a dead process is taken over.
 */
async function withLock<T>(lock: string, body: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readOr(path.join(lock, 'pid'), '0'));
      if (holder > 0 && !alive(holder)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function stderrOf(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = (e.stderr && e.stderr.trim()) || e.message || String(err);
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

function firstLine(err: unknown): string {
  return stderrOf(err).split('\n').find((l) => l.trim() !== '') ?? '';
}
