// Every field a filter can name, registered once under its Wireshark name (after Wireshark's
// hf_register_info). Each reader pushes all occurrences of the field in one packet: tcp.port
// pushes both ports, ip.addr both addresses, and the IP/TCP/UDP header quoted inside an ICMP
// error adds further occurrences, as in tshark (tcp.port==3389 matches the "port unreachable"
// that quotes a SYN to 3389).
import type { Dissection, IPv4Layer, IPv6Layer, TcpLayer, UdpLayer } from '../decode/types.ts';
import type { Packet } from '../packets.ts';
import { tcpAnalysisFields } from './tcp-analysis.ts';
import type { FieldContext, FieldDefinition, FieldReader, FieldValues } from './types.ts';

const ipv4Number = (address: Uint8Array): number =>
  address[0] * 0x1000000 + ((address[1] << 16) | (address[2] << 8) | address[3]);

const etherNumber = (address: Uint8Array): number =>
  (address[0] * 0x10000 + ((address[1] << 8) | address[2])) * 0x1000000 + ((address[3] << 16) | (address[4] << 8) | address[5]);

/**
 * Wireshark's checksum status values (PROTO_CHECKSUM_E_*: 0 bad, 1 good, 2 unverified). A
 * 'partial' checksum (the offload signature) is a wrong value in the field, and tshark 4.0 calls
 * it bad, so the filter does too; the packet details say why (see docs/FILTERS.md).
 */
const CHECKSUM_STATUS = { bad: 0, good: 1, unverified: 2, partial: 0 } as const;

const SET_LABELS = ['Set', 'Not set'] as const;

// --- where the layers are, including the copies quoted inside ICMP errors -----------------

type QuotedTcp = Partial<TcpLayer> & { srcPort: number; dstPort: number };
type QuotedUdp = Partial<UdpLayer> & { srcPort: number; dstPort: number };

// Readers are written as plain functions of (packet, out) and wrapped once, so each one is a
// small monomorphic function the JIT can inline.
const fromPacket =
  (read: (p: Packet, out: FieldValues) => void): FieldReader =>
  (context: FieldContext, index: number, out: FieldValues) =>
    read(context.packets[index], out);

/** An IP field of one version: read from the packet's own header and from one quoted in an ICMP error. */
function ipField<L extends IPv4Layer | IPv6Layer>(version: L['version'], name: string, description: string, kind: FieldDefinition['kind'], bits: number | undefined, get: (ip: L, out: FieldValues) => void, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return {
    name,
    kind,
    bits,
    description,
    ...extra,
    read: fromPacket((p, out) => {
      const d = p.dissection;
      if (d.ip !== undefined && d.ip.version === version) get(d.ip as L, out);
      const quoted = d.icmp?.quoted?.ip;
      if (quoted !== undefined && quoted.version === version) get(quoted as L, out);
    }),
  };
}

const ipv4Field = (name: string, description: string, kind: FieldDefinition['kind'], bits: number | undefined, get: (ip: IPv4Layer, out: FieldValues) => void, extra?: Partial<FieldDefinition>) =>
  ipField<IPv4Layer>(4, name, description, kind, bits, get, extra);
const ipv6Field = (name: string, description: string, kind: FieldDefinition['kind'], bits: number | undefined, get: (ip: IPv6Layer, out: FieldValues) => void, extra?: Partial<FieldDefinition>) =>
  ipField<IPv6Layer>(6, name, description, kind, bits, get, extra);

/** A TCP field: read from the packet's own header and from a quoted one when the value is there. */
function tcpField(name: string, description: string, kind: FieldDefinition['kind'], bits: number | undefined, get: (tcp: QuotedTcp, out: FieldValues, p: Packet) => void, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return {
    name,
    kind,
    bits,
    description,
    ...extra,
    read: fromPacket((p, out) => {
      const d = p.dissection;
      if (d.tcp !== undefined) get(d.tcp, out, p);
      const quoted = d.icmp?.quoted?.tcp;
      if (quoted !== undefined) get(quoted, out, p);
    }),
  };
}

function udpField(name: string, description: string, kind: FieldDefinition['kind'], bits: number | undefined, get: (udp: QuotedUdp, out: FieldValues, p: Packet) => void, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return {
    name,
    kind,
    bits,
    description,
    ...extra,
    read: fromPacket((p, out) => {
      const d = p.dissection;
      if (d.udp !== undefined) get(d.udp, out, p);
      const quoted = d.icmp?.quoted?.udp;
      if (quoted !== undefined) get(quoted, out, p);
    }),
  };
}

