// The field registry against Wireshark's own: every name we register exists in tshark 4.0 with
// the same type and width (from `tshark -G fields`, run live when tshark is installed), and every
// field the lessons and the issue name is there.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldList, fieldRegistry } from '../../src/lib/fields/registry.ts';
import { kindLabel } from '../../src/lib/fields/types.ts';

function tsharkFields(): Map<string, { type: string; label: string }> | undefined {
  let text: string;
  try {
    text = execFileSync('tshark', ['-G', 'fields'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  let labels: Map<string, string>;
  try {
    const ftypes = execFileSync('tshark', ['-G', 'ftypes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    labels = new Map(
      ftypes
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t') as [string, string]),
    );
  } catch {
    return undefined;
  }
  const fields = new Map<string, { type: string; label: string }>();
  for (const line of text.split('\n')) {
    const cols = line.split('\t');
    if (cols[0] === 'P') fields.set(cols[2], { type: 'FT_PROTOCOL', label: 'Protocol' });
    if (cols[0] === 'F') fields.set(cols[2], { type: cols[3], label: labels.get(cols[3]) ?? cols[3] });
  }
  return fields;
}

const wireshark = tsharkFields();

describe('the registry', () => {
  it('has every field the issue lists', () => {
    const required = [
      'frame.number',
      'frame.time_relative',
      'frame.time_delta',
      'frame.len',
      'frame.cap_len',
      'eth.src',
      'eth.dst',
      'eth.addr',
      'eth.type',
      'vlan.id',
      'ip.src',
      'ip.dst',
      'ip.addr',
      'ip.proto',
      'ip.ttl',
      'ip.id',
      'ip.len',
      'ip.flags.df',
      'ip.flags.mf',
      'ip.checksum.status',
      'ipv6.src',
      'ipv6.dst',
      'ipv6.addr',
      'ipv6.nxt',
      'ipv6.hlim',
      'ipv6.plen',
      'tcp.srcport',
      'tcp.dstport',
      'tcp.port',
      'tcp.stream',
      'tcp.seq',
      'tcp.seq_raw',
      'tcp.ack',
      'tcp.ack_raw',
      'tcp.nxtseq',
      'tcp.len',
      'tcp.hdr_len',
      'tcp.window_size_value',
      'tcp.window_size',
      'tcp.window_size_scalefactor',
      'tcp.flags',
      'tcp.flags.fin',
      'tcp.flags.syn',
      'tcp.flags.reset',
      'tcp.flags.push',
      'tcp.flags.ack',
      'tcp.flags.urg',
      'tcp.flags.ece',
      'tcp.flags.cwr',
      'tcp.flags.ae',
      'tcp.options.mss_val',
      'tcp.options.wscale.shift',
      'tcp.checksum.status',
      'tcp.completeness',
      'tcp.analysis.retransmission',
      'tcp.analysis.flags',
      'tcp.analysis.rto',
      'tcp.analysis.rto_frame',
      'tcp.analysis.initial_rtt',
      'udp.srcport',
      'udp.dstport',
      'udp.port',
      'udp.length',
      'icmp.type',
      'icmp.code',
      'icmpv6.type',
      'icmpv6.code',
      'arp.opcode',
      'arp.src.proto_ipv4',
      'arp.dst.proto_ipv4',
      'tcp',
      'udp',
      'icmp',
      'icmpv6',
      'ip',
      'ipv6',
      'arp',
      'eth',
      'vlan',
    ];
    expect(required.filter((name) => !fieldRegistry.has(name))).toEqual([]);
  });

  it('is documented field by field in docs/FILTERS.md', () => {
    const docs = readFileSync('docs/FILTERS.md', 'utf8');
    expect(fieldList.map((f) => f.name).filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });

  it('registers each name once', () => {
    expect(new Set(fieldList.map((f) => f.name)).size).toBe(fieldList.length);
  });

  it.skipIf(wireshark === undefined)("uses Wireshark's names, types and widths (tshark -G fields)", () => {
    const problems: string[] = [];
    for (const field of fieldList) {
      const theirs = wireshark!.get(field.name);
      // porttrace's own fields (pktmon's) must not take a name Wireshark uses.
      if (field.porttraceOnly) {
        if (theirs !== undefined) problems.push(`${field.name}: porttrace's own, but Wireshark has it`);
        continue;
      }
      if (theirs === undefined) {
        problems.push(`${field.name}: not a Wireshark field`);
        continue;
      }
      // tshark's frame.number is FT_UINT32 and prints as such; FT_FRAMENUM fields say "Frame number".
      if (kindLabel(field) !== theirs.label)
        problems.push(`${field.name}: ours ${kindLabel(field)}, Wireshark ${theirs.label} (${theirs.type})`);
    }
    expect(problems).toEqual([]);
  });
});
