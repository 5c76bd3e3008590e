// Evidence from the capturing host's own records of a drop: pktmon's drop events (a packet
// logged as dropped by a Windows networking component, event 170) and, from
// firewall-log.ts, Windows Firewall log lines. A dropped SYN is the strongest evidence a trace
// can give: the host says who discarded the packet, instead of the reader inferring it from
// silence. These steps are added to an attempt's evidence by analyze.ts.
import { pktmonDrop } from '../capture/types.ts';
import type { PacketStore } from '../store/packet-store.ts';
import type { Attempt, AttemptPacket, EvidenceStep } from './types.ts';

const ROLE_NAMES: Partial<Record<AttemptPacket['role'], string>> = {
  syn: 'SYN',
  'syn-retransmission': 'SYN retransmission',
  'syn-ack': 'SYN/ACK',
  'syn-ack-retransmission': 'SYN/ACK retransmission',
  rst: 'reset',
};

/** One step per packet of the attempt that pktmon logged as dropped, saying where and why. */
export function pktmonDropEvidence(store: PacketStore, attempt: Attempt): EvidenceStep[] {
  if (!store.hasPktmon) return [];
  const steps: EvidenceStep[] = [];
  for (const p of attempt.packets) {
    const drop = pktmonDrop(store.pktmonOf(p.index));
    if (!drop?.drop) continue;
    const what = ROLE_NAMES[p.role] ?? 'packet';
    const component = `component ${drop.componentId}${drop.componentName ? ` (${drop.componentName})` : ''}`;
    const reason = drop.drop.reasonName
      ? `${drop.drop.reasonName} (drop reason ${drop.drop.reason})`
      : `drop reason ${drop.drop.reason}`;
    const meaning =
      p.role === 'syn' || p.role === 'syn-retransmission'
        ? ': Windows itself discarded the SYN, so no answer could come'
        : '';
    steps.push({
      text: `Frame ${p.frame}: pktmon logged this ${what} as dropped by ${component}: ${reason}, location 0x${drop.drop.location.toString(16)}${meaning}`,
      frames: [p.frame],
    });
  }
  return steps;
}
