// A learner's progress, as plain data: lessons finished, challenges solved, predictions answered,
// practice results per pattern, the practice level, the last assessment. The browser keeps it
// (src/components/practice/progress-store.svelte.ts); nothing here touches storage, so the rules
// — spaced repetition, difficulty, import checks — are tested like any other function.
import { isLevel, isPattern, patternsAt, PATTERNS, type Level, type Pattern } from './patterns.ts';
import type { Random } from './random.ts';

export interface PatternStats {
  /** Exercises of this pattern answered, and answered right in every part. */
  seen: number;
  correct: number;
  /**
   * Leitner box: 0 = just got it wrong (or never seen), up to MAX_BOX after right answers in a
   * row. A pattern in box b comes up with weight 2^-b: the ones got wrong come back most.
   */
  box: number;
}

export interface AssessmentResult {
  /** Milliseconds since 1970. */
  at: number;
  score: number;
  total: number;
  /** Patterns answered wrong, to revisit. */
  revisit: Pattern[];
}

export interface Progress {
  version: 1;
  /** Lesson id ("lessons/taking-a-trace") → when it was marked finished (ms since 1970). */
  lessons: Record<string, number>;
  /** Challenge id → when it was solved. */
  challenges: Record<string, number>;
  /** Prediction id → when answered and whether the prediction was right. */
  predictions: Record<string, { at: number; correct: boolean }>;
  practice: Partial<Record<Pattern, PatternStats>>;
  level: Level;
  /** Exercises answered right in a row at this level (two in a row raise it). */
  streak: number;
  assessment?: AssessmentResult;
}

/** A challenge's id: its trace and reference answer (stable across edits of the lesson's text). */
export const challengeId = (trace: string, answer: string) => `${trace}|${answer}`;
/** A prediction's id: its trace and the port of the attempt it asks about. */
export const predictionId = (trace: string, port: number) => `${trace}|${port}`;

export const MAX_BOX = 4;
/** Right answers in a row that raise the level. */
export const STREAK_TO_LEVEL_UP = 2;

export function emptyProgress(): Progress {
  return { version: 1, lessons: {}, challenges: {}, predictions: {}, practice: {}, level: 1, streak: 0 };
}

/** One practice exercise answered: the pattern's box and the level move. */
export function recordExercise(progress: Progress, pattern: Pattern, correct: boolean): Progress {
  const before = progress.practice[pattern] ?? { seen: 0, correct: 0, box: 0 };
  const stats: PatternStats = {
    seen: before.seen + 1,
    correct: before.correct + (correct ? 1 : 0),
    box: correct ? Math.min(MAX_BOX, before.box + 1) : 0,
  };
  let { level, streak } = progress;
  if (correct) {
    streak += 1;
    if (streak >= STREAK_TO_LEVEL_UP && level < 4) {
      level = (level + 1) as Level;
      streak = 0;
    }
  } else {
    streak = 0;
    if (level > 1) level = (level - 1) as Level;
  }
  return { ...progress, practice: { ...progress.practice, [pattern]: stats }, level, streak };
}

/** How often a pattern should come up now: patterns got wrong (box 0) most, mastered ones least. */
export function patternWeight(progress: Progress, pattern: Pattern): number {
  return 2 ** -(progress.practice[pattern]?.box ?? 0);
}

/** The next pattern to practise at `level`, drawn with the spaced-repetition weights. */
export function nextPattern(progress: Progress, level: Level, random: Random): Pattern {
  const candidates = patternsAt(level);
  return random.weighted(
    candidates,
    candidates.map((p) => patternWeight(progress, p)),
  );
}

export interface ProgressSummary {
  lessonsFinished: number;
  challengesSolved: number;
  predictionsAnswered: number;
  exercises: number;
  exercisesCorrect: number;
  /** Patterns answered wrong last time (box 0 after at least one try). */
  weakPatterns: Pattern[];
}

