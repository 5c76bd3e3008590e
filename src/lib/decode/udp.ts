// UDP (RFC 768).
import { malformed, truncated, u16 } from './bytes.ts';
import { transportChecksumStatus } from './tcp.ts';
import type { Malformed, Truncated, UdpLayer } from './types.ts';

/**
 * `checksumBase` is the pseudo-header sum without the length (the length comes from the UDP
 * header), or -1 when unknowable. `zeroMeansNone`: over IPv4 a zero checksum means "not
 * computed"; over IPv6 it is not allowed.
 */
export function decodeUdp(
  bytes: Uint8Array,
  offset: number,
  end: number,
  checksumBase: number = -1,
  zeroMeansNone: boolean = true,
): UdpLayer | Truncated | Malformed {
  if (end - offset < 8) return truncated('udp', offset, 8);
  const length = u16(bytes, offset + 4);
  if (length !== 0 && length < 8) return malformed('udp', offset, `UDP length ${length} is less than 8`);
  const checksum = u16(bytes, offset + 6);
  const datagramEnd = length === 0 ? end : offset + length;
  const payloadEnd = Math.min(end, datagramEnd);
  let checksumStatus: UdpLayer['checksumStatus'] = 'unverified';
  if (checksumBase >= 0 && datagramEnd <= end && !(checksum === 0 && zeroMeansNone)) {
    const base = checksumBase + length;
    checksumStatus = transportChecksumStatus(bytes, offset, datagramEnd, base, checksum);
  }
  return {
    offset,
    // UdpLayer's `length` is the header's length field (udp.length), which shadows Span.length;
    // the header itself is always 8 bytes (payloadOffset - offset).
    length,
    payloadOffset: offset + 8,
    payloadEnd,
    srcPort: u16(bytes, offset),
    dstPort: u16(bytes, offset + 2),
    checksum,
    checksumStatus,
  };
}
