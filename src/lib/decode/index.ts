// decodeFrame: one captured frame → its layers, dispatching on the link type, then EtherType /
// address family / IP version, then IP protocol. Never throws for bad bytes: a header cut short
// becomes `truncated` (+ `problem`), a header that cannot be right becomes `problem`, and every
// layer decoded before that is kept.
import { LinkType, type CapturedFrame } from '../capture/types.ts';
import { pseudoHeaderSum, pseudoHeaderSumAt } from './bytes.ts';
import { decodeArp } from './arp.ts';
import {
  decodeEthernet,
  decodeVlanTag,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  isVlanTpid,
} from './ethernet.ts';
import { decodeIcmp } from './icmp.ts';
import { decodeIeee80211 } from './ieee80211.ts';
import { decodePppoeSession, ETHERTYPE_PPPOE_SESSION, PPP_IPV4, PPP_IPV6 } from './pppoe.ts';
import { decodeRadiotap } from './radiotap.ts';
import { decodeGre, IP_PROTO_GRE, IP_PROTO_IPIP, IP_PROTO_IPV6, MAX_TUNNEL_DEPTH } from './tunnel.ts';
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import { linkTypeName } from './linktypes.ts';
import { decodeLoopback, loopbackIpVersion } from './loopback.ts';
import { decodeSll, decodeSll2 } from './sll.ts';
import { decodeTcp } from './tcp.ts';
import type { Dissection, Malformed, Truncated, TunnelLayer } from './types.ts';
import { decodeUdp } from './udp.ts';

export { linkTypeName } from './linktypes.ts';

const IP_PROTO_ICMP = 1;
const IP_PROTO_TCP = 6;
const IP_PROTO_UDP = 17;
const IP_PROTO_ICMPV6 = 58;

/** 802.11 with a radiotap header in front (LINKTYPE_IEEE802_11_RADIOTAP). */
const LINKTYPE_RADIOTAP = 127;

/** Link types 12 and 14 are raw IP in files written on some BSDs before LINKTYPE_RAW existed. */
const LINKTYPE_RAW_BSD12 = 12;
const LINKTYPE_RAW_BSD14 = 14;

const LAYER_LABELS: Record<string, string> = {
  eth: 'Ethernet',
  vlan: '802.1Q tag',
  sll: 'Linux cooked',
  null: 'loopback',
  radiotap: 'radiotap',
  wlan: '802.11',
  llc: 'LLC/SNAP',
  pppoes: 'PPPoE session',
  gre: 'GRE',
  arp: 'ARP',
  ip: 'IPv4',
  ipv6: 'IPv6',
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
};

export function describeTruncation(t: Truncated, end: number): string {
  const label = LAYER_LABELS[t.layer] ?? t.layer;
  const have = Math.max(0, end - t.offset);
  return `${label} header cut short: needs ${t.needed} bytes at offset ${t.offset}, frame has ${have}`;
}

function stopTruncated(d: Dissection, t: Truncated, end: number): Dissection {
  d.truncated = t;
  d.problem = describeTruncation(t, end);
  return d;
}

function stopMalformed(d: Dissection, m: Malformed): Dissection {
  d.problem = `${m.message} (offset ${m.offset})`;
  return d;
}

/**
 * `fcsLength`: bytes of frame check sequence the interface appends (pcapng if_fcslen, pcap FCS
 * bits); they are stripped from complete frames so they are not read as payload or padding.
 */
