// PktMon traces (`pktmon start --capture`): each packet is logged at every component it passes;
// it comes back once, at its first appearance, with its bytes, time and direction, and a drop
// anywhere along the way is written into its comment.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pcapngFrames } from './pcapng-frames.ts';
import { readEtl } from '../../src/lib/capture/etl.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { analyzeCapture, explain } from '../../src/lib/analysis/index.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { packetTree } from '../../src/lib/describe/packet-tree.ts';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { writeEtl, type PacketIn, type PktmonComponentIn } from './write-etl.ts';
import { corpusBytes, framesOf, hex, packetsFrom } from './helpers.ts';

const COMPONENTS: PktmonComponentIn[] = [
  { id: 5, type: 2, name: 'Intel(R) Ethernet Connection I219-LM', description: 'Miniport' },
  { id: 9, type: 3, name: 'WFP Native MAC Layer LightWeight Filter', description: 'Filter' },
  { id: 12, type: 4, name: 'TCPIP', description: 'Protocol' },
];
const FILETIME_EPOCH = 116_444_736_000_000_000n;

/** Received packets pass NIC → filter → TCPIP (first tag Rx); sent ones the other way (first tag Out). */
function asPktmon(packets: PacketIn[], appearances: (i: number) => number): PacketIn[] {
  return packets.map((p, i) => {
    const path = p.direction === 'received' ? [5, 9, 12] : [12, 9, 5];
    return {
      ...p,
      pktmon: { componentIds: path.slice(0, appearances(i)), firstDirTag: p.direction === 'received' ? 3 : 2 },
    };
  });
}

const key = (seconds: number, nanoseconds: number, direction: string | undefined, data: Uint8Array) =>
  `${seconds}.${String(nanoseconds).padStart(9, '0')} ${direction} ${hex(data)}`;
const keyOfPacket = (p: PacketIn) => {
  const t = p.filetime - FILETIME_EPOCH;
  return key(Number(t / 10_000_000n), Number(t % 10_000_000n) * 100, p.direction, p.data);
};

