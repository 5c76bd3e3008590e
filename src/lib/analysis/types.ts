// The classifier's data: connection attempts found in a capture, and what we say about each.
// Everything here is plain data (numbers, strings, arrays) so it crosses a Worker boundary as is.

import type { NmapState, Role, Sender, Verdict, Where, ZeekState } from './vocabulary.ts';

export type { NmapState, Role, Sender, Verdict, Where, ZeekState } from './vocabulary.ts';

/** One packet of an attempt, in capture order. Indices are into capture.packets. */
export interface AttemptPacket {
  index: number;
  /** Frame number as Wireshark shows it. */
  frame: number;
  /** Seconds since the attempt's first packet. */
  t: number;
  from: Sender;
  /** TCP flags (0 for ICMP). */
  flags: number;
  /** What part it plays; 'other' = later traffic of the same connection. */
  role: Role;
  /** Raw seq / ack, NaN when absent. */
  seq: number;
  ack: number;
  ipId?: number;
  ttl?: number;
  vlan?: number;
  /** ICMP type/code for role 'icmp'; the router's address (undefined otherwise). */
  icmpType?: number;
  icmpCode?: number;
  icmpVersion?: 4 | 6;
  routerAddress?: string;
  /** Payload bytes. */
  length: number;
}

/** A client's SYN (and its retransmissions), identified by 4-tuple and ISN, with everything that answered it. */
export interface Attempt {
  /** Stable id: "client:port>server:port#isn". */
  id: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  ipVersion: 4 | 6;
  /** The client's initial sequence number (raw). For a SYN not captured: the SYN/ACK's ack - 1. */
  isn: number;
  /** tcp.stream of the first SYN (or SYN/ACK). */
  stream: number;
  /** True when the capture holds no SYN for it (it started after the SYN; only the answer is here). */
  synMissing: boolean;
  /** Seconds since 1970 of the first packet (float, for display and clock offsets). */
  startTime: number;
  packets: AttemptPacket[];
  /** VLAN ids the attempt's packets were seen on (empty if untagged). */
  vlans: number[];
  /** The server's ISN when a SYN/ACK was seen. */
  serverIsn?: number;
}

/** One step of reasoning, citing the frames it rests on. */
export interface EvidenceStep {
  text: string;
  frames: number[];
}

export interface RetryTiming {
  /** Seconds from the first SYN to each retransmission. */
  offsets: number[];
  /** Seconds between successive SYNs. */
  intervals: number[];
  /** e.g. "3 s then 6 s: legacy Windows", or undefined when there are no retries. */
  schedule?: string;
  /** Which known stack the schedule matches. */
  matches?: 'legacy-windows' | 'doubling-1s' | 'other';
}

/**
 * The judgement on one attempt: data only (codes, frame numbers, timings), so it survives
 * JSON.stringify and structuredClone. Its words come from `explain(verdict)`.
 */
export interface AttemptVerdict {
  attempt: Attempt;
  verdict: Verdict;
  nmap: NmapState;
  /** Zeek conn_state for the same packets (SF, S0, REJ, RSTO, RSTOS0, SH, OTH, …). */
  zeek: ZeekState;
  /** Zeek-style history: S SYN, h SYN/ACK, A ACK, D data, F FIN, R RST, upper case = client; I ICMP. */
  history: string;
  /** Frame numbers of the attempt's packets. */
  frames: number[];
  timing: RetryTiming;
  /** Seconds the capture went on after the attempt's last SYN. */
  observedAfterLastSyn: number;
  /** Seconds the capture went on after the attempt's first packet. */
  observedAfterFirst: number;
  /** What the rest of the capture says about the attempt's hosts; absent for an attempt judged alone. */
  hosts?: HostFacts;
  /** The capturing host's own records of dropping this attempt's packets (pktmon, firewall log). */
  hostDrops?: HostDrop[];
}

/**
 * The host's own record of dropping one of an attempt's packets, as data; `explain` words it as
 * an evidence step. `pktmon`: a drop event (170) logged with the packet. `firewall`: a Windows
 * Firewall log DROP line matched to the packet (capture/firewall-log.ts, drops.ts).
 */
export type HostDrop =
  | {
      source: 'pktmon';
      frame: number;
      role: Role;
      componentId: number;
      componentName?: string;
      reason: number;
      reasonName?: string;
      location: number;
    }
  | {
      source: 'firewall';
      frame: number;
      /** The packet the line matched: the client's SYN or the server's SYN/ACK. */
      packet: 'syn' | 'syn-ack';
      /** Which side's firewall logged it, from the line's path (SEND, RECEIVE); 'unknown' without one. */
      loggedBy: 'sender' | 'receiver' | 'unknown';
      /** The line's own date and time, as written, its number in the file, and its path field. */
      date: string;
      time: string;
      line: number;
      path?: string;
    };

/** Facts about an attempt's hosts from the whole capture, kept with the verdict for its words. */
export interface HostFacts {
  /** The server sent nothing at all in the capture although packets went to it (one-way capture?). */
  serverSilent: boolean;
  /** The lowest and highest TTL (hop limit) of the client's packets in the capture. */
  clientTtls?: [number, number];
}

/** What the rest of the capture says about an attempt's hosts (judgeCapture fills it). */
export interface CaptureContext {
  /** The facts about this attempt's hosts, from the whole capture. */
  hostsOf?: (attempt: Attempt) => HostFacts;
}

/** What `explain` says about a verdict. */
export interface Explanation {
  /** One sentence: what the verdict means for this attempt. */
  headline: string;
  /** Steps of reasoning, each citing its frames. */
  evidence: EvidenceStep[];
  /** What this capture cannot prove, and what would settle it. */
  caveats: string[];
  /** Two captures only: the steps that say where the attempt ended, citing both files' frames. */
  whereEvidence: EvidenceStep[];
}

export interface OffloadFinding {
  /** 'none': every checksum we could check was right. */
  kind: 'none' | 'offload' | 'corrupt' | 'both';
  /** Hosts whose sent packets carry checksum-offload signatures (the capturing host). */
  offloadHosts: string[];
  offloadFrames: number[];
  /** Received packets with wrong checksums: real damage somewhere. */
  corruptFrames: number[];
  /** Sentences for the reader. */
  text: string[];
}

export interface CaptureAnalysis {
  attempts: AttemptVerdict[];
  offload: OffloadFinding;
  /** Seconds from first to last packet. */
  duration: number;
  /** Capture-wide sentences (offload, capture cut short, …). */
  findings: string[];
}

export interface ComparedAttempt extends AttemptVerdict {
  where: Where;
  /** The same attempt in the other capture, when found. */
  counterpart?: AttemptVerdict;
  /** Which capture this row comes from. */
  side: 'client' | 'server';
  /** Server clock minus client clock, seconds (for the words); NaN if unknown. */
  clockOffset: number;
  /** How the counterpart was found: same 4-tuple and ISN, or (NAT) ISN and server port alone. */
  matchedBy?: 'tuple' | 'isn';
}

export interface Comparison {
  attempts: ComparedAttempt[];
  /** Server clock minus client clock, seconds (median over matched attempts); NaN if none matched. */
  clockOffset: number;
  matched: number;
  findings: string[];
}
