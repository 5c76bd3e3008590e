// Export chosen packets as pcapng, the format Wireshark writes and reads by default. One section,
// little-endian; nanosecond time stamps so no precision the source had is lost (pcap µs, NetMon
// 100 ns, ETL 100 ns, pcapng up to ns all fit); one Interface Description Block per interface of
// the source, in the source's order, so interface ids and link types survive; packet comments
// and the direction a frame went (pcapng epb_flags) are kept.
//
// Block layout (pcapng spec, IETF draft-ietf-opsawg-pcapng): every block is
// type(4) length(4) body… length(4), with options as code(2) length(2) value padded to 4 bytes,
// closed by opt_endofopt.
import type { CaptureInterface, Direction } from '../capture/types.ts';
import type { Capture, Packet } from '../packets.ts';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_IF_FCSLEN = 13;
const OPT_EPB_FLAGS = 2;

/** if_tsresol 9: time stamps count nanoseconds. */
const TSRESOL_NANOSECONDS = 9;
/** epb_flags bits 0–1: 01 inbound, 10 outbound. */
const DIRECTION_FLAGS: Record<Direction, number> = { received: 1, sent: 2 };

export interface ExportOptions {
  /** Added as a section comment (after the source's own comments), e.g. "filter: tcp.port==3389". */
  comment?: string;
  /** Written as shb_userappl; default "porttrace". */
  application?: string;
}

interface Option {
  code: number;
  value: Uint8Array;
}

const utf8 = new TextEncoder();
const pad4 = (n: number): number => (n + 3) & ~3;
const optionsLength = (options: Option[]): number =>
  options.length === 0 ? 0 : options.reduce((sum, o) => sum + 4 + pad4(o.value.length), 0) + 4;

function u32Option(code: number, value: number): Option {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return { code, value: bytes };
}

/** An option's length field is 16 bits: longer text is cut to fit. */
const textOption = (code: number, text: string): Option => ({ code, value: utf8.encode(text).subarray(0, 0xffff) });

/** The pcapng interface a packet is written on: its source interface when the link types agree. */
interface OutputInterface {
  linkType: number;
  snapLength: number;
  fcsLength: number;
  name?: string;
  description?: string;
}

class BlockWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(value: number): void {
    this.view.setUint16(this.at, value, true);
    this.at += 2;
  }

  u32(value: number): void {
    this.view.setUint32(this.at, value >>> 0, true);
    this.at += 4;
  }

  /** Copies bytes and zero-pads to a multiple of 4 (the buffer starts zeroed, so skipping pads). */
  padded(value: Uint8Array): void {
    this.bytes.set(value, this.at);
    this.at += pad4(value.length);
  }

  options(options: Option[]): void {
    if (options.length === 0) return;
    for (const option of options) {
      this.u16(option.code);
      this.u16(option.value.length);
      this.padded(option.value);
    }
    this.u16(OPT_ENDOFOPT);
    this.u16(0);
  }

  get position(): number {
    return this.at;
  }
}

/** Nanoseconds since 1970 as the two 32-bit halves an EPB stores (high word first). */
function timestampWords(packet: Packet): [number, number] {
  // Times before 1970 cannot be written as an unsigned count; they become 0.
  if (packet.seconds < 0) return [0, 0];
  const ns = BigInt(Math.floor(packet.seconds)) * 1_000_000_000n + BigInt(Math.floor(packet.nanoseconds));
  return [Number(ns >> 32n), Number(ns & 0xffffffffn)];
}

/**
 * The packets at `indices` (positions in capture.packets, in the order given) as a pcapng file.
 * Indices outside the capture are ignored.
 */
