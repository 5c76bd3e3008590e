// The Protocol, Source/Destination and Info columns as tshark prints them (its default,
// single-pass output), for the protocols we decode up to TCP/UDP/ICMP. The application
// protocols' columns (DNS, HTTP, TLS, …) are in application.ts, which callers ask first.
import type { Packet } from '../packets.ts';
import type { ArpLayer, Dissection, IcmpLayer, TcpLayer } from '../decode/types.ts';
import {
  forEachTcpOption,
  TCPOPT_MSS,
  TCPOPT_SACK,
  TCPOPT_SACK_PERMITTED,
  TCPOPT_TIMESTAMP,
  TCPOPT_WINDOW_SCALE,
} from '../decode/tcp.ts';
import { u32 } from '../decode/bytes.ts';
import { ieee80211SubtypeName } from '../decode/ieee80211.ts';
import { pppProtocolName } from '../decode/pppoe.ts';
import { formatIP, formatIPv4, formatMac } from './addresses.ts';
import type { TcpContext } from './tcp-context.ts';

const TCP_FLAG_ORDER: Array<[number, string]> = [
  [0x001, 'FIN'],
  [0x002, 'SYN'],
  [0x004, 'RST'],
  [0x008, 'PSH'],
  [0x010, 'ACK'],
  [0x020, 'URG'],
  [0x040, 'ECE'],
  [0x080, 'CWR'],
  [0x100, 'AE'],
];

/** "[SYN, ACK]" — Wireshark lists set flags from the lowest bit up; "<None>" when none are. */
export function tcpFlagsText(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of TCP_FLAG_ORDER) if (flags & bit) names.push(name);
  if (flags & 0xe00) names.push('Reserved');
  return `[${names.length ? names.join(', ') : '<None>'}]`;
}

export function protocolColumn(d: Dissection): string {
  if (d.tcp) return 'TCP';
  if (d.udp) return 'UDP';
  if (d.icmp) return d.icmp.version === 4 ? 'ICMP' : 'ICMPv6';
  if (d.arp) return d.arp.opcode === 3 || d.arp.opcode === 4 ? 'RARP' : 'ARP';
  if (d.ip) {
    const whole = d.ip.fragmentOffset === 0 && !d.ip.moreFragments;
    return (whole ? IP_PROTOCOL_COLUMN[d.ip.protocol] : undefined) ?? (d.ip.version === 4 ? 'IPv4' : 'IPv6');
  }
  if (d.pppoe) return 'PPPoES';
  if (d.wlan) return '802.11';
  if (d.eth) return 'Ethernet';
  if (d.sll) return 'SLL';
  if (d.loopback) return 'NULL';
  return 'Frame';
}

/** Protocols carried by IP that porttrace does not decode but names, as Wireshark's column does. */
const IP_PROTOCOL_COLUMN: Record<number, string> = { 2: 'IGMP', 47: 'GRE', 132: 'SCTP' };

/** Source and Destination columns: IP addresses, else link addresses (ARP). */
export function addressColumns(d: Dissection): { src: string; dst: string } {
  if (d.ip) return { src: formatIP(d.ip.src), dst: formatIP(d.ip.dst) };
  if (d.eth) return { src: formatMac(d.eth.src), dst: formatMac(d.eth.dst) };
  if (d.wlan) {
    const source = d.wlan.source ?? d.wlan.transmitter ?? d.wlan.addresses[1];
    const destination = d.wlan.destination ?? d.wlan.receiver ?? d.wlan.addresses[0];
    return { src: source ? formatMac(source) : '', dst: destination ? formatMac(destination) : '' };
  }
  if (d.sll && d.sll.address.length === 6) return { src: formatMac(d.sll.address), dst: '' };
  return { src: '', dst: '' };
}

/**
 * tshark's Info column. `tcp` carries the relative numbers and analysis notes (`tcpContextOf`);
 * without it the numbers are relative to this packet alone (SYN → Seq=0, else 1).
 */
