// The decoded capture as columns: one typed array per field the hot paths read (filters, TCP
// analysis, verdicts), one entry per packet, and every frame's bytes kept once. Nothing is an
// object per packet except the thin `StoredPacket` handle, so a 100 MB capture costs about the
// file plus a hundred bytes a packet, not several kilobytes of layer objects.
//
// Everything else (layer details, options, quoted ICMP headers) is decoded again from the bytes
// when asked for: `dissectionOf(i)` runs the same `decodeFrame` that filled the columns.
import type { CaptureInfo, CapturedFrame, Direction, PktmonPacket } from '../capture/types.ts';
import { decodeFrame } from '../decode/index.ts';
import type { ChecksumStatus, Dissection } from '../decode/types.ts';
import type { Capture, Packet } from '../packets.ts';

/** Bits of `layers`: which headers a packet carries (the packet's own, never a quoted one). */
export const Layer = {
  Ethernet: 1 << 0,
  Vlan: 1 << 1,
  Sll: 1 << 2,
  Loopback: 1 << 3,
  Arp: 1 << 4,
  IPv4: 1 << 5,
  IPv6: 1 << 6,
  Tcp: 1 << 7,
  Udp: 1 << 8,
  Icmp: 1 << 9,
  /** The ICMP message quotes a datagram (an error), whose headers count as extra occurrences. */
  IcmpQuote: 1 << 10,
  /** IPv4 More Fragments, or an IPv6 Fragment header with M set. */
  MoreFragments: 1 << 11,
  /** Decoding stopped early (truncated, malformed, or a link type we do not decode). */
  Problem: 1 << 12,
} as const;

/** Checksum states in two bits: the IP header's in bits 0–1, TCP/UDP/ICMP's in bits 2–3. */
const CHECKSUM_CODES: Record<ChecksumStatus, number> = { good: 0, bad: 1, unverified: 2, partial: 3 };
const CHECKSUM_NAMES: readonly ChecksumStatus[] = ['good', 'bad', 'unverified', 'partial'];

const DIRECTION_CODES = { sent: 1, received: 2 } as const;
const DIRECTION_NAMES: readonly (Direction | undefined)[] = [undefined, 'sent', 'received'];

/**
 * Bytes of frame data per block: blocks start small (a tiny capture should not cost a
 * megabyte) and double up to this; large frames get a block of their own.
 */
const BLOCK_BYTES = 1 << 20;
const FIRST_BLOCK_BYTES = 1 << 16;
/** The bytes of a row that keeps none: one empty array shared by all of them. */
const NO_BYTES = new Uint8Array(0);

type Columns = ReturnType<typeof allocateColumns>;

function allocateColumns(n: number) {
  return {
    // The frame, as the reader gave it.
    number: new Uint32Array(n),
    seconds: new Float64Array(n),
    nanoseconds: new Uint32Array(n),
    capturedLength: new Uint32Array(n),
    originalLength: new Uint32Array(n),
    linkType: new Uint32Array(n),
    interfaceId: new Uint32Array(n),
    direction: new Uint8Array(n),
    /** Where the frame's bytes are: a block index and an offset into it. */
    block: new Uint32Array(n),
    byteOffset: new Uint32Array(n),
    // What decoding found.
    layers: new Uint16Array(n),
    /** Offset of the IP header in the frame (addresses are read from the bytes). */
    ipOffset: new Uint32Array(n),
    /** IPv4 addresses as numbers (0 for IPv6 and non-IP packets). */
    src4: new Uint32Array(n),
    dst4: new Uint32Array(n),
    ipId: new Uint16Array(n),
    /** IPv4 TTL or IPv6 hop limit. */
    ttl: new Uint8Array(n),
    checksums: new Uint8Array(n),
    /** The first VLAN tag's id (when Layer.Vlan). */
    vlanId: new Uint16Array(n),
    /** TCP or UDP ports. */
    srcPort: new Uint16Array(n),
    dstPort: new Uint16Array(n),
    seq: new Uint32Array(n),
    ack: new Uint32Array(n),
    tcpFlags: new Uint16Array(n),
    window: new Uint16Array(n),
    /** The window scale option's shift on a SYN; -1 without the option. */
    windowScaleOption: new Int16Array(n),
    /** Offset of the TCP/UDP payload in the frame, and its length (tcp.len / UDP payload). */
    payloadOffset: new Uint32Array(n),
    payloadLength: new Uint32Array(n),
    icmpType: new Uint8Array(n),
    icmpCode: new Uint8Array(n),
  };
}

