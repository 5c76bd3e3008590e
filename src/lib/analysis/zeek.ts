// Zeek's own answer for a capture: the connections its TCP analyzer would log, each with
// conn.log's `conn_state` and `history`. It follows Zeek's rules rather than ours, so the two can
// be compared (tests/analysis/zeek-baselines.test.ts checks it against Zeek's test baselines):
// - one connection per address/port pair at a time; the first packet's sender is the originator,
//   unless it is not a plain SYN and comes from a likely server port (history `^`);
// - a SYN with a new sequence number after the connection closed starts a new connection, and
//   timers end connections: an unanswered attempt after 5 s, a closed one 5 s after its close,
//   an idle one after 5 min;
// - each endpoint moves through inactive → SYN sent → established → closed / reset as Zeek's
//   TCPSessionAdapter moves it, and conn_state is read off the two final states (base/protocols/conn);
// - history letters: S h A D F R once per side (S, F, R again when the sequence number differs),
//   Q for SYN+FIN or SYN+RST, I for FIN+RST, C bad checksum, T retransmitted data, W zero window
//   (C, T, W at 1, 10, 100 … occurrences), ^ when Zeek swapped the roles.
// Not modelled: content gaps (g/G need Zeek's reassembler, which only runs for some analyzers),
// X (analyzer limits), and sequence-number wrap past 4 GB.
import type { ZeekState } from './vocabulary.ts';
import type { Capture } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { NumberMap } from './number-map.ts';
import { pairId, tcpKeysOf, type TcpKeys } from './tcp-streams.ts';
import type { Attempt } from './types.ts';

const FIN = 0x001;
const SYN = 0x002;
const RST = 0x004;
const ACK = 0x010;

/** Zeek's timers (init-bare.zeek defaults), seconds. */
const TCP_ATTEMPT_DELAY = 5;
const TCP_CLOSE_DELAY = 5;
const TCP_CONNECTION_LINGER = 5;
const TCP_SYN_TIMEOUT = 5;
const TCP_SESSION_TIMER = 6;
const TCP_INACTIVITY_TIMEOUT = 300;
/** Sequence jumps Zeek does not believe on a SYN or RST. */
const TOO_LARGE_SEQ_DELTA = 1048576;

/**
 * Ports Zeek's default scripts register as likely server ports (each protocol script adds its
 * own; `zeek -b` loads fewer). A connection whose first packet is not a plain SYN and comes
 * from one of these is flipped: the port's owner becomes the responder.
 */
export const ZEEK_LIKELY_SERVER_PORTS: ReadonlySet<number> = new Set([
  21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587, 614, 631, 636, 989, 990,
  992, 993, 995, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 5900, 6379, 8000, 8080, 8888, 20000,
]);

/** conn.log's conn_state values (base/protocols/conn/main.zeek), from the one vocabulary. */
export type ZeekConnState = ZeekState;

type EndpointState = 'inactive' | 'syn-sent' | 'syn-ack-sent' | 'partial' | 'established' | 'closed' | 'reset';

/** One TCP segment as Zeek's analyzer reads it. Endpoints are numbers (address + port ids). */
export interface ZeekSegment {
  /** Seconds (any origin, the same for all segments). */
  t: number;
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  flags: number;
  seq: number;
  ack: number;
  length: number;
  /** The raw window field; undefined when unknown (no W/w then). */
  window?: number;
  /** The TCP checksum is known to be wrong: Zeek drops the packet and notes C/c. */
  badChecksum?: boolean;
  /** The caller's own index for the segment (e.g. the packet's row). */
  index: number;
}

export interface ZeekConnection {
  orig: number;
  resp: number;
  origPort: number;
  respPort: number;
  connState: ZeekConnState;
  history: string;
  /** `index` of every segment Zeek gave this connection (dropped bad-checksum ones included). */
  segments: number[];
  /** Time of the first segment. */
  start: number;
}

export interface ZeekOptions {
  likelyServerPorts?: ReadonlySet<number>;
  /** zeek -C: checksums are not checked. */
  ignoreChecksums?: boolean;
}

