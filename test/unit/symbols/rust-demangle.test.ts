// Rust demangling checked against binutils' `nm -C` and `llvm-cxxfilt-19` over every defined symbol of the toolchain's librustc_driver, and a legacy-mangled fixture.
import * as assert from 'node:assert/strict';
import { fileSource } from '../../../src/symbols/byte-source';
import { ElfFile } from '../../../src/symbols/elf/elf';
import { elfPublics } from '../../../src/symbols/elf/elf-module';
import { demangleRust } from '../../../src/symbols/rust-demangle';
import { findRustcDriver, linuxFixtures, run } from './linux-fixtures';

/** nm lines `ADDR T NAME` → names, in nm's order. */
function nmNames(args: string[], file: string): string[] {
  return run('nm', [...args, file])
    .split('\n')
    .filter((l) => l.length > 19)
    .map((l) => l.slice(19));
}

/** libiberty garbles v0 integer constants wider than 64 bits (`Kn8000…_` prints as `-0x000…_`); LLVM and we print the value. */
const WIDE_CONST = /K[a-z]n?[0-9a-f]{17,}_/;

describe('Rust demangling vs nm -C and llvm-cxxfilt-19', function () {
  this.timeout(120_000);

  it('matches them over every defined symbol of librustc_driver, apart from the documented differences', () => {
    const lib = findRustcDriver();
    const mangled = nmNames(['--defined-only'], lib);
    const nmC = nmNames(['-C', '--defined-only'], lib);
    assert.equal(nmC.length, mangled.length);
    assert.ok(mangled.length > 100_000, `librustc_driver has only ${mangled.length} defined symbols`);
    const cxxfilt = execCxxfilt(mangled);

    // Our ELF reader yields the same defined symbols nm lists.
    const ours = elfPublics(new ElfFile(fileSource(lib), lib)).map((p) => p.name);
    assert.deepEqual([...ours].sort(), [...mangled].sort());

    let rust = 0;
    let wide = 0;
    let cxx = 0;
    for (let i = 0; i < mangled.length; i++) {
      const m = mangled[i];
      const got = demangleRust(m);
      if (got === undefined) {
        // Not Rust: C names equal nm's; C++ names (which nm demangles and we leave alone) are the one other documented difference.
        assert.ok(!m.startsWith('_R'), `v0 symbol not demangled: ${m}`);
        if (nmC[i] !== m) {
          assert.ok(m.startsWith('_Z'), `${m}: nm -C printed ${nmC[i]}`);
          cxx++;
        }
        continue;
      }
      rust++;
      // llvm-cxxfilt appends a `.llvm.123`/`.cold` suffix as ` (.llvm.123)`; nm -C and we drop it.
      assert.equal(got, cxxfilt[i].replace(/ \(\.[^)]*\)$/, ''), `${m} vs llvm-cxxfilt`);
      if (WIDE_CONST.test(m)) {
        wide++;
        continue;
      }
      assert.equal(got, nmC[i], `${m} vs nm -C`);
    }
    assert.ok(rust > 100_000, `only ${rust} Rust symbols`);
    assert.ok(wide < 10, `${wide} symbols with wide constants`);
    assert.ok(cxx < 10_000);
  });

  it('matches nm -C on legacy (_ZN…17h<hash>E) symbols of a rustc -g fixture, where llvm-cxxfilt keeps escapes and hashes', () => {
    const file = linuxFixtures().legacy;
    const mangled = nmNames(['--defined-only'], file);
    const nmC = nmNames(['-C', '--defined-only'], file);
    let legacy = 0;
    let escaped = 0;
    for (let i = 0; i < mangled.length; i++) {
      const got = demangleRust(mangled[i]);
      if (got === undefined) continue;
      legacy++;
      if (mangled[i].includes('$')) escaped++;
      assert.equal(got, nmC[i], mangled[i]);
    }
    assert.ok(legacy > 500, `only ${legacy} legacy symbols`);
    assert.ok(escaped > 50, 'the fixture should exercise $LT$-style escapes');
    const cxx = execCxxfilt(['_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE']);
    assert.match(cxx[0], /\$LT\$.*17h0123456789abcdef|h0123456789abcdef/, 'llvm-cxxfilt leaves legacy escapes and the hash');
  });

  it('keeps the legacy hash and v0 crate disambiguators only when asked (verbose)', () => {
    const legacy = '_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE';
    assert.equal(demangleRust(legacy), 'core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>');
    assert.equal(demangleRust(legacy, { verbose: true }), 'core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>::h0123456789abcdef');
    const v0 = '_RNvCs1234_7mycrate3foo';
    assert.equal(demangleRust(v0), 'mycrate::foo');
    assert.match(demangleRust(v0, { verbose: true })!, /^mycrate\[[0-9a-f]+\]::foo$/);
  });

  it('decodes punycode identifiers, consts, dyn traits, fn pointers and closures as llvm-cxxfilt-19 does', () => {
    const cases = [
      '_RNvC4testu9bcher_kva',
      '_RNvC4testu30____7hkackfecea1cbdathfdh9qlzbg',
      '_RINvC4test3fooFG_KCRL0_hEuE',
      '_RNCNvC4test4main0',
      '_RINvC4test3fooDNtC4test5TraitEL_E',
      '_RIC4testKc2202_E',
      '_RINvC4test3fooKb1_E',
      '_RINvC4test3fooKjf_Kanf_E',
    ];
    const want = execCxxfilt(cases);
    assert.equal(want[0], 'test::bücher');
    cases.forEach((c, i) => assert.equal(demangleRust(c), want[i], c));
  });

  it('rejects malformed and hostile names without throwing', () => {
    const bad = ['', '_R', '_RN', '_RB_', '_RNvB0_3foo', '_ZN3foo17h0123456789abcdefE'.slice(0, 10), '_RIC0' + 'I'.repeat(5000), '_R' + 'A'.repeat(100_000)];
    for (const b of bad) assert.equal(demangleRust(b), undefined, b.slice(0, 40));
    // Backrefs that double the output at every level: 2^60 characters if followed; the step cap ends it.
    let body = 'INvC1a1fTuuE';
    let prev = 8;
    for (let i = 0; i < 60; i++) {
      const ref = 'B' + base62(prev - 1) + '_';
      prev = body.length;
      body += `T${ref}${ref}E`;
    }
    assert.equal(demangleRust('_R' + body + 'E'), undefined);
    // A backref may only point backwards, so a self-reference cannot loop.
    assert.equal(demangleRust('_RB0_'), undefined);
    assert.equal(demangleRust('main'), undefined);
    assert.equal(demangleRust('_ZN10__cxxabiv111__terminateEPFvvE'), undefined, 'C++ names are not Rust');
  });
});

function base62(n: number): string {
  const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  do {
    out = digits[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out;
}

function execCxxfilt(names: string[]): string[] {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const out = execFileSync('llvm-cxxfilt-19', [], { input: names.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  const lines = out.split('\n');
  return lines.slice(0, names.length);
}
