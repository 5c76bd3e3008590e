// pktmon loopback copies: what folding the copies logged under different packet ids costs when
// a trace is read. The trace is the recorded loopback conversation (tests/fixtures/etl/
// loopback.pcapng) repeated to 40,000 packets, each logged at TCPIP and the loopback interface
// twice — as one packet id (pktmon's identity folds it), as two ids 5 µs apart (the rule folds
// them), or as two ids 500 µs apart (beyond the rule's window: twice the frames, none folded).
// Run: npx tsx scripts/bench-pktmon-loopback.ts
import { readEtl } from '../src/lib/capture/etl.ts';
import { writeEtl, type PacketIn } from '../tests/etl/write-etl.ts';
import { framesOf } from '../tests/etl/helpers.ts';

const frames = framesOf('tests/fixtures/etl/loopback.pcapng');
const PACKETS = 40_000;

function trace(twoIds: boolean, gapTicks = 50n): Uint8Array {
  const packets: PacketIn[] = [];
  for (let round = 0; packets.length < (twoIds ? 2 : 1) * PACKETS; round++) {
    for (const f of frames) {
      const data = f.data.slice(14);
      // Another source port each round: every round is a connection of its own.
      const port = 1024 + (round % 60_000);
      data[20] = port >> 8;
      data[21] = port & 0xff;
      const sent = f.timeNs / 100n + 116_444_736_000_000_000n + BigInt(round) * 10_000_000n;
      const base = { data, lowerIfIndex: 1, miniportIfIndex: 1, medium: 'raw', cpu: round % 4 } as const;
      packets.push({
        ...base,
        filetime: sent,
        direction: 'sent',
        pktmon: { componentIds: twoIds ? [12, 1] : [12, 1, 1, 12], firstDirTag: 2 },
      });
      if (twoIds)
        packets.push({
          ...base,
          filetime: sent + gapTicks,
          direction: 'received',
          pktmon: { componentIds: [1, 12], firstDirTag: 3 },
        });
    }
  }
  return writeEtl(packets, { compress: true, bufferSize: 1 << 20 }).bytes;
}

for (const [label, twoIds, gap] of [
  ['one packet id per packet (identity)', false, 0n],
  ['two packet ids per packet, 5 µs apart (loopback rule)', true, 50n],
  ['two packet ids per packet, 500 µs apart (not folded)', true, 5000n],
] as const) {
  const bytes = trace(twoIds, gap);
  const times: number[] = [];
  let frameCount = 0;
  let copies = 0;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    const read = readEtl(bytes);
    times.push(performance.now() - start);
    frameCount = read.frames.length;
    copies = read.events.pktmonLoopbackCopies;
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label}: ${(bytes.length / 1e6).toFixed(1)} MB, ${frameCount.toLocaleString('en')} frames, ${copies.toLocaleString('en')} copies folded; read in ${times[2].toFixed(0)} ms (median of 5; ${times[0].toFixed(0)}-${times[4].toFixed(0)})`,
  );
}
