// Filter fields of the link layers and tunnels read from the dissection only (802.11, radiotap,
// PPPoE/PPP, GRE):
// rare enough in a port-blocking capture that they have no column in the packet store.
// Wireshark's names, types and widths (checked against `tshark -G fields`).
import type { Dissection } from '../decode/types.ts';
import type { FieldDefinition, FieldReader, FieldValues } from './types.ts';

function linkField(
  field: Omit<FieldDefinition, 'read' | 'reference'>,
  get: (d: Dissection, out: FieldValues) => void,
): FieldDefinition {
  const read: FieldReader = (context, index, out) => get(context.store.dissectionOf(index), out);
  return { ...field, read, reference: { read } };
}

const etherNumber = (a: Uint8Array): number =>
  (a[0] * 0x10000 + ((a[1] << 8) | a[2])) * 0x1000000 + ((a[3] << 16) | (a[4] << 8) | a[5]);

const pushMac = (address: Uint8Array | undefined, out: FieldValues) => {
  if (address) out.pushNumber(etherNumber(address));
};

export const linkFields: FieldDefinition[] = [
  linkField({ name: 'radiotap', kind: 'protocol', description: 'IEEE 802.11 Radiotap Capture header' }, (d, out) => {
    if (d.radiotap) out.pushPresent();
  }),
  linkField({ name: 'wlan', kind: 'protocol', description: 'IEEE 802.11 wireless LAN' }, (d, out) => {
    if (d.wlan) out.pushPresent();
  }),
  linkField({ name: 'wlan.fc.type_subtype', kind: 'uint', bits: 16, description: 'Type/Subtype' }, (d, out) => {
    if (d.wlan) out.pushNumber(d.wlan.typeSubtype);
  }),
  linkField(
    {
      name: 'wlan.fc.protected',
      kind: 'bool',
      description: 'Protected flag',
      booleanLabels: ['Data is protected', 'Data is not protected'],
    },
    (d, out) => {
      if (d.wlan) out.pushNumber(d.wlan.protected ? 1 : 0);
    },
  ),
  linkField({ name: 'wlan.sa', kind: 'ether', description: 'Source address' }, (d, out) =>
    pushMac(d.wlan?.source, out),
  ),
  linkField({ name: 'wlan.da', kind: 'ether', description: 'Destination address' }, (d, out) =>
    pushMac(d.wlan?.destination, out),
  ),
  linkField({ name: 'wlan.bssid', kind: 'ether', description: 'BSS Id' }, (d, out) => pushMac(d.wlan?.bssid, out)),
  linkField({ name: 'wlan.addr', kind: 'ether', description: 'Hardware address', multiValued: true }, (d, out) => {
    for (const address of d.wlan?.addresses ?? []) pushMac(address, out);
  }),
  linkField({ name: 'gre', kind: 'protocol', description: 'Generic Routing Encapsulation' }, (d, out) => {
    for (const t of d.tunnels ?? []) if (t.gre) out.pushPresent();
  }),
  linkField({ name: 'gre.proto', kind: 'uint', bits: 16, description: 'Protocol Type' }, (d, out) => {
    for (const t of d.tunnels ?? []) if (t.gre) out.pushNumber(t.gre.protocol);
  }),
  linkField({ name: 'pppoes', kind: 'protocol', description: 'PPP-over-Ethernet Session' }, (d, out) => {
    if (d.pppoe) out.pushPresent();
  }),
  linkField({ name: 'pppoe.session_id', kind: 'uint', bits: 16, description: 'Session ID' }, (d, out) => {
    if (d.pppoe) out.pushNumber(d.pppoe.sessionId);
  }),
  linkField({ name: 'ppp.protocol', kind: 'uint', bits: 16, description: 'Protocol' }, (d, out) => {
    if (d.pppoe) out.pushNumber(d.pppoe.pppProtocol);
  }),
];
