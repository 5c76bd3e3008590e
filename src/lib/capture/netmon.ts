// Microsoft Network Monitor 1.x ("RTSS") and 2.x ("GMBU") .cap files. The 128-byte header
// points at a frame table of absolute file offsets; frames are read in table order, which need
// not be file order, so the whole file is kept (see whole-file.ts). Semantics follow
// Wireshark's wiretap/netmon.c so frame counts and times match tshark.
import { formatCount, makeFrame, malformedAt, ticksToTime, truncatedInside } from './common.ts';
import type { SplitTime } from './common.ts';
import type { BlockObserver, FormatParser } from './parser.ts';
import { CaptureError, LinkType } from './types.ts';
import type { CaptureInfo, CaptureInterface, CapturedFrame } from './types.ts';
import { WholeFileBuffer } from './whole-file.ts';

const HEADER_BYTES = 128;
/** Wireshark's per-packet ceiling for NetMon; larger means a corrupt length. */
const MAX_NETMON_PACKET = 262144;
/** Seconds from 1601-01-01 (FILETIME epoch) to 1970-01-01. */
const FILETIME_EPOCH_OFFSET_SECONDS = 11644473600;

/**
 * Link types for NetMon frames that have no pcap LINKTYPE. They are above 0xFFFF so they can
 * never be mistaken for a pcap link type; decoders treat them as unknown link layers.
 */
export const NetmonLinkType = {
  /** 802.11 with NetMon's own radio header in front. */
  IEEE802_11_NETMON: 0x1_0006,
  /** An ETW event (EVENT_HEADER + user data): NetMon's way of saving a netsh .etl. */
  NETEVENT: 0x1_ffe0,
  /** The list of adapters the capture ran on. */
  NETWORK_INFO_EX: 0x1_fffb,
  /** The capture/display filter text. */
  NETMON_FILTER: 0x1_ffff,
} as const;

const utf16le = new TextDecoder('utf-16le');
const latin1 = new TextDecoder('latin1');

/** A comment description as text: RTF (what NetMon 3.4 writes) reduced to its words. */
function plainText(raw: Uint8Array): string {
  let text = latin1.decode(raw).replace(/\0+$/, '');
  if (text.startsWith('{\\rtf')) {
    text = text
      .replace(/\{\\\*[^{}]*\}/g, '') // ignorable destinations
      .replace(/\{\\(fonttbl|colortbl|stylesheet)[^]*?\}\}?/g, '')
      .replace(/\\par(?![a-z]) ?/g, '\n')
      .replace(/\\'([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      .replace(/\\[a-z]+-?\d* ?/gi, '')
      .replace(/[{}]/g, '')
      .trim();
  }
  return text;
}

export function looksLikeNetmon(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const magic = String.fromCharCode(head[0], head[1], head[2], head[3]);
  return magic === 'RTSS' || magic === 'GMBU';
}

/** NetMon media type → link type; 'skip' for metadata frames Wireshark does not show. */
function linkTypeForMedia(media: number): number | 'skip' | undefined {
  switch (media) {
    case 1:
      return LinkType.ETHERNET;
    case 2:
      return 6; // Token Ring (LINKTYPE_IEEE802_5)
    case 3:
      return 10; // FDDI
    case 6:
      return NetmonLinkType.IEEE802_11_NETMON;
    case 7:
    case 8:
    case 9:
      return LinkType.RAW;
    case 0xffe0:
      return NetmonLinkType.NETEVENT;
    case 0xfffb:
      return NetmonLinkType.NETWORK_INFO_EX;
    case 0xffff:
      return NetmonLinkType.NETMON_FILTER;
    case 0xfffc: // header of a frame NetMon rebuilt by reassembly
    case 0xfffd: // adapter list (older form)
    case 0xfffe: // DNS cache
      return 'skip';
  }
  // 0xE000 | n carries pcap link type n (files converted from pcap), except the E080-E08A
  // range, which Message Analyzer uses for its own media types.
  if ((media & 0xf000) === 0xe000 && !(media >= 0xe080 && media <= 0xe08a)) return media & 0x0fff;
  if (media === 0xe080) return LinkType.IEEE802_11;
  return undefined;
}

export interface NetmonOptions {
  observer?: BlockObserver;
  totalBytes?: number;
}

export class NetmonParser implements FormatParser {
  need = 1;
  error: CaptureError | undefined;
  framesEmitted = 0;
  private readonly file: WholeFileBuffer;
  private readonly observer: BlockObserver | undefined;
  private readonly totalBytes: number | undefined;
  private header:
    | {
        major: number;
        minor: number;
        media: number;
        startSeconds: number;
        startNanos: number;
        tableOffset: number;
        tableLength: number;
        commentOffset: number;
        commentLength: number;
      }
    | undefined;
  /** Frame comments (NetMon 2.2+ comment table), by the frame's file offset. */
  private commentsByFrame: Map<number, string[]> | undefined;
  private table: Uint32Array | undefined;
  /** Index in the frame table of the next frame to read. */
  private nextEntry = 0;
  private readonly interfaces: CaptureInterface[] = [];
  private readonly interfaceByLink = new Map<number, number>();
  private fileInfo: CaptureInfo | undefined;
  private readonly time: SplitTime = { seconds: 0, nanoseconds: 0 };

