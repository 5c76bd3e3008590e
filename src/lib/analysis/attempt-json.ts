// One attempt as JSON-ready data, the same shape wherever an attempt leaves the engine: the CLI's
// `verdicts --json` / `--jsonl`, the lab's JSON report, and the Worker's AttemptView (which adds
// what only the panels need). Built from a verdict (data) and its explanation (words).
import { explain } from './evidence.ts';
import type { AttemptVerdict, ComparedAttempt, EvidenceStep, Role, Sender } from './types.ts';
import type { NmapState, Verdict, Where, ZeekState } from './vocabulary.ts';

export interface AttemptPacketJson {
  frame: number;
  /** Seconds since the attempt's first packet. */
  t: number;
  from: Sender;
  role: Role;
}

export interface AttemptJson {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  ipVersion: 4 | 6;
  verdict: Verdict;
  /** Two captures only: which capture the row comes from, and where the attempt ended. */
  side?: 'client' | 'server';
  where?: Where;
  /** One sentence: what the verdict means for this attempt. */
  headline: string;
  nmap: NmapState;
  zeek: ZeekState;
  history: string;
  frames: number[];
  evidence: EvidenceStep[];
  /** Two captures only: the steps that say where the attempt ended. */
  whereEvidence?: EvidenceStep[];
  caveats: string[];
  isn: number;
  stream: number;
  synMissing: boolean;
  /** SYN retransmissions (not counting the first SYN). */
  retries: number;
  /** Seconds between successive SYNs, to the microsecond. */
  retryIntervals: number[];
  /** e.g. "3 s then 6 s: legacy Windows". */
  retrySchedule?: string;
  vlans?: number[];
  /** Two captures only: the counterpart's frames in the server capture. */
  serverFrames?: number[];
  packets: AttemptPacketJson[];
}

const steps = (xs: EvidenceStep[]): EvidenceStep[] => xs.map((e) => ({ text: e.text, frames: e.frames }));

export function attemptJson(v: AttemptVerdict | ComparedAttempt): AttemptJson {
  const a = v.attempt;
  const words = explain(v);
  const row: AttemptJson = {
    client: a.client,
    clientPort: a.clientPort,
    server: a.server,
    serverPort: a.serverPort,
    ipVersion: a.ipVersion,
    verdict: v.verdict,
    headline: words.headline,
    nmap: v.nmap,
    zeek: v.zeek,
    history: v.history,
    frames: v.frames,
    evidence: steps(words.evidence),
    caveats: words.caveats,
    isn: a.isn,
    stream: a.stream,
    synMissing: a.synMissing,
    retries: v.timing.offsets.length,
    retryIntervals: v.timing.intervals.map((x) => Math.round(x * 1e6) / 1e6),
    packets: a.packets.map((p) => ({ frame: p.frame, t: p.t, from: p.from, role: p.role })),
  };
  if (v.timing.schedule) row.retrySchedule = v.timing.schedule;
  if (a.vlans.length) row.vlans = a.vlans;
  if ('where' in v) {
    row.side = v.side;
    row.where = v.where;
    row.whereEvidence = steps(words.whereEvidence);
    if (v.counterpart) row.serverFrames = v.counterpart.frames;
  }
  return row;
}
