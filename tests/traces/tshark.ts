// tshark as the independent oracle for the bundled traces: one call per file, every field with
// all its occurrences (ICMP errors quote an IP and TCP header, so ip.src can hold two values).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExpectedAttempt } from '../../src/cli/commands/add-trace.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ENTRY_DIR = `${REPO_ROOT}src/content/traces`;
export const PUBLIC_DIR = `${REPO_ROOT}public`;

export type { ExpectedAttempt };

export interface TraceEntry {
  id: string;
  title: string;
  story: string;
  file: string;
  side: string;
  scenario: string;
  pair?: string;
  reconstruction: boolean;
  source: string;
  /** Where `expected` comes from (src/content.config.ts; missing in the JSON means ground truth). */
  expectationsSource: 'ground-truth' | 'classifier-snapshot';
  expected: ExpectedAttempt[];
}

/** The entries of src/content/traces (or of another site folder's, for add-trace's tests). */
export function loadEntries(entryDir: string = ENTRY_DIR): TraceEntry[] {
  return readdirSync(entryDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      id: name.slice(0, -'.json'.length),
      reconstruction: false,
      expectationsSource: 'ground-truth' as const,
      ...JSON.parse(readFileSync(`${entryDir}/${name}`, 'utf8')),
    }));
}

/**
 * The entries tshark and capinfos can read: every one but the pktmon .etl written by
 * scripts/make-windows-traces.ts (tshark does not read ETW logs), which is checked through
 * porttrace's own reader against its expectations (tests/analysis/traces.test.ts).
 */
export function tsharkEntries(): TraceEntry[] {
  return loadEntries().filter((entry) => entry.file.endsWith('.pcapng'));
}

/**
 * Whether an entry's expectations are ground truth, to be checked against the packets. A
 * classifier snapshot (an instructor's capture added by add-trace) is only held to the
 * classifier's earlier answer (tests/analysis/traces.test.ts).
 */
export const isGroundTruth = (entry: TraceEntry): boolean => entry.expectationsSource === 'ground-truth';

/** Appended to the name of a ground-truth check that a classifier snapshot skips. */
export const SNAPSHOT_NOTE =
  ' [skipped: classifier snapshot (expectationsSource); held to its earlier answer in tests/analysis/traces.test.ts]';

export function capturePath(entry: TraceEntry): string {
  return `${PUBLIC_DIR}${entry.file}`;
}

/** Runs tshark and returns one record per packet: field → every occurrence, in order. */
export function tsharkFields(file: string, fields: string[], extraArgs: string[] = []): Record<string, string[]>[] {
  const args = [
    '-r',
    file,
    '-n',
    ...extraArgs,
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
  ];
  for (const field of fields) args.push('-e', field);
  const result = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`tshark ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const cells = line.split('\t');
      return Object.fromEntries(fields.map((field, index) => [field, cells[index] ? cells[index]!.split(',') : []]));
    });
}

/** The packets of a trace as tshark sees them, reduced to what the verdict checks need. */
export interface WirePacket {
  number: number;
  /** Outer IP addresses (first occurrence; later ones belong to an ICMP error's quote). */
  src: string;
  dst: string;
  tcp?: {
    srcPort: number;
    dstPort: number;
    syn: boolean;
    ack: boolean;
    rst: boolean;
    fin: boolean;
    seq: number;
    ackNumber: number;
  };
  /** An ICMP/ICMPv6 error and the TCP header it quotes. */
  icmp?: { version: 4 | 6; type: number; code: number; quoted?: { srcPort: number; dstPort: number; seq: number } };
}

const PACKET_FIELDS = [
  'frame.number',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.flags.reset',
  'tcp.flags.fin',
  'tcp.seq_raw',
  'tcp.seq',
  'tcp.ack_raw',
];

const flag = (value: string | undefined) => value === '1' || value === 'True';

export function wirePackets(file: string): WirePacket[] {
  return tsharkFields(file, PACKET_FIELDS).map((row) => {
    const src = row['ip.src']![0] ?? row['ipv6.src']![0] ?? '';
    const dst = row['ip.dst']![0] ?? row['ipv6.dst']![0] ?? '';
    const packet: WirePacket = { number: Number(row['frame.number']![0]), src, dst };
    const icmpType = row['icmp.type']![0] ?? row['icmpv6.type']![0];
    const hasTcp = row['tcp.srcport']!.length > 0;
    const tcpFields = hasTcp
      ? {
          srcPort: Number(row['tcp.srcport']![0]),
          dstPort: Number(row['tcp.dstport']![0]),
          // Inside an ICMP quote tshark prints the absolute tcp.seq and no tcp.seq_raw.
          seq: Number(row['tcp.seq_raw']![0] ?? row['tcp.seq']![0]),
        }
      : undefined;
    if (icmpType !== undefined) {
      packet.icmp = {
        version: row['icmp.type']![0] !== undefined ? 4 : 6,
        type: Number(icmpType),
        code: Number(row['icmp.code']![0] ?? row['icmpv6.code']![0]),
        quoted: tcpFields,
      };
    } else if (tcpFields) {
      packet.tcp = {
        ...tcpFields,
        syn: flag(row['tcp.flags.syn']![0]),
        ack: flag(row['tcp.flags.ack']![0]),
        rst: flag(row['tcp.flags.reset']![0]),
        fin: flag(row['tcp.flags.fin']![0]),
        ackNumber: Number(row['tcp.ack_raw']![0]),
      };
    }
    return packet;
  });
}
