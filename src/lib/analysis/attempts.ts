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
import type { Capture, Packet } from '../packets.ts';
import type { IPLayer } from '../decode/types.ts';
import { formatIP } from '../describe/addresses.ts';
import { analyzeTcpStreams, TcpAnalysisFlag, type TcpStreams } from './tcp-streams.ts';
import type { Attempt, AttemptPacket, Sender } from './types.ts';

const FIN = 0x001;
const SYN = 0x002;
const RST = 0x004;
const ACK = 0x010;

const u32 = (x: number): number => x >>> 0;
const seqDiff = (a: number, b: number): number => (a - b) | 0;

interface Builder {
  attempt: Attempt;
  startSeconds: number;
  startNanoseconds: number;
  sawSynAck: boolean;
  sawClientAck: boolean;
}

function timeSince(p: Packet, b: Builder): number {
  return p.seconds - b.startSeconds + (p.nanoseconds - b.startNanoseconds) / 1e9;
}

function endpoint(address: Uint8Array, port: number): string {
  return `${formatIP(address)}:${port}`;
}

function vlanOf(p: Packet): number | undefined {
  const tags = p.dissection.vlan;
  return tags && tags.length > 0 ? tags[0].id : undefined;
}

function ipDetails(ip: IPLayer): { ipId?: number; ttl: number } {
  return ip.version === 4 ? { ipId: ip.id, ttl: ip.ttl } : { ttl: ip.hopLimit };
}

/** ICMP errors that say a destination cannot be reached (v4 type 3, v6 type 1). */
export function isDestinationUnreachable(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 3 : type === 1;
}

