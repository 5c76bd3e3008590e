// A small seeded pseudo-random generator, so one seed gives the same exercise in the browser, the
// Worker and the CLI. mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit state word,
// statistically fine for choosing scenarios, and nothing here needs more.

export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One item, each chosen with a probability proportional to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
    if (!(total > 0)) return this.pick(items);
    let roll = this.next() * total;
    for (let k = 0; k < items.length; k++) {
      roll -= Math.max(0, weights[k] ?? 0);
      if (roll < 0) return items[k]!;
    }
    return items[items.length - 1]!;
  }

  /** A random 32-bit unsigned number (an ISN, a TCP timestamp base). */
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(0, 255));
  }
}

/** The largest seed: seeds are unsigned 32-bit numbers, as the generator's state is. */
export const MAX_SEED = 0xffffffff;

/** A seed from user text (URL, command line): a whole number 0..4294967295, or undefined. */
export function parseSeed(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined || !/^\d{1,10}$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return value <= MAX_SEED ? value : undefined;
}
