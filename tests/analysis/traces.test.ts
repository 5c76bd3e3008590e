// The project's own recorded traces (public/traces, recorded in network namespaces or rebuilt
// from the article) declare what really happened in src/content/traces/*.json. The classifier
// must agree: every expected attempt found with its verdict, and for client/server pairs the
// right `where`. An instructor's capture added by add-trace holds the classifier's answer of
// that day (expectationsSource: classifier-snapshot): the same check is then a regression check.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, compareCaptures, explain } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { ENTRY_DIR, loadEntries, type TraceEntry } from '../traces/tshark.ts';

const traces: Array<[string, TraceEntry]> = existsSync(ENTRY_DIR)
  ? loadEntries().map((entry) => [
      entry.expectationsSource === 'classifier-snapshot' ? `${entry.id} (regression: classifier snapshot)` : entry.id,
      entry,
    ])
  : [];
const byId = new Map(traces.map(([, entry]) => [entry.id, entry]));

const loaded = new Map<string, Capture>();
function load(trace: TraceEntry): Capture {
  let c = loaded.get(trace.file);
  if (!c) {
    c = loadCaptureBytes(new Uint8Array(readFileSync(`public${trace.file}`)));
    loaded.set(trace.file, c);
  }
  return c;
}
const key = (x: { client: string; clientPort: number; server: string; serverPort: number }) =>
  `${x.client}:${x.clientPort}>${x.server}:${x.serverPort}`;

describe.skipIf(traces.length === 0)('bundled traces: verdicts match what was recorded', () => {
  it.each(traces)('%s', (_id, trace) => {
    const { attempts } = analyzeCapture(load(trace));
    const got = attempts.map((v) => `${key(v.attempt)} ${v.verdict}`).sort();
    const want = trace.expected.map((e) => `${key(e)} ${e.verdict}`).sort();
    expect(got).toEqual(want);
  });
});

const pairs = traces.filter(([, t]) => t.side === 'client' && t.pair && byId.has(t.pair));

describe.skipIf(pairs.length === 0)('bundled client/server pairs: where each attempt ended', () => {
  it.each(pairs)('%s', (_id, clientTrace) => {
    const serverTrace = byId.get(clientTrace.pair!)!;
    const comparison = compareCaptures(load(clientTrace), load(serverTrace));
    const where = new Map(comparison.attempts.map((a) => [key(a.attempt), a.where]));
    // Both files state the ground truth; every attempt either names with a `where` must agree.
    const expected = [...clientTrace.expected, ...serverTrace.expected].filter((e) => e.where);
    expect(expected.length).toBeGreaterThan(0);
    for (const e of expected) {
      if (!where.has(key(e))) continue; // only in the server capture: nothing to compare from the client side
      expect(`${key(e)} ${where.get(key(e))}`).toBe(`${key(e)} ${e.where}`);
    }
    for (const e of clientTrace.expected.filter((x) => x.where)) expect(where.has(key(e))).toBe(true);
    // The recordings share one clock (network namespaces on one host).
    expect(Math.abs(comparison.clockOffset)).toBeLessThan(0.05);
    for (const a of comparison.attempts) expect(explain(a).whereEvidence.length).toBeGreaterThan(0);
  });
});
