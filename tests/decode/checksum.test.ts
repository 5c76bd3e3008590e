// Checksum verdicts. 'partial' is the checksum-offload signature: the TCP/UDP field holds the
// folded pseudo-header sum that the sending host's NIC would have completed. tshark 4.0 calls
// those "bad" (the golden test checks that every packet tshark calls bad is bad or partial for
// us); here we check that 'partial' really is the offload pattern in real captures and that it
// is told apart from a corrupt checksum.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { decodeFrame } from '../../src/lib/decode/index.ts';
import { fold, pseudoHeaderSum } from '../../src/lib/decode/bytes.ts';
import { formatIP } from '../../src/lib/describe/addresses.ts';
import { frameOf, type Packet } from '../../src/lib/packets.ts';
import { capturePath } from '../support/corpus.ts';

/** A capture named as in capturePath(): the vendored corpus, or the site's traces (`public/…`). */
const load = (path: string) => loadCaptureBytes(new Uint8Array(readFileSync(capturePath(path))));

function statusBySource(packets: Packet[]): Map<string, Set<string>> {
  const bySource = new Map<string, Set<string>>();
  for (const packet of packets) {
    const d = packet.dissection;
    const transport = d.tcp ?? d.udp;
    if (!transport || !d.ip) continue;
    const key = formatIP(d.ip.src);
    if (!bySource.has(key)) bySource.set(key, new Set());
    bySource.get(key)!.add(transport.checksumStatus);
  }
  return bySource;
}

describe('checksum offload shows as partial, only on what the capturing host sent', () => {
  // Captures taken on a host with TX checksum offload: only that host's packets are 'partial';
  // everything it received is 'good'.
  it.each([
    ['zeek/Traces/ncp.pcap', '10.46.131.227'],
    // The reconstructed Windows client leaves its TCP/UDP checksums to the NIC (public/traces/README.md).
    ['public/traces/article-blocked-client.pcapng', '10.0.0.1'],
    ['public/traces/article-success-client.pcapng', '10.0.0.1'],
  ])('%s', (path, expectedSender) => {
    const capture = load(path);
    const bySource = statusBySource(capture.packets);
    const offloading = [...bySource].filter(([, statuses]) => statuses.has('partial')).map(([source]) => source);
    expect(offloading.length).toBeGreaterThan(0);
    if (expectedSender) expect(offloading).toEqual([expectedSender]);
    // No host both offloads and receives offloaded packets: the other side is always fine.
    for (const [source, statuses] of bySource) {
      if (!offloading.includes(source))
        expect([...statuses].every((s) => s === 'good' || s === 'unverified')).toBe(true);
    }
    for (const [, statuses] of bySource) expect(statuses.has('bad')).toBe(false);
  });

  it('a SYN whose checksum field is the pseudo-header sum is partial; another wrong value is bad', () => {
    const capture = load('public/traces/open-client.pcapng');
    const syn = capture.packets[0];
    expect(syn.dissection.tcp?.checksumStatus).toBe('good');
    const tcp = syn.dissection.tcp!;
    const ip = syn.dissection.ip!;
    const segmentLength = ip.payloadEnd - tcp.offset;
    const at = tcp.offset + 16;
    const withField = (field: number): Packet => {
      const data = syn.data.slice();
      data[at] = field >> 8;
      data[at + 1] = field & 0xff;
      return { ...frameOf(syn), data, dissection: decodeFrame({ ...frameOf(syn), data }) };
    };
    const offloadField = fold(pseudoHeaderSum(ip.src, ip.dst, 6, segmentLength));
    expect(withField(offloadField).dissection.tcp?.checksumStatus).toBe('partial');
    expect(withField((offloadField + 1) & 0xffff).dissection.tcp?.checksumStatus).toBe('bad');
    expect(withField(tcp.checksum).dissection.tcp?.checksumStatus).toBe('good');
  });

  it('a sliced segment is unverified, not bad', () => {
    const capture = load('public/traces/open-client.pcapng');
    const withData = capture.packets.find((p) => (p.dissection.tcp?.payloadLength ?? 0) > 100)!;
    expect(withData.dissection.tcp?.checksumStatus).toBe('good');
    const cut = withData.data.subarray(0, withData.data.length - 10);
    const d = decodeFrame({ ...frameOf(withData), data: cut, capturedLength: cut.length });
    expect(d.tcp?.checksumStatus).toBe('unverified');
    // tcp.len still comes from the IP header, not from what was captured.
    expect(d.tcp?.payloadLength).toBe(withData.dissection.tcp?.payloadLength);
  });
});
