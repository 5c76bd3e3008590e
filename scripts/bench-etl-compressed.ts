// Compressed ETW buffers: how fast MS-XCA Plain LZ77 inflates, and what reading a compressed
// pktmon trace costs next to the same trace uncompressed. Traces are written by the test writer
// from a corpus capture repeated to about 20,000 packets (each logged at three components).
// Run: npx tsx scripts/bench-etl-compressed.ts
import { readEtl } from '../src/lib/capture/etl.ts';
import { inflatePlainLz77 } from '../src/lib/capture/xca-lz77.ts';
import { compressPlainLz77 } from '../tests/etl/xca-lz77-compress.ts';
import { writeEtl, type PacketIn } from '../tests/etl/write-etl.ts';
import { framesOf, packetsFrom } from '../tests/etl/helpers.ts';

const base = packetsFrom(framesOf('packets/http_ip4and6.pcapng'), { cpus: 4 });
const packets: PacketIn[] = [];
for (let round = 0; packets.length < 20_000; round++)
  for (const p of base)
    packets.push({
      ...p,
      filetime: p.filetime + BigInt(round) * 100_000_000n,
      pktmon: { componentIds: [5, 9, 12], firstDirTag: 3 },
    });

const time = (label: string, runs: number, work: () => number) => {
  work();
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    size = work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${label}: median ${times[runs >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[runs - 1].toFixed(1)}) ${size ? `→ ${size.toLocaleString('en-US')}` : ''}`,
  );
  return times[runs >> 1];
};

const plain = writeEtl(packets, { bufferSize: 65536 });
const compressed = writeEtl(packets, { bufferSize: 65536, compress: true });
console.log(
  `  ${packets.length.toLocaleString('en-US')} packets, ${(packets.length * 3).toLocaleString('en-US')} pktmon events: ${(plain.bytes.length / 1e6).toFixed(1)} MB uncompressed, ${(compressed.bytes.length / 1e6).toFixed(1)} MB compressed`,
);
time('readEtl, uncompressed', 5, () => readEtl(plain.bytes).frames.length);
time('readEtl, compressed  ', 5, () => readEtl(compressed.bytes).frames.length);

// Raw inflate throughput on one 16 MiB buffer's worth of event bytes.
const events = plain.bytes.subarray(65536, 65536 + 16 * 65536);
const stream = compressPlainLz77(events);
const ms = time(
  `inflate ${(events.length / 1e6).toFixed(1)} MB (ratio ${(events.length / stream.length).toFixed(1)}:1)`,
  7,
  () => inflatePlainLz77(stream, events.length).output.length,
);
console.log(`  inflate throughput: ${(events.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s`);
