// Anonymize a capture before it leaves the instructor's hands (export, share link, add-trace):
//   * addresses remapped consistently (address-map.ts): Ethernet and Linux-cooked MACs, ARP,
//     IPv4/IPv6 source and destination, IPv6 routing headers and home-address options, the IP
//     header an ICMP error quotes, and the addresses inside IPv6 Neighbor Discovery (targets,
//     link-layer options, prefixes, DNS servers);
//   * payloads removed (zeroed or cut, below): TCP and UDP data, ICMP echo data, the payload of
//     the datagram an ICMP error quotes (its IP and TCP/UDP headers stay: they tie the error to
//     the SYN it answers), the payload of other IP protocols and fragments (tunnels included:
//     an IP-in-IP or GRE packet keeps its outer header only), the body of non-IP
//     frames (LLDP, CDP, STP…) and Ethernet padding; IPv4 options are overwritten with NOPs
//     (record-route carries addresses); the FCS is dropped; comments and interface names,
//     which are free text, are dropped;
//   * lengths and checksums fixed up so Wireshark sees well-formed packets.
//
// What the lessons rely on survives: packet count and order (frame i is still frame i, so
// indices chosen in the original select the same packets), time stamps, directions, TCP ports,
// flags, sequence and acknowledgement numbers, windows and options, TTLs, ICMP types and
// codes, and the checksum verdicts: a good checksum is recomputed good, a checksum-offload
// 'partial' one is recomputed as the folded pseudo-header sum over the NEW addresses (so the
// red herring the lesson explains is still there, and still recognisable as offload), and a
// bad one stays bad.
//
// Payload bytes are zeroed by default: frames keep their sizes, so Wireshark's TCP analysis
// (Len, next sequence number, "previous segment not captured") and our classifier see exactly
// what they saw before (tests/lab/anonymize-verdicts.test.ts holds every verdict, history and
// packet role equal), and zeros compress to almost nothing in a share link. `payload: 'cut'`
// ends frames after the transport header and shortens the IP/UDP lengths instead: the file is
// small, verdicts are the same, but data segments become empty ACKs (the history loses its
// D/d) and Wireshark notes the missing data. Payload lengths (not contents) survive 'zero'.
//
// Frames whose content we cannot walk (an undecoded link type, 802.11, a damaged link header) are
// emptied — kept as a zero-length frame so numbering is unchanged — rather than passed through
// with addresses we could not find.
import type { CaptureInterface } from '../capture/types.ts';
import { fold, pseudoHeaderSum, sumWords, u16 } from '../decode/bytes.ts';
import { decodeFrame } from '../decode/index.ts';
import { transportChecksumStatus } from '../decode/tcp.ts';
import type { ChecksumStatus, Dissection, IcmpLayer, IPLayer } from '../decode/types.ts';
import type { Capture, Packet } from '../packets.ts';
import { AddressMap, addressMapKey, type AddressCounts } from './address-map.ts';

export interface AnonymizeOptions {
  /**
   * A passphrase: the same passphrase maps addresses the same way in every file, so a client
   * and a server capture anonymized with it still match each other. Without one, a random key
   * is used and thrown away (nobody, including us, can undo the mapping).
   */
  key?: string;
  /** 'zero' (default): payload bytes become zeros, sizes stay. 'cut': frames end after the transport header. */
  payload?: 'cut' | 'zero';
}

export interface AnonymizationReport {
  /** Distinct addresses remapped. */
  addresses: AddressCounts;
  /** Frame numbers emptied because their content could not be walked safely. */
  emptiedFrames: number[];
  /** Payload bytes removed or zeroed, over all frames. */
  payloadBytes: number;
}

export interface AnonymizedCapture extends Capture {
  anonymization: AnonymizationReport;
}

const TRANSPORT_LAYERS = new Set(['tcp', 'udp', 'icmp', 'icmpv6']);

const IP_PROTO_ICMP = 1;
const IP_PROTO_TCP = 6;
const IP_PROTO_UDP = 17;
const IP_PROTO_ICMPV6 = 58;

