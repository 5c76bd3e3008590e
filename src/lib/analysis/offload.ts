// Checksum offload: a capture taken on the sending host shows wrong TCP/UDP (and sometimes IP)
// checksums on the packets that host sent, because the NIC fills them in after the capture
// point. Wrong checksums on packets the host *received* are different: those are real damage.
//
// Who is "the capturing host"? The decoder recognises the exact offload signature — the field
// holds the folded pseudo-header sum ('partial') — so a host with such packets is the one that
// sent them from this machine. When the capture records directions (pcapng flags), 'sent' says
// it directly. Bad checksums from any other host count as received.
import type { Capture } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { offloadText } from './evidence.ts';
import type { OffloadFinding } from './types.ts';

/** The IPv4 header's, TCP's or UDP's checksum state is `status` (ICMP's is not counted). */
function hasStatus(ipChecksum: string, transportChecksum: string, layers: number, status: 'bad' | 'partial'): boolean {
  return (
    (ipChecksum === status && (layers & Layer.IPv4) !== 0) ||
    (transportChecksum === status && (layers & (Layer.Tcp | Layer.Udp)) !== 0)
  );
}

const MAX_FRAMES_LISTED = 10_000;

export function findOffload(capture: Capture): OffloadFinding {
  const store = storeOf(capture);
  const c = store.columns;
  const sourceOf = (i: number) => formatIP(store.addressBytes(i)!.src);
  const localHosts = new Set<string>();
  // Only packets with a bad or partial checksum, or marked as sent, matter; most captures have
  // none, so the states are looked at as numbers first.
  const wrongChecksum = (i: number) => store.hasWrongChecksum(i);
  const suspicious = (i: number) => wrongChecksum(i) || c.direction[i] !== 0;
  // First pass: which hosts sent packets with the offload signature, or are marked as sent.
  for (let i = 0; i < store.count; i++) {
    if (!suspicious(i) || !(c.layers[i] & (Layer.IPv4 | Layer.IPv6))) continue;
    const ipState = store.ipChecksum(i);
    const l4State = store.transportChecksum(i);
    if (store.directionOf(i) === 'sent' || hasStatus(ipState, l4State, c.layers[i], 'partial'))
      localHosts.add(sourceOf(i));
  }
  const offloadFrames: number[] = [];
  const corruptFrames: number[] = [];
  let offloadCount = 0;
  let corruptCount = 0;
  /** Of those, how many the file itself marks as received (pcapng direction flags). */
  let corruptMarkedReceived = 0;
  for (let i = 0; i < store.count; i++) {
    if (!wrongChecksum(i) || !(c.layers[i] & (Layer.IPv4 | Layer.IPv6))) continue;
    const ipState = store.ipChecksum(i);
    const l4State = store.transportChecksum(i);
    const layers = c.layers[i];
    if (!hasStatus(ipState, l4State, layers, 'bad') && !hasStatus(ipState, l4State, layers, 'partial')) continue;
    const direction = store.directionOf(i);
    const sentHere = direction === 'sent' || (direction !== 'received' && localHosts.has(sourceOf(i)));
    if (sentHere) {
      offloadCount++;
      if (offloadFrames.length < MAX_FRAMES_LISTED) offloadFrames.push(c.number[i]);
    } else {
      corruptCount++;
      if (direction === 'received') corruptMarkedReceived++;
      if (corruptFrames.length < MAX_FRAMES_LISTED) corruptFrames.push(c.number[i]);
    }
  }
  const offloadHosts = [...localHosts].sort();
  const text = offloadText(
    offloadCount,
    offloadHosts,
    corruptCount,
    corruptCount > 0 && corruptMarkedReceived === corruptCount,
  );
  const kind =
    offloadCount > 0 && corruptCount > 0
      ? 'both'
      : offloadCount > 0
        ? 'offload'
        : corruptCount > 0
          ? 'corrupt'
          : 'none';
  return { kind, offloadHosts: offloadCount > 0 ? offloadHosts : [], offloadFrames, corruptFrames, text };
}
