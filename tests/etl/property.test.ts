// Whatever is done to a generated .etl — bytes overwritten, header fields set to random values,
// the file cut anywhere — the reader returns (never throws), and what it returns is sane.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEtl, walkEtl } from '../../src/lib/capture/etl.ts';
import { CaptureError } from '../../src/lib/capture/types.ts';
import { writeEtl } from './write-etl.ts';
import { framesOf, packetsFrom } from './helpers.ts';

// Packets as NDIS 1001, Hyper-V switch 1003 and PktMon 160/170 events, so every payload parser
// gets mutated.
const packets = packetsFrom(framesOf('public/traces/return-path-drop-server.pcapng'), {
  fragments: (i) => 1 + (i % 3),
  twoInterfaces: true,
  cpus: 2,
}).map((p, i) =>
  i % 3 === 1
    ? { ...p, vmSwitch: { portId: 5, portName: 'PORT', nicName: 'vm', nicType: 'Synthetic', destinations: 1 } }
    : i % 3 === 2
      ? {
          ...p,
          pktmon: {
            componentIds: [5, 9],
            firstDirTag: 3,
            drop: i === 5 ? { appearance: 1, reason: 8, location: 1 } : undefined,
          },
        }
      : p,
);
const pristine = writeEtl(packets, {
  shuffleSeed: 4,
  bufferSize: 1024,
  noise: true,
  pktmonComponents: [{ id: 5, type: 2, name: 'NIC', description: 'Miniport' }],
});
const packetEventCount = pristine.packetEvents.reduce((n, e) => n + e.length, 0);

// Places where a wrong value hurts most: buffer headers, event headers, NDIS fragment headers.
const hotSpots: number[] = [];
for (const b of pristine.buffers) for (let o = 0; o < 72; o += 2) hotSpots.push(b.offset + o);
for (const events of pristine.packetEvents) {
  // Event header sizes, and the first 48 bytes of user data (indexes, names, counts, sizes).
  for (const [start] of events) for (let o = 0; o < 8; o += 2) hotSpots.push(start + o);
  for (const [start, end] of events) for (let o = start + 80; o < Math.min(end, start + 176); o += 2) hotSpots.push(o);
}
for (let o = 0x48; o < 0x48 + 32 + 300; o += 4) hotSpots.push(o);

type Mutation =
  | { kind: 'cut'; at: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'u16'; spot: number; value: number }
  | { kind: 'u32'; spot: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: pristine.bytes.length }) }),
  fc.record({
    kind: fc.constant('byte' as const),
    at: fc.nat({ max: pristine.bytes.length - 1 }),
    value: fc.nat({ max: 255 }),
  }),
  fc.record({
    kind: fc.constant('u16' as const),
    spot: fc.nat({ max: hotSpots.length - 1 }),
    value: fc.oneof(fc.nat({ max: 0xffff }), fc.constantFrom(0, 1, 8, 0x48, 0xffff)),
  }),
  fc.record({
    kind: fc.constant('u32' as const),
    spot: fc.nat({ max: hotSpots.length - 1 }),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 0x48, 1024, 0x7ffffff8, 0xffffffff)),
  }),
);

function apply(mutations: Mutation[]): Uint8Array {
  let bytes = pristine.bytes.slice();
  for (const m of mutations) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (m.kind === 'cut') bytes = bytes.slice(0, Math.min(m.at, bytes.length));
    else if (m.kind === 'byte' && m.at < bytes.length) bytes[m.at] = m.value;
    else if (m.kind === 'u16' && hotSpots[m.spot] + 2 <= bytes.length) view.setUint16(hotSpots[m.spot], m.value, true);
    else if (m.kind === 'u32' && hotSpots[m.spot] + 4 <= bytes.length)
      view.setUint32(hotSpots[m.spot], m.value >>> 0, true);
  }
  return bytes;
}

describe('mutated ETL files', () => {
  it('never make the reader throw, and what comes back is well-formed', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        const bytes = apply(mutations);
        expect(() => walkEtl(bytes)).not.toThrow();
        const read = readEtl(bytes);
        if (read.error) {
          expect(read.error).toBeInstanceOf(CaptureError);
          expect(['not-a-capture', 'truncated', 'malformed', 'unsupported']).toContain(read.error.kind);
          expect(read.error.offset).toBeGreaterThanOrEqual(0);
          expect(read.error.offset).toBeLessThanOrEqual(bytes.length);
          expect(read.error.message.length).toBeGreaterThan(10);
        }
        expect(read.frames.length).toBeLessThanOrEqual(packetEventCount);
        read.frames.forEach((f, i) => {
          expect(f.number).toBe(i + 1);
          expect(f.capturedLength).toBe(f.data.length);
          expect(f.data.length).toBeLessThanOrEqual(bytes.length);
          expect(f.originalLength).toBeGreaterThanOrEqual(f.capturedLength);
          expect(Number.isInteger(f.seconds)).toBe(true);
          expect(f.nanoseconds).toBeGreaterThanOrEqual(0);
          expect(f.nanoseconds).toBeLessThan(1e9);
          expect(read.info.interfaces[f.interfaceId]).toBeDefined();
        });
      }),
      { numRuns: 600, seed: 20261126 },
    );
  });

  it('random bytes behind a valid first buffer never throw either', () => {
    const head = pristine.bytes.subarray(0, 1024);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4096 }), (tail) => {
        const bytes = new Uint8Array(head.length + tail.length);
        bytes.set(head);
        bytes.set(tail, head.length);
        const read = readEtl(bytes);
        if (read.error) expect(read.error).toBeInstanceOf(CaptureError);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('mutated compressed ETL files (pktmon layout)', () => {
  const compressed = writeEtl(packets, {
    shuffleSeed: 4,
    bufferSize: 4096,
    compress: true,
    pktmonComponents: [{ id: 5, type: 2, name: 'NIC', description: 'Miniport' }],
  });
  const inflatedFrames = readEtl(compressed.bytes).frames.length;
  // Buffer headers (size, saved offset, flags) and the compressed data itself.
  const spots: number[] = [];
  for (const b of compressed.buffers.slice(1)) {
    for (const o of [0, 4, 44, 48, 52]) spots.push(b.offset + o);
    for (let o = b.offset + 72; o < b.offset + b.size; o += 7) spots.push(o);
  }

  it('never make the reader throw; frames stay within what the buffers state', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ cut: fc.nat({ max: compressed.bytes.length }) }),
            fc.record({
              spot: fc.nat({ max: spots.length - 1 }),
              value: fc.nat({ max: 0xffffffff }),
              width: fc.constantFrom(1, 2, 4),
            }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (edits) => {
          let bytes = compressed.bytes.slice();
          for (const e of edits) {
            if ('cut' in e) bytes = bytes.slice(0, Math.min(e.cut, bytes.length));
            else if (spots[e.spot] + e.width <= bytes.length) {
              const view = new DataView(bytes.buffer);
              if (e.width === 1) view.setUint8(spots[e.spot], e.value & 0xff);
              else if (e.width === 2) view.setUint16(spots[e.spot], e.value & 0xffff, true);
              else view.setUint32(spots[e.spot], e.value, true);
            }
          }
          const read = readEtl(bytes);
          if (read.error) {
            expect(read.error).toBeInstanceOf(CaptureError);
            expect(read.error.offset).toBeLessThanOrEqual(bytes.length);
          }
          expect(read.frames.length).toBeLessThanOrEqual(inflatedFrames + packetEventCount);
          for (const f of read.frames) expect(f.capturedLength).toBe(f.data.length);
        },
      ),
      { numRuns: 400, seed: 20261207 },
    );
  });
});
