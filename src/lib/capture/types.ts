// The contract between format readers (pcap, pcapng, NetMon, ETL) and everything after them.
// A reader knows nothing about protocols: it yields raw frames with their link type and time.

/** Link-layer header types, numbered as in pcap's LINKTYPE_* registry. */
export const LinkType = {
  NULL: 0, // BSD loopback, host byte order AF_ value
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108, // OpenBSD loopback, network byte order AF_ value
  LINUX_SLL: 113,
  IEEE802_11: 105,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type CaptureFormat = 'pcap' | 'pcapng' | 'netmon' | 'etl';

/** Which way a frame went, from the capturing host's point of view, when the format records it. */
export type Direction = 'sent' | 'received';

export interface CaptureInterface {
  /** Index within the file (pcapng IDB order across all sections; 0 for pcap). */
  id: number;
  linkType: number;
  snapLength: number;
  name?: string;
  description?: string;
  /** Bytes of frame check sequence at the end of each frame (pcap FCS bits, pcapng if_fcslen). */
  fcsLength: number;
  /**
   * Time stamp units per second, when the format says it per interface (pcapng if_tsresol:
   * 1,000,000 by default); 0 when too fine for a double. tshark prints a frame's time with its
   * interface's precision.
   */
  ticksPerSecond?: number;
}

export interface CapturedFrame {
  /** 1-based frame number in file order, as Wireshark numbers them. */
  number: number;
  /**
   * Capture time: whole seconds since 1970 plus nanoseconds. Split because a double cannot hold
   * nanoseconds since 1970 exactly, and tshark prints all 9 digits on nanosecond files.
   */
  seconds: number;
  nanoseconds: number;
  /** Bytes present in `data`. */
  capturedLength: number;
  /** Length of the frame on the wire (≥ capturedLength when the capture was sliced). */
  originalLength: number;
  linkType: number;
  interfaceId: number;
  /** A view into the reader's buffer: never mutate it; copy (slice) if you keep it past the next chunk. */
  data: Uint8Array;
  direction?: Direction;
  comments?: string[];
  /** For a packet from a pktmon trace: every component it was logged at, and any drop. */
  pktmon?: PktmonPacket;
}

/** One place pktmon logged a packet (event 160), or dropped it (event 170). */
export interface PktmonAppearance {
  componentId: number;
  /** From the trace's ComponentInfo event (20), when it has one. */
  componentName?: string;
  edgeId: number;
  filterId: number;
  /** pktmon's direction tag: Rx, Tx, In, Out, … (the number when unknown). */
  direction: string;
  seconds: number;
  nanoseconds: number;
  /** Set on a drop event: the reason and location codes pktmon logged, and the reason's name. */
  drop?: { reason: number; reasonName?: string; location: number };
  /** Logged under another packet id: a loopback copy of this packet, folded into it (etl-pktmon.ts). */
  copyOf?: { groupId: string; packetNumber: number };
}

/** One packet in a pktmon trace: its identity (PktGroupId, PktNumber) and all its appearances. */
export interface PktmonPacket {
  /** PktGroupId as 16 hex digits. */
  groupId: string;
  packetNumber: number;
  /** In time order; the frame's time, bytes and direction are the first's. */
  appearances: PktmonAppearance[];
}

/** The appearance at which pktmon logged the packet dropped, if any. */
export function pktmonDrop(packet: PktmonPacket | undefined): PktmonAppearance | undefined {
  return packet?.appearances.find((a) => a.drop !== undefined);
}

export type CaptureErrorKind =
  | 'not-a-capture' // magic bytes we do not know
  | 'truncated' // file ends inside a header/block/packet
  | 'malformed' // a length or field that cannot be right
  | 'unsupported'; // a real variant we do not read (e.g. compressed ETL buffers)

/**
 * Readers never throw for bad input: they stop and report one of these, after yielding every
 * complete frame before the damage. `offset` is the byte offset in the file where the problem is.
 */
export class CaptureError extends Error {
  readonly kind: CaptureErrorKind;
  readonly offset: number;
  /** The frame number the reader was working on, when there was one. */
  readonly frame?: number;
  constructor(kind: CaptureErrorKind, message: string, offset: number, frame?: number) {
    super(message);
    this.name = 'CaptureError';
    this.kind = kind;
    this.offset = offset;
    this.frame = frame;
  }
}

export interface CaptureInfo {
  format: CaptureFormat;
  /** e.g. "pcap LE usec", "pcapng", "NetMon 2.3" */
  variant: string;
  interfaces: CaptureInterface[];
  /** Section/file comments (pcapng SHB opt_comment, NetMon comment). */
  comments: string[];
  /**
   * When the capture says it stopped (pcapng interface statistics, isb_endtime), if it says so.
   * Later than the last packet when the capture went on in silence — which is exactly what an
   * unanswered SYN looks like, so the classifier needs it.
   */
  endTime?: { seconds: number; nanoseconds: number };
}

/** Progress of an incremental read, for progress bars. */
export interface ReadProgress {
  bytesRead: number;
  /** Total bytes when known (File.size, stat), else undefined. */
  totalBytes?: number;
  frames: number;
}
