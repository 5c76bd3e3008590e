// Packets from Microsoft-Windows-NDIS-PacketCapture events (what `netsh trace start capture=yes`
// records). Event 1001 carries one packet fragment: u32 MiniportIfIndex, u32 LowerIfIndex,
// u32 FragmentSize, then the bytes. Keywords say the medium, the direction, and whether the event
// starts and/or ends a packet (since Windows 8.1 one event holds a whole packet).
import { CaptureError, LinkType, type CaptureInterface, type CapturedFrame, type Direction } from './types.ts';
import { etlTimeToFiletime, filetimeToUnix, type EtlEvent, type LogfileHeader } from './etl-walk.ts';
import { thousands } from '../describe/thousands.ts';

export const NDIS_PACKET_CAPTURE_PROVIDER = '2ed6006e-4729-4609-b423-3ee7bcd678ef';
export const NDIS_EVENT_PACKET_FRAGMENT = 1001;
export const NDIS_EVENT_PACKET_METADATA = 1002;
export const NDIS_EVENT_VMSWITCH_FRAGMENT = 1003;

/** Keyword bits (the u64 EVENT_DESCRIPTOR.Keyword), from the provider's manifest. */
export const NdisKeyword = {
  WIRELESS_WAN: 0x200n,
  NATIVE_802_11: 0x1_0000n,
  VMSWITCH: 0x100_0000n,
  TRUNCATED: 0x200_0000n,
  PACKET_START: 0x4000_0000n,
  PACKET_END: 0x8000_0000n,
  SEND: 0x1_0000_0000n,
  RECEIVE: 0x2_0000_0000n,
} as const;

export interface NdisPackets {
  frames: CapturedFrame[];
  interfaces: CaptureInterface[];
  packetEvents: number;
  fragmentedPackets: number;
  /** Packets whose PacketEnd never came (or that a new PacketStart cut short): dropped. */
  incompletePackets: number;
  /** Middle or end fragments with no PacketStart before them on the same CPU: dropped. */
  orphanFragments: number;
  metadataEvents: number;
  vmSwitchFragments: number;
  otherNdisEvents: number;
  problems: CaptureError[];
}

interface Pending {
  parts: Uint8Array[];
  length: number;
  /** fileIndex of the buffer holding the first fragment. */
  buffer: number;
  spansBuffers: boolean;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x100_0000;
}

// The same bits in the keyword's two 32-bit halves: BigInt arithmetic per packet is slow.
const LOW_WIRELESS_WAN = Number(NdisKeyword.WIRELESS_WAN);
const LOW_NATIVE_802_11 = Number(NdisKeyword.NATIVE_802_11);
const LOW_PACKET_START = Number(NdisKeyword.PACKET_START);
const LOW_PACKET_END = Number(NdisKeyword.PACKET_END);
const HIGH_SEND = Number(NdisKeyword.SEND >> 32n);
const HIGH_RECEIVE = Number(NdisKeyword.RECEIVE >> 32n);

function linkTypeOf(low: number): number {
  if (low & LOW_NATIVE_802_11) return LinkType.IEEE802_11;
  if (low & LOW_WIRELESS_WAN) return LinkType.RAW;
  return LinkType.ETHERNET;
}

function directionOf(high: number): Direction | undefined {
  if (high & HIGH_SEND) return 'sent';
  if (high & HIGH_RECEIVE) return 'received';
  return undefined;
}

/**
 * ndiscap does not log the length on the wire. As etl2pcapng does, infer it from the IP header
 * when that says more than was captured (a truncated capture); never less (LSOv2 sends carry
 * IP total length 0 and exceed the MTU).
 */
function inferOriginalLength(data: Uint8Array, linkType: number): number {
  let ip = -1;
  if (linkType === LinkType.ETHERNET && data.length >= 14) {
    const etherType = (data[12] << 8) | data[13];
    if (etherType === 0x0800 || etherType === 0x86dd) ip = 14;
  } else if (linkType === LinkType.RAW) {
    ip = 0;
  }
  if (ip < 0 || data.length < ip + 20) return data.length;
  const version = data[ip] >> 4;
  let inferred = 0;
  if (version === 4) inferred = ip + ((data[ip + 2] << 8) | data[ip + 3]);
  else if (version === 6 && data.length >= ip + 40) inferred = ip + 40 + ((data[ip + 4] << 8) | data[ip + 5]);
  return Math.max(inferred, data.length);
}

function interfaceName(linkType: number, lowerIfIndex: number): string {
  const medium = linkType === LinkType.IEEE802_11 ? 'wifi' : linkType === LinkType.RAW ? 'mbb' : 'eth';
  return `${medium}:${lowerIfIndex}`;
}

