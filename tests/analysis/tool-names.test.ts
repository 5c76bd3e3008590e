// The lessons' nmap/Zeek table comes from the classifier itself; these checks tie its rows to
// real captures of the same packets (built by hand, analysed end to end like an upload) and to
// what Zeek and nmap are documented to do.
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/lib/analysis/index.ts';
import { toolNamesTable } from '../../src/lib/analysis/tool-names.ts';
import { buildCapture, type Item } from './build.ts';

const row = (start: string) => {
  const found = toolNamesTable().find((r) => r.situation.startsWith(start));
  expect(found, start).toBeDefined();
  return found!;
};

const C = '192.0.2.1';
const S = '198.51.100.2';
const seg = (t: number, fromClient: boolean, flags: string, seq: number, ack: number, ttl: number): Item => ({
  t,
  src: fromClient ? C : S,
  dst: fromClient ? S : C,
  sport: fromClient ? 50000 : 443,
  dport: fromClient ? 443 : 50000,
  flags,
  seq,
  ack,
  ttl,
});

/** A packet between two other hosts: the capture goes on until then. */
const later = (t: number): Item => ({
  t,
  src: '10.9.9.9',
  dst: '10.9.9.8',
  sport: 53,
  dport: 5353,
  flags: 'A',
  seq: 1,
  ack: 1,
});

describe('the nmap / Zeek table', () => {
  it('has one row per verdict at least, each row consistent with the vocabulary', () => {
    const verdicts = new Set(toolNamesTable().map((r) => r.verdict));
    expect([...verdicts].sort()).toEqual([
      'connected',
      'half-open',
      'inconclusive',
      'no-response',
      'refused',
      'unreachable',
    ]);
  });

  it("half-open answered but never completed is S1 in Zeek (SYN then SYN/ACK puts both endpoints in ESTABLISHED; Zeek's baselines log 'Sh' as S1)", () => {
    expect([row('half-open, captured on the client').zeek, row('half-open, captured on the client').history]).toEqual([
      'S1',
      'Sh',
    ]);
    expect(row('half-open: a SYN scanner').zeek).toBe('RSTO');
  });

  it('half-open seen at the server with the SYN/ACK lost on the way back: nmap on the client says filtered', () => {
    expect(row('half-open, captured on the server').nmap).toBe('filtered');
    expect(row('half-open, captured on the client').nmap).toBe('open');
  });

  it('the server-side row is what the panel says for a real capture of those packets', () => {
    // SYNs arrive with TTL 54 (crossed 10 routers); the SYN/ACKs leave with 64: captured at the server.
    const capture = buildCapture([
      seg(0, true, 'S', 1000, 0, 54),
      seg(0.001, false, 'SA', 5000, 1001, 64),
      seg(1, true, 'S', 1000, 0, 54),
      seg(1.001, false, 'SA', 5000, 1001, 64),
      later(5),
    ]);
    const [v] = analyzeCapture(capture).attempts;
    const expected = row('half-open, captured on the server');
    expect([v.verdict, v.nmap, v.zeek, v.history]).toEqual([
      expected.verdict,
      expected.nmap,
      expected.zeek,
      expected.history,
    ]);
  });

  it('the same packets captured on the client (SYN/ACK arrives with TTL 54): nmap open', () => {
    const capture = buildCapture([seg(0, true, 'S', 1000, 0, 64), seg(0.02, false, 'SA', 5000, 1001, 54), later(5)]);
    const [v] = analyzeCapture(capture).attempts;
    expect([v.verdict, v.nmap]).toEqual(['half-open', 'open']);
  });
});