const u32 = (x: number): number => x >>> 0;
const seqDelta = (a: number, b: number): number => (a - b) | 0;

class Endpoint {
  state: EndpointState = 'inactive';
  prevState: EndpointState = 'inactive';
  startSeq = 0;
  lastSeq = 0;
  ackSeq = 0;
  didClose = false;
  finCount = 0;
  lastSynSeq = 0;
  lastFinSeq = 0;
  lastRstSeq = 0;
  retransmissions = 0;
  retransmissionMark = 1;
  zeroWindows = 0;
  zeroWindowMark = 1;
  badChecksums = 0;
  badChecksumMark = 1;
  peer!: Endpoint;
  constructor(public isOrig: boolean) {}

  setState(next: EndpointState): void {
    if (next === this.state) return;
    this.prevState = this.state;
    this.state = next;
  }

  initSeq(seq: number, last: number): void {
    this.startSeq = u32(seq);
    this.ackSeq = u32(seq);
    this.lastSeq = u32(last);
  }

  /** Bytes sent, from sequence numbers, without the SYN and FIN octets (TCP_Endpoint::Size). */
  size(): number {
    const top = seqDelta(this.ackSeq, this.lastSeq) > 0 ? this.ackSeq : this.lastSeq;
    let size = Math.max(0, seqDelta(top, this.startSeq));
    if (size > 0) size--;
    if (this.finCount > 0 && size > 0) size--;
    return size;
  }

  isActive(): boolean {
    return this.state !== 'inactive' && !this.didClose;
  }
}

class Connection {
  history = '';
  private seen = 0;
  orig: Endpoint = new Endpoint(true);
  resp: Endpoint = new Endpoint(false);
  lastTime: number;
  removed = false;
  private attemptAt = Infinity;
  private deleteAt = Infinity;
  private expireAt: number;
  readonly segments: number[] = [];

  constructor(
    public origId: number,
    public respId: number,
    public origPort: number,
    public respPort: number,
    readonly start: number,
    private readonly ignoreChecksums: boolean,
  ) {
    this.orig.peer = this.resp;
    this.resp.peer = this.orig;
    this.lastTime = start;
    this.expireAt = start + TCP_SYN_TIMEOUT;
  }

  /** Sets a history bit once per side; true when it was already set (Connection::CheckHistory). */
  private check(ep: Endpoint, mask: number, letter: string): boolean {
    const bit = ep.isOrig ? mask : mask << 16;
    if (this.seen & bit) return true;
    this.seen |= bit;
    this.add(ep, letter);
    return false;
  }

  private add(ep: Endpoint, letter: string): void {
    this.history += ep.isOrig ? letter : letter.toLowerCase();
  }

  /** C, T, W: noted at the 1st, 10th, 100th … occurrence. */
  private scaled(ep: Endpoint, letter: 'C' | 'T' | 'W'): void {
    const count = letter === 'C' ? ++ep.badChecksums : letter === 'T' ? ++ep.retransmissions : ++ep.zeroWindows;
    const mark = letter === 'C' ? ep.badChecksumMark : letter === 'T' ? ep.retransmissionMark : ep.zeroWindowMark;
    if (count !== mark) return;
    this.add(ep, letter);
    if (letter === 'C') ep.badChecksumMark *= 10;
    else if (letter === 'T') ep.retransmissionMark *= 10;
    else ep.zeroWindowMark *= 10;
  }

  flip(): void {
    [this.origId, this.respId] = [this.respId, this.origId];
    [this.origPort, this.respPort] = [this.respPort, this.origPort];
    [this.orig, this.resp] = [this.resp, this.orig];
    this.orig.isOrig = true;
    this.resp.isOrig = false;
    this.history += '^';
  }

