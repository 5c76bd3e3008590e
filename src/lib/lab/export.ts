// Export chosen packets as pcapng, the format Wireshark writes and reads by default, through the
// project's pcapng writer (capture/write-pcapng.ts). Kept from the source: nanosecond time
// stamps (pcap µs, NetMon and ETL 100 ns and pcapng up to ns all fit), one interface per source
// interface in the source's order (so interface ids and link types survive), interface names,
// section and packet comments, and the direction each frame went (epb_flags).
//
// The writer rejects what cannot be written (a time before 1970, a frame over its interface's
// snap length, an option over 64 KB); export adjusts such input first so it never throws on a
// capture we could read.
import type { Packet, Capture } from '../packets.ts';
import { PcapngWriter } from '../capture/write-pcapng.ts';

/** pcapng if_tsresol 9: nanoseconds, so no source loses precision. */
const NANOSECONDS = 9;
/** An option's length field is 16 bits. */
const MAX_OPTION_BYTES = 0xffff;

export interface ExportOptions {
  /** Added as a section comment (after the source's own comments), e.g. "filter: tcp.port==3389". */
  comment?: string;
  /** Written as shb_userappl; default "porttrace". */
  application?: string;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Text cut to what one pcapng option holds (at a character boundary). */
function fitOption(text: string): string {
  const bytes = utf8.encode(text);
  if (bytes.length <= MAX_OPTION_BYTES) return text;
  // Decoding a cut UTF-8 sequence drops the partial character at the end ('\uFFFD' removed).
  return utf8Decoder.decode(bytes.subarray(0, MAX_OPTION_BYTES - 3)).replace(/\uFFFD$/, '');
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

  const comments = [...capture.info.comments];
  if (options.comment) comments.push(options.comment);
  const writer = new PcapngWriter({
    comments: comments.map(fitOption),
    userApplication: options.application ?? 'porttrace',
  });

  // Every source interface keeps its position; a packet whose link type differs from its
  // interface's (possible in NetMon and ETL files) gets an interface of its own, appended.
  const specs = capture.info.interfaces.map((iface) => ({
    key: `${iface.id}:${iface.linkType}`,
    linkType: iface.linkType,
    snapLength: iface.snapLength,
    name: iface.name,
    description: iface.description,
  }));
  const byKey = new Map(specs.map((spec, index) => [spec.key, index]));
  const interfaceOf = chosen.map((packet) => {
    const key = `${packet.interfaceId}:${packet.linkType}`;
    let index = byKey.get(key);
    if (index === undefined) {
      const source = capture.info.interfaces.find((i) => i.id === packet.interfaceId);
      index = specs.length;
      specs.push({
        key,
        linkType: packet.linkType,
        snapLength: 0,
        name: source?.name,
        description: source?.description,
      });
      byKey.set(key, index);
    }
    // A frame longer than the declared snap length (NetMon and ETL declare none): no limit.
    if (specs[index].snapLength !== 0 && packet.data.length > specs[index].snapLength) specs[index].snapLength = 0;
    return index;
  });
  for (const spec of specs) {
    writer.addInterface({
      linkType: spec.linkType,
      snapLength: spec.snapLength,
      name: spec.name === undefined ? undefined : fitOption(spec.name),
      description: spec.description === undefined ? undefined : fitOption(spec.description),
      decimalResolution: NANOSECONDS,
    });
  }

  chosen.forEach((packet, i) => {
    // A time stamp before 1970 cannot be written (pcapng counts up from 1970): it becomes 0.
    const valid = Number.isSafeInteger(packet.seconds) && packet.seconds >= 0;
    writer.addPacket({
      interfaceId: interfaceOf[i],
      seconds: valid ? packet.seconds : 0,
      nanoseconds: valid ? Math.min(999_999_999, Math.max(0, Math.floor(packet.nanoseconds))) : 0,
      data: packet.data,
      originalLength: Math.max(packet.originalLength, packet.data.length),
      comments: packet.comments?.map(fitOption),
      direction: packet.direction,
    });
  });
  return writer.toBytes();
}
