// SYN retry timing: measured from the capture, then compared with the schedules stacks use.
// Legacy Windows (XP/2003): SYNs at 0, 3, 9 s (3 s, then doubled), gives up at 21 s.
// Linux and current Windows: first retry after 1 s, then doubling (1, 2, 4, … s).
import type { RetryTiming } from './types.ts';

/** The smallest initial retransmission timeout in common use (RFC 6298 recommends 1 s). */
export const MIN_INITIAL_RTO = 1.0;

const near = (x: number, target: number, tolerance: number): boolean => Math.abs(x - target) <= tolerance;
const doubles = (intervals: number[]): boolean =>
  intervals.every((x, k) => k === 0 || (x / intervals[k - 1] >= 1.6 && x / intervals[k - 1] <= 2.4));

/** `synTimes`: seconds of each (non-duplicate) SYN of the attempt since its first one. */
export function retryTiming(synTimes: number[]): RetryTiming {
  const offsets = synTimes.slice(1);
  const intervals = offsets.map((t, k) => t - synTimes[k]);
  if (intervals.length === 0) return { offsets, intervals };
  let matches: RetryTiming['matches'] = 'other';
  if (near(intervals[0], 3, 0.5) && doubles(intervals)) matches = 'legacy-windows';
  else if (near(intervals[0], 1, 0.3) && doubles(intervals)) matches = 'doubling-1s';
  return { offsets, intervals, matches, schedule: describeSchedule(intervals, matches) };
}

/** Every time the site shows — evidence, ladders, clock offsets — goes through this one formatter. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s === 0) return '0 s';
  if (s < 0) return `−${formatSeconds(-s)}`;
  if (s < 0.001) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  if (s < 100) return `${s.toFixed(1)} s`;
  return `${Math.round(s)} s`;
}

function describeSchedule(intervals: number[], matches: RetryTiming['matches']): string {
  const list = intervals.map(formatSeconds);
  const spoken = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} then ${list[list.length - 1]}`;
  switch (matches) {
    case 'legacy-windows':
      return intervals.length > 1
        ? `${spoken}: a first retry after 3 s, doubling after that — legacy Windows (SYNs at 0, 3 and 9 s, giving up at 21 s)`
        : `${spoken}: a first retry after 3 s — legacy Windows (SYNs at 0, 3 and 9 s, giving up at 21 s)`;
    case 'doubling-1s':
      return intervals.length > 1
        ? `${spoken}: a first retry after 1 s, doubling after that — Linux and current Windows`
        : `${spoken}: a first retry after 1 s — Linux and current Windows (which double the wait after that)`;
    default:
      return intervals.length > 1 && doubles(intervals)
        ? `${spoken}: doubling, but from ${list[0]} — not one of the usual schedules`
        : `${spoken}: not one of the usual schedules (3 s doubling, or 1 s doubling)`;
  }
}