/** ICMPv6 Neighbor Discovery: where the options start in each message. */
const ND_OPTIONS_AT: Record<number, number> = { 133: 8, 134: 16, 135: 24, 136: 24, 137: 40 };
const ND_OPTION_SOURCE_LL = 1;
const ND_OPTION_TARGET_LL = 2;
const ND_OPTION_PREFIX = 3;
const ND_OPTION_MTU = 5;
const ND_OPTION_RDNSS = 25;
/** MLD query/report/done: the one address they carry is a multicast group. */
const MLD_TYPES = new Set([130, 131, 132]);
const MLDV2_REPORT = 143;

export function anonymizeCapture(capture: Capture, options: AnonymizeOptions = {}): AnonymizedCapture {
  const map = new AddressMap(addressMapKey(options.key));
  const mode = options.payload ?? 'zero';
  const fcsLengths: number[] = [];
  for (const iface of capture.info.interfaces) fcsLengths[iface.id] = iface.fcsLength;
  const report: AnonymizationReport = { addresses: map.counts, emptiedFrames: [], payloadBytes: 0 };
  const packets = capture.packets.map((packet) => {
    const rewritten = rewritePacket(packet, map, mode, fcsLengths[packet.interfaceId] ?? 0);
    if (rewritten.emptied) report.emptiedFrames.push(packet.number);
    report.payloadBytes += rewritten.payloadBytes;
    return rewritten.packet;
  });
  report.addresses = map.counts;
  const interfaces: CaptureInterface[] = capture.info.interfaces.map((iface) => ({
    id: iface.id,
    linkType: iface.linkType,
    snapLength: iface.snapLength,
    // The FCS is removed from every frame (it would be wrong after the rewrite anyway).
    fcsLength: 0,
  }));
  const result: AnonymizedCapture = {
    info: { ...capture.info, interfaces, comments: [] },
    packets,
    anonymization: report,
  };
  if (capture.error) result.error = capture.error;
  return result;
}

interface Rewritten {
  packet: Packet;
  emptied: boolean;
  payloadBytes: number;
}

/** Offsets of a view inside the packet's data. */
const offsetIn = (packet: Packet, view: Uint8Array): number => view.byteOffset - packet.data.byteOffset;

/** A TCP/UDP/ICMP checksum to recompute over the final bytes. */
interface TransportChecksum {
  kind: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  offset: number;
  was: ChecksumStatus;
  /** UDP over IPv4 with checksum 0: "not computed", left alone. */
  none?: boolean;
}

/** Checksum fix-ups to apply once the bytes are final, innermost first. */
interface ChecksumPlan {
  /** Quoted IPv4 header (inside an ICMP error) whose checksum was good. */
  quotedIPv4?: { offset: number; headerLength: number };
  /** The TCP/UDP header an ICMP error quotes, when the quoted datagram is there whole. */
  quotedTransport?: TransportChecksum & { ip: IPLayer };
  transport?: TransportChecksum;
  ipv4?: { offset: number; headerLength: number; was: ChecksumStatus; field: number };
  /** IPv6 with a routing header or a home address: where the pseudo-header's addresses are. */
  pseudoHeader?: PseudoHeaderAddresses;
}

