// The packet details pane: one node per layer, one child per header field, each with the
// Wireshark field name (so a click can suggest a filter) and the bytes it came from (so the hex
// view can highlight them).
import { pktmonDrop, type PktmonPacket } from '../capture/types.ts';
import type { Packet } from '../packets.ts';
import type { ArpLayer, ChecksumStatus, Ieee80211Layer, IPLayer, TcpLayer } from '../decode/types.ts';
import { ieee80211SubtypeName } from '../decode/ieee80211.ts';
import { pppProtocolName } from '../decode/pppoe.ts';
import { formatIPv4, formatIPv6, formatMac } from './addresses.ts';

export interface TreeNode {
  label: string;
  /** Wireshark field name, when the node is one (e.g. "tcp.srcport"). */
  field?: string;
  /** The value as a filter literal would spell it, when there is one. */
  value?: string;
  offset: number;
  length: number;
  children?: TreeNode[];
}

const hex = (n: number, width: number) => '0x' + n.toString(16).padStart(width, '0');

const checksumText: Record<ChecksumStatus, string> = {
  good: 'correct',
  bad: 'incorrect',
  unverified: 'unverified (packet cut short)',
  partial: 'partial — the pseudo-header sum a NIC with checksum offload fills in later',
};

function leaf(
  label: string,
  field: string | undefined,
  value: string | number,
  offset: number,
  length: number,
): TreeNode {
  return { label: `${label}: ${value}`, field, value: String(value), offset, length };
}

const TCP_FLAG_NAMES: Array<[number, string, string]> = [
  [0x100, 'Accurate ECN', 'tcp.flags.ae'],
  [0x080, 'Congestion Window Reduced', 'tcp.flags.cwr'],
  [0x040, 'ECN-Echo', 'tcp.flags.ece'],
  [0x020, 'Urgent', 'tcp.flags.urg'],
  [0x010, 'Acknowledgment', 'tcp.flags.ack'],
  [0x008, 'Push', 'tcp.flags.push'],
  [0x004, 'Reset', 'tcp.flags.reset'],
  [0x002, 'Syn', 'tcp.flags.syn'],
  [0x001, 'Fin', 'tcp.flags.fin'],
];

export function tcpFlagNames(flags: number): string[] {
  const short: Array<[number, string]> = [
    [0x002, 'SYN'],
    [0x010, 'ACK'],
    [0x004, 'RST'],
    [0x001, 'FIN'],
    [0x008, 'PSH'],
    [0x020, 'URG'],
    [0x040, 'ECE'],
    [0x080, 'CWR'],
  ];
  return short.filter(([bit]) => flags & bit).map(([, name]) => name);
}

function ipNode(ip: IPLayer, quoted = false): TreeNode {
  const o = ip.offset;
  if (ip.version === 4) {
    return {
      label: `${quoted ? 'Quoted: ' : ''}Internet Protocol Version 4, Src: ${formatIPv4(ip.src)}, Dst: ${formatIPv4(ip.dst)}`,
      field: 'ip',
      offset: o,
      length: ip.headerLength,
      children: [
        leaf('Header Length', 'ip.hdr_len', `${ip.headerLength} bytes`, o, 1),
        leaf('Total Length', 'ip.len', ip.totalLength, o + 2, 2),
        leaf('Identification', 'ip.id', `${hex(ip.id, 4)} (${ip.id})`, o + 4, 2),
        leaf("Don't fragment", 'ip.flags.df', ip.dontFragment ? 'Set' : 'Not set', o + 6, 1),
        leaf('More fragments', 'ip.flags.mf', ip.moreFragments ? 'Set' : 'Not set', o + 6, 1),
        leaf('Fragment Offset', 'ip.frag_offset', ip.fragmentOffset, o + 6, 2),
        leaf('Time to Live', 'ip.ttl', ip.ttl, o + 8, 1),
        leaf('Protocol', 'ip.proto', ip.protocol, o + 9, 1),
        leaf(
          'Header Checksum',
          'ip.checksum',
          `${hex(ip.checksum, 4)} [${checksumText[ip.checksumStatus]}]`,
          o + 10,
          2,
        ),
        leaf('Source Address', 'ip.src', formatIPv4(ip.src), o + 12, 4),
        leaf('Destination Address', 'ip.dst', formatIPv4(ip.dst), o + 16, 4),
      ],
    };
  }
  return {
    label: `${quoted ? 'Quoted: ' : ''}Internet Protocol Version 6, Src: ${formatIPv6(ip.src)}, Dst: ${formatIPv6(ip.dst)}`,
    field: 'ipv6',
    offset: o,
    length: 40,
    children: [
      leaf('Payload Length', 'ipv6.plen', ip.payloadLength, o + 4, 2),
      leaf('Next Header', 'ipv6.nxt', ip.nextHeader, o + 6, 1),
      leaf('Hop Limit', 'ipv6.hlim', ip.hopLimit, o + 7, 1),
      leaf('Source Address', 'ipv6.src', formatIPv6(ip.src), o + 8, 16),
      leaf('Destination Address', 'ipv6.dst', formatIPv6(ip.dst), o + 24, 16),
    ],
  };
}

