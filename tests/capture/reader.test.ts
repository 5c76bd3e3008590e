// The reader's promises beyond counting: what it says about files that are not captures,
// lengths it refuses before allocating, the stream API, and never throwing on damaged input.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticksToTime } from '../../src/lib/capture/common.ts';
import { createCaptureReader, readCaptureBytes, readCaptureStream } from '../../src/lib/capture/reader.ts';
import type { CapturedFrame, ReadProgress } from '../../src/lib/capture/types.ts';
import { CaptureError } from '../../src/lib/capture/types.ts';
import {
  capturePath,
  corpusBytes,
  manifest,
  netmonBytes,
  requireCorpus,
  requireEditcap,
  requireTshark,
  REPO_ROOT as repoRoot,
} from '../support/corpus.ts';
import { frameKey } from './helpers.ts';

const corpus = requireCorpus();
const editcap = requireEditcap();
const tshark = requireTshark();
/** A capture named as in capturePath() (the vendored corpus, or the site's recorded traces). */
const captureBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(capturePath(path)));
/** An Ethernet handshake from Zeek's tests: 14 frames, capinfos' count in MANIFEST.tsv. */
const ETHERNET_SAMPLE = 'zeek/Traces/tcp/handshake-reorder.pcap';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(repoRoot, 'tests', 'fixtures', 'capture', name)));
const bytesOf = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('files that are not captures', () => {
  it.each([
    [
      'zip',
      bytesOf(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00),
      'not a capture file: starts with 50 4b 03 04 (a zip archive? Extract the capture from it first)',
    ],
    [
      'gzip',
      bytesOf(0x1f, 0x8b, 0x08, 0x00, 0x00),
      'not a capture file: starts with 1f 8b 08 00 (a gzip-compressed file? Decompress it first (gunzip, or 7-Zip on Windows))',
    ],
    [
      'PDF',
      new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n'),
      'not a capture file: starts with 25 50 44 46 (a PDF document)',
    ],
  ])('%s', (_name, bytes, message) => {
    const result = readCaptureBytes(bytes);
    expect(result.frames).toEqual([]);
    expect(result.error).toBeInstanceOf(CaptureError);
    expect(result.error?.kind).toBe('not-a-capture');
    expect(result.error?.offset).toBe(0);
    expect(result.error?.message).toBe(message);
  });

  it('recognises a text export and quotes its first line', () => {
    const text = new TextEncoder().encode(
      'No.     Time           Source                Destination           Protocol Length Info\n      1 0.000000       10.0.0.1 ...',
    );
    const result = readCaptureBytes(text);
    expect(result.error?.kind).toBe('not-a-capture');
    expect(result.error?.message).toMatch(/^not a capture file: starts with 4e 6f 2e 20 \(text: "No\. {5}Time/);
  });

  it.skipIf(corpus.skip)(`reads a real .etl as an ETL capture, without advice to convert it${corpus.note}`, () => {
    // The corpus .etl files hold no packet events: an ETL read with no frames and no error.
    const result = readCaptureBytes(corpusBytes('etl/AMSITrace.etl'));
    expect(result.error).toBeUndefined();
    expect(result.info?.format).toBe('etl');
    expect(result.frames.length).toBe(0);
  });

  it('reports an empty input and a too-short one', () => {
    expect(readCaptureBytes(new Uint8Array(0)).error?.message).toBe('not a capture file: the file is empty');
    const short = readCaptureBytes(bytesOf(0xd4, 0xc3));
    expect(short.error?.kind).toBe('truncated');
    expect(short.error?.message).toMatch(/only 2 bytes long/);
  });
});

/** A minimal little-endian pcapng: SHB + IDB, then whatever blocks the test appends. */
function pcapngHead(): number[] {
  const out: number[] = [];
  const u32 = (v: number): void => {
    out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  };
  u32(0x0a0d0d0a);
  u32(28);
  u32(0x1a2b3c4d);
  u32(1);
  u32(0xffffffff);
  u32(0xffffffff);
  u32(28);
  u32(1);
  u32(20);
  u32(1);
  u32(0);
  u32(20);
  return out;
}
function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

describe('lengths that cannot be right are refused before anything is allocated', () => {
  it('a pcapng block claiming 1 GiB', () => {
    const bytes = Uint8Array.from([...pcapngHead(), ...le32(6), ...le32(0x40000000), ...new Array(24).fill(0)]);
    for (const reader of [createCaptureReader(), createCaptureReader({ totalBytes: bytes.length })]) {
      const frames = reader.push(bytes);
      const end = reader.finish();
      expect(frames.length + end.frames.length).toBe(0);
      expect(end.error?.kind).toBe('malformed');
      expect(end.error?.offset).toBe(52);
      expect(end.error?.message).toBe(
        'EPB block at byte 48 claims 1,073,741,824 bytes, more than the 268,435,456 we accept',
      );
    }
  });

  it('a pcapng block longer than the rest of the file, when the size is known', () => {
    const bytes = Uint8Array.from([...pcapngHead(), ...le32(6), ...le32(100_000), ...new Array(24).fill(0)]);
    const reader = createCaptureReader({ totalBytes: bytes.length });
    reader.push(bytes);
    // Known at once, without waiting for bytes that will never come.
    expect(reader.error?.kind).toBe('truncated');
    expect(reader.error?.message).toBe(
      'truncated: file ends inside packet 1 at byte 48 (enhanced packet block of 100,000 bytes, 32 left in the file)',
    );
  });

  it('a pcap record claiming 4 GiB', () => {
    const header = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
    const record = [...le32(1), ...le32(0), ...le32(0xffffffff), ...le32(60)];
    const result = readCaptureBytes(Uint8Array.from([...header, ...record]));
    expect(result.error?.kind).toBe('malformed');
    expect(result.error?.offset).toBe(24);
    expect(result.error?.frame).toBe(1);
  });

  it('a block length that is not a multiple of 4, and one below the minimum', () => {
    const odd = readCaptureBytes(Uint8Array.from([...pcapngHead(), ...le32(6), ...le32(13), 0, 0, 0, 0, 0]));
    expect(odd.error?.message).toBe('block at byte 48 has length 13, not a multiple of 4');
    const tiny = readCaptureBytes(Uint8Array.from([...pcapngHead(), ...le32(6), ...le32(8), 0, 0, 0, 0]));
    expect(tiny.error?.message).toBe('EPB block at byte 48 has length 8, less than the 12-byte minimum');
  });

  it('a packet naming an interface its section does not have', () => {
    const epb = [...le32(6), ...le32(32), ...le32(5), ...le32(0), ...le32(0), ...le32(0), ...le32(0), ...le32(32)];
    const result = readCaptureBytes(Uint8Array.from([...pcapngHead(), ...epb]));
    expect(result.error?.message).toBe(
      'packet 1 (block at byte 48) names interface 5, but its section describes only 1',
    );
  });

  it('keeps the internal buffer to the largest block when fed many chunks', () => {
    // 2,000 blocks of 1,000 bytes fed in 333-byte chunks: every block straddles chunks.
    const blocks: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const data = new Array(1000 - 32).fill(i & 0xff);
      blocks.push(
        ...le32(6),
        ...le32(1000),
        ...le32(0),
        ...le32(0),
        ...le32(i),
        ...le32(data.length),
        ...le32(data.length),
        ...data,
        ...le32(1000),
      );
    }
    const bytes = Uint8Array.from([...pcapngHead(), ...blocks]);
    const reader = createCaptureReader();
    let count = 0;
    let maxBacking = 0;
    for (let at = 0; at < bytes.length; at += 333) {
      for (const frame of reader.push(bytes.slice(at, at + 333))) {
        count++;
        expect(frame.data[0]).toBe((frame.number - 1) & 0xff);
        maxBacking = Math.max(maxBacking, frame.data.buffer.byteLength);
      }
    }
    expect(reader.finish().error).toBeUndefined();
    expect(count).toBe(2000);
    // Frames that straddled chunks live in the reader's buffer, which never grew past a block
    // (or the 4 KiB sniffing buffer); the others are views into the 333-byte chunks.
    expect(maxBacking).toBeLessThanOrEqual(4096);
  });
});

describe('readCaptureStream', () => {
  it('yields owned frames from a ReadableStream and reports progress and the end', async () => {
    const bytes = captureBytes('public/traces/open-client.pcapng');
    const expected = readCaptureBytes(bytes).frames.map(frameKey);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 100) controller.enqueue(bytes.slice(at, at + 100));
        controller.close();
      },
    });
    const progress: ReadProgress[] = [];
    let ended: unknown;
    const frames: CapturedFrame[] = [];
    for await (const frame of readCaptureStream(stream, {
      totalBytes: bytes.length,
      onProgress: (p) => progress.push(p),
      onEnd: (e) => (ended = e),
    }))
      frames.push(frame);
    expect(frames.map(frameKey)).toEqual(expected);
    // Owned: each frame's bytes are its own buffer, not a view into a chunk or the reader.
    for (const frame of frames)
      expect(frame.data.byteOffset === 0 && frame.data.buffer.byteLength === frame.data.length).toBe(true);
    expect(progress.at(-1)).toEqual({ bytesRead: bytes.length, totalBytes: bytes.length, frames: expected.length });
    expect(progress.map((p) => p.bytesRead)).toEqual([...progress.map((p) => p.bytesRead)].sort((a, b) => a - b));
    expect((ended as { info?: { format: string } }).info?.format).toBe('pcapng');
  });

  it('returns a failing source as a truncated error, after the frames before it', async () => {
    const bytes = captureBytes('public/traces/open-client.pcapng');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.slice(0, bytes.length >> 1);
      throw new Error('connection reset');
    }
    const generator = readCaptureStream(failing());
    const frames: CapturedFrame[] = [];
    let step = await generator.next();
    while (!step.done) {
      frames.push(step.value);
      step = await generator.next();
    }
    expect(frames.length).toBeGreaterThan(0);
    expect(step.value.error?.kind).toBe('truncated');
    expect(step.value.error?.message).toMatch(/connection reset/);
  });

  it.skipIf(editcap.skip)(`hands NetMon frames over at the end of a stream${editcap.note}`, async () => {
    const bytes = netmonBytes(ETHERNET_SAMPLE, 'netmon2');
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += 64) yield bytes.slice(at, at + 64);
    }
    const frames: CapturedFrame[] = [];
    for await (const frame of readCaptureStream(chunks())) frames.push(frame);
    expect(frames.map(frameKey)).toEqual(readCaptureBytes(bytes).frames.map(frameKey));
    expect(frames.length).toBe(Number(manifest().find((row) => row.path === ETHERNET_SAMPLE)?.capinfos));
  });
});

