// The practice generator: from a seed (and a difficulty level, and optionally the pattern to
// practise), a realistic client capture — and usually the server's capture of the same moment —
// with the answer key taken from the scenario itself, never from the classifier.
//
// A scenario is a list of packets on the wire in true time. Each capture point (the client, the
// server) then sees what crossed its own NIC: what it sent (with checksum offload when that host
// has it), what reached it (padded, TTL lowered by the hops, MACs of its own LAN), at its own
// clock. Packets lost on the path or the return path reach nobody.
//
// What makes it realistic (and hard): the client's OS decides the SYN retry schedule, the SYN's
// options, TTL and IP IDs (legacy Windows 0/3/9 s, Windows 11 and Linux doubling from 1 s, macOS
// 1 s steps then doubling); Windows retries a refused connection twice; Linux gives up at the
// first ICMP error, Windows and macOS keep retrying; random ISNs, ports, addresses, latency and
// clock offset; DNS, ARP and other TCP connections around the attempt; at higher levels IPv6,
// several attempts, one side only.

import { LinkType } from '../capture/types.ts';
import { PcapngWriter } from '../capture/write-pcapng.ts';
import type { NmapState, Verdict, Where } from '../analysis/types.ts';
import { formatIP } from '../describe/addresses.ts';
import {
  arpBytes,
  ascii,
  BROADCAST_MAC,
  dnsMessage,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernetFrame,
  icmpErrorBytes,
  ipDatagram,
  PROTOCOL_ICMP,
  PROTOCOL_ICMPV6,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  tcpBytes,
  udpBytes,
  type ChecksumForm,
  type IpDatagram,
} from './frames.ts';
import { patternsAt, type Level, type Pattern } from './patterns.ts';
import { Random } from './random.ts';

// The vocabulary (patterns, levels) lives in patterns.ts; re-exported for the generator's users.
export * from './patterns.ts';

export const CLIENT_OSES = ['windows-legacy', 'windows-11', 'linux', 'macos'] as const;
export type ClientOs = (typeof CLIENT_OSES)[number];
type ServerOs = 'windows' | 'linux';

// --- operating systems --------------------------------------------------------------------------

const SECOND = 1_000_000_000;
const MILLISECOND = 1_000_000;

interface OsProfile {
  label: string;
  ttl: number;
  /** Seconds from the first SYN to each SYN, the first included. */
  synTimes: number[];
  /** Timer granularity added as jitter to each retransmission (ns). */
  jitter: number;
  /** After an RST, the SYN is sent again this many seconds after the first (Windows only). */
  refusedRetries: number[];
  /** Stops trying at the first ICMP unreachable (Linux: a hard error in SYN-SENT). */
  icmpAborts: boolean;
  window: number;
  windowScale: number;
  /** Window field after the handshake (scaled). */
  establishedWindow: number;
  timestamps: boolean;
  ephemeral: [number, number];
  /** Windows: one IP ID counter per host; Linux: per connection; macOS: random each packet. */
  ipIds: 'host-counter' | 'per-connection' | 'random';
  /** With offload, which checksums the capture shows unfinished. */
  offloadForm: ChecksumForm;
  /** pcapng timestamp resolution of the usual capture tool on it (7 = 100 ns for Windows). */
  resolution: number;
}

const WINDOWS_TIMER = 15_600_000;

const OS: Record<ClientOs, OsProfile> = {
  'windows-legacy': {
    label: 'Windows (legacy retry timing: 3 s, then 6 s)',
    ttl: 128,
    synTimes: [0, 3, 9],
    jitter: WINDOWS_TIMER,
    refusedRetries: [0.5, 1.5],
    icmpAborts: false,
    window: 8192,
    windowScale: 2,
    establishedWindow: 16425,
    timestamps: false,
    ephemeral: [49152, 65535],
    ipIds: 'host-counter',
    offloadForm: 'offloaded-ip',
    resolution: 7,
  },
  'windows-11': {
    label: 'Windows 11 (1 s, doubling)',
    ttl: 128,
    synTimes: [0, 1, 3, 7, 15],
    jitter: WINDOWS_TIMER,
    refusedRetries: [0.5, 1.5],
    icmpAborts: false,
    window: 64240,
    windowScale: 8,
    establishedWindow: 1026,
    timestamps: false,
    ephemeral: [49152, 65535],
    ipIds: 'host-counter',
    offloadForm: 'offloaded-ip',
    resolution: 7,
  },
  linux: {
    label: 'Linux (1 s, doubling, 6 retries)',
    ttl: 64,
    synTimes: [0, 1, 3, 7, 15, 31, 63],
    jitter: 4 * MILLISECOND,
    refusedRetries: [],
    icmpAborts: true,
    window: 64240,
    windowScale: 7,
    establishedWindow: 502,
    timestamps: true,
    ephemeral: [32768, 60999],
    ipIds: 'per-connection',
    offloadForm: 'offloaded',
    resolution: 6,
  },
  macos: {
    label: 'macOS (1 s steps, then doubling)',
    ttl: 64,
    synTimes: [0, 1, 2, 3, 4, 5, 7, 11, 19, 35],
    jitter: 10 * MILLISECOND,
    refusedRetries: [],
    icmpAborts: false,
    window: 65535,
    windowScale: 6,
    establishedWindow: 2058,
    timestamps: true,
    ephemeral: [49152, 65535],
    ipIds: 'random',
    offloadForm: 'offloaded',
    resolution: 6,
  },
};

export function clientOsLabel(os: ClientOs): string {
  return OS[os].label;
}

const MSS_IPV4 = 1460;
const MSS_IPV6 = 1440;

function mssOption(mss: number): number[] {
  return [0x02, 0x04, mss >> 8, mss & 0xff];
}

function timestampOption(value: number, echo: number): number[] {
  return [0x08, 0x0a, ...u32Bytes(value), ...u32Bytes(echo)];
}

