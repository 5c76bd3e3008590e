// Verdicts on hand-built edge cases: each capture is built to show one situation, and the test
// says what a careful reader of the frames would conclude.
import { describe, expect, it } from 'vitest';
import {
  analyzeCapture,
  explain,
  findAttempts,
  type AttemptVerdict,
  type Explanation,
} from '../../src/lib/analysis/index.ts';
import { buildCapture, syns, type Item } from './build.ts';

const C = '10.0.0.1';
const S = '10.0.0.2';
const ISN = 1912198306;
const SISN = 4000000000;

/** The one attempt of a capture: its verdict (data) with its words (explain). */
function only(items: Item[]): AttemptVerdict & Explanation {
  const { attempts } = analyzeCapture(buildCapture(items));
  expect(attempts).toHaveLength(1);
  return { ...attempts[0], ...explain(attempts[0]) };
}
const synAck = (t: number, extra: Partial<Item> = {}): Item =>
  ({ t, src: S, dst: C, sport: 3389, dport: 57475, flags: 'SA', seq: SISN, ack: ISN + 1, ...extra }) as Item;
const clientAck = (t: number): Item => ({
  t,
  src: C,
  dst: S,
  sport: 57475,
  dport: 3389,
  flags: 'A',
  seq: ISN + 1,
  ack: SISN + 1,
});
const end = (t: number): Item => ({
  t,
  src: '10.9.9.9',
  dst: '10.9.9.8',
  sport: 53,
  dport: 5353,
  flags: 'A',
  seq: 1,
  ack: 1,
});

