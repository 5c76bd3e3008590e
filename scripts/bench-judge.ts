// Where `porttrace verdicts` spends its time on a capture, phase by phase, in one process:
// load (read + decode into the packet store), the TCP analysis, judging (the attempt table, the
// hosts, the capture-wide findings), each attempt's kind (what the grouped text and --summary
// need), each attempt's whole verdict, and with --json its JSON. Heap and RSS after each.
// Run: npx tsx scripts/bench-judge.ts bench-data/flood-400k.pcap
import { readFileSync, statSync } from 'node:fs';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { analyzeTcpStreams, judgeCapture, attemptJson } from '../src/lib/analysis/index.ts';

const file = process.argv[2];
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const mem = () => `rss ${mib(process.memoryUsage().rss)}, heap ${mib(process.memoryUsage().heapUsed)}`;
// Wall time, and CPU time of the process (user + system, the collector's threads included): on a
// busy machine the wall time grows while the CPU time stays close to what the work costs.
const time = <T>(label: string, f: () => T): T => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(
    `${label.padEnd(12)} ${wall.toFixed(0).padStart(6)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(6)} ms CPU  ${mem()}`,
  );
  return r;
};
console.log(`${file}: ${(statSync(file).size / 1e6).toFixed(1)} MB; start ${mem()}`);
const capture = time('load', () => loadCaptureBytes(new Uint8Array(readFileSync(file))));
const tcp = time('tcp', () => analyzeTcpStreams(capture));
const judged = time('judge', () => judgeCapture(capture, tcp));
time('kinds', () => {
  let n = 0;
  for (let i = 0; i < judged.count; i++) n += judged.kindAt(i).history.length;
  return n;
});
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
