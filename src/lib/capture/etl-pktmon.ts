// Packets from Microsoft-Windows-PktMon events (what `pktmon start --capture` records, Windows 10
// 2004 and later). Layouts from Microsoft's Network Monitor parser for the provider:
//   event 20  ComponentInfo:    u16 Id, u16 Type, Name, Description (NUL-terminated UTF-16)
//   event 160 FramePayload and
//   event 170 FrameDropPayload: u64 PktGroupId, u16 PktNumber, u16 AppearanceCount, u16 DirTag,
//                               u16 PacketType, u16 ComponentId, u16 EdgeId, u16 FilterId,
//                               u32 DropReason, u32 DropLocation, u16 OriginalPayloadSize,
//                               u16 LoggedPayloadSize, payload
// PktMon logs one packet at every component it passes (same PktGroupId and PktNumber, rising
// AppearanceCount). Each packet becomes one frame, at its first appearance, so the capture reads
// like a single-point capture; where it was dropped, and why, goes into the frame's comment.
// Loopback traffic is logged twice, microseconds apart (the sent and the received copy); where
// the two copies carry different packet ids, they are folded by the rule of foldLoopbackCopies.
import {
  CaptureError,
  LinkType,
  type CaptureInterface,
  type CapturedFrame,
  type Direction,
  type PktmonAppearance,
} from './types.ts';
import { etlTimeToFiletime, filetimeToUnix, type EtlEvent, type LogfileHeader } from './etl-walk.ts';
import { thousands } from '../describe/thousands.ts';

export const PKTMON_PROVIDER = '4d4f80d9-c8bd-4d73-bb5b-19c90402c5ac';
export const PKTMON_EVENT_COMPONENT_INFO = 20;
export const PKTMON_EVENT_FRAME = 160;
export const PKTMON_EVENT_FRAME_DROP = 170;

const FRAME_HEADER_SIZE = 34;

export const DIRECTION_NAMES = ['None', 'In', 'Out', 'Rx', 'Tx', 'Ingress', 'Egress'];

/**
 * PktMon_DropReason, as Microsoft's Network Monitor parser for the provider names every value
 * (github.com/microsoft/NetMon_Parsers_for_PacketMon, etl_Microsoft-Windows-PktMon-Events.npl,
 * 2018). Newer Windows logs reasons it does not list (0x386 in real traces): those are shown by
 * number, and every name is shown with its number. Drop locations have no public names.
 */
export const DROP_REASONS: Record<number, string> = {
  0: 'Unspecified',
  1: 'Invalid Data',
  2: 'Invalid Packet',
  3: 'Insufficient resources',
  4: 'Adapter not ready',
  5: 'Media Disconnected',
  6: 'Not accepted',
  7: 'Device busy',
  8: 'Filtered',
  9: 'Filtered VLAN',
  10: 'Unauthorized VLAN',
  11: 'Unauthorized MAC',
  12: 'Failed security policy',
  13: 'Failed pVlan setting',
  14: 'QoS drop',
  15: 'IPSec drop',
  16: 'Spoofed MAC address is not allowed',
  17: 'Failed DHCP guard',
  18: 'Failed Router Guard',
  19: 'Bridge is not allowed inside VM',
  20: 'Virtual Subnet ID does not match',
  21: 'Required vSwitch extension is missing',
  22: 'Creating vSwitch over another vSwitch is not allowed',
  23: 'MTU mismatch',
  24: 'Native forwarding required',
  25: 'Invalid VLAN format',
  26: 'Invalid destination MAC',
  27: 'Invalid source MAC',
  28: 'First NB too small',
  29: 'Windows Network Virtualization error',
  30: 'Storm limit exceeded',
  31: 'ICMP request injected by switch',
  32: 'Failed to update destination list',
  33: 'Destination NIC is disabled',
  34: 'Packet does not match destination NIC packet filter',
  35: 'vSwitch data flow is disabled',
  36: 'Port isolation setting does not allow untagged traffic',
  37: 'Invalid PD queue',
  38: 'Adapter is in low power state',
  101: 'Adapter paused',
  102: 'Adapter reset in progress',
  103: 'Send aborted',
  104: 'Unsupported EtherType',
  201: 'Microport error',
  202: 'VF not ready',
  203: 'Microport not ready',
  204: 'VMBus error',
};

const COMPONENT_TYPES = [
  '',
  'NDIS',
  'Miniport',
  'Filter',
  'Protocol',
  'VmsVmNic',
  'VmsMiniport',
  'VmsExtMiniport',
  'VmsProtocolNic',
  'NetVsc Miniport',
];

