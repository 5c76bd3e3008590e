// Turning the text of a value into a value of the field's kind, with tshark 4.0's messages
// when it cannot be done. A literal only has a meaning next to a field: `80` is a number for
// tcp.port, a byte for tcp.payload and a malformed address for ip.addr.
import { kindLabel, type FieldDefinition } from '../fields/types.ts';
import { filterError } from './errors.ts';
import { hintForFlagName } from './hints.ts';
import type { Operand } from './parser.ts';

/** A value ready to compare with a numeric field's occurrences. */
export interface NumberLiteral {
  kind: 'number';
  value: number;
  /**
   * For an IPv4 prefix (10.0.0.0/8): the number of leading bits that must match; 32 otherwise.
   * Occurrences are compared after masking, so `ip.addr == 10.0.0.0/8` is any address in it.
   */
  prefixBits: number;
  /** A negative value for an unsigned field: tshark 4.0 accepts it and it never compares. */
  incomparable: boolean;
}

export interface BytesLiteral {
  kind: 'bytes';
  value: Uint8Array;
  /** IPv6 prefix length (128 for a plain address); -1 for bytes compared whole. */
  prefixBits: number;
}

export type Literal = NumberLiteral | BytesLiteral;

const number = (value: number, prefixBits = 32, incomparable = false): NumberLiteral => ({
  kind: 'number',
  value,
  prefixBits,
  incomparable,
});

/** Integer syntax tshark accepts: decimal, 0x hex, 0b binary, leading-zero octal. */
export function parseInteger(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[bB][01]+$/.test(text)) return parseInt(text.slice(2), 2);
  if (/^0[0-7]*$/.test(text)) return text.length === 1 ? 0 : parseInt(text.slice(1), 8);
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  return undefined;
}

function integerLiteral(field: FieldDefinition, node: Operand): NumberLiteral {
  const bits = field.bits ?? 32;
  const signed = field.kind === 'int';
  if (node.type === 'char') return number(node.code);
  if (node.type === 'string') {
    throw filterError(
      'type',
      `${kindLabel(field)} cannot be converted from a string (${node.text}).`,
      node.start,
      node.end,
      `Numbers are written without quotes: ${field.name} == ${new TextDecoder().decode(node.bytes)}`,
    );
  }
  const negative = node.type === 'negative';
  const word = node.type === 'negative' ? node.operand : node;
  if (word.type !== 'word')
    throw filterError('type', `"${nodeText(node)}" is not a valid number.`, node.start, node.end);
  let magnitude = parseInteger(word.text);
  if (magnitude === undefined && !negative && field.valueNames && Object.hasOwn(field.valueNames, word.text)) {
    magnitude = field.valueNames[word.text];
  }
  if (magnitude === undefined) {
    if (field.valueNames) {
      const names = Object.keys(field.valueNames).join(', ');
      throw filterError(
        'type',
        `"${word.text}" cannot be found among the possible values for ${field.name}.`,
        word.start,
        word.end,
        `${field.name} takes a number or one of: ${names}.`,
      );
    }
    const hint =
      hintForFlagName(field.name, word.text) ??
      (/^[0-9]+\.[0-9]*$/.test(word.text)
        ? `${field.name} holds whole numbers.`
        : /^0[0-9]+$/.test(word.text)
          ? `A leading 0 makes a number octal (digits 0-7): write ${word.text.replace(/^0+(?=.)/, '')}.`
          : undefined);
    throw filterError('type', `"${word.text}" is not a valid number.`, word.start, word.end, hint);
  }
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (!negative && magnitude > max) {
    throw filterError(
      'range',
      `"${word.text}" too big for this field, maximum ${max}.`,
      word.start,
      word.end,
      `${field.name} is ${bits} bits wide: its values go from ${signed ? -(2 ** (bits - 1)) : 0} to ${max}.`,
    );
  }
  if (negative) {
    if (!signed) {
      // tshark 4.0 checks the digits against the maximum, then keeps a value that never compares.
      if (magnitude > max)
        throw filterError('range', `"${word.text}" too big for this field, maximum ${max}.`, word.start, word.end);
      return number(-magnitude, 32, magnitude !== 0);
    }
    if (magnitude > 2 ** (bits - 1)) {
      throw filterError(
        'range',
        `"-${word.text}" too small for this field, minimum ${-(2 ** (bits - 1))}.`,
        node.start,
        word.end,
      );
    }
    return number(-magnitude);
  }
  return number(magnitude);
}

