// Fields computed per TCP connection: tcp.stream, relative seq/ack, the window scaling learned
// from the SYNs, conversation completeness and tcp.analysis.*. They read the shared analysis
// (analysis/tcp-streams.ts), computed once per capture on first use and shared with the
// session's verdicts and packet list, so they all agree on what "retransmission" means.
import { tcpStreamsOf, TcpAnalysisFlag, type TcpStreams } from '../analysis/tcp-streams.ts';
import { Layer } from '../store/packet-store.ts';
import type { FieldContext, FieldDefinition, FieldReader, FieldValues } from './types.ts';

const COMPLETENESS_KEY = 'tcp-completeness';

function streamsOf(context: FieldContext): TcpStreams {
  return tcpStreamsOf(context.capture);
}

/**
 * The tshark flags that put a packet under tcp.analysis.flags: every expert note of its SEQ/ACK
 * analysis, window updates and keep-alive ACKs included (checked with tshark 4.0 on the suite's
 * captures) — not our own Duplicate/Quoted bits.
 */
const EXPERT_FLAGS =
  TcpAnalysisFlag.Retransmission |
  TcpAnalysisFlag.FastRetransmission |
  TcpAnalysisFlag.SpuriousRetransmission |
  TcpAnalysisFlag.OutOfOrder |
  TcpAnalysisFlag.PortsReused |
  TcpAnalysisFlag.KeepAlive |
  TcpAnalysisFlag.DuplicateAck |
  TcpAnalysisFlag.ZeroWindowProbe |
  TcpAnalysisFlag.WindowUpdate |
  TcpAnalysisFlag.WindowFull |
  TcpAnalysisFlag.ZeroWindow |
  TcpAnalysisFlag.LostSegment |
  TcpAnalysisFlag.AckLostSegment |
  TcpAnalysisFlag.KeepAliveAck |
  TcpAnalysisFlag.ZeroWindowProbeAck;

/** A field read from one of the per-packet arrays; NaN (or the `absent` value) means "not there". */
function fromArray(
  name: string,
  description: string,
  kind: FieldDefinition['kind'],
  bits: number | undefined,
  pick: (s: TcpStreams, i: number, out: FieldValues) => void,
): FieldDefinition {
  const read: FieldReader = (context, index, out) => pick(streamsOf(context), index, out);
  return { name, kind, bits, description, read };
}

const pushIfNumber = (value: number, out: FieldValues): void => {
  if (value === value) out.pushNumber(value);
};

/** Seconds (as the analysis gives them) → integer nanoseconds, the filters' time unit. */
const pushSecondsAsNs = (seconds: number, out: FieldValues): void => {
  if (seconds === seconds) out.pushNumber(Math.round(seconds * 1e9));
};

function flagField(name: string, description: string, bit: number): FieldDefinition {
  return fromArray(name, description, 'none', undefined, (s, i, out) => {
    if ((s.analysisFlags[i] & bit) !== 0) out.pushPresent();
  });
}

// Conversation completeness (Wireshark's bits), accumulated over the whole connection.
const SYN_SENT = 1;
const SYN_ACK = 2;
const ACK = 4;
const DATA = 8;
const FIN = 16;
const RST = 32;

/**
 * tcp.completeness as Wireshark's GUI (and tshark -2) shows it: what the whole connection ended
 * up containing. Single-pass tshark shows the bits seen before the packet instead (see
 * docs/FILTERS.md).
 */
function completenessOf(context: FieldContext): Uint8Array {
  let perStream = context.cache.get(COMPLETENESS_KEY) as Uint8Array | undefined;
  if (perStream !== undefined) return perStream;
  const s = streamsOf(context);
  perStream = new Uint8Array(s.streams.count);
  const c = context.store.columns;
  for (let i = 0; i < context.store.count; i++) {
    const stream = s.stream[i];
    if (stream < 0 || (c.layers[i] & Layer.Tcp) === 0) continue;
    const flags = c.tcpFlags[i];
    const length = c.payloadLength[i];
    let bits = 0;
    const synAck = flags & 0x012;
    if (synAck === 0x002) bits |= SYN_SENT;
    else if (synAck === 0x012) bits |= SYN_ACK;
    // Wireshark's ACK bit is a bare acknowledgment (no SYN, no data), checked against tshark -2:
    // a RST/ACK or FIN/ACK counts, a data segment with ACK set does not.
    else if (synAck === 0x010 && length === 0) bits |= ACK;
    if (length > 0) bits |= DATA;
    if ((flags & 0x001) !== 0) bits |= FIN;
    if ((flags & 0x004) !== 0) bits |= RST;
    perStream[stream] |= bits;
  }
  context.cache.set(COMPLETENESS_KEY, perStream);
  return perStream;
}

const SEQ_ACK_KEY = 'tcp-seq-ack-analysis';

/**
 * Whether tshark shows the iRTT on a packet. It prints it inside the "SEQ/ACK analysis" subtree,
 * which a segment gets when it carries data, has an analysis flag, or acknowledges a segment
 * (data, SYN or FIN) of the other side that nothing had acknowledged yet — so a FIN/ACK
 * repeating the last acknowledgment has no iRTT. (Checked on every capture in the suite, for
 * tcp.analysis.initial_rtt and tcp.analysis alike.)
 */
