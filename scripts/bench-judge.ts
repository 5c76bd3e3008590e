// Where `porttrace verdicts` spends its time on a capture, phase by phase, in one process:
// load (read + decode into the packet store), the TCP analysis, judging (attempts and their
// verdict codes), and writing the grouped text / JSON Lines to nowhere. Heap and RSS after each.
// Run: npx tsx scripts/bench-judge.ts bench-data/flood-400k.pcap
import { readFileSync, statSync } from 'node:fs';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { analyzeTcpStreams, judgeCapture, attemptJson } from '../src/lib/analysis/index.ts';

const file = process.argv[2];
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const mem = () => `rss ${mib(process.memoryUsage().rss)}, heap ${mib(process.memoryUsage().heapUsed)}`;
const time = <T>(label: string, f: () => T): T => {
  const t0 = performance.now();
  const r = f();
  console.log(`${label.padEnd(12)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${mem()}`);
  return r;
};
console.log(`${file}: ${(statSync(file).size / 1e6).toFixed(1)} MB; start ${mem()}`);
const capture = time('load', () => loadCaptureBytes(new Uint8Array(readFileSync(file))));
const tcp = time('tcp', () => analyzeTcpStreams(capture));
const judged = time('judge', () => judgeCapture(capture, tcp));
time('verdicts', () => {
  let n = 0;
  for (let i = 0; i < judged.count; i++) n += judged.verdictAt(i).frames.length;
  return n;
});
if (process.argv.includes('--json'))
  time('json', () => {
    let n = 0;
    for (let i = 0; i < judged.count; i++) n += JSON.stringify(attemptJson(judged.verdictAt(i))).length;
    return n;
  });
