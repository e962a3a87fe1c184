// The Rust expression language's lexer and parser: source text to an AST (Rust's precedence, closures, patterns, casts, format suffixes), with errors that point at the column.

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '&' | '|' | '^' | '<<' | '>>';
export type UnaryOp = '-' | '!' | '*' | '&';

/** `start` is the 0-based offset of the node in the source, for errors that point at it. */
export type Expr =
  | { kind: 'int'; value: bigint; suffix?: string; start: number }
  | { kind: 'float'; value: number; suffix?: string; start: number }
  | { kind: 'bool'; value: boolean; start: number }
  | { kind: 'char'; value: string; start: number }
  | { kind: 'str'; value: string; start: number }
  | { kind: 'path'; segments: string[]; start: number }
  | { kind: 'field'; target: Expr; name: string; start: number }
  | { kind: 'tupleField'; target: Expr; index: number; start: number }
  | { kind: 'index'; target: Expr; index: Expr; start: number }
  | { kind: 'call'; target: Expr; method: string; args: Expr[]; turbofish?: string; start: number }
  | { kind: 'pathCall'; segments: string[]; args: Expr[]; start: number }
  | { kind: 'unary'; op: UnaryOp; operand: Expr; start: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; start: number }
  | { kind: 'cast'; operand: Expr; type: string; start: number }
  | { kind: 'range'; from?: Expr; to?: Expr; inclusive: boolean; start: number }
  | { kind: 'tuple'; items: Expr[]; start: number }
  | { kind: 'closure'; params: Pattern[]; body: Expr; start: number }
  | { kind: 'matches'; operand: Expr; pattern: Pattern; start: number };

/** Patterns of closures' parameters and of `matches!`. */
export type Pattern =
  | { kind: 'wild'; start: number }
  | { kind: 'rest'; start: number }
  | { kind: 'bind'; name: string; start: number }
  | { kind: 'lit'; value: Expr; start: number }
  | { kind: 'range'; from: Expr; to: Expr; inclusive: boolean; start: number }
  | { kind: 'tuple'; items: Pattern[]; start: number }
  | { kind: 'path'; segments: string[]; start: number }
  | { kind: 'tupleStruct'; segments: string[]; items: Pattern[]; start: number }
  | { kind: 'struct'; segments: string[]; fields: Array<{ name: string; pattern: Pattern }>; etc: boolean; start: number }
  | { kind: 'ref'; pattern: Pattern; start: number }
  | { kind: 'or'; alternatives: Pattern[]; start: number };

/** CodeLLDB-style display suffixes: `expr,x` (hex), `,b` (binary), `,o` (octal), `,[N]` (a pointer seen as N elements). */
export type FormatSuffix = { kind: 'hex' | 'binary' | 'octal' } | { kind: 'elements'; count: number };

export interface ParsedExpression {
  expr: Expr;
  format?: FormatSuffix;
}

/** Longest expression accepted: far beyond any watch, short enough that parsing and evaluating stay instant. */
export const MAX_EXPRESSION_LENGTH = 10_000;
/** Deepest nesting (parentheses, unary operators, operator chains, closures) accepted; a bound keeps the parser and evaluator far from the stack's end. */
export const MAX_NESTING = 256;

/** A syntax or evaluation error; `column` is 1-based. The message shows the source with a caret under the column. */
export class ExpressionSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly column: number,
  ) {
    super(withCaret(reason, source, column));
    this.name = 'ExpressionSyntaxError';
  }
}

/** `reason at column N`, then the source and a caret under the column (long sources are shown around the column). */
export function withCaret(reason: string, source: string, column: number): string {
  let shown = source;
  let caret = Math.max(0, column - 1);
  if (shown.length > 120) {
    const from = Math.max(0, caret - 60);
    shown = `${from > 0 ? '…' : ''}${source.slice(from, from + 120)}${from + 120 < source.length ? '…' : ''}`;
    caret = caret - from + (from > 0 ? 1 : 0);
  }
  return `${reason} at column ${column}\n  ${shown}\n  ${' '.repeat(caret)}^`;
}

