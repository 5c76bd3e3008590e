// `porttrace verdicts` reads captures into a store that keeps TCP and UDP packets' bytes only up
// to their payload, and over IPv4 none. Its columns, addresses, verdicts and findings must be
// what the whole store gives, on every bundled trace and corpus capture, and the bytes it keeps
// must be the frame's own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attemptJson, judgeCapture } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes, loadCaptureStream } from '../../src/lib/load.ts';
import { Layer, storeOf, type PacketStore } from '../../src/lib/store/packet-store.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { everyBundledCapture, netmonBytes, requireCorpus, requireEditcap } from '../support/corpus.ts';

const corpus = requireCorpus();
const editcap = requireEditcap();

function verdicts(capture: Capture) {
  const judged = judgeCapture(capture);
  return {
    attempts: Array.from({ length: judged.count }, (_, i) => attemptJson(judged.verdictAt(i))),
    findings: judged.findings,
    offload: judged.offload,
  };
}

/** Every column a store answers from (not where its bytes lie), row by row. */
function columns(store: PacketStore) {
  const { block: _block, byteOffset: _byteOffset, ...rest } = store.columns;
  return Object.fromEntries(
    Object.entries(rest).map(([name, column]) => [name, Array.from(column.subarray(0, store.count))]),
  );
}

/** Read in 4 KiB chunks, so frames are copied out of the reader's chunks, as from a file. */
function withoutPayloads(bytes: Uint8Array): Promise<Capture> {
  const chunks = function* () {
    for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
  };
  return loadCaptureStream(chunks(), { totalBytes: bytes.length, payloads: false });
}

describe.skipIf(corpus.skip)(`a store without payloads${corpus.note}`, () => {
  it('on every bundled trace and corpus capture: the same columns and verdicts, its bytes a prefix of the frame', async () => {
    const files = everyBundledCapture();
    expect(files.length).toBeGreaterThan(1000);
    let cut = 0;
    let none = 0;
    let whole = 0;
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      const full = loadCaptureBytes(bytes);
      const lean = await withoutPayloads(bytes);
      const fullStore = storeOf(full);
      const leanStore = storeOf(lean);
      expect(columns(leanStore), file).toEqual(columns(fullStore));
      expect(lean.error?.message, file).toEqual(full.error?.message);
      for (let i = 0; i < leanStore.count; i++) {
        const kept = leanStore.bytesOf(i);
        const frame = fullStore.bytesOf(i);
        const layers = leanStore.columns.layers[i];
        if (kept.length < frame.length) {
          if (kept.length === 0) none++;
          else cut++;
          expect(kept.length, file).toBe(layers & Layer.IPv4 ? 0 : leanStore.columns.payloadOffset[i]);
          expect(layers & (Layer.Tcp | Layer.Udp), file).not.toBe(0);
        } else whole++;
        if (layers & (Layer.IPv4 | Layer.IPv6)) {
          const a = leanStore.addressBytes(i)!;
          const b = fullStore.addressBytes(i)!;
          if (!Buffer.from(a.src).equals(Buffer.from(b.src)) || !Buffer.from(a.dst).equals(Buffer.from(b.dst)))
            expect.fail(`${file} row ${i}: the addresses differ`);
        }
        if (!Buffer.from(kept).equals(Buffer.from(frame.subarray(0, kept.length))))
          expect.fail(`${file} row ${i}: the bytes kept are not the frame's`);
      }
      expect(verdicts(lean), file).toEqual(verdicts(full));
    }
    // every kind of row was there
    expect(cut).toBeGreaterThan(1_000);
    expect(none).toBeGreaterThan(10_000);
    expect(whole).toBeGreaterThan(1_000);
  });
});

describe.skipIf(corpus.skip)(`a store without payloads${corpus.note}`, () => {
  it('says so when a packet whose bytes it did not keep is decoded again', async () => {
    const bytes = new Uint8Array(readFileSync('public/traces/open-client.pcapng'));
    const lean = storeOf(await withoutPayloads(bytes));
    const tcp4 = Array.from({ length: lean.count }, (_, i) => i).filter(
      (i) => lean.columns.layers[i] & Layer.IPv4 && lean.columns.layers[i] & Layer.Tcp,
    );
    expect(tcp4.length).toBeGreaterThan(3);
    expect(() => lean.dissectionOf(tcp4[0])).toThrow(/packet \d+: its bytes were not kept/);
  });
});

describe.skipIf(editcap.skip)(`a store without payloads keeps frames whole${editcap.note}`, () => {
  it('in a Network Monitor capture, whose FCS lengths are known only at its end', async () => {
    const bytes = netmonBytes('public/traces/open-client.pcapng', 'netmon2');
    const lean = storeOf(await withoutPayloads(bytes));
    const full = storeOf(loadCaptureBytes(bytes));
    expect(lean.count).toBeGreaterThan(3);
    for (let i = 0; i < lean.count; i++) expect(lean.bytesOf(i)).toEqual(full.bytesOf(i));
  });
});