describe('PktMon traces', () => {
  const source = asPktmon(
    packetsFrom(framesOf('public/traces/open-ipv6-client.pcapng'), { cpus: 3 }),
    (i) => 1 + (i % 3),
  );
  const written = writeEtl(source, { shuffleSeed: 12, bufferSize: 8192, noise: true, pktmonComponents: COMPONENTS });
  const read = readEtl(written.bytes);

  it('give one frame per packet, identical bytes, times and directions', () => {
    expect(read.error).toBeUndefined();
    expect(read.frames.length).toBe(source.length);
    expect(read.frames.map((f) => key(f.seconds, f.nanoseconds, f.direction, f.data)).sort()).toEqual(
      source.map(keyOfPacket).sort(),
    );
    const appearances = source.reduce((n, p) => n + p.pktmon!.componentIds.length, 0);
    expect(read.events.pktmonFrameEvents).toBe(appearances);
    expect(read.events.pktmonRepeatedAppearances).toBe(appearances - source.length);
  });

  it('name interfaces after the component where each packet was first seen', () => {
    expect(read.info.interfaces.map((i) => i.name).sort()).toEqual(['Intel(R) Ethernet Connection I219-LM', 'TCPIP']);
    const nic = read.info.interfaces.find((i) => i.name?.startsWith('Intel'))!;
    expect(nic.description).toBe('PktMon component 5 (Miniport, Intel(R) Ethernet Connection I219-LM, Miniport)');
    for (const f of read.frames)
      expect(read.info.interfaces[f.interfaceId].name).toBe(f.direction === 'received' ? nic.name : 'TCPIP');
  });

  it('load through the common loader with the same decoded packets as the pcapng', () => {
    const summary = (bytes: Uint8Array) =>
      loadCaptureBytes(bytes)
        .packets.map((p) =>
          [
            p.seconds,
            // An .etl keeps time in 100-ns ticks (FILETIME): finer digits of the source cannot survive.
            Math.floor(p.nanoseconds / 100),
            p.dissection.ip?.version,
            p.dissection.tcp?.srcPort,
            p.dissection.tcp?.dstPort,
            p.dissection.tcp?.flags,
          ].join(' '),
        )
        .sort();
    const fromEtl = loadCaptureBytes(written.bytes);
    expect(fromEtl.info.format).toBe('etl');
    expect(summary(written.bytes)).toEqual(summary(corpusBytes('public/traces/open-ipv6-client.pcapng')));
  });

  it('write where a packet was dropped, and why, into its comment', () => {
    const syns = packetsFrom(framesOf('public/traces/open-client.pcapng')).slice(0, 1);
    const dropped: PacketIn = {
      ...syns[0],
      direction: 'received',
      pktmon: { componentIds: [5, 9, 12], firstDirTag: 3, drop: { appearance: 1, reason: 8, location: 0xe0004e2 } },
    };
    const r = readEtl(writeEtl([dropped], { pktmonComponents: COMPONENTS }).bytes);
    expect(r.frames.length).toBe(1);
    expect(r.events.pktmonDropEvents).toBe(1);
    expect(r.frames[0].comments).toEqual([
      'PktMon: first seen at component 5, direction Rx',
      'PktMon: dropped at component 9 (Filter, WFP Native MAC Layer LightWeight Filter, Filter): Filtered (DropReason 8, DropLocation 0xe0004e2)',
    ]);
  });

  it("name drop reasons as Microsoft's parser for the provider does, and show the others by number", () => {
    const syn = packetsFrom(framesOf('public/traces/open-client.pcapng'))[0];
    const infoFor = (reason: number) => {
      const dropped: PacketIn = {
        ...syn,
        direction: 'received',
        pktmon: { componentIds: [5, 9, 12], firstDirTag: 3, drop: { appearance: 2, reason, location: 0xe0004138 } },
      };
      const [row] = describePackets(loadCaptureBytes(writeEtl([dropped], { pktmonComponents: COMPONENTS }).bytes));
      return row.info.slice(0, row.info.indexOf(']') + 1);
    };
    expect(infoFor(16)).toBe('[Dropped by component 12 (TCPIP): Spoofed MAC address is not allowed (16)]');
    expect(infoFor(38)).toBe('[Dropped by component 12 (TCPIP): Adapter is in low power state (38)]');
    expect(infoFor(0xcc)).toBe('[Dropped by component 12 (TCPIP): VMBus error (204)]');
    // Seen in real traces, named nowhere public: the number ("Dropped by component N: reason R").
    expect(infoFor(0x386)).toBe('[Dropped by component 12 (TCPIP): reason 902]');
  });

  it('turn a drop-only record (pktmon --drop-only) into a frame too', () => {
    const syns = packetsFrom(framesOf('public/traces/open-client.pcapng')).slice(0, 1);
    const onlyDrop: PacketIn = {
      ...syns[0],
      pktmon: { componentIds: [9], firstDirTag: 1, drop: { appearance: 0, reason: 12, location: 7 } },
    };
    const r = readEtl(writeEtl([onlyDrop]).bytes);
    expect(r.frames.length).toBe(1);
    expect(hex(r.frames[0].data)).toBe(hex(syns[0].data));
    expect(r.frames[0].comments?.[1]).toContain('Failed security policy (DropReason 12');
    expect(r.info.interfaces[0].name).toBe('pktmon:9');
  });

  it('keep packets that share a PktGroupId but not a PktNumber apart', () => {
    const two = packetsFrom(framesOf('public/traces/open-client.pcapng'))
      .slice(0, 2)
      .map((p, i) => ({
        ...p,
        pktmon: { componentIds: [5], firstDirTag: 3, packetNumber: i + 1 },
      }));
    // Same group id: the writer derives it from the packet index, so give both index 0's by
    // writing them as one NBL — emulate by rewriting the second event's group id afterwards.
    const w = writeEtl(two, { bufferSize: 4096 });
    const view = new DataView(w.bytes.buffer);
    const [[firstStart]] = w.packetEvents[0];
    const [[secondStart]] = w.packetEvents[1];
    view.setBigUint64(secondStart + 80, view.getBigUint64(firstStart + 80, true), true);
    expect(readEtl(w.bytes).frames.length).toBe(2);
  });

  it('report a LoggedPayloadSize larger than the event as malformed, keeping the other packets', () => {
    const w = writeEtl(source, { bufferSize: 8192, pktmonComponents: COMPONENTS });
    const bytes = w.bytes.slice();
    const [[start]] = w.packetEvents[2];
    new DataView(bytes.buffer).setUint16(start + 80 + 32, 60_000, true);
    const r = readEtl(bytes);
    expect(r.error?.kind).toBe('malformed');
    expect(r.error?.offset).toBe(start);
    expect(r.error?.message).toContain('LoggedPayloadSize 60,000');
    // Packet 2 was logged at three components: its next appearance still brings it in.
    expect(source[2].pktmon!.componentIds.length).toBe(3);
    expect(r.frames.length).toBe(source.length);
  });

  it('mixed with netsh packets in one trace: merged by time, interfaces kept apart', () => {
    const frames = framesOf('public/traces/open-client.pcapng');
    const mixed = packetsFrom(frames).map((p, i) =>
      i % 2 ? { ...p, pktmon: { componentIds: [5, 9], firstDirTag: 3 } } : p,
    );
    const r = readEtl(writeEtl(mixed, { shuffleSeed: 4, pktmonComponents: COMPONENTS }).bytes);
    expect(r.error).toBeUndefined();
    expect(r.frames.map((f) => hex(f.data))).toEqual(frames.map((f) => hex(f.data)));
    expect(r.frames.map((f) => f.number)).toEqual(frames.map((_, i) => i + 1));
    expect(r.frames.map((f) => r.info.interfaces[f.interfaceId].name)).toEqual(
      frames.map((_, i) => (i % 2 ? 'Intel(R) Ethernet Connection I219-LM' : 'eth:7')),
    );
  });
});

