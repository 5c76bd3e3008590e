// Linux "cooked" capture headers (tcpdump -i any): SLL v1 (LINKTYPE 113) and v2 (LINKTYPE 276).
import { truncated, u16, u32 } from './bytes.ts';
import type { SllLayer, Truncated } from './types.ts';

/** v1: packet type, ARPHRD type, address length, 8 address bytes, protocol — 16 bytes. */
export function decodeSll(bytes: Uint8Array, offset: number, end: number): SllLayer | Truncated {
  if (end - offset < 16) return truncated('sll', offset, 16);
  const addressLength = Math.min(u16(bytes, offset + 4), 8);
  return {
    offset,
    length: 16,
    payloadOffset: offset + 16,
    payloadEnd: end,
    version: 1,
    packetType: u16(bytes, offset),
    addressType: u16(bytes, offset + 2),
    address: bytes.subarray(offset + 6, offset + 6 + addressLength),
    protocol: u16(bytes, offset + 14),
    interfaceIndex: undefined,
  };
}

/** v2: protocol first, then reserved, interface index, ARPHRD type, packet type, address — 20 bytes. */
export function decodeSll2(bytes: Uint8Array, offset: number, end: number): SllLayer | Truncated {
  if (end - offset < 20) return truncated('sll', offset, 20);
  const addressLength = Math.min(bytes[offset + 11], 8);
  return {
    offset,
    length: 20,
    payloadOffset: offset + 20,
    payloadEnd: end,
    version: 2,
    packetType: bytes[offset + 10],
    addressType: u16(bytes, offset + 8),
    address: bytes.subarray(offset + 12, offset + 12 + addressLength),
    protocol: u16(bytes, offset),
    interfaceIndex: u32(bytes, offset + 4),
  };
}
