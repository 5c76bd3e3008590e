// One description per packet — tshark's columns and Network Monitor's description — computed in
// frame order, so the TCP analysis (relative numbers, retransmissions) and ICMP echo matching
// can use what came before, as tshark's single pass does.
import type { Packet } from '../packets.ts';
import { netmonDescription } from './netmon.ts';
import { TcpTracker, type TcpContext } from './tcp-tracker.ts';
import { addressColumns, infoColumn, protocolColumn } from './wireshark.ts';

export { netmonDescription, netmonFlags } from './netmon.ts';
export { TcpTracker, type TcpContext } from './tcp-tracker.ts';
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

/** Feed packets in frame order; keeps the per-connection and per-ping state between calls. */
export class Describer {
  private tcp = new TcpTracker();
  /** ICMP echo requests by (version, id, seq): the latest request's frame number. */
  private echoRequests = new Map<string, number>();

  describe(packet: Packet): PacketDescription {
    const d = packet.dissection;
    const tcp = this.tcp.observe(packet);
    let requestFrame: number | undefined;
    const icmp = d.icmp;
    if (icmp && icmp.identifier !== undefined && d.ip) {
      const isRequest = icmp.type === 8 || icmp.type === 128;
      const isReply = icmp.type === 0 || icmp.type === 129;
      // The reply travels back, so key on the pair of addresses in request order.
      const { src, dst } = addressColumns(d);
      if (isRequest) this.echoRequests.set(`${icmp.version}|${src}|${dst}|${icmp.identifier}|${icmp.sequence}`, packet.number);
      if (isReply) requestFrame = this.echoRequests.get(`${icmp.version}|${dst}|${src}|${icmp.identifier}|${icmp.sequence}`);
    }
    const { src, dst } = addressColumns(d);
    return {
      src,
      dst,
      protocol: protocolColumn(d),
      info: infoColumn(packet, tcp, requestFrame),
      netmon: netmonDescription(packet, tcp),
      tcp,
    };
  }
}

/** Describe a whole capture's packets (in the order given, which should be frame order). */
export function describePackets(packets: readonly Packet[]): PacketDescription[] {
  const describer = new Describer();
  return packets.map((packet) => describer.describe(packet));
}
