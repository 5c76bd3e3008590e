// Grading a learner's answer to a practice exercise, part by part, against the scenario's key:
// the verdict, where it died (when there is a server capture), and the frames that prove it.
// A wrong part is explained with the key's evidence, citing frames.
import type { Verdict, Where } from '../analysis/types.ts';
import type { KeyAttempt } from './scenario.ts';

/** The verdicts a learner chooses from: the four ways the course's patterns end. */
export const ANSWER_VERDICTS = ['connected', 'refused', 'no-response', 'unreachable'] as const satisfies Verdict[];
export type AnswerVerdict = (typeof ANSWER_VERDICTS)[number];

export const VERDICT_WORDS: Record<AnswerVerdict, string> = {
  connected: 'connected (open)',
  refused: 'refused (closed: RST)',
  'no-response': 'no response (blocked: SYNs unanswered)',
  unreachable: 'unreachable (ICMP error)',
};

export const ANSWER_WHERES = ['none', 'path', 'server', 'return-path'] as const satisfies Where[];

export const WHERE_WORDS: Record<Where, string> = {
  none: 'nowhere: it connected',
  path: 'on the path, before the server',
  server: 'at the server',
  'return-path': "on the return path: the server's answer was lost",
};

export interface Answer {
  verdict?: AnswerVerdict;
  where?: Where;
  frames: number[];
}

export type PartName = 'verdict' | 'where' | 'frames';

export interface PartGrade {
  part: PartName;
  correct: boolean;
  /** What the learner got right, or why it is wrong, citing frames. */
  text: string;
}

export interface Grade {
  parts: PartGrade[];
  correct: boolean;
}

/** "5, 9, 12-14" → [5, 9, 12, 13, 14], or a message saying which piece is not a frame number. */
export function parseFrameList(text: string, maxFrame: number): number[] | string {
  const frames = new Set<number>();
  const pieces = text
    .split(/[\s,;]+/)
    .map((p) => p.replace(/^#/, ''))
    .filter((p) => p !== '');
  for (const piece of pieces) {
    const range = /^(\d{1,7})(?:-(\d{1,7}))?$/.exec(piece);
    if (!range) return `"${piece}" is not a frame number (write them like 5, 9, 12-14)`;
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (from < 1 || to < from) return `"${piece}" is not a frame range`;
    if (to > maxFrame) return `frame ${to} is past the end of the capture (it has ${maxFrame})`;
    if (to - from > 1000) return `"${piece}" is more than a thousand frames`;
    for (let f = from; f <= to; f++) frames.add(f);
  }
  return [...frames].sort((a, b) => a - b);
}

const joinFrames = (frames: number[]) => frames.join(', ');

export function gradeAnswer(attempt: KeyAttempt, answer: Answer): Grade {
  const parts: PartGrade[] = [];
  const [verdictWhy, whereWhy] = attempt.explanation;

  const verdictRight = answer.verdict === attempt.verdict;
  parts.push({
    part: 'verdict',
    correct: verdictRight,
    text: verdictRight
      ? `Right: ${VERDICT_WORDS[attempt.verdict as AnswerVerdict] ?? attempt.verdict}. ${verdictWhy ?? ''}`.trim()
      : `${answer.verdict ? `Not ${VERDICT_WORDS[answer.verdict]}.` : 'No verdict chosen.'} ${verdictWhy ?? ''}`.trim(),
  });

  if (attempt.where !== undefined) {
    const whereRight = answer.where === attempt.where;
    parts.push({
      part: 'where',
      correct: whereRight,
      text: whereRight
        ? `Right: ${WHERE_WORDS[attempt.where]}. ${whereWhy ?? ''}`.trim()
        : `${answer.where ? `Not ${WHERE_WORDS[answer.where]}.` : 'No place chosen.'} ${whereWhy ?? ''}`.trim(),
    });
  }

  const own = new Set(attempt.frames);
  const strangers = answer.frames.filter((f) => !own.has(f));
  const missing = attempt.proof.filter(
    (part) => part.frames.filter((f) => answer.frames.includes(f)).length < part.need,
  );
  const framesRight = answer.frames.length > 0 && strangers.length === 0 && missing.length === 0;
  const problems: string[] = [];
  if (answer.frames.length === 0) problems.push('No frames picked.');
  if (strangers.length)
    problems.push(
      `${strangers.length === 1 ? 'Frame' : 'Frames'} ${joinFrames(strangers)} ${strangers.length === 1 ? 'is' : 'are'} not part of this attempt (its frames are ${joinFrames(attempt.frames)}).`,
    );
  for (const part of missing) {
    const example = part.frames.slice(0, Math.max(part.need, 1));
    problems.push(`Also pick ${part.what}: ${part.need > 1 ? 'frames' : 'frame'} ${joinFrames(example)}.`);
  }
  parts.push({
    part: 'frames',
    correct: framesRight,
    text: framesRight
      ? `Right: frames ${joinFrames(answer.frames)} prove it.`
      : `${problems.join(' ')} The proof: ${attempt.proof.map((p) => `${p.what} (${joinFrames(p.frames)})`).join('; ')}.`,
  });

  return { parts, correct: parts.every((p) => p.correct) };
}