export function exportPcapng(
  capture: Capture,
  indices: ArrayLike<number> | Iterable<number>,
  options: ExportOptions = {},
): Uint8Array {
  const chosen: Packet[] = [];
  for (const index of Array.from(indices as ArrayLike<number>)) {
    const packet = capture.packets[index];
    if (packet !== undefined) chosen.push(packet);
  }

  // Interfaces: every source interface keeps its id; a packet whose link type differs from its
  // interface's (possible in NetMon/ETL files) gets an extra interface of its own.
  const interfaces: OutputInterface[] = [];
  const byKey = new Map<string, number>();
  for (const iface of capture.info.interfaces) {
    const index = interfaces.length;
    interfaces.push(describe(iface));
    byKey.set(`${iface.id}:${iface.linkType}`, index);
  }
  const interfaceOf = chosen.map((packet) => {
    const key = `${packet.interfaceId}:${packet.linkType}`;
    let index = byKey.get(key);
    if (index === undefined) {
      const source = capture.info.interfaces.find((i) => i.id === packet.interfaceId);
      index = interfaces.length;
      interfaces.push({ linkType: packet.linkType, snapLength: 0, fcsLength: source?.fcsLength ?? 0, name: source?.name });
      byKey.set(key, index);
    }
    const iface = interfaces[index];
    if (iface.snapLength !== 0 && packet.capturedLength > iface.snapLength) iface.snapLength = 0;
    return index;
  });

  const sectionOptions: Option[] = [];
  for (const comment of capture.info.comments) sectionOptions.push(textOption(OPT_COMMENT, comment));
  if (options.comment) sectionOptions.push(textOption(OPT_COMMENT, options.comment));
  sectionOptions.push(textOption(OPT_SHB_USERAPPL, options.application ?? 'porttrace'));

  const interfaceOptions = interfaces.map((iface) => {
    const list: Option[] = [];
    if (iface.name) list.push(textOption(OPT_IF_NAME, iface.name));
    if (iface.description) list.push(textOption(OPT_IF_DESCRIPTION, iface.description));
    list.push({ code: OPT_IF_TSRESOL, value: Uint8Array.of(TSRESOL_NANOSECONDS) });
    if (iface.fcsLength > 0) list.push({ code: OPT_IF_FCSLEN, value: Uint8Array.of(iface.fcsLength) });
    return list;
  });

  const packetOptions = chosen.map((packet) => {
    const list: Option[] = [];
    for (const comment of packet.comments ?? []) list.push(textOption(OPT_COMMENT, comment));
    if (packet.direction !== undefined) list.push(u32Option(OPT_EPB_FLAGS, DIRECTION_FLAGS[packet.direction]));
    return list;
  });

  const shbLength = 28 + optionsLength(sectionOptions);
  const idbLengths = interfaceOptions.map((list) => 20 + optionsLength(list));
  const epbLengths = chosen.map((packet, i) => 32 + pad4(packet.data.length) + optionsLength(packetOptions[i]));
  const total = shbLength + idbLengths.reduce((a, b) => a + b, 0) + epbLengths.reduce((a, b) => a + b, 0);
  const out = new BlockWriter(total);

  out.u32(BLOCK_SHB);
  out.u32(shbLength);
  out.u32(BYTE_ORDER_MAGIC);
  out.u16(1); // major version
  out.u16(0); // minor version
  out.u32(0xffffffff); // section length unknown (64-bit -1)
  out.u32(0xffffffff);
  out.options(sectionOptions);
  out.u32(shbLength);

  interfaces.forEach((iface, i) => {
    out.u32(BLOCK_IDB);
    out.u32(idbLengths[i]);
    out.u16(iface.linkType);
    out.u16(0); // reserved
    out.u32(iface.snapLength);
    out.options(interfaceOptions[i]);
    out.u32(idbLengths[i]);
  });

  chosen.forEach((packet, i) => {
    const [high, low] = timestampWords(packet);
    out.u32(BLOCK_EPB);
    out.u32(epbLengths[i]);
    out.u32(interfaceOf[i]);
    out.u32(high);
    out.u32(low);
    out.u32(packet.data.length);
    // The wire length can never be less than what was captured.
    out.u32(Math.max(packet.originalLength, packet.data.length));
    out.padded(packet.data);
    out.options(packetOptions[i]);
    out.u32(epbLengths[i]);
  });

  if (out.position !== total) throw new Error(`pcapng export wrote ${out.position} bytes, expected ${total}`);
  return out.bytes;
}

function describe(iface: CaptureInterface): OutputInterface {
  return {
    linkType: iface.linkType,
    snapLength: iface.snapLength,
    fcsLength: iface.fcsLength,
    name: iface.name,
    description: iface.description,
  };
}
