// Whatever is typed into the filter bar, compileFilter answers with a filter or a typed error —
// never an exception, never a hang — and an error's span lies inside the text.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { fieldList } from '../../src/lib/fields/registry.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { capturePath } from '../support/corpus.ts';

const EMPTY: Capture = { info: { format: 'pcap', variant: 'test', interfaces: [], comments: [] }, packets: [] };

// Small real captures, so compiled filters also run their field readers: a handshake, an ICMP
// error quoting UDP, VLAN tags, ARP over Linux cooked, IPv6.
const CAPTURES = [
  'public/traces/open-client.pcapng',
  'zeek/Traces/icmp/icmp-destunreach-udp.pcap',
  'zeek/Traces/vlan-qinqinq.pcap',
  'zeek/Traces/linuxsll-arp.pcap',
  'public/traces/open-ipv6-client.pcapng',
].map((path) => loadCaptureBytes(new Uint8Array(readFileSync(capturePath(path)))));

/** Compiles (and runs over an empty capture) within a time budget; returns what came back. */
function check(text: string): void {
  const started = performance.now();
  const result = compileFilter(text);
  if (result.ok) {
    expect(result.filter.run(EMPTY)).toHaveLength(0);
    for (const capture of CAPTURES) {
      const matches = result.filter.run(capture);
      expect(matches.length).toBeLessThanOrEqual(capture.packets.length);
    }
  } else {
    const { kind, message, start, end } = result.error;
    expect(['syntax', 'unknown-field', 'type', 'range']).toContain(kind);
    expect(message.length).toBeGreaterThan(0);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(end).toBeLessThanOrEqual(text.length);
  }
  // Generous: the machine may be busy; a hang or a blow-up is what this catches.
  expect(performance.now() - started).toBeLessThan(250);
}

const TOKENS = [
  ...fieldList.map((f) => f.name),
  'TCP.Port',
  'Property.TCPSynRetransmit',
  'foo',
  'http',
  '==',
  '!=',
  '===',
  '!==',
  '=',
  '>',
  '<',
  '>=',
  '<=',
  'eq',
  'ne',
  'gt',
  'contains',
  'matches',
  '~',
  'in',
  '&&',
  '||',
  '!',
  'and',
  'or',
  'not',
  'AND',
  '&',
  '|',
  '(',
  ')',
  '{',
  '}',
  ',',
  '..',
  '-',
  '[',
  ']',
  '#',
  '$',
  '0',
  '1',
  '80',
  '3389',
  '99999',
  '0x12',
  '0777',
  '08',
  '1.5',
  '1e3',
  "'P'",
  "'ab'",
  '"GET"',
  '"\\x41"',
  '"\\q"',
  '"',
  '10.0.0.1',
  '10.0.0.0/8',
  '1.2.3.4/33',
  '1.2.3',
  '::1',
  'fe80::/10',
  '::1/129',
  '00:11:22:33:44:55',
  '00:11',
  'ff-ff',
  'True',
  'true',
  'Set',
  'TCP',
  'IPv4',
  'request',
  '0:3',
  '1-2',
  ':2',
  '4:',
  '13',
  'not',
  'in',
];

