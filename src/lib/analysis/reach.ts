// Capture-wide findings about packets the decoders could not follow to TCP: encrypted Wi-Fi,
// PPPoE discovery, link types or tunnels that are not decoded. Without them a capture whose TCP
// is out of reach would just show zero connection attempts, in silence.
import { linkTypeName } from '../decode/index.ts';
import type { Dissection } from '../decode/types.ts';
import { ETHERTYPE_PPPOE_DISCOVERY } from '../decode/pppoe.ts';
import { Layer, type PacketStore } from '../store/packet-store.ts';
import { thousands } from '../describe/thousands.ts';

const plural = (n: number, one: string, many: string) => `${thousands(n)} ${n === 1 ? one : many}`;

/** What kind of out-of-reach packet this is, or undefined when it is an ordinary one. */
function outOfReach(d: Dissection, bytes: Uint8Array): string | undefined {
  if (d.wlan?.protected) return 'wlan-protected';
  if (d.ip || d.arp) return undefined;
  if (d.eth && d.eth.type === ETHERTYPE_PPPOE_DISCOVERY) return 'pppoe-discovery';
  if (d.pppoe) return `ppp:${d.pppoe.pppProtocol}`;
  if (d.problem?.startsWith('link type ')) return `link:${d.linkType}`;
  if (d.wlan || d.eth || d.sll || d.loopback) return undefined;
  return bytes.length > 0 && d.problem !== undefined ? `link:${d.linkType}` : undefined;
}

/** Sentences for the packets whose TCP (if any) the decoders cannot reach. */
export function reachFindings(store: PacketStore, attempts: number): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < store.count; i++) {
    const layers = store.columns.layers[i];
    // Decoded to IP with no problem: nothing to say, and no second decode.
    if ((layers & (Layer.IPv4 | Layer.IPv6)) !== 0 && (layers & Layer.Problem) === 0) continue;
    const kind = outOfReach(store.dissectionOf(i), store.bytesOf(i));
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const findings: string[] = [];
  for (const [kind, n] of counts) {
    if (kind === 'wlan-protected')
      findings.push(
        `${plural(n, '802.11 frame is', '802.11 frames are')} protected (encrypted): what they carry, TCP included, cannot be read. Capture on the host itself (netsh trace or pktmon record decrypted frames) or decrypt the capture first`,
      );
    else if (kind === 'pppoe-discovery')
      findings.push(
        `${plural(n, 'frame is', 'frames are')} PPPoE discovery (PADI/PADO/PADR/PADS/PADT): session setup, not traffic`,
      );
    else if (kind.startsWith('ppp:'))
      findings.push(
        `${plural(n, 'PPPoE session frame carries', 'PPPoE session frames carry')} PPP protocol 0x${Number(kind.slice(4)).toString(16).padStart(4, '0')} (link control, not IP): not decoded`,
      );
    else if (kind.startsWith('link:')) {
      const type = Number(kind.slice(5));
      const name = linkTypeName(type);
      findings.push(
        `${plural(n, 'frame has', 'frames have')} link type ${type}${name ? ` (${name})` : ''}, which is not decoded: any TCP inside is not analyzed`,
      );
    }
  }
  if (attempts === 0 && findings.length > 0)
    findings.unshift('No TCP connection attempt was found in what could be decoded:');
  return findings;
}
