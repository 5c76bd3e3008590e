// Wireshark's Statistics → Conversations and Endpoints for IPv4, IPv6, TCP and UDP, in one pass
// over the packet store's columns (no packet decoded, no object per packet). A conversation's
// side A is the source of its first packet, as in Wireshark; bytes are frame lengths on the
// wire. TCP conversations are the TCP analysis's streams (tcp.stream), so a reused 4-tuple is a
// new conversation, as Wireshark counts them.
import { tcpStreamsOf } from '../analysis/tcp-streams.ts';
import { NumberMap, PairMap } from '../analysis/number-map.ts';
import { formatIP, formatIPv4Number } from '../describe/addresses.ts';
import type { Capture } from '../packets.ts';
import { Layer, storeOf, type PacketStore } from '../store/packet-store.ts';

export type ConversationKind = 'ipv4' | 'ipv6' | 'tcp' | 'udp';

export interface ConversationRow {
  addressA: string;
  /** TCP/UDP port; absent for IP conversations. */
  portA?: number;
  addressB: string;
  portB?: number;
  packetsAB: number;
  bytesAB: number;
  packetsBA: number;
  bytesBA: number;
  /** Seconds from the capture's first packet to the conversation's first. */
  start: number;
  /** Seconds from the conversation's first packet to its last. */
  duration: number;
  /** tcp.stream, for TCP conversations. */
  stream?: number;
  /** The index of the conversation's first packet, for UDP conversations (Follow UDP Stream starts from a packet). */
  firstIndex?: number;
  /** The display filter Wireshark's "Apply as Filter → A ↔ B" writes. */
  filter: string;
}

export interface EndpointRow {
  address: string;
  port?: number;
  packets: number;
  bytes: number;
  txPackets: number;
  txBytes: number;
  rxPackets: number;
  rxBytes: number;
  filter: string;
}

/**
 * Endpoints interned as small ids: IPv4 by number, IPv6 by its bytes; with or without a port.
 * IPv4 addresses are formatted when a row is made, once per address.
 */
class Endpoints {
  readonly #v4 = new NumberMap(4096);
  readonly #v6 = new Map<string, number>();
  /** Per id: the IPv4 address as a number, or -1 with the text in #text. */
  readonly #numbers: number[] = [];
  readonly #text: string[] = [];
  readonly #formatted = new Map<number, string>();
  readonly ports: number[] = [];

  get count(): number {
    return this.ports.length;
  }

  of(store: PacketStore, i: number, source: boolean, withPort: boolean): number {
    const c = store.columns;
    const port = withPort ? (source ? c.srcPort[i] : c.dstPort[i]) : 0;
    if ((c.layers[i] & Layer.IPv4) !== 0) {
      const address = source ? c.src4[i] : c.dst4[i];
      const key = address * 65536 + port;
      let id = this.#v4.get(key);
      if (id < 0) {
        id = this.#add(address, '', port);
        this.#v4.set(key, id);
      }
      return id;
    }
    const bytes = store.addressBytes(i)!;
    const address = source ? bytes.src : bytes.dst;
    let key = `${port}/`;
    for (let b = 0; b < address.length; b++) key += String.fromCharCode(address[b]);
    let id = this.#v6.get(key);
    if (id === undefined) {
      id = this.#add(-1, formatIP(address), port);
      this.#v6.set(key, id);
    }
    return id;
  }

  address(id: number): string {
    const number = this.#numbers[id];
    if (number < 0) return this.#text[id];
    let text = this.#formatted.get(number);
    if (text === undefined) {
      text = formatIPv4Number(number);
      this.#formatted.set(number, text);
    }
    return text;
  }

  #add(number: number, text: string, port: number): number {
    this.#numbers.push(number);
    this.#text.push(text);
    this.ports.push(port);
    return this.ports.length - 1;
  }
}

/** Which packets a kind counts: its layer bits. */
const LAYERS: Record<ConversationKind, number> = {
  ipv4: Layer.IPv4,
  ipv6: Layer.IPv6,
  tcp: Layer.Tcp,
  udp: Layer.Udp,
};

const addressField = (address: string): string => (address.includes(':') ? 'ipv6.addr' : 'ip.addr');