function tcpFlag(name: string, description: string, bit: number): FieldDefinition {
  return tcpField(name, description, 'bool', undefined, (tcp, out) => {
    if (tcp.flags !== undefined) out.pushNumber((tcp.flags & bit) !== 0 ? 1 : 0);
  }, { booleanLabels: SET_LABELS });
}

/**
 * A protocol name used alone (`tcp`) is true when the layer is there; with a slice, `contains`
 * or `matches` it stands for the bytes of the layer (`tcp[13]`, `frame contains "GET"`).
 * `spans` gives each occurrence's [start, end) in the frame — the packet's own layer and the
 * copy quoted inside an ICMP error, as tshark has both.
 */
function protocol(name: string, description: string, present: (d: Dissection) => boolean, spans?: (p: Packet) => Array<[number, number]>): FieldDefinition {
  return {
    name,
    kind: 'protocol',
    description,
    read: fromPacket((p, out) => {
      if (present(p.dissection)) out.pushPresent();
    }),
    readBytes: fromPacket((p, out) => {
      if (!present(p.dissection)) return;
      if (spans === undefined) {
        out.pushBytes(p.data);
        return;
      }
      for (const [start, end] of spans(p)) out.pushBytes(p.data.subarray(start, Math.min(end, p.data.length)));
    }),
  };
}

type Layer = { offset?: number; payloadOffset?: number; payloadEnd?: number };

/** Where a layer's bytes are: from its header to the end of its payload. */
const spanOf = (layer: Layer | undefined): Array<[number, number]> =>
  layer?.offset !== undefined && layer.payloadEnd !== undefined ? [[layer.offset, layer.payloadEnd]] : [];

/** A quoted transport header decoded only in part (8 bytes) still starts where its IP payload does. */
const quotedSpanOf = (d: Dissection, layer: Layer | undefined): Array<[number, number]> => {
  const ip = d.icmp?.quoted?.ip;
  if (layer === undefined || ip === undefined) return [];
  if (layer.offset !== undefined && layer.payloadEnd !== undefined) return [[layer.offset, layer.payloadEnd]];
  return [[ip.payloadOffset, Math.min(ip.payloadEnd, d.icmp!.payloadEnd)]];
};

// --- frame ------------------------------------------------------------------------------

/** Nanoseconds between two capture times, exact while below 2^53 ns (104 days). */
const nanosecondsBetween = (a: Packet, b: Packet): number =>
  (a.seconds - b.seconds) * 1e9 + (a.nanoseconds - b.nanoseconds);

const frameFields: FieldDefinition[] = [
  protocol('frame', 'Frame', () => true),
  { name: 'frame.number', kind: 'uint', bits: 32, description: 'Frame Number', read: fromPacket((p, out) => out.pushNumber(p.number)) },
  {
    name: 'frame.time_relative',
    kind: 'time',
    description: 'Time since reference or first frame',
    read: (context, index, out) => out.pushNumber(nanosecondsBetween(context.packets[index], context.packets[0])),
  },
  {
    name: 'frame.time_delta',
    kind: 'time',
    description: 'Time delta from previous captured frame',
    read: (context, index, out) =>
      out.pushNumber(index === 0 ? 0 : nanosecondsBetween(context.packets[index], context.packets[index - 1])),
  },
  { name: 'frame.len', kind: 'uint', bits: 32, description: 'Frame length on the wire', read: fromPacket((p, out) => out.pushNumber(p.originalLength)) },
  { name: 'frame.cap_len', kind: 'uint', bits: 32, description: 'Frame length stored into the capture file', read: fromPacket((p, out) => out.pushNumber(p.capturedLength)) },
];

// --- link layer -------------------------------------------------------------------------

const ETHER_TYPE_NAMES = { IPv4: 0x0800, ARP: 0x0806, IPv6: 0x86dd } as const;

