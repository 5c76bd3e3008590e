// Every frame's time, lengths and interface equal what tshark printed for it
// (tests/golden/capture/*.tsv, made by scripts/golden-capture.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../src/lib/capture/reader.ts';
import type { CapturedFrame } from '../../src/lib/capture/types.ts';
import { repoRoot } from './helpers.ts';

const goldenDir = join(repoRoot, 'tests', 'golden', 'capture');

interface GoldenRow {
  number: number;
  epoch: string;
  len: number;
  capLen: number;
  interfaceId: string;
}

function parseGolden(text: string): { source: string; rows: GoldenRow[] } {
  const lines = text.split('\n');
  const source = lines[0].replace(/^# source: /, '');
  const rows = lines
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [number, epoch, len, capLen, interfaceId] = line.split('\t');
      return {
        number: Number(number),
        epoch,
        len: Number(len),
        capLen: Number(capLen),
        interfaceId: interfaceId ?? '',
      };
    });
  return { source, rows };
}

/** Our frames, plus each interface's index within its own section (what tshark 4.0 prints). */
function readWithSections(bytes: Uint8Array): {
  frames: CapturedFrame[];
  localInterface: number[];
  format: string | undefined;
} {
  const sectionOfInterface: number[] = [];
  let sections = -1;
  const firstInterfaceOfSection: number[] = [];
  let interfaces = 0;
  const reader = createCaptureReader({
    totalBytes: bytes.length,
    observer: (kind) => {
      if (kind === 'SHB') firstInterfaceOfSection[++sections] = interfaces;
      if (kind === 'IDB') sectionOfInterface[interfaces++] = sections;
    },
  });
  const frames = reader.push(bytes);
  const end = reader.finish();
  frames.push(...end.frames);
  const localInterface = sectionOfInterface.map((section, id) => id - firstInterfaceOfSection[section]);
  return { frames, localInterface, format: end.info?.format };
}

/**
 * Intentional differences (also in docs/ARCHITECTURE-capture.md). timestamp_invalid_nano.pcap
 * has nanosecond fields ≥ 10^9 on purpose; the third is 2,147,483,648, which Wireshark keeps in
 * a signed int and so prints as a negative time. We keep the unsigned field as written.
 */
const INTENTIONAL_TIMES: Record<string, Record<number, { ours: string; why: string }>> = {
  'tcpdump__tests__timestamp_invalid_nano.pcap.tsv': {
    3: { ours: '1418145370.2147483648', why: 'tshark prints -1418145370.2147483648 (signed overflow)' },
  },
};

const epochOf = (frame: CapturedFrame): string => `${frame.seconds}.${String(frame.nanoseconds).padStart(9, '0')}`;

const goldens = existsSync(goldenDir) ? readdirSync(goldenDir).filter((name) => name.endsWith('.tsv')) : [];

describe('frame times and lengths equal tshark’s (golden files)', () => {
  it('has a sample of at least 20 files of several formats', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(20);
    const sources = goldens.map((name) => parseGolden(readFileSync(join(goldenDir, name), 'utf8')).source);
    expect(sources.some((s) => s.endsWith('.netmon1.cap'))).toBe(true);
    expect(sources.some((s) => s.endsWith('.netmon2.cap'))).toBe(true);
    expect(sources.some((s) => s.includes('nano'))).toBe(true);
    expect(sources.some((s) => s.includes('output_be'))).toBe(true);
  });

  it.each(goldens)('%s', (name) => {
    const { source, rows } = parseGolden(readFileSync(join(goldenDir, name), 'utf8'));
    const path = resolve(repoRoot, source);
    if (!existsSync(path)) return; // corpus not present on this machine
    const { frames, localInterface, format } = readWithSections(new Uint8Array(readFileSync(path)));
    // In pcapng, tshark also lists non-packet records (custom blocks) — those have no interface.
    const packets = format === 'pcapng' ? rows.filter((row) => row.interfaceId !== '') : rows;
    expect(frames.length).toBe(packets.length);
    packets.forEach((row, i) => {
      const frame = frames[i];
      const where = `${name} frame ${frame.number} (tshark ${row.number})`;
      // A Simple Packet Block has no time stamp: tshark prints nothing, we give 0.
      const intended = INTENTIONAL_TIMES[name]?.[frame.number];
      if (intended) expect(epochOf(frame), where).toBe(intended.ours);
      else expect(row.epoch === '' ? '0.000000000' : row.epoch, where).toBe(epochOf(frame));
      expect(frame.originalLength, where).toBe(row.len);
      expect(frame.capturedLength, where).toBe(row.capLen);
      expect(frame.data.length, where).toBe(row.capLen);
      if (row.interfaceId !== '') expect(localInterface[frame.interfaceId], where).toBe(Number(row.interfaceId));
    });
  });
});

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
describe.skipIf(tshark.status !== 0)('golden files are current (live tshark)', () => {
  it.each(goldens.slice(0, 40))('%s', (name) => {
    const text = readFileSync(join(goldenDir, name), 'utf8');
    const { source, rows } = parseGolden(text);
    const path = resolve(repoRoot, source);
    if (!existsSync(path)) return;
    const live = spawnSync(
      'tshark',
      [
        '-r',
        path,
        '-T',
        'fields',
        '-e',
        'frame.number',
        '-e',
        'frame.time_epoch',
        '-e',
        'frame.len',
        '-e',
        'frame.cap_len',
        '-e',
        'frame.interface_id',
      ],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
    );
    expect(parseGolden(`# source: ${source}\n${live.stdout}`).rows).toEqual(rows);
  });
});