describe('generated fixture: pcapng features (tshark agrees, see golden test)', () => {
  const result = readCaptureBytes(fixture('pcapng-features.pcapng'));

  it('reads interfaces from both sections with their options', () => {
    expect(result.error).toBeUndefined();
    expect(result.info?.variant).toBe('pcapng mixed byte order, 2 sections');
    expect(result.info?.interfaces.map((i) => [i.id, i.name, i.linkType, i.snapLength, i.fcsLength])).toEqual([
      [0, 'eth0', 1, 64, 0],
      [1, 'eth1', 1, 0, 4],
      [2, 'tun0', 101, 0, 0],
      [3, 'be0', 1, 0, 0],
    ]);
    expect(result.info?.comments[1]).toBe('second section (big-endian)');
  });

  const live = spawnSync(
    'tshark',
    [
      '-r',
      join(repoRoot, 'tests', 'fixtures', 'capture', 'pcapng-features.pcapng'),
      '-T',
      'fields',
      '-e',
      'frame.interface_id',
      '-e',
      'frame.comment',
      '-e',
      'frame.packet_flags_direction',
    ],
    { encoding: 'utf8' },
  );
  it.skipIf(tshark.skip)(`has the comments and directions tshark sees${tshark.note}`, () => {
    const rows = live.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'))
      .filter(([iface]) => iface !== '');
    expect(rows.length).toBe(result.frames.length);
    expect(rows.some(([, , d]) => d === '0x00000001')).toBe(true);
    expect(rows.some(([, , d]) => d === '0x00000002')).toBe(true);
    rows.forEach(([, comment, direction], i) => {
      expect((result.frames[i].comments ?? []).join(',')).toBe(comment ?? '');
      expect(result.frames[i].direction).toBe(
        direction === '0x00000001' ? 'received' : direction === '0x00000002' ? 'sent' : undefined,
      );
    });
  });

  it('cuts a Simple Packet Block to the interface snap length', () => {
    const spb = result.frames.find((f) => f.originalLength === 100)!;
    expect(spb.capturedLength).toBe(64);
    expect(spb.data.length).toBe(64);
  });
});

