// The verdicts a panel pages through (TraceSession.attempts, the Worker's 'attempts' request):
// the counts of each verdict first, then any verdict's attempts a page at a time, together
// exactly the capture's attempts in capture order.
import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERDICTS, type Verdict } from '../../src/lib/analysis/index.ts';
import { verdictSummary } from '../../src/lib/analyzer/expert.ts';
import { tcpStreamsOf } from '../../src/lib/analysis/tcp-streams.ts';
import { Layer, storeOf } from '../../src/lib/store/packet-store.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { openSession, TraceSession } from '../../src/lib/session/session.ts';
import type { VerdictTally } from '../../src/lib/session/verdict-view.ts';
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

/** nmap's version scan of one host (Zeek's test trace): 17 attempts, connected, refused, no response and inconclusive. */
const NMAP = 'zeek/Traces/nmap-vsn.pcap';
/** 100 LDAP connections, every one connected: pages of 10 end exactly at the last attempt. */
const LDAP = 'zeek/Traces/ldap/ldap-max-recursion.pcap';

describe('verdict pages on the vendored corpus', () => {
  it('nmap-vsn: counts first, then each verdict a page at a time, in pages of 1, 3 and 5', () => {
    const capture = load(NMAP);
    const { verdictCounts, attemptCount } = new TraceSession(NMAP, 0, capture).summary;
    expect(attemptCount).toBe(17);
    expect(verdictCounts).toEqual({ connected: 3, refused: 6, 'no-response': 2, inconclusive: 6 });
    for (const page of [1, 3, 5]) checkPages(NMAP, capture, page);
  });

  it("nmap-vsn: a verdict's last page holds what is left; past it, and a verdict no attempt has, are empty pages", () => {
    const session = new TraceSession(NMAP, 0, load(NMAP));
    const refused = session.attempts(0, 6, 'refused');
    expect(refused).toHaveLength(6);
    // pages of 5: the second and last holds the sixth refusal only
    expect(session.attempts(5, 5, 'refused').map((a) => a.id)).toEqual([refused[5].id]);
    expect(session.attempts(6, 5, 'refused')).toEqual([]);
    expect(session.attempts(100, 5)).toEqual([]);
    // no attempt of nmap-vsn is half-open: its count is absent and its pages are empty
    expect(session.summary.verdictCounts['half-open']).toBeUndefined();
    expect(session.attempts(0, 10, 'half-open')).toEqual([]);
  });

  it('ldap-max-recursion: 100 attempts in pages of 10, the last one full and nothing after it', () => {
    const session = new TraceSession(LDAP, 0, load(LDAP));
    expect(session.summary.verdictCounts).toEqual({ connected: 100 });
    const last = session.attempts(90, 10, 'connected');
    expect(last).toHaveLength(10);
    expect(last.map((a) => a.id)).toEqual(session.attempts(90, 10).map((a) => a.id));
    expect(session.attempts(100, 10, 'connected')).toEqual([]);
    checkPages(LDAP, load(LDAP), 10);
  });

  it.each([NMAP, 'zeek/Traces/rotation.pcap'])(
    '%s: opening a capture tells the counts before it resolves, the last tally being the final counts',
    async (path) => {
      const tallies: VerdictTally[] = [];
      const session = await openSession(path, createReadStream(capturePath(path)), undefined, undefined, {
        onTally: (tally) => tallies.push(structuredClone(tally)),
      });
      expect(tallies.length).toBeGreaterThan(0);
      const final = tallies.at(-1)!;
      expect(final).toEqual({
        attemptCount: session.summary.attemptCount,
        judged: session.summary.attemptCount,
        verdictCounts: session.summary.verdictCounts,
      });
      // a few numbers, whatever the capture: what crosses to the page does not grow with the attempts
      expect(JSON.stringify(final).length).toBeLessThan(200);
    },
  );
});

describe('tables over every attempt read the verdict columns, not views', () => {
  /** What the session gave before: every attempt's view, its first frame that names a TCP stream. */
  function streamVerdictsFromViews(session: TraceSession): Map<number, Verdict> {
    const streams = tcpStreamsOf(session.capture).stream;
    const layers = storeOf(session.capture).columns.layers;
    const out = new Map<number, Verdict>();
    for (const attempt of session.attempts(0, session.summary.attemptCount)) {
      for (const frame of attempt.frames) {
        const index = session.indexOfFrame(frame);
        if (index >= 0 && streams[index] >= 0 && (layers[index] & Layer.IcmpQuote) === 0) {
          out.set(streams[index], attempt.verdict);
          break;
        }
      }
    }
    return out;
  }

  it.each([NMAP, 'zeek/Traces/http/bro.org-filtered.pcap', 'zeek/Traces/pop3/pop3.pcap', LDAP])(
    '%s: TCP conversations carry the verdicts, and the expert summary the counts and streams, that every view gives',
    (path) => {
      const session = new TraceSession(path, 0, load(path));
      const expected = streamVerdictsFromViews(session);
      const rows = session.conversations('tcp');
      const withVerdict = rows.filter((r) => r.verdict !== undefined);
      expect(withVerdict.length).toBe(expected.size);
      for (const row of withVerdict) expect(row.verdict).toBe(expected.get(row.stream!));
      const fromViews = verdictSummary(session.capture, session.attempts(0, session.summary.attemptCount), (f) =>
        session.indexOfFrame(f),
      );
      expect(session.expert().filter((e) => e.severity === 'verdict')).toEqual(fromViews);
    },
  );
});
