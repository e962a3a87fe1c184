// The expression parser: precedence, postfix chains, literals, and errors that point at the right column.
import * as assert from 'node:assert';
import { ExpressionSyntaxError, parseExpression, parseWatch, type Expr } from '../../../src/rust/expression-syntax';

/** A compact rendering of the AST so expectations stay readable. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return `${e.value}${e.suffix ?? ''}`;
    case 'float':
      return `${e.value}f`;
    case 'bool':
      return String(e.value);
    case 'char':
      return `'${e.value}'`;
    case 'str':
      return JSON.stringify(e.value);
    case 'path':
      return e.segments.join('::');
    case 'field':
      return `${show(e.target)}.${e.name}`;
    case 'tupleField':
      return `${show(e.target)}.${e.index}`;
    case 'index':
      return `${show(e.target)}[${show(e.index)}]`;
    case 'call':
      return `${show(e.target)}.${e.method}(${e.args.map(show).join(', ')})`;
    case 'unary':
      return `(${e.op}${show(e.operand)})`;
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'cast':
      return `(${show(e.operand)} as ${e.type})`;
    case 'range':
      return `(${e.from ? show(e.from) : ''}${e.inclusive ? '..=' : '..'}${e.to ? show(e.to) : ''})`;
    default:
      return `<${e.kind}>`;
  }
}

function columnOf(source: string): number {
  try {
    parseExpression(source);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError, `expected a syntax error, got ${err}`);
    return err.column;
  }
  throw new Error(`'${source}' parsed`);
}

describe('expression syntax', () => {
  const cases: Array<[string, string]> = [
    ['a + b * c', '(a + (b * c))'],
    ['(a + b) * c', '((a + b) * c)'],
    ['a - b - c', '((a - b) - c)'],
    ['a || b && c', '(a || (b && c))'],
    ['a == b && c != d', '((a == b) && (c != d))'],
    ['-x.y[2].z', '(-x.y[2].z)'],
    ['!v.is_empty()', '(!v.is_empty())'],
    ['*boxed', '(*boxed)'],
    ['&slice[1]', '(&slice[1])'],
    ['t.0.1', 't.0.1'],
    ['t.0 + 1', '(t.0 + 1)'],
    ['v[i + 1]', 'v[(i + 1)]'],
    ['m.len() >= 3', '(m.len() >= 3)'],
    ['1_000u64 + 0x1F', '(1000u64 + 31)'],
    ['0b101 * 0o17', '(5 * 15)'],
    ['2.5 * 1e3', '(2.5f * 1000f)'],
    ['"a\\n\\"b\\"" == s', '("a\\n\\"b\\"" == s)'],
    ["'\\u{3bb}' == c", "('λ' == c)"],
    ['std::f64::consts::PI', 'std::f64::consts::PI'],
    ['true && !false', '(true && (!false))'],
    // Rust's precedence: as > * > + > << > & > ^ > | > comparisons > && > || > ranges.
    ['1 + 2 << 3', '((1 + 2) << 3)'],
    ['1 | 2 & 3', '(1 | (2 & 3))'],
    ['6 ^ 3 & 5', '(6 ^ (3 & 5))'],
    ['a & b == c', '((a & b) == c)'],
    ['-x as u8', '((-x) as u8)'],
    ['p.x as f64 * p.y', '((p.x as f64) * p.y)'],
    ['x as *const u32', '(x as *const u32)'],
    ['v[10..20]', 'v[(10..20)]'],
    ['s[..=3]', 's[(..=3)]'],
    ['v[2..]', 'v[(2..)]'],
    ['a >> 2 > 1', '((a >> 2) > 1)'],
  ];
  for (const [source, expected] of cases) {
    it(`parses ${source}`, () => assert.strictEqual(show(parseExpression(source)), expected));
  }

  it('reports the column of the problem, 1-based', () => {
    assert.strictEqual(columnOf('v[1 +'), 6);
    assert.strictEqual(columnOf('a $ b'), 3);
    assert.strictEqual(columnOf('foo.'), 5);
    assert.strictEqual(columnOf('"open'), 1);
    assert.strictEqual(columnOf('(a + b'), 7);
    assert.strictEqual(columnOf('a b'), 3);
    assert.strictEqual(columnOf('1 < 2 < 3'), 7);
    assert.strictEqual(columnOf('12abc'), 3);
    assert.strictEqual(columnOf(''), 1);
  });

  it('shows the source with a caret under the column', () => {
    assert.throws(
      () => parseExpression('x + )'),
      (err: Error) => err.message === "expected an expression but found ')' at column 5\n  x + )\n      ^",
    );
  });

  it('parses closures, turbofish, matches!, variant calls and display suffixes', () => {
    const e = parseExpression('v.iter().filter(|(k, v)| **v > 1).collect::<Vec<_>>()');
    assert.strictEqual(e.kind === 'call' && e.method, 'collect');
    assert.strictEqual(e.kind === 'call' && e.turbofish, 'Vec<_>');
    const m = parseExpression('matches!(shape, Shape::Rect(3, _) | Shape::Circle { .. })');
    assert.strictEqual(m.kind === 'matches' && m.pattern.kind, 'or');
    assert.strictEqual(parseExpression('some == Some(42)').kind, 'binary');
    assert.deepStrictEqual(parseWatch('v[3],x').format, { kind: 'hex' });
    assert.deepStrictEqual(parseWatch('p,[8]').format, { kind: 'elements', count: 8 });
    assert.strictEqual(parseWatch('v.get(1)').format, undefined);
  });

  it('names the nesting and length limits instead of overflowing the stack', () => {
    assert.throws(() => parseExpression(`${'('.repeat(4000)}1${')'.repeat(4000)}`), /nests deeper than 256 levels \(the nesting limit\)/);
    assert.throws(() => parseExpression('-'.repeat(4000) + '1'), /nests deeper than 256 levels/);
    assert.throws(() => parseExpression('x'.repeat(20_000)), /20000 characters long, more than the limit of 10000/);
    assert.throws(() => parseExpression(`a${'.b'.repeat(2000)}`), /more than 256 accesses \(the nesting limit\)/);
  });

  it('rejects unknown escapes and integer suffixes clearly', () => {
    assert.throws(() => parseExpression('"\\q"'), /unknown escape '\\q'/);
    assert.throws(() => parseExpression('1u7'), /invalid suffix on number/);
  });
});
