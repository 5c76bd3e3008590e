// `frame contains …` over a whole capture at once. The store keeps frame bytes in a few large
// blocks (the file itself when it was read whole, else blocks of copies), so the search runs
// along each block with the native indexOf, which skips the many bytes that cannot start a match
// far faster than a loop over each frame in JavaScript. A match counts for a frame only when it
// lies wholly inside that frame's bytes (not across a neighbour or a file header), and the
// search jumps to the next frame as soon as one matches.
import type { PacketStore } from '../store/packet-store.ts';

/**
 * A block whose frames cover less than this share of the bytes between them is searched frame
 * by frame instead (a large file of which only some frames were kept).
 */
const MIN_DENSITY = 0.25;

/** Bytes looked at in JavaScript before asking indexOf: a call costs more than a short loop. */
const SHORT_SCAN = 32;

/** 1 for each packet whose frame contains `needle`, 0 for the others. */
export function framesContaining(store: PacketStore, needle: Uint8Array): Uint8Array {
  const count = store.count;
  const marks = new Uint8Array(count);
  const length = needle.length;
  if (length === 0) return marks.fill(1);
  const c = store.columns;
  let blocks = 0;
  for (let i = 0; i < count; i++) if (c.block[i] >= blocks) blocks = c.block[i] + 1;
  // Per block: a packet in it, the span [low, high) its frames cover, their total length, and
  // whether they follow each other in packet order (so one pass along the block visits them).
  const first = new Int32Array(blocks).fill(-1);
  const low = new Float64Array(blocks).fill(Infinity);
  const high = new Float64Array(blocks);
  const used = new Float64Array(blocks);
  const inOrder = new Uint8Array(blocks).fill(1);
  for (let i = 0; i < count; i++) {
    const b = c.block[i];
    const start = c.byteOffset[i];
    const end = start + c.capturedLength[i];
    if (first[b] < 0) first[b] = i;
    if (start < high[b]) inOrder[b] = 0;
    if (start < low[b]) low[b] = start;
    if (end > high[b]) high[b] = end;
    used[b] += end - start;
  }
  // Per searched block: its bytes from `low`, and where the search has got to (block offsets).
  const spans: (Uint8Array | undefined)[] = new Array(blocks);
  const next = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    if (first[b] < 0 || inOrder[b] === 0 || used[b] < MIN_DENSITY * (high[b] - low[b])) continue;
    spans[b] = store.block(b).subarray(low[b], high[b]);
    next[b] = low[b];
  }
  // The search looks for the needle's rarest-looking byte, `k` bytes into it.
  const k = anchorOf(needle);
  const anchor = needle[k];
  for (let i = 0; i < count; i++) {
    const b = c.block[i];
    const span = spans[b];
    if (span === undefined) {
      if (containsBytes(store.bytesOf(i), needle)) marks[i] = 1;
      continue;
    }
    const origin = low[b];
    const start = c.byteOffset[i] - origin;
    const end = start + c.capturedLength[i];
    // Where the anchor byte of a match inside this frame can be.
    const last = end - length + k;
    let at = Math.max(next[b] - origin, start + k);
    while (at <= last) {
      const found = indexOfByte(span, anchor, at);
      if (found < 0) {
        at = Infinity;
        break;
      }
      at = found;
      if (found > last) break;
      const from = found - k;
      let j = 0;
      while (j < length && span[from + j] === needle[j]) j++;
      if (j === length) {
        marks[i] = 1;
        at = end;
        break;
      }
      at = found + 1;
    }
    // No anchor byte between here and `at`.
    next[b] = at + origin;
  }
  return marks;
}

/**
 * Which byte of the needle to look for: the first of the rarest kind in packet headers (zero is
 * everywhere, then 0xff and small numbers; text and other values are rarer).
 */
function anchorOf(needle: Uint8Array): number {
  const rarity = (b: number) => (b === 0 ? 0 : b === 0xff ? 1 : b < 0x10 ? 2 : 3);
  let best = 0;
  for (let k = 1; k < needle.length && rarity(needle[best]) < 3; k++)
    if (rarity(needle[k]) > rarity(needle[best])) best = k;
  return best;
}

/** The first `value` in `bytes` at or after `from`, or -1. */
function indexOfByte(bytes: Uint8Array, value: number, from: number): number {
  const stop = Math.min(from + SHORT_SCAN, bytes.length);
  for (let i = from; i < stop; i++) if (bytes[i] === value) return i;
  return stop < bytes.length ? bytes.indexOf(value, stop) : -1;
}

export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const length = needle.length;
  if (length === 0) return true;
  const head = needle[0];
  const last = haystack.length - length;
  for (let i = indexOfByte(haystack, head, 0); i >= 0 && i <= last; i = indexOfByte(haystack, head, i + 1)) {
    let j = 1;
    while (j < length && haystack[i + j] === needle[j]) j++;
    if (j === length) return true;
  }
  return false;
}
