// The ladder diagrams' time axis: time runs down in proportion, squeezed to fit, never crowded.
import { describe, expect, it } from 'vitest';
import { timeAxis } from '../../src/components/ladder-geometry.ts';

describe('timeAxis', () => {
  it('draws a short attempt at 26 px a second', () => {
    // SYN, its retries after 1 s and 3 s (Windows): 26 px a second from the top
    expect(timeAxis([0, 1, 3], 3, 34, 26, 320)).toEqual({ scale: 26, ys: [34, 60, 112] });
  });

  it('squeezes a long attempt into the length given', () => {
    // Linux gives up after 127 s: the whole span fits in 320 px
    const { scale, ys } = timeAxis([0, 1, 3, 7, 15, 31, 63], 127, 34, 26, 320);
    expect(scale).toBeCloseTo(320 / 127);
    expect(34 + 127 * scale).toBeCloseTo(354);
    expect(ys.at(-1)).toBeCloseTo(34 + 63 * scale);
  });

  it('keeps steps a gap apart however close in time, and later steps in proportion after that', () => {
    // a SYN/ACK 20 µs after the SYN, an ACK 40 µs after: pushed down one gap each; a FIN at 4 s
    // is back in proportion (40 + 4 × 26), one at 2 s still a gap below the ACK
    expect(timeAxis([0, 0.00002, 0.00004, 4], 4, 40, 28, 300).ys).toEqual([40, 68, 96, 144]);
    expect(timeAxis([0, 0.00002, 0.00004, 2], 2, 40, 28, 300).ys).toEqual([40, 68, 96, 124]);
  });

  it('draws a lone packet at the top without dividing by zero', () => {
    expect(timeAxis([0], 0, 34, 26, 320)).toEqual({ scale: 26, ys: [34] });
  });
});
