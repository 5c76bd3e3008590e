// Ethernet II header plus any stacked 802.1Q / 802.1ad (QinQ) tags.
import { truncated, u16 } from './bytes.ts';
import type { EthernetLayer, Truncated, VlanTag } from './types.ts';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ TPID some switches still send. */
export const ETHERTYPE_QINQ_OLD = 0x9100;

export const isVlanTpid = (type: number): boolean =>
  type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD;

/**
 * The 14-byte MAC header. `type` is the EtherType field as it stands; the caller replaces it and
 * `payloadOffset` with what follows the tags after calling decodeVlanTag for each tag.
 */
export function decodeEthernet(bytes: Uint8Array, offset: number, end: number): EthernetLayer | Truncated {
  if (end - offset < 14) return truncated('eth', offset, 14);
  return new EthernetHeader(bytes, offset, end);
}

/** Addresses as views made on demand (see IPv4Header for why). */
class EthernetHeader implements EthernetLayer {
  readonly #bytes: Uint8Array;
  offset: number;
  length = 14;
  payloadOffset: number;
  payloadEnd: number;
  type: number;

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.#bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 14;
    this.payloadEnd = end;
    this.type = u16(bytes, offset + 12);
  }

  get dst(): Uint8Array {
    return this.#bytes.subarray(this.offset, this.offset + 6);
  }

  get src(): Uint8Array {
    return this.#bytes.subarray(this.offset + 6, this.offset + 12);
  }
}

/**
 * One 4-byte tag. `offset` points at the TCI: the TPID (0x8100/0x88a8) was the EtherType field
 * before it, so the tag's span starts two bytes earlier, as Wireshark highlights it.
 */
export function decodeVlanTag(bytes: Uint8Array, offset: number, end: number, tpid: number): VlanTag | Truncated {
  if (end - offset < 4) return truncated('vlan', offset, 4);
  const tci = u16(bytes, offset);
  return {
    offset: offset - 2,
    length: 4,
    tpid,
    priority: tci >> 13,
    dei: (tci & 0x1000) !== 0,
    id: tci & 0x0fff,
    type: u16(bytes, offset + 2),
  };
}
