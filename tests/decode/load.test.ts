// loadCaptureBytes / loadCaptureStream: readers + decoders together. Packets own their bytes,
// streamed and in-memory loads agree, FCS bytes are stripped, progress is reported, abort works.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes, loadCaptureStream } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';

import { capturePath, netmonBytes, requireEditcap } from '../support/corpus.ts';

const editcap = requireEditcap();
/** A capture named as in capturePath(): the vendored corpus, or the site's traces (`public/…`). */
const corpus = (path: string) => new Uint8Array(readFileSync(capturePath(path)));

function* chunksOf(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** A classic little-endian pcap holding `frames`, with `linkField` as the link-type word. */
function pcap(frames: Uint8Array[], linkField: number): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, linkField >>> 0, true);
  let at = 24;
  frames.forEach((frame, i) => {
    view.setUint32(at, 1_600_000_000 + i, true);
    view.setUint32(at + 8, frame.length, true);
    view.setUint32(at + 12, frame.length, true);
    out.set(frame, at + 16);
    at += 16 + frame.length;
  });
  return out;
}

const summary = (capture: Capture) =>
  capture.packets.map((p) => ({
    number: p.number,
    seconds: p.seconds,
    nanoseconds: p.nanoseconds,
    bytes: Array.from(p.data),
    tcp: p.dissection.tcp && { ...p.dissection.tcp, options: { ...p.dissection.tcp.options } },
    problem: p.dissection.problem,
  }));

describe('loading captures', () => {
  it('packets own their bytes: changing the input afterwards changes nothing', () => {
    const bytes = corpus('public/traces/open-client.pcapng');
    const capture = loadCaptureBytes(bytes);
    const before = Array.from(capture.packets[0].data);
    bytes.fill(0);
    expect(Array.from(capture.packets[0].data)).toEqual(before);
    // The recording connects from a fixed source port (public/traces/README.md).
    expect(capture.packets[0].dissection.tcp?.srcPort).toBe(51203);
  });

  const streamed = async (bytes: Uint8Array): Promise<void> => {
    const whole = loadCaptureBytes(bytes);
    const progress: number[] = [];
    const streamed = await loadCaptureStream(chunksOf(bytes, 97), {
      totalBytes: bytes.length,
      onProgress: (p) => progress.push(p.bytesRead),
    });
    expect(streamed.error).toBeUndefined();
    expect(summary(streamed)).toEqual(summary(whole));
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress.length).toBeGreaterThan(bytes.length / 97 - 1);
  };
  it.each(['public/traces/open-ipv6-client.pcapng', 'zeek/Traces/vlan-qinqinq.pcap', 'zeek/Traces/smtp.pcap'])(
    'streaming %s in small chunks gives the same packets as reading it whole',
    (path) => streamed(corpus(path)),
  );
  it.skipIf(editcap.skip)(
    `streaming a NetMon 2 file in small chunks gives the same packets as reading it whole${editcap.note}`,
    () => streamed(netmonBytes('public/traces/path-drop-client.pcapng', 'netmon2')),
  );

  it('accepts a ReadableStream (File.stream(), fetch bodies)', async () => {
    const bytes = corpus('public/traces/path-drop-client.pcapng');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunksOf(bytes, 4096)) controller.enqueue(chunk);
        controller.close();
      },
    });
    const capture = await loadCaptureStream(stream);
    expect(capture.packets.length).toBe(loadCaptureBytes(bytes).packets.length);
  });

  it('aborting rejects with the signal reason', async () => {
    const controller = new AbortController();
    const bytes = corpus('zeek/Traces/smtp.pcap');
    let calls = 0;
    const load = loadCaptureStream(chunksOf(bytes, 1000), {
      signal: controller.signal,
      onProgress: () => {
        if (++calls === 3) controller.abort(new Error('stop'));
      },
    });
    await expect(load).rejects.toThrow('stop');
  });

  it('a source that fails midway keeps the packets before it and reports truncation', async () => {
    const bytes = corpus('zeek/Traces/smtp.pcap');
    async function* failing() {
      yield bytes.subarray(0, 20000);
      throw new Error('connection reset');
    }
    const capture = await loadCaptureStream(failing());
    expect(capture.packets.length).toBeGreaterThan(5);
    expect(capture.error?.kind).toBe('truncated');
    expect(capture.error?.message).toContain('connection reset');
  });

  it('a source that fails before its first byte is reported as that failure, not as an empty file', async () => {
    // eslint-disable-next-line require-yield -- it fails before yielding anything
    async function* failing(): AsyncGenerator<Uint8Array> {
      throw new Error('ENXIO: no such device or address');
    }
    const capture = await loadCaptureStream(failing(), { totalBytes: 1000 });
    expect(capture.packets).toHaveLength(0);
    expect(capture.error?.kind).toBe('truncated');
    expect(capture.error?.message).toBe(
      'truncated: the input stopped after 0 bytes (ENXIO: no such device or address)',
    );
  });

  it('bytes that are not a capture give an error and no packets, without throwing', () => {
    const capture = loadCaptureBytes(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    expect(capture.packets).toEqual([]);
    expect(capture.error?.kind).toBe('not-a-capture');
  });

  it('strips the FCS the file header announces, so it is not taken for payload or padding', () => {
    const original = loadCaptureBytes(corpus('public/traces/open-client.pcapng'));
    const withFcs = original.packets.map((p) => Uint8Array.from([...p.data, 0xde, 0xad, 0xbe, 0xef]));
    // libpcap layout: bit 26 says an FCS length is present, bits 28-31 give it in 16-bit words.
    const announced = loadCaptureBytes(pcap(withFcs, 1 | 0x04000000 | (2 << 28)));
    const unannounced = loadCaptureBytes(pcap(withFcs, 1));
    expect(announced.info.interfaces[0].fcsLength).toBe(4);
    announced.packets.forEach((packet, i) => {
      expect(packet.dissection.eth?.payloadEnd).toBe(original.packets[i].data.length);
      expect(unannounced.packets[i].dissection.eth?.payloadEnd).toBe(original.packets[i].data.length + 4);
      // The IP total length already keeps the FCS out of TCP either way.
      expect(packet.dissection.tcp?.checksumStatus).toBe('good');
      expect(packet.dissection.tcp?.payloadLength).toBe(original.packets[i].dissection.tcp?.payloadLength);
    });
  });
});
