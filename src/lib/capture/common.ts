// Pieces every format reader shares: limits, error wording, and exact timestamp arithmetic.
import { CaptureError } from './types.ts';
import type { CapturedFrame, Direction } from './types.ts';

/**
 * No block, record or packet we accept may be longer than this. Real captures stay far below
 * (Wireshark's own per-packet ceiling is 256 KiB for most link types); the limit exists so a
 * corrupt length field can never make us allocate gigabytes.
 */
export const MAX_UNIT_BYTES = 256 * 1024 * 1024;

/** 1234567 → "1,234,567" (written out so the output is the same in every locale and runtime). */
export function formatCount(n: number): string {
  const digits = String(Math.trunc(n));
  const negative = digits.startsWith('-');
  const body = negative ? digits.slice(1) : digits;
  let grouped = '';
  for (let i = body.length; i > 0; i -= 3) {
    grouped = body.slice(Math.max(0, i - 3), i) + (grouped ? ',' + grouped : '');
  }
  return (negative ? '-' : '') + grouped;
}

export function hexBytes(bytes: Uint8Array, start: number, count: number): string {
  const parts: string[] = [];
  for (let i = start; i < Math.min(bytes.length, start + count); i++) {
    parts.push(bytes[i].toString(16).padStart(2, '0'));
  }
  return parts.join(' ');
}

export function truncatedInside(
  what: string,
  frame: number | undefined,
  offset: number,
  detail?: string,
): CaptureError {
  const where = `truncated: file ends inside ${what} at byte ${formatCount(offset)}`;
  return new CaptureError('truncated', detail ? `${where} (${detail})` : where, offset, frame);
}

export function malformedAt(message: string, offset: number, frame?: number): CaptureError {
  return new CaptureError('malformed', message, offset, frame);
}

/** Build a frame with every key present, so all frames share one object shape (keeps V8 fast). */
export function makeFrame(
  number: number,
  seconds: number,
  nanoseconds: number,
  capturedLength: number,
  originalLength: number,
  linkType: number,
  interfaceId: number,
  data: Uint8Array,
  direction: Direction | undefined,
  comments: string[] | undefined,
): CapturedFrame {
  return {
    number,
    seconds,
    nanoseconds,
    capturedLength,
    originalLength,
    linkType,
    interfaceId,
    data,
    direction,
    comments,
  };
}

const TWO_POW_32 = 4294967296;
const NANOS_PER_SECOND = 1_000_000_000;

/** A time split as the contract wants it. */
export interface SplitTime {
  seconds: number;
  nanoseconds: number;
}

/**
 * Convert a 64-bit tick count (high and low 32-bit halves) at `unitsPerSecond` ticks per second
 * into whole seconds + nanoseconds, exactly: nanoseconds are rounded down, as Wireshark does.
 * A double cannot hold nanoseconds since 1970, so the division is done as long division in
 * base 2^16 (exact while unitsPerSecond ≤ 2^37), and BigInt covers the rare finer resolutions.
 */
export function ticksToTime(high: number, low: number, unitsPerSecond: number, out: SplitTime): void {
  if (unitsPerSecond <= 137_438_953_472 /* 2^37 */ && Number.isInteger(unitsPerSecond)) {
    const highQuotient = Math.floor(high / unitsPerSecond);
    let remainder = high - highQuotient * unitsPerSecond;
    remainder = remainder * 65536 + (low >>> 16);
    const q1 = Math.floor(remainder / unitsPerSecond);
    remainder -= q1 * unitsPerSecond;
    remainder = remainder * 65536 + (low & 0xffff);
    const q2 = Math.floor(remainder / unitsPerSecond);
    remainder -= q2 * unitsPerSecond;
    out.seconds = highQuotient * TWO_POW_32 + q1 * 65536 + q2;
    if (NANOS_PER_SECOND % unitsPerSecond === 0) {
      out.nanoseconds = remainder * (NANOS_PER_SECOND / unitsPerSecond);
      return;
    }
    out.nanoseconds = Number((BigInt(remainder) * 1_000_000_000n) / BigInt(unitsPerSecond));
    return;
  }
  const ticks = (BigInt(high) << 32n) | BigInt(low);
  const units = BigInt(unitsPerSecond);
  out.seconds = Number(ticks / units);
  out.nanoseconds = Number(((ticks % units) * 1_000_000_000n) / units);
}

/** Same as ticksToTime for resolutions given as a BigInt (10^-19 .. 2^-63 do not fit a double). */
export function ticksToTimeBig(high: number, low: number, unitsPerSecond: bigint, out: SplitTime): void {
  const ticks = (BigInt(high) << 32n) | BigInt(low);
  out.seconds = Number(ticks / unitsPerSecond);
  out.nanoseconds = Number(((ticks % unitsPerSecond) * 1_000_000_000n) / unitsPerSecond);
}

/** Decode UTF-8 option text; invalid sequences become U+FFFD rather than failing the read. */
const utf8 = new TextDecoder('utf-8');
export function decodeUtf8(bytes: Uint8Array): string {
  // Strings in pcapng options are not NUL-terminated, but some writers add one anyway.
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return utf8.decode(bytes.subarray(0, end));
}
