// Our decode of a packet, spelled the way `tshark -T fields -E occurrence=a -E aggregator=,`
// spells the same fields, so golden.test.ts can compare them cell by cell.
import type { Packet } from '../../src/lib/packets.ts';
import type { ChecksumStatus, IPLayer, QuotedPacket } from '../../src/lib/decode/types.ts';
import { formatIPv4, formatIPv6, formatMac } from '../../src/lib/describe/addresses.ts';

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** tshark's checksum status values (proto_checksum_enum_e): 0 bad, 1 good, 2 unverified, 3 not present. */
const STATUS: Record<ChecksumStatus, string> = { bad: '0', good: '1', unverified: '2', partial: '0' };

export function relativeTime(packet: Packet, first: Packet): string {
  let seconds = packet.seconds - first.seconds;
  let nanoseconds = packet.nanoseconds - first.nanoseconds;
  if (nanoseconds < 0) {
    seconds -= 1;
    nanoseconds += 1e9;
  }
  return `${seconds}.${String(nanoseconds).padStart(9, '0')}`;
}

export function ourFields(packet: Packet): Record<string, string> {
  const d = packet.dissection;
  const values: Record<string, string[]> = {};
  const add = (field: string, value: string | number | undefined) => {
    if (value === undefined) return;
    (values[field] ??= []).push(String(value));
  };
  add('frame.number', packet.number);
  add('frame.len', packet.originalLength);
  add('frame.cap_len', packet.capturedLength);
  if (d.eth) {
    add('eth.src', formatMac(d.eth.src));
    add('eth.dst', formatMac(d.eth.dst));
  }
  for (const tag of d.vlan ?? []) add('vlan.id', tag.id);
  const addIp = (ip: IPLayer) => {
    if (ip.version === 4) {
      add('ip.src', formatIPv4(ip.src));
      add('ip.dst', formatIPv4(ip.dst));
      add('ip.proto', ip.protocol);
      add('ip.ttl', ip.ttl);
      add('ip.id', hex4(ip.id));
      add('ip.len', ip.totalLength);
      add('ip.checksum.status', STATUS[ip.checksumStatus]);
    } else {
      add('ipv6.src', formatIPv6(ip.src));
      add('ipv6.dst', formatIPv6(ip.dst));
    }
  };
  const addQuoted = (quoted: QuotedPacket | undefined) => {
    if (!quoted) return;
    addIp(quoted.ip);
    if (quoted.tcp) {
      // tshark 4.0 prints no tcp.seq_raw (nor tcp.len) for a quoted TCP header; the rest of a
      // complete quoted header it does print.
      add('tcp.srcport', quoted.tcp.srcPort);
      add('tcp.dstport', quoted.tcp.dstPort);
      if (quoted.tcp.flags !== undefined) {
        add('tcp.ack_raw', quoted.tcp.ack);
        add('tcp.flags', `0x${quoted.tcp.flags.toString(16).padStart(4, '0')}`);
        add('tcp.window_size_value', quoted.tcp.window);
        add('tcp.options.mss_val', quoted.tcp.options?.mss);
        add('tcp.options.wscale.shift', quoted.tcp.options?.windowScale);
      }
    }
    if (quoted.udp) {
      add('udp.srcport', quoted.udp.srcPort);
      add('udp.dstport', quoted.udp.dstPort);
      if (quoted.udp.checksumStatus !== undefined) {
        const none = quoted.udp.checksum === 0 && quoted.ip.version === 4;
        add('udp.checksum.status', none ? '3' : STATUS[quoted.udp.checksumStatus]);
      }
    }
  };
  if (d.ip) addIp(d.ip);
  if (d.tcp) {
    const t = d.tcp;
    add('tcp.srcport', t.srcPort);
    add('tcp.dstport', t.dstPort);
    add('tcp.seq_raw', t.seq);
    add('tcp.ack_raw', t.ack);
    add('tcp.flags', `0x${t.flags.toString(16).padStart(4, '0')}`);
    add('tcp.len', t.payloadLength);
    add('tcp.window_size_value', t.window);
    add('tcp.options.mss_val', t.options.mss);
    add('tcp.options.wscale.shift', t.options.windowScale);
    add('tcp.checksum.status', STATUS[t.checksumStatus]);
  }
  if (d.udp) {
    add('udp.srcport', d.udp.srcPort);
    add('udp.dstport', d.udp.dstPort);
    const none = d.udp.checksum === 0 && d.ip?.version === 4;
    add('udp.checksum.status', none ? '3' : STATUS[d.udp.checksumStatus]);
  }
  if (d.icmp) {
    const prefix = d.icmp.version === 4 ? 'icmp' : 'icmpv6';
    add(`${prefix}.type`, d.icmp.type);
    add(`${prefix}.code`, d.icmp.code);
    add(`${prefix}.checksum.status`, STATUS[d.icmp.checksumStatus]);
    addQuoted(d.icmp.quoted);
  }
  const out: Record<string, string> = {};
  for (const [field, list] of Object.entries(values)) out[field] = list.join(',');
  return out;
}

export interface GoldenFile {
  source: string;
  fields: string[];
  rows: Array<Record<string, string>>;
}

export function parseGolden(text: string): GoldenFile {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const source = lines[0].split('\t')[1];
  const fields = lines[2].split('\t');
  const rows = lines.slice(3).map((line) => {
    const cells = line.split('\t');
    const row: Record<string, string> = {};
    fields.forEach((field, i) => (row[field] = cells[i] ?? ''));
    return row;
  });
  return { source, fields, rows };
}
