// A small pcapng writer (little-endian, one section): Section Header Block with comments and the
// usual shb_* strings, Interface Description Blocks with if_name/if_description/if_tsresol,
// Enhanced Packet Blocks with comments and the epb_flags direction, and optional Interface
// Statistics Blocks. Layout from the pcapng specification (IETF draft-ietf-opsawg-pcapng).
//
// It serves two callers: scripts/reconstruct-traces.ts, which generates the article's Windows
// traces, and the lab's export of an instructor's capture. Both hand over a whole capture at
// once, so the writer collects blocks and returns one Uint8Array; mistakes by the caller (an
// unknown interface, a packet larger than its snap length) throw a RangeError saying which.

import type { Direction } from './types.ts';

export interface PcapngSection {
  /** opt_comment, one option per string. */
  comments?: string[];
  /** shb_hardware, shb_os, shb_userappl. */
  hardware?: string;
  os?: string;
  userApplication?: string;
}

export interface PcapngInterface {
  /** LINKTYPE_* number (see LinkType in types.ts). */
  linkType: number;
  /** 0 means "no limit", as the specification allows. Default 0. */
  snapLength?: number;
  name?: string;
  description?: string;
  /**
   * Timestamp resolution as a power of ten: 6 = microseconds (the pcapng default, not written),
   * 7 = 100 ns (Windows' FILETIME unit), 9 = nanoseconds.
   */
  decimalResolution?: number;
}

export interface PcapngPacket {
  /** Index of the interface in the order addInterface was called. */
  interfaceId: number;
  /** Whole seconds since 1970 and the nanoseconds within that second. */
  seconds: number;
  nanoseconds: number;
  data: Uint8Array;
  /** Length on the wire when the frame was sliced; default data.length. */
  originalLength?: number;
  comments?: string[];
  direction?: Direction;
}

export interface PcapngInterfaceStatistics {
  interfaceId: number;
  /** Time of this statistics block (the end of the capture, usually). */
  seconds: number;
  nanoseconds: number;
  /** isb_starttime / isb_endtime: when capturing began and ended on this interface. */
  start?: { seconds: number; nanoseconds: number };
  end?: { seconds: number; nanoseconds: number };
  /** isb_ifrecv: packets received by the interface. */
  received?: number;
  /** isb_ifdrop: packets dropped by the interface. */
  dropped?: number;
}

const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
const BLOCK_INTERFACE_STATISTICS = 0x00000005;
const BLOCK_ENHANCED_PACKET = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;

/** epb_flags bits 0-1: 01 inbound, 10 outbound (pcapng spec, "Enhanced Packet Block Flags Word"). */
const DIRECTION_BITS: Record<Direction, number> = { received: 0b01, sent: 0b10 };

const utf8 = new TextEncoder();

function paddedLength(length: number): number {
  return (length + 3) & ~3;
}

/** One option: code, length, value, zero padding to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  if (value.length > 0xffff) throw new RangeError(`pcapng option ${code} is ${value.length} bytes; at most 65535 fit`);
  const bytes = new Uint8Array(4 + paddedLength(value.length));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  bytes.set(value, 4);
  return bytes;
}

function stringOption(code: number, text: string): Uint8Array {
  return option(code, utf8.encode(text));
}

function u32Option(code: number, value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return option(code, bytes);
}

function u64Option(code: number, value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return option(code, bytes);
}

/** pcapng timestamps are 64-bit: high 32 bits first, then low 32 bits, each in file byte order. */
function timestampOption(code: number, units: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Number(units >> 32n), true);
  view.setUint32(4, Number(units & 0xffffffffn), true);
  return option(code, bytes);
}

/** The option list with its end marker, or nothing when there are no options. */
function optionList(options: Uint8Array[]): Uint8Array[] {
  return options.length === 0 ? [] : [...options, option(OPT_END, new Uint8Array(0))];
}

/** type, total length, body, options, total length again. */
function block(type: number, body: Uint8Array, options: Uint8Array[]): Uint8Array {
  const parts = optionList(options);
  const totalLength = 12 + body.length + parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(totalLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, totalLength, true);
  bytes.set(body, 8);
  let offset = 8 + body.length;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  view.setUint32(offset, totalLength, true);
  return bytes;
}

function checkTime(seconds: number, nanoseconds: number, what: string): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw new RangeError(`${what}: seconds ${seconds} is not a whole number ≥ 0`);
  if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
    throw new RangeError(`${what}: nanoseconds ${nanoseconds} is outside 0..999999999`);
  }
}

export class PcapngWriter {
  private readonly blocks: Uint8Array[] = [];
  /** Units per second of each interface, in the order they were added. */
  private readonly unitsPerSecond: bigint[] = [];
  private readonly snapLengths: number[] = [];
  private packetCount = 0;

  constructor(section: PcapngSection = {}) {
    const body = new Uint8Array(16);
    const view = new DataView(body.buffer);
    view.setUint32(0, BYTE_ORDER_MAGIC, true);
    view.setUint16(4, 1, true); // major version
    view.setUint16(6, 0, true); // minor version
    view.setBigInt64(8, -1n, true); // section length not specified
    const options = (section.comments ?? []).map((text) => stringOption(OPT_COMMENT, text));
    if (section.hardware !== undefined) options.push(stringOption(SHB_HARDWARE, section.hardware));
    if (section.os !== undefined) options.push(stringOption(SHB_OS, section.os));
    if (section.userApplication !== undefined) options.push(stringOption(SHB_USERAPPL, section.userApplication));
    this.blocks.push(block(BLOCK_SECTION_HEADER, body, options));
  }

