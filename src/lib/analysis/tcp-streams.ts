// Per-connection TCP analysis, numbered and flagged the way tshark 4.0 does it in one pass:
// tcp.stream, relative tcp.seq / tcp.ack / tcp.nxtseq, tcp.analysis.{retransmission, rto,
// rto_frame, initial_rtt, duplicate_ack_num, …}. The display filters bind these fields to the
// arrays below, the classifier reads them, and the packet list's Info column is written from them
// (describe/tcp-context.ts), so `tcp.analysis.retransmission` means the same thing in all three
// places and the same thing as in Wireshark (checked against tshark by
// tests/analysis/tcp-streams.test.ts and, for the Info column, tests/decode/golden.test.ts).
//
// Why tshark's rules rather than something cleaner: our users filter with Wireshark's names and
// compare our packet list with Wireshark's; a field that means something slightly different
// under the same name would teach them the wrong thing.
import { TcpFlag } from '../decode/tcp.ts';
import type { Capture } from '../packets.ts';
import { Layer, storeOf, type PacketStore } from '../store/packet-store.ts';
import { NumberMap } from './number-map.ts';
import { STACK_COPY_WINDOW_NS } from './rules.ts';

/** Bits of `analysisFlags`. The first group mirrors tshark's tcp.analysis.* labels. */
export const TcpAnalysisFlag = {
  /** tcp.analysis.retransmission (tshark also sets it on fast retransmissions). */
  Retransmission: 1 << 0,
  /** tcp.analysis.fast_retransmission */
  FastRetransmission: 1 << 1,
  /** tcp.analysis.spurious_retransmission */
  SpuriousRetransmission: 1 << 2,
  /** tcp.analysis.out_of_order */
  OutOfOrder: 1 << 3,
  /** tcp.analysis.reused_ports: a SYN on known ports with a new initial sequence number. */
  PortsReused: 1 << 4,
  /** tcp.analysis.keep_alive */
  KeepAlive: 1 << 5,
  /** tcp.analysis.duplicate_ack */
  DuplicateAck: 1 << 6,
  /** tcp.analysis.zero_window_probe */
  ZeroWindowProbe: 1 << 7,
  /**
   * Ours, not tshark's: the same IP datagram captured twice (same IPv4 ID, seq, ack, flags and
   * length, within DUPLICATE_WINDOW_NS of the first copy) — a multi-interface or SPAN capture,
   * not a retransmission. tshark flags such copies as retransmissions or out-of-order; we keep
   * its flags for the filters and add this one so the classifier does not count them as retries.
   */
  Duplicate: 1 << 8,
  /** Ours: the TCP header is the one quoted inside an ICMP/ICMPv6 error, not a segment. */
  QuotedInIcmp: 1 << 9,
  // tshark's other expert notes, the ones its Info column shows ("[TCP Window Update]", …).
  /** tcp.analysis.window_update: nothing new but the window. */
  WindowUpdate: 1 << 10,
  /** tcp.analysis.window_full: the segment fills the peer's advertised window exactly. */
  WindowFull: 1 << 11,
  /** tcp.analysis.zero_window */
  ZeroWindow: 1 << 12,
  /** tcp.analysis.lost_segment: "Previous segment not captured". */
  LostSegment: 1 << 13,
  /** tcp.analysis.ack_lost_segment: "ACKed unseen segment". */
  AckLostSegment: 1 << 14,
  /** tcp.analysis.keep_alive_ack */
  KeepAliveAck: 1 << 15,
  /** tcp.analysis.zero_window_probe_ack */
  ZeroWindowProbeAck: 1 << 16,
} as const;

/**
 * A real retransmission timer never fires this soon (RFC 6298's minimum is 1 s, Linux uses
 * 200 ms), so a byte-identical datagram with the same IP ID within this window is a copy made
 * by the capture setup.
 */
export const DUPLICATE_WINDOW_NS = 100_000_000;

export interface TcpStreamInfo {
  /** tcp.stream */
  index: number;
  /** Index into capture.packets of the first packet of the stream. */
  firstPacket: number;
  /** Index into capture.packets of the last packet of the stream. */
  lastPacket: number;
  packetCount: number;
}

