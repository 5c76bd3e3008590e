// Verdicts on the corpus's captures (the teaching captures of packets/ only with the opt-in
// extra corpus: the recorded traces in public/traces cover the same situations, in traces.test.ts). Each expectation is what the frames show (read
// with tshark; the reason is written next to it), never a copy of our own output.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, explain, type AttemptVerdict } from '../../src/lib/analysis/index.ts';
import { capturePath, requireCorpus, requireExtraCorpus, requireTshark } from '../support/corpus.ts';
import { corpusCapture } from './corpus.ts';

const corpus = requireCorpus();
const extra = requireExtraCorpus();
const tshark = requireTshark();

const verdictsOf = (path: string): AttemptVerdict[] => analyzeCapture(corpusCapture(path)).attempts;
const texts = (v: AttemptVerdict): string => {
  const words = explain(v);
  return [...words.evidence.map((e) => e.text), ...words.caveats].join('\n');
};

describe.skipIf(extra.skip)(`teaching captures (packets/)${extra.note}`, () => {
  it('tcp_handshake: SYN, SYN/ACK with Ack=ISN+1, ACK — connected', () => {
    const [v, ...rest] = verdictsOf('packets/tcp_handshake.pcapng');
    expect(rest).toEqual([]);
    expect([v.verdict, v.nmap, v.history, v.frames]).toEqual(['connected', 'open', 'ShA', [1, 2, 3]]);
    expect(`${v.attempt.client}:${v.attempt.clientPort}`).toBe('172.16.16.128:2826');
  });

  it('tcp_refuseconnection: SYN answered by RST/ACK in 1.3 ms — refused', () => {
    const [v, ...rest] = verdictsOf('packets/tcp_refuseconnection.pcapng');
    expect(rest).toEqual([]);
    expect([v.verdict, v.nmap, v.zeek, v.history]).toEqual(['refused', 'closed', 'REJ', 'Sr']);
  });

  it('nowebaccess1: DNS queries only — no TCP attempt at all', () => {
    expect(verdictsOf('packets/nowebaccess1.pcapng')).toEqual([]);
  });

  it('nowebaccess2: three SYNs with one ISN, each answered by RST/ACK — one refused attempt, not three', () => {
    const [v, ...rest] = verdictsOf('packets/nowebaccess2.pcapng');
    expect(rest).toEqual([]);
    expect(v.verdict).toBe('refused');
    expect(v.attempt.packets.filter((p) => p.role === 'syn-retransmission').map((p) => p.frame)).toEqual([5, 7]);
    expect(texts(v)).toContain('got a RST each time (frames 6 and 8)');
  });

  it('nowebaccess3: frame 4 repeats frame 3 5 ms later with the same IP ID; frame 5 retries after 1 s — no-response', () => {
    const [v, ...rest] = verdictsOf('packets/nowebaccess3.pcapng');
    expect(rest).toEqual([]);
    expect(v.verdict).toBe('no-response');
    expect(v.attempt.packets.map((p) => `${p.frame}:${p.role}`)).toEqual([
      '3:syn',
      '4:duplicate',
      '5:syn-retransmission',
    ]);
    expect(v.timing.intervals.map((x) => x.toFixed(2))).toEqual(['1.00']);
    expect(texts(v)).toContain('same IP ID 0x178a');
  });

  it.skipIf(tshark.skip)(
    `synscan: every SYN is an attempt; SYN/ACKs, RSTs and silence counted by tshark${tshark.note}`,
    () => {
      const verdicts = verdictsOf('packets/synscan.pcapng');
      const tsharkSays = (filter: string, fields: string[]) =>
        new Set(
          execFileSync(
            'tshark',
            [
              '-n',
              '-r',
              capturePath('packets/synscan.pcapng'),
              '-Y',
              filter,
              '-T',
              'fields',
              ...fields.flatMap((f) => ['-e', f]),
            ],
            {
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'ignore'],
            },
          )
            .trim()
            .split('\n')
            .filter(Boolean),
        );
      const syns = tsharkSays('tcp.flags.syn==1 && tcp.flags.ack==0', ['tcp.srcport', 'tcp.dstport', 'tcp.seq_raw']);
      const answeredOpen = tsharkSays('tcp.flags.syn==1 && tcp.flags.ack==1', ['tcp.dstport', 'tcp.srcport']);
      const answeredClosed = tsharkSays('tcp.flags.reset==1 && tcp.flags.ack==1', ['tcp.dstport', 'tcp.srcport']);
      expect(verdicts).toHaveLength(syns.size);
      const count = (verdict: string) => verdicts.filter((v) => v.verdict === verdict).length;
      // No RST from the scanner is in the capture, and the server resent its SYN/ACKs: half-open.
      expect(count('half-open')).toBe(answeredOpen.size);
      expect(count('refused')).toBe(answeredClosed.size);
      // The capture runs 23 s: every unanswered probe had far more than 1 s to get an answer.
      expect(count('no-response')).toBe(syns.size - answeredOpen.size - answeredClosed.size);
    },
  );
});

