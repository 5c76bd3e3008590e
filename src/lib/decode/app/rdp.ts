// RDP's first packets on port 3389 (MS-RDPBCGR 2.2.1.1, 2.2.1.2): TPKT (RFC 1006) carrying an
// X.224 Connection Request — with the "Cookie: mstshash=" routing cookie and RDP_NEG_REQ — or a
// Connection Confirm with RDP_NEG_RSP / RDP_NEG_FAILURE. Later packets are TLS or MCS, which we
// do not dissect: a segment that does not start with TPKT is its continuation.
import { truncated, u16 } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { RdpLayer } from './types.ts';

const X224_CONNECTION_REQUEST = 0xe0;
const X224_CONNECTION_CONFIRM = 0xd0;

const le16 = (bytes: Uint8Array, at: number): number => bytes[at] | (bytes[at + 1] << 8);
const le32 = (bytes: Uint8Array, at: number): number => (le16(bytes, at) + le16(bytes, at + 2) * 0x10000) >>> 0;

/**
 * A TPKT header, as Wireshark tells one: the version byte is 3 (it checks nothing else, so
 * encrypted bytes starting with 3 read as a TPKT whose length runs on into later segments).
 */
export const isTpkt = (bytes: Uint8Array, at: number, end: number): boolean => end - at >= 4 && bytes[at] === 3;

export function decodeRdp(bytes: Uint8Array, offset: number, end: number): RdpLayer | Truncated {
  const layer: RdpLayer = {
    protocol: 'rdp',
    offset,
    length: end - offset,
    continuation: !isTpkt(bytes, offset, end),
    tpktLength: 0,
    x224Code: 0,
  };
  if (layer.continuation) return layer;
  layer.tpktLength = u16(bytes, offset + 2);
  if (offset + layer.tpktLength > end) return truncated('tpkt', offset, layer.tpktLength);
  end = offset + layer.tpktLength;
  layer.length = layer.tpktLength;
  if (layer.tpktLength < 7) return layer;
  const x224 = offset + 4;
  const lengthIndicator = bytes[x224];
  layer.x224Code = bytes[x224 + 1] & 0xf0;
  if (layer.x224Code !== X224_CONNECTION_REQUEST && layer.x224Code !== X224_CONNECTION_CONFIRM) return layer;
  let at = x224 + 7;
  const variableEnd = Math.min(end, x224 + 1 + lengthIndicator);
  if (layer.x224Code === X224_CONNECTION_REQUEST) {
    // The routing token or cookie: text up to CR LF.
    let lineEnd = at;
    while (lineEnd + 1 < variableEnd && !(bytes[lineEnd] === 0x0d && bytes[lineEnd + 1] === 0x0a)) lineEnd++;
    if (lineEnd + 1 < variableEnd && variableEnd - at >= 8 && startsWith(bytes, at, 'Cookie: ')) {
      let text = '';
      for (let i = at; i < lineEnd; i++) text += String.fromCharCode(bytes[i]);
      if (startsWith(bytes, at, 'Cookie: mstshash=')) layer.cookie = text;
      else layer.routingToken = text;
      at = lineEnd + 2;
    }
  }
  if (at + 8 <= variableEnd && le16(bytes, at + 2) === 8) {
    layer.negType = bytes[at];
    layer.negFlags = bytes[at + 1];
    layer.negValue = le32(bytes, at + 4);
  }
  return layer;
}

function startsWith(bytes: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** tshark's Protocol column for the layer: RDP for the connection sequence, else TPKT. */
export const rdpProtocolName = (rdp: RdpLayer): string =>
  rdp.x224Code === X224_CONNECTION_REQUEST || rdp.x224Code === X224_CONNECTION_CONFIRM ? 'RDP' : 'TPKT';

/** "Cookie: mstshash=alice, Negotiate Request", "Negotiate Response", "Continuation". */
export function rdpInfo(rdp: RdpLayer): string {
  if (rdp.continuation) return 'Continuation';
  const parts: string[] = [];
  if (rdp.cookie !== undefined) parts.push(rdp.cookie);
  if (rdp.routingToken !== undefined) parts.push(rdp.routingToken);
  if (rdp.negType === 1) parts.push('Negotiate Request');
  else if (rdp.negType === 2) parts.push('Negotiate Response');
  else if (rdp.negType === 3) parts.push('Negotiate Failure');
  if (parts.length === 0) {
    if (rdp.x224Code === X224_CONNECTION_REQUEST) return 'CR TPDU';
    if (rdp.x224Code === X224_CONNECTION_CONFIRM) return 'CC TPDU';
    return 'Continuation';
  }
  return parts.join(', ');
}
