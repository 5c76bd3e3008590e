// What Wireshark's TCP analysis adds to a packet's description, computed in one pass in frame
// order (as tshark does without -2): relative sequence numbers, the scaled window, and the
// "[TCP Retransmission]"-style notes. The rules are Wireshark's, as its user guide describes
// them ("TCP Analysis"): the teaching captures are judged against Wireshark, so a SYN it calls a
// retransmission must be one here too.
import type { Packet } from '../packets.ts';
import type { TcpLayer } from '../decode/types.ts';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/tcp.ts';

export interface TcpContext {
  /** Sequence number relative to this direction's initial sequence number (tcp.seq). */
  relativeSeq: number;
  /** Acknowledgement number relative to the other direction's ISN (tcp.ack). */
  relativeAck: number;
  /** Window after scaling (tcp.window_size), or the raw field when the scale is unknown. */
  window: number;
  /** Window scale shift applied to this packet's window, or -1 when it is unknown. */
  windowShift: number;
  /** The other direction's ISN, so SACK edges can be shown relative like Wireshark. */
  ackBase: number;
  /** Wireshark's analysis notes in the order its Info column shows them. */
  notes: string[];
  /** For a retransmission: the frame that first carried this sequence number, when known. */
  originalFrame?: number;
}

// Analysis outcomes, one bit each, so the notes can be printed in Wireshark's order.
const REUSED_PORTS = 1 << 0;
const RETRANSMISSION = 1 << 1;
const FAST_RETRANSMISSION = 1 << 2;
const SPURIOUS_RETRANSMISSION = 1 << 3;
const OUT_OF_ORDER = 1 << 4;
const LOST_PACKET = 1 << 5;
const ACK_LOST_PACKET = 1 << 6;
const WINDOW_UPDATE = 1 << 7;
const WINDOW_FULL = 1 << 8;
const KEEP_ALIVE = 1 << 9;
const KEEP_ALIVE_ACK = 1 << 10;
const DUPLICATE_ACK = 1 << 11;
const ZERO_WINDOW_PROBE = 1 << 12;
const ZERO_WINDOW = 1 << 13;
const ZERO_WINDOW_PROBE_ACK = 1 << 14;

/**
 * Wireshark prepends each note to the Info column, group by group in this order, so the last
 * group ends up first; within a group the same holds.
 */
const NOTE_ORDER: Array<[number, string]> = [
  [REUSED_PORTS, 'TCP Port numbers reused'],
  [RETRANSMISSION, 'TCP Retransmission'],
  [FAST_RETRANSMISSION, 'TCP Fast Retransmission'],
  [SPURIOUS_RETRANSMISSION, 'TCP Spurious Retransmission'],
  [OUT_OF_ORDER, 'TCP Out-Of-Order'],
  [LOST_PACKET, 'TCP Previous segment not captured'],
  [ACK_LOST_PACKET, 'TCP ACKed unseen segment'],
  [WINDOW_UPDATE, 'TCP Window Update'],
  [WINDOW_FULL, 'TCP Window Full'],
  [KEEP_ALIVE, 'TCP Keep-Alive'],
  [KEEP_ALIVE_ACK, 'TCP Keep-Alive ACK'],
  [DUPLICATE_ACK, ''], // "TCP Dup ACK <frame>#<n>", built with its numbers
  [ZERO_WINDOW_PROBE, 'TCP ZeroWindowProbe'],
  [ZERO_WINDOW, 'TCP ZeroWindow'],
  [ZERO_WINDOW_PROBE_ACK, 'TCP ZeroWindowProbeAck'],
];

/** Window scale: a shift, or one of these. */
const SCALE_UNKNOWN = -1;
const SCALE_NONE = -2;

