// One description per packet — tshark's columns and Network Monitor's description. The TCP part
// (relative numbers, retransmissions, duplicate ACKs…) comes from the capture's one TCP analysis
// (analysis/tcp-streams.ts); ICMP echo replies are matched to the requests before them in one
// pass per capture (echoRequestsOf), so packets can be described in any order: the CLI's lines
// and the web packet list's rows are the same description.
import { tcpStreamsOf, type TcpStreams } from '../analysis/tcp-streams.ts';
import { pktmonDrop } from '../capture/types.ts';
import type { Capture, Packet } from '../packets.ts';
import { Layer, storeOf, type PacketStore } from '../store/packet-store.ts';
import { mayCarryApplication } from '../decode/app/index.ts';
import { ApplicationTracker } from './application.ts';
import { netmonDescription } from './netmon.ts';
import { tcpContextOf, type TcpContext } from './tcp-context.ts';
import { addressColumns, infoColumn, protocolColumn } from './wireshark.ts';

export { netmonDescription, netmonFlags } from './netmon.ts';
export { tcpContextOf, tcpNotesOf, type TcpContext } from './tcp-context.ts';
export { addressColumns, infoColumn, protocolColumn, tcpFlagsText } from './wireshark.ts';
export { serviceName } from './services.ts';
export { ApplicationTracker, applicationColumnsOf } from './application.ts';

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

const echoRequestsCache = new WeakMap<Capture, Map<number, number>>();

/**
 * For each ICMP echo reply (by packet index), the frame number of the request it answers: the
 * latest one before it with the same addresses, identifier and sequence number, as tshark pairs
 * them ("request in N"). One pass over the ICMP packets, once per capture.
 */
export function echoRequestsOf(capture: Capture): Map<number, number> {
  let replies = echoRequestsCache.get(capture);
  if (replies) return replies;
  const pairing = new EchoPairing();
  const store = storeOf(capture);
  for (let i = 0; i < store.count; i++) pairing.walk(store, i);
  replies = pairing.replies;
  echoRequestsCache.set(capture, replies);
  return replies;
}

/** ICMP echo replies matched to their requests, walking the packets in frame order. */
class EchoPairing {
  /** (version, request's src, dst, id, seq) → the latest request's frame number */
  readonly #requests = new Map<string, number>();
  /** Row of each reply walked so far → its request's frame number. */
  readonly replies = new Map<number, number>();

  walk(store: PacketStore, i: number): void {
    if (!(store.columns.layers[i] & Layer.Icmp)) return;
    const packet = store.packet(i);
    const d = packet.dissection;
    const icmp = d.icmp;
    if (!icmp || icmp.identifier === undefined || !d.ip) return;
    const { src, dst } = addressColumns(d);
    // The reply travels back, so key on the pair of addresses in request order.
    if (icmp.type === 8 || icmp.type === 128)
      this.#requests.set(`${icmp.version}|${src}|${dst}|${icmp.identifier}|${icmp.sequence}`, packet.number);
    if (icmp.type === 0 || icmp.type === 129) {
      const request = this.#requests.get(`${icmp.version}|${dst}|${src}|${icmp.identifier}|${icmp.sequence}`);
      if (request !== undefined) this.replies.set(i, request);
    }
  }
}

/**
 * Describes the packets of one capture by index, in any order: the one row builder behind the
 * CLI's lines and the web packet list. The TCP analysis is the capture's (pass the one already
 * computed, if any); the Describer itself remembers each conversation's application-protocol
 * state (TLS version, SSH keys, a message continued in a later segment) and the echo requests
 * seen, walking the packets in frame order up to the one asked for.
 *
 * A capture read through a window of rows (the store's `forgetRows`, with a `TcpStreamAnalyzer`
 * fed the same rows) is described window by window: describe the window's rows, then call
 * `forgetRows` when the store does; what spans windows (conversations, requests) is kept.
 */
export class Describer {
  readonly #store: PacketStore;
  readonly #streams: TcpStreams;
  /** Application protocols' per-conversation state, walked in frame order. */
  readonly #applications = new ApplicationTracker();
  /** Application columns found so far, by packet index; packets before `#walked` are done. */
  readonly #applicationRows = new Map<number, { protocol: string; info: string }>();
  readonly #echo = new EchoPairing();
  /** Rows walked so far (application state and echo requests). */
  #walked = 0;

  constructor(capture: Capture, streams: TcpStreams = tcpStreamsOf(capture)) {
    this.#store = storeOf(capture);
    this.#streams = streams;
  }

  /** Packet `index` of the capture (row `index` of its store). */
  describe(index: number): PacketDescription {
    const { packet, tcp, drop, ...columns } = this.#columns(index);
    return {
      ...columns,
      info: this.#info(index, packet, tcp, drop),
      netmon: drop + netmonDescription(packet, tcp),
      tcp,
    };
  }

  /**
   * Packet `index`'s addresses, protocol and one of its descriptions (tshark's Info or Network
   * Monitor's): what a line of text shows, without making the other.
   */
  describeAs(
    index: number,
    description: 'info' | 'netmon',
  ): { src: string; dst: string; protocol: string; text: string } {
    const { packet, tcp, drop, src, dst, protocol } = this.#columns(index);
    const text = description === 'info' ? this.#info(index, packet, tcp, drop) : drop + netmonDescription(packet, tcp);
    return { src, dst, protocol, text };
  }

  #columns(index: number) {
    this.#walkTo(index);
    const packet = this.#store.packet(index);
    const d = packet.dissection;
    const { src, dst } = addressColumns(d);
    return {
      packet,
      src,
      dst,
      protocol: this.#applicationRows.get(index)?.protocol ?? protocolColumn(d),
      tcp: tcpContextOf(this.#streams, this.#store, index),
      drop: pktmonDropNote(this.#store, index),
    };
  }

  #info(index: number, packet: Packet, tcp: TcpContext | undefined, drop: string): string {
    const application = this.#applicationRows.get(index);
    if (application) return drop + application.info;
    const requestFrame = packet.dissection.icmp ? this.#echo.replies.get(index) : undefined;
    return drop + infoColumn(packet, tcp, requestFrame);
  }

  /** The store forgot its rows (every one of them described): the next row 0 follows them. */
  forgetRows(): void {
    this.#applicationRows.clear();
    this.#echo.replies.clear();
    this.#walked = 0;
  }

  /**
   * Walks the packets in frame order up to `index` (once: later calls continue). A message split
   * over segments is named on the one that completes it (as tshark's reassembly does); packets
   * no protocol could claim are skipped from the store's columns.
   */
  #walkTo(index: number): void {
    const store = this.#store;
    const c = store.columns;
    for (; this.#walked <= index && this.#walked < store.count; this.#walked++) {
      const i = this.#walked;
      this.#echo.walk(store, i);
      const overTcp = (c.layers[i] & Layer.Tcp) !== 0;
      if ((!overTcp && (c.layers[i] & Layer.Udp) === 0) || c.payloadLength[i] === 0) continue;
      if (!mayCarryApplication(c.srcPort[i], c.dstPort[i], overTcp, store.bytesOf(i)[c.payloadOffset[i]])) continue;
      const packet = store.packet(i);
      const found = this.#applications.describe(packet.data, packet.dissection, tcpContextOf(this.#streams, store, i));
      if (found !== undefined) this.#applicationRows.set(i, { protocol: found.protocol, info: found.info });
    }
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
