// pktmon on loopback: Windows logs a loopback packet twice, the sent and the received copy,
// 1–20 µs apart (FORMATS.md). With one packet id the copies are one frame by pktmon's identity;
// with two ids, the documented rule of etl-pktmon.ts (loopback addresses, byte-identical IP
// datagrams, within LOOPBACK_COPY_WINDOW_NS) folds them. The packets are a real loopback
// recording (scripts/record-loopback.sh), written as pktmon traces by the project's ETL writer.
import { describe, expect, it } from 'vitest';
import { readEtl } from '../../src/lib/capture/etl.ts';
import { LOOPBACK_COPY_WINDOW_NS } from '../../src/lib/capture/etl-pktmon.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { analyzeCapture } from '../../src/lib/analysis/index.ts';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { packetTree } from '../../src/lib/describe/packet-tree.ts';
import { writeEtl, type PacketIn, type PktmonComponentIn } from './write-etl.ts';
import { corpusBytes, framesOf, hex, tsharkFrames } from './helpers.ts';

const LOOPBACK = 'tests/fixtures/etl/loopback.pcapng';
/** A conversation on a real interface, for the rule's other side. */
const ETHERNET = 'public/traces/open-client.pcapng';
const COMPONENTS: PktmonComponentIn[] = [
  { id: 1, type: 2, name: 'Loopback Pseudo-Interface 1', description: 'Miniport' },
  { id: 12, type: 4, name: 'TCPIP', description: 'Protocol' },
];
const TICK_NS = 100; // an .etl's clock: FILETIME's 100 ns

interface CopyPlan {
  /** 100-ns ticks from the sent copy to the received one. */
  gapTicks: (i: number) => bigint;
  /** Log as IP with no link header (pktmon's PacketType 3), as loopback has none. */
  raw: boolean;
  /** Give both copies one packet id (the writer's PktNumber under one PktGroupId is per packet). */
  sameId?: boolean;
}

/**
 * Each recorded packet as pktmon logs loopback traffic: sent at TCPIP (tag Out) and at the
 * loopback interface (Tx), then received at the loopback interface (Rx) and TCPIP (In); the
 * received copy under another packet id, `gapTicks` later.
 */
function loopbackTrace(path: string, plan: CopyPlan): { packets: PacketIn[]; bytes: Uint8Array } {
  const frames = framesOf(path);
  const packets: PacketIn[] = [];
  frames.forEach((f, i) => {
    const data = plan.raw ? f.data.subarray(14) : f.data;
    const base = {
      data,
      lowerIfIndex: 1,
      miniportIfIndex: 1,
      medium: plan.raw ? 'raw' : 'ethernet',
      cpu: i % 2,
    } as const;
    const sent = BigInt(f.timeNs / 100n) + 116_444_736_000_000_000n;
    packets.push({
      ...base,
      filetime: sent,
      direction: 'sent',
      pktmon: { componentIds: plan.sameId ? [12, 1, 1, 12] : [12, 1], firstDirTag: 2 },
    });
    if (!plan.sameId)
      packets.push({
        ...base,
        filetime: sent + plan.gapTicks(i),
        direction: 'received',
        pktmon: { componentIds: [1, 12], firstDirTag: 3 },
      });
  });
  return {
    packets,
    bytes: writeEtl(packets, { compress: true, bufferSize: 16384, pktmonComponents: COMPONENTS }).bytes,
  };
}

const retransmissions = (capture: ReturnType<typeof loadCaptureBytes>) => {
  const compiled = compileFilter('tcp.analysis.retransmission || tcp.analysis.duplicate_ack');
  if (!compiled.ok) throw new Error(compiled.error.message);
  return [...compiled.filter.run(capture)];
};
const verdictsOf = (capture: ReturnType<typeof loadCaptureBytes>) =>
  analyzeCapture(capture).attempts.map(
    (a) => `${a.attempt.clientPort}→${a.attempt.serverPort} ${a.verdict} ${a.history}`,
  );

