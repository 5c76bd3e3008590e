// The hex view's rows against tshark's own hex dump (`tshark -x`) of the same packets, and the
// highlighted run of a field, whichever rows it spans.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexRows, offsetDigits, rowCount } from '../../src/lib/describe/hex-rows.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { storeOf } from '../../src/lib/store/packet-store.ts';
import { tshark } from '../lab/tshark.ts';
import { requireTshark } from '../support/corpus.ts';

const oracle = requireTshark();

const TRACE = 'public/traces/open-client.pcapng';
const text = (run: { before: string; highlighted: string; after: string }) => run.before + run.highlighted + run.after;

describe('hex view rows', () => {
  it.skipIf(oracle.skip)(`every packet of a trace reads as tshark -x dumps it${oracle.note}`, () => {
    // tshark prints one block per packet: "0000  hh hh …   ascii", a blank line between packets.
    const dumps = tshark(['-r', TRACE, '-x']).trimEnd().split('\n\n');
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(TRACE)));
    const store = storeOf(capture);
    expect(dumps).toHaveLength(capture.packets.length);
    for (let i = 0; i < capture.packets.length; i++) {
      const bytes = store.bytesOf(i);
      const rows = hexRows(bytes, 0, rowCount(bytes.length), null);
      const expected = dumps[i].split('\n').map((line) => {
        const [, offset, hex, ascii] = /^([0-9a-f]{4}) {2}((?:[0-9a-f]{2} ?)+?)\s{2,}(.*)$/.exec(line)!;
        return { offset, hex: hex.trim().split(' '), ascii };
      });
      expect(
        rows.map((r) => ({ offset: r.offset, hex: text(r.hex).trim().split(/ +/), ascii: text(r.ascii) })),
      ).toEqual(expected);
    }
  });

  it('rows line up: every row is as wide as a full one, short last row included', () => {
    const bytes = Uint8Array.from({ length: 16 * 3 + 5 }, (_, i) => i);
    const widths = hexRows(bytes, 0, 4, null).map((r) => text(r.hex).length);
    expect(new Set(widths)).toEqual(new Set([16 * 2 + 15 + 1]));
    // … with a highlight in the short row too.
    const marked = hexRows(bytes, 3, 4, { offset: 49, length: 2 })[0];
    expect(text(marked.hex).length).toBe(48);
    expect(marked.hex.highlighted).toBe('31 32');
  });

  it('a field across rows is highlighted in each, and only its bytes', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => 0x41 + (i % 26));
    const rows = hexRows(bytes, 0, 4, { offset: 14, length: 20 });
    expect(rows.map((r) => r.hex.highlighted)).toEqual([
      '4f 50',
      '51 52 53 54 55 56 57 58  59 5a 41 42 43 44 45 46',
      '47 48',
      '',
    ]);
    expect(rows.map((r) => r.ascii.highlighted)).toEqual(['OP', 'QRSTUVWXYZABCDEF', 'GH', '']);
    expect(text(rows[0].hex)).toBe('41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50');
  });

  it('makes only the rows asked for, with offsets as long as the packet needs', () => {
    const megabyte = new Uint8Array(1 << 20);
    expect(rowCount(megabyte.length)).toBe(65536);
    expect(offsetDigits(megabyte.length)).toBe(5);
    expect(offsetDigits(65536)).toBe(4);
    const rows = hexRows(megabyte, 40000, 40032, { offset: 0, length: 14 });
    expect(rows).toHaveLength(32);
    expect(rows[0].offset).toBe('9c400');
    expect(rows[0].hex.highlighted).toBe('');
  });
});
