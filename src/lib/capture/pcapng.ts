// pcapng: a run of blocks {type, length, body, length}. Each Section Header Block starts a
// section with its own byte order and its own interface table; packets name an interface of
// their section by index. Unknown block types are skipped by their length, as the spec asks.
import {
  MAX_UNIT_BYTES,
  decodeUtf8,
  formatCount,
  makeFrame,
  malformedAt,
  ticksToTime,
  ticksToTimeBig,
  truncatedInside,
} from './common.ts';
import type { SplitTime } from './common.ts';
import type { BlockObserver, FormatParser } from './parser.ts';
import { CaptureError } from './types.ts';
import type { CaptureInfo, CaptureInterface, CapturedFrame, Direction } from './types.ts';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2; // obsolete Packet Block, still written by old tools
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const BLOCK_ISB = 5;
const OPT_ISB_ENDTIME = 3;
const YEAR_2000 = 946_684_800;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MIN_BLOCK = 12;
const MIN_SHB = 28;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_IF_FCSLEN = 13;
const OPT_IF_TSOFFSET = 14;
const OPT_EPB_FLAGS = 2;

const BLOCK_NAMES: Record<number, string> = {
  [BLOCK_SHB]: 'SHB',
  [BLOCK_IDB]: 'IDB',
  [BLOCK_PB]: 'PB',
  [BLOCK_SPB]: 'SPB',
  4: 'NRB',
  5: 'ISB',
  [BLOCK_EPB]: 'EPB',
  7: 'IRIG',
  8: 'AFDX',
  9: 'SJEB',
  10: 'DSB',
  0x00000bad: 'CB',
  0x40000bad: 'DCB',
};

const BLOCK_DESCRIPTIONS: Record<number, string> = {
  [BLOCK_SHB]: 'section header block',
  [BLOCK_IDB]: 'interface description block',
  [BLOCK_PB]: 'packet block',
  [BLOCK_SPB]: 'simple packet block',
  [BLOCK_EPB]: 'enhanced packet block',
};

export function pcapngBlockName(type: number): string {
  return BLOCK_NAMES[type] ?? `0x${type.toString(16).padStart(8, '0')}`;
}

/** True when the bytes start with a Section Header Block type. */
export function looksLikePcapng(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x0a && head[1] === 0x0d && head[2] === 0x0d && head[3] === 0x0a;
}

/** Per-interface facts needed for every packet, kept in flat arrays indexed by global id. */
interface InterfaceTiming {
  /** Ticks per second when it fits a double exactly, else 0 and `unitsBig` is used. */
  units: number;
  unitsBig: bigint;
  /** if_tsoffset: seconds added to every time stamp. */
  offsetSeconds: number;
}

export interface PcapngOptions {
  observer?: BlockObserver;
  /** Total file size when known: a block claiming more than what is left is reported at once. */
  totalBytes?: number;
}

export class PcapngParser implements FormatParser {
  need = MIN_BLOCK;
  error: CaptureError | undefined;
  framesEmitted = 0;
  private littleEndian: boolean | undefined;
  private sections = 0;
  private sawBigEndian = false;
  private sawLittleEndian = false;
  /** Global interface ids of the current section, by the section's own index. */
  private sectionInterfaces: number[] = [];
  private readonly interfaces: CaptureInterface[] = [];
  private readonly timing: InterfaceTiming[] = [];
  private readonly comments: string[] = [];
  private readonly time: SplitTime = { seconds: 0, nanoseconds: 0 };
  /** Type of the block the input stopped inside, for the truncation message. */
  private pendingType = -1;
  /** The latest isb_endtime of any interface statistics block. */
  private endTime: { seconds: number; nanoseconds: number } | undefined;
  private readonly observer: BlockObserver | undefined;
  private readonly totalBytes: number | undefined;

  constructor(options: PcapngOptions = {}) {
    this.observer = options.observer;
    this.totalBytes = options.totalBytes;
  }