type TokenKind = 'int' | 'float' | 'str' | 'char' | 'ident' | 'punct' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  /** Decoded value for literals, the suffix for numbers. */
  value?: string;
}

const PUNCTUATION = [
  '..=', '::', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '..', '=>', '->',
  '+', '-', '*', '/', '%', '<', '>', '!', '&', '|', '^', '.', '[', ']', '(', ')', '{', '}', ',', ';', ':', '=', '_', '?',
];
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
      const hex = /^0[xX][0-9a-fA-F_]+|^0[bB][01_]+|^0[oO][0-7_]+/.exec(source.slice(i, i + 200));
      if (hex) {
        text = hex[0];
        i += text.length;
      } else {
        const m = /^[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?/.exec(source.slice(i, i + 400))!;
        text = m[0];
        i += text.length;
      }
      const suffix = /^(u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64)(?![A-Za-z0-9_])/.exec(source.slice(i, i + 8));
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
    if (/[A-Za-z_]/.test(ch) && !(ch === '_' && !/[A-Za-z0-9_]/.test(source[i + 1] ?? ''))) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 1000))!;
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
    const m = /^[0-7][0-9a-fA-F]/.exec(source.slice(at + 2, at + 4));
    if (!m) fail('invalid \\x escape (expected two hex digits, at most 7F)', at);
    return [String.fromCharCode(parseInt(m![0], 16)), 4];
  }
  if (next === 'u') {
    const m = /^\{([0-9a-fA-F_]{1,6})\}/.exec(source.slice(at + 2, at + 12));
    if (!m) fail('invalid \\u escape (expected \\u{XXXX})', at);
    return [String.fromCodePoint(parseInt(m![1].replace(/_/g, ''), 16)), 2 + m![0].length];
  }
  return fail(`unknown escape '\\${next ?? ''}'`, at);
}

/** Binary operators from loosest to tightest, as Rust binds them (`as` and unary bind tighter still). */
const BINARY_LEVELS: BinaryOp[][] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
const COMPARISON_LEVEL = 2;

/** Parses one expression; throws ExpressionSyntaxError with the column of the first problem. */
export function parseExpression(source: string): Expr {
  return parseWatch(source).expr;
}

