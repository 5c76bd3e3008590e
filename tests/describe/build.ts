// Builds Ethernet/IPv4 frames for describe tests, with correct checksums, and writes pcaps so
// tshark can be asked about the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function checksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const ip = (text: string) => text.split('.').map(Number);

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  window: number;
  /** Raw option bytes (padded to a multiple of 4 by the caller). */
  options?: number[];
  payload?: number[];
  ttl?: number;
}

function ipv4(src: string, dst: string, protocol: number, body: number[], ttl: number, id: number): number[] {
  const header = [
    0x45,
    0,
    ...be16(20 + body.length),
    ...be16(id),
    0x40,
    0,
    ttl,
    protocol,
    0,
    0,
    ...ip(src),
    ...ip(dst),
  ];
  const sum = checksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return [...header, ...body];
}

const ETHERNET = [0x00, 0x15, 0x5d, 0x01, 0x02, 0x03, 0x00, 0x15, 0x5d, 0x0a, 0x0b, 0x0c, 0x08, 0x00];

export function tcpSegment(spec: TcpSpec): number[] {
  const options = spec.options ?? [];
  const payload = spec.payload ?? [];
  const headerLength = 20 + options.length;
  const tcp = [
    ...be16(spec.sport),
    ...be16(spec.dport),
    ...be32(spec.seq),
    ...be32(spec.ack ?? 0),
    (headerLength / 4) << 4,
    spec.flags,
    ...be16(spec.window),
    0,
    0,
    0,
    0,
    ...options,
    ...payload,
  ];
  const pseudo = [...ip(spec.src), ...ip(spec.dst), 0, 6, ...be16(tcp.length)];
  const sum = checksum([...pseudo, ...tcp]);
  tcp[16] = sum >> 8;
  tcp[17] = sum & 0xff;
  return tcp;
}

let nextId = 0x1000;

export function tcpFrame(spec: TcpSpec): Uint8Array {
  return Uint8Array.from([...ETHERNET, ...ipv4(spec.src, spec.dst, 6, tcpSegment(spec), spec.ttl ?? 128, nextId++)]);
}

/** ICMP error (type/code) from `from` to `to`, quoting the first 28 bytes of `quoted` (an IP packet). */
export function icmpErrorFrame(
  from: string,
  to: string,
  type: number,
  code: number,
  quotedFrame: Uint8Array,
): Uint8Array {
  const quoted = Array.from(quotedFrame.subarray(14, 14 + 28));
  const icmp = [type, code, 0, 0, 0, 0, 0, 0, ...quoted];
  const sum = checksum(icmp);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  return Uint8Array.from([...ETHERNET, ...ipv4(from, to, 1, icmp, 64, nextId++)]);
}

/** A little-endian microsecond pcap with the frames at the given times (seconds). */
export function pcapFile(frames: Array<{ time: number; data: Uint8Array }>): Uint8Array {
  const parts: number[] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
  const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  for (const { time, data } of frames) {
    const seconds = Math.floor(time);
    const micros = Math.round((time - seconds) * 1e6);
    parts.push(...le32(1_700_000_000 + seconds), ...le32(micros), ...le32(data.length), ...le32(data.length), ...data);
  }
  return Uint8Array.from(parts);
}

/** tshark's Info column for every frame of `file` (written to a temporary directory). */
export function tsharkInfo(file: Uint8Array): string[] {
  const path = join(mkdtempSync(join(tmpdir(), 'porttrace-describe-')), 'crafted.pcap');
  writeFileSync(path, file);
  const out = execFileSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', '_ws.col.Info'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.replace(/\n$/, '').split('\n');
}
