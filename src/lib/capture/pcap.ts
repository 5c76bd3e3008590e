// Classic libpcap files: a 24-byte file header, then 16-byte record headers each followed by
// the packet bytes. The magic number gives the byte order and the time unit.
import { MAX_UNIT_BYTES, formatCount, makeFrame, malformedAt, truncatedInside } from './common.ts';
import type { BlockObserver, FormatParser } from './parser.ts';
import { CaptureError } from './types.ts';
import type { CaptureInfo, CapturedFrame } from './types.ts';

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** Alexey Kuznetsov's patched libpcap added ifindex, protocol and packet type to each record. */
const KUZNETSOV_RECORD_HEADER_BYTES = 24;

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_MAGIC_KUZNETSOV = 0xa1b2cd34;

/** The four byte sequences that start a pcap file (either byte order, either unit) plus Kuznetsov's. */
export function pcapMagicKind(
  bytes: Uint8Array,
): { littleEndian: boolean; nanoseconds: boolean; kuznetsov: boolean } | undefined {
  if (bytes.length < 4) return undefined;
  const asBig = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const asLittle = ((bytes[3] << 24) | (bytes[2] << 16) | (bytes[1] << 8) | bytes[0]) >>> 0;
  for (const [value, littleEndian] of [
    [asLittle, true],
    [asBig, false],
  ] as const) {
    if (value === PCAP_MAGIC_USEC) return { littleEndian, nanoseconds: false, kuznetsov: false };
    if (value === PCAP_MAGIC_NSEC) return { littleEndian, nanoseconds: true, kuznetsov: false };
    if (value === PCAP_MAGIC_KUZNETSOV) return { littleEndian, nanoseconds: false, kuznetsov: true };
  }
  return undefined;
}

/**
 * Bytes of FCS at the end of each frame, from the upper bits of the link-type field. Two
 * layouts exist: libpcap writes bit 26 = "FCS length present" with the length in 16-bit words in
 * bits 28-31; the IETF pcap draft uses bit 28 = "F" with the length in bits 29-31. libpcap's is
 * what real files carry, so it wins when bit 26 is set.
 */
export function fcsLengthOf(linkField: number): number {
  if (linkField & 0x04000000) return ((linkField >>> 28) & 0xf) * 2;
  if (linkField & 0x10000000) return ((linkField >>> 29) & 0x7) * 2;
  return 0;
}

export class PcapParser implements FormatParser {
  need = FILE_HEADER_BYTES;
  error: CaptureError | undefined;
  framesEmitted = 0;
  private readonly littleEndian: boolean;
  private readonly nanosecondUnits: boolean;
  private readonly recordHeaderBytes: number;
  private fileInfo: CaptureInfo | undefined;
  private linkType = 0;
  private fcsLength = 0;
  private readonly observer: BlockObserver | undefined;

  private readonly totalBytes: number | undefined;

  constructor(
    magic: { littleEndian: boolean; nanoseconds: boolean; kuznetsov: boolean },
    observer?: BlockObserver,
    totalBytes?: number,
  ) {
    this.totalBytes = totalBytes;
    this.littleEndian = magic.littleEndian;
    this.nanosecondUnits = magic.nanoseconds;
    this.recordHeaderBytes = magic.kuznetsov ? KUZNETSOV_RECORD_HEADER_BYTES : RECORD_HEADER_BYTES;
    this.observer = observer;
  }

