// An MS-XCA Plain LZ77 compressor for the tests, written from the specification's compression
// pseudocode ([MS-XCA] §2.3), sharing no code with the decompressor in src/lib/capture/xca-lz77.ts.
// Matches are found greedily with a hash of the next three bytes; `maxMatch` caps their length
// and `literalsOnly` turns matching off, so tests can steer which encodings appear.

export interface CompressOptions {
  /** Longest match to emit (default: unlimited, so long runs use the u16/u32 length escapes). */
  maxMatch?: number;
  /** Emit literals only. */
  literalsOnly?: boolean;
  /** How many earlier positions with the same 3-byte hash to try (default 16). */
  chainDepth?: number;
}

const MAX_OFFSET = 8192;

export function compressPlainLz77(input: Uint8Array, options: CompressOptions = {}): Uint8Array {
  const maxMatch = options.maxMatch ?? Number.MAX_SAFE_INTEGER;
  const depth = options.chainDepth ?? 16;
  // Worst case: every byte a literal, plus 4 flag bytes per 32 items, plus the final flags.
  const out: number[] = [0, 0, 0, 0];
  let flagPosition = 0;
  let flags = 0;
  let flagCount = 0;
  let nibblePosition = -1;
  const heads = new Map<number, number[]>();
  const hashAt = (i: number) => input[i] | (input[i + 1] << 8) | (input[i + 2] << 16);
  const remember = (i: number) => {
    if (i + 3 > input.length) return;
    const h = hashAt(i);
    const list = heads.get(h);
    if (list) {
      list.push(i);
      if (list.length > depth) list.shift();
    } else heads.set(h, [i]);
  };
  const writeU32At = (at: number, v: number) => {
    out[at] = v & 0xff;
    out[at + 1] = (v >>> 8) & 0xff;
    out[at + 2] = (v >>> 16) & 0xff;
    out[at + 3] = (v >>> 24) & 0xff;
  };
  const pushU16 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff);
  const pushU32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const endItem = () => {
    flagCount++;
    if (flagCount === 32) {
      writeU32At(flagPosition, flags >>> 0);
      flagCount = 0;
      flags = 0;
      flagPosition = out.length;
      out.push(0, 0, 0, 0);
    }
  };

  let i = 0;
  while (i < input.length) {
    let bestLength = 0;
    let bestOffset = 0;
    if (!options.literalsOnly && i + 3 <= input.length) {
      for (const j of heads.get(hashAt(i)) ?? []) {
        if (i - j > MAX_OFFSET) continue;
        let n = 0;
        while (i + n < input.length && n < maxMatch && input[j + n] === input[i + n]) n++;
        if (n > bestLength) {
          bestLength = n;
          bestOffset = i - j;
        }
      }
    }
    if (bestLength < 3) {
      out.push(input[i]);
      flags = (flags << 1) >>> 0;
      remember(i);
      i++;
      endItem();
      continue;
    }
    // Match: (offset − 1) << 3 | min(length − 3, 7), then the length's continuation.
    let length = bestLength - 3;
    const offsetBits = (bestOffset - 1) << 3;
    if (length < 7) {
      pushU16(offsetBits | length);
    } else {
      pushU16(offsetBits | 7);
      length -= 7;
      const nibble = Math.min(length, 15);
      if (nibblePosition < 0) {
        nibblePosition = out.length;
        out.push(nibble);
      } else {
        out[nibblePosition] |= nibble << 4;
        nibblePosition = -1;
      }
      if (length >= 15) {
        length -= 15;
        if (length < 255) out.push(length);
        else {
          out.push(255);
          length += 15 + 7;
          if (length < 0x1_0000) pushU16(length);
          else {
            pushU16(0);
            pushU32(length);
          }
        }
      }
    }
    flags = ((flags << 1) | 1) >>> 0;
    for (let k = 0; k < bestLength; k++) remember(i + k);
    i += bestLength;
    endItem();
  }
  // The unused flags are set: a match flag with no input left is the end marker.
  const last = flagCount === 0 ? 0xffff_ffff : ((flags << (32 - flagCount)) | ((1 << (32 - flagCount)) - 1)) >>> 0;
  writeU32At(flagPosition, last);
  return Uint8Array.from(out);
}
