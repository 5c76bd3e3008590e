// One description per packet — tshark's columns and Network Monitor's description. The TCP part
// (relative numbers, retransmissions, duplicate ACKs…) comes from the capture's one TCP analysis
// (analysis/tcp-streams.ts); ICMP echo replies are matched to the requests described before
// them, so describe packets in frame order, as tshark's single pass does.
import { analyzeTcpStreams, type TcpStreams } from '../analysis/tcp-streams.ts';
import { pktmonDrop } from '../capture/types.ts';
import type { Capture, Packet } from '../packets.ts';
import { storeOf, type PacketStore } from '../store/packet-store.ts';
import { netmonDescription } from './netmon.ts';
import { tcpContextOf, type TcpContext } from './tcp-context.ts';
import { addressColumns, infoColumn, protocolColumn } from './wireshark.ts';

export { netmonDescription, netmonFlags } from './netmon.ts';
export { tcpContextOf, tcpNotesOf, type TcpContext } from './tcp-context.ts';
export { addressColumns, infoColumn, protocolColumn, tcpFlagsText } from './wireshark.ts';
export { serviceName } from './services.ts';

export interface PacketDescription {
  src: string;
  dst: string;
  protocol: string;
  /** tshark's Info column. */
  info: string;
  /** Network Monitor's Description column. */
  netmon: string;
  /** The TCP analysis behind `info`, for TCP packets. */
  tcp?: TcpContext;
}

/**
 * Describes the packets of one capture by index. The TCP analysis is the capture's (pass the one
 * already computed, if any); the Describer itself only remembers ICMP echo requests.
 */
export class Describer {
  readonly #capture: Capture;
  readonly #store: PacketStore;
  readonly #streams: TcpStreams;
  /** ICMP echo requests by (version, id, seq): the latest request's frame number. */
  readonly #echoRequests = new Map<string, number>();

  constructor(capture: Capture, streams: TcpStreams = analyzeTcpStreams(capture)) {
    this.#capture = capture;
    this.#store = storeOf(capture);
    this.#streams = streams;
  }

  /** Packet `index` of the capture. */
  describe(index: number): PacketDescription {
    const packet = this.#capture.packets[index];
    const d = packet.dissection;
    const tcp = tcpContextOf(this.#streams, this.#store, index);
    let requestFrame: number | undefined;
    const icmp = d.icmp;
    const { src, dst } = addressColumns(d);
    if (icmp && icmp.identifier !== undefined && d.ip) {
      const isRequest = icmp.type === 8 || icmp.type === 128;
      const isReply = icmp.type === 0 || icmp.type === 129;
      // The reply travels back, so key on the pair of addresses in request order.
      if (isRequest)
        this.#echoRequests.set(`${icmp.version}|${src}|${dst}|${icmp.identifier}|${icmp.sequence}`, packet.number);
      if (isReply)
        requestFrame = this.#echoRequests.get(`${icmp.version}|${dst}|${src}|${icmp.identifier}|${icmp.sequence}`);
    }
    const drop = pktmonDropNote(this.#store, index);
    return {
      src,
      dst,
      protocol: protocolColumn(d),
      info: drop + infoColumn(packet, tcp, requestFrame),
      netmon: drop + netmonDescription(packet, tcp),
      tcp,
    };
  }
}

/** "[Dropped by component 9 (name): Filtered (8)] " for a packet pktmon logged as dropped, else "". */
export function pktmonDropNote(store: PacketStore, index: number): string {
  const drop = pktmonDrop(store.pktmonOf(index));
  if (!drop?.drop) return '';
  const where = drop.componentName ? ` (${drop.componentName})` : '';
  const why = drop.drop.reasonName ? `${drop.drop.reasonName} (${drop.drop.reason})` : `reason ${drop.drop.reason}`;
  return `[Dropped by component ${drop.componentId}${where}: ${why}] `;
}

/**
 * Describe every packet of a capture, in frame order. Given a bare list of packets instead, the
 * TCP analysis is of those packets alone (as if they were the whole capture), which costs a
 * second copy of them: pass the capture when there is one.
 */
export function describePackets(source: Capture | readonly Packet[], streams?: TcpStreams): PacketDescription[] {
  const capture: Capture = isCapture(source) ? source : { info: LIST_INFO, packets: [...source] };
  const describer = new Describer(capture, streams);
  const out: PacketDescription[] = new Array(capture.packets.length);
  for (let i = 0; i < out.length; i++) out[i] = describer.describe(i);
  return out;
}

const isCapture = (source: Capture | readonly Packet[]): source is Capture => !Array.isArray(source);

/** The capture info of a bare packet list: no interfaces (so no FCS), no comments. */
const LIST_INFO: Capture['info'] = { format: 'pcap', variant: 'packet list', interfaces: [], comments: [] };