export interface TcpStreams {
  /** tcp.stream per packet; -1 when the packet carries no TCP header. */
  stream: Int32Array;
  /** tcp.seq (relative); NaN when absent. */
  relSeq: Float64Array;
  /** tcp.ack (relative when the ACK flag is set, raw otherwise, as tshark shows it); NaN when absent. */
  relAck: Float64Array;
  /** tcp.nxtseq (relative); NaN when absent. */
  nxtSeq: Float64Array;
  /** TcpAnalysisFlag bits. */
  analysisFlags: Uint32Array;
  /** tcp.analysis.rto_frame: the frame number this one retransmits; 0 when absent. */
  rtoFrame: Int32Array;
  /**
   * On a duplicate ACK: tcp.analysis.duplicate_ack_frame (the frame whose ACK this one repeats)
   * and tcp.analysis.duplicate_ack_num (how many times in a row); 0 elsewhere.
   */
  dupAckFrame: Uint32Array;
  dupAckNumber: Uint32Array;
  /** tcp.analysis.rto in seconds; NaN when absent. */
  rto: Float64Array;
  /** tcp.analysis.initial_rtt in seconds, from the packet that completed it on; NaN before/without. */
  initialRtt: Float64Array;
  /**
   * tcp.window_size_scalefactor for non-SYN packets: 2^shift, -1 unknown, -2 no scaling; NaN on
   * SYNs and non-TCP packets.
   */
  windowScale: Float64Array;
  /**
   * Endpoint ids (address + port, numbered in order of appearance) of the TCP header's source and
   * destination — the quoted header's for ICMP errors; -1 when there is none. Lets later passes
   * (findAttempts) key connections by number without formatting addresses.
   */
  srcEndpoint: Int32Array;
  dstEndpoint: Int32Array;
  streams: TcpStreamInfo[];
}

// ---------------------------------------------------------------------------------------------

/** What one direction of a connection has sent so far (tshark's tcp_flow_t + seq info). */
interface Flow {
  baseSeq: number;
  baseSet: boolean;
  /** Raw sequence number after the highest segment seen; 0 = not yet known (as in tshark). */
  nextSeq: number;
  nextSeqFrame: number;
  nextSeqTime: number;
  lastAck: number;
  lastAckTime: number;
  dupAckCount: number;
  /** Frame number of this side's last segment that moved its ACK (tshark's lastnondupack). */
  lastNonDupAck: number;
  /** TcpAnalysisFlag bits of this side's last analysed segment (tshark's lastsegmentflags). */
  lastFlags: number;
  /** Highest contiguous sequence number sent, to spot ACKs of segments never captured. */
  maxSeqToBeAcked: number;
  window: number;
  /** Window scale shift from this side's SYN: -1 unknown, -2 none. */
  winScale: number;
  /**
   * Segments sent and not yet acknowledged, oldest first (tshark's unacked list), as numbers in
   * one array, UNACKED_FIELDS per segment (frame, next sequence number, time): no object per
   * segment, and one array per flow (a flood has a flow per packet).
   */
  unacked: number[];
  /** Entries in use in `unacked` (it is not shrunk: that costs more than it saves). */
  unackedCount: number;
  /**
   * The last few segments' IPv4 IDs and what they carried, to spot the same datagram captured
   * twice — the copy can come a few packets later when two interfaces interleave.
   */
  recent: number[] | undefined;
  recentCount: number;
  recentNext: number;
  /** Time of this side's latest segment (-Infinity before any). */
  lastSeenTime: number;
}

/** Fields of one entry of Flow.unacked: frame number, next sequence number, time. */
const UNACKED_FIELDS = 3;

/** Fields of one entry of Flow.recent: IPv4 ID, time, seq, ack, flags, length. */
const RECENT_FIELDS = 6;

/** How many earlier segments per direction a copy is looked for among. */
const RECENT_SEGMENTS = 8;

interface Conversation {
  index: number;
  /** Endpoint id of the side that is `a`. */
  aKey: number;
  a: Flow;
  b: Flow;
  /** Time of the most recent pure SYN, for the initial RTT; NaN = none. */
  lastSynTime: number;
  /** Nanoseconds, NaN until known. */
  initialRttNs: number;
  /**
   * Times inside a conversation are nanoseconds since this second: exact in a double, where
   * nanoseconds since the capture's first packet would not be for merged captures years apart.
   */
  originSeconds: number;
}

/** tshark stops tracking unacknowledged segments past this many (one-sided captures). */
const MAX_UNACKED_SEGMENTS = 10000;
/** tshark's duplicate-ACK counter after an ACK of unseen data: -1 stored in an unsigned int. */
const DUPACK_AFTER_LOST = 0xffffffff;
const { FIN, SYN, RST, ACK } = TcpFlag;

