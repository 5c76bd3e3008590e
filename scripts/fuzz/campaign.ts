// A fuzzing campaign: N cases per target, spread evenly over mutation kinds and seeds, all
// drawn from one seeded PRNG. Used by `npm run fuzz` and by tests/fuzz/fuzz.test.ts.
import {
  DECODER_MUTATIONS,
  DEFAULT_LIMITS,
  FILTER_MUTATIONS,
  READER_MUTATIONS,
  Rng,
  filterCaptures,
  frameSeeds,
  loadSeeds,
  mutateFile,
  mutateFrames,
  randomFilter,
  runCaptureCase,
  runFilterCase,
  type CaseLimits,
  type CaseResult,
  type Seed,
  type SeedOptions,
} from './core.ts';

export type Target = 'readers' | 'decoders' | 'filters';
export const TARGETS: readonly Target[] = ['readers', 'decoders', 'filters'];

export interface Row {
  target: Target;
  mutation: string;
  cases: number;
  typedErrors: number;
  ok: number;
  failures: number;
  totalMs: number;
  slowestMs: number;
  slowestCase: number;
  /** Input size of the slowest case. */
  slowestBytes: number;
  maxAllocated: number;
  /** Input size of the case with the largest allocation. */
  maxAllocatedBytes: number;
}

export interface Failure {
  target: Target;
  mutation: string;
  caseNumber: number;
  seedName: string;
  reason: string;
  /** The input: capture bytes, or the filter text as UTF-8. */
  input: Uint8Array;
}

export interface CampaignOptions {
  seed: number;
  /** Cases per target. */
  cases: Partial<Record<Target, number>>;
  seedOptions?: SeedOptions;
  limits?: CaseLimits;
  onFailure?: (failure: Failure) => void;
  onProgress?: (target: Target, done: number, total: number) => void;
  /**
   * Also cut every seed at every block/record boundary and ±1 byte (mutation
   * 'truncate-every-boundary'), at most about this many cuts per seed (see pickCuts); 0 = no sweep.
   */
  boundarySweep?: { maxCutsPerSeed: number; maxSeeds?: number };
  /** Keep collecting after this many failures? (default: stop a target after 50) */
  maxFailuresPerTarget?: number;
}

export interface CampaignResult {
  rows: Row[];
  failures: Failure[];
  seeds: number;
  seconds: number;
}

function rowFor(rows: Map<string, Row>, target: Target, mutation: string): Row {
  const key = `${target}/${mutation}`;
  let row = rows.get(key);
  if (!row) {
    row = {
      target,
      mutation,
      cases: 0,
      typedErrors: 0,
      ok: 0,
      failures: 0,
      totalMs: 0,
      slowestMs: 0,
      slowestCase: -1,
      slowestBytes: 0,
      maxAllocated: 0,
      maxAllocatedBytes: 0,
    };
    rows.set(key, row);
  }
  return row;
}

function count(row: Row, result: CaseResult, caseNumber: number, inputBytes: number): void {
  row.cases++;
  row.totalMs += result.ms;
  if (result.ms > row.slowestMs) {
    row.slowestMs = result.ms;
    row.slowestCase = caseNumber;
    row.slowestBytes = inputBytes;
  }
  if (result.allocated > row.maxAllocated) {
    row.maxAllocated = result.allocated;
    row.maxAllocatedBytes = inputBytes;
  }
  if (result.outcome === 'ok') row.ok++;
  else if (result.outcome === 'typed-error') row.typedErrors++;
  else row.failures++;
}

const utf8 = new TextEncoder();

/**
 * All cuts when there are few; otherwise the first half of the budget in file order (file
 * header, first blocks: where most structure is) and the rest spread evenly over the file, so
 * the sweep stays linear in the file size rather than quadratic.
 */
