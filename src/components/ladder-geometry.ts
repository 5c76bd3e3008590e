// The geometry both ladder diagrams share (Ladder: one capture; PairLadder: both sides of one
// attempt): time runs down the page in proportion, so a retransmission after 3 s and 6 s more of
// silence look as long as they were, within a height that stays readable.

/** Pixels per second when the attempt is short; a long one is squeezed to fit. */
const PIXELS_PER_SECOND = 26;

export interface TimeAxis {
  /** Pixels per second. */
  scale: number;
  /** The y of each step, in the order given. */
  ys: number[];
}

/**
 * Places steps at times `times` (seconds, ascending) from `top` down: `span` seconds take at
 * most `length` pixels, and no step comes closer than `gap` pixels to the one before, so
 * packets a millisecond apart keep their labels apart.
 */
export function timeAxis(times: readonly number[], span: number, top: number, gap: number, length: number): TimeAxis {
  const scale = Math.min(PIXELS_PER_SECOND, length / Math.max(0.001, span));
  const ys: number[] = [];
  let previous = top - gap;
  for (const t of times) {
    const y = Math.max(top + t * scale, previous + gap);
    ys.push(y);
    previous = y;
  }
  return { scale, ys };
}