  constructor(options: NetmonOptions = {}) {
    this.observer = options.observer;
    this.totalBytes = options.totalBytes;
    this.file = new WholeFileBuffer(options.totalBytes);
  }

  info(): CaptureInfo | undefined {
    return this.fileInfo;
  }

  parse(
    bytes: Uint8Array,
    _view: DataView,
    start: number,
    end: number,
    fileOffset: number,
    out: CapturedFrame[],
  ): number {
    if (this.error) return start;
    const appendError = this.file.append(bytes.subarray(start, end), fileOffset, 'NetMon');
    if (appendError) {
      this.fail(appendError);
      return start;
    }
    this.advance(out);
    return end;
  }

  finish(_unconsumed: number, _fileOffset: number, out: CapturedFrame[]): CaptureError | undefined {
    if (this.error) return this.error;
    this.advance(out);
    if (this.error) return this.error;
    const have = this.file.length;
    if (this.header === undefined)
      return truncatedInside('the NetMon file header', undefined, 0, `${have} of ${HEADER_BYTES} bytes present`);
    const { tableOffset, tableLength } = this.header;
    if (this.table === undefined) {
      return truncatedInside(
        'the NetMon frame table',
        undefined,
        Math.min(have, tableOffset),
        `the table is ${formatCount(tableLength)} bytes at byte ${formatCount(tableOffset)}, the file has ${formatCount(have)} bytes`,
      );
    }
    if (this.commentsByFrame === undefined) {
      const { commentOffset, commentLength } = this.header;
      return truncatedInside(
        'the NetMon comment table',
        undefined,
        Math.min(commentOffset, have),
        `the table is ${formatCount(commentLength)} bytes at byte ${formatCount(commentOffset)}`,
      );
    }
    if (this.nextEntry < this.table.length) {
      const frame = this.framesEmitted + 1;
      const at = this.table[this.nextEntry];
      // Now the file size is known: an entry pointing past the end is the table's fault (as
      // readFrames says when the size is known up front), and the offset stays inside the file.
      if (at + (this.header.major === 2 ? 16 : 8) > have) {
        return malformedAt(
          `NetMon frame table entry ${formatCount(this.nextEntry + 1)} points to byte ${formatCount(at)}, past the end of the ${formatCount(have)}-byte file`,
          tableOffset + this.nextEntry * 4,
          frame,
        );
      }
      return truncatedInside(`packet ${formatCount(frame)}`, frame, at, `the file has ${formatCount(have)} bytes`);
    }
    return undefined;
  }

  private fail(error: CaptureError): void {
    this.error = error;
    this.need = 0;
  }

  private advance(out: CapturedFrame[]): void {
    if (this.header === undefined) {
      if (this.file.length < HEADER_BYTES) return;
      if (!this.readHeader()) return;
    }
    if (this.table === undefined) {
      if (!this.readTable()) return;
    }
    if (this.commentsByFrame === undefined) {
      if (!this.readComments()) return;
    }
    this.readFrames(out);
  }