describe.skipIf(corpus.skip)(`Zeek and tcpdump test traces${corpus.note}`, () => {
  const one = (path: string): AttemptVerdict => {
    const vs = verdictsOf(path);
    expect(vs).toHaveLength(1);
    return vs[0];
  };

  it('handshake-reorder: the SYN/ACK is captured before the SYN — still one connected attempt with its SYN', () => {
    const v = one('zeek/Traces/tcp/handshake-reorder.pcap');
    expect(v.verdict).toBe('connected');
    expect(v.attempt.synMissing).toBe(false);
    expect(v.attempt.packets.slice(0, 2).map((p) => p.role)).toEqual(['syn-ack', 'syn']);
  });

  it('missing-syn and http-on-irc-port-missing-syn: the capture starts at the SYN/ACK — connected, SYN missing', () => {
    for (const path of ['zeek/Traces/tcp/missing-syn.pcap', 'zeek/Traces/tcp/http-on-irc-port-missing-syn.pcapng']) {
      const v = one(path);
      expect(v.verdict).toBe('connected');
      expect(v.attempt.synMissing).toBe(true);
    }
  });

  it('ctu-64702-888: every packet captured twice at the same instant — the copies are duplicates', () => {
    const v = one('zeek/Traces/tcp/ctu-64702-888.pcap');
    expect(v.verdict).toBe('connected');
    const capture = corpusCapture('zeek/Traces/tcp/ctu-64702-888.pcap');
    // Ground truth from the bytes: frame 2k is byte-for-byte frame 2k-1 (frames 13/14 and 15/16
    // differ in time by a microsecond but not in content).
    const same = (a: number, b: number) => {
      const x = capture.packets[a - 1].data;
      const y = capture.packets[b - 1].data;
      return x.length === y.length && x.every((byte, k) => byte === y[k]);
    };
    const duplicates = v.attempt.packets.filter((p) => p.role === 'duplicate').map((p) => p.frame);
    expect(duplicates.length).toBeGreaterThan(4);
    for (const f of duplicates) expect(same(f - 1, f)).toBe(true);
  });

  it('syn: a single SYN and nothing after it — inconclusive', () => {
    expect(one('zeek/Traces/tcp/syn.pcap').verdict).toBe('inconclusive');
  });

  it('syn-synack: the capture stops at the SYN/ACK — inconclusive, but nmap would call the port open', () => {
    const v = one('zeek/Traces/tcp/syn-synack.pcap');
    expect([v.verdict, v.nmap]).toEqual(['inconclusive', 'open']);
  });

  it('syn-then-rst: the client resets 0.3 ms after its own SYN — inconclusive (client aborted), Zeek RSTOS0', () => {
    const v = one('zeek/Traces/tcp/syn-then-rst.pcap');
    expect([v.verdict, v.zeek]).toEqual(['inconclusive', 'RSTOS0']);
  });

  it('option-sack: four SYNs with one ISN over 12 s, no answer — no-response', () => {
    const v = one('zeek/Traces/tcp/option-sack.pcap');
    expect(v.verdict).toBe('no-response');
    expect(v.timing.offsets).toHaveLength(3);
  });

  it('fin_retransmission: the client answers the SYN/ACK with FIN/ACK acknowledging it — the handshake completed', () => {
    expect(one('zeek/Traces/tcp/fin_retransmission.pcap').verdict).toBe('connected');
  });

  it('payload-syn: the SYN carries 100 bytes and the SYN/ACK acknowledges them (Ack 101) — one attempt, connected', () => {
    const v = one('zeek/Traces/tcp/payload-syn.pcap');
    expect(v.verdict).toBe('connected');
    expect(v.attempt.synMissing).toBe(false);
  });

  it('tcp-fast-open: two connections, the second with data in its SYN — both connected', () => {
    expect(verdictsOf('zeek/Traces/tcp/tcp-fast-open.pcap').map((v) => v.verdict)).toEqual(['connected', 'connected']);
  });

  it("one-sided-2745: only the server's packets; it acknowledges client data — connected, said how we know", () => {
    const vs = verdictsOf('zeek/Traces/tcp/one-sided-2745.pcap');
    expect(vs.map((v) => v.verdict)).toEqual(['connected', 'connected']);
    expect(texts(vs[0])).toContain('one direction only');
  });

  it('rst-inject-rae: a RST arrives before the real SYN/ACK — connected, and the RST called out as forged', () => {
    const v = one('zeek/Traces/tcp/rst-inject-rae.pcap');
    expect(v.verdict).toBe('connected');
    expect(texts(v)).toContain('forged reset');
  });

  it('http-vlan-0 (802.1Q tags, VLAN 0): connected, VLAN recorded', () => {
    const v = one('zeek/Traces/http-vlan-0.pcap');
    expect(v.verdict).toBe('connected');
    expect(v.attempt.vlans).toEqual([0]);
  });

  it('tcp-handshake-nano (Linux cooked capture, nanosecond times): connected', () => {
    const v = one('tcpdump/tests/tcp-handshake-nano.pcap');
    expect([v.verdict, v.history]).toEqual(['connected', 'ShA']);
  });
});
