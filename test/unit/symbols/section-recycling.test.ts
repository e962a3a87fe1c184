// A worker that loads the next build of a program reuses the arrays it read the previous file's sections into: the index must be the one fresh arrays give, whatever file came before.
import * as assert from 'node:assert/strict';
import { fileSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { indexElfModule, planDwarfChunks, sectionArraysReused } from '../../../src/symbols/elf/elf-module';
import { IndexBuilder } from '../../../src/symbols/symbol-index';
import { linuxFixtures } from './linux-fixtures';

/** The units of `file` in chunks of about `chunkBytes` of .debug_info, as a split load plans them. */
function chunksOf(file: string, chunkBytes: number): number[][] {
  const source = fileSource(file);
  try {
    return planDwarfChunks(new ElfFile(source, file), { path: file }, chunkBytes).map((c) => c.units);
  } finally {
    source.close?.();
  }
}

/** The index segment of one chunk; `cacheKey` undefined reads into fresh arrays and leaves the worker's cache alone. */
function segment(file: string, units: number[], cacheKey: string | undefined): Buffer {
  const source = fileSource(file);
  try {
    const b = new IndexBuilder();
    indexElfModule(source, { path: file, units, cacheKey }, b);
    return Buffer.from(new Uint8Array(b.finish()));
  } finally {
    source.close?.();
  }
}

describe('section arrays reused for the next file a worker loads', function () {
  this.timeout(120_000);

  it('gives each file the index fresh arrays give, after a larger file, a smaller one, or itself under another key', () => {
    const { legacy, v0, mixed } = linuxFixtures();
    const whole = (f: string): number[] => chunksOf(f, 1 << 30)[0];
    const reference = new Map([legacy, v0, mixed].map((f) => [f, segment(f, whole(f), undefined)]));
    const before = sectionArraysReused();
    [legacy, v0, mixed, legacy, mixed, v0, v0, legacy].forEach((f, i) => {
      assert.ok(segment(f, whole(f), `build ${i}`).equals(reference.get(f)!), `load ${i} (${f}) differs from a load into fresh arrays`);
    });
    // The fixtures differ in size, so some loads could take the previous arrays and some could not.
    assert.ok(sectionArraysReused() - before >= 4, `only ${sectionArraysReused() - before} arrays were reused`);
  });

  it('lets a split load go on in the reused arrays: each chunk as fresh arrays give it', () => {
    const { legacy, mixed } = linuxFixtures();
    const chunks = chunksOf(legacy, 64 * 1024);
    assert.ok(chunks.length >= 3, `the fixture splits into ${chunks.length} chunks`);
    const reference = chunks.map((units) => segment(legacy, units, undefined));
    const before = sectionArraysReused();
    segment(mixed, chunksOf(mixed, 1 << 30)[0], 'previous build');
    chunks.forEach((units, i) => assert.ok(segment(legacy, units, 'next build').equals(reference[i]), `chunk ${i} differs`));
    assert.ok(sectionArraysReused() > before, 'the split load did not reuse the previous file\'s arrays');
  });
});
