// npm run bench:scale — issue 14's targets, each printed with its measured value and "met" or
// "not met". porttrace and tshark run on the same files in the same run; times are medians
// (of 3 runs, or 1 when a run takes over 10 s), memory is the peak RSS of the process
// (/usr/bin/time -v's "Maximum resident set size").
//
// The captures come from scripts/bench-scale-data.ts (and the 100 MB mixed capture from
// scripts/bench-capture.ts), written into bench-data/ when missing. The lab rows build the site
// and drive Chromium (PORTTRACE_SKIP_BUILD=1 reuses dist/; PORTTRACE_SKIP_BROWSER=1 skips them).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, scaleFiles } from './bench-scale-data.ts';

const NODE = process.execPath;
const CLI = join(import.meta.dirname, '..', 'bin', 'porttrace.mjs');
const TSHARK_SYNS = ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-T', 'fields', '-e', 'frame.number'];

interface Run {
  seconds: number;
  peakBytes: number;
  status: number | null;
  stderr: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'porttrace-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** One run of `command`, stdout thrown away, with its wall time and peak RSS. */
function runOnce(command: string[]): Run {
  const report = join(scratch, 'time.txt');
  const t0 = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%M', '-o', report, ...command], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  const lines = readFileSync(report, 'utf8').trim().split('\n');
  return { seconds, peakBytes: Number(lines.at(-1)) * 1024, status: child.status, stderr: child.stderr };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median time and the largest peak RSS of up to three runs (one when a run takes over 10 s). */
function measure(command: string[]): Run & { runs: number } {
  const runs = [runOnce(command)];
  if (runs[0].seconds < 10) runs.push(runOnce(command), runOnce(command));
  return {
    seconds: median(runs.map((r) => r.seconds)),
    peakBytes: Math.max(...runs.map((r) => r.peakBytes)),
    status: runs[0].status,
    stderr: runs[0].stderr,
    runs: runs.length,
  };
}

const porttrace = (...args: string[]) => [NODE, CLI, ...args];
const tsharkSyns = (file: string) => ['tshark', '-r', file, ...TSHARK_SYNS];
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean | 'not available';
}
const targets: Target[] = [];
function target(what: string, goal: string, measured: string, met: boolean | 'not available'): void {
  targets.push({ what, target: goal, measured, met });
  const verdict = met === 'not available' ? 'not available' : met ? 'met' : 'NOT MET';
  console.log(`  ${what}: ${measured} (target ${goal}) — ${verdict}`);
}

// ------------------------------------------------------------------ files
console.log('== machine');
console.log(
  `  ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, load average ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`,
);
console.log(
  `  node ${process.version}; ${spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`,
);
console.log('== captures (bench-data/)');
const files = Object.fromEntries(scaleFiles().map((f) => [f.name, f]));
const mixed = join(benchDir, 'capture-bench-100mb.pcapng');
if (!existsSync(mixed)) {
  console.log('  generating the 100 MB mixed capture (scripts/bench-capture.ts)…');
  spawnSync('npx', ['tsx', join(import.meta.dirname, 'bench-capture.ts')], { stdio: 'ignore' });
}
const size = (path: string) => statSync(path).size;
for (const f of Object.values(files))
  console.log(`  ${f.name.padEnd(20)} ${mb(size(f.path)).padStart(9)}  ${f.describe}`);
console.log(
  `  ${'capture-bench-100mb.pcapng'.padEnd(20)} ${mb(size(mixed)).padStart(9)}  mixed: handshakes, refused, blocked`,
);

// ------------------------------------------------------------------ floors
// What any run costs before a byte of the capture is read: Node alone, and the CLI judging a
// three-packet trace. A peak-RSS target below the first cannot be met by any program on Node.
console.log('\n== memory floors (peak RSS, largest of 3 runs)');
const nodeFloor = measure([NODE, '-e', '0']).peakBytes;
const cliFloor = measure(
  porttrace('verdicts', join(import.meta.dirname, '..', 'public', 'traces', 'article-blocked-client.pcapng')),
).peakBytes;
console.log(`  node -e 0: ${mib(nodeFloor)}; porttrace verdicts on a 3-packet trace: ${mib(cliFloor)}`);
/** How a peak-RSS budget of `budget` bytes stands against the floors, for the measured column. */
const againstFloors = (budget: number): string =>
  budget < nodeFloor
    ? `; the budget, ${mib(budget)}, is below node -e 0's own ${mib(nodeFloor)}`
    : `; budget ${mib(budget)}, of which the CLI before reading takes ${mib(cliFloor)}`;

// ------------------------------------------------------------------ verdicts against tshark
console.log(
  '\n== porttrace verdicts FILE against tshark -Y "tcp.flags.syn==1 && tcp.flags.ack==0" (same files, same run)',
);
const jsonlWorks = (() => {
  const probe = runOnce(porttrace('verdicts', files['repeated-400.pcap'].path, '--jsonl'));
  return probe.status === 0;
})();
const verdictTimes: Record<string, number> = {};
const compared: Array<[string, string, number]> = [
  ['flood-100k.pcap', files['flood-100k.pcap'].path, 3],
  ['flood-400k.pcap', files['flood-400k.pcap'].path, 3],
  ['100 MB mixed', mixed, 2],
];
for (const [name, path, rssFactor] of compared) {
  const ours = measure(porttrace('verdicts', path));
  const theirs = measure(tsharkSyns(path));
  verdictTimes[name] = ours.seconds;
  const ratio = theirs.seconds / ours.seconds;
  console.log(
    `  ${name}: porttrace ${ours.seconds.toFixed(2)} s (${ours.runs} run${ours.runs > 1 ? 's' : ''}, peak ${mib(ours.peakBytes)}), ` +
      `tshark ${theirs.seconds.toFixed(2)} s (peak ${mib(theirs.peakBytes)})`,
  );
  target(`verdicts ${name}: speed against tshark`, '≥ 10× faster', `${ratio.toFixed(2)}×`, ratio >= 10);
  const factor = ours.peakBytes / size(path);
  target(
    `verdicts ${name}: peak RSS`,
    `≤ ${rssFactor} × the file`,
    `${mib(ours.peakBytes)} = ${factor.toFixed(1)} × ${mb(size(path))}${againstFloors(rssFactor * size(path))}`,
    factor <= rssFactor,
  );
  if (jsonlWorks) {
    const jsonl = measure(porttrace('verdicts', path, '--jsonl'));
    const f = jsonl.peakBytes / size(path);
    target(
      `verdicts --jsonl ${name}: peak RSS`,
      `≤ ${rssFactor} × the file`,
      `${mib(jsonl.peakBytes)} = ${f.toFixed(1)} ×, ${jsonl.seconds.toFixed(2)} s`,
      f <= rssFactor,
    );
  } else {
    target(
      `verdicts --jsonl ${name}: peak RSS`,
      `≤ ${rssFactor} × the file`,
      '--jsonl is not an option yet',
      'not available',
    );
  }
}

// ------------------------------------------------------------------ linear growth
console.log('\n== growth: 4 × the attempts');
for (const name of ['repeated-400.pcap', 'repeated-1600.pcap', 'repeated-6400.pcap', 'port-reuse.pcap']) {
  const run = measure(porttrace('verdicts', files[name].path));
  verdictTimes[name] = run.seconds;
  console.log(`  ${name}: ${run.seconds.toFixed(2)} s, peak ${mib(run.peakBytes)}`);
}
const growth = (small: string, large: string) => verdictTimes[large] / verdictTimes[small];
target(
  'flood 100k → 400k',
  '≤ 5 × the time',
  `${growth('flood-100k.pcap', 'flood-400k.pcap').toFixed(2)} ×`,
  growth('flood-100k.pcap', 'flood-400k.pcap') <= 5,
);
target(
  'repeated 400 → 1,600 copies',
  '≤ 5 × the time',
  `${growth('repeated-400.pcap', 'repeated-1600.pcap').toFixed(2)} ×`,
  growth('repeated-400.pcap', 'repeated-1600.pcap') <= 5,
);
target(
  'repeated 1,600 → 6,400 copies',
  '≤ 5 × the time',
  `${growth('repeated-1600.pcap', 'repeated-6400.pcap').toFixed(2)} ×`,
  growth('repeated-1600.pcap', 'repeated-6400.pcap') <= 5,
);

// ------------------------------------------------------------------ start-up
console.log('\n== CLI start-up');
function startup(): { bare: number; cli: number; how: string } {
  const hyperfine = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  if (hyperfine.status === 0) {
    const out = join(scratch, 'hyperfine.json');
    spawnSync(
      'hyperfine',
      ['-N', '-w', '3', '-r', '30', '--export-json', out, `${NODE} -e 0`, `${NODE} ${CLI} check-filter tcp`],
      { stdio: 'ignore' },
    );
    const results = JSON.parse(readFileSync(out, 'utf8')).results as Array<{
      median: number;
      user: number;
      system: number;
    }>;
    // On a busy machine the wall time is mostly waiting for a core; the CPU time is not.
    const cpu = results.map((r) => r.user + r.system);
    return {
      bare: results[0].median,
      cli: results[1].median,
      how: `hyperfine, median of 30; CPU (user + system, mean) ${(cpu[0] * 1000).toFixed(0)} ms and ${(cpu[1] * 1000).toFixed(0)} ms`,
    };
  }
  const time = (command: string[]) =>
    median(
      Array.from({ length: 20 }, () => {
        const t0 = performance.now();
        spawnSync(command[0], command.slice(1), { stdio: 'ignore' });
        return (performance.now() - t0) / 1000;
      }),
    );
  return { bare: time([NODE, '-e', '0']), cli: time(porttrace('check-filter', 'tcp')), how: 'median of 20' };
}
const start = startup();
console.log(
  `  node -e 0: ${(start.bare * 1000).toFixed(0)} ms; porttrace check-filter tcp: ${(start.cli * 1000).toFixed(0)} ms (${start.how})`,
);
target(
  'CLI start-up (check-filter)',
  '≤ 0.15 s above node -e 0',
  `${((start.cli - start.bare) * 1000).toFixed(0)} ms above`,
  start.cli - start.bare <= 0.15,
);

// ------------------------------------------------------------------ packets
console.log('\n== porttrace packets on 1,000,000 tiny packets');
const tiny = files['tiny-1m.pcap'].path;
/** Seconds from spawning `packets` to its first complete line on stdout; the process is then stopped. */
function firstLine(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(NODE, [CLI, 'packets', path], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.includes(10)) return;
      resolve((performance.now() - t0) / 1000);
      child.kill();
    });
    child.on('error', reject);
    child.on('exit', () => resolve((performance.now() - t0) / 1000));
  });
}
const firsts: number[] = [];
for (let i = 0; i < 3; i++) firsts.push(await firstLine(tiny));
const whole = measure(porttrace('packets', tiny));
const tinyFactor = whole.peakBytes / size(tiny);
console.log(
  `  whole run ${whole.seconds.toFixed(2)} s, peak ${mib(whole.peakBytes)}; first line after ${firsts.map((s) => s.toFixed(2)).join(', ')} s`,
);
target(
  'packets 1M tiny packets: peak RSS',
  '≤ 2 × the file',
  `${mib(whole.peakBytes)} = ${tinyFactor.toFixed(1)} × ${mb(size(tiny))}${againstFloors(2 * size(tiny))}`,
  tinyFactor <= 2,
);
target(
  'packets 1M tiny packets: first line',
  '≤ 0.3 s',
  `${median(firsts).toFixed(2)} s (median of 3)`,
  median(firsts) <= 0.3,
);

