// A SYN flood written as a real capture (pcapng, Ethernet/IPv4/TCP with correct checksums):
// `count` SYNs from spoofed sources to one server port, no answer. Deterministic (xorshift32), so
// a test that reads it reads the same bytes every run. Some sources of the first half send their
// SYN again 1 s later (a retransmission); the capture stops less than a second after the last
// SYNs, so the flood holds both of the verdicts a lone SYN can get (no-response, inconclusive).
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';

const SERVER = [10, 0, 0, 2];
const START_SECONDS = 1_700_000_000;

function checksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function synFrame(source: number[], sourcePort: number, serverPort: number, isn: number, ipId: number): Uint8Array {
  const f = new Uint8Array(54);
  const view = new DataView(f.buffer);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  view.setUint16(12, 0x0800);
  // IPv4: 20 bytes, DF, TTL 64, TCP.
  f[14] = 0x45;
  view.setUint16(16, 40);
  view.setUint16(18, ipId);
  view.setUint16(20, 0x4000);
  f[22] = 64;
  f[23] = 6;
  f.set(source, 26);
  f.set(SERVER, 30);
  view.setUint16(24, checksum(f, 14, 34));
  // TCP: 20 bytes, SYN, window 64240.
  view.setUint16(34, sourcePort);
  view.setUint16(36, serverPort);
  view.setUint32(38, isn);
  f[46] = 0x50;
  f[47] = 0x02;
  view.setUint16(48, 64240);
  let pseudo = 0;
  for (let i = 26; i < 34; i += 2) pseudo += (f[i] << 8) | f[i + 1];
  pseudo += 6 + 20;
  view.setUint16(50, checksum(f, 34, 54, pseudo));
  return f;
}

/** `count` SYNs 500 µs apart; every `retryEvery`-th source of the first half sends its SYN again 1 s later. */
export function synFlood(count: number, serverPort = 80, retryEvery = 7): Uint8Array {
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const writer = new PcapngWriter();
  writer.addInterface({ linkType: 1, decimalResolution: 9 });
  const retries: Array<{ at: number; frame: Uint8Array }> = [];
  for (let k = 0; k < count; k++) {
    const at = k * 500_000;
    const address = random();
    const source = [11 + ((address >>> 24) % 200), (address >>> 16) & 255, (address >>> 8) & 255, 1 + (address & 127)];
    const frame = synFrame(source, 1024 + (random() % 60000), serverPort, random(), k & 0xffff);
    // Retransmissions come in time order among the others: each one, once its time has come.
    while (retries.length > 0 && retries[0].at <= at) {
      const r = retries.shift()!;
      writer.addPacket({
        interfaceId: 0,
        seconds: START_SECONDS + Math.floor(r.at / 1e9),
        nanoseconds: r.at % 1e9,
        data: r.frame,
      });
    }
    writer.addPacket({
      interfaceId: 0,
      seconds: START_SECONDS + Math.floor(at / 1e9),
      nanoseconds: at % 1e9,
      data: frame,
    });
    if (k % retryEvery === 0 && k < count / 2) retries.push({ at: at + 1e9, frame });
  }
  for (const r of retries)
    writer.addPacket({
      interfaceId: 0,
      seconds: START_SECONDS + Math.floor(r.at / 1e9),
      nanoseconds: r.at % 1e9,
      data: r.frame,
    });
  return writer.toBytes();
}
