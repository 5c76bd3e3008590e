// Tokens → syntax tree, by Pratt parsing from one precedence table (after tshark 4.0's
// grammar: `||` binds loosest, then `&&`, then `!`, then comparisons, then bitwise `&`).
// Every node keeps {start, end} so the checker can point at the exact token.
import { filterError } from './errors.ts';
import { hintForUnexpected } from './hints.ts';
import { tokenize, type Token } from './lexer.ts';

/** The comparison operators, by their tshark 4.0 names. */
export type CompareOp = 'any_eq' | 'all_ne' | 'all_eq' | 'any_ne' | 'gt' | 'lt' | 'ge' | 'le' | 'contains' | 'matches';

interface Span {
  start: number;
  end: number;
}

/** A word: a field name or an unquoted value — which one is decided by the checker. */
export interface WordNode extends Span {
  type: 'word';
  text: string;
}

export interface StringNode extends Span {
  type: 'string';
  text: string;
  bytes: Uint8Array;
}

export interface CharNode extends Span {
  type: 'char';
  text: string;
  code: number;
}

/** `-word`: only meaningful before a number. */
export interface NegativeNode extends Span {
  type: 'negative';
  operand: WordNode;
}

export interface BitAndNode extends Span {
  type: 'bitand';
  left: Operand;
  right: Operand;
  opStart: number;
  opEnd: number;
}

export interface ParenNode extends Span {
  type: 'paren';
  inner: Expr;
}

/**
 * One range of a slice, in Wireshark's forms: `[i]` one byte, `[i:n]` n bytes from i, `[i-j]`
 * bytes i to j inclusive, `[i:]` from i to the end, `[:n]` the first n; a negative i counts
 * from the end.
 */
export interface SliceRange {
  start: number;
  /** Bytes in the range; undefined: to the end. */
  length: number | undefined;
}

/** `eth.src[0:3]`, `tcp[13]`, `frame[0:2,12:2]`: bytes of a field or protocol. */
export interface SliceNode extends Span {
  type: 'slice';
  field: WordNode;
  ranges: SliceRange[];
}

export type Operand = WordNode | StringNode | CharNode | NegativeNode | BitAndNode | ParenNode | SliceNode;

export interface CompareNode extends Span {
  type: 'compare';
  op: CompareOp;
  opText: string;
  opStart: number;
  opEnd: number;
  left: Operand;
  right: Operand;
}

export interface SetRange extends Span {
  type: 'range';
  low: Operand;
  high: Operand;
}

export interface InNode extends Span {
  type: 'in';
  left: Operand;
  opStart: number;
  opEnd: number;
  members: Array<Operand | SetRange>;
}

export interface LogicalNode extends Span {
  type: 'and' | 'or';
  left: Expr;
  right: Expr;
}

export interface NotNode extends Span {
  type: 'not';
  operand: Expr;
}

/** An operand standing alone: true when the field or protocol is present (or `a & b` ≠ 0). */
export interface TestNode extends Span {
  type: 'test';
  operand: Operand;
}

export type Expr = CompareNode | InNode | LogicalNode | NotNode | TestNode;

const COMPARE_OPS: Record<string, CompareOp> = {
  '==': 'any_eq',
  eq: 'any_eq',
  any_eq: 'any_eq',
  '!=': 'all_ne',
  ne: 'all_ne',
  all_ne: 'all_ne',
  '===': 'all_eq',
  all_eq: 'all_eq',
  '!==': 'any_ne',
  any_ne: 'any_ne',
  '>': 'gt',
  gt: 'gt',
  '<': 'lt',
  lt: 'lt',
  '>=': 'ge',
  ge: 'ge',
  '<=': 'le',
  le: 'le',
  contains: 'contains',
  matches: 'matches',
  '~': 'matches',
};

/** Binding powers: the one precedence table. */
const BP_OR = 10;
const BP_AND = 20;
const BP_NOT = 30;

const isKeyword = (t: Token, word: string): boolean => t.kind === 'word' && t.text === word;
const isOp = (t: Token, op: string): boolean => t.kind === 'op' && t.text === op;
const isOr = (t: Token): boolean => isOp(t, '||') || isKeyword(t, 'or');
const isAnd = (t: Token): boolean => isOp(t, '&&') || isKeyword(t, 'and');
const isNot = (t: Token): boolean => isOp(t, '!') || isKeyword(t, 'not');
const compareOpOf = (t: Token): CompareOp | undefined =>
  t.kind === 'op' || t.kind === 'word'
    ? Object.hasOwn(COMPARE_OPS, t.text)
      ? COMPARE_OPS[t.text]
      : undefined
    : undefined;

