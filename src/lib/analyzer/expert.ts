// The expert summary: how many packets carry each tcp.analysis.* note and how many connection
// attempts got each verdict, each with the display filter that shows them.
import { TcpAnalysisFlag, tcpStreamsOf } from '../analysis/tcp-streams.ts';
import type { Capture } from '../packets.ts';
import type { Verdict } from '../analysis/vocabulary.ts';

/** One line of the summary: a tcp.analysis note with Wireshark's severity, or one of our verdicts. */
export type ExpertEntry =
  | {
      /** What it is: "Retransmission", "Duplicate ACK"… */
      label: string;
      /** Wireshark's severity for the note. */
      severity: 'warning' | 'note' | 'chat';
      count: number;
      filter: string;
    }
  | { label: Verdict; severity: 'verdict'; count: number; filter: string };

export type VerdictEntry = Extract<ExpertEntry, { severity: 'verdict' }>;
export type NoteEntry = Exclude<ExpertEntry, VerdictEntry>;

/** tshark's expert notes of the TCP analysis: the field, its label, its severity. */
const NOTES: Array<[number, string, string, NoteEntry['severity']]> = [
  [TcpAnalysisFlag.Retransmission, 'tcp.analysis.retransmission', 'Retransmission', 'note'],
  [TcpAnalysisFlag.FastRetransmission, 'tcp.analysis.fast_retransmission', 'Fast retransmission', 'note'],
  [TcpAnalysisFlag.SpuriousRetransmission, 'tcp.analysis.spurious_retransmission', 'Spurious retransmission', 'note'],
  [TcpAnalysisFlag.OutOfOrder, 'tcp.analysis.out_of_order', 'Out-of-order segment', 'warning'],
  [TcpAnalysisFlag.LostSegment, 'tcp.analysis.lost_segment', 'Previous segment not captured', 'warning'],
  [TcpAnalysisFlag.AckLostSegment, 'tcp.analysis.ack_lost_segment', 'ACKed segment that was not captured', 'warning'],
  [TcpAnalysisFlag.DuplicateAck, 'tcp.analysis.duplicate_ack', 'Duplicate ACK', 'note'],
  [TcpAnalysisFlag.PortsReused, 'tcp.analysis.reused_ports', 'Port numbers reused', 'note'],
  [TcpAnalysisFlag.ZeroWindow, 'tcp.analysis.zero_window', 'Zero window', 'warning'],
  [TcpAnalysisFlag.ZeroWindowProbe, 'tcp.analysis.zero_window_probe', 'Zero window probe', 'note'],
  [TcpAnalysisFlag.ZeroWindowProbeAck, 'tcp.analysis.zero_window_probe_ack', 'Zero window probe ACK', 'note'],
  [TcpAnalysisFlag.WindowFull, 'tcp.analysis.window_full', 'Window full', 'warning'],
  [TcpAnalysisFlag.WindowUpdate, 'tcp.analysis.window_update', 'Window update', 'chat'],
  [TcpAnalysisFlag.KeepAlive, 'tcp.analysis.keep_alive', 'Keep-alive', 'note'],
  [TcpAnalysisFlag.KeepAliveAck, 'tcp.analysis.keep_alive_ack', 'Keep-alive ACK', 'note'],
];

/** One line per tcp.analysis.* note present in the capture, most frequent first. */
export function tcpExpertSummary(capture: Capture): NoteEntry[] {
  const flags = tcpStreamsOf(capture).analysisFlags;
  const counts = new Array<number>(NOTES.length).fill(0);
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (f === 0 || (f & TcpAnalysisFlag.QuotedInIcmp) !== 0) continue;
    for (let n = 0; n < NOTES.length; n++) if ((f & NOTES[n][0]) !== 0) counts[n]++;
  }
  return NOTES.map(([, filter, label, severity], n) => ({ label, severity, count: counts[n], filter }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count);
}

/**
 * One line per verdict: how many attempts, and a filter on their TCP streams. `attempts` gives
 * each attempt's verdict and frame numbers (the session's attempt views).
 */
export function verdictSummary(
  capture: Capture,
  attempts: ReadonlyArray<{ verdict: Verdict; frames: readonly number[] }>,
  indexOfFrame: (frame: number) => number,
): VerdictEntry[] {
  const streams = tcpStreamsOf(capture);
  const byVerdict = new Map<Verdict, Set<number>>();
  const counts = new Map<Verdict, number>();
  for (const attempt of attempts) {
    counts.set(attempt.verdict, (counts.get(attempt.verdict) ?? 0) + 1);
    const set = byVerdict.get(attempt.verdict) ?? new Set<number>();
    byVerdict.set(attempt.verdict, set);
    for (const frame of attempt.frames) {
      const index = indexOfFrame(frame);
      const stream = index < 0 ? -1 : streams.stream[index];
      if (stream >= 0 && (streams.analysisFlags[index] & TcpAnalysisFlag.QuotedInIcmp) === 0) {
        set.add(stream);
        break;
      }
    }
  }
  return [...counts].map(([verdict, count]) => {
    const ids = [...(byVerdict.get(verdict) ?? [])].sort((a, b) => a - b);
    return {
      label: verdict,
      severity: 'verdict' as const,
      count,
      filter: ids.length ? `tcp.stream in {${ids.join(', ')}}` : '',
    };
  });
}