describe('verdicts', () => {
  it('no-response: three SYNs 0, 3, 9 s and nothing back — legacy Windows schedule, filtered, S0', () => {
    const v = only([...syns([0, 3, 9]), end(21)]);
    expect(v.verdict).toBe('no-response');
    expect(v.nmap).toBe('filtered');
    expect(v.zeek).toBe('S0');
    expect(v.history).toBe('S');
    expect(v.frames).toEqual([1, 2, 3]);
    expect(v.timing.matches).toBe('legacy-windows');
    expect(v.timing.intervals.map((x) => Math.round(x))).toEqual([3, 6]);
    const texts = v.evidence.map((e) => e.text).join('\n');
    expect(texts).toContain('Ack stays 0 in all 3 SYNs');
    expect(texts).toContain(`Seq stays ${ISN}: frames 2 and 3 retransmit frame 1 after 3.0 s and 9.0 s`);
    expect(texts).toMatch(/in the 12\.0 s that followed the last SYN/);
    expect(v.caveats.join(' ')).toContain('capture on the server too');
    // Every step cites frames that belong to the attempt.
    for (const e of v.evidence) for (const f of e.frames) expect(v.frames).toContain(f);
  });

  it('no-response seen past a router (TTL 126): the capture was not taken on the client', () => {
    const routed = syns([0, 3]).map((x) => ({ ...x, ttl: 126 }));
    const v = only([...routed, end(10)]);
    expect(v.evidence.map((e) => e.text).join(' ')).toContain('TTL 126 (sent with 128: 2 routers on the way)');
    const local = only([...syns([0, 3]), end(10)]);
    expect(local.evidence.map((e) => e.text).join(' ')).not.toContain('routers on the way');
  });

  it('no-response: a single SYN and a capture that goes on for 1 s or more — with a word on the short capture', () => {
    const v = only([...syns([0]), end(1.5)]);
    expect(v.verdict).toBe('no-response');
    expect(v.caveats.join(' ')).toContain('Only 1.5 s of capture after the SYN');
    expect(only([...syns([0]), end(30)]).caveats.join(' ')).not.toContain('Only');
  });

  it('no-response with Linux timing: 1 s doubling', () => {
    const v = only([...syns([0, 1, 3, 7]), end(8)]);
    expect(v.timing.matches).toBe('doubling-1s');
    expect(v.evidence.map((e) => e.text).join(' ')).toContain('Linux and current Windows');
  });

  it('inconclusive: the capture stops 0.3 s after the only SYN', () => {
    const v = only([...syns([0]), end(0.3)]);
    expect(v.verdict).toBe('inconclusive');
    expect(v.nmap).toBe('unknown');
    expect(v.headline).toContain('300.0 ms');
    expect(v.caveats.join(' ')).toMatch(/at least 3 s/);
  });

  it('inconclusive: the client aborts at once (RST 50 ms after its SYN) — Zeek RSTOS0', () => {
    const v = only([
      ...syns([0]),
      { t: 0.05, src: C, dst: S, sport: 57475, dport: 3389, flags: 'R', seq: ISN + 1 },
      end(30),
    ]);
    expect(v.verdict).toBe('inconclusive');
    expect(v.zeek).toBe('RSTOS0');
    expect(v.history).toBe('SR');
  });

  it('refused: RST/ACK acknowledging ISN+1 — closed, REJ', () => {
    const v = only([
      ...syns([0]),
      { t: 0.001, src: S, dst: C, sport: 3389, dport: 57475, flags: 'RA', seq: 0, ack: ISN + 1, ttl: 128 },
    ]);
    expect(v.verdict).toBe('refused');
    expect(v.nmap).toBe('closed');
    expect(v.zeek).toBe('REJ');
    expect(v.history).toBe('Sr');
    expect(v.evidence[1].text).toContain(`Ack ${ISN + 1} = the SYN's Seq + 1`);
    expect(v.evidence[1].frames).toEqual([2]);
  });

  it('connected: SYN, SYN/ACK acknowledging ISN+1, the client ACK — open, S1, then SF after FINs', () => {
    const v = only([...syns([0]), synAck(0.01), clientAck(0.02)]);
    expect(v.verdict).toBe('connected');
    expect(v.nmap).toBe('open');
    expect(v.zeek).toBe('S1');
    expect(v.history).toBe('ShA');
    const closed = only([
      ...syns([0]),
      synAck(0.01),
      clientAck(0.02),
      { t: 0.03, src: C, dst: S, sport: 57475, dport: 3389, flags: 'FA', seq: ISN + 1, ack: SISN + 1 },
      { t: 0.04, src: S, dst: C, sport: 3389, dport: 57475, flags: 'FA', seq: SISN + 1, ack: ISN + 2 },
      { t: 0.05, src: C, dst: S, sport: 57475, dport: 3389, flags: 'A', seq: ISN + 2, ack: SISN + 2 },
    ]);
    expect(closed.zeek).toBe('SF');
    expect(closed.history).toBe('ShAFf');
  });

  it('half-open: a SYN scanner resets instead of ACKing — open, RSTO, history ShR', () => {
    const v = only([
      ...syns([0]),
      synAck(0.01),
      { t: 0.011, src: C, dst: S, sport: 57475, dport: 3389, flags: 'R', seq: ISN + 1 },
    ]);
    expect(v.verdict).toBe('half-open');
    expect(v.nmap).toBe('open');
    expect(v.zeek).toBe('RSTO');
    expect(v.history).toBe('ShR');
    expect(v.evidence.map((e) => e.text).join(' ')).toContain('SYN scan');
  });

  it('half-open: the client keeps resending its SYN after the SYN/ACK (the answer never reached it)', () => {
    const v = only([...syns([0, 1, 3]), synAck(0.01), synAck(1.01), synAck(3.01)]);
    expect(v.verdict).toBe('half-open');
    expect(v.evidence.map((e) => e.text).join(' ')).toContain('never reached it');
  });

  it('inconclusive but open: a SYN/ACK and the capture stops right after it', () => {
    const v = only([...syns([0]), synAck(0.01)]);
    expect(v.verdict).toBe('inconclusive');
    expect(v.nmap).toBe('open');
  });

  it('unreachable: ICMP administratively prohibited quoting the SYN — named, filtered', () => {
    const v = only([
      ...syns([0]),
      {
        t: 0.002,
        icmp: true,
        src: '10.0.0.254',
        dst: C,
        type: 3,
        code: 13,
        quoted: { src: C, dst: S, sport: 57475, dport: 3389, seq: ISN },
      },
    ]);
    expect(v.verdict).toBe('unreachable');
    expect(v.nmap).toBe('filtered');
    expect(v.zeek).toBe('S0');
    expect(v.evidence[1].text).toContain('type 3, code 13 (communication administratively prohibited)');
    expect(v.evidence[1].text).toContain('a filter said no');
    expect(v.evidence[1].text).toContain('10.0.0.254');
  });

  it('unreachable over IPv6: ICMPv6 type 1 code 4 (port unreachable)', () => {
    const c6 = '2001:db8::1';
    const s6 = '2001:db8::2';
    const v = only([
      { t: 0, src: c6, dst: s6, sport: 40000, dport: 22, flags: 'S', seq: 5 },
      {
        t: 0.001,
        icmp: true,
        src: s6,
        dst: c6,
        type: 1,
        code: 4,
        quoted: { src: c6, dst: s6, sport: 40000, dport: 22, seq: 5 },
      },
    ]);
    expect(v.verdict).toBe('unreachable');
    expect(v.attempt.client).toBe(c6);
    expect(v.evidence[1].text).toContain('port unreachable');
    expect(v.evidence[1].text).toContain(`${s6} itself`);
  });
});

