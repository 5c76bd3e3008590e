// PairMap, NumberMap and the TCP analysis's PairIndex against JavaScript's Map on the same
// operations: the tables are sized from a guess and grow past it, keys go up to 2^53 and collide
// in the hash, and a key set again keeps its slot.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NumberMap, PairMap } from '../../src/lib/analysis/number-map.ts';
import { PairIndex } from '../../src/lib/analysis/tcp-streams.ts';

const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.maxSafeInteger().map(Math.abs));
const value = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('PairMap', () => {
  it('answers as a Map of "a,b" would, through growth from any starting guess', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.array(fc.tuple(key, key, value), { maxLength: 400 }),
        fc.array(fc.tuple(key, key), { maxLength: 50 }),
        (expected, writes, probes) => {
          const map = new PairMap(expected);
          const oracle = new Map<string, number>();
          for (const [a, b, v] of writes) {
            map.set(a, b, v);
            oracle.set(`${a},${b}`, v);
          }
          for (const [a, b] of [...writes.map(([a, b]) => [a, b] as const), ...probes])
            expect(map.get(a, b)).toBe(oracle.get(`${a},${b}`) ?? -1);
        },
      ),
    );
  });
});

describe('NumberMap', () => {
  it('answers as a Map would, through growth from any starting guess', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.array(fc.tuple(key, value), { maxLength: 400 }),
        fc.array(key, { maxLength: 50 }),
        (expected, writes, probes) => {
          const map = new NumberMap(expected);
          const oracle = new Map<number, number>();
          for (const [k, v] of writes) {
            map.set(k, v);
            oracle.set(k, v);
          }
          for (const k of [...writes.map(([k]) => k), ...probes]) expect(map.get(k)).toBe(oracle.get(k) ?? -1);
        },
      ),
    );
  });

  it('holds 100,000 keys that differ only in their high bits', () => {
    const map = new NumberMap(16);
    for (let i = 0; i < 100_000; i++) map.set(i * 2 ** 32, i);
    for (let i = 0; i < 100_000; i++) expect(map.get(i * 2 ** 32)).toBe(i);
    expect(map.get(100_000 * 2 ** 32)).toBe(-1);
  });
});

describe('PairIndex (the TCP analysis’s newest conversation per endpoint pair)', () => {
  // Few endpoints, so one endpoint is often paired with several older ones (its later pairs go
  // to the map), pairs are set again (a port reused), and a pair may be an endpoint with itself.
  const endpoint = fc.integer({ min: 0, max: 12 });
  it('answers as a Map of unordered pairs would, in whatever order the pairs come', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }),
        fc.array(fc.tuple(endpoint, endpoint, value), { maxLength: 200 }),
        fc.array(fc.tuple(endpoint, endpoint), { maxLength: 50 }),
        (expected, writes, probes) => {
          const index = new PairIndex(expected);
          const oracle = new Map<string, number>();
          const name = (a: number, b: number) => `${Math.min(a, b)},${Math.max(a, b)}`;
          for (const [a, b, v] of writes) {
            index.set(a, b, v);
            oracle.set(name(a, b), v);
            expect(index.get(b, a)).toBe(v);
          }
          for (const [a, b] of [...writes.map(([a, b]) => [a, b] as const), ...probes])
            expect(index.get(a, b)).toBe(oracle.get(name(a, b)) ?? -1);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
