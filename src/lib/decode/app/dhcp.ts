// DHCP (RFC 2131, 2132) on UDP 67/68: the BOOTP header and option 53, the message type.
import { truncated, u32 } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { DhcpLayer } from './types.ts';

const MAGIC_COOKIE = 0x63825363;
const OPTION_PAD = 0;
const OPTION_MESSAGE_TYPE = 53;
const OPTION_END = 255;

export const DHCP_MESSAGE_NAMES: Readonly<Record<number, string>> = {
  1: 'Discover',
  2: 'Offer',
  3: 'Request',
  4: 'Decline',
  5: 'ACK',
  6: 'NAK',
  7: 'Release',
  8: 'Inform',
  9: 'Force Renew',
  10: 'Lease query',
  11: 'Lease Unassigned',
  12: 'Lease Unknown',
  13: 'Lease Active',
};

export function decodeDhcp(bytes: Uint8Array, offset: number, end: number): DhcpLayer | Truncated {
  if (end - offset < 240) return truncated('dhcp', offset, 240);
  const layer: DhcpLayer = {
    protocol: 'dhcp',
    offset,
    length: end - offset,
    op: bytes[offset],
    transactionId: u32(bytes, offset + 4),
  };
  if (bytes[offset + 1] === 1 && bytes[offset + 2] === 6) layer.clientMac = bytes.subarray(offset + 28, offset + 34);
  if (u32(bytes, offset + 236) !== MAGIC_COOKIE) return layer;
  for (let at = offset + 240; at < end;) {
    const code = bytes[at];
    if (code === OPTION_END) break;
    if (code === OPTION_PAD) {
      at++;
      continue;
    }
    if (at + 2 > end) break;
    const length = bytes[at + 1];
    if (at + 2 + length > end) break;
    if (code === OPTION_MESSAGE_TYPE && length >= 1) layer.messageType = bytes[at + 2];
    at += 2 + length;
  }
  return layer;
}

/** "DHCP Request  - Transaction ID 0x7c0", as tshark pads it; BOOTP without option 53 says "Boot Request". */
export function dhcpInfo(dhcp: DhcpLayer): string {
  const id = `Transaction ID 0x${dhcp.transactionId.toString(16)}`;
  if (dhcp.messageType === undefined) return `Boot ${dhcp.op === 1 ? 'Request' : 'Reply'} - ${id}`;
  const name = DHCP_MESSAGE_NAMES[dhcp.messageType] ?? `Unknown (${dhcp.messageType})`;
  return `DHCP ${name.padEnd(8)} - ${id}`;
}
