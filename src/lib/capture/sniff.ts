// Which reader a file needs, decided by its first bytes and never by its name: users rename
// files, and browsers give us no reliable type.
import { formatCount, hexBytes } from './common.ts';
import { looksLikeEtl } from './etl.ts';
import { looksLikeNetmon } from './netmon.ts';
import { pcapMagicKind } from './pcap.ts';
import { looksLikePcapng } from './pcapng.ts';
import { CaptureError } from './types.ts';
import type { CaptureFormat } from './types.ts';

/** How many leading bytes sniffing may look at (ETL recognition needs the first buffer header). */
export const SNIFF_BYTES = 4096;
/** Fewer bytes than this and no format can be recognised. */
export const MIN_SNIFF_BYTES = 4;

export type Sniffed =
  | { format: 'pcap'; littleEndian: boolean; nanoseconds: boolean; kuznetsov: boolean }
  | { format: Exclude<CaptureFormat, 'pcap'> }
  | { format: undefined; error: CaptureError };

/** Known non-capture signatures, with advice for the person holding the file. */
const FOREIGN_SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive? Extract the capture from it first' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file? Decompress it first (gunzip, or 7-Zip on Windows)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file? Decompress it first (zstd -d)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file? Decompress it first (xz -d)' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file? Decompress it first (bunzip2)' },
  { bytes: [0x04, 0x22, 0x4d, 0x18], what: 'an lz4-compressed file? Decompress it first (lz4 -d)' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive? Extract the capture from it first' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive? Extract the capture from it first' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00], what: 'a Sun snoop capture? Convert it with editcap -F pcapng' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'a Microsoft Office/OLE document' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x4d, 0x5a], what: 'a Windows program (MZ)' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF program' },
];

function startsWith(head: Uint8Array, signature: number[]): boolean {
  if (head.length < signature.length) return false;
  for (let i = 0; i < signature.length; i++) if (head[i] !== signature[i]) return false;
  return true;
}

/** Text files (a tshark -V dump, a hex dump, an HTML error page) are a common wrong upload. */
function looksLikeText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 512);
  if (n < 4) return false;
  let start = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3; // UTF-8 BOM
  for (let i = start; i < n; i++) {
    const b = head[i];
    const printable = (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d || b >= 0x80;
    if (!printable) return false;
  }
  return true;
}

/**
 * Decide the format from `head` (the first bytes, up to SNIFF_BYTES). `complete` says head is
 * the whole file (so a short head is final). Returns undefined when more bytes are needed.
 */
export function sniffCapture(head: Uint8Array, complete: boolean): Sniffed | undefined {
  if (head.length === 0 && complete) {
    return { format: undefined, error: new CaptureError('not-a-capture', 'not a capture file: the file is empty', 0) };
  }
  if (head.length < MIN_SNIFF_BYTES) {
    if (!complete) return undefined;
    return {
      format: undefined,
      error: new CaptureError(
        'truncated',
        `truncated: the file is only ${head.length} byte${head.length === 1 ? '' : 's'} long, too short for any capture format`,
        0,
      ),
    };
  }
  const pcap = pcapMagicKind(head);
  if (pcap) return { format: 'pcap', ...pcap };
  if (looksLikePcapng(head)) return { format: 'pcapng' };
  if (looksLikeNetmon(head)) return { format: 'netmon' };
  // Known foreign signatures are decided at once (no need to wait for an ETL-sized head).
  if (FOREIGN_SIGNATURES.some((signature) => startsWith(head, signature.bytes)))
    return { format: undefined, error: describeForeign(head) };
  if (head.length < SNIFF_BYTES && !complete) return undefined;
  if (looksLikeEtl(head)) return { format: 'etl' };
  return { format: undefined, error: describeForeign(head) };
}

function describeForeign(head: Uint8Array): CaptureError {
  const shown = `starts with ${hexBytes(head, 0, 4)}`;
  for (const signature of FOREIGN_SIGNATURES) {
    if (startsWith(head, signature.bytes)) {
      return new CaptureError('not-a-capture', `not a capture file: ${shown} (${signature.what})`, 0);
    }
  }
  if (looksLikeText(head)) {
    const firstLine = new TextDecoder('utf-8').decode(head.subarray(0, Math.min(head.length, 60))).split(/\r?\n/)[0];
    return new CaptureError(
      'not-a-capture',
      `not a capture file: ${shown} (text: "${firstLine}"; a text export or dump is not a capture — save the capture itself as .pcapng, .pcap or .cap)`,
      0,
    );
  }
  return new CaptureError(
    'not-a-capture',
    `not a capture file: ${shown}, which is not the start of a pcap, pcapng or Network Monitor file (${formatCount(head.length)} bytes examined)`,
    0,
  );
}