/** Relative numbers (Wireshark's default) come from the TCP analysis when the caller has it. */
export interface TcpContext {
  relSeq?: number;
  relAck?: number;
  stream?: number;
  notes?: string[];
}

function tcpNode(tcp: TcpLayer, ctx: TcpContext): TreeNode {
  const o = tcp.offset;
  const names = tcpFlagNames(tcp.flags);
  const options: TreeNode[] = [];
  if (tcp.options.mss !== undefined)
    options.push({
      label: `Maximum segment size: ${tcp.options.mss} bytes`,
      field: 'tcp.options.mss_val',
      value: String(tcp.options.mss),
      offset: o + 20,
      length: tcp.headerLength - 20,
    });
  if (tcp.options.windowScale !== undefined)
    options.push({
      label: `Window scale: ${tcp.options.windowScale} (multiply by ${2 ** tcp.options.windowScale})`,
      field: 'tcp.options.wscale.shift',
      value: String(tcp.options.windowScale),
      offset: o + 20,
      length: tcp.headerLength - 20,
    });
  if (tcp.options.sackPermitted)
    options.push({
      label: 'SACK permitted',
      field: 'tcp.options.sack_perm',
      offset: o + 20,
      length: tcp.headerLength - 20,
    });
  if (tcp.options.timestamp)
    options.push({
      label: `Timestamps: TSval ${tcp.options.timestamp.value}, TSecr ${tcp.options.timestamp.echo}`,
      offset: o + 20,
      length: tcp.headerLength - 20,
    });
  const children: TreeNode[] = [
    leaf('Source Port', 'tcp.srcport', tcp.srcPort, o, 2),
    leaf('Destination Port', 'tcp.dstport', tcp.dstPort, o + 2, 2),
  ];
  if (ctx.stream !== undefined)
    children.push({
      label: `[Stream index: ${ctx.stream}]`,
      field: 'tcp.stream',
      value: String(ctx.stream),
      offset: o,
      length: 0,
    });
  children.push(
    leaf(
      'Sequence Number',
      'tcp.seq',
      ctx.relSeq !== undefined ? `${ctx.relSeq}    (relative sequence number)` : tcp.seq,
      o + 4,
      4,
    ),
    leaf('Sequence Number (raw)', 'tcp.seq_raw', tcp.seq, o + 4, 4),
    leaf(
      'Acknowledgment Number',
      'tcp.ack',
      ctx.relAck !== undefined ? `${ctx.relAck}    (relative ack number)` : tcp.ack,
      o + 8,
      4,
    ),
    leaf('Acknowledgment number (raw)', 'tcp.ack_raw', tcp.ack, o + 8, 4),
    leaf('Header Length', 'tcp.hdr_len', `${tcp.headerLength} bytes`, o + 12, 1),
    {
      label: `Flags: ${hex(tcp.flags, 3)} (${names.join(', ') || 'none'})`,
      field: 'tcp.flags',
      value: hex(tcp.flags, 3),
      offset: o + 12,
      length: 2,
      children: TCP_FLAG_NAMES.map(([bit, name, field]) => ({
        label: `${name}: ${tcp.flags & bit ? 'Set' : 'Not set'}`,
        field,
        value: tcp.flags & bit ? '1' : '0',
        offset: o + 12,
        length: 2,
      })),
    },
    leaf('Window', 'tcp.window_size_value', tcp.window, o + 14, 2),
    leaf('Checksum', 'tcp.checksum', `${hex(tcp.checksum, 4)} [${checksumText[tcp.checksumStatus]}]`, o + 16, 2),
    leaf('Urgent Pointer', 'tcp.urgent_pointer', tcp.urgentPointer, o + 18, 2),
  );
  if (options.length)
    children.push({
      label: `Options: (${tcp.headerLength - 20} bytes)`,
      offset: o + 20,
      length: tcp.headerLength - 20,
      children: options,
    });
  for (const note of ctx.notes ?? []) children.push({ label: `[${note}]`, offset: o, length: 0 });
  children.push(leaf('TCP payload', 'tcp.len', `${tcp.payloadLength} bytes`, tcp.payloadOffset, tcp.payloadLength));
  return {
    label: `Transmission Control Protocol, Src Port: ${tcp.srcPort}, Dst Port: ${tcp.dstPort}, Seq: ${ctx.relSeq ?? tcp.seq}, Ack: ${ctx.relAck ?? tcp.ack}, Len: ${tcp.payloadLength}`,
    field: 'tcp',
    offset: o,
    length: tcp.headerLength,
    children,
  };
}

