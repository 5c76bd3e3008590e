// Generates reconstructions of the article's Windows traces with the project's own pcapng writer
// (src/lib/capture/write-pcapng.ts), plus their entries in src/content/traces/.
//
// Why reconstruct: the article's captures exist only as screenshots, and the lessons walk through
// exactly those numbers (port 57475, Seq=1912198306, Win=64240, window scale 8, SYNs at 0, 3 and
// 9 s, "[Bad CheckSum]" on the sender's copy). No Linux recording can show Windows' legacy retry
// timing or its checksum offload, so these files are built packet by packet instead. Every file
// says so in its section comment, and its JSON entry has "reconstruction": true.
//
// What it makes (public/traces/, src/content/traces/):
//   article-blocked-client / -server   scenario 1: RDP to 3389 dropped by the server's firewall,
//                                      the sender's copy and the receiver's copy
//   article-closed-client / -server    scenario 2: nothing listening on 3390 behind Windows
//                                      Firewall ("stealth"): looks exactly like scenario 1
//   article-success-client             scenario 3: DNS, Kerberos 88 to the domain controller,
//                                      then a successful RDP handshake, a little data, a close
//   challenge-answered-client          not in the article: scenario 1's conversation answered,
//                                      among other sessions (a hidden variant the challenge grades on)
//
// Choices (documented here because they are the point of the lessons):
// - Packets the capturing host sent carry what a Windows NIC with checksum offload leaves in the
//   capture: the IPv4 header checksum is 0x0000 (Windows offloads it too, and Wireshark shows
//   0x0000 for it) and the TCP/UDP checksum field holds the folded pseudo-header sum that the
//   stack pre-computes for the NIC. Packets the host received have correct checksums.
// - Windows: TTL 128, one IP ID counter per host incremented by every packet it sends, no TCP
//   timestamps, SYN options MSS 1460, NOP, WS 8, NOP, NOP, SACK_PERM (a 66-byte SYN).
// - All hosts share one subnet (10.0.0.0/24), so the receiver sees TTL 128 too; the receiver's
//   clock runs 3.2 ms ahead of the sender's and the wire adds 0.4 ms.
// - The capture's end (21 s after the first SYN, when Windows gives up) is recorded in an
//   Interface Statistics Block, since no packet marks it.
//
// Run: npm run traces:reconstruct   (= tsx scripts/reconstruct-traces.ts). Deterministic: the same
// bytes on every run.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinkType, type Direction } from '../src/lib/capture/types.ts';
import { PcapngWriter } from '../src/lib/capture/write-pcapng.ts';
import type { ExpectedAttempt } from '../src/cli/commands/add-trace.ts';
import {
  ascii,
  concat,
  dnsMessage,
  ETHERTYPE_IPV4,
  ethernetFrame,
  ipDatagram,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  TCP_ACK as ACK,
  TCP_FIN as FIN,
  TCP_PSH as PSH,
  TCP_SYN as SYN,
  tcpBytes,
  udpBytes,
  type TcpFields,
} from '../src/lib/practice/frames.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TRACE_DIR = join(REPO_ROOT, 'public', 'traces');
const ENTRY_DIR = join(REPO_ROOT, 'src', 'content', 'traces');
const SOURCE_NOTE = "reconstructed by scripts/reconstruct-traces.ts from the article's screenshots";

// --- hosts ----------------------------------------------------------------------------------

interface Host {
  name: string;
  mac: Uint8Array;
  ip: Uint8Array;
  address: string;
  /** Windows keeps one IP ID counter per host. */
  nextIpId: number;
}

function host(name: string, mac: string, address: string, firstIpId: number): Host {
  return {
    name,
    mac: Uint8Array.from(mac.split(':'), (part) => parseInt(part, 16)),
    ip: Uint8Array.from(address.split('.'), Number),
    address,
    nextIpId: firstIpId,
  };
}

// Dell and Hyper-V vendor prefixes, as on a typical Windows client and virtualised servers.
function makeHosts() {
  return {
    client: host('client', 'd4:81:d7:5e:21:7c', '10.0.0.1', 0x6c1e),
    server: host('server', '00:15:5d:0a:02:11', '10.0.0.2', 0x39d2),
    domainController: host('domain controller', '00:15:5d:0a:02:0a', '10.0.0.10', 0x1f4a),
  };
}

// --- packet building --------------------------------------------------------------------------

