// Grading practice answers part by part, and the progress rules (spaced repetition, level,
// files), on exercises the generator really makes.
import { describe, expect, it } from 'vitest';
import { ASSESSMENT } from '../../src/lib/practice/assessment.ts';
import { gradeAnswer, parseFrameList } from '../../src/lib/practice/grade.ts';
import {
  emptyProgress,
  nextPattern,
  progressFromFile,
  progressToFile,
  recordExercise,
  summarize,
} from '../../src/lib/practice/progress.ts';
import { Random } from '../../src/lib/practice/random.ts';
import { generateExercise, PATTERNS, type KeyAttempt } from '../../src/lib/practice/scenario.ts';

function target(seed: number, pattern: (typeof PATTERNS)[number], level: 1 | 2 | 3 | 4 = 2): KeyAttempt {
  const exercise = generateExercise({ seed, level, pattern });
  return exercise.attempts[exercise.target]!;
}

describe('grading', () => {
  it('a fully right answer passes every part', () => {
    const key = target(5, 'host-firewall-drop');
    const grade = gradeAnswer(key, {
      verdict: 'no-response',
      where: 'server',
      frames: key.proof[0]!.frames.slice(0, 2),
    });
    expect(grade.parts.map((p) => [p.part, p.correct])).toEqual([
      ['verdict', true],
      ['where', true],
      ['frames', true],
    ]);
    expect(grade.correct).toBe(true);
  });

  it('a wrong verdict is explained with the SYN frames and their timing', () => {
    const key = target(5, 'host-firewall-drop');
    const syns = key.proof[0]!.frames;
    const grade = gradeAnswer(key, { verdict: 'refused', where: 'server', frames: syns });
    expect(grade.correct).toBe(false);
    const verdict = grade.parts.find((p) => p.part === 'verdict')!;
    expect(verdict.correct).toBe(false);
    expect(verdict.text).toContain('Not refused (closed: RST).');
    expect(verdict.text).toContain(`Frames ${syns.slice(0, -1).join(', ')} and ${syns.at(-1)} are the same SYN`);
  });

  it('the wrong place is explained from the server capture', () => {
    const key = target(11, 'return-path-drop');
    const grade = gradeAnswer(key, { verdict: 'no-response', where: 'server', frames: key.proof[0]!.frames });
    const where = grade.parts.find((p) => p.part === 'where')!;
    expect(where.correct).toBe(false);
    expect(where.text).toMatch(/^Not at the server\. Where: on the return path — the server's capture shows/);
    const cited = /\(server frames ([\d, and]+)\)/
      .exec(where.text)![1]!
      .split(/, | and /)
      .map(Number);
    expect(cited.length).toBeGreaterThan(0);
    for (const frame of cited) expect(key.serverFrames).toContain(frame);
  });

  it('frames: strangers and missing proof are named', () => {
    const key = target(3, 'closed-rst');
    const stranger = Math.max(...key.frames) + 1;
    const syn = key.proof[0]!.frames[0]!;
    const rst = key.proof[1]!.frames[0]!;
    const onlySyn = gradeAnswer(key, { verdict: 'refused', where: 'server', frames: [syn] });
    expect(onlySyn.parts[2]!.text).toContain(`Also pick the RST that answers it: frame ${rst}.`);
    const withStranger = gradeAnswer(key, { verdict: 'refused', where: 'server', frames: [syn, rst, stranger] });
    expect(withStranger.parts[2]!.correct).toBe(false);
    expect(withStranger.parts[2]!.text).toContain(`Frame ${stranger} is not part of this attempt`);
    expect(gradeAnswer(key, { verdict: 'refused', where: 'server', frames: [syn, rst] }).correct).toBe(true);
  });

  it('no-response needs a retransmission, not the first SYN alone', () => {
    const key = target(8, 'path-drop');
    const [first, second] = key.proof[0]!.frames;
    expect(gradeAnswer(key, { verdict: 'no-response', where: 'path', frames: [first!] }).correct).toBe(false);
    expect(gradeAnswer(key, { verdict: 'no-response', where: 'path', frames: [first!, second!] }).correct).toBe(true);
  });

  it('a client-only exercise has no "where" part', () => {
    for (let seed = 0; seed < 50; seed++) {
      const exercise = generateExercise({ seed, level: 4 });
      if (exercise.server) continue;
      const key = exercise.attempts[exercise.target]!;
      expect(key.where).toBeUndefined();
      expect(gradeAnswer(key, { verdict: key.verdict as 'refused', frames: [] }).parts.map((p) => p.part)).toEqual([
        'verdict',
        'frames',
      ]);
      return;
    }
    throw new Error('no client-only exercise in 50 seeds at level 4');
  });

  it.each([
    ['5, 9, 12-14', [5, 9, 12, 13, 14]],
    ['#3 #1;2', [1, 2, 3]],
    ['', []],
    ['5, x', '"x" is not a frame number (write them like 5, 9, 12-14)'],
    ['4-2', '"4-2" is not a frame range'],
    ['0', '"0" is not a frame range'],
    ['99', 'frame 99 is past the end of the capture (it has 40)'],
  ])('frame list %j', (text, want) => {
    expect(parseFrameList(text, 40)).toEqual(want);
  });
});

describe('progress', () => {
  it('two right answers in a row raise the level; a wrong one lowers it and boxes the pattern', () => {
    let p = emptyProgress();
    p = recordExercise(p, 'open', true);
    expect(p.level).toBe(1);
    p = recordExercise(p, 'closed-rst', true);
    expect(p.level).toBe(2);
    p = recordExercise(p, 'path-drop', false);
    expect(p.level).toBe(1);
    expect(p.practice['path-drop']).toEqual({ seen: 1, correct: 0, box: 0 });
    expect(p.practice.open).toEqual({ seen: 1, correct: 1, box: 1 });
    expect(summarize(p)).toMatchObject({ exercises: 3, exercisesCorrect: 2, weakPatterns: ['path-drop'] });
  });

  it('spaced repetition: a pattern got wrong comes up far more often than mastered ones', () => {
    let p = emptyProgress();
    for (const pattern of PATTERNS) for (let k = 0; k < 4; k++) p = recordExercise(p, pattern, true);
    p = recordExercise(p, 'return-path-drop', false);
    const random = new Random(77);
    const counts = new Map<string, number>();
    for (let k = 0; k < 4000; k++) {
      const pattern = nextPattern(p, 4, random);
      counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
    }
    // weight 1 against 1/16 for each of the seven others: about 70% of draws
    expect(counts.get('return-path-drop')! / 4000).toBeGreaterThan(0.6);
    for (const pattern of PATTERNS.filter((x) => x !== 'return-path-drop'))
      expect(counts.get(pattern) ?? 0).toBeLessThan(400);
  });

  it('export and import round-trip; a damaged or hostile file is refused with a reason', () => {
    let p = emptyProgress();
    p = recordExercise(p, 'open', true);
    p = { ...p, lessons: { 'lessons/taking-a-trace': 1700000000000 }, challenges: { 'x|y': 1 } };
    p.assessment = { at: 5, score: 7, total: 10, revisit: ['path-drop'] };
    expect(progressFromFile(progressToFile(p))).toEqual(p);
    expect(progressFromFile('{')).toMatch(/^not a progress file: it is not JSON/);
    expect(progressFromFile('{"kind":"other"}')).toBe('not a progress file: it lacks "kind": "porttrace-progress"');
    const file = JSON.parse(progressToFile(p));
    expect(progressFromFile(JSON.stringify({ ...file, version: 2 }))).toBe(
      'unsupported progress file version 2 (this site reads 1)',
    );
    expect(progressFromFile(JSON.stringify({ ...file, level: 9 }))).toBe('"level" is not 1, 2, 3 or 4');
    expect(progressFromFile(JSON.stringify({ ...file, practice: { open: { seen: 1, correct: 2, box: 0 } } }))).toBe(
      '"practice.open" is not valid',
    );
    expect(progressFromFile(JSON.stringify({ ...file, practice: { '<img>': { seen: 1, correct: 1, box: 0 } } }))).toBe(
      '"practice.<img>" is not a pattern this site knows',
    );
    expect(progressFromFile(JSON.stringify({ ...file, lessons: { a: 'soon' } }))).toBe('"lessons.a" is not valid');
    // unknown fields are dropped, not carried along
    const extra = progressFromFile(JSON.stringify({ ...file, script: 'alert(1)' }));
    expect(extra).not.toHaveProperty('script');
  });

  it('the assessment: ten fixed exercises covering every pattern', () => {
    expect(ASSESSMENT).toHaveLength(10);
    expect(new Set(ASSESSMENT.map((a) => a.pattern))).toEqual(new Set(PATTERNS));
    for (const request of ASSESSMENT) expect(generateExercise(request).attempts.some((a) => a.target)).toBe(true);
  });
});