function booleanLiteral(field: FieldDefinition, node: Operand): NumberLiteral {
  let text: string;
  if (node.type === 'word') text = node.text;
  else if (node.type === 'string') text = new TextDecoder().decode(node.bytes);
  else if (node.type === 'char') return number(node.code !== 0 ? 1 : 0);
  else if (node.type === 'negative') {
    const magnitude = parseInteger(node.operand.text);
    if (magnitude !== undefined) return number(magnitude !== 0 ? 1 : 0);
    text = nodeText(node);
  } else text = nodeText(node);
  const asInteger = node.type === 'word' ? parseInteger(text) : undefined;
  if (asInteger !== undefined) return number(asInteger !== 0 ? 1 : 0);
  // tshark 4.0 takes "True"/"TRUE"/"False"/"FALSE" and the field's own labels in any case.
  if (text === 'True' || text === 'TRUE') return number(1);
  if (text === 'False' || text === 'FALSE') return number(0);
  const [onLabel, offLabel] = field.booleanLabels ?? ['True', 'False'];
  if (text.toLowerCase() === onLabel.toLowerCase()) return number(1);
  if (text.toLowerCase() === offLabel.toLowerCase()) return number(0);
  throw filterError(
    'type',
    `"${text}" cannot be found among the possible values for ${field.name}.`,
    node.start,
    node.end,
    `Write ${field.name} == 1 (set) or ${field.name} == 0 (not set).`,
  );
}

function timeLiteral(field: FieldDefinition, node: Operand): NumberLiteral {
  if (node.type === 'string')
    throw filterError(
      'type',
      `${kindLabel(field)} cannot be converted from a string (${node.text}).`,
      node.start,
      node.end,
    );
  const negative = node.type === 'negative';
  const word = node.type === 'negative' ? node.operand : node;
  const text = word.type === 'word' ? word.text : nodeText(word);
  const match = /^([0-9]+)(?:\.([0-9]*))?s?$/.exec(text);
  if (word.type !== 'word' || match === null) {
    throw filterError(
      'type',
      `"${text}" is not a valid time.`,
      word.start,
      word.end,
      `Times are seconds, e.g. ${field.name} > 0.5`,
    );
  }
  // Integer nanoseconds, exactly: "0.132627" is 132627000 ns, never a rounded double.
  const fraction = (match[2] ?? '').slice(0, 9).padEnd(9, '0');
  const nanoseconds = Number(match[1]) * 1e9 + Number(fraction);
  return number(negative ? -nanoseconds : nanoseconds);
}

const IPV4 = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/;

function ipv4Literal(field: FieldDefinition, node: Operand): NumberLiteral {
  if (node.type === 'string') {
    throw filterError(
      'type',
      `${kindLabel(field)} cannot be converted from a string (${node.text}).`,
      node.start,
      node.end,
      `Addresses are written without quotes: ${field.name} == ${new TextDecoder().decode(node.bytes)}`,
    );
  }
  const text = nodeText(node);
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const match = node.type === 'word' ? IPV4.exec(address) : null;
  const octets = match ? match.slice(1, 5).map(Number) : [];
  if (match === null || octets.some((o) => o > 255)) {
    const hint = /^[0-9]+(\.[0-9]+){0,2}$/.test(address)
      ? 'An IPv4 address has four numbers from 0 to 255, e.g. 192.168.1.10.'
      : address.includes(':')
        ? `That looks like an IPv6 address: use ipv6.${field.name.split('.').slice(1).join('.') || 'addr'}.`
        : /[a-zA-Z]/.test(address)
          ? 'porttrace does not look up host names: type the address (e.g. 192.168.1.10).'
          : undefined;
    throw filterError(
      'type',
      `"${address}" is not a valid hostname or IPv4 address.`,
      node.start,
      node.start + address.length,
      hint,
    );
  }
  let prefixBits = 32;
  if (slash >= 0) {
    const bits = text.slice(slash + 1);
    if (!/^[0-9]+$/.test(bits)) {
      throw filterError(
        'type',
        `"${text}" is not a valid IPv4 address with a prefix.`,
        node.start,
        node.end,
        'A prefix is a number of bits, e.g. 192.168.1.0/24.',
      );
    }
    prefixBits = Number(bits);
    if (prefixBits > 32) {
      throw filterError(
        'range',
        `Netmask bits in a CIDR IPv4 address should be <= 32, not ${bits}`,
        node.start,
        node.end,
      );
    }
  }
  const value = octets[0] * 0x1000000 + ((octets[1] << 16) | (octets[2] << 8) | octets[3]);
  return number(value, prefixBits);
}