/** What one fragment event says, whichever event carries it. */
interface FragmentRecord {
  miniportIfIndex: number;
  lowerIfIndex: number;
  fragment: Uint8Array;
  /** Hyper-V switch port the packet came from (event 1003 only). */
  vmSwitch?: { portId: number; portName: string; nicName: string; nicType: string };
}

/** Event 1001: u32 MiniportIfIndex, u32 LowerIfIndex, u32 FragmentSize, Fragment[, GFT fields]. */
function parsePacketFragment(user: Uint8Array): FragmentRecord | string {
  if (user.length < 12) return `has ${user.length} bytes of data, too few for its 12-byte fragment header`;
  const fragmentSize = u32(user, 8);
  if (fragmentSize > user.length - 12) {
    return `says FragmentSize ${thousands(fragmentSize)} but holds only ${thousands(user.length - 12)} bytes after the fragment header`;
  }
  return { miniportIfIndex: u32(user, 0), lowerIfIndex: u32(user, 4), fragment: user.subarray(12, 12 + fragmentSize) };
}

/** UTF-16LE up to a NUL inside `user`; undefined when no NUL comes before the end. */
function utf16z(user: Uint8Array, at: number): { text: string; next: number } | undefined {
  let text = '';
  for (let p = at; p + 1 < user.length; p += 2) {
    const unit = user[p] | (user[p + 1] << 8);
    if (unit === 0) return { text, next: p + 2 };
    text += String.fromCharCode(unit);
  }
  return undefined;
}

/**
 * Event 1003 (Hyper-V switch): u32 MiniportIfIndex, u32 LowerIfIndex, u32 SourcePortId,
 * SourcePortName, SourceNicName, SourceNicType (NUL-terminated UTF-16), u32 DestinationCount,
 * 8 bytes per destination, u32 FragmentSize, Fragment, u32 OOBDataSize, OOBData.
 */
function parseVmSwitchFragment(user: Uint8Array): FragmentRecord | string {
  if (user.length < 12) return `has ${user.length} bytes of data, too few for its Hyper-V switch header`;
  const strings: string[] = [];
  let p = 12;
  for (let i = 0; i < 3; i++) {
    const s = utf16z(user, p);
    if (!s) return 'has a switch port or NIC name that runs past the end of the event';
    strings.push(s.text);
    p = s.next;
  }
  if (p + 4 > user.length) return 'ends before its DestinationCount';
  const destinations = u32(user, p);
  p += 4;
  if (destinations > (user.length - p) / 8)
    return `says DestinationCount ${thousands(destinations)}, more than the event holds`;
  p += destinations * 8;
  if (p + 4 > user.length) return 'ends before its FragmentSize';
  const fragmentSize = u32(user, p);
  p += 4;
  if (fragmentSize > user.length - p)
    return `says FragmentSize ${thousands(fragmentSize)} but holds only ${thousands(user.length - p)} bytes after it`;
  return {
    miniportIfIndex: u32(user, 0),
    lowerIfIndex: u32(user, 4),
    fragment: user.subarray(p, p + fragmentSize),
    vmSwitch: { portId: u32(user, 8), portName: strings[0], nicName: strings[1], nicType: strings[2] },
  };
}

/**
 * Turns time-sorted ETW events into frames, joining fragments per CPU until PacketEnd.
 *
 * `buffersMayBeMissing`: when the file is damaged (or Windows reports lost buffers), a packet
 * whose fragments sit in different buffers may have lost a middle piece with a missing buffer;
 * such packets are then dropped (counted as incomplete) rather than joined wrongly.
 */
