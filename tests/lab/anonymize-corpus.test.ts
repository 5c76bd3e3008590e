// The anonymizer on every capture in the corpus and on frames cut at every length: it must
// never throw, keep every frame (numbering unchanged), never grow a frame, and never make a
// frame that decoded cleanly undecodable.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/lib/decode/index.ts';
import { anonymizeCapture } from '../../src/lib/lab/anonymize.ts';
import { exportPcapng } from '../../src/lib/lab/export.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { frameOf, type Capture, type Packet } from '../../src/lib/packets.ts';
import { CORPUS_DIR as CORPUS } from '../support/corpus.ts';

function captureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...captureFiles(path));
    else if (/\.(pcap|pcapng|cap|etl)$/i.test(name)) out.push(path);
  }
  return out;
}

function checkAnonymized(original: Capture, payload: 'cut' | 'zero'): void {
  const anonymized = anonymizeCapture(original, { payload });
  expect(anonymized.packets.length).toBe(original.packets.length);
  anonymized.packets.forEach((packet, i) => {
    const before = original.packets[i];
    expect(packet.number).toBe(before.number);
    expect(packet.data.length).toBeLessThanOrEqual(before.data.length);
    expect(packet.originalLength).toBeGreaterThanOrEqual(packet.data.length);
    // A frame that decoded without a problem still does (emptied frames aside).
    if (!before.dissection.problem && packet.data.length > 0)
      expect(packet.dissection.problem, `frame ${packet.number}`).toBeUndefined();
  });
  expect(() => exportPcapng(anonymized, anonymized.packets.keys())).not.toThrow();
}

describe('anonymizeCapture never fails on real files', () => {
  const files = captureFiles(CORPUS);
  it(`handles all ${files.length} corpus captures in both payload modes`, () => {
    let frames = 0;
    for (const file of files) {
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(file)));
      frames += capture.packets.length;
      try {
        checkAnonymized(capture, 'zero');
        checkAnonymized(capture, 'cut');
      } catch (error) {
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    expect(frames).toBeGreaterThan(10_000);
  });
});

describe('anonymizeCapture on frames cut at every length', () => {
  it.each([
    'zeek/Traces/communityid/ipv6.pcap',
    'zeek/Traces/icmp/icmp6-nd-options.pcap',
    'zeek/Traces/linuxsll-arp.pcap',
    'zeek/Traces/icmp/icmp-destunreach-udp.pcap',
  ])('%s', (path) => {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(join(CORPUS, path))));
    const cut: Packet[] = [];
    for (const packet of capture.packets.slice(0, 12)) {
      for (let length = 0; length <= packet.data.length; length++) {
        const data = packet.data.slice(0, length);
        const frame: Packet = {
          ...frameOf(packet),
          data,
          capturedLength: length,
          dissection: undefined as unknown as Packet['dissection'],
        };
        frame.dissection = decodeFrame(frame);
        cut.push(frame);
      }
    }
    const sliced: Capture = { info: capture.info, packets: cut };
    const anonymized = anonymizeCapture(sliced);
    expect(anonymized.packets.length).toBe(cut.length);
    anonymized.packets.forEach((packet, i) => expect(packet.data.length).toBeLessThanOrEqual(cut[i].data.length));
  });
});