/** Parses IPv6 text (with :: and a trailing dotted IPv4) into 16 bytes; undefined if invalid. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let head = text;
  const words: number[] = [];
  const tail: number[] = [];
  const lastColon = head.lastIndexOf(':');
  const dotted = head.slice(lastColon + 1);
  const v4 = IPV4.exec(dotted);
  let v4Words: number[] = [];
  if (dotted.includes('.')) {
    if (v4 === null || lastColon < 0) return undefined;
    const o = v4.slice(1, 5).map(Number);
    if (o.some((x) => x > 255)) return undefined;
    v4Words = [(o[0] << 8) | o[1], (o[2] << 8) | o[3]];
    head = head.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parseGroups = (part: string, into: number[]): boolean => {
    if (part === '') return true;
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
      into.push(parseInt(group, 16));
    }
    return true;
  };
  const double = head.indexOf('::');
  if (double >= 0) {
    if (head.indexOf('::', double + 1) >= 0) return undefined;
    if (!parseGroups(head.slice(0, double), words) || !parseGroups(head.slice(double + 2), tail)) return undefined;
    tail.push(...v4Words);
    if (words.length + tail.length > 7) return undefined;
    while (words.length + tail.length < 8) words.push(0);
  } else {
    if (!parseGroups(head, words)) return undefined;
    words.push(...v4Words);
    if (words.length !== 8) return undefined;
  }
  const all = [...words, ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function ipv6Literal(field: FieldDefinition, node: Operand): BytesLiteral {
  if (node.type === 'string')
    throw filterError(
      'type',
      `${kindLabel(field)} cannot be converted from a string (${node.text}).`,
      node.start,
      node.end,
    );
  const text = nodeText(node);
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = node.type === 'word' ? parseIPv6(address) : undefined;
  if (bytes === undefined) {
    const hint = IPV4.test(address)
      ? `That is an IPv4 address: use ip.${field.name.split('.').slice(1).join('.') || 'addr'}.`
      : undefined;
    throw filterError(
      'type',
      `"${address}" is not a valid hostname or IPv6 address.`,
      node.start,
      node.start + address.length,
      hint,
    );
  }
  let prefixBits = 128;
  if (slash >= 0) {
    const bits = text.slice(slash + 1);
    if (!/^[0-9]+$/.test(bits))
      throw filterError('type', `"${text}" is not a valid IPv6 address with a prefix.`, node.start, node.end);
    prefixBits = Number(bits);
    if (prefixBits > 128)
      throw filterError('range', `Prefix in a IPv6 address should be <= 128, not ${bits}`, node.start, node.end);
  }
  return { kind: 'bytes', value: bytes, prefixBits };
}

/**
 * Bytes as tshark 4.0 reads them: hex bytes separated by `:`, `-` or `.` (00:0c:29), a run of
 * hex digits (00216a; an odd count gets a leading 0), or one byte as 0x12; undefined otherwise.
 */