function u32Bytes(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** The SYN's options in each OS's own order. */
function synOptions(os: ClientOs, mss: number, tsValue: number): Uint8Array {
  const p = OS[os];
  switch (os) {
    case 'windows-legacy':
    case 'windows-11':
      return Uint8Array.of(...mssOption(mss), 0x01, 0x03, 0x03, p.windowScale, 0x01, 0x01, 0x04, 0x02);
    case 'linux':
      return Uint8Array.of(...mssOption(mss), 0x04, 0x02, ...timestampOption(tsValue, 0), 0x01, 0x03, 0x03, 7);
    case 'macos':
      return Uint8Array.of(
        ...mssOption(mss),
        0x01,
        0x03,
        0x03,
        p.windowScale,
        0x01,
        0x01,
        ...timestampOption(tsValue, 0),
        0x04,
        0x02,
        0x00,
        0x00,
      );
  }
}

/** A server's SYN/ACK options: Linux echoes timestamps when offered; Windows Server does not use them. */
function synAckOptions(server: ServerOs, mss: number, timestamps: { value: number; echo: number } | undefined) {
  if (server === 'windows') return Uint8Array.of(...mssOption(mss), 0x01, 0x03, 0x03, 0x08, 0x01, 0x01, 0x04, 0x02);
  if (timestamps)
    return Uint8Array.of(
      ...mssOption(mss),
      0x04,
      0x02,
      ...timestampOption(timestamps.value, timestamps.echo),
      0x01,
      0x03,
      0x03,
      0x07,
    );
  return Uint8Array.of(...mssOption(mss), 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07);
}

// --- hosts and the network --------------------------------------------------------------------

type Lan = 'client' | 'server' | 'remote';

interface Host {
  name: string;
  mac: Uint8Array;
  ipv4: Uint8Array;
  ipv6: Uint8Array;
  lan: Lan;
  ttl: number;
  ipIds: OsProfile['ipIds'];
  nextIpId: number;
}

/** One packet on the wire. */
interface WireEvent {
  /** Departure, ns of true time after the scenario's start. */
  at: number;
  from: Host;
  /** undefined: an Ethernet broadcast on the sender's LAN. */
  to?: Host;
  etherType: number;
  datagram?: IpDatagram;
  /** ARP bytes (no IP layer). */
  arp?: Uint8Array;
  /** Never reaches `to` (dropped on the way). */
  lost: boolean;
  /** Index of the key attempt this packet belongs to. */
  attempt?: number;
}

/** Where a capture is taken: one host's NIC, at its clock. */
interface CapturePoint {
  host: Host;
  gateway: Host;
  /** This host's clock minus true time (ns). */
  clockOffset: number;
  offload: ChecksumForm | undefined;
  resolution: number;
  interfaceName: string;
  os: string;
}

class Network {
  readonly events: WireEvent[] = [];
  /** "host:port" pairs already used by a client, so two attempts never share a 4-tuple. */
  readonly usedClientPorts = new Set<string>();
  constructor(
    readonly random: Random,
    /** One-way delay between the two LANs (ns) and the routers on the way. */
    readonly wanDelay: number,
    readonly hops: number,
  ) {}

  delay(from: Host, to: Host): number {
    return from.lan === to.lan ? 150_000 : this.wanDelay;
  }

  hopsBetween(from: Host, to: Host): number {
    return from.lan === to.lan ? 0 : this.hops;
  }

  nextIpId(host: Host, connectionCounter?: { id: number }): number {
    switch (host.ipIds) {
      case 'host-counter':
        return host.nextIpId++ & 0xffff;
      case 'per-connection':
        return connectionCounter ? connectionCounter.id++ & 0xffff : this.random.int(0, 0xffff);
      case 'random':
        return this.random.int(0, 0xffff);
    }
  }

  sendIp(
    at: number,
    from: Host,
    to: Host,
    version: 4 | 6,
    protocol: number,
    transport: Uint8Array,
    options: { lost?: boolean; attempt?: number; ipId?: number; dontFragment?: boolean; source?: Uint8Array } = {},
  ): WireEvent {
    const event: WireEvent = {
      at: Math.round(at),
      from,
      to,
      etherType: version === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4,
      datagram: {
        source: options.source ?? (version === 6 ? from.ipv6 : from.ipv4),
        destination: version === 6 ? to.ipv6 : to.ipv4,
        protocol,
        transport,
        ttl: from.ttl,
        ipId: options.ipId ?? this.nextIpId(from),
        dontFragment: options.dontFragment ?? true,
        flowLabel: version === 6 ? this.random.int(1, 0xfffff) : undefined,
      },
      lost: options.lost ?? false,
      attempt: options.attempt,
    };
    this.events.push(event);
    return event;
  }

  arp(at: number, asker: Host, target: Host): void {
    this.events.push({
      at: Math.round(at),
      from: asker,
      etherType: ETHERTYPE_ARP,
      arp: arpBytes('request', asker.mac, asker.ipv4, new Uint8Array(6), target.ipv4),
      lost: false,
    });
    this.events.push({
      at: Math.round(at + 300_000 + this.random.int(0, 400_000)),
      from: target,
      to: asker,
      etherType: ETHERTYPE_ARP,
      arp: arpBytes('reply', target.mac, target.ipv4, asker.mac, asker.ipv4),
      lost: false,
    });
  }

  /**
   * What one capture point records: the frames it sent and received, in its clock's order, with
   * the event index of each frame (so the key can name frame numbers).
   */
  capture(point: CapturePoint, start: number, end: number): { frames: CapturedEvent[] } {
    const seen: CapturedEvent[] = [];
    this.events.forEach((event, index) => {
      const { host } = point;
      if (event.from === host) {
        seen.push({ index, time: event.at, direction: 'sent', data: this.frameAt(point, event, 'sent') });
        return;
      }
      const reaches = event.to === undefined ? event.from.lan === host.lan : event.to === host && !event.lost;
      if (!reaches) return;
      const arrival = event.at + (event.to ? this.delay(event.from, host) : 150_000);
      seen.push({ index, time: arrival, direction: 'received', data: this.frameAt(point, event, 'received') });
    });
    const frames = seen
      .filter((f) => f.time >= start && f.time <= end)
      .sort((a, b) => a.time - b.time || a.index - b.index);
    return { frames };
  }

  private frameAt(point: CapturePoint, event: WireEvent, direction: 'sent' | 'received'): Uint8Array {
    const { host, gateway } = point;
    const peer = direction === 'sent' ? event.to : event.from;
    // Off the LAN, the other end of the Ethernet link is the router.
    const peerMac = peer === undefined ? BROADCAST_MAC : peer.lan === host.lan ? peer.mac : gateway.mac;
    const [destinationMac, sourceMac] = direction === 'sent' ? [peerMac, host.mac] : [host.mac, peerMac];
    if (event.arp) {
      const destination = event.to === undefined ? BROADCAST_MAC : destinationMac;
      return ethernetFrame(destination, sourceMac, ETHERTYPE_ARP, event.arp, direction === 'received');
    }
    const datagram = event.datagram!;
    const form: ChecksumForm = direction === 'sent' && point.offload ? point.offload : 'complete';
    const ttl = direction === 'received' ? datagram.ttl - this.hopsBetween(event.from, host) : datagram.ttl;
    const ip = ipDatagram({ ...datagram, ttl }, form);
    return ethernetFrame(destinationMac, sourceMac, event.etherType, ip, direction === 'received');
  }

  /** The datagram as it arrived at `at` (for an ICMP error to quote): complete checksums, TTL after the hops. */
  arrived(event: WireEvent, at: Host): Uint8Array {
    const datagram = event.datagram!;
    return ipDatagram({ ...datagram, ttl: datagram.ttl - this.hopsBetween(event.from, at) }, 'complete');
  }
}

interface CapturedEvent {
  index: number;
  time: number;
  direction: 'sent' | 'received';
  data: Uint8Array;
}

// --- the answer key ----------------------------------------------------------------------------

/** Frames that together prove a verdict: at least `need` of `frames`, described as `what`. */
export interface ProofPart {
  frames: number[];
  need: number;
  what: string;
}

/**
 * One connection attempt as the scenario made it: the fields of `porttrace verdicts --json`
 * that the scenario decides (the words of the evidence come from the classifier, so they are not
 * here), plus what the practice page grades.
 */
export interface KeyAttempt {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  verdict: Verdict;
  nmap: NmapState;
  /** Zeek's conn_state for these packets (the scenario always closes an open connection with FINs). */
  zeek: string;
  /** Zeek's history letters for what the client's capture holds of the attempt. */
  history: string;
  /** Frame numbers of the attempt's packets in the client capture. */
  frames: number[];
  isn: number;
  /** SYN retransmissions in the client capture. */
  retries: number;
  /** Only when there is a server capture. */
  where?: Where;
  /** Frame numbers of the attempt in the server capture (when it is there). */
  serverFrames?: number[];
  /** The pattern that made it; 'background' for other traffic that happens to be TCP. */
  pattern: Pattern | 'background';
  /** The attempt the exercise asks about. */
  target: boolean;
  /** Client frames that prove the verdict. */
  proof: ProofPart[];
  /** Why, citing frames: the verdict, then (for a pair) where. */
  explanation: string[];
}

export interface Exercise {
  seed: number;
  level: Level;
  pattern: Pattern;
  clientOs: ClientOs;
  serverOs: ServerOs;
  ipVersion: 4 | 6;
  /** pcapng bytes of the client's capture. */
  client: Uint8Array;
  /** The server's capture of the same moment, unless this exercise gives the client side only. */
  server?: Uint8Array;
  clientPackets: number;
  serverPackets?: number;
  /** The server's clock minus the client's, seconds. */
  clockOffset: number;
  /** Checksum offload (the red herring) on the packets each capturing host sent. */
  clientOffload: boolean;
  serverOffload: boolean;
  attempts: KeyAttempt[];
  /** Index into `attempts` of the one asked about. */
  target: number;
}

export interface ExerciseRequest {
  seed: number;
  /** Default 4: everything. */
  level?: Level;
  /** The pattern of the attempt asked about; default: drawn from the seed. */
  pattern?: Pattern;
}

const ZEEK: Record<Verdict, string> = {
  connected: 'SF',
  'half-open': 'OTH',
  refused: 'REJ',
  'no-response': 'S0',
  unreachable: 'S0',
  inconclusive: 'S0',
};

/**
 * Zeek's history (Zeek's conn.log documentation): S SYN, H SYN/ACK, A pure ACK, D payload,
 * F FIN, R RST; upper case for the originator, each letter once per side, in order of first
 * appearance. ICMP errors are not TCP packets of the connection.
 */
function zeekHistory(segments: Array<{ fromClient: boolean; transport: Uint8Array }>): string {
  let out = '';
  const add = (letter: string, fromClient: boolean) => {
    const l = fromClient ? letter : letter.toLowerCase();
    if (!out.includes(l)) out += l;
  };
  for (const { fromClient, transport } of segments) {
    const flags = transport[13]!;
    const payload = transport.length - (transport[12]! >> 4) * 4;
    if (flags & TCP_SYN) add(flags & TCP_ACK ? 'H' : 'S', fromClient);
    if (flags & TCP_RST) add('R', fromClient);
    if (flags & TCP_FIN) add('F', fromClient);
    if (payload > 0) add('D', fromClient);
    else if ((flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) === TCP_ACK) add('A', fromClient);
  }
  return out;
}

const NMAP: Record<Verdict, NmapState> = {
  connected: 'open',
  'half-open': 'open',
  refused: 'closed',
  'no-response': 'filtered',
  unreachable: 'filtered',
  inconclusive: 'unknown',
};

// --- one attempt -------------------------------------------------------------------------------

const SERVICE_PORTS = [3389, 445, 22, 443, 80, 1433, 5985, 8080, 3306, 5432, 25, 389, 636, 5986, 9100] as const;

interface Actors {
  client: Host;
  server: Host;
  clientOs: ClientOs;
  serverOs: ServerOs;
  version: 4 | 6;
  /** A router on the path (for a router's ICMP). */
  router: Host;
}

interface PendingAttempt {
  pattern: Pattern | 'background';
  target: boolean;
  client: Host;
  server: Host;
  version: 4 | 6;
  clientPort: number;
  serverPort: number;
  isn: number;
  verdict: Verdict;
  /** Where, had a server capture been there. */
  where: Where;
  /** Wording pieces, filled with frame numbers once the captures exist. */
  story: AttemptStory;
}

interface AttemptStory {
  synEvents: number[];
  answerEvents: number[];
  answerKind: 'none' | 'syn-ack' | 'rst' | 'icmp';
  ackEvents: number[];
  icmpFrom?: 'server' | 'router';
  icmpName?: string;
  /** Client-side SYN offsets in seconds, for the explanation. */
  synOffsets: number[];
  clientOs: ClientOs;
}

/** Adds a connection attempt of `pattern` starting at `start` (ns); returns it for the key. */
function addAttempt(
  net: Network,
  actors: Actors,
  pattern: Pattern | 'background',
  start: number,
  serverPort: number,
  index: number,
  target: boolean,
  deadline: number,
): PendingAttempt {
  const r = net.random;
  const { client, server, clientOs, serverOs, version } = actors;
  const os = OS[clientOs];
  let clientPort = r.int(os.ephemeral[0], os.ephemeral[1]);
  while (net.usedClientPorts.has(`${client.name}:${clientPort}`)) clientPort = r.int(os.ephemeral[0], os.ephemeral[1]);
  net.usedClientPorts.add(`${client.name}:${clientPort}`);
  const isn = r.u32();
  const serverIsn = r.u32();
  const mss = version === 6 ? MSS_IPV6 : MSS_IPV4;
  const tsBase = r.u32();
  const serverTsBase = r.u32();
  const clientCounter = { id: r.int(0, 0xffff) };
  const tsAt = (at: number) => (tsBase + Math.floor((at - start) / MILLISECOND)) >>> 0;
  const story: AttemptStory = {
    synEvents: [],
    answerEvents: [],
    answerKind: 'none',
    ackEvents: [],
    synOffsets: [],
    clientOs,
  };

  const clientTcp = (at: number, fields: Parameters<typeof tcpBytes>[0], lost = false) =>
    net.events.indexOf(
      net.sendIp(at, client, server, version, PROTOCOL_TCP, tcpBytes(fields), {
        lost,
        attempt: index,
        ipId: net.nextIpId(client, clientCounter),
      }),
    );
  const serverTcp = (at: number, fields: Parameters<typeof tcpBytes>[0], lost = false, ipId?: number) =>
    net.events.indexOf(
      net.sendIp(at, server, client, version, PROTOCOL_TCP, tcpBytes(fields), { lost, attempt: index, ipId }),
    );
  const syn = (at: number, lost: boolean) => {
    story.synOffsets.push((at - start) / SECOND);
    const e = clientTcp(
      at,
      {
        sourcePort: clientPort,
        destinationPort: serverPort,
        seq: isn,
        ack: 0,
        flags: TCP_SYN,
        window: os.window,
        options: synOptions(clientOs, mss, tsAt(at)),
      },
      lost,
    );
    story.synEvents.push(e);
    return e;
  };
  const delay = net.delay(client, server);
  const think = () => r.int(50_000, 400_000); // the server's kernel answering
  // A Linux kernel's reset for a closed port carries IP ID 0; a firewall's REJECT, a counter's.
  const rst = (at: number, lost: boolean, fromKernel: boolean) =>
    serverTcp(
      at,
      {
        sourcePort: serverPort,
        destinationPort: clientPort,
        seq: 0,
        ack: (isn + 1) >>> 0,
        flags: TCP_RST | TCP_ACK,
        window: 0,
      },
      lost,
      serverOs === 'linux' && fromKernel ? 0 : undefined,
    );
  // The server's SYN/ACK to the SYN sent at `synAt` (its timestamp echoes that SYN's; only a
  // Linux server sends the option, synAckOptions leaves it out for Windows).
  const synAck = (at: number, synAt: number, lost = false) =>
    serverTcp(
      at,
      {
        sourcePort: serverPort,
        destinationPort: clientPort,
        seq: serverIsn,
        ack: (isn + 1) >>> 0,
        flags: TCP_SYN | TCP_ACK,
        window: serverOs === 'windows' ? 65535 : 65160,
        options: synAckOptions(serverOs, mss, os.timestamps ? { value: serverTsBase, echo: tsAt(synAt) } : undefined),
      },
      lost,
    );
  // Retransmission times, cut where the capture stops (never fewer than two SYNs).
  const synTimes = (limit: number) => {
    const times: number[] = [];
    for (const [k, t] of os.synTimes.entries()) {
      const at = start + t * SECOND + (k === 0 ? 0 : r.int(0, os.jitter));
      if (k >= 2 && at > limit) break;
      times.push(at);
    }
    return times;
  };

  let verdict: Verdict;
  let where: Where;
  switch (pattern) {
    case 'host-firewall-drop':
    case 'closed-behind-firewall':
    case 'path-drop': {
      const lost = pattern === 'path-drop';
      for (const at of synTimes(deadline)) syn(at, lost);
      verdict = 'no-response';
      where = lost ? 'path' : 'server';
      break;
    }
    case 'closed-rst':
    case 'reject-reset': {
      // Windows tries a refused connection again, twice; the others take the first reset.
      const offsets = [0, ...os.refusedRetries];
      for (const offset of offsets) {
        const at = start + offset * SECOND + (offset === 0 ? 0 : r.int(0, os.jitter));
        syn(at, false);
        story.answerEvents.push(rst(at + delay + think(), false, pattern === 'closed-rst'));
      }
      story.answerKind = 'rst';
      verdict = 'refused';
      where = 'server';
      break;
    }
    case 'return-path-drop': {
      // The server answers every SYN; none of its answers gets back.
      const listening = r.chance(0.7);
      for (const at of synTimes(deadline)) {
        syn(at, false);
        const answerAt = at + delay + think();
        if (listening) {
          story.answerEvents.push(synAck(answerAt, at, true));
        } else story.answerEvents.push(rst(answerAt, true, true));
      }
      story.answerKind = listening ? 'syn-ack' : 'rst';
      verdict = 'no-response';
      where = 'return-path';
      break;
    }
    case 'icmp-prohibited': {
      // The server's own firewall rejects (REJECT with an ICMP error), or a router on the way does.
      const byRouter = target && r.chance(0.3);
      const rejecter = byRouter ? actors.router : server;
      story.icmpFrom = byRouter ? 'router' : 'server';
      const [type, code, name] =
        version === 6
          ? r.pick([
              [1, 1, 'ICMPv6 destination unreachable, administratively prohibited (type 1, code 1)'] as const,
              [1, 4, 'ICMPv6 destination unreachable, port unreachable (type 1, code 4)'] as const,
            ])
          : r.pick([
              [
                3,
                13,
                'ICMP destination unreachable, communication administratively prohibited (type 3, code 13)',
              ] as const,
              [3, 3, 'ICMP destination unreachable, port unreachable (type 3, code 3)'] as const,
              [3, 10, 'ICMP destination unreachable, host administratively prohibited (type 3, code 10)'] as const,
            ]);
      story.icmpName = name;
      const times = os.icmpAborts ? synTimes(0).slice(0, r.chance(0.7) ? 1 : 2) : synTimes(deadline);
      for (const at of times) {
        const synEvent = syn(at, byRouter);
        const hereAt = at + (byRouter ? delay / 2 : delay) + think();
        const quoted = net.arrived(net.events[synEvent]!, rejecter);
        // RFC 1812: quote as much of the datagram as fits in 576 bytes; it always fits here.
        const icmp = icmpErrorBytes(type, code, quoted);
        const event = net.sendIp(
          hereAt,
          rejecter,
          client,
          version,
          version === 6 ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP,
          icmp,
          {
            attempt: index,
            dontFragment: false,
          },
        );
        story.answerEvents.push(net.events.indexOf(event));
      }
      story.answerKind = 'icmp';
      verdict = 'unreachable';
      where = byRouter ? 'path' : 'server';
      break;
    }
    case 'open':
    case 'background': {
      const synAt = start;
      syn(synAt, false);
      const synAckAt = synAt + delay + think();
      const timestamps = os.timestamps && serverOs === 'linux';
      story.answerEvents.push(synAck(synAckAt, synAt));
      story.answerKind = 'syn-ack';
      let at = synAckAt + delay + r.int(20_000, 200_000);
      let clientNext = (isn + 1) >>> 0;
      let serverNext = (serverIsn + 1) >>> 0;
      const serverWindow = serverOs === 'windows' ? 8212 : 509;
      const segment = (fromClient: boolean, flags: number, payload?: Uint8Array) => {
        const when = at;
        const options = timestamps
          ? Uint8Array.of(
              0x01,
              0x01,
              ...timestampOption(
                fromClient ? tsAt(when) : (serverTsBase + Math.floor((when - start) / MILLISECOND)) >>> 0,
                fromClient ? serverTsBase : tsAt(when),
              ),
            )
          : undefined;
        const fields = fromClient
          ? { sourcePort: clientPort, destinationPort: serverPort, seq: clientNext, ack: serverNext }
          : { sourcePort: serverPort, destinationPort: clientPort, seq: serverNext, ack: clientNext };
        const window = fromClient ? os.establishedWindow : serverWindow;
        const e = fromClient
          ? clientTcp(when, { ...fields, flags, window, options, payload })
          : serverTcp(when, { ...fields, flags, window, options, payload });
        const advance = (payload?.length ?? 0) + (flags & TCP_FIN ? 1 : 0);
        if (fromClient) clientNext = (clientNext + advance) >>> 0;
        else serverNext = (serverNext + advance) >>> 0;
        return e;
      };
      story.ackEvents.push(segment(true, TCP_ACK));
      // A little conversation in the service's own words, where the words are simple enough to
      // write correctly (others close after the handshake, as a port check does).
      const exchange = conversation(serverPort, r);
      for (const [fromClient, payload] of exchange) {
        at += delay + r.int(100_000, 3 * MILLISECOND);
        segment(fromClient, TCP_PSH | TCP_ACK, payload);
        at += delay + r.int(20_000, 200_000);
        segment(!fromClient, TCP_ACK);
      }
      at += r.int(5 * MILLISECOND, 2 * SECOND);
      segment(true, TCP_FIN | TCP_ACK);
      at += delay + r.int(20_000, 200_000);
      segment(false, TCP_FIN | TCP_ACK);
      at += delay + r.int(20_000, 200_000);
      segment(true, TCP_ACK);
      verdict = 'connected';
      where = 'none';
      break;
    }
  }
  return {
    pattern,
    target,
    client,
    server,
    version,
    clientPort,
    serverPort,
    isn,
    verdict,
    where,
    story,
  };
}

/** Payloads for the few services whose opening words are short and plain text. */
function conversation(port: number, r: Random): Array<[boolean, Uint8Array]> {
  switch (port) {
    case 80:
    case 8080:
      return [
        [
          true,
          ascii(
            `GET /health HTTP/1.1\r\nHost: intranet.example\r\nUser-Agent: curl/8.${r.int(0, 9)}.0\r\nAccept: */*\r\n\r\n`,
          ),
        ],
        [false, ascii('HTTP/1.1 204 No Content\r\nServer: nginx\r\nConnection: keep-alive\r\n\r\n')],
      ];
    case 22:
      return [
        [false, ascii('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')],
        [true, ascii('SSH-2.0-OpenSSH_for_Windows_9.5\r\n')],
      ];
    case 25:
      return [
        [false, ascii('220 mail.example ESMTP Postfix\r\n')],
        [true, ascii('QUIT\r\n')],
        [false, ascii('221 2.0.0 Bye\r\n')],
      ];
    default:
      return [];
  }
}

// --- addresses ---------------------------------------------------------------------------------

function macFor(r: Random, oui: readonly number[]): Uint8Array {
  return Uint8Array.of(...oui, r.int(0, 255), r.int(0, 255), r.int(0, 255));
}

const OUIS = [
  [0xd4, 0x81, 0xd7], // Dell
  [0x00, 0x15, 0x5d], // Hyper-V
  [0x00, 0x50, 0x56], // VMware
  [0x3c, 0x22, 0xfb], // Apple
  [0x52, 0x54, 0x00], // QEMU/KVM
  [0x00, 0x1c, 0x73], // Arista
] as const;

function makeHost(
  r: Random,
  name: string,
  lan: Lan,
  ipv4: Uint8Array,
  ipv6: Uint8Array,
  ttl: number,
  ipIds: OsProfile['ipIds'],
): Host {
  return { name, mac: macFor(r, r.pick(OUIS)), ipv4, ipv6, lan, ttl, ipIds, nextIpId: r.int(0, 0xffff) };
}

function ipv6In(prefix: number[], r: Random, low?: number): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes.set(prefix, 0);
  if (low !== undefined) {
    bytes[14] = low >> 8;
    bytes[15] = low & 0xff;
  } else bytes.set(r.bytes(8), 8);
  return bytes;
}

