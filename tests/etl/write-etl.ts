// A netsh-trace-like .etl writer for tests, written from the documented layout (docs/ETL.md,
// FORMATS.md) and sharing no code with the reader in src/lib/capture. It turns packets into
// Microsoft-Windows-NDIS-PacketCapture 1001 events spread over several CPUs' buffers, writes the
// buffers out of time order, mixes in other event kinds, and can split packets into fragments
// (PacketStart … PacketEnd) the way pre-8.1 Windows did.
//
// Also a command: `npm exec -- tsx tests/etl/write-etl.ts IN.pcapng OUT.etl` makes an .etl to
// open in the lab.

import { compressPlainLz77 } from './xca-lz77-compress.ts';

export type Medium = 'ethernet' | 'raw' | 'wifi';

export interface PacketIn {
  data: Uint8Array;
  /** UTC FILETIME: 100 ns units since 1601. */
  filetime: bigint;
  direction: 'sent' | 'received';
  lowerIfIndex: number;
  miniportIfIndex: number;
  medium?: Medium;
  cpu: number;
  /** Split into this many fragment events (1 = one event holds the packet). */
  fragments?: number;
  /** Append the GftFlowEntryId/GftOffloadInformation fields newer manifests log. */
  gftFields?: boolean;
  /** Log as a Hyper-V switch fragment (event 1003) seen on this switch port. */
  vmSwitch?: { portId: number; portName: string; nicName: string; nicType: string; destinations: number };
  /**
   * Log as PktMon frame events (160) instead: one per component the packet passes, in order,
   * the first with `firstDirTag`; `drop` turns that appearance into a drop event (170) and ends it.
   */
  pktmon?: {
    componentIds: number[];
    firstDirTag: number;
    packetNumber?: number;
    drop?: { appearance: number; reason: number; location: number };
  };
}

export interface PktmonComponentIn {
  id: number;
  type: number;
  name: string;
  description: string;
}

export type ClockIn =
  { kind: 'qpc'; frequency: bigint } | { kind: 'system-time' } | { kind: 'cpu-cycles'; mhz: number };

export interface WriteOptions {
  bufferSize?: number;
  clock?: ClockIn;
  /** 32-bit traces use 4-byte pointers in the logfile header and header types 0x01/0x12. */
  pointerSize?: 4 | 8;
  /** Shuffle the data buffers with this seed (0 = keep them in time order). */
  shuffleSeed?: number;
  /** Add events of other kinds and providers between the packets. */
  noise?: boolean;
  /**
   * Compress the data buffers as pktmon does by default: LogFileMode 0x04000000, BufferFlag 0x60
   * (0x61 on the last), State 3, MS-XCA Plain LZ77 after the 72-byte header, BufferSize = 72 +
   * compressed length, SavedOffset = Offset = 72 + uncompressed length. `packetEvents` then give
   * the compressed buffer's range in the file.
   */
  compress?: boolean;
  /** PktMon ComponentInfo events (20) to log first, on CPU 0. */
  pktmonComponents?: PktmonComponentIn[];
  startTime?: bigint;
  endTime?: bigint;
}

/** Where things landed, so tests can reason about damage. */
export interface WrittenEtl {
  bytes: Uint8Array;
  /** Per input packet: file offsets [start, end) of each of its events. */
  packetEvents: Array<Array<[number, number]>>;
  /** Per buffer in file order: offset and size. */
  buffers: Array<{ offset: number; size: number; cpu: number; savedOffset: number }>;
  fragmentedPackets: number;
  noiseEvents: number;
}

const NDIS_GUID_LE = guidBytes('2ED6006E-4729-4609-B423-3EE7BCD678EF');
const PKTMON_GUID_LE = guidBytes('4D4F80D9-C8BD-4D73-BB5B-19C90402C5AC');
const OTHER_GUID_LE = guidBytes('1C95126E-7EEA-49A9-A3FE-A378B03DDB4D');
const KW_WWAN = 0x200n;
const KW_VMSWITCH = 0x1000000n;
const KW_80211 = 0x10000n;
const KW_START = 0x40000000n;
const KW_END = 0x80000000n;
const KW_SEND = 0x100000000n;
const KW_RECV = 0x200000000n;