  info(): CaptureInfo | undefined {
    if (this.sections === 0) return undefined;
    const order = this.sawBigEndian && this.sawLittleEndian ? 'mixed byte order' : this.sawBigEndian ? 'BE' : 'LE';
    const sections = this.sections > 1 ? `, ${this.sections} sections` : '';
    const info: CaptureInfo = {
      format: 'pcapng',
      variant: `pcapng ${order}${sections}`,
      interfaces: this.interfaces,
      comments: this.comments,
    };
    if (this.endTime) info.endTime = this.endTime;
    return info;
  }

  parse(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    end: number,
    fileOffset: number,
    out: CapturedFrame[],
  ): number {
    let pos = start;
    const base = fileOffset - start;
    while (this.error === undefined) {
      const available = end - pos;
      if (available < MIN_BLOCK) {
        this.need = MIN_BLOCK;
        this.pendingType = -1;
        break;
      }
      const blockOffset = base + pos;
      let le = this.littleEndian;
      let type: number;
      if (bytes[pos] === 0x0a && bytes[pos + 1] === 0x0d && bytes[pos + 2] === 0x0d && bytes[pos + 3] === 0x0a) {
        type = BLOCK_SHB;
        const magic = view.getUint32(pos + 8, true);
        if (magic === BYTE_ORDER_MAGIC) le = true;
        else if (magic === 0x4d3c2b1a) le = false;
        else {
          this.fail(
            malformedAt(
              `section header block at byte ${formatCount(blockOffset)} has an unknown byte-order magic 0x${magic.toString(16).padStart(8, '0')}`,
              blockOffset + 8,
            ),
          );
          break;
        }
      } else {
        if (le === undefined) {
          this.fail(
            malformedAt(
              `the first block (at byte ${formatCount(blockOffset)}) is not a section header block`,
              blockOffset,
            ),
          );
          break;
        }
        type = view.getUint32(pos, le);
      }
      const length = view.getUint32(pos + 4, le);
      if (!this.lengthIsSane(type, length, blockOffset)) break;
      if (available < length) {
        this.need = length;
        this.pendingType = type;
        break;
      }
      const trailing = view.getUint32(pos + length - 4, le);
      if (trailing !== length) {
        this.fail(
          malformedAt(
            `${pcapngBlockName(type)} block at byte ${formatCount(blockOffset)}: its closing length ${formatCount(trailing)} does not match its opening length ${formatCount(length)}`,
            blockOffset + length - 4,
          ),
        );
        break;
      }
      this.observer?.(pcapngBlockName(type), blockOffset, length);
      if (type === BLOCK_EPB) {
        if (!this.enhancedPacket(bytes, view, pos, length, blockOffset, le!, out)) break;
      } else if (type === BLOCK_SHB) {
        if (!this.sectionHeader(bytes, view, pos, length, blockOffset, le!)) break;
      } else if (type === BLOCK_IDB) {
        if (!this.interfaceDescription(bytes, view, pos, length, blockOffset, le!)) break;
      } else if (type === BLOCK_SPB) {
        if (!this.simplePacket(bytes, view, pos, length, blockOffset, le!, out)) break;
      } else if (type === BLOCK_PB) {
        if (!this.obsoletePacket(bytes, view, pos, length, blockOffset, le!, out)) break;
      } else if (type === BLOCK_ISB) {
        this.interfaceStatistics(view, pos, length, le!);
      }
      pos += length;
    }
    return pos;
  }

  finish(unconsumed: number, fileOffset: number): CaptureError | undefined {
    if (this.error) return this.error;
    if (unconsumed === 0) return undefined;
    const frame = this.framesEmitted + 1;
    const isPacket = this.pendingType === BLOCK_EPB || this.pendingType === BLOCK_SPB || this.pendingType === BLOCK_PB;
    const detail =
      this.pendingType === -1
        ? `${unconsumed} bytes of a block header present`
        : `${BLOCK_DESCRIPTIONS[this.pendingType] ?? `${pcapngBlockName(this.pendingType)} block`} of ${formatCount(this.need)} bytes, ${formatCount(unconsumed)} present`;
    if (isPacket) return truncatedInside(`packet ${formatCount(frame)}`, frame, fileOffset, detail);
    return truncatedInside('a block', undefined, fileOffset, detail);
  }

