// The attempt table finds what it knows of a 4-tuple by the TCP analysis's endpoint pair (a slot
// per pair and direction) rather than by hashing the 4-tuple, and hashes (slot, ISN) only for
// slots that saw more than one attempt. These properties fail if a packet lands on the wrong
// 4-tuple or ISN: random captures on few ports with reused ISNs, a host talking to itself on one
// port, SYNs far apart and out of order, ICMP errors quoting 8 bytes or a whole header.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeTcpStreams, attemptTable } from '../../src/lib/analysis/index.ts';
import { buildCapture, type Item } from './build.ts';

const tuples = [
  { c: '10.0.0.1', s: '10.0.0.2', cp: 1000, sp: 80 },
  { c: '10.0.0.1', s: '10.0.0.2', cp: 1001, sp: 80 },
  // the same address and port at both ends: its own reverse
  { c: '10.0.0.5', s: '10.0.0.5', cp: 7, sp: 7 },
  { c: '2001:db8::1', s: '2001:db8::2', cp: 1000, sp: 80 },
];
const ISNS = [5, 0xfffffffe, 1000, 5000];

const packet = fc.record({
  dt: fc.constantFrom(0, 0.0001, 0.5, 2, 200),
  backwards: fc.constantFrom(false, false, false, true),
  tuple: fc.integer({ min: 0, max: tuples.length - 1 }),
  fromClient: fc.boolean(),
  flags: fc.constantFrom('S', 'S', 'S', 'SA', 'SA', 'A', 'PA', 'R', 'RA', 'F', 'FA', 'SR'),
  isn: fc.integer({ min: 0, max: ISNS.length - 1 }),
  peerIsn: fc.integer({ min: 0, max: ISNS.length - 1 }),
  seqOffset: fc.constantFrom(0, 0, 1, 7),
  ackOffset: fc.constantFrom(-1, 1, 1, 2),
  len: fc.constantFrom(0, 0, 0, 10),
  ipId: fc.constantFrom(1, 2),
  // one packet in eight an ICMP error
  icmp: fc.oneof(
    { weight: 7, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.record({ withSeq: fc.boolean(), router: fc.boolean() }) },
  ),
});
type Raw = typeof packet extends fc.Arbitrary<infer T> ? T : never;

function toItems(raw: Raw[]): Item[] {
  let t = 0;
  return raw.map((r) => {
    t = r.backwards ? Math.max(0, t - 0.5) : t + r.dt;
    const x = tuples[r.tuple];
    const v6 = x.c.includes(':');
    const seq = (ISNS[r.isn] + r.seqOffset) >>> 0;
    if (r.icmp) {
      const router = v6 ? '2001:db8::fe' : '10.0.0.254';
      const quoted = { src: x.c, dst: x.s, sport: x.cp, dport: x.sp, seq: r.icmp.withSeq ? seq : undefined };
      return { t, icmp: true, src: r.icmp.router ? router : x.s, dst: x.c, type: v6 ? 1 : 3, code: 3, quoted };
    }
    const [src, dst, sport, dport] = r.fromClient ? [x.c, x.s, x.cp, x.sp] : [x.s, x.c, x.sp, x.cp];
    const ack = r.ackOffset < 0 ? 0 : (ISNS[r.peerIsn] + r.ackOffset) >>> 0;
    return { t, src, dst, sport, dport, flags: r.flags, seq, ack, len: r.len, ipId: r.ipId };
  });
}

const SYN = 0x002;
const ACK = 0x010;

describe('attempts found by endpoint-pair slots', () => {
  it('every packet on its attempt’s 4-tuple, every SYN with its ISN, repeats counted (random captures)', () => {
    let reusedTuples = 0;
    let repeats = 0;
    fc.assert(
      fc.property(fc.array(packet, { minLength: 5, maxLength: 60, size: 'max' }), (raw) => {
        const items = toItems(raw);
        const capture = buildCapture(items);
        const table = attemptTable(capture, analyzeTcpStreams(capture, true));
        const tupleOf = (a: { client: string; clientPort: number; server: string; serverPort: number }) =>
          `${a.client}:${a.clientPort}>${a.server}:${a.serverPort}`;
        const owners = new Map<number, number>();
        const seenKeys = new Map<string, number>();
        const seenTuples = new Set<string>();
        for (let a = 0; a < table.count; a++) {
          const attempt = table.attemptAt(a);
          const forward = tupleOf(attempt);
          const backward = `${attempt.server}:${attempt.serverPort}>${attempt.client}:${attempt.clientPort}`;
          if (seenTuples.has(forward)) reusedTuples++;
          seenTuples.add(forward);
          // attempts with the same 4-tuple and ISN before this one
          const key = `${forward}#${attempt.isn}`;
          expect(table.repeat[a]).toBe(seenKeys.get(key) ?? 0);
          seenKeys.set(key, (seenKeys.get(key) ?? 0) + 1);
          if (table.repeat[a] > 0) repeats++;
          for (const p of attempt.packets) {
            expect(owners.has(p.index)).toBe(false);
            owners.set(p.index, a);
            const item = items[p.index];
            const on =
              'icmp' in item
                ? `${item.quoted.src}:${item.quoted.sport}>${item.quoted.dst}:${item.quoted.dport}`
                : `${item.src}:${item.sport}>${item.dst}:${item.dport}`;
            expect([forward, backward]).toContain(on);
            if (p.role === 'syn' || p.role === 'syn-retransmission') expect(p.seq).toBe(attempt.isn);
            if (p.role === 'syn-ack') expect((p.ack - 1) >>> 0).toBe(attempt.isn);
          }
        }
        // every SYN without ACK is in an attempt
        items.forEach((item, i) => {
          if (!('icmp' in item) && (buildFlags(item.flags) & (SYN | ACK)) === SYN && !item.flags.includes('R'))
            expect(owners.has(i)).toBe(true);
        });
      }),
      { numRuns: 3000, seed: 20261207 },
    );
    // the generator reached what the slots are for
    expect(reusedTuples).toBeGreaterThan(10_000);
    expect(repeats).toBeGreaterThan(1000);
  });
});

function buildFlags(letters: string): number {
  let f = 0;
  if (letters.includes('S')) f |= SYN;
  if (letters.includes('A')) f |= ACK;
  return f;
}