describe('exact time arithmetic', () => {
  it('matches BigInt division for any 64-bit tick count and common resolutions', () => {
    const out = { seconds: 0, nanoseconds: 0 };
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
        fc.constantFrom(
          1n,
          1000n,
          1_000_000n,
          1_000_000_000n,
          10n ** 7n,
          1n << 10n,
          1n << 20n,
          1n << 30n,
          1n << 37n,
          10n ** 12n,
        ),
        (ticks, units) => {
          ticksToTime(Number(ticks >> 32n), Number(ticks & 0xffffffffn), Number(units), out);
          if (ticks / units <= BigInt(Number.MAX_SAFE_INTEGER)) expect(BigInt(out.seconds)).toBe(ticks / units);
          expect(BigInt(out.nanoseconds)).toBe(((ticks % units) * 1_000_000_000n) / units);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe.skipIf(editcap.skip)(`damaged input never throws${editcap.note}`, () => {
  const samples = editcap.skip
    ? []
    : [
        captureBytes('public/traces/open-client.pcapng'),
        captureBytes('tcpdump/tests/tcp-handshake-nano.pcap'),
        netmonBytes(ETHERNET_SAMPLE, 'netmon1'),
        netmonBytes(ETHERNET_SAMPLE, 'netmon2'),
        fixture('pcapng-features.pcapng'),
        fixture('netmon-2.3.cap'),
      ];

  it('survives random byte changes, cuts and chunkings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 700 }),
        (original, edits, cutSeed, chunk) => {
          const bytes = original.slice(0, original.length - (cutSeed % 5 === 0 ? cutSeed % original.length : 0));
          for (const [at, value] of edits) if (bytes.length) bytes[at % bytes.length] = value;
          const whole = readCaptureBytes(bytes);
          if (whole.error) expect(whole.error).toBeInstanceOf(CaptureError);
          const reader = createCaptureReader();
          let frames = 0;
          for (let at = 0; at < bytes.length; at += chunk) frames += reader.push(bytes.slice(at, at + chunk)).length;
          const end = reader.finish();
          frames += end.frames.length;
          expect(frames).toBe(whole.frames.length);
          for (const frame of whole.frames) {
            expect(frame.data.length).toBe(frame.capturedLength);
            expect(frame.nanoseconds).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('NetMon 2.2+ frame comments', () => {
  const path = join(repoRoot, 'tests', 'fixtures', 'capture', 'netmon-2.3.cap');
  const live = spawnSync(
    'tshark',
    ['-r', path, '-T', 'fields', '-e', 'netmon_header.title_comment', '-e', 'netmon_header.description_comment'],
    { encoding: 'utf8' },
  );
  it.skipIf(tshark.skip)(`attach the titles tshark shows, and the description text${tshark.note}`, () => {
    const rows = live.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
    const { frames } = readCaptureBytes(fixture('netmon-2.3.cap'));
    expect(frames.length).toBe(rows.length);
    expect(rows.filter(([title]) => title !== '').length).toBe(2);
    rows.forEach(([title, description], i) => {
      const comments = frames[i].comments;
      if (title === '') return expect(comments).toBeUndefined();
      expect(comments?.[0]).toBe(title);
      // RTF descriptions are reduced to their text; plain ones are kept as they are.
      if (description.startsWith('{\\rtf')) expect(description).toContain(comments?.[1]);
      else expect(comments?.[1]).toBe(description);
    });
  });
});

describe('incremental reader state', () => {
  it.skipIf(corpus.skip)(`has info as soon as the header is parsed, before any frame${corpus.note}`, () => {
    const bytes = corpusBytes('tcpdump/tests/tcp-handshake-nano.pcap');
    const reader = createCaptureReader();
    expect(reader.push(bytes.slice(0, 10))).toEqual([]);
    expect(reader.info).toBeUndefined();
    expect(reader.push(bytes.slice(10, 30))).toEqual([]);
    expect(reader.info?.variant).toBe('pcap LE nsec 2.4');
    expect(reader.info?.interfaces).toEqual([{ id: 0, linkType: 113, snapLength: 262144, fcsLength: 0 }]);
    const frames = reader.push(bytes.slice(30));
    expect(frames.length).toBe(3);
    expect(reader.framesRead).toBe(3);
    expect(reader.bytesRead).toBe(bytes.length);
    expect(reader.finish()).toEqual({ info: reader.info, frames: [] });
    // finish() is idempotent and later pushes are ignored.
    expect(reader.push(bytes)).toEqual([]);
    expect(reader.finish().frames).toEqual([]);
  });

  it('stops a ReadableStream it no longer needs', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('%PDF-1.7 not a capture, and more to come'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const generator = readCaptureStream(stream);
    const step = await generator.next();
    expect(step.done).toBe(true);
    if (!step.done) return;
    expect(step.value.error?.kind).toBe('not-a-capture');
    expect(cancelled).toBe(true);
  });
});
