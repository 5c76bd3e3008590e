// For a capture too large to hold whole: keep only the packets that decide the verdicts.
// Every SYN, SYN/ACK, RST and FIN, every ICMP/ICMPv6 error (they quote the SYN they refuse),
// and the first few other packets of each connection (the client's ACK that completes a
// handshake, the first data). Memory then grows with the number of connections, not the
// number of packets.
import { PairMap } from '../analysis/number-map.ts';
import { EndpointTable } from '../analysis/tcp-streams.ts';
import { Layer, type PacketStore } from '../store/packet-store.ts';

/** Packets after the handshake kept per connection (direction-independent 4-tuple). */
const FOLLOWING_PER_CONNECTION = 3;
const SYN_RST_FIN = 0x002 | 0x004 | 0x001;

export interface HandshakeSelector {
  /** Asked about each packet as it is read: row `index` of the store being filled. */
  keep: (store: PacketStore, index: number) => boolean;
  /** Packets looked at so far. */
  readonly seen: number;
}

export function handshakeSelector(): HandshakeSelector {
  // Endpoints (address + port) as small numbers, and a connection as the pair of them.
  const endpoints = new EndpointTable();
  const connections = new PairMap(1024);
  const kept: number[] = [];
  let seen = 0;
  return {
    get seen() {
      return seen;
    },
    keep(store: PacketStore, i: number): boolean {
      seen++;
      const c = store.columns;
      const layers = c.layers[i];
      if (layers & Layer.Icmp) return (layers & Layer.IcmpQuote) !== 0;
      if (!(layers & Layer.Tcp) || !(layers & (Layer.IPv4 | Layer.IPv6))) return false;
      if (c.tcpFlags[i] & SYN_RST_FIN) return true;
      const a = endpoints.sourceOf(store, i);
      const b = endpoints.destinationOf(store, i);
      const connection = a < b ? connections.get(a, b) : connections.get(b, a);
      if (connection < 0) {
        if (a < b) connections.set(a, b, kept.length);
        else connections.set(b, a, kept.length);
        kept.push(1);
        return true;
      }
      if (kept[connection] >= FOLLOWING_PER_CONNECTION) return false;
      kept[connection]++;
      return true;
    },
  };
}
