// IPv4 (RFC 791). The header checksum is always verifiable (the header is all there or we
// return Truncated), and the payload is cut to the total length so Ethernet padding never
// counts as transport payload.
import { fold, malformed, sumWords, truncated, u16 } from './bytes.ts';
import type { IPv4Layer, Malformed, Truncated } from './types.ts';

export function decodeIPv4(bytes: Uint8Array, offset: number, end: number): IPv4Layer | Truncated | Malformed {
  if (end - offset < 20) return truncated('ip', offset, 20);
  const version = bytes[offset] >> 4;
  if (version !== 4) return malformed('ip', offset, `IP version ${version} where 4 was expected`);
  const headerLength = (bytes[offset] & 0x0f) * 4;
  if (headerLength < 20) return malformed('ip', offset, `IPv4 header length ${headerLength} is less than 20`);
  if (end - offset < headerLength) return truncated('ip', offset, headerLength);
  const totalLength = u16(bytes, offset + 2);
  // Total length 0 is what TCP segmentation offload leaves in captures taken on the sender:
  // Wireshark then takes the captured length, and so do we.
  if (totalLength !== 0 && totalLength < headerLength) {
    return malformed('ip', offset, `IPv4 total length ${totalLength} is less than the header length ${headerLength}`);
  }
  const flagsAndOffset = u16(bytes, offset + 6);
  const checksum = u16(bytes, offset + 10);
  const payloadOffset = offset + headerLength;
  const payloadEnd = totalLength === 0 ? end : Math.min(end, offset + totalLength);
  return {
    offset,
    length: headerLength,
    payloadOffset,
    payloadEnd,
    version: 4,
    headerLength,
    dscp: bytes[offset + 1] >> 2,
    ecn: bytes[offset + 1] & 3,
    totalLength,
    id: u16(bytes, offset + 4),
    dontFragment: (flagsAndOffset & 0x4000) !== 0,
    moreFragments: (flagsAndOffset & 0x2000) !== 0,
    fragmentOffset: (flagsAndOffset & 0x1fff) * 8,
    ttl: bytes[offset + 8],
    protocol: bytes[offset + 9],
    checksum,
    checksumStatus: fold(sumWords(bytes, offset, payloadOffset, 0)) === 0xffff ? 'good' : 'bad',
    src: bytes.subarray(offset + 12, offset + 16),
    dst: bytes.subarray(offset + 16, offset + 20),
  };
}
