// A walker over an ETW trace file (.etl): buffers, the logfile header, and every event header
// kind, with raw timestamps turned into UTC. It knows nothing about packets (see etl-ndis.ts).
//
// Layout facts (all little-endian) come from Microsoft's documented ETW structures and Geoff
// Chappell's WMI_BUFFER_HEADER / trace header studies; see docs/ETL.md for the summary.
//
// Bad input never throws: every problem becomes a CaptureError in `problems`, the damaged buffer
// (or event) is skipped, and everything readable elsewhere in the file is still returned — ETL
// buffers are independent, so one bad buffer need not hide the others.
import { CaptureError } from './types.ts';
import { inflatePlainLz77 } from './xca-lz77.ts';
import { thousands } from '../describe/thousands.ts';

export const BUFFER_HEADER_SIZE = 0x48;
const SYSTEM_HEADER_SIZE = 32;
/** TRACE_LOGFILE_HEADER without the two trailing strings, 64-bit and 32-bit pointer forms. */
const LOGFILE_HEADER_SIZE_64 = 280;
const LOGFILE_HEADER_SIZE_32 = 272;

/** LogFileMode bit: buffers were compressed before being written (Windows 8+). */
export const EVENT_TRACE_COMPRESSED_MODE = 0x0400_0000;
/** LogFileMode bit: the file wraps around (BuffersWritten may exceed the buffers it holds). */
const EVENT_TRACE_FILE_MODE_CIRCULAR = 0x0000_0002;
/** BufferFlag bit: this buffer's payload is compressed. */
export const BUFFER_FLAG_COMPRESSED = 0x40;
/** ETW_BUFFER_STATE value of a compressed buffer (Windows 10 1607 and later). */
const BUFFER_STATE_COMPRESSED = 5;
/**
 * Largest inflated buffer accepted: the logfile header's buffer size (pktmon: 16 MiB), at least
 * 1 MiB, never more than 64 MiB. A hostile SavedOffset cannot make the reader allocate more.
 */
const MIN_INFLATED_LIMIT = 1 << 20;
const MAX_INFLATED_LIMIT = 64 << 20;

/** FILETIME (100 ns since 1601) of 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const TICKS_PER_SECOND = 10_000_000n;

export interface EtlBufferHeader {
  /** Position in the file, counting from 0 (the header buffer). */
  fileIndex: number;
  /** Byte offset of the buffer in the file. */
  offset: number;
  bufferSize: number;
  /** End of the event data, counted from the buffer's start. */
  savedOffset: number;
  /** Offset/FilledBytes at 0x30: the same end, kept by Windows as a second copy. */
  filledBytes: number;
  /** Raw clock value when the buffer was flushed (0 in the header buffer). */
  timestamp: bigint;
  sequenceNumber: bigint;
  processorIndex: number;
  loggerId: number;
  state: number;
  bufferFlag: number;
  bufferType: number;
  /** Bytes of the buffer actually present in the file (less than bufferSize when truncated). */
  presentBytes: number;
  /**
   * Compressed (BufferFlag 0x40 or State 5): on disk the 72-byte header then MS-XCA Plain LZ77
   * data up to BufferSize; SavedOffset is 72 + the inflated length.
   */
  compressed: boolean;
}

export type EtlClock = 'qpc' | 'system-time' | 'cpu-cycles';

export interface LogfileHeader {
  /** True when the header uses 8-byte pointers (SYSTEM_TRACE_HEADER type 0x02). */
  is64Bit: boolean;
  bufferSize: number;
  /** Windows version that wrote the file: major.minor, and the build in providerVersion. */
  majorVersion: number;
  minorVersion: number;
  subVersion: number;
  subMinorVersion: number;
  /** The OS build number (e.g. 19041). */
  providerVersion: number;
  numberOfProcessors: number;
  /** FILETIME (UTC) when the trace stopped. */
  endTime: bigint;
  timerResolution: number;
  maximumFileSize: number;
  logFileMode: number;
  buffersWritten: number;
  pointerSize: number;
  eventsLost: number;
  cpuSpeedMHz: number;
  /** Minutes to add to local time to get UTC (TIME_ZONE_INFORMATION.Bias). */
  timeZoneBias: number;
  bootTime: bigint;
  perfFreq: bigint;
  /** FILETIME (UTC) when the trace started. */
  startTime: bigint;
  /** ReservedFlags: 1 QPC, 2 system time, 3 CPU cycles (0 is read as QPC). */
  clockType: number;
  clock: EtlClock;
  buffersLost: number;
  loggerName: string;
  logFileName: string;
  /** Raw clock value of the logfile-header record itself: the anchor for converting the rest. */
  headerTimestamp: bigint;
}