  private fail(error: CaptureError): void {
    this.error = error;
    this.need = 0;
  }

  private lengthIsSane(type: number, length: number, blockOffset: number): boolean {
    const name = pcapngBlockName(type);
    if (length < MIN_BLOCK) {
      this.fail(
        malformedAt(
          `${name} block at byte ${formatCount(blockOffset)} has length ${formatCount(length)}, less than the 12-byte minimum`,
          blockOffset + 4,
        ),
      );
      return false;
    }
    if (length % 4 !== 0) {
      this.fail(
        malformedAt(
          `block at byte ${formatCount(blockOffset)} has length ${formatCount(length)}, not a multiple of 4`,
          blockOffset + 4,
        ),
      );
      return false;
    }
    if (type === BLOCK_SHB && length < MIN_SHB) {
      this.fail(
        malformedAt(
          `section header block at byte ${formatCount(blockOffset)} has length ${formatCount(length)}, less than the 28-byte minimum`,
          blockOffset + 4,
        ),
      );
      return false;
    }
    if (length > MAX_UNIT_BYTES) {
      this.fail(
        malformedAt(
          `${name} block at byte ${formatCount(blockOffset)} claims ${formatCount(length)} bytes, more than the ${formatCount(MAX_UNIT_BYTES)} we accept`,
          blockOffset + 4,
        ),
      );
      return false;
    }
    if (this.totalBytes !== undefined && blockOffset + length > this.totalBytes) {
      const isPacket = type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB;
      const frame = this.framesEmitted + 1;
      const detail = `${BLOCK_DESCRIPTIONS[type] ?? `${name} block`} of ${formatCount(length)} bytes, ${formatCount(this.totalBytes - blockOffset)} left in the file`;
      this.fail(
        isPacket
          ? truncatedInside(`packet ${formatCount(frame)}`, frame, blockOffset, detail)
          : truncatedInside('a block', undefined, blockOffset, detail),
      );
      return false;
    }
    return true;
  }

  private sectionHeader(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    blockOffset: number,
    le: boolean,
  ): boolean {
    const major = view.getUint16(pos + 12, le);
    const minor = view.getUint16(pos + 14, le);
    // 1.0 is the only version written in practice; 1.2 was written by some early tools and
    // both libpcap and Wireshark accept it.
    if (!(major === 1 && (minor === 0 || minor === 2))) {
      this.fail(
        malformedAt(
          `unsupported pcapng version ${major}.${minor} in the section header at byte ${formatCount(blockOffset)}`,
          blockOffset + 12,
        ),
      );
      return false;
    }
    this.littleEndian = le;
    if (le) this.sawLittleEndian = true;
    else this.sawBigEndian = true;
    this.sections++;
    this.sectionInterfaces = [];
    return this.eachOption(
      view,
      pos,
      pos + 24,
      pos + length - 4,
      blockOffset,
      le,
      'section header',
      (code, valueStart, valueLength) => {
        if (code === OPT_COMMENT) this.comments.push(decodeUtf8(bytes.subarray(valueStart, valueStart + valueLength)));
        return undefined;
      },
    );
  }

