// The captures `npm run bench:scale` measures (issue 14), written deterministically into
// bench-data/ (not in git) when missing:
//
//   flood-100k.pcap, flood-400k.pcap  a SYN flood from 100,000 / 400,000 spoofed sources (random
//                                     address, port and ISN each) to one server port, 5 µs apart
//   port-reuse.pcap                   one client reusing the same source port to the same server
//                                     50,000 times, a new ISN each time; refused, open or unanswered
//   repeated-400.pcap, -1600, -6400   one ~8 KB capture of bundled traces (open, refused, blocked,
//                                     the article's success) repeated with the same ports and ISNs,
//                                     each copy a minute after the last
//   tiny-1m.pcap                      1,000,000 tiny packets (raw IPv4 + TCP, 0–6 bytes of data) in
//                                     10,000 connections of 100 packets
//   huge-packet.pcap                  one Ethernet/IPv4/TCP packet of 1 MiB (1,048,576 bytes)
//
// Run alone: npx tsx scripts/bench-scale-data.ts (prints each file with its size).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { storeOf } from '../src/lib/store/packet-store.ts';

export const benchDir = join(import.meta.dirname, '..', 'bench-data');

/** xorshift32: every run writes the same bytes. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/** A classic pcap (microseconds, little-endian) written record by record into growing blocks. */
class PcapWriter {
  private blocks: Uint8Array[] = [];
  private block = new Uint8Array(1 << 22);
  private used = 0;

  constructor(linkType: number, snapLength = 262144) {
    const header = new DataView(new ArrayBuffer(24));
    header.setUint32(0, 0xa1b2c3d4, true);
    header.setUint16(4, 2, true);
    header.setUint16(6, 4, true);
    header.setUint32(16, snapLength, true);
    header.setUint32(20, linkType, true);
    this.write(new Uint8Array(header.buffer));
  }

  private write(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.block.length) {
      this.blocks.push(this.block.subarray(0, this.used));
      this.block = new Uint8Array(Math.max(1 << 22, bytes.length));
      this.used = 0;
    }
    this.block.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** `micros` since the epoch. */
  packet(micros: number, frame: Uint8Array, originalLength = frame.length): void {
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(0, Math.floor(micros / 1e6), true);
    record.setUint32(4, micros % 1e6, true);
    record.setUint32(8, frame.length, true);
    record.setUint32(12, originalLength, true);
    this.write(new Uint8Array(record.buffer));
    this.write(frame);
  }

  save(path: string): void {
    this.blocks.push(this.block.subarray(0, this.used));
    const total = this.blocks.reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const b of this.blocks) {
      out.set(b, at);
      at += b.length;
    }
    writeFileSync(path, out);
  }
}

