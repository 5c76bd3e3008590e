// Literal parsing against independent oracles: IPv6 text in every form the WHATWG URL parser
// (Node's URL) produces, and integers in every base tshark accepts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseByteString, parseInteger, parseIPv6 } from '../../src/lib/filter/literals.ts';

const groups = (bytes: Uint8Array): string[] =>
  Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));

describe('parseIPv6', () => {
  it("reads the full and the compressed form of any address (compressed by Node's URL parser)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 8 }),
        (bytes, first, run) => {
          // Zero a run of groups so that "::" compression actually happens.
          bytes.fill(0, first * 2, Math.min(16, (first + run) * 2));
          const full = groups(bytes).join(':');
          const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
          expect(parseIPv6(full)).toEqual(bytes);
          expect(parseIPv6(compressed)).toEqual(bytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads an embedded IPv4 address', () => {
    expect(Array.from(parseIPv6('::ffff:10.0.0.1')!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]);
  });

  it.each(['1.2.3.4', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '::1.2.3', ''])(
    'rejects %j',
    (text) => {
      expect(parseIPv6(text)).toBeUndefined();
    },
  );
});

describe('parseInteger', () => {
  it('reads decimal, 0x hex, 0b binary and leading-zero octal like C (strtoul base 0)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        expect(parseInteger(String(n))).toBe(n);
        expect(parseInteger(`0x${n.toString(16)}`)).toBe(n);
        expect(parseInteger(`0b${n.toString(2)}`)).toBe(n);
        expect(parseInteger(`0${n.toString(8)}`)).toBe(n);
      }),
    );
  });

  it.each(['080', '0x', '1e3', '1.5', '-1', 'abc', ''])('rejects %j', (text) => {
    expect(parseInteger(text)).toBeUndefined();
  });
});

describe('parseByteString', () => {
  it('reads colon, dash and dot separated hex bytes', () => {
    expect(Array.from(parseByteString('47:45:54')!)).toEqual([0x47, 0x45, 0x54]);
    expect(Array.from(parseByteString('0a-0b')!)).toEqual([10, 11]);
    expect(Array.from(parseByteString('ff')!)).toEqual([255]);
    expect(parseByteString('zz')).toBeUndefined();
  });

  it('reads a run of hex digits (an odd count gets a leading 0) and one byte as 0x..', () => {
    expect(Array.from(parseByteString('474554')!)).toEqual([0x47, 0x45, 0x54]);
    expect(Array.from(parseByteString('172')!)).toEqual([0x01, 0x72]);
    expect(Array.from(parseByteString('0x12')!)).toEqual([0x12]);
    expect(parseByteString('0x1ac')).toBeUndefined();
  });
});