function rewritePacket(packet: Packet, map: AddressMap, mode: 'cut' | 'zero', fcsLength: number): Rewritten {
  // A tunnelled packet is anonymized as its outer packet: the tunnel and everything in it is
  // payload (removed), so no inner address survives unmapped.
  const tunnel = packet.dissection.tunnels?.[0];
  const d: Dissection = tunnel
    ? {
        ...packet.dissection,
        ip: tunnel.outer,
        tcp: undefined,
        udp: undefined,
        icmp: undefined,
        tunnels: undefined,
        truncated: undefined,
        problem: undefined,
      }
    : packet.dissection;
  const source = packet.data;
  const complete = packet.capturedLength === packet.originalLength;
  // The bytes we consider the frame's content: without an FCS, when the interface appends one.
  let end = Math.min(source.length, packet.capturedLength);
  if (fcsLength > 0 && complete && end >= fcsLength) end -= fcsLength;

  const linkEnd = linkHeaderEnd(d);
  if (linkEnd < 0) return finish(packet, new Uint8Array(0), packet.originalLength, true);

  // Where the frame will end, and ranges of bytes to zero (payloads, in 'zero' mode; padding).
  let cut = linkEnd;
  const zeroRanges: Array<[number, number]> = [];
  const writes: Array<(out: Uint8Array) => void> = [];
  const plan: ChecksumPlan = {};
  /** The IP length field to rewrite when the datagram is cut short. */
  let shortenIp: IPLayer | undefined;
  let udpLengthAt = -1;
  let payloadBytes = 0;

  if (d.eth) {
    const eth = d.eth;
    const at = eth.offset;
    writes.push((out) => {
      out.set(map.mapMac(source.subarray(at, at + 6)), at);
      out.set(map.mapMac(source.subarray(at + 6, at + 12)), at + 6);
    });
  }
  if (d.sll && d.sll.address.length === 6) {
    const at = offsetIn(packet, d.sll.address);
    const address = d.sll.address;
    writes.push((out) => out.set(map.mapMac(address), at));
  }

  if (d.arp) {
    const arp = d.arp;
    cut = arp.offset + arp.length;
    if (arp.senderMac.length !== 6 || (arp.senderIp.length !== 4 && arp.senderIp.length !== 16)) {
      // Addresses of sizes we do not map (not Ethernet/IP): zeroed, the header kept.
      zeroRanges.push([arp.offset + 8, arp.offset + arp.length]);
    } else {
      for (const view of [arp.senderMac, arp.targetMac]) {
        const at = offsetIn(packet, view);
        writes.push((out) => out.set(map.mapMac(view), at));
      }
      for (const view of [arp.senderIp, arp.targetIp]) {
        const at = offsetIn(packet, view);
        writes.push((out) => out.set(map.mapIP(view), at));
      }
    }
  } else if (d.ip) {
    const ip = d.ip;
    cut = ip.payloadOffset;
    writes.push((out) => {
      out.set(map.mapIP(ip.src), offsetIn(packet, ip.src));
      out.set(map.mapIP(ip.dst), offsetIn(packet, ip.dst));
    });
    if (ip.version === 4) {
      plan.ipv4 = { offset: ip.offset, headerLength: ip.headerLength, was: ip.checksumStatus, field: ip.checksum };
    } else if (ip.extensionHeaders.length > 0) {
      plan.pseudoHeader = planIPv6Extensions(packet.data, ip, map, writes, zeroRanges);
    }
    // Cut short inside the TCP/UDP/ICMP header (not inside an IPv6 extension header, whose
    // remaining bytes may hold addresses).
    const transportTruncated =
      d.truncated !== undefined && TRANSPORT_LAYERS.has(d.truncated.layer) && d.truncated.offset >= ip.payloadOffset;
    if (d.tcp) {
      const tcp = d.tcp;
      cut = tcp.payloadOffset;
      payloadBytes = ip.payloadEnd - tcp.payloadOffset;
      plan.transport = { kind: 'tcp', offset: tcp.offset, was: tcp.checksumStatus };
      shortenIp = ip;
    } else if (d.udp) {
      const udp = d.udp;
      cut = udp.payloadOffset;
      payloadBytes = udp.payloadEnd - udp.payloadOffset;
      plan.transport = {
        kind: 'udp',
        offset: udp.offset,
        was: udp.checksumStatus,
        none: ip.version === 4 && udp.checksum === 0,
      };
      shortenIp = ip;
      udpLengthAt = udp.offset + 4;
    } else if (d.icmp) {
      cut = planIcmp(packet, d.icmp, ip, map, writes, zeroRanges, plan);
      payloadBytes = ip.payloadEnd - cut;
      shortenIp = ip;
    } else if (transportTruncated) {
      // The capture was sliced inside the transport header: no payload byte is present, and
      // what is there (ports, flags) is what the lessons need. Keep it; the frame stays sliced.
      cut = end;
    } else {
      // Another protocol, a later fragment, or a transport header that could not be decoded.
      payloadBytes = ip.payloadEnd - ip.payloadOffset;
      shortenIp = ip;
    }
  } else {
    // A non-IP, non-ARP frame: keep the link header only.
    payloadBytes = end - linkEnd;
  }

  cut = Math.min(cut, end);
  // 'zero': what 'cut' would drop (payload, quoted data, Ethernet padding, which may hold stale
  // memory — the "Etherleak" bug) is zeroed instead, and no length field changes.
  if (mode === 'zero') {
    zeroRanges.push([cut, end]);
    cut = end;
    shortenIp = undefined;
  }

  const out = source.slice(0, cut);
  for (const [from, to] of zeroRanges) out.fill(0, Math.min(from, cut), Math.min(to, cut));
  // IPv4 options (record route, timestamps) can carry addresses: NOPs keep the header's length.
  if (d.ip?.version === 4 && d.ip.headerLength > 20)
    out.fill(1, d.ip.offset + 20, Math.min(d.ip.offset + d.ip.headerLength, cut));
  for (const write of writes) write(out);

  // When bytes of the datagram were dropped (including bytes a sliced capture never had), the
  // IP (and UDP) length fields are shortened to what is left, making the frame whole again.
  let rewroteLength = false;
  if (shortenIp !== undefined && cut >= shortenIp.payloadOffset && cut < declaredEnd(shortenIp)) {
    rewroteLength = true;
    const ip = shortenIp;
    if (ip.version === 4) setU16(out, ip.offset + 2, cut - ip.offset);
    else setU16(out, ip.offset + 4, cut - ip.offset - 40);
    if (udpLengthAt >= 0) setU16(out, udpLengthAt, 8);
  }

  const moved = plan.pseudoHeader;
  if (plan.transport && (moved?.sourceAt !== undefined || moved?.destinationAt !== undefined)) {
    plan.transport.was = verdictWithMovedAddresses(source, d, plan, end);
  }
  applyChecksums(out, d, plan, cut);

  // The wire length: a complete frame, or one whose datagram we shortened, is now exactly what
  // we wrote; a sliced frame stays sliced by as much as before.
  let originalLength: number;
  if (complete || rewroteLength) originalLength = out.length;
  else originalLength = Math.max(out.length, packet.originalLength - (source.length - out.length));
  return finish(packet, out, originalLength, false, payloadBytes);
}

