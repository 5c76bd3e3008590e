// Packets written into an .etl by the independent test writer come back identical: bytes,
// timestamps (to 100 ns, FILETIME's resolution), direction and interface — whatever the clock,
// pointer size, buffer size, CPU spread, buffer order and fragmentation.
import { describe, expect, it } from 'vitest';
import { readEtl, looksLikeEtl, walkEtl } from '../../src/lib/capture/etl.ts';
import { writeEtl, type ClockIn, type PacketIn, type WriteOptions } from './write-etl.ts';
import { requireTshark } from '../support/corpus.ts';
import { framesOf, hex, manifestCount, packetsFrom, tsharkFrames, type Plan } from './helpers.ts';

const tshark = requireTshark();

const FILETIME_EPOCH = 116_444_736_000_000_000n;

function expected(p: PacketIn) {
  const unix100 = p.filetime - FILETIME_EPOCH;
  return {
    seconds: Number(unix100 / 10_000_000n),
    nanoseconds: Number(unix100 % 10_000_000n) * 100,
    direction: p.direction,
    iface: `eth:${p.lowerIfIndex}`,
    hex: hex(p.data),
  };
}

function roundTrip(packets: PacketIn[], options: WriteOptions) {
  const written = writeEtl(packets, options);
  const read = readEtl(written.bytes);
  const got = read.frames.map((f) => ({
    seconds: f.seconds,
    nanoseconds: f.nanoseconds,
    direction: f.direction,
    iface: read.info.interfaces[f.interfaceId].name,
    hex: hex(f.data),
  }));
  return { written, read, got, want: packets.map(expected) };
}

/** Order-independent comparison for packets sharing a timestamp (their CPUs decide their order). */
const keyOf = (x: { seconds: number; nanoseconds: number; direction?: string; iface?: string; hex: string }) =>
  `${x.seconds}.${String(x.nanoseconds).padStart(9, '0')} ${x.direction} ${x.iface} ${x.hex}`;

function expectSame(got: ReturnType<typeof roundTrip>['got'], want: ReturnType<typeof roundTrip>['want']) {
  expect(got.length).toBe(want.length);
  expect(got.map(keyOf).sort()).toEqual(want.map(keyOf).sort());
  // And the reader hands them out in time order.
  for (let i = 1; i < got.length; i++) {
    const a = got[i - 1];
    const b = got[i];
    expect(a.seconds < b.seconds || (a.seconds === b.seconds && a.nanoseconds <= b.nanoseconds)).toBe(true);
  }
}

const CAPTURES = [
  'zeek/Traces/dce-rpc/kerberos445_auth.pcapng',
  'zeek/Traces/smtp/smtp-bdat-cmd-invalid.pcapng',
  'zeek/Traces/dce-rpc/kerberos135_auth.pcapng',
  'zeek/Traces/http/zeek-image-1080-80-x.pcapng',
  'zeek/Traces/http/cooper-grill-dvwa.pcapng',
  'public/traces/open-client.pcapng',
  'public/traces/open-ipv6-client.pcapng',
  'public/traces/return-path-drop-server.pcapng',
];

describe('the test pcapng helper agrees with capinfos', () => {
  it.each(CAPTURES)('%s has the MANIFEST packet count', (path) => {
    expect(framesOf(path).length).toBe(manifestCount(path));
  });
});