  info(): CaptureInfo | undefined {
    return this.fileInfo;
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
    const le = this.littleEndian;
    if (this.fileInfo === undefined) {
      if (end - pos < FILE_HEADER_BYTES) return pos;
      if (!this.readFileHeader(view, pos)) return pos;
      this.observer?.('pcap-header', fileOffset, FILE_HEADER_BYTES);
      pos += FILE_HEADER_BYTES;
      this.need = this.recordHeaderBytes;
    }
    const headerBytes = this.recordHeaderBytes;
    const linkType = this.linkType;
    const nanoFactor = this.nanosecondUnits ? 1 : 1000;
    const observer = this.observer;
    let emitted = this.framesEmitted;
    while (end - pos >= headerBytes) {
      const capturedLength = view.getUint32(pos + 8, le);
      if (capturedLength > MAX_UNIT_BYTES) {
        this.error = malformedAt(
          `packet ${formatCount(emitted + 1)} at byte ${formatCount(fileOffset + pos - start)} claims ${formatCount(capturedLength)} captured bytes, more than the ${formatCount(MAX_UNIT_BYTES)} any real packet has`,
          fileOffset + pos - start,
          emitted + 1,
        );
        this.need = 0;
        break;
      }
      const total = headerBytes + capturedLength;
      const recordOffset = fileOffset + pos - start;
      if (this.totalBytes !== undefined && recordOffset + total > this.totalBytes) {
        // Known at once when the size is known: never wait for (or buffer toward) bytes that cannot come.
        this.error = truncatedInside(
          `packet ${formatCount(emitted + 1)}`,
          emitted + 1,
          recordOffset,
          `record of ${formatCount(total)} bytes, ${formatCount(this.totalBytes - recordOffset)} left in the file`,
        );
        this.need = 0;
        break;
      }
      if (end - pos < total) {
        this.need = total;
        this.framesEmitted = emitted;
        return pos;
      }
      const fraction = view.getUint32(pos + 4, le);
      if (observer) observer('record', fileOffset + pos - start, total);
      emitted++;
      out.push(
        makeFrame(
          emitted,
          view.getUint32(pos, le),
          fraction * nanoFactor,
          capturedLength,
          view.getUint32(pos + 12, le),
          linkType,
          0,
          bytes.subarray(pos + headerBytes, pos + total),
          undefined,
          undefined,
        ),
      );
      pos += total;
    }
    this.framesEmitted = emitted;
    if (this.error === undefined) this.need = headerBytes;
    return pos;
  }

  private readFileHeader(view: DataView, at: number): boolean {
    const le = this.littleEndian;
    const major = view.getUint16(at + 4, le);
    const minor = view.getUint16(at + 6, le);
    // Wireshark reads any 2.x file; libpcap only 2.4. Only major versions other than 2 are
    // really different formats (1.x predates the current record header).
    if (major !== 2) {
      this.error = malformedAt(`unsupported pcap version ${major}.${minor} (only 2.x exists in practice)`, 4);
      return false;
    }
    const snapLength = view.getUint32(at + 16, le);
    const linkField = view.getUint32(at + 20, le);
    // Bits 16-25 are reserved (libpcap's LT_RESERVED1; Wireshark checks the same bits).
    const reserved = linkField & 0x03ff0000;
    if (reserved !== 0) {
      this.error = malformedAt(
        `pcap link-type field 0x${linkField.toString(16).padStart(8, '0')} has reserved bits set (0x${reserved.toString(16).padStart(8, '0')})`,
        20,
      );
      return false;
    }
    this.fcsLength = fcsLengthOf(linkField);
    this.linkType = linkField & 0xffff;
    const unit = this.nanosecondUnits ? 'nsec' : 'usec';
    const kind = this.recordHeaderBytes === KUZNETSOV_RECORD_HEADER_BYTES ? ' (Kuznetsov modified)' : '';
    this.fileInfo = {
      format: 'pcap',
      variant: `pcap ${this.littleEndian ? 'LE' : 'BE'} ${unit}${kind} ${major}.${minor}`,
      interfaces: [{ id: 0, linkType: this.linkType, snapLength, fcsLength: this.fcsLength }],
      comments: [],
    };
    return true;
  }

  finish(unconsumed: number, fileOffset: number): CaptureError | undefined {
    if (this.error) return this.error;
    if (this.fileInfo === undefined) {
      return truncatedInside(
        'the pcap file header',
        undefined,
        0,
        `${unconsumed} of ${FILE_HEADER_BYTES} bytes present`,
      );
    }
    if (unconsumed === 0) return undefined;
    const frame = this.framesEmitted + 1;
    const what =
      unconsumed < this.recordHeaderBytes
        ? `the record header of packet ${formatCount(frame)}`
        : `packet ${formatCount(frame)}`;
    return truncatedInside(
      what,
      frame,
      fileOffset,
      `${formatCount(unconsumed)} of ${formatCount(Math.max(this.need, this.recordHeaderBytes))} bytes present`,
    );
  }
}
