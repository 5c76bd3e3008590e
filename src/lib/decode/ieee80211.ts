// IEEE 802.11 data frames (link type 105, and after a radiotap header, 127) down to the LLC/SNAP
// header that names the EtherType, as Wi-Fi captures on Windows (netsh, pktmon) and monitor-mode
// captures hold them. Management and control frames, null data, and protected (encrypted) data
// are recognised and named, not decoded further.
//
// MAC header (IEEE 802.11-2020 §9.2.4): frame control (2, its first byte protocol version, type,
// subtype; its second the flags: 0x01 To DS, 0x02 From DS, 0x40 Protected, 0x80 +HTC/Order),
// duration (2), address 1–3 (6 each), sequence control (2), address 4 (6, only with To DS and
// From DS both set), QoS control (2, QoS data subtypes), HT control (4, QoS frames with +HTC).
// Which address is the source, the destination and the BSSID depends on To DS / From DS.
import { truncated, u16 } from './bytes.ts';
import type { Ieee80211Layer, Truncated } from './types.ts';

const TYPE_DATA = 2;
const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
const FLAG_ORDER = 0x80;

/** Wireshark's names for the frame types, by type << 4 | subtype (wlan.fc.type_subtype). */
const SUBTYPE_NAMES: Record<number, string> = {
  0x00: 'Association Request',
  0x01: 'Association Response',
  0x04: 'Probe Request',
  0x05: 'Probe Response',
  0x08: 'Beacon frame',
  0x0a: 'Disassociate',
  0x0b: 'Authentication',
  0x0c: 'Deauthentication',
  0x0d: 'Action',
  0x1b: 'Request-to-send',
  0x1c: 'Clear-to-send',
  0x1d: 'Acknowledgement',
  0x20: 'Data',
  0x24: 'Null function (No data)',
  0x28: 'QoS Data',
  0x2c: 'QoS Null function (No data)',
};

export function ieee80211SubtypeName(typeSubtype: number): string {
  return SUBTYPE_NAMES[typeSubtype] ?? `802.11 frame type ${typeSubtype >> 4} subtype ${typeSubtype & 15}`;
}

/**
 * Decodes the MAC header and, for a data frame with a body in the clear, the LLC/SNAP header:
 * `etherType` is then set and `payloadOffset` is where that protocol starts. `end` excludes any FCS.
 */
export function decodeIeee80211(bytes: Uint8Array, offset: number, end: number): Ieee80211Layer | Truncated {
  if (end - offset < 10) return truncated('wlan', offset, 10);
  const fc0 = bytes[offset];
  const flags = bytes[offset + 1];
  const type = (fc0 >> 2) & 3;
  const subtype = fc0 >> 4;
  const toDs = (flags & FLAG_TO_DS) !== 0;
  const fromDs = (flags & FLAG_FROM_DS) !== 0;
  const layer: Ieee80211Layer = {
    offset,
    length: 0,
    payloadOffset: end,
    payloadEnd: end,
    frameControl: (fc0 << 8) | flags,
    typeSubtype: (type << 4) | subtype,
    toDs,
    fromDs,
    protected: (flags & FLAG_PROTECTED) !== 0,
    addresses: [],
  };
  if (type !== TYPE_DATA) {
    // Management and control frames: their addresses matter little here; name them only.
    layer.length = Math.min(end - offset, 24);
    return layer;
  }
  const qos = (subtype & 0x08) !== 0;
  const headerLength = 24 + (toDs && fromDs ? 6 : 0) + (qos ? 2 : 0) + (qos && flags & FLAG_ORDER ? 4 : 0);
  if (end - offset < headerLength) return truncated('wlan', offset, headerLength);
  for (const at of [4, 10, 16, ...(toDs && fromDs ? [24] : [])])
    layer.addresses.push(bytes.subarray(offset + at, offset + at + 6));
  const [a1, a2, a3, a4] = layer.addresses;
  // To DS / From DS: 00 DA SA BSSID; 01 (From DS) DA BSSID SA; 10 (To DS) BSSID SA DA; 11 RA TA DA SA.
  if (!toDs && !fromDs) Object.assign(layer, { destination: a1, source: a2, bssid: a3 });
  else if (!toDs && fromDs) Object.assign(layer, { destination: a1, bssid: a2, source: a3 });
  else if (toDs && !fromDs) Object.assign(layer, { bssid: a1, source: a2, destination: a3 });
  else Object.assign(layer, { receiver: a1, transmitter: a2, destination: a3, source: a4 });
  layer.sequenceNumber = ((bytes[offset + 22] | (bytes[offset + 23] << 8)) >> 4) & 0xfff;
  layer.length = headerLength;
  layer.payloadOffset = offset + headerLength;
  // Null-function subtypes (bit 2 of the subtype) carry no body; protected bodies are encrypted.
  if (subtype & 0x04 || layer.protected) return layer;
  const body = offset + headerLength;
  if (end - body < 8) return truncated('llc', body, 8);
  // LLC: DSAP 0xAA, SSAP 0xAA, control 0x03 (UI), then SNAP OUI 00-00-00 (RFC 1042) or
  // 00-00-F8 (bridge tunnel) and the EtherType.
  const snap = bytes[body] === 0xaa && bytes[body + 1] === 0xaa && bytes[body + 2] === 0x03;
  const oui = (bytes[body + 3] << 16) | (bytes[body + 4] << 8) | bytes[body + 5];
  if (!snap || (oui !== 0 && oui !== 0xf8)) return layer;
  layer.etherType = u16(bytes, body + 6);
  layer.payloadOffset = body + 8;
  return layer;
}
