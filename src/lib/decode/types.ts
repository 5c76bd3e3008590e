// One decoder shape for every layer (after gopacket's layers/*.go):
//   decodeX(bytes, offset, end) → X | Truncated
// where X holds the header's fields plus `payloadOffset`/`payloadEnd` into the same bytes
// (views, never copies). The IP decoders cut `payloadEnd` to the IP total length, so Ethernet
// padding never counts as TCP payload.

/** A layer that ended before its header did; kept as a value, not thrown. */
export interface Truncated {
  truncated: true;
  layer: string;
  /** Offset in the frame where the missing bytes start. */
  offset: number;
  /** Bytes the header needed from `offset`. */
  needed: number;
}

/** A header that is all there but cannot be right (IHL < 5, a length shorter than its header). */
export interface Malformed {
  malformed: true;
  layer: string;
  /** Offset in the frame of the header that is wrong. */
  offset: number;
  message: string;
}

/** Where a header sits in the frame, so the hex view can highlight it. */
export interface Span {
  offset: number;
  length: number;
}

export type ChecksumStatus = 'good' | 'bad' | 'unverified' | 'partial';
// 'partial': the field holds the folded pseudo-header sum — a checksum-offload signature
// (the NIC would have filled it in), not a corrupt packet.

export interface LayerBase extends Span {
  payloadOffset: number;
  payloadEnd: number;
}

export interface EthernetLayer extends LayerBase {
  dst: Uint8Array; // 6 bytes, view
  src: Uint8Array;
  /** EtherType after all VLAN tags. */
  type: number;
}

export interface VlanTag extends Span {
  tpid: number; // 0x8100 or 0x88a8
  priority: number;
  dei: boolean;
  id: number;
  type: number; // next EtherType
}

export interface SllLayer extends LayerBase {
  version: 1 | 2;
  packetType: number; // 0 to us, 4 outgoing, …
  addressType: number;
  address: Uint8Array;
  protocol: number;
  interfaceIndex?: number; // v2 only
}

export interface LoopbackLayer extends LayerBase {
  family: number;
}

/** An 802.11 MAC header (and the LLC/SNAP header of a data frame in the clear). */
export interface Ieee80211Layer extends LayerBase {
  /** Frame control as Wireshark shows wlan.fc: first byte << 8 | flags byte. */
  frameControl: number;
  /** type << 4 | subtype (wlan.fc.type_subtype): 0x20 Data, 0x28 QoS Data, … */
  typeSubtype: number;
  toDs: boolean;
  fromDs: boolean;
  /** The body is encrypted (WEP/TKIP/CCMP): nothing after the MAC header can be read. */
  protected: boolean;
  /** Address 1, 2, 3 (and 4) as they stand in the header (views). */
  addresses: Uint8Array[];
  source?: Uint8Array;
  destination?: Uint8Array;
  bssid?: Uint8Array;
  receiver?: Uint8Array;
  transmitter?: Uint8Array;
  sequenceNumber?: number;
  /** From the LLC/SNAP header of an unprotected data frame. */
  etherType?: number;
}

/** The radiotap header in front of an 802.11 frame (link type 127). */
export interface RadiotapLayer extends LayerBase {
  /** The Flags field says the frame ends with its 4-byte FCS. */
  fcs: boolean;
}

/** A GRE header (RFC 2784/2890). */
export interface GreLayer extends LayerBase {
  /** 0 GRE, 1 PPTP's enhanced GRE. */
  version: number;
  /** Protocol type (an EtherType): 0x0800 IPv4, 0x86DD IPv6, 0x6558 Ethernet bridging, … */
  protocol: number;
  key?: number;
}

/** One tunnel around the packet: the outer IP header, and the GRE header when there is one. */
export interface TunnelLayer {
  outer: IPLayer;
  gre?: GreLayer;
}

/** A PPPoE session header (EtherType 0x8864) and the PPP protocol field after it. */
export interface PppoeLayer extends LayerBase {
  sessionId: number;
  /** PPPoE payload length. */
  payloadLength: number;
  /** PPP protocol: 0x0021 IPv4, 0x0057 IPv6, 0xc021 LCP, … */
  pppProtocol: number;
}