  /** Runs Zeek's timers up to time t; true when one of them ended the connection. */
  expiredBy(t: number): boolean {
    if (this.removed) return true;
    const { orig, resp } = this;
    if (
      t >= this.attemptAt &&
      (orig.state === 'syn-sent' || orig.state === 'syn-ack-sent') &&
      resp.state === 'inactive'
    )
      return (this.removed = true);
    if (t >= this.deleteAt) return (this.removed = true);
    if (t > this.lastTime + TCP_INACTIVITY_TIMEOUT) return (this.removed = true);
    if (t >= this.expireAt) {
      // ExpireTimer: fires every 6 s; once the connection has been idle for the linger time it
      // goes if both sides closed, or one reset or was never heard from, or nothing happened.
      const closing =
        (orig.didClose || resp.didClose) &&
        ((orig.didClose && resp.didClose) ||
          orig.state === 'reset' ||
          resp.state === 'reset' ||
          orig.state === 'inactive' ||
          resp.state === 'inactive');
      const nothing = orig.state === 'inactive' && resp.state === 'inactive';
      const idleFrom = this.lastTime + TCP_CONNECTION_LINGER;
      let fire = this.expireAt;
      if (fire <= idleFrom) fire += Math.ceil((idleFrom - fire + 1e-9) / TCP_SESSION_TIMER) * TCP_SESSION_TIMER;
      if ((closing || nothing) && fire <= t) return (this.removed = true);
      this.expireAt = fire;
    }
    return false;
  }

  /** Would a SYN on this pair start a new connection (TCPSessionAdapter::IsReuse)? */
  isReuse(seg: ZeekSegment): boolean {
    if (!(seg.flags & SYN)) return false;
    let origSide = this.orig;
    if (seg.flags & ACK) {
      if (this.orig.state !== 'inactive') return false;
      origSide = this.resp;
    }
    if (!(this.orig.didClose || this.resp.didClose)) {
      if (u32(seg.seq) === origSide.startSeq) return false;
      if (
        !(seg.flags & ACK) &&
        origSide.state === 'syn-ack-sent' &&
        this.resp.state === 'inactive' &&
        u32(seg.seq) === this.resp.startSeq
      )
        return false;
    }
    return true;
  }

  process(seg: ZeekSegment): void {
    this.segments.push(seg.index);
    const isOrig = seg.src === this.origId && seg.srcPort === this.origPort;
    const ep = isOrig ? this.orig : this.resp;
    const peer = ep.peer;
    if (seg.badChecksum && !this.ignoreChecksums) {
      this.scaled(ep, 'C');
      return;
    }
    const { flags, length: len, t } = seg;
    const seq = u32(seg.seq);
    const ack = u32(seg.ack);
    let segLen = len + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
    if (flags & RST) segLen -= len;
    const onePast = u32(seq + segLen);

    this.initEndpoint(ep, flags, seq, onePast);
    const relSeq = seqDelta(seq, ep.startSeq);
    this.updateHistory(ep, flags, relSeq, len);
    if (seg.window === 0 && !(flags & RST) && peer.state !== 'closed' && ep.state !== 'reset') this.scaled(ep, 'W');
    if (!this.orig.didClose || !this.resp.didClose) this.lastTime = t;
    if (flags & FIN) ep.finCount++;
    if (flags & ACK) {
      if (peer.state === 'inactive') peer.initSeq(u32(ack - 1), u32(ack - 1));
      else if (
        !(flags & RST) &&
        seqDelta(ack, peer.ackSeq) > 0 &&
        !(ack === 0 && seqDelta(ack, peer.ackSeq) > TOO_LARGE_SEQ_DELTA)
      )
        peer.ackSeq = ack;
    }
    const deltaLast = this.updateLastSeq(ep, onePast, flags, len);
    let close = false;
    let report = false;
    switch (ep.state) {
      case 'inactive':
        [close, report] = this.fromInactive(ep, peer, seq, ack, len, isOrig, flags, t);
        break;
      case 'syn-sent':
      case 'syn-ack-sent':
        if (flags & FIN) {
          ep.setState('closed');
          close = report = true;
        }
        if (flags & RST) {
          ep.setState('reset');
          close = true;
        }
        break;
      case 'established':
      case 'partial':
        if (flags & SYN && ep.state === 'partial' && peer.state === 'inactive' && !(flags & ACK))
          ep.setState('syn-sent');
        if (flags & FIN && !(flags & RST)) {
          ep.setState('closed');
          // A FIN, then a RST, then the peer's FIN: a normal close after all.
          if (peer.state === 'reset' && peer.prevState === 'closed') peer.setState('closed');
          close = report = true;
        }
        if (flags & RST) {
          ep.setState('reset');
          close = true;
        }
        break;
      case 'closed':
        if (flags & RST && peer.state !== 'closed') {
          ep.setState('reset');
          if (!ep.didClose) close = true;
        }
        break;
      case 'reset':
        break;
    }
    void deltaLast;
    void report;
    if (close) this.closed(ep, peer);
  }

