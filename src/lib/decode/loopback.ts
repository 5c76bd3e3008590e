// BSD loopback headers: a 4-byte address family before the IP packet. LINKTYPE_NULL (0) stores
// it in the capturing host's byte order, which the file does not record; LINKTYPE_LOOP (108)
// always uses network order.
import { truncated, u32 } from './bytes.ts';
import type { LoopbackLayer, Truncated } from './types.ts';

export const AF_INET = 2;
/** AF_INET6 differs per BSD: NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
export const AF_INET6_VALUES: readonly number[] = [24, 28, 30];

export function decodeLoopback(
  bytes: Uint8Array,
  offset: number,
  end: number,
  networkOrder: boolean,
): LoopbackLayer | Truncated {
  if (end - offset < 4) return truncated('null', offset, 4);
  let family = u32(bytes, offset);
  // Families are small numbers, so a value with bits in the top half was written little-endian:
  // swap it. This is the same guess Wireshark makes for LINKTYPE_NULL.
  if (!networkOrder && family > 0xffff) {
    family = bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] * 0x1000000);
  }
  return { offset, length: 4, payloadOffset: offset + 4, payloadEnd: end, family };
}

/** IP version the family stands for, or 0 when it is neither AF_INET nor an AF_INET6. */
export function loopbackIpVersion(family: number): 0 | 4 | 6 {
  if (family === AF_INET) return 4;
  if (AF_INET6_VALUES.includes(family)) return 6;
  return 0;
}