function resizeColumns(columns: Columns, n: number, count: number): Columns {
  const next = allocateColumns(n);
  for (const key of Object.keys(columns) as (keyof Columns)[]) {
    (next[key] as Uint32Array).set((columns[key] as Uint32Array).subarray(0, count));
  }
  return next;
}

/** An IPv4 address column's number as its four bytes. */
const u32Bytes = (n: number): Uint8Array => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

export class PacketStore {
  count = 0;
  /** Rows forgotten before row 0 (`forgetRows`): row i is the capture's packet forgottenRows + i. */
  forgottenRows = 0;
  columns: Columns;
  /** The blocks holding frame bytes. */
  private readonly blocks: Uint8Array[] = [];
  /** Bytes used in the last block (the one new frames are copied into). */
  private blockUsed = 0;
  /** False while the last block is adopted bytes, which are never written to. */
  private lastBlockOurs = false;
  private readonly comments = new Map<number, string[]>();
  /** pktmon's record of a packet (its appearances and drops), for packets from pktmon traces. */
  private readonly pktmon = new Map<number, PktmonPacket>();
  /** FCS bytes per interface id, as the frames were decoded with. */
  private fcsLengths: number[] = [];
  /** Whether the FCS lengths may still change (see setFcsLengths); true until the format is known. */
  private fcsMayChange = true;
  /** One decoded packet: consecutive questions about the same packet decode it once. */
  private cachedIndex = -1;
  private cachedDissection: Dissection | undefined;
  private cachedData: Uint8Array | undefined;
  /**
   * For a store built from packet objects (`storeOf` on a hand-made capture): their own
   * dissections, which may say more than their bytes (tests build layers without bytes).
   */
  private given: Dissection[] | undefined;

  /** Rows the columns never need to grow past (the most packets the input can hold). */
  private readonly maxPackets: number;
  /** The most rows the columns ever had room for (what their memory peaked at). */
  largestCapacity = 0;

  /**
   * False: a TCP or UDP packet's bytes are kept only up to its payload, and over IPv4 not at all
   * (see `keptLength`): what reads the columns, the addresses and the checksums' verdicts is
   * unchanged. A packet's bytes, and a decode made again from them, end where its payload began;
   * a packet without bytes cannot be decoded again (`dissectionOf` throws).
   */
  readonly payloads: boolean;

  constructor(expectedPackets = 1024, maxPackets = Infinity, payloads = true) {
    this.maxPackets = maxPackets;
    this.payloads = payloads;
    this.columns = allocateColumns(Math.max(16, Math.min(expectedPackets, maxPackets)));
    this.largestCapacity = this.columns.number.length;
  }

  /**
   * Makes room for `rows` rows (never fewer than it holds, never more than it can ever need):
   * a reader that learns early how large the packets are sizes the columns once, rather than
   * growing them by halves, each step a copy with both sizes alive at once.
   */
  reserve(rows: number): void {
    const capacity = Math.min(Math.max(16, this.count, Math.ceil(rows)), this.maxPackets);
    if (capacity === this.columns.number.length) return;
    this.columns = resizeColumns(this.columns, capacity, this.count);
    this.largestCapacity = Math.max(this.largestCapacity, capacity);
  }

  /**
   * Keeps bytes the store may point into without copying them (a whole file read into memory
   * by `loadCaptureBytes`): frames that are views of `bytes` are then stored in place.
   */
  adopt(bytes: Uint8Array): number {
    this.blocks.push(bytes);
    // New copies must not go into a block that is not ours to write.
    this.blockUsed = bytes.length;
    this.lastBlockOurs = false;
    return this.blocks.length - 1;
  }

  setFcsLengths(info: CaptureInfo | undefined): void {
    this.fcsLengths = fcsLengthsOf(info);
    // NetMon states a link's FCS trailer at the end of the file, and `finish` then decodes its
    // frames again: a store without payloads keeps them whole
    if (info) this.fcsMayChange = info.format === 'netmon';
  }

