// The verdict for one attempt: a pure function of the attempt's packets and how long the capture
// went on after it (after Zeek's conn_state(), which is also computed here for comparison).
import { explain, type Explanation } from './evidence.ts';
import { MIN_INITIAL_RTO, retryTiming } from './timing.ts';
import { rstAcceptedBySynSent, synAckLostBeforeClient } from './rules.ts';
import { zeekOfAttempt } from './zeek.ts';
import type { Attempt, AttemptPacket, AttemptVerdict, EvidenceStep, NmapState, RetryTiming, Verdict } from './types.ts';

/** ICMP codes nmap takes as "filtered" (v4 type 3 codes 0,1,2,3,9,10,13; every ICMPv6 type 1). */
const NMAP_FILTERED_ICMP4 = new Set([0, 1, 2, 3, 9, 10, 13]);

/** The packets of an attempt, grouped by the part they play. */
export interface AttemptParts {
  syns: AttemptPacket[];
  duplicates: AttemptPacket[];
  synAcks: AttemptPacket[];
  serverRsts: AttemptPacket[];
  clientAcks: AttemptPacket[];
  clientRsts: AttemptPacket[];
  clientFins: AttemptPacket[];
  serverFins: AttemptPacket[];
  serverConfirms: AttemptPacket[];
  icmp: AttemptPacket[];
}

export function partsOf(attempt: Attempt): AttemptParts {
  const parts: AttemptParts = {
    syns: [],
    duplicates: [],
    synAcks: [],
    serverRsts: [],
    clientAcks: [],
    clientRsts: [],
    clientFins: [],
    serverFins: [],
    serverConfirms: [],
    icmp: [],
  };
  for (const p of attempt.packets) {
    switch (p.role) {
      case 'syn':
      case 'syn-retransmission':
        parts.syns.push(p);
        break;
      case 'duplicate':
        parts.duplicates.push(p);
        break;
      case 'syn-ack':
      case 'syn-ack-retransmission':
        parts.synAcks.push(p);
        break;
      case 'rst':
        parts.serverRsts.push(p);
        break;
      case 'client-ack':
      case 'client-data':
        parts.clientAcks.push(p);
        break;
      case 'client-rst':
        parts.clientRsts.push(p);
        break;
      case 'client-fin':
        parts.clientFins.push(p);
        break;
      case 'server-fin':
        parts.serverFins.push(p);
        break;
      case 'server-confirms':
        parts.serverConfirms.push(p);
        break;
      case 'icmp':
        parts.icmp.push(p);
        break;
      case 'other':
        break;
    }
  }
  return parts;
}

/**
 * `captureEnd`: seconds since 1970 of the capture's last packet — how long we could have seen an
 * answer. Returns the verdict with its evidence (written on first read).
 */
/** What the rest of the capture says about an attempt's hosts (analyzeCapture fills it). */
export interface CaptureContext {
  /** Hosts that sent nothing at all in the capture although packets went to them. */
  silentHosts?: ReadonlySet<string>;
  /** The TTLs (hop limits) a host's packets carried in the capture. */
  ttlsOf?: (host: string) => Iterable<number> | undefined;
}

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
  return new Judgement(attempt, verdict, nmap, timing, observedAfterLastSyn, observedAfterFirst, context);
}

/**
 * An attempt's verdict. What describes it (headline, evidence, caveats, Zeek's conn_state and
 * history, the frame list) is written when first read: a scan has tens of thousands of attempts
 * and a page shows a few. Being getters, they are not copied by `{ ...verdict }`: name the fields.
 */
class Judgement implements AttemptVerdict {
  #observedAfterFirst: number;
  #context: CaptureContext;
  #words: Explanation | undefined;
  #zeek: string | undefined;
  #history: string | undefined;
  #frames: number[] | undefined;

  constructor(
    readonly attempt: Attempt,
    readonly verdict: Verdict,
    readonly nmap: NmapState,
    readonly timing: RetryTiming,
    readonly observedAfterLastSyn: number,
    observedAfterFirst: number,
    context: CaptureContext,
  ) {
    this.#observedAfterFirst = observedAfterFirst;
    this.#context = context;
  }

  get zeek(): string {
    return (this.#zeek ??= zeekConnState(this.attempt));
  }

  get history(): string {
    return (this.#history ??= history(this.attempt));
  }

  get frames(): number[] {
    return (this.#frames ??= this.attempt.packets.map((p) => p.frame));
  }

  get headline(): string {
    return this.#explained().headline;
  }

  get evidence(): EvidenceStep[] {
    return this.#explained().evidence;
  }

  get caveats(): string[] {
    return this.#explained().caveats;
  }

  #explained(): Explanation {
    const { attempt, verdict, timing, observedAfterLastSyn, nmap, zeek } = this;
    return (this.#words ??= explain({
      attempt,
      parts: partsOf(attempt),
      verdict,
      timing,
      observedAfterLastSyn,
      observedAfterFirst: this.#observedAfterFirst,
      nmap,
      zeek,
      context: this.#context,
    }));
  }
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
    default:
      return 'unknown';
  }
}

/** Zeek's conn_state for the attempt's packets, by Zeek's own state machine (zeek.ts). */
export function zeekConnState(attempt: Attempt): string {
  return zeekOfAttempt(attempt).connState;
}

/** Zeek's history letters for the attempt's packets (upper case: Zeek's originator). */
export function history(attempt: Attempt): string {
  return zeekOfAttempt(attempt).history;
}