  private readHeader(): boolean {
    const view = this.file.view;
    const bytes = this.file.bytes;
    const isV2 = bytes[0] === 0x47; // 'G' of GMBU
    const minor = bytes[4];
    const major = bytes[5];
    if (major !== (isV2 ? 2 : 1)) {
      this.fail(
        malformedAt(
          `NetMon file says version ${major}.${minor}, which does not go with its ${isV2 ? 'GMBU (2.x)' : 'RTSS (1.x)'} magic`,
          5,
        ),
      );
      return false;
    }
    const media = view.getUint16(6, true);
    // The start time is a SYSTEMTIME in the capturing machine's local time, with no zone.
    // Wireshark applies the viewer's zone (mktime); we read it as UTC so the result does not
    // depend on where the file is opened. NetMon 2.3 frames carry UTC FILETIMEs instead.
    const year = view.getUint16(8, true);
    const month = view.getUint16(10, true);
    const day = view.getUint16(14, true);
    const hour = view.getUint16(16, true);
    const minute = view.getUint16(18, true);
    const second = view.getUint16(20, true);
    const millis = view.getUint16(22, true);
    const startSeconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
    const tableOffset = view.getUint32(24, true);
    const tableLength = view.getUint32(28, true);
    if (tableLength % 4 !== 0 || tableLength === 0) {
      this.fail(
        malformedAt(
          `NetMon frame table length is ${formatCount(tableLength)} bytes, which is ${tableLength === 0 ? 'empty' : 'not a whole number of 4-byte entries'}`,
          28,
        ),
      );
      return false;
    }
    // Only 2.2 and later define the comment table; older files leave garbage in those fields.
    const hasComments = major === 2 && minor >= 2;
    const commentOffset = hasComments ? view.getUint32(40, true) : 0;
    const commentLength = hasComments ? view.getUint32(44, true) : 0;
    if (commentLength > 0 && (commentLength < 17 || commentLength > 512 * 1024 * 1024)) {
      this.fail(malformedAt(`NetMon comment table length ${formatCount(commentLength)} cannot be right`, 44));
      return false;
    }
    // Checks that need the file size come after those that do not, so a file gives the same
    // error whether its size is known up front or only at the end of a stream.
    if (this.totalBytes !== undefined && tableOffset + tableLength > this.totalBytes) {
      this.fail(
        truncatedInside(
          'the NetMon frame table',
          undefined,
          Math.min(tableOffset, this.totalBytes),
          `the table is ${formatCount(tableLength)} bytes at byte ${formatCount(tableOffset)}, the file has ${formatCount(this.totalBytes)} bytes`,
        ),
      );
      return false;
    }
    if (commentLength > 0 && this.totalBytes !== undefined && commentOffset + commentLength > this.totalBytes) {
      this.fail(
        truncatedInside(
          'the NetMon comment table',
          undefined,
          Math.min(commentOffset, this.totalBytes),
          `the table is ${formatCount(commentLength)} bytes at byte ${formatCount(commentOffset)}`,
        ),
      );
      return false;
    }
    this.header = {
      major,
      minor,
      media,
      startSeconds: Number.isFinite(startSeconds) ? startSeconds : 0,
      startNanos: millis * 1_000_000,
      tableOffset,
      tableLength,
      commentOffset,
      commentLength,
    };
    this.observer?.('netmon-header', 0, HEADER_BYTES);
    this.fileInfo = {
      format: 'netmon',
      variant: `NetMon ${major}.${minor}`,
      interfaces: this.interfaces,
      comments: [],
    };
    return true;
  }

  private readTable(): boolean {
    const { tableOffset, tableLength } = this.header!;
    if (this.file.length < tableOffset + tableLength) return false;
    const count = tableLength / 4;
    const table = new Uint32Array(count);
    const view = this.file.view;
    for (let i = 0; i < count; i++) table[i] = view.getUint32(tableOffset + i * 4, true);
    this.table = table;
    this.observer?.('frame-table', tableOffset, tableLength);
    return true;
  }

  /**
   * The comment table: entries of {u32 frames per comment, u32 frame offset, u32 title length,
   * UTF-16LE title, u32 description length, description}. NetMon 3.4 writes the description
   * as RTF; we keep its text.
   */
  private readComments(): boolean {
    const { commentOffset, commentLength } = this.header!;
    const comments = new Map<number, string[]>();
    if (commentLength === 0) {
      this.commentsByFrame = comments;
      return true;
    }
    if (this.file.length < commentOffset + commentLength) return false;
    const view = this.file.view;
    const bytes = this.file.bytes;
    let at = commentOffset;
    let left = commentLength;
    while (left > 16) {
      const frameOffset = view.getUint32(at + 4, true);
      const titleLength = view.getUint32(at + 8, true);
      at += 12;
      left -= 12;
      if (titleLength === 0 || titleLength + 4 > left) {
        this.fail(
          malformedAt(
            `NetMon comment at byte ${formatCount(at - 12)} has a title of ${formatCount(titleLength)} bytes, which does not fit the comment table`,
            at - 4,
          ),
        );
        return false;
      }
      const title = utf16le.decode(bytes.subarray(at, at + titleLength)).replace(/\0+$/, '');
      at += titleLength;
      left -= titleLength;
      const descriptionLength = view.getUint32(at, true);
      at += 4;
      left -= 4;
      if (descriptionLength > left) {
        this.fail(
          malformedAt(
            `NetMon comment description at byte ${formatCount(at - 4)} is ${formatCount(descriptionLength)} bytes, more than the comment table has left`,
            at - 4,
          ),
        );
        return false;
      }
      const description = plainText(bytes.subarray(at, at + descriptionLength));
      at += descriptionLength;
      left -= descriptionLength;
      comments.set(frameOffset, description ? [title, description] : [title]);
    }
    this.commentsByFrame = comments;
    this.observer?.('comment-table', commentOffset, commentLength);
    return true;
  }

  private interfaceFor(linkType: number): number {
    let id = this.interfaceByLink.get(linkType);
    if (id === undefined) {
      id = this.interfaces.length;
      this.interfaces.push({ id, linkType, snapLength: 0, fcsLength: 0 });
      this.interfaceByLink.set(linkType, id);
    }
    return id;
  }

