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
// - The same 4-tuple and ISN again (a capture repeated, a port reused with a predictable ISN, a
//   SYN flood whose tool reuses sequence numbers): a SYN retransmits an earlier one only inside
//   a bounded window (RETRANSMISSION_WINDOW_S after that attempt's latest SYN, at most
//   MAX_SYNS_PER_ATTEMPT SYNs, and once the handshake completed only as a copy of the same
//   datagram: same IPv4 ID); past it, it opens a new attempt. So no attempt grows without bound
//   and nothing rescans earlier ones: linear time.
import type { Capture } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { TcpFlag } from '../decode/tcp.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { AttemptState, AttemptTable } from './attempt-table.ts';
import { PairMap } from './number-map.ts';
import { TcpAnalysisFlag, tcpKeysOf, tcpPacketCounts, type TcpKeys } from './tcp-streams.ts';
import { isPlainSynAck } from './rules.ts';
import type { Role } from './vocabulary.ts';
import type { Attempt } from './types.ts';

const { FIN, SYN, RST, ACK } = TcpFlag;

/**
 * The longest a client waits between two SYNs of one attempt: Linux caps its SYN backoff at
 * TCP_RTO_MAX (120 s), Windows at far less. A SYN with the same 4-tuple and ISN later than this
 * after the attempt's latest SYN is a new attempt, not a retransmission.
 */
export const RETRANSMISSION_WINDOW_S = 130;
/**
 * How far back in capture time a SYN may still join an attempt: captures merged from two
 * interfaces hold packets slightly out of order; a capture appended to itself goes back by its
 * whole length.
 */
export const REORDER_SLACK_S = 1;
/**
 * The most SYNs one attempt holds: Linux sends 1 + tcp_syn_retries (6 by default), Windows
 * 1 + TcpMaxConnectRetransmissions (2–4). More than this with one ISN is a tool reusing it.
 */
export const MAX_SYNS_PER_ATTEMPT = 16;

const u32 = (x: number): number => x >>> 0;
const seqDiff = (a: number, b: number): number => (a - b) | 0;

/** ICMP errors that say a destination cannot be reached (v4 type 3, v6 type 1). */
export function isDestinationUnreachable(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 3 : type === 1;
}

