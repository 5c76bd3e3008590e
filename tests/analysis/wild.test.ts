// Captures from the wild (issue 16): hand-built captures for what scanners, injectors, one-way
// capture points and multi-point loggers produce. Each test names the RFC rule or the observed
// behaviour it encodes, and checks the verdict and the words.
import { describe, expect, it } from 'vitest';
import { analyzeCapture, explain, type AttemptVerdict, type CaptureAnalysis } from '../../src/lib/analysis/index.ts';
import { buildCapture, syns, type Item } from './build.ts';

const C = '10.0.0.1';
const S = '10.0.0.2';
const ISN = 1912198306;
const SISN = 4000000000;

const fromServer = (t: number, flags: string, ack: number, extra: Partial<Item> = {}): Item =>
  ({ t, src: S, dst: C, sport: 3389, dport: 57475, flags, seq: SISN, ack, ...extra }) as Item;
const fromClient = (t: number, flags: string, seq: number, ack = 0, extra: Partial<Item> = {}): Item =>
  ({ t, src: C, dst: S, sport: 57475, dport: 3389, flags, seq, ack, ...extra }) as Item;
/** Two-way traffic between two other hosts, so the capture as a whole is not one-way. */
const dnsPair = (t: number): Item[] => [
  { t, src: '10.9.9.9', dst: '10.9.9.8', sport: 5353, dport: 53, flags: 'PA', seq: 1, ack: 1, len: 30 },
  { t: t + 0.001, src: '10.9.9.8', dst: '10.9.9.9', sport: 53, dport: 5353, flags: 'PA', seq: 1, ack: 31, len: 60 },
];

function analyze(items: Item[]): CaptureAnalysis {
  return analyzeCapture(buildCapture(items));
}
function only(items: Item[]): AttemptVerdict {
  const { attempts } = analyze(items);
  expect(attempts).toHaveLength(1);
  return attempts[0];
}
const words = (v: AttemptVerdict): string => {
  const w = explain(v);
  return [w.headline, ...w.evidence.map((e) => e.text), ...w.caveats].join('\n');
};

describe('1. a RST that does not acknowledge the SYN is ignored by the client (RFC 9293 §3.10.7.3, RFC 5961 §3)', () => {
  // In SYN-SENT a RST is acceptable only with ACK set and Ack = ISN + 1; anything else is dropped.
  const retries = syns([0, 1, 3]);

  it('RST without ACK: the client keeps retrying — no response, not refused', () => {
    const v = only([retries[0], fromServer(0.002, 'R', 0, { seq: 0 }), ...retries.slice(1), dnsPair(7)].flat());
    expect(v.verdict).toBe('no-response');
    expect(v.nmap).toBe('filtered');
    const text = words(v);
    expect(text).toContain('Frame 2: a RST claiming to come from 10.0.0.2:3389, with no ACK bit');
    expect(text).toContain('RFC 9293 §3.10.7.3');
    expect(text).toContain("ignored by the client's TCP");
    expect(explain(v).headline).toContain("nothing the client's TCP accepts came back");
    expect(text).not.toContain('nothing listens');
  });

  it('RST/ACK with the wrong Ack: ignored — and said so with both numbers', () => {
    const v = only([retries[0], fromServer(0.002, 'RA', ISN + 5), ...retries.slice(1), dnsPair(7)].flat());
    expect(v.verdict).toBe('no-response');
    expect(words(v)).toContain(`with Ack ${ISN + 5} instead of ${ISN + 1}`);
  });

  it('SYN+RST: no ACK bit, so ignored too', () => {
    const v = only([retries[0], fromServer(0.002, 'SR', 0), ...retries.slice(1), dnsPair(7)].flat());
    expect(v.verdict).toBe('no-response');
    expect(words(v)).toContain('with SYN and RST together, no ACK');
  });

  it('RST/ACK acknowledging ISN + 1 is accepted: refused, closed, REJ', () => {
    const v = only([retries[0], fromServer(0.002, 'RA', ISN + 1), dnsPair(7)].flat());
    expect([v.verdict, v.nmap, v.zeek]).toEqual(['refused', 'closed', 'REJ']);
    expect(words(v)).toContain(`answers RST/ACK with Ack ${ISN + 1} = the SYN's Seq + 1`);
  });

  it('consistent with the SYN/ACK rule: a SYN/ACK with the wrong Ack answers nothing either', () => {
    const result = analyze([retries[0], fromServer(0.002, 'SA', ISN + 7), ...retries.slice(1), dnsPair(7)].flat());
    expect(result.attempts.map((v) => v.verdict)).toEqual(['no-response']);
    expect(result.findings.join('\n')).toContain(
      'a SYN/ACK from 10.0.0.2:3389 to 10.0.0.1:57475 with no SYN before it',
    );
  });
});

