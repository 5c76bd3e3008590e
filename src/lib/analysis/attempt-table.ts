// Connection attempts as columns: one entry per attempt and one row per packet of an attempt,
// numbers in typed arrays the way the packet store holds packets. Nothing here is an object per
// attempt or per packet, and nothing is a word: `attemptAt(i)` builds the plain `Attempt` a
// view (or the classifier) asks for, from these numbers and the packet store, and forgets it.
import { formatIP, formatIPv4Number } from '../describe/addresses.ts';
import { Layer, type PacketStore } from '../store/packet-store.ts';
import { ROLES, SENDERS, type Role, type Sender } from './vocabulary.ts';
import type { Attempt, AttemptPacket } from './types.ts';

/** How many IPv4 address texts an attempt table keeps (#addressText): 2^ADDRESS_SLOT_BITS. */
const ADDRESS_SLOT_BITS = 10;
const ADDRESS_SLOTS = 1 << ADDRESS_SLOT_BITS;

/** Bits of `AttemptTable.state`. */
export const AttemptState = {
  /** Opened by the answer (SYN/ACK) rather than a SYN: its first packet's addresses are the other way round. */
  OpenedByAnswer: 1 << 0,
  /** No SYN of it in the capture (yet). */
  SynMissing: 1 << 1,
  SawSynAck: 1 << 2,
  /** The handshake completed: the client's ACK, or the server's proof of it. */
  SawClientAck: 1 << 3,
  HasServerIsn: 1 << 4,
} as const;

export const roleCode = (role: Role): number => ROLES.indexOf(role);
export const senderCode = (sender: Sender): number => SENDERS.indexOf(sender);

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

export class AttemptTable {
  /** Attempts. */
  count = 0;
  /** Packet rows, over all attempts. */
  rows = 0;

  // Per attempt.
  /** Packet index that opened it: start time, tcp.stream, addresses. */
  firstPacket: Uint32Array;
  state: Uint8Array;
  clientPort: Uint16Array;
  serverPort: Uint16Array;
  isn: Uint32Array;
  serverIsn: Uint32Array;
  stream: Int32Array;
  /** SYNs (first and retransmissions) it holds. */
  synCount: Uint32Array;
  /** Packet index of its latest SYN (valid when synCount > 0). */
  lastSyn: Uint32Array;
  /** How many earlier attempts had the same 4-tuple and ISN (a capture repeated, an ISN reused): 0 for most. */
  repeat: Uint32Array;
  /** First and last packet row, linked through `rowNext`; -1 when none. */
  head: Int32Array;
  tail: Int32Array;

  // Per packet row.
  rowPacket: Uint32Array;
  rowNext: Int32Array;
  rowRole: Uint8Array;
  rowFrom: Uint8Array;

  /**
   * The texts of IPv4 addresses formatted lately, one per slot, the slot picked by hashing the
   * address: a capture's few hosts are formatted once, while a flood's or a scan's one-off
   * sources replace each other instead of piling up (a text kept for every address was 19 MiB of
   * the 400k flood's `--jsonl`).
   */
  readonly #addressInSlot = new Uint32Array(ADDRESS_SLOTS);
  readonly #addressText: string[] = new Array<string>(ADDRESS_SLOTS).fill('');

  /** `attempts`, `rows`: how many the columns have room for at first (they grow as needed). */
  constructor(
    readonly store: PacketStore,
    attempts = 64,
    rows = 256,
  ) {
    const n = Math.max(16, attempts);
    this.firstPacket = new Uint32Array(n);
    this.state = new Uint8Array(n);
    this.clientPort = new Uint16Array(n);
    this.serverPort = new Uint16Array(n);
    this.isn = new Uint32Array(n);
    this.serverIsn = new Uint32Array(n);
    this.stream = new Int32Array(n);
    this.synCount = new Uint32Array(n);
    this.lastSyn = new Uint32Array(n);
    this.repeat = new Uint32Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    const r = Math.max(16, rows);
    this.rowPacket = new Uint32Array(r);
    this.rowNext = new Int32Array(r);
    this.rowRole = new Uint8Array(r);
    this.rowFrom = new Uint8Array(r);
  }

