// What Wireshark's TCP analysis adds to one packet's description — relative numbers, the scaled
// window, the "[TCP Retransmission]"-style notes — read from the capture's TCP analysis
// (analysis/tcp-streams.ts), the same one the display filters and the verdicts use. Nothing is
// kept per packet: the view is made when a packet is described and then dropped.
import { TcpAnalysisFlag, type TcpStreams } from '../analysis/tcp-streams.ts';
import { Layer, type PacketStore } from '../store/packet-store.ts';

export interface TcpContext {
  /** Sequence number relative to this direction's initial sequence number (tcp.seq). */
  relativeSeq: number;
  /** Acknowledgement number relative to the other direction's ISN (tcp.ack). */
  relativeAck: number;
  /** Window after scaling (tcp.window_size), or the raw field when the scale is unknown. */
  window: number;
  /** Window scale shift applied to this packet's window: 0 without scaling, -1 when unknown (and on SYNs). */
  windowShift: number;
  /** The other direction's ISN, so SACK edges can be shown relative like Wireshark. */
  ackBase: number;
  /** Wireshark's analysis notes in the order its Info column shows them. */
  notes: string[];
  /** For a retransmission: the frame it retransmits (tcp.analysis.rto_frame), when known. */
  originalFrame?: number;
}

const F = TcpAnalysisFlag;
/** Every bit that prints a note. */
const NOTE_FLAGS =
  F.PortsReused |
  F.Retransmission |
  F.FastRetransmission |
  F.SpuriousRetransmission |
  F.OutOfOrder |
  F.LostSegment |
  F.AckLostSegment |
  F.WindowUpdate |
  F.WindowFull |
  F.KeepAlive |
  F.KeepAliveAck |
  F.DuplicateAck |
  F.ZeroWindowProbe |
  F.ZeroWindow |
  F.ZeroWindowProbeAck;

/**
 * tshark prepends each note to the Info column, group by group in this order (reused ports,
 * retransmissions, lost segments, window, keep-alive, duplicate ACK, zero window), so the last
 * one printed ends up first. "TCP Retransmission" is its plain kind only: our Retransmission bit
 * is also set on fast and spurious ones, which have their own note.
 */
const NOTE_ORDER: Array<[number, string]> = [
  [F.PortsReused, 'TCP Port numbers reused'],
  [F.Retransmission, 'TCP Retransmission'],
  [F.FastRetransmission, 'TCP Fast Retransmission'],
  [F.SpuriousRetransmission, 'TCP Spurious Retransmission'],
  [F.OutOfOrder, 'TCP Out-Of-Order'],
  [F.LostSegment, 'TCP Previous segment not captured'],
  [F.AckLostSegment, 'TCP ACKed unseen segment'],
  [F.WindowUpdate, 'TCP Window Update'],
  [F.WindowFull, 'TCP Window Full'],
  [F.KeepAlive, 'TCP Keep-Alive'],
  [F.KeepAliveAck, 'TCP Keep-Alive ACK'],
  [F.DuplicateAck, ''], // "TCP Dup ACK <frame>#<n>", built with its numbers
  [F.ZeroWindowProbe, 'TCP ZeroWindowProbe'],
  [F.ZeroWindow, 'TCP ZeroWindow'],
  [F.ZeroWindowProbeAck, 'TCP ZeroWindowProbeAck'],
];

/** Shared by every packet without analysis notes (most of them). */
const NO_NOTES: string[] = Object.freeze([]) as unknown as string[];
const ACK = 0x010;

/** Wireshark's notes for packet `index`, first shown first. */
export function tcpNotesOf(streams: TcpStreams, index: number): string[] {
  let flags = streams.analysisFlags[index] & NOTE_FLAGS;
  if (flags === 0) return NO_NOTES;
  if (flags & (F.FastRetransmission | F.SpuriousRetransmission)) flags &= ~F.Retransmission;
  const notes: string[] = [];
  for (const [bit, text] of NOTE_ORDER) {
    if (!(flags & bit)) continue;
    notes.unshift(
      bit === F.DuplicateAck ? `TCP Dup ACK ${streams.dupAckFrame[index]}#${streams.dupAckNumber[index]}` : text,
    );
  }
  return notes;
}

/**
 * The TCP analysis of packet `index` as the describers use it, or undefined when the packet
 * carries no TCP header of its own (an ICMP error quoting one has none).
 */
export function tcpContextOf(streams: TcpStreams, store: PacketStore, index: number): TcpContext | undefined {
  const c = store.columns;
  if (index < 0 || index >= store.count || streams.stream[index] < 0 || (c.layers[index] & Layer.Tcp) === 0)
    return undefined;
  const raw = c.window[index];
  // 2^shift; -1 unknown, -2 no scaling; NaN on SYNs (never scaled).
  const scale = streams.windowScale[index];
  const relativeAck = streams.relAck[index];
  const context: TcpContext = {
    relativeSeq: streams.relSeq[index],
    relativeAck,
    window: scale > 0 ? raw * scale : raw,
    windowShift: scale > 0 ? 31 - Math.clz32(scale) : scale === -2 ? 0 : -1,
    // The analysis made the ACK relative to the other side's ISN, so that ISN is ack − relative.
    ackBase: c.tcpFlags[index] & ACK ? (c.ack[index] - relativeAck) >>> 0 : 0,
    notes: tcpNotesOf(streams, index),
  };
  const original = streams.rtoFrame[index];
  if (original > 0) context.originalFrame = original;
  return context;
}
