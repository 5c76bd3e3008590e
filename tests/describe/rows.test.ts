// One packet-row builder: the web packet list (TraceSession.rows, asked for rows in any order)
// and the CLI's lines (`porttrace packets`, frame order) describe every packet the same way,
// including the ICMP echo reply's "request in N" that tshark prints.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describePackets } from '../../src/lib/describe/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { tsharkFields } from '../lab/tshark.ts';
import { capturePath, requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

// Echo requests and replies (v4 and v6), and a recorded trace with retransmissions.
const files = [
  'zeek/Traces/icmp/5-pings.pcap',
  'zeek/Traces/icmp/icmp6-ping.pcap',
  'public/traces/blocked-drop-client.pcapng',
].map(capturePath);

describe.skipIf(tshark.skip)(`packet rows${tshark.note}`, () => {
  it.each(files)('%s: web rows in reverse order equal the CLI descriptions; replies name their request', (file) => {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(file)));
    const session = new TraceSession('x', 0, capture);
    const indices = Array.from(capture.packets.keys()).reverse();
    const rows = session.rows(indices);
    const lines = describePackets(loadCaptureBytes(new Uint8Array(readFileSync(file))));
    for (const row of rows) {
      const d = lines[row.index];
      expect([row.src, row.dst, row.protocol, row.info, row.description]).toEqual([
        d.src,
        d.dst,
        d.protocol,
        d.info,
        d.netmon,
      ]);
    }
    // tshark's own pairing of echo replies with their requests.
    for (const [frame, icmpTo, icmp6To] of tsharkFields(
      file,
      ['frame.number', 'icmp.resp_to', 'icmpv6.resp_to'],
      ['-Y', 'icmp.resp_to || icmpv6.resp_to'],
    )) {
      const row = rows.find((r) => r.number === Number(frame))!;
      expect(row.info).toContain(`request in ${icmpTo || icmp6To}`);
    }
  });
});
