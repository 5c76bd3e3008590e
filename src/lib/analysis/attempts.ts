// Connection attempts: a client's SYN identified by its 4-tuple and initial sequence number,
// with its retransmissions and everything that answered it. One pass over the capture.
//
// How real captures are survived:
// - SYN/ACK captured before its SYN: the SYN/ACK opens the attempt (ISN = its ack - 1) and the
//   SYN joins it when it shows up.
// - Capture starting after the SYN: the same, and the attempt stays `synMissing`.
// - The same datagram captured twice (multi-interface / SPAN): tcp-streams flags it Duplicate
//   (same IPv4 ID within 100 ms); it is kept as role 'duplicate', never counted as a retry.
// - VLANs: the key is the 4-tuple and ISN, so one SYN seen on two VLANs (router on a stick) is
//   one attempt, and two clients with the same addresses on different VLANs would still differ
//   by ISN. The VLAN ids are recorded.
import type { Capture } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { NumberMap, PairMap } from './number-map.ts';
import { analyzeTcpStreams, pairId, TcpAnalysisFlag, type TcpStreams } from './tcp-streams.ts';
import { isPlainSynAck } from './rules.ts';
import type { Attempt, AttemptPacket, Sender } from './types.ts';

const FIN = 0x001;
const SYN = 0x002;
const RST = 0x004;
const ACK = 0x010;

const u32 = (x: number): number => x >>> 0;
const seqDiff = (a: number, b: number): number => (a - b) | 0;

interface Builder {
  /** Position in the list of attempts. */
  index: number;
  attempt: Attempt;
  startSeconds: number;
  startNanoseconds: number;
  sawSynAck: boolean;
  sawClientAck: boolean;
}

/** (tuple id, sequence number) → builder, without boxing either number per lookup. */
class TupleSeqMap {
  private readonly indices = new PairMap(1024);
  constructor(private readonly builders: Builder[]) {}
  get(tuple: number, seq: number): Builder | undefined {
    const index = this.indices.get(tuple, seq);
    return index < 0 ? undefined : this.builders[index];
  }
  set(tuple: number, seq: number, value: Builder): void {
    this.indices.set(tuple, seq, value.index);
  }
}

/** tuple id → builder. */
class TupleMap {
  private readonly indices = new NumberMap(1024);
  constructor(private readonly builders: Builder[]) {}
  get(tuple: number): Builder | undefined {
    const index = this.indices.get(tuple);
    return index < 0 ? undefined : this.builders[index];
  }
  set(tuple: number, value: Builder): void {
    this.indices.set(tuple, value.index);
  }
}

/** ICMP errors that say a destination cannot be reached (v4 type 3, v6 type 1). */
export function isDestinationUnreachable(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 3 : type === 1;
}