const ethFields: FieldDefinition[] = [
  protocol('eth', 'Ethernet', (d) => d.eth !== undefined),
  { name: 'eth.dst', kind: 'ether', description: 'Destination', read: fromPacket((p, out) => { const e = p.dissection.eth; if (e) out.pushNumber(etherNumber(e.dst)); }) },
  { name: 'eth.src', kind: 'ether', description: 'Source', read: fromPacket((p, out) => { const e = p.dissection.eth; if (e) out.pushNumber(etherNumber(e.src)); }) },
  {
    name: 'eth.addr',
    kind: 'ether',
    description: 'Address',
    multiValued: true,
    read: fromPacket((p, out) => {
      const e = p.dissection.eth;
      if (e) {
        out.pushNumber(etherNumber(e.dst));
        out.pushNumber(etherNumber(e.src));
      }
    }),
  },
  {
    // The EtherType field itself (0x8100 on a tagged frame), as Wireshark shows it; the decoder's
    // `type` is the one after the tags, so read the header bytes.
    name: 'eth.type',
    kind: 'uint',
    bits: 16,
    description: 'Type',
    valueNames: ETHER_TYPE_NAMES,
    read: fromPacket((p, out) => {
      const e = p.dissection.eth;
      if (e) out.pushNumber((p.data[e.offset + 12] << 8) | p.data[e.offset + 13]);
    }),
  },
  protocol('vlan', '802.1Q Virtual LAN', (d) => d.vlan !== undefined && d.vlan.length > 0),
  { name: 'vlan.id', kind: 'uint', bits: 16, description: 'ID', read: fromPacket((p, out) => { for (const tag of p.dissection.vlan ?? []) out.pushNumber(tag.id); }) },
  { name: 'vlan.priority', kind: 'uint', bits: 16, description: 'Priority', read: fromPacket((p, out) => { for (const tag of p.dissection.vlan ?? []) out.pushNumber(tag.priority); }) },
  { name: 'vlan.etype', kind: 'uint', bits: 16, description: 'Type', valueNames: ETHER_TYPE_NAMES, read: fromPacket((p, out) => { for (const tag of p.dissection.vlan ?? []) out.pushNumber(tag.type); }) },
  protocol('sll', 'Linux cooked-mode capture', (d) => d.sll !== undefined),
  { name: 'sll.pkttype', kind: 'uint', bits: 16, description: 'Packet type', read: fromPacket((p, out) => { const s = p.dissection.sll; if (s) out.pushNumber(s.packetType); }) },
  protocol('arp', 'Address Resolution Protocol', (d) => d.arp !== undefined),
  { name: 'arp.opcode', kind: 'uint', bits: 16, description: 'Opcode', valueNames: { request: 1, reply: 2 }, read: fromPacket((p, out) => { const a = p.dissection.arp; if (a) out.pushNumber(a.opcode); }) },
  { name: 'arp.src.hw_mac', kind: 'ether', description: 'Sender MAC address', read: fromPacket((p, out) => { const a = p.dissection.arp; if (a && a.senderMac.length === 6) out.pushNumber(etherNumber(a.senderMac)); }) },
  { name: 'arp.dst.hw_mac', kind: 'ether', description: 'Target MAC address', read: fromPacket((p, out) => { const a = p.dissection.arp; if (a && a.targetMac.length === 6) out.pushNumber(etherNumber(a.targetMac)); }) },
  { name: 'arp.src.proto_ipv4', kind: 'ipv4', description: 'Sender IP address', read: fromPacket((p, out) => { const a = p.dissection.arp; if (a && a.senderIp.length === 4) out.pushNumber(ipv4Number(a.senderIp)); }) },
  { name: 'arp.dst.proto_ipv4', kind: 'ipv4', description: 'Target IP address', read: fromPacket((p, out) => { const a = p.dissection.arp; if (a && a.targetIp.length === 4) out.pushNumber(ipv4Number(a.targetIp)); }) },
];

// --- IP -----------------------------------------------------------------------------------

/** Wireshark's ipproto value strings that are one word, so they can be typed unquoted. */
const IP_PROTOCOL_NAMES = {
  ICMP: 1,
  IGMP: 2,
  IPIP: 4,
  TCP: 6,
  EGP: 8,
  IGP: 9,
  UDP: 17,
  IPv6: 41,
  RSVP: 46,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPv6: 58,
  EIGRP: 88,
  OSPF: 89,
  PIM: 103,
  VRRP: 112,
  L2TP: 115,
  SCTP: 132,
} as const;

const hasIPv4 = (d: Dissection): boolean => (d.ip !== undefined && d.ip.version === 4) || d.icmp?.quoted?.ip.version === 4;
const hasIPv6 = (d: Dissection): boolean => (d.ip !== undefined && d.ip.version === 6) || d.icmp?.quoted?.ip.version === 6;