/** Words that are operators, never field names or values. */
const RESERVED = new Set([
  'and',
  'or',
  'not',
  'in',
  'eq',
  'ne',
  'any_eq',
  'all_ne',
  'all_eq',
  'any_ne',
  'gt',
  'lt',
  'ge',
  'le',
  'contains',
  'matches',
]);

/** Maximum nesting of parentheses and `!`: deeper filters are rejected instead of overflowing the stack. */
const MAX_DEPTH = 200;

class Parser {
  private position = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    const t = this.tokens[this.position];
    if (t.kind !== 'end') this.position++;
    return t;
  }

  /** tshark's two syntax messages: the end came too early, or this token cannot come here. */
  unexpected(t: Token): never {
    const at = this.tokens.indexOf(t);
    const hint = hintForUnexpected(this.tokens, at);
    if (t.kind === 'end') throw filterError('syntax', 'Unexpected end of filter expression.', t.start, t.end, hint);
    throw filterError('syntax', `"${t.text}" was unexpected in this context.`, t.start, t.end, hint);
  }

  parseFilter(): Expr | undefined {
    if (this.peek().kind === 'end') return undefined;
    const expr = this.parseExpr(0);
    const t = this.peek();
    if (t.kind !== 'end') this.unexpected(t);
    return expr;
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) {
      throw filterError('syntax', `The filter nests more than ${MAX_DEPTH} levels deep.`, t.start, t.end);
    }
  }

  private parseExpr(minBp: number): Expr {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      let bp: number;
      let type: 'and' | 'or';
      if (isOr(t)) {
        bp = BP_OR;
        type = 'or';
      } else if (isAnd(t)) {
        bp = BP_AND;
        type = 'and';
      } else break;
      if (bp <= minBp) break;
      this.next();
      const right = this.parseExpr(bp);
      left = { type, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parsePrefix(): Expr {
    const t = this.peek();
    if (isNot(t)) {
      this.next();
      this.enter(t);
      const operand = this.parseExpr(BP_NOT);
      this.depth--;
      return { type: 'not', operand, start: t.start, end: operand.end };
    }
    return this.parseRelation();
  }

  private parseRelation(): Expr {
    const left = this.parseTerm();
    const t = this.peek();
    const op = compareOpOf(t);
    if (op !== undefined) {
      this.next();
      const right = this.parseTerm();
      const after = this.peek();
      const chained = compareOpOf(after);
      if (chained !== undefined) {
        // tshark reads `a == b == c` as a comparison whose left side is `b`, and marks `b`.
        const leftText = this.text.slice(right.start, right.end);
        throw filterError(
          'syntax',
          `Left side of "${after.text}" expression must be a field or function, not ${leftText}.`,
          right.start,
          right.end,
          'Comparisons do not chain: join two comparisons with && (e.g. tcp.port >= 1 && tcp.port <= 100).',
        );
      }
      return {
        type: 'compare',
        op,
        opText: t.text,
        opStart: t.start,
        opEnd: t.end,
        left,
        right,
        start: left.start,
        end: right.end,
      };
    }
    if (isKeyword(t, 'in')) {
      this.next();
      return this.parseSet(left, t);
    }
    // `tcp.port not in {80, 443}` is `!(tcp.port in {80, 443})` (tshark 4.0): true also
    // for packets without the field.
    if (isKeyword(t, 'not') && isKeyword(this.tokens[this.position + 1], 'in')) {
      this.next();
      const inToken = this.next();
      const set = this.parseSet(left, inToken);
      return { type: 'not', operand: set, start: set.start, end: set.end };
    }
    return { type: 'test', operand: left, start: left.start, end: left.end };
  }

  private parseSet(left: Operand, inToken: Token): InNode {
    const open = this.next();
    if (!isOp(open, '{')) this.unexpected(open);
    const members: Array<Operand | SetRange> = [];
    for (;;) {
      const low = this.parseTerm();
      if (isOp(this.peek(), '..')) {
        this.next();
        const high = this.parseTerm();
        members.push({ type: 'range', low, high, start: low.start, end: high.end });
      } else members.push(low);
      const t = this.next();
      if (isOp(t, '}'))
        return { type: 'in', left, opStart: inToken.start, opEnd: inToken.end, members, start: left.start, end: t.end };
      if (!isOp(t, ',')) this.unexpected(t);
    }
  }

  /** `[range, range, …]` after a field or protocol name. */
  private parseSlice(field: WordNode): SliceNode {
    const ranges: SliceRange[] = [];
    this.next(); // [
    for (;;) {
      const t = this.peek();
      if (t.kind === 'end')
        throw filterError(
          'syntax',
          'The right bracket was missing from a slice.',
          t.start,
          t.end,
          `Close the slice: ${field.text}[0:3]`,
        );
      let negative = false;
      let at = this.next();
      if (isOp(at, '-')) {
        negative = true;
        at = this.next();
        if (at.kind === 'end')
          throw filterError('syntax', 'The right bracket was missing from a slice.', at.start, at.end);
      }
      if (at.kind !== 'word') this.unexpected(at);
      const range = sliceRange(at.text, negative);
      if (range === 'bad-number')
        throw filterError(
          'type',
          `"${at.text}" is not a valid number.`,
          at.start,
          at.end,
          'A slice is byte offsets: [0:3] (3 bytes from 0), [1-2] (bytes 1 to 2), [13] (one byte).',
        );
      if (range === undefined)
        throw filterError(
          'syntax',
          `"${at.text}" is not a valid slice range.`,
          at.start,
          at.end,
          'A slice is byte offsets: [0:3] (3 bytes from 0), [1-2] (bytes 1 to 2), [13] (one byte).',
        );
      ranges.push(range);
      const after = this.next();
      if (isOp(after, ']')) return { type: 'slice', field, ranges, start: field.start, end: after.end };
      if (after.kind === 'end')
        throw filterError(
          'syntax',
          'The right bracket was missing from a slice.',
          after.start,
          after.end,
          `Close the slice: ${field.text}[0:3]`,
        );
      if (!isOp(after, ',')) this.unexpected(after);
    }
  }

  /** An operand, with any `& mask` after it. */
  private parseTerm(): Operand {
    let left = this.parseAtom();
    while (isOp(this.peek(), '&')) {
      const op = this.next();
      const right = this.parseAtom();
      left = { type: 'bitand', left, right, opStart: op.start, opEnd: op.end, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAtom(): Operand {
    const t = this.next();
    if (t.kind === 'word' && !RESERVED.has(t.text)) {
      const word: WordNode = { type: 'word', text: t.text, start: t.start, end: t.end };
      return isOp(this.peek(), '[') ? this.parseSlice(word) : word;
    }
    if (t.kind === 'string') return { type: 'string', text: t.text, bytes: t.bytes!, start: t.start, end: t.end };
    if (t.kind === 'char') return { type: 'char', text: t.text, code: t.code!, start: t.start, end: t.end };
    if (isOp(t, '-')) {
      const w = this.next();
      if (w.kind !== 'word' || RESERVED.has(w.text)) this.unexpected(w);
      return {
        type: 'negative',
        operand: { type: 'word', text: w.text, start: w.start, end: w.end },
        start: t.start,
        end: w.end,
      };
    }
    if (isOp(t, '(')) {
      this.enter(t);
      const inner = this.parseExpr(0);
      this.depth--;
      const close = this.next();
      if (!isOp(close, ')')) this.unexpected(close);
      return { type: 'paren', inner, start: t.start, end: close.end };
    }
    this.unexpected(t);
  }
}

/** Parses the text of one slice range (`0:3`, `1-2`, `4:`, `:2`, `13`); undefined if malformed. */
function sliceRange(text: string, negative: boolean): SliceRange | 'bad-number' | undefined {
  const number = (digits: string): number => Number(digits);
  let m: RegExpExecArray | null;
  if ((m = /^([0-9]+)$/.exec(text))) return { start: negative ? -number(m[1]) : number(m[1]), length: 1 };
  if ((m = /^([0-9]*):([0-9]*)$/.exec(text))) {
    const start = m[1] === '' ? 0 : number(m[1]);
    return { start: negative ? -start : start, length: m[2] === '' ? undefined : number(m[2]) };
  }
  if (!negative && (m = /^([0-9]+)-([0-9]+)$/.exec(text))) {
    const start = number(m[1]);
    const end = number(m[2]);
    return end < start ? undefined : { start, length: end - start + 1 };
  }
  return /^[0-9:-]*$/.test(text) ? undefined : 'bad-number';
}

/** Parses a filter; `undefined` for an empty filter (which shows every packet, as in tshark). */
export function parseFilter(text: string): Expr | undefined {
  return new Parser(text, tokenize(text)).parseFilter();
}