  private interfaceDescription(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    blockOffset: number,
    le: boolean,
  ): boolean {
    if (length < 20) {
      this.fail(
        malformedAt(
          `interface description block at byte ${formatCount(blockOffset)} has length ${length}, less than the 20-byte minimum`,
          blockOffset + 4,
        ),
      );
      return false;
    }
    const id = this.interfaces.length;
    const described: CaptureInterface = {
      id,
      linkType: view.getUint16(pos + 8, le),
      snapLength: view.getUint32(pos + 12, le),
      fcsLength: 0,
    };
    const timing: InterfaceTiming = { units: 1_000_000, unitsBig: 1_000_000n, offsetSeconds: 0 };
    let sawResolution = false;
    let sawOffset = false;
    const where = `interface description block at byte ${formatCount(blockOffset)}`;
    const ok = this.eachOption(
      view,
      pos,
      pos + 16,
      pos + length - 4,
      blockOffset,
      le,
      'interface description',
      (code, valueStart, valueLength, optionOffset) => {
        switch (code) {
          case OPT_IF_NAME:
            described.name = decodeUtf8(bytes.subarray(valueStart, valueStart + valueLength));
            break;
          case OPT_IF_DESCRIPTION:
            described.description = decodeUtf8(bytes.subarray(valueStart, valueStart + valueLength));
            break;
          case OPT_IF_FCSLEN:
            if (valueLength !== 1) return `${where}: if_fcslen has length ${valueLength}, not 1`;
            described.fcsLength = bytes[valueStart];
            break;
          case OPT_IF_TSRESOL: {
            // Same checks as libpcap: exactly one byte, given once, and a resolution whose ticks
            // per second fit in 64 bits (10^19 and 2^63 do; 10^20 and 2^64 do not).
            if (valueLength !== 1) return `${where}: if_tsresol has length ${valueLength}, not 1`;
            if (sawResolution) return `${where}: if_tsresol given twice`;
            sawResolution = true;
            const value = bytes[valueStart];
            const exponent = value & 0x7f;
            if (value & 0x80) {
              if (exponent > 63)
                return `${where}: if_tsresol 2^-${exponent} is finer than 2^-63, which no 64-bit time stamp can use (option at byte ${formatCount(optionOffset)})`;
              timing.unitsBig = 1n << BigInt(exponent);
            } else {
              if (exponent > 19)
                return `${where}: if_tsresol 10^-${exponent} is finer than 10^-19, which no 64-bit time stamp can use (option at byte ${formatCount(optionOffset)})`;
              timing.unitsBig = 10n ** BigInt(exponent);
            }
            timing.units = timing.unitsBig <= 9007199254740991n ? Number(timing.unitsBig) : 0;
            break;
          }
          case OPT_IF_TSOFFSET: {
            if (valueLength !== 8) return `${where}: if_tsoffset has length ${valueLength}, not 8`;
            if (sawOffset) return `${where}: if_tsoffset given twice`;
            sawOffset = true;
            const high = view.getInt32(le ? valueStart + 4 : valueStart, le);
            const low = view.getUint32(le ? valueStart : valueStart + 4, le);
            timing.offsetSeconds = high * 4294967296 + low;
            break;
          }
        }
        return undefined;
      },
    );
    if (!ok) return false;
    described.ticksPerSecond = timing.units;
    this.interfaces.push(described);
    this.timing.push(timing);
    this.sectionInterfaces.push(id);
    return true;
  }

  /** Global interface id for a packet's section-local index, or undefined after recording an error. */
  private interfaceFor(local: number, blockOffset: number): number | undefined {
    if (local < this.sectionInterfaces.length) return this.sectionInterfaces[local];
    const frame = this.framesEmitted + 1;
    if (this.sectionInterfaces.length === 0) {
      this.fail(
        malformedAt(
          `packet before any interface description (block at byte ${formatCount(blockOffset)})`,
          blockOffset,
          frame,
        ),
      );
    } else {
      this.fail(
        malformedAt(
          `packet ${formatCount(frame)} (block at byte ${formatCount(blockOffset)}) names interface ${local}, but its section describes only ${this.sectionInterfaces.length}`,
          blockOffset + 8,
          frame,
        ),
      );
    }
    return undefined;
  }

  private stamp(interfaceId: number, high: number, low: number): void {
    const timing = this.timing[interfaceId];
    if (timing.units !== 0) ticksToTime(high, low, timing.units, this.time);
    else ticksToTimeBig(high, low, timing.unitsBig, this.time);
    if (timing.offsetSeconds !== 0) this.time.seconds += timing.offsetSeconds;
  }

