// The application decoders on hostile input: random payloads on every port we name, and real
// messages cut at every length, give a layer, a Truncated or a Malformed value, or nothing —
// never an exception — and the tracker's reassembly keeps going.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseApplication } from '../../src/lib/decode/app/index.ts';
import { applicationColumns } from '../../src/lib/describe/application.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';

const TCP_PORTS = [22, 53, 80, 88, 443, 445, 3128, 3389, 8080, 40000];
const UDP_PORTS = [53, 67, 68, 88, 123];

describe('application decoders on random bytes', () => {
  it('never throw, and what they return can be described', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.nat(20), (payload, overTcp, pick) => {
        const ports = overTcp ? TCP_PORTS : UDP_PORTS;
        const port = ports[pick % ports.length];
        const choice = chooseApplication(payload, 0, payload.length, 50000, port, overTcp);
        if (choice !== undefined && !('truncated' in choice.decoded) && !('malformed' in choice.decoded)) {
          const columns = applicationColumns(choice.decoded, undefined);
          expect(typeof columns.info).toBe('string');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('read real messages cut at every length without throwing', () => {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync('public/traces/article-success-client.pcapng')));
    for (const packet of capture.packets) {
      const transport = packet.dissection.tcp ?? packet.dissection.udp;
      if (!transport || transport.payloadEnd <= transport.payloadOffset) continue;
      for (let end = transport.payloadOffset; end <= transport.payloadEnd; end++) {
        chooseApplication(
          packet.data,
          transport.payloadOffset,
          end,
          transport.srcPort,
          transport.dstPort,
          !!packet.dissection.tcp,
        );
      }
    }
  });

  it('describes captures whose payloads are garbage on application ports', () => {
    // Scenario 3 with every payload shifted by one byte: its DNS, Kerberos and RDP packets are
    // garbage on their ports, and the describer's reassembly must still not throw.
    const capture = loadCaptureBytes(new Uint8Array(readFileSync('public/traces/article-success-client.pcapng')));
    for (const packet of capture.packets) {
      const transport = packet.dissection.tcp ?? packet.dissection.udp;
      if (transport) packet.data.copyWithin(transport.payloadOffset, transport.payloadOffset + 1);
    }
    expect(() => describePackets(capture)).not.toThrow();
  });
});
