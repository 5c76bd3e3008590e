// Writes the link-layer test captures in tests/fixtures/link from the project's own Ethernet
// recordings in public/traces (scripts/record-traces.sh; the project's licence): the same IP
// packets carried as native 802.11 data frames (link type 105), as 802.11 behind a radiotap header
// (127), in PPPoE sessions behind two VLAN tags (QinQ), and in GRE and IP-in-IP (6in4) tunnels.
// Each output is named after its source: <source>.<wifi|radiotap|pppoe-qinq|gre|ipip>.pcap. The
// goldens for them come from tshark (scripts/golden-link.sh), so porttrace's decoders are checked
// against tshark's reading of bytes neither of them wrote. Run from the repository root:
//   npm exec -- tsx scripts/make-link-captures.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pcapngFrames, type SourceFrame } from '../tests/etl/pcapng-frames.ts';

const OUT = 'tests/fixtures/link';

/**
 * Unanswered SYNs retransmitted (IPv4, one direction), two handshakes with data and FINs over
 * IPv4 (ports 88 and 3389), one over IPv6: between them every address order, tunnel and
 * encapsulation below meets both IP versions and both directions.
 */
const SOURCES = [
  'public/traces/blocked-drop-client.pcapng',
  'public/traces/open-client.pcapng',
  'public/traces/open-ipv6-client.pcapng',
];

const BSSID = Uint8Array.from([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);

/** A classic pcap (microseconds, little-endian) of frames of one link type. */
function pcap(
  linkType: number,
  frames: Array<{ timeNs: bigint; data: Uint8Array; originalLength?: number }>,
): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, linkType, true);
  let p = 24;
  for (const f of frames) {
    const us = f.timeNs / 1000n;
    v.setUint32(p, Number(us / 1_000_000n), true);
    v.setUint32(p + 4, Number(us % 1_000_000n), true);
    v.setUint32(p + 8, f.data.length, true);
    v.setUint32(p + 12, f.originalLength ?? f.data.length, true);
    out.set(f.data, p + 16);
    p += 16 + f.data.length;
  }
  return out;
}

