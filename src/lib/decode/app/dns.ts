// DNS (RFC 1035): header, questions, and each resource record's type and the data tshark's
// Info column prints for it. Over TCP the message has a two-byte length prefix.
import { malformed, truncated, u16 } from '../bytes.ts';
import type { Malformed, Truncated } from '../types.ts';
import { formatIPv4, formatIPv6 } from '../../describe/addresses.ts';
import type { DnsAnswer, DnsLayer, DnsQuestion } from './types.ts';

/** Records read at most, so a message claiming 65535 of each costs nothing much. */
const MAX_RECORDS = 256;

/** A domain name at `at`, following compression pointers; `next` is where the name ends in place. */
export function readDnsName(
  bytes: Uint8Array,
  message: number,
  at: number,
  end: number,
): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let next = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (at >= end) return undefined;
    const size = bytes[at];
    if (size === 0) {
      if (next < 0) next = at + 1;
      break;
    }
    if ((size & 0xc0) === 0xc0) {
      if (at + 2 > end || ++jumps > 64) return undefined;
      if (next < 0) next = at + 2;
      at = message + (((size & 0x3f) << 8) | bytes[at + 1]);
      continue;
    }
    if ((size & 0xc0) !== 0 || at + 1 + size > end) return undefined;
    let label = '';
    for (let i = at + 1; i < at + 1 + size; i++) label += String.fromCharCode(bytes[i]);
    labels.push(label);
    length += size + 1;
    if (length > 255) return undefined;
    at += 1 + size;
  }
  return { name: labels.length === 0 ? '<Root>' : labels.join('.'), next };
}

export const DNS_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  39: 'DNAME',
  41: 'OPT',
  43: 'DS',
  44: 'SSHFP',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  50: 'NSEC3',
  51: 'NSEC3PARAM',
  52: 'TLSA',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  250: 'TSIG',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  256: 'URI',
  257: 'CAA',
};

export const dnsTypeName = (type: number): string => DNS_TYPE_NAMES[type] ?? `Unknown (${type})`;

/** What tshark's Info column prints after a record's type, for the types it prints anything. */
function recordSummary(bytes: Uint8Array, message: number, type: number, at: number, end: number): string {
  switch (type) {
    case 1:
      return end - at === 4 ? formatIPv4(bytes.subarray(at, end)) : '';
    case 28:
      return end - at === 16 ? formatIPv6(bytes.subarray(at, end)) : '';
    case 2:
    case 5:
    case 12:
    case 39:
    case 6:
      return readDnsName(bytes, message, at, end)?.name ?? '';
    case 15: {
      if (end - at < 3) return '';
      const name = readDnsName(bytes, message, at + 2, end)?.name;
      return name === undefined ? '' : `${u16(bytes, at)} ${name}`;
    }
    case 33: {
      if (end - at < 7) return '';
      const name = readDnsName(bytes, message, at + 6, end)?.name;
      return name === undefined ? '' : `${u16(bytes, at)} ${u16(bytes, at + 2)} ${u16(bytes, at + 4)} ${name}`;
    }
    default:
      return '';
  }
}

/**
 * A DNS message in bytes [offset, end). `overTcp`: the message starts with its two-byte length;
 * a length beyond `end` is Truncated (the rest is in later segments).
 */
export function decodeDns(
  bytes: Uint8Array,
  offset: number,
  end: number,
  overTcp = false,
): DnsLayer | Truncated | Malformed {
  let message = offset;
  let tcpLength: number | undefined;
  if (overTcp) {
    if (end - offset < 2) return truncated('dns', offset, 2);
    tcpLength = u16(bytes, offset);
    message = offset + 2;
    if (message + tcpLength > end) return truncated('dns', offset, 2 + tcpLength);
    end = message + tcpLength;
  }
  if (end - message < 12) return truncated('dns', message, 12);
  const flags = u16(bytes, message + 2);
  const layer: DnsLayer = {
    protocol: 'dns',
    offset,
    length: end - offset,
    tcpLength,
    id: u16(bytes, message),
    flags,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    questionCount: u16(bytes, message + 4),
    answerCount: u16(bytes, message + 6),
    authorityCount: u16(bytes, message + 8),
    additionalCount: u16(bytes, message + 10),
    questions: [],
    answers: [],
  };
  let at = message + 12;
  for (let q = 0; q < Math.min(layer.questionCount, MAX_RECORDS); q++) {
    const name = readDnsName(bytes, message, at, end);
    if (name === undefined || name.next + 4 > end) return layer.questions.length ? layer : malformedQuestion(at);
    const question: DnsQuestion = { name: name.name, type: u16(bytes, name.next), class: u16(bytes, name.next + 2) };
    layer.questions.push(question);
    at = name.next + 4;
  }
  const records = layer.answerCount + layer.authorityCount + layer.additionalCount;
  for (let r = 0; r < Math.min(records, MAX_RECORDS); r++) {
    const name = readDnsName(bytes, message, at, end);
    if (name === undefined || name.next + 10 > end) break;
    const type = u16(bytes, name.next);
    const dataLength = u16(bytes, name.next + 8);
    const data = name.next + 10;
    if (data + dataLength > end) break;
    const answer: DnsAnswer = {
      name: name.name,
      type,
      summary: recordSummary(bytes, message, type, data, data + dataLength),
    };
    layer.answers.push(answer);
    at = data + dataLength;
  }
  return layer;
}

const malformedQuestion = (at: number): Malformed => malformed('dns', at, 'DNS question name is malformed');

/** Opcode names as tshark's Info column starts with them. */
const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Standard query',
  1: 'Inverse query',
  2: 'Server status request',
  4: 'Zone change notification',
  5: 'Dynamic update',
};

export const DNS_RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'No error',
  1: 'Format error',
  2: 'Server failure',
  3: 'No such name',
  4: 'Not implemented',
  5: 'Refused',
  6: 'Name exists',
  7: 'RRset exists',
  8: 'RRset does not exist',
  9: 'Not authoritative',
  10: 'Name out of zone',
};

/** "Standard query response 0x9d21 A rdp01.lab.example A 10.0.0.2", as tshark. */
export function dnsInfo(dns: DnsLayer): string {
  let text = OPCODE_NAMES[dns.opcode] ?? `Unknown operation (${dns.opcode})`;
  if (dns.response) text += ' response';
  text += ` 0x${dns.id.toString(16).padStart(4, '0')}`;
  if (dns.response && dns.rcode !== 0) text += ` ${DNS_RCODE_NAMES[dns.rcode] ?? `Unknown error (${dns.rcode})`}`;
  for (const q of dns.questions) text += ` ${dnsTypeName(q.type)} ${q.name}`;
  for (const a of dns.answers) text += ` ${dnsTypeName(a.type)}${a.summary ? ` ${a.summary}` : ''}`;
  return text;
}