export function parseByteString(text: string): Uint8Array | undefined {
  if (/^0[xX][0-9a-fA-F]{1,2}$/.test(text)) return Uint8Array.of(parseInt(text.slice(2), 16));
  if (/^[0-9a-fA-F]+$/.test(text)) {
    const even = text.length % 2 === 0 ? text : `0${text}`;
    return Uint8Array.from(even.match(/../g)!.map((b) => parseInt(b, 16)));
  }
  if (!/^[0-9a-fA-F]{1,2}([:.-][0-9a-fA-F]{1,2})+$/.test(text)) return undefined;
  return Uint8Array.from(text.split(/[:.-]/).map((b) => parseInt(b, 16)));
}

function etherLiteral(field: FieldDefinition, node: Operand): NumberLiteral {
  if (node.type === 'string')
    throw filterError(
      'type',
      `${kindLabel(field)} cannot be converted from a string (${node.text}).`,
      node.start,
      node.end,
    );
  const text = nodeText(node);
  let bytes: Uint8Array | undefined;
  if (node.type === 'word') {
    if (/^[0-9a-fA-F]{12}$/.test(text)) bytes = Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));
    else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text))
      bytes = Uint8Array.from(
        text
          .replace(/\./g, '')
          .match(/../g)!
          .map((b) => parseInt(b, 16)),
      );
    else bytes = parseByteString(text);
  }
  if (bytes === undefined) {
    throw filterError(
      'type',
      `"${text}" is not a valid Ethernet address.`,
      node.start,
      node.end,
      'A MAC address is six hex bytes, e.g. 00:0c:29:3e:5a:01.',
    );
  }
  if (bytes.length !== 6) {
    throw filterError(
      'type',
      `"${text}" contains too ${bytes.length < 6 ? 'few' : 'many'} bytes to be a valid Ethernet address.`,
      node.start,
      node.end,
      'A MAC address is six hex bytes, e.g. 00:0c:29:3e:5a:01.',
    );
  }
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return number(value, 48);
}

/** Bytes for `contains` and for bytes/string fields: a quoted string, or hex bytes. */
export function bytesLiteral(field: FieldDefinition, node: Operand): BytesLiteral {
  if (node.type === 'string') {
    if (field.kind === 'ether')
      throw filterError(
        'type',
        `${kindLabel(field)} cannot be converted from a string (${node.text}).`,
        node.start,
        node.end,
      );
    return { kind: 'bytes', value: node.bytes, prefixBits: -1 };
  }
  if (node.type === 'char') return { kind: 'bytes', value: Uint8Array.of(node.code), prefixBits: -1 };
  const text = nodeText(node);
  if (field.kind === 'string' && node.type === 'word')
    return { kind: 'bytes', value: new TextEncoder().encode(text), prefixBits: -1 };
  const bytes = node.type === 'word' ? parseByteString(text) : undefined;
  if (bytes === undefined) {
    throw filterError(
      'type',
      `"${text}" is not a valid byte string.`,
      node.start,
      node.end,
      'Write bytes in hex separated by colons (47:45:54) or text in double quotes ("GET").',
    );
  }
  return { kind: 'bytes', value: bytes, prefixBits: -1 };
}

function nodeText(node: Operand): string {
  switch (node.type) {
    case 'word':
    case 'string':
    case 'char':
      return node.text;
    case 'negative':
      return `-${node.operand.text}`;
    default:
      return '';
  }
}

/** The operand's text when it is a plain value, for messages. */
export { nodeText };

/** The value `node` stands for when compared with `field` (==, <, in, …). */
export function literalFor(field: FieldDefinition, node: Operand): Literal {
  switch (field.kind) {
    case 'uint':
    case 'int':
    case 'framenum':
      return integerLiteral(field, node);
    case 'bool':
      return booleanLiteral(field, node);
    case 'time':
      return timeLiteral(field, node);
    case 'ipv4':
      return ipv4Literal(field, node);
    case 'ipv6':
      return ipv6Literal(field, node);
    case 'ether':
      return etherLiteral(field, node);
    case 'bytes':
    case 'string':
    case 'protocol':
    case 'none':
      return bytesLiteral(field, node);
  }
}
