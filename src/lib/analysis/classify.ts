// The verdict for one attempt: a pure function of the attempt's packets and how long the capture
// went on after it (after Zeek's conn_state(), which is also computed here for comparison).
// `classify` judges: it returns data (codes, frame numbers, timings). The words come later, from
// `explain` (evidence.ts), when a view asks for them.
import { TcpFlag } from '../decode/tcp.ts';
import { MIN_INITIAL_RTO, retryTiming } from './timing.ts';
import type { Attempt, AttemptPacket, AttemptVerdict } from './types.ts';
import { assertNever, type NmapState, type Verdict, type ZeekState } from './vocabulary.ts';

const { FIN, SYN, RST, ACK } = TcpFlag;

/** ICMP codes nmap takes as "filtered" (v4 type 3 codes 0,1,2,3,9,10,13; every ICMPv6 type 1). */
const NMAP_FILTERED_ICMP4 = new Set([0, 1, 2, 3, 9, 10, 13]);

/**
 * `captureEnd`: seconds since 1970 of the capture's last packet — how long we could have seen an
 * answer. Returns plain data; `explain(verdict)` writes its words.
 */
export function classify(attempt: Attempt, captureEnd: number): AttemptVerdict {
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
        serverRsts++;
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

  return {
    attempt,
    verdict,
    nmap: nmapState(verdict, icmp, synAcks > 0),
    zeek: zeekConnState(attempt),
    history: history(attempt),
    frames: attempt.packets.map((p) => p.frame),
    timing,
    observedAfterLastSyn,
    observedAfterFirst,
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

type EndpointState = 'inactive' | 'syn-sent' | 'syn-ack-sent' | 'established' | 'closed' | 'reset';

/**
 * Zeek's conn_state from the two endpoints' final TCP states (base/protocols/conn/main.zeek).
 * ICMP does not change TCP state in Zeek, so an unreachable attempt is S0 there.
 */
export function zeekConnState(attempt: Attempt): ZeekState {
  let orig: EndpointState = 'inactive';
  let resp: EndpointState = 'inactive';
  let origBytes = 0;
  let respBytes = 0;
  for (const p of attempt.packets) {
    if (p.role === 'icmp' || p.role === 'duplicate') continue;
    if (p.from === 'client') {
      origBytes += p.length;
      if (p.flags & RST) orig = 'reset';
      else if (p.flags & FIN) orig = orig === 'reset' ? orig : 'closed';
      else if (p.flags & SYN) orig = orig === 'inactive' ? 'syn-sent' : orig;
      else if (
        p.flags & ACK &&
        (resp === 'syn-ack-sent' || resp === 'established' || resp === 'closed' || orig === 'inactive')
      ) {
        if (orig === 'syn-sent' || orig === 'inactive') orig = 'established';
        if (resp === 'syn-ack-sent') resp = 'established';
      }
    } else {
      respBytes += p.length;
      if (p.flags & RST) resp = 'reset';
      else if (p.flags & FIN) resp = resp === 'reset' ? resp : 'closed';
      else if ((p.flags & (SYN | ACK)) === (SYN | ACK)) resp = resp === 'inactive' ? 'syn-ack-sent' : resp;
      else if (resp === 'inactive') resp = 'established';
    }
  }
  const oInactive = orig === 'inactive';
  const rInactive = resp === 'inactive';
  if (resp === 'reset') {
    if (orig === 'syn-sent' || (orig === 'reset' && origBytes === 0 && respBytes === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (orig === 'reset') return rInactive ? 'RSTOS0' : 'RSTO';
  if (resp === 'closed' && orig === 'closed') return 'SF';
  if (orig === 'closed') return rInactive ? 'SH' : 'S2';
  if (resp === 'closed') return oInactive ? 'SHR' : 'S3';
  if (orig === 'syn-sent' && rInactive) return 'S0';
  if (orig === 'established' && resp === 'established') return 'S1';
  return 'OTH';
}

/**
 * Zeek-style history: S SYN, H SYN/ACK, A pure ACK, D data, F FIN, R RST; upper case for the
 * client (originator), lower case for the server. Each letter once per side, as Zeek records it.
 */
export function history(attempt: Attempt): string {
  let out = '';
  const seen = new Set<string>();
  const note = (letter: string, client: boolean) => {
    const l = client ? letter : letter.toLowerCase();
    if (!seen.has(l)) {
      seen.add(l);
      out += l;
    }
  };
  for (const p of attempt.packets) {
    if (p.role === 'icmp' || p.role === 'duplicate') continue;
    const client = p.from === 'client';
    if ((p.flags & (SYN | ACK)) === SYN) note('S', client);
    else if ((p.flags & (SYN | ACK)) === (SYN | ACK)) note('H', client);
    if (p.flags & RST) note('R', client);
    if (p.flags & FIN) note('F', client);
    if (p.length > 0) note('D', client);
    else if ((p.flags & (SYN | FIN | RST | ACK)) === ACK) note('A', client);
  }
  return out;
}
