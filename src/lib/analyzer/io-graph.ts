// Wireshark's I/O graph: packets (or bytes) per interval, one line per display filter — SYNs
// against SYN/ACKs against resets shows a port scan or a firewall change at a glance. Binned in
// the Worker: the page gets at most MAX_BINS numbers per line, however many packets there are.
import { compileFilter } from '../filter/index.ts';
import type { Capture } from '../packets.ts';
import { storeOf } from '../store/packet-store.ts';

export type IoUnit = 'packets' | 'bytes';

export interface IoGraphLine {
  filter: string;
  /** Count (or bytes) per interval. */
  values: number[];
  total: number;
  /** When the filter is not valid: tshark's message, and no values. */
  error?: string;
}

export interface IoGraph {
  /** Interval length in seconds. */
  interval: number;
  /** Intervals from the first packet to the last. */
  bins: number;
  unit: IoUnit;
  lines: IoGraphLine[];
}

/** The most intervals a line has: a finer interval asked for is widened to fit. */
export const MAX_BINS = 4000;

/** Wireshark's interval choices (seconds); the graph picks the smallest that fits MAX_BINS. */
export const INTERVALS = [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600];

/** The smallest interval of INTERVALS, at least `wanted`, that keeps a capture of `duration` s within MAX_BINS. */
export function fittingInterval(duration: number, wanted = 0): number {
  for (const interval of INTERVALS) if (interval >= wanted && duration / interval < MAX_BINS) return interval;
  return INTERVALS[INTERVALS.length - 1];
}

/** The I/O graph of `filters` ('' counts every packet), at `interval` seconds (0: chosen to fit). */
export function ioGraph(capture: Capture, filters: readonly string[], interval = 0, unit: IoUnit = 'packets'): IoGraph {
  const store = storeOf(capture);
  const c = store.columns;
  const n = store.count;
  const seconds0 = n ? c.seconds[0] : 0;
  const nanoseconds0 = n ? c.nanoseconds[0] : 0;
  const timeOf = (i: number) => c.seconds[i] - seconds0 + (c.nanoseconds[i] - nanoseconds0) / 1e9;
  const duration = n ? Math.max(0, timeOf(n - 1)) : 0;
  const step = fittingInterval(duration, interval);
  const bins = Math.max(1, Math.floor(duration / step) + 1);
  const lines = filters.map((filter): IoGraphLine => {
    const compiled = compileFilter(filter);
    if (!compiled.ok) return { filter, values: [], total: 0, error: compiled.error.message };
    const values = new Array<number>(bins).fill(0);
    let total = 0;
    const add = (i: number) => {
      // Packets out of time order (merged captures) land in the first or last bin.
      const bin = Math.min(bins - 1, Math.max(0, Math.floor(timeOf(i) / step)));
      const amount = unit === 'bytes' ? c.originalLength[i] : 1;
      values[bin] += amount;
      total += amount;
    };
    if (filter.trim() === '') for (let i = 0; i < n; i++) add(i);
    else for (const i of compiled.filter.run(capture)) add(i);
    return { filter, values, total };
  });
  return { interval: step, bins, unit, lines };
}