/** Where the datagram ends by its own length field (what was on the wire, captured or not). */
function declaredEnd(ip: IPLayer): number {
  if (ip.version === 4) return ip.totalLength === 0 ? ip.payloadEnd : ip.offset + ip.totalLength;
  return ip.payloadLength === 0 ? ip.payloadEnd : ip.offset + 40 + ip.payloadLength;
}

function finish(
  packet: Packet,
  data: Uint8Array,
  originalLength: number,
  emptied: boolean,
  payloadBytes = 0,
): Rewritten {
  const rewritten: Packet = {
    number: packet.number,
    seconds: packet.seconds,
    nanoseconds: packet.nanoseconds,
    capturedLength: data.length,
    originalLength: Math.max(originalLength, data.length),
    linkType: packet.linkType,
    interfaceId: packet.interfaceId,
    data,
    direction: packet.direction,
    comments: undefined,
    dissection: undefined as unknown as Dissection,
  };
  rewritten.dissection = decodeFrame(rewritten, 0);
  return { packet: rewritten, emptied, payloadBytes: Math.max(0, payloadBytes) };
}

/** Where the link-layer header ends, or -1 when we cannot tell (then the frame is emptied). */
function linkHeaderEnd(d: Dissection): number {
  // PPPoE: its session header and the PPP protocol field stay (they hold no address).
  if (d.pppoe) return d.pppoe.payloadOffset;
  if (d.eth) return d.eth.payloadOffset;
  if (d.sll) return d.sll.payloadOffset;
  if (d.loopback) return d.loopback.payloadOffset;
  // 802.11 (with or without radiotap): emptied, as before the decoder read it. Its addresses and
  // its radiotap FCS flag are not rewritten, so no byte of it is kept.
  if (d.wlan || d.radiotap) return -1;
  if (d.ip) return d.ip.offset; // raw IP link types
  return -1;
}

