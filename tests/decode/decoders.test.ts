// Cases the golden captures do not reach: link types and header values built by hand, each
// checked against what the RFC or the pcap link-type registry says.
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/lib/decode/index.ts';
import type { CapturedFrame } from '../../src/lib/capture/types.ts';
import { formatIP } from '../../src/lib/describe/addresses.ts';

const frame = (linkType: number, bytes: number[], originalLength = bytes.length): CapturedFrame => ({
  number: 1,
  seconds: 0,
  nanoseconds: 0,
  capturedLength: bytes.length,
  originalLength,
  linkType,
  interfaceId: 0,
  data: Uint8Array.from(bytes),
});

// 10.1.2.3 → 10.4.5.6, UDP 53 → 5353 with 4 payload bytes; checksums left zero ("none" for UDP).
const IPV4_UDP = [
  0x45, 0, 0, 32, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 10, 1, 2, 3, 10, 4, 5, 6, 0, 53, 0x14, 0xe9, 0, 12, 0, 0, 1, 2, 3, 4,
];
// ::1 → ::2, UDP, no payload.
const IPV6_UDP = [
  0x60,
  0,
  0,
  0,
  0,
  8,
  17,
  64,
  ...new Array(15).fill(0),
  1,
  ...new Array(15).fill(0),
  2,
  0,
  53,
  0,
  54,
  0,
  8,
  0,
  0,
];

describe('link types', () => {
  it('BSD loopback (0) in either byte order, and OpenBSD LOOP (108) in network order', () => {
    const little = decodeFrame(frame(0, [2, 0, 0, 0, ...IPV4_UDP]));
    const big = decodeFrame(frame(0, [0, 0, 0, 2, ...IPV4_UDP]));
    for (const d of [little, big]) {
      expect(d.loopback?.family).toBe(2);
      expect(d.udp?.dstPort).toBe(5353);
    }
    // AF_INET6 is 24, 28 or 30 depending on the BSD that wrote the file.
    for (const family of [24, 28, 30])
      expect(decodeFrame(frame(0, [family, 0, 0, 0, ...IPV6_UDP])).udp?.srcPort).toBe(53);
    expect(decodeFrame(frame(108, [0, 0, 0, 24, ...IPV6_UDP])).ip?.version).toBe(6);
    expect(decodeFrame(frame(0, [7, 0, 0, 0, ...IPV4_UDP])).problem).toBe('loopback address family 7 is not decoded');
  });

  it('raw IP picks the version from the first nibble; 228/229 are fixed', () => {
    expect(decodeFrame(frame(101, IPV4_UDP)).ip?.version).toBe(4);
    expect(decodeFrame(frame(101, IPV6_UDP)).ip?.version).toBe(6);
    expect(decodeFrame(frame(228, IPV4_UDP)).udp?.length).toBe(12);
    expect(decodeFrame(frame(229, IPV6_UDP)).udp?.length).toBe(8);
    expect(decodeFrame(frame(101, [0x50, ...IPV4_UDP.slice(1)])).problem).toMatch(/IP version 5/);
  });

  it('keeps frames of link types it cannot decode, saying which', () => {
    expect(decodeFrame(frame(119, [1, 2, 3])).problem).toBe(
      'link type 119 (IEEE 802.11 with Prism header) is not decoded',
    );
    // 802.11 is decoded now: three bytes are a header cut short, not an unknown link type.
    expect(decodeFrame(frame(105, [1, 2, 3])).problem).toBe(
      '802.11 header cut short: needs 10 bytes at offset 0, frame has 3',
    );
    expect(decodeFrame(frame(4242, [1, 2, 3])).problem).toBe('link type 4242 is not decoded');
  });

  it('Linux cooked v1 and v2 carry the EtherType in different places', () => {
    const v1 = [0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00, ...IPV4_UDP];
    const v2 = [0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...IPV4_UDP];
    const d1 = decodeFrame(frame(113, v1));
    const d2 = decodeFrame(frame(276, v2));
    expect(d1.sll).toMatchObject({ version: 1, packetType: 4, addressType: 1, protocol: 0x0800 });
    expect(d2.sll).toMatchObject({ version: 2, packetType: 4, addressType: 1, protocol: 0x0800, interfaceIndex: 3 });
    expect(Array.from(d2.sll!.address)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d1.udp?.srcPort).toBe(53);
    expect(d2.udp?.srcPort).toBe(53);
  });
});

