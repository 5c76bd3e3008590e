// Filters over a loaded capture read the packet store's columns (compile.ts runs comparisons on
// column fields as loops over typed arrays); over a capture assembled from packet objects they
// read every field from the dissections. Both must select the same frames: the suite's filters
// and comparisons of every kind (prefixes, sets, ranges, masks, quantifiers, out-of-range
// literals) on the column fields, over the golden captures and a sample of the corpus.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { containsBytes, framesContaining } from '../../src/lib/filter/frame-search.ts';
import { compileFilter, type CompiledFilter } from '../../src/lib/filter/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { capturePath, EXTRA_CORPUS_DIR, isExtra, manifest } from '../support/corpus.ts';

const GOLDEN = 'tests/golden/filters';
// The golden captures of the opt-in extra corpus join in when it is there.
const goldenCaptures = readdirSync(GOLDEN)
  .filter((name) => name.endsWith('.tsv') && name !== 'errors.tsv')
  .map((name) => readFileSync(`${GOLDEN}/${name}`, 'utf8').split('\n')[0].replace(/^# /, '').split('\t')[0])
  .filter((source) => !isExtra(source) || EXTRA_CORPUS_DIR !== undefined);
const corpusSample = manifest()
  .filter((_, k) => k % 25 === 0)
  .map((row) => row.path);
const captures = [...goldenCaptures, ...corpusSample].map(capturePath);

const suite = readFileSync('tests/filter/suite.txt', 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

const comparisons = [
  'ip.addr == 10.0.0.0/8 || ip.addr == 192.168.0.0/16',
  'ip.addr != 192.168.0.0/16',
  'ip.addr !== 10.0.0.0/8',
  'ip.addr === 0.0.0.0/0',
  'ip.src == 0.0.0.0/0',
  'ip.src > 128.0.0.0',
  'ip.src >= 172.16.0.0/12',
  'ip.dst < 172.16.0.0/12',
  'ip.dst <= 10.255.255.255',
  'ip.dst > 10.0.0.0/8',
  'ip.addr in {10.0.0.0/8, 172.16.0.0/12, 192.168.1.1}',
  'ip.src in {1.0.0.0/8 .. 200.0.0.0/8}',
  'ip.id > 1000',
  'ip.id & 0x8000',
  'ip.ttl <= 64',
  'ip.ttl in {1..32, 128}',
  'ipv6.hlim == 255 || ipv6.hlim < 64',
  'tcp.port == -1',
  'tcp.port != -1',
  'tcp.port > -1',
  'tcp.port all_eq 80',
  'tcp.port any_ne 80',
  'tcp.port all_ne 443',
  'tcp.srcport in {80, 443, 1024..65535}',
  'tcp.dstport < 1024',
  'tcp.seq_raw > 2147483648',
  'tcp.seq_raw & 0x80000000',
  'tcp.ack_raw == 0',
  'tcp.ack_raw & 0x80000000 == 0x80000000',
  'tcp.flags & 0x12 == 0x12',
  'tcp.flags & 0x17 != 0',
  'tcp.flags == 0x002',
  'tcp.flags.push == 1 && tcp.flags.ack != 0',
  'tcp.flags.fin === 1',
  'tcp.window_size_value < 1000',
  'tcp.len > 0',
  'tcp.len in {1..100}',
  'udp.port in {53, 67..68, 123}',
  'udp.srcport > 1024',
  'udp.dstport !== 53',
  'icmp.type == 3 || icmp.code > 0',
  'icmpv6.type in {1..4}',
  'icmpv6.code == 0',
  'frame.number in {1..10}',
  'frame.number & 1',
  'frame.len >= 1000',
  'frame.cap_len < 60',
  'frame contains "GET"',
  'tcp contains 00:00',
  'udp contains 01',
  'tcp.payload contains "HTTP"',
  'ip contains 40:00',
];

const compiled = [...suite, ...comparisons]
  .map((text) => compileFilter(text))
  .filter((result): result is { ok: true; filter: CompiledFilter } => result.ok)
  .map((result) => result.filter);

it('selects the same frames from the columns as from the dissections', () => {
  expect(captures.length).toBeGreaterThan(50);
  expect(compiled.length).toBeGreaterThan(300);
  const mismatches: string[] = [];
  for (const path of captures) {
    const loaded = loadCaptureBytes(new Uint8Array(readFileSync(path)));
    // The same packets without the loader's store: storeOf builds one from their dissections,
    // and the filters read those.
    const assembled: Capture = { info: loaded.info, packets: loaded.packets };
    for (const filter of compiled) {
      const a = Array.from(filter.run(loaded)).join(',');
      const b = Array.from(filter.run(assembled)).join(',');
      if (a !== b && mismatches.length < 20)
        mismatches.push(`${path}: ${filter.text}\n    columns:     ${a}\n    dissections: ${b}`);
    }
  }
  expect(mismatches, mismatches.join('\n')).toEqual([]);
}, 600_000);

it('finds a needle in the frames that contain it, searching whole blocks, never across two frames', () => {
  let needles = 0;
  for (const path of captures) {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(path)));
    const store = capture.store!;
    const n = store.count;
    if (n < 2) continue;
    const frame = (i: number) => store.bytesOf(i);
    const tests: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(0x47, 0x45, 0x54),
      Uint8Array.of(0xff, 0xfe, 0xfd, 0xfc, 0xfb),
    ];
    for (const i of new Set([0, (n - 1) >> 1, n - 2])) {
      const a = frame(i);
      const b = frame(i + 1);
      if (a.length >= 16) tests.push(a.subarray(12, 16), a.subarray(a.length - 3));
      // The end of one frame and the start of the next: adjacent in the block, in no one frame.
      if (a.length > 0 && b.length > 0) tests.push(Uint8Array.of(...a.subarray(-2), ...b.subarray(0, 2)));
      if (b.length > 0) tests.push(b.subarray(0, 1));
    }
    for (const needle of tests) {
      needles++;
      const marks = framesContaining(store, needle);
      const expected = Array.from({ length: n }, (_, i) => (containsBytes(frame(i), needle) ? 1 : 0));
      expect(Array.from(marks).join(''), `${path}: ${Array.from(needle)}`).toBe(expected.join(''));
    }
  }
  expect(needles).toBeGreaterThan(500);
}, 600_000);