/** Sent packets as a Windows host with checksum offload captures them, or as they reach the wire. */
type ChecksumForm = 'offloaded' | 'complete';

const TTL_WINDOWS = 128;

interface Datagram {
  from: Host;
  to: Host;
  protocol: number;
  /** Transport header and payload, checksum field zero. */
  transport: Uint8Array;
  ipId: number;
}

/** Ethernet II + IPv4 (DF set, as Windows sends TCP) + the transport bytes, checksums in the given form. */
function frame(datagram: Datagram, form: ChecksumForm): Uint8Array {
  const ip = ipDatagram(
    {
      source: datagram.from.ip,
      destination: datagram.to.ip,
      protocol: datagram.protocol,
      transport: datagram.transport,
      ttl: TTL_WINDOWS,
      ipId: datagram.ipId,
      dontFragment: true,
    },
    // Windows offloads the IPv4 header checksum too.
    form === 'offloaded' ? 'offloaded-ip' : 'complete',
  );
  // Neither side pads: these are the captures' own copies, as the screenshots show them.
  return ethernetFrame(datagram.to.mac, datagram.from.mac, ETHERTYPE_IPV4, ip, false);
}

/** MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted: Windows' SYN and SYN/ACK options. */
const WINDOWS_SYN_OPTIONS = Uint8Array.of(0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x08, 0x01, 0x01, 0x04, 0x02);

// --- application payloads (written from the specifications) -------------------------------------

/** A DNS query for an A record, or its answer (RFC 1035). */
function der(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(...content);
  if (body.length < 0x80) return concat(Uint8Array.of(tag, body.length), body);
  if (body.length < 0x100) return concat(Uint8Array.of(tag, 0x81, body.length), body);
  return concat(Uint8Array.of(tag, 0x82, body.length >> 8, body.length & 0xff), body);
}

function derInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0); // keep it positive
  return der(0x02, Uint8Array.from(bytes));
}

const derString = (text: string) => der(0x1b, ascii(text)); // GeneralString
const derTime = (text: string) => der(0x18, ascii(text)); // GeneralizedTime
const derSequence = (...items: Uint8Array[]) => der(0x30, ...items);
const derField = (number: number, value: Uint8Array) => der(0xa0 + number, value);
const principal = (type: number, ...parts: string[]) =>
  derSequence(derField(0, derInteger(type)), derField(1, derSequence(...parts.map(derString))));

/** Kerberos over TCP puts a 4-byte length before each message (RFC 4120 7.2.2). */
function kerberosFramed(message: Uint8Array): Uint8Array {
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, message.length);
  return concat(length, message);
}

const REALM = 'LAB.EXAMPLE';

/** The first AS-REQ of a Windows logon: no pre-authentication yet (RFC 4120 5.4.1). */
function kerberosAsRequest(): Uint8Array {
  const body = derSequence(
    derField(0, der(0x03, Uint8Array.of(0x00, 0x40, 0x81, 0x00, 0x10))), // forwardable, renewable, canonicalize, renewable-ok
    derField(1, principal(1, 'alice')),
    derField(2, derString(REALM)),
    derField(3, principal(2, 'krbtgt', REALM)),
    derField(5, derTime('20370913024805Z')),
    derField(6, derTime('20370913024805Z')),
    derField(7, derInteger(0x2b7e1516)),
    derField(8, derSequence(derInteger(18), derInteger(17), derInteger(23))),
  );
  return kerberosFramed(
    der(0x6a, derSequence(derField(1, derInteger(5)), derField(2, derInteger(10)), derField(4, body))),
  );
}

/** The domain controller's answer: KRB-ERROR 25, pre-authentication required (RFC 4120 5.9.1). */
function kerberosPreauthRequired(serverTime: string, microseconds: number): Uint8Array {
  return kerberosFramed(
    der(
      0x7e,
      derSequence(
        derField(0, derInteger(5)),
        derField(1, derInteger(30)),
        derField(4, derTime(serverTime)),
        derField(5, derInteger(microseconds)),
        derField(6, derInteger(25)),
        derField(9, derString(REALM)),
        derField(10, principal(2, 'krbtgt', REALM)),
      ),
    ),
  );
}

function tpkt(payload: Uint8Array): Uint8Array {
  const header = Uint8Array.of(3, 0, 0, 0);
  new DataView(header.buffer).setUint16(2, 4 + payload.length);
  return concat(header, payload);
}