// ------------------------------------------------------------------ lab (Chromium)
if (process.env.PORTTRACE_SKIP_BROWSER === '1') {
  console.log('\n== lab: skipped (PORTTRACE_SKIP_BROWSER=1)');
} else {
  console.log('\n== lab (Chromium, the built site)');
  const { buildSite, labRun, packetDetailsRun } = await import('./bench-browser.ts');
  const { launch } = await import('../tests/e2e/browser.ts');
  const { serveStatic } = await import('../tests/e2e/static-server.ts');
  buildSite();
  const { url, server } = await serveStatic('dist');
  const browser = await launch();
  try {
    const floods = [];
    for (let i = 0; i < 3; i++) floods.push(await labRun(browser, url, files['flood-400k.pcap'].path));
    const counted = median(floods.map((r) => r.counted)) / 1000;
    const longest = Math.max(...floods.map((r) => r.longest));
    const seconds = (values: number[]) => values.map((ms) => (ms / 1000).toFixed(2)).join(', ');
    console.log(`  400k flood: verdict counts on screen after ${seconds(floods.map((r) => r.counted))} s`);
    console.log(`  400k flood: first page of attempts on screen after ${seconds(floods.map((r) => r.painted))} s`);
    target(
      'lab 400k flood: first verdict counts',
      '≤ 3 s after choosing the file',
      `${counted.toFixed(2)} s (median of 3)`,
      counted <= 3,
    );
    target(
      'lab 400k flood: longest main-thread task',
      '≤ 200 ms',
      `${longest.toFixed(0)} ms (0 = none over 50 ms)`,
      longest <= 200,
    );
    const details = [];
    for (let i = 0; i < 3; i++) details.push(await packetDetailsRun(browser, url, files['huge-packet.pcap'].path));
    const shown = median(details.map((d) => d.shown));
    console.log(
      `  1 MiB packet: details and hex on screen after ${details.map((d) => d.shown.toFixed(0)).join(', ')} ms`,
    );
    target('lab 1 MiB packet: details and hex', '≤ 200 ms', `${shown.toFixed(0)} ms (median of 3)`, shown <= 200);
  } finally {
    await browser.close();
    server.close();
  }
}

// ------------------------------------------------------------------ summary
console.log('\n== every target');
for (const t of targets) {
  const verdict = t.met === 'not available' ? 'not available' : t.met ? 'met' : 'not met';
  console.log(`  ${verdict.padEnd(13)} ${t.what}: ${t.measured} (target ${t.target})`);
}
