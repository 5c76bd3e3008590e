// Syntax tree → checked closures. The check resolves every name against the field
// registry, converts every literal to the field's kind (with tshark's messages) and rejects
// operators the field's type cannot take. What comes out is a tree of closures: compiled once,
// then run over every packet with no allocation per packet.
import { fieldRegistry } from '../fields/registry.ts';
import {
  FieldValues,
  isNumericKind,
  kindLabel,
  readerOf,
  type FieldContext,
  type FieldDefinition,
} from '../fields/types.ts';
import { filterError, type FilterWarning } from './errors.ts';
import { containsBytes, framesContaining } from './frame-search.ts';
import { hintForLoneValue, hintForUnknownName, WIRESHARK_ONLY_PROTOCOLS } from './hints.ts';
import { bytesLiteral, literalFor, type Literal, type NumberLiteral } from './literals.ts';
import type {
  CompareNode,
  CompareOp,
  Expr,
  InNode,
  Operand,
  SetRange,
  SliceNode,
  SliceRange,
  WordNode,
} from './parser.ts';

/** A predicate over packet indices, built for one capture. */
export type Predicate = (index: number) => boolean;

/** Builds the predicate for a capture; called once per run, never per packet. */
export type PredicateFactory = (context: FieldContext) => Predicate;

/** A field as read by a filter, with an optional `& mask` applied to each occurrence. */
interface Source {
  field: FieldDefinition;
  mask?: number;
  start: number;
  end: number;
}

function operandText(text: string, node: Operand): string {
  return text.slice(node.start, node.end);
}

export class Checker {
  readonly warnings: FilterWarning[] = [];
  constructor(private readonly text: string) {}

  private field(word: WordNode): FieldDefinition | undefined {
    return fieldRegistry.get(word.text);
  }

  private unknownAlone(node: Operand): never {
    const shown = operandText(this.text, node);
    const hint = node.type === 'word' ? hintForUnknownName(node.text) : undefined;
    throw filterError('unknown-field', `${shown} is neither a field nor a protocol name.`, node.start, node.end, hint);
  }

  /** The left side of a comparison must be a field (or `field & mask`). */
  private source(node: Operand, opText: string): Source {
    if (node.type === 'word') {
      const field = this.field(node);
      if (field !== undefined) return { field, start: node.start, end: node.end };
    }
    if (node.type === 'bitand') return this.bitand(node);
    if (node.type === 'slice') return this.slice(node);
    const shown = operandText(this.text, node);
    const hint =
      node.type === 'word'
        ? hintForUnknownName(node.text)
        : 'Put the field on the left: tcp.port == 80, not 80 == tcp.port.';
    throw filterError(
      'unknown-field',
      `Left side of "${opText}" expression must be a field or function, not ${shown}.`,
      node.start,
      node.end,
      hint,
    );
  }

  /**
   * `eth.src[0:3]`: the field's bytes (an address as its bytes on the wire, a protocol as the
   * bytes it spans), cut to the ranges and joined — a field of kind bytes, built here.
   */
  private slice(node: SliceNode, mask?: Uint8Array): Source {
    const field = this.field(node.field);
    if (field === undefined) this.unknownAlone(node.field);
    const sliceable =
      field.kind === 'ether' ||
      field.kind === 'ipv4' ||
      field.kind === 'ipv6' ||
      field.kind === 'bytes' ||
      field.kind === 'string' ||
      field.kind === 'protocol';
    if (!sliceable) {
      throw filterError(
        'type',
        `"${field.name}" is a ${kindLabel(field)} and cannot be sliced into a sequence of bytes.`,
        node.field.start,
        node.field.end,
        field.kind === 'uint' ? `Compare it as a number, or mask bits with &: ${field.name} & 0xff00` : undefined,
      );
    }
    const protocolBytes = field.kind === 'protocol';
    const ranges = node.ranges;
    const name = this.text.slice(node.start, node.end);
    const sliced: FieldDefinition = {
      name,
      kind: 'bytes',
      description: `bytes of ${field.name}`,
      read: (context, index, out) => {
        const inner = innerValues;
        inner.reset();
        readerOf(field, context, protocolBytes)(context, index, inner);
        for (let k = 0; k < inner.count; k++) {
          const whole =
            field.kind === 'ether'
              ? numberBytes(inner.numbers[k], 6)
              : field.kind === 'ipv4'
                ? numberBytes(inner.numbers[k], 4)
                : inner.bytes[k];
          const cut = sliceBytes(whole, ranges);
          if (cut !== undefined) out.pushBytes(mask === undefined ? cut : andBytes(cut, mask));
        }
      },
    };
    // One scratch buffer per slice in the filter: readers never run re-entrantly.
    const innerValues = new FieldValues();
    return { field: sliced, start: node.start, end: node.end };
  }

