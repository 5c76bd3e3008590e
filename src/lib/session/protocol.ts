// Messages between a page and the engine running in a Web Worker. The worker keeps the decoded
// capture; the page asks for what it shows (a window of rows, one packet's details), so a
// capture of a million packets never crosses the thread boundary.
import type { AttemptJson } from '../analysis/attempt-json.ts';
import type { EvidenceStep, Sender, Verdict } from '../analysis/types.ts';
import type { TreeNode } from '../describe/packet-tree.ts';
import type { PairView } from './pair-view.ts';
import type { VerdictTally } from './verdict-view.ts';
import type { ConversationKind, ConversationRow, EndpointRow } from '../analyzer/conversations.ts';
import type { FollowedStream } from '../analyzer/follow.ts';
import type { IoGraph, IoUnit } from '../analyzer/io-graph.ts';
import type { TimeSequence } from '../analyzer/tcptrace.ts';
import type { ExpertEntry } from '../analyzer/expert.ts';

export type {
  VerdictTally,
  ConversationKind,
  ConversationRow,
  EndpointRow,
  FollowedStream,
  IoGraph,
  IoUnit,
  TimeSequence,
  ExpertEntry,
};

/** A TCP conversation row with its connection attempt's verdict, when it was one. */
export type ConversationView = ConversationRow & { verdict?: Verdict };

/** A Windows Firewall log (pfirewall.log) opened beside a capture: the Worker reads and parses it. */
export interface FirewallLogSource {
  name: string;
  data: Blob | string;
}

/** `firewallLog`: the log of the host the capture was taken on, read with it (the lab). */
export type CaptureSource = (
  | { kind: 'url'; url: string; name?: string }
  | { kind: 'file'; file: File }
  | { kind: 'bytes'; bytes: ArrayBuffer; name: string }
) & { firewallLog?: FirewallLogSource };

/** Windows caps pfirewall.log at 32 MB (its default is 4 MB): a file much larger is not one. */
export const MAX_FIREWALL_LOG_BYTES = 64 << 20;

/** What a firewall log opened beside a capture gave: its warnings are untrusted text. */
export interface FirewallLogView {
  name: string;
  /** Lines read as log entries. */
  entries: number;
  /** "Windows Firewall log: 3 TCP DROP lines, 3 matched …", as the verdict findings say it. */
  finding: string;
  /** The first bad lines, by line number (warningCount says how many there are). */
  warnings: Array<{ line: number; message: string }>;
  warningCount: number;
}

export interface PacketRow {
  /** Position in the capture (0-based). */
  index: number;
  /** Wireshark's frame number (1-based). */
  number: number;
  /** Seconds since the first packet, 6 decimals. */
  time: string;
  src: string;
  dst: string;
  protocol: string;
  length: number;
  /** Wireshark's Info column. */
  info: string;
  /** Network Monitor's Description column. */
  description: string;
  /** What kind of packet this is for the teaching colours (also spelled out in `info`). */
  mark: PacketMark;
  /**
   * The same packet seen from another capture point has the same key (addresses, ports, flags,
   * raw sequence and ack numbers, IP ID), so two sides can be lined up.
   */
  key: string;
  /** Capture time in seconds since 1970 (for aligning two captures). */
  epoch: number;
}

export type PacketMark = 'syn' | 'syn-ack' | 'rst' | 'retransmission' | 'icmp-error' | 'fin' | '';

export interface CaptureErrorView {
  kind: string;
  message: string;
  offset: number;
}

export type EvidenceView = EvidenceStep;

/**
 * One connection attempt as the panels show it: the JSON shape every attempt leaves the engine
 * in (`attemptJson`: the CLI's --json, the lab's report), plus what only the panels need.
 */
export interface AttemptView extends AttemptJson {
  id: string;
  /** Time of each packet of the attempt, relative to its first SYN, for the ladder diagram. */
  ladder: LadderStep[];
  /** Seconds from the attempt's first packet to the end of the capture (how long we watched). */
  observedUntil: number;
}

