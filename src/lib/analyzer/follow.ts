// Follow TCP/UDP Stream, as Wireshark shows it: the payload of one conversation, both
// directions in the order it was sent, each chunk marked with its direction. TCP data is put in
// sequence order per direction: bytes already delivered (retransmissions, overlaps) are not
// shown twice, as Wireshark's follow does. The text view shows what a terminal would be safe to
// show — printable ASCII, tabs and line breaks, every other byte a dot — and is only ever
// rendered as text, never as HTML.
import { tcpStreamsOf } from '../analysis/tcp-streams.ts';
import { formatIP } from '../describe/addresses.ts';
import type { Capture } from '../packets.ts';
import { Layer, storeOf } from '../store/packet-store.ts';

export interface StreamChunk {
  /** Sent by the side that sent the conversation's first packet (the client, for TCP). */
  fromClient: boolean;
  /** The frame that carried it. */
  frame: number;
  bytes: Uint8Array;
}

export interface FollowedStream {
  protocol: 'tcp' | 'udp';
  /** tcp.stream, or the UDP conversation's index. */
  stream: number;
  client: string;
  server: string;
  chunks: StreamChunk[];
  clientBytes: number;
  serverBytes: number;
  /** Set when the stream held more than `limit` bytes: the rest is not included. */
  truncated: boolean;
  /** The display filter that selects the stream's packets. */
  filter: string;
}

/** Payload bytes a followed stream carries at most (what a page can show usefully). */
export const FOLLOW_LIMIT = 4 * 1024 * 1024;

const endpointText = (address: Uint8Array, port: number): string =>
  address.length === 16 ? `[${formatIP(address)}]:${port}` : `${formatIP(address)}:${port}`;

/** TCP stream `stream` (tcp.stream), or undefined when the capture has no such stream. */
export function followTcpStream(capture: Capture, stream: number, limit = FOLLOW_LIMIT): FollowedStream | undefined {
  const streams = tcpStreamsOf(capture);
  const info = streams.streams.at(stream);
  if (info === undefined) return undefined;
  const store = storeOf(capture);
  const c = store.columns;
  let clientId = -1;
  const next = [NaN, NaN]; // next relative sequence number expected, client then server
  const result: FollowedStream = {
    protocol: 'tcp',
    stream,
    client: '',
    server: '',
    chunks: [],
    clientBytes: 0,
    serverBytes: 0,
    truncated: false,
    filter: `tcp.stream eq ${stream}`,
  };
  for (let i = info.firstPacket; i <= info.lastPacket; i++) {
    if (streams.stream[i] !== stream || (c.layers[i] & Layer.Tcp) === 0) continue;
    if (clientId < 0) {
      clientId = streams.srcEndpoint[i];
      const addresses = store.addressBytes(i)!;
      result.client = endpointText(addresses.src, c.srcPort[i]);
      result.server = endpointText(addresses.dst, c.dstPort[i]);
    }
    const fromClient = streams.srcEndpoint[i] === clientId;
    const length = c.payloadLength[i];
    if (length === 0) continue;
    const side = fromClient ? 0 : 1;
    const seq = streams.relSeq[i];
    // Skip what this direction already delivered; keep what goes past it.
    const skip = Number.isNaN(next[side]) ? 0 : Math.max(0, next[side] - seq);
    if (skip >= length) continue;
    next[side] = Math.max(Number.isNaN(next[side]) ? 0 : next[side], seq + length);
    const bytes = store.bytesOf(i);
    const start = c.payloadOffset[i] + skip;
    const end = Math.min(bytes.length, c.payloadOffset[i] + length);
    if (end <= start) continue;
    if (result.clientBytes + result.serverBytes + (end - start) > limit) {
      result.truncated = true;
      break;
    }
    result.chunks.push({ fromClient, frame: capture.packets[i].number, bytes: bytes.slice(start, end) });
    if (fromClient) result.clientBytes += end - start;
    else result.serverBytes += end - start;
  }
  return result;
}

/** The UDP conversation of packet `index` (same addresses and ports, either way), in frame order. */
export function followUdpStream(capture: Capture, index: number, limit = FOLLOW_LIMIT): FollowedStream | undefined {
  const store = storeOf(capture);
  const c = store.columns;
  if (index < 0 || index >= store.count || (c.layers[index] & Layer.Udp) === 0) return undefined;
  const own = store.addressBytes(index);
  if (own === undefined) return undefined;
  const key = (a: Uint8Array, p: number) => `${formatIP(a)}|${p}`;
  const one = key(own.src, c.srcPort[index]);
  const other = key(own.dst, c.dstPort[index]);
  const field = own.src.length === 16 ? 'ipv6.addr' : 'ip.addr';
  const result: FollowedStream = {
    protocol: 'udp',
    stream: index,
    client: '',
    server: '',
    chunks: [],
    clientBytes: 0,
    serverBytes: 0,
    truncated: false,
    filter: `${field}==${formatIP(own.src)} && udp.port==${c.srcPort[index]} && ${field}==${formatIP(own.dst)} && udp.port==${c.dstPort[index]}`,
  };
  // The side that sent the conversation's first datagram is the client, as in Wireshark.
  let client: string | undefined;
  for (let i = 0; i < store.count; i++) {
    if ((c.layers[i] & Layer.Udp) === 0 || (c.layers[i] & Layer.IcmpQuote) !== 0) continue;
    const addresses = store.addressBytes(i);
    if (addresses === undefined) continue;
    const src = key(addresses.src, c.srcPort[i]);
    const dst = key(addresses.dst, c.dstPort[i]);
    if (!((src === one && dst === other) || (src === other && dst === one))) continue;
    if (client === undefined) {
      client = src;
      result.client = endpointText(addresses.src, c.srcPort[i]);
      result.server = endpointText(addresses.dst, c.dstPort[i]);
    }
    const fromClient = src === client;
    const bytes = store.bytesOf(i);
    const start = c.payloadOffset[i];
    const end = Math.min(bytes.length, start + c.payloadLength[i]);
    if (end <= start) continue;
    if (result.clientBytes + result.serverBytes + (end - start) > limit) {
      result.truncated = true;
      break;
    }
    result.chunks.push({ fromClient, frame: capture.packets[i].number, bytes: bytes.slice(start, end) });
    if (fromClient) result.clientBytes += end - start;
    else result.serverBytes += end - start;
  }
  return result;
}

/**
 * Bytes as Wireshark's ASCII view shows them: printable ASCII, tabs and line feeds as
 * themselves (a carriage return is dropped: the line feed after it ends the line), every other
 * byte as a dot. Plain text: callers must render it as text.
 */
export function printableText(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes)
    text += (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a ? String.fromCharCode(b) : b === 0x0d ? '' : '.';
  return text;
}

/** Wireshark's hex view of one chunk: 16 bytes a line, offset, hex, ASCII. */
export function hexLines(bytes: Uint8Array, base = 0): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      hex += i < row.length ? row[i].toString(16).padStart(2, '0') + ' ' : '   ';
      if (i === 7) hex += ' ';
      if (i < row.length) ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '.';
    }
    lines.push(`${(base + at).toString(16).padStart(8, '0')}  ${hex} ${ascii}`);
  }
  return lines;
}