  /** Adds an interface and returns its id for packets. */
  addInterface(spec: PcapngInterface): number {
    const resolution = spec.decimalResolution ?? 6;
    if (!Number.isInteger(resolution) || resolution < 0 || resolution > 9) {
      throw new RangeError(`interface ${this.unitsPerSecond.length}: decimal resolution ${resolution} is outside 0..9`);
    }
    const snapLength = spec.snapLength ?? 0;
    if (!Number.isInteger(snapLength) || snapLength < 0 || snapLength > 0xffffffff) {
      throw new RangeError(`interface ${this.unitsPerSecond.length}: snap length ${snapLength} does not fit 32 bits`);
    }
    const body = new Uint8Array(8);
    const view = new DataView(body.buffer);
    view.setUint16(0, spec.linkType, true);
    view.setUint32(4, snapLength, true);
    const options: Uint8Array[] = [];
    if (spec.name !== undefined) options.push(stringOption(IF_NAME, spec.name));
    if (spec.description !== undefined) options.push(stringOption(IF_DESCRIPTION, spec.description));
    // Microseconds are the default; writing the option anyway would be harmless, leaving it out
    // keeps files identical to what capture tools write.
    if (resolution !== 6) options.push(option(IF_TSRESOL, Uint8Array.of(resolution)));
    this.blocks.push(block(BLOCK_INTERFACE_DESCRIPTION, body, options));
    this.unitsPerSecond.push(10n ** BigInt(resolution));
    this.snapLengths.push(snapLength);
    return this.unitsPerSecond.length - 1;
  }

  private units(interfaceId: number, seconds: number, nanoseconds: number, what: string): bigint {
    const perSecond = this.unitsPerSecond[interfaceId];
    if (perSecond === undefined) {
      throw new RangeError(`${what}: interface ${interfaceId} was not added (there are ${this.unitsPerSecond.length})`);
    }
    checkTime(seconds, nanoseconds, what);
    // Truncates below the interface's resolution, as a capture clock would.
    return BigInt(seconds) * perSecond + (BigInt(nanoseconds) * perSecond) / 1_000_000_000n;
  }

  addPacket(packet: PcapngPacket): void {
    const what = `packet ${this.packetCount + 1}`;
    const units = this.units(packet.interfaceId, packet.seconds, packet.nanoseconds, what);
    const snapLength = this.snapLengths[packet.interfaceId]!;
    if (snapLength !== 0 && packet.data.length > snapLength) {
      throw new RangeError(`${what}: ${packet.data.length} bytes exceed the interface's snap length ${snapLength}`);
    }
    const originalLength = packet.originalLength ?? packet.data.length;
    if (!Number.isInteger(originalLength) || originalLength < packet.data.length || originalLength > 0xffffffff) {
      throw new RangeError(
        `${what}: original length ${originalLength} is below the ${packet.data.length} captured bytes or over 32 bits`,
      );
    }
    const body = new Uint8Array(20 + paddedLength(packet.data.length));
    const view = new DataView(body.buffer);
    view.setUint32(0, packet.interfaceId, true);
    view.setUint32(4, Number(units >> 32n), true);
    view.setUint32(8, Number(units & 0xffffffffn), true);
    view.setUint32(12, packet.data.length, true);
    view.setUint32(16, originalLength, true);
    body.set(packet.data, 20);
    const options = (packet.comments ?? []).map((text) => stringOption(OPT_COMMENT, text));
    if (packet.direction !== undefined) options.push(u32Option(EPB_FLAGS, DIRECTION_BITS[packet.direction]));
    this.blocks.push(block(BLOCK_ENHANCED_PACKET, body, options));
    this.packetCount += 1;
  }

  /** Records when capturing started and ended, so readers know the silence after the last packet. */
  addStatistics(statistics: PcapngInterfaceStatistics): void {
    const what = `statistics for interface ${statistics.interfaceId}`;
    const units = this.units(statistics.interfaceId, statistics.seconds, statistics.nanoseconds, what);
    const body = new Uint8Array(12);
    const view = new DataView(body.buffer);
    view.setUint32(0, statistics.interfaceId, true);
    view.setUint32(4, Number(units >> 32n), true);
    view.setUint32(8, Number(units & 0xffffffffn), true);
    const options: Uint8Array[] = [];
    if (statistics.start) {
      const start = this.units(statistics.interfaceId, statistics.start.seconds, statistics.start.nanoseconds, what);
      options.push(timestampOption(ISB_STARTTIME, start));
    }
    if (statistics.end) {
      const end = this.units(statistics.interfaceId, statistics.end.seconds, statistics.end.nanoseconds, what);
      options.push(timestampOption(ISB_ENDTIME, end));
    }
    if (statistics.received !== undefined) options.push(u64Option(ISB_IFRECV, BigInt(statistics.received)));
    if (statistics.dropped !== undefined) options.push(u64Option(ISB_IFDROP, BigInt(statistics.dropped)));
    this.blocks.push(block(BLOCK_INTERFACE_STATISTICS, body, options));
  }

  /** The whole file so far. */
  toBytes(): Uint8Array {
    const total = this.blocks.reduce((sum, part) => sum + part.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const part of this.blocks) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return bytes;
  }
}