export function infoColumn(packet: Packet, tcp?: TcpContext, icmpRequestFrame?: number): string {
  const d = packet.dissection;
  if (d.tcp) return tcpInfo(packet, d.tcp, tcp);
  if (d.udp) return `${d.udp.srcPort} → ${d.udp.dstPort} Len=${Math.max(0, d.udp.length - 8)}`;
  if (d.icmp) return icmpInfo(packet.data, d, d.icmp, icmpRequestFrame);
  if (d.arp) return arpInfo(d.arp);
  if (d.ip) return ipOnlyInfo(d);
  if (d.problem) return d.problem;
  if (d.pppoe)
    return `PPP ${pppProtocolName(d.pppoe.pppProtocol)}, session 0x${d.pppoe.sessionId.toString(16).padStart(4, '0')}`;
  if (d.wlan)
    return `${ieee80211SubtypeName(d.wlan.typeSubtype)}${d.wlan.protected ? ', protected: the payload is encrypted' : ''}`;
  return '';
}

function tcpInfo(packet: Packet, tcp: TcpLayer, context: TcpContext | undefined): string {
  const isSyn = (tcp.flags & 0x002) !== 0;
  const hasAck = (tcp.flags & 0x010) !== 0;
  const relativeSeq = context ? context.relativeSeq : isSyn ? 0 : 1;
  const relativeAck = context ? context.relativeAck : 1;
  const window = context ? context.window : tcp.window;
  let text = '';
  if (context) for (const note of context.notes) text += `[${note}] `;
  text += `${tcp.srcPort} → ${tcp.dstPort} ${tcpFlagsText(tcp.flags)} Seq=${relativeSeq}`;
  if (hasAck) text += ` Ack=${relativeAck}`;
  text += ` Win=${window}`;
  if (tcp.flags & 0x020) text += ` Urg=${tcp.urgentPointer}`;
  text += ` Len=${tcp.payloadLength}`;
  if (tcp.headerLength > 20) text += tcpOptionsInfo(packet.data, tcp, context);
  return text;
}

function tcpOptionsInfo(bytes: Uint8Array, tcp: TcpLayer, context: TcpContext | undefined): string {
  let text = '';
  const ackBase = context ? context.ackBase : 0;
  forEachTcpOption(bytes, tcp.offset + 20, tcp.payloadOffset, (kind, at, length) => {
    if (kind === TCPOPT_MSS && length === 4) text += ` MSS=${(bytes[at + 2] << 8) | bytes[at + 3]}`;
    else if (kind === TCPOPT_WINDOW_SCALE && length === 3) text += ` WS=${2 ** Math.min(bytes[at + 2], 14)}`;
    else if (kind === TCPOPT_SACK_PERMITTED && length === 2) text += ' SACK_PERM';
    else if (kind === TCPOPT_TIMESTAMP && length === 10)
      text += ` TSval=${u32(bytes, at + 2)} TSecr=${u32(bytes, at + 6)}`;
    else if (kind === TCPOPT_SACK) {
      for (let b = at + 2; b + 8 <= at + length; b += 8) {
        const left = (u32(bytes, b) - ackBase + 0x100000000) % 0x100000000;
        const right = (u32(bytes, b + 4) - ackBase + 0x100000000) % 0x100000000;
        text += ` SLE=${left} SRE=${right}`;
      }
    }
  });
  return text;
}

const ICMP_TYPES: Record<number, string> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench (flow control)',
  5: 'Redirect',
  8: 'Echo (ping) request',
  9: 'Router advertisement',
  10: 'Router solicitation',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
};