/** Every attempt in the capture, as columns (one pass; see the rules at the top). */
export function attemptTable(capture: Capture, tcp: TcpKeys = tcpKeysOf(capture)): AttemptTable {
  const store = storeOf(capture);
  const c = store.columns;
  // Nearly every attempt starts with a SYN (a SYN/ACK opens one only when its SYN is missing),
  // and most packets of a connection join one: the maps and columns are sized for that from the
  // start, rather than rehashed and copied as they grow (a flood's hundreds of thousands of
  // attempts made that most of this pass's time). They still grow past it if they must.
  const { tcp: tcpPackets, syns: synPackets } = tcpPacketCounts(store);
  const table = new AttemptTable(store, synPackets, tcpPackets);
  // A 4-tuple is a slot: its endpoint pair (numbered by the TCP analysis) and which of the two
  // is the client. What the table knows of a 4-tuple is found by slot, not hashed again: in a
  // flood or a scan each packet brings a new 4-tuple, and each hash lookup is a cache miss.
  const slotOf = (pair: number, client: number, server: number): number => 2 * pair + (client <= server ? 0 : 1);
  /** The same 4-tuple the other way round (a host talking to itself on one port is its own reverse). */
  const reverse = (slot: number, client: number, server: number): number => (client === server ? slot : slot ^ 1);
  /**
   * Per slot: the newest attempt opened on it, or the attempt its latest SYN joined; -1 before
   * any. It is always also the newest attempt opened with its own ISN on that slot.
   */
  const latest = new Int32Array(2 * tcp.streams.pairs).fill(-1);
  /**
   * (slot, ISN) → newest attempt with them, kept only for slots with more than one attempt (port
   * reuse, a capture repeated): on the others `latest` says it, and the map has nothing.
   */
  const byKey = new PairMap(64);
  const attemptWith = (slot: number, isn: number): number => {
    const a = latest[slot];
    return a < 0 || table.isn[a] === isn ? a : byKey.get(slot, isn);
  };
  /**
   * A SYN/ACK or RST with Ack x answers the attempt registered last for x: the one opened with
   * ISN x − 1 (attemptWith), or the one whose SYN carried data up to x (TCP Fast Open, a SYN with
   * payload: rare, so kept apart), whichever came later. Attempts are numbered in the order they
   * open, so a SYN's data came after attempt a opened exactly when a is below the count of
   * attempts at the time.
   */
  /** (client>server, end of the SYN's data) → index into synData*. */
  const bySynDataEnd = new PairMap(16);
  const synDataAttempt: number[] = [];
  /** Per entry: how many attempts had opened when it was registered. */
  const synDataAfter: number[] = [];
  const answered = (tuple: number, ack: number): number => {
    const opened = attemptWith(tuple, u32(ack - 1));
    if (synDataAttempt.length === 0) return opened;
    const e = bySynDataEnd.get(tuple, ack);
    if (e < 0) return opened;
    return opened < synDataAfter[e] ? synDataAttempt[e] : opened;
  };
  const synCarriedData = (tuple: number, end: number, a: number): void => {
    let e = bySynDataEnd.get(tuple, end);
    if (e < 0) {
      e = synDataAttempt.length;
      bySynDataEnd.set(tuple, end, e);
    }
    synDataAttempt[e] = a;
    synDataAfter[e] = table.count;
  };
  /** `earlier`: the newest attempt with the same 4-tuple and ISN (attemptWith's), -1 when none. */
  const open = (
    index: number,
    tuple: number,
    isn: number,
    clientPort: number,
    serverPort: number,
    synMissing: boolean,
    earlier: number,
  ): number => {
    const a = table.open(index, isn, clientPort, serverPort, tcp.stream[index], synMissing);
    if (earlier >= 0) table.repeat[a] = table.repeat[earlier] + 1;
    const before = latest[tuple];
    if (before >= 0) {
      // the slot's attempt so far goes into the map with this one (set again if it is there: it
      // is the newest with its ISN, so the entry is the same)
      byKey.set(tuple, table.isn[before], before);
      byKey.set(tuple, isn, a);
    }
    latest[tuple] = a;
    return a;
  };

  /** Whether a SYN in packet i can be a retransmission, a copy or the late SYN of attempt a. */
  const mayJoin = (a: number, i: number): boolean => {
    if (table.synCount[a] >= MAX_SYNS_PER_ATTEMPT) return false;
    const previous = table.synCount[a] > 0 ? table.lastSyn[a] : table.firstPacket[a];
    // Once the handshake completed, a client sends no SYN for it again: only a copy of its SYN
    // captured elsewhere (same IPv4 ID: another VLAN, a SPAN port) still belongs to it.
    if (table.has(a, AttemptState.SawClientAck)) {
      const copy =
        table.synCount[a] > 0 && c.layers[i] & c.layers[previous] & Layer.IPv4 && c.ipId[i] === c.ipId[previous];
      if (!copy) return false;
    }
    const since = store.epochOf(i) - store.epochOf(previous);
    return since >= -REORDER_SLACK_S && since <= RETRANSMISSION_WINDOW_S;
  };

  for (let i = 0; i < store.count; i++) {
    const layers = c.layers[i];
    if (layers & Layer.IcmpQuote) {
      const d = store.dissectionOf(i);
      if (!d.icmp?.quoted?.tcp || !d.ip || !isDestinationUnreachable(d.icmp.version, d.icmp.type)) continue;
      const qtcp = d.icmp.quoted.tcp;
      // no pair: its endpoints never exchanged a segment, so no attempt is theirs
      if (tcp.pair[i] < 0) continue;
      const tuple = slotOf(tcp.pair[i], tcp.srcEndpoint[i], tcp.dstEndpoint[i]);
      let a = qtcp.seq !== undefined ? attemptWith(tuple, qtcp.seq) : -1;
      if (a < 0) a = latest[tuple];
      if (a < 0) continue;
      table.add(a, i, formatIP(d.ip.src) === table.serverAddress(a) ? 'server' : 'router', 'icmp');
      continue;
    }

    if (!(layers & Layer.Tcp) || !(layers & (Layer.IPv4 | Layer.IPv6))) continue;
    const flags = c.tcpFlags[i];
    const src = tcp.srcEndpoint[i];
    const dst = tcp.dstEndpoint[i];
    const outbound = slotOf(tcp.pair[i], src, dst); // src as the client
    const inbound = reverse(outbound, src, dst); // src as the server
    const duplicate = (tcp.analysisFlags[i] & TcpAnalysisFlag.Duplicate) !== 0;
    const seq = c.seq[i];
    const ack = c.ack[i];
    const length = c.payloadLength[i];

    if ((flags & (SYN | ACK | RST)) === SYN) {
      const earlier = attemptWith(outbound, seq);
      let a = earlier;
      if (a >= 0 && mayJoin(a, i)) {
        // Without a SYN yet, the SYN/ACK came first (reordered capture): this is its own SYN.
        const hasSyn = table.synCount[a] > 0;
        if (!hasSyn) table.state[a] &= ~AttemptState.SynMissing;
        table.add(a, i, 'client', !hasSyn ? 'syn' : duplicate ? 'duplicate' : 'syn-retransmission');
      } else {
        a = open(i, outbound, seq, c.srcPort[i], c.dstPort[i], false, earlier);
        table.add(a, i, 'client', 'syn');
      }
      if (length > 0) synCarriedData(outbound, u32(seq + 1 + length), a);
      latest[outbound] = a;
      continue;
    }

    // SYN+ACK+RST and SYN+ACK+FIN are no answer: they go on as a RST or a FIN below.
    if (isPlainSynAck(flags)) {
      let a = answered(inbound, ack);
      if (a < 0) {
        const isn = u32(ack - 1);
        a = open(i, inbound, isn, c.dstPort[i], c.srcPort[i], true, attemptWith(inbound, isn));
      }
      const hasServerIsn = table.has(a, AttemptState.HasServerIsn);
      const again = table.has(a, AttemptState.SawSynAck) && hasServerIsn && table.serverIsn[a] === seq;
      table.add(a, i, 'server', duplicate ? 'duplicate' : again ? 'syn-ack-retransmission' : 'syn-ack');
      table.state[a] |= AttemptState.SawSynAck;
      if (!hasServerIsn) {
        table.serverIsn[a] = seq;
        table.state[a] |= AttemptState.HasServerIsn;
      }
      continue;
    }

    // Everything else belongs to the newest attempt on its 4-tuple, if there is one.
    const fromClient = latest[outbound];
    const fromServer = latest[inbound];
    if (flags & RST) {
      // A RST acknowledging ISN+1 answers that very SYN, even if a newer attempt exists.
      const answers = flags & ACK ? answered(inbound, ack) : -1;
      if (answers >= 0) table.add(answers, i, 'server', duplicate ? 'duplicate' : 'rst');
      else if (fromClient >= 0) table.add(fromClient, i, 'client', 'client-rst');
      else if (fromServer >= 0) table.add(fromServer, i, 'server', 'rst');
      continue;
    }
    if (fromClient >= 0) {
      const a = fromClient;
      let role: Role = 'other';
      const sawClientAck = table.has(a, AttemptState.SawClientAck);
      // The first client packet acknowledging the server's SYN (ack ≥ server ISN + 1; more when
      // the SYN/ACK carried data) completes the handshake, whatever else it carries.
      const completes =
        !sawClientAck &&
        flags & ACK &&
        table.has(a, AttemptState.HasServerIsn) &&
        seqDiff(ack, u32(table.serverIsn[a] + 1)) >= 0;
      if (duplicate) role = 'duplicate';
      else if (completes) role = length > 0 ? 'client-data' : 'client-ack';
      else if (flags & FIN) role = 'client-fin';
      else if (length > 0 && !sawClientAck) role = 'client-data';
      if (role === 'client-ack' || role === 'client-data') table.state[a] |= AttemptState.SawClientAck;
      table.add(a, i, 'client', role);
    } else if (fromServer >= 0) {
      const a = fromServer;
      let role: Role = flags & FIN ? 'server-fin' : 'other';
      // A server only sends data, or acknowledges client data, once the handshake completed:
      // in a capture that holds one direction only, that is the proof.
      const confirms =
        !table.has(a, AttemptState.SawClientAck) &&
        table.has(a, AttemptState.SawSynAck) &&
        !(flags & SYN) &&
        (length > 0 || (flags & ACK && seqDiff(ack, u32(table.isn[a] + 1)) > 0));
      if (duplicate) role = 'duplicate';
      else if (confirms) {
        role = 'server-confirms';
        table.state[a] |= AttemptState.SawClientAck;
      }
      table.add(a, i, 'server', role);
    }
  }
  return table;
}

/** Every attempt as plain data (for views of a few; `attemptTable` for a capture of any size). */
export function findAttempts(capture: Capture, tcp: TcpKeys = tcpKeysOf(capture)): Attempt[] {
  const table = attemptTable(capture, tcp);
  const attempts: Attempt[] = [];
  for (let i = 0; i < table.count; i++) attempts.push(table.attemptAt(i));
  return attempts;
}
