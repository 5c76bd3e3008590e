// The Windows Firewall log at Windows' largest size (32 MB, -LogMaxSizeKilobytes 32767): how
// long parsing it and matching it against a capture's attempts take, as the lab's Worker and
// `porttrace verdicts --firewall-log` do. The log is the recorded blocked trace's (written by
// tests/firewall/write-firewall-log.ts), padded with DROP lines of other hosts to 32 MB.
// Run: npx tsx scripts/bench-firewall-log.ts
import { readFileSync } from 'node:fs';
import { parseFirewallLog } from '../src/lib/capture/firewall-log.ts';
import { analyzeCapture } from '../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { firewallLogFor, localStamp } from '../tests/firewall/write-firewall-log.ts';

const TRACE = 'public/traces/blocked-drop-server.pcapng';
const capture = loadCaptureBytes(new Uint8Array(readFileSync(TRACE)));
const epoch = capture.packets[0].seconds;
const lines = [firewallLogFor(TRACE, '10.0.1.20', 60).trimEnd()];
let size = lines[0].length;
for (let i = 0; size < 32 << 20; i++) {
  const line = `${localStamp(epoch - 3600 + (i % 7200), 60)} DROP TCP 192.168.${(i >> 8) & 255}.${i & 255} 10.0.1.20 ${1024 + (i % 60000)} 445 52 S ${i} 0 64240 - - - RECEIVE 4`;
  lines.push(line);
  size += line.length + 2;
}
const text = lines.join('\r\n');

const median = (work: () => void): string => {
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return `${times[2].toFixed(0)} ms (median of 5; ${times[0].toFixed(0)}-${times[4].toFixed(0)})`;
};

const log = parseFirewallLog(text);
console.log(`${(text.length / 2 ** 20).toFixed(1)} MB, ${log.entries.length.toLocaleString('en')} lines`);
console.log(`parse: ${median(() => parseFirewallLog(text))}`);
console.log(`verdicts with the log: ${median(() => analyzeCapture(capture, undefined, { firewallLog: log }))}`);
console.log(`verdicts without: ${median(() => analyzeCapture(capture))}`);