export function ndisPackets(
  header: LogfileHeader,
  events: Iterable<EtlEvent>,
  buffersMayBeMissing = false,
): NdisPackets {
  const out: NdisPackets = {
    frames: [],
    interfaces: [],
    packetEvents: 0,
    fragmentedPackets: 0,
    incompletePackets: 0,
    orphanFragments: 0,
    metadataEvents: 0,
    vmSwitchFragments: 0,
    otherNdisEvents: 0,
    problems: [],
  };
  const interfaceIds = new Map<string, number>();
  // Fragments of one packet are logged back to back by one call, so on one CPU: key by CPU (and
  // event kind) so that another CPU's packets interleaved by the time sort are not mixed in.
  const pending = new Map<string, Pending>();

  for (const event of events) {
    if (event.kind !== 'event-header' || event.guid !== NDIS_PACKET_CAPTURE_PROVIDER || !event.descriptor) continue;
    const { id, keyword } = event.descriptor;
    let record: FragmentRecord | string;
    if (id === NDIS_EVENT_PACKET_FRAGMENT) {
      out.packetEvents++;
      record = parsePacketFragment(event.userData);
    } else if (id === NDIS_EVENT_VMSWITCH_FRAGMENT) {
      out.vmSwitchFragments++;
      record = parseVmSwitchFragment(event.userData);
    } else {
      if (id === NDIS_EVENT_PACKET_METADATA) out.metadataEvents++;
      else out.otherNdisEvents++;
      continue;
    }
    if (typeof record === 'string') {
      out.problems.push(
        new CaptureError(
          'malformed',
          `packet event at byte ${thousands(event.offset)} ${record}`,
          event.offset,
          out.frames.length + 1,
        ),
      );
      continue;
    }
    const { fragment } = record;
    const low = Number(keyword & 0xffff_ffffn);
    const high = Number(keyword >> 32n);
    const starts = (low & LOW_PACKET_START) !== 0;
    const ends = (low & LOW_PACKET_END) !== 0;
    const pendingKey = `${id}/${event.processor}`;
    let packet = pending.get(pendingKey);
    if (starts) {
      if (packet) out.incompletePackets++;
      packet = { parts: [fragment], length: fragment.length, buffer: event.buffer, spansBuffers: false };
      pending.set(pendingKey, packet);
    } else if (packet) {
      packet.parts.push(fragment);
      packet.length += fragment.length;
      if (event.buffer !== packet.buffer) packet.spansBuffers = true;
    } else {
      out.orphanFragments++;
      continue;
    }
    if (!ends) continue;
    pending.delete(pendingKey);
    if (packet.spansBuffers && buffersMayBeMissing) {
      out.incompletePackets++;
      continue;
    }

    let data: Uint8Array;
    if (packet.parts.length === 1) {
      data = packet.parts[0];
    } else {
      out.fragmentedPackets++;
      data = new Uint8Array(packet.length);
      let at = 0;
      for (const part of packet.parts) {
        data.set(part, at);
        at += part.length;
      }
    }
    const linkType = linkTypeOf(low);
    // NDIS logs 802.11 frames after decryption: clear "Protected" so decoders do not try to decrypt.
    if (linkType === LinkType.IEEE802_11 && data.length > 1 && data[1] & 0x40) {
      data = data.slice();
      data[1] &= ~0x40;
    }
    const interfaceId = interfaceFor(out, interfaceIds, record, linkType);
    // Like etl2pcapng, the packet's time is that of the event that completes it.
    const time = filetimeToUnix(etlTimeToFiletime(header, event.timestamp ?? 0n));
    const frame: CapturedFrame = {
      number: out.frames.length + 1,
      seconds: time.seconds,
      nanoseconds: time.nanoseconds,
      capturedLength: data.length,
      originalLength: inferOriginalLength(data, linkType),
      linkType,
      interfaceId,
      data,
    };
    const direction = directionOf(high);
    if (direction) frame.direction = direction;
    // The thread that logged the packet, as etl2pcapng writes it into each packet's comment.
    if (event.processId !== undefined && event.threadId !== undefined)
      frame.comments = [`PID=${event.processId} TID=${event.threadId}`];
    out.frames.push(frame);
  }
  out.incompletePackets += pending.size;
  return out;
}

/** One interface per capture point: LowerIfIndex and medium, plus the switch port for Hyper-V. */
function interfaceFor(out: NdisPackets, ids: Map<string, number>, record: FragmentRecord, linkType: number): number {
  const { lowerIfIndex, miniportIfIndex, vmSwitch } = record;
  const key = vmSwitch ? `vm/${lowerIfIndex}/${vmSwitch.portId}/${vmSwitch.portName}` : `${lowerIfIndex}/${linkType}`;
  const known = ids.get(key);
  if (known !== undefined) return known;
  const id = out.interfaces.length;
  ids.set(key, id);
  const filter = miniportIfIndex !== lowerIfIndex ? ` (filter over IfIndex ${miniportIfIndex})` : '';
  out.interfaces.push({
    id,
    linkType,
    // ETL records no snap length; ndiscap's own truncation is only a keyword.
    snapLength: 0,
    name: vmSwitch
      ? `vNIC:${vmSwitch.nicType}:${vmSwitch.portName}:${lowerIfIndex}`
      : interfaceName(linkType, lowerIfIndex),
    description: vmSwitch
      ? `Hyper-V switch port ${vmSwitch.portId} (${vmSwitch.nicName}), NDIS LowerIfIndex ${lowerIfIndex}${filter}`
      : filter
        ? `NDIS LowerIfIndex ${lowerIfIndex}${filter}`
        : `NDIS IfIndex ${lowerIfIndex}`,
    fcsLength: 0,
  });
  return id;
}
