// Grading a filter challenge by what the filter means, not by what it happens to show on one
// trace. A blocked trace holds only the client's SYNs, so "tcp.srcport==57475" shows exactly the
// frames "tcp.port==57475" shows there; the difference appears only where the server answered.
// So a learner's filter is run on the lesson's trace and on hidden variants (the same
// conversation answered, other sessions beside it), and must show the reference's frames on each.
// The feedback names the packets it would hide or wrongly show, and where.

/** One trace the filter was run on, with the frames the reference answer and the learner's filter show. */
export interface ChallengeRun {
  /** How the feedback names this trace, e.g. "the same conversation, answered". */
  label: string;
  /** The lesson's own trace (the learner sees it) or a hidden variant. */
  hidden: boolean;
  /** Frame numbers the reference answer shows. */
  want: readonly number[];
  /** Frame numbers the learner's filter shows. */
  got: readonly number[];
}

/** Where a run went wrong: the frames the learner's filter hides and those it shows wrongly. */
export interface ChallengeMiss {
  run: ChallengeRun;
  missing: number[];
  extra: number[];
}

export interface ChallengeGrade {
  right: boolean;
  /** Runs whose frames differ from the reference's, the lesson's trace first. */
  misses: ChallengeMiss[];
}

export function gradeChallenge(runs: readonly ChallengeRun[]): ChallengeGrade {
  const misses: ChallengeMiss[] = [];
  for (const run of runs) {
    const got = new Set(run.got);
    const want = new Set(run.want);
    const missing = run.want.filter((f) => !got.has(f));
    const extra = run.got.filter((f) => !want.has(f));
    if (missing.length || extra.length) misses.push({ run, missing, extra });
  }
  misses.sort((a, b) => Number(a.run.hidden) - Number(b.run.hidden));
  return { right: misses.length === 0, misses };
}

/** How many packets a feedback line names before "and N more". */
export const NAMED_PACKETS = 3;

/** The frames of a miss the feedback names, per kind, so a caller can fetch their rows first. */
export function framesToName(miss: ChallengeMiss): number[] {
  return [...miss.missing.slice(0, NAMED_PACKETS), ...miss.extra.slice(0, NAMED_PACKETS)];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function packetList(frames: number[], describe: (frame: number) => string | undefined): string {
  const named = frames.slice(0, NAMED_PACKETS).map((f) => {
    const text = describe(f);
    return text ? `frame ${f} (${text})` : `frame ${f}`;
  });
  const rest = frames.length - named.length;
  return named.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}

/**
 * The sentence shown after a try. `describe` gives a packet's one-line summary (src → dst and
 * Wireshark's Info) for a frame of a run, when the caller has it.
 */
export function challengeFeedback(
  filter: string,
  grade: ChallengeGrade,
  runs: readonly ChallengeRun[],
  describe: (run: ChallengeRun, frame: number) => string | undefined,
): string {
  const shown = filter.trim();
  if (grade.right) {
    const lesson = runs.find((r) => !r.hidden);
    const others = runs.filter((r) => r.hidden).length;
    return (
      `Right: “${shown}” shows exactly the ${plural(lesson?.want.length ?? 0, 'frame', 'frames')} asked for` +
      (others
        ? `, and does the same on ${plural(others, 'other capture', 'other captures')} where the server answered.`
        : '.')
    );
  }
  if (!shown) return 'Not yet: an empty filter shows everything.';
  const miss = grade.misses[0];
  const name = (f: number) => describe(miss.run, f);
  const parts: string[] = [];
  if (miss.missing.length) parts.push(`it would hide ${packetList(miss.missing, name)}`);
  if (miss.extra.length) parts.push(`it would also show ${packetList(miss.extra, name)}`);
  if (!miss.run.hidden) return `Not yet: ${parts.join('; ')}.`;
  return (
    `Not yet. On this trace “${shown}” happens to show the right frames, but not because of what it means. ` +
    `On ${miss.run.label}, ${parts.join('; ')}.`
  );
}