export interface LadderStep {
  frame: number;
  /** Seconds since the attempt's first packet. */
  t: number;
  from: Sender;
  label: string;
  mark: PacketMark;
}

/** How many attempts a summary carries; the rest are fetched a page at a time. */
export const SUMMARY_ATTEMPTS = 100;

export interface CaptureSummary {
  name: string;
  size: number;
  format: string;
  packets: number;
  /** Seconds from first to last packet. */
  duration: number;
  error?: CaptureErrorView;
  /** The first SUMMARY_ATTEMPTS attempts (a port scan has thousands: see attemptCount). */
  attempts: AttemptView[];
  attemptCount: number;
  /** verdict → number of attempts, over all of them. */
  verdictCounts: Partial<Record<Verdict, number>>;
  /** e.g. "3 attempts: 1 connected, 2 no response". */
  attemptSummary: string;
  /** Capture-wide findings, e.g. the checksum offload red herring. */
  findings: string[];
  /** The file's own comments (pcapng section comments, NetMon comment) — untrusted text. */
  comments: string[];
  /** Interfaces as "name — description (link type)" — untrusted text. */
  interfaces: string[];
  /** Set when the capture was too large to hold whole and only the deciding packets were kept. */
  handshakesOnly?: { kept: number; read: number };
  /** Two captures compared: the two-sided view (which file is which side, one row per attempt). */
  pair?: PairView;
  /** The Windows Firewall log read beside this capture, if one was. */
  firewallLog?: FirewallLogView;
}

export type FilterOutcome =
  | { ok: true; count: number; indices: Uint32Array; warning?: string }
  | { ok: false; message: string; start: number; end: number; hint?: string };

export interface PacketDetails {
  index: number;
  tree: TreeNode[];
  bytes: Uint8Array;
}

/** What the page asks; each request names the session (one open capture) it is about. */
export type RequestBody =
  | { type: 'open'; source: CaptureSource; handshakesOnly?: boolean }
  /** How many connection attempts a capture promises, from its first bytes (estimate.ts), before it is opened. */
  | { type: 'estimate'; source: CaptureSource }
  | { type: 'locate'; frame: number }
  /** `asGiven`: the first is the client's capture (the learner swapped the sides); otherwise the sides are detected. */
  | { type: 'compare'; client: CaptureSource; server: CaptureSource; asGiven?: boolean }
  /** Reads a Windows Firewall log beside the open capture (null: removes it); answers the new summary. */
  | { type: 'firewall-log'; log: FirewallLogSource | null }
  | { type: 'filter'; text: string }
  | { type: 'rows'; indices: number[] }
  | { type: 'details'; index: number }
  /** A page of attempts: of all of them, or of those with one verdict (counts: CaptureSummary.verdictCounts). */
  | { type: 'attempts'; from: number; count: number; verdict?: Verdict }
  | { type: 'export'; indices: number[] | null; anonymize: boolean; key?: string }
  | { type: 'report'; format: 'md' | 'json' }
  // The analyzer's views (Statistics → Conversations/Endpoints, Follow Stream, graphs, expert).
  | { type: 'conversations'; kind: ConversationKind }
  | { type: 'endpoints'; kind: ConversationKind }
  | { type: 'follow'; protocol: 'tcp'; stream: number }
  | { type: 'follow'; protocol: 'udp'; index: number }
  | { type: 'io-graph'; filters: string[]; interval: number; unit: IoUnit }
  | { type: 'time-sequence'; stream: number }
  | { type: 'expert' }
  | { type: 'close' };

export type Request = RequestBody & { id: number; session: string };

export type Response =
  | { id: number; type: 'progress'; bytesRead: number; totalBytes?: number; frames: number }
  /** An open's verdict counts, sent as they are made and before its result: a few numbers, whatever the capture. */
  | ({ id: number; type: 'tally' } & VerdictTally)
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string };