interface Direction {
  baseSeq: number;
  baseKnown: boolean;
  sawSyn: boolean;
  sawSynAck: boolean;
  // As in Wireshark, 0 stands for "not seen yet" in the next four.
  nextSeq: number;
  maxSeqToBeAcked: number;
  lastAck: number;
  nextSeqTime: number;
  lastAckTime: number;
  /** Raw window field of this direction's last segment, -1 before one. */
  window: number;
  windowShift: number;
  /** Duplicate ACKs sent in a row (-1 after an ACK of an unseen segment was reported). */
  dupAckCount: number;
  /** Frame of the last ACK that changed the acknowledgement number. */
  lastNonDupAckFrame: number;
  lastSegmentFlags: number;
  /** Frame that first sent each segment start, for retransmission references. */
  firstFrameBySeq: Map<number, number>;
}

interface Conversation {
  directions: [Direction, Direction];
  /** Endpoint key of direction 0's sender. */
  first: string;
  /** Time of the most recent SYN (seconds), 0 before one. */
  lastSynTime: number;
  /** SYN to handshake-completing ACK (tcp.analysis.initial_rtt), seconds; 0 until known. */
  initialRtt: number;
}

const newDirection = (): Direction => ({
  baseSeq: 0,
  baseKnown: false,
  sawSyn: false,
  sawSynAck: false,
  nextSeq: 0,
  maxSeqToBeAcked: 0,
  lastAck: 0,
  nextSeqTime: 0,
  lastAckTime: 0,
  window: -1,
  windowShift: SCALE_UNKNOWN,
  dupAckCount: 0,
  lastNonDupAckFrame: 0,
  lastSegmentFlags: 0,
  firstFrameBySeq: new Map(),
});

const MAX_REMEMBERED_SEGMENTS = 256;
/** Shared by every packet without analysis notes (most of them). */
const NO_NOTES: string[] = Object.freeze([]) as unknown as string[];
/** Out-of-order threshold when the handshake round trip is unknown (Wireshark's 3 ms). */
const DEFAULT_OUT_OF_ORDER_SECONDS = 0.003;
/** A resend this soon after the last duplicate ACK is a fast retransmission. */
const FAST_RETRANSMISSION_SECONDS = 0.02;

const mod32 = (n: number): number => ((n % 0x100000000) + 0x100000000) % 0x100000000;
/** a < b in sequence space (serial arithmetic, RFC 1982). */
const seqLess = (a: number, b: number): boolean => a !== b && mod32(b - a) < 0x80000000;

function endpoint(address: Uint8Array, port: number): string {
  let s = '';
  for (let i = 0; i < address.length; i++) s += address[i].toString(16).padStart(2, '0');
  return `${s}:${port}`;
}

export class TcpTracker {
  private conversations = new Map<string, Conversation>();

  /** Call for every packet in frame order; returns undefined when the packet has no TCP header. */
  observe(packet: Packet): TcpContext | undefined {
    const { ip, tcp } = packet.dissection;
    if (!ip || !tcp) return undefined;
    const from = endpoint(ip.src, tcp.srcPort);
    const to = endpoint(ip.dst, tcp.dstPort);
    const key = from < to ? `${from}|${to}` : `${to}|${from}`;
    let conversation = this.conversations.get(key);
    let flags = 0;
    if (conversation && tcp.flags & TCP_SYN) {
      const fwd = conversation.directions[conversation.first === from ? 0 : 1];
      // A new SYN (or SYN/ACK) with another ISN on the same ports is a new connection, not a
      // retransmission.
      if (fwd.baseKnown && tcp.seq !== fwd.baseSeq) {
        flags |= REUSED_PORTS;
        conversation = undefined;
      }
    }
    if (!conversation) {
      conversation = { directions: [newDirection(), newDirection()], first: from, lastSynTime: 0, initialRtt: 0 };
      this.conversations.set(key, conversation);
    }
    const index = conversation.first === from ? 0 : 1;
    return analyze(packet, tcp, conversation, conversation.directions[index], conversation.directions[1 - index], flags);
  }
}

