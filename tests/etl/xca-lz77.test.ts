// The MS-XCA Plain LZ77 decompressor against the independent test compressor (written from the
// specification's compression side), on random and structured inputs, and on hostile streams.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inflatePlainLz77, Lz77Error } from '../../src/lib/capture/xca-lz77.ts';
import { compressPlainLz77 } from './xca-lz77-compress.ts';
import { corpusBytes } from './helpers.ts';

function roundTrip(data: Uint8Array, options?: Parameters<typeof compressPlainLz77>[1]): Uint8Array {
  const compressed = compressPlainLz77(data, options);
  const result = inflatePlainLz77(compressed, data.length);
  expect(result.error).toBeUndefined();
  return result.output;
}

/** Bytes from a small seeded generator, with a given share of repeats so matches occur. */
function sample(length: number, seed: number, alphabet = 256): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s >>> 16) % alphabet;
  }
  return out;
}

describe('MS-XCA Plain LZ77', () => {
  it("decodes the specification's worked example: 'abc' × 100 as three literals and one 297-byte match", () => {
    const compressed = Uint8Array.from([0xff, 0xff, 0xff, 0x1f, 0x61, 0x62, 0x63, 0x17, 0x00, 0x0f, 0xff, 0x26, 0x01]);
    const { output, error } = inflatePlainLz77(compressed, 300);
    expect(error).toBeUndefined();
    expect(new TextDecoder().decode(output)).toBe('abc'.repeat(100));
    // The test compressor makes exactly the same stream.
    expect([...compressPlainLz77(new TextEncoder().encode('abc'.repeat(100)))]).toEqual([...compressed]);
  });

  it('round-trips literals only, short data, and the empty input', () => {
    for (const n of [0, 1, 2, 3, 31, 32, 33, 64, 1000]) {
      const data = sample(n, n + 1);
      expect([...roundTrip(data, { literalsOnly: true })]).toEqual([...data]);
      expect([...roundTrip(data)]).toEqual([...data]);
    }
  });

  it('round-trips every length encoding: short, half-byte, byte, u16 and u32 escapes, at their edges', () => {
    // A run after one literal is a single overlapping match (offset 1) of length n − 1.
    const lengths = [3, 9, 10, 24, 25, 26, 278, 279, 280, 281, 65_537, 65_538, 65_539, 65_540, 200_000];
    for (const n of lengths) {
      const data = new Uint8Array(n + 1).fill(0x41);
      const compressed = compressPlainLz77(data);
      const { output, error } = inflatePlainLz77(compressed, data.length);
      expect(error, `run of ${n}`).toBeUndefined();
      expect(output.length).toBe(data.length);
      expect(output.every((b) => b === 0x41)).toBe(true);
    }
    // The u32 escape really occurs: the 200,000-byte run is one match in a handful of bytes.
    expect(compressPlainLz77(new Uint8Array(200_001)).length).toBeLessThan(20);
  });

  it('round-trips consecutive long matches that share one length half-byte', () => {
    // Alternating runs: each is a long match, so their length nibbles pair up in shared bytes.
    const parts: number[] = [];
    for (let k = 0; k < 40; k++) parts.push(k, ...new Array<number>(12 + (k % 20)).fill(k));
    const data = Uint8Array.from(parts);
    expect([...roundTrip(data)]).toEqual([...data]);
    expect([...roundTrip(data, { maxMatch: 24 })]).toEqual([...data]);
  });

  it('round-trips matches that overlap their own output at every small offset', () => {
    for (let period = 1; period <= 9; period++) {
      const data = new Uint8Array(500);
      for (let i = 0; i < data.length; i++) data[i] = i % period;
      expect([...roundTrip(data)]).toEqual([...data]);
    }
  });

  it('round-trips matches at the largest offset (8,192) and real capture bytes', () => {
    const block = sample(8192, 99);
    const data = new Uint8Array(8192 * 2 + 100);
    data.set(block, 0);
    data.set(block, 8192);
    expect([...roundTrip(data)]).toEqual([...data]);
    const capture = corpusBytes('public/traces/open-client.pcapng');
    const compressed = compressPlainLz77(capture);
    expect(compressed.length).toBeLessThan(capture.length);
    expect(Buffer.from(roundTrip(capture)).equals(Buffer.from(capture))).toBe(true);
  });

  it('round-trips random inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 2, max: 256 }),
        fc.integer({ min: 3, max: 400 }),
        (raw, alphabet, maxMatch) => {
          // Narrow alphabets make matches of every kind; wide ones make literals.
          const data = raw.map((b) => b % alphabet);
          const out = inflatePlainLz77(compressPlainLz77(data, { maxMatch }), data.length);
          return out.error === undefined && Buffer.from(out.output).equals(Buffer.from(data));
        },
      ),
      { numRuns: 300 },
    );
  });

  describe('hostile input', () => {
    it('a match reaching before the start of the output is an error at its byte', () => {
      // Flags: literal, then match; token offset 2 (bits (2−1)<<3), length 3.
      const stream = Uint8Array.from([0xff, 0xff, 0xff, 0x7f, 0x61, 0x08, 0x00]);
      const { output, error } = inflatePlainLz77(stream, 10);
      expect(error).toBeInstanceOf(Lz77Error);
      expect(error?.inputOffset).toBe(5);
      expect(error?.message).toMatch(/copies from 2 bytes back, but only 1 bytes have been produced/);
      expect([...output]).toEqual([0x61]);
    });

    it('a match running past the stated size is an error, and nothing beyond it is allocated', () => {
      const data = new Uint8Array(100_000).fill(7);
      const compressed = compressPlainLz77(data);
      const { output, error } = inflatePlainLz77(compressed, 1000);
      expect(error?.message).toMatch(/past the stated size of 1,000/);
      expect(output.buffer.byteLength).toBe(1000);
    });

    it('a stream cut anywhere gives an error or a shorter output, never a throw', () => {
      const data = sample(3000, 5, 6);
      const compressed = compressPlainLz77(data);
      for (let cut = 0; cut < compressed.length; cut++) {
        const { output, error } = inflatePlainLz77(compressed.subarray(0, cut), data.length);
        expect(output.length).toBeLessThanOrEqual(data.length);
        // What was produced is a prefix of the original.
        expect(Buffer.from(output).equals(Buffer.from(data.subarray(0, output.length)))).toBe(true);
        if (!error) expect(output.length).toBeLessThan(data.length);
        else expect(error.inputOffset).toBeLessThanOrEqual(cut);
      }
    });

    it('a long length escape below its minimum is an error', () => {
      // Literal 'a', then match offset 1 with length 7 → nibble 15 → byte 255 → u16 5 (< 22).
      const stream = Uint8Array.from([0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x05, 0x00]);
      expect(inflatePlainLz77(stream, 1000).error?.message).toMatch(/long length of 5, below the minimum of 22/);
    });

    it('random bytes never throw, never hang and never produce more than the stated size (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 5000 }), (bytes, size) => {
          const out = inflatePlainLz77(bytes, size);
          return out.output.length <= size && (out.error === undefined || out.error instanceof Lz77Error);
        }),
        { numRuns: 2000 },
      );
    });

    it('mutated real streams never throw (property)', () => {
      const data = sample(4000, 11, 5);
      const compressed = compressPlainLz77(data);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(compressed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
          (edits) => {
            const copy = compressed.slice();
            for (const [at, value] of edits) copy[at] = value;
            const out = inflatePlainLz77(copy, data.length);
            return out.output.length <= data.length;
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