const setU16 = (bytes: Uint8Array, at: number, value: number): void => {
  if (at + 2 > bytes.length) return;
  bytes[at] = (value >> 8) & 0xff;
  bytes[at + 1] = value & 0xff;
};

/**
 * ICMP/ICMPv6: queue the address rewrites inside the message and return where the message
 * should end (everything after is payload to drop).
 */
function planIcmp(
  packet: Packet,
  icmp: IcmpLayer,
  ip: IPLayer,
  map: AddressMap,
  writes: Array<(out: Uint8Array) => void>,
  zeroRanges: Array<[number, number]>,
  plan: ChecksumPlan,
): number {
  const bytes = packet.data;
  const start = icmp.offset;
  const end = ip.payloadEnd;
  plan.transport = { kind: icmp.version === 4 ? 'icmp' : 'icmpv6', offset: start, was: icmp.checksumStatus };
  const headerEnd = Math.min(start + 8, end);
  if (icmp.quoted) {
    const quoted = icmp.quoted.ip;
    writes.push((out) => {
      out.set(map.mapIP(quoted.src), offsetIn(packet, quoted.src));
      out.set(map.mapIP(quoted.dst), offsetIn(packet, quoted.dst));
    });
    if (quoted.version === 4 && quoted.checksumStatus === 'good')
      plan.quotedIPv4 = { offset: quoted.offset, headerLength: quoted.headerLength };
    // Keep the quoted transport header (ports, sequence number, flags: what ties the error to
    // the SYN it answers) and drop the quoted payload.
    const tcp = icmp.quoted.tcp;
    const udp = icmp.quoted.udp;
    const headerEnd = tcp?.payloadOffset ?? (udp?.checksum !== undefined ? quoted.payloadOffset + 8 : undefined);
    if (headerEnd === undefined) return Math.min(quoted.payloadOffset + 8, end); // RFC 792: IP header + 8 bytes
    const quotedEnd = declaredEnd(quoted);
    // Recomputed when the final frame still holds the whole quoted datagram (with 'cut', only
    // when it had no payload; with 'zero', its payload is zeros); otherwise it is unverifiable.
    if (quotedEnd <= end && !quoted.moreFragments && quoted.fragmentOffset === 0) {
      const kind = tcp ? 'tcp' : 'udp';
      const checksum = tcp?.checksum ?? udp?.checksum ?? 0;
      const protocol = tcp ? IP_PROTO_TCP : IP_PROTO_UDP;
      const base = pseudoHeaderSum(quoted.src, quoted.dst, protocol, quotedEnd - quoted.payloadOffset);
      const none = kind === 'udp' && quoted.version === 4 && checksum === 0;
      const was = transportChecksumStatus(bytes, quoted.payloadOffset, quotedEnd, base, checksum);
      plan.quotedTransport = { kind, offset: quoted.payloadOffset, was, none, ip: quoted };
    }
    return Math.min(headerEnd, end);
  }
  if (icmp.version === 6) {
    const type = icmp.type;
    const optionsAt = ND_OPTIONS_AT[type];
    if (optionsAt !== undefined) {
      // Targets: NS/NA target at +8; Redirect target at +8 and destination at +24.
      const addressSlots = type === 135 || type === 136 ? [8] : type === 137 ? [8, 24] : [];
      for (const slot of addressSlots) {
        const at = start + slot;
        if (at + 16 <= end) {
          const view = bytes.subarray(at, at + 16);
          writes.push((out) => out.set(map.mapIPv6(view), at));
        }
      }
      let at = start + optionsAt;
      while (at + 2 <= end) {
        const optionType = bytes[at];
        const length = bytes[at + 1] * 8;
        if (length === 0 || at + length > end) return at; // malformed: drop the rest
        const optionStart = at;
        if ((optionType === ND_OPTION_SOURCE_LL || optionType === ND_OPTION_TARGET_LL) && length === 8) {
          const view = bytes.subarray(optionStart + 2, optionStart + 8);
          writes.push((out) => out.set(map.mapMac(view), optionStart + 2));
        } else if (optionType === ND_OPTION_PREFIX && length === 32) {
          const prefixLength = bytes[optionStart + 2];
          const view = bytes.subarray(optionStart + 16, optionStart + 32);
          writes.push((out) => out.set(maskPrefix(map.mapIPv6(view), prefixLength), optionStart + 16));
        } else if (optionType === ND_OPTION_RDNSS && length >= 24) {
          for (let a = optionStart + 8; a + 16 <= optionStart + length; a += 16) {
            const view = bytes.subarray(a, a + 16);
            const target = a;
            writes.push((out) => out.set(map.mapIPv6(view), target));
          }
        } else if (optionType !== ND_OPTION_MTU) {
          // Other options (redirected header, DNS search list, …) may carry anything: zero them.
          zeroRanges.push([optionStart + 2, optionStart + length]);
        }
        at += length;
      }
      return end;
    }
    if (MLD_TYPES.has(type)) {
      const at = start + 8;
      if (at + 16 <= end) {
        const view = bytes.subarray(at, at + 16);
        writes.push((out) => out.set(map.mapIPv6(view), at));
      }
      return Math.min(start + 24, end);
    }
    if (type === MLDV2_REPORT) {
      // Keep an empty report: the records list groups and sources.
      writes.push((out) => setU16(out, start + 6, 0));
      return headerEnd;
    }
  }
  // Echo and everything else: the 8-byte header (type, code, checksum, id/sequence) only.
  return headerEnd;
}