export interface PktmonPackets {
  frames: CapturedFrame[];
  interfaces: CaptureInterface[];
  /** Frame (160) and drop (170) events read. */
  frameEvents: number;
  dropEvents: number;
  /** Later appearances of packets already turned into frames (same PktGroupId/PktNumber). */
  repeatedAppearances: number;
  /** Loopback packets logged again under another packet id, folded into their first copy. */
  loopbackCopies: number;
  problems: CaptureError[];
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x100_0000;
}

function utf16z(b: Uint8Array, at: number): { text: string; next: number } | undefined {
  let text = '';
  for (let p = at; p + 1 < b.length; p += 2) {
    const unit = u16(b, p);
    if (unit === 0) return { text, next: p + 2 };
    text += String.fromCharCode(unit);
  }
  return undefined;
}

/** Host's point of view from the component's direction tag: Rx/In come up the stack, Tx/Out go down. */
function directionOf(tag: number): Direction | undefined {
  if (tag === 1 || tag === 3) return 'received';
  if (tag === 2 || tag === 4) return 'sent';
  return undefined;
}

/**
 * PacketType 1 Ethernet, 3 mobile broadband (IP without a link header). For 2 (Wi-Fi) the
 * components above the miniport see Ethernet frames, the miniport may see 802.11 ones: the
 * bytes decide (an EtherType where Ethernet has one).
 */
function linkTypeOf(packetType: number, data: Uint8Array): number {
  if (packetType === 3) return LinkType.RAW;
  if (packetType === 2 && data.length >= 14) {
    const etherType = (data[12] << 8) | data[13];
    const looksEthernet =
      etherType === 0x0800 ||
      etherType === 0x86dd ||
      etherType === 0x0806 ||
      etherType === 0x8100 ||
      etherType === 0x888e;
    if (!looksEthernet) return LinkType.IEEE802_11;
  }
  return LinkType.ETHERNET;
}

interface Component {
  type: number;
  name: string;
  description: string;
}