  private bitand(node: Extract<Operand, { type: 'bitand' }>): Source {
    if (node.left.type === 'slice') {
      // `tcp[13] & 0x02`: bytes and bytes, as in tshark.
      const mask = bytesLiteral({ name: '', kind: 'bytes', description: '', read: () => {} }, node.right).value;
      const source = this.slice(node.left, mask);
      return { ...source, end: node.end };
    }
    if (node.left.type !== 'word' || this.field(node.left) === undefined) {
      if (node.left.type === 'word') this.unknownAlone(node.left);
      throw filterError('type', `The left side of "&" must be a field.`, node.left.start, node.left.end);
    }
    const field = this.field(node.left)!;
    if (field.kind === 'bool') {
      throw filterError(
        'type',
        'FT_BOOLEAN cannot &.',
        node.left.start,
        node.left.end,
        `${field.name} is already a single bit: test it with ${field.name} == 1.`,
      );
    }
    if (field.kind !== 'uint' && field.kind !== 'int' && field.kind !== 'framenum') {
      throw filterError(
        'type',
        `${field.name} (type=${kindLabel(field)}) cannot participate in bitwise and.`,
        node.left.start,
        node.left.end,
      );
    }
    const mask = literalFor(field, node.right) as NumberLiteral;
    return { field, mask: mask.value, start: node.start, end: node.end };
  }

  check(expr: Expr): PredicateFactory {
    switch (expr.type) {
      case 'and':
      case 'or':
        return this.chain(expr);
      case 'not': {
        const a = this.check(expr.operand);
        return (c) => {
          const pa = a(c);
          return (i) => !pa(i);
        };
      }
      case 'test':
        return this.test(expr.operand);
      case 'compare':
        return this.compare(expr);
      case 'in':
        return this.inSet(expr);
    }
  }

  /**
   * `a && b && c …` (or `||`): the parser builds a left-deep tree; flattened here into one loop,
   * so a long chain neither recurses deeply when checked nor when run.
   */
  private chain(expr: Extract<Expr, { type: 'and' | 'or' }>): PredicateFactory {
    const type = expr.type;
    const terms: Expr[] = [];
    let node: Expr = expr;
    while (node.type === type) {
      terms.push(node.right);
      node = node.left;
    }
    terms.push(node);
    terms.reverse();
    // Checked left to right, so the first error reported is the leftmost, as in tshark.
    const factories = terms.map((term, k) => {
      if (k > 0) this.loneValue(terms[k - 1], term, type);
      return this.check(term);
    });
    return (c) => {
      const predicates = factories.map((f) => f(c));
      const n = predicates.length;
      if (type === 'and') {
        return (i) => {
          for (let k = 0; k < n; k++) if (!predicates[k](i)) return false;
          return true;
        };
      }
      return (i) => {
        for (let k = 0; k < n; k++) if (predicates[k](i)) return true;
        return false;
      };
    };
  }

  /**
   * `tcp.port == 80 or 443`: a value standing alone after a comparison. tshark's message (the
   * value is "neither a field nor a protocol name"), with a hint about sets.
   */
  private loneValue(previous: Expr, right: Expr, op: 'and' | 'or'): void {
    let left: Expr = previous;
    while (left.type === 'and' || left.type === 'or') left = left.right;
    if (right.type !== 'test' || left.type !== 'compare' || left.op !== 'any_eq') return;
    const operand = right.operand;
    if (operand.type === 'word' && (fieldRegistry.has(operand.text) || WIRESHARK_ONLY_PROTOCOLS.has(operand.text)))
      return;
    if (operand.type !== 'word' && operand.type !== 'string' && operand.type !== 'negative') return;
    const field = operandText(this.text, left.left);
    const shown = operandText(this.text, operand);
    throw filterError(
      'unknown-field',
      `${shown} is neither a field nor a protocol name.`,
      operand.start,
      operand.end,
      hintForLoneValue(field, operandText(this.text, left.right), shown, op),
    );
  }