/** X.224 Connection Request with an RDP negotiation request for TLS and CredSSP (MS-RDPBCGR 2.2.1.1). */
function rdpConnectionRequest(): Uint8Array {
  const variable = concat(
    ascii('Cookie: mstshash=alice\r\n'),
    Uint8Array.of(0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00),
  );
  return tpkt(concat(Uint8Array.of(6 + variable.length, 0xe0, 0, 0, 0, 0, 0), variable));
}

/** X.224 Connection Confirm choosing CredSSP (MS-RDPBCGR 2.2.1.2). */
function rdpConnectionConfirm(): Uint8Array {
  const negotiation = Uint8Array.of(0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00);
  return tpkt(concat(Uint8Array.of(6 + negotiation.length, 0xd0, 0, 0, 0x12, 0x34, 0), negotiation));
}

// --- timelines ------------------------------------------------------------------------------

/** One packet on the wire: who sent it, when (ns after the trace's start, sender's clock), what. */
interface WireEvent {
  at: number;
  datagram: Datagram;
  comment?: string;
}

class Timeline {
  readonly events: WireEvent[] = [];

  send(at: number, from: Host, to: Host, protocol: number, transport: Uint8Array, comment?: string): void {
    this.events.push({
      at,
      datagram: { from, to, protocol, transport, ipId: from.nextIpId++ & 0xffff },
      comment,
    });
  }
}

/** Keeps both directions' sequence numbers so segments cannot disagree with each other. */
class TcpConversation {
  private clientNext: number;
  private serverNext = 0;

  constructor(
    private readonly timeline: Timeline,
    readonly client: Host,
    readonly clientPort: number,
    readonly server: Host,
    readonly serverPort: number,
    private readonly clientIsn: number,
  ) {
    this.clientNext = clientIsn;
  }

  private segment(
    at: number,
    fromClient: boolean,
    fields: Omit<TcpFields, 'sourcePort' | 'destinationPort'>,
    comment?: string,
  ) {
    const [from, to, sourcePort, destinationPort] = fromClient
      ? [this.client, this.server, this.clientPort, this.serverPort]
      : [this.server, this.client, this.serverPort, this.clientPort];
    this.timeline.send(at, from, to, PROTOCOL_TCP, tcpBytes({ sourcePort, destinationPort, ...fields }), comment);
  }

  /** The client's SYN; call again for a retransmission (same Seq, Ack 0, new IP ID). */
  syn(at: number, comment?: string): void {
    this.segment(
      at,
      true,
      { seq: this.clientIsn, ack: 0, flags: SYN, window: 64240, options: WINDOWS_SYN_OPTIONS },
      comment,
    );
    this.clientNext = (this.clientIsn + 1) >>> 0;
  }

  synAck(at: number, serverIsn: number): void {
    this.segment(at, false, {
      seq: serverIsn,
      ack: this.clientNext,
      flags: SYN | ACK,
      window: 65535,
      options: WINDOWS_SYN_OPTIONS,
    });
    this.serverNext = (serverIsn + 1) >>> 0;
  }

  /** Scaled windows after the handshake (× 256): 262,656 bytes for the client, 525,568 for the server. */
  private window(fromClient: boolean): number {
    return fromClient ? 1026 : 2053;
  }

  ack(at: number, fromClient: boolean): void {
    const [seq, ack] = fromClient ? [this.clientNext, this.serverNext] : [this.serverNext, this.clientNext];
    this.segment(at, fromClient, { seq, ack, flags: ACK, window: this.window(fromClient) });
  }

  data(at: number, fromClient: boolean, payload: Uint8Array): void {
    const [seq, ack] = fromClient ? [this.clientNext, this.serverNext] : [this.serverNext, this.clientNext];
    this.segment(at, fromClient, { seq, ack, flags: PSH | ACK, window: this.window(fromClient), payload });
    if (fromClient) this.clientNext = (this.clientNext + payload.length) >>> 0;
    else this.serverNext = (this.serverNext + payload.length) >>> 0;
  }

  fin(at: number, fromClient: boolean): void {
    const [seq, ack] = fromClient ? [this.clientNext, this.serverNext] : [this.serverNext, this.clientNext];
    this.segment(at, fromClient, { seq, ack, flags: FIN | ACK, window: this.window(fromClient) });
    if (fromClient) this.clientNext = (this.clientNext + 1) >>> 0;
    else this.serverNext = (this.serverNext + 1) >>> 0;
  }
}