function conversationFilter(kind: ConversationKind, a: string, portA: number, b: string, portB: number): string {
  if (kind === 'ipv4' || kind === 'ipv6') return `${addressField(a)}==${a} && ${addressField(b)}==${b}`;
  return `${addressField(a)}==${a} && ${kind}.port==${portA} && ${addressField(b)}==${b} && ${kind}.port==${portB}`;
}

function endpointFilter(kind: ConversationKind, address: string, port: number): string {
  if (kind === 'ipv4' || kind === 'ipv6') return `${addressField(address)}==${address}`;
  return `${addressField(address)}==${address} && ${kind}.port==${port}`;
}

/**
 * Seconds of row i since the first packet. The store keeps seconds and nanoseconds apart;
 * subtracting each before adding keeps the nanoseconds a double would lose next to an epoch.
 */
const timeOf = (store: PacketStore, i: number): number =>
  store.count === 0
    ? 0
    : store.columns.seconds[i] -
      store.columns.seconds[0] +
      (store.columns.nanoseconds[i] - store.columns.nanoseconds[0]) / 1e9;

/**
 * The display filter of one direction of a conversation, as Wireshark's "Apply as Filter → A → B"
 * (or "B → A") writes it: source and destination fields, where "A ↔ B" uses the either-way ones.
 */
export function directionFilter(
  kind: ConversationKind,
  row: Pick<ConversationRow, 'addressA' | 'portA' | 'addressB' | 'portB'>,
  from: 'A' | 'B',
): string {
  const [src, srcPort, dst, dstPort] =
    from === 'A'
      ? [row.addressA, row.portA, row.addressB, row.portB]
      : [row.addressB, row.portB, row.addressA, row.portA];
  const ip = src.includes(':') ? 'ipv6' : 'ip';
  if (kind === 'ipv4' || kind === 'ipv6') return `${ip}.src==${src} && ${ip}.dst==${dst}`;
  return `${ip}.src==${src} && ${kind}.srcport==${srcPort} && ${ip}.dst==${dst} && ${kind}.dstport==${dstPort}`;
}

