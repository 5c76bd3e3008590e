// Every capture of the vendored corpus (~1,700 files from tcpdump, libpcap, zeek, Wireshark's
// writers — many deliberately malformed) loads, decodes and is described without throwing, and
// every packet a reader produced gets a dissection.
import { expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';

import { corpusBytes, manifest, requireCorpus } from '../support/corpus.ts';

const corpus = requireCorpus();
const paths = corpus.skip ? [] : manifest().map((row) => row.path);

it.skipIf(corpus.skip)(`decodes and describes every corpus capture without throwing${corpus.note}`, () => {
  expect(paths.length).toBeGreaterThan(1000);
  let packets = 0;
  let decodedToTransport = 0;
  for (const path of paths) {
    const capture = loadCaptureBytes(corpusBytes(path));
    const descriptions = describePackets(capture.packets);
    expect(descriptions.length).toBe(capture.packets.length);
    for (const packet of capture.packets) {
      expect(packet.dissection.linkType).toBe(packet.linkType);
      if (packet.dissection.tcp || packet.dissection.udp || packet.dissection.icmp) decodedToTransport++;
    }
    packets += capture.packets.length;
  }
  // Most of the corpus is IP traffic on link types we decode (the rest: 802.11, PPP, Frame
  // Relay, … which we keep undecoded); a sanity bound, not a measured value.
  expect(decodedToTransport / packets).toBeGreaterThan(0.7);
});