  /** A new attempt; returns its number. */
  open(packet: number, isn: number, clientPort: number, serverPort: number, stream: number, byAnswer: boolean): number {
    const i = this.count++;
    if (i === this.firstPacket.length) this.#growAttempts();
    this.firstPacket[i] = packet;
    this.state[i] = byAnswer ? AttemptState.OpenedByAnswer | AttemptState.SynMissing : 0;
    this.clientPort[i] = clientPort;
    this.serverPort[i] = serverPort;
    this.isn[i] = isn;
    this.stream[i] = stream;
    this.head[i] = -1;
    this.tail[i] = -1;
    return i;
  }

  /** Appends packet `packet` to attempt `attempt`, in capture order. */
  add(attempt: number, packet: number, from: Sender, role: Role): void {
    const r = this.rows++;
    if (r === this.rowPacket.length) this.#growRows();
    this.rowPacket[r] = packet;
    this.rowNext[r] = -1;
    this.rowRole[r] = roleCode(role);
    this.rowFrom[r] = senderCode(from);
    if (this.tail[attempt] < 0) this.head[attempt] = r;
    else this.rowNext[this.tail[attempt]] = r;
    this.tail[attempt] = r;
    if (role === 'syn' || role === 'syn-retransmission') {
      this.synCount[attempt]++;
      this.lastSyn[attempt] = packet;
    }
  }

  has(attempt: number, bit: number): boolean {
    return (this.state[attempt] & bit) !== 0;
  }

  /** Seconds since 1970 of the attempt's first packet. */
  startTime(attempt: number): number {
    return this.store.epochOf(this.firstPacket[attempt]);
  }

  /** The attempt as plain data, built from the columns (the packets' fields from the packet store). */
  attemptAt(i: number): Attempt {
    const store = this.store;
    const c = store.columns;
    const first = this.firstPacket[i];
    const client = this.clientAddress(i);
    const server = this.serverAddress(i);
    const clientPort = this.clientPort[i];
    const serverPort = this.serverPort[i];
    const isn = this.isn[i];
    const startSeconds = c.seconds[first];
    const startNanoseconds = c.nanoseconds[first];
    const packets: AttemptPacket[] = [];
    const vlans: number[] = [];
    for (let r = this.head[i]; r >= 0; r = this.rowNext[r]) {
      const index = this.rowPacket[r];
      const layers = c.layers[index];
      const role = ROLES[this.rowRole[r]];
      const vlan = layers & Layer.Vlan ? c.vlanId[index] : undefined;
      if (vlan !== undefined && !vlans.includes(vlan)) vlans.push(vlan);
      const packet: AttemptPacket = {
        index,
        frame: c.number[index],
        t: c.seconds[index] - startSeconds + (c.nanoseconds[index] - startNanoseconds) / 1e9,
        from: SENDERS[this.rowFrom[r]],
        flags: role === 'icmp' ? 0 : c.tcpFlags[index],
        role,
        seq: c.seq[index],
        ack: c.ack[index],
        ipId: layers & Layer.IPv4 ? c.ipId[index] : undefined,
        ttl: c.ttl[index],
        vlan,
        length: role === 'icmp' ? 0 : c.payloadLength[index],
      };
      if (role === 'icmp') {
        // The quoted header is decoded again from the bytes: one ICMP error in thousands of packets.
        const d = store.dissectionOf(index);
        packet.seq = d.icmp?.quoted?.tcp?.seq ?? NaN;
        packet.ack = NaN;
        packet.icmpType = c.icmpType[index];
        packet.icmpCode = c.icmpCode[index];
        packet.icmpVersion = layers & Layer.IPv4 ? 4 : 6;
        packet.routerAddress = d.ip ? formatIP(d.ip.src) : '';
      }
      packets.push(packet);
    }
    const repeat = this.repeat[i];
    const attempt: Attempt = {
      id: `${client}:${clientPort}>${server}:${serverPort}#${isn}${repeat > 0 ? `~${repeat + 1}` : ''}`,
      client,
      clientPort,
      server,
      serverPort,
      ipVersion: c.layers[first] & Layer.IPv4 ? 4 : 6,
      isn,
      stream: this.stream[i],
      synMissing: this.has(i, AttemptState.SynMissing),
      startTime: startSeconds + startNanoseconds / 1e9,
      packets,
      vlans,
    };
    if (this.has(i, AttemptState.HasServerIsn)) attempt.serverIsn = this.serverIsn[i];
    return attempt;
  }