const newFlow = (): Flow => ({
  baseSeq: 0,
  baseSet: false,
  nextSeq: 0,
  nextSeqFrame: 0,
  nextSeqTime: 0,
  lastAck: 0,
  lastAckTime: 0,
  dupAckCount: 0,
  lastNonDupAck: 0,
  lastFlags: 0,
  maxSeqToBeAcked: 0,
  window: -1,
  winScale: -1,
  unacked: [],
  unackedCount: 0,
  recent: undefined,
  recentCount: 0,
  recentNext: 0,
  lastSeenTime: -Infinity,
});

/**
 * Sequence-space comparisons modulo 2^32, as tshark's LT_SEQ / GT_SEQ / LE_SEQ macros compute
 * them: (gint32)(x - y) < 0 and (gint32)(y - x) < 0, so two numbers exactly 2^31 apart are each
 * "greater" than the other.
 */
const seqDiff = (a: number, b: number): number => (a - b) | 0;
const seqLT = (a: number, b: number): boolean => seqDiff(a, b) < 0;
const seqGT = (a: number, b: number): boolean => seqDiff(b, a) < 0;
const seqLE = (a: number, b: number): boolean => seqDiff(a, b) <= 0;
const u32 = (x: number): number => x >>> 0;

/**
 * Small integer ids for endpoints (address + port), so per-packet lookups use numbers, not
 * strings: a 100 MB capture has hundreds of thousands of packets and few distinct endpoints.
 */
export class EndpointTable {
  private readonly v4 = new NumberMap(1024);
  private readonly other = new Map<string, number>();
  private count = 0;

  /** An IPv4 address given as a number. */
  idV4(address: number, port: number): number {
    const key = address * 65536 + port;
    let id = this.v4.get(key);
    if (id < 0) {
      id = this.count++;
      this.v4.set(key, id);
    }
    return id;
  }

  id(address: Uint8Array, port: number): number {
    if (address.length === 4)
      return this.idV4(((address[0] << 24) | (address[1] << 16) | (address[2] << 8) | address[3]) >>> 0, port);
    let key = `${port}/`;
    for (let i = 0; i < address.length; i++) key += String.fromCharCode(address[i]);
    let id = this.other.get(key);
    if (id === undefined) {
      id = this.count++;
      this.other.set(key, id);
    }
    return id;
  }

  /**
   * The id of row i's source (address + TCP/UDP port) in a packet store; the columns hold IPv4
   * addresses as numbers, IPv6 ones are read from the frame.
   */
  sourceOf(store: PacketStore, i: number): number {
    const c = store.columns;
    return c.layers[i] & Layer.IPv4
      ? this.idV4(c.src4[i], c.srcPort[i])
      : this.id(store.addressBytes(i)!.src, c.srcPort[i]);
  }

  /** The id of row i's destination; see sourceOf. */
  destinationOf(store: PacketStore, i: number): number {
    const c = store.columns;
    return c.layers[i] & Layer.IPv4
      ? this.idV4(c.dst4[i], c.dstPort[i])
      : this.id(store.addressBytes(i)!.dst, c.dstPort[i]);
  }
}

/** One number for an ordered pair of endpoint ids (exact while there are fewer than 2^26 endpoints). */
export const pairId = (a: number, b: number): number => a * 67108864 + b;

/**
 * pktmon / Windows loopback: one packet logged at two points of the stack 1–20 µs apart, the
 * copy taken before the IP ID was filled in carrying 0 (whichever comes first). Nothing
 * retransmits that fast, so it is a copy even if the other side's packet was logged in between.
 */
function isStackCopy(earlierId: number, laterId: number, elapsedNs: number): boolean {
  return elapsedNs <= STACK_COPY_WINDOW_NS && (earlierId === laterId || earlierId === 0 || laterId === 0);
}

const shared = new WeakMap<Capture, TcpStreams>();

/**
 * The capture's TCP analysis, computed once and shared by everything that asks (the filters'
 * tcp.* fields, the session's verdicts and packet list). `analyzeTcpStreams` computes it afresh.
 */
export function tcpStreamsOf(capture: Capture): TcpStreams {
  let streams = shared.get(capture);
  if (!streams) {
    streams = analyzeTcpStreams(capture);
    shared.set(capture, streams);
  }
  return streams;
}

