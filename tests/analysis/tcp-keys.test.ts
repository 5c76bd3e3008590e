// The verdicts read only a few fields of the TCP analysis (TcpKeys: tcp.stream, the endpoints and their pair,
// the Duplicate / PortsReused / QuotedInIcmp bits), and `tcpKeysOf` computes only those. They must
// be the whole analysis's numbers, and the verdicts made from them the same verdicts, on every
// bundled trace and corpus capture and on a SYN flood.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  analyzeTcpStreams,
  attemptJson,
  judgeCapture,
  tcpKeysOf,
  tcpStreamsOf,
  TcpAnalysisFlag,
  type TcpKeys,
} from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { everyBundledCapture, requireCorpus } from '../support/corpus.ts';
import { synFlood } from '../support/syn-flood.ts';
import { buildCapture, type Segment } from './build.ts';

const corpus = requireCorpus();
const KEY_BITS = TcpAnalysisFlag.Duplicate | TcpAnalysisFlag.PortsReused | TcpAnalysisFlag.QuotedInIcmp;

function keyFields(tcp: TcpKeys) {
  return {
    stream: Array.from(tcp.stream),
    srcEndpoint: Array.from(tcp.srcEndpoint),
    dstEndpoint: Array.from(tcp.dstEndpoint),
    pair: Array.from(tcp.pair),
    flags: Array.from(tcp.analysisFlags, (f) => f & KEY_BITS),
    streams: tcp.streams.toArray(),
  };
}

/** Every attempt of the capture judged from `tcp`, as the CLI's JSON writes it. */
function verdictsFrom(capture: Capture, tcp: TcpKeys) {
  const judged = judgeCapture(capture, tcp);
  return {
    attempts: Array.from({ length: judged.count }, (_, i) => attemptJson(judged.verdictAt(i))),
    findings: judged.findings,
  };
}

describe.skipIf(corpus.skip)(`tcpKeysOf is the whole TCP analysis's keys${corpus.note}`, () => {
  it('on every bundled trace and corpus capture: the same fields, the same verdicts', () => {
    const files = everyBundledCapture();
    expect(files.length).toBeGreaterThan(1000);
    const seen = { duplicates: 0, reused: 0, quoted: 0, attempts: 0 };
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      const whole = analyzeTcpStreams(loadCaptureBytes(bytes));
      const keys = analyzeTcpStreams(loadCaptureBytes(bytes), true);
      const expected = keyFields(whole);
      expect(keyFields(keys), file).toEqual(expected);
      // the other bits are the whole analysis's alone
      expect(Array.from(keys.analysisFlags), file).toEqual(expected.flags);
      for (const f of expected.flags) {
        if (f & TcpAnalysisFlag.Duplicate) seen.duplicates++;
        if (f & TcpAnalysisFlag.PortsReused) seen.reused++;
        if (f & TcpAnalysisFlag.QuotedInIcmp) seen.quoted++;
      }
      const a = loadCaptureBytes(bytes);
      const b = loadCaptureBytes(bytes);
      const fromKeys = verdictsFrom(a, tcpKeysOf(a));
      expect(fromKeys, file).toEqual(verdictsFrom(b, tcpStreamsOf(b)));
      seen.attempts += fromKeys.attempts.length;
    }
    // each kind of key occurs somewhere, so each path of the keys-only pass ran
    expect(seen.duplicates).toBeGreaterThan(10);
    expect(seen.reused).toBeGreaterThan(0); // the case below has more
    expect(seen.quoted).toBeGreaterThanOrEqual(10);
    expect(seen.attempts).toBeGreaterThan(1000);
  });
});

describe('tcpKeysOf', () => {
  it('a SYN flood: a stream and two endpoints per SYN, as the whole analysis numbers them', () => {
    const bytes = synFlood(3000);
    const keys = analyzeTcpStreams(loadCaptureBytes(bytes), true);
    expect(keys.streams.count).toBe(3000);
    expect(keyFields(keys)).toEqual(keyFields(analyzeTcpStreams(loadCaptureBytes(bytes))));
  });

  it('one client port reused with new ISNs, refused, answered and copied: the same streams and bits', () => {
    const client = { src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 3389 };
    const server = { src: '10.0.0.2', dst: '10.0.0.1', sport: 3389, dport: 50000 };
    const segments: Segment[] = [];
    for (let n = 0; n < 20; n++) {
      const t = n * 2;
      const isn = 1000 + n * 7919;
      segments.push({ ...client, t, flags: 'S', seq: isn, ipId: 100 + n });
      // every fourth SYN captured twice (a SPAN copy), every third one refused, the others answered
      if (n % 4 === 0) segments.push({ ...client, t: t + 0.00001, flags: 'S', seq: isn, ipId: 100 + n });
      if (n % 3 === 0) segments.push({ ...server, t: t + 0.001, flags: 'RA', seq: 0, ack: isn + 1 });
      else segments.push({ ...server, t: t + 0.001, flags: 'SA', seq: 5000 + n, ack: isn + 1 });
    }
    const whole = analyzeTcpStreams(buildCapture(segments));
    const keys = analyzeTcpStreams(buildCapture(segments), true);
    expect(keys.streams.count).toBe(20);
    expect(keys.analysisFlags.filter((f) => f & TcpAnalysisFlag.PortsReused).length).toBe(19);
    expect(keys.analysisFlags.filter((f) => f & TcpAnalysisFlag.Duplicate).length).toBe(5);
    expect(keyFields(keys)).toEqual(keyFields(whole));
  });

  it('gives the whole analysis when the capture already has it, and computes the keys once', () => {
    const withWhole = loadCaptureBytes(synFlood(10));
    const whole = tcpStreamsOf(withWhole);
    expect(tcpKeysOf(withWhole)).toBe(whole);
    const alone = loadCaptureBytes(synFlood(10));
    const keys = tcpKeysOf(alone);
    expect(tcpKeysOf(alone)).toBe(keys);
    expect(keys).not.toBe(tcpStreamsOf(alone));
  });
});
