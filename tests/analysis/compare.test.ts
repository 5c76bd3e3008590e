// Two sides of one moment, hand-built: where each attempt ended, the clock offset between the
// files, and matching through a NAT.
import { describe, expect, it } from 'vitest';
import { compareCaptures, explain } from '../../src/lib/analysis/index.ts';
import { buildCapture, syns, type Item, type Segment } from './build.ts';

const C = '10.0.0.1';
const S = '10.0.0.2';
const ISN = 1912198306;
const SISN = 4000000000;
const shift = (items: Item[], seconds: number): Item[] => items.map((x) => ({ ...x, t: x.t + seconds }));
const synAck = (t: number): Segment => ({
  t,
  src: S,
  dst: C,
  sport: 3389,
  dport: 57475,
  flags: 'SA',
  seq: SISN,
  ack: ISN + 1,
});
const ack = (t: number): Segment => ({
  t,
  src: C,
  dst: S,
  sport: 57475,
  dport: 3389,
  flags: 'A',
  seq: ISN + 1,
  ack: SISN + 1,
});
const rst = (t: number): Segment => ({
  t,
  src: S,
  dst: C,
  sport: 3389,
  dport: 57475,
  flags: 'RA',
  seq: 0,
  ack: ISN + 1,
});
// The server capture runs 7.25 s ahead and sees each packet 0.5 ms after the client does.
const SKEW = 7.25;

function whereOf(client: Item[], server: Item[]) {
  const result = compareCaptures(buildCapture(client), buildCapture(shift(server, SKEW + 0.0005)));
  expect(result.attempts).toHaveLength(1);
  return { ...result, a: { ...result.attempts[0], ...explain(result.attempts[0]) } };
}

describe('compareCaptures', () => {
  it('none: the handshake completed on both sides; the clock offset is measured', () => {
    const { a, clockOffset, matched } = whereOf(
      [...syns([0]), synAck(0.001), ack(0.0011)],
      [...syns([0]), synAck(0.0001), ack(0.0011)],
    );
    expect(a.where).toBe('none');
    expect(matched).toBe(1);
    expect(clockOffset).toBeCloseTo(SKEW + 0.0005, 6);
    expect(a.whereEvidence[0].text).toContain('ahead of');
  });

  it('path: the SYNs left the client and never reached the server capture', () => {
    const { a, matched } = whereOf(
      [...syns([0, 1, 3])],
      [{ t: 0, src: '10.0.0.9', dst: S, sport: 1, dport: 2, flags: 'S', seq: 9 }],
    );
    expect([a.verdict, a.where, matched]).toEqual(['no-response', 'path', 0]);
    expect(a.caveats.join(' ')).not.toContain('capture on the server too');
  });

  it('path: a router turned the SYN back with ICMP', () => {
    const icmp: Item = {
      t: 0.001,
      icmp: true,
      src: '10.0.0.254',
      dst: C,
      type: 3,
      code: 13,
      quoted: { src: C, dst: S, sport: 57475, dport: 3389, seq: ISN },
    };
    const { a } = whereOf(
      [...syns([0]), icmp],
      [{ t: 5, src: '10.0.0.9', dst: S, sport: 1, dport: 2, flags: 'S', seq: 9 }],
    );
    expect([a.verdict, a.where]).toEqual(['unreachable', 'path']);
  });

  it('server: the SYNs reached the server, which sent nothing back', () => {
    const { a } = whereOf(syns([0, 1, 3]), syns([0, 1, 3]));
    expect([a.verdict, a.where]).toEqual(['no-response', 'server']);
    expect(a.whereEvidence.map((e) => e.text).join(' ')).toContain('shows nothing sent back');
  });

  it('server: refused — the RST came back', () => {
    const { a } = whereOf([...syns([0]), rst(0.001)], [...syns([0]), rst(0.0001)]);
    expect([a.verdict, a.where]).toEqual(['refused', 'server']);
  });

  it('return-path: the server answered SYN/ACK (again and again), the client never saw it', () => {
    const { a } = whereOf(syns([0, 1, 3]), [
      ...syns([0]),
      synAck(0.0001),
      ...syns([1]),
      synAck(1.0001),
      ...syns([3]),
      synAck(3.0001),
    ]);
    expect([a.verdict, a.where, a.counterpart?.verdict]).toEqual(['no-response', 'return-path', 'half-open']);
  });

  it('return-path: the server answered RST, the client never saw it', () => {
    const { a } = whereOf(syns([0, 1]), [...syns([0]), rst(0.0001), ...syns([1]), rst(1.0001)]);
    expect(a.where).toBe('return-path');
  });

  it('through a NAT: addresses and ports rewritten, matched by ISN and server port', () => {
    const inside = [...syns([0, 1, 3])];
    const outside: Item[] = syns([0, 1, 3], '198.51.100.7', 61000, '203.0.113.5', 3389);
    const { a, matched } = whereOf(inside, outside);
    expect(matched).toBe(1);
    expect(a.where).toBe('server');
    expect(a.whereEvidence[0].text).toContain('NAT');
  });

  it('nothing in common: said so', () => {
    const result = compareCaptures(buildCapture(syns([0])), buildCapture(syns([0], '10.9.9.9', 1, '10.9.9.8', 2, 5)));
    expect(result.matched).toBe(0);
    expect(result.findings.join(' ')).toContain('No attempt appears in both captures');
    expect(Number.isNaN(result.clockOffset)).toBe(true);
  });
});
