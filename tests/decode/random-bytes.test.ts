// Property: whatever bytes arrive, for any link type we know (and some we don't), decodeFrame
// returns a Dissection and never throws; views stay inside the frame.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/lib/decode/index.ts';
import type { CapturedFrame } from '../../src/lib/capture/types.ts';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105, 9999];

/** Bytes that often look like the start of real headers, so decoding gets past the first layer. */
const plausibleFrame = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc
    .tuple(
      fc.uint8Array({ minLength: 12, maxLength: 12 }),
      fc.constantFrom([0x08, 0x00], [0x86, 0xdd], [0x81, 0x00], [0x88, 0xa8], [0x08, 0x06]),
      fc.constantFrom([0x45], [0x46], [0x4f], [0x60], [0x40]),
      fc.uint8Array({ maxLength: 160 }),
    )
    .map(([macs, type, first, rest]) => Uint8Array.from([...macs, ...type, ...first, ...rest])),
  fc
    .tuple(fc.constantFrom([0x45, 0], [0x60, 0], [0x46, 0]), fc.uint8Array({ maxLength: 120 }))
    .map(([head, rest]) => Uint8Array.from([...head, ...rest])),
);

describe('random bytes never make decodeFrame throw', () => {
  it.each(LINK_TYPES)('link type %i', (linkType) => {
    fc.assert(
      fc.property(plausibleFrame, fc.integer({ min: 0, max: 4 }), (data, fcsLength) => {
        const frame: CapturedFrame = {
          number: 1,
          seconds: 0,
          nanoseconds: 0,
          capturedLength: data.length,
          originalLength: data.length,
          linkType,
          interfaceId: 0,
          data,
        };
        const d = decodeFrame(frame, fcsLength);
        expect(d.linkType).toBe(linkType);
        for (const layer of [d.eth, d.sll, d.loopback, d.ip, d.tcp, d.udp, d.icmp]) {
          if (!layer) continue;
          expect(layer.payloadOffset).toBeLessThanOrEqual(data.length);
          expect(layer.payloadEnd).toBeLessThanOrEqual(data.length);
        }
        if (d.truncated) expect(d.problem).toBeTruthy();
      }),
      { numRuns: 2000 },
    );
  });
});
