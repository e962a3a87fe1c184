// The Rust expression language's lexer and parser: source text to an AST, with errors that point at the column.

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
export type UnaryOp = '-' | '!' | '*' | '&';

/** `start` is the 0-based offset of the node in the source, for errors that point at it. */
export type Expr =
  | { kind: 'int'; value: bigint; suffix?: string; start: number }
  | { kind: 'float'; value: number; start: number }
  | { kind: 'bool'; value: boolean; start: number }
  | { kind: 'char'; value: string; start: number }
  | { kind: 'str'; value: string; start: number }
  | { kind: 'path'; segments: string[]; start: number }
  | { kind: 'field'; target: Expr; name: string; start: number }
  | { kind: 'tupleField'; target: Expr; index: number; start: number }
  | { kind: 'index'; target: Expr; index: Expr; start: number }
  | { kind: 'call'; target: Expr; method: string; args: Expr[]; start: number }
  | { kind: 'unary'; op: UnaryOp; operand: Expr; start: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; start: number };

/** A syntax error; `column` is 1-based. The message shows the source with a caret under the column. */
export class ExpressionSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}\n  ${source}\n  ${' '.repeat(Math.max(0, column - 1))}^`);
    this.name = 'ExpressionSyntaxError';
  }
}

type TokenKind = 'int' | 'float' | 'str' | 'char' | 'ident' | 'punct' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  /** Decoded value for literals. */
  value?: string;
}

const PUNCTUATION = ['::', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '&', '.', '[', ']', '(', ')', ','];
const INT_SUFFIXES = ['u8', 'u16', 'u32', 'u64', 'u128', 'usize', 'i8', 'i16', 'i32', 'i64', 'i128', 'isize'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, at: number): never => {
    throw new ExpressionSyntaxError(reason, source, at + 1);
  };
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch)) {
      let text: string;
      const hex = /^0[xX][0-9a-fA-F_]+|^0[bB][01_]+|^0[oO][0-7_]+/.exec(source.slice(i));
      if (hex) {
        text = hex[0];
        i += text.length;
      } else {
        const m = /^[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
        text = m[0];
        i += text.length;
        // `1.foo` or `t.0.1` style tuple access: a dot followed by a non-digit stays a separate token.
        if (text.endsWith('.')) {
          text = text.slice(0, -1);
          i--;
        }
      }
      const suffix = /^(u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64)/.exec(source.slice(i));
      let isFloat = !hex && /[.eE]/.test(text);
      let suffixText = '';
      if (suffix) {
        suffixText = suffix[0];
        i += suffixText.length;
        if (suffixText.startsWith('f')) isFloat = true;
      }
      if (i < source.length && /[A-Za-z_]/.test(source[i])) fail(`invalid suffix on number '${source.slice(start, i + 1)}'`, i);
      tokens.push({ kind: isFloat ? 'float' : 'int', text: text.replace(/_/g, ''), start, value: suffixText });
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], start });
      i += m[0].length;
      continue;
    }
    if (ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) fail('unterminated string literal', start);
        const c = source[i];
        if (c === '"') break;
        if (c === '\\') {
          const [decoded, used] = decodeEscape(source, i, fail);
          value += decoded;
          i += used;
        } else {
          value += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'str', text: source.slice(start, i), start, value });
      continue;
    }
    if (ch === "'") {
      i++;
      let value: string;
      if (source[i] === '\\') {
        const [decoded, used] = decodeEscape(source, i, fail);
        value = decoded;
        i += used;
      } else {
        const cp = source.codePointAt(i);
        if (cp === undefined || source[i] === "'") fail('empty character literal', start);
        value = String.fromCodePoint(cp!);
        i += value.length;
      }
      if (source[i] !== "'") fail('unterminated character literal', start);
      i++;
      tokens.push({ kind: 'char', text: source.slice(start, i), start, value });
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (!punct) fail(`unexpected character '${ch}'`, i);
    tokens.push({ kind: 'punct', text: punct!, start });
    i += punct!.length;
  }
  tokens.push({ kind: 'eof', text: '', start: source.length });
  return tokens;
}

function decodeEscape(source: string, at: number, fail: (reason: string, at: number) => never): [string, number] {
  const next = source[at + 1];
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '0': '\0', "'": "'", '"': '"' };
  if (next !== undefined && next in simple) return [simple[next], 2];
  if (next === 'x') {
    const m = /^[0-7][0-9a-fA-F]/.exec(source.slice(at + 2));
    if (!m) fail('invalid \\x escape (expected two hex digits, at most 7F)', at);
    return [String.fromCharCode(parseInt(m![0], 16)), 4];
  }
  if (next === 'u') {
    const m = /^\{([0-9a-fA-F_]{1,6})\}/.exec(source.slice(at + 2));
    if (!m) fail('invalid \\u escape (expected \\u{XXXX})', at);
    return [String.fromCodePoint(parseInt(m![1].replace(/_/g, ''), 16)), 2 + m![0].length];
  }
  return fail(`unknown escape '\\${next ?? ''}'`, at);
}

const BINARY_LEVELS: BinaryOp[][] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

/** Parses one expression; throws ExpressionSyntaxError with the column of the first problem. */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  const fail = (reason: string, token: Token = peek()): never => {
    throw new ExpressionSyntaxError(reason, source, token.start + 1);
  };
  const describe = (t: Token): string => (t.kind === 'eof' ? 'end of expression' : `'${t.text}'`);
  const isPunct = (text: string): boolean => peek().kind === 'punct' && peek().text === text;
  const expect = (text: string): Token => {
    if (!isPunct(text)) fail(`expected '${text}' but found ${describe(peek())}`);
    return tokens[pos++];
  };

  const parseLevel = (level: number): Expr => {
    if (level === BINARY_LEVELS.length) return parseUnary();
    let left = parseLevel(level + 1);
    const comparison = level === 2;
    while (peek().kind === 'punct' && (BINARY_LEVELS[level] as string[]).includes(peek().text)) {
      const opToken = tokens[pos++];
      const right = parseLevel(level + 1);
      left = { kind: 'binary', op: opToken.text as BinaryOp, left, right, start: opToken.start };
      // Rust does not chain comparisons: `a < b < c` is an error there, so it is here.
      if (comparison && peek().kind === 'punct' && (BINARY_LEVELS[level] as string[]).includes(peek().text)) {
        fail('comparison operators cannot be chained; use parentheses');
      }
    }
    return left;
  };

  const parseUnary = (): Expr => {
    const t = peek();
    if (t.kind === 'punct' && (t.text === '-' || t.text === '!' || t.text === '*' || t.text === '&')) {
      pos++;
      return { kind: 'unary', op: t.text as UnaryOp, operand: parseUnary(), start: t.start };
    }
    return parsePostfix(parsePrimary());
  };

  const parsePostfix = (target: Expr): Expr => {
    for (;;) {
      if (isPunct('.')) {
        const dot = tokens[pos++];
        const t = peek();
        if (t.kind === 'int' && !t.value) {
          pos++;
          target = { kind: 'tupleField', target, index: Number(t.text), start: dot.start };
        } else if (t.kind === 'float' && /^\d+\.\d+$/.test(t.text)) {
          // `t.0.1` lexes its tail as the float `0.1`: split it back into two tuple accesses.
          pos++;
          const [a, b] = t.text.split('.');
          target = { kind: 'tupleField', target, index: Number(a), start: dot.start };
          target = { kind: 'tupleField', target, index: Number(b), start: dot.start };
        } else if (t.kind === 'ident') {
          pos++;
          if (isPunct('(')) {
            pos++;
            const args: Expr[] = [];
            if (!isPunct(')')) {
              do {
                args.push(parseLevel(0));
              } while (isPunct(',') && tokens[pos++]);
            }
            expect(')');
            target = { kind: 'call', target, method: t.text, args, start: t.start };
          } else {
            target = { kind: 'field', target, name: t.text, start: t.start };
          }
        } else {
          fail(`expected a field name or tuple index after '.' but found ${describe(t)}`);
        }
      } else if (isPunct('[')) {
        const open = tokens[pos++];
        const index = parseLevel(0);
        expect(']');
        target = { kind: 'index', target, index, start: open.start };
      } else {
        return target;
      }
    }
  };

  const parsePrimary = (): Expr => {
    const t = peek();
    switch (t.kind) {
      case 'int': {
        pos++;
        const suffix = t.value || undefined;
        if (suffix && !INT_SUFFIXES.includes(suffix)) fail(`'${suffix}' is not an integer suffix`, t);
        return { kind: 'int', value: BigInt(t.text), suffix, start: t.start };
      }
      case 'float':
        pos++;
        return { kind: 'float', value: Number(t.text), start: t.start };
      case 'str':
        pos++;
        return { kind: 'str', value: t.value!, start: t.start };
      case 'char':
        pos++;
        return { kind: 'char', value: t.value!, start: t.start };
      case 'ident': {
        pos++;
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', start: t.start };
        const segments = [t.text];
        while (isPunct('::')) {
          pos++;
          const next = peek();
          if (next.kind !== 'ident') fail(`expected a name after '::' but found ${describe(next)}`);
          segments.push(next.text);
          pos++;
        }
        return { kind: 'path', segments, start: t.start };
      }
      case 'punct':
        if (t.text === '(') {
          pos++;
          const inner = parseLevel(0);
          expect(')');
          return inner;
        }
        return fail(`expected an expression but found ${describe(t)}`);
      default:
        return fail(`expected an expression but found ${describe(t)}`);
    }
  };

  if (source.trim() === '') throw new ExpressionSyntaxError('the expression is empty', source, 1);
  const expr = parseLevel(0);
  if (peek().kind !== 'eof') fail(`unexpected ${describe(peek())} after the expression`);
  return expr;
}
