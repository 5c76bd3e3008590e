// Inputs the fuzzer (npm run fuzz) found crashing or over-allocating, cut down to the bytes
// that matter, so the fixes stay fixed. See docs/FUZZING.md.
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes, loadCaptureStream } from '../../src/lib/load.ts';
import { analyzeCapture } from '../../src/lib/analysis/index.ts';
import { Describer } from '../../src/lib/describe/index.ts';
import { packetTree, type TreeNode } from '../../src/lib/describe/packet-tree.ts';
import { CaptureError } from '../../src/lib/capture/types.ts';
import { readFileSync } from 'node:fs';
import { blocksOf, runCaptureCase, writePcap } from '../../scripts/fuzz/core.ts';
import { netmonCopy, requireEditcap } from '../support/corpus.ts';

const editcap = requireEditcap();

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');

function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('fuzz regressions', () => {
  // Found as: Zeek's http/206_example_a.pcap cut at any of 50 boundaries past 190 KB: describing
  // it allocated 5–22 MB for a 200 KB input. An HTTP body the describer puts together segment by
  // segment was copied whole for each new segment (quadratic); it is now appended in place.
  it('describes an HTTP body spread over a hundred segments in memory that grows with the input', async () => {
    const bytes = new Uint8Array(readFileSync('tests/corpus/zeek/Traces/http/206_example_a.pcap')).subarray(0, 201_900);
    const result = await runCaptureCase(bytes, 1);
    expect(result.reason).toBeUndefined();
  });

  // Found as: two tcpdump captures spliced into a pcap of 3,637 empty records (16 bytes each):
  // the packet store, sized for ~300 bytes a packet, grew its columns 1.5 × at a time, and
  // the copies passed the fuzzer's memory bound. The columns now never grow past the most
  // packets the file can hold (one per 16 bytes).
  it('a pcap of empty records: columns no larger than the file can need, memory within the bound', async () => {
    const empty = Array.from({ length: 3600 }, () => new Uint8Array(0));
    const bytes = writePcap(1, empty);
    const capture = loadCaptureBytes(bytes);
    expect(capture.packets).toHaveLength(3600);
    const most = Math.ceil(bytes.length / 16) + 1;
    expect(capture.store!.largestCapacity).toBeLessThanOrEqual(most);
    const streamed = await loadCaptureStream(chunks(bytes, 4096), { totalBytes: bytes.length });
    expect(streamed.store!.largestCapacity).toBeLessThanOrEqual(most);
    const result = await runCaptureCase(bytes, 1);
    expect(result.reason).toBeUndefined();
  });

  // Found as: tcpdump's arp-oobr.pcap (and bit flips of ARP frames) threw
  // "Cannot read properties of undefined (reading 'toString')" in formatMac: the ARP decoder
  // takes address lengths from the header, the packet tree assumed 6 and 4 bytes.
  it('shows ARP with non-Ethernet/IPv4 address lengths without throwing, with the right bytes', () => {
    const ethernet = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06];
    // hardware type 1, protocol 0x0800, hlen 2, plen 3, request; then sender hw, sender proto, target hw, target proto
    const arp = [0, 1, 0x08, 0x00, 2, 3, 0, 1, 0xaa, 0xbb, 10, 0, 1, 0xcc, 0xdd, 10, 0, 2];
    const capture = loadCaptureBytes(writePcap(1, [Uint8Array.from([...ethernet, ...arp])]));
    expect(capture.error).toBeUndefined();
    const packet = capture.packets[0];
    expect(packet.dissection.arp?.senderMac).toHaveLength(2);
    new Describer(capture).describe(0);
    const tree = packetTree(packet);
    const arpNode = tree.find((n) => n.field === 'arp') as TreeNode;
    const leaves = new Map(arpNode.children!.map((n) => [n.field, n]));
    expect(leaves.get('arp.src.hw_mac')!.label).toContain(hex(Uint8Array.from([0xaa, 0xbb])));
    // Byte spans follow the lengths in the header: sender hw at 14+8, sender proto after it, ...
    expect([leaves.get('arp.src.hw_mac')!.offset, leaves.get('arp.src.hw_mac')!.length]).toEqual([22, 2]);
    expect([leaves.get('arp.src.proto_ipv4')!.offset, leaves.get('arp.src.proto_ipv4')!.length]).toEqual([24, 3]);
    expect([leaves.get('arp.dst.hw_mac')!.offset, leaves.get('arp.dst.hw_mac')!.length]).toEqual([27, 2]);
    expect([leaves.get('arp.dst.proto_ipv4')!.offset, leaves.get('arp.dst.proto_ipv4')!.length]).toEqual([29, 3]);
  });

  // Found as: bit flips in pcap record headers (tcpdump's DECnet_Phone.pcap, AoE_Linux.pcap)
  // made loadCaptureStream allocate up to 68 MB for a 95 KB file: without the file size, the
  // streaming reader sized its buffer to the record's claimed length (anything below the
  // 256 MiB sanity limit) as soon as the record straddled two chunks.
  it('does not size the stream buffer by a record length the stream never delivers', async () => {
    // DECnet_Phone.pcap with one bit flipped: record 1 claims 0x00800032 (8 MiB) captured bytes.
    const file = writePcap(1, [new Uint8Array(7600)]);
    new DataView(file.buffer).setUint32(24 + 8, 0x00800032, true);
    const before = process.memoryUsage().arrayBuffers;
    const capture = await loadCaptureStream(chunks(file, 1000));
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(capture.error).toBeInstanceOf(CaptureError);
    expect(capture.error!.kind).toBe('truncated');
    expect(capture.error!.offset).toBeLessThanOrEqual(file.length);
    expect(grown).toBeLessThan(4 * file.length + (1 << 20));
    analyzeCapture(capture);
  });

  // Found as: a NetMon file with a block duplicated or swapped (the frame table's entries then
  // point elsewhere), read as a stream, reported "truncated: file ends inside packet 1 at byte
  // 3,675,631,616" for a 2,432-byte file: the error offset was the bad table entry's value.
  it.skipIf(editcap.skip).each(['netmon1', 'netmon2'] as const)(
    `a recorded handshake as %s: a frame table entry past the end is an error inside the file${editcap.note}`,
    async (format) => {
      const file = new Uint8Array(readFileSync(netmonCopy('public/traces/open-client.pcapng', format)));
      const table = blocksOf(file).find((b) => b.kind === 'frame-table')!;
      new DataView(file.buffer).setUint32(table.offset, 0xdb160000, true); // entry 1
      const whole = loadCaptureBytes(file);
      const streamed = await loadCaptureStream(chunks(file, 61));
      for (const capture of [whole, streamed]) {
        expect(capture.error).toBeInstanceOf(CaptureError);
        expect(capture.error!.kind).toBe('malformed');
        expect(capture.error!.offset).toBe(table.offset);
      }
      expect(streamed.packets).toHaveLength(0);
    },
  );

  // Found as: public/traces/closed-stealth-client.pcapng with its magic replaced by NetMon 2's
  // "GMBU" (fuzz seed 2, foreign-magic). With the file size known the reader said the frame
  // table was cut short (truncated at 1,144); streamed without it, that the comment table length
  // was impossible (malformed at 44): size-dependent checks ran before size-independent ones.
  function netmon22Header(size: number, table: [number, number], comments: [number, number]): Uint8Array {
    const file = new Uint8Array(size);
    const view = new DataView(file.buffer);
    file.set([0x47, 0x4d, 0x42, 0x55, 2, 2]); // GMBU, version 2.2
    view.setUint16(6, 1, true); // Ethernet
    view.setUint32(24, table[0], true);
    view.setUint32(28, table[1], true);
    view.setUint32(40, comments[0], true);
    view.setUint32(44, comments[1], true);
    return file;
  }

  async function bothWays(file: Uint8Array) {
    return [
      loadCaptureBytes(file),
      await loadCaptureStream(chunks(file, 13)),
      await loadCaptureStream(chunks(file, 13), { totalBytes: file.length }),
    ];
  }

  it('NetMon: an impossible comment table length is the same error with or without the file size', async () => {
    const file = netmon22Header(1144, [27_918_337, 1_953_656_688], [0x1000, 1_948_280_686]);
    for (const capture of await bothWays(file)) {
      expect(capture.error?.kind).toBe('malformed');
      expect(capture.error?.offset).toBe(44);
    }
  });

  it('NetMon: a comment table past the end is the same error with or without the file size', async () => {
    // A frame table of one entry inside the file, a comment table past its end.
    const file = netmon22Header(256, [128, 4], [10_000, 100]);
    new DataView(file.buffer).setUint32(128, 136, true);
    const results = await bothWays(file);
    for (const capture of results) {
      expect(capture.error?.kind).toBe('truncated');
      expect(capture.error?.offset).toBe(file.length);
      expect(capture.error?.message).toContain('comment table');
    }
  });
});
