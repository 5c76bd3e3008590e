// Every frame's time, lengths and interface equal what tshark printed for it
// (tests/golden/capture/*.tsv, made by scripts/golden-capture.sh).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../src/lib/capture/reader.ts';
import type { CapturedFrame } from '../../src/lib/capture/types.ts';
import {
  capturePath,
  isExtra,
  netmonCopy,
  REPO_ROOT as repoRoot,
  requireEditcap,
  requireExtraCorpus,
  requireTshark,
} from '../support/corpus.ts';

const extra = requireExtraCorpus();
const tshark = requireTshark();
const editcap = requireEditcap();

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

const sourceOf = (name: string): string => parseGolden(readFileSync(join(goldenDir, name), 'utf8')).source;
const goldens = readdirSync(goldenDir).filter((name) => name.endsWith('.tsv'));
/** Goldens of captures in the repository, and of the opt-in extra corpus's packets/ and netmon/. */
const inRepo = goldens.filter((name) => !isExtra(sourceOf(name)));
const ofExtra = goldens.filter((name) => isExtra(sourceOf(name)));

/** Our frames against the frames tshark printed for the same file. */
function compareWithGolden(name: string, path: string, rows: GoldenRow[]): void {
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
}

describe('frame times and lengths equal tshark’s (golden files)', () => {
  it('has a sample of at least 20 files of several formats', () => {
    expect(inRepo.length).toBeGreaterThanOrEqual(20);
    const sources = inRepo.map(sourceOf);
    expect(sources.some((s) => /netmon-2\.\d\.cap$/.test(s))).toBe(true);
    expect(sources.some((s) => s.includes('nano'))).toBe(true);
    expect(sources.some((s) => s.includes('output_be'))).toBe(true);
  });

  it.each(inRepo)('%s', (name) => {
    const { source, rows } = parseGolden(readFileSync(join(goldenDir, name), 'utf8'));
    compareWithGolden(name, capturePath(source), rows);
  });
});

describe.skipIf(extra.skip)(`frame times and lengths equal tshark’s: extra corpus${extra.note}`, () => {
  it('has NetMon 1.x and 2.x goldens', () => {
    expect(ofExtra.some((name) => name.endsWith('.netmon1.cap.tsv'))).toBe(true);
    expect(ofExtra.some((name) => name.endsWith('.netmon2.cap.tsv'))).toBe(true);
  });

  it.each(ofExtra)('%s', (name) => {
    const { source, rows } = parseGolden(readFileSync(join(goldenDir, name), 'utf8'));
    compareWithGolden(name, capturePath(source), rows);
  });
});

/** tshark's frame list for a file, in the golden files' shape. */
function tsharkRows(path: string): GoldenRow[] {
  const live = spawnSync(
    'tshark',
    [
      '-r',
      path,
      '-T',
      'fields',
      ...['number', 'time_epoch', 'len', 'cap_len', 'interface_id'].flatMap((f) => ['-e', `frame.${f}`]),
    ],
    { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
  );
  if (live.status !== 0) throw new Error(`tshark failed on ${path}: ${live.stderr}`);
  return parseGolden(`# source: ${path}\n${live.stdout}`).rows;
}

// The repository holds no NetMon file from a real capture: editcap writes NetMon 1.x and 2.0 copies
// of vendored captures and recorded traces (IPv4, IPv6, pcap and pcapng sources), and tshark reads them.
const NETMON_SOURCES = [
  'zeek/Traces/tcp/handshake-reorder.pcap',
  'zeek/Traces/http/get-to-ssh-server.pcap',
  'public/traces/open-client.pcapng',
  'public/traces/open-ipv6-client.pcapng',
  'public/traces/closed-rst-client.pcapng',
];
const netmon = tshark.skip ? tshark : editcap;
describe.skipIf(netmon.skip)(`NetMon copies made by editcap: frames equal tshark’s${netmon.note}`, () => {
  it.each(NETMON_SOURCES.flatMap((source) => [[source, 'netmon1'] as const, [source, 'netmon2'] as const]))(
    '%s as %s',
    (source, format) => {
      const path = netmonCopy(source, format);
      const rows = tsharkRows(path);
      expect(rows.length).toBeGreaterThan(1);
      const { frames, format: read } = readWithSections(new Uint8Array(readFileSync(path)));
      expect(read).toBe('netmon');
      compareWithGolden(`${source} (${format})`, path, rows);
      expect(frames.length).toBe(rows.length);
    },
  );
});

describe.skipIf(tshark.skip)(`golden files are current (live tshark)${tshark.note}`, () => {
  it.each(inRepo)('%s', (name) => {
    const { source, rows } = parseGolden(readFileSync(join(goldenDir, name), 'utf8'));
    expect(tsharkRows(capturePath(source))).toEqual(rows);
  });
});
