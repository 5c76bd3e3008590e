// Who sent what to whom, host by host, as columns: what the one-way findings and the TTL caveats
// rest on. Hosts are small integer ids (IPv4 addresses keyed as numbers, IPv6 ones by their
// bytes); nothing here is a string until a finding names a host. A SYN flood has a host per
// packet, so per host there are only numbers in typed arrays, and per packet two ids.
import { formatIP, formatIPv4Number } from '../describe/addresses.ts';
import { Layer, type PacketStore } from '../store/packet-store.ts';
import { NumberMap, PairMap } from './number-map.ts';

function grown<T extends Uint8Array | Uint32Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}

export class HostTraffic {
  /** Hosts seen as the source or destination of an IP packet. */
  count = 0;
  /** Per packet: the host ids of its IP source and destination; -1 when it has no IP layer. */
  readonly srcHost: Int32Array;
  readonly dstHost: Int32Array;
  // Per host.
  sent: Uint32Array;
  received: Uint32Array;
  /** Distinct hosts that sent to it: counted only for hosts that sent nothing (`silent`). */
  senders: Uint32Array;
  lowTtl: Uint8Array;
  highTtl: Uint8Array;
  /** A packet the host appears in, and whether as its source (1) or destination (0): its name. */
  seenIn: Uint32Array;
  seenAsSource: Uint8Array;
  /** Every conversation goes one way: no host that received a packet ever sent one back to its sender. */
  allOneWay = false;

  /** `expected`: how many hosts to make room for at first (they grow past it). */
  constructor(
    readonly store: PacketStore,
    expected = 256,
  ) {
    this.srcHost = new Int32Array(store.count).fill(-1);
    this.dstHost = new Int32Array(store.count).fill(-1);
    const n = Math.max(16, expected);
    this.sent = new Uint32Array(n);
    this.received = new Uint32Array(n);
    this.senders = new Uint32Array(n);
    this.lowTtl = new Uint8Array(n);
    this.highTtl = new Uint8Array(n);
    this.seenIn = new Uint32Array(n);
    this.seenAsSource = new Uint8Array(n);
  }

  /** The host's address as text (formatted when asked). */
  nameOf(host: number): string {
    const packet = this.seenIn[host];
    const source = this.seenAsSource[host] === 1;
    const c = this.store.columns;
    if (c.layers[packet] & Layer.IPv4) {
      const n = source ? c.src4[packet] : c.dst4[packet];
      return formatIPv4Number(n);
    }
    const ip = this.store.addressBytes(packet)!;
    return formatIP(source ? ip.src : ip.dst);
  }

  /** Sent nothing at all although packets went to it. */
  isSilent(host: number): boolean {
    return this.sent[host] === 0 && this.received[host] > 0;
  }

  /** Hosts that sent nothing although packets went to them, in order of first appearance. */
  silentHosts(): number[] {
    const hosts: number[] = [];
    for (let h = 0; h < this.count; h++) if (this.isSilent(h)) hosts.push(h);
    return hosts;
  }

  newHost(packet: number, asSource: boolean): number {
    const h = this.count++;
    if (h === this.sent.length) {
      const n = h * 2;
      this.sent = grown(this.sent, n);
      this.received = grown(this.received, n);
      this.senders = grown(this.senders, n);
      this.lowTtl = grown(this.lowTtl, n);
      this.highTtl = grown(this.highTtl, n);
      this.seenIn = grown(this.seenIn, n);
      this.seenAsSource = grown(this.seenAsSource, n);
    }
    this.lowTtl[h] = 255;
    this.seenIn[h] = packet;
    this.seenAsSource[h] = asSource ? 1 : 0;
    return h;
  }
}

/**
 * One pass over the store's columns (IPv6 addresses read from the frames), then one over the
 * silent hosts' senders. `expected` hosts are made room for at first: a flood or a scan brings a
 * host per attempt, so its caller passes the attempt count.
 */
export function hostTraffic(store: PacketStore, expected = 256): HostTraffic {
  const c = store.columns;
  const hosts = new HostTraffic(store, expected);
  const v4Ids = new NumberMap(expected);
  const v6Ids = new Map<string, number>();
  const idOf = (i: number, source: boolean): number => {
    if (c.layers[i] & Layer.IPv4) {
      const n = source ? c.src4[i] : c.dst4[i];
      let id = v4Ids.get(n);
      if (id < 0) v4Ids.set(n, (id = hosts.newHost(i, source)));
      return id;
    }
    const ip = store.addressBytes(i);
    if (!ip) return -1;
    const bytes = source ? ip.src : ip.dst;
    let key = '';
    for (let k = 0; k < bytes.length; k++) key += String.fromCharCode(bytes[k]);
    let id = v6Ids.get(key);
    if (id === undefined) v6Ids.set(key, (id = hosts.newHost(i, source)));
    return id;
  };
  for (let i = 0; i < store.count; i++) {
    if (!(c.layers[i] & (Layer.IPv4 | Layer.IPv6))) continue;
    const src = idOf(i, true);
    const dst = idOf(i, false);
    if (src < 0 || dst < 0) continue;
    hosts.srcHost[i] = src;
    hosts.dstHost[i] = dst;
    hosts.sent[src]++;
    hosts.received[dst]++;
    const ttl = c.ttl[i];
    if (ttl < hosts.lowTtl[src]) hosts.lowTtl[src] = ttl;
    if (ttl > hosts.highTtl[src]) hosts.highTtl[src] = ttl;
  }
  // Distinct senders of each silent host, and whether any pair of hosts talks both ways. Only
  // pairs whose receiver sent something can be answered, so only those are kept in a map: a flood
  // towards one silent server adds none. The silent hosts' senders are counted without a map or a
  // sort: each silent host gets a run of `towardsSilent` (its packets' senders, in capture order),
  // and a sender is counted in a run the first time it is stamped with that run's host.
  const twoWayCandidates = new PairMap(64);
  let pairs = 0;
  let answered = false;
  /** Per host: where its run of senders starts (silent hosts only), then where the next one goes. */
  const runStart = new Uint32Array(hosts.count + 1);
  let silentPackets = 0;
  for (let h = 0; h < hosts.count; h++) {
    runStart[h] = silentPackets;
    if (hosts.sent[h] === 0) silentPackets += hosts.received[h];
  }
  runStart[hosts.count] = silentPackets;
  const next = runStart.slice();
  const towardsSilent = new Uint32Array(silentPackets);
  for (let i = 0; i < store.count; i++) {
    const src = hosts.srcHost[i];
    const dst = hosts.dstHost[i];
    if (src < 0) continue;
    if (hosts.sent[dst] === 0) {
      towardsSilent[next[dst]++] = src;
      continue;
    }
    if (twoWayCandidates.get(src, dst) >= 0) continue;
    twoWayCandidates.set(src, dst, 0);
    pairs++;
    if (twoWayCandidates.get(dst, src) >= 0) answered = true;
  }
  /** Per sender: the silent host + 1 whose run last counted it. */
  const countedFor = new Uint32Array(hosts.count);
  for (let h = 0; h < hosts.count; h++) {
    if (hosts.sent[h] !== 0) continue;
    for (let k = runStart[h]; k < runStart[h + 1]; k++) {
      const sender = towardsSilent[k];
      if (countedFor[sender] === h + 1) continue;
      countedFor[sender] = h + 1;
      hosts.senders[h]++;
    }
  }
  hosts.allOneWay = (pairs > 0 || silentPackets > 0) && !answered;
  return hosts;
}
