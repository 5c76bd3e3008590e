// The classifier's results as the widgets show them: plain data, one AttemptView per attempt,
// with the ladder steps labelled the way a learner reads them.
import {
  analyzeCapture,
  assertNever,
  attemptJson,
  judgeCapture,
  VERDICTS,
  type HostDropOptions,
  type Verdict,
} from '../analysis/index.ts';
import type { AttemptPacket, AttemptVerdict, CaptureAnalysis, ComparedAttempt, Comparison } from '../analysis/types.ts';
import { reportJson, reportMarkdown, summaryLine } from '../lab/report.ts';
import type { TcpStreams } from '../analysis/tcp-streams.ts';
import type { Capture } from '../packets.ts';
import type { AttemptView, LadderStep, PacketMark } from './protocol.ts';

export const ROLE_LABELS: Record<AttemptPacket['role'], string> = {
  syn: 'SYN',
  'syn-retransmission': 'SYN (retransmission)',
  duplicate: 'duplicate copy',
  'syn-ack': 'SYN, ACK',
  'syn-ack-retransmission': 'SYN, ACK (retransmission)',
  rst: 'RST',
  'client-ack': 'ACK',
  'client-data': 'data',
  'client-rst': 'RST (client gives up)',
  'client-fin': 'FIN',
  'server-fin': 'FIN',
  'server-confirms': 'ACK (handshake complete)',
  icmp: 'ICMP unreachable',
  other: '',
};

export function markOfRole(role: AttemptPacket['role']): PacketMark {
  switch (role) {
    case 'syn':
      return 'syn';
    case 'syn-retransmission':
    case 'syn-ack-retransmission':
      return 'retransmission';
    case 'syn-ack':
      return 'syn-ack';
    case 'rst':
    case 'client-rst':
      return 'rst';
    case 'icmp':
      return 'icmp-error';
    case 'client-fin':
    case 'server-fin':
      return 'fin';
    case 'duplicate':
    case 'client-ack':
    case 'client-data':
    case 'server-confirms':
    case 'other':
      return '';
    default:
      return assertNever(role);
  }
}

/** The ladder shows the handshake and how it ended, not every data segment that followed. */
const LADDER_LIMIT = 12;

function ladderOf(verdict: AttemptVerdict): LadderStep[] {
  const steps: LadderStep[] = [];
  for (const p of verdict.attempt.packets) {
    if (steps.length >= LADDER_LIMIT) break;
    const label = ROLE_LABELS[p.role] || (p.length ? `${p.length} bytes` : 'ACK');
    steps.push({ frame: p.frame, t: p.t, from: p.from, label, mark: markOfRole(p.role) });
  }
  return steps;
}

function lastSynTime(v: AttemptVerdict): number {
  let t = 0;
  for (const p of v.attempt.packets) if (p.role === 'syn' || p.role === 'syn-retransmission') t = Math.max(t, p.t);
  return t;
}

export function toAttemptView(v: AttemptVerdict | ComparedAttempt): AttemptView {
  const compared = 'where' in v ? v : undefined;
  return {
    id: compared ? `${compared.side}:${v.attempt.id}` : v.attempt.id,
    ...attemptJson(v),
    ladder: ladderOf(v),
    observedUntil: lastSynTime(v) + v.observedAfterLastSyn,
  };
}

/**
 * A capture's (or a pair's) verdicts as the panels ask for them: the counts up front, the
 * attempts a page at a time. For one capture only the attempt columns and one verdict code per
 * attempt are kept; the plain-data verdict and its words are made for the attempts a page shows.
 */
export interface VerdictsView {
  /** Attempts in all. */
  count: number;
  /** verdict → number of attempts, over all of them. */
  verdictCounts: Partial<Record<Verdict, number>>;
  /**
   * Panel views of attempts [from, from + count), made when first asked for; with `verdict`,
   * positions among the attempts with that verdict only.
   */
  attemptViews(from: number, count: number, verdict?: Verdict): AttemptView[];
  findings: string[];
  /** e.g. "3 attempts: 1 connected, 2 no response" — what the lab's library lists. */
  attemptSummary: string;
  /** Every verdict at once, for a report (made when asked). */
  analysis(): CaptureAnalysis | Comparison;
}

function viewOf(
  verdictAt: (i: number) => AttemptVerdict | ComparedAttempt,
  /** Each attempt's verdict, as its index in VERDICTS. */
  codes: Uint8Array,
  findings: string[],
  analysis: () => CaptureAnalysis | Comparison,
): VerdictsView {
  const count = codes.length;
  const views: AttemptView[] = [];
  const viewAt = (i: number) => (views[i] ??= toAttemptView(verdictAt(i)));
  /** verdict → the attempts with it, in capture order (made when a page of that verdict is asked for). */
  const byVerdict = new Map<Verdict, Uint32Array>();
  const verdictCounts: Partial<Record<Verdict, number>> = {};
  for (const code of codes) verdictCounts[VERDICTS[code]] = (verdictCounts[VERDICTS[code]] ?? 0) + 1;
  return {
    count,
    verdictCounts,
    attemptViews(from, n, verdict) {
      if (verdict === undefined) {
        const end = Math.min(count, from + n);
        const out: AttemptView[] = [];
        for (let i = Math.max(0, from); i < end; i++) out.push(viewAt(i));
        return out;
      }
      let indices = byVerdict.get(verdict);
      if (!indices) {
        const code = VERDICTS.indexOf(verdict);
        indices = new Uint32Array(verdictCounts[verdict] ?? 0);
        let k = 0;
        for (let i = 0; i < count; i++) if (codes[i] === code) indices[k++] = i;
        byVerdict.set(verdict, indices);
      }
      return Array.from(indices.subarray(Math.max(0, from), Math.max(0, from + n)), viewAt);
    },
    findings,
    attemptSummary: summaryLine({ attempts: count, verdicts: verdictCounts }),
    analysis,
  };
}

/**
 * `tcp`: the capture's TCP analysis, when the caller has computed it already; `options`: a
 * firewall log read beside the capture.
 */
export function analyzeForView(capture: Capture, tcp?: TcpStreams, options: HostDropOptions = {}): VerdictsView {
  const judged = judgeCapture(capture, tcp, options);
  const codes = new Uint8Array(judged.count);
  for (let i = 0; i < judged.count; i++) codes[i] = VERDICTS.indexOf(judged.verdictAt(i).verdict);
  return viewOf(judged.verdictAt, codes, judged.findings, () => analyzeCapture(capture, tcp, options));
}

/** A comparison already made (the pair view makes it once its sides are known). */
export function comparisonView(comparison: Comparison): VerdictsView {
  const codes = Uint8Array.from(comparison.attempts, (a) => VERDICTS.indexOf(a.verdict));
  return viewOf(
    (i) => comparison.attempts[i],
    codes,
    comparison.findings,
    () => comparison,
  );
}

export function reportFor(view: VerdictsView, name: string, format: 'md' | 'json'): string {
  const analysis = view.analysis();
  return format === 'md' ? reportMarkdown(name, analysis) : reportJson(name, analysis);
}
