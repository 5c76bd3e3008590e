// One capture → every attempt's verdict, plus capture-wide findings.
import type { Capture } from '../packets.ts';
import { storeOf } from '../store/packet-store.ts';
import { TcpFlag } from '../decode/tcp.ts';
import { AttemptState, roleCode, senderCode, type AttemptTable } from './attempt-table.ts';
import { attemptTable } from './attempts.ts';
import { classify } from './classify.ts';
import { damagedCaptureText, oneWayTexts, startNotCapturedText } from './evidence.ts';
import { startNotCaptured } from './rules.ts';
import { hostTraffic } from './hosts.ts';
import { findOffload } from './offload.ts';
import { tcpKeysOf, type TcpKeys } from './tcp-streams.ts';
import { MIN_INITIAL_RTO } from './timing.ts';
import type { AttemptVerdict, CaptureAnalysis, HostFacts, OffloadFinding } from './types.ts';
import type { NmapState, Verdict, ZeekState } from './vocabulary.ts';
import { zeekOfAttempt } from './zeek.ts';
import { hostDrops, type HostDropOptions } from './drops.ts';
import { reachFindings } from './reach.ts';

/** Seconds since 1970 of the capture's first and last packets. */
export function captureSpan(capture: Capture): { start: number; end: number } {
  const store = storeOf(capture);
  if (store.count === 0) return { start: 0, end: 0 };
  const start = store.epochOf(0);
  let end = start;
  // Captures are not always in time order (merged files): the end is the latest packet …
  for (let i = 1; i < store.count; i++) end = Math.max(end, store.epochOf(i));
  // A capture that went on in silence after its last packet says until when (pcapng
  // isb_endtime): that silence is part of the evidence for an unanswered SYN.
  const stopped = capture.info.endTime;
  if (stopped) end = Math.max(end, stopped.seconds + stopped.nanoseconds / 1e9);
  return { start, end };
}

/** What the grouped text says of an attempt on its first line: the same four fields as its verdict. */
export interface AttemptKind {
  verdict: Verdict;
  nmap: NmapState;
  zeek: ZeekState;
  history: string;
}

/**
 * A capture's attempts as columns, each judged when asked: what the CLI streams and a paging
 * view reads, at any size. `verdictAt(i)` is plain data; `explain` gives its words.
 */
export interface JudgedCapture {
  table: AttemptTable;
  /** Attempts, in the order their first packet appears. */
  count: number;
  /** The row of `table` that attempt i is (a SYN/ACK without its SYN is no attempt, so they differ). */
  rowOf(i: number): number;
  verdictAt(i: number): AttemptVerdict;
  /**
   * Attempt i's verdict, nmap and Zeek states and history, equal to `verdictAt(i)`'s: for an
   * attempt of SYNs alone (a scan, a flood, a blocked port) read off the columns, building
   * nothing; for the others, from `verdictAt`.
   */
  kindAt(i: number): Readonly<AttemptKind>;
  offload: OffloadFinding;
  /** Seconds from first to last packet. */
  duration: number;
  /** Capture-wide sentences (offload, capture cut short, …). */
  findings: string[];
}

const { FIN, SYN, RST, ACK } = TcpFlag;
const SYN_ROLE = roleCode('syn');
const SYN_RETRANSMISSION_ROLE = roleCode('syn-retransmission');
const DUPLICATE_ROLE = roleCode('duplicate');
const CLIENT = senderCode('client');
/**
 * The two kinds an attempt of SYNs alone can have. Zeek logs such a connection (all SYNs with one
 * sequence number, no data) as S0 with history "S" (zeek.ts). Shared, not made per attempt: a
 * flood asks for hundreds of thousands.
 */
const LONE_SYNS_UNANSWERED: Readonly<AttemptKind> = Object.freeze({
  verdict: 'no-response',
  nmap: 'filtered',
  zeek: 'S0',
  history: 'S',
});
const LONE_SYNS_TOO_SOON: Readonly<AttemptKind> = Object.freeze({
  verdict: 'inconclusive',
  nmap: 'unknown',
  zeek: 'S0',
  history: 'S',
});

/**
 * Whether attempt `row` is SYNs alone: each of its packets a SYN from the client (a first one,
 * retransmissions, copies), without ACK, RST, FIN or data. classify's rules then leave only
 * "no-response" or "inconclusive", and Zeek's state machine only S0 with history "S"
 * (tests/analysis/judge.test.ts checks this against classify on every capture).
 */
function synsAlone(table: AttemptTable, row: number): boolean {
  if (table.state[row] & (AttemptState.SynMissing | AttemptState.SawSynAck | AttemptState.SawClientAck)) return false;
  const c = table.store.columns;
  for (let r = table.head[row]; r >= 0; r = table.rowNext[r]) {
    const role = table.rowRole[r];
    if (role !== SYN_ROLE && role !== SYN_RETRANSMISSION_ROLE && role !== DUPLICATE_ROLE) return false;
    const packet = table.rowPacket[r];
    if (table.rowFrom[r] !== CLIENT || (c.tcpFlags[packet] & (SYN | ACK | RST | FIN)) !== SYN) return false;
    if (c.payloadLength[packet] !== 0) return false;
  }
  return true;
}

