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
  /**
   * The conversation's endpoint pair (unordered), numbered in order of appearance: the streams of
   * reused ports share one. An array slot per pair lets later passes (the attempt table) find what
   * they know of a 4-tuple without hashing it again. -1 without a TCP header, and for an
   * ICMP-quoted header between endpoints that never exchanged a segment.
   */
  pair: Int32Array;
  streams: TcpStreamList;
}

/**
 * What the attempt table needs of the TCP analysis: tcp.stream, the endpoints, and of
 * `analysisFlags` the bits Duplicate, PortsReused and QuotedInIcmp (the others are 0). `tcpKeysOf`
 * computes only these, in a third of the time and memory of the whole analysis.
 */
export type TcpKeys = Pick<TcpStreams, 'stream' | 'srcEndpoint' | 'dstEndpoint' | 'pair' | 'analysisFlags' | 'streams'>;

/**
 * The streams (tcp.stream 0, 1, …) as columns: a flood has a stream per packet, and an object
 * each was a tenth of the analysis's memory. `at(i)` makes the object for one.
 */
export class TcpStreamList {
  count = 0;
  /** Distinct endpoint pairs the streams are between (TcpStreams.pair numbers them). */
  pairs = 0;
  firstPacket: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  lastPacket: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  packetCount: Uint32Array<ArrayBuffer> = new Uint32Array(0);

  /** Room for this many streams at once. */
  reserve(streams: number): void {
    if (streams <= this.firstPacket.length) return;
    const grown = (from: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const to = new Uint32Array(streams);
      to.set(from.subarray(0, this.count));
      return to;
    };
    this.firstPacket = grown(this.firstPacket);
    this.lastPacket = grown(this.lastPacket);
    this.packetCount = grown(this.packetCount);
  }

  /** A new stream whose first packet is `packet` (counted by `note`); returns its index. */
  add(packet: number): number {
    const stream = this.count++;
    if (stream >= this.firstPacket.length) this.reserve(Math.max(64, Math.ceil(stream * 1.5)));
    this.firstPacket[stream] = packet;
    this.lastPacket[stream] = packet;
    this.packetCount[stream] = 0;
    return stream;
  }

  /** `packet` belongs to `stream`. */
  note(stream: number, packet: number): void {
    this.lastPacket[stream] = packet;
    this.packetCount[stream]++;
  }

  /** Stream i, or undefined when there is no such stream. */
  at(i: number): TcpStreamInfo | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    return {
      index: i,
      firstPacket: this.firstPacket[i],
      lastPacket: this.lastPacket[i],
      packetCount: this.packetCount[i],
    };
  }

  /** Every stream as an object, in order: for tests and small captures. */
  toArray(): TcpStreamInfo[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i)!);
  }
}

// ---------------------------------------------------------------------------------------------

/** Fields of one entry of a flow's unacknowledged segments: frame number, next sequence number, time. */
const UNACKED_FIELDS = 3;

/** How many earlier segments per direction a copy is looked for among. */
const RECENT_SEGMENTS = 8;

/**
 * The state of every connection, as typed columns: per conversation (by stream index) and per
 * direction (flow `2 × stream` is the side that sent the stream's first packet, `+ 1` the other),
 * what tshark keeps in its tcp_analysis and tcp_flow_t. A scan or a flood has a connection for
 * nearly every packet; an object per flow, with its arrays, was most of the analysis's memory.
 */
class ConnectionColumns {
  capacity = 0;
  /** Only what numbers streams and spots copies (see TcpKeys): the other columns stay empty. */
  constructor(readonly keysOnly: boolean) {}