  private test(node: Operand): PredicateFactory {
    if (node.type === 'paren') return this.check(node.inner);
    if (node.type === 'bitand') {
      const source = this.bitand(node);
      if (source.field.kind === 'bytes') return bytesPredicate(source, (v) => v.some((b) => b !== 0), 'any');
      return numericPredicate(source, NONZERO, 'any');
    }
    if (node.type === 'slice') return presencePredicate(this.slice(node).field);
    if (node.type !== 'word') this.unknownAlone(node);
    const field = this.field(node);
    if (field === undefined) {
      if (WIRESHARK_ONLY_PROTOCOLS.has(node.text)) {
        throw filterError(
          'unknown-field',
          `${node.text} is a protocol porttrace does not decode.`,
          node.start,
          node.end,
          hintForUnknownName(node.text),
        );
      }
      this.unknownAlone(node);
    }
    return presencePredicate(field);
  }

  private compare(node: CompareNode): PredicateFactory {
    const source = this.source(node.left, node.opText);
    const field = source.field;
    if (node.op === 'matches') {
      if (node.right.type !== 'string') {
        throw filterError(
          'type',
          'Matches requires a double quoted string on the right side.',
          node.right.start,
          node.right.end,
          `Put the pattern in double quotes: ${field.name} matches "…".`,
        );
      }
      if (field.kind !== 'bytes' && field.kind !== 'string' && field.kind !== 'protocol')
        this.cannotParticipate(source, node.opText);
      let pattern: RegExp;
      try {
        pattern = wiresharkRegExp(new TextDecoder().decode(node.right.bytes));
      } catch (e) {
        throw filterError(
          'type',
          `Regex compilation error: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}.`,
          node.right.start,
          node.right.end,
        );
      }
      return bytesPredicate(source, (b) => pattern.test(latin1(b)), 'any');
    }
    if (node.op === 'contains') {
      if (field.kind !== 'bytes' && field.kind !== 'string' && field.kind !== 'protocol' && field.kind !== 'ether')
        this.cannotParticipate(source, node.opText);
      const needle = bytesLiteral(field, node.right).value;
      if (field.kind === 'ether') {
        return numericTestPredicate(source, (v) => containsBytes(etherBytes(v), needle), 'any');
      }
      return containsPredicate(source, needle);
    }
    if (field.kind === 'none' || field.kind === 'protocol') this.cannotParticipate(source, node.opText);
    // Field compared with field: tcp.port == tcp.srcport.
    if (
      node.right.type === 'word' &&
      (fieldRegistry.has(node.right.text) || WIRESHARK_ONLY_PROTOCOLS.has(node.right.text))
    ) {
      const other = fieldRegistry.get(node.right.text);
      if (other === undefined || !compatible(field, other)) {
        throw filterError(
          'type',
          `${operandText(this.text, node.left)} and ${node.right.text} are not of compatible types.`,
          node.right.start,
          node.right.end,
          other === undefined
            ? undefined
            : `${field.name} is ${kindLabel(field)}; ${other.name} is ${kindLabel(other)}.`,
        );
      }
      return fieldPairPredicate(source, { field: other, start: node.right.start, end: node.right.end }, node.op);
    }
    if (node.right.type === 'bitand' || node.right.type === 'paren' || node.right.type === 'slice') {
      throw filterError(
        'syntax',
        `"${operandText(this.text, node.right)}" cannot be compared with ${field.name}.`,
        node.right.start,
        node.right.end,
      );
    }
    const literal = literalFor(field, node.right);
    if (node.op === 'all_ne' && field.multiValued) {
      const value = operandText(this.text, node.right);
      this.warnings.push({
        message:
          `${field.name} has two values in every packet (source and destination). "${field.name} != ${value}" keeps only packets where neither is ${value}` +
          ` (Wireshark's != means "all not equal"). !(${field.name} == ${value}) is the same but also keeps packets without ${field.name};` +
          ` ${field.name} !== ${value} keeps packets where either one is not ${value}.`,
        start: node.opStart,
        end: node.opEnd,
      });
    }
    if (node.op === 'all_eq' && field.multiValued) {
      const value = operandText(this.text, node.right);
      this.warnings.push({
        message:
          `${field.name} has two values in every packet (source and destination). "${field.name} === ${value}" keeps only packets where both are ${value}` +
          ` (Wireshark's === means "all equal"). ${field.name} == ${value} keeps packets where either one is.`,
        start: node.opStart,
        end: node.opEnd,
      });
    }
    return literalPredicate(source, literal, node.op);
  }