/**
 * The header kinds found in ETW buffers, named after what writes them:
 * system/compact-system/perfinfo (kernel logger), event-header (manifest and TraceLogging
 * providers: EVENT_HEADER), event-trace (classic MOF: EVENT_TRACE_HEADER), instance (classic
 * with instance GUIDs), wpp (TraceMessage), and the rarely seen timed/error/wnode/message kinds.
 */
export type EtlHeaderKind =
  | 'system'
  | 'compact-system'
  | 'perfinfo'
  | 'event-header'
  | 'event-trace'
  | 'instance'
  | 'wpp'
  | 'timed'
  | 'error'
  | 'wnode'
  | 'message'
  | 'unknown';

export interface EtlExtendedItem {
  /** EVENT_HEADER_EXT_TYPE_*: 1 related activity id, 2 SID, 11 TraceLogging schema, 12 provider traits, … */
  type: number;
  /** Offset of the item's data (after its 8-byte header) in the file, or in the inflated buffer. */
  offset: number;
  length: number;
}

export interface EtlEventDescriptor {
  id: number;
  version: number;
  channel: number;
  level: number;
  opcode: number;
  task: number;
  keyword: bigint;
}

export interface EtlEvent {
  kind: EtlHeaderKind;
  /** Byte 2 of the header (TRACE_HEADER_TYPE_*). */
  headerType: number;
  /**
   * File offset of the event header; for an event in a compressed buffer, the offset of that
   * buffer (the event's place in the inflated bytes is `inflatedOffset`).
   */
  offset: number;
  /** Offset of the event header in its compressed buffer's inflated bytes (header included). */
  inflatedOffset?: number;
  /** Bytes the event says it covers (before padding to 8). */
  size: number;
  /** fileIndex of the buffer holding the event. */
  buffer: number;
  processor: number;
  /** Raw clock value, when the header kind carries one. */
  timestamp?: bigint;
  threadId?: number;
  processId?: number;
  /** Kernel hook (group << 8 | type) for system, compact-system and perfinfo headers. */
  hookId?: number;
  /** Provider GUID (event-header) or class GUID (event-trace, instance), lower case, no braces. */
  guid?: string;
  descriptor?: EtlEventDescriptor;
  /** EVENT_HEADER Flags. */
  flags?: number;
  extendedItems?: EtlExtendedItem[];
  /** The event's payload after its header (and extended items): a view into the file. */
  userData: Uint8Array;
}

export interface EtlWalk {
  /** Absent when the file does not start with an ETW logfile header. */
  header?: LogfileHeader;
  /** Every buffer found, sorted by time (the header buffer first), then by file position. */
  buffers: EtlBufferHeader[];
  /** Every readable event (or those `keep` chose), sorted by time across the per-CPU buffers. */
  events: EtlEvent[];
  /** Counts over every readable event, kept or not. */
  counts: EtlEventCounts;
  /** Everything that was wrong, in file order. Complete events elsewhere are still in `events`. */
  problems: CaptureError[];
}

export interface EtlEventCounts {
  total: number;
  /** Per header kind ('event-header', 'system', 'wpp', …). */
  byKind: Record<string, number>;
  /** Per provider GUID (EVENT_HEADER) or class GUID (classic headers). */
  byProvider: Record<string, number>;
}

export interface WalkOptions {
  /**
   * Return only events of these providers (GUIDs as in EtlEvent.guid); the rest are counted but
   * never turned into objects: a netsh trace holds far more events from other providers than
   * packets, and materialising them all would cost memory and time for nothing.
   */
  providers?: readonly string[];
}