const SECOND = 1_000_000_000;
const MILLISECOND = 1_000_000;
/** One-way time on the LAN between any two hosts: 0.4 ms. */
const WIRE = 400_000;

// --- writing one capture ------------------------------------------------------------------------

interface CapturePoint {
  host: Host;
  /** Added to every timestamp: the capturing host's clock offset, plus transit for received packets. */
  clockOffset: number;
  transit: number;
  interfaceName: string;
  interfaceDescription: string;
  /** Units of the capture clock: 7 = 100 ns (Windows' native unit), 6 = microseconds. */
  decimalResolution: number;
}

interface TraceSpec {
  id: string;
  title: string;
  story: string;
  side: 'client' | 'server';
  scenario: string;
  pair?: string;
  timeline: Timeline;
  point: CapturePoint;
  /** ns after the trace's start (sender's clock) when capturing ended. */
  endsAt: number;
  expected: ExpectedAttempt[];
}

/** 2023-10-17 14:22:05.4412871 UTC: an ordinary working day; any fixed instant keeps output stable. */
const TRACE_START_SECONDS = 1697552525;
const TRACE_START_NANOSECONDS = 441_287_100;

function absoluteTime(offset: number): { seconds: number; nanoseconds: number } {
  const total = TRACE_START_NANOSECONDS + offset;
  return { seconds: TRACE_START_SECONDS + Math.floor(total / SECOND), nanoseconds: total % SECOND };
}

/** One generated file and its entry for the traces collection. */
export interface Reconstruction {
  id: string;
  pcapng: Uint8Array;
  entry: Record<string, unknown>;
  packets: number;
}

function buildTrace(spec: TraceSpec): Reconstruction {
  const { point } = spec;
  const writer = new PcapngWriter({
    comments: [
      `RECONSTRUCTION, not a recorded capture: porttrace trace '${spec.id}', generated packet by packet by ` +
        `scripts/reconstruct-traces.ts to match the article's Windows screenshots, as captured on the ${spec.side} ` +
        `(${point.host.address}). ${spec.story}`,
      'Checksums: packets this host sent show what Windows with checksum offload leaves in a capture ' +
        '(IPv4 header checksum 0x0000, TCP/UDP checksum = the folded pseudo-header sum the NIC completes); ' +
        'packets it received have correct checksums.',
    ],
    os: 'Windows 10 (reconstructed)',
    userApplication: 'porttrace scripts/reconstruct-traces.ts',
  });
  const interfaceId = writer.addInterface({
    linkType: LinkType.ETHERNET,
    snapLength: 262144,
    name: point.interfaceName,
    description: point.interfaceDescription,
    decimalResolution: point.decimalResolution,
  });
  let visible = 0;
  for (const event of spec.timeline.events) {
    const { from, to } = event.datagram;
    let direction: Direction;
    if (from === point.host) direction = 'sent';
    else if (to === point.host) direction = 'received';
    else continue; // a switched network: this host never sees other hosts' unicast
    const at = event.at + point.clockOffset + (direction === 'received' ? point.transit : 0);
    writer.addPacket({
      interfaceId,
      ...absoluteTime(at),
      data: frame(event.datagram, direction === 'sent' ? 'offloaded' : 'complete'),
      direction,
      comments: event.comment ? [event.comment] : undefined,
    });
    visible += 1;
  }
  const end = absoluteTime(spec.endsAt + point.clockOffset);
  writer.addStatistics({
    interfaceId,
    ...end,
    start: absoluteTime(point.clockOffset),
    end,
    received: visible,
    dropped: 0,
  });

  const entry = {
    title: spec.title,
    story: spec.story,
    file: `/traces/${spec.id}.pcapng`,
    side: spec.side,
    scenario: spec.scenario,
    ...(spec.pair ? { pair: spec.pair } : {}),
    reconstruction: true,
    source: SOURCE_NOTE,
    expected: spec.expected,
  };
  return { id: spec.id, pcapng: writer.toBytes(), entry, packets: visible };
}

function senderPoint(hosts: ReturnType<typeof makeHosts>): CapturePoint {
  return {
    host: hosts.client,
    clockOffset: 0,
    transit: WIRE,
    interfaceName: '\\Device\\NPF_{5C1B7E2A-93D4-4F0E-B6A1-2E8D07C4F915}',
    interfaceDescription: 'Ethernet',
    decimalResolution: 7,
  };
}

