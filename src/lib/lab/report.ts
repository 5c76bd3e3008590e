// Verdict reports for the lab's "Download report": Markdown (to paste into a ticket or a course
// page) and JSON (for scripts), from the classifier's output for one capture or a client/server
// pair. Only what the classifier said, formatted; no packet bytes, so a report is safe to share
// when the addresses are (anonymize first otherwise).
import { attemptJson } from '../analysis/attempt-json.ts';
import { explain } from '../analysis/evidence.ts';
import type { AttemptVerdict, CaptureAnalysis, ComparedAttempt, Comparison } from '../analysis/types.ts';
import type { Verdict, Where } from '../analysis/vocabulary.ts';
import { thousands } from '../describe/thousands.ts';

/** What the library shows next to a capture: how many attempts, and how many got each verdict. */
export interface AttemptSummary {
  attempts: number;
  /** Verdict → number of attempts, in VERDICT_ORDER. */
  verdicts: Partial<Record<Verdict, number>>;
}

/** Most conclusive first: the order counts and tables use (every verdict, once: checked below). */
export const VERDICT_ORDER = [
  'connected',
  'half-open',
  'refused',
  'unreachable',
  'no-response',
  'inconclusive',
] as const satisfies readonly Verdict[];
// A verdict missing from VERDICT_ORDER is a compile error here.
const everyVerdictOrdered: Record<Exclude<Verdict, (typeof VERDICT_ORDER)[number]>, never> = {};
void everyVerdictOrdered;

const VERDICT_WORDS: Record<Verdict, string> = {
  connected: 'connected',
  'half-open': 'half-open',
  refused: 'refused (RST)',
  'no-response': 'no response',
  unreachable: 'unreachable (ICMP)',
  inconclusive: 'inconclusive',
};

const WHERE_WORDS: Record<Where, string> = {
  none: 'nowhere: it worked',
  path: 'on the way to the server',
  server: 'at the server',
  'return-path': 'on the way back',
};

type Analysis = CaptureAnalysis | Comparison;
type Row = AttemptVerdict | ComparedAttempt;

export function summarizeAttempts(analysis: Analysis): AttemptSummary {
  const verdicts: Partial<Record<Verdict, number>> = {};
  for (const verdict of VERDICT_ORDER) {
    const count = analysis.attempts.filter((a) => a.verdict === verdict).length;
    if (count > 0) verdicts[verdict] = count;
  }
  return { attempts: analysis.attempts.length, verdicts };
}

/** "2 connected, 1 no response" (or "no TCP connection attempts"): the library's summary line. */
export function summaryLine(summary: AttemptSummary): string {
  const parts = VERDICT_ORDER.filter((v) => summary.verdicts[v]).map(
    (v) => `${thousands(summary.verdicts[v]!)} ${VERDICT_WORDS[v]}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no TCP connection attempts';
}

/** "10.0.0.1:51000", "[2001:db8::1]:51000" */
export function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Table cells and headings: Markdown would read |, newlines and a leading # as structure. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** " (frames 1, 2)" after a step that does not already name its frames. */
function citation(text: string, frames: number[]): string {
  if (frames.length === 0 || /\bframes? \d/i.test(text)) return '';
  return frames.length === 1 ? ` (frame ${frames[0]})` : ` (frames ${frameText(frames)})`;
}

const isCompared = (row: Row): row is ComparedAttempt => 'where' in row;

function frameText(frames: number[]): string {
  if (frames.length <= 12) return frames.join(', ');
  return `${frames.slice(0, 10).join(', ')}, … (${frames.length} frames)`;
}

/**
 * The report as Markdown: a summary, one table row per attempt, capture-wide findings, then each
 * attempt's evidence (citing frame numbers, as in Wireshark) and what the capture cannot prove.
 */
export function reportMarkdown(name: string, analysis: Analysis): string {
  const rows: Row[] = analysis.attempts;
  const compared = rows.some(isCompared);
  const lines: string[] = [];
  lines.push(`# TCP connection attempts in ${cell(name)}`, '');
  const summary = summarizeAttempts(analysis);
  lines.push(`${summary.attempts} attempt${summary.attempts === 1 ? '' : 's'}: ${summaryLine(summary)}.`, '');
  if (rows.length > 0) {
    const header = [
      '#',
      'Client',
      'Server',
      'Verdict',
      ...(compared ? ['Capture', 'Where it ended'] : []),
      'nmap',
      'Zeek',
      'History',
      'Frames',
    ];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    rows.forEach((row, i) => {
      const a = row.attempt;
      const cells = [
        String(i + 1),
        endpoint(a.client, a.clientPort),
        endpoint(a.server, a.serverPort),
        VERDICT_WORDS[row.verdict],
        ...(isCompared(row) ? [row.side, WHERE_WORDS[row.where]] : compared ? ['', ''] : []),
        row.nmap,
        row.zeek,
        row.history,
        frameText(row.frames),
      ];
      lines.push(`| ${cells.map(cell).join(' | ')} |`);
    });
    lines.push('');
  }
  if (analysis.findings.length > 0) {
    lines.push('## About the capture', '');
    for (const finding of analysis.findings) lines.push(`- ${cell(finding)}`);
    lines.push('');
  }
  rows.forEach((row, i) => {
    const a = row.attempt;
    lines.push(
      `## ${i + 1}. ${endpoint(a.client, a.clientPort)} → ${endpoint(a.server, a.serverPort)}: ${VERDICT_WORDS[row.verdict]}`,
      '',
    );
    const words = explain(row);
    lines.push(cell(words.headline), '');
    const evidence = [...words.evidence, ...words.whereEvidence];
    if (evidence.length > 0) {
      lines.push('Evidence:', '');
      evidence.forEach((step, n) => lines.push(`${n + 1}. ${cell(step.text)}${citation(step.text, step.frames)}`));
      lines.push('');
    }
    if (row.timing.schedule) lines.push(`Retries: ${cell(row.timing.schedule)}.`, '');
    if (words.caveats.length > 0) {
      lines.push('What this capture cannot prove:', '');
      for (const caveat of words.caveats) lines.push(`- ${cell(caveat)}`);
      lines.push('');
    }
  });
  return lines.join('\n');
}

/** The JSON report's version: bump it when a field changes meaning (2: attempts in the CLI's shape). */
export const REPORT_JSON_VERSION = 2;

/** The same content as data: one object per attempt (the shape `porttrace verdicts --json` writes). */
export function reportJson(name: string, analysis: Analysis): string {
  const report = {
    format: 'porttrace-verdicts',
    version: REPORT_JSON_VERSION,
    capture: name,
    summary: summarizeAttempts(analysis),
    findings: analysis.findings,
    attempts: analysis.attempts.map((row: Row) => attemptJson(row)),
  };
  return JSON.stringify(report, null, 2) + '\n';
}