  private initEndpoint(ep: Endpoint, flags: number, seq: number, onePast: number): void {
    switch (ep.state) {
      case 'inactive':
        if (flags & SYN) ep.initSeq(seq, onePast);
        else {
          // No SYN: number as though there had been one, and do not count this packet as old.
          ep.startSeq = ep.ackSeq = u32(seq - 1);
          ep.lastSeq = seq;
        }
        break;
      case 'syn-sent':
      case 'syn-ack-sent':
        if (flags & SYN && seq !== ep.startSeq) ep.initSeq(seq, onePast);
        break;
      case 'established':
      case 'partial':
        if (flags & SYN) ep.initSeq(seq, onePast);
        break;
      case 'reset':
        if (flags & SYN && ep.prevState === 'inactive') ep.initSeq(seq, onePast);
        break;
      case 'closed':
        break;
    }
  }

  private updateHistory(ep: Endpoint, flags: number, relSeq: number, len: number): void {
    const bits = (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0) + (flags & RST ? 1 : 0);
    if (bits > 1) {
      if (flags & FIN && flags & RST) this.check(ep, 0x8, 'I');
      else this.check(ep, 0x40, 'Q');
    } else if (bits === 1) {
      if (flags & SYN) {
        const letter = flags & ACK ? 'H' : 'S';
        if (this.check(ep, 0x1, letter) && relSeq !== ep.lastSynSeq) this.add(ep, letter);
        ep.lastSynSeq = relSeq;
      }
      if (flags & FIN) {
        // A FIN's sequence number is the one after its data.
        if (this.check(ep, 0x2, 'F') && relSeq + len !== ep.lastFinSeq) this.add(ep, 'F');
        ep.lastFinSeq = relSeq + len;
      }
      if (flags & RST) {
        if (this.check(ep, 0x4, 'R') && relSeq !== ep.lastRstSeq) this.add(ep, 'R');
        ep.lastRstSeq = relSeq;
      }
    } else if (len > 0) this.check(ep, 0x10, 'D');
    else if (flags & ACK) this.check(ep, 0x20, 'A');
  }

  private updateLastSeq(ep: Endpoint, last: number, flags: number, len: number): number {
    const delta = seqDelta(last, ep.lastSeq);
    if (flags & (SYN | RST) && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) return delta;
    if (flags & FIN && ep.lastSeq === u32(ep.startSeq + 1)) ep.lastSeq = last;
    else if (ep.state === 'reset') return delta;
    else if (delta > 0) ep.lastSeq = last;
    else if (len > 0) this.scaled(ep, 'T');
    return delta;
  }

  private fromInactive(
    ep: Endpoint,
    peer: Endpoint,
    seq: number,
    ack: number,
    len: number,
    isOrig: boolean,
    flags: number,
    t: number,
  ): [boolean, boolean] {
    let close = false;
    let report = false;
    if (flags & SYN) {
      if (isOrig) {
        ep.setState(flags & ACK ? 'syn-ack-sent' : 'syn-sent');
        this.attemptAt = Math.min(this.attemptAt, t + TCP_ATTEMPT_DELAY);
      } else {
        // A SYN from the responder after the originator's SYN/ACK: the two were captured in
        // the wrong order, so Zeek swaps the roles.
        if (!(flags & ACK) && peer.state === 'syn-ack-sent' && seq === ep.startSeq) {
          this.flip();
          peer.setState('established');
        }
        if (peer.state === 'syn-sent') peer.setState('established');
        ep.setState('established');
      }
    }
    if (flags & FIN) {
      ep.setState('closed');
      close = report = true;
    }
    if (flags & RST) {
      ep.setState('reset');
      close = true;
    }
    if (ep.state === 'inactive') {
      // Some stacks ACK a SYN before answering it: not yet a partial connection.
      if (!isOrig && len === 0 && this.orig.state === 'syn-sent') {
        // stays inactive
      } else if (flags & ACK && peer.state === 'established') ep.setState('established');
      else ep.setState('partial');
    }
    void ack;
    return [close, report];
  }