export interface IPv4Layer extends LayerBase {
  version: 4;
  headerLength: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  fragmentOffset: number; // in bytes
  ttl: number;
  protocol: number;
  checksum: number;
  checksumStatus: ChecksumStatus;
  src: Uint8Array; // 4 bytes, view
  dst: Uint8Array;
}

export interface IPv6Layer extends LayerBase {
  version: 6;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  /** The first Next Header (ipv6.nxt). */
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array; // 16 bytes, view
  dst: Uint8Array;
  /** Upper-layer protocol after extension headers. */
  protocol: number;
  extensionHeaders: number[];
  /** Set when a Fragment header says this is not the first fragment. */
  fragmentOffset: number;
  moreFragments: boolean;
  /**
   * The last address of a type 0/2 Routing header with segments left: the packet's real
   * destination, which TCP/UDP/ICMPv6 checksums cover instead of `dst`.
   */
  finalDestination?: Uint8Array;
  /** Identification from the Fragment header, when there is one. */
  fragmentIdentification?: number;
  /** Set when an extension header ran past the captured bytes; `protocol` is then that header. */
  extensionTruncated?: Truncated;
}

export type IPLayer = IPv4Layer | IPv6Layer;

export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  sack?: Array<[number, number]>;
  timestamp?: { value: number; echo: number };
}

export interface TcpLayer extends LayerBase {
  srcPort: number;
  dstPort: number;
  seq: number; // raw, unsigned 32-bit
  ack: number; // raw
  headerLength: number;
  /** All 12 flag bits: AE(0x100) CWR ECE URG ACK PSH RST SYN FIN(0x001), as tcp.flags. */
  flags: number;
  window: number; // raw window field (tcp.window_size_value)
  checksum: number;
  checksumStatus: ChecksumStatus;
  urgentPointer: number;
  options: TcpOptions;
  /** Payload bytes (tcp.len). */
  payloadLength: number;
}

export interface UdpLayer extends LayerBase {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  checksumStatus: ChecksumStatus;
}

/**
 * The start of the datagram an ICMP/ICMPv6 error quotes. Its headers count as extra occurrences
 * of ip.*, tcp.*, udp.* fields, as in tshark (`tcp.port==3389` matches an unreachable quoting a
 * SYN to 3389).
 */
export interface QuotedPacket {
  ip: IPLayer;
  /** Usually only the first 8 bytes of TCP are quoted (ports + seq): fields past them are absent. */
  tcp?: Partial<TcpLayer> & { srcPort: number; dstPort: number; seq?: number };
  udp?: Partial<UdpLayer> & { srcPort: number; dstPort: number };
}

export interface IcmpLayer extends LayerBase {
  version: 4 | 6;
  type: number;
  code: number;
  checksum: number;
  checksumStatus: ChecksumStatus;
  /** Echo id/seq when present. */
  identifier?: number;
  sequence?: number;
  quoted?: QuotedPacket;
}

export interface ArpLayer extends Span {
  hardwareType: number;
  protocolType: number;
  opcode: number;
  senderMac: Uint8Array;
  senderIp: Uint8Array;
  targetMac: Uint8Array;
  targetIp: Uint8Array;
}

/**
 * Everything we know about one frame after decoding. Layers absent from the frame are undefined.
 * `problem` says why decoding stopped early, if it did (truncation, unknown link type, …).
 */
export interface Dissection {
  linkType: number;
  eth?: EthernetLayer;
  vlan?: VlanTag[];
  sll?: SllLayer;
  loopback?: LoopbackLayer;
  radiotap?: RadiotapLayer;
  wlan?: Ieee80211Layer;
  pppoe?: PppoeLayer;
  /** Outer headers of IP-in-IP, 6in4 and GRE tunnels, outermost first; `ip` is the innermost packet. */
  tunnels?: TunnelLayer[];
  arp?: ArpLayer;
  ip?: IPLayer;
  tcp?: TcpLayer;
  udp?: UdpLayer;
  icmp?: IcmpLayer;
  /** e.g. "link type 105 (IEEE 802.11) is not decoded", or the Truncated value of a layer. */
  problem?: string;
  truncated?: Truncated;
}
