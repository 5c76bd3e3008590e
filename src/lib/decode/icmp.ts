// ICMP (RFC 792) and ICMPv6 (RFC 4443). Error messages quote the start of the datagram that
// caused them; we decode that quoted IP header and the first bytes of its TCP/UDP header, so a
// "port unreachable" can be tied to the SYN or datagram it answers.
import { fold, isMalformedOrTruncated, pseudoHeaderSum, sumWords, truncated, u16, u32 } from './bytes.ts';
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import { decodeTcp } from './tcp.ts';
import { decodeUdp } from './udp.ts';
import type { IcmpLayer, IPLayer, QuotedPacket, Truncated } from './types.ts';

const IP_PROTO_TCP = 6;
const IP_PROTO_UDP = 17;

/** ICMP types whose body is "internet header + 64 bits of original data". */
export function isIcmpError(version: 4 | 6, type: number): boolean {
  if (version === 4) return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
  return type >= 1 && type <= 4;
}

const isEcho = (version: 4 | 6, type: number): boolean =>
  version === 4 ? type === 0 || type === 8 : type === 128 || type === 129;

/**
 * `checksumBase`: for ICMPv6 the pseudo-header sum (without length), for ICMP 0; -1 when the
 * message is not all there (fragment or sliced), which leaves the checksum 'unverified'.
 * `messageLength` is the message's length on the wire.
 */
export function decodeIcmp(
  bytes: Uint8Array,
  offset: number,
  end: number,
  version: 4 | 6,
  messageLength: number = end - offset,
  checksumBase: number = -1,
): IcmpLayer | Truncated {
  const layerName = version === 4 ? 'icmp' : 'icmpv6';
  if (end - offset < 4) return truncated(layerName, offset, 4);
  const type = bytes[offset];
  const checksum = u16(bytes, offset + 2);
  let checksumStatus: IcmpLayer['checksumStatus'] = 'unverified';
  if (checksumBase >= 0 && end - offset === messageLength) {
    const base = version === 6 ? checksumBase + messageLength : 0;
    checksumStatus = fold(sumWords(bytes, offset, end, base)) === 0xffff ? 'good' : 'bad';
  }
  const layer: IcmpLayer = {
    offset,
    length: Math.min(8, end - offset),
    payloadOffset: Math.min(offset + 8, end),
    payloadEnd: end,
    version,
    type,
    code: bytes[offset + 1],
    checksum,
    checksumStatus,
    identifier: undefined,
    sequence: undefined,
    quoted: undefined,
  };
  if (isEcho(version, type) && end - offset >= 8) {
    layer.identifier = u16(bytes, offset + 4);
    layer.sequence = u16(bytes, offset + 6);
  } else if (isIcmpError(version, type) && end - offset > 8) {
    layer.quoted = decodeQuoted(bytes, offset + 8, end, version);
  }
  return layer;
}

function decodeQuoted(bytes: Uint8Array, offset: number, end: number, version: 4 | 6): QuotedPacket | undefined {
  const ip = version === 4 ? decodeIPv4(bytes, offset, end) : decodeIPv6(bytes, offset, end);
  if (isMalformedOrTruncated(ip)) return undefined;
  const quoted: QuotedPacket = { ip: ip as IPLayer, tcp: undefined, udp: undefined };
  const at = ip.payloadOffset;
  const available = ip.payloadEnd - at;
  if (ip.fragmentOffset !== 0 || available < 4) return quoted;
  // The quoted datagram is rarely all there, but when it is, its checksum can be checked too.
  const base = ip.version === 4 && ip.moreFragments ? -1 : pseudoHeaderSum(ip.src, ip.dst, ip.protocol, 0);
  if (ip.protocol === IP_PROTO_TCP) {
    const segmentLength = quotedSegmentLength(ip, at);
    const tcpBase = base < 0 ? -1 : base + Math.floor(segmentLength / 0x10000) + (segmentLength & 0xffff);
    const whole = decodeTcp(bytes, at, ip.payloadEnd, segmentLength, tcpBase);
    if (!isMalformedOrTruncated(whole)) quoted.tcp = whole;
    else {
      // Usually only 8 bytes are quoted: ports and sequence number.
      quoted.tcp = {
        srcPort: u16(bytes, at),
        dstPort: u16(bytes, at + 2),
        seq: available >= 8 ? u32(bytes, at + 4) : undefined,
      };
    }
  } else if (ip.protocol === IP_PROTO_UDP) {
    const whole = decodeUdp(bytes, at, ip.payloadEnd, base, ip.version === 4);
    if (!isMalformedOrTruncated(whole)) quoted.udp = whole;
    else quoted.udp = { srcPort: u16(bytes, at), dstPort: u16(bytes, at + 2) };
  }
  return quoted;
}

/** The quoted segment's length on the wire, from the quoted IP header. */
function quotedSegmentLength(ip: IPLayer, payloadOffset: number): number {
  if (ip.version === 4) return ip.totalLength - ip.headerLength;
  return ip.payloadLength - (payloadOffset - ip.offset - 40);
}
