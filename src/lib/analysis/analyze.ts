// One capture → every attempt's verdict, plus capture-wide findings.
import type { Capture } from '../packets.ts';
import { storeOf } from '../store/packet-store.ts';
import type { AttemptTable } from './attempt-table.ts';
import { attemptTable } from './attempts.ts';
import { classify } from './classify.ts';
import { damagedCaptureText } from './evidence.ts';
import { findOffload } from './offload.ts';
import { tcpStreamsOf, type TcpStreams } from './tcp-streams.ts';
import type { AttemptVerdict, CaptureAnalysis, OffloadFinding } from './types.ts';

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
export function judgeCapture(capture: Capture, tcp: TcpStreams = tcpStreamsOf(capture)): JudgedCapture {
  const { start, end } = captureSpan(capture);
  const table = attemptTable(capture, tcp);
  const offload = findOffload(capture);
  const findings = [...offload.text];
  if (capture.error) {
    findings.push(damagedCaptureText(capture.error.message, capture.packets.length));
  }
  return {
    table,
    count: table.count,
    verdictAt: (i) => classify(table.attemptAt(i), end),
    offload,
    duration: end - start,
    findings,
  };
}

/** Every attempt's verdict as one array: for views and tests of captures that fit in a page. */
export function analyzeCapture(capture: Capture, tcp?: TcpStreams): CaptureAnalysis {
  const judged = judgeCapture(capture, tcp);
  const attempts: AttemptVerdict[] = [];
  for (let i = 0; i < judged.count; i++) attempts.push(judged.verdictAt(i));
  return { attempts, offload: judged.offload, duration: judged.duration, findings: judged.findings };
}
