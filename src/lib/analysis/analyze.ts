// One capture → every attempt's verdict, plus capture-wide findings.
import type { Capture } from '../packets.ts';
import { storeOf } from '../store/packet-store.ts';
import { findAttempts } from './attempts.ts';
import { addHostDropEvidence, type HostDropOptions } from './drops.ts';
import { classify } from './classify.ts';
import { damagedCaptureText } from './evidence.ts';
import { findOffload } from './offload.ts';
import { reachFindings } from './reach.ts';
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

export function analyzeCapture(
  capture: Capture,
  tcp: TcpStreams = analyzeTcpStreams(capture),
  options: HostDropOptions = {},
): CaptureAnalysis {
  const { start, end } = captureSpan(capture);
  const attempts = findAttempts(capture, tcp).map((a) => classify(a, end));
  const offload = findOffload(capture);
  const findings = [...offload.text];
  // pktmon drop events and Windows Firewall log lines: the host's own word on a dropped SYN.
  findings.push(...addHostDropEvidence(attempts, storeOf(capture), options));
  // Packets whose TCP the decoders cannot reach (encrypted Wi-Fi, undecoded link types, …).
  findings.push(...reachFindings(storeOf(capture), attempts.length));
  if (capture.error) {
    findings.push(damagedCaptureText(capture.error.message, capture.packets.length));
  }
  return { attempts, offload, duration: end - start, findings };
}