  /** TCPSessionAdapter::ConnectionClosed, for what it does to the connection's lifetime. */
  private closed(ep: Endpoint, peer: Endpoint): void {
    if (ep.didClose) return;
    ep.didClose = true;
    const complete = ep.state === 'reset' || peer.didClose || peer.state === 'inactive';
    if (complete) this.deleteAt = Math.min(this.deleteAt, this.lastTime + TCP_CLOSE_DELAY);
    else if (ep.prevState !== 'inactive') this.expireAt = Math.min(this.expireAt, this.lastTime + TCP_SESSION_TIMER);
  }

  /** conn_state as base/protocols/conn/main.zeek derives it. */
  connState(): ZeekConnState {
    const os = this.orig.state;
    const rs = this.resp.state;
    const oInactive = os === 'inactive' || os === 'partial';
    const rInactive = rs === 'inactive' || rs === 'partial';
    if (rs === 'reset') {
      if (
        os === 'syn-sent' ||
        os === 'syn-ack-sent' ||
        (os === 'reset' && this.orig.size() === 0 && this.resp.size() === 0)
      )
        return 'REJ';
      return oInactive ? 'RSTRH' : 'RSTR';
    }
    if (os === 'reset') {
      if (rInactive) return /^\^?S[^HAFGIQ]*R.*$/.test(this.history) ? 'RSTOS0' : 'OTH';
      return 'RSTO';
    }
    if (rs === 'closed' && os === 'closed') return 'SF';
    if (os === 'closed') return rInactive ? 'SH' : 'S2';
    if (rs === 'closed') return oInactive ? 'SHR' : 'S3';
    if (os === 'syn-sent' && rs === 'inactive') return 'S0';
    if (os === 'established' && rs === 'established') return 'S1';
    return 'OTH';
  }

  result(): ZeekConnection {
    return {
      orig: this.origId,
      resp: this.respId,
      origPort: this.origPort,
      respPort: this.respPort,
      connState: this.connState(),
      history: this.history,
      segments: this.segments,
      start: this.start,
    };
  }
}

/** Would Zeek make the receiver of this first packet the originator (TCPAnalyzer::WantConnection)? */
function flipsAtStart(seg: ZeekSegment, likely: ReadonlySet<number>): boolean {
  const syn = (seg.flags & SYN) !== 0;
  if (syn && !(seg.flags & ACK)) return false;
  if (!likely.has(seg.srcPort)) return false;
  // Both ports plausible: flip only for a non-SYN towards a higher port.
  if (likely.has(seg.dstPort)) return !syn && seg.srcPort < seg.dstPort;
  return true;
}

/** Zeek's connections for segments in capture order. */
export function zeekConnectionsOf(segments: Iterable<ZeekSegment>, options: ZeekOptions = {}): ZeekConnection[] {
  const likely = options.likelyServerPorts ?? ZEEK_LIKELY_SERVER_PORTS;
  const ignoreChecksums = options.ignoreChecksums ?? false;
  const all: Connection[] = [];
  const current = new Map<number, Connection>();
  for (const seg of segments) {
    const key = seg.src < seg.dst ? pairId(seg.src, seg.dst) : pairId(seg.dst, seg.src);
    let conn = current.get(key);
    if (conn && (conn.expiredBy(seg.t) || conn.isReuse(seg))) conn = undefined;
    if (!conn) {
      conn = new Connection(seg.src, seg.dst, seg.srcPort, seg.dstPort, seg.t, ignoreChecksums);
      if (flipsAtStart(seg, likely)) conn.flip();
      current.set(key, conn);
      all.push(conn);
    }
    conn.process(seg);
  }
  return all.map((c) => c.result());
}