export function findAttempts(capture: Capture, tcp: TcpStreams = analyzeTcpStreams(capture)): Attempt[] {
  const attempts: Builder[] = [];
  /** (client>server, ISN) → attempt */
  const byKey = new TupleSeqMap(attempts);
  /**
   * (client>server, ack) → the attempt a SYN/ACK or RST with that ack answers: ISN + 1, or past
   * the data a SYN carried (TCP Fast Open, or a SYN with payload).
   */
  const byAnswer = new TupleSeqMap(attempts);
  /** client>server → newest attempt on that 4-tuple */
  const latestByTuple = new TupleMap(attempts);

  const store = storeOf(capture);
  const c = store.columns;

  const open = (
    index: number,
    tuple: number,
    isn: number,
    clientPort: number,
    serverPort: number,
    synMissing: boolean,
  ): Builder => {
    const ip = store.addressBytes(index)!;
    const client = formatIP(synMissing ? ip.dst : ip.src);
    const server = formatIP(synMissing ? ip.src : ip.dst);
    const seconds = c.seconds[index];
    const nanoseconds = c.nanoseconds[index];
    const attempt: Attempt = {
      id: `${client}:${clientPort}>${server}:${serverPort}#${isn}`,
      client,
      clientPort,
      server,
      serverPort,
      ipVersion: c.layers[index] & Layer.IPv4 ? 4 : 6,
      isn,
      stream: tcp.stream[index],
      synMissing,
      startTime: seconds + nanoseconds / 1e9,
      packets: [],
      vlans: [],
    };
    const b: Builder = {
      index: attempts.length,
      attempt,
      startSeconds: seconds,
      startNanoseconds: nanoseconds,
      sawSynAck: false,
      sawClientAck: false,
    };
    attempts.push(b);
    byKey.set(tuple, isn, b);
    byAnswer.set(tuple, u32(isn + 1), b);
    latestByTuple.set(tuple, b);
    return b;
  };

  /**
   * One AttemptPacket per packet, of one shape for TCP segments; an ICMP error's adds its four
   * fields (leaving them out of the other hundreds of thousands saves their memory).
   */
  const add = (
    b: Builder,
    index: number,
    from: Sender,
    role: AttemptPacket['role'],
    flags: number,
    seq: number,
    ack: number,
    length: number,
  ): AttemptPacket => {
    const layers = c.layers[index];
    const vlan = layers & Layer.Vlan ? c.vlanId[index] : undefined;
    if (vlan !== undefined && !b.attempt.vlans.includes(vlan)) b.attempt.vlans.push(vlan);
    const packet: AttemptPacket = {
      index,
      frame: c.number[index],
      t: c.seconds[index] - b.startSeconds + (c.nanoseconds[index] - b.startNanoseconds) / 1e9,
      from,
      flags,
      role,
      seq,
      ack,
      ipId: layers & Layer.IPv4 ? c.ipId[index] : undefined,
      ttl: c.ttl[index],
      vlan,
      length,
    };
    b.attempt.packets.push(packet);
    return packet;
  };

  for (let i = 0; i < store.count; i++) {
    const layers = c.layers[i];
    if (layers & Layer.IcmpQuote) {
      const d = store.dissectionOf(i);
      if (!d.icmp?.quoted?.tcp || !d.ip || !isDestinationUnreachable(d.icmp.version, d.icmp.type)) continue;
      const q = d.icmp.quoted;
      const qtcp = q.tcp!;
      const tuple = pairId(tcp.srcEndpoint[i], tcp.dstEndpoint[i]);
      const b = (qtcp.seq !== undefined ? byKey.get(tuple, qtcp.seq) : undefined) ?? latestByTuple.get(tuple);
      if (!b) continue;
      const sender = formatIP(d.ip.src);
      const packet = add(b, i, sender === b.attempt.server ? 'server' : 'router', 'icmp', 0, qtcp.seq ?? NaN, NaN, 0);
      packet.icmpType = d.icmp.type;
      packet.icmpCode = d.icmp.code;
      packet.icmpVersion = d.icmp.version;
      packet.routerAddress = sender;
      continue;
    }

    if (!(layers & Layer.Tcp) || !(layers & (Layer.IPv4 | Layer.IPv6))) continue;
    const flags = c.tcpFlags[i];
    const src = tcp.srcEndpoint[i];
    const dst = tcp.dstEndpoint[i];
    const outbound = pairId(src, dst); // src as the client
    const inbound = pairId(dst, src); // src as the server
    const duplicate = (tcp.analysisFlags[i] & TcpAnalysisFlag.Duplicate) !== 0;
    const seq = c.seq[i];
    const ack = c.ack[i];
    const length = c.payloadLength[i];

    if ((flags & (SYN | ACK | RST)) === SYN) {
      let b = byKey.get(outbound, seq);
      if (b) {
        const hasSyn = b.attempt.packets.some((x) => x.role === 'syn');
        // Without a SYN yet, the SYN/ACK came first (reordered capture): this is its own SYN.
        if (!hasSyn) b.attempt.synMissing = false;
        add(b, i, 'client', !hasSyn ? 'syn' : duplicate ? 'duplicate' : 'syn-retransmission', flags, seq, ack, length);
      } else {
        b = open(i, outbound, seq, c.srcPort[i], c.dstPort[i], false);
        add(b, i, 'client', 'syn', flags, seq, ack, length);
      }
      if (length > 0) byAnswer.set(outbound, u32(seq + 1 + length), b);
      latestByTuple.set(outbound, b);
      continue;
    }

    // SYN+ACK+RST and SYN+ACK+FIN are no answer: they go on as a RST or a FIN below.
    if (isPlainSynAck(flags)) {
      let b = byAnswer.get(inbound, ack);
      if (!b) b = open(i, inbound, u32(ack - 1), c.dstPort[i], c.srcPort[i], true);
      const again = b.sawSynAck && b.attempt.serverIsn === seq;
      add(
        b,
        i,
        'server',
        duplicate ? 'duplicate' : again ? 'syn-ack-retransmission' : 'syn-ack',
        flags,
        seq,
        ack,
        length,
      );
      b.sawSynAck = true;
      if (b.attempt.serverIsn === undefined) b.attempt.serverIsn = seq;
      continue;
    }

    // Everything else belongs to the newest attempt on its 4-tuple, if there is one.
    const fromClient = latestByTuple.get(outbound);
    const fromServer = latestByTuple.get(inbound);
    if (flags & RST) {
      // A RST acknowledging ISN+1 answers that very SYN, even if a newer attempt exists.
      const answered = flags & ACK ? byAnswer.get(inbound, ack) : undefined;
      if (answered) add(answered, i, 'server', duplicate ? 'duplicate' : 'rst', flags, seq, ack, length);
      else if (fromClient) add(fromClient, i, 'client', 'client-rst', flags, seq, ack, length);
      else if (fromServer) add(fromServer, i, 'server', 'rst', flags, seq, ack, length);
      continue;
    }
    if (fromClient) {
      const b = fromClient;
      let role: AttemptPacket['role'] = 'other';
      // The first client packet acknowledging the server's SYN (ack ≥ server ISN + 1; more when
      // the SYN/ACK carried data) completes the handshake, whatever else it carries.
      const completes =
        !b.sawClientAck &&
        flags & ACK &&
        b.attempt.serverIsn !== undefined &&
        seqDiff(ack, u32(b.attempt.serverIsn + 1)) >= 0;
      if (duplicate) role = 'duplicate';
      else if (completes) role = length > 0 ? 'client-data' : 'client-ack';
      else if (flags & FIN) role = 'client-fin';
      else if (length > 0 && !b.sawClientAck) role = 'client-data';
      if (role === 'client-ack' || role === 'client-data') b.sawClientAck = true;
      add(b, i, 'client', role, flags, seq, ack, length);
    } else if (fromServer) {
      const b = fromServer;
      let role: AttemptPacket['role'] = flags & FIN ? 'server-fin' : 'other';
      // A server only sends data, or acknowledges client data, once the handshake completed:
      // in a capture that holds one direction only, that is the proof.
      const confirms =
        !b.sawClientAck &&
        b.sawSynAck &&
        !(flags & SYN) &&
        (length > 0 || (flags & ACK && seqDiff(ack, u32(b.attempt.isn + 1)) > 0));
      if (duplicate) role = 'duplicate';
      else if (confirms) {
        role = 'server-confirms';
        b.sawClientAck = true;
      }
      add(b, i, 'server', role, flags, seq, ack, length);
    }
  }
  return attempts.map((b) => b.attempt);
}
