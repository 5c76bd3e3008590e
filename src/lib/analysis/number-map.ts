// Hash maps from numbers (or pairs of numbers) to small non-negative integers, in typed arrays.
// The analyses key connections by endpoint ids, 4-tuples and sequence numbers — doubles beyond
// the small-integer range, which a JS Map boxes on every lookup. With a few lookups per packet
// over hundreds of thousands of packets, that garbage was most of the analysis's time.

const EMPTY = -1;

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

/** (a, b) → value ≥ 0, for integer keys below 2^53. `get` returns -1 when absent. */
export class PairMap {
  private keysA: Float64Array;
  private keysB: Float64Array;
  private values: Int32Array;
  private mask: number;
  private size = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keysA = new Float64Array(capacity);
    this.keysB = new Float64Array(capacity);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get(a: number, b: number): number {
    const { keysA, keysB, values, mask } = this;
    for (let slot = hashOf(a, b) & mask; ; slot = (slot + 1) & mask) {
      const value = values[slot];
      if (value === EMPTY) return EMPTY;
      if (keysA[slot] === a && keysB[slot] === b) return value;
    }
  }

  set(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const { keysA, keysB, values, mask } = this;
    for (let slot = hashOf(a, b) & mask; ; slot = (slot + 1) & mask) {
      if (values[slot] === EMPTY) {
        keysA[slot] = a;
        keysB[slot] = b;
        values[slot] = value;
        this.size++;
        return;
      }
      if (keysA[slot] === a && keysB[slot] === b) {
        values[slot] = value;
        return;
      }
    }
  }

  private grow(): void {
    const { keysA, keysB, values } = this;
    const capacity = values.length * 2;
    this.keysA = new Float64Array(capacity);
    this.keysB = new Float64Array(capacity);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.size = 0;
    for (let slot = 0; slot < values.length; slot++)
      if (values[slot] !== EMPTY) this.set(keysA[slot], keysB[slot], values[slot]);
  }
}

/**
 * number → value ≥ 0, for integer keys below 2^53. `get` returns -1 when absent. Its own table
 * (one key array, not a PairMap with a second key always 0): the TCP analysis keeps a slot per
 * endpoint, and a flood has an endpoint per packet.
 */
export class NumberMap {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private size = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get(key: number): number {
    const { keys, values, mask } = this;
    for (let slot = hashOf(key, 0) & mask; ; slot = (slot + 1) & mask) {
      const value = values[slot];
      if (value === EMPTY) return EMPTY;
      if (keys[slot] === key) return value;
    }
  }

  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const { keys, values, mask } = this;
    for (let slot = hashOf(key, 0) & mask; ; slot = (slot + 1) & mask) {
      if (values[slot] === EMPTY) {
        keys[slot] = key;
        values[slot] = value;
        this.size++;
        return;
      }
      if (keys[slot] === key) {
        values[slot] = value;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, values } = this;
    const capacity = values.length * 2;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.size = 0;
    for (let slot = 0; slot < values.length; slot++) if (values[slot] !== EMPTY) this.set(keys[slot], values[slot]);
  }
}