function seqAckAnalysisOf(context: FieldContext): Uint8Array {
  let marks = context.cache.get(SEQ_ACK_KEY) as Uint8Array | undefined;
  if (marks !== undefined) return marks;
  const s = streamsOf(context);
  const c = context.store.columns;
  const count = context.store.count;
  marks = new Uint8Array(count);
  // Per stream and direction (0: the side that sent the stream's first packet), the ends
  // (relative nxtseq) of segments sent and not yet acknowledged — tshark's unacked list,
  // retransmissions included, capped like tshark's.
  const firstSource = new Map<number, number>();
  const unacked = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const stream = s.stream[i];
    if (stream < 0 || (c.layers[i] & Layer.Tcp) === 0) continue;
    const flags = c.tcpFlags[i];
    const length = c.payloadLength[i];
    const source = s.srcEndpoint[i];
    if (!firstSource.has(stream)) firstSource.set(stream, source);
    const direction = firstSource.get(stream) === source ? 0 : 1;
    let marked = (s.analysisFlags[i] & EXPERT_FLAGS) !== 0 || length > 0;
    const ack = s.relAck[i];
    const theirs = unacked.get(stream * 2 + 1 - direction);
    if ((flags & 0x010) !== 0 && ack === ack && theirs !== undefined && theirs.some((end) => end <= ack)) {
      marked = true;
      unacked.set(
        stream * 2 + 1 - direction,
        theirs.filter((end) => end > ack),
      );
    }
    const end = s.nxtSeq[i];
    if (end === end && (length > 0 || (flags & 0x003) !== 0)) {
      const mine = unacked.get(stream * 2 + direction) ?? [];
      if (mine.length < MAX_UNACKED) mine.push(end);
      unacked.set(stream * 2 + direction, mine);
    }
    if (marked) marks[i] = 1;
  }
  context.cache.set(SEQ_ACK_KEY, marks);
  return marks;
}

/** tshark stops remembering unacknowledged segments past this many per direction. */
const MAX_UNACKED = 10000;

const TIMES_KEY = 'tcp-times';

/**
 * tcp.time_relative and tcp.time_delta (Wireshark's "calculate conversation timestamps", on by
 * default): nanoseconds since the stream's first packet and since its previous one. An ICMP
 * error quoting a segment counts as a packet of its stream, as in tshark.
 */
function timesOf(context: FieldContext): { relative: Float64Array; delta: Float64Array } {
  let times = context.cache.get(TIMES_KEY) as { relative: Float64Array; delta: Float64Array } | undefined;
  if (times !== undefined) return times;
  const s = streamsOf(context);
  const c = context.store.columns;
  const count = context.store.count;
  const relative = new Float64Array(count).fill(NaN);
  const delta = new Float64Array(count).fill(NaN);
  const first = new Map<number, number>();
  const previous = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const stream = s.stream[i];
    if (stream < 0) continue;
    const start = first.get(stream) ?? i;
    const before = previous.get(stream) ?? i;
    const since = (j: number) => (c.seconds[i] - c.seconds[j]) * 1e9 + (c.nanoseconds[i] - c.nanoseconds[j]);
    relative[i] = since(start);
    delta[i] = since(before);
    if (!first.has(stream)) first.set(stream, i);
    previous.set(stream, i);
  }
  times = { relative, delta };
  context.cache.set(TIMES_KEY, times);
  return times;
}

