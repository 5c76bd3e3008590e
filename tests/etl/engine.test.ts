// An .etl goes through the same path as any capture (sniffing → reader → decoders → TCP
// analysis) and gives the same packets and connections as the pcapng it was made from, plus
// the direction of every packet.
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes, loadCaptureStream } from '../../src/lib/load.ts';
import { analyzeTcpStreams } from '../../src/lib/analysis/tcp-streams.ts';
import { writeEtl } from './write-etl.ts';
import { corpusBytes, framesOf, packetsFrom } from './helpers.ts';

// The recorded teaching traces (handshakes, a refused port, SYN retransmissions, SYN/ACK
// retransmissions) and two real Windows-domain captures from Zeek's tests.
const CAPTURES = [
  'public/traces/open-client.pcapng',
  'public/traces/closed-rst-client.pcapng',
  'public/traces/blocked-drop-client.pcapng',
  'public/traces/return-path-drop-server.pcapng',
  'public/traces/path-drop-client.pcapng',
  'zeek/Traces/dce-rpc/kerberos135_auth.pcapng',
  'zeek/Traces/smtp/smtp-bdat-cmd-invalid.pcapng',
];

function summary(capture: ReturnType<typeof loadCaptureBytes>) {
  return capture.packets.map((p) => {
    const d = p.dissection;
    return [
      p.seconds,
      // An .etl keeps time in 100-ns ticks (FILETIME): finer digits of the source cannot survive.
      Math.floor(p.nanoseconds / 100),
      p.capturedLength,
      d.ip?.protocol,
      d.tcp?.srcPort,
      d.tcp?.dstPort,
      d.tcp?.flags,
      d.tcp?.seq,
    ].join(' ');
  });
}

describe.each(CAPTURES)('%s as a netsh .etl', (path) => {
  const packets = packetsFrom(framesOf(path), { fragments: (i) => (i % 5 === 0 ? 2 : 1) });
  const etl = writeEtl(packets, { shuffleSeed: 31, bufferSize: 4096, noise: true }).bytes;

  it('loads through the common loader with the same decoded packets as the original', () => {
    const fromEtl = loadCaptureBytes(etl);
    const original = loadCaptureBytes(corpusBytes(path));
    expect(fromEtl.error).toBeUndefined();
    expect(fromEtl.info.format).toBe('etl');
    // Sorted because packets sharing a microsecond may come back in CPU order.
    expect(summary(fromEtl).sort()).toEqual(summary(original).sort());
    expect(fromEtl.packets.every((p) => p.direction === 'sent' || p.direction === 'received')).toBe(true);
  });

  it('streams in small chunks to the same result', async () => {
    async function* chunks() {
      for (let i = 0; i < etl.length; i += 777) yield etl.subarray(i, i + 777);
    }
    const streamed = await loadCaptureStream(chunks(), { totalBytes: etl.length });
    expect(summary(streamed)).toEqual(summary(loadCaptureBytes(etl)));
  });

  it('finds the same TCP conversations and the same retransmissions', () => {
    const analysis = (bytes: Uint8Array) => {
      const tcp = analyzeTcpStreams(loadCaptureBytes(bytes));
      return {
        streams: new Set(tcp.stream.filter((s) => s >= 0)).size,
        flags: [...tcp.analysisFlags].sort((a, b) => a - b),
      };
    };
    const original = analysis(corpusBytes(path));
    // nowebaccess1 is ARP and DNS only: 0 streams on both sides is still a comparison.
    expect(analysis(etl)).toEqual(original);
  });
});