const ICMP_CODES: Record<number, Record<number, string>> = {
  3: {
    0: 'Network unreachable',
    1: 'Host unreachable',
    2: 'Protocol unreachable',
    3: 'Port unreachable',
    4: 'Fragmentation needed',
    5: 'Source route failed',
    6: 'Destination network unknown',
    7: 'Destination host unknown',
    8: 'Source host isolated',
    9: 'Network administratively prohibited',
    10: 'Host administratively prohibited',
    11: 'Network unreachable for TOS',
    12: 'Host unreachable for TOS',
    13: 'Communication administratively filtered',
    14: 'Host precedence violation',
    15: 'Precedence cutoff in effect',
  },
  5: {
    0: 'Redirect for network',
    1: 'Redirect for host',
    2: 'Redirect for TOS and network',
    3: 'Redirect for TOS and host',
  },
  11: { 0: 'Time to live exceeded in transit', 1: 'Fragment reassembly time exceeded' },
  12: { 0: 'Pointer indicates the error', 1: 'Required option missing', 2: 'Bad length' },
};

const ICMPV6_TYPES: Record<number, string> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  130: 'Multicast Listener Query',
  131: 'Multicast Listener Report',
  132: 'Multicast Listener Done',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};

const ICMPV6_CODES: Record<number, Record<number, string>> = {
  1: {
    0: 'no route to destination',
    1: 'Administratively prohibited',
    2: 'beyond scope of source address',
    3: 'Address unreachable',
    4: 'Port unreachable',
    5: 'Source address failed ingress/egress policy',
    6: 'Reject route to destination',
  },
  3: { 0: 'hop limit exceeded in transit', 1: 'fragment reassembly time exceeded' },
  4: {
    0: 'erroneous header field encountered',
    1: 'unrecognized Next Header type encountered',
    2: 'unrecognized IPv6 option encountered',
  },
};

/** Readable names of ICMP messages, shared with the NetMon-style description. */
export function icmpTypeName(icmp: IcmpLayer): { type: string; code?: string } {
  const types = icmp.version === 4 ? ICMP_TYPES : ICMPV6_TYPES;
  const codes = icmp.version === 4 ? ICMP_CODES : ICMPV6_CODES;
  return {
    type: types[icmp.type] ?? `Unknown ICMP${icmp.version === 6 ? 'v6' : ''} (obsolete or malformed?)`,
    code: codes[icmp.type]?.[icmp.code],
  };
}

/** ICMPv6 Neighbor Discovery option `kind` (1 source, 2 target link-layer address), as a MAC. */
function ndpLinkAddress(bytes: Uint8Array, start: number, end: number, kind: number): string | undefined {
  for (let at = start; at + 2 <= end;) {
    const length = bytes[at + 1] * 8;
    if (length === 0 || at + length > end) return undefined;
    if (bytes[at] === kind && length >= 8) return formatMac(bytes.subarray(at + 2, at + 8));
    at += length;
  }
  return undefined;
}

/** Neighbor Discovery lines: "Neighbor Solicitation for fe80::1 from 00:11:22:33:44:55". */
function ndpInfo(bytes: Uint8Array, icmp: IcmpLayer, type: string): string {
  const at = icmp.offset;
  const end = icmp.payloadEnd;
  if (icmp.type === 133 || icmp.type === 134) {
    const from = ndpLinkAddress(bytes, at + (icmp.type === 133 ? 8 : 16), end, 1);
    return from ? `${type} from ${from}` : type;
  }
  if (end - at < 24) return type;
  const target = formatIP(bytes.subarray(at + 8, at + 24));
  if (icmp.type === 135) {
    const from = ndpLinkAddress(bytes, at + 24, end, 1);
    return `${type} for ${target}${from ? ` from ${from}` : ''}`;
  }
  const flagBits = bytes[at + 4];
  const flags = [flagBits & 0x80 ? 'rtr' : '', flagBits & 0x40 ? 'sol' : '', flagBits & 0x20 ? 'ovr' : ''].filter(
    Boolean,
  );
  const linkAddress = ndpLinkAddress(bytes, at + 24, end, 2);
  return `${type} ${target}${flags.length ? ` (${flags.join(', ')})` : ''}${linkAddress ? ` is at ${linkAddress}` : ''}`;
}

