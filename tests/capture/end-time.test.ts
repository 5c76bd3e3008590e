// A capture that goes on in silence after its last packet says so in its interface statistics
// (pcapng isb_endtime); the reader reports it as info.endTime.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';
import { readCaptureBytes } from '../../src/lib/capture/reader.ts';

const seconds = (t: { seconds: number; nanoseconds: number }) => t.seconds + t.nanoseconds / 1e9;

describe('capture end time (isb_endtime)', () => {
  test('is read in the interface’s resolution, the latest of all statistics blocks', () => {
    for (const resolution of [6, 9]) {
      const writer = new PcapngWriter();
      const a = writer.addInterface({ linkType: 1, decimalResolution: resolution });
      const b = writer.addInterface({ linkType: 1, decimalResolution: resolution });
      writer.addPacket({ interfaceId: a, seconds: 1_700_000_000, nanoseconds: 0, data: new Uint8Array(60) });
      writer.addStatistics({
        interfaceId: a,
        seconds: 1_700_000_021,
        nanoseconds: 0,
        end: { seconds: 1_700_000_021, nanoseconds: 5_000 },
      });
      writer.addStatistics({
        interfaceId: b,
        seconds: 1_700_000_009,
        nanoseconds: 0,
        end: { seconds: 1_700_000_009, nanoseconds: 0 },
      });
      const { info, frames, error } = readCaptureBytes(writer.toBytes());
      expect(error).toBeUndefined();
      expect(frames).toHaveLength(1);
      expect(info?.endTime).toEqual({ seconds: 1_700_000_021, nanoseconds: 5_000 });
    }
  });

  test('dumpcap’s microsecond isb_endtime on a nanosecond interface lands just after the last packet', () => {
    // every recorded trace was captured by dumpcap, which kept capturing a few seconds after the
    // last packet (scripts/record-traces.sh)
    for (const name of ['blocked-drop-client', 'path-drop-server', 'open-client']) {
      const { info, frames } = readCaptureBytes(new Uint8Array(readFileSync(`public/traces/${name}.pcapng`)));
      const last = seconds(frames.at(-1)!);
      expect(info?.endTime, name).toBeDefined();
      const after = seconds(info!.endTime!) - last;
      expect(after, name).toBeGreaterThan(0);
      expect(after, name).toBeLessThan(30);
    }
  });

  test('the article reconstruction ends when legacy Windows gives up, 21 s after the first SYN', () => {
    const { info, frames } = readCaptureBytes(
      new Uint8Array(readFileSync('public/traces/article-blocked-client.pcapng')),
    );
    // the first SYN is the first TCP frame: EtherType IPv4 and protocol 6
    const firstSyn = frames.find((f) => f.data[23] === 6)!;
    expect(seconds(info!.endTime!) - seconds(firstSyn)).toBeCloseTo(21, 1);
  });
});