  // Per conversation.
  /** Endpoint id of the side that is flow 2 × stream. */
  aKey = new Int32Array(0);
  /** Its endpoint pair (TcpStreams.pair). */
  pair = new Int32Array(0);
  /** Time of the most recent pure SYN, for the initial RTT; NaN = none. */
  lastSynTime = new Float64Array(0);
  /** Nanoseconds, NaN until known. */
  initialRttNs = new Float64Array(0);
  /**
   * Times inside a conversation are nanoseconds since this second: exact in a double, where
   * nanoseconds since the capture's first packet would not be for merged captures years apart.
   */
  originSeconds = new Float64Array(0);
  // Per flow (two per conversation).
  baseSeq = new Uint32Array(0);
  baseSet = new Uint8Array(0);
  /** Raw sequence number after the highest segment seen; 0 = not yet known (as in tshark). */
  nextSeq = new Uint32Array(0);
  nextSeqFrame = new Uint32Array(0);
  nextSeqTime = new Float64Array(0);
  lastAck = new Uint32Array(0);
  lastAckTime = new Float64Array(0);
  dupAckCount = new Uint32Array(0);
  /** Frame number of this side's last segment that moved its ACK (tshark's lastnondupack). */
  lastNonDupAck = new Uint32Array(0);
  /** TcpAnalysisFlag bits of this side's last analysed segment (tshark's lastsegmentflags). */
  lastFlags = new Uint32Array(0);
  /** Highest contiguous sequence number sent, to spot ACKs of segments never captured. */
  maxSeqToBeAcked = new Uint32Array(0);
  /** The last window field; -1 before any. */
  window = new Int32Array(0);
  /** Window scale shift from this side's SYN: -1 unknown, -2 none. */
  winScale = new Int8Array(0);
  /** Time of this side's latest segment (-Infinity before any). */
  lastSeenTime = new Float64Array(0);
  /**
   * Segments sent and not yet acknowledged, oldest first (tshark's unacked list), UNACKED_FIELDS
   * numbers per segment in one array per flow, made when the flow sends and let go when all is
   * acknowledged.
   */
  unacked: (number[] | undefined)[] = [];
  unackedCount = new Uint32Array(0);
  /**
   * The last RECENT_SEGMENTS segments' IPv4 IDs and what they carried, to spot the same datagram
   * captured twice — the copy can come a few packets later when two interfaces interleave. A
   * flow's first segment is kept in `firstSegment` (entry f); from its second on, in a ring of
   * `rings` (entries RECENT_SEGMENTS × (recentRing[f] − 1) on): a scan's or a flood's flows send
   * one segment and never get a ring.
   */
  readonly firstSegment = new SegmentRecords();
  readonly rings = new SegmentRecords();
  /** Ring number + 1 of each flow; 0 while it has none. */
  recentRing = new Uint32Array(0);
  #ringCount = 0;
  recentCount = new Uint8Array(0);
  recentNext = new Uint8Array(0);

  /** Whether an earlier segment of flow f is the same datagram: see analyzeSegment. */
  hasCopy(
    f: number,
    ipId: number,
    now: number,
    seq: number,
    ack: number,
    flags: number,
    length: number,
    revSeen: number,
  ): boolean {
    const count = this.recentCount[f];
    const ring = this.recentRing[f];
    if (ring === 0) return count > 0 && this.firstSegment.isCopy(f, ipId, now, seq, ack, flags, length, revSeen);
    const first = (ring - 1) * RECENT_SEGMENTS;
    for (let e = first; e < first + count; e++)
      if (this.rings.isCopy(e, ipId, now, seq, ack, flags, length, revSeen)) return true;
    return false;
  }

  /** Records a segment of flow f, the oldest of RECENT_SEGMENTS making room. */
  remember(f: number, ipId: number, now: number, seq: number, ack: number, flags: number, length: number): void {
    const count = this.recentCount[f];
    if (count === 0) {
      this.firstSegment.write(f, ipId, now, seq, ack, flags, length);
      this.recentCount[f] = 1;
      this.recentNext[f] = 1;
      return;
    }
    if (this.recentRing[f] === 0) {
      const ring = this.#ringCount++;
      this.rings.ensure((ring + 1) * RECENT_SEGMENTS);
      this.rings.copyFrom(this.firstSegment, f, ring * RECENT_SEGMENTS);
      this.recentRing[f] = ring + 1;
    }
    const next = this.recentNext[f];
    this.rings.write((this.recentRing[f] - 1) * RECENT_SEGMENTS + next, ipId, now, seq, ack, flags, length);
    if (count < RECENT_SEGMENTS) this.recentCount[f] = count + 1;
    this.recentNext[f] = (next + 1) % RECENT_SEGMENTS;
  }

  /** Room for this many conversations at once, so a capture whose count is known grows nothing. */
  reserve(conversations: number): void {
    if (conversations > this.capacity) this.#grow(conversations);
  }

  /** Makes room for conversation `stream` and sets it (and its two flows) to the state of a new one. */
  start(stream: number, aKey: number, pair: number, originSeconds: number): void {
    // 1.5 ×, not 2 ×: in a flood these columns are most of the analysis's memory, and while they
    // grow the old and the new are held at once
    if (stream >= this.capacity) this.#grow(Math.max(64, Math.ceil(this.capacity * 1.5), stream + 1));
    this.aKey[stream] = aKey;
    this.pair[stream] = pair;
    this.originSeconds[stream] = originSeconds;
    this.lastSeenTime[2 * stream] = -Infinity;
    this.lastSeenTime[2 * stream + 1] = -Infinity;
    // The rest start at 0, as the new columns are.
    if (this.keysOnly) return;
    this.lastSynTime[stream] = NaN;
    this.initialRttNs[stream] = NaN;
    for (let f = 2 * stream; f < 2 * stream + 2; f++) {
      this.window[f] = -1;
      this.winScale[f] = -1;
    }
  }

