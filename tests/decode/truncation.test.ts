// Every packet of the recorded TCP teaching traces and a few corpus captures, cut at every length from 0 to its full length (as a
// capture with that snap length would hold it): decoding never throws, a header cut short comes
// back as a `truncated` value naming the layer, and the layers before the cut are kept.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { decodeFrame } from '../../src/lib/decode/index.ts';
import { frameOf } from '../../src/lib/packets.ts';
import type { Dissection } from '../../src/lib/decode/types.ts';

import { capturePath } from '../support/corpus.ts';

const FILES = [
  'public/traces/open-client.pcapng',
  'public/traces/closed-rst-client.pcapng',
  'public/traces/blocked-drop-client.pcapng',
  'public/traces/path-drop-client.pcapng',
  'public/traces/open-ipv6-client.pcapng',
  'public/traces/return-path-drop-server.pcapng',
  'public/traces/article-success-client.pcapng',
  'zeek/Traces/tcp/option-sack.pcap',
  'zeek/Traces/tcp/rst-inject-rae.pcap',
  'zeek/Traces/http-vlan-0.pcap',
];

/** Where each decoded header ends in the full packet, outermost first. */
function headerEnds(d: Dissection): Array<[string, number]> {
  const ends: Array<[string, number]> = [];
  if (d.eth) ends.push(['eth', d.eth.offset + 14]);
  if (d.vlan) for (const tag of d.vlan) ends.push(['vlan', tag.offset + 6]);
  if (d.ip) ends.push(['ip', d.ip.payloadOffset]);
  if (d.tcp) ends.push(['tcp', d.tcp.payloadOffset]);
  if (d.udp) ends.push(['udp', d.udp.payloadOffset]);
  if (d.arp) ends.push(['arp', d.arp.offset + d.arp.length]);
  return ends;
}

describe('cutting packets at every length gives typed truncation, never a throw', () => {
  for (const file of FILES) {
    it(file, () => {
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(file))));
      expect(capture.packets.length).toBeGreaterThan(0);
      let cuts = 0;
      for (const packet of capture.packets) {
        const ends = headerEnds(packet.dissection);
        for (let length = 0; length <= packet.data.length; length++) {
          const data = packet.data.subarray(0, length);
          const d = decodeFrame({ ...frameOf(packet), data, capturedLength: length });
          cuts++;
          const cutInside = ends.find(([, end]) => length < end);
          if (cutInside) {
            expect(d.truncated, `frame ${packet.number} cut at ${length}`).toBeDefined();
            expect(d.problem).toMatch(/cut short/);
            expect(d.truncated!.offset + d.truncated!.needed).toBeGreaterThan(length);
            // Every header that ends before the cut is still there.
            for (const [layer, end] of ends) {
              if (end > length) break;
              const kept = layer === 'vlan' ? d.vlan : d[layer as 'eth' | 'ip' | 'tcp' | 'udp' | 'arp'];
              expect(kept, `frame ${packet.number} cut at ${length}: ${layer} kept`).toBeDefined();
            }
          } else {
            expect(d.truncated).toBeUndefined();
            expect(d.tcp?.srcPort).toBe(packet.dissection.tcp?.srcPort);
            expect(d.tcp?.payloadLength).toBe(packet.dissection.tcp?.payloadLength);
          }
        }
      }
      expect(cuts).toBeGreaterThan(capture.packets.length);
    });
  }
});
