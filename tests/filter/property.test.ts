// Whatever is typed into the filter bar, compileFilter answers with a filter or a typed error —
// never an exception, never a hang — and an error's span lies inside the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { fieldList } from '../../src/lib/fields/registry.ts';
import type { Capture } from '../../src/lib/packets.ts';

const EMPTY: Capture = { info: { format: 'pcap', variant: 'test', interfaces: [], comments: [] }, packets: [] };

/** Compiles (and runs over an empty capture) within a time budget; returns what came back. */
function check(text: string): void {
  const started = performance.now();
  const result = compileFilter(text);
  if (result.ok) {
    expect(result.filter.run(EMPTY)).toHaveLength(0);
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
  'TCP.Port', 'Property.TCPSynRetransmit', 'foo', 'http',
  '==', '!=', '===', '!==', '=', '>', '<', '>=', '<=', 'eq', 'ne', 'gt', 'contains', 'matches', '~', 'in',
  '&&', '||', '!', 'and', 'or', 'not', 'AND', '&', '|', '(', ')', '{', '}', ',', '..', '-', '[', ']', '#', '$',
  '0', '1', '80', '3389', '99999', '0x12', '0777', '08', '1.5', '1e3', "'P'", "'ab'", '"GET"', '"\\x41"', '"\\q"', '"',
  '10.0.0.1', '10.0.0.0/8', '1.2.3.4/33', '1.2.3', '::1', 'fe80::/10', '::1/129', '00:11:22:33:44:55', '00:11', 'ff-ff',
  'True', 'true', 'Set', 'TCP', 'IPv4', 'request',
];

describe('compileFilter on arbitrary input', () => {
  it('random strings give a filter or a typed error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => check(text)), { numRuns: 2000 });
  });

  it('random strings over the filter alphabet give a filter or a typed error', () => {
    const alphabet = fc.constantFrom(...'tcp.ortsyn ip=!<>&|(){}[],"\'~0123456789xabcdef:/-\\'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join('')), (text) => check(text)), { numRuns: 2000 });
  });

  it('random token sequences give a filter or a typed error', () => {
    const tokens = fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 });
    fc.assert(fc.property(tokens, fc.constantFrom(' ', ''), (parts, separator) => check(parts.join(separator))), { numRuns: 3000 });
  });

  it('valid filters combined with && and || stay valid', () => {
    const atom = fc.constantFrom('tcp', 'tcp.port == 80', 'ip.addr == 10.0.0.0/8', '!udp', 'tcp.flags & 0x12 == 0x12', 'tcp.port in {80, 443}', 'frame contains "GET"');
    const filter = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, atom, fc.tuple(tie('node'), fc.constantFrom('&&', '||', 'and', 'or'), tie('node')).map(([a, op, b]) => `(${a}) ${op} ${b}`)),
    })).node as fc.Arbitrary<string>;
    fc.assert(fc.property(filter, (text) => {
      expect(compileFilter(text).ok).toBe(true);
    }), { numRuns: 500 });
  });
});