const ipFields: FieldDefinition[] = [
  protocol('ip', 'Internet Protocol Version 4', hasIPv4, (p) => {
    const d = p.dissection;
    const quoted = d.icmp?.quoted?.ip;
    return [...(d.ip?.version === 4 ? spanOf(d.ip) : []), ...(quoted?.version === 4 ? quotedSpanOf(d, quoted) : [])];
  }),
  ipv4Field('ip.version', 'Version', 'uint', 8, (ip, out) => out.pushNumber(4)),
  ipv4Field('ip.hdr_len', 'Header Length', 'uint', 8, (ip, out) => out.pushNumber(ip.headerLength)),
  ipv4Field('ip.dsfield', 'Differentiated Services Field', 'uint', 8, (ip, out) => out.pushNumber((ip.dscp << 2) | ip.ecn)),
  ipv4Field('ip.len', 'Total Length', 'uint', 16, (ip, out) => out.pushNumber(ip.totalLength)),
  ipv4Field('ip.id', 'Identification', 'uint', 16, (ip, out) => out.pushNumber(ip.id)),
  ipv4Field('ip.flags', 'Flags', 'uint', 8, (ip, out) => out.pushNumber((ip.dontFragment ? 2 : 0) | (ip.moreFragments ? 1 : 0))),
  ipv4Field('ip.flags.df', "Don't fragment", 'bool', undefined, (ip, out) => out.pushNumber(ip.dontFragment ? 1 : 0), { booleanLabels: SET_LABELS }),
  ipv4Field('ip.flags.mf', 'More fragments', 'bool', undefined, (ip, out) => out.pushNumber(ip.moreFragments ? 1 : 0), { booleanLabels: SET_LABELS }),
  ipv4Field('ip.frag_offset', 'Fragment Offset', 'uint', 16, (ip, out) => out.pushNumber(ip.fragmentOffset / 8)),
  ipv4Field('ip.ttl', 'Time to Live', 'uint', 8, (ip, out) => out.pushNumber(ip.ttl)),
  ipv4Field('ip.proto', 'Protocol', 'uint', 8, (ip, out) => out.pushNumber(ip.protocol), { valueNames: IP_PROTOCOL_NAMES }),
  ipv4Field('ip.checksum', 'Header Checksum', 'uint', 16, (ip, out) => out.pushNumber(ip.checksum)),
  ipv4Field('ip.checksum.status', 'Header checksum status', 'uint', 8, (ip, out) => out.pushNumber(CHECKSUM_STATUS[ip.checksumStatus])),
  ipv4Field('ip.src', 'Source Address', 'ipv4', undefined, (ip, out) => out.pushNumber(ipv4Number(ip.src))),
  ipv4Field('ip.dst', 'Destination Address', 'ipv4', undefined, (ip, out) => out.pushNumber(ipv4Number(ip.dst))),
  ipv4Field('ip.addr', 'Source or Destination Address', 'ipv4', undefined, (ip, out) => {
    out.pushNumber(ipv4Number(ip.src));
    out.pushNumber(ipv4Number(ip.dst));
  }, { multiValued: true }),
  protocol('ipv6', 'Internet Protocol Version 6', hasIPv6, (p) => {
    const d = p.dissection;
    const quoted = d.icmp?.quoted?.ip;
    return [...(d.ip?.version === 6 ? spanOf(d.ip) : []), ...(quoted?.version === 6 ? quotedSpanOf(d, quoted) : [])];
  }),
  ipv6Field('ipv6.plen', 'Payload Length', 'uint', 16, (ip, out) => out.pushNumber(ip.payloadLength)),
  ipv6Field('ipv6.nxt', 'Next Header', 'uint', 8, (ip, out) => out.pushNumber(ip.nextHeader), { valueNames: IP_PROTOCOL_NAMES }),
  ipv6Field('ipv6.hlim', 'Hop Limit', 'uint', 8, (ip, out) => out.pushNumber(ip.hopLimit)),
  ipv6Field('ipv6.flow', 'Flow Label', 'uint', 24, (ip, out) => out.pushNumber(ip.flowLabel)),
  ipv6Field('ipv6.src', 'Source Address', 'ipv6', undefined, (ip, out) => out.pushBytes(ip.src)),
  ipv6Field('ipv6.dst', 'Destination Address', 'ipv6', undefined, (ip, out) => out.pushBytes(ip.dst)),
  ipv6Field('ipv6.addr', 'Source or Destination Address', 'ipv6', undefined, (ip, out) => {
    out.pushBytes(ip.src);
    out.pushBytes(ip.dst);
  }, { multiValued: true }),
];

// --- transport ---------------------------------------------------------------------------

