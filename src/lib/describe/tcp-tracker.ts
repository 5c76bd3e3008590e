// What Wireshark's TCP analysis adds to a packet's description, computed in one pass in frame
// order (as tshark does without -2): relative sequence numbers, the scaled window, and the
// "[TCP Retransmission]"-style notes. A subset of Wireshark's analysis — the notes that matter
// for telling blocked from closed from open, plus the common ones that would otherwise look odd.
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
  /** Window scale shift of the sender when known from the handshake, else -1. */
  windowShift: number;
  /** The other direction's ISN, so SACK edges can be shown relative like Wireshark. */
  ackBase: number;
  /** Wireshark's analysis notes in the order it prints them, e.g. ["TCP Retransmission"]. */
  notes: string[];
  /** For a retransmission: the frame that first carried this sequence number. */
  originalFrame?: number;
}

interface Direction {
  baseSeq: number;
  baseKnown: boolean;
  /** Next expected sequence number (highest seq + segment length seen), -1 before any segment. */
  nextSeq: number;
  /** Frame that first sent each segment start, for retransmission references (SYNs mainly). */
  firstFrameBySeq: Map<number, number>;
  /** -1 unknown, -2 the SYN carried no window scale option, else the shift. */
  windowShift: number;
  lastAck: number;
  lastAckFrame: number;
  /** When lastAck was last set or repeated (seconds), for fast-retransmission timing. */
  lastAckTime: number;
  /** When nextSeq last advanced (seconds), for out-of-order timing. */
  nextSeqTime: number;
  lastWindow: number;
  dupAckCount: number;
  lastSeq: number;
  seenAny: boolean;
}

interface Conversation {
  directions: [Direction, Direction];
  /** Endpoint key of direction 0's sender. */
  first: string;
  /** Time of the first SYN (seconds), -1 before one is seen. */
  synTime: number;
  /** Whether a SYN/ACK has been seen, so the next ACK completes the handshake. */
  synAckSeen: boolean;
  /** Handshake round trip (tcp.analysis.initial_rtt) in seconds, -1 until known. */
  initialRtt: number;
}

const newDirection = (): Direction => ({
  baseSeq: 0,
  baseKnown: false,
  nextSeq: -1,
  firstFrameBySeq: new Map(),
  windowShift: -1,
  lastAck: -1,
  lastAckFrame: 0,
  lastAckTime: 0,
  nextSeqTime: 0,
  lastWindow: -1,
  dupAckCount: 0,
  lastSeq: -1,
  seenAny: false,
});

const MAX_REMEMBERED_SEGMENTS = 256;
/** Shared by every packet without analysis notes (most of them). */
const NO_NOTES: string[] = Object.freeze([]) as unknown as string[];

const mod32 = (n: number): number => ((n % 0x100000000) + 0x100000000) % 0x100000000;
/** a < b in sequence space (RFC 1982 serial arithmetic). */
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
    const notes: string[] = [];
    const isSyn = (tcp.flags & TCP_SYN) !== 0;
    const hasAck = (tcp.flags & TCP_ACK) !== 0;
    if (conversation && isSyn && !hasAck) {
      const fwd = conversation.directions[conversation.first === from ? 0 : 1];
      // A new SYN with another ISN on the same ports is a new connection, not a retransmission.
      if (fwd.baseKnown && tcp.seq !== fwd.baseSeq) {
        notes.push('TCP Port numbers reused');
        conversation = undefined;
      }
    }
    if (!conversation) {
      conversation = { directions: [newDirection(), newDirection()], first: from, synTime: -1, synAckSeen: false, initialRtt: -1 };
      this.conversations.set(key, conversation);
    }
    const index = conversation.first === from ? 0 : 1;
    const fwd = conversation.directions[index];
    const rev = conversation.directions[1 - index];
    return analyze(packet, tcp, conversation, fwd, rev, notes);
  }
}

/** Wireshark's out-of-order threshold when the handshake round trip is unknown. */
const DEFAULT_OUT_OF_ORDER_SECONDS = 0.003;
/** A retransmission this soon after the second duplicate ACK is a fast retransmission. */
const FAST_RETRANSMISSION_SECONDS = 0.02;

