// Checksums as tshark validates them. Recorded traces: every checksum correct (offload was turned
// off on the veth pairs). Reconstructions: the sender's copy shows bad checksums exactly on the
// packets the capturing host sent, in the offload form (IPv4 header checksum 0, TCP/UDP checksum
// = the folded pseudo-header sum); the receiver's copy is entirely correct.
import { describe, expect, it } from 'vitest';
import { capturePath, tsharkEntries, tsharkFields, type TraceEntry } from './tshark.ts';
import { requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

const VALIDATE = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
// (tshark always validates ICMP and ICMPv6 checksums.)
const FIELDS = [
  'frame.number',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ip.len',
  'ip.hdr_len',
  'ip.proto',
  'ip.checksum',
  'ip.checksum.status',
  'tcp.checksum',
  'tcp.checksum.status',
  'udp.checksum',
  'udp.checksum.status',
  'icmp.checksum.status',
  'icmpv6.checksum.status',
];
/** tshark's checksum status values: 0 bad, 1 good, 2 unverified. */
const BAD = '0';

interface ChecksumRow {
  number: number;
  src: string;
  statuses: string[];
  row: Record<string, string[]>;
}

/** The outer headers' statuses: an ICMP error's quote repeats the original packet's own sums. */
function outerStatuses(row: Record<string, string[]>): string[] {
  const icmp = row['icmp.checksum.status']![0] ?? row['icmpv6.checksum.status']![0];
  const transport = icmp ?? row['tcp.checksum.status']![0] ?? row['udp.checksum.status']![0];
  return [row['ip.checksum.status']![0], transport].filter((status): status is string => status !== undefined);
}

function checksumRows(entry: TraceEntry): ChecksumRow[] {
  return tsharkFields(capturePath(entry), FIELDS, VALIDATE).map((row) => ({
    number: Number(row['frame.number']![0]),
    src: row['ip.src']![0] ?? row['ipv6.src']![0] ?? '',
    statuses: outerStatuses(row),
    row,
  }));
}

/** The value a stack leaves for an offloading NIC: the pseudo-header's one's-complement sum, folded. */
function foldedPseudoHeaderSum(source: string, destination: string, protocol: number, length: number): number {
  let sum = protocol + length;
  for (const address of [source, destination]) {
    const [a, b, c, d] = address.split('.').map(Number);
    sum += (a! << 8) + b! + (c! << 8) + d!;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

const entries = tsharkEntries();
// The project's own recordings (offload off, so every checksum is right); an instructor's capture
// (a classifier snapshot) may come from a host that offloads them.
const recorded = entries.filter((entry) => !entry.reconstruction && entry.expectationsSource === 'ground-truth');
const reconstructions = entries.filter((entry) => entry.reconstruction);

describe.skipIf(tshark.skip)(`checksums in the bundled traces${tshark.note}`, () => {
  it.each(recorded.map((entry) => [entry.id, entry] as const))(
    'recorded %s: every checksum is correct',
    (_id, entry) => {
      const rows = checksumRows(entry);
      expect(rows.length).toBeGreaterThan(0);
      for (const { number, statuses } of rows) {
        expect(statuses.length, `frame ${number} has a verified checksum`).toBeGreaterThan(0);
        expect(
          statuses.every((status) => status === '1'),
          `frame ${number}: ${statuses}`,
        ).toBe(true);
      }
    },
  );

  const senders = reconstructions.filter((entry) => entry.side === 'client');
  const receivers = reconstructions.filter((entry) => entry.side === 'server');

  it('there are sender and receiver copies among the reconstructions', () => {
    expect(senders.length).toBeGreaterThan(0);
    expect(receivers.length).toBeGreaterThan(0);
  });

  it.each(senders.map((entry) => [entry.id, entry] as const))(
    "sender's copy %s: bad checksums exactly on the packets the client sent, in the offload form",
    (_id, entry) => {
      const client = entry.expected[0]!.client;
      const rows = checksumRows(entry);
      const sent = rows.filter((r) => r.src === client);
      const received = rows.filter((r) => r.src !== client);
      expect(sent.length).toBeGreaterThan(0);
      for (const { number, statuses, row } of sent) {
        expect(statuses.length).toBeGreaterThan(0);
        expect(
          statuses.every((status) => status === BAD),
          `frame ${number}: ${statuses}`,
        ).toBe(true);
        expect(Number(row['ip.checksum']![0])).toBe(0);
        const protocol = Number(row['ip.proto']![0]);
        const transportLength = Number(row['ip.len']![0]) - Number(row['ip.hdr_len']![0]);
        const field = protocol === 6 ? row['tcp.checksum']![0] : row['udp.checksum']![0];
        expect(Number(field), `frame ${number}`).toBe(
          foldedPseudoHeaderSum(row['ip.src']![0]!, row['ip.dst']![0]!, protocol, transportLength),
        );
      }
      for (const { number, statuses } of received) {
        expect(
          statuses.every((status) => status === '1'),
          `frame ${number}: ${statuses}`,
        ).toBe(true);
      }
    },
  );

  it.each(receivers.map((entry) => [entry.id, entry] as const))(
    "receiver's copy %s: every checksum is correct",
    (_id, entry) => {
      const rows = checksumRows(entry);
      expect(rows.length).toBeGreaterThan(0);
      for (const { number, statuses } of rows) {
        expect(statuses.length).toBeGreaterThan(0);
        expect(
          statuses.every((status) => status === '1'),
          `frame ${number}: ${statuses}`,
        ).toBe(true);
      }
    },
  );
});