  /**
   * Adds a frame: stores its bytes (in place when they lie in `adoptedBlock`, else copied),
   * decodes it into the columns, and returns its index. The dissection stays cached, so asking
   * about the packet just added costs nothing.
   */
  add(frame: CapturedFrame, adoptedBlock = -1, dissection?: Dissection): number {
    const i = this.count;
    if (i === this.columns.number.length) {
      const grown = Math.ceil(i * 1.5);
      this.columns = resizeColumns(this.columns, i < this.maxPackets ? Math.min(grown, this.maxPackets) : grown, i);
      this.largestCapacity = Math.max(this.largestCapacity, this.columns.number.length);
    }
    const c = this.columns;
    const data = frame.data;
    let stored: Uint8Array;
    let copyHeaders = false;
    if (adoptedBlock >= 0 && data.buffer === this.blocks[adoptedBlock].buffer) {
      c.block[i] = adoptedBlock;
      c.byteOffset[i] = data.byteOffset - this.blocks[adoptedBlock].byteOffset;
      stored = data;
    } else if (this.payloads) {
      stored = this.copy(data, i);
    } else {
      // decoded whole (checksums included), then copied without its payload, below
      stored = data;
      copyHeaders = true;
    }
    c.number[i] = frame.number;
    c.seconds[i] = frame.seconds;
    c.nanoseconds[i] = frame.nanoseconds;
    c.capturedLength[i] = data.length;
    c.originalLength[i] = frame.originalLength;
    c.linkType[i] = frame.linkType;
    c.interfaceId[i] = frame.interfaceId;
    c.direction[i] = frame.direction ? DIRECTION_CODES[frame.direction] : 0;
    if (frame.comments && frame.comments.length > 0) this.comments.set(i, frame.comments);
    else this.comments.delete(i);
    if (frame.pktmon) this.pktmon.set(i, frame.pktmon);
    else this.pktmon.delete(i);
    this.count = i + 1;
    // the reader's frame is decoded as it is when it says what the columns say (no copy of it)
    const asRead = frame.data === stored && frame.capturedLength === stored.length;
    const d =
      dissection ?? decodeFrame(asRead ? frame : this.frameAt(i, stored), this.fcsLengths[frame.interfaceId] ?? 0);
    if (dissection) (this.given ??= [])[i] = dissection;
    this.record(i, d, stored);
    if (copyHeaders) {
      const kept = this.keptLength(i);
      stored = kept === 0 && this.blocks.length > 0 ? this.keepNothing(i) : this.copy(data.subarray(0, kept), i);
    }
    this.cachedIndex = i;
    this.cachedDissection = d;
    this.cachedData = stored;
    return i;
  }

  /**
   * Forgets every row, so a capture can be read through a window of rows (`porttrace packets`
   * writes each window's lines, then forgets it): the next frame added is row 0 again, and
   * `forgottenRows` counts the rows before it. The columns keep their size for the next window;
   * the frames' bytes are let go.
   */
  forgetRows(): void {
    if (this.given) throw new Error('a store built from packet objects keeps every row');
    this.forgottenRows += this.count;
    this.count = 0;
    this.blocks.length = 0;
    this.blockUsed = 0;
    this.lastBlockOurs = false;
    this.comments.clear();
    this.pktmon.clear();
    this.cachedIndex = -1;
    this.cachedDissection = undefined;
    this.cachedData = undefined;
  }

  /** Forgets the packet just added (a large capture keeps only some packets). */
  dropLast(): void {
    const i = this.count - 1;
    if (i < 0) return;
    const c = this.columns;
    const last = this.blocks.length - 1;
    if (this.lastBlockOurs && c.block[i] === last && c.byteOffset[i] + c.capturedLength[i] === this.blockUsed)
      this.blockUsed = c.byteOffset[i];
    this.comments.delete(i);
    this.pktmon.delete(i);
    this.count = i;
    if (this.cachedIndex === i) this.cachedIndex = -1;
  }

  /**
   * Called once at the end: the final interface list may state an FCS that frames read before
   * it were decoded without (NetMon's trailer), and much spare capacity is given back.
   */
  finish(info: CaptureInfo | undefined): void {
    const lengths = fcsLengthsOf(info);
    const before = this.fcsLengths;
    this.fcsLengths = lengths;
    if (!this.given && lengths.some((n, id) => n !== (before[id] ?? 0))) {
      // The kept dissection was decoded with the old lengths.
      this.cachedIndex = -1;
      for (let i = 0; i < this.count; i++) {
        const id = this.columns.interfaceId[i];
        if ((lengths[id] ?? 0) !== (before[id] ?? 0)) this.record(i, this.dissectionOf(i), this.bytesOf(i));
      }
    }
    // Giving back a little spare capacity is not worth a second copy of every column at once
    // (that copy would be the load's peak memory); a lot of it is.
    const capacity = this.columns.number.length;
    if (capacity - this.count > capacity / 4) this.columns = resizeColumns(this.columns, this.count, this.count);
  }

