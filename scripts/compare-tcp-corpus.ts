// Wide check of the per-connection TCP analysis against tshark 4.0: every corpus capture under
// 3 MB that tshark sees TCP in, tshark run live, mismatches counted per field and per file.
// Too slow for the test suite (minutes); run by hand: npm exec -- tsx scripts/compare-tcp-corpus.ts
// ONLY=path/in/corpus to check one file, DEBUG=1 to print each mismatch.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { analyzeTcpStreams, TcpAnalysisFlag } from '../src/lib/analysis/tcp-streams.ts';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { CORPUS_DIR as CORPUS, manifest } from '../tests/support/corpus.ts';

const paths = process.env.ONLY ? [process.env.ONLY] : manifest().map((row) => row.path);
const fields = [
  'frame.number',
  'tcp.stream',
  'tcp.seq',
  'tcp.ack',
  'tcp.nxtseq',
  'tcp.analysis.retransmission',
  'tcp.analysis.fast_retransmission',
  'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order',
  'tcp.analysis.reused_ports',
  'tcp.analysis.keep_alive',
  'tcp.analysis.rto_frame',
  // The notes the Info column shows.
  'tcp.analysis.duplicate_ack',
  'tcp.analysis.duplicate_ack_num',
  'tcp.analysis.duplicate_ack_frame',
  'tcp.analysis.window_update',
  'tcp.analysis.window_full',
  'tcp.analysis.zero_window',
  'tcp.analysis.zero_window_probe',
  'tcp.analysis.zero_window_probe_ack',
  'tcp.analysis.lost_segment',
  'tcp.analysis.ack_lost_segment',
  'tcp.analysis.keep_alive_ack',
];
const F = TcpAnalysisFlag;
const perField: Record<string, number> = {};
const perFile: Array<[number, string]> = [];
let files = 0;
let packets = 0;
let notDecoded = 0;
for (const path of paths) {
  const file = `${CORPUS}/${path}`;
  if (statSync(file).size > 3e6) continue;
  let out: string;
  try {
    out = execFileSync(
      'tshark',
      ['-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20000,
      },
    );
  } catch {
    continue;
  }
  // Only newlines are trimmed: the last row's empty cells are tabs.
  const rows = out
    .replace(/\n+$/, '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  if (rows.length === 0) continue;
  const capture = loadCaptureBytes(new Uint8Array(readFileSync(file)));
  const tcp = analyzeTcpStreams(capture);
  files++;
  let mismatches = 0;
  for (const r of rows) {
    const i = Number(r[0]) - 1;
    const d = capture.packets[i]?.dissection;
    // Frames our decoder does not take apart (MPLS, IP fragments, cut headers) are the decoder's business.
    if (!d || d.truncated || (!d.tcp && !d.icmp)) {
      notDecoded++;
      continue;
    }
    packets++;
    const f = tcp.analysisFlags[i];
    const num = (s: string) => (s === '' ? NaN : Number(s));
    const checks: Array<[string, unknown, unknown]> = [
      ['tcp.stream', tcp.stream[i], r[1] === '' ? -1 : Number(r[1])],
      ['tcp.seq', tcp.relSeq[i], num(r[2])],
      ['tcp.ack', tcp.relAck[i], num(r[3])],
      ['tcp.nxtseq', tcp.nxtSeq[i], num(r[4])],
      ['retransmission', !!(f & F.Retransmission), r[5] !== ''],
      ['fast_retransmission', !!(f & F.FastRetransmission), r[6] !== ''],
      ['spurious_retransmission', !!(f & F.SpuriousRetransmission), r[7] !== ''],
      ['out_of_order', !!(f & F.OutOfOrder), r[8] !== ''],
      ['reused_ports', !!(f & F.PortsReused), r[9] !== ''],
      ['keep_alive', !!(f & F.KeepAlive), r[10] !== ''],
      ['rto_frame', tcp.rtoFrame[i], r[11] === '' ? 0 : Number(r[11])],
      ['duplicate_ack', !!(f & F.DuplicateAck), r[12] !== ''],
      ['duplicate_ack_num', tcp.dupAckNumber[i], r[13] === '' ? 0 : Number(r[13])],
      ['duplicate_ack_frame', tcp.dupAckFrame[i], r[14] === '' ? 0 : Number(r[14])],
      ['window_update', !!(f & F.WindowUpdate), r[15] !== ''],
      ['window_full', !!(f & F.WindowFull), r[16] !== ''],
      ['zero_window', !!(f & F.ZeroWindow), r[17] !== ''],
      ['zero_window_probe', !!(f & F.ZeroWindowProbe), r[18] !== ''],
      ['zero_window_probe_ack', !!(f & F.ZeroWindowProbeAck), r[19] !== ''],
      ['lost_segment', !!(f & F.LostSegment), r[20] !== ''],
      ['ack_lost_segment', !!(f & F.AckLostSegment), r[21] !== ''],
      ['keep_alive_ack', !!(f & F.KeepAliveAck), r[22] !== ''],
    ];
    for (const [name, ours, theirs] of checks) {
      if (Object.is(ours, theirs)) continue;
      perField[name] = (perField[name] ?? 0) + 1;
      mismatches++;
      if (process.env.DEBUG)
        console.log(`${path} frame ${r[0]} ${name}: ours ${String(ours)}, tshark ${String(theirs)}`);
    }
  }
  if (mismatches) perFile.push([mismatches, path]);
}
console.log(
  `${files} captures, ${packets} TCP packets compared (${notDecoded} that tshark decodes and we do not were skipped)`,
);
console.log('mismatches per field:', perField);
for (const [n, path] of perFile.sort((a, b) => b[0] - a[0]).slice(0, 20)) console.log(`  ${n}\t${path}`);