  clientAddress(i: number): string {
    return this.#address(this.firstPacket[i], !this.has(i, AttemptState.OpenedByAnswer));
  }

  serverAddress(i: number): string {
    return this.#address(this.firstPacket[i], this.has(i, AttemptState.OpenedByAnswer));
  }

  /** Frame number of attempt i's first packet row (its `frames[0]`), 0 when it has none. */
  firstFrameOf(i: number): number {
    const r = this.head[i];
    return r < 0 ? 0 : this.store.columns.number[this.rowPacket[r]];
  }

  /** Frame numbers of attempt i's packets, in capture order. */
  framesOf(i: number): number[] {
    const frames: number[] = [];
    for (let r = this.head[i]; r >= 0; r = this.rowNext[r]) frames.push(this.store.columns.number[this.rowPacket[r]]);
    return frames;
  }

  /** The lowest and the highest frame number of attempt i's packets (a merged capture may hold them out of order). */
  lowestFrame(i: number): number {
    const number = this.store.columns.number;
    let lowest = Infinity;
    for (let r = this.head[i]; r >= 0; r = this.rowNext[r]) lowest = Math.min(lowest, number[this.rowPacket[r]]);
    return lowest;
  }

  highestFrame(i: number): number {
    const number = this.store.columns.number;
    let highest = 0;
    for (let r = this.head[i]; r >= 0; r = this.rowNext[r]) highest = Math.max(highest, number[this.rowPacket[r]]);
    return highest;
  }

  /** The packet's source (or destination) address as text; see #addressText. */
  #address(packet: number, source: boolean): string {
    const c = this.store.columns;
    if (c.layers[packet] & Layer.IPv4) {
      const key = source ? c.src4[packet] : c.dst4[packet];
      // Fibonacci hashing: the top bits of the address times 2^32 / φ
      const slot = Math.imul(key, 0x9e3779b1) >>> (32 - ADDRESS_SLOT_BITS);
      // an empty slot's text is '', which no address formats to
      if (this.#addressInSlot[slot] === key && this.#addressText[slot] !== '') return this.#addressText[slot];
      const text = formatIPv4Number(key);
      this.#addressInSlot[slot] = key;
      this.#addressText[slot] = text;
      return text;
    }
    const ip = this.store.addressBytes(packet)!;
    return formatIP(source ? ip.src : ip.dst);
  }

  #growAttempts(): void {
    const n = this.firstPacket.length * 2;
    this.firstPacket = grow(this.firstPacket, n);
    this.state = grow(this.state, n);
    this.clientPort = grow(this.clientPort, n);
    this.serverPort = grow(this.serverPort, n);
    this.isn = grow(this.isn, n);
    this.serverIsn = grow(this.serverIsn, n);
    this.stream = grow(this.stream, n);
    this.synCount = grow(this.synCount, n);
    this.lastSyn = grow(this.lastSyn, n);
    this.repeat = grow(this.repeat, n);
    this.head = grow(this.head, n);
    this.tail = grow(this.tail, n);
  }

  #growRows(): void {
    const n = this.rowPacket.length * 2;
    this.rowPacket = grow(this.rowPacket, n);
    this.rowNext = grow(this.rowNext, n);
    this.rowRole = grow(this.rowRole, n);
    this.rowFrom = grow(this.rowFrom, n);
  }
}