  /**
   * How many of row i's bytes the store holds: all of them, or in a store without payloads, a
   * TCP or UDP packet's up to its payload, and none over IPv4, whose addresses are columns too
   * (a flood's 400,000 SYN headers were 23 MB). Frames whose decode had a problem, ICMP errors
   * (their quote is read again) and frames whose link may still gain an FCS trailer (NetMon
   * states it at the end) are kept whole.
   */
  keptLength(i: number): number {
    const c = this.columns;
    const whole = c.capturedLength[i];
    if (this.payloads || this.fcsMayChange) return whole;
    const layers = c.layers[i];
    if (!(layers & (Layer.Tcp | Layer.Udp)) || layers & (Layer.Problem | Layer.IcmpQuote)) return whole;
    if (layers & Layer.IPv4) return 0;
    const offset = c.payloadOffset[i];
    return offset > 0 && offset < whole ? offset : whole;
  }

  /** The frame's bytes (a view; do not modify). */
  bytesOf(i: number): Uint8Array {
    if (i === this.cachedIndex && this.cachedData) return this.cachedData;
    const c = this.columns;
    const block = this.blocks[c.block[i]];
    return block.subarray(c.byteOffset[i], c.byteOffset[i] + this.keptLength(i));
  }

  /** All layers of packet i, decoded from its bytes (the last one asked for is kept). */
  dissectionOf(i: number): Dissection {
    if (this.given) return this.given[i];
    if (i === this.cachedIndex && this.cachedDissection) return this.cachedDissection;
    const data = this.bytesOf(i);
    // Decoding nothing would describe a different packet without a word: say what went wrong.
    if (data.length === 0 && this.columns.capturedLength[i] > 0)
      throw new Error(`packet ${this.columns.number[i]}: its bytes were not kept (a store without payloads)`);
    const d = decodeFrame(this.frameAt(i, data), this.fcsLengths[this.columns.interfaceId[i]] ?? 0);
    this.cachedIndex = i;
    this.cachedDissection = d;
    this.cachedData = data;
    return d;
  }

  /** Block k of frame bytes (packets point into blocks with `columns.block` and `byteOffset`). */
  block(k: number): Uint8Array {
    return this.blocks[k];
  }

  /**
   * True when the store was built from packet objects whose own dissections it keeps (a capture
   * assembled by hand): their layers need not match their bytes, so read the dissections.
   */
  get dissectionsGiven(): boolean {
    return this.given !== undefined;
  }

  commentsOf(i: number): string[] | undefined {
    return this.comments.get(i);
  }

  pktmonOf(i: number): PktmonPacket | undefined {
    return this.pktmon.get(i);
  }

  /** True when some packet came from a pktmon trace (the pktmon fields can only match then). */
  get hasPktmon(): boolean {
    return this.pktmon.size > 0;
  }

  directionOf(i: number): Direction | undefined {
    return DIRECTION_NAMES[this.columns.direction[i]];
  }

  ipChecksum(i: number): ChecksumStatus {
    return CHECKSUM_NAMES[this.columns.checksums[i] & 3];
  }

  /** Some checksum of the packet is 'bad' or 'partial' (both codes have their low bit set). */
  hasWrongChecksum(i: number): boolean {
    return (this.columns.checksums[i] & 0b0101) !== 0;
  }

  /** The TCP, UDP or ICMP checksum's state. */
  transportChecksum(i: number): ChecksumStatus {
    return CHECKSUM_NAMES[(this.columns.checksums[i] >> 2) & 3];
  }

  /** The packet's source and destination address bytes (views), when it has an IP header. */
  addressBytes(i: number): { src: Uint8Array; dst: Uint8Array } | undefined {
    const layers = this.columns.layers[i];
    if (!(layers & (Layer.IPv4 | Layer.IPv6))) return undefined;
    if (this.given) return this.given[i].ip;
    // IPv4 from the columns (a store without payloads keeps no bytes of an IPv4 TCP packet),
    // IPv6 from the header's bytes
    const c = this.columns;
    if (layers & Layer.IPv4) return { src: u32Bytes(c.src4[i]), dst: u32Bytes(c.dst4[i]) };
    const bytes = this.bytesOf(i);
    const at = c.ipOffset[i];
    return { src: bytes.subarray(at + 8, at + 24), dst: bytes.subarray(at + 24, at + 40) };
  }

