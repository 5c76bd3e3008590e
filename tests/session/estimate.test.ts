// The attempt estimate the lab makes from a file's first megabyte, against tshark's count of
// SYNs without ACK in the whole file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ESTIMATE_HEAD_BYTES, estimateAttempts } from '../../src/lib/session/estimate.ts';
import { tsharkFields } from '../lab/tshark.ts';
import { requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

/** A SYN flood pcap: `count` SYNs from different sources to 10.0.0.2:80, written here. */
function synFlood(count: number): Uint8Array {
  const record = 16 + 54;
  const out = new Uint8Array(24 + count * record);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true);
  for (let i = 0; i < count; i++) {
    const at = 24 + i * record;
    view.setUint32(at, 1_765_000_000 + Math.floor(i / 1000), true);
    view.setUint32(at + 4, (i % 1000) * 1000, true);
    view.setUint32(at + 8, 54, true);
    view.setUint32(at + 12, 54, true);
    const f = at + 16;
    view.setUint16(f + 12, 0x0800);
    out[f + 14] = 0x45;
    view.setUint16(f + 16, 40);
    out[f + 22] = 64;
    out[f + 23] = 6;
    view.setUint32(f + 26, (0x0b000000 + i) >>> 0);
    view.setUint32(f + 30, 0x0a000002);
    view.setUint16(f + 34, 1024 + (i % 60000));
    view.setUint16(f + 36, 80);
    view.setUint32(f + 38, (i * 2654435761) >>> 0);
    out[f + 46] = 0x50;
    out[f + 47] = 0x02;
    view.setUint16(f + 48, 64240);
  }
  return out;
}

describe('attempt estimate from the start of a file', () => {
  it('a SYN flood: every packet is an attempt, from the first megabyte alone', () => {
    const flood = synFlood(40_000);
    expect(flood.length).toBeGreaterThan(ESTIMATE_HEAD_BYTES);
    const estimate = estimateAttempts(flood.subarray(0, ESTIMATE_HEAD_BYTES), flood.length);
    // The head is cut inside a packet: only the complete ones count.
    expect(estimate.packets).toBe(Math.floor((ESTIMATE_HEAD_BYTES - 24) / 70));
    expect(estimate.syns).toBe(estimate.packets);
    expect(Math.abs(estimate.attempts - 40_000) / 40_000).toBeLessThan(0.01);
  });

  it.skipIf(tshark.skip)(`a capture of long connections: few attempts, as tshark counts its SYNs${tshark.note}`, () => {
    const path = 'public/traces/article-success-client.pcapng';
    const bytes = new Uint8Array(readFileSync(path));
    const syns = tsharkFields(path, ['frame.number'], ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0']).length;
    const whole = estimateAttempts(bytes, bytes.length);
    expect(whole.syns).toBe(syns);
    expect(whole.attempts).toBe(syns);
  });

  it('something that is not a capture is no attempts', () => {
    expect(estimateAttempts(new TextEncoder().encode('hello'), 5).attempts).toBe(0);
    expect(estimateAttempts(new Uint8Array(0), 0).attempts).toBe(0);
  });
});
