// IPv4 (RFC 791). The header checksum is always verifiable (the header is all there or we
// return Truncated), and the payload is cut to the total length so Ethernet padding never
// counts as transport payload.
import { fold, malformed, sumWords, truncated, u16 } from './bytes.ts';
import type { ChecksumStatus, IPv4Layer, Malformed, Truncated } from './types.ts';

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
  const payloadEnd = totalLength === 0 ? end : Math.min(end, offset + totalLength);
  return new IPv4Header(bytes, offset, headerLength, payloadEnd);
}

/**
 * A class rather than a literal so the addresses can be views made on demand: a capture keeps
 * every packet's layers, and two typed-array objects per header cost more to keep than the rest
 * of it. (`#bytes` stays out of JSON and structured clones.)
 */
class IPv4Header implements IPv4Layer {
  readonly #bytes: Uint8Array;
  offset: number;
  length: number;
  payloadOffset: number;
  payloadEnd: number;
  version = 4 as const;
  headerLength: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  checksumStatus: ChecksumStatus;

  constructor(bytes: Uint8Array, offset: number, headerLength: number, payloadEnd: number) {
    this.#bytes = bytes;
    this.offset = offset;
    this.length = headerLength;
    this.payloadOffset = offset + headerLength;
    this.payloadEnd = payloadEnd;
    this.headerLength = headerLength;
    this.dscp = bytes[offset + 1] >> 2;
    this.ecn = bytes[offset + 1] & 3;
    this.totalLength = u16(bytes, offset + 2);
    this.id = u16(bytes, offset + 4);
    const flagsAndOffset = u16(bytes, offset + 6);
    this.dontFragment = (flagsAndOffset & 0x4000) !== 0;
    this.moreFragments = (flagsAndOffset & 0x2000) !== 0;
    this.fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
    this.ttl = bytes[offset + 8];
    this.protocol = bytes[offset + 9];
    this.checksum = u16(bytes, offset + 10);
    this.checksumStatus = fold(sumWords(bytes, offset, offset + headerLength, 0)) === 0xffff ? 'good' : 'bad';
  }

  get src(): Uint8Array {
    return this.#bytes.subarray(this.offset + 12, this.offset + 16);
  }

  get dst(): Uint8Array {
    return this.#bytes.subarray(this.offset + 16, this.offset + 20);
  }
}