/** GUID text → the 16 bytes Windows stores (first three groups little-endian). */
function guidBytes(text: string): Uint8Array {
  const h = text.replace(/[{}-]/g, '');
  const b = new Uint8Array(16);
  const put = (at: number, hexText: string, reverse: boolean) => {
    const pairs = hexText.match(/../g)!.map((x) => parseInt(x, 16));
    (reverse ? pairs.reverse() : pairs).forEach((v, i) => (b[at + i] = v));
  };
  put(0, h.slice(0, 8), true);
  put(4, h.slice(8, 12), true);
  put(6, h.slice(12, 16), true);
  put(8, h.slice(16), false);
  return b;
}

class Out {
  bytes: Uint8Array;
  view: DataView;
  constructor(size: number, fill = 0) {
    this.bytes = new Uint8Array(size).fill(fill);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number) {
    this.bytes[at] = v;
  }
  u16(at: number, v: number) {
    this.view.setUint16(at, v, true);
  }
  u32(at: number, v: number) {
    this.view.setUint32(at, v >>> 0, true);
  }
  i64(at: number, v: bigint) {
    this.view.setBigInt64(at, v, true);
  }
  u64(at: number, v: bigint) {
    this.view.setBigUint64(at, v, true);
  }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** Mulberry32: a tiny seeded PRNG so shuffles are repeatable. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PendingEvent {
  raw: bigint;
  bytes: Uint8Array;
  packet?: number;
}

export function writeEtl(packets: PacketIn[], options: WriteOptions = {}): WrittenEtl {
  const bufferSize = options.bufferSize ?? 8192;
  const clock = options.clock ?? { kind: 'qpc', frequency: 10_000_000n };
  const pointerSize = options.pointerSize ?? 8;
  const wide = pointerSize === 8;
  const firstTime = packets.length
    ? packets.reduce((m, p) => (p.filetime < m ? p.filetime : m), packets[0].filetime)
    : 132_000_000_000_000_000n;
  const lastTime = packets.length
    ? packets.reduce((m, p) => (p.filetime > m ? p.filetime : m), packets[0].filetime)
    : firstTime;
  const startTime = options.startTime ?? firstTime - 5_000_000n;
  const endTime = options.endTime ?? lastTime + 5_000_000n;
  // The raw clock value of the logfile-header record: anything will do, readers work relative to it.
  const anchor = clock.kind === 'system-time' ? startTime : 987_654_321_000n;
  const toRaw = (filetime: bigint): bigint => {
    const delta = filetime - startTime;
    switch (clock.kind) {
      case 'qpc':
        return anchor + ceilDiv(delta * clock.frequency, 10_000_000n);
      case 'system-time':
        return anchor + delta;
      case 'cpu-cycles':
        return anchor + ceilDiv(delta * BigInt(clock.mhz), 10n);
    }
  };
  // Buffer header, EVENT_HEADER, extended items (40), fragment header, GFT fields, padding
  // (and for Hyper-V fragments their names, destinations and OOB data).
  const vmExtra = (p: PacketIn) =>
    p.vmSwitch
      ? 2 * (p.vmSwitch.portName.length + p.vmSwitch.nicName.length + p.vmSwitch.nicType.length + 3) +
        8 * p.vmSwitch.destinations +
        28
      : 0;
  const maxFragmentOf = (p: PacketIn) => bufferSize - 72 - 80 - 40 - 12 - 16 - 8 - vmExtra(p);

  const perCpu = new Map<number, PendingEvent[]>();
  const push = (cpu: number, e: PendingEvent) => {
    if (!perCpu.has(cpu)) perCpu.set(cpu, []);
    perCpu.get(cpu)!.push(e);
  };
  let fragmentedPackets = 0;
  let noiseEvents = 0;
  const random = prng(options.shuffleSeed || 12345);

  for (const c of options.pktmonComponents ?? []) {
    const names = [utf16z(c.name), utf16z(c.description)];
    const user = new Out(4 + names[0].length + names[1].length);
    user.u16(0, c.id);
    user.u16(2, c.type);
    user.bytes.set(names[0], 4);
    user.bytes.set(names[1], 4 + names[0].length);
    push(0, { raw: anchor + 1n, bytes: eventHeader(wide, PKTMON_GUID_LE, 20, 0x1n, anchor + 1n, user.bytes, false) });
  }

  packets.forEach((packet, index) => {
    const raw = toRaw(packet.filetime);
    if (packet.pktmon) {
      const pm = packet.pktmon;
      const packetType = packet.medium === 'raw' ? 3 : packet.medium === 'wifi' ? 2 : 1;
      for (let k = 0; k < pm.componentIds.length; k++) {
        const dropping = pm.drop?.appearance === k;
        const user = new Out(34 + packet.data.length);
        user.u64(0, BigInt(index + 1) * 0x1_0000_0001n); // PktGroupId: both halves matter
        user.u16(8, pm.packetNumber ?? 1);
        user.u16(10, k + 1);
        user.u16(12, k === 0 ? pm.firstDirTag : packet.direction === 'sent' ? 4 : 1);
        user.u16(14, packetType);
        user.u16(16, pm.componentIds[k]);
        user.u16(18, 1);
        user.u16(20, 0);
        user.u32(22, dropping ? pm.drop!.reason : 0);
        user.u32(26, dropping ? pm.drop!.location : 0);
        user.u16(30, Math.min(packet.data.length, 0xffff));
        user.u16(32, packet.data.length);
        user.bytes.set(packet.data, 34);
        // Later appearances come a few clock ticks after the first.
        const at = raw + BigInt(k);
        push(packet.cpu, {
          raw: at,
          bytes: eventHeader(wide, PKTMON_GUID_LE, dropping ? 170 : 160, 0x10n, at, user.bytes, false),
          packet: index,
        });
        if (dropping) break;
      }
      return;
    }
    const maxFragment = maxFragmentOf(packet);
    if (maxFragment < 64) throw new Error('bufferSize too small');
    let pieces = Math.max(1, packet.fragments ?? 1, Math.ceil(packet.data.length / maxFragment));
    pieces = Math.min(pieces, Math.max(1, packet.data.length));
    if (pieces > 1) fragmentedPackets++;
    const chunk = Math.ceil(packet.data.length / pieces);
    let medium = 0n;
    if (packet.medium === 'raw') medium = KW_WWAN;
    if (packet.medium === 'wifi') medium = KW_80211;
    const direction = packet.direction === 'sent' ? KW_SEND : KW_RECV;
    if (options.noise && index % 5 === 0) {
      // A metadata event (1002) before some packets, as Wi-Fi traces have.
      push(packet.cpu, {
        raw,
        bytes: eventHeader(wide, NDIS_GUID_LE, 1002, medium | direction, raw, new Uint8Array(24).fill(7), false),
      });
      noiseEvents++;
    }
    for (let i = 0; i < pieces; i++) {
      const part = packet.data.subarray(i * chunk, Math.min(packet.data.length, (i + 1) * chunk));
      let keyword = medium | direction;
      if (i === 0) keyword |= KW_START;
      if (i === pieces - 1) keyword |= KW_END;
      const withExtended = options.noise === true && i % 2 === 0;
      if (packet.vmSwitch) {
        const user = vmSwitchPayload(packet, part);
        push(packet.cpu, {
          raw,
          bytes: eventHeader(wide, NDIS_GUID_LE, 1003, keyword | KW_VMSWITCH, raw, user, withExtended),
          packet: index,
        });
        continue;
      }
      const user = new Out(12 + part.length + (packet.gftFields ? 16 : 0));
      user.u32(0, packet.miniportIfIndex);
      user.u32(4, packet.lowerIfIndex);
      user.u32(8, part.length);
      user.bytes.set(part, 12);
      if (packet.gftFields) {
        user.u64(12 + part.length, 0x1122334455667788n);
        user.u64(20 + part.length, 0n);
      }
      push(packet.cpu, {
        raw,
        bytes: eventHeader(wide, NDIS_GUID_LE, 1001, keyword, raw, user.bytes, withExtended),
        packet: index,
      });
    }
    if (options.noise && index % 3 === 1) {
      for (const bytes of noiseRecords(wide, raw, random)) push(packet.cpu, { raw, bytes });
      noiseEvents += 4;
    }
  });

  // Header buffer: SYSTEM_TRACE_HEADER (hook 0) + TRACE_LOGFILE_HEADER + the two names.
  const cpus = [...perCpu.keys()].sort((a, b) => a - b);
  const dataBuffers: Array<{ cpu: number; flush: bigint; sequence: bigint; events: PendingEvent[]; used: number }> = [];
  // Sequence numbers count buffers as the logger hands them out.
  let sequence = 0n;
  for (const cpu of cpus) {
    const list = perCpu.get(cpu)!;
    // One CPU's events are in time order (stable: fragments of a packet stay together).
    list.sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
    let current = { cpu, flush: 0n, sequence: ++sequence, events: [] as PendingEvent[], used: 72 };
    for (const e of list) {
      const aligned = (e.bytes.length + 7) & ~7;
      if (72 + aligned > bufferSize)
        throw new Error(`an event of ${e.bytes.length} bytes cannot fit a ${bufferSize}-byte buffer`);
      if (current.used + aligned > bufferSize) {
        // The buffer is flushed when the event that does not fit arrives.
        current.flush = e.raw;
        dataBuffers.push(current);
        current = { cpu, flush: 0n, sequence: ++sequence, events: [], used: 72 };
      }
      current.events.push(e);
      current.used += aligned;
      current.flush = e.raw + 3n;
    }
    if (current.events.length) dataBuffers.push(current);
  }
  if (options.shuffleSeed) {
    for (let i = dataBuffers.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [dataBuffers[i], dataBuffers[j]] = [dataBuffers[j], dataBuffers[i]];
    }
  }

  const compress = options.compress === true;
  const out = new Out(bufferSize * (1 + dataBuffers.length), 0xff);
  const layout: WrittenEtl['buffers'] = [];
  const packetEvents: WrittenEtl['packetEvents'] = packets.map(() => []);

  const logfile = logfileRecord(wide, {
    bufferSize,
    processors: Math.max(1, ...cpus.map((c) => c + 1)),
    startTime,
    endTime,
    buffersWritten: 1 + dataBuffers.length,
    mode: compress ? 0x04000000 | 0x1 : 0x1,
    clock,
    anchor,
  });
  writeBufferHeader(out, 0, bufferSize, 72 + ((logfile.length + 7) & ~7), 0n, 0n, 0, 0x21, 4);
  out.bytes.set(logfile, 72);
  layout.push({ offset: 0, size: bufferSize, cpu: 0, savedOffset: 72 + ((logfile.length + 7) & ~7) });

  dataBuffers.forEach((b, i) => {
    const base = bufferSize * (i + 1);
    let p = base + 72;
    for (const e of b.events) {
      out.bytes.set(e.bytes, p);
      // Padding inside the buffer is zero, not 0xFF (the fill after the last event is 0xFF).
      out.bytes.fill(0, p + e.bytes.length, p + ((e.bytes.length + 7) & ~7));
      if (e.packet !== undefined) packetEvents[e.packet].push([p, p + e.bytes.length]);
      p += (e.bytes.length + 7) & ~7;
    }
    writeBufferHeader(out, base, bufferSize, p - base, b.flush, b.sequence, b.cpu, 0x20, 0);
    layout.push({ offset: base, size: bufferSize, cpu: b.cpu, savedOffset: p - base });
  });
  if (!compress) return { bytes: out.bytes, packetEvents, buffers: layout, fragmentedPackets, noiseEvents };

  // Compressed: the header buffer stays as it is; each data buffer becomes its header + LZ77 data.
  const pieces: Uint8Array[] = [out.bytes.subarray(0, bufferSize)];
  const compressedLayout: WrittenEtl['buffers'] = [layout[0]];
  let fileOffset = bufferSize;
  const uncompressedStarts = packetEvents.map((events) => events.map((range) => range[0]));
  layout.slice(1).forEach((b, i) => {
    const payload = compressPlainLz77(out.bytes.subarray(b.offset + 72, b.offset + b.savedOffset));
    const piece = new Out(72 + payload.length);
    piece.bytes.set(out.bytes.subarray(b.offset, b.offset + 72), 0);
    piece.u32(0, 72 + payload.length);
    piece.u32(8, 0x5a5a5a5a); // CurrentOffset means nothing in a compressed buffer
    piece.u16(52, i === layout.length - 2 ? 0x61 : 0x60);
    piece.bytes.set(payload, 72);
    packetEvents.forEach((events, k) =>
      events.forEach((range, j) => {
        const start = uncompressedStarts[k][j];
        if (start >= b.offset && start < b.offset + b.size) {
          range[0] = fileOffset;
          range[1] = fileOffset + piece.bytes.length;
        }
      }),
    );
    pieces.push(piece.bytes);
    compressedLayout.push({ offset: fileOffset, size: piece.bytes.length, cpu: b.cpu, savedOffset: b.savedOffset });
    fileOffset += piece.bytes.length;
  });
  const bytes = new Uint8Array(fileOffset);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return { bytes, packetEvents, buffers: compressedLayout, fragmentedPackets, noiseEvents };
}

function writeBufferHeader(
  out: Out,
  at: number,
  size: number,
  savedOffset: number,
  timestamp: bigint,
  sequence: bigint,
  cpu: number,
  flag: number,
  type: number,
) {
  out.bytes.fill(0, at, at + 72);
  out.u32(at + 0, size);
  out.u32(at + 4, savedOffset);
  out.u32(at + 8, savedOffset);
  out.i64(at + 16, timestamp);
  out.i64(at + 24, sequence);
  out.u16(at + 40, cpu);
  out.u16(at + 42, 0x1d);
  out.u32(at + 44, 3);
  out.u32(at + 48, savedOffset);
  out.u16(at + 52, flag);
  out.u16(at + 54, type);
}

/** EVENT_HEADER (80 bytes) [+ extended items] + user data. */
function eventHeader(
  wide: boolean,
  provider: Uint8Array,
  id: number,
  keyword: bigint,
  raw: bigint,
  user: Uint8Array,
  withExtended: boolean,
): Uint8Array {
  // Extended items: a related-activity id (type 1, 16 bytes) and a 5-byte odd-sized item (padded).
  const items: Uint8Array[] = [];
  if (withExtended) {
    const a = new Out(8 + 16);
    a.u16(0, 24);
    a.u16(2, 1);
    a.u16(4, 1); // another item follows
    a.u16(6, 16);
    a.bytes.fill(0xab, 8);
    const b = new Out(16);
    b.u16(0, 16);
    b.u16(2, 12);
    b.u16(4, 0);
    b.u16(6, 5);
    b.bytes.set([1, 2, 3, 4, 5], 8);
    items.push(a.bytes, b.bytes);
  }
  const itemBytes = items.reduce((n, x) => n + x.length, 0);
  const size = 80 + itemBytes + user.length;
  const e = new Out(size);
  e.u16(0, size);
  e.u8(2, wide ? 0x13 : 0x12);
  e.u8(3, 0xc0);
  e.u16(4, (withExtended ? 0x0001 : 0) | (wide ? 0x0020 : 0x0040));
  e.u32(8, 0x1234);
  e.u32(12, 4);
  e.i64(16, raw);
  e.bytes.set(provider, 24);
  e.u16(40, id);
  e.u8(42, 0);
  e.u8(43, 0x10);
  e.u8(44, 4);
  e.u8(45, 0);
  e.u16(46, 0);
  e.u64(48, keyword);
  let p = 80;
  for (const item of items) {
    e.bytes.set(item, p);
    p += item.length;
  }
  e.bytes.set(user, p);
  return e.bytes;
}

/** Four records of other kinds: classic EVENT_TRACE_HEADER, compact system, perfinfo, another provider's EVENT_HEADER. */
function noiseRecords(wide: boolean, raw: bigint, random: () => number): Uint8Array[] {
  const classic = new Out(48 + 6);
  classic.u16(0, 54);
  classic.u8(2, wide ? 0x14 : 0x0a);
  classic.u8(3, 0xc0);
  classic.u8(4, 10);
  classic.i64(16, raw);
  classic.bytes.set(OTHER_GUID_LE, 24);
  classic.bytes.set([9, 9, 9, 9, 9, 9], 48);
  const compact = new Out(24 + 8);
  compact.u16(0, 2);
  compact.u8(2, wide ? 0x04 : 0x03);
  compact.u8(3, 0xc0);
  compact.u16(4, 32);
  compact.u16(6, 0x0524);
  compact.i64(16, raw);
  const perf = new Out(16 + 12);
  perf.u16(0, 2);
  perf.u8(2, wide ? 0x11 : 0x10);
  perf.u8(3, 0xc0);
  perf.u16(4, 28);
  perf.u16(6, 0x0f2e);
  perf.i64(8, raw);
  const user = new Uint8Array(1 + Math.floor(random() * 40)).fill(0x5a);
  return [classic.bytes, compact.bytes, perf.bytes, eventHeader(wide, OTHER_GUID_LE, 7, 0x8000n, raw, user, true)];
}

/**
 * Event 1003 user data (manifest template): MiniportIfIndex, LowerIfIndex, SourcePortId, three
 * UTF-16 strings, DestinationCount + 8 bytes each, FragmentSize + Fragment, OOBDataSize + OOBData.
 */
function vmSwitchPayload(packet: PacketIn, part: Uint8Array): Uint8Array {
  const vm = packet.vmSwitch!;
  const names = [utf16z(vm.portName), utf16z(vm.nicName), utf16z(vm.nicType)];
  const namesLength = names.reduce((n, x) => n + x.length, 0);
  const oob = new Uint8Array(16).fill(0x11);
  const out = new Out(12 + namesLength + 4 + 8 * vm.destinations + 4 + part.length + 4 + oob.length);
  out.u32(0, packet.miniportIfIndex);
  out.u32(4, packet.lowerIfIndex);
  out.u32(8, vm.portId);
  let p = 12;
  for (const n of names) {
    out.bytes.set(n, p);
    p += n.length;
  }
  out.u32(p, vm.destinations);
  p += 4;
  for (let d = 0; d < vm.destinations; d++, p += 8) out.u64(p, BigInt(d + 1));
  out.u32(p, part.length);
  out.bytes.set(part, p + 4);
  p += 4 + part.length;
  out.u32(p, oob.length);
  out.bytes.set(oob, p + 4);
  return out.bytes;
}

function utf16z(text: string): Uint8Array {
  const b = new Uint8Array((text.length + 1) * 2);
  for (let i = 0; i < text.length; i++) {
    b[2 * i] = text.charCodeAt(i) & 0xff;
    b[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return b;
}

function logfileRecord(
  wide: boolean,
  o: {
    bufferSize: number;
    processors: number;
    startTime: bigint;
    endTime: bigint;
    buffersWritten: number;
    mode: number;
    clock: ClockIn;
    anchor: bigint;
  },
): Uint8Array {
  const names = [utf16z('NetTrace'), utf16z('C:\\Users\\admin\\AppData\\Local\\Temp\\NetTraces\\NetTrace.etl')];
  const fixed = wide ? 280 : 272;
  const size = 32 + fixed + names[0].length + names[1].length;
  const r = new Out(size);
  // SYSTEM_TRACE_HEADER: version 2, type (0x02 64-bit / 0x01 32-bit), flags 0xC0, size, hook 0.
  r.u16(0, 2);
  r.u8(2, wide ? 0x02 : 0x01);
  r.u8(3, 0xc0);
  r.u16(4, size);
  r.u16(6, 0);
  r.u32(8, 0x88);
  r.u32(12, 4);
  r.i64(16, o.anchor);
  const h = 32;
  const s = wide ? 0 : -8; // 32-bit: LoggerName/LogFileName are 4-byte pointers
  r.u32(h + 0, o.bufferSize);
  r.bytes.set([10, 0, 1, 5], h + 4);
  r.u32(h + 8, 19045);
  r.u32(h + 12, o.processors);
  r.i64(h + 16, o.endTime);
  r.u32(h + 24, 156250);
  r.u32(h + 28, 0);
  r.u32(h + 32, o.mode);
  r.u32(h + 36, o.buffersWritten);
  r.u32(h + 40, 1);
  r.u32(h + 44, wide ? 8 : 4);
  r.u32(h + 48, 0);
  r.u32(h + 52, o.clock.kind === 'cpu-cycles' ? o.clock.mhz : 2995);
  const tz = h + 72 + s;
  r.u32(tz, 0xffffffc4); // Bias −60 minutes
  r.i64(tz + 176, o.startTime - 36_000_000_000n); // boot time
  r.i64(tz + 184, o.clock.kind === 'qpc' ? o.clock.frequency : 10_000_000n);
  r.i64(tz + 192, o.startTime);
  r.u32(tz + 200, o.clock.kind === 'qpc' ? 1 : o.clock.kind === 'system-time' ? 2 : 3);
  r.u32(tz + 204, 0);
  r.bytes.set(names[0], h + fixed);
  r.bytes.set(names[1], h + fixed + names[0].length);
  return r.bytes;
}

/** Unix nanoseconds → FILETIME, dropping what is finer than 100 ns. */
export function unixNsToFiletime(ns: bigint): bigint {
  return ns / 100n + 116_444_736_000_000_000n;
}

// Command-line use: convert a pcapng into an .etl (direction by the first frame's source MAC).
const invokedAsScript = typeof process !== 'undefined' && process.argv[1]?.endsWith('write-etl.ts');
if (invokedAsScript) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: tsx tests/etl/write-etl.ts IN.pcapng OUT.etl');
    process.exit(2);
  }
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { pcapngFrames } = await import('./pcapng-frames.ts');
  const frames = pcapngFrames(new Uint8Array(readFileSync(input)));
  const hostMac = frames[0]?.data.subarray(6, 12).join(':');
  const etl = writeEtl(
    frames.map((f, i) => ({
      data: f.data,
      filetime: unixNsToFiletime(f.timeNs),
      direction: f.data.subarray(6, 12).join(':') === hostMac ? 'sent' : 'received',
      lowerIfIndex: 7,
      miniportIfIndex: 7,
      medium: f.linkType === 101 ? 'raw' : 'ethernet',
      cpu: i % 4,
    })),
    { shuffleSeed: 7, bufferSize: 65536 },
  );
  writeFileSync(output, etl.bytes);
  console.log(`${frames.length} packets → ${output} (${etl.bytes.length} bytes, ${etl.buffers.length} buffers)`);
}
