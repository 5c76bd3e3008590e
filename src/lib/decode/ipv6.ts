// IPv6 (RFC 8200) and the extension headers that can stand between it and TCP/UDP/ICMPv6.
import { malformed, truncated, u16, u32 } from './bytes.ts';
import type { IPv6Layer, Malformed, Truncated } from './types.ts';

export const IPV6_HOP_BY_HOP = 0;
export const IPV6_ROUTING = 43;
export const IPV6_FRAGMENT = 44;
export const IPV6_AUTH = 51;
export const IPV6_DEST_OPTS = 60;

/** Guards against a chain of headers that never ends (each is ≥ 8 bytes, so this is generous). */
const MAX_EXTENSION_HEADERS = 32;

export function decodeIPv6(bytes: Uint8Array, offset: number, end: number): IPv6Layer | Truncated | Malformed {
  if (end - offset < 40) return truncated('ipv6', offset, 40);
  const version = bytes[offset] >> 4;
  if (version !== 6) return malformed('ipv6', offset, `IP version ${version} where 6 was expected`);
  const payloadLength = u16(bytes, offset + 4);
  const nextHeader = bytes[offset + 6];
  // Payload length 0 means a jumbogram (or TSO): take what was captured, as Wireshark does.
  const payloadEnd = payloadLength === 0 ? end : Math.min(end, offset + 40 + payloadLength);
  const layer = new IPv6Header(bytes, offset, payloadEnd);
  let header = nextHeader;
  let at = offset + 40;
  for (let count = 0; count < MAX_EXTENSION_HEADERS; count++) {
    if (
      header !== IPV6_HOP_BY_HOP &&
      header !== IPV6_ROUTING &&
      header !== IPV6_FRAGMENT &&
      header !== IPV6_DEST_OPTS &&
      header !== IPV6_AUTH
    ) {
      break;
    }
    if (payloadEnd - at < 8) {
      layer.extensionTruncated = truncated('ipv6', at, 8);
      break;
    }
    // AH counts its length in 4-byte units minus 2; the others in 8-byte units minus 1.
    const size =
      header === IPV6_AUTH ? (bytes[at + 1] + 2) * 4 : header === IPV6_FRAGMENT ? 8 : (bytes[at + 1] + 1) * 8;
    if (payloadEnd - at < size) {
      layer.extensionTruncated = truncated('ipv6', at, size);
      break;
    }
    if (header === IPV6_FRAGMENT) {
      const offsetAndFlags = u16(bytes, at + 2);
      layer.fragmentOffset = offsetAndFlags & 0xfff8;
      layer.moreFragments = (offsetAndFlags & 1) !== 0;
      layer.fragmentIdentification = u32(bytes, at + 4);
    }
    if (header === IPV6_ROUTING) {
      const routingType = bytes[at + 2];
      const segmentsLeft = bytes[at + 3];
      const addresses = Math.floor((size - 8) / 16);
      if ((routingType === 0 || routingType === 2) && segmentsLeft > 0 && addresses > 0) {
        const last = at + 8 + (addresses - 1) * 16;
        layer.finalDestination = bytes.subarray(last, last + 16);
      }
    }
    if (layer.extensionHeaders === NO_EXTENSION_HEADERS) layer.extensionHeaders = [];
    layer.extensionHeaders.push(header);
    header = bytes[at];
    at += size;
  }
  layer.protocol = header;
  layer.payloadOffset = at;
  layer.length = at - offset;
  return layer;
}

/** Shared by every packet without extension headers (most); replaced before the first push. */
const NO_EXTENSION_HEADERS: number[] = Object.freeze([]) as unknown as number[];

/** Addresses as views made on demand (see IPv4Header for why). */
class IPv6Header implements IPv6Layer {
  readonly #bytes: Uint8Array;
  offset: number;
  length = 40;
  payloadOffset: number;
  payloadEnd: number;
  version = 6 as const;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  protocol: number;
  extensionHeaders: number[] = NO_EXTENSION_HEADERS;
  fragmentOffset = 0;
  moreFragments = false;
  finalDestination: Uint8Array | undefined = undefined;
  fragmentIdentification: number | undefined = undefined;
  extensionTruncated: Truncated | undefined = undefined;

  constructor(bytes: Uint8Array, offset: number, payloadEnd: number) {
    this.#bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 40;
    this.payloadEnd = payloadEnd;
    this.trafficClass = ((bytes[offset] & 0x0f) << 4) | (bytes[offset + 1] >> 4);
    this.flowLabel = ((bytes[offset + 1] & 0x0f) << 16) | u16(bytes, offset + 2);
    this.payloadLength = u16(bytes, offset + 4);
    this.nextHeader = bytes[offset + 6];
    this.hopLimit = bytes[offset + 7];
    this.protocol = this.nextHeader;
  }

  get src(): Uint8Array {
    return this.#bytes.subarray(this.offset + 8, this.offset + 24);
  }

  get dst(): Uint8Array {
    return this.#bytes.subarray(this.offset + 24, this.offset + 40);
  }
}
