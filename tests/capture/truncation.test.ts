// Files cut short: at every block boundary, one byte either side of it, and a sample of other
// offsets. Only typed results may come back, and the frames returned must be exactly the first
// N frames of the complete file, N being the packets whose blocks end before the cut.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader, readCaptureBytes } from '../../src/lib/capture/reader.ts';
import { capturePath, netmonBytes, REPO_ROOT as repoRoot, requireCorpus, requireEditcap } from '../support/corpus.ts';
import { frameKey, readInChunks } from './helpers.ts';

const corpus = requireCorpus();
const editcap = requireEditcap();
/** A capture named as in capturePath(): the vendored corpus, or the site's recorded traces. */
const corpusFile = (path: string): Uint8Array => new Uint8Array(readFileSync(capturePath(path)));

const PACKET_UNITS = new Set(['record', 'EPB', 'SPB', 'PB']);

/** Block layout of the complete file, from the reader's observer. */
function layout(bytes: Uint8Array): { kind: string; offset: number; end: number }[] {
  const blocks: { kind: string; offset: number; end: number }[] = [];
  const reader = createCaptureReader({
    observer: (kind, offset, length) => blocks.push({ kind, offset, end: offset + length }),
  });
  reader.push(bytes);
  reader.finish();
  return blocks;
}

function cutPoints(bytes: Uint8Array, blocks: { offset: number; end: number }[]): number[] {
  const points = new Set<number>([0, 1, 3, 4, 23, 24, 25, bytes.length - 1, bytes.length]);
  for (const block of blocks)
    for (const at of [block.offset - 1, block.offset, block.offset + 1, block.end - 1, block.end, block.end + 1])
      points.add(at);
  // A deterministic sample of other offsets.
  let seed = 12345;
  for (let i = 0; i < 60; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    points.add(seed % (bytes.length + 1));
  }
  return [...points].filter((at) => at >= 0 && at <= bytes.length).sort((a, b) => a - b);
}

const sequentialSamples = [
  'public/traces/open-client.pcapng',
  'public/traces/path-drop-client.pcapng',
  'tcpdump/tests/tcp-handshake-nano.pcap',
  'tcpdump/tests/pptp.pcap',
  'pcapng-test-generator/output_be/difficult/test202.pcapng',
  'pcapng-test-generator/output_le/advanced/test101.pcapng',
];

describe.skipIf(corpus.skip)(`cut pcap/pcapng files${corpus.note}`, () => {
  it.each(sequentialSamples)('%s', (path) => {
    const bytes = corpusFile(path);
    const full = readCaptureBytes(bytes);
    expect(full.error).toBeUndefined();
    const fullKeys = full.frames.map(frameKey);
    const blocks = layout(bytes);
    const packetEnds = blocks.filter((b) => PACKET_UNITS.has(b.kind)).map((b) => b.end);
    const boundaries = new Set([...blocks.map((b) => b.end)]);
    const cuts = cutPoints(bytes, blocks);
    expect(cuts.length).toBeGreaterThan(20);
    for (const cut of cuts) {
      const piece = bytes.slice(0, cut);
      const expectedFrames = packetEnds.filter((end) => end <= cut).length;
      for (const result of [readCaptureBytes(piece), readInChunks(piece, 7)]) {
        const where = `${path} cut at ${cut}`;
        expect(result.frames.map(frameKey), where).toEqual(fullKeys.slice(0, expectedFrames));
        if (cut === bytes.length || (boundaries.has(cut) && cut > 0)) {
          expect(result.error, where).toBeUndefined();
        } else {
          expect(result.error, where).toBeDefined();
          expect(result.error!.kind, where).toBe(cut === 0 ? 'not-a-capture' : 'truncated');
          expect(result.error!.offset, where).toBeLessThanOrEqual(cut);
          expect(result.error!.message, where).toMatch(/^(truncated|not a capture file): /);
        }
      }
    }
  });

  it('names the packet and the byte where the file ends', () => {
    const bytes = corpusFile('public/traces/path-drop-client.pcapng');
    const blocks = layout(bytes).filter((b) => b.kind === 'EPB');
    const third = blocks[2];
    const result = readCaptureBytes(bytes.slice(0, third.offset + 20));
    expect(result.frames.length).toBe(2);
    expect(result.error?.message).toBe(
      `truncated: file ends inside packet 3 at byte ${third.offset} (enhanced packet block of ${third.end - third.offset} bytes, 20 left in the file)`,
    );
    expect(result.error?.frame).toBe(3);
    const streamed = readInChunks(bytes.slice(0, third.offset + 20), 4096);
    expect(streamed.error?.message).toBe(
      `truncated: file ends inside packet 3 at byte ${third.offset} (enhanced packet block of ${third.end - third.offset} bytes, 20 present)`,
    );
  });
});

// NetMon copies (written by editcap) of an IPv4 and an IPv6 recording, and a NetMon 2.3 fixture.
const netmonSamples: Array<[string, 'netmon1' | 'netmon2' | 'fixture']> = [
  ['public/traces/open-client.pcapng', 'netmon1'],
  ['public/traces/open-ipv6-client.pcapng', 'netmon2'],
  ['netmon-2.3.cap', 'fixture'],
];
const fixtureDir = join(repoRoot, 'tests', 'fixtures', 'capture');

describe.skipIf(editcap.skip)(`cut NetMon files (frame table at the end)${editcap.note}`, () => {
  it.each(netmonSamples)('%s %s', (path, kind) => {
    const bytes = kind === 'fixture' ? new Uint8Array(readFileSync(join(fixtureDir, path))) : netmonBytes(path, kind);
    const full = readCaptureBytes(bytes);
    expect(full.error).toBeUndefined();
    const fullKeys = full.frames.map(frameKey);
    for (const cut of cutPoints(bytes, layout(bytes))) {
      for (const result of [readCaptureBytes(bytes.slice(0, cut)), readInChunks(bytes.slice(0, cut), 7)]) {
        const keys = result.frames.map(frameKey);
        expect(keys, `cut at ${cut}`).toEqual(fullKeys.slice(0, keys.length));
        if (cut < bytes.length) {
          expect(result.error, `cut at ${cut}`).toBeDefined();
          expect(['truncated', 'malformed', 'not-a-capture'], `cut at ${cut}`).toContain(result.error!.kind);
        }
      }
    }
  });
});