/** Turns time-sorted PktMon events into frames, one per packet (its first appearance). */
export function pktmonPackets(header: LogfileHeader, events: Iterable<EtlEvent>): PktmonPackets {
  const out: PktmonPackets = {
    frames: [],
    interfaces: [],
    frameEvents: 0,
    dropEvents: 0,
    repeatedAppearances: 0,
    loopbackCopies: 0,
    problems: [],
  };
  const components = new Map<number, Component>();
  const interfaceIds = new Map<string, number>();
  /** Frame index by packet identity, to attach later drop reports to it. */
  const seen = new Map<string, number>();
  // Frames are built after all events: component names may be logged after the first packets.
  const pending: Array<{ componentId: number; linkType: number; frame: CapturedFrame }> = [];
  const hex8 = (n: number) => n.toString(16).padStart(8, '0');

  for (const event of events) {
    if (event.kind !== 'event-header' || event.guid !== PKTMON_PROVIDER || !event.descriptor) continue;
    const id = event.descriptor.id;
    const user = event.userData;
    if (id === PKTMON_EVENT_COMPONENT_INFO) {
      const name = user.length >= 4 ? utf16z(user, 4) : undefined;
      const description = name ? utf16z(user, name.next) : undefined;
      if (name)
        components.set(u16(user, 0), { type: u16(user, 2), name: name.text, description: description?.text ?? '' });
      continue;
    }
    if (id !== PKTMON_EVENT_FRAME && id !== PKTMON_EVENT_FRAME_DROP) continue;
    const dropped = id === PKTMON_EVENT_FRAME_DROP;
    if (dropped) out.dropEvents++;
    else out.frameEvents++;
    if (user.length < FRAME_HEADER_SIZE) {
      out.problems.push(
        new CaptureError(
          'malformed',
          `PktMon packet event at byte ${thousands(event.offset)} has ${user.length} bytes of data, too few for its ${FRAME_HEADER_SIZE}-byte header`,
          event.offset,
        ),
      );
      continue;
    }
    const logged = u16(user, 32);
    if (logged > user.length - FRAME_HEADER_SIZE) {
      out.problems.push(
        new CaptureError(
          'malformed',
          `PktMon packet event at byte ${thousands(event.offset)} says LoggedPayloadSize ${thousands(logged)} but holds only ${thousands(user.length - FRAME_HEADER_SIZE)} bytes`,
          event.offset,
        ),
      );
      continue;
    }
    const key = `${u32(user, 4)}:${u32(user, 0)}/${u16(user, 8)}`;
    const componentId = u16(user, 16);
    const dirTag = u16(user, 12);
    const reason = u32(user, 22);
    const dropNote = dropped
      ? `dropped at component ${componentId}${componentLabel(components.get(componentId))}: ${DROP_REASONS[reason] ?? 'unknown reason'} (DropReason ${reason}, DropLocation 0x${u32(user, 26).toString(16)})`
      : undefined;
    const time = filetimeToUnix(etlTimeToFiletime(header, event.timestamp ?? 0n));
    const appearance: PktmonAppearance = {
      componentId,
      edgeId: u16(user, 18),
      filterId: u16(user, 20),
      direction: DIRECTION_NAMES[dirTag] ?? String(dirTag),
      seconds: time.seconds,
      nanoseconds: time.nanoseconds,
    };
    if (dropped) {
      appearance.drop = { reason, location: u32(user, 26) };
      if (DROP_REASONS[reason] !== undefined) appearance.drop.reasonName = DROP_REASONS[reason];
    }
    const known = seen.get(key);
    if (known !== undefined) {
      out.repeatedAppearances++;
      const frame = pending[known].frame;
      frame.pktmon!.appearances.push(appearance);
      if (dropNote) (frame.comments ??= []).push(`PktMon: ${dropNote}`);
      continue;
    }
    const data = user.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + logged);
    const linkType = linkTypeOf(u16(user, 14), data);
    const frame: CapturedFrame = {
      number: 0,
      seconds: time.seconds,
      nanoseconds: time.nanoseconds,
      capturedLength: data.length,
      originalLength: Math.max(u16(user, 30), data.length),
      linkType,
      interfaceId: 0,
      data,
      comments: [`PktMon: first seen at component ${componentId}, direction ${DIRECTION_NAMES[dirTag] ?? dirTag}`],
      pktmon: {
        groupId: hex8(u32(user, 4)) + hex8(u32(user, 0)),
        packetNumber: u16(user, 8),
        appearances: [appearance],
      },
    };
    if (dropNote) frame.comments!.push(`PktMon: ${dropNote}`);
    const direction = directionOf(dirTag);
    if (direction) frame.direction = direction;
    seen.set(key, pending.length);
    pending.push({ componentId, linkType, frame });
  }

  for (const { componentId, linkType, frame } of foldLoopbackCopies(pending, out)) {
    const interfaceKey = `${componentId}/${linkType}`;
    let interfaceId = interfaceIds.get(interfaceKey);
    if (interfaceId === undefined) {
      interfaceId = out.interfaces.length;
      interfaceIds.set(interfaceKey, interfaceId);
      const component = components.get(componentId);
      out.interfaces.push({
        id: interfaceId,
        linkType,
        snapLength: 0,
        name: component?.name || `pktmon:${componentId}`,
        description: `PktMon component ${componentId}${componentLabel(component)}`,
        fcsLength: 0,
      });
    }
    frame.interfaceId = interfaceId;
    frame.number = out.frames.length + 1;
    // Component names are known now (ComponentInfo may come after the first packets).
    for (const a of frame.pktmon?.appearances ?? []) {
      const name = components.get(a.componentId)?.name;
      if (name) a.componentName = name;
    }
    out.frames.push(frame);
  }
  return out;
}

function componentLabel(component: Component | undefined): string {
  if (!component) return '';
  const type = COMPONENT_TYPES[component.type] ?? `type ${component.type}`;
  const what = [type, component.name, component.description].filter((s) => s).join(', ');
  return what ? ` (${what})` : '';
}

/**
 * Two copies of one loopback packet arrive at most this far apart (1–20 µs in real pktmon
 * traces, FORMATS.md). No TCP timer resends anything this fast: a SYN is first resent after 1 s
 * or 3 s, any other segment after the minimum retransmission timeout at the soonest (200 ms on
 * Linux; on Windows set in milliseconds, Set-NetTCPSetting -MinRtoMs), so a SYN retransmission
 * is never taken for a copy.
 */
export const LOOPBACK_COPY_WINDOW_NS = 100_000;

interface PendingFrame {
  componentId: number;
  linkType: number;
  frame: CapturedFrame;
}

/**
 * pktmon logs loopback traffic twice: the sent copy and the received one. Where Windows gives
 * the two copies one packet id they are one frame already; where it gives them different ids,
 * a frame is folded into an earlier one when
 *   - both are loopback packets: IPv4 to 127.0.0.0/8, IPv6 to ::1, or source = destination
 *     (a host talking to its own address goes through loopback too);
 *   - their IP datagrams, as logged, are byte for byte the same (addresses, IP ID, ports,
 *     sequence and acknowledgment numbers, flags, options, payload);
 *   - it was logged within LOOPBACK_COPY_WINDOW_NS of one of the earlier frame's appearances.
 * Its appearances join the earlier frame's, each marked with the id it was logged under.
 * Traffic on a real interface is never folded: a duplicate there is what Wireshark shows too.
 */