export function decodeFrame(frame: CapturedFrame, fcsLength: number = 0): Dissection {
  const bytes = frame.data;
  let end = Math.min(bytes.length, frame.capturedLength);
  // Where the frame ended on the wire: a sliced capture holds less, and an IP header claiming
  // more than the wire carried is cut to this (as Wireshark's reported length is).
  let wireEnd = Math.max(frame.originalLength, end);
  if (fcsLength > 0 && frame.capturedLength === frame.originalLength && end >= fcsLength) {
    end -= fcsLength;
    wireEnd -= fcsLength;
  }
  // Every key present from the start: all dissections share one hidden class.
  const d: Dissection = {
    linkType: frame.linkType,
    eth: undefined,
    vlan: undefined,
    sll: undefined,
    loopback: undefined,
    radiotap: undefined,
    wlan: undefined,
    pppoe: undefined,
    tunnels: undefined,
    arp: undefined,
    ip: undefined,
    tcp: undefined,
    udp: undefined,
    icmp: undefined,
    problem: undefined,
    truncated: undefined,
  };
  switch (frame.linkType) {
    case LinkType.ETHERNET: {
      const eth = decodeEthernet(bytes, 0, end);
      if ('truncated' in eth) return stopTruncated(d, eth, end);
      d.eth = eth;
      return decodeEtherType(d, bytes, eth.payloadOffset, end, wireEnd, eth.type);
    }
    case LinkType.LINUX_SLL:
    case LinkType.LINUX_SLL2: {
      const sll = frame.linkType === LinkType.LINUX_SLL ? decodeSll(bytes, 0, end) : decodeSll2(bytes, 0, end);
      if ('truncated' in sll) return stopTruncated(d, sll, end);
      d.sll = sll;
      return decodeEtherType(d, bytes, sll.payloadOffset, end, wireEnd, sll.protocol);
    }
    case LinkType.NULL:
    case LinkType.LOOP: {
      const loopback = decodeLoopback(bytes, 0, end, frame.linkType === LinkType.LOOP);
      if ('truncated' in loopback) return stopTruncated(d, loopback, end);
      d.loopback = loopback;
      const version = loopbackIpVersion(loopback.family);
      if (version === 0) {
        d.problem = `loopback address family ${loopback.family} is not decoded`;
        return d;
      }
      return decodeIp(d, bytes, loopback.payloadOffset, end, wireEnd, version);
    }
    case LinkType.RAW:
    case LINKTYPE_RAW_BSD12:
    case LINKTYPE_RAW_BSD14: {
      if (end < 1) return stopTruncated(d, { truncated: true, layer: 'ip', offset: 0, needed: 20 }, end);
      const version = bytes[0] >> 4;
      if (version !== 4 && version !== 6) {
        d.problem = `raw IP frame starts with IP version ${version} (offset 0)`;
        return d;
      }
      return decodeIp(d, bytes, 0, end, wireEnd, version);
    }
    case LinkType.IEEE802_11:
      return decodeWifi(d, bytes, 0, end, wireEnd);
    case LINKTYPE_RADIOTAP: {
      const radiotap = decodeRadiotap(bytes, 0, end);
      if ('truncated' in radiotap) return stopTruncated(d, radiotap, end);
      if ('malformed' in radiotap) return stopMalformed(d, radiotap);
      d.radiotap = radiotap;
      // The FCS is part of a complete frame only.
      if (radiotap.fcs && frame.capturedLength === frame.originalLength && end - radiotap.payloadOffset >= 4) {
        end -= 4;
        wireEnd -= 4;
      }
      return decodeWifi(d, bytes, radiotap.payloadOffset, end, wireEnd);
    }
    case LinkType.IPV4:
      return decodeIp(d, bytes, 0, end, wireEnd, 4);
    case LinkType.IPV6:
      return decodeIp(d, bytes, 0, end, wireEnd, 6);
    default: {
      const name = linkTypeName(frame.linkType);
      d.problem = `link type ${frame.linkType}${name ? ` (${name})` : ''} is not decoded`;
      return d;
    }
  }
}

/** An 802.11 frame: its MAC header, then (data in the clear) what its LLC/SNAP header names. */
function decodeWifi(d: Dissection, bytes: Uint8Array, offset: number, end: number, wireEnd: number): Dissection {
  const wlan = decodeIeee80211(bytes, offset, end);
  if ('truncated' in wlan) return stopTruncated(d, wlan, end);
  d.wlan = wlan;
  if (wlan.etherType === undefined) return d;
  return decodeEtherType(d, bytes, wlan.payloadOffset, end, wireEnd, wlan.etherType);
}

