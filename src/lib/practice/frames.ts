// Building packets byte by byte: Ethernet II, ARP, IPv4, IPv6, TCP, UDP, ICMP and ICMPv6, with
// their checksums either complete (as on the wire) or as a sending host with checksum offload
// captures them. Shared by the practice generator and scripts/reconstruct-traces.ts.
//
// Offload, as DESIGN.md describes it: the stack leaves the NIC to finish the TCP/UDP checksum, so
// the capturing host's copy holds the folded pseudo-header sum (Wireshark ≥ 4.2: "partial"); a
// Windows NIC also fills in the IPv4 header checksum, which its captures show as 0x0000.

import { fold, pseudoHeaderSum, sumWords } from '../decode/bytes.ts';

export function concat(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (character) => character.charCodeAt(0));

export const PROTOCOL_ICMP = 1;
export const PROTOCOL_TCP = 6;
export const PROTOCOL_UDP = 17;
export const PROTOCOL_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpFields {
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options?: Uint8Array;
  payload?: Uint8Array;
}

/** A TCP header (and payload) with the checksum field left zero. */
export function tcpBytes(fields: TcpFields): Uint8Array {
  const options = fields.options ?? new Uint8Array(0);
  if (options.length % 4 !== 0) throw new RangeError(`TCP options are ${options.length} bytes, not a multiple of 4`);
  const header = new Uint8Array(20 + options.length);
  const view = new DataView(header.buffer);
  view.setUint16(0, fields.sourcePort);
  view.setUint16(2, fields.destinationPort);
  view.setUint32(4, fields.seq >>> 0);
  view.setUint32(8, fields.ack >>> 0);
  header[12] = (header.length / 4) << 4;
  header[13] = fields.flags;
  view.setUint16(14, fields.window);
  header.set(options, 20);
  return concat(header, fields.payload ?? new Uint8Array(0));
}

/** A UDP header and payload with the checksum field left zero. */
export function udpBytes(sourcePort: number, destinationPort: number, payload: Uint8Array): Uint8Array {
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint16(0, sourcePort);
  view.setUint16(2, destinationPort);
  view.setUint16(4, 8 + payload.length);
  return concat(header, payload);
}

/** An ICMP (or ICMPv6) error quoting `quoted` (an IP datagram as it arrived), checksum left zero. */
export function icmpErrorBytes(type: number, code: number, quoted: Uint8Array): Uint8Array {
  // type, code, checksum, 4 unused bytes, then the original datagram (RFC 792, RFC 4443 3.1).
  return concat(Uint8Array.of(type, code, 0, 0, 0, 0, 0, 0), quoted);
}

/**
 * A DNS query, or its answer (RFC 1035): `answer` is the address (4 bytes for an A record,
 * 16 for AAAA); the question asks for the same type.
 */
export function dnsMessage(id: number, name: string, answer?: Uint8Array, recordType = 1): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, id);
  view.setUint16(2, answer ? 0x8580 : 0x0100); // response: authoritative, recursion desired/available
  view.setUint16(4, 1);
  view.setUint16(6, answer ? 1 : 0);
  const labels = name.split('.').flatMap((label) => [label.length, ...ascii(label)]);
  const question = Uint8Array.of(...labels, 0, 0, recordType, 0, 1); // class IN
  if (!answer) return concat(header, question);
  // Name as a pointer to the question (offset 12), the type, class IN, TTL 1200 s, the address.
  const record = Uint8Array.of(0xc0, 0x0c, 0, recordType, 0, 1, 0, 0, 0x04, 0xb0, 0, answer.length, ...answer);
  return concat(header, question, record);
}

/** How the checksums of a packet appear in a capture. */
export type ChecksumForm =
  /** As on the wire: every checksum right. */
  | 'complete'
  /** Sent by a host with TCP/UDP checksum offload (Linux, macOS): the transport checksum is partial. */
  | 'offloaded'
  /** Windows with offload: also the IPv4 header checksum left 0x0000 for the NIC. */
  | 'offloaded-ip';

export interface IpDatagram {
  /** 4 or 16 bytes each. */
  source: Uint8Array;
  destination: Uint8Array;
  protocol: number;
  /** Transport header and payload, checksum field zero. */
  transport: Uint8Array;
  ttl: number;
  /** IPv4 identification (ignored for IPv6). */
  ipId: number;
  dontFragment: boolean;
  /** IPv6 flow label (ignored for IPv4). */
  flowLabel?: number;
}

