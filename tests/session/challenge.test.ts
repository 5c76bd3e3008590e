// The lessons' filter challenges, graded as the widget grades them: the learner's filter and the
// reference answer run on the lesson's trace and on its hidden variants (read from the lessons'
// own source), through the same session the Worker uses. Filters that only look right on the
// lesson's trace must fail, with feedback naming the packets they would hide.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSession, type TraceSession } from '../../src/lib/session/session.ts';
import { challengeFeedback, framesToName, gradeChallenge, type ChallengeRun } from '../../src/lib/session/challenge.ts';

interface Challenge {
  lesson: string;
  trace: string;
  answer: string;
  variants: Array<{ trace: string; label: string }>;
}

// Each <FilterChallenge …> of the lessons, with its trace, answer and variants as written there.
const challenges: Challenge[] = readdirSync('src/content/docs/lessons').flatMap((file) => {
  const source = readFileSync(`src/content/docs/lessons/${file}`, 'utf8');
  return [...source.matchAll(/<FilterChallenge([^\n]*)\/>/g)].map((m) => {
    const tag = m[1];
    const variants = [
      ...(/variants=\{(\[.*\])\}/.exec(tag)?.[1] ?? '[]').matchAll(/trace: '([^']+)', label: (['"])(.*?)\2/g),
    ];
    return {
      lesson: file.replace(/\.mdx$/, ''),
      trace: /\btrace="([^"]+)"/.exec(tag)![1],
      answer: /\banswer="([^"]+)"/.exec(tag)![1],
      variants: variants.map((v) => ({ trace: v[1], label: v[3] })),
    };
  });
});

const sessions = new Map<string, Promise<TraceSession>>();
function session(url: string): Promise<TraceSession> {
  let s = sessions.get(url);
  if (!s) {
    const bytes = new Uint8Array(readFileSync(`public${url}`));
    s = openSession(url, [bytes] as unknown as AsyncIterable<Uint8Array>, bytes.length);
    sessions.set(url, s);
  }
  return s;
}

function frames(s: TraceSession, filter: string): number[] {
  const outcome = s.filter(filter);
  if (!outcome.ok) throw new Error(`${filter}: ${outcome.message}`);
  return Array.from(outcome.indices, (i) => i + 1);
}

async function tryFilter(challenge: Challenge, filter: string) {
  const traces = [
    { url: challenge.trace, label: 'this trace', hidden: false },
    ...challenge.variants.map((v) => ({ url: v.trace, label: v.label, hidden: true })),
  ];
  const runs: ChallengeRun[] = [];
  for (const t of traces) {
    const s = await session(t.url);
    runs.push({ label: t.label, hidden: t.hidden, want: frames(s, challenge.answer), got: frames(s, filter) });
  }
  const grade = gradeChallenge(runs);
  const miss = grade.misses[0];
  const rows = miss
    ? (await session(traces[runs.indexOf(miss.run)].url)).rows(framesToName(miss).map((f) => f - 1))
    : [];
  const feedback = challengeFeedback(filter, grade, runs, (_run, f) => {
    const row = rows.find((r) => r.number === f);
    return row && `${row.src} → ${row.dst} ${row.info}`;
  });
  return { grade, feedback, runs };
}

const scenario1 = challenges.find((c) => c.lesson === 'scenario-1-blocked')!;
const scenario3 = challenges.find((c) => c.lesson === 'scenario-3-success')!;

describe('every challenge', () => {
  it('has hidden variants, on which the reference answer shows something', async () => {
    expect(challenges.length).toBeGreaterThanOrEqual(2);
    for (const c of challenges) {
      expect(c.variants.length, c.lesson).toBeGreaterThan(0);
      let shown = 0;
      for (const v of c.variants) shown += frames(await session(v.trace), c.answer).length;
      expect(shown, c.lesson).toBeGreaterThan(0);
    }
  });

  it.each(challenges.map((c) => [c.lesson, c] as const))('%s: the reference answer is right', async (_, c) => {
    const { grade, feedback } = await tryFilter(c, c.answer);
    expect(grade.right).toBe(true);
    expect(feedback).toMatch(/^Right/);
  });
});

describe('scenario 1: the whole conversation, both directions', () => {
  // each of these shows exactly the reference's frames on the blocked trace
  it.each(['tcp.srcport==57475', 'tcp', 'tcp.port==3389', 'ip.addr==10.0.0.2', 'tcp.dstport==3389'])(
    '“%s” looks right on the blocked trace and is graded wrong',
    async (filter) => {
      const { grade, feedback, runs } = await tryFilter(scenario1, filter);
      expect(runs[0].got).toEqual(runs[0].want);
      expect(grade.right).toBe(false);
      expect(grade.misses[0].run.hidden).toBe(true);
      expect(feedback).toContain('happens to show the right frames');
    },
  );

  it('the feedback on tcp.srcport names the server’s SYN/ACK it would hide', async () => {
    const { feedback } = await tryFilter(scenario1, 'tcp.srcport==57475');
    expect(feedback).toMatch(/it would hide frame 11 \(10\.0\.0\.2 → 10\.0\.0\.1 3389 → 57475 \[SYN, ACK\]/);
  });

  it('the feedback on tcp.port==3389 names the other session it would show', async () => {
    const { feedback } = await tryFilter(scenario1, 'tcp.port==3389');
    expect(feedback).toMatch(/it would also show frame 15 \(10\.0\.0\.1 → 10\.0\.0\.10 57476 → 3389 \[SYN\]/);
  });

  it.each(['tcp.port==57475', 'tcp.srcport==57475 || tcp.dstport==57475', 'tcp.port in {57475}'])(
    '“%s” means the whole conversation and is right',
    async (filter) => {
      expect((await tryFilter(scenario1, filter)).grade.right).toBe(true);
    },
  );
});

describe('scenario 3: only the SYN/ACKs', () => {
  it('a filter tied to this trace’s client address fails on another capture', async () => {
    const filter = 'tcp.flags.syn==1 && ip.src!=10.0.0.1';
    const { grade, runs } = await tryFilter(scenario3, filter);
    expect(runs[0].got).toEqual(runs[0].want);
    expect(grade.right).toBe(false);
  });

  it('a filter on this trace’s server addresses hides and shows the wrong packets elsewhere, and says which', async () => {
    const filter = 'tcp.flags.syn==1 && (ip.src==10.0.0.2 || ip.src==10.0.0.10)';
    const { grade, feedback, runs } = await tryFilter(scenario3, filter);
    expect(runs[0].got).toEqual(runs[0].want);
    expect(grade.right).toBe(false);
    expect(feedback).toContain("On a Linux client's capture of an open port");
    expect(feedback).toMatch(/it would hide frame 2 \(10\.0\.1\.20 → 10\.0\.0\.10 88 → 51203 \[SYN, ACK\]/);
    expect(feedback).toMatch(/it would also show frame 1 \(10\.0\.0\.10 → 10\.0\.1\.20 51203 → 88 \[SYN\]/);
  });
});
