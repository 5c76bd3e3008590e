// Hand-built captures for edge cases: Packets with dissections only (no bytes), the shape the
// decoder produces. Times are seconds from the start of the capture.
import type {
  ChecksumStatus,
  Dissection,
  IcmpLayer,
  IPv4Layer,
  IPv6Layer,
  TcpLayer,
} from '../../src/lib/decode/types.ts';
import type { Capture, Packet } from '../../src/lib/packets.ts';

const BASE_SECONDS = 1_700_000_000;

const FLAG_BITS: Record<string, number> = { F: 0x001, S: 0x002, R: 0x004, P: 0x008, A: 0x010 };

export interface Segment {
  t: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** Letters of F S R P A, e.g. "S", "SA", "RA", "PA". */
  flags: string;
  seq: number;
  ack?: number;
  len?: number;
  ipId?: number;
  ttl?: number;
  vlan?: number;
  checksum?: ChecksumStatus;
  direction?: 'sent' | 'received';
}

export interface IcmpError {
  t: number;
  icmp: true;
  src: string;
  dst: string;
  type: number;
  code: number;
  quoted: { src: string; dst: string; sport: number; dport: number; seq?: number };
}

export type Item = Segment | IcmpError;

function addressBytes(text: string): Uint8Array {
  if (text.includes(':')) {
    const [head, tail] = text.split('::');
    const parse = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
    const left = parse(head);
    const right = parse(tail);
    const words = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
    const out = new Uint8Array(16);
    words.forEach((w, k) => {
      out[2 * k] = w >> 8;
      out[2 * k + 1] = w & 0xff;
    });
    return out;
  }
  return new Uint8Array(text.split('.').map(Number));
}

const span = { offset: 0, length: 0, payloadOffset: 0, payloadEnd: 0 };

function ipLayer(
  src: string,
  dst: string,
  protocol: number,
  id: number,
  ttl: number,
  checksumStatus: ChecksumStatus,
): IPv4Layer | IPv6Layer {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  if (s.length === 16) {
    return {
      ...span,
      version: 6,
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 0,
      nextHeader: protocol,
      hopLimit: ttl,
      src: s,
      dst: d,
      protocol,
      extensionHeaders: [],
      fragmentOffset: 0,
      moreFragments: false,
    };
  }
  return {
    ...span,
    version: 4,
    headerLength: 20,
    dscp: 0,
    ecn: 0,
    totalLength: 40,
    id,
    dontFragment: true,
    moreFragments: false,
    fragmentOffset: 0,
    ttl,
    protocol,
    checksum: 0,
    checksumStatus,
    src: s,
    dst: d,
  };
}

function tcpLayer(x: Segment): TcpLayer {
  let flags = 0;
  for (const c of x.flags) flags |= FLAG_BITS[c];
  return {
    ...span,
    payloadOffset: 54,
    srcPort: x.sport,
    dstPort: x.dport,
    seq: x.seq >>> 0,
    ack: (x.ack ?? 0) >>> 0,
    headerLength: 20,
    flags,
    window: 64240,
    checksum: 0,
    checksumStatus: x.checksum ?? 'good',
    urgentPointer: 0,
    options: {},
    payloadLength: x.len ?? 0,
  };
}

let ipIdCounter = 1000;

export function buildCapture(items: Item[]): Capture {
  const packets: Packet[] = items.map((x, k) => {
    const seconds = BASE_SECONDS + Math.floor(x.t);
    const nanoseconds = Math.round((x.t - Math.floor(x.t)) * 1e9);
    let dissection: Dissection;
    if ('icmp' in x) {
      const v6 = x.src.includes(':');
      const quotedIp = ipLayer(x.quoted.src, x.quoted.dst, 6, 0, 64, 'good');
      const icmp: IcmpLayer = {
        ...span,
        version: v6 ? 6 : 4,
        type: x.type,
        code: x.code,
        checksum: 0,
        checksumStatus: 'good',
        quoted: { ip: quotedIp, tcp: { srcPort: x.quoted.sport, dstPort: x.quoted.dport, seq: x.quoted.seq } },
      };
      dissection = { linkType: 1, ip: ipLayer(x.src, x.dst, v6 ? 58 : 1, ipIdCounter++, 254, 'good'), icmp };
    } else {
      dissection = {
        linkType: 1,
        ip: ipLayer(x.src, x.dst, 6, x.ipId ?? ipIdCounter++, x.ttl ?? 64, 'good'),
        tcp: tcpLayer(x),
        vlan:
          x.vlan !== undefined
            ? [{ offset: 12, length: 4, tpid: 0x8100, priority: 0, dei: false, id: x.vlan, type: 0x0800 }]
            : undefined,
      };
    }
    return {
      number: k + 1,
      seconds,
      nanoseconds,
      capturedLength: 60,
      originalLength: 1514,
      linkType: 1,
      interfaceId: 0,
      data: new Uint8Array(0),
      direction: 'icmp' in x ? undefined : x.direction,
      dissection,
    };
  });
  return { info: { format: 'pcapng', variant: 'built by tests', interfaces: [], comments: [] }, packets };
}

/** A client's SYN and its retries (same ISN) at the given times. */
export function syns(
  times: number[],
  client = '10.0.0.1',
  clientPort = 57475,
  server = '10.0.0.2',
  serverPort = 3389,
  isn = 1912198306,
): Segment[] {
  return times.map((t) => ({
    t,
    src: client,
    dst: server,
    sport: clientPort,
    dport: serverPort,
    flags: 'S',
    seq: isn,
  }));
}
