// Each trace's expected verdicts, checked against tshark's view of the capture in the simplest
// independent way: which packets of the attempt's four-tuple exist, their flags and raw
// sequence numbers. (The classifier is compared with the same expectations elsewhere; this file
// proves the expectations themselves describe what is on the wire.)
import { describe, expect, it } from 'vitest';
import {
  capturePath,
  isGroundTruth,
  SNAPSHOT_NOTE,
  tsharkEntries,
  wirePackets,
  type ExpectedAttempt,
  type TraceEntry,
  type WirePacket,
} from './tshark.ts';
import { requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

const entries = tsharkEntries();
const byId = new Map(entries.map((entry) => [entry.id, entry]));
const packetCache = new Map<string, WirePacket[]>();
function packetsOf(entry: TraceEntry): WirePacket[] {
  if (!packetCache.has(entry.id)) packetCache.set(entry.id, wirePackets(capturePath(entry)));
  return packetCache.get(entry.id)!;
}

/** The attempt's packets, sorted by who sent them. */
function attemptPackets(packets: WirePacket[], attempt: ExpectedAttempt) {
  const fromClient = packets.filter(
    (p) =>
      p.tcp &&
      p.src === attempt.client &&
      p.dst === attempt.server &&
      p.tcp.srcPort === attempt.clientPort &&
      p.tcp.dstPort === attempt.serverPort,
  );
  const fromServer = packets.filter(
    (p) =>
      p.tcp &&
      p.src === attempt.server &&
      p.dst === attempt.client &&
      p.tcp.srcPort === attempt.serverPort &&
      p.tcp.dstPort === attempt.clientPort,
  );
  const icmpErrors = packets.filter(
    (p) =>
      p.icmp?.quoted &&
      p.dst === attempt.client &&
      p.icmp.quoted.srcPort === attempt.clientPort &&
      p.icmp.quoted.dstPort === attempt.serverPort,
  );
  const syns = fromClient.filter((p) => p.tcp!.syn && !p.tcp!.ack);
  const isn = syns[0]?.tcp!.seq;
  const synAcks = fromServer.filter((p) => p.tcp!.syn && p.tcp!.ack && p.tcp!.ackNumber === (isn! + 1) % 2 ** 32);
  return { fromClient, fromServer, icmpErrors, syns, isn, synAcks };
}

function checkVerdict(packets: WirePacket[], attempt: ExpectedAttempt): void {
  const { fromClient, fromServer, icmpErrors, syns, isn, synAcks } = attemptPackets(packets, attempt);
  expect(syns.length, 'a SYN from the client').toBeGreaterThan(0);
  // A retransmitted SYN keeps its sequence number and Ack 0.
  for (const syn of syns) {
    expect(syn.tcp!.seq).toBe(isn);
    expect(syn.tcp!.ackNumber).toBe(0);
  }
  switch (attempt.verdict) {
    case 'connected': {
      expect(synAcks.length, 'SYN/ACK with Ack = Seq + 1').toBeGreaterThan(0);
      const serverIsn = synAcks[0]!.tcp!.seq;
      const thirdAck = fromClient.find(
        (p) => !p.tcp!.syn && p.tcp!.ack && p.tcp!.ackNumber === (serverIsn + 1) % 2 ** 32,
      );
      expect(thirdAck, 'the ACK that completes the handshake').toBeDefined();
      expect(fromServer.some((p) => p.tcp!.rst)).toBe(false);
      break;
    }
    case 'half-open': {
      expect(synAcks.length, 'SYN/ACK with Ack = Seq + 1').toBeGreaterThan(0);
      const serverIsn = synAcks[0]!.tcp!.seq;
      expect(fromClient.some((p) => !p.tcp!.syn && p.tcp!.ack && p.tcp!.ackNumber === (serverIsn + 1) % 2 ** 32)).toBe(
        false,
      );
      break;
    }
    case 'refused': {
      const resets = fromServer.filter((p) => p.tcp!.rst);
      expect(resets.length, 'an RST from the server port').toBeGreaterThan(0);
      expect(resets[0]!.tcp!.ackNumber).toBe((isn! + 1) % 2 ** 32);
      expect(synAcks).toHaveLength(0);
      break;
    }
    case 'no-response': {
      expect(syns.length, 'the SYN and at least two retransmissions').toBeGreaterThanOrEqual(3);
      expect(fromServer, 'nothing from the server port').toHaveLength(0);
      expect(icmpErrors, 'no ICMP error').toHaveLength(0);
      break;
    }
    case 'unreachable': {
      expect(icmpErrors.length, 'an ICMP error quoting the SYN').toBeGreaterThan(0);
      for (const error of icmpErrors) {
        expect(error.src).toBe(attempt.server);
        // Destination unreachable: ICMP type 3, ICMPv6 type 1.
        expect(error.icmp!.type).toBe(error.icmp!.version === 4 ? 3 : 1);
        expect(error.icmp!.quoted!.seq).toBe(isn);
      }
      expect(fromServer).toHaveLength(0);
      break;
    }
    default:
      throw new Error(`no check written for verdict ${attempt.verdict}`);
  }
}

/** Distinct attempts in a capture: client SYNs (not SYN/ACKs) by four-tuple and ISN. */
function synAttempts(packets: WirePacket[]): string[] {
  const keys = new Set<string>();
  for (const p of packets) {
    if (p.tcp?.syn && !p.tcp.ack) keys.add(`${p.src} ${p.tcp.srcPort} ${p.dst} ${p.tcp.dstPort}`);
  }
  return [...keys].sort();
}

describe.skipIf(tshark.skip)(`expected verdicts agree with tshark's view of each capture${tshark.note}`, () => {
  describe.each(entries.map((entry) => [`${entry.id}${isGroundTruth(entry) ? '' : SNAPSHOT_NOTE}`, entry] as const))(
    '%s',
    (_name, entry: TraceEntry) => {
      if (!isGroundTruth(entry)) {
        it.skip('lists exactly the attempts the capture holds, each with the verdict the packets show', () => {});
        return;
      }
      it('lists exactly the attempts the capture holds', () => {
        const expected = entry.expected.map((a) => `${a.client} ${a.clientPort} ${a.server} ${a.serverPort}`).sort();
        expect(synAttempts(packetsOf(entry))).toEqual(expected);
      });

      it.each(
        entry.expected.map(
          (attempt) => [`${attempt.clientPort} → ${attempt.serverPort}: ${attempt.verdict}`, attempt] as const,
        ),
      )('%s', (_name, attempt) => checkVerdict(packetsOf(entry), attempt));
    },
  );
});

describe.skipIf(tshark.skip)(`both sides: where each attempt died${tshark.note}`, () => {
  // A pair made of classifier snapshots records `where` as the classifier saw it: not ground truth.
  const clientSides = entries.filter((entry) => entry.side === 'client' && entry.pair && isGroundTruth(entry));
  describe.each(clientSides.map((entry) => [entry.id, entry] as const))('%s', (_id, clientEntry: TraceEntry) => {
    const serverEntry = byId.get(clientEntry.pair!)!;
    it.each(
      clientEntry.expected.map(
        (attempt) => [`${attempt.clientPort} → ${attempt.serverPort}: ${attempt.where}`, attempt] as const,
      ),
    )('%s', (_name, attempt) => {
      const atClient = attemptPackets(packetsOf(clientEntry), attempt);
      const atServer = attemptPackets(packetsOf(serverEntry), attempt);
      const listedAtServer = serverEntry.expected.some(
        (a) => a.clientPort === attempt.clientPort && a.serverPort === attempt.serverPort,
      );
      switch (attempt.where) {
        case 'path':
          // The SYNs left the client and never reached the server.
          expect(atClient.syns.length).toBeGreaterThan(0);
          expect(atServer.fromClient).toHaveLength(0);
          expect(listedAtServer).toBe(false);
          break;
        case 'return-path':
          // The server answered; the answer never reached the client.
          expect(atServer.synAcks.length).toBeGreaterThan(0);
          expect(atClient.fromServer).toHaveLength(0);
          expect(listedAtServer).toBe(true);
          break;
        case 'server':
          // The SYNs reached the server, and the server (or its firewall) decided.
          expect(atServer.syns.length).toBe(atClient.syns.length);
          expect(atServer.synAcks).toHaveLength(0);
          expect(listedAtServer).toBe(true);
          break;
        case 'none':
          expect(atServer.synAcks.length).toBeGreaterThan(0);
          expect(atClient.synAcks.length).toBeGreaterThan(0);
          expect(listedAtServer).toBe(true);
          break;
        default:
          throw new Error(`client-side attempt without a where: ${JSON.stringify(attempt)}`);
      }
    });
  });
});