/** Address lengths come from the ARP header, so only 6-byte hardware and 4-byte protocol addresses get MAC/IPv4 form. */
function arpChildren(arp: ArpLayer): TreeNode[] {
  const bytesText = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
  const mac = (b: Uint8Array) => (b.length === 6 ? formatMac(b) : bytesText(b));
  const ip = (b: Uint8Array) => (b.length === 4 ? formatIPv4(b) : b.length === 16 ? formatIPv6(b) : bytesText(b));
  const hw = arp.senderMac.length;
  const proto = arp.senderIp.length;
  const o = arp.offset + 8;
  return [
    leaf('Opcode', 'arp.opcode', arp.opcode, arp.offset + 6, 2),
    leaf('Sender MAC address', 'arp.src.hw_mac', mac(arp.senderMac), o, hw),
    leaf('Sender IP address', 'arp.src.proto_ipv4', ip(arp.senderIp), o + hw, proto),
    leaf('Target MAC address', 'arp.dst.hw_mac', mac(arp.targetMac), o + hw + proto, hw),
    leaf('Target IP address', 'arp.dst.proto_ipv4', ip(arp.targetIp), o + 2 * hw + proto, proto),
  ];
}

/** Where pktmon logged the packet: one line per appearance, the drop (if any) marked. */
function pktmonNode(record: PktmonPacket): TreeNode {
  const drop = pktmonDrop(record);
  const label = drop?.drop
    ? `Packet Monitor: seen at ${record.appearances.length} components, dropped by component ${drop.componentId}`
    : `Packet Monitor: seen at ${record.appearances.length} component${record.appearances.length === 1 ? '' : 's'}`;
  const first = record.appearances[0];
  return {
    label,
    field: 'pktmon',
    offset: 0,
    length: 0,
    children: [
      leaf('PktGroupId', undefined, `0x${record.groupId}`, 0, 0),
      leaf('PktNumber', 'pktmon.packet_number', record.packetNumber, 0, 0),
      ...record.appearances.map((a, k) => {
        const name = a.componentName ? ` (${a.componentName})` : '';
        const after = k === 0 ? '' : `, +${elapsedMicroseconds(first, a)} µs`;
        const dropped = a.drop
          ? `, DROPPED: ${a.drop.reasonName ?? 'reason'} (${a.drop.reason}), location 0x${a.drop.location.toString(16)}`
          : '';
        const copy = a.copyOf
          ? `, loopback copy (PktGroupId 0x${a.copyOf.groupId}, PktNumber ${a.copyOf.packetNumber})`
          : '';
        return leaf(
          `Appearance ${k + 1}`,
          a.drop ? 'pktmon.drop.component' : 'pktmon.component',
          `component ${a.componentId}${name}, edge ${a.edgeId}, ${a.direction}${after}${dropped}${copy}`,
          0,
          0,
        );
      }),
    ],
  };
}

/** The 802.11 MAC header: addresses named by To DS / From DS, as Wireshark shows them. */
function wlanNode(w: Ieee80211Layer): TreeNode {
  const named: Array<[string, string | undefined, Uint8Array | undefined]> = [
    ['Receiver address', undefined, w.receiver],
    ['Transmitter address', undefined, w.transmitter],
    ['Destination address', 'wlan.da', w.destination],
    ['Source address', 'wlan.sa', w.source],
    ['BSS Id', 'wlan.bssid', w.bssid],
  ];
  return {
    label:
      `IEEE 802.11 ${ieee80211SubtypeName(w.typeSubtype)}, Flags: ${w.toDs ? 'To DS ' : ''}${w.fromDs ? 'From DS ' : ''}${w.protected ? 'Protected' : ''}`.trimEnd(),
    field: 'wlan',
    offset: w.offset,
    length: w.length,
    children: [
      leaf(
        'Type/Subtype',
        'wlan.fc.type_subtype',
        `${ieee80211SubtypeName(w.typeSubtype)} (${hex(w.typeSubtype, 4)})`,
        w.offset,
        1,
      ),
      leaf(
        'Protected flag',
        'wlan.fc.protected',
        w.protected ? 'Data is protected (the payload is encrypted and cannot be read)' : 'Data is not protected',
        w.offset + 1,
        1,
      ),
      ...named
        .filter(([, , a]) => a !== undefined)
        .map(([label, field, a]) => leaf(label, field, formatMac(a!), w.offset, 0)),
      ...(w.sequenceNumber !== undefined
        ? [leaf('Sequence number', undefined, w.sequenceNumber, w.offset + 22, 2)]
        : []),
      ...(w.etherType !== undefined
        ? [leaf('LLC/SNAP Type', undefined, hex(w.etherType, 4), w.payloadOffset - 2, 2)]
        : []),
    ],
  };
}