function receiverPoint(hosts: ReturnType<typeof makeHosts>): CapturePoint {
  return {
    host: hosts.server,
    clockOffset: 3_200_000,
    transit: WIRE,
    interfaceName: '\\Device\\NPF_{A07E4C19-2D5B-4E83-9F6C-71B0D2E8A346}',
    interfaceDescription: 'Ethernet 2',
    decimalResolution: 6,
  };
}

/** Windows' legacy connect: SYN, retransmissions after 3 s and 6 more, gives up at 21 s. */
// Windows timers tick every ~15.6 ms, so the retransmissions land a little after 3 s and 9 s.
const WINDOWS_SYN_TIMES = [0, 3_010_241_700, 9_025_635_300];
const WINDOWS_GIVES_UP_AT = 21 * SECOND;

function scenarioBlocked(): Reconstruction[] {
  const traces: Reconstruction[] = [];
  const hosts = makeHosts();
  const timeline = new Timeline();
  // mstsc resolves the server's name first: the reason the article filters on the port.
  timeline.send(
    0,
    hosts.client,
    hosts.domainController,
    PROTOCOL_UDP,
    udpBytes(61532, 53, dnsMessage(0x3c7a, 'rdp01.lab.example')),
  );
  timeline.send(
    WIRE + 212_400,
    hosts.domainController,
    hosts.client,
    PROTOCOL_UDP,
    udpBytes(53, 61532, dnsMessage(0x3c7a, 'rdp01.lab.example', hosts.server.ip)),
  );
  const start = 14_873_900;
  const rdp = new TcpConversation(timeline, hosts.client, 57475, hosts.server, 3389, 1912198306);
  WINDOWS_SYN_TIMES.forEach((offset, index) =>
    rdp.syn(
      start + offset,
      index === 0 ? 'Reconstruction: the SYN from the article, Seq=1912198306, source port 57475' : undefined,
    ),
  );
  const expected: ExpectedAttempt[] = [
    {
      client: '10.0.0.1',
      clientPort: 57475,
      server: '10.0.0.2',
      serverPort: 3389,
      verdict: 'no-response',
      where: 'server',
    },
  ];
  const title = 'Article scenario 1: RDP blocked by Windows Firewall (reconstruction)';
  traces.push(
    buildTrace({
      id: 'article-blocked-client',
      title,
      side: 'client',
      scenario: 'article-blocked',
      pair: 'article-blocked-server',
      story:
        "The sender's capture from the article, rebuilt packet by packet: after a DNS lookup, three SYNs from port 57475 to 3389 at 0, 3 and 9 s with the same Seq, Ack 0, and no answer until Windows gives up at 21 s. Its own packets show Bad CheckSum only because of checksum offload — a red herring.",
      timeline,
      point: senderPoint(hosts),
      endsAt: start + WINDOWS_GIVES_UP_AT,
      expected,
    }),
  );
  traces.push(
    buildTrace({
      id: 'article-blocked-server',
      title,
      side: 'server',
      scenario: 'article-blocked',
      pair: 'article-blocked-client',
      story:
        "The receiver's copy of the same moment: the three SYNs arrive with correct checksums, a few milliseconds later by the server's clock, and the server's firewall lets nothing go back.",
      timeline,
      point: receiverPoint(hosts),
      endsAt: start + WINDOWS_GIVES_UP_AT,
      expected,
    }),
  );
  return traces;
}

function scenarioClosed(): Reconstruction[] {
  const traces: Reconstruction[] = [];
  const hosts = makeHosts();
  const timeline = new Timeline();
  const rdp = new TcpConversation(timeline, hosts.client, 57483, hosts.server, 3390, 3047815522);
  WINDOWS_SYN_TIMES.forEach((offset) => rdp.syn(offset));
  const expected: ExpectedAttempt[] = [
    {
      client: '10.0.0.1',
      clientPort: 57483,
      server: '10.0.0.2',
      serverPort: 3390,
      verdict: 'no-response',
      where: 'server',
    },
  ];
  const title = 'Article scenario 2: nothing listening on 3390 (reconstruction)';
  traces.push(
    buildTrace({
      id: 'article-closed-client',
      title,
      side: 'client',
      scenario: 'article-closed-stealth',
      pair: 'article-closed-server',
      story:
        "Nothing listens on 3390, but Windows Firewall drops SYNs to closed ports instead of letting TCP answer RST. The sender's capture is indistinguishable from scenario 1: three SYNs at 0, 3 and 9 s, silence.",
      timeline,
      point: senderPoint(hosts),
      endsAt: WINDOWS_GIVES_UP_AT,
      expected,
    }),
  );
  traces.push(
    buildTrace({
      id: 'article-closed-server',
      title,
      side: 'server',
      scenario: 'article-closed-stealth',
      pair: 'article-closed-client',
      story:
        "The receiver's copy: the SYNs to 3390 arrive and nothing answers them — no RST, because the firewall drops them first. Only knowing what listens on the server tells this apart from a blocked port.",
      timeline,
      point: receiverPoint(hosts),
      endsAt: WINDOWS_GIVES_UP_AT,
      expected,
    }),
  );
  return traces;
}

