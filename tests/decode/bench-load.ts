// Measures loadCaptureBytes / loadCaptureStream throughput on a ~100 MB pcap built in memory
// from a corpus capture's packets repeated. Not a test (timings depend on the machine):
//   npm exec -- tsx tests/decode/bench-load.ts [corpus-file] [megabytes]
import { readFileSync } from 'node:fs';
import { loadCaptureBytes, loadCaptureStream } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { corpusPath } from '../support/corpus.ts';

const source = process.argv[2] ?? corpusPath('zeek/Traces/http/methods.pcap');
const megabytes = Number(process.argv[3] ?? 100);

// Take the frames from the corpus file and write them out again as a classic pcap, repeatedly.
const original = loadCaptureBytes(new Uint8Array(readFileSync(source)));
const linkType = original.packets[0].linkType;
const target = megabytes * 1024 * 1024;
const records: Uint8Array[] = [];
let size = 24;
let seconds = 1_700_000_000;
while (size < target) {
  for (const packet of original.packets) {
    const record = new Uint8Array(16 + packet.data.length);
    const view = new DataView(record.buffer);
    view.setUint32(0, seconds++, true);
    view.setUint32(4, 0, true);
    view.setUint32(8, packet.data.length, true);
    view.setUint32(12, packet.originalLength, true);
    record.set(packet.data, 16);
    records.push(record);
    size += record.length;
  }
}
const file = new Uint8Array(size);
const header = new DataView(file.buffer, 0, 24);
header.setUint32(0, 0xa1b2c3d4, true);
header.setUint16(4, 2, true);
header.setUint16(6, 4, true);
header.setUint32(16, 262144, true);
header.setUint32(20, linkType, true);
let at = 24;
for (const record of records) {
  file.set(record, at);
  at += record.length;
}
const mb = size / 1e6;

// CPU time is reported next to wall time because a shared machine's wall time says more about
// the neighbours than about the code (it includes GC helper threads, so it is the stricter one).
function time<T>(label: string, work: () => T): T {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = work();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `${label}: ${seconds.toFixed(3)} s wall (${(mb / seconds).toFixed(0)} MB/s), ${(mb / cpuSeconds).toFixed(0)} MB/s per CPU second`,
  );
  return result;
}

console.log(`${mb.toFixed(1)} MB, ${records.length} packets (from ${source})`);
for (let round = 0; round < 3; round++) {
  const capture = time('loadCaptureBytes', () => loadCaptureBytes(file));
  if (capture.packets.length !== records.length) throw new Error('packet count differs');
}
const chunks = Array.from({ length: Math.ceil(size / (1 << 20)) }, (_, i) => file.subarray(i << 20, (i + 1) << 20));
const start = performance.now();
const cpu = process.cpuUsage();
const streamed = await loadCaptureStream(chunks);
const streamSeconds = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  `loadCaptureStream (1 MiB chunks): ${streamSeconds.toFixed(3)} s wall (${(mb / streamSeconds).toFixed(0)} MB/s), ` +
    `${(mb / ((used.user + used.system) / 1e6)).toFixed(0)} MB/s per CPU second`,
);
time('describePackets', () => describePackets(streamed.packets));