describe('round trip through the test ETL writer', () => {
  const clocks: Array<[string, ClockIn]> = [
    ['QPC 10 MHz', { kind: 'qpc', frequency: 10_000_000n }],
    ['QPC 14.31818 MHz', { kind: 'qpc', frequency: 14_318_180n }],
    ['QPC 24 MHz', { kind: 'qpc', frequency: 24_000_000n }],
    ['system time', { kind: 'system-time' }],
    ['CPU cycles 2995 MHz', { kind: 'cpu-cycles', mhz: 2995 }],
  ];

  it.each(CAPTURES)('%s: single-event packets, 4 CPUs, shuffled buffers, two interfaces', (path) => {
    const packets = packetsFrom(framesOf(path), { twoInterfaces: true });
    const { got, want, read, written } = roundTrip(packets, { shuffleSeed: 99, bufferSize: 4096 });
    expect(read.error).toBeUndefined();
    expectSame(got, want);
    expect(read.info.format).toBe('etl');
    expect(read.info.interfaces.map((i) => [i.name, i.linkType]).sort()).toEqual(
      [...new Set(packets.map((p) => p.lowerIfIndex))].sort().map((n) => [`eth:${n}`, 1]),
    );
    // Jumbo/TSO frames bigger than a buffer must have been split, and joined back.
    expect(read.events.fragmentedPackets).toBe(written.fragmentedPackets);
  });

  it.each(CAPTURES)('%s: packets split into 1–3 fragments across small buffers, with noise events', (path) => {
    const plan: Plan = { fragments: (i) => (i % 3) + 1, twoInterfaces: true, cpus: 3, gft: true };
    const packets = packetsFrom(framesOf(path), plan);
    const { got, want, read, written } = roundTrip(packets, { shuffleSeed: 5, bufferSize: 1024, noise: true });
    expect(read.error).toBeUndefined();
    expectSame(got, want);
    expect(written.fragmentedPackets).toBeGreaterThan(0);
    expect(read.events.fragmentedPackets).toBe(written.fragmentedPackets);
    expect(read.events.incompletePackets).toBe(0);
    expect(read.events.orphanFragments).toBe(0);
    expect(read.events.packetEvents).toBe(written.packetEvents.reduce((n, e) => n + e.length, 0));
    // The noise (classic, compact, perfinfo, other-provider, 1002 metadata) was walked, not mistaken for packets.
    expect(read.events.byKind['event-trace']).toBeGreaterThan(0);
    expect(read.events.byKind['compact-system']).toBeGreaterThan(0);
    expect(read.events.byKind['perfinfo']).toBeGreaterThan(0);
    expect(read.events.metadataEvents).toBeGreaterThan(0);
    // readEtl keeps only packet events but counts them all: the same totals as a full walk.
    const walk = walkEtl(written.bytes);
    expect(read.events.events).toBe(walk.events.length);
    expect(read.events.events).toBe(walk.counts.total);
    expect(read.events.events).toBe(packets.length > 0 ? 1 + written.noiseEvents + read.events.packetEvents : 1);
  });

  it.each(clocks)('timestamps are exact to 100 ns with the %s clock', (_name, clock) => {
    const packets = packetsFrom(framesOf('zeek/Traces/http/zeek-image-1080-80-x.pcapng'));
    // Push some times off the microsecond grid so 100 ns digits matter.
    packets.forEach((p, i) => (p.filetime += BigInt(i % 10)));
    const { got, want, read } = roundTrip(packets, { clock, shuffleSeed: 17 });
    expect(read.error).toBeUndefined();
    expectSame(got, want);
  });

  it('reads 32-bit traces (4-byte pointers in the logfile header, header types 0x01/0x12)', () => {
    const packets = packetsFrom(framesOf('zeek/Traces/smtp/smtp-bdat-cmd-invalid.pcapng'), {
      fragments: (i) => 1 + (i % 2),
    });
    const { got, want, read } = roundTrip(packets, { pointerSize: 4, shuffleSeed: 3, noise: true, bufferSize: 1024 });
    expect(read.error).toBeUndefined();
    expect(read.info.variant).toContain('32-bit');
    expectSame(got, want);
  });

  it('the writer really stores buffers out of time order, and the reader still orders packets', () => {
    const packets = packetsFrom(framesOf('zeek/Traces/http/cooper-grill-dvwa.pcapng'));
    const { written, got, want } = roundTrip(packets, { shuffleSeed: 1234, bufferSize: 2048 });
    const view = new DataView(written.bytes.buffer);
    const flushTimes = written.buffers.slice(1).map((b) => view.getBigInt64(b.offset + 16, true));
    const sorted = [...flushTimes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(flushTimes).not.toEqual(sorted);
    expectSame(got, want);
  });

  it('packet i of a capture without timestamp ties comes back as frame i', () => {
    const packets = packetsFrom(framesOf('zeek/Traces/dce-rpc/kerberos135_auth.pcapng'), { twoInterfaces: true });
    const { got, want, read } = roundTrip(packets, { shuffleSeed: 8, noise: true });
    expect(got).toEqual(want);
    expect(read.frames.map((f) => f.number)).toEqual(packets.map((_, i) => i + 1));
    // The writer logs every event from process 4, thread 0x1234 (the System process, as NDIS does).
    for (const f of read.frames) expect(f.comments).toEqual(['PID=4 TID=4660']);
    // Lengths: nothing was truncated, so the wire length is the captured length.
    for (const f of read.frames) expect(f.originalLength).toBe(f.capturedLength);
  });

  it('raw IP (WWAN) and 802.11 keywords give link types 101 and 105; 802.11 Protected is cleared', () => {
    const ip = framesOf('zeek/Traces/dce-rpc/kerberos445_auth.pcapng').map((f) => f.data.subarray(14));
    const wifi = new Uint8Array([
      0x08, 0x41, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 0, 0,
    ]);
    const base = 132_500_000_000_000_000n;
    const packets: PacketIn[] = [
      ...ip.map((data, i) => ({
        data,
        filetime: base + BigInt(i) * 10n,
        direction: 'sent' as const,
        lowerIfIndex: 20,
        miniportIfIndex: 20,
        medium: 'raw' as const,
        cpu: i % 2,
      })),
      {
        data: wifi,
        filetime: base + BigInt(ip.length) * 10n,
        direction: 'received',
        lowerIfIndex: 30,
        miniportIfIndex: 30,
        medium: 'wifi',
        cpu: 1,
      },
    ];
    const read = readEtl(writeEtl(packets, { shuffleSeed: 2 }).bytes);
    expect(read.error).toBeUndefined();
    expect(read.frames.map((f) => f.linkType)).toEqual([...ip.map(() => 101), 105]);
    expect(read.info.interfaces.map((i) => i.name)).toEqual(['mbb:20', 'wifi:30']);
    expect(hex(read.frames[0].data)).toBe(hex(ip[0]));
    expect(read.frames[ip.length].data[1]).toBe(0x01);
  });

  it('Hyper-V switch fragments (event 1003) come back, one interface per switch port', () => {
    const ports = [
      { portId: 3, portName: 'B7F3A1C2-PORT', nicName: 'web01 (adapter)', nicType: 'Synthetic', destinations: 2 },
      { portId: 9, portName: 'EXTERNAL-PORT', nicName: 'Intel(R) Ethernet', nicType: 'External', destinations: 0 },
    ];
    const packets = packetsFrom(framesOf('zeek/Traces/http/zeek-image-1080-80-x.pcapng'), {
      fragments: (i) => 1 + (i % 2),
    }).map((p, i) => ({
      ...p,
      vmSwitch: ports[i % 2],
      lowerIfIndex: 14,
      miniportIfIndex: 14,
    }));
    const { got, read, written } = roundTrip(packets, { shuffleSeed: 6, bufferSize: 2048, noise: true });
    expect(read.error).toBeUndefined();
    expect(read.events.vmSwitchFragments).toBe(written.packetEvents.reduce((n, e) => n + e.length, 0));
    expect(read.info.interfaces.map((i) => i.name).sort()).toEqual([
      'vNIC:External:EXTERNAL-PORT:14',
      'vNIC:Synthetic:B7F3A1C2-PORT:14',
    ]);
    expect(read.info.interfaces.find((i) => i.name?.includes('Synthetic'))?.description).toContain(
      'Hyper-V switch port 3 (web01 (adapter))',
    );
    const want = packets.map((p, i) => ({
      ...expected(p),
      iface: `vNIC:${ports[i % 2].nicType}:${ports[i % 2].portName}:14`,
    }));
    expectSame(got, want);
  });

  it('a truncated packet gets its wire length from the IP header (as etl2pcapng does)', () => {
    const full = framesOf('zeek/Traces/http/zeek-image-1080-80-x.pcapng').find((f) => f.data.length > 200)!;
    const cut = full.data.subarray(0, 128);
    const read = readEtl(
      writeEtl([
        {
          data: cut,
          filetime: 132_500_000_000_000_000n,
          direction: 'received',
          lowerIfIndex: 7,
          miniportIfIndex: 7,
          cpu: 0,
        },
      ]).bytes,
    );
    expect(read.frames[0].capturedLength).toBe(128);
    expect(read.frames[0].originalLength).toBe(full.data.length);
  });

  it('looksLikeEtl accepts written traces', () => {
    const bytes = writeEtl(packetsFrom(framesOf('zeek/Traces/dce-rpc/kerberos445_auth.pcapng'))).bytes;
    expect(looksLikeEtl(bytes.subarray(0, 4096))).toBe(true);
  });
});

describe.skipIf(tshark.skip)(`against tshark (the independent oracle)${tshark.note}`, () => {
  it.each([
    'zeek/Traces/smtp/smtp-bdat-cmd-invalid.pcapng',
    'zeek/Traces/http/zeek-image-1080-80-x.pcapng',
    'zeek/Traces/http/cooper-grill-dvwa.pcapng',
  ])('%s: times and lengths read back from the .etl match tshark on the original', (path) => {
    const packets = packetsFrom(framesOf(path), { fragments: (i) => (i % 4 === 0 ? 2 : 1) });
    const read = readEtl(writeEtl(packets, { shuffleSeed: 21, bufferSize: 2048 }).bytes);
    const oracle = tsharkFrames(path);
    expect(read.frames.length).toBe(oracle.length);
    const fromEtl = read.frames
      .map((f) => `${f.seconds}.${String(f.nanoseconds).padStart(9, '0')} ${f.capturedLength}`)
      .sort();
    const fromTshark = oracle
      .map((o) => `${o.seconds}.${String(Math.floor(o.nanoseconds / 100) * 100).padStart(9, '0')} ${o.capLen}`)
      .sort();
    expect(fromEtl).toEqual(fromTshark);
  });
});