const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AUTH = 51;
const IPV6_DEST_OPTS = 60;
/** Destination option carrying a Mobile IPv6 home address (RFC 6275). */
const OPTION_HOME_ADDRESS = 0xc9;
const OPTION_PAD1 = 0;
/** PadN, Router Alert, Jumbo Payload: no addresses, and routers act on the last two. */
const HARMLESS_OPTIONS = new Set([1, 5, 0xc2]);

/** Where the addresses a TCP/UDP/ICMPv6 pseudo-header uses sit, when not in the IPv6 header. */
interface PseudoHeaderAddresses {
  /** A home-address option's address (Mobile IPv6). */
  sourceAt?: number;
  /** The final destination of a routing header with segments left. */
  destinationAt?: number;
}

/**
 * Addresses inside IPv6 extension headers: the routing header's list (type 0, type 2's home
 * address, type 4's segment list) and the home-address destination option. Routing types we
 * cannot read (RPL's compressed form, unknown ones) have their data zeroed.
 */
function planIPv6Extensions(
  bytes: Uint8Array,
  ip: IPLayer,
  map: AddressMap,
  writes: Array<(out: Uint8Array) => void>,
  zeroRanges: Array<[number, number]>,
): PseudoHeaderAddresses {
  const found: PseudoHeaderAddresses = {};
  if (ip.version !== 6) return found;
  const mapAt = (at: number): void => {
    const view = bytes.subarray(at, at + 16);
    writes.push((out) => out.set(map.mapIPv6(view), at));
  };
  let header = ip.nextHeader;
  let at = ip.offset + 40;
  for (let n = 0; n < ip.extensionHeaders.length; n++) {
    if (at + 8 > ip.payloadOffset) break;
    const size =
      header === IPV6_AUTH ? (bytes[at + 1] + 2) * 4 : header === IPV6_FRAGMENT ? 8 : (bytes[at + 1] + 1) * 8;
    const end = Math.min(at + size, ip.payloadOffset);
    if (header === IPV6_ROUTING) {
      const type = bytes[at + 2];
      const count = type === 4 ? bytes[at + 4] + 1 : type === 0 || type === 2 ? bytes[at + 1] >> 1 : 0;
      if (count === 0) zeroRanges.push([at + 8, end]);
      for (let i = 0; i < count && at + 8 + 16 * (i + 1) <= end; i++) mapAt(at + 8 + 16 * i);
      // RFC 8200 §8.1: TCP/UDP/ICMPv6 checksums use the final destination: the last address of
      // a type 0/2 list, the first of a segment routing list.
      const segmentsLeft = bytes[at + 3];
      const finalAt = type === 4 ? at + 8 : at + 8 + 16 * (count - 1);
      if (count > 0 && segmentsLeft > 0 && finalAt + 16 <= end) found.destinationAt = finalAt;
    } else if (header === IPV6_DEST_OPTS || header === IPV6_HOP_BY_HOP) {
      // Options: a home address is remapped (tshark reads its 16 bytes whatever the length
      // byte says, so do we); the data of any other option is zeroed, and so is everything
      // after an option whose length runs past the header.
      let option = at + 2;
      while (option < end) {
        const type = bytes[option];
        if (type === OPTION_PAD1) {
          option += 1;
          continue;
        }
        const length = option + 2 <= end ? bytes[option + 1] : end;
        if (option + 2 + length > end) {
          // Type and length stay, so the header reads exactly as malformed as before.
          zeroRanges.push([option + 2, end]);
          break;
        }
        if (type === OPTION_HOME_ADDRESS && option + 18 <= end) {
          mapAt(option + 2);
          // RFC 6275 §6.3: checksums use the home address as the source.
          if (header === IPV6_DEST_OPTS) found.sourceAt = option + 2;
        } else if (!HARMLESS_OPTIONS.has(type)) zeroRanges.push([option + 2, option + 2 + length]);
        option += 2 + length;
      }
    }
    header = bytes[at];
    at += size;
  }
  return found;
}