  private readFrames(out: CapturedFrame[]): void {
    const header = this.header!;
    const table = this.table!;
    const bytes = this.file.bytes;
    const view = this.file.view;
    const have = this.file.length;
    const v2 = header.major === 2;
    const recordHeader = v2 ? 16 : 8;
    const trailer = !v2 || header.minor === 0 ? 0 : header.minor === 1 ? 2 : header.minor === 2 ? 6 : 15;
    while (this.nextEntry < table.length) {
      const at = table[this.nextEntry];
      const frame = this.framesEmitted + 1;
      if (this.totalBytes !== undefined && at + recordHeader > this.totalBytes) {
        this.fail(
          malformedAt(
            `NetMon frame table entry ${formatCount(this.nextEntry + 1)} points to byte ${formatCount(at)}, past the end of the ${formatCount(this.totalBytes)}-byte file`,
            header.tableOffset + this.nextEntry * 4,
            frame,
          ),
        );
        return;
      }
      if (have < at + recordHeader) return;
      const originalLength = v2 ? view.getUint32(at + 8, true) : view.getUint16(at + 4, true);
      const capturedLength = v2 ? view.getUint32(at + 12, true) : view.getUint16(at + 6, true);
      if (capturedLength > MAX_NETMON_PACKET) {
        this.fail(
          malformedAt(
            `NetMon packet ${formatCount(frame)} at byte ${formatCount(at)} claims ${formatCount(capturedLength)} bytes, more than the ${formatCount(MAX_NETMON_PACKET)} NetMon allows`,
            at,
            frame,
          ),
        );
        return;
      }
      const total = recordHeader + capturedLength + trailer;
      if (this.totalBytes !== undefined && at + total > this.totalBytes) {
        this.fail(
          truncatedInside(
            `packet ${formatCount(frame)}`,
            frame,
            at,
            `its record needs ${formatCount(total)} bytes, ${formatCount(this.totalBytes - at)} left in the file`,
          ),
        );
        return;
      }
      if (have < at + total) return;
      this.nextEntry++;
      this.observer?.('frame', at, total);
      let media = header.media;
      if (trailer > 0) media = view.getUint16(at + recordHeader + capturedLength, true);
      const linkType = linkTypeForMedia(media);
      if (linkType === 'skip') continue;
      if (linkType === undefined) {
        this.fail(
          new CaptureError(
            'unsupported',
            `NetMon packet ${formatCount(frame)} at byte ${formatCount(at)} has media type 0x${media.toString(16)}, which we cannot read`,
            at,
            frame,
          ),
        );
        return;
      }
      this.frameTime(at, recordHeader + capturedLength, trailer, v2);
      this.framesEmitted = frame;
      out.push(
        makeFrame(
          frame,
          this.time.seconds,
          this.time.nanoseconds,
          capturedLength,
          originalLength,
          linkType,
          this.interfaceFor(linkType),
          bytes.subarray(at + recordHeader, at + recordHeader + capturedLength),
          undefined,
          this.commentsByFrame!.get(at),
        ),
      );
    }
  }

  private frameTime(at: number, trailerAt: number, trailer: number, v2: boolean): void {
    const header = this.header!;
    const view = this.file.view;
    if (trailer === 15) {
      // NetMon 2.3: a UTC FILETIME (100 ns ticks since 1601) in the trailer, used instead.
      const ticksAt = at + trailerAt + 6;
      ticksToTime(view.getUint32(ticksAt + 4, true), view.getUint32(ticksAt, true), 10_000_000, this.time);
      this.time.seconds -= FILETIME_EPOCH_OFFSET_SECONDS;
      return;
    }
    if (v2) {
      // Microseconds since the start time, as a u64 that NetMon intends as signed after
      // scaling to 100 ns units (times a little before the start time are negative).
      const us = (BigInt(view.getUint32(at + 4, true)) << 32n) | BigInt(view.getUint32(at, true));
      const signedTicks = BigInt.asIntN(64, us * 10n);
      const totalNanos = BigInt(header.startNanos) + signedTicks * 100n;
      let seconds = totalNanos / 1_000_000_000n;
      let rest = totalNanos % 1_000_000_000n;
      if (rest < 0n) {
        rest += 1_000_000_000n;
        seconds -= 1n;
      }
      this.time.seconds = header.startSeconds + Number(seconds);
      this.time.nanoseconds = Number(rest);
      return;
    }
    const nanos = header.startNanos + view.getUint32(at, true) * 1_000_000;
    const seconds = Math.floor(nanos / 1_000_000_000);
    this.time.seconds = header.startSeconds + seconds;
    this.time.nanoseconds = nanos - seconds * 1_000_000_000;
  }
}