/** Parses an expression with an optional display suffix (`v,x`, `p,[4]`). */
export function parseWatch(source: string): ParsedExpression {
  if (source.trim() === '') throw new ExpressionSyntaxError('the expression is empty', source, 1);
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`the expression is ${source.length} characters long, more than the limit of ${MAX_EXPRESSION_LENGTH}; shorten it`, source.slice(0, 80), 1);
  }
  const tokens = tokenize(source);
  let pos = 0;
  let nesting = 0;
  const peek = (ahead = 0): Token => tokens[Math.min(pos + ahead, tokens.length - 1)];
  const fail = (reason: string, token: Token = peek()): never => {
    throw new ExpressionSyntaxError(reason, source, token.start + 1);
  };
  const describe = (t: Token): string => (t.kind === 'eof' ? 'end of expression' : `'${t.text}'`);
  const isPunct = (text: string, ahead = 0): boolean => peek(ahead).kind === 'punct' && peek(ahead).text === text;
  const isIdent = (text: string): boolean => peek().kind === 'ident' && peek().text === text;
  const expect = (text: string): Token => {
    if (!isPunct(text)) fail(`expected '${text}' but found ${describe(peek())}`);
    return tokens[pos++];
  };
  /** Items separated by commas (a trailing one allowed) up to `close`, which it consumes. */
  const commaList = <T>(close: string, item: () => T): T[] => {
    const items: T[] = [];
    while (!isPunct(close)) {
      items.push(item());
      if (!isPunct(',')) break;
      pos++;
    }
    expect(close);
    return items;
  };
  const enter = (): void => {
    if (++nesting > MAX_NESTING) fail(`the expression nests deeper than ${MAX_NESTING} levels (the nesting limit); split it or remove parentheses`);
  };

  /** Splits a `>>` token when the first `>` closes generics. */
  const expectClosingAngle = (): void => {
    const t = peek();
    if (t.kind === 'punct' && t.text === '>>') {
      tokens[pos] = { ...t, text: '>', start: t.start + 1 };
      return;
    }
    if (t.kind === 'punct' && t.text === '>=') {
      tokens[pos] = { ...t, text: '=', start: t.start + 1 };
      return;
    }
    expect('>');
  };

  /** A type as written after `as` or in a turbofish, returned as normalised text. */
  const parseType = (): string => {
    enter();
    try {
      const t = peek();
      if (isPunct('&') || isPunct('&&')) {
        pos++;
        const inner = isIdent('mut') ? (pos++, `&mut ${parseType()}`) : `&${parseType()}`;
        return t.text === '&&' ? `&${inner}` : inner;
      }
      if (isPunct('*')) {
        pos++;
        if (!isIdent('const') && !isIdent('mut')) fail(`expected 'const' or 'mut' after '*' in a pointer type but found ${describe(peek())}`);
        const q = tokens[pos++].text;
        return `*${q} ${parseType()}`;
      }
      if (isPunct('[')) {
        pos++;
        const element = parseType();
        if (isPunct(';')) {
          pos++;
          const n = peek();
          if (n.kind !== 'int') fail(`expected an array length but found ${describe(n)}`);
          pos++;
          expect(']');
          return `[${element}; ${n.text}]`;
        }
        expect(']');
        return `[${element}]`;
      }
      if (isPunct('(')) {
        pos++;
        const items = commaList(')', parseType);
        return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
      }
      if (isPunct('_')) {
        pos++;
        return '_';
      }
      if (t.kind !== 'ident') return fail(`expected a type but found ${describe(t)}`);
      let text = '';
      for (;;) {
        const seg = peek();
        if (seg.kind !== 'ident') fail(`expected a type name but found ${describe(seg)}`);
        pos++;
        text += seg.text;
        if (isPunct('<')) {
          pos++;
          const args: string[] = [];
          for (;;) {
            args.push(parseType());
            if (!isPunct(',')) break;
            pos++;
          }
          expectClosingAngle();
          text += `<${args.join(', ')}>`;
        }
        if (!isPunct('::')) return text;
        pos++;
        text += '::';
      }
    } finally {
      nesting--;
    }
  };

  const parsePattern = (): Pattern => {
    enter();
    try {
      const first = parseSinglePattern();
      if (!isPunct('|')) return first;
      const alternatives = [first];
      while (isPunct('|')) {
        pos++;
        alternatives.push(parseSinglePattern());
      }
      return { kind: 'or', alternatives, start: first.start };
    } finally {
      nesting--;
    }
  };

  const parseSinglePattern = (): Pattern => {
    const t = peek();
    if (isPunct('_')) {
      pos++;
      return { kind: 'wild', start: t.start };
    }
    if (isPunct('..')) {
      pos++;
      return { kind: 'rest', start: t.start };
    }
    if (isPunct('&')) {
      pos++;
      if (isIdent('mut')) pos++;
      return { kind: 'ref', pattern: parseSinglePattern(), start: t.start };
    }
    if (isPunct('(')) {
      pos++;
      const items = commaList(')', parsePattern);
      return items.length === 1 && source[tokens[pos - 2].start] !== ',' ? items[0] : { kind: 'tuple', items, start: t.start };
    }
    if (t.kind === 'int' || t.kind === 'float' || t.kind === 'char' || t.kind === 'str' || isPunct('-') || isIdent('true') || isIdent('false')) {
      const from = parsePrimaryLiteral();
      if (isPunct('..=') || isPunct('..')) {
        const inclusive = tokens[pos++].text === '..=';
        return { kind: 'range', from, to: parsePrimaryLiteral(), inclusive, start: t.start };
      }
      return { kind: 'lit', value: from, start: t.start };
    }
    if (t.kind === 'ident') {
      if (t.text === 'ref' || t.text === 'mut') {
        pos++;
        return parseSinglePattern();
      }
      const segments = [t.text];
      pos++;
      while (isPunct('::')) {
        pos++;
        const next = peek();
        if (next.kind !== 'ident') fail(`expected a name after '::' but found ${describe(next)}`);
        segments.push(next.text);
        pos++;
      }
      if (isPunct('(')) {
        pos++;
        const items = commaList(')', parsePattern);
        return { kind: 'tupleStruct', segments, items, start: t.start };
      }
      if (isPunct('{')) {
        pos++;
        const fields: Array<{ name: string; pattern: Pattern }> = [];
        let etc = false;
        while (!isPunct('}')) {
          if (isPunct('..')) {
            pos++;
            etc = true;
            break;
          }
          const name = peek();
          if (name.kind !== 'ident') fail(`expected a field name but found ${describe(name)}`);
          pos++;
          if (isPunct(':')) pos++;
          fields.push({ name: name.text, pattern: tokens[pos - 1].text === ':' ? parsePattern() : { kind: 'bind', name: name.text, start: name.start } });
          if (!isPunct(',')) break;
          pos++;
        }
        expect('}');
        return { kind: 'struct', segments, fields, etc, start: t.start };
      }
      // A lone lower-case name binds; a capitalised one (`None`, `Empty`) or a path names a variant or constant.
      if (segments.length === 1 && /^[a-z_]/.test(t.text)) return { kind: 'bind', name: t.text, start: t.start };
      return { kind: 'path', segments, start: t.start };
    }
    return fail(`expected a pattern but found ${describe(t)}`);
  };

  const parsePrimaryLiteral = (): Expr => {
    const t = peek();
    if (isPunct('-')) {
      pos++;
      return { kind: 'unary', op: '-', operand: parsePrimaryLiteral(), start: t.start };
    }
    if (t.kind === 'int' || t.kind === 'float' || t.kind === 'char' || t.kind === 'str' || isIdent('true') || isIdent('false')) return parsePrimary();
    return fail(`expected a literal but found ${describe(t)}`);
  };

  /** Whether the next token can begin an expression (to tell `a..` from `a..b`). */
  const startsExpression = (): boolean => {
    const t = peek();
    if (t.kind === 'eof') return false;
    if (t.kind !== 'punct') return true;
    return ['(', '-', '!', '*', '&', '|', '||', '&&'].includes(t.text);
  };

  const parseExpr = (): Expr => {
    enter();
    try {
      const t = peek();
      if (isPunct('..') || isPunct('..=')) {
        const inclusive = tokens[pos++].text === '..=';
        const to = startsExpression() ? parseLevel(0) : undefined;
        if (inclusive && !to) fail('an inclusive range needs an end (`..=end`)');
        return { kind: 'range', to, inclusive, start: t.start };
      }
      const left = parseLevel(0);
      if (isPunct('..') || isPunct('..=')) {
        const op = tokens[pos++];
        const inclusive = op.text === '..=';
        const to = startsExpression() ? parseLevel(0) : undefined;
        if (inclusive && !to) fail('an inclusive range needs an end (`start..=end`)');
        return { kind: 'range', from: left, to, inclusive, start: left.start };
      }
      return left;
    } finally {
      nesting--;
    }
  };

  const parseLevel = (level: number): Expr => {
    if (level === BINARY_LEVELS.length) return parseCast();
    let left = parseLevel(level + 1);
    let chain = 0;
    while (peek().kind === 'punct' && (BINARY_LEVELS[level] as string[]).includes(peek().text)) {
      // A `|` right after a complete operand in a closure's parameter list is handled by the closure; here it is an operator.
      const opToken = tokens[pos++];
      if (++chain + nesting > MAX_NESTING) fail(`the expression chains more than ${MAX_NESTING} operators (the nesting limit); split it`, opToken);
      const right = parseLevel(level + 1);
      left = { kind: 'binary', op: opToken.text as BinaryOp, left, right, start: opToken.start };
      // Rust does not chain comparisons: `a < b < c` is an error there, so it is here.
      if (level === COMPARISON_LEVEL && peek().kind === 'punct' && (BINARY_LEVELS[level] as string[]).includes(peek().text)) {
        fail('comparison operators cannot be chained; use parentheses');
      }
    }
    return left;
  };

  const parseCast = (): Expr => {
    let operand = parseUnary();
    let chain = 0;
    while (isIdent('as')) {
      const asToken = tokens[pos++];
      if (++chain + nesting > MAX_NESTING) fail(`the expression chains more than ${MAX_NESTING} casts (the nesting limit)`, asToken);
      operand = { kind: 'cast', operand, type: parseType(), start: asToken.start };
    }
    return operand;
  };

  const parseUnary = (): Expr => {
    const t = peek();
    if (t.kind === 'punct' && (t.text === '-' || t.text === '!' || t.text === '*' || t.text === '&' || t.text === '&&')) {
      pos++;
      enter();
      try {
        if (t.text === '&' && isIdent('mut')) pos++;
        const operand = parseUnary();
        if (t.text === '&&') return { kind: 'unary', op: '&', operand: { kind: 'unary', op: '&', operand, start: t.start + 1 }, start: t.start };
        return { kind: 'unary', op: t.text as UnaryOp, operand, start: t.start };
      } finally {
        nesting--;
      }
    }
    return parsePostfix(parsePrimary());
  };

  const parseArguments = (): Expr[] => {
    expect('(');
    return commaList(')', parseExpr);
  };

  const parsePostfix = (target: Expr): Expr => {
    let chain = 0;
    for (;;) {
      if (++chain + nesting > MAX_NESTING) fail(`the expression chains more than ${MAX_NESTING} accesses (the nesting limit); split it`);
      if (isPunct('.')) {
        const dot = tokens[pos++];
        const t = peek();
        if (t.kind === 'int' && !t.value) {
          pos++;
          target = { kind: 'tupleField', target, index: Number(t.text), start: dot.start };
        } else if (t.kind === 'float' && /^\d+\.\d+$/.test(t.text) && !t.value) {
          // `t.0.1` lexes its tail as the float `0.1`: split it back into two tuple accesses.
          pos++;
          const [a, b] = t.text.split('.');
          target = { kind: 'tupleField', target, index: Number(a), start: dot.start };
          target = { kind: 'tupleField', target, index: Number(b), start: dot.start };
        } else if (t.kind === 'ident') {
          pos++;
          let turbofish: string | undefined;
          if (isPunct('::')) {
            pos++;
            expect('<');
            const args: string[] = [];
            for (;;) {
              args.push(parseType());
              if (!isPunct(',')) break;
              pos++;
            }
            expectClosingAngle();
            turbofish = args.join(', ');
            if (!isPunct('(')) fail(`expected '(' after the method's type arguments but found ${describe(peek())}`);
          }
          if (isPunct('(')) {
            target = { kind: 'call', target, method: t.text, args: parseArguments(), turbofish, start: t.start };
          } else {
            target = { kind: 'field', target, name: t.text, start: t.start };
          }
        } else {
          fail(`expected a field name or tuple index after '.' but found ${describe(t)}`);
        }
      } else if (isPunct('[')) {
        const open = tokens[pos++];
        const index = parseExpr();
        expect(']');
        target = { kind: 'index', target, index, start: open.start };
      } else if (isPunct('?')) {
        fail("'?' returns from a function, which an expression watched in the debugger cannot do; use .unwrap()");
      } else {
        return target;
      }
    }
  };

  const parseClosure = (): Expr => {
    const t = peek();
    let params: Pattern[] = [];
    if (isPunct('||')) pos++;
    else {
      expect('|');
      params = commaList('|', () => {
        const param = parseSinglePattern();
        if (isPunct(':')) fail('closure parameter types are not needed here; write |x| without the type');
        return param;
      });
    }
    if (isIdent('move')) pos++;
    return { kind: 'closure', params, body: parseExpr(), start: t.start };
  };

  const parsePrimary = (): Expr => {
    const t = peek();
    switch (t.kind) {
      case 'int': {
        pos++;
        const suffix = t.value || undefined;
        if (suffix && !INT_SUFFIXES.includes(suffix)) return { kind: 'float', value: Number(t.text), suffix, start: t.start };
        return { kind: 'int', value: BigInt(t.text), suffix, start: t.start };
      }
      case 'float':
        pos++;
        return { kind: 'float', value: Number(t.text), suffix: t.value || undefined, start: t.start };
      case 'str':
        pos++;
        return { kind: 'str', value: t.value!, start: t.start };
      case 'char':
        pos++;
        return { kind: 'char', value: t.value!, start: t.start };
      case 'ident': {
        pos++;
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', start: t.start };
        if (t.text === 'matches' && isPunct('!')) {
          pos++;
          expect('(');
          const operand = parseExpr();
          expect(',');
          const pattern = parsePattern();
          if (isPunct(',')) pos++;
          expect(')');
          return { kind: 'matches', operand, pattern, start: t.start };
        }
        if (isPunct('!')) fail(`the macro '${t.text}!' is not supported; matches! is`);
        const segments = [t.text];
        while (isPunct('::')) {
          pos++;
          const next = peek();
          if (next.kind === 'punct' && next.text === '<') {
            // `Vec::<u8>::new` style generics on a path: kept as text on the segment before.
            pos++;
            const args: string[] = [];
            for (;;) {
              args.push(parseType());
              if (!isPunct(',')) break;
              pos++;
            }
            expectClosingAngle();
            segments[segments.length - 1] += `<${args.join(', ')}>`;
            continue;
          }
          if (next.kind !== 'ident') fail(`expected a name after '::' but found ${describe(next)}`);
          segments.push(next.text);
          pos++;
        }
        if (isPunct('(')) return { kind: 'pathCall', segments, args: parseArguments(), start: t.start };
        if (isPunct('{') && /^[A-Z]/.test(segments[segments.length - 1])) fail('struct literals are not supported; compare fields one by one or use matches!');
        return { kind: 'path', segments, start: t.start };
      }
      case 'punct':
        if (t.text === '(') {
          pos++;
          if (isPunct(')')) {
            pos++;
            return { kind: 'tuple', items: [], start: t.start };
          }
          const first = parseExpr();
          if (isPunct(',')) {
            const items = [first];
            while (isPunct(',')) {
              pos++;
              if (isPunct(')')) break;
              items.push(parseExpr());
            }
            expect(')');
            return { kind: 'tuple', items, start: t.start };
          }
          expect(')');
          return first;
        }
        if (t.text === '|' || t.text === '||') {
          enter();
          try {
            return parseClosure();
          } finally {
            nesting--;
          }
        }
        return fail(`expected an expression but found ${describe(t)}`);
      default:
        return fail(`expected an expression but found ${describe(t)}`);
    }
  };

  const expr = parseExpr();
  let format: FormatSuffix | undefined;
  if (isPunct(',')) {
    const comma = tokens[pos++];
    const t = peek();
    if (t.kind === 'ident' && /^(x|X|h|b|o)$/.test(t.text)) {
      pos++;
      format = { kind: t.text === 'b' ? 'binary' : t.text === 'o' ? 'octal' : 'hex' };
    } else if (isPunct('[')) {
      pos++;
      const n = peek();
      if (n.kind !== 'int') fail(`expected an element count in ',[N]' but found ${describe(n)}`);
      pos++;
      expect(']');
      format = { kind: 'elements', count: Number(n.text) };
    } else {
      fail(`expected a display suffix after ',' (x, b, o or [N]) but found ${describe(t)}`, comma);
    }
  }
  if (peek().kind !== 'eof') fail(`unexpected ${describe(peek())} after the expression`);
  return { expr, format };
}
