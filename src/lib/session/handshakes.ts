// For a capture too large to hold whole: keep only the packets that decide the verdicts.
// Every SYN, SYN/ACK, RST and FIN, every ICMP/ICMPv6 error (they quote the SYN they refuse),
// and the first few other packets of each connection (the client's ACK that completes a
// handshake, the first data). Memory then grows with the number of connections, not the
// number of packets.
import type { Packet } from '../packets.ts';
import { formatIP } from '../describe/addresses.ts';

/** Packets after the handshake kept per connection (direction-independent 4-tuple). */
const FOLLOWING_PER_CONNECTION = 3;
const SYN_RST_FIN = 0x002 | 0x004 | 0x001;

export interface HandshakeSelector {
  keep: (packet: Packet) => boolean;
  /** Packets looked at so far. */
  readonly seen: number;
}

export function handshakeSelector(): HandshakeSelector {
  const following = new Map<string, number>();
  let seen = 0;
  return {
    get seen() {
      return seen;
    },
    keep(packet: Packet): boolean {
      seen++;
      const d = packet.dissection;
      if (d.icmp) return d.icmp.quoted !== undefined;
      if (!d.tcp || !d.ip) return false;
      if (d.tcp.flags & SYN_RST_FIN) return true;
      const a = `${formatIP(d.ip.src)}:${d.tcp.srcPort}`;
      const b = `${formatIP(d.ip.dst)}:${d.tcp.dstPort}`;
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      const n = following.get(key) ?? 0;
      if (n >= FOLLOWING_PER_CONNECTION) return false;
      following.set(key, n + 1);
      return true;
    },
  };
}
