// Compressed ETW buffers (pktmon's default): the test writer compresses each data buffer with the
// independent test compressor, laid out as FORMATS.md describes; the reader inflates them and
// must read exactly what it reads from the same trace uncompressed.
import { describe, expect, it } from 'vitest';
import { readEtl, walkEtl } from '../../src/lib/capture/etl.ts';
import { writeEtl, type PacketIn, type WriteOptions } from './write-etl.ts';
import { framesOf, hex, packetsFrom } from './helpers.ts';

const summary = (bytes: Uint8Array) => {
  const read = readEtl(bytes);
  return {
    error: read.error,
    frames: read.frames.map((f) => ({
      number: f.number,
      seconds: f.seconds,
      nanoseconds: f.nanoseconds,
      direction: f.direction,
      interfaceId: f.interfaceId,
      linkType: f.linkType,
      comments: f.comments,
      hex: hex(f.data),
    })),
    interfaces: read.info.interfaces,
    events: { ...read.events, problems: undefined, buffers: undefined },
  };
};

const packets = packetsFrom(framesOf('public/traces/article-success-client.pcapng'), {
  fragments: (i) => 1 + (i % 2),
  twoInterfaces: true,
  cpus: 3,
});
const pktmonPackets: PacketIn[] = packetsFrom(framesOf('public/traces/path-drop-client.pcapng'), { cpus: 2 }).map(
  (p, i) => ({
    ...p,
    pktmon: {
      componentIds: [5, 9, 12],
      firstDirTag: 3,
      drop: i === 4 ? { appearance: 2, reason: 0xcc, location: 0xe0001007 } : undefined,
    },
  }),
);

describe('compressed ETW buffers', () => {
  const cases: Array<[string, PacketIn[], WriteOptions]> = [
    ['netsh packets, fragments, noise, shuffled buffers', packets, { shuffleSeed: 3, bufferSize: 8192, noise: true }],
    ['netsh packets in 64 KiB buffers', packets, { bufferSize: 65536 }],
    [
      'pktmon appearances and a drop',
      pktmonPackets,
      { bufferSize: 16384, pktmonComponents: [{ id: 5, type: 2, name: 'NIC', description: 'Miniport' }] },
    ],
  ];

  it.each(cases)('%s: read identically to the uncompressed trace', (_, input, options) => {
    const plain = writeEtl(input, options);
    const compressed = writeEtl(input, { ...options, compress: true });
    // The compressed file really is the pktmon layout: odd sizes, smaller, flagged.
    expect(compressed.bytes.length).toBeLessThan(plain.bytes.length);
    expect(compressed.buffers.slice(1).some((b) => b.size % 8 !== 0)).toBe(true);
    const want = summary(plain.bytes);
    const got = summary(compressed.bytes);
    expect(want.error).toBeUndefined();
    expect(got.error).toBeUndefined();
    expect(got.frames.length).toBe(input.length);
    expect(got).toEqual(want);
    expect(readEtl(compressed.bytes).info.variant).toContain('compressed');
  });

  it('the walker reports compressed buffers and tiles their inflated events', () => {
    const compressed = writeEtl(packets, { bufferSize: 8192, compress: true });
    const walk = walkEtl(compressed.bytes);
    expect(walk.problems).toEqual([]);
    const data = walk.buffers.filter((b) => b.fileIndex > 0);
    expect(data.every((b) => b.compressed && b.bufferFlag & 0x40)).toBe(true);
    expect(walk.buffers.find((b) => b.fileIndex === 0)?.compressed).toBe(false);
    for (const event of walk.events.filter((e) => e.buffer > 0)) {
      expect(event.inflatedOffset).toBeGreaterThanOrEqual(72);
      expect(event.offset).toBe(compressed.buffers[event.buffer].offset);
    }
  });

  it('BufferSize that is not a multiple of 8 is not judged before the compressed flag is read', () => {
    const compressed = writeEtl(packets, { bufferSize: 8192, compress: true });
    const odd = compressed.buffers.find((b) => b.size % 8 !== 0)!;
    expect(readEtl(compressed.bytes).events.problems.some((p) => p.message.includes('BufferSize'))).toBe(false);
    // The same odd size on an uncompressed buffer is still an error.
    const bytes = compressed.bytes.slice();
    new DataView(bytes.buffer).setUint16(odd.offset + 52, 0x20, true);
    const read = readEtl(bytes);
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.message).toMatch(/BufferSize .*which cannot be right/);
  });

  it('damage inside the compressed data: a typed error at the file byte, the events inflated before it kept', () => {
    const written = writeEtl(packets, { bufferSize: 8192, compress: true });
    const victim = written.buffers[2];
    const bytes = written.bytes.slice();
    // A match token pointing far before the start of the output: overwrite the first flag word
    // with all-match flags so the first literal is read as a match.
    new DataView(bytes.buffer).setUint32(victim.offset + 72, 0xffffffff, true);
    const read = readEtl(bytes);
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.message).toMatch(/^compressed buffer 2 at byte [\d,]+: match at byte 4 copies from/);
    expect(read.error?.offset).toBe(victim.offset + 72 + 4);
    // Every packet of the other buffers is still there.
    const intact = readEtl(written.bytes).frames.length;
    expect(read.frames.length).toBeGreaterThan(0);
    expect(read.frames.length).toBeLessThan(intact);
  });

  it('a SavedOffset beyond the trace buffer size is refused before anything is allocated', () => {
    const written = writeEtl(packets, { bufferSize: 8192, compress: true });
    const bytes = written.bytes.slice();
    new DataView(bytes.buffer).setUint32(written.buffers[1].offset + 4, 0xfffffff0, true);
    const read = readEtl(bytes);
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.message).toMatch(
      /SavedOffset 4,294,967,280, so .* bytes once inflated; it must lie between 72 and 1,048,576/,
    );
  });

  it('a file cut inside a compressed buffer keeps every event inflated before the cut', () => {
    const written = writeEtl(packets, { bufferSize: 65536, compress: true });
    const last = written.buffers.at(-1)!;
    const cutAt = last.offset + Math.floor(last.size / 2);
    const read = readEtl(written.bytes.subarray(0, cutAt));
    expect(read.error?.kind).toBe('truncated');
    const full = readEtl(written.bytes).frames.length;
    expect(read.frames.length).toBeGreaterThan(0);
    expect(read.frames.length).toBeLessThan(full);
    // Only one problem: the cut, not a cascade from inside the buffer.
    expect(read.events.problems.length).toBe(1);
  });

  it('cut at every 97th byte: never throws, frames only from the intact prefix', () => {
    const written = writeEtl(pktmonPackets, { bufferSize: 4096, compress: true });
    const full = readEtl(written.bytes).frames.map((f) => hex(f.data));
    for (let cut = 0; cut < written.bytes.length; cut += 97) {
      const read = readEtl(written.bytes.subarray(0, cut));
      for (const f of read.frames) expect(full).toContain(hex(f.data));
    }
  });
});
