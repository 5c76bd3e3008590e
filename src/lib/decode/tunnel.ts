// IP tunnels whose inner packet is IP: IP-in-IP (IP protocol 4), IPv6 in IP (41: 6in4, 6in6),
// and GRE (47; RFC 2784 with the RFC 2890 key and sequence number) carrying IPv4 or IPv6. The
// inner packet is what a connection attempt is about, so it becomes the dissection's `ip` and the
// outer headers are kept in `tunnels` (outermost first).
import { malformed, truncated, u16 } from './bytes.ts';
import type { GreLayer, Malformed, Truncated } from './types.ts';

export const IP_PROTO_IPIP = 4;
export const IP_PROTO_IPV6 = 41;
export const IP_PROTO_GRE = 47;
/** Tunnels inside tunnels are followed this deep; a hostile packet cannot recurse further. */
export const MAX_TUNNEL_DEPTH = 4;

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;

/**
 * The GRE header at `offset`. `innerVersion` is 4 or 6 when the payload is IP, 0 otherwise
 * (Ethernet bridging, PPTP's enhanced GRE, …: named by the protocol type, not decoded).
 */
export function decodeGre(
  bytes: Uint8Array,
  offset: number,
  end: number,
): (GreLayer & { innerVersion: 0 | 4 | 6 }) | Truncated | Malformed {
  if (end - offset < 4) return truncated('gre', offset, 4);
  const flags = u16(bytes, offset);
  const version = flags & 7;
  const protocol = u16(bytes, offset + 2);
  let length = 4;
  if (flags & (GRE_CHECKSUM | GRE_ROUTING)) length += 4;
  let key: number | undefined;
  if (version === 0 && flags & GRE_KEY) {
    if (end - offset < length + 4) return truncated('gre', offset, length + 4);
    key = ((bytes[offset + length] << 24) | (bytes[offset + length + 1] << 16) | u16(bytes, offset + length + 2)) >>> 0;
    length += 4;
  }
  if (version === 0 && flags & GRE_SEQUENCE) length += 4;
  if (end - offset < length) return truncated('gre', offset, length);
  if (flags & GRE_ROUTING && version === 0)
    return malformed('gre', offset, 'GRE with source routing (RFC 1701) is not decoded');
  const innerVersion = version !== 0 ? 0 : protocol === 0x0800 ? 4 : protocol === 0x86dd ? 6 : 0;
  const layer: GreLayer & { innerVersion: 0 | 4 | 6 } = {
    offset,
    length,
    payloadOffset: offset + length,
    payloadEnd: end,
    version,
    protocol,
    innerVersion,
  };
  if (key !== undefined) layer.key = key;
  return layer;
}
