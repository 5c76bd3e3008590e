// Checksum offload: a capture taken on the sending host shows wrong TCP/UDP (and sometimes IP)
// checksums on the packets that host sent, because the NIC fills them in after the capture
// point. Wrong checksums on packets the host *received* are different: those are real damage.
//
// Who is "the capturing host"? The decoder recognises the exact offload signature — the field
// holds the folded pseudo-header sum ('partial') — so a host with such packets is the one that
// sent them from this machine. When the capture records directions (pcapng flags), 'sent' says
// it directly. Bad checksums from any other host count as received.
import type { Capture, Packet } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { offloadText } from './evidence.ts';
import type { OffloadFinding } from './types.ts';

function hasStatus(p: Packet, status: 'bad' | 'partial'): boolean {
  const d = p.dissection;
  return (d.ip?.version === 4 && d.ip.checksumStatus === status) || d.tcp?.checksumStatus === status || d.udp?.checksumStatus === status;
}

const MAX_FRAMES_LISTED = 10_000;

export function findOffload(capture: Capture): OffloadFinding {
  const localHosts = new Set<string>();
  // First pass: which hosts sent packets with the offload signature, or are marked as sent.
  // (Addresses are formatted only for those packets: most captures have none.)
  for (const p of capture.packets) {
    const ip = p.dissection.ip;
    if (!ip) continue;
    if (p.direction === 'sent' || hasStatus(p, 'partial')) localHosts.add(formatIP(ip.src));
  }
  const offloadFrames: number[] = [];
  const corruptFrames: number[] = [];
  let offloadCount = 0;
  let corruptCount = 0;
  for (const p of capture.packets) {
    const ip = p.dissection.ip;
    if (!ip) continue;
    if (!hasStatus(p, 'bad') && !hasStatus(p, 'partial')) continue;
    const sentHere = p.direction === 'sent' || (p.direction !== 'received' && localHosts.has(formatIP(ip.src)));
    if (sentHere) {
      offloadCount++;
      if (offloadFrames.length < MAX_FRAMES_LISTED) offloadFrames.push(p.number);
    } else {
      corruptCount++;
      if (corruptFrames.length < MAX_FRAMES_LISTED) corruptFrames.push(p.number);
    }
  }
  const offloadHosts = [...localHosts].sort();
  const text = offloadText(offloadCount, offloadHosts, corruptCount);
  const kind = offloadCount > 0 && corruptCount > 0 ? 'both' : offloadCount > 0 ? 'offload' : corruptCount > 0 ? 'corrupt' : 'none';
  return { kind, offloadHosts: offloadCount > 0 ? offloadHosts : [], offloadFrames, corruptFrames, text };
}