describe('compileFilter on arbitrary input', () => {
  it('random strings give a filter or a typed error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => check(text)),
      { numRuns: 2000 },
    );
  });

  it('random strings over the filter alphabet give a filter or a typed error', () => {
    const alphabet = fc.constantFrom(...'tcp.ortsyn ip=!<>&|(){}[],"\'~0123456789xabcdef:/-\\'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join('')),
        (text) => check(text),
      ),
      { numRuns: 2000 },
    );
  });

  it('random token sequences give a filter or a typed error', () => {
    const tokens = fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 });
    fc.assert(
      fc.property(tokens, fc.constantFrom(' ', ''), (parts, separator) => check(parts.join(separator))),
      { numRuns: 3000 },
    );
  });

  it('valid filters combined with && and || stay valid', () => {
    const atom = fc.constantFrom(
      'tcp',
      'tcp.port == 80',
      'ip.addr == 10.0.0.0/8',
      '!udp',
      'tcp.flags & 0x12 == 0x12',
      'tcp.port in {80, 443}',
      'frame contains "GET"',
    );
    const filter = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        atom,
        fc
          .tuple(tie('node'), fc.constantFrom('&&', '||', 'and', 'or'), tie('node'))
          .map(([a, op, b]) => `(${a}) ${op} ${b}`),
      ),
    })).node as fc.Arbitrary<string>;
    fc.assert(
      fc.property(filter, (text) => {
        expect(compileFilter(text).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

/** A random valid comparison for a random registered field, by the field's kind. */
const comparison: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...fieldList),
    fc.constantFrom('==', '!=', '===', '!==', '>', '<', '>=', '<='),
    fc.nat(),
    fc.nat({ max: 32 }),
  )
  .map(([field, op, n, bits]) => {
    const max = 2 ** (field.bits ?? 32) - 1;
    switch (field.kind) {
      case 'uint':
      case 'framenum':
        return `${field.name} ${op} ${n % (max + 1)}`;
      case 'int':
        return `${field.name} ${op} ${(n % 200) - 100}`;
      case 'bool':
        return `${field.name} ${op} ${n % 2}`;
      case 'time':
        return `${field.name} ${op} ${(n % 5000) / 1000}`;
      case 'ipv4':
        return `${field.name} ${op} ${n % 256}.${(n >> 8) % 256}.0.0/${bits}`;
      case 'ipv6':
        return `${field.name} ${op} fd00::${(n % 65536).toString(16)}/${bits * 4}`;
      case 'ether':
        return `${field.name} ${op} 00:0c:29:${(n % 256).toString(16).padStart(2, '0')}:00:01`;
      default:
        return field.name;
    }
  });

const frames = (text: string, capture: Capture): string => {
  const result = compileFilter(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return Array.from(result.filter.run(capture)).join(',');
};

const union = (a: string, b: string): string =>
  [...new Set([...a.split(','), ...b.split(',')].filter(Boolean).map(Number))].sort((x, y) => x - y).join(',');
const intersection = (a: string, b: string): string => {
  const inB = new Set(b.split(','));
  return a
    .split(',')
    .filter((x) => x !== '' && inB.has(x))
    .join(',');
};

describe('filter algebra on real captures', () => {
  it('every generated comparison compiles and runs', () => {
    fc.assert(
      fc.property(comparison, (text) => check(text)),
      { numRuns: 1000 },
    );
  });

  it('||, && and ! behave as union, intersection and complement; sets as || of ==', () => {
    fc.assert(
      fc.property(comparison, comparison, fc.constantFrom(...CAPTURES), (a, b, capture) => {
        const all = capture.packets.map((_, i) => i).join(',');
        const fa = frames(a, capture);
        const fb = frames(b, capture);
        expect(frames(`(${a}) || (${b})`, capture)).toBe(union(fa, fb));
        expect(frames(`(${a}) && (${b})`, capture)).toBe(intersection(fa, fb));
        expect(frames(`!(${a})`, capture)).toBe(
          all
            .split(',')
            .filter((i) => i !== '' && !fa.split(',').includes(i))
            .join(','),
        );
        expect(frames(`!!(${a})`, capture)).toBe(fa);
      }),
      { numRuns: 300 },
    );
  });

  it('x in {a, b} is x == a || x == b; != is all-not-equal; !== is any-not-equal', () => {
    const value = fc.integer({ min: 0, max: 65535 });
    fc.assert(
      fc.property(
        fc.constantFrom('tcp.port', 'udp.port', 'tcp.dstport', 'frame.len'),
        value,
        value,
        fc.constantFrom(...CAPTURES),
        (field, x, y, capture) => {
          expect(frames(`${field} in {${x}, ${y}}`, capture)).toBe(
            frames(`${field} == ${x} || ${field} == ${y}`, capture),
          );
          expect(frames(`${field} != ${x}`, capture)).toBe(frames(`${field} && !(${field} == ${x})`, capture));
          expect(frames(`${field} !== ${x}`, capture)).toBe(frames(`${field} && !(${field} === ${x})`, capture));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a range on a single-valued field is >= low && <= high', () => {
    const value = fc.integer({ min: 0, max: 65535 });
    fc.assert(
      fc.property(
        fc.constantFrom('tcp.dstport', 'tcp.srcport', 'frame.len', 'udp.srcport'),
        value,
        value,
        fc.constantFrom(...CAPTURES),
        (field, x, y, capture) => {
          const [low, high] = x <= y ? [x, y] : [y, x];
          expect(frames(`${field} in {${low}..${high}}`, capture)).toBe(
            frames(`${field} >= ${low} && ${field} <= ${high}`, capture),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
