// The two real ETW files in the corpus (no packet events): the walker reads them whole, and its
// counts agree with an independent scan (tests/etl/independent-scan.py, Python, no shared code)
// and with what the files say about themselves (BuffersWritten, StartTime/EndTime, SavedOffset).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { etlTimeToFiletime, looksLikeEtl, readEtl, walkEtl } from '../../src/lib/capture/etl.ts';
import { corpusPath, manifest } from '../support/corpus.ts';
import { corpusBytes, hasPython } from './helpers.ts';

const python = hasPython ? '' : ' [skipped: python3 is not installed]';

// Established by running `python3 tests/etl/independent-scan.py FILE` (not by the TypeScript
// walker); the live test below re-runs it when python3 is installed.
const EXPECTED = {
  'etl/AMSITrace.etl': {
    buffers: 6,
    eventsPerBuffer: [2, 11, 1, 1, 2, 4],
    events: 21,
    byHeaderType: { '0x02': 2, '0x13': 19 },
    byProvider: { '8e805eb3-6a8f-4a1e-90fa-a831d94e54a1': 19 },
    logger: 'AMSITraceSession',
    build: 18362,
  },
  'etl/lxcore_kernel.etl': {
    buffers: 3,
    eventsPerBuffer: [2, 1, 1],
    events: 4,
    byHeaderType: { '0x02': 2, '0x13': 2 },
    byProvider: { '0cd1c309-0878-4515-83db-749843b3f5c9': 2 },
    logger: 'lxcore_kernel',
    build: 19041,
  },
} as const;

const FILES = Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>;

function eventsPerBuffer(path: string): number[] {
  const walk = walkEtl(corpusBytes(path));
  const counts = new Array(walk.buffers.length).fill(0);
  for (const e of walk.events) counts[e.buffer]++;
  return counts;
}

