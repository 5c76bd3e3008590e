// tcp.stream, relative seq/ack and tcp.analysis.* against tshark 4.0 on real captures.
// Golden files: scripts/golden-tcp.sh → tests/golden/tcp/*.tsv (tshark's own output).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTcpStreams, TcpAnalysisFlag } from '../../src/lib/analysis/tcp-streams.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { isExtra, requireCorpus, requireExtraCorpus, requireTshark } from '../support/corpus.ts';
import { corpusCapture, readTsv } from './corpus.ts';

const corpus = requireCorpus();
const extra = requireExtraCorpus();
const tshark = requireTshark();

const GOLDEN = 'tests/golden/tcp';
const files = readFileSync(`${GOLDEN}/FILES`, 'utf8').split('\n').filter(Boolean);
// The project's own recordings change when they are re-recorded, so tshark reads them live.
const TRACES = existsSync('public/traces')
  ? readdirSync('public/traces')
      .filter((f) => f.endsWith('.pcapng'))
      .map((f) => `public/traces/${f}`)
  : [];
const FIELDS = readFileSync('scripts/golden-tcp.sh', 'utf8')
  .match(/^fields=\(([^)]*)\)/m)![1]
  .split(/\s+/)
  .filter(Boolean);

/** The same tshark command as scripts/golden-tcp.sh, run now. */
function tsharkRows(path: string): Array<Record<string, string>> {
  const args = [
    '-n',
    '-r',
    path,
    '-T',
    'fields',
    '-E',
    'header=y',
    '-E',
    'occurrence=f',
    '-o',
    'tcp.relative_sequence_numbers:TRUE',
    '-o',
    'tcp.analyze_sequence_numbers:TRUE',
  ];
  for (const f of FIELDS) args.push('-e', f);
  const tmp = join(mkdtempSync(join(tmpdir(), 'golden-tcp-')), 'out.tsv');
  writeFileSync(
    tmp,
    execFileSync('tshark', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  return readTsv(tmp);
}

const num = (s: string): number => (s === '' ? NaN : Number(s));
const flag = (s: string): boolean => s !== '';

/** tshark's tcp.analysis.* flag fields, and our TcpAnalysisFlag bit for each. */
const ANALYSIS_FLAGS: Array<[string, number]> = [
  ['retransmission', TcpAnalysisFlag.Retransmission],
  ['fast_retransmission', TcpAnalysisFlag.FastRetransmission],
  ['spurious_retransmission', TcpAnalysisFlag.SpuriousRetransmission],
  ['out_of_order', TcpAnalysisFlag.OutOfOrder],
  ['reused_ports', TcpAnalysisFlag.PortsReused],
  ['keep_alive', TcpAnalysisFlag.KeepAlive],
];

function compareWithTshark(path: string, golden: Array<Record<string, string>>, capture: Capture): void {
  expect(capture.packets.length).toBe(golden.length);
  const tcp = analyzeTcpStreams(capture);
  const mismatches: string[] = [];
  const check = (frame: number, field: string, ours: unknown, theirs: unknown) => {
    if (!Object.is(ours, theirs))
      mismatches.push(`frame ${frame} ${field}: ours ${String(ours)}, tshark ${String(theirs)}`);
  };
  let tcpHeaderCut = 0;
  // Streams with such a frame: our initial RTT can start later there (a cut SYN), so skip it.
  const streamsWithCutFrames = new Set<string>();
  golden.forEach((row, i) => {
    const frame = Number(row['frame.number']);
    // tshark still reads a TCP header whose options are cut off; our decoder reports it as
    // truncated and gives no TCP layer, so there is nothing of ours to compare on that frame.
    if (capture.packets[i].dissection.truncated?.layer === 'tcp') {
      tcpHeaderCut++;
      streamsWithCutFrames.add(row['tcp.stream']);
      return;
    }
    const f = tcp.analysisFlags[i];
    check(frame, 'tcp.stream', tcp.stream[i], row['tcp.stream'] === '' ? -1 : Number(row['tcp.stream']));
    check(frame, 'tcp.seq', tcp.relSeq[i], num(row['tcp.seq']));
    check(frame, 'tcp.ack', tcp.relAck[i], num(row['tcp.ack']));
    check(frame, 'tcp.nxtseq', tcp.nxtSeq[i], num(row['tcp.nxtseq']));
    for (const [name, bit] of ANALYSIS_FLAGS) check(frame, name, (f & bit) !== 0, flag(row[`tcp.analysis.${name}`]));
    check(
      frame,
      'rto_frame',
      tcp.rtoFrame[i],
      row['tcp.analysis.rto_frame'] === '' ? 0 : Number(row['tcp.analysis.rto_frame']),
    );
    const rto = num(row['tcp.analysis.rto']);
    check(frame, 'rto', Number.isNaN(rto) ? tcp.rto[i] : Math.round(tcp.rto[i] * 1e9) / 1e9, rto);
    // tshark prints initial_rtt only inside its SEQ/ACK analysis subtree, which it leaves out
    // on some packets; wherever it does print it, ours must be the same.
    const irtt = num(row['tcp.analysis.initial_rtt']);
    if (!Number.isNaN(irtt) && !streamsWithCutFrames.has(row['tcp.stream']))
      check(frame, 'initial_rtt', Math.round(tcp.initialRtt[i] * 1e9) / 1e9, irtt);
    const scale = num(row['tcp.window_size_scalefactor']);
    if (!Number.isNaN(scale)) check(frame, 'window_size_scalefactor', tcp.windowScale[i], scale);
  });
  expect(mismatches.slice(0, 20)).toEqual([]);
  expect(tcpHeaderCut).toBeLessThanOrEqual(golden.length / 10);
}

const compareWithGolden = (path: string): void =>
  compareWithTshark(path, readTsv(`${GOLDEN}/${path.replaceAll('/', '_')}.tsv`), corpusCapture(path));

describe.skipIf(corpus.skip)(
  `per-connection TCP analysis matches tshark (corpus, committed goldens)${corpus.note}`,
  () => {
    it.each(files.filter((path) => !isExtra(path)))('%s', compareWithGolden);
  },
);

describe.skipIf(extra.skip)(
  `per-connection TCP analysis matches tshark (extra corpus, committed goldens)${extra.note}`,
  () => {
    it.each(files.filter(isExtra))('%s', compareWithGolden);
  },
);

describe.skipIf(tshark.skip)(
  `per-connection TCP analysis matches tshark (recorded traces, tshark live)${tshark.note}`,
  () => {
    it.each(TRACES)('%s', (path) => {
      compareWithTshark(path, tsharkRows(path), loadCaptureBytes(new Uint8Array(readFileSync(path))));
    });
  },
);
