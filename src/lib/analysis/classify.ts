// The verdict for one attempt: a pure function of the attempt's packets and how long the capture
// went on after it (after Zeek's conn_state(), which is also computed here for comparison).
// `classify` judges: it returns data (codes, frame numbers, timings). The words come later, from
// `explain` (evidence.ts), when a view asks for them.
import { MIN_INITIAL_RTO, retryTiming } from './timing.ts';
import { rstAcceptedBySynSent, synAckLostBeforeClient } from './rules.ts';
import { zeekOfAttempt } from './zeek.ts';
import type { Attempt, AttemptPacket, AttemptVerdict, CaptureContext } from './types.ts';
import { assertNever, type NmapState, type Verdict, type ZeekState } from './vocabulary.ts';

/** ICMP codes nmap takes as "filtered" (v4 type 3 codes 0,1,2,3,9,10,13; every ICMPv6 type 1). */
const NMAP_FILTERED_ICMP4 = new Set([0, 1, 2, 3, 9, 10, 13]);

export type { CaptureContext } from './types.ts';

/**
 * `captureEnd`: seconds since 1970 of the capture's last packet — how long we could have seen an
 * answer. Returns plain data; `explain(verdict)` writes its words.
 */
export function classify(attempt: Attempt, captureEnd: number, context: CaptureContext = {}): AttemptVerdict {
  // One pass tallies what the verdict rests on (partsOf groups the packets for the evidence).
  const synTimes: number[] = [];
  let maxSynT = -Infinity;
  let synAcks = 0;
  let firstSynAckT = 0;
  let serverRsts = 0;
  let clientAcks = 0;
  let serverConfirms = 0;
  let clientRsts = 0;
  let clientQuitT = Infinity;
  let icmp: AttemptPacket | undefined;
  for (const p of attempt.packets) {
    switch (p.role) {
      case 'syn':
      case 'syn-retransmission':
        synTimes.push(p.t);
        if (p.t > maxSynT) maxSynT = p.t;
        break;
      case 'syn-ack':
      case 'syn-ack-retransmission':
        if (synAcks++ === 0) firstSynAckT = p.t;
        break;
      case 'rst':
        // Only a RST the client's TCP accepts ends the attempt; others it ignores (rule 1).
        if (rstAcceptedBySynSent(p, attempt)) serverRsts++;
        break;
      case 'client-ack':
      case 'client-data':
        clientAcks++;
        break;
      case 'server-confirms':
        serverConfirms++;
        break;
      case 'client-rst':
        clientRsts++;
        clientQuitT = Math.min(clientQuitT, p.t);
        break;
      case 'client-fin':
        clientQuitT = Math.min(clientQuitT, p.t);
        break;
      case 'icmp':
        icmp ??= p;
        break;
      case 'duplicate':
      case 'server-fin':
      case 'other':
        break;
    }
  }
  const lastSynT = synTimes.length > 0 ? synTimes[synTimes.length - 1] : 0;
  const observedAfterFirst = captureEnd - attempt.startTime;
  const observedAfterLastSyn = Math.max(0, observedAfterFirst - lastSynT);
  const timing = retryTiming(synTimes);

  let verdict: Verdict;
  if (synAcks > 0 || clientAcks > 0 || serverConfirms > 0) {
    if (clientAcks > 0 || serverConfirms > 0) verdict = 'connected';
    else {
      // The server answered; "half-open" needs proof the handshake stalled, not just a capture
      // that stops right after the SYN/ACK.
      const synAgain = maxSynT > firstSynAckT;
      const stalled = clientRsts > 0 || synAgain || synAcks > 1 || observedAfterFirst - firstSynAckT >= MIN_INITIAL_RTO;
      verdict = stalled ? 'half-open' : 'inconclusive';
    }
  } else if (serverRsts > 0) {
    verdict = 'refused';
  } else if (icmp) {
    verdict = 'unreachable';
  } else {
    const retries = synTimes.length - 1;
    const quitAtOnce = retries === 0 && clientQuitT < MIN_INITIAL_RTO;
    verdict = !quitAtOnce && (retries >= 1 || observedAfterFirst >= MIN_INITIAL_RTO) ? 'no-response' : 'inconclusive';
  }

  // nmap runs on the client: a SYN/ACK lost on its way there is no answer for it (rule: synAckLostBeforeClient).
  const nmap =
    verdict === 'half-open' && synAckLostBeforeClient(attempt) ? 'filtered' : nmapState(verdict, icmp, synAcks > 0);
  const zeek = zeekOfAttempt(attempt);
  return {
    attempt,
    verdict,
    nmap,
    zeek: zeek.connState,
    history: zeek.history,
    frames: attempt.packets.map((p) => p.frame),
    timing,
    observedAfterLastSyn,
    observedAfterFirst,
    ...(context.hostsOf ? { hosts: context.hostsOf(attempt) } : {}),
  };
}

function nmapState(verdict: Verdict, icmp: AttemptPacket | undefined, synAck: boolean): NmapState {
  if (synAck) return 'open';
  switch (verdict) {
    case 'connected':
    case 'half-open':
      return 'open';
    case 'refused':
      return 'closed';
    case 'no-response':
      return 'filtered';
    case 'unreachable':
      if (!icmp) return 'filtered';
      return icmp.icmpVersion === 6 || NMAP_FILTERED_ICMP4.has(icmp.icmpCode ?? -1) ? 'filtered' : 'unknown';
    case 'inconclusive':
      return 'unknown';
    default:
      return assertNever(verdict);
  }
}

/** Zeek's conn_state for the attempt's packets, by Zeek's own state machine (zeek.ts). */
export function zeekConnState(attempt: Attempt): ZeekState {
  return zeekOfAttempt(attempt).connState;
}

/** Zeek's history letters for the attempt's packets (upper case: Zeek's originator). */
export function history(attempt: Attempt): string {
  return zeekOfAttempt(attempt).history;
}
