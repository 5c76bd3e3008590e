// Big-endian readers and the Internet checksum, shared by every decoder. Plain functions over
// a Uint8Array (no DataView per packet) keep the hot path monomorphic and allocation-free.
import type { Malformed, Truncated } from './types.ts';

export function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Unsigned 32-bit big-endian (multiplication keeps it positive, unlike `<< 24`). */
export function u32(bytes: Uint8Array, offset: number): number {
  return bytes[offset] * 0x1000000 + ((bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]);
}

export function malformed(layer: string, offset: number, message: string): Malformed {
  return { malformed: true, layer, offset, message };
}

export function truncated(layer: string, offset: number, needed: number): Truncated {
  return { truncated: true, layer, offset, needed };
}

/**
 * Ones'-complement sum of 16-bit big-endian words over bytes[start, end), added to `initial`,
 * not yet folded. An odd last byte is padded with zero, as RFC 1071 says.
 */
export function sumWords(bytes: Uint8Array, start: number, end: number, initial: number): number {
  // High and low bytes summed apart, eight bytes a turn: this loop touches every payload byte of
  // every packet, so it is the decoder's hottest. (Sums stay far below 2^53 for any frame.)
  let high = 0;
  let low = 0;
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  for (const stop = evenEnd - 7; i < stop; i += 8) {
    high += bytes[i] + bytes[i + 2] + bytes[i + 4] + bytes[i + 6];
    low += bytes[i + 1] + bytes[i + 3] + bytes[i + 5] + bytes[i + 7];
  }
  for (; i < evenEnd; i += 2) {
    high += bytes[i];
    low += bytes[i + 1];
  }
  if (i < end) high += bytes[i];
  return initial + high * 256 + low;
}

/** Fold carries into 16 bits (the sum stays well below 2^53 for any frame we can hold). */
export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * The same sum with the addresses read in place (`length` bytes each at srcOffset/dstOffset):
 * what the decoders use, so no address views are made while loading.
 */
export function pseudoHeaderSumAt(
  bytes: Uint8Array,
  srcOffset: number,
  dstOffset: number,
  addressLength: number,
  protocol: number,
  length: number,
): number {
  let sum = sumWords(bytes, srcOffset, srcOffset + addressLength, 0);
  sum = sumWords(bytes, dstOffset, dstOffset + addressLength, sum);
  return sum + protocol + Math.floor(length / 0x10000) + (length & 0xffff);
}

/** Sum of the IPv4/IPv6 pseudo-header that TCP, UDP and ICMPv6 checksums cover. */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  let sum = sumWords(src, 0, src.length, 0);
  sum = sumWords(dst, 0, dst.length, sum);
  // IPv4: zero byte + protocol + 16-bit length; IPv6: 32-bit length + 24 zero bits + next header.
  // Summed as 16-bit words, both come to protocol + high and low halves of the length.
  return sum + protocol + Math.floor(length / 0x10000) + (length & 0xffff);
}

/** True for a Truncated or Malformed result: the layer could not be decoded. */
export function isMalformedOrTruncated(x: object): x is Truncated | Malformed {
  return (x as Truncated).truncated === true || (x as Malformed).malformed === true;
}