function internetChecksum(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  for (let i = start; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) sum += bytes[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10,
  FIN = 0x01;

interface Segment {
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payload?: number;
  ipId?: number;
  /** Bytes before the IP header: 14 for Ethernet, 0 for raw IP. */
  ethernet?: boolean;
}

/** An IPv4 + TCP packet with correct checksums, behind an Ethernet header or raw. */
function tcpPacket(s: Segment): Uint8Array {
  const payload = s.payload ?? 0;
  const options = s.flags & SYN ? [0x02, 0x04, 0x05, 0xb4] : [];
  const link = s.ethernet === false ? 0 : 14;
  const tcpLength = 20 + options.length + payload;
  const frame = new Uint8Array(link + 20 + tcpLength);
  const view = new DataView(frame.buffer);
  if (link) {
    frame.set([0x00, 0x15, 0x5d, 0x00, 0x00, 0x02, 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01], 0);
    view.setUint16(12, 0x0800);
  }
  const ip = link;
  frame[ip] = 0x45;
  view.setUint16(ip + 2, Math.min(0xffff, 20 + tcpLength));
  view.setUint16(ip + 4, (s.ipId ?? 0) & 0xffff);
  frame[ip + 6] = 0x40;
  frame[ip + 8] = 64;
  frame[ip + 9] = 6;
  view.setUint32(ip + 12, s.src >>> 0);
  view.setUint32(ip + 16, s.dst >>> 0);
  view.setUint16(ip + 10, internetChecksum(frame, ip, ip + 20, 0));
  const tcp = ip + 20;
  view.setUint16(tcp, s.srcPort);
  view.setUint16(tcp + 2, s.dstPort);
  view.setUint32(tcp + 4, s.seq >>> 0);
  view.setUint32(tcp + 8, s.ack >>> 0);
  frame[tcp + 12] = ((20 + options.length) / 4) << 4;
  frame[tcp + 13] = s.flags;
  view.setUint16(tcp + 14, 64240);
  frame.set(options, tcp + 20);
  for (let i = tcp + 20 + options.length; i < frame.length; i++) frame[i] = (i * 31) & 0xff;
  const pseudo = (s.src >>> 16) + (s.src & 0xffff) + (s.dst >>> 16) + (s.dst & 0xffff) + 6 + (tcpLength & 0xffff);
  view.setUint16(tcp + 16, internetChecksum(frame, tcp, frame.length, pseudo + (tcpLength >>> 16)));
  return frame;
}

const ip4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const SERVER = ip4(10, 0, 0, 2);
const START_MICROS = 1_765_000_000 * 1e6;

function synFlood(path: string, sources: number): void {
  const w = new PcapWriter(1);
  const random = randomSource(0x9e3779b9 ^ sources);
  for (let i = 0; i < sources; i++) {
    // Spoofed: any address outside 0/8, 10/8 and the multicast range, any port, any ISN.
    const src = ((random() % (223 << 24)) + (11 << 24)) >>> 0;
    const srcPort = 1024 + (random() % 64512);
    w.packet(
      START_MICROS + i * 5,
      tcpPacket({ src, dst: SERVER, srcPort, dstPort: 80, seq: random(), ack: 0, flags: SYN, ipId: i }),
    );
  }
  w.save(path);
}

function portReuse(path: string, connections: number): void {
  const w = new PcapWriter(1);
  const random = randomSource(0x1234567);
  const client = ip4(10, 0, 1, 1);
  let t = START_MICROS;
  for (let i = 0; i < connections; i++) {
    const isn = random();
    const sisn = random();
    const out = { src: client, dst: SERVER, srcPort: 40000, dstPort: 3389 };
    const back = { src: SERVER, dst: client, srcPort: 3389, dstPort: 40000 };
    const kind = i % 3;
    w.packet(t, tcpPacket({ ...out, seq: isn, ack: 0, flags: SYN, ipId: i }));
    if (kind === 0) {
      w.packet(t + 300, tcpPacket({ ...back, seq: 0, ack: isn + 1, flags: RST | ACK }));
    } else if (kind === 1) {
      w.packet(t + 300, tcpPacket({ ...back, seq: sisn, ack: isn + 1, flags: SYN | ACK }));
      w.packet(t + 600, tcpPacket({ ...out, seq: isn + 1, ack: sisn + 1, flags: ACK, ipId: i + 1 }));
      w.packet(t + 900, tcpPacket({ ...out, seq: isn + 1, ack: sisn + 1, flags: FIN | ACK, ipId: i + 2 }));
      w.packet(t + 1200, tcpPacket({ ...back, seq: sisn + 1, ack: isn + 2, flags: FIN | ACK }));
      w.packet(t + 1500, tcpPacket({ ...out, seq: isn + 2, ack: sisn + 2, flags: ACK, ipId: i + 3 }));
    } else {
      // Unanswered: retransmitted after 1 s, then the port is reused 2 s later.
      w.packet(t + 1_000_000, tcpPacket({ ...out, seq: isn, ack: 0, flags: SYN, ipId: i + 1 }));
      t += 2_000_000;
    }
    t += 10_000;
  }
  w.save(path);
}

/** The ~8 KB unit: client-side bundled traces with every kind of attempt, one after the other. */
function repeatedUnit(): { micros: number; frame: Uint8Array }[] {
  const traces = [
    'open-client',
    'article-success-client',
    'closed-rst-client',
    'blocked-drop-client',
    'path-drop-client',
    'article-blocked-client',
    'article-closed-client',
    'open-ipv6-client',
  ];
  const frames: { micros: number; frame: Uint8Array }[] = [];
  let offset = 0;
  for (const name of traces) {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(join('public', 'traces', `${name}.pcapng`))));
    const store = storeOf(capture);
    const first = capture.packets[0].seconds * 1e6 + Math.floor(capture.packets[0].nanoseconds / 1000);
    let last = 0;
    for (let i = 0; i < capture.packets.length; i++) {
      const p = capture.packets[i];
      const micros = p.seconds * 1e6 + Math.floor(p.nanoseconds / 1000) - first;
      last = micros;
      frames.push({ micros: offset + micros, frame: store.bytesOf(i).slice() });
    }
    offset += last + 1_000_000;
  }
  return frames;
}

function repeated(path: string, copies: number): void {
  const unit = repeatedUnit();
  const w = new PcapWriter(1);
  for (let copy = 0; copy < copies; copy++) {
    for (const { micros, frame } of unit) w.packet(START_MICROS + copy * 60_000_000 + micros, frame);
  }
  w.save(path);
}