function icmpInfo(bytes: Uint8Array, d: Dissection, icmp: IcmpLayer, requestFrame: number | undefined): string {
  const { type, code } = icmpTypeName(icmp);
  if (icmp.version === 6 && icmp.type >= 133 && icmp.type <= 136) return ndpInfo(bytes, icmp, type);
  const ttl = d.ip ? (d.ip.version === 4 ? d.ip.ttl : d.ip.hopLimit) : 0;
  const matched = requestFrame !== undefined ? ` (request in ${requestFrame})` : '';
  if (icmp.identifier !== undefined && icmp.sequence !== undefined) {
    const id = `0x${icmp.identifier.toString(16).padStart(4, '0')}`;
    if (icmp.version === 4) {
      const swapped = ((icmp.sequence & 0xff) << 8) | (icmp.sequence >> 8);
      const pad = icmp.type === 8 ? '  ' : icmp.type === 0 ? '    ' : ' ';
      return `${type}${pad}id=${id}, seq=${icmp.sequence}/${swapped}, ttl=${ttl}${matched}`;
    }
    return `${type} id=${id}, seq=${icmp.sequence}, hop limit=${ttl}${matched}`;
  }
  return code ? `${type} (${code})` : type;
}

function arpInfo(arp: ArpLayer): string {
  const ethernetIPv4 = arp.senderIp.length === 4 && arp.senderMac.length === 6;
  const ip = (b: Uint8Array) => (b.length === 4 ? formatIPv4(b) : formatIP(b));
  const mac = (b: Uint8Array) =>
    b.length === 6 ? formatMac(b) : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
  const sameIp = arp.senderIp.every((b, i) => b === arp.targetIp[i]);
  if (arp.opcode === 1) {
    if (ethernetIPv4 && sameIp && arp.targetMac.every((b) => b === 0))
      return `ARP Announcement for ${ip(arp.senderIp)}`;
    if (ethernetIPv4 && sameIp) return `Gratuitous ARP for ${ip(arp.senderIp)} (Request)`;
    if (ethernetIPv4 && arp.senderIp.every((b) => b === 0)) return `Who has ${ip(arp.targetIp)}? (ARP Probe)`;
    return `Who has ${ip(arp.targetIp)}? Tell ${ip(arp.senderIp)}`;
  }
  if (arp.opcode === 2) {
    if (ethernetIPv4 && sameIp) return `Gratuitous ARP for ${ip(arp.senderIp)} (Reply)`;
    return `${ip(arp.senderIp)} is at ${mac(arp.senderMac)}`;
  }
  if (arp.opcode === 3) return `Who is ${mac(arp.targetMac)}? Tell ${mac(arp.senderMac)}`;
  if (arp.opcode === 4) return `${mac(arp.targetMac)} is at ${ip(arp.targetIp)}`;
  return `Unknown ARP opcode 0x${arp.opcode.toString(16).padStart(4, '0')}`;
}

const IP_PROTOCOL_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

function ipOnlyInfo(d: Dissection): string {
  const ip = d.ip!;
  const name = IP_PROTOCOL_NAMES[ip.protocol] ?? 'Unknown';
  if (ip.version === 4) {
    if (ip.fragmentOffset !== 0 || ip.moreFragments) {
      return `Fragmented IP protocol (proto=${name} ${ip.protocol}, off=${ip.fragmentOffset}, ID=${ip.id.toString(16).padStart(4, '0')})`;
    }
    return `${name} (${ip.protocol})`;
  }
  if (ip.extensionHeaders.includes(44)) {
    const ident = (ip.fragmentIdentification ?? 0).toString(16).padStart(8, '0');
    return `IPv6 fragment (off=${ip.fragmentOffset} more=${ip.moreFragments ? 'y' : 'n'} ident=0x${ident} nxt=${ip.protocol})`;
  }
  return `${name} (${ip.protocol})`;
}
