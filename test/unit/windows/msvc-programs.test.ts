// The MSVC program builder: real rustc 1.96 and 1.63 builds of a tiny program, whose exe names the PDB written beside it.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildMsvcProgram, MsvcToolchain } from '../../support/msvc-programs';

const TINY = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'programs', 'windows', 'tiny.rs');

/** `{GUID}` and age as llvm-readobj reads the exe's CodeView debug directory entry. */
function exeDebugDirectory(exe: string): { guid: string; age: number } {
  const text = execFileSync('llvm-readobj-19', ['--coff-debug-directory', exe], { encoding: 'utf8' });
  const guid = /PDBGUID: (\{[0-9A-F-]+\})/.exec(text)?.[1];
  const age = /PDBAge: (\d+)/.exec(text)?.[1];
  assert.ok(guid && age, `no CodeView entry in ${exe}:\n${text}`);
  return { guid, age: Number(age) };
}

function pdbSignature(pdb: string): { guid: string; age: number } {
  const text = execFileSync('llvm-pdbutil-19', ['dump', '--summary', pdb], { encoding: 'utf8' });
  const guid = /GUID: (\{[0-9A-F-]+\})/.exec(text)?.[1];
  const age = /Age: (\d+)/.exec(text)?.[1];
  assert.ok(guid && age, `no GUID in ${pdb}'s summary:\n${text}`);
  return { guid, age: Number(age) };
}

describe('buildMsvcProgram', function () {
  // The first run builds core and alloc for the target (minutes on a shared machine); later runs reuse the cache.
  this.timeout(30 * 60_000);

  for (const toolchain of ['1.96', '1.63'] as MsvcToolchain[]) {
    it(`builds an exe and its matching PDB with Rust ${toolchain}`, async () => {
      const { exe, pdb } = await buildMsvcProgram({ source: TINY, toolchain });
      assert.ok(fs.statSync(exe).size > 0 && fs.statSync(pdb).size > 0);
      assert.equal(fs.readFileSync(exe).subarray(0, 2).toString('latin1'), 'MZ');
      assert.deepEqual(exeDebugDirectory(exe), pdbSignature(pdb));
      // The PDB holds the program's own function, so it really is the program's debug info.
      const symbols = execFileSync('llvm-pdbutil-19', ['dump', '--symbols', pdb], { encoding: 'utf8', maxBuffer: 256 << 20 });
      assert.match(symbols, /tiny::main/);
    });
  }

  it('names the missing source file', async () => {
    await assert.rejects(buildMsvcProgram({ source: '/nonexistent/prog.rs', toolchain: '1.96' }), /no source file at \/nonexistent\/prog\.rs/);
  });
});