function u16(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x100_0000;
}
function i32(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
}
function u64(bytes: Uint8Array, at: number): bigint {
  return (BigInt(u32(bytes, at + 4)) << 32n) | BigInt(u32(bytes, at));
}
function i64(bytes: Uint8Array, at: number): bigint {
  return BigInt.asIntN(64, u64(bytes, at));
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A Windows GUID as stored (Data1-3 little-endian, Data4 as bytes) → "2ed6006e-4729-…". */
export function readGuid(bytes: Uint8Array, at: number): string {
  const h = (i: number) => HEX_BYTE[bytes[at + i]];
  return (
    h(3) +
    h(2) +
    h(1) +
    h(0) +
    '-' +
    h(5) +
    h(4) +
    '-' +
    h(7) +
    h(6) +
    '-' +
    h(8) +
    h(9) +
    '-' +
    h(10) +
    h(11) +
    h(12) +
    h(13) +
    h(14) +
    h(15)
  );
}

/**
 * GUID text without a new string per event: a trace has a handful of providers but millions of
 * events. Entries are found by Data1 and checked byte for byte; the cache stops growing at a
 * size no real trace reaches (a damaged file could otherwise fill it with garbage GUIDs).
 */
class GuidCache {
  private readonly byData1 = new Map<number, Array<{ bytes: Uint8Array; text: string }>>();
  private size = 0;

  read(bytes: Uint8Array, at: number): string {
    const data1 = u32(bytes, at);
    const list = this.byData1.get(data1);
    if (list) {
      outer: for (const entry of list) {
        for (let i = 4; i < 16; i++) if (entry.bytes[i] !== bytes[at + i]) continue outer;
        return entry.text;
      }
    }
    const text = readGuid(bytes, at);
    if (this.size < 4096) {
      this.size++;
      const entry = { bytes: bytes.slice(at, at + 16), text };
      if (list) list.push(entry);
      else this.byData1.set(data1, [entry]);
    }
    return text;
  }
}

/** NUL-terminated UTF-16LE starting at `at`, never reading at or past `end`. Returns the text and where it stopped. */
function readUtf16z(bytes: Uint8Array, at: number, end: number): { text: string; next: number } {
  const units: number[] = [];
  let p = at;
  while (p + 1 < end) {
    const unit = u16(bytes, p);
    p += 2;
    if (unit === 0) break;
    units.push(unit);
  }
  let text = '';
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return { text, next: p };
}

function readBufferHeader(bytes: Uint8Array, offset: number, fileIndex: number): EtlBufferHeader {
  return {
    fileIndex,
    offset,
    bufferSize: u32(bytes, offset),
    savedOffset: u32(bytes, offset + 4),
    filledBytes: u32(bytes, offset + 48),
    timestamp: i64(bytes, offset + 16),
    sequenceNumber: i64(bytes, offset + 24),
    processorIndex: u16(bytes, offset + 40),
    loggerId: u16(bytes, offset + 42),
    state: u32(bytes, offset + 44),
    bufferFlag: u16(bytes, offset + 52),
    bufferType: u16(bytes, offset + 54),
    presentBytes: Math.min(u32(bytes, offset), bytes.length - offset),
    compressed:
      (u16(bytes, offset + 52) & BUFFER_FLAG_COMPRESSED) !== 0 || u32(bytes, offset + 44) === BUFFER_STATE_COMPRESSED,
  };
}

interface KindInfo {
  kind: EtlHeaderKind;
  /** Bytes of fixed header before extended items / payload. */
  headerLength: number;
  /** Where the u16 total size sits: 4 for kernel-style headers, 0 for the rest. */
  sizeAt: 0 | 4;
  /** Where the provider/class GUID sits, for the kinds that have one. */
  guidAt?: number;
}

/** Header kind from byte 2 (TRACE_HEADER_TYPE_*) and byte 3 (marker flags). */
function classify(type: number, markerFlags: number): KindInfo {
  // TraceMessage (WPP) records carry the TRACE_MESSAGE flag instead of a header type.
  if ((markerFlags & 0xf0) === 0x90) return { kind: 'wpp', headerLength: 8, sizeAt: 0 };
  switch (type) {
    case 0x01:
    case 0x02:
      return { kind: 'system', headerLength: 32, sizeAt: 4 };
    case 0x03:
    case 0x04:
      return { kind: 'compact-system', headerLength: 24, sizeAt: 4 };
    case 0x10:
    case 0x11:
      return { kind: 'perfinfo', headerLength: 16, sizeAt: 4 };
    case 0x12:
    case 0x13:
      return { kind: 'event-header', headerLength: 80, sizeAt: 0, guidAt: 24 };
    case 0x0a:
    case 0x14:
      return { kind: 'event-trace', headerLength: 48, sizeAt: 0, guidAt: 24 };
    case 0x0b:
    case 0x15:
      return { kind: 'instance', headerLength: 48, sizeAt: 0, guidAt: 24 };
    case 0x0c:
      return { kind: 'timed', headerLength: 4, sizeAt: 0 };
    case 0x0d:
      return { kind: 'error', headerLength: 4, sizeAt: 0 };
    case 0x0e:
      return { kind: 'wnode', headerLength: 4, sizeAt: 0 };
    case 0x0f:
      return { kind: 'message', headerLength: 4, sizeAt: 0 };
    default:
      return { kind: 'unknown', headerLength: 4, sizeAt: 0 };
  }
}

/** Reads the SYSTEM_TRACE_HEADER (hook 0) + TRACE_LOGFILE_HEADER at the start of buffer 0. */
function readLogfileHeader(bytes: Uint8Array, eventEnd: number): LogfileHeader | CaptureError {
  const at = BUFFER_HEADER_SIZE;
  const headerType = bytes[at + 2];
  const is64Bit = headerType === 0x02;
  const lh = at + SYSTEM_HEADER_SIZE;
  const fixed = is64Bit ? LOGFILE_HEADER_SIZE_64 : LOGFILE_HEADER_SIZE_32;
  if (lh + fixed > eventEnd) {
    return new CaptureError(
      'malformed',
      `logfile header at byte ${thousands(at)} is ${thousands(eventEnd - at)} bytes, too short for a TRACE_LOGFILE_HEADER (${thousands(SYSTEM_HEADER_SIZE + fixed)})`,
      at,
    );
  }
  // 32-bit traces store LoggerName/LogFileName as 4-byte pointers: everything after them moves up 8.
  const shift = is64Bit ? 0 : -8;
  const tz = lh + 72 + shift;
  const clockType = u32(bytes, lh + 272 + shift);
  const names1 = readUtf16z(bytes, lh + fixed, eventEnd);
  const names2 = readUtf16z(bytes, names1.next, eventEnd);
  const header: LogfileHeader = {
    is64Bit,
    bufferSize: u32(bytes, lh),
    majorVersion: bytes[lh + 4],
    minorVersion: bytes[lh + 5],
    subVersion: bytes[lh + 6],
    subMinorVersion: bytes[lh + 7],
    providerVersion: u32(bytes, lh + 8),
    numberOfProcessors: u32(bytes, lh + 12),
    endTime: i64(bytes, lh + 16),
    timerResolution: u32(bytes, lh + 24),
    maximumFileSize: u32(bytes, lh + 28),
    logFileMode: u32(bytes, lh + 32),
    buffersWritten: u32(bytes, lh + 36),
    pointerSize: u32(bytes, lh + 44),
    eventsLost: u32(bytes, lh + 48),
    cpuSpeedMHz: u32(bytes, lh + 52),
    timeZoneBias: i32(bytes, tz),
    bootTime: i64(bytes, tz + 176),
    perfFreq: i64(bytes, tz + 184),
    startTime: i64(bytes, tz + 192),
    clockType,
    clock: clockType === 2 ? 'system-time' : clockType === 3 ? 'cpu-cycles' : 'qpc',
    buffersLost: u32(bytes, tz + 204),
    loggerName: names1.text,
    logFileName: names2.text,
    headerTimestamp: i64(bytes, at + 16),
  };
  if (clockType > 3) {
    return new CaptureError(
      'unsupported',
      `logfile header names clock type ${clockType}; only QPC (1), system time (2) and CPU cycles (3) are known`,
      lh + 272 + shift,
    );
  }
  if (header.clock === 'qpc' && header.perfFreq <= 0n) {
    return new CaptureError('malformed', `logfile header says the QPC clock runs at ${header.perfFreq} Hz`, tz + 184);
  }
  if (header.clock === 'cpu-cycles' && header.cpuSpeedMHz === 0) {
    return new CaptureError('malformed', 'logfile header says CPU-cycle timestamps but a CPU speed of 0 MHz', lh + 52);
  }
  return header;
}

/** True when the 72 bytes at `offset` hold no buffer at all (never-written space in the file). */
function isUnusedSpace(bytes: Uint8Array, offset: number): boolean {
  const first = bytes[offset];
  if (first !== 0 && first !== 0xff) return false;
  for (let i = offset; i < offset + BUFFER_HEADER_SIZE; i++) if (bytes[i] !== first) return false;
  return true;
}

/**
 * Converts a raw event timestamp to FILETIME (100 ns units since 1601, UTC), exactly, with
 * integer math: StartTime + (raw − raw time of the logfile-header record) scaled by the clock.
 */
export function etlTimeToFiletime(header: LogfileHeader, raw: bigint): bigint {
  const delta = raw - header.headerTimestamp;
  switch (header.clock) {
    case 'system-time':
      return header.startTime + delta;
    case 'cpu-cycles':
      return header.startTime + floorDiv(delta * 10n, BigInt(header.cpuSpeedMHz));
    case 'qpc':
      return header.startTime + floorDiv(delta * TICKS_PER_SECOND, header.perfFreq);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** FILETIME → Unix seconds + nanoseconds (nanoseconds always 0…999,999,999). */
export function filetimeToUnix(filetime: bigint): { seconds: number; nanoseconds: number } {
  const unixTicks = filetime - FILETIME_UNIX_EPOCH;
  const seconds = floorDiv(unixTicks, TICKS_PER_SECOND);
  const rest = unixTicks - seconds * TICKS_PER_SECOND;
  return { seconds: Number(seconds), nanoseconds: Number(rest) * 100 };
}

/** Cheap check on the first bytes of a file (≥ 104 of them; 4 KiB is plenty). */
export function looksLikeEtl(head: Uint8Array): boolean {
  const at = BUFFER_HEADER_SIZE;
  if (head.length < at + SYSTEM_HEADER_SIZE) return false;
  const bufferSize = u32(head, 0);
  const savedOffset = u32(head, 4);
  if (bufferSize < at + SYSTEM_HEADER_SIZE + LOGFILE_HEADER_SIZE_32 || bufferSize % 8 !== 0) return false;
  if (savedOffset <= at || savedOffset > bufferSize) return false;
  const headerType = head[at + 2];
  if (headerType !== 0x01 && headerType !== 0x02) return false;
  if ((head[at + 3] & 0xc0) !== 0xc0) return false;
  const size = u16(head, at + 4);
  const hookId = u16(head, at + 6);
  return hookId === 0 && size >= SYSTEM_HEADER_SIZE + LOGFILE_HEADER_SIZE_32 && at + size <= savedOffset;
}

/** Reads the whole file: header, buffers and events (sorted by time), and every problem met. */
export function walkEtl(bytes: Uint8Array, options: WalkOptions = {}): EtlWalk {
  const problems: CaptureError[] = [];
  const buffers: EtlBufferHeader[] = [];
  const events: EtlEvent[] = [];
  const counts: EtlEventCounts = { total: 0, byKind: {}, byProvider: {} };
  const only = options.providers ? new Set(options.providers) : undefined;
  const guids = new GuidCache();
  const fail = (error: CaptureError): EtlWalk => ({ buffers, events, counts, problems: [error] });

  if (bytes.length === 0) return fail(new CaptureError('not-a-capture', 'the file is empty', 0));
  if (bytes.length < BUFFER_HEADER_SIZE + SYSTEM_HEADER_SIZE) {
    return fail(
      new CaptureError(
        'truncated',
        `file ends at byte ${thousands(bytes.length)}, inside the first ETW buffer's headers`,
        bytes.length,
      ),
    );
  }
  if (!looksLikeEtl(bytes)) {
    return fail(
      new CaptureError('not-a-capture', 'not an ETW trace: no logfile header at the start of the first buffer', 0),
    );
  }
  const first = readBufferHeader(bytes, 0, 0);
  const logfileEventEnd = BUFFER_HEADER_SIZE + u16(bytes, BUFFER_HEADER_SIZE + 4);
  if (logfileEventEnd > bytes.length) {
    return fail(
      new CaptureError(
        'truncated',
        `file ends at byte ${thousands(bytes.length)}, inside the logfile header`,
        bytes.length,
      ),
    );
  }
  const header = readLogfileHeader(bytes, Math.min(logfileEventEnd, first.savedOffset));
  if (header instanceof CaptureError) return fail(header);

  // Buffers follow one another, each BufferSize long (its own field: sizes may differ).
  let offset = 0;
  const readable: Array<{ buffer: EtlBufferHeader; end: number }> = [];
  // Preallocated or never-flushed space at the end of a file is 0x00 or 0xFF: not damage.
  const lastDataByte = lastNonFillByte(bytes);
  while (offset < bytes.length) {
    const fileIndex = buffers.length;
    if (bytes.length - offset < BUFFER_HEADER_SIZE) {
      if (offset <= lastDataByte) {
        problems.push(
          new CaptureError(
            'truncated',
            `file ends at byte ${thousands(bytes.length)}, inside the header of buffer ${fileIndex} (byte ${thousands(offset)})`,
            offset,
          ),
        );
      }
      break;
    }
    if (isUnusedSpace(bytes, offset)) {
      if (offset > lastDataByte) break;
      // A blank buffer with data after it: step over it with the trace's buffer size.
      const stride = header.bufferSize;
      problems.push(
        new CaptureError(
          'malformed',
          `buffer ${fileIndex} at byte ${thousands(offset)} is blank but data follows${stride >= BUFFER_HEADER_SIZE && stride % 8 === 0 ? `; skipping ${thousands(stride)} bytes (the trace's buffer size)` : ''}`,
          offset,
        ),
      );
      if (stride < BUFFER_HEADER_SIZE || stride % 8 !== 0) break;
      offset += stride;
      continue;
    }
    const buffer = readBufferHeader(bytes, offset, fileIndex);
    // A compressed buffer's size is 72 + its compressed length, any number: the flag decides
    // how BufferSize is judged.
    if (
      buffer.bufferSize < BUFFER_HEADER_SIZE ||
      (!buffer.compressed && buffer.bufferSize % 8 !== 0) ||
      (buffer.compressed && buffer.bufferSize === BUFFER_HEADER_SIZE)
    ) {
      // Without a believable size the next buffer cannot be found: stop here.
      problems.push(
        new CaptureError(
          'malformed',
          `buffer ${fileIndex} at byte ${thousands(offset)} says BufferSize ${thousands(buffer.bufferSize)}, which cannot be right${buffer.compressed ? ' for a compressed buffer (72 header bytes and at least one compressed byte)' : ' (a multiple of 8, at least 72)'}`,
          offset,
        ),
      );
      break;
    }
    buffers.push(buffer);
    const available = Math.min(buffer.bufferSize, bytes.length - offset);
    if (available < buffer.bufferSize) {
      problems.push(
        new CaptureError(
          'truncated',
          `file ends at byte ${thousands(bytes.length)}, inside buffer ${fileIndex} (byte ${thousands(offset)}): ${thousands(buffer.bufferSize - available)} of its ${thousands(buffer.bufferSize)} bytes are missing`,
          bytes.length,
        ),
      );
    }
    if (buffer.compressed) {
      const limit = Math.min(Math.max(header.bufferSize, MIN_INFLATED_LIMIT), MAX_INFLATED_LIMIT);
      if (buffer.savedOffset < BUFFER_HEADER_SIZE || buffer.savedOffset > limit) {
        problems.push(
          new CaptureError(
            'malformed',
            `compressed buffer ${fileIndex} at byte ${thousands(offset)} says SavedOffset ${thousands(buffer.savedOffset)}, so ${thousands(buffer.savedOffset - BUFFER_HEADER_SIZE)} bytes once inflated; it must lie between 72 and ${thousands(limit)} (the trace's buffer size)`,
            offset + 4,
          ),
        );
      } else {
        readable.push({ buffer, end: offset + available });
      }
    } else {
      const fits = (end: number) => end >= BUFFER_HEADER_SIZE && end <= buffer.bufferSize;
      let dataEnd = buffer.savedOffset;
      if (!fits(dataEnd)) {
        // The header keeps the end of the data twice; fall back on the second copy when it fits.
        const fallback = fits(buffer.filledBytes)
          ? `; reading up to FilledBytes ${thousands(buffer.filledBytes)} instead`
          : '';
        problems.push(
          new CaptureError(
            'malformed',
            `buffer ${fileIndex} at byte ${thousands(offset)} says its events end at SavedOffset ${thousands(buffer.savedOffset)}, outside the buffer (${thousands(buffer.bufferSize)} bytes)${fallback}`,
            offset + 4,
          ),
        );
        dataEnd = fallback ? buffer.filledBytes : -1;
      }
      if (dataEnd >= 0) readable.push({ buffer, end: offset + Math.min(dataEnd, available) });
    }
    offset += buffer.bufferSize;
  }
  // A file cut exactly between two buffers looks whole; the count written at stop time tells.
  // (Circular logs wrap, so their count can exceed what the file holds.)
  const circular = (header.logFileMode & EVENT_TRACE_FILE_MODE_CIRCULAR) !== 0;
  if (!circular && buffers.length < header.buffersWritten && offset >= bytes.length) {
    problems.push(
      new CaptureError(
        'truncated',
        `file ends at byte ${thousands(bytes.length)} after ${thousands(buffers.length)} buffers; its logfile header says ${thousands(header.buffersWritten)} were written`,
        bytes.length,
      ),
    );
  }

  // Each CPU fills its own buffers, so file order is not time order. Walk buffers by flush time
  // (then file position) and merge their events by timestamp; `order` keeps one CPU's events
  // that share a timestamp (e.g. fragments of one packet) in the order they were logged.
  // Flush-time ties (one CPU switching buffers within one clock tick) fall back on the
  // buffer's sequence number, then on file position.
  const byTime = (a: EtlBufferHeader, b: EtlBufferHeader): number =>
    a.timestamp < b.timestamp
      ? -1
      : a.timestamp > b.timestamp
        ? 1
        : a.sequenceNumber < b.sequenceNumber
          ? -1
          : a.sequenceNumber > b.sequenceNumber
            ? 1
            : a.fileIndex - b.fileIndex;
  readable.sort((a, b) => byTime(a.buffer, b.buffer));
  const sortable: Array<{ key: number; order: number; event: EtlEvent }> = [];
  let order = 0;
  for (const { buffer, end } of readable) {
    // Compressed buffers are inflated one at a time, as they are walked; their events are read
    // from the inflated copy (header included, so positions match an uncompressed buffer's).
    const source = buffer.compressed ? inflateBuffer(bytes, buffer, end, problems) : undefined;
    if (buffer.compressed && !source) continue;
    const data = source?.data ?? bytes;
    const walked = source ? { ...buffer, offset: 0 } : buffer;
    const dataEnd = source ? source.end : end;
    const bufferProblems: CaptureError[] = source ? [] : problems;
    let lastTime = buffer.timestamp;
    walkBufferEvents(data, walked, dataEnd, bufferProblems, (p, size, info) => {
      counts.total++;
      counts.byKind[info.kind] = (counts.byKind[info.kind] ?? 0) + 1;
      const guid = info.guidAt ? guids.read(data, p + info.guidAt) : undefined;
      if (guid) counts.byProvider[guid] = (counts.byProvider[guid] ?? 0) + 1;
      if (only && (!guid || !only.has(guid))) return;
      const event = readEvent(data, p, size, info, walked, bufferProblems, guid);
      if (!event) return;
      if (source) {
        event.inflatedOffset = event.offset;
        event.offset = buffer.offset;
      }
      // Kinds without a timestamp (WPP, unknown) sort with the event before them.
      if (event.timestamp !== undefined) lastTime = event.timestamp;
      // Time relative to the logfile header fits a double exactly for any real trace length.
      sortable.push({ key: Number(lastTime - header.headerTimestamp), order: order++, event });
    });
    // Inside a compressed buffer, positions are in the inflated bytes: say so, and point at the
    // buffer in the file. A buffer cut by the end of the file was reported once already.
    if (source && !source.cut) {
      for (const problem of bufferProblems) {
        problems.push(
          new CaptureError(
            problem.kind,
            `compressed buffer ${buffer.fileIndex} at byte ${thousands(buffer.offset)}, in its inflated bytes: ${problem.message}`,
            buffer.offset,
          ),
        );
      }
    }
  }
  sortable.sort((a, b) => a.key - b.key || a.order - b.order);
  for (const s of sortable) events.push(s.event);
  buffers.sort(byTime);
  problems.sort((a, b) => a.offset - b.offset);
  return { header, buffers, events, counts, problems };
}

/**
 * Inflates one compressed buffer into a copy laid out like an uncompressed one: its 72-byte
 * header, then the events up to SavedOffset. When the data is damaged (or cut by the end of the
 * file) the events inflated before the damage are still returned.
 */
function inflateBuffer(
  bytes: Uint8Array,
  buffer: EtlBufferHeader,
  end: number,
  problems: CaptureError[],
): { data: Uint8Array; end: number; cut: boolean } | undefined {
  const start = buffer.offset + BUFFER_HEADER_SIZE;
  const cut = end < buffer.offset + buffer.bufferSize;
  const inflated = inflatePlainLz77(bytes.subarray(start, end), buffer.savedOffset - BUFFER_HEADER_SIZE);
  const data = new Uint8Array(BUFFER_HEADER_SIZE + inflated.output.length);
  data.set(bytes.subarray(buffer.offset, start), 0);
  data.set(inflated.output, BUFFER_HEADER_SIZE);
  const at = `compressed buffer ${buffer.fileIndex} at byte ${thousands(buffer.offset)}`;
  if (!cut) {
    if (inflated.error) {
      problems.push(
        new CaptureError(
          'malformed',
          `${at}: ${inflated.error.message} (byte ${thousands(start + inflated.error.inputOffset)} of the file); the ${thousands(inflated.output.length)} bytes inflated before it are read`,
          start + inflated.error.inputOffset,
        ),
      );
    } else if (inflated.output.length < buffer.savedOffset - BUFFER_HEADER_SIZE) {
      problems.push(
        new CaptureError(
          'malformed',
          `${at} inflates to ${thousands(inflated.output.length)} bytes, but its SavedOffset says ${thousands(buffer.savedOffset - BUFFER_HEADER_SIZE)}`,
          buffer.offset + 4,
        ),
      );
    }
  }
  if (inflated.output.length === 0) return undefined;
  return { data, end: data.length, cut };
}

/** Index of the last byte that is neither 0x00 nor 0xFF (−1 when there is none). */
function lastNonFillByte(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] !== 0 && bytes[i] !== 0xff) return i;
  return -1;
}

/**
 * Events of one buffer, from 0x48 to `end` (SavedOffset or the end of the file). A size that
 * runs past `end` or is smaller than its header stops the buffer; damage inside one event
 * (extended items) skips just that event.
 */
function walkBufferEvents(
  bytes: Uint8Array,
  buffer: EtlBufferHeader,
  end: number,
  problems: CaptureError[],
  visit: (p: number, size: number, info: KindInfo) => void,
): void {
  let p = buffer.offset + BUFFER_HEADER_SIZE;
  while (p + 4 <= end) {
    // Unused space inside a buffer is filled with 0xFF.
    if (u32(bytes, p) === 0xffff_ffff) return;
    const type = bytes[p + 2];
    const info = classify(type, bytes[p + 3]);
    if (info.sizeAt === 4 && p + 8 > end) {
      problems.push(
        new CaptureError(
          'truncated',
          `event at byte ${thousands(p)} is cut off by the end of buffer ${buffer.fileIndex}'s data at byte ${thousands(end)}`,
          p,
        ),
      );
      return;
    }
    const size = u16(bytes, p + info.sizeAt);
    if (size < info.headerLength) {
      problems.push(
        new CaptureError(
          'malformed',
          `event at byte ${thousands(p)} (${info.kind} header) says it is ${thousands(size)} bytes, less than its ${info.headerLength}-byte header`,
          p,
        ),
      );
      return;
    }
    if (p + size > end && p + size <= buffer.offset + buffer.savedOffset) {
      // The size fits the buffer: it is the file that stops short.
      problems.push(
        new CaptureError(
          'truncated',
          `file ends at byte ${thousands(end)}, inside the event at byte ${thousands(p)} (${thousands(size)} bytes)`,
          end,
        ),
      );
      return;
    }
    if (p + size > end) {
      problems.push(
        new CaptureError(
          'malformed',
          `event at byte ${thousands(p)} says it is ${thousands(size)} bytes, running past the end of buffer ${buffer.fileIndex}'s data at byte ${thousands(end)}`,
          p,
        ),
      );
      return;
    }
    visit(p, size, info);
    p += (size + 7) & ~7;
  }
  if (p < end) {
    problems.push(
      new CaptureError(
        'truncated',
        `event at byte ${thousands(p)} is cut off by the end of buffer ${buffer.fileIndex}'s data at byte ${thousands(end)}`,
        p,
      ),
    );
  }
}

function readEvent(
  bytes: Uint8Array,
  p: number,
  size: number,
  info: KindInfo,
  buffer: EtlBufferHeader,
  problems: CaptureError[],
  guid: string | undefined,
): EtlEvent | undefined {
  const eventEnd = p + size;
  const base = {
    kind: info.kind,
    headerType: bytes[p + 2],
    offset: p,
    size,
    buffer: buffer.fileIndex,
    processor: buffer.processorIndex,
  };
  switch (info.kind) {
    case 'system':
    case 'compact-system':
      return {
        ...base,
        hookId: u16(bytes, p + 6),
        threadId: u32(bytes, p + 8),
        processId: u32(bytes, p + 12),
        timestamp: i64(bytes, p + 16),
        userData: bytes.subarray(p + info.headerLength, eventEnd),
      };
    case 'perfinfo':
      return {
        ...base,
        hookId: u16(bytes, p + 6),
        timestamp: i64(bytes, p + 8),
        userData: bytes.subarray(p + 16, eventEnd),
      };
    case 'event-trace':
    case 'instance':
      return {
        ...base,
        threadId: u32(bytes, p + 8),
        processId: u32(bytes, p + 12),
        timestamp: i64(bytes, p + 16),
        guid,
        userData: bytes.subarray(p + info.headerLength, eventEnd),
      };
    case 'event-header': {
      const flags = u16(bytes, p + 4);
      const event: EtlEvent = {
        ...base,
        flags,
        threadId: u32(bytes, p + 8),
        processId: u32(bytes, p + 12),
        timestamp: i64(bytes, p + 16),
        guid,
        descriptor: {
          id: u16(bytes, p + 40),
          version: bytes[p + 42],
          channel: bytes[p + 43],
          level: bytes[p + 44],
          opcode: bytes[p + 45],
          task: u16(bytes, p + 46),
          keyword: u64(bytes, p + 48),
        },
        userData: bytes.subarray(p + 80, eventEnd),
      };
      // EVENT_HEADER_FLAG_EXTENDED_INFO: items sit between the header and the user data.
      if (flags & 0x0001) {
        const items: EtlExtendedItem[] = [];
        let q = p + 80;
        for (;;) {
          if (q + 8 > eventEnd) {
            problems.push(
              new CaptureError(
                'malformed',
                `event at byte ${thousands(p)}: extended data item at byte ${thousands(q)} runs past the event's end (byte ${thousands(eventEnd)})`,
                q,
              ),
            );
            return undefined;
          }
          const itemSize = u16(bytes, q);
          const dataSize = u16(bytes, q + 6);
          if (itemSize < 8 + dataSize || q + itemSize > eventEnd) {
            problems.push(
              new CaptureError(
                'malformed',
                `event at byte ${thousands(p)}: extended data item at byte ${thousands(q)} says ${thousands(itemSize)} bytes holding ${thousands(dataSize)} of data, which does not fit the event (ends at byte ${thousands(eventEnd)})`,
                q,
              ),
            );
            return undefined;
          }
          items.push({ type: u16(bytes, q + 2), offset: q + 8, length: dataSize });
          const more = (u16(bytes, q + 4) & 1) !== 0;
          q += itemSize;
          if (!more) break;
        }
        event.extendedItems = items;
        event.userData = bytes.subarray(q, eventEnd);
      }
      return event;
    }
    default:
      // Kinds we do not interpret are kept (for counts) with their bytes after the 4-byte marker.
      return { ...base, userData: bytes.subarray(p + info.headerLength, eventEnd) };
  }
}
