// The filter suite (tests/filter/suite.txt) against tshark 4.0, frame for frame, from the golden
// files written by scripts/golden-filters.sh. Every intentional difference is listed in
// tests/filter/differences.tsv with its reason (and explained in docs/FILTERS.md); a listed
// difference that no longer differs fails too, so the list stays true.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { capturePath, isExtra, requireExtraCorpus } from '../support/corpus.ts';

const GOLDEN = 'tests/golden/filters';

const rows = (path: string): string[][] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));

const suite = readFileSync('tests/filter/suite.txt', 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** filter → capture name ("*" for all, "error" for the error message) → reason. */
const differences = new Map<string, string>();
for (const [filter, capture, reason] of rows('tests/filter/differences.tsv'))
  differences.set(`${filter}\t${capture}`, reason);
const knownDifference = (filter: string, capture: string): boolean =>
  differences.has(`${filter}\t${capture}`) || differences.has(`${filter}\t*`);

const errors = rows(`${GOLDEN}/errors.tsv`).map(([filter, message, start, end]) => ({
  filter,
  message,
  start: Number(start),
  end: Number(end),
}));
const captureFiles = readdirSync(GOLDEN).filter((name) => name.endsWith('.tsv') && name !== 'errors.tsv');

const extra = requireExtraCorpus();

/**
 * The capture a golden file was made from (as capturePath() names it), and why it cannot be
 * compared here: an unlicensed capture without the opt-in extra corpus, or a recorded trace
 * re-recorded since the goldens were made ('' when it can).
 */
function goldenCapture(name: string): { source: string; path: string; skipNote: string } {
  const [source, sha256] = readFileSync(`${GOLDEN}/${name}`, 'utf8').split('\n')[0].replace(/^# /, '').split('\t');
  if (isExtra(source) && extra.skip) return { source, path: '', skipNote: extra.note };
  const path = capturePath(source);
  const current = existsSync(path) && createHash('sha256').update(readFileSync(path)).digest('hex') === sha256;
  return {
    source,
    path,
    skipNote: current ? '' : ' [skipped: changed since the goldens were made: run scripts/golden-filters.sh]',
  };
}

describe('the golden files cover the suite', () => {
  it('has at least 150 filters, and at least 10 captures present and unchanged since the goldens were made', () => {
    expect(suite.length).toBeGreaterThanOrEqual(150);
    expect(captureFiles.filter((name) => goldenCapture(name).skipNote === '').length).toBeGreaterThanOrEqual(10);
  });

  it('has every suite filter either as an error or in every capture file', () => {
    const invalid = new Set(errors.map((e) => e.filter));
    for (const name of captureFiles) {
      const valid = new Set(rows(`${GOLDEN}/${name}`).map(([filter]) => filter));
      for (const filter of suite) expect(invalid.has(filter) || valid.has(filter), `${filter} in ${name}`).toBe(true);
    }
  });
});

describe('invalid filters: rejected like tshark, with the span on the same token', () => {
  it.each(errors)('$filter', ({ filter, message, start, end }) => {
    const result = compileFilter(filter);
    expect(result.ok, 'tshark rejects this filter').toBe(false);
    if (result.ok) return;
    if (!knownDifference(filter, 'error')) expect(result.error.message).toBe(message);
    if (start >= 0) {
      // Past the end (a missing closing quote) tshark marks the position after the last character.
      expect(result.error.start).toBe(start);
      expect(filter.slice(result.error.start, result.error.end)).toBe(filter.slice(start, end));
    } else {
      // tshark marks nothing when the filter ends too early; we mark the end.
      expect(result.error.start).toBe(filter.length);
    }
  });
});

for (const name of captureFiles) {
  const { source, path, skipNote } = goldenCapture(name);
  // A capture re-recorded since the goldens were made is skipped here (live.test.ts still runs
  // tshark on the project's ICMP traces); rerun scripts/golden-filters.sh to bring it back.
  describe.skipIf(skipNote !== '')(`${source}${skipNote}`, () => {
    const expected = rows(`${GOLDEN}/${name}`);
    const captureName = name.replace(/\.tsv$/, '');

    it("gives tshark's frames for every valid filter (except the documented differences)", () => {
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(path)));
      const mismatches: string[] = [];
      const stale: string[] = [];
      for (const [filter, frames] of expected) {
        const result = compileFilter(filter);
        if (!result.ok) {
          mismatches.push(`${filter}: rejected (${result.error.message}) but tshark accepts it`);
          continue;
        }
        const ours = Array.from(result.filter.run(capture), (i) => capture.packets[i].number).join(',');
        const differs = ours !== (frames ?? '');
        if (knownDifference(filter, captureName)) {
          // A capture-specific entry must still differ; a "*" entry covers captures where it may not.
          if (!differs && !differences.has(`${filter}\t*`)) stale.push(filter);
        } else if (differs)
          mismatches.push(`${filter}\n    tshark: ${frames || '(none)'}\n    ours:   ${ours || '(none)'}`);
      }
      expect(mismatches, mismatches.join('\n')).toEqual([]);
      expect(stale, 'listed in differences.tsv but no longer different').toEqual([]);
    });
  });
}