function foldLoopbackCopies(pending: PendingFrame[], out: PktmonPackets): PendingFrame[] {
  const kept: PendingFrame[] = [];
  /** Loopback datagram digest → index in `kept` of the latest frame with it. */
  const latest = new Map<string, number>();
  /** The loopback frames in `latest`, oldest first, so entries long past any copy are let go. */
  const recent: Array<{ digest: string; at: number }> = [];
  let oldest = 0;
  for (const entry of pending) {
    const datagram = loopbackDatagram(entry.linkType, entry.frame.data);
    if (!datagram) {
      kept.push(entry);
      continue;
    }
    const { frame } = entry;
    while (oldest < recent.length && nanosBetween(kept[recent[oldest].at].frame, frame) > FORGET_AFTER_NS) {
      const { digest, at } = recent[oldest++];
      if (latest.get(digest) === at) latest.delete(digest);
    }
    const digest = digestOf(datagram);
    const at = latest.get(digest);
    const earlier = at === undefined ? undefined : kept[at];
    const copy = frame.pktmon;
    const record = earlier?.frame.pktmon;
    if (earlier && record && copy) {
      // The copy's first appearance against the nearest of the packet's (copies may interleave).
      let gap = Infinity;
      for (const a of record.appearances) gap = Math.min(gap, Math.abs(nanosBetween(a, frame)));
      const same = loopbackDatagram(earlier.linkType, earlier.frame.data);
      if (gap <= LOOPBACK_COPY_WINDOW_NS && same && equalBytes(same, datagram)) {
        const id = { groupId: copy.groupId, packetNumber: copy.packetNumber };
        for (const a of copy.appearances) record.appearances.push({ ...a, copyOf: id });
        record.appearances.sort((a, b) => a.seconds - b.seconds || a.nanoseconds - b.nanoseconds);
        const after = nanosBetween(earlier.frame, frame) / 1000;
        (earlier.frame.comments ??= []).push(
          `PktMon: loopback copy logged again ${after.toFixed(1)} µs later under PktGroupId 0x${copy.groupId}, PktNumber ${copy.packetNumber}; counted once`,
          ...(frame.comments ?? []).slice(1),
        );
        out.loopbackCopies++;
        continue;
      }
    }
    latest.set(digest, kept.length);
    recent.push({ digest, at: kept.length });
    kept.push(entry);
  }
  return kept;
}

/** Loopback frames older than this are no longer looked up: memory stays bounded by a second of traffic. */
const FORGET_AFTER_NS = 1e9;

/** Nanoseconds from `a` to `b` (negative when b is earlier). */
function nanosBetween(
  a: { seconds: number; nanoseconds: number },
  b: { seconds: number; nanoseconds: number },
): number {
  return (b.seconds - a.seconds) * 1e9 + (b.nanoseconds - a.nanoseconds);
}

/** The IP datagram of a loopback packet (see foldLoopbackCopies), or undefined. */
function loopbackDatagram(linkType: number, data: Uint8Array): Uint8Array | undefined {
  let start = 0;
  if (linkType === LinkType.ETHERNET) {
    if (data.length < 14) return undefined;
    let etherType = (data[12] << 8) | data[13];
    start = 14;
    if (etherType === 0x8100 && data.length >= 18) {
      etherType = (data[16] << 8) | data[17];
      start = 18;
    }
    if (etherType !== 0x0800 && etherType !== 0x86dd) return undefined;
  } else if (linkType !== LinkType.RAW) return undefined;
  const ip = data.subarray(start);
  const version = ip[0] >> 4;
  if (version === 4 && ip.length >= 20) {
    return ip[16] === 127 || equalBytes(ip.subarray(12, 16), ip.subarray(16, 20)) ? ip : undefined;
  }
  if (version === 6 && ip.length >= 40) {
    const toLoopback = ip[39] === 1 && ip.subarray(24, 39).every((b) => b === 0);
    return toLoopback || equalBytes(ip.subarray(8, 24), ip.subarray(24, 40)) ? ip : undefined;
  }
  return undefined;
}

/** FNV-1a over the first 256 bytes, and the length: a map key; equality is checked on the bytes. */
function digestOf(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < Math.min(bytes.length, 256); i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return `${bytes.length}:${hash >>> 0}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
