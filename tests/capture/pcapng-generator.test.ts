// hadrielk/pcapng-test-generator files: each .pcapng has a .txt listing its block counts and
// block sequence. Our reader must see exactly those blocks, in that order, and produce one frame
// per packet block and one interface per IDB. Comments and directions are compared with tshark.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../src/lib/capture/reader.ts';
import type { CapturedFrame } from '../../src/lib/capture/types.ts';
import { corpusPath, requireCorpus, requireTshark } from '../support/corpus.ts';

const corpus = requireCorpus();

const generatorRoot = corpusPath('pcapng-test-generator');

function generatorFiles(): string[] {
  const files: string[] = [];
  for (const order of ['output_le', 'output_be']) {
    for (const category of readdirSync(join(generatorRoot, order))) {
      for (const name of readdirSync(join(generatorRoot, order, category))) {
        if (name.endsWith('.pcapng')) files.push(`${order}/${category}/${name}`);
      }
    }
  }
  return files.sort();
}

function parseDescription(text: string): { counts: Record<string, number>; sequence: string[] } {
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^\t([A-Z]+): (\d+)$/gm)) counts[match[1]] = Number(match[2]);
  const sequenceLine = /^Block sequence: (.*)$/m.exec(text);
  return { counts, sequence: sequenceLine ? sequenceLine[1].split(',').map((s) => s.trim()) : [] };
}

function readObserved(bytes: Uint8Array): {
  blocks: string[];
  frames: CapturedFrame[];
  interfaces: number;
  comments: string[];
  errored: boolean;
} {
  const blocks: string[] = [];
  const reader = createCaptureReader({ totalBytes: bytes.length, observer: (kind) => blocks.push(kind) });
  const frames = reader.push(bytes);
  const end = reader.finish();
  frames.push(...end.frames);
  return {
    blocks,
    frames,
    interfaces: end.info?.interfaces.length ?? 0,
    comments: end.info?.comments ?? [],
    errored: end.error !== undefined,
  };
}

const files = corpus.skip ? [] : generatorFiles();

describe.skipIf(corpus.skip)(`pcapng-test-generator files match their descriptions${corpus.note}`, () => {
  it('covers both byte orders and all three categories', () => {
    expect(files.length).toBeGreaterThanOrEqual(48);
  });

  it.each(files)('%s', (file) => {
    const bytes = new Uint8Array(readFileSync(join(generatorRoot, file)));
    const { counts, sequence } = parseDescription(
      readFileSync(join(generatorRoot, file.replace(/\.pcapng$/, '.txt')), 'utf8'),
    );
    const observed = readObserved(bytes);
    expect(observed.errored).toBe(false);
    expect(observed.blocks).toEqual(sequence);
    expect(observed.frames.length).toBe((counts.EPB ?? 0) + (counts.SPB ?? 0) + (counts.PB ?? 0));
    expect(observed.interfaces).toBe(counts.IDB ?? 0);
    expect(observed.blocks.filter((b) => b === 'SHB').length).toBe(counts.SHB ?? 0);
  });
});

const tshark = requireTshark();
describe.skipIf(corpus.skip || tshark.skip)(
  `packet comments and directions equal tshark’s (live)${corpus.note || tshark.note}`,
  () => {
    it.each(files.filter((f) => f.startsWith('output_le/')))('%s', (file) => {
      const path = join(generatorRoot, file);
      const live = spawnSync(
        'tshark',
        [
          '-r',
          path,
          '-T',
          'fields',
          '-e',
          'frame.interface_id',
          '-e',
          'frame.comment',
          '-e',
          'frame.packet_flags_direction',
        ],
        {
          encoding: 'utf8',
        },
      );
      // Records without an interface are custom blocks, not packets.
      const rows = live.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\t'))
        .filter(([iface]) => iface !== '');
      const { frames } = readObserved(new Uint8Array(readFileSync(path)));
      expect(frames.length).toBe(rows.length);
      rows.forEach(([, comment, direction], i) => {
        expect((frames[i].comments ?? []).join(','), `frame ${i + 1}`).toBe(comment ?? '');
        const expected = direction === '0x00000001' ? 'received' : direction === '0x00000002' ? 'sent' : undefined;
        expect(frames[i].direction, `frame ${i + 1}`).toBe(expected);
      });
    });

    it('reads the section comment that capinfos reports', () => {
      const path = join(generatorRoot, 'output_le/basic/test007.pcapng');
      const capinfos = spawnSync('capinfos', ['-k', path], { encoding: 'utf8' });
      const reported = [...capinfos.stdout.matchAll(/^Capture comment:\s+(.*)$/gm)].map((m) => m[1]);
      expect(reported.length).toBeGreaterThan(0);
      const bytes = new Uint8Array(readFileSync(path));
      const reader = createCaptureReader();
      reader.push(bytes);
      expect(reader.finish().info?.comments).toEqual(reported);
    });
  },
);
