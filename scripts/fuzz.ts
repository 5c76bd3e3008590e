// npm run fuzz [-- --seed N --cases N --target readers|decoders|filters|all --max-bytes N --no-sweep]
// npm run fuzz -- --replay bench-data/fuzz-failures/FILE   (one saved failing input, again)
//
// Deterministic fuzzing of the capture readers, the decoders behind them (with the TCP
// analysis, the classifier and the describers) and the display-filter compiler. Prints a table
// per target and mutation kind, writes every failing input to bench-data/fuzz-failures/, and
// exits 1 when any case failed. See docs/FUZZING.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { TARGETS, formatTable, runCampaign, type Failure, type Target } from './fuzz/campaign.ts';
import { filterCaptures, runCaptureCase, runFilterCase } from './fuzz/core.ts';

const FAILURE_DIR = 'bench-data/fuzz-failures';

function usage(): never {
  console.error(
    'usage: npm run fuzz -- [--seed N] [--cases N] [--target readers|decoders|filters|all] [--max-bytes N] [--no-sweep] | --replay FILE',
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let seed = 1;
let cases: number | undefined;
let target: Target | 'all' = 'all';
let maxBytes = 256 * 1024;
let sweep = true;
for (let i = 0; i < args.length; i++) {
  const value = args[i + 1];
  switch (args[i]) {
    case '--seed':
      seed = Number(value);
      i++;
      break;
    case '--cases':
      cases = Number(value);
      i++;
      break;
    case '--target':
      if (value !== 'all' && !TARGETS.includes(value as Target)) usage();
      target = value as Target | 'all';
      i++;
      break;
    case '--max-bytes':
      maxBytes = Number(value);
      i++;
      break;
    case '--replay': {
      // A saved failure: .txt is a filter, anything else a capture.
      if (!value) usage();
      const input = readFileSync(value);
      const result = value.endsWith('.txt')
        ? runFilterCase(input.toString('utf8'), filterCaptures())
        : await runCaptureCase(new Uint8Array(input), 1);
      console.log(`${result.outcome} in ${result.ms.toFixed(1)} ms${result.reason ? `: ${result.reason}` : ''}`);
      process.exit(result.outcome === 'failure' ? 1 : 0);
      break;
    }
    case '--no-sweep':
      sweep = false;
      break;
    case '--help':
    case '-h':
      usage();
      break;
    default:
      usage();
  }
}
if (!Number.isInteger(seed) || (cases !== undefined && !(Number.isInteger(cases) && cases >= 0))) usage();

// Default run: 100,000 capture cases (readers and decoders together) and 100,000 filters.
const defaults: Record<Target, number> = { readers: 60_000, decoders: 40_000, filters: 100_000 };
const perTarget: Partial<Record<Target, number>> = {};
for (const t of TARGETS)
  if (target === 'all' || target === t) perTarget[t] = cases ?? (target === 'all' ? defaults[t] : defaults[t]);

let written = 0;
function save(failure: Failure): void {
  mkdirSync(FAILURE_DIR, { recursive: true });
  const base = `${FAILURE_DIR}/seed${seed}-${failure.target}-${failure.mutation}-case${failure.caseNumber}`;
  writeFileSync(failure.target === 'filters' ? `${base}.txt` : `${base}.bin`, failure.input);
  writeFileSync(`${base}.reason.txt`, `seed file: ${failure.seedName}\n${failure.reason}\n`);
  written++;
  console.error(
    `FAIL ${failure.target}/${failure.mutation} case ${failure.caseNumber} (${failure.seedName}): ${failure.reason.split('\n')[0]}`,
  );
}

console.log(`fuzz: seed ${seed}, cases ${JSON.stringify(perTarget)}`);
const result = await runCampaign({
  seed,
  cases: perTarget,
  seedOptions: { maxBytes },
  // Every block/record boundary ±1 byte of every seed with up to 40 blocks; about 120 cuts of
  // each bigger one (readers target only).
  boundarySweep: sweep ? { maxCutsPerSeed: 120 } : undefined,
  onFailure: save,
  onProgress: (t, done, total) =>
    process.stderr.write(`  ${t}: ${done}${total >= 0 ? `/${total}` : ' (boundary sweep)'}\r`),
});
process.stderr.write('\n');
console.log(`${result.seeds} seed files; ${result.seconds.toFixed(1)} s`);
console.log(formatTable(result.rows));
if (result.failures.length > 0) {
  console.log(`\n${result.failures.length} failing case(s); inputs in ${FAILURE_DIR}/ (${written} written)`);
  process.exit(1);
}
console.log('\nno failures');