  /**
   * Interface statistics: only isb_endtime is kept. Statistics are advisory, so a block that
   * names an unknown interface or has odd options is ignored rather than ending the read.
   */
  private interfaceStatistics(view: DataView, pos: number, length: number, le: boolean): void {
    if (length < 24) return;
    const local = view.getUint32(pos + 8, le);
    if (local >= this.sectionInterfaces.length) return;
    const interfaceId = this.sectionInterfaces[local];
    let p = pos + 20;
    const end = pos + length - 4;
    while (end - p >= 4) {
      const code = view.getUint16(p, le);
      const valueLength = view.getUint16(p + 2, le);
      if (code === OPT_ENDOFOPT || valueLength > end - p - 4) return;
      if (code === OPT_ISB_ENDTIME && valueLength === 8) {
        const high = view.getUint32(p + 4, le);
        const low = view.getUint32(p + 8, le);
        this.stamp(interfaceId, high, low);
        // dumpcap writes isb_endtime from the system clock in microseconds whatever if_tsresol
        // says: on a nanosecond interface its value reads as a date in January 1970.
        if (this.time.seconds < YEAR_2000) {
          const micros = high * 2 ** 32 + low;
          if (micros / 1e6 >= YEAR_2000) {
            this.time.seconds = Math.floor(micros / 1e6);
            this.time.nanoseconds = (micros % 1e6) * 1000;
          }
        }
        const t = { seconds: this.time.seconds, nanoseconds: this.time.nanoseconds };
        if (
          !this.endTime ||
          t.seconds > this.endTime.seconds ||
          (t.seconds === this.endTime.seconds && t.nanoseconds > this.endTime.nanoseconds)
        )
          this.endTime = t;
      }
      p += 4 + ((valueLength + 3) & ~3);
    }
  }

  private enhancedPacket(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    blockOffset: number,
    le: boolean,
    out: CapturedFrame[],
  ): boolean {
    return this.timestampedPacket('enhanced packet block', 32, bytes, view, pos, length, blockOffset, le, out);
  }