function tinyPackets(path: string, total: number): void {
  const w = new PcapWriter(101); // LINKTYPE_RAW: IPv4 with no link header, the smallest frames
  const random = randomSource(0xc0ffee);
  const perConnection = 100;
  const connections = total / perConnection;
  // Ten connections at a time, interleaved packet by packet.
  const group = 10;
  let t = START_MICROS;
  for (let base = 0; base < connections; base += group) {
    const state = Array.from({ length: group }, (_, k) => {
      const n = base + k;
      return {
        out: { src: ip4(10, 2, (n >>> 8) & 0xff, n & 0xff), dst: SERVER, srcPort: 20000 + (n % 40000), dstPort: 445 },
        isn: random(),
        sisn: random(),
        cseq: 0,
        sseq: 0,
      };
    });
    for (let step = 0; step < perConnection; step++) {
      for (const c of state) {
        const back = { src: c.out.dst, dst: c.out.src, srcPort: c.out.dstPort, dstPort: c.out.srcPort };
        const common = { ethernet: false, ipId: step };
        let segment: Segment;
        if (step === 0) segment = { ...c.out, ...common, seq: c.isn, ack: 0, flags: SYN };
        else if (step === 1) segment = { ...back, ...common, seq: c.sisn, ack: c.isn + 1, flags: SYN | ACK };
        else if (step === 2) {
          c.cseq = c.isn + 1;
          c.sseq = c.sisn + 1;
          segment = { ...c.out, ...common, seq: c.cseq, ack: c.sseq, flags: ACK };
        } else if (step % 2 === 1) {
          const payload = random() % 7;
          segment = { ...c.out, ...common, seq: c.cseq, ack: c.sseq, flags: PSH | ACK, payload };
          c.cseq += payload;
        } else {
          const payload = random() % 7;
          segment = { ...back, ...common, seq: c.sseq, ack: c.cseq, flags: PSH | ACK, payload };
          c.sseq += payload;
        }
        w.packet(t, tcpPacket(segment));
        t += 3;
      }
    }
  }
  w.save(path);
}

function hugePacket(path: string, size: number): void {
  const w = new PcapWriter(1, size);
  // The IPv4 length field stops at 65,535: the rest of the frame is a trailer to decoders, as
  // in a capture of a NIC's offloaded (GRO/LRO) segment, but the packet still has `size` bytes.
  const packet = tcpPacket({
    src: ip4(10, 0, 1, 1),
    dst: SERVER,
    srcPort: 50000,
    dstPort: 445,
    seq: 1000,
    ack: 2000,
    flags: PSH | ACK,
    payload: size - 54,
  });
  w.packet(START_MICROS, packet);
  w.save(path);
}

export interface ScaleFile {
  name: string;
  path: string;
  describe: string;
}

const plan: Array<{ name: string; describe: string; make: (path: string) => void }> = [
  { name: 'flood-100k.pcap', describe: 'SYN flood, 100,000 spoofed sources', make: (p) => synFlood(p, 100_000) },
  { name: 'flood-400k.pcap', describe: 'SYN flood, 400,000 spoofed sources', make: (p) => synFlood(p, 400_000) },
  { name: 'port-reuse.pcap', describe: 'one client port reused 50,000 times', make: (p) => portReuse(p, 50_000) },
  { name: 'repeated-400.pcap', describe: '8 KB capture repeated 400 times', make: (p) => repeated(p, 400) },
  { name: 'repeated-1600.pcap', describe: '8 KB capture repeated 1,600 times', make: (p) => repeated(p, 1600) },
  { name: 'repeated-6400.pcap', describe: '8 KB capture repeated 6,400 times', make: (p) => repeated(p, 6400) },
  { name: 'tiny-1m.pcap', describe: '1,000,000 tiny packets', make: (p) => tinyPackets(p, 1_000_000) },
  { name: 'huge-packet.pcap', describe: 'one 1 MiB packet', make: (p) => hugePacket(p, 1 << 20) },
];

/** Writes whichever files are missing; returns them all. */
export function scaleFiles(): ScaleFile[] {
  mkdirSync(benchDir, { recursive: true });
  return plan.map(({ name, describe, make }) => {
    const path = join(benchDir, name);
    if (!existsSync(path)) make(path);
    return { name, path, describe };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of scaleFiles())
    console.log(`${f.name.padEnd(20)} ${(statSync(f.path).size / 1e6).toFixed(1).padStart(6)} MB  ${f.describe}`);
}
