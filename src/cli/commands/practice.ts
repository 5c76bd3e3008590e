// `porttrace practice --seed N --out FILE.pcapng [--server FILE.pcapng] [--level 1-4]
// [--pattern NAME] [--json]`: writes a generated exercise (the client's capture, and the
// server's when asked for and the exercise has one) and prints its answer key. The key is the
// generator's own scenario, never the classifier's reading of the files, so it can check the
// classifier (tests/practice/generator.test.ts does, on 1,000 seeds).
import { writeFileSync } from 'node:fs';
import { argumentError, type CliIO } from '../io.ts';
import { hostPort } from '../../lib/analysis/index.ts';
import { parseSeed } from '../../lib/practice/random.ts';
import {
  clientOsLabel,
  generateExercise,
  isLevel,
  isPattern,
  PATTERN_TITLES,
  PATTERNS,
  type Exercise,
  type KeyAttempt,
  type Level,
  type Pattern,
} from '../../lib/practice/scenario.ts';

const USAGE =
  'usage: porttrace practice --seed N --out FILE.pcapng [--server FILE.pcapng] [--level 1-4] [--pattern NAME] [--json]\n' +
  `  patterns: ${PATTERNS.join(', ')}\n`;

interface PracticeArgs {
  seed: number;
  out: string;
  server?: string;
  level: Level;
  pattern?: Pattern;
  json: boolean;
}

export function parsePracticeArgs(args: string[]): PracticeArgs | string {
  let seed: number | undefined;
  let out: string | undefined;
  let server: string | undefined;
  let level: Level = 4;
  let pattern: Pattern | undefined;
  let json = false;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    const value = () => {
      const next = args[k + 1];
      k++;
      return next;
    };
    switch (arg) {
      case '--json':
        json = true;
        break;
      case '--seed': {
        const text = value();
        seed = parseSeed(text);
        if (seed === undefined) return `--seed needs a whole number from 0 to 4294967295, not "${text ?? ''}"`;
        break;
      }
      case '--out':
        out = value();
        if (!out) return '--out needs a file name';
        break;
      case '--server':
        server = value();
        if (!server) return '--server needs a file name';
        break;
      case '--level': {
        const text = value() ?? '';
        const number = Number(text);
        if (!/^\d$/.test(text) || !isLevel(number)) return `--level is 1, 2, 3 or 4, not "${text}"`;
        level = number;
        break;
      }
      case '--pattern': {
        const text = value() ?? '';
        if (!isPattern(text)) return `unknown pattern "${text}" (one of ${PATTERNS.join(', ')})`;
        pattern = text;
        break;
      }
      default:
        return arg.startsWith('-') ? `unknown option "${arg}"` : `unexpected argument "${arg}"`;
    }
  }
  if (seed === undefined) return 'missing --seed N';
  if (out === undefined) return 'missing --out FILE.pcapng';
  return { seed, out, server, level, pattern, json };
}

/** The key of one attempt, in the field order of `porttrace verdicts --json`. */
export function keyJson(a: KeyAttempt): Record<string, unknown> {
  return {
    client: a.client,
    clientPort: a.clientPort,
    server: a.server,
    serverPort: a.serverPort,
    verdict: a.verdict,
    nmap: a.nmap,
    zeek: a.zeek,
    history: a.history,
    frames: a.frames,
    isn: a.isn,
    retries: a.retries,
    ...(a.where !== undefined ? { where: a.where } : {}),
    // As in `compare --json`: only when the server's capture holds the attempt.
    ...(a.serverFrames?.length ? { serverFrames: a.serverFrames } : {}),
    pattern: a.pattern,
    target: a.target,
    proof: a.proof,
    explanation: a.explanation,
  };
}

export function exerciseJson(exercise: Exercise, files: { client: string; server?: string }) {
  return {
    seed: exercise.seed,
    level: exercise.level,
    pattern: exercise.pattern,
    clientOs: exercise.clientOs,
    serverOs: exercise.serverOs,
    ipVersion: exercise.ipVersion,
    client: { file: files.client, packets: exercise.clientPackets, offload: exercise.clientOffload },
    ...(files.server !== undefined ? { server: { file: files.server, packets: exercise.serverPackets } } : {}),
    clockOffset: exercise.clockOffset,
    attempts: exercise.attempts.map(keyJson),
  };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parsePracticeArgs(args);
  if (typeof parsed === 'string') {
    io.err(argumentError('practice', parsed));
    return 2;
  }
  const exercise = generateExercise({ seed: parsed.seed, level: parsed.level, pattern: parsed.pattern });
  const written: { client: string; server?: string } = { client: parsed.out };
  try {
    writeFileSync(parsed.out, exercise.client);
    if (parsed.server !== undefined && exercise.server) {
      writeFileSync(parsed.server, exercise.server);
      written.server = parsed.server;
    }
  } catch (problem) {
    io.err(`porttrace practice: cannot write: ${problem instanceof Error ? problem.message : String(problem)}\n`);
    return 2;
  }
  if (parsed.json) {
    io.out(JSON.stringify(exerciseJson(exercise, written), null, 1) + '\n');
    return 0;
  }
  const target = exercise.attempts[exercise.target]!;
  const lines = [
    `Exercise seed ${exercise.seed}, level ${exercise.level}: ${PATTERN_TITLES[exercise.pattern]}`,
    `  client (${clientOsLabel(exercise.clientOs)}): ${parsed.out}, ${exercise.clientPackets} packets` +
      (exercise.clientOffload ? ', with checksum offload on its own packets' : ''),
  ];
  if (written.server !== undefined)
    lines.push(
      `  server: ${written.server}, ${exercise.serverPackets} packets, clock ${exercise.clockOffset.toFixed(3)} s off`,
    );
  else if (parsed.server !== undefined)
    lines.push('  server: this exercise gives the client side only; nothing written');
  else if (exercise.server) lines.push('  server: add --server FILE.pcapng to write the server side too');
  lines.push(
    '',
    `Question: what happened to ${hostPort(target.client, target.clientPort)} → ${hostPort(target.server, target.serverPort)}?`,
    '',
  );
  for (const a of exercise.attempts) {
    const where = a.where !== undefined ? `  where: ${a.where}` : '';
    lines.push(
      `${a.target ? '*' : ' '} ${hostPort(a.client, a.clientPort)} → ${hostPort(a.server, a.serverPort)}  ${a.verdict}${where}  (nmap: ${a.nmap})  frames ${a.frames.join(', ')}`,
    );
    if (a.target) for (const sentence of a.explanation) lines.push(`    ${sentence}`);
  }
  io.out(lines.join('\n') + '\n');
  return 0;
}