function analyze(
  packet: Packet,
  tcp: TcpLayer,
  conversation: Conversation,
  fwd: Direction,
  rev: Direction,
  initialFlags: number,
): TcpContext {
  const tcpFlags = tcp.flags;
  const isSyn = (tcpFlags & TCP_SYN) !== 0;
  const hasAck = (tcpFlags & TCP_ACK) !== 0;
  const synFinRst = (tcpFlags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0;
  const seq = tcp.seq;
  const ack = tcp.ack;
  const window = tcp.window;
  const length = tcp.payloadLength;
  const now = packet.seconds + packet.nanoseconds / 1e9;
  let flags = initialFlags;
  let dupAckNumber = 0;

  // Relative numbers: from the SYN when seen, else the first byte seen is number 1.
  if (!fwd.baseKnown) {
    fwd.baseSeq = isSyn ? seq : mod32(seq - 1);
    fwd.baseKnown = true;
  }
  if (hasAck && !rev.baseKnown) {
    rev.baseSeq = mod32(ack - 1);
    rev.baseKnown = true;
  }

  // Handshake: window scaling and the initial round trip (the out-of-order threshold).
  if (isSyn) {
    if (hasAck) fwd.sawSynAck = true;
    else {
      fwd.sawSyn = true;
      conversation.lastSynTime = now;
    }
    if (tcp.options.windowScale !== undefined) fwd.windowShift = Math.min(tcp.options.windowScale, 14);
    else {
      // Without the option on either SYN, neither side scales.
      fwd.windowShift = SCALE_NONE;
      rev.windowShift = SCALE_NONE;
    }
    if (hasAck && rev.windowShift === SCALE_NONE) fwd.windowShift = SCALE_NONE;
  } else if (hasAck && fwd.sawSyn && rev.sawSynAck && conversation.initialRtt === 0) {
    conversation.initialRtt = now - conversation.lastSynTime;
  }

  done: {
    // Zero window probe: one byte at the next sequence number into a closed window.
    if (length === 1 && seq === fwd.nextSeq && rev.window === 0) {
      flags |= ZERO_WINDOW_PROBE;
      break done;
    }
    if (window === 0 && !synFinRst) flags |= ZERO_WINDOW;
    if (fwd.nextSeq !== 0 && seqLess(fwd.nextSeq, seq) && (tcpFlags & TCP_RST) === 0) flags |= LOST_PACKET;
    if (length <= 1 && seq === mod32(fwd.nextSeq - 1) && !synFinRst) flags |= KEEP_ALIVE;
    const repeatsLast = seq === fwd.nextSeq && ack === fwd.lastAck && !synFinRst;
    if (length === 0 && window !== 0 && window !== fwd.window && repeatsLast) flags |= WINDOW_UPDATE;
    if (length > 0 && rev.windowShift !== SCALE_UNKNOWN && !synFinRst) {
      const shift = rev.windowShift === SCALE_NONE ? 0 : rev.windowShift;
      if (mod32(seq + length) === mod32(rev.lastAck + rev.window * 2 ** shift)) flags |= WINDOW_FULL;
    }
    if (length === 0 && window !== 0 && window === fwd.window && repeatsLast && rev.lastSegmentFlags & KEEP_ALIVE) {
      flags |= KEEP_ALIVE_ACK;
      break done;
    }
    if (length === 0 && window === 0 && window === fwd.window && repeatsLast && rev.lastSegmentFlags & ZERO_WINDOW_PROBE) {
      flags |= ZERO_WINDOW_PROBE_ACK;
      break done;
    }
    if (length === 0 && window !== 0 && window === fwd.window && repeatsLast) {
      fwd.dupAckCount = fwd.dupAckCount === -1 ? 1 : fwd.dupAckCount + 1;
      flags |= DUPLICATE_ACK;
      dupAckNumber = fwd.dupAckCount;
    }
  }

  if (ack !== fwd.lastAck) {
    fwd.lastNonDupAckFrame = packet.number;
    fwd.dupAckCount = 0;
  }
  const dupAckFrame = fwd.lastNonDupAckFrame;

  // An ACK beyond anything seen the other way: segments were missed by the capture. Reported
  // once per gap (until the other side sends a new ACK); the mark then moves up to what was seen.
  // This reproduces tshark 4.0 on every corpus capture we compared.
  if (rev.maxSeqToBeAcked !== 0 && seqLess(rev.maxSeqToBeAcked, ack) && hasAck) {
    if (seqLess(rev.nextSeq, rev.maxSeqToBeAcked) || rev.dupAckCount === 0) flags |= ACK_LOST_PACKET;
    if (!seqLess(rev.nextSeq, rev.maxSeqToBeAcked)) rev.dupAckCount = -1;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  // A segment that carries data (or SYN/FIN) but does not advance the sequence number.
  const virtualLength = length + (tcpFlags & (TCP_SYN | TCP_FIN) ? 1 : 0);
  const nextSeq = mod32(seq + virtualLength);
  let originalFrame: number | undefined;
  if ((length > 0 || tcpFlags & (TCP_SYN | TCP_FIN)) && !(flags & KEEP_ALIVE)) {
    let notAdvanced = fwd.nextSeq !== 0 && seqLess(seq, fwd.nextSeq);
    // One byte before the next expected one, with more data: after a zero window probe.
    if (length > 1 && mod32(fwd.nextSeq - 1) === seq) notAdvanced = false;
    const outOfOrderSeconds = conversation.initialRtt > 0 ? conversation.initialRtt : DEFAULT_OUT_OF_ORDER_SECONDS;
    if (length > 0 && rev.lastAck !== 0 && !seqLess(rev.lastAck, mod32(seq + length))) {
      flags |= SPURIOUS_RETRANSMISSION;
    } else if (notAdvanced && rev.dupAckCount >= 2 && rev.lastAck === seq && now - rev.lastAckTime < FAST_RETRANSMISSION_SECONDS) {
      flags |= FAST_RETRANSMISSION;
    } else if (notAdvanced && now - fwd.nextSeqTime < outOfOrderSeconds && fwd.nextSeq !== nextSeq) {
      flags |= OUT_OF_ORDER;
    } else if (notAdvanced) {
      flags |= RETRANSMISSION;
      originalFrame = fwd.firstFrameBySeq.get(seq);
    }
  }

  if (virtualLength > 0 && !fwd.firstFrameBySeq.has(seq)) {
    // Bounded: a long transfer would otherwise keep one entry per segment. Retransmissions
    // come soon after the original, so forgetting old segments loses almost nothing.
    if (fwd.firstFrameBySeq.size >= MAX_REMEMBERED_SEGMENTS) fwd.firstFrameBySeq.clear();
    fwd.firstFrameBySeq.set(seq, packet.number);
  }
  const probe = (flags & ZERO_WINDOW_PROBE) !== 0;
  if ((fwd.nextSeq === 0 || seqLess(fwd.nextSeq, nextSeq)) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqTime = now;
  }
  // The highest sequence number reached without a hole: only a segment starting exactly there
  // extends it.
  if ((fwd.maxSeqToBeAcked === 0 || seq === fwd.maxSeqToBeAcked) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;
  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckTime = now;
  fwd.lastSegmentFlags = flags;

  // Window: scaled once the sender's SYN announced a shift, unless the other SYN said none.
  let shownWindow = window;
  let windowShift = -1;
  if (!isSyn && fwd.windowShift >= 0) {
    windowShift = fwd.windowShift;
    shownWindow = window * 2 ** windowShift;
  } else if (!isSyn && fwd.windowShift === SCALE_NONE) {
    windowShift = 0;
  }

  let notes = NO_NOTES;
  if (flags !== 0) {
    notes = [];
    for (const [bit, text] of NOTE_ORDER) {
      if (flags & bit) notes.unshift(bit === DUPLICATE_ACK ? `TCP Dup ACK ${dupAckFrame}#${dupAckNumber}` : text);
    }
  }
  return {
    relativeSeq: mod32(seq - fwd.baseSeq),
    relativeAck: hasAck ? mod32(ack - rev.baseSeq) : 0,
    window: shownWindow,
    windowShift,
    ackBase: rev.baseSeq,
    notes,
    originalFrame,
  };
}
