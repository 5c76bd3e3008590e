// Classifier benchmark: verdicts for every attempt in the ~100 MB benchmark capture written by
// `npm run bench:capture` (bench-data/, gitignored; generated here first if missing). Times, as
// the median of 5 runs, each after a full garbage collection (so one run does not pay for the
// last one's garbage): the per-connection TCP analysis (tcp.stream, seq/ack, retransmissions),
// then attempts + verdicts, then the whole analyzeCapture, then the evidence of every attempt
// (written only when read, so not part of the verdicts). Loading is timed once for scale.
// Run: npm run bench:verdicts
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  analyzeCapture,
  analyzeTcpStreams,
  captureSpan,
  classify,
  explain,
  findAttempts,
} from '../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../src/lib/load.ts';

const file = join(import.meta.dirname, '..', 'bench-data', 'capture-bench-100mb.pcapng');
if (!existsSync(file)) {
  console.log('generating the benchmark capture (npm run bench:capture) …');
  spawnSync('npm', ['run', 'bench:capture'], { stdio: 'inherit' });
}
const bytes = new Uint8Array(readFileSync(file));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
// Wall time, and CPU time of this process (user + system, GC threads included): on a busy
// machine the wall time grows while the CPU time stays close to what the work costs.
const cpuMs: Record<string, number[]> = {};
const time = <T>(f: () => T, label = ''): [T, number] => {
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  (cpuMs[label] ??= []).push((c.user + c.system) / 1000);
  return [r, wall];
};

const [capture, loadMs] = time(() => loadCaptureBytes(bytes));
console.log(
  `capture: ${(bytes.length / 1e6).toFixed(1)} MB, ${capture.packets.length.toLocaleString('en')} packets, loaded in ${loadMs.toFixed(0)} ms`,
);

const streamsMs: number[] = [];
const verdictsMs: number[] = [];
const wholeMs: number[] = [];
const wordsMs: number[] = [];
let summary = '';
for (let run = 0; run < 5; run++) {
  const [tcp, a] = time(() => analyzeTcpStreams(capture), 'streams');
  streamsMs.push(a);
  const { end } = captureSpan(capture);
  const [verdicts, b] = time(() => findAttempts(capture, tcp).map((x) => classify(x, end)), 'verdicts');
  verdictsMs.push(b);
  const [whole, c] = time(() => analyzeCapture(capture), 'whole');
  wholeMs.push(c);
  const [, d] = time(
    () =>
      whole.attempts.reduce((n, v) => {
        const words = explain(v);
        return n + words.evidence.length + words.caveats.length + words.headline.length;
      }, 0),
    'words',
  );
  wordsMs.push(d);
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v.verdict] = (counts[v.verdict] ?? 0) + 1;
  summary = `${verdicts.length.toLocaleString('en')} attempts ${JSON.stringify(counts)}, ${tcp.streams.count.toLocaleString('en')} TCP streams; findings: ${whole.findings.length}`;
}
console.log(summary);
const cpu = (label: string) => `${median(cpuMs[label]).toFixed(0)} ms CPU`;
console.log(`tcp streams + analysis flags: ${median(streamsMs).toFixed(0)} ms wall, ${cpu('streams')} (median of 5)`);
console.log(`attempts + verdicts: ${median(verdictsMs).toFixed(0)} ms wall, ${cpu('verdicts')}`);
console.log(`analyzeCapture (all of it, with offload): ${median(wholeMs).toFixed(0)} ms wall, ${cpu('whole')}`);
console.log(`evidence of every attempt, were all of them read: ${median(wordsMs).toFixed(0)} ms wall, ${cpu('words')}`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