  /**
   * The first steps for each segment of flow `fwd` (the other side's `rev`), in both modes: the
   * base of relative numbering, then our duplicate check (before tshark's state moves on; a copy
   * is only a copy if the other side sent nothing in between: Linux answers each retransmitted
   * SYN with a SYN/ACK identical to the last one, IP ID 0 included, and that answer is a real
   * retransmission). Returns TcpAnalysisFlag.Duplicate or 0.
   */
  baseAndCopy(
    fwd: number,
    rev: number,
    now: number,
    seq: number,
    ack: number,
    flags: number,
    seglen: number,
    ipId: number,
  ): number {
    // Relative numbering starts at the SYN's ISN, or one before the first segment seen midstream
    // (so a capture that starts late still shows Seq=1). The other side's ISN is ack-1 of the
    // first segment that acknowledges anything.
    if (!this.baseSet[fwd]) {
      this.baseSeq[fwd] = flags & SYN ? seq : u32(seq - 1);
      this.baseSet[fwd] = 1;
    }
    if (!this.baseSet[rev] && flags & ACK) {
      this.baseSeq[rev] = u32(ack - 1);
      this.baseSet[rev] = 1;
    }
    let duplicate = 0;
    if (ipId >= 0) {
      if (this.hasCopy(fwd, ipId, now, seq, ack, flags, seglen, this.lastSeenTime[rev]))
        duplicate = TcpAnalysisFlag.Duplicate;
      else this.remember(fwd, ipId, now, seq, ack, flags, seglen);
    }
    this.lastSeenTime[fwd] = now;
    return duplicate;
  }

  #grow(conversations: number): void {
    this.capacity = conversations;
    const flows = 2 * conversations;
    const grown = <T extends Int8Array | Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array>(
      from: T,
      to: T,
    ): T => {
      to.set(from);
      return to;
    };
    this.aKey = grown(this.aKey, new Int32Array(conversations));
    this.pair = grown(this.pair, new Int32Array(conversations));
    this.originSeconds = grown(this.originSeconds, new Float64Array(conversations));
    this.baseSeq = grown(this.baseSeq, new Uint32Array(flows));
    this.baseSet = grown(this.baseSet, new Uint8Array(flows));
    this.lastSeenTime = grown(this.lastSeenTime, new Float64Array(flows));
    this.firstSegment.ensure(flows);
    this.recentRing = grown(this.recentRing, new Uint32Array(flows));
    this.recentCount = grown(this.recentCount, new Uint8Array(flows));
    this.recentNext = grown(this.recentNext, new Uint8Array(flows));
    if (this.keysOnly) return;
    this.lastSynTime = grown(this.lastSynTime, new Float64Array(conversations));
    this.initialRttNs = grown(this.initialRttNs, new Float64Array(conversations));
    this.nextSeq = grown(this.nextSeq, new Uint32Array(flows));
    this.nextSeqFrame = grown(this.nextSeqFrame, new Uint32Array(flows));
    this.nextSeqTime = grown(this.nextSeqTime, new Float64Array(flows));
    this.lastAck = grown(this.lastAck, new Uint32Array(flows));
    this.lastAckTime = grown(this.lastAckTime, new Float64Array(flows));
    this.dupAckCount = grown(this.dupAckCount, new Uint32Array(flows));
    this.lastNonDupAck = grown(this.lastNonDupAck, new Uint32Array(flows));
    this.lastFlags = grown(this.lastFlags, new Uint32Array(flows));
    this.maxSeqToBeAcked = grown(this.maxSeqToBeAcked, new Uint32Array(flows));
    this.window = grown(this.window, new Int32Array(flows));
    this.winScale = grown(this.winScale, new Int8Array(flows));
    this.unackedCount = grown(this.unackedCount, new Uint32Array(flows));
  }
}

/** Segments as columns (IPv4 ID, time, seq, ack, flags, length), for the duplicate check. */
class SegmentRecords {
  ipId = new Uint16Array(0);
  time = new Float64Array(0);
  seq = new Uint32Array(0);
  ack = new Uint32Array(0);
  flags = new Uint16Array(0);
  length = new Uint32Array(0);

  ensure(entries: number): void {
    if (entries <= this.ipId.length) return;
    const size = Math.max(entries, this.ipId.length * 2);
    const grown = <T extends Uint16Array | Uint32Array | Float64Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.ipId = grown(this.ipId, new Uint16Array(size));
    this.time = grown(this.time, new Float64Array(size));
    this.seq = grown(this.seq, new Uint32Array(size));
    this.ack = grown(this.ack, new Uint32Array(size));
    this.flags = grown(this.flags, new Uint16Array(size));
    this.length = grown(this.length, new Uint32Array(size));
  }

  write(e: number, ipId: number, time: number, seq: number, ack: number, flags: number, length: number): void {
    this.ipId[e] = ipId;
    this.time[e] = time;
    this.seq[e] = seq;
    this.ack[e] = ack;
    this.flags[e] = flags;
    this.length[e] = length;
  }

  copyFrom(other: SegmentRecords, from: number, to: number): void {
    this.write(
      to,
      other.ipId[from],
      other.time[from],
      other.seq[from],
      other.ack[from],
      other.flags[from],
      other.length[from],
    );
  }

