// The rows of a hex view (Wireshark's bytes pane): offset, 16 bytes in hex, the same as
// ASCII. Only the rows on screen are made, and a highlighted field splits a row into at most
// three runs of text instead of one element per byte, so a packet of any size shows at once.

export const BYTES_PER_ROW = 16;

/** A row's hex or ASCII text, split around the highlighted bytes. */
export interface HexRun {
  before: string;
  highlighted: string;
  after: string;
}

export interface HexRow {
  /** Offset of the row's first byte, in hex, padded as Wireshark pads it. */
  offset: string;
  /** Index of the row (offset / 16). */
  index: number;
  hex: HexRun;
  ascii: HexRun;
}

export interface ByteRange {
  offset: number;
  length: number;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const ASCII = Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));

/** How many rows `length` bytes take. */
export const rowCount = (length: number): number => Math.ceil(length / BYTES_PER_ROW);

/** Four hex digits up to 64 KiB, as Wireshark shows offsets; more for larger packets. */
export const offsetDigits = (length: number): number => Math.max(4, (Math.max(1, length) - 1).toString(16).length);

/** Hex cells joined with a space, and two in the middle of the row, as Wireshark prints them. */
function hexText(bytes: Uint8Array, start: number, end: number, rowStart: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    if (i > start) text += i - rowStart === 8 ? '  ' : ' ';
    text += HEX[bytes[i]];
  }
  return text;
}

function asciiText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += ASCII[bytes[i]];
  return text;
}

/** The separator printed before byte `i` of a row (none before the first). */
const separatorBefore = (i: number, rowStart: number): string =>
  i === rowStart ? '' : i - rowStart === 8 ? '  ' : ' ';

/** Rows `first` (inclusive) to `last` (exclusive) of `bytes`, with `highlight` marked. */
export function hexRows(bytes: Uint8Array, first: number, last: number, highlight: ByteRange | null): HexRow[] {
  const rows: HexRow[] = [];
  const digits = offsetDigits(bytes.length);
  const end = Math.min(last, rowCount(bytes.length));
  for (let r = Math.max(0, first); r < end; r++) {
    const start = r * BYTES_PER_ROW;
    const stop = Math.min(start + BYTES_PER_ROW, bytes.length);
    // The highlighted part of this row, clamped to it (empty when the field is elsewhere).
    const from = highlight ? Math.min(stop, Math.max(start, highlight.offset)) : stop;
    const to = highlight ? Math.max(from, Math.min(stop, highlight.offset + highlight.length)) : stop;
    const hex: HexRun =
      from === to
        ? { before: hexText(bytes, start, stop, start), highlighted: '', after: '' }
        : {
            before: hexText(bytes, start, from, start) + separatorBefore(from, start),
            highlighted: hexText(bytes, from, to, start),
            after: to < stop ? separatorBefore(to, start) + hexText(bytes, to, stop, start) : '',
          };
    // A short last row is padded so its ASCII lines up with the rows above.
    const missing = start + BYTES_PER_ROW - stop;
    if (missing > 0) {
      const pad = ' '.repeat(missing * 3 + (stop - start <= 8 ? 1 : 0));
      if (hex.after) hex.after += pad;
      else if (hex.highlighted && from !== to) hex.after = pad;
      else hex.before += pad;
    }
    const ascii: HexRun = {
      before: asciiText(bytes, start, from),
      highlighted: asciiText(bytes, from, to),
      after: asciiText(bytes, to, stop),
    };
    rows.push({ offset: start.toString(16).padStart(digits, '0'), index: r, hex, ascii });
  }
  return rows;
}