function decodeEtherType(
  d: Dissection,
  bytes: Uint8Array,
  offset: number,
  end: number,
  wireEnd: number,
  type: number,
): Dissection {
  let at = offset;
  let etherType = type;
  while (isVlanTpid(etherType)) {
    const tag = decodeVlanTag(bytes, at, end, etherType);
    if ('truncated' in tag) return stopTruncated(d, tag, end);
    if (d.vlan === undefined) d.vlan = [];
    d.vlan.push(tag);
    etherType = tag.type;
    at += 4;
  }
  if (d.eth !== undefined) {
    d.eth.type = etherType;
    d.eth.payloadOffset = at;
  }
  if (etherType === ETHERTYPE_IPV4) return decodeIp(d, bytes, at, end, wireEnd, 4);
  if (etherType === ETHERTYPE_IPV6) return decodeIp(d, bytes, at, end, wireEnd, 6);
  if (etherType === ETHERTYPE_PPPOE_SESSION) {
    const pppoe = decodePppoeSession(bytes, at, end);
    if ('truncated' in pppoe) return stopTruncated(d, pppoe, end);
    if ('malformed' in pppoe) return stopMalformed(d, pppoe);
    d.pppoe = pppoe;
    const version = pppoe.pppProtocol === PPP_IPV4 ? 4 : pppoe.pppProtocol === PPP_IPV6 ? 6 : 0;
    if (version === 0) return d;
    // The PPPoE length bounds the IP packet: bytes after it are Ethernet padding.
    const stop = Math.min(end, pppoe.payloadEnd);
    decodeIp(d, bytes, pppoe.payloadOffset, stop, Math.min(wireEnd, stop), version);
    // An IP length beyond what PPPoE carries (tshark: "total length exceeds packet length").
    const ip = d.ip;
    const claimed = ip === undefined ? 0 : ip.version === 4 ? ip.totalLength : 40 + ip.payloadLength;
    if (ip !== undefined && d.problem === undefined && ip.offset + claimed > pppoe.payloadEnd) {
      d.problem = `IPv${ip.version} length ${claimed} runs past the PPPoE payload (${pppoe.payloadEnd - ip.offset} bytes) (offset ${ip.offset})`;
    }
    return d;
  }
  if (etherType === ETHERTYPE_ARP) {
    const arp = decodeArp(bytes, at, end);
    if ('truncated' in arp) return stopTruncated(d, arp, end);
    d.arp = arp;
  }
  return d;
}

/** The packet inside an IP-in-IP, 6in4 or GRE tunnel: the outer header moves to `tunnels`. */
function decodeTunnel(
  d: Dissection,
  bytes: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  protocol: number,
): Dissection {
  // Nothing after the outer header (a capture cut there, an anonymized frame): nothing to follow.
  if (start >= end) return d;
  let version: 0 | 4 | 6 = protocol === IP_PROTO_IPIP ? 4 : 6;
  let at = start;
  const tunnel: TunnelLayer = { outer: d.ip! };
  if (protocol === IP_PROTO_GRE) {
    const gre = decodeGre(bytes, start, end);
    if ('truncated' in gre) return stopTruncated(d, gre, end);
    if ('malformed' in gre) return stopMalformed(d, gre);
    const { innerVersion, ...layer } = gre;
    tunnel.gre = layer;
    version = innerVersion;
    at = gre.payloadOffset;
  }
  // GRE carrying something else than IP (Ethernet bridging, PPTP): the outer packet stays the one decoded.
  if (version === 0) return d;
  if (end - at < 1)
    return stopTruncated(
      d,
      { truncated: true, layer: version === 4 ? 'ip' : 'ipv6', offset: at, needed: version === 4 ? 20 : 40 },
      end,
    );
  // The version nibble must agree with what the outer header announced; when it does not (a
  // zeroed payload, a private use of the protocol number), the payload is left undecoded, as the
  // payload of any protocol we do not follow.
  if (bytes[at] >> 4 !== version) return d;
  (d.tunnels ??= []).push(tunnel);
  d.ip = undefined;
  return decodeIp(d, bytes, at, end, wireEnd, version);
}

