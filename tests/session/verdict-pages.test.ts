// The verdicts a panel pages through (TraceSession.attempts, the Worker's 'attempts' request):
// the counts of each verdict first, then any verdict's attempts a page at a time, together
// exactly the capture's attempts in capture order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { CORPUS, corpusAvailable } from '../analysis/corpus.ts';

describe.skipIf(!corpusAvailable)('verdict pages', () => {
  it('synscan: per-verdict pages add up to every attempt, each page holding only its verdict', () => {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(`${CORPUS}/packets/synscan.pcapng`)));
    const session = new TraceSession('synscan', 0, capture);
    const { attemptCount, verdictCounts } = session.summary;
    const all = session.attempts(0, attemptCount);
    expect(all).toHaveLength(attemptCount);
    expect(Object.values(verdictCounts).reduce((a, b) => a + b, 0)).toBe(attemptCount);
    const PAGE = 100;
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
  });
});
