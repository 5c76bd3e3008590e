// A short, deterministic slice of `npm run fuzz` (docs/FUZZING.md): a few thousand damaged
// captures through the whole pipeline and a few thousand random filters through the compiler.
// A failure prints the case; `npm run fuzz -- --seed N --target T --cases N` reproduces it and
// writes the input to bench-data/fuzz-failures/.
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult, type Row } from '../../scripts/fuzz/campaign.ts';
import { loadSeeds, mutateFile, Rng, READER_MUTATIONS } from '../../scripts/fuzz/core.ts';

const SEED = 20261126;
const seedOptions = { maxFiles: 150, maxBytes: 64 * 1024, etlFromPcaps: 4 };

function failuresText(result: CampaignResult): string {
  return result.failures
    .map((f) => `${f.target}/${f.mutation} case ${f.caseNumber} (${f.seedName}): ${f.reason.split('\n')[0]}`)
    .join('\n');
}

const total = (rows: Row[], key: 'cases' | 'ok' | 'typedErrors' | 'failures') =>
  rows.reduce((sum, r) => sum + r[key], 0);

describe('fuzz slice', () => {
  it('seeds cover every format the readers know, ETL included', () => {
    const seeds = loadSeeds(seedOptions);
    const magics = new Set(
      seeds.map((s) => Array.from(s.bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')),
    );
    expect(magics).toContain('d4c3b2a1'); // pcap LE
    expect(magics).toContain('0a0d0d0a'); // pcapng
    expect(magics).toContain('474d4255'); // NetMon 2
    expect(seeds.some((s) => s.name.endsWith('.etl'))).toBe(true);
    // Block boundaries are known for the container formats, so truncation can aim at them.
    expect(seeds.filter((s) => s.blocks.length > 2).length).toBeGreaterThan(seeds.length / 2);
  });

  it('mutations are deterministic and actually change the input', () => {
    const seeds = loadSeeds({ maxFiles: 20, etlFromPcaps: 1 });
    const seed = seeds.find((s) => s.blocks.length > 4)!;
    for (const kind of READER_MUTATIONS) {
      const a = mutateFile(seed, kind, new Rng(42), seeds[0]);
      const b = mutateFile(seed, kind, new Rng(42), seeds[0]);
      expect(a, kind).toEqual(b);
    }
    let changed = 0;
    for (let i = 0; i < 50; i++) {
      const out = mutateFile(seed, 'bit-flip', new Rng(i), seed);
      if (out.length !== seed.bytes.length || out.some((x, j) => x !== seed.bytes[j])) changed++;
    }
    expect(changed).toBe(50);
  });

  it('damaged captures: only typed errors, bounded time and memory (readers + decoders)', async () => {
    const result = await runCampaign({
      seed: SEED,
      cases: { readers: 2000, decoders: 1500 },
      seedOptions,
      boundarySweep: { maxCutsPerSeed: 24, maxSeeds: 40 },
      maxFailuresPerTarget: 5,
    });
    expect(failuresText(result)).toBe('');
    const sweep = result.rows.filter((r) => r.mutation === 'truncate-every-boundary');
    expect(total(sweep, 'cases')).toBeGreaterThan(300);
    const readers = result.rows.filter((r) => r.target === 'readers' && r.mutation !== 'truncate-every-boundary');
    const decoders = result.rows.filter((r) => r.target === 'decoders');
    expect(total(readers, 'cases')).toBe(2000);
    expect(total(decoders, 'cases')).toBe(1500);
    // Both outcomes occur, or the mutations are not reaching the readers.
    expect(total(readers, 'typedErrors')).toBeGreaterThan(200);
    expect(total(readers, 'ok')).toBeGreaterThan(200);
  });

  it('random filters: a filter or a FilterError with a span inside the text', async () => {
    const result = await runCampaign({ seed: SEED, cases: { filters: 4000 }, maxFailuresPerTarget: 5 });
    expect(failuresText(result)).toBe('');
    const rows = result.rows;
    expect(total(rows, 'cases')).toBe(4000);
    expect(total(rows, 'ok')).toBeGreaterThan(100);
    expect(total(rows, 'typedErrors')).toBeGreaterThan(100);
  });
});
