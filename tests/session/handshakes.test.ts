// A capture too large to hold whole is read keeping only the packets that decide the verdicts.
// The verdicts must be the same as from the whole capture, with far fewer packets kept.
import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { openSession } from '../../src/lib/session/session.ts';
import { corpusPath } from '../support/corpus.ts';

// Long HTTP downloads, many short HTTP connections, Zeek's odd handshakes, and every recorded trace.
const CAPTURES = [
  ...[
    'zeek/Traces/http/206_example_a.pcap',
    'zeek/Traces/http/methods.pcap',
    'zeek/Traces/tcp/handshake-reorder.pcap',
    'zeek/Traces/tcp/rst-inject-rae.pcap',
    'zeek/Traces/tcp/option-sack.pcap',
    'zeek/Traces/tcp/ssh-dups.pcap',
  ].map(corpusPath),
  ...readdirSync('public/traces')
    .filter((f) => f.endsWith('.pcapng'))
    .map((f) => `public/traces/${f}`),
];

async function open(path: string, handshakesOnly: boolean) {
  const bytes = new Uint8Array(readFileSync(path));
  return openSession(path, [bytes] as unknown as AsyncIterable<Uint8Array>, bytes.length, undefined, {
    handshakesOnly,
  });
}

// The verdict and the frames of the handshake that decide it; the later packets of a
// connection (data, its ACKs) are what this mode leaves out.
const verdictsOf = (s: Awaited<ReturnType<typeof open>>) =>
  s
    .attempts(0, Infinity)
    .map(
      (a) =>
        `${a.client}:${a.clientPort}>${a.server}:${a.serverPort} ${a.verdict} ${a.nmap} ${a.frames.slice(0, 3).join(',')}`,
    );

describe('handshakes-only reading', () => {
  for (const path of CAPTURES) {
    test(`${path}: the same verdicts, decided by the same frames`, async () => {
      const whole = await open(path, false);
      const part = await open(path, true);
      expect(verdictsOf(part)).toEqual(verdictsOf(whole));
      expect(part.summary.handshakesOnly?.read).toBe(whole.summary.packets);
      expect(part.summary.handshakesOnly!.kept).toBeLessThanOrEqual(whole.summary.packets);
      // frame numbers are the file's: every frame cited is one the whole read cites too, and it can be found
      const wholeFrames = new Set(whole.attempts(0, Infinity).flatMap((a) => a.frames));
      for (const a of part.attempts(0, Infinity)) {
        for (const f of a.frames) {
          expect(wholeFrames.has(f)).toBe(true);
          expect(part.indexOfFrame(f)).toBeGreaterThanOrEqual(0);
        }
      }
    });
  }

  test('a long conversation keeps only its opening, close and resets', async () => {
    const whole = await open(corpusPath('zeek/Traces/http/206_example_a.pcap'), false);
    const part = await open(corpusPath('zeek/Traces/http/206_example_a.pcap'), true);
    expect(part.summary.handshakesOnly!.kept).toBeLessThan(whole.summary.packets / 2);
  });
});