  /**
   * Entry e is the same datagram captured again: a stack copy (pktmon), or the same IPv4 ID within
   * DUPLICATE_WINDOW_NS with nothing from the other side in between (`revSeen`: its latest time).
   */
  isCopy(
    e: number,
    ipId: number,
    now: number,
    seq: number,
    ack: number,
    flags: number,
    length: number,
    revSeen: number,
  ): boolean {
    const time = this.time[e];
    const id = this.ipId[e];
    return (
      (isStackCopy(id, ipId, now - time) || (id === ipId && now - time <= DUPLICATE_WINDOW_NS && time >= revSeen)) &&
      this.seq[e] === seq &&
      this.ack[e] === ack &&
      this.flags[e] === flags &&
      this.length[e] === length
    );
  }
}

/** tshark stops tracking unacknowledged segments past this many (one-sided captures). */
const MAX_UNACKED_SEGMENTS = 10000;
/** tshark's duplicate-ACK counter after an ACK of unseen data: -1 stored in an unsigned int. */
const DUPACK_AFTER_LOST = 0xffffffff;
const { FIN, SYN, RST, ACK } = TcpFlag;

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
  private readonly v4: NumberMap;
  private readonly other = new Map<string, number>();
  private count = 0;

  /** `expected`: how many endpoints to make room for at first. */
  constructor(expected = 1024) {
    this.v4 = new NumberMap(expected);
  }

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

/**
 * The newest conversation of each unordered pair of endpoints, found without hashing for nearly
 * every pair: a pair is kept at its newer endpoint (the larger id), in arrays indexed by endpoint,
 * as long as that endpoint has no other pair there. Only an endpoint paired with several older
 * ones (a server first seen after some of its clients, a client port reused towards another
 * server) sends its later pairs to a hash map. A
 * flood's or a scan's every packet brings a new endpoint and a new pair: kept this way, the pair
 * costs a write at the end of an array instead of a cache miss in a table as large as the flood.
 */
export class PairIndex {
  /** Per endpoint: the older endpoint of the pair kept here, -1 for none; and its conversation. */
  #peer = new Int32Array(0);
  #conversation = new Int32Array(0);
  /** Pairs whose newer endpoint's place was taken: pairId(older, newer) → conversation. */
  readonly #others = new NumberMap(64);

  /** `endpoints`: how many to make room for at first (it grows past them). */
  constructor(endpoints = 1024) {
    this.#grow(endpoints);
  }

