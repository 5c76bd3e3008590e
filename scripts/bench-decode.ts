// Read + decode with every packet kept, into the packet store: `stream` reads the file from disk
// in 64 KiB chunks through loadCaptureStream, as the CLI and the lab do; `memory` times
// loadCaptureBytes on a file already read. Run in a process of its own (bench-capture.ts spawns
// it) so that the peak memory printed is this load's alone:
//   node --expose-gc --import tsx scripts/bench-decode.ts FILE [runs] [stream|memory]
// Prints one JSON line: median ms, MB/s, packets/s, peak RSS growth and memory retained.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { loadCaptureBytes, loadCaptureStream } from '../src/lib/load.ts';
import type { Capture } from '../src/lib/packets.ts';

const path = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
const mode = process.argv[4] ?? 'stream';
if (!path || (mode !== 'stream' && mode !== 'memory'))
  throw new Error('usage: bench-decode.ts FILE [runs] [stream|memory]');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const size = statSync(path).size;
const settled = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

// In memory mode the file is the caller's, read before the measurement starts.
const file = mode === 'memory' ? new Uint8Array(readFileSync(path)) : undefined;
gc();
const rssBefore = process.memoryUsage().rss;
const baseline = settled();
const times: number[] = [];
let packets = 0;
let retained = 0;
for (let run = 0; run < runs; run++) {
  const t0 = performance.now();
  let capture: Capture | undefined = file
    ? loadCaptureBytes(file)
    : await loadCaptureStream(createReadStream(path, { highWaterMark: 64 * 1024 }), { totalBytes: size });
  times.push(performance.now() - t0);
  if (capture.error) throw new Error(capture.error.message);
  packets = capture.packets.length;
  retained = settled() - baseline;
  // Dropped before gc() so that the next load's peak does not include this one.
  // eslint-disable-next-line no-useless-assignment
  capture = undefined;
  gc();
}
const peakRss = process.resourceUsage().maxRSS * 1024;
times.sort((a, b) => a - b);
const ms = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    file: path,
    mode,
    bytes: size,
    packets,
    runs,
    medianMs: Math.round(ms),
    mbPerSecond: Math.round(size / 1e6 / (ms / 1000)),
    packetsPerSecond: Math.round(packets / (ms / 1000)),
    // What the load needed at its peak, above the process before it (Node itself, the code).
    peakGrowthBytes: peakRss - rssBefore,
    // What the loaded capture holds once garbage is collected (heap + array buffers).
    retainedBytes: retained,
  }),
);