  /** Seconds since 1970 as a double (for display and spans, not for exact differences). */
  epochOf(i: number): number {
    return this.columns.seconds[i] + this.columns.nanoseconds[i] / 1e9;
  }

  /** A handle on row i. */
  packet(i: number): Packet {
    return new StoredPacket(this, i);
  }

  /** The thin packet handles the rest of the engine iterates over. */
  packets(): Packet[] {
    const out: Packet[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = new StoredPacket(this, i);
    return out;
  }

  /** Approximate bytes held: the columns and the frame blocks. */
  get byteSize(): number {
    let total = 0;
    for (const column of Object.values(this.columns)) total += column.byteLength;
    for (const block of this.blocks) total += block.byteLength;
    return total;
  }

  private frameAt(i: number, data: Uint8Array): CapturedFrame {
    const c = this.columns;
    return {
      number: c.number[i],
      seconds: c.seconds[i],
      nanoseconds: c.nanoseconds[i],
      capturedLength: c.capturedLength[i],
      originalLength: c.originalLength[i],
      linkType: c.linkType[i],
      interfaceId: c.interfaceId[i],
      data,
    };
  }

  private copy(data: Uint8Array, i: number): Uint8Array {
    const length = data.length;
    let blockIndex = this.blocks.length - 1;
    if (length > BLOCK_BYTES >> 2) {
      // A big frame gets a block of its own.
      this.blocks.push(data.slice());
      this.blockUsed = length;
      this.lastBlockOurs = false;
      blockIndex = this.blocks.length - 1;
      this.columns.block[i] = blockIndex;
      this.columns.byteOffset[i] = 0;
      return this.blocks[blockIndex];
    }
    if (blockIndex < 0 || !this.lastBlockOurs || this.blockUsed + length > this.blocks[blockIndex].length) {
      const previous = this.lastBlockOurs ? this.blocks[blockIndex].length : FIRST_BLOCK_BYTES >> 1;
      this.blocks.push(new Uint8Array(Math.min(BLOCK_BYTES, Math.max(previous * 2, length))));
      this.blockUsed = 0;
      this.lastBlockOurs = true;
      blockIndex = this.blocks.length - 1;
    }
    const block = this.blocks[blockIndex];
    const start = this.blockUsed;
    block.set(data, start);
    this.blockUsed = start + length;
    this.columns.block[i] = blockIndex;
    this.columns.byteOffset[i] = start;
    return block.subarray(start, start + length);
  }

  /**
   * Row i keeps no bytes (an IPv4 TCP or UDP packet in a store without payloads): it points into
   * the last block with length 0 (at its end when the block is the store's own), without a copy
   * of nothing and its two views.
   */
  private keepNothing(i: number): Uint8Array {
    this.columns.block[i] = this.blocks.length - 1;
    this.columns.byteOffset[i] = this.lastBlockOurs ? this.blockUsed : 0;
    return NO_BYTES;
  }

  /** Writes what the hot paths need from one dissection into row i. */
  private record(i: number, d: Dissection, bytes: Uint8Array): void {
    const c = this.columns;
    let layers = 0;
    if (d.eth) layers |= Layer.Ethernet;
    if (d.vlan && d.vlan.length > 0) {
      layers |= Layer.Vlan;
      c.vlanId[i] = d.vlan[0].id;
    }
    if (d.sll) layers |= Layer.Sll;
    if (d.loopback) layers |= Layer.Loopback;
    if (d.arp) layers |= Layer.Arp;
    if (d.problem !== undefined) layers |= Layer.Problem;
    let checksums = 0;
    const ip = d.ip;
    if (ip) {
      c.ipOffset[i] = ip.offset;
      if (ip.version === 4) {
        layers |= Layer.IPv4;
        // Read from the frame (the layer's src/dst make a view on each access), unless the
        // layers were given without bytes (a capture built by hand).
        const frame = ip.offset + 20 <= bytes.length;
        const src = frame ? bytes : ip.src;
        const dst = frame ? bytes : ip.dst;
        const s = frame ? ip.offset + 12 : 0;
        const t = frame ? ip.offset + 16 : 0;
        c.src4[i] = ((src[s] << 24) | (src[s + 1] << 16) | (src[s + 2] << 8) | src[s + 3]) >>> 0;
        c.dst4[i] = ((dst[t] << 24) | (dst[t + 1] << 16) | (dst[t + 2] << 8) | dst[t + 3]) >>> 0;
        c.ipId[i] = ip.id;
        c.ttl[i] = ip.ttl;
        checksums = CHECKSUM_CODES[ip.checksumStatus];
      } else {
        layers |= Layer.IPv6;
        c.src4[i] = 0;
        c.dst4[i] = 0;
        c.ipId[i] = 0;
        c.ttl[i] = ip.hopLimit;
        checksums = CHECKSUM_CODES.unverified;
      }
      if (ip.moreFragments) layers |= Layer.MoreFragments;
    }
    const tcp = d.tcp;
    const udp = d.udp;
    const icmp = d.icmp;
    if (tcp) {
      layers |= Layer.Tcp;
      c.srcPort[i] = tcp.srcPort;
      c.dstPort[i] = tcp.dstPort;
      c.seq[i] = tcp.seq;
      c.ack[i] = tcp.ack;
      c.tcpFlags[i] = tcp.flags;
      c.window[i] = tcp.window;
      c.windowScaleOption[i] = tcp.options.windowScale ?? -1;
      c.payloadOffset[i] = tcp.payloadOffset;
      c.payloadLength[i] = tcp.payloadLength;
      checksums |= CHECKSUM_CODES[tcp.checksumStatus] << 2;
    } else if (udp) {
      layers |= Layer.Udp;
      c.srcPort[i] = udp.srcPort;
      c.dstPort[i] = udp.dstPort;
      c.payloadOffset[i] = udp.payloadOffset;
      c.payloadLength[i] = udp.payloadEnd - udp.payloadOffset;
      checksums |= CHECKSUM_CODES[udp.checksumStatus] << 2;
    } else if (icmp) {
      layers |= Layer.Icmp;
      if (icmp.quoted) layers |= Layer.IcmpQuote;
      c.icmpType[i] = icmp.type;
      c.icmpCode[i] = icmp.code;
      checksums |= CHECKSUM_CODES[icmp.checksumStatus] << 2;
    } else {
      checksums |= CHECKSUM_CODES.unverified << 2;
    }
    c.layers[i] = layers;
    c.checksums[i] = checksums;
  }
}

function fcsLengthsOf(info: CaptureInfo | undefined): number[] {
  const lengths: number[] = [];
  if (info) for (const iface of info.interfaces) lengths[iface.id] = iface.fcsLength;
  return lengths;
}

/**
 * A packet as the rest of the engine sees it: a handle on one row of the store. Its layers are
 * decoded when asked for, so keep `packet.dissection` in a local while you use it.
 */
class StoredPacket implements Packet {
  readonly #store: PacketStore;
  readonly #index: number;

