// The shape of the field registry: Wireshark field names bound to a type and a reader.
// Decoders know nothing about filters; filters (and autocompletion) only know this registry.
import type { Capture, Packet } from '../packets.ts';
import type { PacketStore } from '../store/packet-store.ts';

/**
 * Value kinds, after Wireshark's FT_* types. How each kind is carried as a JS value:
 * - numeric kinds (uint, int, bool, framenum, ipv4, ether) as a number — a MAC address is
 *   48 bits and an IPv4 address 32 bits, both exact in a double;
 * - time as integer nanoseconds in a number (exact up to 104 days of relative time);
 * - ipv6, bytes and string as bytes (Uint8Array views, never copies);
 * - none (a label such as tcp.analysis.retransmission) and protocol only exist or don't.
 */
export type FieldKind =
  'none' | 'protocol' | 'bool' | 'uint' | 'int' | 'framenum' | 'time' | 'ipv4' | 'ipv6' | 'ether' | 'bytes' | 'string';

export const isNumericKind = (kind: FieldKind): boolean =>
  kind === 'uint' ||
  kind === 'int' ||
  kind === 'bool' ||
  kind === 'framenum' ||
  kind === 'ipv4' ||
  kind === 'ether' ||
  kind === 'time';

export const isBytesKind = (kind: FieldKind): boolean => kind === 'ipv6' || kind === 'bytes' || kind === 'string';

/**
 * Where a reader puts the occurrences of a field in one packet. One instance per field use in a
 * compiled filter, reset per packet, so reading allocates nothing on the hot path.
 */
export class FieldValues {
  /** Numeric occurrences (see FieldKind), valid up to `count`. */
  readonly numbers: number[] = [];
  /** Bytes occurrences (ipv6, bytes, string), valid up to `count`. */
  readonly bytes: Uint8Array[] = [];
  count = 0;

  reset(): void {
    this.count = 0;
  }

  pushNumber(value: number): void {
    this.numbers[this.count++] = value;
  }

  pushBytes(value: Uint8Array): void {
    this.bytes[this.count++] = value;
  }

  /** For 'none' and 'protocol' fields: the field is there (the value is not used). */
  pushPresent(): void {
    this.numbers[this.count++] = 1;
  }
}

/**
 * What readers see besides the packet index: the capture's store (the columns the common fields
 * are read from, and `dissectionOf(i)` for the rest), and the whole capture (for per-connection
 * analysis, computed lazily once per capture and shared).
 */
export interface FieldContext {
  readonly capture: Capture;
  readonly packets: Packet[];
  /** `storeOf(capture)`: row i is `packets[i]`. */
  readonly store: PacketStore;
  /**
   * Read every field with its reference reader, from the dissections: the capture was assembled
   * from packet objects (tests), whose layers need not match their bytes.
   */
  readonly fromDissection: boolean;
  /** Lazily computed per-capture data, keyed by the module that computes it. */
  readonly cache: Map<string, unknown>;
}

export type FieldReader = (context: FieldContext, index: number, out: FieldValues) => void;

export interface FieldDefinition {
  /** Wireshark's name, e.g. "tcp.flags.syn". */
  name: string;
  kind: FieldKind;
  /** Width in bits for uint/int fields (8, 16, 24, 32); sets the range a literal may take. */
  bits?: number;
  /** Wireshark's description, shown in autocompletion and hints. */
  description: string;
  /** Names accepted in place of numbers (Wireshark value strings), e.g. ip.proto == TCP. */
  valueNames?: Readonly<Record<string, number>>;
  /** Labels of a boolean's two states (Wireshark's true_false_string), e.g. "Set" / "Not set". */
  booleanLabels?: readonly [string, string];
  /** Fields that typically have two occurrences per packet (source and destination). */
  multiValued?: boolean;
  /** Set on fields Wireshark does not have (pktmon's), named by porttrace in Wireshark's style. */
  porttraceOnly?: true;
  read: FieldReader;
  /** For protocols: pushes the bytes the protocol spans, for `contains` and `matches`. */
  readBytes?: FieldReader;
  /**
   * Every occurrence `readBytes` (or `read`, for a bytes field) pushes is a run of the frame's
   * own bytes, so a frame that does not contain a needle has no occurrence that does.
   */
  withinFrame?: boolean;
  /**
   * A numeric field that is one or two columns of the store, for filters that compare it with
   * constants in a loop over the columns; `read` reads the same.
   */
  column?: ColumnField;
  /**
   * The same field read from the packet's full dissection, the way `read` / `readBytes` must
   * answer for every packet; `read` takes it for the packets its columns cannot answer, and the
   * tests compare the two on every packet of the corpus.
   */
  reference?: { read: FieldReader; readBytes?: FieldReader };
}

/** A numeric field whose occurrences are columns of the packet store. */
export interface ColumnField {
  /** Layer bits (store/packet-store.ts) a packet must all have for the field to be there. */
  own: number;
  /** Layer bits that send a packet to `read` instead (a header quoted in an ICMP error). */
  quoted: number;
  /** The column of each occurrence, in order (tcp.port: srcPort, dstPort). */
  columns: readonly ColumnName[];
  /** When set, the field is this bit of the column, as 0 or 1 (tcp.flags.syn). */
  bit?: number;
}

export type ColumnName = {
  [K in keyof PacketStore['columns']]: PacketStore['columns'][K] extends
    Float64Array | Uint32Array | Uint16Array | Uint8Array
    ? K
    : never;
}[keyof PacketStore['columns']];

/** The reader a filter runs on this context: the reference reader for a capture of packet objects. */
export function readerOf(field: FieldDefinition, context: FieldContext, bytes = false): FieldReader {
  const read = bytes && field.readBytes !== undefined ? field.readBytes : field.read;
  if (!context.fromDissection || field.reference === undefined) return read;
  return bytes && field.reference.readBytes !== undefined ? field.reference.readBytes : field.reference.read;
}

/** Wireshark's name for a field kind, as tshark prints it in error messages. */
export function kindLabel(field: Pick<FieldDefinition, 'kind' | 'bits'>): string {
  const bytes = (field.bits ?? 32) / 8;
  const width = `${bytes} byte${bytes === 1 ? '' : 's'}`;
  switch (field.kind) {
    case 'none':
      return 'Label';
    case 'protocol':
      return 'Protocol';
    case 'bool':
      return 'Boolean';
    case 'uint':
      return `Unsigned integer (${width})`;
    case 'int':
      return `Signed integer (${width})`;
    case 'framenum':
      return 'Frame number';
    case 'time':
      return 'Time offset';
    case 'ipv4':
      return 'IPv4 address';
    case 'ipv6':
      return 'IPv6 address';
    case 'ether':
      return 'Ethernet or other MAC address';
    case 'bytes':
      return 'Byte sequence';
    case 'string':
      return 'Character string';
  }
}
