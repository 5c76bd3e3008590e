// MS-XCA "Plain LZ77" decompression (Microsoft's open specification [MS-XCA] §2.4), the format
// of compressed ETW buffers (pktmon's default). Written from the specification's pseudocode:
//   - a little-endian u32 of flags, read from its most significant bit, comes before every 32
//     items: 0 = one literal byte, 1 = a match;
//   - a match is a u16: offset − 1 in the high 13 bits, length − 3 in the low 3; a length of 7
//     continues in a half-byte (two matches share one byte: low nibble first, high nibble next),
//     15 there continues in a byte, 255 there in a u16, and a u16 of 0 in a u32 (these two hold
//     the whole length − 3);
//   - a match flag with no input left ends the stream (the compressor pads the last flags with 1s).
// Every read and every copy is bounds-checked: hostile input gives a typed error with the input
// position, never a read past the input, a write past the stated size, or a loop that does not
// advance (each item consumes input).
import { thousands } from '../describe/thousands.ts';

export class Lz77Error extends Error {
  override readonly name = 'Lz77Error';
  constructor(
    message: string,
    /** Position in the compressed input where the problem was found. */
    readonly inputOffset: number,
  ) {
    super(message);
  }
}

export interface Lz77Result {
  /** The decompressed bytes: all of them on success, those produced before the damage otherwise. */
  output: Uint8Array;
  error?: Lz77Error;
}

/**
 * Decompresses `input` into at most `outputSize` bytes (the size the container states; nothing
 * larger is ever allocated). Ends at the stream's end marker, or when `outputSize` bytes are made.
 */
export function inflatePlainLz77(input: Uint8Array, outputSize: number): Lz77Result {
  const output = new Uint8Array(outputSize);
  let inPos = 0;
  let outPos = 0;
  let flags = 0;
  let flagCount = 0;
  // Position of the byte whose high nibble the next long match uses (−1: none pending).
  let halfBytePos = -1;
  const fail = (message: string, at: number): Lz77Result => ({
    output: output.subarray(0, outPos),
    error: new Lz77Error(message, at),
  });
  const cut = (what: string, at: number, need: number): Lz77Result =>
    fail(
      `compressed data ends at byte ${thousands(input.length)}, inside ${what} at byte ${thousands(at)} (${need} bytes needed)`,
      at,
    );

  while (outPos < outputSize) {
    if (flagCount === 0) {
      if (inPos + 4 > input.length) {
        // Output short of the stated size and no more flags.
        if (inPos === input.length) break;
        return cut('a flag word', inPos, 4);
      }
      flags = (input[inPos] | (input[inPos + 1] << 8) | (input[inPos + 2] << 16) | (input[inPos + 3] << 24)) >>> 0;
      inPos += 4;
      flagCount = 32;
    }
    flagCount--;
    if ((flags & (1 << flagCount)) === 0) {
      if (inPos >= input.length) return cut('a literal', inPos, 1);
      output[outPos++] = input[inPos++];
      continue;
    }
    if (inPos === input.length) break; // the end marker
    const tokenAt = inPos;
    if (inPos + 2 > input.length) return cut('a match', inPos, 2);
    const token = input[inPos] | (input[inPos + 1] << 8);
    inPos += 2;
    const offset = (token >>> 3) + 1;
    let length = token & 7;
    if (length === 7) {
      if (halfBytePos < 0) {
        if (inPos >= input.length) return cut('a match length', inPos, 1);
        length = input[inPos] & 0x0f;
        halfBytePos = inPos;
        inPos += 1;
      } else {
        length = input[halfBytePos] >>> 4;
        halfBytePos = -1;
      }
      if (length === 15) {
        if (inPos >= input.length) return cut('a match length', inPos, 1);
        length = input[inPos];
        inPos += 1;
        if (length === 255) {
          if (inPos + 2 > input.length) return cut('a match length', inPos, 2);
          length = input[inPos] | (input[inPos + 1] << 8);
          inPos += 2;
          if (length === 0) {
            if (inPos + 4 > input.length) return cut('a match length', inPos, 4);
            length =
              (input[inPos] | (input[inPos + 1] << 8) | (input[inPos + 2] << 16)) + input[inPos + 3] * 0x100_0000;
            inPos += 4;
          }
          if (length < 15 + 7) {
            return fail(
              `match at byte ${thousands(tokenAt)} has a long length of ${length}, below the minimum of 22`,
              tokenAt,
            );
          }
          length -= 15 + 7;
        }
        length += 15;
      }
      length += 7;
    }
    length += 3;
    if (offset > outPos) {
      return fail(
        `match at byte ${thousands(tokenAt)} copies from ${thousands(offset)} bytes back, but only ${thousands(outPos)} bytes have been produced`,
        tokenAt,
      );
    }
    if (length > outputSize - outPos) {
      return fail(
        `match at byte ${thousands(tokenAt)} copies ${thousands(length)} bytes, past the stated size of ${thousands(outputSize)} (at ${thousands(outPos)})`,
        tokenAt,
      );
    }
    if (offset >= length) {
      output.copyWithin(outPos, outPos - offset, outPos - offset + length);
      outPos += length;
    } else {
      // The match overlaps what it writes (a run): byte by byte, as the specification requires.
      for (let from = outPos - offset, end = outPos + length; outPos < end;) output[outPos++] = output[from++];
    }
  }
  return { output: output.subarray(0, outPos) };
}
