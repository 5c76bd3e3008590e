// The tcptrace / Stevens time-sequence graph of one TCP stream, one direction: each data
// segment as a vertical bar from its relative sequence number to its end, retransmissions
// marked, and the other direction's acknowledgments with the receive window above them (the
// ACK line and the window line) and the SACK blocks the receiver reported above its ACK (what
// arrived past a hole) — where a sender stalls, waits for the window or retransmits.
import { TcpAnalysisFlag, tcpStreamsOf } from '../analysis/tcp-streams.ts';
import { formatIP } from '../describe/addresses.ts';
import { tcpContextOf } from '../describe/tcp-context.ts';
import type { Capture } from '../packets.ts';
import { Layer, storeOf } from '../store/packet-store.ts';

export interface SequenceSegment {
  frame: number;
  /** Seconds since the stream's first packet. */
  t: number;
  seq: number;
  end: number;
  retransmission: boolean;
}

export interface AckPoint {
  frame: number;
  t: number;
  ack: number;
  /** ack + the receive window (scaled): the highest sequence number the receiver allows. */
  windowEdge: number;
  /** The SACK blocks of this ACK (RFC 2018), relative like `ack`: [left edge, right edge). */
  sack?: Array<[number, number]>;
}

export interface TimeSequence {
  stream: number;
  /** "10.0.0.1:57491 → 10.0.0.2:3389": the direction graphed. */
  direction: string;
  segments: SequenceSegment[];
  acks: AckPoint[];
}

const RETRANSMISSION =
  TcpAnalysisFlag.Retransmission | TcpAnalysisFlag.FastRetransmission | TcpAnalysisFlag.SpuriousRetransmission;

/**
 * The graph of stream `stream`, the direction that sends more data (Wireshark graphs the
 * selected packet's direction; the data's is the one worth seeing), or the client's when
 * `fromClient` says so.
 */
export function timeSequence(capture: Capture, stream: number, fromClient?: boolean): TimeSequence | undefined {
  const streams = tcpStreamsOf(capture);
  const info = streams.streams.at(stream);
  if (info === undefined) return undefined;
  const store = storeOf(capture);
  const c = store.columns;
  const first = info.firstPacket;
  const clientId = streams.srcEndpoint[first];
  let clientData = 0;
  let serverData = 0;
  for (let i = first; i <= info.lastPacket; i++) {
    if (streams.stream[i] !== stream) continue;
    if (streams.srcEndpoint[i] === clientId) clientData += c.payloadLength[i];
    else serverData += c.payloadLength[i];
  }
  const senderIsClient = fromClient ?? clientData >= serverData;
  const timeOf = (i: number) => c.seconds[i] - c.seconds[first] + (c.nanoseconds[i] - c.nanoseconds[first]) / 1e9;
  const segments: SequenceSegment[] = [];
  const acks: AckPoint[] = [];
  let direction = '';
  for (let i = first; i <= info.lastPacket; i++) {
    if (streams.stream[i] !== stream || (c.layers[i] & Layer.Tcp) === 0) continue;
    const context = tcpContextOf(streams, store, i);
    if (context === undefined) continue;
    const isSender = (streams.srcEndpoint[i] === clientId) === senderIsClient;
    const frame = capture.packets[i].number;
    if (isSender) {
      if (direction === '') direction = `${endpoint(store, i, true)} → ${endpoint(store, i, false)}`;
      const length = c.payloadLength[i];
      // SYN and FIN take one sequence number each: drawn as a tick.
      const flags = c.tcpFlags[i];
      const span = length + (flags & 0x003 ? 1 : 0);
      segments.push({
        frame,
        t: timeOf(i),
        seq: context.relativeSeq,
        end: context.relativeSeq + span,
        retransmission: (streams.analysisFlags[i] & RETRANSMISSION) !== 0,
      });
    } else if ((c.tcpFlags[i] & 0x010) !== 0) {
      const point: AckPoint = {
        frame,
        t: timeOf(i),
        ack: context.relativeAck,
        windowEdge: context.relativeAck + context.window,
      };
      // SACK blocks are TCP options, not columns: decoded again from this packet's bytes (one
      // stream's ACKs, on demand). Edges are made relative to the same base as the ACK.
      const blocks = capture.packets[i].dissection.tcp?.options.sack;
      if (blocks?.length)
        point.sack = blocks.map(([left, right]) => [(left - context.ackBase) >>> 0, (right - context.ackBase) >>> 0]);
      acks.push(point);
    }
  }
  return { stream, direction, segments, acks };
}

function endpoint(store: ReturnType<typeof storeOf>, i: number, source: boolean): string {
  const addresses = store.addressBytes(i)!;
  const address = source ? addresses.src : addresses.dst;
  const port = source ? store.columns.srcPort[i] : store.columns.dstPort[i];
  return address.length === 16 ? `[${formatIP(address)}]:${port}` : `${formatIP(address)}:${port}`;
}