  /**
   * The two packet blocks with a timestamp share one layout after their interface id: the
   * enhanced block's id is 32 bits, the obsolete block's 16 (a drops count follows it).
   */
  private timestampedPacket(
    kind: 'enhanced packet block' | 'packet block',
    interfaceBits: 16 | 32,
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    blockOffset: number,
    le: boolean,
    out: CapturedFrame[],
  ): boolean {
    if (length < 32) {
      this.fail(
        malformedAt(
          `${kind} at byte ${formatCount(blockOffset)} has length ${length}, less than the 32-byte minimum`,
          blockOffset + 4,
          this.framesEmitted + 1,
        ),
      );
      return false;
    }
    const local = interfaceBits === 32 ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
    const interfaceId = this.interfaceFor(local, blockOffset);
    if (interfaceId === undefined) return false;
    const capturedLength = view.getUint32(pos + 20, le);
    const dataStart = pos + 28;
    const bodyEnd = pos + length - 4;
    if (capturedLength > bodyEnd - dataStart) {
      this.fail(
        malformedAt(
          `packet ${formatCount(this.framesEmitted + 1)} (block at byte ${formatCount(blockOffset)}) says ${formatCount(capturedLength)} bytes were captured, but its block holds only ${formatCount(bodyEnd - dataStart)}`,
          blockOffset + 20,
          this.framesEmitted + 1,
        ),
      );
      return false;
    }
    this.stamp(interfaceId, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le));
    const dataEnd = dataStart + capturedLength;
    const optionsStart = dataStart + ((capturedLength + 3) & ~3);
    let direction: Direction | undefined;
    let comments: string[] | undefined;
    if (optionsStart + 4 <= bodyEnd) {
      const found = this.packetOptions(bytes, view, pos, optionsStart, bodyEnd, blockOffset, le);
      if (found === undefined) return false;
      direction = found.direction;
      comments = found.comments;
    }
    this.framesEmitted++;
    out.push(
      makeFrame(
        this.framesEmitted,
        this.time.seconds,
        this.time.nanoseconds,
        capturedLength,
        view.getUint32(pos + 24, le),
        this.interfaces[interfaceId].linkType,
        interfaceId,
        bytes.subarray(dataStart, dataEnd),
        direction,
        comments,
      ),
    );
    return true;
  }

  private simplePacket(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    blockOffset: number,
    le: boolean,
    out: CapturedFrame[],
  ): boolean {
    if (length < 16) {
      this.fail(
        malformedAt(
          `simple packet block at byte ${formatCount(blockOffset)} has length ${length}, less than the 16-byte minimum`,
          blockOffset + 4,
          this.framesEmitted + 1,
        ),
      );
      return false;
    }
    const interfaceId = this.interfaceFor(0, blockOffset);
    if (interfaceId === undefined) return false;
    const originalLength = view.getUint32(pos + 8, le);
    // The block has no captured length: it is the original length cut to the snap length
    // (0 means no limit), and never more than the block holds.
    const snap = this.interfaces[interfaceId].snapLength;
    let capturedLength = snap !== 0 && originalLength > snap ? snap : originalLength;
    if (capturedLength > length - 16) capturedLength = length - 16;
    this.framesEmitted++;
    out.push(
      makeFrame(
        this.framesEmitted,
        0,
        0,
        capturedLength,
        originalLength,
        this.interfaces[interfaceId].linkType,
        interfaceId,
        bytes.subarray(pos + 12, pos + 12 + capturedLength),
        undefined,
        undefined,
      ),
    );
    return true;
  }

  private obsoletePacket(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    length: number,
    blockOffset: number,
    le: boolean,
    out: CapturedFrame[],
  ): boolean {
    return this.timestampedPacket('packet block', 16, bytes, view, pos, length, blockOffset, le, out);
  }

  /** opt_comment and the direction bits of epb_flags/pack_flags; undefined after an error. */
  private packetOptions(
    bytes: Uint8Array,
    view: DataView,
    blockPos: number,
    start: number,
    end: number,
    blockOffset: number,
    le: boolean,
  ): { direction: Direction | undefined; comments: string[] | undefined } | undefined {
    let direction: Direction | undefined;
    let comments: string[] | undefined;
    const ok = this.eachOption(
      view,
      blockPos,
      start,
      end,
      blockOffset,
      le,
      'packet',
      (code, valueStart, valueLength) => {
        if (code === OPT_COMMENT) {
          (comments ??= []).push(decodeUtf8(bytes.subarray(valueStart, valueStart + valueLength)));
        } else if (code === OPT_EPB_FLAGS && valueLength === 4) {
          const bits = view.getUint32(valueStart, le) & 3;
          if (bits === 1) direction = 'received';
          else if (bits === 2) direction = 'sent';
        }
        return undefined;
      },
    );
    return ok ? { direction, comments } : undefined;
  }

  /**
   * Walk the options in [start, end). The visitor returns an error message to stop. Options
   * are {code, length, value padded to 4}; opt_endofopt ends the list early.
   */
  private eachOption(
    view: DataView,
    blockPos: number,
    start: number,
    end: number,
    blockOffset: number,
    le: boolean,
    blockKind: string,
    visit: (code: number, valueStart: number, valueLength: number, optionOffset: number) => string | undefined,
  ): boolean {
    let p = start;
    while (end - p >= 4) {
      const code = view.getUint16(p, le);
      const valueLength = view.getUint16(p + 2, le);
      const optionOffset = blockOffset + (p - blockPos);
      if (code === OPT_ENDOFOPT) {
        if (valueLength !== 0) {
          this.fail(
            malformedAt(
              `${blockKind} block at byte ${formatCount(blockOffset)}: opt_endofopt has length ${valueLength}, not 0`,
              optionOffset,
              this.frameIfPacket(blockKind),
            ),
          );
          return false;
        }
        return true;
      }
      const valueStart = p + 4;
      if (valueLength > end - valueStart) {
        this.fail(
          malformedAt(
            `${blockKind} block at byte ${formatCount(blockOffset)}: option ${code} at byte ${formatCount(optionOffset)} is ${formatCount(valueLength)} bytes long and runs past the end of the block`,
            optionOffset,
            this.frameIfPacket(blockKind),
          ),
        );
        return false;
      }
      const problem = visit(code, valueStart, valueLength, optionOffset);
      if (problem !== undefined) {
        this.fail(malformedAt(problem, optionOffset));
        return false;
      }
      p = valueStart + ((valueLength + 3) & ~3);
    }
    return true;
  }

  private frameIfPacket(blockKind: string): number | undefined {
    return blockKind === 'packet' ? this.framesEmitted + 1 : undefined;
  }
}