describe('pktmon loopback copies', () => {
  const original = loadCaptureBytes(corpusBytes(LOOPBACK));
  const tshark = tsharkFrames(LOOPBACK);

  it('the recording is loopback traffic whose packets follow each other within microseconds', () => {
    expect(tshark.length).toBe(12);
    expect(original.packets.every((p) => hex(p.data.subarray(26, 34)) === '7f0000017f000001')).toBe(true);
    expect(verdictsOf(original)).toEqual(['50100→3389 connected ShADadFf', '50101→3390 refused Sr']);
  });

  for (const raw of [true, false]) {
    it(`copies under two packet ids 1–20 µs apart are one frame each (${raw ? 'IP, no link header' : 'Ethernet'})`, () => {
      const { bytes } = loopbackTrace(LOOPBACK, { raw, gapTicks: (i) => 10n + BigInt((i * 37) % 191) });
      const read = readEtl(bytes);
      expect(read.error).toBeUndefined();
      expect(read.events.pktmonLoopbackCopies).toBe(12);
      expect(read.frames.length).toBe(12);
      expect(read.frames.map((f) => hex(raw ? f.data : f.data.subarray(14)))).toEqual(
        framesOf(LOOPBACK).map((f) => hex(f.data.subarray(14))),
      );
      const capture = loadCaptureBytes(bytes);
      expect(verdictsOf(capture)).toEqual(verdictsOf(original));
      expect(retransmissions(capture)).toEqual([]);
      // Both copies stay visible where the packet's details list its appearances.
      const [first] = read.frames;
      expect(first.pktmon!.appearances.map((a) => [a.componentId, a.direction, a.copyOf !== undefined])).toEqual([
        [12, 'Out', false],
        [1, 'Tx', false],
        [1, 'Rx', true],
        [12, 'In', true],
      ]);
      const node = packetTree(capture.packets[0]).find((n) => n.field === 'pktmon')!;
      expect(node.children!.at(-1)!.label).toMatch(
        /^Appearance 4: component 12 \(TCPIP\), edge 1, In, \+\d+(\.\d)? µs, loopback copy \(PktGroupId 0x0000000200000002, PktNumber 1\)$/,
      );
      // 10 ticks after the sent copy's first appearance.
      expect(first.comments).toContain(
        'PktMon: loopback copy logged again 1.0 µs later under PktGroupId 0x0000000200000002, PktNumber 1; counted once',
      );
    });
  }

  it('copies under one packet id are one frame by that identity, with no rule needed', () => {
    const read = readEtl(loopbackTrace(LOOPBACK, { raw: true, gapTicks: () => 0n, sameId: true }).bytes);
    expect(read.frames.length).toBe(12);
    expect(read.events.pktmonLoopbackCopies).toBe(0);
    expect(read.events.pktmonRepeatedAppearances).toBe(36);
  });

  it('a copy further apart than the window is a packet of its own, as a real resend would be', () => {
    const beyond = BigInt(LOOPBACK_COPY_WINDOW_NS / TICK_NS + 10);
    const { bytes } = loopbackTrace(LOOPBACK, { raw: true, gapTicks: (i) => (i === 0 ? beyond : 50n) });
    const read = readEtl(bytes);
    expect(read.events.pktmonLoopbackCopies).toBe(11);
    expect(read.frames.length).toBe(13);
    // The SYN seen again 101 µs later (after the SYN/ACK and the ACK) reads as what it would
    // then be: a retransmission.
    expect(retransmissions(loadCaptureBytes(bytes))).toEqual([3]);
  });

  it('traffic on a real interface logged twice under two ids is not folded: a duplicate there is shown', () => {
    const frames = framesOf(ETHERNET);
    const { bytes } = loopbackTrace(ETHERNET, { raw: false, gapTicks: () => 50n });
    const read = readEtl(bytes);
    expect(read.events.pktmonLoopbackCopies).toBe(0);
    expect(read.frames.length).toBe(2 * frames.length);
  });

  it('byte-different packets within microseconds stay apart (the SYN/ACK 19 µs after the SYN)', () => {
    const read = readEtl(loopbackTrace(LOOPBACK, { raw: true, gapTicks: () => 10n }).bytes);
    const syn = read.frames[0].seconds * 1e9 + read.frames[0].nanoseconds;
    const synAck = read.frames[1].seconds * 1e9 + read.frames[1].nanoseconds;
    expect(synAck - syn).toBeLessThan(LOOPBACK_COPY_WINDOW_NS);
    expect(hex(read.frames[1].data)).toBe(hex(framesOf(LOOPBACK)[1].data.subarray(14)));
  });
});