// --- the exercise ------------------------------------------------------------------------------

interface Settings {
  pair: boolean;
  ipv6: number;
  offload: number;
  extraAttempts: [number, number];
  backgroundTcp: [number, number];
  arp: boolean;
  oses: readonly ClientOs[];
  clockOffsetMs: number;
  /** Seconds a capture may run after the first SYN. */
  maxDuration: number;
}

const SETTINGS: Record<Level, Settings> = {
  1: {
    pair: true,
    ipv6: 0,
    offload: 0,
    extraAttempts: [0, 0],
    backgroundTcp: [0, 0],
    arp: false,
    oses: ['windows-legacy', 'linux'],
    clockOffsetMs: 50,
    maxDuration: 12,
  },
  2: {
    pair: true,
    ipv6: 0,
    offload: 0.3,
    extraAttempts: [0, 0],
    backgroundTcp: [0, 1],
    arp: true,
    oses: ['windows-legacy', 'windows-11', 'linux'],
    clockOffsetMs: 400,
    maxDuration: 20,
  },
  3: {
    pair: true,
    ipv6: 0.25,
    offload: 0.5,
    extraAttempts: [0, 1],
    backgroundTcp: [1, 2],
    arp: true,
    oses: CLIENT_OSES,
    clockOffsetMs: 1500,
    maxDuration: 32,
  },
  4: {
    pair: false,
    ipv6: 0.35,
    offload: 0.6,
    extraAttempts: [1, 2],
    backgroundTcp: [2, 4],
    arp: true,
    oses: CLIENT_OSES,
    clockOffsetMs: 3000,
    maxDuration: 40,
  },
};

