// tcp-streams on hand-built captures: the cases the corpus has few of.
import { describe, expect, it } from 'vitest';
import { analyzeTcpStreams, TcpAnalysisFlag } from '../../src/lib/analysis/tcp-streams.ts';
import { buildCapture, syns, type Item } from './build.ts';

describe('analyzeTcpStreams', () => {
  it('a SYN with a new ISN on the same ports starts a new stream flagged reused_ports; the same ISN is a retransmission', () => {
    const tcp = analyzeTcpStreams(
      buildCapture([...syns([0, 1]), ...syns([5], '10.0.0.1', 57475, '10.0.0.2', 3389, 42)]),
    );
    expect(Array.from(tcp.stream)).toEqual([0, 0, 1]);
    expect(tcp.analysisFlags[1] & TcpAnalysisFlag.Retransmission).toBeTruthy();
    expect(tcp.rtoFrame[1]).toBe(1);
    expect(tcp.rto[1]).toBeCloseTo(1, 9);
    expect(tcp.analysisFlags[2] & TcpAnalysisFlag.PortsReused).toBeTruthy();
    expect(tcp.streams.toArray().map((s) => [s.firstPacket, s.lastPacket, s.packetCount])).toEqual([
      [0, 1, 2],
      [2, 2, 1],
    ]);
  });

  it('relative numbers wrap around 2^32', () => {
    const isn = 0xfffffffe;
    const tcp = analyzeTcpStreams(
      buildCapture([
        ...syns([0], '10.0.0.1', 1000, '10.0.0.2', 80, isn),
        { t: 0.1, src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 1000, flags: 'SA', seq: 5, ack: (isn + 1) >>> 0 },
        {
          t: 0.2,
          src: '10.0.0.1',
          dst: '10.0.0.2',
          sport: 1000,
          dport: 80,
          flags: 'PA',
          seq: (isn + 1) >>> 0,
          ack: 6,
          len: 10,
        },
      ]),
    );
    expect(Array.from(tcp.relSeq)).toEqual([0, 0, 1]);
    expect(Array.from(tcp.relAck)).toEqual([0, 1, 1]);
    expect(Array.from(tcp.nxtSeq)).toEqual([1, 1, 11]);
  });

  it('an ICMP error quoting only 8 bytes of TCP gets raw seq and no stream; the packet itself is marked quoted', () => {
    const icmp: Item = {
      t: 0.1,
      icmp: true,
      src: '10.0.0.254',
      dst: '10.0.0.1',
      type: 3,
      code: 13,
      quoted: { src: '10.0.0.1', dst: '10.0.0.2', sport: 57475, dport: 3389, seq: 1912198306 },
    };
    const tcp = analyzeTcpStreams(buildCapture([...syns([0]), icmp]));
    expect(tcp.stream[1]).toBe(-1);
    expect(tcp.relSeq[1]).toBe(1912198306);
    expect(tcp.analysisFlags[1]).toBe(TcpAnalysisFlag.QuotedInIcmp);
  });

  it('the same SYN twice with one IP ID within microseconds is a Duplicate (and still what tshark calls it)', () => {
    const first = { ...syns([0])[0], ipId: 9 };
    const tcp = analyzeTcpStreams(buildCapture([first, { ...first, t: 0.00001 }, { ...first, t: 1 }]));
    expect(tcp.analysisFlags[1] & TcpAnalysisFlag.Duplicate).toBeTruthy();
    // tshark calls the copy a retransmission (as it does on ctu-64702-888.pcap); Duplicate is
    // what keeps the classifier from counting it as a retry.
    expect(tcp.analysisFlags[1] & TcpAnalysisFlag.Retransmission).toBeTruthy();
    expect(tcp.analysisFlags[2] & TcpAnalysisFlag.Duplicate).toBeFalsy();
    expect(tcp.analysisFlags[2] & TcpAnalysisFlag.Retransmission).toBeTruthy();
  });

  it('a capture with nothing in it', () => {
    const tcp = analyzeTcpStreams(buildCapture([]));
    expect(tcp.stream.length).toBe(0);
    expect(tcp.streams.toArray()).toEqual([]);
  });
});

describe('duplicates from two interfaces, interleaved', () => {
  it('a copy that arrives after the next segment is still recognised', () => {
    const a: Item = {
      t: 0,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      sport: 1000,
      dport: 80,
      flags: 'PA',
      seq: 1,
      ack: 1,
      len: 10,
      ipId: 100,
    };
    const b: Item = { ...a, t: 0.00001, seq: 11, ipId: 101 };
    const tcp = analyzeTcpStreams(buildCapture([a, b, { ...a, t: 0.00002 }, { ...b, t: 0.00003 }]));
    expect(Array.from(tcp.analysisFlags).map((f) => (f & TcpAnalysisFlag.Duplicate ? 1 : 0))).toEqual([0, 0, 1, 1]);
  });
});