  /** The conversation of the pair (a, b), -1 when there is none. */
  get(a: number, b: number): number {
    const older = a < b ? a : b;
    const newer = a < b ? b : a;
    if (newer >= this.#peer.length) return -1;
    const peer = this.#peer[newer];
    if (peer === older) return this.#conversation[newer];
    // a pair goes to the map only when its newer endpoint's place is taken
    return peer < 0 ? -1 : this.#others.get(pairId(older, newer));
  }

  set(a: number, b: number, conversation: number): void {
    const older = a < b ? a : b;
    const newer = a < b ? b : a;
    if (newer >= this.#peer.length) this.#grow(Math.max(newer + 1, Math.ceil(this.#peer.length * 1.5)));
    const peer = this.#peer[newer];
    if (peer < 0 || peer === older) {
      this.#peer[newer] = older;
      this.#conversation[newer] = conversation;
    } else this.#others.set(pairId(older, newer), conversation);
  }

  #grow(endpoints: number): void {
    const peer = new Int32Array(endpoints).fill(-1);
    peer.set(this.#peer);
    const conversation = new Int32Array(endpoints);
    conversation.set(this.#conversation);
    this.#peer = peer;
    this.#conversation = conversation;
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
export function analyzeTcpStreams(capture: Capture, keysOnly = false): TcpStreams {
  const store = storeOf(capture);
  const analyzer = new TcpStreamAnalyzer(store, store.count, tcpPacketCounts(store).syns, keysOnly);
  for (let i = 0; i < store.count; i++) analyzer.analyze(i);
  return analyzer.result;
}

const sharedKeys = new WeakMap<Capture, TcpKeys>();

/**
 * What the verdicts need of the TCP analysis (TcpKeys): the whole analysis when the capture
 * already has it (the lab, the filters), else only the keys, computed once and shared. The same
 * numbers as the whole analysis's (tests/analysis/tcp-keys.test.ts).
 */
export function tcpKeysOf(capture: Capture): TcpKeys {
  const whole = shared.get(capture);
  if (whole) return whole;
  let keys = sharedKeys.get(capture);
  if (!keys) {
    keys = analyzeTcpStreams(capture, true);
    sharedKeys.set(capture, keys);
  }
  return keys;
}

/**
 * A store's TCP packets, and its SYNs without ACK: what the TCP analysis and the attempt table
 * size their tables from. The SYNs are about how many connections (and attempts) there are — a
 * retransmitted SYN counts twice, a connection caught mid-way not at once — exact for a scan or
 * a flood, where the tables would otherwise grow by copying a few times over hundreds of
 * thousands of connections.
 */
export function tcpPacketCounts(store: PacketStore): { tcp: number; syns: number } {
  const { layers, tcpFlags } = store.columns;
  let tcp = 0;
  let syns = 0;
  for (let i = 0; i < store.count; i++) {
    if (!(layers[i] & Layer.Tcp)) continue;
    tcp++;
    if ((tcpFlags[i] & (SYN | ACK)) === SYN) syns++;
  }
  return { tcp, syns };
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
  readonly #byPair: PairIndex;
  readonly #connections: ConnectionColumns;
  readonly #endpoints: EndpointTable;
  /** Computes only the TcpKeys fields; the other per-packet arrays stay empty. */
  readonly #keysOnly: boolean;

  /**
   * `rows`: how many rows to make room for at first (the whole capture's count when known);
   * `conversations`: how many connections to expect (see `tcpPacketCounts`). Both are
   * hints: the tables grow past them.
   */
  constructor(store: PacketStore, rows = 1024, conversations = 0, keysOnly = false) {
    this.#store = store;
    this.#keysOnly = keysOnly;
    // most connections bring a new endpoint (the client's port), a few are servers
    this.#byPair = new PairIndex(conversations + 1024);
    this.#connections = new ConnectionColumns(keysOnly);
    this.#connections.reserve(conversations);
    // most connections bring a new endpoint (the client's port), a few are servers
    this.#endpoints = new EndpointTable(conversations + 1024);
    const all = keysOnly ? 0 : rows;
    this.result = {
      stream: new Int32Array(rows),
      relSeq: new Float64Array(all),
      relAck: new Float64Array(all),
      nxtSeq: new Float64Array(all),
      analysisFlags: new Uint32Array(rows),
      rtoFrame: new Int32Array(all),
      dupAckFrame: new Uint32Array(all),
      dupAckNumber: new Uint32Array(all),
      rto: new Float64Array(all),
      initialRtt: new Float64Array(all),
      windowScale: new Float64Array(all),
      srcEndpoint: new Int32Array(rows),
      dstEndpoint: new Int32Array(rows),
      pair: new Int32Array(rows),
      streams: new TcpStreamList(),
    };
    this.result.streams.reserve(conversations);
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
    const byPair = this.#byPair;

    if (!direct) {
      const tcp = store.dissectionOf(i).icmp!.quoted!.tcp!;
      // tshark reads the quoted header's seq/ack raw and skips all analysis; it only finds the
      // conversation when the quote reaches past the flags and window (16 bytes).
      result.analysisFlags[i] = TcpAnalysisFlag.QuotedInIcmp;
      if (tcp.seq !== undefined && !this.#keysOnly) result.relSeq[i] = tcp.seq;
      if (tcp.ack !== undefined && !this.#keysOnly) result.relAck[i] = tcp.ack;
      const known = byPair.get(srcKey, dstKey);
      if (known >= 0) result.pair[i] = this.#connections.pair[known];
      if (tcp.flags !== undefined && tcp.window !== undefined) {
        const stream = known >= 0 ? known : this.#startConversation(srcKey, dstKey, i, -1);
        this.#noteInStream(stream, i);
        result.stream[i] = stream;
        result.pair[i] = this.#connections.pair[stream];
        if (this.#keysOnly) return;
        const scale = this.#connections.winScale[2 * stream + (this.#connections.aKey[stream] === srcKey ? 0 : 1)];
        if (!(tcp.flags & SYN)) result.windowScale[i] = scale >= 0 ? 1 << scale : scale;
      }
      return;
    }

    const flags = c.tcpFlags[i];
    const seq = c.seq[i];
    const ack = c.ack[i];
    const known = byPair.get(srcKey, dstKey);
    const k = this.#connections;
    let stream = known >= 0 ? known : this.#startConversation(srcKey, dstKey, i, -1);
    let fwd = 2 * stream + (k.aKey[stream] === srcKey ? 0 : 1);
    let analysis = 0;

    // A SYN with a new initial sequence number on ports already in use starts a new stream
    // (tshark: "TCP Port numbers reused"); the same ISN again is a retransmission.
    if ((flags & (SYN | ACK)) === SYN && k.baseSet[fwd] && seq !== k.baseSeq[fwd]) {
      stream = this.#startConversation(srcKey, dstKey, i, stream);
      fwd = 2 * stream;
      analysis |= TcpAnalysisFlag.PortsReused;
    } else if ((flags & (SYN | ACK)) === (SYN | ACK) && k.baseSet[fwd] && seq !== k.baseSeq[fwd]) {
      // A SYN/ACK with a new ISN: tshark flags it and renumbers this side from it.
      analysis |= TcpAnalysisFlag.PortsReused;
      k.baseSeq[fwd] = seq;
    }
    const rev = fwd ^ 1;
    result.stream[i] = stream;
    result.pair[i] = k.pair[stream];
    this.#noteInStream(stream, i);

    const now = (c.seconds[i] - k.originSeconds[stream]) * 1e9 + c.nanoseconds[i];
    // tcp.len as tshark computes it: bounded by the IP length and by the frame's length on the
    // wire (a frame sliced by a short snap length still counts; one cut on the wire does not).
    const seglen = Math.max(0, Math.min(c.payloadLength[i], c.originalLength[i] - c.payloadOffset[i]));
    // A fragment's TCP length is unknown until reassembly; tshark then skips the analysis.
    const isV4 = (layers & Layer.IPv4) !== 0;
    const haveSeglen = !(isV4 && layers & Layer.MoreFragments);
    if (this.#keysOnly) {
      if (haveSeglen) analysis |= k.baseAndCopy(fwd, rev, now, seq, ack, flags, seglen, isV4 ? c.ipId[i] : -1);
      result.analysisFlags[i] = analysis;
      return;
    }

    // Window scaling (RFC 7323): each side announces its shift on its SYN, and scaling is used
    // only if both did. A SYN without the option settles it for both directions.
    if (flags & SYN) {
      const shift = c.windowScaleOption[i];
      if (shift >= 0) k.winScale[fwd] = Math.min(shift, 14);
      if (k.winScale[fwd] === -1) {
        k.winScale[fwd] = -2;
        k.winScale[rev] = -2;
      } else if (flags & ACK && k.winScale[rev] === -2) {
        k.winScale[fwd] = -2;
      }
    }

    if (haveSeglen) {
      analysis |= analyzeSegment(
        result,
        i,
        c.number[i],
        now,
        k,
        stream,
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
      result.relSeq[i] = u32(seq - k.baseSeq[fwd]);
      result.relAck[i] = flags & ACK ? u32(ack - k.baseSeq[rev]) : ack;
      let next = seq + seglen;
      if (flags & (SYN | FIN)) next += 1;
      result.nxtSeq[i] = u32(next - k.baseSeq[fwd]);
      const initialRttNs = k.initialRttNs[stream];
      if (!Number.isNaN(initialRttNs)) result.initialRtt[i] = initialRttNs / 1e9;
    } else {
      result.analysisFlags[i] = analysis;
      result.relSeq[i] = seq;
      result.relAck[i] = ack;
    }
    if (!(flags & SYN)) {
      const scale = k.winScale[fwd];
      result.windowScale[i] = scale >= 0 ? 1 << scale : scale;
    }
  }

  /**
   * A new conversation (tcp.stream) between the pair, row i its first packet; returns its index.
   * `previous`: the pair's newest conversation, whose ports this one reuses; -1 for a new pair.
   */
  #startConversation(srcKey: number, dstKey: number, i: number, previous: number): number {
    const streams = this.result.streams;
    const stream = streams.add(this.#store.forgottenRows + i);
    const pair = previous >= 0 ? this.#connections.pair[previous] : streams.pairs++;
    this.#connections.start(stream, srcKey, pair, this.#store.columns.seconds[i]);
    this.#byPair.set(srcKey, dstKey, stream);
    return stream;
  }

  #noteInStream(stream: number, i: number): void {
    this.result.streams.note(stream, this.#store.forgottenRows + i);
  }

  /** Row i as for a packet without TCP: every field absent. */
  #clearRow(i: number): void {
    const r = this.result;
    r.stream[i] = -1;
    r.analysisFlags[i] = 0;
    r.srcEndpoint[i] = -1;
    r.dstEndpoint[i] = -1;
    r.pair[i] = -1;
    if (this.#keysOnly) return;
    r.relSeq[i] = NaN;
    r.relAck[i] = NaN;
    r.nxtSeq[i] = NaN;
    r.rtoFrame[i] = 0;
    r.dupAckFrame[i] = 0;
    r.dupAckNumber[i] = 0;
    r.rto[i] = NaN;
    r.initialRtt[i] = NaN;
    r.windowScale[i] = NaN;
  }

  #grow(rows: number): void {
    const r = this.result;
    const grown = <T extends Int32Array | Uint32Array | Float64Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    r.stream = grown(r.stream, new Int32Array(rows));
    r.analysisFlags = grown(r.analysisFlags, new Uint32Array(rows));
    r.srcEndpoint = grown(r.srcEndpoint, new Int32Array(rows));
    r.dstEndpoint = grown(r.dstEndpoint, new Int32Array(rows));
    r.pair = grown(r.pair, new Int32Array(rows));
    if (this.#keysOnly) return;
    r.relSeq = grown(r.relSeq, new Float64Array(rows));
    r.relAck = grown(r.relAck, new Float64Array(rows));
    r.nxtSeq = grown(r.nxtSeq, new Float64Array(rows));
    r.rtoFrame = grown(r.rtoFrame, new Int32Array(rows));
    r.dupAckFrame = grown(r.dupAckFrame, new Uint32Array(rows));
    r.dupAckNumber = grown(r.dupAckNumber, new Uint32Array(rows));
    r.rto = grown(r.rto, new Float64Array(rows));
    r.initialRtt = grown(r.initialRtt, new Float64Array(rows));
    r.windowScale = grown(r.windowScale, new Float64Array(rows));
  }
}

/** tshark's tcp_analyze_sequence_number, reduced to the fields we expose. Returns flag bits. */
function analyzeSegment(
  result: TcpStreams,
  i: number,
  frame: number,
  now: number,
  k: ConnectionColumns,
  stream: number,
  /** The sending side's flow, and the other side's. */
  fwd: number,
  rev: number,
  seq: number,
  ack: number,
  flags: number,
  seglen: number,
  window: number,
  /** The IPv4 ID; -1 for IPv6, which has none. */
  ipId: number,
): number {
  let analysis = k.baseAndCopy(fwd, rev, now, seq, ack, flags, seglen, ipId);

  const fwdNextSeq = k.nextSeq[fwd];
  const fwdLastAck = k.lastAck[fwd];
  const fwdWindow = k.window[fwd];
  const revWindow = k.window[rev];
  const revLastAck = k.lastAck[rev];
  const revWinScale = k.winScale[rev];

  // tshark's checks in its order. A zero window probe (one byte at the next sequence number
  // while the peer's window is 0) skips all the others, and so do keep-alive ACKs and zero
  // window probe ACKs the duplicate-ACK check.
  const synFinRst = flags & (SYN | FIN | RST);
  const zeroWindowProbe = seglen === 1 && seq === fwdNextSeq && revWindow === 0;
  if (zeroWindowProbe) {
    analysis |= TcpAnalysisFlag.ZeroWindowProbe;
  } else {
    if (window === 0 && synFinRst === 0) analysis |= TcpAnalysisFlag.ZeroWindow;
    // A hole: this segment starts past everything seen from this side.
    if (fwdNextSeq !== 0 && seqGT(seq, fwdNextSeq) && (flags & RST) === 0) analysis |= TcpAnalysisFlag.LostSegment;
    // Keep-alive: 0 or 1 byte starting one before the next expected byte.
    if ((seglen === 0 || seglen === 1) && seq === u32(fwdNextSeq - 1) && synFinRst === 0) {
      analysis |= TcpAnalysisFlag.KeepAlive;
    }
    // Nothing new from this side (no data, same seq and ack): a window update if the window
    // moved, else a duplicate ACK — or the answer to a keep-alive or zero window probe.
    const repeats = seglen === 0 && synFinRst === 0 && seq === fwdNextSeq && ack === fwdLastAck;
    if (repeats && window !== 0 && window !== fwdWindow) analysis |= TcpAnalysisFlag.WindowUpdate;
    // Window full: the data reaches exactly the right edge of the window the peer advertised.
    if (seglen > 0 && synFinRst === 0 && revWinScale !== -1) {
      const edge = revLastAck + revWindow * (revWinScale === -2 ? 1 : 1 << revWinScale);
      if (u32(seq + seglen) === u32(edge)) analysis |= TcpAnalysisFlag.WindowFull;
    }
    if (repeats && window === fwdWindow) {
      if (window !== 0) {
        if (k.lastFlags[rev] & TcpAnalysisFlag.KeepAlive) {
          analysis |= TcpAnalysisFlag.KeepAliveAck;
        } else {
          const count = k.dupAckCount[fwd] === DUPACK_AFTER_LOST ? 1 : k.dupAckCount[fwd] + 1;
          k.dupAckCount[fwd] = count;
          analysis |= TcpAnalysisFlag.DuplicateAck;
          result.dupAckNumber[i] = count;
          result.dupAckFrame[i] = k.lastNonDupAck[fwd];
        }
      } else if (k.lastFlags[rev] & TcpAnalysisFlag.ZeroWindowProbe) {
        analysis |= TcpAnalysisFlag.ZeroWindowProbeAck;
      }
    }
  }
  if (ack !== fwdLastAck) {
    k.lastNonDupAck[fwd] = frame;
    k.dupAckCount[fwd] = 0;
  }

  // ACKed unseen segment: this side acknowledges more than the other side was seen sending
  // without a hole. tshark 4.0 reports it whenever the other side's data has a hole below its
  // highest byte; without a hole, once, parking the other side's duplicate-ACK counter at -1 in
  // an unsigned field until that side acknowledges something new. Either way the mark moves up
  // to what was seen. Its fast-retransmission test reads the parked -1 as "many duplicate ACKs";
  // we keep the quirk so tcp.analysis.fast_retransmission matches Wireshark. (Reproduces tshark
  // 4.0.17 on every corpus capture: scripts/compare-tcp-corpus.ts.)
  const revMaxSeqToBeAcked = k.maxSeqToBeAcked[rev];
  if (revMaxSeqToBeAcked !== 0 && seqGT(ack, revMaxSeqToBeAcked) && flags & ACK) {
    if (revMaxSeqToBeAcked !== k.nextSeq[rev]) {
      analysis |= TcpAnalysisFlag.AckLostSegment;
    } else {
      if (k.dupAckCount[rev] === 0) analysis |= TcpAnalysisFlag.AckLostSegment;
      k.dupAckCount[rev] = DUPACK_AFTER_LOST;
    }
    k.maxSeqToBeAcked[rev] = k.nextSeq[rev];
  }

  // Retransmission, fast retransmission, out-of-order, spurious: a segment with data (or SYN or
  // FIN) that does not advance the sequence number.
  if ((seglen > 0 || flags & (SYN | FIN)) && !(analysis & TcpAnalysisFlag.KeepAlive)) {
    let notAdvanced = fwdNextSeq !== 0 && seqLT(seq, fwdNextSeq);
    // A longer segment starting one byte back really carries new data (after a window probe).
    if (seglen > 1 && u32(fwdNextSeq - 1) === seq) notAdvanced = false;

    const sinceLastAck = now - k.lastAckTime[rev];
    const sinceHighest = now - k.nextSeqTime[fwd];
    const initialRttNs = k.initialRttNs[stream];
    const outOfOrderWindow = Number.isNaN(initialRttNs) ? 3_000_000 : initialRttNs;
    const consumed = seglen + (flags & (SYN | FIN) ? 1 : 0);
    if (seglen > 0 && revLastAck !== 0 && seqLE(u32(seq + seglen), revLastAck)) {
      // Everything in it was already acknowledged.
      analysis |= TcpAnalysisFlag.SpuriousRetransmission | TcpAnalysisFlag.Retransmission;
    } else if (notAdvanced && k.dupAckCount[rev] >= 2 && revLastAck === seq && sinceLastAck < 20_000_000) {
      analysis |= TcpAnalysisFlag.FastRetransmission | TcpAnalysisFlag.Retransmission;
    } else if (notAdvanced && sinceHighest < outOfOrderWindow && fwdNextSeq !== u32(seq + consumed)) {
      analysis |= TcpAnalysisFlag.OutOfOrder;
    } else if (notAdvanced) {
      analysis |= TcpAnalysisFlag.Retransmission;
      // The delay is measured from the oldest segment still unacknowledged (likely the one
      // resent), else from the segment that last raised the sequence number.
      const eldest = k.unackedCount[fwd] > 0;
      const delay = eldest ? now - k.unacked[fwd]![2] : sinceHighest;
      // tshark leaves rto/rto_frame out when the delay is exactly zero (a duplicated frame).
      if (delay !== 0) {
        result.rto[i] = delay / 1e9;
        result.rtoFrame[i] = eldest ? k.unacked[fwd]![0] : k.nextSeqFrame[fwd];
      }
    }
  }

  let next = u32(seq + seglen);
  if ((seglen > 0 || flags & (SYN | FIN)) && k.unackedCount[fwd] < MAX_UNACKED_SEGMENTS) {
    if (flags & (SYN | FIN)) next = u32(next + 1);
    const unacked = k.unacked[fwd];
    const at = k.unackedCount[fwd]++ * UNACKED_FIELDS;
    // A flow's first segment makes an array of exactly its three numbers: grown from [], the
    // array would reserve room for 16, and a flood has a flow of one segment per packet.
    if (unacked === undefined) k.unacked[fwd] = [frame, next, now];
    else {
      unacked[at] = frame;
      unacked[at + 1] = next;
      unacked[at + 2] = now;
    }
  }
  // The highest sequence number sent so far, and when: the reference for the checks above.
  if ((fwdNextSeq === 0 || seqGT(next, fwdNextSeq)) && !zeroWindowProbe) {
    k.nextSeq[fwd] = next;
    k.nextSeqFrame[fwd] = frame;
    k.nextSeqTime[fwd] = now;
  }

  const fwdMaxSeqToBeAcked = k.maxSeqToBeAcked[fwd];
  if ((seq === fwdMaxSeqToBeAcked || fwdMaxSeqToBeAcked === 0) && !zeroWindowProbe) {
    k.maxSeqToBeAcked[fwd] = k.nextSeq[fwd];
  }

  k.window[fwd] = window;
  k.lastAck[fwd] = ack;
  k.lastAckTime[fwd] = now;
  k.lastFlags[fwd] = analysis;

  // Forget the other side's segments this one acknowledges (tshark compares the raw ack field
  // even when the ACK flag is off, and so do we).
  const pending = k.unackedCount[rev];
  if (pending > 0) {
    const unacked = k.unacked[rev]!;
    let kept = 0;
    for (let e = 0; e < pending; e++) {
      const at = e * UNACKED_FIELDS;
      if (!seqGT(unacked[at + 1], ack)) continue;
      const to = kept * UNACKED_FIELDS;
      unacked[to] = unacked[at];
      unacked[to + 1] = unacked[at + 1];
      unacked[to + 2] = unacked[at + 2];
      kept++;
    }
    k.unackedCount[rev] = kept;
    // Memory follows the data in flight, not the connections ever seen.
    if (kept === 0) k.unacked[rev] = undefined;
  }

  // Initial RTT: from the most recent SYN to the first non-SYN segment that acknowledges
  // something (the handshake's ACK, or the RST that refuses it). Computed after the checks
  // above, so the packet that completes it is still judged with the 3 ms out-of-order window,
  // as tshark does (zeek/Traces/modbus/fuzz-72.pcap frame 2).
  if ((flags & (SYN | ACK)) === SYN) k.lastSynTime[stream] = now;
  if (flags & ACK && !(flags & SYN) && Number.isNaN(k.initialRttNs[stream]) && !Number.isNaN(k.lastSynTime[stream])) {
    k.initialRttNs[stream] = now - k.lastSynTime[stream];
  }
  return analysis;
}