/** The whole capture's TCP analysis: every row of its store, in order, through one analyzer. */
export function analyzeTcpStreams(capture: Capture): TcpStreams {
  const store = storeOf(capture);
  const analyzer = new TcpStreamAnalyzer(store, store.count);
  for (let i = 0; i < store.count; i++) analyzer.analyze(i);
  return analyzer.result;
}

/**
 * The TCP analysis fed one packet at a time, in frame order: every note tshark makes depends
 * only on the packets before, so a packet's analysis is final as soon as it is analysed. This is
 * the one implementation; `analyzeTcpStreams` is a loop over it, and `porttrace packets` feeds
 * it a window of rows at a time (the store forgets the rows it has written, see `forgetRows`).
 *
 * `result` holds one entry per row of the store (row i of the store is entry i); its arrays grow
 * with the store's rows and are reused after `forgetRows`. Its `streams` list and the
 * per-connection state grow with the connections, as tshark's do: a later packet on the same
 * ports may still be a retransmission or a port reuse of any earlier one.
 */
export class TcpStreamAnalyzer {
  readonly result: TcpStreams;
  readonly #store: PacketStore;
  /** The newest conversation for each unordered endpoint pair (tshark finds the latest one). */
  readonly #byPair: NumberMap;
  readonly #conversations: Conversation[] = [];
  readonly #endpoints = new EndpointTable();

  /** `rows`: how many rows to make room for at first (the whole capture's count when known). */
  constructor(store: PacketStore, rows = 1024) {
    this.#store = store;
    this.#byPair = new NumberMap(Math.min(rows, 1 << 16));
    this.result = {
      stream: new Int32Array(rows),
      relSeq: new Float64Array(rows),
      relAck: new Float64Array(rows),
      nxtSeq: new Float64Array(rows),
      analysisFlags: new Uint32Array(rows),
      rtoFrame: new Int32Array(rows),
      dupAckFrame: new Uint32Array(rows),
      dupAckNumber: new Uint32Array(rows),
      rto: new Float64Array(rows),
      initialRtt: new Float64Array(rows),
      windowScale: new Float64Array(rows),
      srcEndpoint: new Int32Array(rows),
      dstEndpoint: new Int32Array(rows),
      streams: [],
    };
  }