describe('surviving real captures', () => {
  it('SYN/ACK captured before its SYN: one attempt, connected, SYN found', () => {
    const v = only([synAck(0), ...syns([0.0001]), clientAck(0.0002)]);
    expect(v.verdict).toBe('connected');
    expect(v.attempt.synMissing).toBe(false);
    expect(v.attempt.packets.map((p) => p.role)).toEqual(['syn-ack', 'syn', 'client-ack']);
  });

  it('capture starting after the SYN: the attempt is rebuilt from the SYN/ACK (ISN = ack - 1)', () => {
    const v = only([synAck(0), clientAck(0.01)]);
    expect(v.verdict).toBe('connected');
    expect(v.attempt.synMissing).toBe(true);
    expect(v.attempt.isn).toBe(ISN);
    expect(v.attempt.client).toBe(C);
    expect(v.evidence[0].text).toContain('no SYN');
  });

  it('the same SYN captured twice (same IP ID, microseconds apart) is a duplicate, not a retry', () => {
    const copy = { ...syns([0])[0], ipId: 0x178a };
    const v = only([copy, { ...copy, t: 0.000004 }, end(0.4)]);
    // One SYN seen twice and 0.4 s of capture: too soon to tell, whatever the copy looks like.
    expect(v.verdict).toBe('inconclusive');
    expect(v.attempt.packets.map((p) => p.role)).toEqual(['syn', 'duplicate']);
    expect(v.timing.intervals).toEqual([]);
    expect(v.evidence.map((e) => e.text).join(' ')).toContain('captured a second time (same IP ID 0x178a');
  });

  it('a retransmission keeps its role even with the same IP ID when it comes a second later', () => {
    const first = { ...syns([0])[0], ipId: 7 };
    const v = only([first, { ...first, t: 1 }]);
    expect(v.attempt.packets.map((p) => p.role)).toEqual(['syn', 'syn-retransmission']);
    expect(v.verdict).toBe('no-response');
  });

  it('a new ISN on the same ports is a new attempt', () => {
    const attempts = findAttempts(buildCapture([...syns([0]), ...syns([5], C, 57475, S, 3389, ISN + 999999)]));
    expect(attempts).toHaveLength(2);
    expect(attempts[1].isn).toBe(ISN + 999999);
  });

  it('the same SYN seen on two VLANs is one attempt; its answer is matched across them', () => {
    const syn10 = { ...syns([0])[0], vlan: 10, ipId: 55 };
    const syn20 = { ...syn10, t: 0.00002, vlan: 20, ttl: 63 };
    const v = only([
      syn10,
      syn20,
      { ...(synAck(0.01) as object), vlan: 20 } as Item,
      { ...(clientAck(0.02) as object), vlan: 10 } as Item,
    ]);
    expect(v.verdict).toBe('connected');
    expect(v.attempt.vlans).toEqual([10, 20]);
    expect(v.attempt.packets[1].role).toBe('duplicate');
  });

  it('RST answering an older attempt is matched by its ack, not to the newest attempt on the ports', () => {
    const attempts = analyzeCapture(
      buildCapture([
        ...syns([0]),
        ...syns([0.1], C, 57475, S, 3389, 77),
        { t: 0.2, src: S, dst: C, sport: 3389, dport: 57475, flags: 'RA', seq: 0, ack: ISN + 1 },
        end(5),
      ]),
    ).attempts;
    expect(attempts.map((a) => a.verdict)).toEqual(['refused', 'no-response']);
  });

  it('one direction only: the server acknowledging client data proves the handshake', () => {
    const v = only([
      synAck(0),
      { t: 0.04, src: S, dst: C, sport: 3389, dport: 57475, flags: 'A', seq: SISN + 1, ack: ISN + 53 },
    ]);
    expect(v.verdict).toBe('connected');
    expect(v.evidence.map((e) => e.text).join(' ')).toContain('acknowledges 52 bytes of client data');
  });
});

describe('checksum offload', () => {
  it("partial checksums only on the capturing host's own packets: a red herring", () => {
    const capture = buildCapture([
      { ...syns([0])[0], checksum: 'partial' },
      { ...(synAck(0.01) as object) } as Item,
      { ...(clientAck(0.02) as object), checksum: 'partial' } as Item,
    ]);
    const { offload } = analyzeCapture(capture);
    expect(offload.kind).toBe('offload');
    expect(offload.offloadHosts).toEqual([C]);
    expect(offload.offloadFrames).toEqual([1, 3]);
    expect(offload.text[0]).toContain('red herring');
  });

  it('bad checksums on received packets are real', () => {
    const capture = buildCapture([
      { ...syns([0])[0], checksum: 'partial' },
      { ...(synAck(0.01) as object), checksum: 'bad' } as Item,
    ]);
    const { offload } = analyzeCapture(capture);
    expect(offload.kind).toBe('both');
    expect(offload.corruptFrames).toEqual([2]);
    // never blamed on offload; with no direction in the file, both explanations are given
    expect(offload.text[1]).toMatch(/^1 received packet has a wrong checksum/);
    expect(offload.text[1]).toContain('Offload cannot explain');
    expect(offload.text[1]).toContain('damaged on the way');
    expect(offload.text[1]).toContain('mirror port');
    expect(offload.text[1]).not.toContain('filled the checksum in');
    // one sent packet: singular throughout
    expect(offload.text[0]).toMatch(/^1 packet sent by .* shows a wrong checksum .* It was captured before/);
  });

  it('no finding when every checksum is right', () => {
    expect(analyzeCapture(buildCapture([...syns([0]), synAck(0.01)])).offload.kind).toBe('none');
  });
});
