// The classifier's results as the widgets show them: plain data, one AttemptView per attempt,
// with the ladder steps labelled the way a learner reads them.
import { analyzeCapture, assertNever, attemptJson, compareCaptures } from '../analysis/index.ts';
import type { AttemptPacket, AttemptVerdict, CaptureAnalysis, ComparedAttempt, Comparison } from '../analysis/types.ts';
import { reportJson, reportMarkdown, summarizeAttempts, summaryLine } from '../lab/report.ts';
import type { TcpStreams } from '../analysis/tcp-streams.ts';
import type { Capture } from '../packets.ts';
import type { AttemptView, LadderStep, PacketMark } from './protocol.ts';

const ROLE_LABELS: Record<AttemptPacket['role'], string> = {
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

function markOf(role: AttemptPacket['role']): PacketMark {
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
    steps.push({ frame: p.frame, t: p.t, from: p.from, label, mark: markOf(p.role) });
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

/** A capture's (or a pair's) verdicts, as the classifier gave them and as the panels show them. */
export interface VerdictsView {
  analysis: CaptureAnalysis | Comparison;
  /** Panel views of attempts [from, from + count), made when first asked for. */
  attemptViews(from: number, count: number): AttemptView[];
  findings: string[];
  /** e.g. "3 attempts: 1 connected, 2 no response" — what the lab's library lists. */
  attemptSummary: string;
}

function viewOf(analysis: CaptureAnalysis | Comparison): VerdictsView {
  const views: AttemptView[] = [];
  return {
    analysis,
    attemptViews(from, count) {
      const end = Math.min(analysis.attempts.length, from + count);
      for (let i = Math.max(0, from); i < end; i++) views[i] ??= toAttemptView(analysis.attempts[i]);
      return views.slice(from, end);
    },
    findings: analysis.findings,
    attemptSummary: summaryLine(summarizeAttempts(analysis)),
  };
}

/** `tcp`: the capture's TCP analysis, when the caller has computed it already. */
export const analyzeForView = (capture: Capture, tcp?: TcpStreams): VerdictsView =>
  viewOf(analyzeCapture(capture, tcp));

export const compareForView = (client: Capture, server: Capture): VerdictsView =>
  viewOf(compareCaptures(client, server));

export function reportFor(view: VerdictsView, name: string, format: 'md' | 'json'): string {
  return format === 'md' ? reportMarkdown(name, view.analysis) : reportJson(name, view.analysis);
}