/** At level 4 some exercises give the client's capture only; below, always both sides. */
const CLIENT_ONLY_CHANCE = 0.35;

const NAMES = ['rdp01', 'files02', 'sql-prod', 'app03', 'jump01', 'print01', 'dc02', 'web04', 'build07'];
const DOMAIN = 'corp.example';

export function generateExercise(request: ExerciseRequest): Exercise {
  const seed = request.seed >>> 0;
  const level = request.level ?? 4;
  const r = new Random(seed);
  const settings = SETTINGS[level];
  const pattern = request.pattern ?? r.pick(patternsAt(level));
  const clientOs = r.pick(settings.oses);
  // An iptables REJECT or ICMP reject means a Linux server; the others could be either.
  const serverOs: ServerOs =
    pattern === 'reject-reset' || pattern === 'icmp-prohibited' ? 'linux' : r.pick(['windows', 'linux'] as const);
  const version: 4 | 6 = r.chance(settings.ipv6) ? 6 : 4;
  const pair = settings.pair || !r.chance(CLIENT_ONLY_CHANCE);

  // Two LANs joined by routers: the client's (with its DNS server) and the server's.
  const clientNet = [10, r.int(0, 255), r.int(0, 255)];
  const serverNet = [10, r.int(0, 255), r.int(0, 255)];
  if (serverNet[1] === clientNet[1] && serverNet[2] === clientNet[2]) serverNet[2] = (serverNet[2]! + 1) % 256;
  const clientPrefix = [0xfd, 0x00, r.int(0, 255), r.int(0, 255), 0, r.int(1, 255), 0, r.int(1, 255)];
  const serverPrefix = [0xfd, 0x00, r.int(0, 255), r.int(0, 255), 0, r.int(1, 255), 1, r.int(1, 255)];
  const v4 = (net: number[], host: number) => Uint8Array.of(...net, host);
  const clientProfile = OS[clientOs];
  const client = makeHost(
    r,
    'client',
    'client',
    v4(clientNet, r.int(20, 250)),
    ipv6In(clientPrefix, r),
    clientProfile.ttl,
    clientProfile.ipIds,
  );
  const serverTtl = serverOs === 'windows' ? 128 : 64;
  const serverIds = serverOs === 'windows' ? 'host-counter' : 'per-connection';
  const server = makeHost(
    r,
    'server',
    'server',
    v4(serverNet, r.int(10, 250)),
    ipv6In(serverPrefix, r),
    serverTtl,
    serverIds,
  );
  const clientGateway = makeHost(r, 'gateway', 'client', v4(clientNet, 1), ipv6In(clientPrefix, r, 1), 255, 'random');
  const serverGateway = makeHost(r, 'gateway', 'server', v4(serverNet, 1), ipv6In(serverPrefix, r, 1), 255, 'random');
  const router = makeHost(
    r,
    'router',
    'remote',
    Uint8Array.of(172, 16, r.int(0, 255), r.int(1, 254)),
    ipv6In([0xfd, 0x00, 0xff, r.int(0, 255), 0, 0, 0, 0], r, r.int(1, 0xfff)),
    255,
    'random',
  );
  const dns = makeHost(
    r,
    'dns',
    'client',
    v4(clientNet, r.int(2, 9)),
    ipv6In(clientPrefix, r, r.int(2, 9)),
    128,
    'host-counter',
  );
  const hops = r.int(1, 4);
  const wanDelay = r.int(300_000, level >= 3 ? 40 * MILLISECOND : 5 * MILLISECOND);
  const net = new Network(r, wanDelay, hops);
  const actors: Actors = { client, server, clientOs, serverOs, version, router };

  const pending: PendingAttempt[] = [];
  let at = r.int(200, 1500) * MILLISECOND;
  const start = 0;
  if (settings.arp) {
    net.arp(r.int(0, 100) * MILLISECOND, client, clientGateway);
    const neighbour = makeHost(r, 'neighbour', 'client', v4(clientNet, r.int(100, 250)), client.ipv6, 128, 'random');
    net.arp(r.int(100, 3000) * MILLISECOND, neighbour, dns);
    net.arp(r.int(0, 3000) * MILLISECOND, serverGateway, server);
  }

  // The name lookup that precedes the connection (the reason the article filters on the port).
  const name = `${r.pick(NAMES)}.${DOMAIN}`;
  const dnsPort = r.int(clientProfile.ephemeral[0], clientProfile.ephemeral[1]);
  const dnsId = r.int(0, 0xffff);
  const recordType = version === 6 ? 28 : 1;
  net.sendIp(at, client, dns, 4, PROTOCOL_UDP, udpBytes(dnsPort, 53, dnsMessage(dnsId, name, undefined, recordType)), {
    dontFragment: false,
  });
  net.sendIp(
    at + 300_000 + r.int(0, 2 * MILLISECOND),
    dns,
    client,
    4,
    PROTOCOL_UDP,
    udpBytes(53, dnsPort, dnsMessage(dnsId, name, version === 6 ? server.ipv6 : server.ipv4, recordType)),
    { dontFragment: false },
  );
  at += r.int(5, 40) * MILLISECOND;

  const usedPorts = new Set<number>();
  const servicePort = (preferred?: number) => {
    let port = preferred ?? r.pick(SERVICE_PORTS);
    while (usedPorts.has(port)) port = r.pick(SERVICE_PORTS);
    usedPorts.add(port);
    return port;
  };
  const targetPort = servicePort(pattern === 'open' ? undefined : r.chance(0.5) ? 3389 : undefined);
  const extras = r.int(...settings.extraAttempts);
  const extraFirst = r.int(0, extras);
  const deadlineAfter = settings.maxDuration * SECOND;
  const plan: Array<{ pattern: Pattern; target: boolean }> = [];
  // Only a Linux server's firewall REJECTs (iptables); Windows Firewall drops.
  const extraPatterns = patternsAt(level).filter(
    (p) => serverOs === 'linux' || (p !== 'reject-reset' && p !== 'icmp-prohibited'),
  );
  for (let k = 0; k < extras; k++) plan.push({ pattern: r.pick(extraPatterns), target: false });
  plan.splice(extraFirst, 0, { pattern, target: true });
  const firstSynAt = at;
  for (const step of plan) {
    const port = step.target ? targetPort : servicePort();
    const attempt = addAttempt(
      net,
      actors,
      step.pattern,
      at,
      port,
      pending.length,
      step.target,
      firstSynAt + deadlineAfter,
    );
    pending.push(attempt);
    // The user tries something else a little later; attempts may overlap, as real ones do.
    at += r.int(300, 6000) * MILLISECOND;
  }

  // Other TCP connections of the client (to hosts off the server's LAN).
  const webPorts = [80, 443, 8080, 22, 25] as const;
  const backgroundCount = r.int(...settings.backgroundTcp);
  for (let k = 0; k < backgroundCount; k++) {
    const remote = makeHost(
      r,
      'remote',
      'remote',
      Uint8Array.of(10, r.int(0, 255), r.int(0, 255), r.int(2, 250)),
      ipv6In([0xfd, 0x00, r.int(0, 255), r.int(0, 255), 0, 0, 2, r.int(0, 255)], r),
      r.pick([64, 128]),
      'per-connection',
    );
    const when = r.int(0, Math.max(1, Math.round((at + 2 * SECOND) / MILLISECOND))) * MILLISECOND;
    pending.push(
      addAttempt(
        net,
        { ...actors, server: remote, serverOs: remote.ttl === 128 ? 'windows' : 'linux' },
        'background',
        when,
        r.pick(webPorts),
        pending.length,
        false,
        0,
      ),
    );
  }
  // The server is busy too: another client connects to one of its services (the server capture only).
  if (level >= 2) {
    const otherClient = makeHost(
      r,
      'other client',
      'remote',
      Uint8Array.of(10, r.int(0, 255), r.int(0, 255), r.int(2, 250)),
      ipv6In([0xfd, 0x00, r.int(0, 255), r.int(0, 255), 0, 0, 3, r.int(0, 255)], r),
      128,
      'host-counter',
    );
    const extra = addAttempt(
      net,
      { ...actors, client: otherClient, clientOs: 'windows-11' },
      'background',
      r.int(0, Math.round(at / MILLISECOND)) * MILLISECOND,
      r.pick(webPorts),
      -1,
      false,
      0,
    );
    // Not in the client's key: it never crosses the client's NIC.
    for (const e of net.events) if (e.attempt === -1) e.attempt = undefined;
    void extra;
  }

  // Capture windows: started a little before the first packet, stopped a while after the last.
  const lastEvent = Math.max(...net.events.map((e) => e.at));
  const end = lastEvent + wanDelay + r.int(300, 3000) * MILLISECOND;
  const clockOffset =
    r.int(-settings.clockOffsetMs * 1000, settings.clockOffsetMs * 1000) * 1000 + (r.chance(0.5) ? 0 : r.int(0, 999));
  const base = 1_735_689_600 + r.int(0, 330) * 86_400 + r.int(8 * 3600, 18 * 3600); // a working day in 2025
  const clientOffload = r.chance(settings.offload);
  const serverOffload = r.chance(settings.offload);
  const clientPoint: CapturePoint = {
    host: client,
    gateway: clientGateway,
    clockOffset: 0,
    offload: clientOffload ? clientProfile.offloadForm : undefined,
    resolution: clientProfile.resolution,
    interfaceName: clientOs.startsWith('windows') ? 'Ethernet' : clientOs === 'macos' ? 'en0' : 'eth0',
    os: clientProfile.label,
  };
  const serverPoint: CapturePoint = {
    host: server,
    gateway: serverGateway,
    clockOffset,
    offload: serverOffload ? (serverOs === 'windows' ? 'offloaded-ip' : 'offloaded') : undefined,
    resolution: serverOs === 'windows' ? 7 : 6,
    interfaceName: serverOs === 'windows' ? 'Ethernet 2' : 'ens192',
    os: serverOs === 'windows' ? 'Windows Server' : 'Linux',
  };
  const captureStart = start - r.int(100, 2000) * MILLISECOND;
  const clientCapture = net.capture(clientPoint, captureStart, end);
  const serverCapture = pair ? net.capture(serverPoint, captureStart + r.int(0, 500) * MILLISECOND, end) : undefined;

  const write = (point: CapturePoint, frames: CapturedEvent[], from: number, side: string) => {
    const writer = new PcapngWriter({
      comments: [`porttrace practice exercise, seed ${seed}, level ${level}: generated, not recorded (${side} side).`],
      os: point.os,
      userApplication: 'porttrace practice',
    });
    const interfaceId = writer.addInterface({
      linkType: LinkType.ETHERNET,
      snapLength: 262144,
      name: point.interfaceName,
      decimalResolution: point.resolution,
    });
    const time = (t: number) => {
      const total = BigInt(base) * 1_000_000_000n + BigInt(Math.round(t + point.clockOffset));
      return { seconds: Number(total / 1_000_000_000n), nanoseconds: Number(total % 1_000_000_000n) };
    };
    for (const f of frames) writer.addPacket({ interfaceId, ...time(f.time), data: f.data, direction: f.direction });
    writer.addStatistics({
      interfaceId,
      ...time(end),
      start: time(from),
      end: time(end),
      received: frames.length,
      dropped: 0,
    });
    return writer.toBytes();
  };

  const frameNumbers = (frames: CapturedEvent[]) => {
    const byEvent = new Map<number, number>();
    frames.forEach((f, k) => byEvent.set(f.index, k + 1));
    return byEvent;
  };
  const clientFrameOf = frameNumbers(clientCapture.frames);
  const serverFrameOf = serverCapture ? frameNumbers(serverCapture.frames) : undefined;

  const attempts = pending.map((p, index) => keyOf(p, index, net, clientFrameOf, serverFrameOf, pair));
  return {
    seed,
    level,
    pattern,
    clientOs,
    serverOs,
    ipVersion: version,
    client: write(clientPoint, clientCapture.frames, captureStart, 'client'),
    server: serverCapture ? write(serverPoint, serverCapture.frames, captureStart, 'server') : undefined,
    clientPackets: clientCapture.frames.length,
    serverPackets: serverCapture?.frames.length,
    clockOffset: clockOffset / SECOND,
    clientOffload,
    serverOffload: pair && serverOffload,
    attempts: orderByFirstFrame(attempts),
    target: orderByFirstFrame(attempts).findIndex((a) => a.target),
  };
}