/** Offset of the checksum field inside each transport header we build. */
function checksumOffset(protocol: number): number {
  switch (protocol) {
    case PROTOCOL_TCP:
      return 16;
    case PROTOCOL_UDP:
      return 6;
    case PROTOCOL_ICMP:
    case PROTOCOL_ICMPV6:
      return 2;
    default:
      throw new RangeError(`no checksum layout for IP protocol ${protocol}`);
  }
}

/** The IP datagram (header and transport) with its checksums in the given form. */
export function ipDatagram(d: IpDatagram, form: ChecksumForm): Uint8Array {
  const version = d.source.length === 16 ? 6 : 4;
  if (d.destination.length !== d.source.length) throw new RangeError('source and destination of different IP versions');
  const transport = d.transport.slice();
  const offset = checksumOffset(d.protocol);
  // ICMPv4's checksum covers the message alone; TCP, UDP and ICMPv6 also cover a pseudo-header.
  const pseudo =
    d.protocol === PROTOCOL_ICMP ? 0 : pseudoHeaderSum(d.source, d.destination, d.protocol, transport.length);
  const offloadable = d.protocol === PROTOCOL_TCP || d.protocol === PROTOCOL_UDP;
  let checksum =
    form !== 'complete' && offloadable
      ? fold(pseudo)
      : ~fold(sumWords(transport, 0, transport.length, pseudo)) & 0xffff;
  // UDP sends a computed 0 as 0xffff, since 0 means "no checksum" (RFC 768).
  if (d.protocol === PROTOCOL_UDP && checksum === 0) checksum = 0xffff;
  new DataView(transport.buffer).setUint16(offset, checksum);

  if (version === 6) {
    const header = new Uint8Array(40);
    const view = new DataView(header.buffer);
    view.setUint32(0, (6 << 28) | ((d.flowLabel ?? 0) & 0xfffff));
    view.setUint16(4, transport.length);
    header[6] = d.protocol;
    header[7] = d.ttl;
    header.set(d.source, 8);
    header.set(d.destination, 24);
    return concat(header, transport);
  }
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  header[0] = 0x45;
  view.setUint16(2, 20 + transport.length);
  view.setUint16(4, d.ipId & 0xffff);
  view.setUint16(6, d.dontFragment ? 0x4000 : 0);
  header[8] = d.ttl;
  header[9] = d.protocol;
  header.set(d.source, 12);
  header.set(d.destination, 16);
  if (form !== 'offloaded-ip') view.setUint16(10, ~fold(sumWords(header, 0, 20, 0)) & 0xffff);
  return concat(header, transport);
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

/** Smallest Ethernet frame without its FCS: shorter frames get zero padding on the wire. */
const ETHERNET_MINIMUM = 60;

/**
 * An Ethernet II frame. `padded`: as it arrives from the wire (padded to 60 bytes); a host's
 * capture of its own sent frames shows them before the NIC pads them.
 */
export function ethernetFrame(
  destination: Uint8Array,
  source: Uint8Array,
  etherType: number,
  payload: Uint8Array,
  padded: boolean,
): Uint8Array {
  const header = new Uint8Array(14);
  header.set(destination, 0);
  header.set(source, 6);
  new DataView(header.buffer).setUint16(12, etherType);
  const bytes = concat(header, payload);
  if (!padded || bytes.length >= ETHERNET_MINIMUM) return bytes;
  return concat(bytes, new Uint8Array(ETHERNET_MINIMUM - bytes.length));
}

export const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

/** An ARP request (who has `targetIp`?) or reply (RFC 826), Ethernet/IPv4. */
export function arpBytes(
  operation: 'request' | 'reply',
  senderMac: Uint8Array,
  senderIp: Uint8Array,
  targetMac: Uint8Array,
  targetIp: Uint8Array,
): Uint8Array {
  const bytes = new Uint8Array(28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 1); // Ethernet
  view.setUint16(2, ETHERTYPE_IPV4);
  bytes[4] = 6;
  bytes[5] = 4;
  view.setUint16(6, operation === 'request' ? 1 : 2);
  bytes.set(senderMac, 8);
  bytes.set(senderIp, 14);
  bytes.set(targetMac, 18);
  bytes.set(targetIp, 24);
  return bytes;
}