  /** Analyses row i of the store: rows must come in order, each once (from 0 after `forgetRows`). */
  analyze(i: number): void {
    const result = this.result;
    if (i >= result.stream.length) this.#grow(Math.max(i + 1, Math.ceil(result.stream.length * 1.5)));
    this.#clearRow(i);
    const store = this.#store;
    const c = store.columns;
    const layers = c.layers[i];
    const direct = (layers & Layer.Tcp) !== 0 && (layers & (Layer.IPv4 | Layer.IPv6)) !== 0;
    if (!direct && !(layers & Layer.IcmpQuote)) return;
    const endpoints = this.#endpoints;
    if (direct) {
      result.srcEndpoint[i] = endpoints.sourceOf(store, i);
      result.dstEndpoint[i] = endpoints.destinationOf(store, i);
    } else {
      // An ICMP error quoting a TCP header: rare, so read from the full decode.
      const q = store.dissectionOf(i).icmp?.quoted;
      if (!q?.tcp) return;
      result.srcEndpoint[i] = endpoints.id(q.ip.src, q.tcp.srcPort);
      result.dstEndpoint[i] = endpoints.id(q.ip.dst, q.tcp.dstPort);
    }
    const srcKey = result.srcEndpoint[i];
    const dstKey = result.dstEndpoint[i];
    const pairKey = srcKey < dstKey ? pairId(srcKey, dstKey) : pairId(dstKey, srcKey);
    const byPair = this.#byPair;

    if (!direct) {
      const tcp = store.dissectionOf(i).icmp!.quoted!.tcp!;
      // tshark reads the quoted header's seq/ack raw and skips all analysis; it only finds the
      // conversation when the quote reaches past the flags and window (16 bytes).
      result.analysisFlags[i] = TcpAnalysisFlag.QuotedInIcmp;
      if (tcp.seq !== undefined) result.relSeq[i] = tcp.seq;
      if (tcp.ack !== undefined) result.relAck[i] = tcp.ack;
      if (tcp.flags !== undefined && tcp.window !== undefined) {
        const known = byPair.get(pairKey);
        const conv = known >= 0 ? this.#conversations[known] : this.#startConversation(pairKey, srcKey, i);
        this.#noteInStream(conv.index, i);
        result.stream[i] = conv.index;
        const flow = conv.aKey === srcKey ? conv.a : conv.b;
        if (!(tcp.flags & SYN)) result.windowScale[i] = flow.winScale >= 0 ? 1 << flow.winScale : flow.winScale;
      }
      return;
    }

    const flags = c.tcpFlags[i];
    const seq = c.seq[i];
    const ack = c.ack[i];
    const known = byPair.get(pairKey);
    let conv = known >= 0 ? this.#conversations[known] : this.#startConversation(pairKey, srcKey, i);
    let fwd = conv.aKey === srcKey ? conv.a : conv.b;
    let analysis = 0;

    // A SYN with a new initial sequence number on ports already in use starts a new stream
    // (tshark: "TCP Port numbers reused"); the same ISN again is a retransmission.
    if ((flags & (SYN | ACK)) === SYN && fwd.baseSet && seq !== fwd.baseSeq) {
      conv = this.#startConversation(pairKey, srcKey, i);
      fwd = conv.a;
      analysis |= TcpAnalysisFlag.PortsReused;
    } else if ((flags & (SYN | ACK)) === (SYN | ACK) && fwd.baseSet && seq !== fwd.baseSeq) {
      // A SYN/ACK with a new ISN: tshark flags it and renumbers this side from it.
      analysis |= TcpAnalysisFlag.PortsReused;
      fwd.baseSeq = seq;
    }
    const rev = fwd === conv.a ? conv.b : conv.a;
    result.stream[i] = conv.index;
    this.#noteInStream(conv.index, i);

    const now = (c.seconds[i] - conv.originSeconds) * 1e9 + c.nanoseconds[i];
    // tcp.len as tshark computes it: bounded by the IP length and by the frame's length on the
    // wire (a frame sliced by a short snap length still counts; one cut on the wire does not).
    const seglen = Math.max(0, Math.min(c.payloadLength[i], c.originalLength[i] - c.payloadOffset[i]));
    // A fragment's TCP length is unknown until reassembly; tshark then skips the analysis.
    const isV4 = (layers & Layer.IPv4) !== 0;
    const haveSeglen = !(isV4 && layers & Layer.MoreFragments);

    // Window scaling (RFC 7323): each side announces its shift on its SYN, and scaling is used
    // only if both did. A SYN without the option settles it for both directions.
    if (flags & SYN) {
      const shift = c.windowScaleOption[i];
      if (shift >= 0) fwd.winScale = Math.min(shift, 14);
      if (fwd.winScale === -1) {
        fwd.winScale = -2;
        rev.winScale = -2;
      } else if (flags & ACK && rev.winScale === -2) {
        fwd.winScale = -2;
      }
    }

    if (haveSeglen) {
      analysis |= analyzeSegment(
        result,
        i,
        c.number[i],
        now,
        conv,
        fwd,
        rev,
        seq,
        ack,
        flags,
        seglen,
        c.window[i],
        isV4 ? c.ipId[i] : -1,
      );
      result.analysisFlags[i] = analysis;
      result.relSeq[i] = u32(seq - fwd.baseSeq);
      result.relAck[i] = flags & ACK ? u32(ack - rev.baseSeq) : ack;
      let next = seq + seglen;
      if (flags & (SYN | FIN)) next += 1;
      result.nxtSeq[i] = u32(next - fwd.baseSeq);
      if (!Number.isNaN(conv.initialRttNs)) result.initialRtt[i] = conv.initialRttNs / 1e9;
    } else {
      result.analysisFlags[i] = analysis;
      result.relSeq[i] = seq;
      result.relAck[i] = ack;
    }
    if (!(flags & SYN)) {
      result.windowScale[i] = fwd.winScale >= 0 ? 1 << fwd.winScale : fwd.winScale;
    }
  }

