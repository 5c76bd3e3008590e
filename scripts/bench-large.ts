// A capture too large to hold whole, read the way the lab reads it (streamed, keeping only the
// packets that decide the verdicts): time and peak memory against the file's size.
// Run: npm exec -- tsx scripts/bench-large.ts [FILE]   (default: the 100 MB benchmark capture)
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { openSession } from '../src/lib/session/session.ts';

const file = process.argv[2] ?? join(import.meta.dirname, '..', 'bench-data', 'capture-bench-100mb.pcapng');
const size = statSync(file).size;
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);
const t0 = performance.now();
const session = await openSession(
  file,
  createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
  size,
  undefined,
  { handshakesOnly: true },
);
const seconds = (performance.now() - t0) / 1000;
sample();
clearInterval(timer);
const s = session.summary;
console.log(
  `${(size / 1e6).toFixed(1)} MB, ${s.handshakesOnly!.read.toLocaleString('en')} packets read, ${s.handshakesOnly!.kept.toLocaleString('en')} kept, ${s.attemptCount.toLocaleString('en')} attempts`,
);
console.log(
  `read + verdicts: ${seconds.toFixed(2)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s); peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB = ${(peak / size).toFixed(2)} x the file`,
);