describe('IP', () => {
  const ethernet = (type: number, body: number[]) => [...new Array(12).fill(0xaa), type >> 8, type & 0xff, ...body];

  it('Ethernet padding is not payload: the IP total length ends it', () => {
    const d = decodeFrame(frame(1, ethernet(0x0800, [...IPV4_UDP, 0, 0, 0, 0, 0, 0])));
    expect(d.ip?.payloadEnd).toBe(14 + 32);
    expect(d.udp?.payloadEnd).toBe(14 + 32);
  });

  it('a fragment after the first has no transport header; the first one has', () => {
    const first = [...IPV4_UDP];
    first[6] = 0x20; // more fragments, offset 0
    const later = [...IPV4_UDP];
    later[6] = 0x00;
    later[7] = 0x03; // offset 3 × 8 bytes
    const d1 = decodeFrame(frame(101, first));
    const d2 = decodeFrame(frame(101, later));
    expect(d1.ip).toMatchObject({ moreFragments: true, fragmentOffset: 0 });
    expect(d1.udp?.srcPort).toBe(53);
    expect(d1.udp?.checksumStatus).toBe('unverified');
    expect(d2.ip).toMatchObject({ moreFragments: false, fragmentOffset: 24 });
    expect(d2.udp).toBeUndefined();
    expect(d2.problem).toBeUndefined();
  });

  it('headers that cannot be right are problems with their offset, not crashes', () => {
    const shortIhl = [...IPV4_UDP];
    shortIhl[0] = 0x44;
    expect(decodeFrame(frame(101, shortIhl)).problem).toBe('IPv4 header length 16 is less than 20 (offset 0)');
    const shortTotal = [...IPV4_UDP];
    shortTotal[3] = 10;
    expect(decodeFrame(frame(101, shortTotal)).problem).toMatch(/total length 10 is less than the header length 20/);
    const tcp = [
      ...IPV4_UDP.slice(0, 9),
      6,
      ...IPV4_UDP.slice(10, 20),
      0,
      1,
      0,
      2,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0x40,
      2,
      0,
      0,
      0,
      0,
      0,
      0,
    ];
    tcp[3] = 40;
    const d = decodeFrame(frame(101, tcp));
    expect(d.ip?.protocol).toBe(6);
    expect(d.problem).toBe('TCP header length 16 is less than 20 (offset 20)');
  });

  it('IPv6 extension headers are walked to the transport header, and a cut one is truncation', () => {
    // Hop-by-hop (8 bytes) then destination options (8 bytes) then UDP.
    const withExtensions = [
      0x60,
      0,
      0,
      0,
      0,
      24,
      0,
      64,
      ...new Array(15).fill(0),
      1,
      ...new Array(15).fill(0),
      2,
      60,
      0,
      1,
      4,
      0,
      0,
      0,
      0,
      17,
      0,
      1,
      4,
      0,
      0,
      0,
      0,
      0,
      53,
      0,
      54,
      0,
      8,
      0,
      0,
    ];
    const d = decodeFrame(frame(229, withExtensions));
    expect(d.ip?.version === 6 && d.ip.extensionHeaders).toEqual([0, 60]);
    expect(d.ip?.protocol).toBe(17);
    expect(d.udp?.dstPort).toBe(54);
    const cut = decodeFrame(frame(229, withExtensions.slice(0, 52), withExtensions.length));
    expect(cut.ip).toBeDefined();
    expect(cut.truncated).toMatchObject({ layer: 'ipv6', offset: 48, needed: 8 });
    expect(cut.udp).toBeUndefined();
  });

  it('stacked 802.1ad + 802.1Q tags are all kept, outermost first', () => {
    const d = decodeFrame(frame(1, ethernet(0x88a8, [0x20, 100, 0x81, 0x00, 0xa0, 200, 0x08, 0x00, ...IPV4_UDP])));
    expect(d.vlan?.map((t) => [t.tpid, t.id, t.priority])).toEqual([
      [0x88a8, 100, 1],
      [0x8100, 200, 5],
    ]);
    expect(d.eth?.type).toBe(0x0800);
    expect(formatIP(d.ip!.src)).toBe('10.1.2.3');
  });

  it('a TCP header whose options were cut by the snap length keeps its ports and flags', () => {
    // SYN with 12 bytes of options (MSS, NOP, WS, NOP, NOP, SACK_PERM), captured up to the WS option.
    const syn = [
      0x45, 0, 0, 52, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xe0, 0x83, 0x0d, 0x3d, 0, 0, 0, 1, 0, 0, 0,
      0, 0x80, 0x02, 0xfa, 0xf0, 0, 0, 0, 0, 2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2,
    ];
    const d = decodeFrame(frame(101, syn.slice(0, 46), syn.length));
    expect(d.tcp).toMatchObject({
      srcPort: 57475,
      dstPort: 3389,
      flags: 0x002,
      window: 64240,
      headerLength: 32,
      payloadLength: 0,
    });
    expect(d.tcp?.options.mss).toBe(1460);
    expect(d.tcp?.options.sackPermitted).toBeUndefined();
    expect(d.tcp?.checksumStatus).toBe('unverified');
    expect(d.truncated).toMatchObject({ layer: 'tcp', offset: 20, needed: 32 });
  });
});