  #startConversation(pairKey: number, srcKey: number, i: number): Conversation {
    const streams = this.result.streams;
    const conv: Conversation = {
      index: streams.length,
      aKey: srcKey,
      a: newFlow(),
      b: newFlow(),
      lastSynTime: NaN,
      initialRttNs: NaN,
      originSeconds: this.#store.columns.seconds[i],
    };
    const packet = this.#store.forgottenRows + i;
    streams.push({ index: conv.index, firstPacket: packet, lastPacket: packet, packetCount: 0 });
    this.#byPair.set(pairKey, this.#conversations.length);
    this.#conversations.push(conv);
    return conv;
  }

  #noteInStream(stream: number, i: number): void {
    const info = this.result.streams[stream];
    info.lastPacket = this.#store.forgottenRows + i;
    info.packetCount++;
  }

  /** Row i as for a packet without TCP: every field absent. */
  #clearRow(i: number): void {
    const r = this.result;
    r.stream[i] = -1;
    r.relSeq[i] = NaN;
    r.relAck[i] = NaN;
    r.nxtSeq[i] = NaN;
    r.analysisFlags[i] = 0;
    r.rtoFrame[i] = 0;
    r.dupAckFrame[i] = 0;
    r.dupAckNumber[i] = 0;
    r.rto[i] = NaN;
    r.initialRtt[i] = NaN;
    r.windowScale[i] = NaN;
    r.srcEndpoint[i] = -1;
    r.dstEndpoint[i] = -1;
  }

  #grow(rows: number): void {
    const r = this.result;
    const grown = <T extends Int32Array | Uint32Array | Float64Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    r.stream = grown(r.stream, new Int32Array(rows));
    r.relSeq = grown(r.relSeq, new Float64Array(rows));
    r.relAck = grown(r.relAck, new Float64Array(rows));
    r.nxtSeq = grown(r.nxtSeq, new Float64Array(rows));
    r.analysisFlags = grown(r.analysisFlags, new Uint32Array(rows));
    r.rtoFrame = grown(r.rtoFrame, new Int32Array(rows));
    r.dupAckFrame = grown(r.dupAckFrame, new Uint32Array(rows));
    r.dupAckNumber = grown(r.dupAckNumber, new Uint32Array(rows));
    r.rto = grown(r.rto, new Float64Array(rows));
    r.initialRtt = grown(r.initialRtt, new Float64Array(rows));
    r.windowScale = grown(r.windowScale, new Float64Array(rows));
    r.srcEndpoint = grown(r.srcEndpoint, new Int32Array(rows));
    r.dstEndpoint = grown(r.dstEndpoint, new Int32Array(rows));
  }
}

