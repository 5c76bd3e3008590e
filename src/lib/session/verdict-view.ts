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

/** How many attempts have a verdict so far, and how many of each: what a panel shows first. */
export interface VerdictTally {
  /** Attempts in all. */
  attemptCount: number;
  /** Attempts judged so far: `attemptCount` once the counts are final. */
  judged: number;
  /** verdict → number of attempts among those judged. */
  verdictCounts: Partial<Record<Verdict, number>>;
}

/**
 * A capture's (or a pair's) verdicts as the panels ask for them: the counts up front, the
 * attempts a page at a time. Per attempt only numbers are kept (its verdict's code, the frame
 * that names its TCP stream); the plain-data verdict and its words are made for the attempts a
 * page shows.
 */
export interface VerdictsView {
  /** Attempts in all. */
  count: number;
  /** verdict → number of attempts, over all of them. */
  verdictCounts: Partial<Record<Verdict, number>>;
  /**
   * Panel views of attempts [from, from + count), made when asked for; with `verdict`,
   * positions among the attempts with that verdict only.
   */
  attemptViews(from: number, count: number, verdict?: Verdict): AttemptView[];
  /** Attempt `i`'s verdict, without making its view. */
  verdictOf(i: number): Verdict;
  /** The first frame attempt `i` cites (its SYN, or the SYN/ACK that opened it), without making its view. */
  firstFrameOf(i: number): number;
  findings: string[];
  /** e.g. "3 attempts: 1 connected, 2 no response" — what the lab's library lists. */
  attemptSummary: string;
  /** Every verdict at once, for a report (made when asked). */
  analysis(): CaptureAnalysis | Comparison;
}

/**
 * Views made and kept for the pages read lately. A page is 10 to 100 attempts; past this many,
 * the oldest are dropped (a reader paging through 400,000 attempts must not keep them all).
 */
const KEPT_VIEWS = 2000;

/** Each attempt's verdict (as its index in VERDICTS) and first frame, in capture order. */
interface VerdictColumns {
  codes: Uint8Array;
  firstFrames: Uint32Array;
}

function viewOf(
  verdictAt: (i: number) => AttemptVerdict | ComparedAttempt,
  { codes, firstFrames }: VerdictColumns,
  findings: string[],
  analysis: () => CaptureAnalysis | Comparison,
): VerdictsView {
  const count = codes.length;
  const views = new Map<number, AttemptView>();
  const viewAt = (i: number) => {
    let view = views.get(i);
    if (!view) {
      if (views.size >= KEPT_VIEWS) views.delete(views.keys().next().value!);
      views.set(i, (view = toAttemptView(verdictAt(i))));
    }
    return view;
  };
  /** verdict → the attempts with it, in capture order (made when a page of that verdict is asked for). */
  const byVerdict = new Map<Verdict, Uint32Array>();
  const verdictCounts = countsOf(codes, count);
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
    verdictOf: (i) => VERDICTS[codes[i]],
    firstFrameOf: (i) => firstFrames[i],
    findings,
    attemptSummary: summaryLine({ attempts: count, verdicts: verdictCounts }),
    analysis,
  };
}

function countsOf(codes: Uint8Array, judged: number): Partial<Record<Verdict, number>> {
  const byCode = new Uint32Array(VERDICTS.length);
  for (let i = 0; i < judged; i++) byCode[codes[i]]++;
  const counts: Partial<Record<Verdict, number>> = {};
  byCode.forEach((n, code) => {
    if (n > 0) counts[VERDICTS[code]] = n;
  });
  return counts;
}

/** How often a long judging pass reports its counts so far. */
const TALLY_INTERVAL_MS = 250;

/**
 * Judges `count` attempts once, keeping only numbers. `onTally` hears the counts so far every
 * TALLY_INTERVAL_MS of a long pass (a flood of 400,000 attempts takes seconds), and the final
 * counts at the end.
 */
function judgeAll(
  count: number,
  verdictOf: (i: number) => Verdict,
  firstFrameOf: (i: number) => number,
  onTally?: (tally: VerdictTally) => void,
): VerdictColumns {
  const codes = new Uint8Array(count);
  const firstFrames = new Uint32Array(count);
  let reported = performance.now();
  for (let i = 0; i < count; i++) {
    codes[i] = VERDICTS.indexOf(verdictOf(i));
    firstFrames[i] = firstFrameOf(i);
    // the clock is read every 4,096 attempts only: reading it costs more than judging one
    if (onTally && (i & 4095) === 4095 && performance.now() - reported >= TALLY_INTERVAL_MS) {
      reported = performance.now();
      onTally({ attemptCount: count, judged: i + 1, verdictCounts: countsOf(codes, i + 1) });
    }
  }
  onTally?.({ attemptCount: count, judged: count, verdictCounts: countsOf(codes, count) });
  return { codes, firstFrames };
}

export interface ViewOptions extends HostDropOptions {
  /** Hears the verdict counts as they are made, the final ones before any view is. */
  onTally?: (tally: VerdictTally) => void;
}

/**
 * `tcp`: the capture's TCP analysis, when the caller has computed it already; `options`: a
 * firewall log read beside the capture, and who hears the counts as they are made.
 */
export function analyzeForView(capture: Capture, tcp?: TcpStreams, options: ViewOptions = {}): VerdictsView {
  const { onTally, ...drops } = options;
  const judged = judgeCapture(capture, tcp, drops);
  // kindAt reads a flood's attempts of SYNs alone off the columns: no verdict object is built
  // until a page shows the attempt (a host's drop records add evidence, never change a verdict)
  const columns = judgeAll(
    judged.count,
    (i) => judged.kindAt(i).verdict,
    (i) => judged.table.firstFrameOf(judged.rowOf(i)),
    onTally,
  );
  return viewOf(judged.verdictAt, columns, judged.findings, () => analyzeCapture(capture, tcp, drops));
}

/** A comparison already made (the pair view makes it once its sides are known). */
export function comparisonView(comparison: Comparison): VerdictsView {
  const verdictAt = (i: number) => comparison.attempts[i];
  const columns = judgeAll(
    comparison.attempts.length,
    (i) => verdictAt(i).verdict,
    (i) => verdictAt(i).frames[0] ?? 0,
  );
  return viewOf(verdictAt, columns, comparison.findings, () => comparison);
}

export function reportFor(view: VerdictsView, name: string, format: 'md' | 'json'): string {
  const analysis = view.analysis();
  return format === 'md' ? reportMarkdown(name, analysis) : reportJson(name, analysis);
}