/** The classifier lists attempts in the order their first packet appears; so does the key. */
function orderByFirstFrame(attempts: KeyAttempt[]): KeyAttempt[] {
  return [...attempts].sort((a, b) => (a.frames[0] ?? Infinity) - (b.frames[0] ?? Infinity));
}

const list = (frames: number[]) =>
  frames.length <= 2 ? frames.join(' and ') : `${frames.slice(0, -1).join(', ')} and ${frames[frames.length - 1]}`;

function seconds(offsets: number[]): string {
  return offsets.map((s) => (s < 10 ? s.toFixed(1) : s.toFixed(0))).join(', ');
}

function keyOf(
  p: PendingAttempt,
  index: number,
  net: Network,
  clientFrameOf: Map<number, number>,
  serverFrameOf: Map<number, number> | undefined,
  pair: boolean,
): KeyAttempt {
  const inClient = (events: number[]) =>
    events.map((e) => clientFrameOf.get(e)).filter((f): f is number => f !== undefined);
  const inServer = (events: number[]) =>
    serverFrameOf ? events.map((e) => serverFrameOf.get(e)).filter((f): f is number => f !== undefined) : [];
  const own: number[] = [];
  net.events.forEach((e, k) => {
    if (e.attempt === index) own.push(k);
  });
  const frames = inClient(own).sort((a, b) => a - b);
  const tcpSegments = own
    .filter((k) => net.events[k]!.datagram?.protocol === PROTOCOL_TCP && clientFrameOf.has(k))
    .sort((a, b) => clientFrameOf.get(a)! - clientFrameOf.get(b)!)
    .map((k) => ({ fromClient: net.events[k]!.from === p.client, transport: net.events[k]!.datagram!.transport }));
  const serverFrames = inServer(own).sort((a, b) => a - b);
  const { story } = p;
  const syns = inClient(story.synEvents);
  const answers = inClient(story.answerEvents);
  const acks = inClient(story.ackEvents);
  const port = p.serverPort;
  const proof: ProofPart[] = [];
  const explanation: string[] = [];
  switch (p.verdict) {
    case 'no-response':
      proof.push({ frames: syns, need: 2, what: 'the SYN and at least one of its retransmissions' });
      explanation.push(
        `Frames ${list(syns)} are the same SYN to port ${port} (Seq ${p.isn}), sent at ${seconds(story.synOffsets.slice(0, syns.length))} s: ` +
          `retransmissions, and nothing came back — no SYN/ACK, no RST, no ICMP. No response: blocked (nmap: filtered).`,
      );
      break;
    case 'refused':
      proof.push({ frames: syns, need: 1, what: 'a SYN' });
      proof.push({ frames: answers, need: 1, what: 'the RST that answers it' });
      explanation.push(
        `Frame ${answers[0]} is an RST/ACK from ${formatIP(p.version === 6 ? p.server.ipv6 : p.server.ipv4)} acknowledging Seq ${p.isn} + 1 of the SYN in frame ${syns[0]}: ` +
          `the port is closed (nothing listening, or a firewall rejecting with a reset). Refused (nmap: closed).` +
          (syns.length > 1
            ? ` The SYNs in frames ${list(syns.slice(1))} are Windows trying a refused connection again: still refused.`
            : ''),
      );
      break;
    case 'connected':
      proof.push({ frames: syns, need: 1, what: 'the SYN' });
      proof.push({ frames: answers, need: 1, what: 'the SYN/ACK' });
      proof.push({ frames: acks, need: 1, what: "the client's ACK" });
      explanation.push(
        `Frames ${syns[0]}, ${answers[0]} and ${acks[0]} are the three-way handshake: SYN, SYN/ACK acknowledging Seq + 1, ACK. Connected: the port is open.`,
      );
      break;
    case 'unreachable':
      proof.push({ frames: syns, need: 1, what: 'a SYN' });
      proof.push({ frames: answers, need: 1, what: 'the ICMP error that quotes it' });
      explanation.push(
        `Frame ${answers[0]} is an ${story.icmpName} from ${story.icmpFrom === 'router' ? 'a router on the path' : 'the server itself'}, quoting the SYN of frame ${syns[0]}: ` +
          `rejected by a firewall. Unreachable (nmap: filtered).`,
      );
      break;
    case 'half-open':
    case 'inconclusive':
      break;
  }
  if (pair) {
    const serverSyns = inServer(story.synEvents);
    const serverAnswers = inServer(story.answerEvents);
    switch (p.where) {
      case 'none':
        explanation.push('Where: nowhere — the handshake completed.');
        break;
      case 'path':
        explanation.push(
          story.icmpFrom === 'router'
            ? `Where: on the path — the ICMP error comes from a router (not the server), and the server's capture has no trace of the SYN.`
            : `Where: on the path — the server's capture has no trace of these SYNs; they were lost between the two captures.`,
        );
        break;
      case 'server':
        explanation.push(
          p.verdict === 'no-response'
            ? `Where: at the server — its capture shows the SYNs arriving (frames ${list(serverSyns)}) and nothing sent back: its firewall dropped them (or nothing listens and the firewall drops instead of resetting).`
            : `Where: at the server — it received the SYN (server frame ${serverSyns[0]}) and answered no (server frame ${serverAnswers[0]}).`,
        );
        break;
      case 'return-path':
        explanation.push(
          `Where: on the return path — the server's capture shows the SYNs arriving and its ${story.answerKind === 'syn-ack' ? 'SYN/ACKs' : 'RSTs'} going back (server frames ${list(serverAnswers)}); the client never got them.`,
        );
        break;
    }
  }
  return {
    client: formatIP(p.version === 6 ? p.client.ipv6 : p.client.ipv4),
    clientPort: p.clientPort,
    server: formatIP(p.version === 6 ? p.server.ipv6 : p.server.ipv4),
    serverPort: p.serverPort,
    verdict: p.verdict,
    nmap: NMAP[p.verdict],
    zeek: ZEEK[p.verdict],
    history: zeekHistory(tcpSegments),
    frames,
    isn: p.isn,
    retries: Math.max(0, syns.length - 1),
    ...(pair ? { where: p.where, serverFrames } : {}),
    pattern: p.pattern,
    target: p.target,
    proof,
    explanation,
  };
}
