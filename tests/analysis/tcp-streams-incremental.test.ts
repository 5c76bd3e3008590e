// The TCP analysis is one analyzer fed a packet at a time (TcpStreamAnalyzer); the whole
// capture's analysis is a loop over it. Fed a window of rows at a time, the store forgetting each
// window as `porttrace packets` does, it must say exactly what the whole-capture analysis says
// about every packet and every stream, whatever the windows.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeTcpStreams, TcpStreamAnalyzer, type TcpStreams } from '../../src/lib/analysis/tcp-streams.ts';
import { loadCaptureBytes, loadCaptureStream } from '../../src/lib/load.ts';
import { Layer, type PacketStore } from '../../src/lib/store/packet-store.ts';
import { corpusBytes, manifest, requireCorpus } from '../support/corpus.ts';

const corpus = requireCorpus();

const PER_PACKET = [
  'stream',
  'relSeq',
  'relAck',
  'nxtSeq',
  'analysisFlags',
  'rtoFrame',
  'dupAckFrame',
  'dupAckNumber',
  'rto',
  'initialRtt',
  'windowScale',
  'srcEndpoint',
  'dstEndpoint',
] as const;

type PerPacket = Record<(typeof PER_PACKET)[number], number[]>;

/** The analysis of a capture read `chunkBytes` at a time through a window of rows. */
async function analyzedThroughWindows(bytes: Uint8Array, chunkBytes: number) {
  const rows = Object.fromEntries(PER_PACKET.map((name) => [name, [] as number[]])) as PerPacket;
  let analyzer: TcpStreamAnalyzer | undefined;
  let windows = 0;
  const take = (store: PacketStore) => {
    analyzer ??= new TcpStreamAnalyzer(store, 16);
    for (let i = 0; i < store.count; i++) {
      analyzer.analyze(i);
      for (const name of PER_PACKET) rows[name][store.forgottenRows + i] = analyzer.result[name][i];
    }
  };
  const chunks = function* () {
    for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
  };
  const capture = await loadCaptureStream(chunks(), {
    onRows(store) {
      if (store.count === 0) return;
      take(store);
      store.forgetRows();
      windows++;
    },
  });
  take(capture.store!);
  return { rows, streams: analyzer?.result.streams.toArray() ?? [], windows };
}

function expectSameAnalysis(whole: TcpStreams, windowed: Awaited<ReturnType<typeof analyzedThroughWindows>>) {
  for (const name of PER_PACKET) expect(windowed.rows[name], name).toEqual(Array.from(whole[name]));
  expect(windowed.streams).toEqual(whole.streams.toArray());
}

const hasTcp = (bytes: Uint8Array): boolean => {
  const store = loadCaptureBytes(bytes).store!;
  for (let i = 0; i < store.count; i++) if (store.columns.layers[i] & (Layer.Tcp | Layer.IcmpQuote)) return true;
  return false;
};

const traces = readdirSync('public/traces')
  .filter((f) => f.endsWith('.pcapng'))
  .map((f) => ({ name: `public/traces/${f}`, bytes: new Uint8Array(readFileSync(`public/traces/${f}`)) }));
const tcpCorpus = corpus.skip
  ? []
  : manifest()
      .map((row) => ({ name: row.path, bytes: corpusBytes(row.path) }))
      .filter(({ bytes }) => hasTcp(bytes));

describe('TcpStreamAnalyzer fed through a window of rows', () => {
  it.skipIf(corpus.skip)(
    `equals the whole-capture analysis on every capture with TCP, in chunks of 1,500 bytes${corpus.note}`,
    async () => {
      let packets = 0;
      for (const { name, bytes } of [...traces, ...tcpCorpus]) {
        const whole = analyzeTcpStreams(loadCaptureBytes(bytes));
        const windowed = await analyzedThroughWindows(bytes, 1500);
        expect(windowed.rows.stream.length, name).toBe(whole.stream.length);
        expectSameAnalysis(whole, windowed);
        packets += whole.stream.length;
      }
      expect(tcpCorpus.length).toBeGreaterThan(300);
      expect(packets).toBeGreaterThan(40_000);
    },
    600_000,
  );

  it.skipIf(corpus.skip)(
    `equals it whatever the chunk size (property)${corpus.note}`,
    async () => {
      // The captures with the most TCP analysis to get wrong: many streams and notes.
      const rich = [...traces, ...tcpCorpus]
        .map((c) => ({ ...c, whole: analyzeTcpStreams(loadCaptureBytes(c.bytes)) }))
        .filter((c) => c.whole.streams.count >= 3 && c.whole.analysisFlags.some((f) => f !== 0))
        .slice(0, 60);
      expect(rich.length).toBeGreaterThan(20);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...rich),
          fc.integer({ min: 1, max: 20_000 }),
          async ({ bytes, whole }, chunkBytes) => {
            const windowed = await analyzedThroughWindows(bytes, chunkBytes);
            expectSameAnalysis(whole, windowed);
          },
        ),
        { numRuns: 150 },
      );
    },
    600_000,
  );
});