  constructor(store: PacketStore, index: number) {
    this.#store = store;
    this.#index = index;
  }

  get number(): number {
    return this.#store.columns.number[this.#index];
  }
  get seconds(): number {
    return this.#store.columns.seconds[this.#index];
  }
  get nanoseconds(): number {
    return this.#store.columns.nanoseconds[this.#index];
  }
  get capturedLength(): number {
    return this.#store.columns.capturedLength[this.#index];
  }
  get originalLength(): number {
    return this.#store.columns.originalLength[this.#index];
  }
  get linkType(): number {
    return this.#store.columns.linkType[this.#index];
  }
  get interfaceId(): number {
    return this.#store.columns.interfaceId[this.#index];
  }
  get direction(): Direction | undefined {
    return this.#store.directionOf(this.#index);
  }
  get comments(): string[] | undefined {
    return this.#store.commentsOf(this.#index);
  }
  get pktmon(): PktmonPacket | undefined {
    return this.#store.pktmonOf(this.#index);
  }
  get data(): Uint8Array {
    return this.#store.bytesOf(this.#index);
  }
  get dissection(): Dissection {
    return this.#store.dissectionOf(this.#index);
  }
}

const builtStores = new WeakMap<Capture, PacketStore>();

/**
 * The store behind a capture. Captures from the loaders carry one; a capture assembled from
 * packet objects (tests, the anonymizer's output) gets one built from its packets, once.
 */
export function storeOf(capture: Capture): PacketStore {
  if (capture.store) return capture.store;
  let store = builtStores.get(capture);
  if (!store) {
    store = new PacketStore(capture.packets.length);
    store.setFcsLengths(capture.info);
    for (const packet of capture.packets) store.add(packet, -1, packet.dissection);
    store.finish(capture.info);
    builtStores.set(capture, store);
  }
  return store;
}