export const tcpAnalysisFields: FieldDefinition[] = [
  fromArray('tcp.stream', 'Stream index', 'uint', 32, (s, i, out) => {
    if (s.stream[i] >= 0) out.pushNumber(s.stream[i]);
  }),
  fromArray('tcp.seq', 'Sequence Number', 'uint', 32, (s, i, out) => pushIfNumber(s.relSeq[i], out)),
  fromArray('tcp.ack', 'Acknowledgment Number', 'uint', 32, (s, i, out) => pushIfNumber(s.relAck[i], out)),
  fromArray('tcp.nxtseq', 'Next Sequence Number', 'uint', 32, (s, i, out) => pushIfNumber(s.nxtSeq[i], out)),
  fromArray('tcp.window_size_scalefactor', 'Window size scaling factor', 'int', 32, (s, i, out) =>
    pushIfNumber(s.windowScale[i], out),
  ),
  {
    name: 'tcp.window_size',
    kind: 'uint',
    bits: 32,
    description: 'Calculated window size',
    read: (context, index, out) => {
      const c = context.store.columns;
      if ((c.layers[index] & Layer.Tcp) === 0) return;
      const window = c.window[index];
      const scale = streamsOf(context).windowScale[index];
      // SYNs and connections whose SYN we did not see (-1) or that do not scale (-2): as sent.
      out.pushNumber(scale > 0 ? window * scale : window);
    },
  },
  {
    name: 'tcp.completeness',
    kind: 'uint',
    bits: 8,
    description: 'Conversation completeness',
    read: (context, index, out) => {
      // An ICMP error quoting a segment belongs to its connection and shows its completeness too.
      const stream = streamsOf(context).stream[index];
      if (stream >= 0) out.pushNumber(completenessOf(context)[stream]);
    },
  },
  fromArray('tcp.analysis.flags', 'TCP Analysis Flags', 'none', undefined, (s, i, out) => {
    if ((s.analysisFlags[i] & EXPERT_FLAGS) !== 0) out.pushPresent();
  }),
  flagField(
    'tcp.analysis.retransmission',
    'This frame is a (suspected) retransmission',
    TcpAnalysisFlag.Retransmission,
  ),
  flagField(
    'tcp.analysis.fast_retransmission',
    'This frame is a (suspected) fast retransmission',
    TcpAnalysisFlag.FastRetransmission,
  ),
  flagField(
    'tcp.analysis.spurious_retransmission',
    'This frame is a (suspected) spurious retransmission',
    TcpAnalysisFlag.SpuriousRetransmission,
  ),
  flagField(
    'tcp.analysis.out_of_order',
    'This frame is a (suspected) out-of-order segment',
    TcpAnalysisFlag.OutOfOrder,
  ),
  flagField(
    'tcp.analysis.reused_ports',
    'A new tcp session is started with the same ports as an earlier session in this trace',
    TcpAnalysisFlag.PortsReused,
  ),
  flagField('tcp.analysis.keep_alive', 'This is a TCP keep-alive segment', TcpAnalysisFlag.KeepAlive),
  flagField('tcp.analysis.duplicate_ack', 'This is a TCP duplicate ack', TcpAnalysisFlag.DuplicateAck),
  flagField('tcp.analysis.zero_window_probe', 'This is a TCP zero-window-probe', TcpAnalysisFlag.ZeroWindowProbe),
  flagField('tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe', TcpAnalysisFlag.ZeroWindowProbeAck),
  flagField('tcp.analysis.zero_window', 'TCP Zero Window segment', TcpAnalysisFlag.ZeroWindow),
  flagField('tcp.analysis.window_update', 'TCP window update', TcpAnalysisFlag.WindowUpdate),
  flagField(
    'tcp.analysis.window_full',
    'TCP window specified by the receiver is now completely full',
    TcpAnalysisFlag.WindowFull,
  ),
  flagField('tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', TcpAnalysisFlag.KeepAliveAck),
  flagField(
    'tcp.analysis.lost_segment',
    'Previous segment(s) not captured (common at capture start)',
    TcpAnalysisFlag.LostSegment,
  ),
  flagField(
    'tcp.analysis.ack_lost_segment',
    "ACKed segment that wasn't captured (common at capture start)",
    TcpAnalysisFlag.AckLostSegment,
  ),
  fromArray('tcp.analysis.duplicate_ack_num', 'Duplicate ACK #', 'uint', 32, (s, i, out) => {
    if (s.dupAckNumber[i] > 0) out.pushNumber(s.dupAckNumber[i]);
  }),
  fromArray('tcp.analysis.duplicate_ack_frame', 'Duplicate to the ACK in frame', 'framenum', 32, (s, i, out) => {
    if (s.dupAckFrame[i] > 0) out.pushNumber(s.dupAckFrame[i]);
  }),
  fromArray('tcp.analysis.rto', 'The RTO for this segment was', 'time', undefined, (s, i, out) =>
    pushSecondsAsNs(s.rto[i], out),
  ),
  fromArray('tcp.analysis.rto_frame', 'RTO based on delta from frame', 'framenum', 32, (s, i, out) => {
    if (s.rtoFrame[i] > 0) out.pushNumber(s.rtoFrame[i]);
  }),
  {
    name: 'tcp.time_relative',
    kind: 'time',
    description: 'Time since first frame in this TCP stream',
    read: (context, index, out) => pushIfNumber(timesOf(context).relative[index], out),
  },
  {
    name: 'tcp.time_delta',
    kind: 'time',
    description: 'Time since previous frame in this TCP stream',
    read: (context, index, out) => pushIfNumber(timesOf(context).delta[index], out),
  },
  {
    // The "SEQ/ACK analysis" subtree itself. tshark also adds one under the header quoted in an
    // ICMP error (seen on every such packet in the suite).
    name: 'tcp.analysis',
    kind: 'none',
    description: 'SEQ/ACK analysis',
    read: (context, index, out) => {
      const layers = context.store.columns.layers[index];
      if ((layers & Layer.Tcp) !== 0) {
        if (seqAckAnalysisOf(context)[index] === 1) out.pushPresent();
      } else if (
        (layers & Layer.IcmpQuote) !== 0 &&
        streamsOf(context).stream[index] >= 0 &&
        context.store.dissectionOf(index).icmp?.quoted?.tcp !== undefined
      ) {
        out.pushPresent();
      }
    },
  },
  {
    name: 'tcp.analysis.initial_rtt',
    kind: 'time',
    description: 'iRTT',
    read: (context, index, out) => {
      if (seqAckAnalysisOf(context)[index] === 1) pushSecondsAsNs(streamsOf(context).initialRtt[index], out);
    },
  },
];