describe('a trace without packet events', () => {
  it('says so, and how to record one', () => {
    const r = readEtl(writeEtl([]).bytes);
    expect(r.error).toBeUndefined();
    expect(r.frames).toEqual([]);
    expect(r.info.comments.join(' ')).toContain('netsh trace start capture=yes');
  });
});

describe('pktmon drop events in a recorded blocked attempt (written by the test writer)', () => {
  // The server's capture of the attempt its firewall dropped: each packet logged at the NIC, the
  // WFP filter and TCPIP; the SYNs dropped at TCPIP (component 12) as pktmon reports a
  // filtered packet: event 170 with DropReason 8.
  const frames = pcapngFrames(new Uint8Array(readFileSync('public/traces/blocked-drop-server.pcapng')));
  const source: PacketIn[] = packetsFrom(frames, { cpus: 2 }).map((p) => ({
    ...p,
    direction: 'received',
    pktmon: {
      componentIds: [5, 9, 12],
      firstDirTag: 3,
      drop: { appearance: 2, reason: 8, location: 0xe0004138 },
    },
  }));
  const written = writeEtl(source, { bufferSize: 8192, compress: true, pktmonComponents: COMPONENTS });
  const capture = loadCaptureBytes(written.bytes);

  it('give one frame per packet, every appearance kept, the drop marked', () => {
    expect(capture.error).toBeUndefined();
    expect(capture.packets.length).toBe(frames.length);
    const record = capture.packets[0].pktmon!;
    expect(record.appearances.map((a) => [a.componentId, a.componentName, a.direction, a.drop?.reason])).toEqual([
      [5, 'Intel(R) Ethernet Connection I219-LM', 'Rx', undefined],
      [9, 'WFP Native MAC Layer LightWeight Filter', 'In', undefined],
      [12, 'TCPIP', 'In', 8],
    ]);
    expect(record.appearances[2].drop).toEqual({ reason: 8, reasonName: 'Filtered', location: 0xe0004138 });
  });

  it('the packet list says which component dropped it, and why', () => {
    const [first] = describePackets(capture);
    expect(first.info).toMatch(/^\[Dropped by component 12 \(TCPIP\): Filtered \(8\)\] 49731 → 3389 \[SYN\]/);
    expect(first.netmon).toMatch(/^\[Dropped by component 12 \(TCPIP\): Filtered \(8\)\] /);
  });

  it('the packet details list every appearance', () => {
    const node = packetTree(capture.packets[0]).find((n) => n.field === 'pktmon')!;
    expect(node.label).toBe('Packet Monitor: seen at 3 components, dropped by component 12');
    expect(node.children!.map((c) => c.label).slice(2)).toEqual([
      'Appearance 1: component 5 (Intel(R) Ethernet Connection I219-LM), edge 1, Rx',
      'Appearance 2: component 9 (WFP Native MAC Layer LightWeight Filter), edge 1, In, +0.1 µs',
      'Appearance 3: component 12 (TCPIP), edge 1, In, +0.2 µs, DROPPED: Filtered (8), location 0xe0004138',
    ]);
  });

  it('filters select the dropped packets once each', () => {
    const run = (text: string) => {
      const compiled = compileFilter(text);
      if (!compiled.ok) throw new Error(compiled.error.message);
      return [...compiled.filter.run(capture)];
    };
    const all = frames.map((_, i) => i);
    expect(run('pktmon.drop')).toEqual(all);
    expect(run('pktmon.drop.reason == Filtered')).toEqual(all);
    expect(run('pktmon.drop.reason == 0xCC')).toEqual([]);
    expect(run('pktmon.drop.component == 12 && tcp.flags.syn == 1')).toEqual(all);
    expect(run('pktmon.component == 9')).toEqual(all);
    expect(run('pktmon.appearances == 3')).toEqual(all);
    expect(run('tcp.analysis.retransmission')).toEqual([1, 2]);
  });

  it("the verdict's evidence says pktmon logged each SYN dropped", () => {
    const [verdict] = analyzeCapture(capture).attempts;
    expect(verdict.verdict).toBe('no-response');
    // The drop record settles what a silent server-side capture leaves open.
    expect(explain(verdict).caveats.some((c) => c.startsWith('From this side alone'))).toBe(false);
    const steps = explain(verdict).evidence.filter((e) => e.text.includes('pktmon logged'));
    expect(steps.map((s) => s.text)).toEqual([
      'Frame 1: pktmon logged this SYN as dropped by component 12 (TCPIP): Filtered (drop reason 8), location 0xe0004138: Windows itself discarded the SYN, so no answer could come',
      'Frame 2: pktmon logged this SYN retransmission as dropped by component 12 (TCPIP): Filtered (drop reason 8), location 0xe0004138: Windows itself discarded the SYN, so no answer could come',
      'Frame 3: pktmon logged this SYN retransmission as dropped by component 12 (TCPIP): Filtered (drop reason 8), location 0xe0004138: Windows itself discarded the SYN, so no answer could come',
    ]);
  });

  it('a trace without drops adds no such evidence and no such filter matches', () => {
    const clean = loadCaptureBytes(
      writeEtl(
        source.map((p) => ({ ...p, pktmon: { componentIds: [5, 9, 12], firstDirTag: 3 } })),
        { pktmonComponents: COMPONENTS },
      ).bytes,
    );
    expect(explain(analyzeCapture(clean).attempts[0]).evidence.some((e) => e.text.includes('pktmon'))).toBe(false);
    const compiled = compileFilter('pktmon.drop');
    expect(compiled.ok && compiled.filter.run(clean).length).toBe(0);
  });
});

describe('a pktmon trace with only component events', () => {
  it('says pktmon ran without packet capture, and how to record packets', () => {
    const r = readEtl(writeEtl([], { pktmonComponents: COMPONENTS }).bytes);
    expect(r.error).toBeUndefined();
    expect(r.frames).toEqual([]);
    expect(r.info.comments.join(' ')).toContain(
      'This pktmon trace holds component events (3) but no packets: pktmon ran without --capture. Record packets with "pktmon start --capture --comp nics --pkt-size 0"',
    );
  });
});