export function findAttempts(capture: Capture, tcp: TcpStreams = analyzeTcpStreams(capture)): Attempt[] {
  const attempts: Builder[] = [];
  /** "client>server#isn" → attempt */
  const byKey = new Map<string, Builder>();
  /**
   * "client>server#ack" → the attempt a SYN/ACK or RST with that ack answers: ISN + 1, or past
   * the data a SYN carried (TCP Fast Open, or a SYN with payload).
   */
  const byAnswer = new Map<string, Builder>();
  /** "client>server" → newest attempt on that 4-tuple */
  const latestByTuple = new Map<string, Builder>();

  const open = (p: Packet, index: number, client: string, server: string, isn: number, ip: IPLayer, ports: [number, number], synMissing: boolean): Builder => {
    const tuple = `${client}>${server}`;
    const attempt: Attempt = {
      id: `${tuple}#${isn}`,
      client: formatIP(synMissing ? ip.dst : ip.src),
      clientPort: ports[0],
      server: formatIP(synMissing ? ip.src : ip.dst),
      serverPort: ports[1],
      ipVersion: ip.version,
      isn,
      stream: tcp.stream[index],
      synMissing,
      startTime: p.seconds + p.nanoseconds / 1e9,
      packets: [],
      vlans: [],
    };
    const b: Builder = { attempt, startSeconds: p.seconds, startNanoseconds: p.nanoseconds, sawSynAck: false, sawClientAck: false };
    attempts.push(b);
    byKey.set(attempt.id, b);
    byAnswer.set(`${tuple}#${u32(isn + 1)}`, b);
    latestByTuple.set(tuple, b);
    return b;
  };

  const add = (b: Builder, p: Packet, index: number, from: Sender, role: AttemptPacket['role'], extra: Partial<AttemptPacket>): void => {
    const vlan = vlanOf(p);
    if (vlan !== undefined && !b.attempt.vlans.includes(vlan)) b.attempt.vlans.push(vlan);
    b.attempt.packets.push({
      index,
      frame: p.number,
      t: timeSince(p, b),
      from,
      flags: 0,
      role,
      seq: NaN,
      ack: NaN,
      length: 0,
      vlan,
      ...extra,
    });
  };

  const packets = capture.packets;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    const d = p.dissection;

    if (d.icmp?.quoted?.tcp && d.ip && isDestinationUnreachable(d.icmp.version, d.icmp.type)) {
      const q = d.icmp.quoted;
      const qtcp = q.tcp!;
      const client = endpoint(q.ip.src, qtcp.srcPort);
      const server = endpoint(q.ip.dst, qtcp.dstPort);
      const tuple = `${client}>${server}`;
      const b = qtcp.seq !== undefined ? (byKey.get(`${tuple}#${qtcp.seq}`) ?? latestByTuple.get(tuple)) : latestByTuple.get(tuple);
      if (!b) continue;
      const sender = formatIP(d.ip.src);
      add(b, p, i, sender === b.attempt.server ? 'server' : 'router', 'icmp', {
        icmpType: d.icmp.type,
        icmpCode: d.icmp.code,
        icmpVersion: d.icmp.version,
        routerAddress: sender,
        seq: qtcp.seq ?? NaN,
        ...ipDetails(d.ip),
      });
      continue;
    }

    const seg = d.tcp;
    const ip = d.ip;
    if (!seg || !ip) continue;
    const flags = seg.flags;
    const src = endpoint(ip.src, seg.srcPort);
    const dst = endpoint(ip.dst, seg.dstPort);
    const duplicate = (tcp.analysisFlags[i] & TcpAnalysisFlag.Duplicate) !== 0;
    const base = { flags, seq: seg.seq, ack: seg.ack, length: seg.payloadLength, ...ipDetails(ip) };

    if ((flags & (SYN | ACK)) === SYN && !(flags & RST)) {
      const key = `${src}>${dst}#${seg.seq}`;
      let b = byKey.get(key);
      if (b) {
        const hasSyn = b.attempt.packets.some((x) => x.role === 'syn');
        if (!hasSyn) {
          // The SYN/ACK came first (reordered capture): this is the attempt's own SYN.
          b.attempt.synMissing = false;
          add(b, p, i, 'client', 'syn', base);
        } else {
          add(b, p, i, 'client', duplicate ? 'duplicate' : 'syn-retransmission', base);
        }
      } else {
        b = open(p, i, src, dst, seg.seq, ip, [seg.srcPort, seg.dstPort], false);
        add(b, p, i, 'client', 'syn', base);
      }
      if (seg.payloadLength > 0) byAnswer.set(`${src}>${dst}#${u32(seg.seq + 1 + seg.payloadLength)}`, b);
      latestByTuple.set(`${src}>${dst}`, b);
      continue;
    }

    if ((flags & (SYN | ACK)) === (SYN | ACK)) {
      let b = byAnswer.get(`${dst}>${src}#${seg.ack}`);
      if (!b) b = open(p, i, dst, src, u32(seg.ack - 1), ip, [seg.dstPort, seg.srcPort], true);
      const again = b.sawSynAck && b.attempt.serverIsn === seg.seq;
      add(b, p, i, 'server', duplicate ? 'duplicate' : again ? 'syn-ack-retransmission' : 'syn-ack', base);
      b.sawSynAck = true;
      if (b.attempt.serverIsn === undefined) b.attempt.serverIsn = seg.seq;
      continue;
    }

    // Everything else belongs to the newest attempt on its 4-tuple, if there is one.
    const fromClient = latestByTuple.get(`${src}>${dst}`);
    const fromServer = latestByTuple.get(`${dst}>${src}`);
    if (flags & RST) {
      // A RST acknowledging ISN+1 answers that very SYN, even if a newer attempt exists.
      const answered = flags & ACK ? byAnswer.get(`${dst}>${src}#${seg.ack}`) : undefined;
      if (answered) add(answered, p, i, 'server', duplicate ? 'duplicate' : 'rst', base);
      else if (fromClient) add(fromClient, p, i, 'client', 'client-rst', base);
      else if (fromServer) add(fromServer, p, i, 'server', 'rst', base);
      continue;
    }
    if (fromClient) {
      const b = fromClient;
      let role: AttemptPacket['role'] = 'other';
      // The first client packet acknowledging the server's SYN (ack ≥ server ISN + 1; more when
      // the SYN/ACK carried data) completes the handshake, whatever else it carries.
      const completes =
        !b.sawClientAck && flags & ACK && b.attempt.serverIsn !== undefined && seqDiff(seg.ack, u32(b.attempt.serverIsn + 1)) >= 0;
      if (duplicate) role = 'duplicate';
      else if (completes) role = seg.payloadLength > 0 ? 'client-data' : 'client-ack';
      else if (flags & FIN) role = 'client-fin';
      else if (seg.payloadLength > 0 && !b.sawClientAck) role = 'client-data';
      if (role === 'client-ack' || role === 'client-data') b.sawClientAck = true;
      add(b, p, i, 'client', role, base);
    } else if (fromServer) {
      const b = fromServer;
      let role: AttemptPacket['role'] = flags & FIN ? 'server-fin' : 'other';
      // A server only sends data, or acknowledges client data, once the handshake completed:
      // in a capture that holds one direction only, that is the proof.
      const confirms =
        !b.sawClientAck && b.sawSynAck && !(flags & SYN) && (seg.payloadLength > 0 || (flags & ACK && seqDiff(seg.ack, u32(b.attempt.isn + 1)) > 0));
      if (duplicate) role = 'duplicate';
      else if (confirms) {
        role = 'server-confirms';
        b.sawClientAck = true;
      }
      add(b, p, i, 'server', role, base);
    }
  }
  return attempts.map((b) => b.attempt);
}
