// PPPoE session stage (RFC 2516, EtherType 0x8864): version/type 0x11, code 0x00, session id,
// payload length, then the PPP protocol field (RFC 1661; 0x0021 IPv4, 0x0057 IPv6). Discovery
// packets (EtherType 0x8863: PADI, PADO, PADR, PADS, PADT) carry no traffic and are only named.
import { malformed, truncated, u16 } from './bytes.ts';
import type { Malformed, PppoeLayer, Truncated } from './types.ts';

export const ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;

const PPP_NAMES: Record<number, string> = {
  0x0021: 'IPv4',
  0x0057: 'IPv6',
  0x8021: 'IPCP',
  0x8057: 'IPv6CP',
  0xc021: 'LCP',
  0xc023: 'PAP',
  0xc223: 'CHAP',
};

export function pppProtocolName(protocol: number): string {
  return PPP_NAMES[protocol] ?? `PPP protocol 0x${protocol.toString(16).padStart(4, '0')}`;
}

export function decodePppoeSession(bytes: Uint8Array, offset: number, end: number): PppoeLayer | Truncated | Malformed {
  if (end - offset < 8) return truncated('pppoes', offset, 8);
  if (bytes[offset] !== 0x11)
    return malformed('pppoes', offset, `PPPoE version/type 0x${bytes[offset].toString(16)} is not 0x11`);
  const payloadLength = u16(bytes, offset + 4);
  // The payload ends where PPPoE says, before any Ethernet padding.
  const payloadEnd = Math.min(end, offset + 6 + payloadLength);
  return {
    offset,
    length: 8,
    payloadOffset: offset + 8,
    payloadEnd,
    sessionId: u16(bytes, offset + 2),
    payloadLength,
    pppProtocol: u16(bytes, offset + 6),
  };
}