/** Zero the bits after the prefix length (a prefix field holds only the prefix). */
function maskPrefix(address: Uint8Array, length: number): Uint8Array {
  const out = address.slice();
  for (let i = Math.max(0, length); i < 128; i++) out[i >> 3] &= ~(0x80 >> (i & 7));
  return out;
}

/** A value that is neither the good checksum nor the offload signature: keeps 'bad' bad. */
function keepBad(good: number, partial: number): number {
  let value = good ^ 0x5a5a;
  if (value === partial) value = good ^ 0xa5a5;
  return value;
}

function applyChecksums(out: Uint8Array, original: Dissection, plan: ChecksumPlan, cut: number): void {
  if (plan.quotedTransport) {
    const quoted = plan.quotedTransport;
    writeTransportChecksum(out, quoted, quoted.ip, declaredEnd(quoted.ip), cut);
  }
  if (plan.quotedIPv4) {
    const { offset, headerLength } = plan.quotedIPv4;
    if (offset + headerLength <= cut) writeIPv4HeaderChecksum(out, offset, headerLength);
  }
  const ip = original.ip;
  if (plan.transport && ip && !ip.moreFragments && ip.fragmentOffset === 0) {
    // Where the datagram now ends, by its (possibly rewritten) length field; 0 means "as
    // captured" (segmentation offload), as the decoders read it.
    const lengthField = u16(out, ip.version === 4 ? ip.offset + 2 : ip.offset + 4);
    const segmentEnd = lengthField === 0 ? cut : ip.offset + lengthField + (ip.version === 4 ? 0 : 40);
    writeTransportChecksum(out, plan.transport, ip, segmentEnd, cut, plan.pseudoHeader);
  }
  if (plan.ipv4) {
    const { offset, headerLength, was, field } = plan.ipv4;
    if (offset + headerLength <= cut) {
      // A zero field on a sent packet is Windows' offload signature: keep it zero.
      if (was === 'bad' && field === 0) return;
      const good = writeIPv4HeaderChecksum(out, offset, headerLength);
      if (was === 'bad') setU16(out, offset + 10, keepBad(good, -1));
    }
  }
}

/**
 * Recomputes a TCP/UDP/ICMP checksum over out[t.offset, segmentEnd) with the addresses now in
 * the IP header, keeping its verdict: good stays good, 'partial' (offload) becomes the folded
 * pseudo-header sum over the new addresses, bad stays bad. A checksum that could not be
 * verified before (the frame was sliced) is computed good once the segment is whole again.
 */
