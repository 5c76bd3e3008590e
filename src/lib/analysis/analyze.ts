// One capture → every attempt's verdict, plus capture-wide findings.
import type { Capture } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { AttemptState, type AttemptTable } from './attempt-table.ts';
import { attemptTable } from './attempts.ts';
import { classify, history, zeekConnState, type CaptureContext } from './classify.ts';
import { damagedCaptureText, oneWayTexts, startNotCapturedText } from './evidence.ts';
import { startNotCaptured } from './rules.ts';
import { NumberMap, PairMap } from './number-map.ts';
import { findOffload } from './offload.ts';
import { tcpStreamsOf, type TcpStreams } from './tcp-streams.ts';
import type { AttemptVerdict, CaptureAnalysis, OffloadFinding } from './types.ts';
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

/** Who sent what to whom, host by host: for one-way captures and the TTLs a host uses. */
function hostTraffic(capture: Capture): {
  silent: Array<{ host: string; packetsTo: number; senders: number }>;
  allOneWay: boolean;
  ttls: Map<string, number[]>;
} {
  const store = storeOf(capture);
  const c = store.columns;
  // Hosts as small numbers (one pass over 100k+ packets: no string per packet).
  const v4Ids = new NumberMap(256);
  const v6Ids = new Map<string, number>();
  const names: string[] = [];
  const sent: number[] = [];
  const received: number[] = [];
  const senders: number[] = [];
  const lowTtl: number[] = [];
  const highTtl: number[] = [];
  const newHost = (name: string): number => {
    names.push(name);
    sent.push(0);
    received.push(0);
    senders.push(0);
    lowTtl.push(255);
    highTtl.push(0);
    return names.length - 1;
  };
  const hostOf = (i: number, side: 'src' | 'dst'): number => {
    if (c.layers[i] & Layer.IPv4) {
      const n = side === 'src' ? c.src4[i] : c.dst4[i];
      let id = v4Ids.get(n);
      if (id < 0) {
        id = newHost(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
        v4Ids.set(n, id);
      }
      return id;
    }
    const ip = store.addressBytes(i);
    if (!ip) return -1;
    const bytes = side === 'src' ? ip.src : ip.dst;
    const key = bytes.join(':');
    let id = v6Ids.get(key);
    if (id === undefined) v6Ids.set(key, (id = newHost(formatIP(bytes))));
    return id;
  };
  const pairs = new PairMap(256);
  const pairList: Array<[number, number]> = [];
  for (let i = 0; i < store.count; i++) {
    if (!(c.layers[i] & (Layer.IPv4 | Layer.IPv6))) continue;
    const src = hostOf(i, 'src');
    const dst = hostOf(i, 'dst');
    if (src < 0 || dst < 0) continue;
    sent[src]++;
    received[dst]++;
    const ttl = c.ttl[i];
    if (ttl < lowTtl[src]) lowTtl[src] = ttl;
    if (ttl > highTtl[src]) highTtl[src] = ttl;
    if (pairs.get(src, dst) < 0) {
      pairs.set(src, dst, pairList.length);
      pairList.push([src, dst]);
      senders[dst]++;
    }
  }
  const silent: Array<{ host: string; packetsTo: number; senders: number }> = [];
  names.forEach((host, id) => {
    if (sent[id] > 0 || received[id] === 0) return;
    silent.push({ host, packetsTo: received[id], senders: senders[id] });
  });
  const allOneWay = pairList.length > 0 && pairList.every(([a, b]) => pairs.get(b, a) < 0);
  const ttls = new Map<string, number[]>();
  names.forEach((host, id) => {
    if (sent[id] > 0) ttls.set(host, [lowTtl[id], highTtl[id]]);
  });
  return { silent, allOneWay, ttls };
}

/**
 * A capture's attempts as columns, each judged when asked: what the CLI streams and a paging
 * view reads, at any size. `verdictAt(i)` is plain data; `explain` gives its words.
 */
export interface JudgedCapture {
  table: AttemptTable;
  /** Attempts, in the order their first packet appears. */
  count: number;
  verdictAt(i: number): AttemptVerdict;
  offload: OffloadFinding;
  /** Seconds from first to last packet. */
  duration: number;
  /** Capture-wide sentences (offload, capture cut short, …). */
  findings: string[];
}

/** `tcp`: the capture's TCP analysis; by default the one cached for the capture (tcpStreamsOf). */
export function judgeCapture(
  capture: Capture,
  tcp: TcpStreams = tcpStreamsOf(capture),
  options: HostDropOptions = {},
): JudgedCapture {
  const { start, end } = captureSpan(capture);
  const store = storeOf(capture);
  const table = attemptTable(capture, tcp);
  // A SYN/ACK with no SYN and no client answer is no attempt (rule 2): reported, not judged. Only
  // an attempt with no SYN can be one, so the others are not built to find out.
  const judged: number[] = [];
  const partial: number[] = [];
  for (let i = 0; i < table.count; i++) {
    if (table.has(i, AttemptState.SynMissing) && startNotCaptured(table.attemptAt(i))) partial.push(i);
    else judged.push(i);
  }
  // One-way (rule 3): a host that sent nothing at all, or a capture where nothing ever comes
  // back, is only worth a finding (and a caveat on the silent attempts) with at least two
  // attempts behind it: with one, it is simply the picture of an unanswered SYN.
  const traffic = hostTraffic(capture);
  const silentCandidates = new Set(traffic.silent.map((s) => s.host));
  const targets = new Map<string, number>();
  for (const i of judged) {
    const server = table.serverAddress(i);
    if (silentCandidates.has(server)) targets.set(server, (targets.get(server) ?? 0) + 1);
  }
  const silent = traffic.silent.filter((s) => (targets.get(s.host) ?? 0) >= 2);
  const allOneWay = traffic.allOneWay && judged.length >= 2;
  const context: CaptureContext = {
    silentHosts: new Set(allOneWay ? traffic.silent.map((s) => s.host) : silent.map((s) => s.host)),
    ttlsOf: (host) => traffic.ttls.get(host),
  };
  const offload = findOffload(capture);
  const findings = [...offload.text];
  const partialText = startNotCapturedText(
    partial.length,
    partial.slice(0, 5).map((i) => {
      const attempt = table.attemptAt(i);
      return { attempt, zeek: zeekConnState(attempt), history: history(attempt) };
    }),
  );
  if (partialText) findings.push(partialText);
  findings.push(...oneWayTexts(silent, allOneWay));
  // Packets whose TCP the decoders cannot reach (encrypted Wi-Fi, undecoded link types, …).
  findings.push(...reachFindings(store, judged.length));
  // pktmon drop events and Windows Firewall log lines: the host's own word on a dropped SYN. A
  // firewall log is matched against every attempt at once, so only then are they all built.
  const drops = hostDrops(store, options.firewallLog ? judged.map((i) => table.attemptAt(i)) : undefined, options);
  findings.push(...drops.findings);
  if (capture.error) {
    findings.push(damagedCaptureText(capture.error.message, capture.packets.length));
  }
  return {
    table,
    count: judged.length,
    verdictAt: (i) => {
      const attempt = table.attemptAt(judged[i]);
      const verdict = classify(attempt, end, context);
      const steps = drops.stepsOf(attempt);
      return steps.length > 0 ? { ...verdict, hostDrops: steps } : verdict;
    },
    offload,
    duration: end - start,
    findings,
  };
}

/** Every attempt's verdict as one array: for views and tests of captures that fit in a page. */
export function analyzeCapture(capture: Capture, tcp?: TcpStreams, options: HostDropOptions = {}): CaptureAnalysis {
  const judged = judgeCapture(capture, tcp, options);
  const attempts: AttemptVerdict[] = [];
  for (let i = 0; i < judged.count; i++) attempts.push(judged.verdictAt(i));
  return { attempts, offload: judged.offload, duration: judged.duration, findings: judged.findings };
}