export function summarize(progress: Progress): ProgressSummary {
  let exercises = 0;
  let exercisesCorrect = 0;
  const weakPatterns: Pattern[] = [];
  for (const pattern of PATTERNS) {
    const stats = progress.practice[pattern];
    if (!stats) continue;
    exercises += stats.seen;
    exercisesCorrect += stats.correct;
    if (stats.box === 0) weakPatterns.push(pattern);
  }
  return {
    lessonsFinished: Object.keys(progress.lessons).length,
    challengesSolved: Object.keys(progress.challenges).length,
    predictionsAnswered: Object.keys(progress.predictions).length,
    exercises,
    exercisesCorrect,
    weakPatterns,
  };
}

// --- files: export and import ---------------------------------------------------------------------

const FILE_KIND = 'porttrace-progress';

export function progressToFile(progress: Progress): string {
  return JSON.stringify({ kind: FILE_KIND, ...progress }, null, 1) + '\n';
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** Keys of a record whose values all pass `check`, or the name of the first one that does not. */
function checkEntries(value: unknown, field: string, check: (entry: unknown) => boolean): string | undefined {
  if (!isRecord(value)) return `"${field}" is not an object`;
  for (const [key, entry] of Object.entries(value)) {
    if (key.length > 300) return `"${field}" has a key longer than 300 characters`;
    if (!check(entry)) return `"${field}.${key}" is not valid`;
  }
  return undefined;
}

/**
 * A progress file read back, or a sentence saying what is wrong with it. Everything is checked,
 * since the file could come from anywhere: unknown fields are dropped, nothing is executed.
 */
export function progressFromFile(text: string): Progress | string {
  if (text.length > 5_000_000) return 'the file is larger than a progress file can be (5 MB)';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (problem) {
    return `not a progress file: it is not JSON (${problem instanceof Error ? problem.message : String(problem)})`;
  }
  if (!isRecord(data) || data.kind !== FILE_KIND) return 'not a progress file: it lacks "kind": "porttrace-progress"';
  if (data.version !== 1)
    return `unsupported progress file version ${JSON.stringify(data.version)} (this site reads 1)`;
  const problem =
    checkEntries(data.lessons, 'lessons', isTime) ??
    checkEntries(data.challenges, 'challenges', isTime) ??
    checkEntries(
      data.predictions,
      'predictions',
      (p) => isRecord(p) && isTime(p.at) && typeof p.correct === 'boolean',
    ) ??
    checkEntries(
      data.practice,
      'practice',
      (s) =>
        isRecord(s) &&
        isCount(s.seen) &&
        isCount(s.correct) &&
        (s.correct as number) <= (s.seen as number) &&
        isCount(s.box) &&
        (s.box as number) <= MAX_BOX,
    );
  if (problem) return problem;
  for (const key of Object.keys(data.practice as object))
    if (!isPattern(key)) return `"practice.${key}" is not a pattern this site knows`;
  if (typeof data.level !== 'number' || !isLevel(data.level)) return '"level" is not 1, 2, 3 or 4';
  if (!isCount(data.streak)) return '"streak" is not a whole number';
  const progress: Progress = {
    version: 1,
    lessons: { ...(data.lessons as Progress['lessons']) },
    challenges: { ...(data.challenges as Progress['challenges']) },
    predictions: Object.fromEntries(
      Object.entries(data.predictions as Progress['predictions']).map(([k, p]) => [
        k,
        { at: p.at, correct: p.correct },
      ]),
    ),
    practice: Object.fromEntries(
      Object.entries(data.practice as Progress['practice']).map(([k, s]) => [
        k,
        { seen: s!.seen, correct: s!.correct, box: s!.box },
      ]),
    ),
    level: data.level,
    streak: data.streak as number,
  };
  if (data.assessment !== undefined) {
    const a = data.assessment;
    if (
      !isRecord(a) ||
      !isTime(a.at) ||
      !isCount(a.score) ||
      !isCount(a.total) ||
      (a.score as number) > (a.total as number) ||
      !Array.isArray(a.revisit) ||
      !a.revisit.every((p) => typeof p === 'string' && isPattern(p))
    )
      return '"assessment" is not valid';
    progress.assessment = { at: a.at, score: a.score as number, total: a.total as number, revisit: [...a.revisit] };
  }
  return progress;
}