function pickCuts(sorted: number[], max: number): number[] {
  if (sorted.length <= max) return sorted;
  const head = Math.floor(max / 2);
  const picked = sorted.slice(0, head);
  const rest = sorted.slice(head);
  const spread = max - head;
  for (let i = 0; i < spread; i++) picked.push(rest[Math.floor((i * rest.length) / spread)]);
  picked.push(sorted[sorted.length - 1]);
  return [...new Set(picked)];
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const limits = options.limits ?? DEFAULT_LIMITS;
  const maxFailures = options.maxFailuresPerTarget ?? 50;
  const rows = new Map<string, Row>();
  const failures: Failure[] = [];
  const fail = (failure: Failure): void => {
    failures.push(failure);
    options.onFailure?.(failure);
  };
  const readerCases = options.cases.readers ?? 0;
  const decoderCases = options.cases.decoders ?? 0;
  const filterCases = options.cases.filters ?? 0;
  const seeds: Seed[] = readerCases + decoderCases > 0 ? loadSeeds(options.seedOptions) : [];

  // Each target gets its own PRNG stream, so changing one target's case count leaves the others' cases alone.
  if (readerCases > 0) {
    const rng = new Rng(options.seed ^ 0x52454144);
    let failed = 0;
    for (let c = 0; c < readerCases && failed < maxFailures; c++) {
      const mutation = READER_MUTATIONS[c % READER_MUTATIONS.length];
      const seed = seeds[Math.floor(c / READER_MUTATIONS.length) % seeds.length];
      const input = mutateFile(seed, mutation, rng, rng.pick(seeds));
      const result = await runCaptureCase(input, rng.int(0x100000000), limits);
      count(rowFor(rows, 'readers', mutation), result, c, input.length);
      if (result.outcome === 'failure') {
        failed++;
        fail({ target: 'readers', mutation, caseNumber: c, seedName: seed.name, reason: result.reason ?? '', input });
      }
      if (c % 1000 === 999) options.onProgress?.('readers', c + 1, readerCases);
    }
  }

  if (readerCases > 0 && options.boundarySweep && options.boundarySweep.maxCutsPerSeed > 0) {
    const { maxCutsPerSeed, maxSeeds } = options.boundarySweep;
    const rng = new Rng(options.seed ^ 0x43555453);
    const mutation = 'truncate-every-boundary';
    let failed = 0;
    let c = 0;
    const swept =
      maxSeeds === undefined
        ? seeds
        : seeds.filter((_, i) => i % Math.max(1, Math.floor(seeds.length / maxSeeds)) === 0).slice(0, maxSeeds);
    for (const seed of swept) {
      if (failed >= maxFailures) break;
      const cuts = new Set<number>();
      for (const b of seed.blocks)
        for (const edge of [b.offset, b.offset + b.length])
          for (const delta of [-1, 0, 1])
            if (edge + delta >= 0 && edge + delta <= seed.bytes.length) cuts.add(edge + delta);
      for (const cut of pickCuts(
        [...cuts].sort((a, b) => a - b),
        maxCutsPerSeed,
      )) {
        const input = seed.bytes.slice(0, cut);
        const result = await runCaptureCase(input, rng.int(0x100000000), limits);
        count(rowFor(rows, 'readers', mutation), result, c, input.length);
        if (result.outcome === 'failure') {
          failed++;
          fail({
            target: 'readers',
            mutation,
            caseNumber: c,
            seedName: `${seed.name} cut at ${cut}`,
            reason: result.reason ?? '',
            input,
          });
          if (failed >= maxFailures) break;
        }
        c++;
        if (c % 5000 === 0) options.onProgress?.('readers', c, -1);
      }
    }
  }

  if (decoderCases > 0) {
    const frameSets = frameSeeds(seeds).filter((s) => s.frames.length > 0);
    const rng = new Rng(options.seed ^ 0x4445434f);
    let failed = 0;
    for (let c = 0; c < decoderCases && failed < maxFailures; c++) {
      const mutation = DECODER_MUTATIONS[c % DECODER_MUTATIONS.length];
      const frames = frameSets[Math.floor(c / DECODER_MUTATIONS.length) % frameSets.length];
      const input = mutateFrames(frames, mutation, rng, rng.pick(frameSets));
      const result = await runCaptureCase(input, rng.int(0x100000000), limits);
      count(rowFor(rows, 'decoders', mutation), result, c, input.length);
      if (result.outcome === 'failure') {
        failed++;
        fail({
          target: 'decoders',
          mutation,
          caseNumber: c,
          seedName: frames.name,
          reason: result.reason ?? '',
          input,
        });
      }
      if (c % 1000 === 999) options.onProgress?.('decoders', c + 1, decoderCases);
    }
  }

  if (filterCases > 0) {
    const captures = filterCaptures();
    const rng = new Rng(options.seed ^ 0x46494c54);
    let failed = 0;
    for (let c = 0; c < filterCases && failed < maxFailures; c++) {
      const mutation = FILTER_MUTATIONS[c % FILTER_MUTATIONS.length];
      const text = randomFilter(mutation, rng);
      const result = runFilterCase(text, captures, limits.maxMs);
      count(rowFor(rows, 'filters', mutation), result, c, text.length);
      if (result.outcome === 'failure') {
        failed++;
        fail({
          target: 'filters',
          mutation,
          caseNumber: c,
          seedName: 'random',
          reason: result.reason ?? '',
          input: utf8.encode(text),
        });
      }
      if (c % 5000 === 4999) options.onProgress?.('filters', c + 1, filterCases);
    }
  }

  return { rows: [...rows.values()], failures, seeds: seeds.length, seconds: (performance.now() - started) / 1000 };
}