const concat = (...parts: ArrayLike<number>[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** IEEE CRC-32, as the 802.11 FCS. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The Ethernet frame's payload as an 802.11 data frame. Frames from `host` go to the access
 * point (To DS), the others come from it (From DS); every other frame is QoS data; every fifth a
 * four-address (WDS) frame.
 */
function toWifi(frame: SourceFrame, index: number, host: string): Uint8Array {
  const dst = frame.data.subarray(0, 6);
  const src = frame.data.subarray(6, 12);
  const etherType = frame.data.subarray(12, 14);
  const payload = frame.data.subarray(14);
  const qos = index % 2 === 0;
  const wds = index % 5 === 4;
  const sent = src.join(':') === host;
  const flags = wds ? 0x03 : sent ? 0x01 : 0x02;
  const fc = [qos ? 0x88 : 0x08, flags];
  let addresses: Uint8Array[];
  if (wds) addresses = [BSSID, BSSID, dst, src];
  else if (sent) addresses = [BSSID, src, dst];
  else addresses = [dst, BSSID, src];
  const sequence = ((index * 7) & 0xfff) << 4;
  const header = concat(
    fc,
    [0x2c, 0x00],
    addresses[0],
    addresses[1],
    addresses[2],
    [sequence & 0xff, sequence >> 8],
    ...(addresses[3] ? [addresses[3]] : []),
    ...(qos ? [[0x00, 0x00]] : []),
  );
  return concat(header, [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00], etherType, payload);
}

/** A radiotap header: TSFT, Flags (FCS at the end when asked), Rate, Channel, antenna signal. */
function radiotap(timeNs: bigint, fcs: boolean): Uint8Array {
  const h = new Uint8Array(8 + 8 + 1 + 1 + 4 + 1 + 1);
  const v = new DataView(h.buffer);
  v.setUint16(2, h.length, true);
  v.setUint32(4, 0b101111, true); // TSFT, Flags, Rate, Channel, dBm antenna signal
  v.setBigUint64(8, timeNs / 1000n, true);
  h[16] = fcs ? 0x10 : 0x00;
  h[17] = 108; // 54 Mb/s in 500 kb/s units
  v.setUint16(18, 2437, true); // channel 6
  v.setUint16(20, 0x00c0, true); // 2 GHz, OFDM
  h[22] = 0xc4; // −60 dBm
  return h;
}

/** The Ethernet frame's IP packet in a PPPoE session behind an 802.1ad and an 802.1Q tag. */
function toPppoeQinq(frame: SourceFrame, index: number): Uint8Array {
  const etherType = (frame.data[12] << 8) | frame.data[13];
  const ip = frame.data.subarray(14);
  const ppp = etherType === 0x86dd ? [0x00, 0x57] : [0x00, 0x21];
  const length = 2 + ip.length;
  return concat(
    frame.data.subarray(0, 12),
    [0x81, 0x00, 0x00, 0x64], // outer tag, VLAN 100
    [0x81, 0x00, 0x00, 0x0a + (index % 2)], // C-tag, VLAN 10 or 11
    [0x88, 0x64, 0x11, 0x00, 0x12, 0x34, length >> 8, length & 0xff],
    ppp,
    ip,
  );
}

/** Internet checksum of an IPv4 header. */
function ipChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i] << 8) | header[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** An outer IPv4 header between two tunnel endpoints, carrying `protocol`. */
function outerIPv4(protocol: number, payloadLength: number, id: number): Uint8Array {
  const h = Uint8Array.from([
    0x45,
    0,
    0,
    0,
    id >> 8,
    id & 0xff,
    0x40,
    0,
    64,
    protocol,
    0,
    0,
    192,
    0,
    2,
    1,
    198,
    51,
    100,
    7,
  ]);
  const total = 20 + payloadLength;
  h[2] = total >> 8;
  h[3] = total & 0xff;
  const sum = ipChecksum(h);
  h[10] = sum >> 8;
  h[11] = sum & 0xff;
  return h;
}

/**
 * The Ethernet frame's IP packet inside a tunnel: GRE (a key on every other packet) or plain
 * IP-in-IP (protocol 4 for IPv4 inside, 41 for IPv6 inside: 6in4).
 */
function toTunnel(frame: SourceFrame, index: number, kind: 'gre' | 'ipip'): Uint8Array {
  const v6 = frame.data[12] === 0x86 && frame.data[13] === 0xdd;
  const inner = frame.data.subarray(14);
  const gre =
    kind === 'gre'
      ? index % 2
        ? [0x20, 0x00, ...(v6 ? [0x86, 0xdd] : [0x08, 0x00]), 0, 0, 0x30, 0x39]
        : [0x00, 0x00, ...(v6 ? [0x86, 0xdd] : [0x08, 0x00])]
      : [];
  const protocol = kind === 'gre' ? 47 : v6 ? 41 : 4;
  return concat(
    frame.data.subarray(0, 12),
    [0x08, 0x00],
    outerIPv4(protocol, gre.length + inner.length, 0x1000 + index),
    gre,
    inner,
  );
}

const ipFrames = (path: string) =>
  pcapngFrames(new Uint8Array(readFileSync(path))).filter((f) => {
    const type = (f.data[12] << 8) | f.data[13];
    return f.linkType === 1 && (type === 0x0800 || type === 0x86dd || type === 0x0806);
  });

for (const source of SOURCES) {
  const frames = ipFrames(source);
  const host = frames[0].data.subarray(6, 12).join(':');
  const name = basename(source, '.pcapng');
  const wifi = frames.map((f, i) => ({ timeNs: f.timeNs, data: toWifi(f, i, host) }));
  // One protected data frame (CCMP header and ciphertext, no LLC in the clear) and one null
  // function frame, as a Wi-Fi capture has them.
  const last = wifi[wifi.length - 1];
  const protectedFrame = concat(
    [0x88, 0x41, 0x2c, 0x00],
    BSSID,
    frames[0].data.subarray(6, 12),
    BSSID,
    [0x10, 0x00, 0x00, 0x00],
    [1, 0, 0, 0x20, 0, 0, 0, 0],
    new Uint8Array(40).fill(0x5c),
  );
  const nullFrame = concat([0x48, 0x11, 0x2c, 0x00], BSSID, frames[0].data.subarray(6, 12), BSSID, [0x20, 0x00]);
  wifi.push({ timeNs: last.timeNs + 1000n, data: protectedFrame }, { timeNs: last.timeNs + 2000n, data: nullFrame });
  writeFileSync(`${OUT}/${name}.wifi.pcap`, pcap(105, wifi));
  const withRadiotap = wifi.map((f, i) => {
    const fcs = i % 3 === 0;
    const body = fcs ? concat(f.data, new Uint8Array(new Uint32Array([crc32(f.data)]).buffer)) : f.data;
    return { timeNs: f.timeNs, data: concat(radiotap(f.timeNs, fcs), body) };
  });
  writeFileSync(`${OUT}/${name}.radiotap.pcap`, pcap(127, withRadiotap));
  const pppoe = frames
    .filter((f) => f.data[12] !== 0x08 || f.data[13] !== 0x06)
    .map((f, i) => ({ timeNs: f.timeNs, data: toPppoeQinq(f, i) }));
  writeFileSync(`${OUT}/${name}.pppoe-qinq.pcap`, pcap(1, pppoe));
  const ipOnly = frames.filter((f) => f.data[12] !== 0x08 || f.data[13] !== 0x06);
  for (const kind of ['gre', 'ipip'] as const) {
    const tunnelled = ipOnly.map((f, i) => ({ timeNs: f.timeNs, data: toTunnel(f, i, kind) }));
    writeFileSync(`${OUT}/${name}.${kind}.pcap`, pcap(1, tunnelled));
  }
  console.log(`${name}: ${wifi.length} 802.11 frames, ${pppoe.length} PPPoE frames`);
}