/** tshark's tcp_analyze_sequence_number, reduced to the fields we expose. Returns flag bits. */
function analyzeSegment(
  result: TcpStreams,
  i: number,
  frame: number,
  now: number,
  conv: Conversation,
  fwd: Flow,
  rev: Flow,
  seq: number,
  ack: number,
  flags: number,
  seglen: number,
  window: number,
  /** The IPv4 ID; -1 for IPv6, which has none. */
  ipId: number,
): number {
  let analysis = 0;

  // Relative numbering starts at the SYN's ISN, or one before the first segment seen midstream
  // (so a capture that starts late still shows Seq=1). The other side's ISN is ack-1 of the
  // first segment that acknowledges anything.
  if (!fwd.baseSet) {
    fwd.baseSeq = flags & SYN ? seq : u32(seq - 1);
    fwd.baseSet = true;
  }
  if (!rev.baseSet && flags & ACK) {
    rev.baseSeq = u32(ack - 1);
    rev.baseSet = true;
  }

  // Our own duplicate check, before tshark's state moves on. A copy is only a copy if the other
  // side sent nothing in between: Linux answers each retransmitted SYN with a SYN/ACK identical
  // to the last one (IP ID 0 included), and that answer is a real retransmission.
  if (ipId >= 0) {
    let copy = false;
    // Grown as entries are added: most flows (a scan's, a flood's) send one or two segments.
    const recent = (fwd.recent ??= []);
    for (let k = 0; k < fwd.recentCount && !copy; k++) {
      const at = k * RECENT_FIELDS;
      const time = recent[at + 1];
      copy =
        (isStackCopy(recent[at], ipId, now - time) ||
          (recent[at] === ipId && now - time <= DUPLICATE_WINDOW_NS && time >= rev.lastSeenTime)) &&
        recent[at + 2] === seq &&
        recent[at + 3] === ack &&
        recent[at + 4] === flags &&
        recent[at + 5] === seglen;
    }
    if (copy) {
      analysis |= TcpAnalysisFlag.Duplicate;
    } else {
      const at = fwd.recentNext * RECENT_FIELDS;
      recent[at] = ipId;
      recent[at + 1] = now;
      recent[at + 2] = seq;
      recent[at + 3] = ack;
      recent[at + 4] = flags;
      recent[at + 5] = seglen;
      if (fwd.recentCount < RECENT_SEGMENTS) fwd.recentCount++;
      fwd.recentNext = (fwd.recentNext + 1) % RECENT_SEGMENTS;
    }
  }
  fwd.lastSeenTime = now;

  // tshark's checks in its order. A zero window probe (one byte at the next sequence number
  // while the peer's window is 0) skips all the others, and so do keep-alive ACKs and zero
  // window probe ACKs the duplicate-ACK check.
  const synFinRst = flags & (SYN | FIN | RST);
  const zeroWindowProbe = seglen === 1 && seq === fwd.nextSeq && rev.window === 0;
  if (zeroWindowProbe) {
    analysis |= TcpAnalysisFlag.ZeroWindowProbe;
  } else {
    if (window === 0 && synFinRst === 0) analysis |= TcpAnalysisFlag.ZeroWindow;
    // A hole: this segment starts past everything seen from this side.
    if (fwd.nextSeq !== 0 && seqGT(seq, fwd.nextSeq) && (flags & RST) === 0) analysis |= TcpAnalysisFlag.LostSegment;
    // Keep-alive: 0 or 1 byte starting one before the next expected byte.
    if ((seglen === 0 || seglen === 1) && seq === u32(fwd.nextSeq - 1) && synFinRst === 0) {
      analysis |= TcpAnalysisFlag.KeepAlive;
    }
    // Nothing new from this side (no data, same seq and ack): a window update if the window
    // moved, else a duplicate ACK — or the answer to a keep-alive or zero window probe.
    const repeats = seglen === 0 && synFinRst === 0 && seq === fwd.nextSeq && ack === fwd.lastAck;
    if (repeats && window !== 0 && window !== fwd.window) analysis |= TcpAnalysisFlag.WindowUpdate;
    // Window full: the data reaches exactly the right edge of the window the peer advertised.
    if (seglen > 0 && synFinRst === 0 && rev.winScale !== -1) {
      const edge = rev.lastAck + rev.window * (rev.winScale === -2 ? 1 : 1 << rev.winScale);
      if (u32(seq + seglen) === u32(edge)) analysis |= TcpAnalysisFlag.WindowFull;
    }
    if (repeats && window === fwd.window) {
      if (window !== 0) {
        if (rev.lastFlags & TcpAnalysisFlag.KeepAlive) {
          analysis |= TcpAnalysisFlag.KeepAliveAck;
        } else {
          fwd.dupAckCount = fwd.dupAckCount === DUPACK_AFTER_LOST ? 1 : fwd.dupAckCount + 1;
          analysis |= TcpAnalysisFlag.DuplicateAck;
          result.dupAckNumber[i] = fwd.dupAckCount;
          result.dupAckFrame[i] = fwd.lastNonDupAck;
        }
      } else if (rev.lastFlags & TcpAnalysisFlag.ZeroWindowProbe) {
        analysis |= TcpAnalysisFlag.ZeroWindowProbeAck;
      }
    }
  }
  if (ack !== fwd.lastAck) {
    fwd.lastNonDupAck = frame;
    fwd.dupAckCount = 0;
  }

  // ACKed unseen segment: this side acknowledges more than the other side was seen sending
  // without a hole. tshark 4.0 reports it whenever the other side's data has a hole below its
  // highest byte; without a hole, once, parking the other side's duplicate-ACK counter at -1 in
  // an unsigned field until that side acknowledges something new. Either way the mark moves up
  // to what was seen. Its fast-retransmission test reads the parked -1 as "many duplicate ACKs";
  // we keep the quirk so tcp.analysis.fast_retransmission matches Wireshark. (Reproduces tshark
  // 4.0.17 on every corpus capture: scripts/compare-tcp-corpus.ts.)
  if (rev.maxSeqToBeAcked !== 0 && seqGT(ack, rev.maxSeqToBeAcked) && flags & ACK) {
    if (rev.maxSeqToBeAcked !== rev.nextSeq) {
      analysis |= TcpAnalysisFlag.AckLostSegment;
    } else {
      if (rev.dupAckCount === 0) analysis |= TcpAnalysisFlag.AckLostSegment;
      rev.dupAckCount = DUPACK_AFTER_LOST;
    }
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  // Retransmission, fast retransmission, out-of-order, spurious: a segment with data (or SYN or
  // FIN) that does not advance the sequence number.
  if ((seglen > 0 || flags & (SYN | FIN)) && !(analysis & TcpAnalysisFlag.KeepAlive)) {
    let notAdvanced = fwd.nextSeq !== 0 && seqLT(seq, fwd.nextSeq);
    // A longer segment starting one byte back really carries new data (after a window probe).
    if (seglen > 1 && u32(fwd.nextSeq - 1) === seq) notAdvanced = false;

    const sinceLastAck = now - rev.lastAckTime;
    const sinceHighest = now - fwd.nextSeqTime;
    const outOfOrderWindow = Number.isNaN(conv.initialRttNs) ? 3_000_000 : conv.initialRttNs;
    const consumed = seglen + (flags & (SYN | FIN) ? 1 : 0);
    if (seglen > 0 && rev.lastAck !== 0 && seqLE(u32(seq + seglen), rev.lastAck)) {
      // Everything in it was already acknowledged.
      analysis |= TcpAnalysisFlag.SpuriousRetransmission | TcpAnalysisFlag.Retransmission;
    } else if (notAdvanced && rev.dupAckCount >= 2 && rev.lastAck === seq && sinceLastAck < 20_000_000) {
      analysis |= TcpAnalysisFlag.FastRetransmission | TcpAnalysisFlag.Retransmission;
    } else if (notAdvanced && sinceHighest < outOfOrderWindow && fwd.nextSeq !== u32(seq + consumed)) {
      analysis |= TcpAnalysisFlag.OutOfOrder;
    } else if (notAdvanced) {
      analysis |= TcpAnalysisFlag.Retransmission;
      // The delay is measured from the oldest segment still unacknowledged (likely the one
      // resent), else from the segment that last raised the sequence number.
      const eldest = fwd.unackedCount > 0;
      const delay = eldest ? now - fwd.unacked[2] : sinceHighest;
      // tshark leaves rto/rto_frame out when the delay is exactly zero (a duplicated frame).
      if (delay !== 0) {
        result.rto[i] = delay / 1e9;
        result.rtoFrame[i] = eldest ? fwd.unacked[0] : fwd.nextSeqFrame;
      }
    }
  }

  let next = u32(seq + seglen);
  if ((seglen > 0 || flags & (SYN | FIN)) && fwd.unackedCount < MAX_UNACKED_SEGMENTS) {
    if (flags & (SYN | FIN)) next = u32(next + 1);
    const at = fwd.unackedCount++ * UNACKED_FIELDS;
    fwd.unacked[at] = frame;
    fwd.unacked[at + 1] = next;
    fwd.unacked[at + 2] = now;
  }
  // The highest sequence number sent so far, and when: the reference for the checks above.
  if ((fwd.nextSeq === 0 || seqGT(next, fwd.nextSeq)) && !zeroWindowProbe) {
    fwd.nextSeq = next;
    fwd.nextSeqFrame = frame;
    fwd.nextSeqTime = now;
  }

  if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !zeroWindowProbe) {
    fwd.maxSeqToBeAcked = fwd.nextSeq;
  }

  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckTime = now;
  fwd.lastFlags = analysis;

  // Forget the other side's segments this one acknowledges (tshark compares the raw ack field
  // even when the ACK flag is off, and so do we).
  const pending = rev.unackedCount;
  if (pending > 0) {
    const unacked = rev.unacked;
    let kept = 0;
    for (let k = 0; k < pending; k++) {
      const at = k * UNACKED_FIELDS;
      if (!seqGT(unacked[at + 1], ack)) continue;
      const to = kept * UNACKED_FIELDS;
      unacked[to] = unacked[at];
      unacked[to + 1] = unacked[at + 1];
      unacked[to + 2] = unacked[at + 2];
      kept++;
    }
    rev.unackedCount = kept;
  }

  // Initial RTT: from the most recent SYN to the first non-SYN segment that acknowledges
  // something (the handshake's ACK, or the RST that refuses it). Computed after the checks
  // above, so the packet that completes it is still judged with the 3 ms out-of-order window,
  // as tshark does (zeek/Traces/modbus/fuzz-72.pcap frame 2).
  if ((flags & (SYN | ACK)) === SYN) conv.lastSynTime = now;
  if (flags & ACK && !(flags & SYN) && Number.isNaN(conv.initialRttNs) && !Number.isNaN(conv.lastSynTime)) {
    conv.initialRttNs = now - conv.lastSynTime;
  }
  return analysis;
}
