// The radiotap header (link type 127, radiotap.org): version 0, a pad byte, a little-endian u16
// length covering the whole header, then one or more u32 "present" words (bit 31 chains another
// word) and the fields they announce, each aligned to its own size from the header's start.
// Only what decoding the 802.11 frame needs is read: the Flags field (present bit 1, after the
// 8-byte TSFT of bit 0), whose bit 0x10 says the frame ends with an FCS.
import { malformed, truncated } from './bytes.ts';
import type { Malformed, RadiotapLayer, Truncated } from './types.ts';

const PRESENT_TSFT = 1 << 0;
const PRESENT_FLAGS = 1 << 1;
const PRESENT_EXT = 1 << 31;
const FLAGS_FCS = 0x10;

export function decodeRadiotap(bytes: Uint8Array, offset: number, end: number): RadiotapLayer | Truncated | Malformed {
  if (end - offset < 8) return truncated('radiotap', offset, 8);
  if (bytes[offset] !== 0) return malformed('radiotap', offset, `radiotap version ${bytes[offset]} is not 0`);
  // Radiotap is little-endian throughout.
  const length = bytes[offset + 2] | (bytes[offset + 3] << 8);
  if (length < 8) return malformed('radiotap', offset, `radiotap header length ${length} is less than 8`);
  if (end - offset < length) return truncated('radiotap', offset, length);
  const present =
    (bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24)) >>> 0;
  // Skip the chained present words.
  let p = offset + 8;
  for (let word = present; word & PRESENT_EXT && p + 4 <= offset + length; p += 4) {
    word = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
  }
  let fcs = false;
  if (present & PRESENT_FLAGS) {
    if (present & PRESENT_TSFT) p = offset + (((p - offset + 7) >> 3) << 3) + 8;
    if (p < offset + length) fcs = (bytes[p] & FLAGS_FCS) !== 0;
  }
  return { offset, length, payloadOffset: offset + length, payloadEnd: end, fcs };
}