function scenarioSuccess(): Reconstruction[] {
  const traces: Reconstruction[] = [];
  const hosts = makeHosts();
  const timeline = new Timeline();
  const { client, server, domainController } = hosts;
  timeline.send(
    0,
    client,
    domainController,
    PROTOCOL_UDP,
    udpBytes(52218, 53, dnsMessage(0x9d21, 'rdp01.lab.example')),
  );
  timeline.send(
    WIRE + 188_100,
    domainController,
    client,
    PROTOCOL_UDP,
    udpBytes(53, 52218, dnsMessage(0x9d21, 'rdp01.lab.example', server.ip)),
  );

  // Times are departures from the sender; a reply leaves only after the request has crossed the
  // wire (WIRE) and the other host has worked on it, so every capture stays in causal order.
  const kerberos = new TcpConversation(timeline, client, 57490, domainController, 88, 2841963021);
  let at = 6_204_700;
  kerberos.syn(at);
  kerberos.synAck((at += WIRE + 85_300), 3617023540);
  kerberos.ack((at += WIRE + 61_200), true);
  kerberos.data((at += 1_207_500), true, kerberosAsRequest());
  kerberos.data((at += WIRE + 2_815_400), false, kerberosPreauthRequired('20231017142205Z', 452931));
  kerberos.fin((at += WIRE + 190_800), true);
  kerberos.ack((at += WIRE + 98_600), false);
  kerberos.fin((at += 12_100), false);
  kerberos.ack((at += WIRE + 80_500), true);

  const rdp = new TcpConversation(timeline, client, 57491, server, 3389, 694307815);
  at += 41 * MILLISECOND;
  rdp.syn(at, 'Reconstruction: SYN with Win=64240, window scale 8 (×256), MSS 1460, SACK permitted');
  rdp.synAck((at += WIRE + 112_900), 1433561290);
  rdp.ack((at += WIRE + 73_400), true);
  rdp.data((at += 902_100), true, rdpConnectionRequest());
  rdp.data((at += WIRE + 1_630_600), false, rdpConnectionConfirm());
  rdp.fin((at += WIRE + 4_117_200), true);
  rdp.ack((at += WIRE + 55_300), false);
  rdp.fin((at += 9_800), false);
  rdp.ack((at += WIRE + 66_000), true);

  traces.push(
    buildTrace({
      id: 'article-success-client',
      title: 'Article scenario 3: RDP allowed, with Kerberos 88 (reconstruction)',
      side: 'client',
      scenario: 'article-success',
      story:
        'The successful connection from the article, rebuilt: a DNS lookup, Kerberos on 88 to the domain controller, then SYN, SYN/ACK with Ack = Seq + 1, ACK on 3389, the RDP connection request and confirm, and a close. The SYN offers Win=64240 with window scale 8; the server answers Win=65535, scale 8, MSS 1460.',
      timeline,
      point: senderPoint(hosts),
      endsAt: at + 500 * MILLISECOND,
      expected: [
        {
          client: '10.0.0.1',
          clientPort: 57490,
          server: '10.0.0.10',
          serverPort: 88,
          verdict: 'connected',
          where: 'none',
        },
        {
          client: '10.0.0.1',
          clientPort: 57491,
          server: '10.0.0.2',
          serverPort: 3389,
          verdict: 'connected',
          where: 'none',
        },
      ],
    }),
  );
  return traces;
}