const tcpFields: FieldDefinition[] = [
  protocol('tcp', 'Transmission Control Protocol', (d) => d.tcp !== undefined || d.icmp?.quoted?.tcp !== undefined, (p) => [
    ...spanOf(p.dissection.tcp),
    ...quotedSpanOf(p.dissection, p.dissection.icmp?.quoted?.tcp),
  ]),
  tcpField('tcp.srcport', 'Source Port', 'uint', 16, (tcp, out) => out.pushNumber(tcp.srcPort)),
  tcpField('tcp.dstport', 'Destination Port', 'uint', 16, (tcp, out) => out.pushNumber(tcp.dstPort)),
  tcpField('tcp.port', 'Source or Destination Port', 'uint', 16, (tcp, out) => {
    out.pushNumber(tcp.srcPort);
    out.pushNumber(tcp.dstPort);
  }, { multiValued: true }),
  // What tshark 4.0 shows for a TCP header quoted in an ICMP error (checked on the project's
  // reject-icmp*-prohibited traces): tcp.seq is then the raw number; tcp.seq_raw is there under
  // ICMPv6 but not under ICMP; tcp.ack_raw is there when the quote reaches the ACK field.
  {
    name: 'tcp.seq_raw',
    kind: 'uint',
    bits: 32,
    description: 'Sequence Number (raw)',
    read: fromPacket((p, out) => {
      const d = p.dissection;
      if (d.tcp !== undefined) out.pushNumber(d.tcp.seq);
      const quoted = d.icmp?.quoted?.tcp;
      if (quoted?.seq !== undefined && d.icmp!.version === 6) out.pushNumber(quoted.seq);
    }),
  },
  tcpField('tcp.ack_raw', 'Acknowledgment number (raw)', 'uint', 32, (tcp, out) => {
    if (tcp.ack !== undefined) out.pushNumber(tcp.ack);
  }),
  tcpField('tcp.hdr_len', 'Header Length', 'uint', 8, (tcp, out) => {
    if (tcp.headerLength !== undefined) out.pushNumber(tcp.headerLength);
  }),
  tcpField('tcp.flags', 'Flags', 'uint', 16, (tcp, out) => {
    if (tcp.flags !== undefined) out.pushNumber(tcp.flags);
  }),
  tcpFlag('tcp.flags.fin', 'Fin', 0x001),
  tcpFlag('tcp.flags.syn', 'Syn', 0x002),
  tcpFlag('tcp.flags.reset', 'Reset', 0x004),
  tcpFlag('tcp.flags.push', 'Push', 0x008),
  tcpFlag('tcp.flags.ack', 'Acknowledgment', 0x010),
  tcpFlag('tcp.flags.urg', 'Urgent', 0x020),
  tcpFlag('tcp.flags.ece', 'ECN-Echo', 0x040),
  tcpFlag('tcp.flags.cwr', 'Congestion Window Reduced', 0x080),
  tcpFlag('tcp.flags.ae', 'Accurate ECN', 0x100),
  tcpField('tcp.window_size_value', 'Window', 'uint', 16, (tcp, out) => {
    if (tcp.window !== undefined) out.pushNumber(tcp.window);
  }),
  tcpField('tcp.checksum', 'Checksum', 'uint', 16, (tcp, out) => {
    if (tcp.checksum !== undefined) out.pushNumber(tcp.checksum);
  }),
  tcpField('tcp.checksum.status', 'Checksum Status', 'uint', 8, (tcp, out) => {
    if (tcp.checksumStatus !== undefined) out.pushNumber(CHECKSUM_STATUS[tcp.checksumStatus]);
  }),
  tcpField('tcp.urgent_pointer', 'Urgent Pointer', 'uint', 16, (tcp, out) => {
    if (tcp.urgentPointer !== undefined) out.pushNumber(tcp.urgentPointer);
  }),
  tcpField('tcp.options.mss_val', 'MSS Value', 'uint', 16, (tcp, out) => {
    if (tcp.options?.mss !== undefined) out.pushNumber(tcp.options.mss);
  }),
  tcpField('tcp.options.wscale.shift', 'Shift count', 'uint', 8, (tcp, out) => {
    if (tcp.options?.windowScale !== undefined) out.pushNumber(tcp.options.windowScale);
  }),
  tcpField('tcp.options.wscale.multiplier', 'Multiplier', 'uint', 16, (tcp, out) => {
    // Wireshark caps the shift at 14 (RFC 7323) when it multiplies.
    if (tcp.options?.windowScale !== undefined) out.pushNumber(2 ** Math.min(tcp.options.windowScale, 14));
  }),
  {
    // Only the packet's own segment: a quoted header never carries its payload.
    name: 'tcp.len',
    kind: 'uint',
    bits: 32,
    description: 'TCP Segment Len',
    read: fromPacket((p, out) => {
      const tcp = p.dissection.tcp;
      if (tcp !== undefined) out.pushNumber(tcp.payloadLength);
    }),
  },
  tcpField('tcp.payload', 'TCP payload', 'bytes', undefined, (tcp, out, p) => {
    // A quoted header carries payload only when the ICMP error quoted the whole segment.
    if (tcp.payloadOffset !== undefined && tcp.payloadEnd !== undefined && tcp.payloadEnd > tcp.payloadOffset) {
      out.pushBytes(p.data.subarray(tcp.payloadOffset, tcp.payloadEnd));
    }
  }),
  ...tcpAnalysisFields,
];