function byHeaderType(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of walkEtl(corpusBytes(path)).events) {
    const key = `0x${e.headerType.toString(16).padStart(2, '0')}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe.each(FILES)('%s', (path) => {
  const want = EXPECTED[path];
  const bytes = corpusBytes(path);
  const walk = walkEtl(bytes);

  it('is recognised and walked without a single problem', () => {
    expect(looksLikeEtl(bytes.subarray(0, 4096))).toBe(true);
    expect(walk.problems).toEqual([]);
    expect(walk.header?.loggerName).toBe(want.logger);
    expect(walk.header?.providerVersion).toBe(want.build);
  });

  it('has the event counts the independent scan found', () => {
    expect(walk.buffers.length).toBe(want.buffers);
    expect(walk.events.length).toBe(want.events);
    expect(eventsPerBuffer(path)).toEqual(want.eventsPerBuffer);
    expect(byHeaderType(path)).toEqual(want.byHeaderType);
    const read = readEtl(bytes);
    expect(read.events.byProvider).toEqual(want.byProvider);
    expect(read.events.events).toBe(want.events);
  });

  it('agrees with the file itself: BuffersWritten, exact tiling up to SavedOffset, times within Start/End', () => {
    const header = walk.header!;
    expect(walk.buffers.length).toBe(header.buffersWritten);
    for (const buffer of walk.buffers) {
      const inBuffer = walk.events.filter((e) => e.buffer === buffer.fileIndex).sort((a, b) => a.offset - b.offset);
      const covered = inBuffer.reduce((n, e) => n + ((e.size + 7) & ~7), 0);
      expect(0x48 + covered).toBe(buffer.savedOffset);
    }
    for (const e of walk.events) {
      const filetime = etlTimeToFiletime(header, e.timestamp!);
      expect(filetime >= header.startTime && filetime <= header.endTime).toBe(true);
    }
    // Events come out in time order.
    for (let i = 1; i < walk.events.length; i++)
      expect(walk.events[i - 1].timestamp! <= walk.events[i].timestamp!).toBe(true);
  });

  it('reads extended data items where the provider logged them (TraceLogging schema and traits)', () => {
    const withItems = walk.events.filter((e) => e.extendedItems);
    expect(withItems.length).toBeGreaterThan(0);
    for (const e of withItems) {
      for (const item of e.extendedItems!) expect(item.offset + item.length).toBeLessThanOrEqual(e.offset + e.size);
      expect(e.userData.byteOffset + e.userData.length).toBe(e.offset + e.size);
    }
  });

  it('gives no frames, no error and an ETL CaptureInfo', () => {
    const read = readEtl(bytes);
    expect(read.error).toBeUndefined();
    expect(read.frames).toEqual([]);
    expect(read.info.format).toBe('etl');
    expect(read.info.variant).toContain(`build ${want.build}`);
    expect(read.events.packetEvents).toBe(0);
  });

  it.skipIf(!hasPython)(`matches a live run of the independent Python scan${python}`, () => {
    const run = spawnSync('python3', ['tests/etl/independent-scan.py', corpusPath(path)], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const scan = JSON.parse(run.stdout) as {
      buffers: Array<{ events: number; offset: number; processor: number; tiles_exactly: boolean }>;
      events: number;
      by_header_type: Record<string, number>;
      by_provider: Record<string, number>;
    };
    expect(scan.events).toBe(walk.events.length);
    expect(scan.buffers.map((b) => b.events)).toEqual(eventsPerBuffer(path));
    expect(scan.buffers.every((b) => b.tiles_exactly)).toBe(true);
    expect(scan.by_header_type).toEqual(byHeaderType(path));
    expect(scan.by_provider).toEqual(readEtl(bytes).events.byProvider);
    const byFileIndex = [...walk.buffers].sort((a, b) => a.fileIndex - b.fileIndex);
    expect(scan.buffers.map((b) => [b.offset, b.processor])).toEqual(
      byFileIndex.map((b) => [b.offset, b.processorIndex]),
    );
  });
});

describe('lxcore_kernel.etl, event by event (read off a hex dump of the file)', () => {
  // Bytes 0x2048…0x21A0: EVENT_HEADER size 0x158, flags 0x0001, then an item of 0x40 bytes
  // (type 0x0C provider traits, 0x38 data bytes: u16 0x38 + "Microsoft.Windows.Subsystem.LxCore"),
  // then one of 0x70 bytes (type 0x0B TraceLogging schema, 0x64 data bytes), then user data.
  const bytes = corpusBytes('etl/lxcore_kernel.etl');
  const event = walkEtl(bytes).events.find((e) => e.offset === 0x2048)!;

  it('has the header fields at their documented places', () => {
    expect(event.kind).toBe('event-header');
    expect(event.size).toBe(0x158);
    expect(event.flags).toBe(0x0001);
    expect(event.processor).toBe(3);
    expect(event.guid).toBe('0cd1c309-0878-4515-83db-749843b3f5c9');
    expect(event.descriptor).toMatchObject({ id: 0, channel: 0x0b, level: 2, keyword: 0x0000_4000_0000_0000n });
  });

  it('has the two extended items and the user data after them', () => {
    expect(event.extendedItems!.map((i) => [i.type, i.offset, i.length])).toEqual([
      [0x0c, 0x2098 + 8, 0x38],
      [0x0b, 0x20d8 + 8, 0x64],
    ]);
    const traits = bytes.subarray(0x2098 + 8 + 2, 0x2098 + 8 + 0x38);
    expect(new TextDecoder().decode(traits).replace(/\0.*$/s, '')).toBe('Microsoft.Windows.Subsystem.LxCore');
    expect(event.userData.byteOffset - bytes.byteOffset).toBe(0x2148);
    expect(event.userData.length).toBe(0x21a0 - 0x2148);
  });
});

describe('looksLikeEtl', () => {
  it('says no to every other capture in the corpus', () => {
    const others = manifest()
      .map((row) => row.path)
      .filter((path) => !path.startsWith('etl/'));
    expect(others.length).toBeGreaterThan(1000);
    for (const path of others) expect(looksLikeEtl(corpusBytes(path).subarray(0, 4096)), path).toBe(false);
  });

  it('says no to short or empty input without throwing', () => {
    expect(looksLikeEtl(new Uint8Array())).toBe(false);
    expect(looksLikeEtl(corpusBytes('etl/AMSITrace.etl').subarray(0, 80))).toBe(false);
  });
});