function decodeIp(
  d: Dissection,
  bytes: Uint8Array,
  offset: number,
  end: number,
  wireEnd: number,
  version: 4 | 6,
): Dissection {
  let protocol: number;
  let segmentLength: number;
  let checksumBase = -1;
  let start: number;
  let stop: number;
  if (version === 4) {
    const ip = decodeIPv4(bytes, offset, end);
    if ('truncated' in ip) return stopTruncated(d, ip, end);
    if ('malformed' in ip) return stopMalformed(d, ip);
    d.ip = ip;
    // A fragment after the first carries no transport header.
    if (ip.fragmentOffset !== 0) return d;
    protocol = ip.protocol;
    start = ip.payloadOffset;
    stop = ip.payloadEnd;
    segmentLength = ip.totalLength === 0 ? stop - start : ip.totalLength - ip.headerLength;
    if (!ip.moreFragments) checksumBase = pseudoHeaderSumAt(bytes, offset + 12, offset + 16, 4, protocol, 0);
  } else {
    const ip = decodeIPv6(bytes, offset, end);
    if ('truncated' in ip) return stopTruncated(d, ip, end);
    if ('malformed' in ip) return stopMalformed(d, ip);
    d.ip = ip;
    if (ip.extensionTruncated !== undefined) return stopTruncated(d, ip.extensionTruncated, end);
    if (ip.fragmentOffset !== 0) return d;
    protocol = ip.protocol;
    start = ip.payloadOffset;
    stop = ip.payloadEnd;
    segmentLength = ip.payloadLength === 0 ? stop - start : ip.payloadLength - (start - offset - 40);
    if (!ip.moreFragments) {
      checksumBase =
        ip.finalDestination === undefined
          ? pseudoHeaderSumAt(bytes, offset + 8, offset + 24, 16, protocol, 0)
          : pseudoHeaderSum(ip.src, ip.finalDestination, protocol, 0);
    }
  }
  // An IP length beyond the end of the frame on the wire: only what was sent counts (tcp.len),
  // and a checksum over bytes that never existed cannot be checked.
  if (segmentLength > wireEnd - start) {
    segmentLength = wireEnd - start;
    checksumBase = -1;
  }
  if (segmentLength < 0) segmentLength = 0;
  if (
    (protocol === IP_PROTO_IPIP || protocol === IP_PROTO_IPV6 || protocol === IP_PROTO_GRE) &&
    (d.tunnels?.length ?? 0) < MAX_TUNNEL_DEPTH &&
    !d.ip.moreFragments
  ) {
    return decodeTunnel(d, bytes, start, Math.min(stop, end), Math.min(wireEnd, stop), protocol);
  }
  if (protocol === IP_PROTO_TCP) {
    const base = checksumBase < 0 ? -1 : checksumBase + Math.floor(segmentLength / 0x10000) + (segmentLength & 0xffff);
    const tcp = decodeTcp(bytes, start, stop, segmentLength, base);
    if ('truncated' in tcp) return stopTruncated(d, tcp, end);
    if ('malformed' in tcp) return stopMalformed(d, tcp);
    d.tcp = tcp;
    if (tcp.payloadOffset < tcp.offset + tcp.headerLength) {
      return stopTruncated(d, { truncated: true, layer: 'tcp', offset: tcp.offset, needed: tcp.headerLength }, end);
    }
  } else if (protocol === IP_PROTO_UDP) {
    const udp = decodeUdp(bytes, start, stop, checksumBase, version === 4);
    if ('truncated' in udp) return stopTruncated(d, udp, end);
    if ('malformed' in udp) return stopMalformed(d, udp);
    d.udp = udp;
  } else if ((protocol === IP_PROTO_ICMP && version === 4) || (protocol === IP_PROTO_ICMPV6 && version === 6)) {
    const base = checksumBase < 0 ? -1 : version === 4 ? 0 : checksumBase;
    const icmp = decodeIcmp(bytes, start, stop, version, segmentLength, base);
    if ('truncated' in icmp) return stopTruncated(d, icmp, end);
    d.icmp = icmp;
  }
  return d;
}
