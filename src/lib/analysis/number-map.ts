// Hash maps from numbers (or pairs of numbers) to small non-negative integers, in typed arrays.
// The analyses key connections by endpoint ids, 4-tuples and sequence numbers — doubles beyond
// the small-integer range, which a JS Map boxes on every lookup. With a few lookups per packet
// over hundreds of thousands of packets, that garbage was most of the analysis's time.

const EMPTY = -1;
/**
 * A slot stores its value + 1, so a free slot is a 0: a new table is free as allocated, with no
 * pass to mark it, and the pages of its slots are only committed once used.
 */
const FREE = 0;

/**
 * Slots per key expected: two thirds of the table are in use when it holds that many keys, and
 * it grows (by doubling) past three quarters. With key and value side by side, the few more
 * probes that costs stay within a cache line or two (the 400k flood took the same time with 2
 * slots per key, and 7 MiB more). The size is not rounded up to a power of two: a flood's
 * 400,000 attempts would otherwise get a million slots per table.
 */
const SLOTS_PER_KEY = 1.5;
const MAX_LOAD = 0.75;

function hashOf(a: number, b: number): number {
  // Mix the low and high 32 bits of both keys (keys are integers below 2^53).
  const aLow = a | 0;
  const aHigh = (a / 4294967296) | 0;
  const bLow = b | 0;
  const bHigh = (b / 4294967296) | 0;
  let h = Math.imul(aLow ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ aHigh ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ bLow ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ bHigh ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A hash's slot in a table of `capacity` slots: the hash scaled to it (a multiplication, where
 * `%` on a hash above 2^31 is a floating-point remainder).
 */
const slotOf = (hash: number, capacity: number): number => ((hash * capacity) / 4294967296) | 0;

/**
 * (a, b) → value ≥ 0, for integer keys below 2^53. `get` returns -1 when absent. A slot's two
 * keys and its value lie side by side in one array, so a lookup reads one cache line where three
 * arrays made it read three: on a flood, where nearly every lookup misses the cache, that was
 * most of the time spent finding attempts.
 */
export class PairMap {
  /** Slot s: keys at 3s and 3s + 1, value + 1 at 3s + 2. */
  private slots: Float64Array;
  private capacity: number;
  private size = 0;

  constructor(expected = 1024) {
    this.capacity = Math.max(16, Math.ceil(expected * SLOTS_PER_KEY));
    this.slots = new Float64Array(this.capacity * 3);
  }

  get(a: number, b: number): number {
    const { slots, capacity } = this;
    for (let slot = slotOf(hashOf(a, b), capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = slot * 3;
      const stored = slots[at + 2];
      if (stored === FREE) return EMPTY;
      if (slots[at] === a && slots[at + 1] === b) return stored - 1;
    }
  }

  set(a: number, b: number, value: number): void {
    if (this.size + 1 > this.capacity * MAX_LOAD) this.grow();
    const { slots, capacity } = this;
    for (let slot = slotOf(hashOf(a, b), capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = slot * 3;
      if (slots[at + 2] === FREE) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = value + 1;
        this.size++;
        return;
      }
      if (slots[at] === a && slots[at + 1] === b) {
        slots[at + 2] = value + 1;
        return;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Float64Array(this.capacity * 3);
    this.size = 0;
    for (let at = 0; at < old.length; at += 3)
      if (old[at + 2] !== FREE) this.set(old[at], old[at + 1], old[at + 2] - 1);
  }
}

/**
 * number → value ≥ 0, for integer keys below 2^53. `get` returns -1 when absent. Its own table
 * (one key per slot, not a PairMap with a second key always 0): the TCP analysis keeps a slot per
 * endpoint, and a flood has an endpoint per packet. Key and value side by side, as in PairMap.
 */
export class NumberMap {
  /** Slot s: key at 2s, value + 1 at 2s + 1. */
  private slots: Float64Array;
  private capacity: number;
  private size = 0;

  constructor(expected = 1024) {
    this.capacity = Math.max(16, Math.ceil(expected * SLOTS_PER_KEY));
    this.slots = new Float64Array(this.capacity * 2);
  }

  get(key: number): number {
    const { slots, capacity } = this;
    for (let slot = slotOf(hashOf(key, 0), capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = slot * 2;
      const stored = slots[at + 1];
      if (stored === FREE) return EMPTY;
      if (slots[at] === key) return stored - 1;
    }
  }

  set(key: number, value: number): void {
    if (this.size + 1 > this.capacity * MAX_LOAD) this.grow();
    const { slots, capacity } = this;
    for (let slot = slotOf(hashOf(key, 0), capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const at = slot * 2;
      if (slots[at + 1] === FREE) {
        slots[at] = key;
        slots[at + 1] = value + 1;
        this.size++;
        return;
      }
      if (slots[at] === key) {
        slots[at + 1] = value + 1;
        return;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Float64Array(this.capacity * 2);
    this.size = 0;
    for (let at = 0; at < old.length; at += 2) if (old[at + 1] !== FREE) this.set(old[at], old[at + 1] - 1);
  }
}