describe('2. no attempts from lone SYN/ACKs; SYN+ACK+RST and SYN+ACK+FIN are no answer', () => {
  it('a lone SYN/ACK is a connection whose start was not captured (Zeek: ^h, OTH), not "port open"', () => {
    // Backscatter from a SYN flood with forged sources looks exactly like this.
    const result = analyze([
      { t: 0, src: S, dst: C, sport: 80, dport: 4444, flags: 'SA', seq: SISN, ack: 12345 },
      ...dnsPair(2),
    ]);
    expect(result.attempts).toEqual([]);
    const text = result.findings.join('\n');
    expect(text).toContain('Frame 1: a SYN/ACK from 10.0.0.2:80 to 10.0.0.1:4444 with no SYN before it');
    expect(text).toContain('no attempt to judge and no port is called open (Zeek: OTH, history ^h)');
    expect(text).toContain('backscatter');
  });

  it('SYN+ACK+RST acknowledging the SYN is a reset (RFC 9293: ACK checked, then RST), never an open port', () => {
    const v = only([syns([0])[0], fromServer(0.002, 'SAR', ISN + 1), dnsPair(5)].flat());
    expect(v.attempt.packets.map((p) => p.role)).toEqual(['syn', 'rst']);
    expect(v.nmap).not.toBe('open');
    expect(v.verdict).toBe('refused');
  });

  it('SYN+ACK+FIN is not an answer: the client keeps retrying, no response', () => {
    const v = only([syns([0])[0], fromServer(0.002, 'SAF', ISN + 1), ...syns([1, 3]), dnsPair(7)].flat());
    expect(v.attempt.packets.some((p) => p.role === 'syn-ack')).toBe(false);
    expect(v.verdict).toBe('no-response');
  });

  it('a capture that starts after the SYN still shows a connection when the client completes it', () => {
    const v = only([fromServer(0, 'SA', ISN + 1), fromClient(0.01, 'A', ISN + 1, SISN + 1), dnsPair(2)].flat());
    expect(v.verdict).toBe('connected');
    expect(v.attempt.synMissing).toBe(true);
  });
});

describe('3. one-way captures: silence may be the capture point’s blind spot', () => {
  const scan = (ports: number[]): Item[] =>
    ports.flatMap((port, k) => syns([k * 0.001, 1 + k * 0.001], C, 40000 + k, S, port, ISN + k * 1000));

  it('a scan with no packet at all from the target and nothing else: the whole capture is one-way', () => {
    const result = analyze([...scan([21, 22, 80, 443, 3389]), fromClient(6, 'A', 1, 1, { sport: 1, dport: 2 })]);
    expect(result.attempts.every((v) => v.verdict === 'no-response')).toBe(true);
    expect(result.findings.join('\n')).toContain('Every conversation in this capture goes one way only');
    for (const v of result.attempts)
      expect(explain(v).caveats.join('\n')).toContain("the silence may be the capture's blind spot");
  });

  it('one host silent in a capture where others talk both ways: a finding for that host', () => {
    const result = analyze([...scan([21, 22, 80]), ...dnsPair(5)]);
    const text = result.findings.join('\n');
    expect(text).not.toContain('Every conversation');
    expect(text).toContain('Nothing at all from 10.0.0.2 in this capture, although 6 packets went to it from 1 host');
  });

  it('a server that answers another port is not silent: no such caveat', () => {
    const result = analyze([
      ...scan([21, 80]),
      fromServer(0.0005, 'RA', ISN + 1, { dport: 40000, sport: 21 }),
      ...dnsPair(5),
    ]);
    expect(result.findings.join('\n')).not.toContain('Nothing at all from 10.0.0.2');
    const unanswered = result.attempts.find((v) => v.attempt.serverPort === 80)!;
    expect(unanswered.verdict).toBe('no-response');
    expect(explain(unanswered).caveats.join('\n')).not.toContain('blind spot');
  });
});