function elapsedMicroseconds(from: { seconds: number; nanoseconds: number }, to: typeof from): string {
  return (((to.seconds - from.seconds) * 1e9 + (to.nanoseconds - from.nanoseconds)) / 1000).toFixed(1);
}

export function packetTree(packet: Packet, ctx: TcpContext = {}): TreeNode[] {
  const d = packet.dissection;
  const nodes: TreeNode[] = [
    {
      label: `Frame ${packet.number}: ${packet.originalLength} bytes on wire, ${packet.capturedLength} bytes captured`,
      field: 'frame',
      offset: 0,
      length: packet.capturedLength,
      children: [
        leaf('Frame Number', 'frame.number', packet.number, 0, 0),
        leaf('Frame Length', 'frame.len', packet.originalLength, 0, 0),
        leaf('Capture Length', 'frame.cap_len', packet.capturedLength, 0, 0),
        ...(packet.direction ? [leaf('Direction', undefined, packet.direction, 0, 0)] : []),
        ...(packet.comments ?? []).map((c) => leaf('Comment', 'frame.comment', c, 0, 0)),
      ],
    },
  ];
  if (packet.pktmon) nodes.push(pktmonNode(packet.pktmon));
  if (d.eth)
    nodes.push({
      label: `Ethernet II, Src: ${formatMac(d.eth.src)}, Dst: ${formatMac(d.eth.dst)}`,
      field: 'eth',
      offset: d.eth.offset,
      length: d.eth.payloadOffset - d.eth.offset,
      children: [
        leaf('Destination', 'eth.dst', formatMac(d.eth.dst), d.eth.offset, 6),
        leaf('Source', 'eth.src', formatMac(d.eth.src), d.eth.offset + 6, 6),
        leaf('Type', 'eth.type', hex(d.eth.type, 4), d.eth.payloadOffset - 2, 2),
      ],
    });
  for (const tag of d.vlan ?? [])
    nodes.push({
      label: `802.1Q Virtual LAN, PRI: ${tag.priority}, DEI: ${tag.dei ? 1 : 0}, ID: ${tag.id}`,
      field: 'vlan',
      offset: tag.offset,
      length: tag.length,
      children: [leaf('ID', 'vlan.id', tag.id, tag.offset, 2)],
    });
  if (d.sll)
    nodes.push({
      label: `Linux cooked capture v${d.sll.version}`,
      field: d.sll.version === 1 ? 'sll' : 'sll2',
      offset: d.sll.offset,
      length: d.sll.payloadOffset - d.sll.offset,
    });
  if (d.loopback)
    nodes.push({
      label: `Null/Loopback, Family: ${d.loopback.family}`,
      field: 'null',
      offset: d.loopback.offset,
      length: d.loopback.payloadOffset - d.loopback.offset,
    });
  if (d.arp)
    nodes.push({
      label: `Address Resolution Protocol (${d.arp.opcode === 1 ? 'request' : d.arp.opcode === 2 ? 'reply' : 'opcode ' + d.arp.opcode})`,
      field: 'arp',
      offset: d.arp.offset,
      length: d.arp.length,
      children: arpChildren(d.arp),
    });
  if (d.radiotap)
    nodes.push({
      label: `Radiotap Header v0, Length ${d.radiotap.length}`,
      field: 'radiotap',
      offset: d.radiotap.offset,
      length: d.radiotap.length,
    });
  if (d.wlan) nodes.push(wlanNode(d.wlan));
  if (d.pppoe)
    nodes.push({
      label: `PPP-over-Ethernet Session, Session ID: 0x${d.pppoe.sessionId.toString(16).padStart(4, '0')}, PPP protocol: ${pppProtocolName(d.pppoe.pppProtocol)}`,
      field: 'pppoes',
      offset: d.pppoe.offset,
      length: d.pppoe.length,
      children: [
        leaf('Session ID', 'pppoe.session_id', hex(d.pppoe.sessionId, 4), d.pppoe.offset + 2, 2),
        leaf('Payload Length', undefined, d.pppoe.payloadLength, d.pppoe.offset + 4, 2),
        leaf('Protocol', 'ppp.protocol', hex(d.pppoe.pppProtocol, 4), d.pppoe.offset + 6, 2),
      ],
    });
  for (const tunnel of d.tunnels ?? []) {
    const outer = ipNode(tunnel.outer);
    nodes.push({ ...outer, label: `${outer.label} (tunnel, outer header)` });
    if (tunnel.gre)
      nodes.push({
        label: `Generic Routing Encapsulation (${tunnel.gre.protocol === 0x0800 ? 'IP' : tunnel.gre.protocol === 0x86dd ? 'IPv6' : hex(tunnel.gre.protocol, 4)})`,
        field: 'gre',
        offset: tunnel.gre.offset,
        length: tunnel.gre.length,
        children: [
          leaf('Protocol Type', 'gre.proto', hex(tunnel.gre.protocol, 4), tunnel.gre.offset + 2, 2),
          ...(tunnel.gre.key !== undefined
            ? [leaf('Key', undefined, hex(tunnel.gre.key, 8), tunnel.gre.offset + 4, 4)]
            : []),
        ],
      });
  }
  if (d.ip) nodes.push(ipNode(d.ip));
  if (d.tcp) nodes.push(tcpNode(d.tcp, ctx));
  if (d.udp)
    nodes.push({
      label: `User Datagram Protocol, Src Port: ${d.udp.srcPort}, Dst Port: ${d.udp.dstPort}`,
      field: 'udp',
      offset: d.udp.offset,
      length: 8,
      children: [
        leaf('Source Port', 'udp.srcport', d.udp.srcPort, d.udp.offset, 2),
        leaf('Destination Port', 'udp.dstport', d.udp.dstPort, d.udp.offset + 2, 2),
        leaf('Length', 'udp.length', d.udp.length, d.udp.offset + 4, 2),
        leaf(
          'Checksum',
          'udp.checksum',
          `${hex(d.udp.checksum, 4)} [${checksumText[d.udp.checksumStatus]}]`,
          d.udp.offset + 6,
          2,
        ),
      ],
    });
  if (d.icmp) {
    const prefix = d.icmp.version === 4 ? 'icmp' : 'icmpv6';
    const children: TreeNode[] = [
      leaf('Type', `${prefix}.type`, d.icmp.type, d.icmp.offset, 1),
      leaf('Code', `${prefix}.code`, d.icmp.code, d.icmp.offset + 1, 1),
      leaf(
        'Checksum',
        `${prefix}.checksum`,
        `${hex(d.icmp.checksum, 4)} [${checksumText[d.icmp.checksumStatus]}]`,
        d.icmp.offset + 2,
        2,
      ),
    ];
    const q = d.icmp.quoted;
    if (q) {
      children.push(ipNode(q.ip, true));
      const t = q.tcp ?? q.udp;
      if (t) {
        const proto = q.tcp ? 'tcp' : 'udp';
        const start = q.ip.payloadOffset;
        children.push({
          label: `Quoted: ${q.tcp ? 'Transmission Control Protocol' : 'User Datagram Protocol'}, Src Port: ${t.srcPort}, Dst Port: ${t.dstPort}${q.tcp?.seq !== undefined ? `, Seq (raw): ${q.tcp.seq}` : ''}`,
          field: proto,
          offset: start,
          length: 8,
          children: [
            leaf('Source Port', `${proto}.srcport`, t.srcPort, start, 2),
            leaf('Destination Port', `${proto}.dstport`, t.dstPort, start + 2, 2),
          ],
        });
      }
    }
    nodes.push({
      label: d.icmp.version === 4 ? 'Internet Control Message Protocol' : 'Internet Control Message Protocol v6',
      field: prefix,
      offset: d.icmp.offset,
      length: d.icmp.payloadEnd - d.icmp.offset,
      children,
    });
  }
  if (d.problem || d.truncated) {
    const at = d.truncated ? d.truncated.offset : packet.capturedLength;
    nodes.push({
      label: d.truncated
        ? `[Packet cut short: ${d.truncated.layer} header needs ${d.truncated.needed} bytes at offset ${d.truncated.offset}]`
        : `[${d.problem}]`,
      offset: at,
      length: Math.max(0, packet.capturedLength - at),
    });
  }
  return nodes;
}
