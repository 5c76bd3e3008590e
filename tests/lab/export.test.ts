// pcapng export, checked with tshark: the exported frames must be the chosen frames of the
// original, with the same time stamps (to the nanosecond tshark prints), lengths, bytes, link
// types and comments.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPcapng } from '../../src/lib/lab/export.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { frameOf } from '../../src/lib/packets.ts';
import { capturePath, netmonCopy, requireEditcap, requireTshark } from '../support/corpus.ts';
import { scratch, tsharkFields, tsharkHexdumps } from './tshark.ts';

const tshark = requireTshark();
const editcap = requireEditcap();
/** A capture named as in capturePath(), or `netmon2:<name>` for editcap's NetMon 2 copy of it. */
const corpusPath = (path: string): string =>
  path.startsWith('netmon2:') ? netmonCopy(path.slice('netmon2:'.length), 'netmon2') : capturePath(path);
const load = (path: string) => loadCaptureBytes(new Uint8Array(readFileSync(corpusPath(path))));
const FIELDS = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.protocols', 'frame.comment'];

const work = scratch();
afterAll(() => work.remove());

/** Frame numbers (1-based) → a tshark read filter selecting them in the original. */
const numbersFilter = (numbers: number[]): string => `frame.number in {${numbers.join(',')}}`;

const oracles = tshark.skip ? tshark : editcap;
describe.skipIf(oracles.skip)(`pcapng export read back by tshark${oracles.note}`, () => {
  const sources = [
    'public/traces/open-ipv6-client.pcapng', // IPv6, ns time stamps
    'zeek/Traces/dce-rpc/kerberos445_auth.pcapng', // µs time stamps
    'zeek/Traces/tcp/rst-inject-rae.pcap', // pcap
    'pcapng-test-generator/output_le/basic/test006.pcapng', // two link types, sliced frames
    'pcapng-test-generator/output_le/basic/test009.pcapng', // packet comments
    'netmon2:public/traces/open-client.pcapng', // Network Monitor
  ];

  for (const source of sources) {
    it(`keeps every frame of ${source}: time, lengths, link type, comments and bytes`, () => {
      const capture = load(source);
      expect(capture.packets.length).toBeGreaterThan(0);
      const all = capture.packets.map((_, i) => i);
      const file = work.write(`${source.replaceAll('/', '_')}.all.pcapng`, exportPcapng(capture, all));
      expect(tsharkFields(file, FIELDS)).toEqual(tsharkFields(corpusPath(source), FIELDS));
      expect(tsharkHexdumps(file)).toEqual(tsharkHexdumps(corpusPath(source)));
    });
  }

  it('writes only the chosen frames, in order, and the section comment', () => {
    const source = 'public/traces/article-success-client.pcapng';
    const capture = load(source);
    const chosen = [1, 4, 5, 11, 19];
    const file = work.write(
      'chosen.pcapng',
      exportPcapng(capture, Uint32Array.from(chosen), { comment: 'filter: tcp' }),
    );
    const numbers = chosen.map((i) => capture.packets[i].number);
    const original = tsharkFields(corpusPath(source), FIELDS, ['-Y', numbersFilter(numbers)]);
    expect(original).toHaveLength(chosen.length);
    expect(tsharkFields(file, FIELDS)).toEqual(original);
    expect(tsharkHexdumps(file)).toEqual(tsharkHexdumps(corpusPath(source), ['-Y', numbersFilter(numbers)]));
    expect(execFileSync('capinfos', ['-k', file], { encoding: 'utf8' })).toMatch(/Capture comment:\s+filter: tcp/);
  });

  it('records the direction a frame went (epb_flags) and keeps nanoseconds', () => {
    const loaded = load('public/traces/open-client.pcapng');
    // Plain packets, so their fields can be changed (a loaded capture's are read-only handles).
    const capture = {
      ...loaded,
      store: undefined,
      packets: loaded.packets.map((p) => ({ ...frameOf(p), dissection: p.dissection })),
    };
    capture.packets[0].direction = 'sent';
    capture.packets[1].direction = 'received';
    capture.packets[2].nanoseconds = 123_456_789;
    const file = work.write('direction.pcapng', exportPcapng(capture, [0, 1, 2]));
    const rows = tsharkFields(file, ['frame.packet_flags_direction', 'frame.time_epoch']);
    expect(rows.map((r) => r[0])).toEqual(['0x00000002', '0x00000001', '']);
    expect(rows[2][1]).toBe(`${capture.packets[2].seconds}.123456789`);
  });

  it('writes a valid empty file when nothing is chosen', () => {
    const capture = load('public/traces/open-client.pcapng');
    const file = work.write('empty.pcapng', exportPcapng(capture, []));
    expect(tsharkFields(file, ['frame.number'])).toEqual([]);
  });
});