describe('4. hop counts from TTLs only when the sender’s TTLs agree', () => {
  it('nmap randomises the TTL of its probes (37–59): no "routers on the way" sentence', () => {
    const ttls = [37, 59, 44, 51, 40];
    const items = ttls.flatMap((ttl, k) =>
      syns([k * 0.01, 1 + k * 0.01], C, 50000 + k, S, 1000 + k, ISN + k).map((x) => ({ ...x, ttl })),
    );
    const result = analyze([...items, ...dnsPair(5)]);
    expect(result.attempts).toHaveLength(5);
    for (const v of result.attempts) expect(words(v)).not.toContain('routers on the way');
  });

  it('a client whose TTLs agree (54 everywhere): 10 routers on the way', () => {
    const items = [0, 1].flatMap((k) =>
      syns([k * 0.01, 1 + k * 0.01], C, 50000 + k, S, 1000 + k, ISN + k).map((x) => ({ ...x, ttl: 54 })),
    );
    const result = analyze([...items, ...dnsPair(5)]);
    expect(words(result.attempts[0])).toContain('TTL 54 (sent with 64: 10 routers on the way)');
  });
});

describe('5. the kernel’s RST after a SYN/ACK the capture missed', () => {
  it('client RST, no ACK, Seq = ISN + 1, 30 ms after its SYN: the port was probably open', () => {
    // RFC 9293 §3.10.7.1: a segment for a connection that does not exist gets a RST with
    // Seq = its Ack — here the SYN/ACK's Ack, ISN + 1. Observed from stateless scanners too.
    const v = only([syns([0])[0], fromClient(0.03, 'R', ISN + 1), dnsPair(5)].flat());
    expect(v.verdict).toBe('inconclusive');
    expect(v.zeek).toBe('RSTOS0');
    expect(explain(v).caveats.join('\n')).toContain(
      `Frame 2: the client's RST has no ACK and Seq ${ISN + 1} = its SYN's Seq + 1, 30.0 ms after the SYN`,
    );
    expect(explain(v).caveats.join('\n')).toContain('port 3389 was probably open');
  });

  it('a client that gives up with RST/ACK after its retries is not that', () => {
    const v = only([...syns([0, 1, 3]), fromClient(7, 'RA', ISN + 1, 0), dnsPair(9)].flat());
    expect(explain(v).caveats.join('\n')).not.toContain('probably open');
  });
});

describe('6. pktmon / loopback copies microseconds apart are duplicates, not retransmissions', () => {
  it('Windows loopback logs SYN, SYN/ACK, then the copies — with IP ID 0 — a few µs later', () => {
    // Observed in pktmon captures of loopback connections: each packet logged at two points.
    const id0 = { ipId: 0 };
    const v = only(
      [
        fromClient(0, 'S', ISN, 0, id0),
        fromServer(0.000003, 'SA', ISN + 1, id0),
        fromClient(0.000006, 'S', ISN, 0, id0),
        fromServer(0.000009, 'SA', ISN + 1, id0),
        fromClient(0.000012, 'A', ISN + 1, SISN + 1, id0),
        fromClient(0.000015, 'A', ISN + 1, SISN + 1, id0),
        dnsPair(1),
      ].flat(),
    );
    expect(v.attempt.packets.map((p) => p.role)).toEqual([
      'syn',
      'syn-ack',
      'duplicate',
      'duplicate',
      'client-ack',
      'duplicate',
    ]);
    expect(v.verdict).toBe('connected');
    expect(words(v)).toContain('Frame 3 is frame 1 captured a second time');
  });

  it('the copy taken before the IP ID was set (ID 0) may come first: still one SYN', () => {
    const v = only(
      [
        fromClient(0, 'S', ISN, 0, { ipId: 0 }),
        fromClient(0.000004, 'S', ISN, 0, { ipId: 0x1234 }),
        dnsPair(0.3),
      ].flat(),
    );
    expect(v.attempt.packets.map((p) => p.role)).toEqual(['syn', 'duplicate']);
    expect(v.timing.intervals).toEqual([]);
  });

  it('a real retransmission with IP ID 0 a second later stays a retransmission', () => {
    const v = only(
      [fromClient(0, 'S', ISN, 0, { ipId: 0 }), fromClient(1, 'S', ISN, 0, { ipId: 0 }), dnsPair(3)].flat(),
    );
    expect(v.attempt.packets.map((p) => p.role)).toEqual(['syn', 'syn-retransmission']);
  });
});