  private cannotParticipate(source: Source, opText: string): never {
    const f = source.field;
    const hint =
      f.kind === 'none'
        ? `${f.name} is a flag with no value: test it alone, e.g. ${f.name} && tcp.flags.syn == 1.`
        : undefined;
    throw filterError(
      'type',
      `${f.name} (type=${kindLabel(f)}) cannot participate in ${opText === '~' ? 'matches' : opText} comparison.`,
      source.start,
      source.end,
      hint,
    );
  }

  private inSet(node: InNode): PredicateFactory {
    const source = this.source(node.left, 'in');
    const field = source.field;
    if (!isNumericKind(field.kind) && field.kind !== 'ipv6') this.cannotParticipate(source, 'in');
    const members: Array<{ low: Literal; high: Literal }> = node.members.map((m: Operand | SetRange) => {
      if (m.type === 'range') return { low: literalFor(field, m.low), high: literalFor(field, m.high) };
      const value = literalFor(field, m);
      return { low: value, high: value };
    });
    // Numbers, prefixes and ranges: each member is an interval (a value, an IPv4 network, or
    // from the low end's first address to the high end's last); byte values go through the
    // general comparison.
    if (members.every(({ low, high }) => low.kind === 'number' && high.kind === 'number')) {
      const usable = members.filter(
        ({ low, high }) => !(low as NumberLiteral).incomparable && !(high as NumberLiteral).incomparable,
      );
      return numericPredicate(
        source,
        {
          lows: Float64Array.from(usable, (m) => firstOf(m.low as NumberLiteral)),
          highs: Float64Array.from(usable, (m) => lastOf(m.high as NumberLiteral)),
          inside: true,
        },
        'any',
      );
    }
    const tests = members.map(({ low, high }) => {
      if (low === high) return literalTest(low, 'any_eq');
      const lowTest = literalTest(low, 'ge');
      const highTest = literalTest(high, 'le');
      return { n: (v: number) => lowTest.n(v) && highTest.n(v), b: (v: Uint8Array) => lowTest.b(v) && highTest.b(v) };
    });
    if (field.kind === 'ipv6') return bytesPredicate(source, (v) => tests.some((t) => t.b(v)), 'any');
    return numericTestPredicate(
      source,
      (v) => {
        for (const t of tests) if (t.n(v)) return true;
        return false;
      },
      'any',
    );
  }
}

/**
 * A PCRE pattern as a JS RegExp. Wireshark's `matches` ignores case by default; PCRE's leading
 * option setting, e.g. `(?-i)` (case-sensitive) or `(?s)`, becomes JS flags, which have no
 * inline form.
 */
function wiresharkRegExp(source: string): RegExp {
  const flags = new Set(['i']);
  let pattern = source;
  const leading = /^\(\?([imsx]*)(?:-([imsx]*))?\)/.exec(pattern);
  if (leading !== null) {
    for (const f of leading[1]) flags.add(f);
    for (const f of leading[2] ?? '') flags.delete(f);
    flags.delete('x');
    pattern = pattern.slice(leading[0].length);
  }
  return new RegExp(pattern, [...flags].join(''));
}

function compatible(a: FieldDefinition, b: FieldDefinition): boolean {
  const integer = (f: FieldDefinition) => f.kind === 'uint' || f.kind === 'int' || f.kind === 'framenum';
  if (integer(a) && integer(b)) return true;
  return a.kind === b.kind && a.kind !== 'none' && a.kind !== 'protocol';
}

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};

