// The same work through porttrace, tshark (-Y display filter) and tcpdump (BPF) on the ~100 MB
// benchmark capture, timed in one run so the ratios compare like with like: read the file and
// keep the packets of one filter; and read the file and find what happened to each connection
// (porttrace's verdicts; tshark's TCP analysis of every packet, the closest it has).
// Run: npm run bench:compare (after npm run bench:capture has generated the file)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { compileFilter } from '../src/lib/filter/index.ts';
import { analyzeCapture } from '../src/lib/analysis/index.ts';

const file = join(import.meta.dirname, '..', 'bench-data', 'capture-bench-100mb.pcapng');
if (!existsSync(file)) {
  console.log('no bench-data/capture-bench-100mb.pcapng: run `npm run bench:capture` first');
  process.exit(1);
}
const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function timeCommand(cmd: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    if (r.status !== 0) throw new Error(`${cmd} failed`);
    times.push(performance.now() - t0);
  }
  return median(times);
}

function timeOurs(work: (bytes: Uint8Array) => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    work(new Uint8Array(readFileSync(file)));
    times.push(performance.now() - t0);
  }
  return median(times);
}

// [group, what, tool, milliseconds]: within a group, the same question asked of each tool
const rows: Array<[number, string, string, number]> = [];
const filter = compileFilter('tcp.port == 3389');
if (!filter.ok) throw new Error(filter.error.message);
rows.push([1, 'read + filter tcp.port==3389', 'porttrace', timeOurs((b) => filter.filter.run(loadCaptureBytes(b)))]);
if (has('tshark'))
  rows.push([
    1,
    'read + filter tcp.port==3389',
    'tshark -Y',
    timeCommand('tshark', ['-r', file, '-Y', 'tcp.port==3389', '-T', 'fields', '-e', 'frame.number']),
  ]);
if (has('tcpdump'))
  rows.push([
    1,
    'read + filter tcp port 3389',
    'tcpdump (BPF)',
    timeCommand('tcpdump', ['-r', file, '-w', '/dev/null', 'tcp port 3389']),
  ]);
rows.push([2, 'read + verdict of every attempt', 'porttrace', timeOurs((b) => analyzeCapture(loadCaptureBytes(b)))]);
if (has('tshark'))
  rows.push([
    2,
    'read + TCP analysis of every packet',
    'tshark -Y tcp.analysis.flags',
    timeCommand('tshark', ['-r', file, '-Y', 'tcp.analysis.flags', '-T', 'fields', '-e', 'frame.number']),
  ]);

console.log(`same work, same file (${(readFileSync(file).length / 1e6).toFixed(1)} MB), median of ${RUNS}:`);
for (const [group, work, tool, ms] of rows) {
  const ours = rows.find((r) => r[0] === group && r[2] === 'porttrace')![3];
  const ratio =
    tool === 'porttrace'
      ? ''
      : ms >= ours
        ? `  porttrace ${(ms / ours).toFixed(1)}x faster`
        : `  ${tool} ${(ours / ms).toFixed(1)}x faster`;
  console.log(`  ${work.padEnd(36)} ${tool.padEnd(30)} ${(ms / 1000).toFixed(2).padStart(7)} s${ratio}`);
}
