// What the lab shows for an .etl: every bundled teaching trace, rewritten as a netsh-style .etl
// (the capturing host's own packets marked 'sent'), gets the same verdicts as the original
// pcapng, for the attempts its metadata declares.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { analyzeCapture } from '../../src/lib/analysis/index.ts';
import { pcapngFrames } from './pcapng-frames.ts';
import { unixNsToFiletime, writeEtl, type PacketIn } from './write-etl.ts';
import type { TraceEntry } from '../traces/tshark.ts';

const traces = readdirSync('src/content/traces')
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({
    name,
    meta: JSON.parse(readFileSync(`src/content/traces/${name}`, 'utf8')) as Omit<TraceEntry, 'id'>,
  }))
  .filter(({ meta }) => meta.file?.endsWith('.pcapng') && meta.expected?.length);

/** The IP source address of an Ethernet frame as text, or '' when it carries no IP. */
function ipSource(frame: Uint8Array): string {
  let at = 12;
  let type = (frame[at] << 8) | frame[at + 1];
  while (type === 0x8100 || type === 0x88a8) {
    at += 4;
    type = (frame[at] << 8) | frame[at + 1];
  }
  const ip = at + 2;
  if (type === 0x0800) return Array.from(frame.subarray(ip + 12, ip + 16)).join('.');
  if (type === 0x86dd) {
    const words: string[] = [];
    for (let i = 0; i < 16; i += 2) words.push(((frame[ip + 8 + i] << 8) | frame[ip + 9 + i]).toString(16));
    return words.join(':');
  }
  return '';
}

/** Expanded lower-case IPv6 (no :: shortening) so it compares with ipSource's text. */
function expand(address: string): string {
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const middle = address.includes('::') ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...middle, ...t].map((w) => parseInt(w, 16).toString(16)).join(':');
}

function verdicts(bytes: Uint8Array) {
  const capture = loadCaptureBytes(bytes);
  expect(capture.error).toBeUndefined();
  return analyzeCapture(capture)
    .attempts.map((a) => `${a.attempt.clientPort}->${a.attempt.serverPort} ${a.verdict}`)
    .sort();
}

describe('bundled traces as netsh .etl files get the same verdicts as their pcapng', () => {
  it('there are traces to check', () => {
    expect(traces.length).toBeGreaterThan(0);
  });

  it.each(traces.map((t) => [t.name, t.meta] as const))('%s', (_name, meta) => {
    const original = new Uint8Array(readFileSync(`public${meta.file}`));
    const host = expand(meta.side === 'client' ? meta.expected[0].client : meta.expected[0].server);
    const packets: PacketIn[] = pcapngFrames(original).map((f, i) => ({
      data: f.data,
      filetime: unixNsToFiletime(f.timeNs),
      direction: ipSource(f.data) === host ? 'sent' : 'received',
      lowerIfIndex: 9,
      miniportIfIndex: 9,
      cpu: i % 4,
    }));
    // The host's address is spelled as ipSource spells it (else every packet would be 'received').
    if (meta.side === 'client') expect(packets.some((p) => p.direction === 'sent')).toBe(true);
    const etl = writeEtl(packets, { shuffleSeed: 77, bufferSize: 4096 }).bytes;

    const fromEtl = verdicts(etl);
    expect(fromEtl).toEqual(verdicts(original));
    // Every attempt the trace's metadata declares is found (its verdict label is the
    // classifier's business, checked by its own tests against the same metadata).
    for (const e of meta.expected)
      expect(fromEtl.some((v) => v.startsWith(`${e.clientPort}->${e.serverPort} `))).toBe(true);

    // And the lab can say which way each packet went.
    const capture = loadCaptureBytes(etl);
    expect(capture.info.format).toBe('etl');
    expect(capture.packets.map((p) => p.direction)).toEqual(
      [...packets]
        .sort((a, b) => (a.filetime < b.filetime ? -1 : a.filetime > b.filetime ? 1 : 0))
        .map((p) => p.direction),
    );
  });
});
