// ARP (RFC 826). Address lengths come from the header, so non-Ethernet/IPv4 ARP still decodes.
import { truncated, u16 } from './bytes.ts';
import type { ArpLayer, Truncated } from './types.ts';

export function decodeArp(bytes: Uint8Array, offset: number, end: number): ArpLayer | Truncated {
  if (end - offset < 8) return truncated('arp', offset, 8);
  const hardwareLength = bytes[offset + 4];
  const protocolLength = bytes[offset + 5];
  const length = 8 + 2 * (hardwareLength + protocolLength);
  if (end - offset < length) return truncated('arp', offset, length);
  let at = offset + 8;
  const senderMac = bytes.subarray(at, (at += hardwareLength));
  const senderIp = bytes.subarray(at, (at += protocolLength));
  const targetMac = bytes.subarray(at, (at += hardwareLength));
  const targetIp = bytes.subarray(at, at + protocolLength);
  return {
    offset,
    length,
    hardwareType: u16(bytes, offset),
    protocolType: u16(bytes, offset + 2),
    opcode: u16(bytes, offset + 6),
    senderMac,
    senderIp,
    targetMac,
    targetIp,
  };
}
