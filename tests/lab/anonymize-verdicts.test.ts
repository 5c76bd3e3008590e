// Anonymization must not change what the classifier says: the same attempts, in the same
// order, with the same verdicts, histories and evidence frames, only under other addresses.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, compareCaptures } from '../../src/lib/analysis/index.ts';
import type { AttemptVerdict } from '../../src/lib/analysis/index.ts';
import { anonymizeCapture } from '../../src/lib/lab/anonymize.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { corpusPath, netmonCopy, requireEditcap } from '../support/corpus.ts';

const read = (path: string): Capture => loadCaptureBytes(new Uint8Array(readFileSync(path)));

/** Everything about a verdict except the addresses (which anonymization changes by design). */
const shape = (v: AttemptVerdict) => ({
  ports: [v.attempt.clientPort, v.attempt.serverPort],
  isn: v.attempt.isn,
  verdict: v.verdict,
  nmap: v.nmap,
  zeek: v.zeek,
  history: v.history,
  frames: v.frames,
  roles: v.attempt.packets.map((p) => p.role),
});

/**
 * With payloads cut, data segments are empty: the history loses its D/d letters, and T/t
 * (Zeek's retransmitted data) with them, and data packets read as plain ACKs (so an A/a letter
 * may appear that was not there, or at another point), but the verdict and everything it rests
 * on stay.
 */
const shapeWithoutData = (v: AttemptVerdict) => ({
  ports: [v.attempt.clientPort, v.attempt.serverPort],
  isn: v.attempt.isn,
  verdict: v.verdict,
  nmap: v.nmap,
  historyLetters: [...v.history.replace(/[DdTtAa]/g, '')].sort().join(''),
  frames: v.frames,
});

const SITE_TRACES = readdirSync('public/traces')
  .filter((name) => name.endsWith('.pcapng'))
  .map((name) => `public/traces/${name}`);
// Zeek's TCP test traces (odd handshakes, injected resets, HTTP downloads), and a
// NetMon copy of a recorded trace when editcap is there to make it.
const CORPUS = [
  'zeek/Traces/tcp/handshake-reorder.pcap',
  'zeek/Traces/tcp/rst-inject-rae.pcap',
  'zeek/Traces/tcp/option-sack.pcap',
  'zeek/Traces/tcp/syn-then-rst.pcap',
  'zeek/Traces/http/methods.pcap',
  'zeek/Traces/http/206_example_a.pcap',
].map(corpusPath);
const editcap = requireEditcap();
const NETMON = editcap.skip ? [] : [netmonCopy('public/traces/path-drop-client.pcapng', 'netmon2')];

describe.each(['cut', 'zero'] as const)(`verdicts survive anonymization (payload: %s)${editcap.note}`, (payload) => {
  it.each([...SITE_TRACES, ...CORPUS, ...NETMON])('%s', (path) => {
    const original = read(path);
    const before = analyzeCapture(original);
    const after = analyzeCapture(anonymizeCapture(original, { payload }));
    expect(before.attempts.length).toBeGreaterThan(0);
    const compare: (v: AttemptVerdict) => object = payload === 'zero' ? shape : shapeWithoutData;
    expect(after.attempts.map(compare)).toEqual(before.attempts.map(compare));
    expect(after.offload.kind).toBe(before.offload.kind);
  });
});

describe('two-sided verdicts survive anonymization with a shared key', () => {
  const pairs = SITE_TRACES.filter((p) => p.endsWith('-client.pcapng')).filter((p) =>
    SITE_TRACES.includes(p.replace('-client', '-server')),
  );
  it.each(pairs)('%s', (clientPath) => {
    const client = read(clientPath);
    const server = read(clientPath.replace('-client', '-server'));
    const before = compareCaptures(client, server);
    const after = compareCaptures(anonymizeCapture(client, { key: 'pair' }), anonymizeCapture(server, { key: 'pair' }));
    const where = (c: typeof before) =>
      c.attempts.map((a) => [a.side, a.attempt.clientPort, a.attempt.serverPort, a.verdict, a.where]);
    expect(where(after)).toEqual(where(before));
    expect(after.matched).toBe(before.matched);
  });
});
