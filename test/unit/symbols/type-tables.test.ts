// The worker-side type table opener: a separate debug file found by .gnu_debuglink, one table per unchanged file, clear errors for files without types.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SymbolReadError } from '../../../src/symbols/errors';
import { clearTypeTables, typeTableFor } from '../../../src/symbols/type-tables';
import { TypeReadError } from '../../../src/symbols/type-model';
import { linuxFixtures, run } from './linux-fixtures';

describe('type tables per module', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-offload-types-'));
  });
  after(() => {
    clearTypeTables();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the types of a stripped file from its .gnu_debuglink debug file', () => {
    const table = typeTableFor(linuxFixtures().split);
    const rect = table.findType('symbols_demo::shapes::Rect');
    assert.ok(rect !== undefined);
    assert.deepEqual(table.type(rect).fields?.map((f) => f.name), ['w', 'h']);
  });

  it('keeps one table per unchanged file, and opens a new one when the file changes', () => {
    const copy = path.join(dir, 'legacy');
    fs.copyFileSync(linuxFixtures().legacy, copy);
    const first = typeTableFor(copy);
    first.type(first.findType('symbols_demo::shapes::Rect')!);
    assert.equal(typeTableFor(copy), first);
    assert.equal(first.parsedTypes, typeTableFor(copy).parsedTypes);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(copy, later, later);
    const second = typeTableFor(copy);
    assert.notEqual(second, first);
    assert.equal(second.parsedTypes, 0);
  });

  it('says what is wrong with a file that has no types', () => {
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a program');
    assert.throws(() => typeTableFor(text), (e: Error) => e instanceof SymbolReadError && /neither an ELF nor a PE/.test(e.message));
    assert.throws(() => typeTableFor(path.join(dir, 'missing')), (e: Error) => e instanceof SymbolReadError && /does not exist/.test(e.message));
    const stripped = path.join(dir, 'stripped');
    run('objcopy', ['--strip-debug', linuxFixtures().legacy, stripped]);
    assert.throws(() => typeTableFor(stripped), (e: Error) => e instanceof TypeReadError && /no DWARF debug info/.test(e.message) && e.message.includes(stripped));
  });
});
