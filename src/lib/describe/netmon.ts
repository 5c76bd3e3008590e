// Network Monitor's Description column, e.g.
//   TCP:Flags=......S., SrcPort=57475, DstPort=MS WBT Server(3389), PayloadLen=0, Seq=1912198306,
//   Ack=0, Win=64240 ( Negotiating scale factor 0x8 ) = 64240
// Network Monitor shows raw sequence numbers, flags as CEUAPRSF with dots for clear bits, and
// well-known ports by their description.
import type { Packet } from '../packets.ts';
import type { Dissection, TcpLayer } from '../decode/types.ts';
import { formatIP, formatMac } from './addresses.ts';
import { serviceName } from './services.ts';
import type { TcpContext } from './tcp-context.ts';
import { icmpTypeName } from './wireshark.ts';

/** CEUAPRSF, one character per flag from CWR down to FIN, '.' when clear. */
export function netmonFlags(flags: number): string {
  const letters = 'CEUAPRSF';
  let text = '';
  for (let i = 0; i < 8; i++) text += flags & (0x80 >> i) ? letters[i] : '.';
  return text;
}

function port(protocol: 'tcp' | 'udp', value: number): string {
  const service = serviceName(protocol, value);
  return service ? `${service.description}(${value})` : String(value);
}

export function netmonDescription(packet: Packet, tcp?: TcpContext): string {
  const d = packet.dissection;
  if (d.tcp) return tcpDescription(d.tcp, tcp);
  if (d.udp)
    return `UDP:SrcPort=${port('udp', d.udp.srcPort)}, DstPort=${port('udp', d.udp.dstPort)}, Length=${d.udp.length}`;
  if (d.icmp) {
    const { type, code } = icmpTypeName(d.icmp);
    const name = d.icmp.version === 4 ? 'ICMP' : 'ICMPv6';
    const from = d.ip ? `, From ${formatIP(d.ip.src)} To ${formatIP(d.ip.dst)}` : '';
    return `${name}:${type} Message${code ? `, ${code}` : ''}${from}`;
  }
  if (d.arp) return arpDescription(d);
  if (d.ip) {
    const version = d.ip.version === 4 ? 'IPv4' : 'IPv6';
    return `${version}:Src = ${formatIP(d.ip.src)}, Dest = ${formatIP(d.ip.dst)}, Next Protocol = ${d.ip.protocol}`;
  }
  if (d.eth) return `Ethernet:Etype = 0x${d.eth.type.toString(16).toUpperCase().padStart(4, '0')}`;
  return d.problem ?? '';
}

function tcpDescription(tcp: TcpLayer, context: TcpContext | undefined): string {
  let prefix = '';
  if (context?.notes.includes('TCP Retransmission')) {
    const isSyn = (tcp.flags & 0x002) !== 0;
    const original = context.originalFrame !== undefined ? ` #${context.originalFrame}` : '';
    prefix = isSyn ? `[SynReTransmit${original}]` : `[ReTransmit${original}]`;
  }
  // Network Monitor tags a wrong checksum whatever the cause, the offload signature included:
  // "TCP:[SynReTransmit #3] [Bad CheckSum]Flags=......S., …"
  if (tcp.checksumStatus === 'bad' || tcp.checksumStatus === 'partial') prefix += `${prefix ? ' ' : ''}[Bad CheckSum]`;
  const seq = tcp.payloadLength > 0 ? `${tcp.seq} - ${(tcp.seq + tcp.payloadLength) % 0x100000000}` : String(tcp.seq);
  let window = `Win=${tcp.window}`;
  const isSyn = (tcp.flags & 0x002) !== 0;
  if (isSyn && tcp.options.windowScale !== undefined) {
    window += ` ( Negotiating scale factor 0x${tcp.options.windowScale.toString(16)} ) = ${tcp.window}`;
  } else if (context && context.windowShift > 0) {
    window += ` (scale factor 0x${context.windowShift.toString(16)}) = ${context.window}`;
  }
  return (
    `TCP:${prefix}Flags=${netmonFlags(tcp.flags)}, SrcPort=${port('tcp', tcp.srcPort)}, DstPort=${port('tcp', tcp.dstPort)}, ` +
    `PayloadLen=${tcp.payloadLength}, Seq=${seq}, Ack=${tcp.ack}, ${window}`
  );
}

function arpDescription(d: Dissection): string {
  const arp = d.arp!;
  const ip = (b: Uint8Array) => formatIP(b);
  const mac = (b: Uint8Array) => (b.length === 6 ? formatMac(b).toUpperCase().replace(/:/g, '-') : '');
  if (arp.opcode === 1) return `ARP:Request, ${ip(arp.senderIp)} asks for ${ip(arp.targetIp)}`;
  if (arp.opcode === 2) return `ARP:Response, ${ip(arp.senderIp)} at ${mac(arp.senderMac)}`;
  return `ARP:Opcode ${arp.opcode}`;
}
