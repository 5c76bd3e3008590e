// Filter fields for packets from pktmon traces (Windows' Packet Monitor). Wireshark has no
// dissector for these (pktmon's own etl2pcap writes them as frame comments), so the names are
// ours, in Wireshark's style: `pktmon.drop` selects the packets a component dropped,
// `pktmon.drop.reason == 8` those it dropped as Filtered. Read from the packet store's pktmon
// records (see capture/etl-pktmon.ts), never from the frame's bytes.
import { DROP_REASONS } from '../capture/etl-pktmon.ts';
import { pktmonDrop, type PktmonPacket } from '../capture/types.ts';
import type { FieldDefinition, FieldReader, FieldValues } from './types.ts';

/** A field read from a packet's pktmon record; packets without one have no occurrence. */
function pktmonField(
  field: Omit<FieldDefinition, 'read' | 'reference'>,
  get: (record: PktmonPacket, out: FieldValues) => void,
): FieldDefinition {
  const read: FieldReader = (context, index, out) => {
    const record = context.store.pktmonOf(index);
    if (record) get(record, out);
  };
  return { ...field, porttraceOnly: true, read, reference: { read } };
}

const reasonNames: Record<string, number> = Object.fromEntries(
  Object.entries(DROP_REASONS).map(([code, name]) => [name.replace(/[^A-Za-z0-9]+/g, '_'), Number(code)]),
);

export const pktmonFields: FieldDefinition[] = [
  pktmonField({ name: 'pktmon', kind: 'protocol', description: 'Packet Monitor (pktmon)' }, (_, out) =>
    out.pushPresent(),
  ),
  pktmonField(
    { name: 'pktmon.component', kind: 'uint', bits: 16, description: 'Component where the packet was logged' },
    (r, out) => {
      for (const a of r.appearances) out.pushNumber(a.componentId);
    },
  ),
  pktmonField({ name: 'pktmon.edge', kind: 'uint', bits: 16, description: 'Edge of the component' }, (r, out) => {
    for (const a of r.appearances) out.pushNumber(a.edgeId);
  }),
  pktmonField(
    { name: 'pktmon.appearances', kind: 'uint', bits: 16, description: 'Components that logged the packet' },
    (r, out) => out.pushNumber(r.appearances.length),
  ),
  pktmonField({ name: 'pktmon.packet_number', kind: 'uint', bits: 16, description: 'PktNumber' }, (r, out) =>
    out.pushNumber(r.packetNumber),
  ),
  pktmonField({ name: 'pktmon.drop', kind: 'none', description: 'Dropped by a component' }, (r, out) => {
    if (pktmonDrop(r)) out.pushPresent();
  }),
  pktmonField(
    {
      name: 'pktmon.drop.reason',
      kind: 'uint',
      bits: 32,
      description: 'Drop reason (PktMon_DropReason)',
      valueNames: reasonNames,
    },
    (r, out) => {
      const drop = pktmonDrop(r);
      if (drop?.drop) out.pushNumber(drop.drop.reason);
    },
  ),
  pktmonField({ name: 'pktmon.drop.location', kind: 'uint', bits: 32, description: 'Drop location code' }, (r, out) => {
    const drop = pktmonDrop(r);
    if (drop?.drop) out.pushNumber(drop.drop.location);
  }),
  pktmonField(
    { name: 'pktmon.drop.component', kind: 'uint', bits: 16, description: 'Component that dropped the packet' },
    (r, out) => {
      const drop = pktmonDrop(r);
      if (drop) out.pushNumber(drop.componentId);
    },
  ),
];