/** Conversations of one kind, in order of their first packet. */
export function conversations(capture: Capture, kind: ConversationKind): ConversationRow[] {
  const store = storeOf(capture);
  const c = store.columns;
  const wanted = LAYERS[kind];
  // A header quoted inside an ICMP error is not traffic of that conversation.
  const ports = kind === 'tcp' || kind === 'udp';
  const streams = kind === 'tcp' ? tcpStreamsOf(capture).stream : undefined;
  const endpoints = new Endpoints();
  const byPair = new PairMap(4096);
  // Per conversation, in parallel arrays: endpoints A and B, counters, first and last time.
  const sideA: number[] = [];
  const sideB: number[] = [];
  const counts: number[] = []; // 4 per conversation: packetsAB, bytesAB, packetsBA, bytesBA
  const times: number[] = []; // 2 per conversation: first, last
  const streamIds: number[] = [];
  const firstIndexes: number[] = [];
  /** Side A's IPv4 address as a number and its port, to tell directions without interning. */
  const v4OfA: number[] = [];
  const portOfA: number[] = [];
  const startConversation = (i: number): number => {
    const id = sideA.length;
    sideA.push(endpoints.of(store, i, true, ports));
    sideB.push(endpoints.of(store, i, false, ports));
    v4OfA.push((c.layers[i] & Layer.IPv4) !== 0 ? c.src4[i] : -1);
    portOfA.push(ports ? c.srcPort[i] : 0);
    counts.push(0, 0, 0, 0);
    const time = timeOf(store, i);
    times.push(time, time);
    streamIds.push(streams !== undefined ? streams[i] : -1);
    firstIndexes.push(i);
    return id;
  };
  /** For IPv6 TCP packets: is the source side A (interning the source: rare, IPv6 only)? */
  const sameSourceAsA = (i: number, id: number): boolean => endpoints.of(store, i, true, ports) === sideA[id];
  // TCP streams are numbered densely: a conversation per stream, found by array index. IPv4
  // pairs are keyed by their two addresses as numbers. Either way an endpoint is interned (its
  // address formatted) only when a conversation starts, not per packet.
  const byStreamIndex =
    streams !== undefined ? new Int32Array(tcpStreamsOf(capture).streams.count).fill(-1) : undefined;
  const isIPv4 = kind === 'ipv4';
  for (let i = 0; i < store.count; i++) {
    const layers = c.layers[i];
    if ((layers & wanted) === 0 || (ports && (layers & Layer.IcmpQuote) !== 0)) continue;
    if ((layers & (Layer.IPv4 | Layer.IPv6)) === 0) continue;
    let id: number;
    let forward: boolean;
    if (byStreamIndex !== undefined) {
      const stream = streams![i];
      if (stream < 0) continue;
      id = byStreamIndex[stream];
      if (id < 0) {
        id = startConversation(i);
        byStreamIndex[stream] = id;
      }
      forward =
        c.srcPort[i] === portOfA[id] && (c.layers[i] & Layer.IPv4 ? c.src4[i] === v4OfA[id] : sameSourceAsA(i, id));
    } else if (isIPv4) {
      const src = c.src4[i];
      const dst = c.dst4[i];
      id = byPair.get(Math.min(src, dst), Math.max(src, dst));
      if (id < 0) {
        id = startConversation(i);
        byPair.set(Math.min(src, dst), Math.max(src, dst), id);
      }
      forward = src === v4OfA[id];
    } else {
      const src = endpoints.of(store, i, true, ports);
      const dst = endpoints.of(store, i, false, ports);
      id = byPair.get(Math.min(src, dst), Math.max(src, dst));
      if (id < 0) {
        id = startConversation(i);
        byPair.set(Math.min(src, dst), Math.max(src, dst), id);
      }
      forward = src === sideA[id];
    }
    const offset = forward ? 0 : 2;
    counts[id * 4 + offset]++;
    counts[id * 4 + offset + 1] += c.originalLength[i];
    times[id * 2 + 1] = timeOf(store, i);
  }
  const rows: ConversationRow[] = new Array(sideA.length);
  for (let id = 0; id < sideA.length; id++) {
    const a = endpoints.address(sideA[id]);
    const b = endpoints.address(sideB[id]);
    const portA = endpoints.ports[sideA[id]];
    const portB = endpoints.ports[sideB[id]];
    const row: ConversationRow = {
      addressA: a,
      addressB: b,
      packetsAB: counts[id * 4],
      bytesAB: counts[id * 4 + 1],
      packetsBA: counts[id * 4 + 2],
      bytesBA: counts[id * 4 + 3],
      start: times[id * 2],
      duration: times[id * 2 + 1] - times[id * 2],
      filter: conversationFilter(kind, a, portA, b, portB),
    };
    if (ports) {
      row.portA = portA;
      row.portB = portB;
    }
    if (streamIds[id] >= 0) row.stream = streamIds[id];
    if (kind === 'udp') row.firstIndex = firstIndexes[id];
    rows[id] = row;
  }
  return rows;
}

/** Endpoints of one kind, in order of first appearance. */
export function endpoints(capture: Capture, kind: ConversationKind): EndpointRow[] {
  const store = storeOf(capture);
  const c = store.columns;
  const wanted = LAYERS[kind];
  const ports = kind === 'tcp' || kind === 'udp';
  const table = new Endpoints();
  const counts: number[] = []; // 4 per endpoint: txPackets, txBytes, rxPackets, rxBytes
  for (let i = 0; i < store.count; i++) {
    const layers = c.layers[i];
    if ((layers & wanted) === 0 || (ports && (layers & Layer.IcmpQuote) !== 0)) continue;
    if ((layers & (Layer.IPv4 | Layer.IPv6)) === 0) continue;
    const src = table.of(store, i, true, ports);
    const dst = table.of(store, i, false, ports);
    while (counts.length < table.count * 4) counts.push(0);
    counts[src * 4]++;
    counts[src * 4 + 1] += c.originalLength[i];
    counts[dst * 4 + 2]++;
    counts[dst * 4 + 3] += c.originalLength[i];
  }
  const rows: EndpointRow[] = new Array(table.count);
  for (let id = 0; id < table.count; id++) {
    const address = table.address(id);
    const row: EndpointRow = {
      address,
      packets: counts[id * 4] + counts[id * 4 + 2],
      bytes: counts[id * 4 + 1] + counts[id * 4 + 3],
      txPackets: counts[id * 4],
      txBytes: counts[id * 4 + 1],
      rxPackets: counts[id * 4 + 2],
      rxBytes: counts[id * 4 + 3],
      filter: endpointFilter(kind, address, table.ports[id]),
    };
    if (ports) row.port = table.ports[id];
    rows[id] = row;
  }
  return rows;
}