/** A connection from the capture, with addresses. */
export interface ZeekCaptureConnection extends ZeekConnection {
  origAddress: string;
  respAddress: string;
}

/** Zeek's connections for every TCP packet of a capture (ICMP quotes and fragments left out). */
export function zeekConnections(
  capture: Capture,
  options: ZeekOptions = {},
  tcp: TcpKeys = tcpKeysOf(capture),
): ZeekCaptureConnection[] {
  const store = storeOf(capture);
  const c = store.columns;
  const addressOf = new NumberMap(256);
  const addresses: string[] = [];
  function* segments(): Generator<ZeekSegment> {
    for (let i = 0; i < store.count; i++) {
      const layers = c.layers[i];
      if (!(layers & Layer.Tcp) || !(layers & (Layer.IPv4 | Layer.IPv6))) continue;
      // Zeek drops a packet whose IPv4 header checksum is wrong before any TCP analysis.
      // ('partial': the checksum-offload signature, which Zeek cannot tell from damage.)
      const ipChecksum = store.ipChecksum(i);
      if (!options.ignoreChecksums && (ipChecksum === 'bad' || ipChecksum === 'partial')) continue;
      const src = tcp.srcEndpoint[i];
      const dst = tcp.dstEndpoint[i];
      if (src < 0 || dst < 0) continue;
      for (const [id, side] of [
        [src, 'src'],
        [dst, 'dst'],
      ] as const) {
        if (addressOf.get(id) < 0) {
          const ip = store.addressBytes(i)!;
          addressOf.set(id, addresses.length);
          addresses.push(formatIP(side === 'src' ? ip.src : ip.dst));
        }
      }
      yield {
        t: c.seconds[i] + c.nanoseconds[i] / 1e9,
        src,
        dst,
        srcPort: c.srcPort[i],
        dstPort: c.dstPort[i],
        flags: c.tcpFlags[i],
        seq: c.seq[i],
        ack: c.ack[i],
        length: c.payloadLength[i],
        window: c.window[i],
        badChecksum: store.transportChecksum(i) === 'bad' || store.transportChecksum(i) === 'partial',
        index: i,
      };
    }
  }
  return zeekConnectionsOf(segments(), options).map((z) => ({
    ...z,
    origAddress: addresses[addressOf.get(z.orig)],
    respAddress: addresses[addressOf.get(z.resp)],
  }));
}

/**
 * Zeek's conn_state and history for one attempt's packets alone (the verdict panel's "Zeek"
 * line): the connection that holds the attempt's first packet.
 */
export function zeekOfAttempt(
  attempt: Attempt,
  options: ZeekOptions = {},
): { connState: ZeekConnState; history: string } {
  const CLIENT = 0;
  const SERVER = 1;
  const segments: ZeekSegment[] = [];
  attempt.packets.forEach((p, k) => {
    if (p.role === 'icmp') return;
    const fromClient = p.from === 'client';
    segments.push({
      t: p.t,
      src: fromClient ? CLIENT : SERVER,
      dst: fromClient ? SERVER : CLIENT,
      srcPort: fromClient ? attempt.clientPort : attempt.serverPort,
      dstPort: fromClient ? attempt.serverPort : attempt.clientPort,
      flags: p.flags,
      seq: p.seq,
      ack: Number.isNaN(p.ack) ? 0 : p.ack,
      length: p.length,
      index: k,
    });
  });
  const connections = zeekConnectionsOf(segments, options);
  const first = connections.find((c) => c.segments.includes(segments[0]?.index ?? -1)) ?? connections[0];
  // Only ICMP (or nothing): Zeek's TCP analyzer never saw the attempt.
  if (!first) return { connState: 'OTH', history: '' };
  return { connState: first.connState, history: first.history };
}
