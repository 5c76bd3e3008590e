// Filter text → tokens, each with its {start, end} in the text. Follows tshark 4.0's scanner
// where it matters to users: an unquoted value is one "word" (tcp.port, 80, 0x12,
// 192.168.0.0/16, fe80::1, 00:11:22:33:44:55 all are), `..` splits a range, keywords are
// lowercase words, `-` before a word is a unary minus.
import { filterError } from './errors.ts';

export type TokenKind = 'word' | 'string' | 'char' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** The source text of the token, quotes included. */
  text: string;
  /** For 'string': the bytes after escapes; for 'char': the character code. */
  bytes?: Uint8Array;
  code?: number;
  start: number;
  end: number;
}

/** Operators and punctuation, longest first so `===` wins over `==` over `=`. */
const OPERATORS = [
  '===',
  '!==',
  '==',
  '!=',
  '>=',
  '<=',
  '&&',
  '||',
  '..',
  '>',
  '<',
  '=',
  '!',
  '~',
  '&',
  '|',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  '-',
  '#',
  '$',
  '.',
  ':',
];

const isWordStart = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a;

const isWordPart = (c: number): boolean => isWordStart(c) || c === 0x2e || c === 0x2d || c === 0x2f;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

const utf8 = new TextEncoder();

/** Decodes the escapes of a quoted string or character constant; returns bytes. */
function unescape(quoteStart: number, body: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      for (const b of utf8.encode(c)) out.push(b);
      continue;
    }
    const escapeStart = quoteStart + 1 + i;
    const next = body[i + 1];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };
    if (next !== undefined && simple[next] !== undefined) {
      out.push(simple[next]);
      i++;
    } else if (next === 'x' && /^[0-9a-fA-F]/.test(body.slice(i + 2, i + 3))) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 2))![0];
      out.push(parseInt(hex, 16));
      i += 1 + hex.length;
    } else if (next !== undefined && next >= '0' && next <= '7') {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out.push(parseInt(octal, 8) & 0xff);
      i += octal.length;
    } else {
      const shown = next === undefined ? '\\' : `\\${next}`;
      throw filterError(
        'syntax',
        `${shown} is not a valid character escape sequence`,
        escapeStart,
        escapeStart + shown.length,
      );
    }
  }
  return Uint8Array.from(out);
}

/** Finds the closing quote of a string starting at `start`, honouring backslashes; -1 if none. */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 0x22 /* " */) {
      const close = closingQuote(text, start, '"');
      if (close < 0)
        throw filterError('syntax', 'The final quote was missing from a quoted string.', text.length, text.length);
      const raw = text.slice(start, close + 1);
      tokens.push({
        kind: 'string',
        text: raw,
        bytes: unescape(start, text.slice(start + 1, close)),
        start,
        end: close + 1,
      });
      i = close + 1;
      continue;
    }
    if (c === 0x27 /* ' */) {
      const close = closingQuote(text, start, "'");
      if (close < 0)
        throw filterError('syntax', 'The final quote was missing from a character constant.', text.length, text.length);
      const raw = text.slice(start, close + 1);
      const bytes = unescape(start, text.slice(start + 1, close));
      if (bytes.length !== 1) {
        throw filterError(
          'syntax',
          `${raw} is too ${bytes.length === 0 ? 'short' : 'long'} to be a valid character constant.`,
          start,
          close + 1,
        );
      }
      tokens.push({ kind: 'char', text: raw, code: bytes[0], start, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < text.length && isWordPart(text.charCodeAt(j))) {
        // `80..90` is a range: the word stops before `..`.
        if (text.charCodeAt(j) === 0x2e && text.charCodeAt(j + 1) === 0x2e) break;
        j++;
      }
      tokens.push({ kind: 'word', text: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    // Any other character becomes a one-character operator the parser will reject in context.
    const opText = op ?? String.fromCodePoint(text.codePointAt(i)!);
    tokens.push({ kind: 'op', text: opText, start: i, end: i + opText.length });
    i += opText.length;
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}