/**
 * Not in the article: scenario 1's conversation (10.0.0.1:57475 → 10.0.0.2:3389, the same ISN)
 * as it would look had the server answered, among the client's other traffic — an SMB session
 * to the same server and an RDP session from another port to another host. The lesson's filter
 * challenge grades a learner's filter on it as well as on the blocked trace: there a filter
 * that shows only one direction, or more than the one conversation, shows the same frames as the
 * right answer; here it cannot.
 */
function scenarioAnswered(): Reconstruction[] {
  const hosts = makeHosts();
  const timeline = new Timeline();
  const { client, server, domainController } = hosts;
  timeline.send(
    0,
    client,
    domainController,
    PROTOCOL_UDP,
    udpBytes(61532, 53, dnsMessage(0x3c7a, 'rdp01.lab.example')),
  );
  timeline.send(
    WIRE + 212_400,
    domainController,
    client,
    PROTOCOL_UDP,
    udpBytes(53, 61532, dnsMessage(0x3c7a, 'rdp01.lab.example', server.ip)),
  );
  const smb = new TcpConversation(timeline, client, 57470, server, 445, 1203399001);
  let at = 5_311_200;
  smb.syn(at);
  smb.synAck((at += WIRE + 97_100), 2958001321);
  smb.ack((at += WIRE + 52_800), true);
  smb.fin((at += 2_107_300), true);
  smb.ack((at += WIRE + 61_900), false);
  smb.fin((at += 10_400), false);
  smb.ack(at + WIRE + 48_700, true);

  const rdp = new TcpConversation(timeline, client, 57475, server, 3389, 1912198306);
  at = 14_873_900; // the moment scenario 1's SYN left
  rdp.syn(at, 'The SYN of scenario 1, Seq=1912198306 from port 57475 — this time answered');
  rdp.synAck((at += WIRE + 112_900), 3390447118);
  rdp.ack((at += WIRE + 73_400), true);
  rdp.data((at += 902_100), true, rdpConnectionRequest());
  rdp.data((at += WIRE + 1_630_600), false, rdpConnectionConfirm());

  const other = new TcpConversation(timeline, client, 57476, domainController, 3389, 2219030577);
  at += 310 * MILLISECOND;
  other.syn(at);
  other.synAck((at += WIRE + 104_200), 871220653);
  other.ack((at += WIRE + 66_300), true);
  other.data((at += 844_900), true, rdpConnectionRequest());
  other.data((at += WIRE + 1_502_800), false, rdpConnectionConfirm());

  return [
    buildTrace({
      id: 'challenge-answered-client',
      title: "Scenario 1's conversation, answered (a variant the filter challenge grades on)",
      side: 'client',
      scenario: 'challenge-answered',
      story:
        'Not from the article: the same conversation as scenario 1 (57475 to 3389, the same Seq) had the server answered, next to an SMB session to the same server and an RDP session from port 57476 to another host. A filter that follows the whole conversation shows its SYN, the SYN/ACK and everything after, and nothing of the other sessions.',
      timeline,
      point: senderPoint(hosts),
      endsAt: at + 500 * MILLISECOND,
      expected: [
        {
          client: '10.0.0.1',
          clientPort: 57470,
          server: '10.0.0.2',
          serverPort: 445,
          verdict: 'connected',
          where: 'none',
        },
        {
          client: '10.0.0.1',
          clientPort: 57475,
          server: '10.0.0.2',
          serverPort: 3389,
          verdict: 'connected',
          where: 'none',
        },
        {
          client: '10.0.0.1',
          clientPort: 57476,
          server: '10.0.0.10',
          serverPort: 3389,
          verdict: 'connected',
          where: 'none',
        },
      ],
    }),
  ];
}

/** Every reconstruction, built in memory (the tests compare them with the committed files). */
export function buildReconstructions(): Reconstruction[] {
  return [...scenarioBlocked(), ...scenarioClosed(), ...scenarioSuccess(), ...scenarioAnswered()];
}

function main(): void {
  mkdirSync(TRACE_DIR, { recursive: true });
  mkdirSync(ENTRY_DIR, { recursive: true });
  for (const trace of buildReconstructions()) {
    writeFileSync(join(TRACE_DIR, `${trace.id}.pcapng`), trace.pcapng);
    writeFileSync(join(ENTRY_DIR, `${trace.id}.json`), JSON.stringify(trace.entry, null, 2) + '\n');
    console.log(
      `wrote public/traces/${trace.id}.pcapng (${trace.packets} packets) and src/content/traces/${trace.id}.json`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
