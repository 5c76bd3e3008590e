// Writes a Windows Firewall log (pfirewall.log, W3C extended, as Windows writes it: local time to
// the second, "-" for empty values) for a recorded capture: one DROP line per SYN that the
// capture shows arriving at `server`, as if the server's Windows Firewall had dropped it. The SYNs
// come from tshark, not from porttrace, so the correlation tests check porttrace against an
// independent reading of the capture. Shares no code with src/lib/capture/firewall-log.ts.
//
// Also a command: `npm exec -- tsx tests/firewall/write-firewall-log.ts IN.pcapng SERVER-IP OUT.log [UTC-OFFSET-MINUTES]`.
import { spawnSync } from 'node:child_process';

export interface TsharkSyn {
  epoch: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  window: number;
  length: number;
}

/** SYNs without ACK, as tshark reads them (IPv4 and IPv6). */
export function tsharkSyns(file: string): TsharkSyn[] {
  const fields = [
    'frame.time_epoch',
    'ip.src',
    'ipv6.src',
    'ip.dst',
    'ipv6.dst',
    'tcp.srcport',
    'tcp.dstport',
    'tcp.seq_raw',
    'tcp.window_size_value',
    'frame.len',
  ];
  const run = spawnSync(
    'tshark',
    [
      '-r',
      file,
      '-n',
      '-Y',
      'tcp.flags.syn == 1 && tcp.flags.ack == 0 && !icmp && !icmpv6',
      '-T',
      'fields',
      '-E',
      'separator=/t',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`tshark failed on ${file}: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l)
    .map((line) => {
      const [epoch, src4, src6, dst4, dst6, sport, dport, seq, window, length] = line.split('\t');
      return {
        epoch: Number(epoch),
        src: src4 || src6,
        dst: dst4 || dst6,
        srcPort: Number(sport),
        dstPort: Number(dport),
        seq: Number(seq),
        window: Number(window),
        length: Number(length),
      };
    });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2024-01-15 10:31:02": the epoch in a zone `offsetMinutes` east of UTC, cut to the second. */
export function localStamp(epoch: number, offsetMinutes: number): string {
  const d = new Date(Math.floor(epoch + offsetMinutes * 60) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const HEADER = [
  '#Version: 1.5',
  '#Software: Microsoft Windows Firewall',
  '#Time Format: Local',
  '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid',
  '',
];

/** One log line (pid 4: the System process, which owns kernel-mode drops). */
export function logLine(
  epoch: number,
  offsetMinutes: number,
  action: 'DROP' | 'ALLOW',
  syn: Omit<TsharkSyn, 'epoch'>,
  path: 'RECEIVE' | 'SEND' = 'RECEIVE',
): string {
  return `${localStamp(epoch, offsetMinutes)} ${action} TCP ${syn.src} ${syn.dst} ${syn.srcPort} ${syn.dstPort} ${syn.length} S ${syn.seq} 0 ${syn.window} - - - ${path} 4`;
}

/** The log the server's firewall would have written for the SYNs it dropped (CRLF, as Windows writes). */
export function firewallLogFor(file: string, server: string, offsetMinutes: number): string {
  const lines = tsharkSyns(file)
    .filter((s) => s.dst === server)
    .map((s) => logLine(s.epoch, offsetMinutes, 'DROP', s));
  return [...HEADER, ...lines, ''].join('\r\n');
}

const invokedAsScript = typeof process !== 'undefined' && process.argv[1]?.endsWith('write-firewall-log.ts');
if (invokedAsScript) {
  const [input, server, output, offset] = process.argv.slice(2);
  if (!input || !server || !output) {
    console.error('usage: tsx tests/firewall/write-firewall-log.ts IN.pcapng SERVER-IP OUT.log [UTC-OFFSET-MINUTES]');
    process.exit(2);
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(output, firewallLogFor(input, server, Number(offset ?? 0)));
  console.log(`${output} written`);
}