function analyze(
  packet: Packet,
  tcp: TcpLayer,
  conversation: Conversation,
  fwd: Direction,
  rev: Direction,
  notes: string[],
): TcpContext {
  const flags = tcp.flags;
  const isSyn = (flags & TCP_SYN) !== 0;
  const isFin = (flags & TCP_FIN) !== 0;
  const isRst = (flags & TCP_RST) !== 0;
  const hasAck = (flags & TCP_ACK) !== 0;
  const now = packet.seconds + packet.nanoseconds / 1e9;
  if (isSyn && !hasAck && conversation.synTime < 0) conversation.synTime = now;
  else if (isSyn && hasAck) conversation.synAckSeen = true;
  else if (hasAck && conversation.synAckSeen && conversation.initialRtt < 0 && conversation.synTime >= 0) {
    conversation.initialRtt = now - conversation.synTime;
  }
  if (!fwd.baseKnown) {
    // Without the SYN, Wireshark takes the first byte seen as relative sequence number 1.
    fwd.baseSeq = isSyn ? tcp.seq : mod32(tcp.seq - 1);
    fwd.baseKnown = true;
  }
  if (hasAck && !rev.baseKnown) {
    rev.baseSeq = mod32(tcp.ack - 1);
    rev.baseKnown = true;
  }
  if (isSyn) fwd.windowShift = tcp.options.windowScale === undefined ? -2 : Math.min(tcp.options.windowScale, 14);

  const segmentLength = tcp.payloadLength + (isSyn ? 1 : 0) + (isFin ? 1 : 0);
  const nextSeq = mod32(tcp.seq + segmentLength);
  let originalFrame: number | undefined;

  if (!isRst && fwd.nextSeq >= 0) {
    if (segmentLength > 0 && seqLess(tcp.seq, fwd.nextSeq)) {
      if (segmentLength <= 1 && !isSyn && !isFin && mod32(fwd.nextSeq - 1) === tcp.seq) {
        notes.push('TCP Keep-Alive');
      } else if (rev.dupAckCount >= 2 && rev.lastAck === tcp.seq && now - rev.lastAckTime < FAST_RETRANSMISSION_SECONDS) {
        notes.push('TCP Fast Retransmission');
      } else if (
        now - fwd.nextSeqTime < (conversation.initialRtt >= 0 ? conversation.initialRtt : DEFAULT_OUT_OF_ORDER_SECONDS) &&
        fwd.nextSeq !== nextSeq
      ) {
        // Filling a hole soon after the segments around it: reordered, not sent again.
        notes.push('TCP Out-Of-Order');
      } else if (rev.lastAck >= 0 && !seqLess(rev.lastAck, nextSeq) && !isSyn) {
        // Everything in it was already acknowledged.
        notes.push('TCP Spurious Retransmission');
      } else {
        notes.push('TCP Retransmission');
        originalFrame = fwd.firstFrameBySeq.get(tcp.seq);
      }
    } else if (seqLess(fwd.nextSeq, tcp.seq)) {
      notes.push('TCP Previous segment not captured');
    }
  }

  let window = tcp.window;
  let windowShift = -1;
  if (!isSyn && fwd.windowShift >= 0 && rev.windowShift >= 0) {
    windowShift = fwd.windowShift;
    window = tcp.window * 2 ** windowShift;
  } else if (!isSyn && (fwd.windowShift === -2 || rev.windowShift === -2)) {
    windowShift = 0;
  }

  if (
    hasAck &&
    !isSyn &&
    !isFin &&
    !isRst &&
    segmentLength === 0 &&
    notes.length === 0 &&
    fwd.lastAck === tcp.ack &&
    fwd.lastWindow === tcp.window &&
    fwd.seenAny
  ) {
    fwd.dupAckCount++;
    fwd.lastAckTime = now;
    notes.push(`TCP Dup ACK ${fwd.lastAckFrame}#${fwd.dupAckCount}`);
  } else if (
    hasAck &&
    !isSyn &&
    !isFin &&
    !isRst &&
    segmentLength === 0 &&
    notes.length === 0 &&
    fwd.seenAny &&
    fwd.lastAck === tcp.ack &&
    fwd.lastWindow !== tcp.window &&
    tcp.seq === fwd.lastSeq
  ) {
    notes.push('TCP Window Update');
  }
  if (hasAck && !isRst && rev.nextSeq >= 0 && seqLess(rev.nextSeq, tcp.ack)) notes.push('TCP ACKed unseen segment');

  if (segmentLength > 0 && !fwd.firstFrameBySeq.has(tcp.seq)) {
    // Bounded: a long transfer would otherwise keep one entry per segment. Retransmissions
    // come soon after the original, so forgetting old segments loses almost nothing.
    if (fwd.firstFrameBySeq.size >= MAX_REMEMBERED_SEGMENTS) fwd.firstFrameBySeq.clear();
    fwd.firstFrameBySeq.set(tcp.seq, packet.number);
  }
  if (!isRst && (fwd.nextSeq < 0 || seqLess(fwd.nextSeq, nextSeq))) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqTime = now;
  }
  if (hasAck && (fwd.lastAck !== tcp.ack || fwd.lastWindow !== tcp.window || segmentLength > 0)) {
    fwd.lastAck = tcp.ack;
    fwd.lastAckFrame = packet.number;
    fwd.lastAckTime = now;
    fwd.dupAckCount = 0;
  }
  fwd.lastWindow = tcp.window;
  fwd.lastSeq = tcp.seq;
  fwd.seenAny = true;

  return {
    relativeSeq: mod32(tcp.seq - fwd.baseSeq),
    relativeAck: hasAck ? mod32(tcp.ack - rev.baseSeq) : 0,
    window,
    windowShift,
    ackBase: rev.baseSeq,
    notes: notes.length === 0 ? NO_NOTES : notes,
    originalFrame,
  };
}