/** The table `npm run fuzz` prints (and FUZZING.md quotes). */
export function formatTable(rows: readonly Row[]): string {
  const header = [
    'target',
    'mutation',
    'cases',
    'typed errors',
    'ok',
    'failures',
    'mean ms',
    'slowest ms (case, input size)',
    'max alloc KiB (input size)',
  ];
  const size = (r: Row) =>
    r.target === 'filters' ? `${r.slowestBytes} chars` : `${(r.slowestBytes / 1024).toFixed(1)} KiB`;
  const cells = (r: Row, mutation: string) => [
    r.target,
    mutation,
    String(r.cases),
    String(r.typedErrors),
    String(r.ok),
    String(r.failures),
    (r.totalMs / Math.max(1, r.cases)).toFixed(2),
    `${r.slowestMs.toFixed(1)} (#${r.slowestCase}, ${size(r)})`,
    r.target === 'filters'
      ? '-'
      : `${(r.maxAllocated / 1024).toFixed(0)} (${(r.maxAllocatedBytes / 1024).toFixed(1)} KiB)`,
  ];
  const body = rows.map((r) => cells(r, r.mutation));
  const totals = new Map<Target, Row>();
  for (const r of rows) {
    const t = totals.get(r.target) ?? {
      ...r,
      cases: 0,
      typedErrors: 0,
      ok: 0,
      failures: 0,
      totalMs: 0,
      slowestMs: 0,
      slowestCase: -1,
      slowestBytes: 0,
      maxAllocated: 0,
      maxAllocatedBytes: 0,
    };
    t.cases += r.cases;
    t.typedErrors += r.typedErrors;
    t.ok += r.ok;
    t.failures += r.failures;
    t.totalMs += r.totalMs;
    if (r.slowestMs > t.slowestMs) {
      t.slowestMs = r.slowestMs;
      t.slowestCase = r.slowestCase;
      t.slowestBytes = r.slowestBytes;
    }
    if (r.maxAllocated > t.maxAllocated) {
      t.maxAllocated = r.maxAllocated;
      t.maxAllocatedBytes = r.maxAllocatedBytes;
    }
    totals.set(r.target, t);
  }
  for (const t of totals.values()) body.push(cells(t, 'ALL'));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
