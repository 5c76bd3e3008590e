// TCP (RFC 9293) header, options and checksum.
import { fold, malformed, sumWords, truncated, u16, u32 } from './bytes.ts';
import type { ChecksumStatus, Malformed, TcpLayer, TcpOptions, Truncated } from './types.ts';

/** The TCP flag bits the classifier and the TCP analysis test (tcp.flags as a number). */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  ACK: 0x010,
} as const;

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW_SCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

/**
 * Checksum verdict for a TCP/UDP segment. `base` is the pseudo-header sum; the segment is
 * bytes[start, end) and must be complete. A field equal to the folded pseudo-header sum is the
 * checksum-offload signature ('partial'): Linux puts it there for the NIC to finish.
 */
export function transportChecksumStatus(
  bytes: Uint8Array,
  start: number,
  end: number,
  base: number,
  field: number,
): ChecksumStatus {
  if (fold(sumWords(bytes, start, end, base)) === 0xffff) return 'good';
  if (field === fold(base)) return 'partial';
  return 'bad';
}

/**
 * Walks the options between the fixed header and the data, calling `visit(kind, at, length)` for
 * each (length 1 for EOL/NOP). Stops at EOL, at an option whose length byte is missing or < 2, or
 * at one that runs past the header. Used by the decoder and by describe (which needs their order).
 */
export function forEachTcpOption(
  bytes: Uint8Array,
  start: number,
  end: number,
  visit: (kind: number, at: number, length: number) => void,
): void {
  let at = start;
  while (at < end) {
    const kind = bytes[at];
    if (kind === TCPOPT_EOL) {
      visit(kind, at, 1);
      return;
    }
    if (kind === TCPOPT_NOP) {
      visit(kind, at, 1);
      at += 1;
      continue;
    }
    if (at + 1 >= end) return;
    const length = bytes[at + 1];
    if (length < 2 || at + length > end) return;
    visit(kind, at, length);
    at += length;
  }
}

function decodeOptions(bytes: Uint8Array, start: number, end: number): TcpOptions {
  const options: TcpOptions = {
    mss: undefined,
    windowScale: undefined,
    sackPermitted: undefined,
    sack: undefined,
    timestamp: undefined,
  };
  // A plain loop rather than forEachTcpOption: no closure per packet on the hot path.
  let at = start;
  while (at < end) {
    const kind = bytes[at];
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      at += 1;
      continue;
    }
    if (at + 1 >= end) break;
    const length = bytes[at + 1];
    if (length < 2 || at + length > end) break;
    if (kind === TCPOPT_MSS && length === 4) options.mss = u16(bytes, at + 2);
    else if (kind === TCPOPT_WINDOW_SCALE && length === 3) options.windowScale = bytes[at + 2];
    else if (kind === TCPOPT_SACK_PERMITTED && length === 2) options.sackPermitted = true;
    else if (kind === TCPOPT_TIMESTAMP && length === 10) {
      options.timestamp = { value: u32(bytes, at + 2), echo: u32(bytes, at + 6) };
    } else if (kind === TCPOPT_SACK && length >= 10) {
      const blocks: Array<[number, number]> = [];
      for (let b = at + 2; b + 8 <= at + length; b += 8) blocks.push([u32(bytes, b), u32(bytes, b + 4)]);
      options.sack = blocks;
    }
    at += length;
  }
  return options;
}

/**
 * `end` is where the captured segment stops; `segmentLength` is its length on the wire (from the
 * IP header), which is larger when the capture was sliced. `checksumBase` is the pseudo-header
 * sum, or -1 when it cannot be known (a fragment): then the checksum stays 'unverified'.
 */
export function decodeTcp(
  bytes: Uint8Array,
  offset: number,
  end: number,
  segmentLength: number = end - offset,
  checksumBase: number = -1,
): TcpLayer | Truncated | Malformed {
  if (end - offset < 20) return truncated('tcp', offset, 20);
  const headerLength = (bytes[offset + 12] >> 4) * 4;
  if (headerLength < 20) return malformed('tcp', offset, `TCP header length ${headerLength} is less than 20`);
  // Options cut off by the snap length: keep the fixed header and the options that are there
  // (the caller reports the truncation), as a small-snaplen capture still shows ports and flags.
  const payloadOffset = Math.min(offset + headerLength, end);
  const checksum = u16(bytes, offset + 16);
  const complete = checksumBase >= 0 && end - offset === segmentLength && payloadOffset === offset + headerLength;
  return {
    offset,
    length: headerLength,
    payloadOffset,
    payloadEnd: end,
    srcPort: u16(bytes, offset),
    dstPort: u16(bytes, offset + 2),
    seq: u32(bytes, offset + 4),
    ack: u32(bytes, offset + 8),
    headerLength,
    flags: ((bytes[offset + 12] & 0x0f) << 8) | bytes[offset + 13],
    window: u16(bytes, offset + 14),
    checksum,
    checksumStatus: complete ? transportChecksumStatus(bytes, offset, end, checksumBase, checksum) : 'unverified',
    urgentPointer: u16(bytes, offset + 18),
    options: payloadOffset > offset + 20 ? decodeOptions(bytes, offset + 20, payloadOffset) : NO_OPTIONS,
    payloadLength: Math.max(0, segmentLength - headerLength),
  };
}

/** Shared by every option-less segment (most ACKs); frozen because it is shared. */
const NO_OPTIONS: TcpOptions = Object.freeze({
  mss: undefined,
  windowScale: undefined,
  sackPermitted: undefined,
  sack: undefined,
  timestamp: undefined,
});