function writeTransportChecksum(
  out: Uint8Array,
  t: TransportChecksum,
  ip: IPLayer,
  segmentEnd: number,
  cut: number,
  moved: PseudoHeaderAddresses = {},
): void {
  if (t.none || segmentEnd > cut) return;
  const srcAt = moved.sourceAt ?? addressOffset(ip, 'src');
  const dstAt = moved.destinationAt ?? addressOffset(ip, 'dst');
  const size = ip.version === 4 ? 4 : 16;
  const src = out.subarray(srcAt, srcAt + size);
  const dst = out.subarray(dstAt, dstAt + size);
  const checksumAt = t.offset + (t.kind === 'tcp' ? 16 : t.kind === 'udp' ? 6 : 2);
  if (checksumAt + 2 > cut) return;
  const protocol =
    t.kind === 'tcp'
      ? IP_PROTO_TCP
      : t.kind === 'udp'
        ? IP_PROTO_UDP
        : t.kind === 'icmpv6'
          ? IP_PROTO_ICMPV6
          : IP_PROTO_ICMP;
  const base = t.kind === 'icmp' ? 0 : pseudoHeaderSum(src, dst, protocol, segmentEnd - t.offset);
  setU16(out, checksumAt, 0);
  let good = 0xffff - fold(sumWords(out, t.offset, segmentEnd, base));
  // UDP sends a computed 0 as 0xffff (0 means "no checksum").
  if (good === 0 && t.kind === 'udp') good = 0xffff;
  const partial = fold(base);
  setU16(out, checksumAt, t.was === 'partial' ? partial : t.was === 'bad' ? keepBad(good, partial) : good);
}

/**
 * The decoders check TCP/UDP/ICMPv6 checksums against the IPv6 header's addresses; behind a
 * routing header with segments left the sender used the final destination, and with a home
 * address option the home address. Re-judge the original that way, so a good checksum is known
 * to be good.
 */
function verdictWithMovedAddresses(source: Uint8Array, d: Dissection, plan: ChecksumPlan, end: number): ChecksumStatus {
  const t = plan.transport!;
  const ip = d.ip!;
  const moved = plan.pseudoHeader ?? {};
  const segmentEnd = ip.version === 6 && ip.payloadLength !== 0 ? ip.offset + 40 + ip.payloadLength : end;
  if (t.was === 'unverified' || segmentEnd > end || t.kind === 'icmp') return t.was;
  const src = moved.sourceAt === undefined ? ip.src : source.subarray(moved.sourceAt, moved.sourceAt + 16);
  const dst =
    moved.destinationAt === undefined ? ip.dst : source.subarray(moved.destinationAt, moved.destinationAt + 16);
  const protocol = t.kind === 'tcp' ? IP_PROTO_TCP : t.kind === 'udp' ? IP_PROTO_UDP : IP_PROTO_ICMPV6;
  const field = u16(source, t.offset + (t.kind === 'tcp' ? 16 : t.kind === 'udp' ? 6 : 2));
  const base = pseudoHeaderSum(src, dst, protocol, segmentEnd - t.offset);
  if (t.kind === 'icmpv6') return fold(sumWords(source, t.offset, segmentEnd, base)) === 0xffff ? 'good' : 'bad';
  return transportChecksumStatus(source, t.offset, segmentEnd, base, field);
}

/** Offset of the IP layer's src/dst field in the frame (the views point into the original data). */
function addressOffset(ip: IPLayer, which: 'src' | 'dst'): number {
  if (ip.version === 4) return ip.offset + (which === 'src' ? 12 : 16);
  return ip.offset + (which === 'src' ? 8 : 24);
}

function writeIPv4HeaderChecksum(out: Uint8Array, offset: number, headerLength: number): number {
  setU16(out, offset + 10, 0);
  const value = 0xffff - fold(sumWords(out, offset, offset + headerLength, 0));
  setU16(out, offset + 10, value);
  return value;
}