/** `tcp`: what the verdicts need of the TCP analysis; by default the capture's (tcpKeysOf). */
export function judgeCapture(
  capture: Capture,
  tcp: TcpKeys = tcpKeysOf(capture),
  options: HostDropOptions = {},
): JudgedCapture {
  const { start, end } = captureSpan(capture);
  const store = storeOf(capture);
  const table = attemptTable(capture, tcp);
  // A SYN/ACK with no SYN and no client answer is no attempt (rule 2): reported, not judged. Only
  // an attempt with no SYN can be one, so the others are not built to find out.
  const judged = new Uint32Array(table.count);
  let count = 0;
  const partial: number[] = [];
  for (let i = 0; i < table.count; i++) {
    if (table.has(i, AttemptState.SynMissing) && startNotCaptured(table.attemptAt(i))) partial.push(i);
    else judged[count++] = i;
  }
  // One-way (rule 3): a host that sent nothing at all, or a capture where nothing ever comes
  // back, is only worth a finding (and a caveat on the silent attempts) with at least two
  // attempts behind it: with one, it is simply the picture of an unanswered SYN.
  // a spoofed flood has a client host per attempt: room for them from the start
  const hosts = hostTraffic(store, table.count + 256);
  const hostOf = (row: number, client: boolean): number => {
    const first = table.firstPacket[row];
    return client !== table.has(row, AttemptState.OpenedByAnswer) ? hosts.srcHost[first] : hosts.dstHost[first];
  };
  const attemptsTo = new Uint32Array(hosts.count);
  for (let k = 0; k < count; k++) {
    const server = hostOf(judged[k], false);
    if (hosts.isSilent(server)) attemptsTo[server]++;
  }
  const allOneWay = hosts.allOneWay && count >= 2;
  const silent = hosts.silentHosts().filter((h) => attemptsTo[h] >= 2);
  /** The silent hosts an attempt's caveat names: all of them in a capture that only goes one way. */
  const namedSilent = (host: number) => hosts.isSilent(host) && (allOneWay || attemptsTo[host] >= 2);
  const offload = findOffload(capture);
  const findings = [...offload.text];
  const partialText = startNotCapturedText(
    partial.length,
    partial.slice(0, 5).map((i) => {
      const attempt = table.attemptAt(i);
      const zeek = zeekOfAttempt(attempt);
      return { attempt, zeek: zeek.connState, history: zeek.history };
    }),
  );
  if (partialText) findings.push(partialText);
  findings.push(
    ...oneWayTexts(
      silent.map((h) => ({ host: hosts.nameOf(h), packetsTo: hosts.received[h], senders: hosts.senders[h] })),
      allOneWay,
    ),
  );
  // Packets whose TCP the decoders cannot reach (encrypted Wi-Fi, undecoded link types, …).
  findings.push(...reachFindings(store, count));
  // pktmon drop events and Windows Firewall log lines: the host's own word on a dropped SYN. A
  // firewall log is matched against every attempt at once, so only then are they all built.
  const drops = hostDrops(
    store,
    options.firewallLog ? Array.from(judged.subarray(0, count), (i) => table.attemptAt(i)) : undefined,
    options,
  );
  findings.push(...drops.findings);
  if (capture.error) {
    findings.push(damagedCaptureText(capture.error.message, capture.packets.length));
  }
  const verdictAt = (i: number): AttemptVerdict => {
    const row = judged[i];
    const client = hostOf(row, true);
    const server = hostOf(row, false);
    const facts: HostFacts = {
      serverSilent: namedSilent(server),
      ...(hosts.sent[client] > 0
        ? { clientTtls: [hosts.lowTtl[client], hosts.highTtl[client]] as [number, number] }
        : {}),
    };
    const attempt = table.attemptAt(row);
    const verdict = classify(attempt, end, { hostsOf: () => facts });
    const dropped = drops.dropsOf(attempt);
    return dropped.length > 0 ? { ...verdict, hostDrops: dropped } : verdict;
  };
  return {
    table,
    count,
    rowOf: (i) => judged[i],
    verdictAt,
    kindAt: (i) => {
      const row = judged[i];
      if (!synsAlone(table, row)) {
        // The four fields rest on the attempt's packets alone: no host facts, no drop records.
        const v = classify(table.attemptAt(row), end);
        return { verdict: v.verdict, nmap: v.nmap, zeek: v.zeek, history: v.history };
      }
      // classify's rule for SYNs with no answer: a retry, or a second of capture after the
      // first SYN, makes it "no-response"; anything less is too soon to tell.
      const c = store.columns;
      const first = table.firstPacket[row];
      const observedAfterFirst = end - (c.seconds[first] + c.nanoseconds[first] / 1e9);
      const retries = table.synCount[row] - 1;
      return retries >= 1 || observedAfterFirst >= MIN_INITIAL_RTO ? LONE_SYNS_UNANSWERED : LONE_SYNS_TOO_SOON;
    },
    offload,
    duration: end - start,
    findings,
  };
}

/** Every attempt's verdict as one array: for views and tests of captures that fit in a page. */
export function analyzeCapture(capture: Capture, tcp?: TcpKeys, options: HostDropOptions = {}): CaptureAnalysis {
  const judged = judgeCapture(capture, tcp, options);
  const attempts: AttemptVerdict[] = [];
  for (let i = 0; i < judged.count; i++) attempts.push(judged.verdictAt(i));
  return { attempts, offload: judged.offload, duration: judged.duration, findings: judged.findings };
}