function etherBytes(v: number): Uint8Array {
  const out = new Uint8Array(6);
  let x = v;
  for (let i = 5; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return out;
}

/** An address held as a number (MAC, IPv4), back to its bytes in network order. */
function numberBytes(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

/** The bytes of `whole` in `ranges`, joined; undefined when a range falls outside (no value). */
function sliceBytes(whole: Uint8Array, ranges: readonly SliceRange[]): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (const range of ranges) {
    const start = range.start < 0 ? whole.length + range.start : range.start;
    const end = range.length === undefined ? whole.length : start + range.length;
    if (start < 0 || end > whole.length || end < start) return undefined;
    parts.push(whole.subarray(start, end));
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte-wise AND over the slice's length (a shorter mask leaves the rest zero). */
function andBytes(value: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length && i < mask.length; i++) out[i] = value[i] & mask[i];
  return out;
}

/** Byte strings in Wireshark's order: memcmp over the common length, then the shorter first. */
function compareWhole(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Compares the first `prefixBits` bits of two addresses (an IPv6 prefix such as fe80::/10). */
function compareBytes(a: Uint8Array, b: Uint8Array, prefixBits: number): number {
  const full = Math.floor(prefixBits / 8);
  for (let i = 0; i < full && i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  const rest = prefixBits % 8;
  if (rest !== 0 && full < a.length && full < b.length) {
    const mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) - (b[full] & mask);
  }
  if (prefixBits >= a.length * 8 && prefixBits >= b.length * 8) return a.length - b.length;
  return 0;
}

/** The literal's comparison as a test of one occurrence (numeric `n` or bytes `b`). */
function literalTest(literal: Literal, op: CompareOp): { n: (v: number) => boolean; b: (v: Uint8Array) => boolean } {
  const never = () => false;
  if (literal.kind === 'number') {
    if (literal.incomparable) {
      // tshark 4.0: a negative value for an unsigned field is never equal, greater or less.
      const ne = op === 'all_ne' || op === 'any_ne';
      return { n: () => ne, b: never };
    }
    const value = literal.value;
    if (literal.prefixBits === 0) return { n: orderTest(() => 0, op), b: never };
    if (literal.prefixBits < 32) {
      // IPv4 prefix: the addresses in the network are one interval; compare with its bounds
      // (plain number comparisons: addresses above 2^31 are not small integers to the JIT).
      const size = 2 ** (32 - literal.prefixBits);
      const low = Math.floor(value / size) * size;
      const high = low + size - 1;
      return { n: orderTest((v: number) => (v < low ? -1 : v > high ? 1 : 0), op), b: never };
    }
    return { n: orderTest((v) => v - value, op), b: never };
  }
  const bytes = literal.value;
  if (literal.prefixBits < 0) return { n: never, b: orderTest((v: Uint8Array) => compareWhole(v, bytes), op) };
  const prefix = literal.prefixBits;
  return { n: never, b: orderTest((v: Uint8Array) => compareBytes(v, bytes, prefix), op) };
}

function orderTest<T>(cmp: (v: T) => number, op: CompareOp): (v: T) => boolean {
  switch (op) {
    case 'any_eq':
    case 'all_eq':
      return (v) => cmp(v) === 0;
    case 'all_ne':
    case 'any_ne':
      return (v) => cmp(v) !== 0;
    case 'gt':
      return (v) => cmp(v) > 0;
    case 'lt':
      return (v) => cmp(v) < 0;
    case 'ge':
      return (v) => cmp(v) >= 0;
    case 'le':
      return (v) => cmp(v) <= 0;
    default:
      return () => false;
  }
}

/** How occurrences combine: any occurrence passes, or every occurrence passes (and one exists). */
type Quantifier = 'any' | 'all';

const quantifierOf = (op: CompareOp): Quantifier => (op === 'all_ne' || op === 'all_eq' ? 'all' : 'any');

function presencePredicate(field: FieldDefinition): PredicateFactory {
  return (context) => {
    const values = new FieldValues();
    const read = readerOf(field, context);
    return (i) => {
      values.reset();
      read(context, i, values);
      return values.count > 0;
    };
  };
}

/**
 * A numeric comparison as intervals: an occurrence passes when it lies in one of them (`inside`)
 * or in none (`!inside`). Every comparison with a constant is one: `== 80` is [80, 80], `> 80` is
 * "not in [-∞, 80]", `== 10.0.0.0/8` is [10.0.0.0, 10.255.255.255]; a set is several.
 */
interface Intervals {
  lows: Float64Array;
  highs: Float64Array;
  inside: boolean;
}

const NONZERO: Intervals = { lows: Float64Array.of(0), highs: Float64Array.of(0), inside: false };

/** The first value a number literal stands for: an IPv4 prefix's first address, -∞ for /0. */
function firstOf(literal: NumberLiteral): number {
  if (literal.prefixBits === 0) return -Infinity;
  if (literal.prefixBits >= 32) return literal.value;
  const size = 2 ** (32 - literal.prefixBits);
  return Math.floor(literal.value / size) * size;
}

/** The last value a number literal stands for: an IPv4 prefix's last address, ∞ for /0. */
function lastOf(literal: NumberLiteral): number {
  if (literal.prefixBits === 0) return Infinity;
  if (literal.prefixBits >= 32) return literal.value;
  return firstOf(literal) + 2 ** (32 - literal.prefixBits) - 1;
}

/** `field OP literal` as intervals (a literal with a prefix is the interval of its addresses). */
function intervalsOf(literal: NumberLiteral, op: CompareOp): Intervals {
  const interval = (low: number, high: number, inside: boolean): Intervals => ({
    lows: Float64Array.of(low),
    highs: Float64Array.of(high),
    inside,
  });
  if (literal.incomparable) {
    // tshark 4.0: a negative value for an unsigned field is never equal, greater or less.
    return interval(-Infinity, Infinity, op === 'all_ne' || op === 'any_ne');
  }
  const first = firstOf(literal);
  const last = lastOf(literal);
  switch (op) {
    case 'any_eq':
    case 'all_eq':
      return interval(first, last, true);
    case 'all_ne':
    case 'any_ne':
      return interval(first, last, false);
    case 'gt':
      return interval(-Infinity, last, false);
    case 'ge':
      return interval(first, Infinity, true);
    case 'lt':
      return interval(first, Infinity, false);
    case 'le':
      return interval(-Infinity, last, true);
    default:
      return interval(-Infinity, Infinity, false);
  }
}

/** Whether v lies in one of the intervals. */
function within(v: number, lows: Float64Array, highs: Float64Array, count: number): boolean {
  for (let k = 0; k < count; k++) if (v >= lows[k] && v <= highs[k]) return true;
  return false;
}

function numericPredicate(source: Source, intervals: Intervals, quantifier: Quantifier): PredicateFactory {
  const { field, mask } = source;
  const { lows, highs, inside } = intervals;
  const count = lows.length;
  const all = quantifier === 'all';
  // Read through the field's reader: the way for fields without a column, and for packets the
  // columns cannot answer (a header quoted in an ICMP error).
  const generalFactory = numericTestPredicate(source, (v) => within(v, lows, highs, count) === inside, quantifier);
  return (context) => {
    const general = generalFactory(context);
    const column = field.column;
    if (column === undefined || context.fromDissection) return general;
    return columnPredicate(context, column, mask, intervals, all, general);
  };
}

/**
 * The same test as numericPredicate's, over the columns: one loop step per packet, no reader, no
 * occurrence list, no number leaving its register (an IPv4 address above 2^31 is no small
 * integer, and would be boxed in a call). Packets quoting a header in an ICMP error go to
 * `general`.
 */
function columnPredicate(
  context: FieldContext,
  column: NonNullable<FieldDefinition['column']>,
  mask: number | undefined,
  intervals: Intervals,
  all: boolean,
  general: Predicate,
): Predicate {
  const c = context.store.columns;
  const layers = c.layers;
  const { own, quoted } = column;
  const first = c[column.columns[0]];
  const second = column.columns.length > 1 ? c[column.columns[1]] : undefined;
  const bit = column.bit ?? 0;
  const { lows, highs, inside } = intervals;
  const count = lows.length;
  const low = lows[0];
  const high = highs[0];
  const test = (raw: number): boolean => {
    let v = bit !== 0 ? ((raw & bit) !== 0 ? 1 : 0) : raw;
    if (mask !== undefined) v = bitAnd(v, mask);
    return (count === 1 ? v >= low && v <= high : within(v, lows, highs, count)) === inside;
  };
  if (second === undefined) {
    return (i) => {
      const l = layers[i];
      if ((l & quoted) !== 0) return general(i);
      return (l & own) === own && test(first[i]);
    };
  }
  return (i) => {
    const l = layers[i];
    if ((l & quoted) !== 0) return general(i);
    if ((l & own) !== own) return false;
    return all ? test(first[i]) && test(second[i]) : test(first[i]) || test(second[i]);
  };
}

/** A numeric field against any test (`eth.addr contains 0c:29`). */
function numericTestPredicate(source: Source, test: (v: number) => boolean, quantifier: Quantifier): PredicateFactory {
  const { field, mask } = source;
  return (context) => {
    const values = new FieldValues();
    const read = readerOf(field, context);
    const numbers = values.numbers;
    return (i) => {
      values.reset();
      read(context, i, values);
      const n = values.count;
      if (n === 0) return false;
      for (let k = 0; k < n; k++) {
        const v = mask === undefined ? numbers[k] : bitAnd(numbers[k], mask);
        const ok = test(v);
        if (quantifier === 'any' ? ok : !ok) return quantifier === 'any';
      }
      return quantifier === 'all';
    };
  };
}

function bytesPredicate(source: Source, test: (v: Uint8Array) => boolean, quantifier: Quantifier): PredicateFactory {
  const { field } = source;
  return (context) => {
    const values = new FieldValues();
    const read = readerOf(field, context, field.kind === 'protocol');
    const bytes = values.bytes;
    return (i) => {
      values.reset();
      read(context, i, values);
      const n = values.count;
      if (n === 0) return false;
      for (let k = 0; k < n; k++) {
        const ok = test(bytes[k]);
        if (quantifier === 'any' ? ok : !ok) return quantifier === 'any';
      }
      return quantifier === 'all';
    };
  };
}

/**
 * `… contains needle`. The frames are searched first, all at once (frame-search.ts): a field
 * whose occurrences are all runs of the frame's bytes (`withinFrame`: protocols, payloads)
 * cannot contain what the frame does not, so only the frames that do are read field by field.
 */
function containsPredicate(source: Source, needle: Uint8Array): PredicateFactory {
  const exact = bytesPredicate(source, (b) => containsBytes(b, needle), 'any');
  if (source.field.withinFrame !== true) return exact;
  const wholeFrame = source.field.name === 'frame';
  return (context) => {
    const inFrame = framesContaining(context.store, needle);
    const inField = wholeFrame ? undefined : exact(context);
    return (i) => inFrame[i] === 1 && (inField === undefined || inField(i));
  };
}

/** `&` on values up to 2^53: JS bitwise operators only see 32 bits. */
function bitAnd(a: number, b: number): number {
  if (a <= 0xffffffff && b <= 0xffffffff && a >= 0 && b >= 0) return (a & b) >>> 0;
  const high = (Math.floor(a / 2 ** 32) & Math.floor(b / 2 ** 32)) >>> 0;
  return high * 2 ** 32 + ((a & b) >>> 0);
}

function literalPredicate(source: Source, literal: Literal, op: CompareOp): PredicateFactory {
  if (literal.kind === 'bytes') return bytesPredicate(source, literalTest(literal, op).b, quantifierOf(op));
  return numericPredicate(source, intervalsOf(literal, op), quantifierOf(op));
}

function fieldPairPredicate(a: Source, b: Source, op: CompareOp): PredicateFactory {
  const bytesKind = a.field.kind === 'ipv6';
  const quantifier = quantifierOf(op);
  return (context) => {
    const left = new FieldValues();
    const right = new FieldValues();
    const readA = readerOf(a.field, context);
    const readB = readerOf(b.field, context);
    const numericTest = orderTest((d: number) => d, op);
    const bytesTest = orderTest((d: number) => d, op);
    return (i) => {
      left.reset();
      right.reset();
      readA(context, i, left);
      readB(context, i, right);
      if (left.count === 0 || right.count === 0) return false;
      for (let x = 0; x < left.count; x++) {
        for (let y = 0; y < right.count; y++) {
          const ok = bytesKind
            ? bytesTest(compareBytes(left.bytes[x], right.bytes[y], 128))
            : numericTest(
                (a.mask === undefined ? left.numbers[x] : bitAnd(left.numbers[x], a.mask)) - right.numbers[y],
              );
          if (quantifier === 'any' ? ok : !ok) return quantifier === 'any';
        }
      }
      return quantifier === 'all';
    };
  };
}
