// The two-sided view's cost: pairCaptures (both analyses, side detection, comparison, the first
// PAIR_ROWS rows with their ladders) against compareCaptures alone, on one capture given as both
// sides (every attempt matched, the most work per attempt), and the size of the view that crosses
// from the Worker to the page.
// Run: npm run bench:pair [capture]   (default: the extra corpus's synscan, 1,994 attempts, when
// PORTTRACE_EXTRA_CORPUS is set; else the recorded refused-port trace)
import { readFileSync } from 'node:fs';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { compareCaptures } from '../src/lib/analysis/index.ts';
import { pairCaptures } from '../src/lib/session/pair-view.ts';

const extra = process.env.PORTTRACE_EXTRA_CORPUS;
const file =
  process.argv[2] ?? (extra ? `${extra}/packets/synscan.pcapng` : 'public/traces/article-closed-client.pcapng');
const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
// two separate loads: each capture is analysed as if it came from its own file
const a = loadCaptureBytes(new Uint8Array(readFileSync(file)));
const b = loadCaptureBytes(new Uint8Array(readFileSync(file)));

function time(work: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

time(() => pairCaptures(a, b, ['a', 'b'])); // warm-up: the first runs of either pay for compiling the engine
const compare = time(() => compareCaptures(a, b));
const pair = time(() => pairCaptures(a, b, ['a', 'b']));
const { view, comparison } = pairCaptures(a, b, ['a', 'b']);
const json = JSON.stringify(view).length;
console.log(`${file}: ${a.packets.length} packets, ${comparison.attempts.length} attempts, median of ${RUNS}`);
console.log(`compareCaptures      ${compare.toFixed(0)} ms`);
console.log(`pairCaptures         ${pair.toFixed(0)} ms (${view.rows.length} of ${view.rowCount} rows)`);
console.log(
  `pair view as JSON    ${(json / 1024).toFixed(0)} KB (${(json / Math.max(1, view.rows.length) / 1024).toFixed(1)} KB a row)`,
);
