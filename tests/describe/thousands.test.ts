// thousands() writes what toLocaleString('en') writes, for every kind of count it is given.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { thousands } from '../../src/lib/describe/thousands.ts';

describe('thousands', () => {
  it('equals toLocaleString("en") on integers and bigints of any size and sign', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(thousands(n)).toBe(n.toLocaleString('en'));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt(), (n) => {
        expect(thousands(n)).toBe(n.toLocaleString('en'));
      }),
    );
    for (const n of [0, 7, 999, 1000, 12345, 100000, 1000000]) expect(thousands(n)).toBe(n.toLocaleString('en'));
  });
  it('leaves fractions to toLocaleString', () => {
    expect(thousands(1234.5678)).toBe((1234.5678).toLocaleString('en'));
  });
});