const udpFields: FieldDefinition[] = [
  protocol('udp', 'User Datagram Protocol', (d) => d.udp !== undefined || d.icmp?.quoted?.udp !== undefined, (p) => [
    ...spanOf(p.dissection.udp),
    ...quotedSpanOf(p.dissection, p.dissection.icmp?.quoted?.udp),
  ]),
  udpField('udp.srcport', 'Source Port', 'uint', 16, (udp, out) => out.pushNumber(udp.srcPort)),
  udpField('udp.dstport', 'Destination Port', 'uint', 16, (udp, out) => out.pushNumber(udp.dstPort)),
  udpField('udp.port', 'Source or Destination Port', 'uint', 16, (udp, out) => {
    out.pushNumber(udp.srcPort);
    out.pushNumber(udp.dstPort);
  }, { multiValued: true }),
  udpField('udp.length', 'Length', 'uint', 16, (udp, out) => {
    if (udp.length !== undefined) out.pushNumber(udp.length);
  }),
  udpField('udp.checksum', 'Checksum', 'uint', 16, (udp, out) => {
    if (udp.checksum !== undefined) out.pushNumber(udp.checksum);
  }),
  udpField('udp.payload', 'Payload', 'bytes', undefined, (udp, out, p) => {
    if (udp.payloadOffset !== undefined && udp.payloadEnd !== undefined && udp.payloadEnd > udp.payloadOffset) {
      out.pushBytes(p.data.subarray(udp.payloadOffset, udp.payloadEnd));
    }
  }),
];

function icmpField(version: 4 | 6, name: string, description: string, bits: number, get: (icmp: NonNullable<Dissection['icmp']>) => number | undefined): FieldDefinition {
  return {
    name,
    kind: 'uint',
    bits,
    description,
    read: fromPacket((p, out) => {
      const icmp = p.dissection.icmp;
      if (icmp !== undefined && icmp.version === version) {
        const value = get(icmp);
        if (value !== undefined) out.pushNumber(value);
      }
    }),
  };
}

const icmpFields: FieldDefinition[] = [
  protocol('icmp', 'Internet Control Message Protocol', (d) => d.icmp !== undefined && d.icmp.version === 4, (p) => spanOf(p.dissection.icmp)),
  icmpField(4, 'icmp.type', 'Type', 8, (icmp) => icmp.type),
  icmpField(4, 'icmp.code', 'Code', 8, (icmp) => icmp.code),
  icmpField(4, 'icmp.checksum', 'Checksum', 16, (icmp) => icmp.checksum),
  icmpField(4, 'icmp.ident', 'Identifier (BE)', 16, (icmp) => icmp.identifier),
  icmpField(4, 'icmp.seq', 'Sequence Number (BE)', 16, (icmp) => icmp.sequence),
  protocol('icmpv6', 'Internet Control Message Protocol v6', (d) => d.icmp !== undefined && d.icmp.version === 6, (p) => spanOf(p.dissection.icmp)),
  icmpField(6, 'icmpv6.type', 'Type', 8, (icmp) => icmp.type),
  icmpField(6, 'icmpv6.code', 'Code', 8, (icmp) => icmp.code),
  icmpField(6, 'icmpv6.checksum', 'Checksum', 16, (icmp) => icmp.checksum),
];

/** Every field and protocol a filter can name, in a stable order (for autocompletion). */
export const fieldList: readonly FieldDefinition[] = [...frameFields, ...ethFields, ...ipFields, ...tcpFields, ...udpFields, ...icmpFields];

export const fieldRegistry: ReadonlyMap<string, FieldDefinition> = new Map(fieldList.map((f) => [f.name, f]));

export { ipv4Number, etherNumber };
