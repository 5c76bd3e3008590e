// The packet store sizes its columns once, from the first packets read, when it knows the
// file's size: a flood of 74-byte SYNs is four times as many packets as the first guess (300
// bytes a packet), and growing by halves to them meant copies with two sizes alive at once.
// The columns end up close to the packet count, and the packets are the same either way.
import { describe, expect, it } from 'vitest';
import { loadCaptureStream } from '../../src/lib/load.ts';
import { storeOf } from '../../src/lib/store/packet-store.ts';
import { synFlood } from '../support/syn-flood.ts';

function* chunksOf(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('column sizing', () => {
  const flood = synFlood(30_000);

  it('a flood read in 64 KiB chunks gets columns for its packets and at most a tenth more, without growing', async () => {
    const store = storeOf(await loadCaptureStream(chunksOf(flood, 1 << 16), { totalBytes: flood.length }));
    expect(store.count).toBeGreaterThan(30_000);
    expect(store.columns.number.length).toBeGreaterThanOrEqual(store.count);
    expect(store.largestCapacity).toBeLessThanOrEqual(Math.ceil(store.count * 1.12));
  });

  it('reads the same packets as a store that is never sized again (no size given)', async () => {
    const sized = storeOf(await loadCaptureStream(chunksOf(flood, 1 << 16), { totalBytes: flood.length }));
    const grown = storeOf(await loadCaptureStream(chunksOf(flood, 1 << 16)));
    expect(sized.count).toBe(grown.count);
    for (const key of Object.keys(sized.columns) as (keyof typeof sized.columns)[])
      expect(Array.from(sized.columns[key].subarray(0, sized.count)), key).toEqual(
        Array.from(grown.columns[key].subarray(0, grown.count)),
      );
  });

  it('a file read whole in one chunk is sized from all of it', async () => {
    const store = storeOf(await loadCaptureStream([flood], { totalBytes: flood.length }));
    expect(store.largestCapacity).toBeLessThanOrEqual(Math.ceil(store.count * 1.12));
  });
});
