// Share links on real captures, checked against Node's zlib as an independent inflater.
import { readFileSync } from 'node:fs';
import { analyzeCapture } from '../../src/lib/analysis/index.ts';
import { anonymizeCapture } from '../../src/lib/lab/anonymize.ts';
import { exportPcapng } from '../../src/lib/lab/export.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeShareFragment,
  encodeShareFragment,
  fromBase64Url,
  hasSharedCapture,
  MAX_SHARED_CAPTURE_BYTES,
  SHARE_LIMIT_BYTES,
  ShareError,
  toBase64Url,
} from '../../src/lib/lab/share.ts';

import { capturePath } from '../support/corpus.ts';

const corpus = (path: string): Uint8Array => new Uint8Array(readFileSync(capturePath(path)));

async function shareError(promise: Promise<unknown>): Promise<ShareError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ShareError);
    return error as ShareError;
  }
  throw new Error('expected a ShareError, got a result');
}

describe('base64url', () => {
  it('agrees with Node for every length mod 3', () => {
    const bytes = corpus('public/traces/open-client.pcapng');
    for (const n of [0, 1, 2, 3, 4, 5, bytes.length]) {
      const piece = bytes.subarray(0, n);
      const ours = toBase64Url(piece);
      expect(ours).toBe(Buffer.from(piece).toString('base64url'));
      expect(Array.from(fromBase64Url(ours))).toEqual(Array.from(piece));
    }
  });

  it('names the first character outside the alphabet', () => {
    expect(() => fromBase64Url('AAAA+AAA')).toThrow(/character "\+" at position 4/);
    expect(() => fromBase64Url('AAAAA')).toThrow(/length of 5/);
  });
});

describe('share links', () => {
  it('round-trips a real capture, and the link is deflate-raw that zlib inflates to the same bytes', async () => {
    const bytes = corpus('public/traces/article-success-client.pcapng');
    const fragment = await encodeShareFragment(bytes);
    expect(fragment).toMatch(/^#capture=v1\.[A-Za-z0-9_-]+$/);
    const inflated = inflateRawSync(Buffer.from(fragment.slice('#capture=v1.'.length), 'base64url'));
    expect(Buffer.compare(inflated, Buffer.from(bytes))).toBe(0);
    expect(Buffer.compare(Buffer.from(await decodeShareFragment(fragment)), Buffer.from(bytes))).toBe(0);
    // Without the '#', and among other parameters.
    const param = fragment.slice(1);
    expect((await decodeShareFragment(`view=ladder&${param}&x=1`)).length).toBe(bytes.length);
  });

  it('refuses a capture that stays over 64 KB after compression, saying how big it is', async () => {
    const bytes = corpus('zeek/Traces/http/206_example_a.pcap');
    const compressedKb = Math.ceil(deflateRawSync(bytes).length / 1024);
    expect(compressedKb).toBeGreaterThan(SHARE_LIMIT_BYTES / 1024);
    const error = await shareError(encodeShareFragment(bytes));
    expect(error.kind).toBe('too-large');
    // zlib's level may differ from CompressionStream's by a few KB; the message states ours.
    expect(error.message).toMatch(/^too large to share in a link: \d+ KB after compression, the limit is 64 KB$/);
    const stated = Number(/(\d+) KB/.exec(error.message)![1]);
    expect(Math.abs(stated - compressedKb)).toBeLessThan(compressedKb * 0.2);
  });

  it('stops a compression bomb while inflating instead of allocating all of it', async () => {
    const bomb = deflateRawSync(Buffer.alloc(MAX_SHARED_CAPTURE_BYTES * 4));
    expect(bomb.length).toBeLessThan(SHARE_LIMIT_BYTES);
    const error = await shareError(decodeShareFragment(`#capture=v1.${bomb.toString('base64url')}`));
    expect(error.kind).toBe('too-large-decompressed');
  });

  it('reports damaged links as typed errors', async () => {
    const bytes = corpus('public/traces/open-client.pcapng');
    const fragment = await encodeShareFragment(bytes);
    const cut = fragment.slice(0, Math.floor(fragment.length / 2));
    expect((await shareError(decodeShareFragment(cut))).kind).toMatch(/bad-compressed-data|bad-base64/);
    // Bytes that are not deflate data at all (a raw pcapng header is not a valid block type 3).
    const garbage = `#capture=v1.${Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).toString('base64url')}`;
    expect((await shareError(decodeShareFragment(garbage))).kind).toBe('bad-compressed-data');
    expect((await shareError(decodeShareFragment('#capture=v1.ab$c'))).kind).toBe('bad-base64');
    expect((await shareError(decodeShareFragment('#capture=v2.AAAA'))).kind).toBe('unsupported-version');
    expect((await shareError(decodeShareFragment('#lesson=3'))).kind).toBe('not-a-share-link');
    expect((await shareError(decodeShareFragment('#capture=v1.'))).kind).toBe('bad-compressed-data');
    const tooLong = `#capture=v1.${'A'.repeat(Math.ceil((SHARE_LIMIT_BYTES * 4) / 3) + 4)}`;
    expect((await shareError(decodeShareFragment(tooLong))).kind).toBe('too-large');
  });
});

describe('what the lab shares', () => {
  it.each([
    'public/traces/return-path-drop-server.pcapng',
    'public/traces/open-ipv6-client.pcapng',
    'zeek/Traces/http/206_example_a.pcap',
  ])('%s, anonymized and exported, travels in a link and opens with the same verdicts', async (path) => {
    const original = loadCaptureBytes(corpus(path));
    const anonymized = anonymizeCapture(original);
    const fragment = await encodeShareFragment(exportPcapng(anonymized, anonymized.packets.keys()));
    const opened = loadCaptureBytes(await decodeShareFragment(fragment));
    expect(opened.packets.length).toBe(original.packets.length);
    const verdicts = (c: typeof original) =>
      analyzeCapture(c).attempts.map((a) => [a.attempt.clientPort, a.attempt.serverPort, a.verdict, a.history]);
    expect(verdicts(opened)).toEqual(verdicts(original));
    // Zeroed payloads compress well: even 206_example_a (616 KB, HTTP downloads) fits in the 64 KB link.
    expect(fragment.length).toBeLessThan((SHARE_LIMIT_BYTES * 4) / 3 + 20);
  });
});

describe('where the capture sits in a fragment', () => {
  it('is found as any parameter, first or not, and not inside another one', async () => {
    const bytes = new Uint8Array(readFileSync('public/traces/closed-rst-client.pcapng'));
    const fragment = await encodeShareFragment(bytes);
    expect(hasSharedCapture(fragment)).toBe(true);
    expect(hasSharedCapture(`#from=mail&${fragment.slice(1)}`)).toBe(true);
    expect(await decodeShareFragment(`#from=mail&${fragment.slice(1)}&x=1`)).toEqual(bytes);
    expect(hasSharedCapture('#from=mail')).toBe(false);
    expect(hasSharedCapture('#note=capture=v1.abc')).toBe(false);
    expect(hasSharedCapture('')).toBe(false);
  });
});
