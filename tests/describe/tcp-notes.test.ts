// Every note of Wireshark's TCP analysis that the Info column shows — duplicate ACKs with their
// frame and count, window update / full, zero window and its probes, keep-alives, segments not
// captured, retransmissions of each kind — on one crafted connection. tshark is the judge of the
// whole Info column; the notes are also spelled out here so the test says something without it.
// The packet list of a session and the CLI's Describer read the same analysis, so they must agree.
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { analyzeTcpStreams } from '../../src/lib/analysis/tcp-streams.ts';
import { describePackets, tcpContextOf } from '../../src/lib/describe/index.ts';
import { storeOf } from '../../src/lib/store/packet-store.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { pcapFile, tcpFrame, tsharkInfo } from './build.ts';
import { requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;
const FIN = 0x01;

// Linux's SYN options: MSS 1460, SACK permitted, timestamps, NOP, WS 7.
const linuxSynOptions = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
const bytes = (n: number) => Array.from({ length: n }, (_, i) => 97 + (i % 26));

const client = { src: '10.0.0.5', dst: '10.0.0.9', sport: 40000, dport: 60022, ttl: 64 };
const server = { src: '10.0.0.9', dst: '10.0.0.5', sport: 60022, dport: 40000, ttl: 64 };
const c = (time: number, seq: number, ack: number, flags: number, window: number, payload = 0) => ({
  time,
  data: tcpFrame({ ...client, seq, ack, flags, window, payload: bytes(payload) }),
});
const s = (time: number, seq: number, ack: number, flags: number, window: number, payload = 0) => ({
  time,
  data: tcpFrame({ ...server, seq, ack, flags, window, payload: bytes(payload) }),
});

// Client ISN 1000, server ISN 5000; both scale windows by 2^7.
const frames = [
  { time: 0, data: tcpFrame({ ...client, seq: 1000, flags: SYN, window: 64240, options: linuxSynOptions }) }, // 1
  {
    time: 0.001,
    data: tcpFrame({ ...server, seq: 5000, ack: 1001, flags: SYN | ACK, window: 65160, options: linuxSynOptions }),
  }, // 2
  c(0.002, 1001, 5001, ACK, 502), // 3
  c(0.01, 1001, 5001, PSH | ACK, 502, 100), // 4
  s(0.011, 5001, 1101, ACK, 509), // 5
  s(0.012, 5001, 1101, ACK, 600), // 6 window update
  s(0.013, 5001, 1101, ACK, 600), // 7 dup ACK 5#1
  s(0.014, 5001, 1101, ACK, 600), // 8 dup ACK 5#2
  c(0.1, 1201, 5001, PSH | ACK, 502, 100), // 9 previous segment not captured
  s(0.101, 5001, 1301, ACK, 600), // 10 ACKed unseen segment
  c(10, 1300, 5001, ACK, 502), // 11 keep-alive
  s(10.001, 5001, 1301, ACK, 600), // 12 keep-alive ACK
  s(11, 5001, 1301, ACK, 0), // 13 zero window
  c(11.5, 1301, 5001, PSH | ACK, 502, 1), // 14 zero window probe
  s(11.501, 5001, 1301, ACK, 0), // 15 zero window probe ACK
  s(12, 5001, 1301, ACK, 600), // 16 window update
  c(12.5, 1301, 5001, PSH | ACK, 502, 100), // 17
  c(13.5, 1301, 5001, PSH | ACK, 502, 100), // 18 retransmission of 17
  s(13.6, 5001, 1401, ACK, 600), // 19
  s(14, 5001, 1401, ACK, 1), // 20 window update to 128 bytes
  c(14.1, 1401, 5001, PSH | ACK, 502, 128), // 21 window full
  s(14.2, 5001, 1529, ACK, 600), // 22
  c(15, 1401, 5001, PSH | ACK, 502, 128), // 23 spurious retransmission
  c(15.1, 1629, 5001, PSH | ACK, 502, 100), // 24 previous segment not captured
  c(15.1005, 1529, 5001, PSH | ACK, 502, 100), // 25 out-of-order
  s(15.2, 5001, 1529, ACK, 600), // 26 dup ACK 22#1
  s(15.201, 5001, 1529, ACK, 600), // 27 dup ACK 22#2
  c(15.205, 1529, 5001, PSH | ACK, 502, 100), // 28 fast retransmission
  c(16, 1729, 5001, FIN | ACK, 502), // 29
  s(16.001, 5001, 1730, FIN | ACK, 600), // 30
  c(16.002, 1730, 5002, ACK, 502), // 31
];
const file = pcapFile(frames);

const EXPECTED_NOTES: Record<number, string[]> = {
  6: ['TCP Window Update'],
  7: ['TCP Dup ACK 5#1'],
  8: ['TCP Dup ACK 5#2'],
  9: ['TCP Previous segment not captured'],
  10: ['TCP ACKed unseen segment'],
  11: ['TCP Keep-Alive'],
  12: ['TCP Keep-Alive ACK'],
  13: ['TCP ZeroWindow'],
  14: ['TCP ZeroWindowProbe'],
  15: ['TCP ZeroWindowProbeAck', 'TCP ZeroWindow'],
  16: ['TCP Window Update'],
  18: ['TCP Retransmission'],
  20: ['TCP Window Update'],
  21: ['TCP Window Full'],
  23: ['TCP Spurious Retransmission'],
  24: ['TCP Previous segment not captured'],
  25: ['TCP Out-Of-Order'],
  26: ['TCP Dup ACK 22#1'],
  27: ['TCP Dup ACK 22#2'],
  28: ['TCP Fast Retransmission'],
};

describe('TCP analysis notes in the Info column', () => {
  const capture = loadCaptureBytes(file);
  const descriptions = describePackets(capture);

  it.skipIf(tshark.skip)(`Info column equals tshark on every packet${tshark.note}`, () => {
    expect(descriptions.map((d) => d.info)).toEqual(tsharkInfo(file));
  });

  it('names each note where Wireshark does, and nowhere else', () => {
    descriptions.forEach((d, i) => expect(d.tcp?.notes, `frame ${i + 1}`).toEqual(EXPECTED_NOTES[i + 1] ?? []));
    for (const [frame, notes] of Object.entries(EXPECTED_NOTES)) {
      expect(descriptions[Number(frame) - 1].info.startsWith(notes.map((n) => `[${n}] `).join(''))).toBe(true);
    }
  });

  it('relative numbers, the scaled window and the retransmitted frame', () => {
    const tcp = descriptions.map((d) => d.tcp!);
    expect([tcp[8].relativeSeq, tcp[8].relativeAck]).toEqual([201, 1]);
    expect([tcp[2].window, tcp[2].windowShift]).toEqual([502 * 128, 7]);
    // SYNs are never scaled.
    expect([tcp[0].window, tcp[0].windowShift]).toEqual([64240, -1]);
    expect(tcp[4].ackBase).toBe(1000);
    // tshark's rto_frame: the oldest segment not yet acknowledged — the window probe that
    // first carried byte 1301 — which Network Monitor's description names too.
    expect(tcp[17].originalFrame).toBe(14);
    expect(descriptions[17].netmon).toMatch(/^TCP:\[ReTransmit #14\]Flags=\.\.\.AP\.\.\., /);
  });

  it('the Describer, a session and one packet on its own read the same analysis', () => {
    const given = analyzeTcpStreams(capture);
    expect(describePackets(capture, given)).toEqual(descriptions);
    // A bare list of packets is analysed as if it were the capture.
    expect(describePackets(capture.packets)).toEqual(descriptions);
    const session = new TraceSession('notes.pcap', file.length, capture);
    const rows = session.rows([27, 17, 0, 6]);
    expect(rows.map((r) => r.info)).toEqual([27, 17, 0, 6].map((i) => descriptions[i].info));
    expect(rows.map((r) => r.description)).toEqual([27, 17, 0, 6].map((i) => descriptions[i].netmon));
    expect(rows.map((r) => r.mark)).toEqual(['retransmission', 'retransmission', 'syn', '']);
    const tree = session.details(6).tree;
    const tcpNode = tree.find((n) => n.field === 'tcp')!;
    expect(tcpNode.children!.some((n) => n.label === '[TCP Dup ACK 5#1]')).toBe(true);
    expect(tcpContextOf(given, storeOf(capture), 6)).toEqual(descriptions[6].tcp);
  });

  it('no TCP context for packets without a TCP header of their own', () => {
    const given = analyzeTcpStreams(capture);
    expect(tcpContextOf(given, storeOf(capture), -1)).toBeUndefined();
    expect(tcpContextOf(given, storeOf(capture), frames.length)).toBeUndefined();
  });
});
