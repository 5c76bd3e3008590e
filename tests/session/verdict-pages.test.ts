// The verdicts a panel pages through (TraceSession.attempts, the Worker's 'attempts' request):
// the counts of each verdict first, then any verdict's attempts a page at a time, together
// exactly the capture's attempts in capture order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { capturePath, requireExtraCorpus } from '../support/corpus.ts';

const extra = requireExtraCorpus();
const load = (path: string) => loadCaptureBytes(new Uint8Array(readFileSync(capturePath(path))));

/** Pages of `PAGE` attempts of each verdict, read until a short page, hold exactly that verdict's attempts. */
function checkPages(name: string, capture: ReturnType<typeof load>, PAGE: number): void {
  const session = new TraceSession(name, 0, capture);
  const { attemptCount, verdictCounts } = session.summary;
  const all = session.attempts(0, attemptCount);
  expect(all).toHaveLength(attemptCount);
  expect(Object.values(verdictCounts).reduce((a, b) => a + b, 0)).toBe(attemptCount);
  const seen = new Set<string>();
  for (const verdict of VERDICTS) {
    const pages = [];
    for (let from = 0; ; from += PAGE) {
      const page = session.attempts(from, PAGE, verdict);
      pages.push(...page);
      if (page.length < PAGE) break;
    }
    expect(pages).toHaveLength(verdictCounts[verdict] ?? 0);
    for (const a of pages) expect(a.verdict).toBe(verdict);
    // In capture order: the same order as the whole list.
    expect(pages.map((a) => a.id)).toEqual(all.filter((a) => a.verdict === verdict).map((a) => a.id));
    for (const a of pages) seen.add(a.id);
  }
  expect(seen.size).toBe(attemptCount);
}

describe('verdict pages', () => {
  // Recorded client captures, several attempts each (refusals retried, scenario 3's two ports):
  // pages of 1 and 2 make many short pages.
  it.each(['public/traces/article-closed-client.pcapng', 'public/traces/article-success-client.pcapng'])(
    '%s: per-verdict pages add up to every attempt, each page holding only its verdict',
    (path) => {
      for (const page of [1, 2]) checkPages(path, load(path), page);
    },
  );

  it.skipIf(extra.skip)(`synscan (1,994 attempts): per-verdict pages of 100 add up to every attempt${extra.note}`, () =>
    checkPages('synscan', load('packets/synscan.pcapng'), 100),
  );
});
