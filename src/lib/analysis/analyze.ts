// One capture → every attempt's verdict, plus capture-wide findings.
import type { Capture } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { findAttempts } from './attempts.ts';
import { classify, history, zeekConnState, type CaptureContext } from './classify.ts';
import { damagedCaptureText, oneWayTexts, startNotCapturedText } from './evidence.ts';
import { startNotCaptured } from './rules.ts';
import { findOffload } from './offload.ts';
import { analyzeTcpStreams, type TcpStreams } from './tcp-streams.ts';
import type { CaptureAnalysis } from './types.ts';

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
  ttls: Map<string, Set<number>>;
} {
  const store = storeOf(capture);
  const c = store.columns;
  const names = new Map<string, string>();
  const nameOf = (bytes: Uint8Array): string => {
    const key = bytes.join('.');
    let name = names.get(key);
    if (name === undefined) names.set(key, (name = formatIP(bytes)));
    return name;
  };
  const ttls = new Map<string, Set<number>>();
  const received = new Map<string, { packets: number; senders: Set<string> }>();
  const pairs = new Set<string>();
  for (let i = 0; i < store.count; i++) {
    if (!(c.layers[i] & (Layer.IPv4 | Layer.IPv6))) continue;
    const ip = store.addressBytes(i);
    if (!ip) continue;
    const src = nameOf(ip.src);
    const dst = nameOf(ip.dst);
    let set = ttls.get(src);
    if (!set) ttls.set(src, (set = new Set()));
    set.add(c.ttl[i]);
    let r = received.get(dst);
    if (!r) received.set(dst, (r = { packets: 0, senders: new Set() }));
    r.packets++;
    r.senders.add(src);
    pairs.add(`${src}>${dst}`);
  }
  const silent = [...received]
    .filter(([host]) => !ttls.has(host))
    .map(([host, r]) => ({ host, packetsTo: r.packets, senders: r.senders.size }));
  const allOneWay = pairs.size > 0 && [...pairs].every((p) => !pairs.has(p.split('>').reverse().join('>')));
  return { silent, allOneWay, ttls };
}

export function analyzeCapture(capture: Capture, tcp: TcpStreams = analyzeTcpStreams(capture)): CaptureAnalysis {
  const { start, end } = captureSpan(capture);
  const traffic = hostTraffic(capture);
  const context: CaptureContext = {
    silentHosts: new Set(traffic.silent.map((s) => s.host)),
    ttlsOf: (host) => traffic.ttls.get(host),
  };
  const found = findAttempts(capture, tcp);
  // A SYN/ACK with no SYN and no client answer is no attempt (rule 2): reported, not judged.
  const partial = found.filter(startNotCaptured);
  const attempts = found.filter((a) => !startNotCaptured(a)).map((a) => classify(a, end, context));
  const offload = findOffload(capture);
  const findings = [...offload.text];
  const partialText = startNotCapturedText(
    partial.map((attempt) => ({ attempt, zeek: zeekConnState(attempt), history: history(attempt) })),
  );
  if (partialText) findings.push(partialText);
  // One-way: only worth saying for a host many attempts went to, or for the whole capture.
  const targets = new Map<string, number>();
  for (const v of attempts) targets.set(v.attempt.server, (targets.get(v.attempt.server) ?? 0) + 1);
  findings.push(
    ...oneWayTexts(
      traffic.silent.filter((s) => (targets.get(s.host) ?? 0) >= 2),
      traffic.allOneWay,
    ),
  );
  if (capture.error) {
    findings.push(damagedCaptureText(capture.error.message, capture.packets.length));
  }
  return { attempts, offload, duration: end - start, findings };
}
