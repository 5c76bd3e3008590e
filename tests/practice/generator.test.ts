// The practice generator against the two independent readers of its output: our classifier
// (which must agree with the scenario's key on every attempt, 1,000 seeds at every level) and
// tshark (which must dissect every packet without a malformed one, see bad checksums only where
// the scenario put checksum offload, and find each attempt's frames and flags where the key says).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  analyzeCapture,
  compareCaptures,
  type AttemptVerdict,
  type ComparedAttempt,
} from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { generateExercise, LEVELS, PATTERNS, type Exercise, type KeyAttempt } from '../../src/lib/practice/scenario.ts';
import { tshark, tsharkFields } from '../lab/tshark.ts';
import { requireTshark } from '../support/corpus.ts';

const oracle = requireTshark();

const levelOf = (seed: number) => LEVELS[seed % LEVELS.length]!;
const keyId = (a: { client: string; clientPort: number; server: string; serverPort: number }) =>
  `${a.client}:${a.clientPort}>${a.server}:${a.serverPort}`;

function classify(exercise: Exercise): Array<AttemptVerdict | ComparedAttempt> {
  const client = loadCaptureBytes(exercise.client);
  expect(client.error, 'client capture reads whole').toBeUndefined();
  if (!exercise.server) return analyzeCapture(client).attempts;
  const server = loadCaptureBytes(exercise.server);
  expect(server.error, 'server capture reads whole').toBeUndefined();
  return compareCaptures(client, server).attempts;
}

function agreement(exercise: Exercise): string[] {
  const problems: string[] = [];
  const found = new Map(classify(exercise).map((v) => [keyId(v.attempt), v]));
  if (found.size !== exercise.attempts.length)
    problems.push(`${found.size} attempts classified, ${exercise.attempts.length} in the key`);
  for (const key of exercise.attempts) {
    const v = found.get(keyId(key));
    if (!v) {
      problems.push(`${keyId(key)} not found by the classifier`);
      continue;
    }
    const got = {
      verdict: v.verdict,
      nmap: v.nmap,
      zeek: v.zeek,
      history: v.history,
      frames: v.frames,
      isn: v.attempt.isn,
      retries: v.timing.offsets.length,
      ...('where' in v ? { where: v.where, serverFrames: v.counterpart?.frames ?? [] } : {}),
    };
    const want = {
      verdict: key.verdict,
      nmap: key.nmap,
      zeek: key.zeek,
      history: key.history,
      frames: key.frames,
      isn: key.isn,
      retries: key.retries,
      ...(key.where !== undefined ? { where: key.where, serverFrames: key.serverFrames } : {}),
    };
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${keyId(key)} (${key.pattern}): classifier ${JSON.stringify(got)} key ${JSON.stringify(want)}`);
  }
  return problems;
}

describe('practice generator', () => {
  it('is deterministic: one seed, one exercise, byte for byte', () => {
    for (const seed of [0, 1, 4242, 4294967295]) {
      const a = generateExercise({ seed, level: levelOf(seed) });
      const b = generateExercise({ seed, level: levelOf(seed) });
      expect(a.client).toEqual(b.client);
      expect(a.server).toEqual(b.server);
      expect(a.attempts).toEqual(b.attempts);
    }
    expect(generateExercise({ seed: 1 }).client).not.toEqual(generateExercise({ seed: 2 }).client);
  });

  it('the classifier agrees with the key on 1,000 seeds, every level', () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    for (let seed = 1; seed <= 1000; seed++) {
      const exercise = generateExercise({ seed, level: levelOf(seed) });
      seen.add(`${exercise.pattern}/${exercise.ipVersion}/${exercise.server ? 'pair' : 'client'}`);
      for (const problem of agreement(exercise)) failures.push(`seed ${seed} level ${exercise.level}: ${problem}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // Every pattern came up, in IPv4 and IPv6, as a pair and (some) from the client side only.
    for (const pattern of PATTERNS) {
      expect(seen.has(`${pattern}/4/pair`), pattern).toBe(true);
      expect(
        [...seen].some((s) => s.startsWith(`${pattern}/6/`)),
        `${pattern} over IPv6`,
      ).toBe(true);
    }
    expect([...seen].some((s) => s.endsWith('/client'))).toBe(true);
  });

  it('a requested pattern is the attempt asked about, with its verdict', () => {
    for (const pattern of PATTERNS) {
      for (let seed = 0; seed < 20; seed++) {
        const exercise = generateExercise({ seed, level: 3, pattern });
        const target = exercise.attempts[exercise.target]!;
        expect(target.pattern).toBe(pattern);
        expect(target.target).toBe(true);
        expect(agreement(exercise)).toEqual([]);
      }
    }
  });

  it('realism: each OS keeps its own retry schedule and SYN options', () => {
    const synLengths = new Map<string, Set<number>>();
    for (let seed = 0; seed < 200; seed++) {
      const exercise = generateExercise({ seed, level: 4, pattern: 'host-firewall-drop' });
      const capture = loadCaptureBytes(exercise.client);
      const target = exercise.attempts[exercise.target]!;
      const first = capture.packets[target.frames[0]! - 1]!;
      const lengths = synLengths.get(exercise.clientOs) ?? new Set();
      lengths.add(first.capturedLength - (exercise.ipVersion === 6 ? 20 : 0));
      synLengths.set(exercise.clientOs, lengths);
      const v = analyzeCapture(capture).attempts.find((a) => keyId(a.attempt) === keyId(target))!;
      const wanted = {
        'windows-legacy': [3, 6],
        'windows-11': [1, 2, 4, 8],
        linux: [1, 2, 4, 8, 16, 32],
        macos: [1, 1, 1, 1, 1, 2, 4, 8, 16],
      }[exercise.clientOs];
      v.timing.intervals.forEach((interval, k) => expect(Math.round(interval), exercise.clientOs).toBe(wanted[k]));
    }
    // Windows' 66-byte SYN, Linux's 74 (timestamps), macOS's 78.
    expect(synLengths.get('windows-legacy')).toEqual(new Set([66]));
    expect(synLengths.get('windows-11')).toEqual(new Set([66]));
    expect(synLengths.get('linux')).toEqual(new Set([74]));
    expect(synLengths.get('macos')).toEqual(new Set([78]));
  });
});

const flagBits = (text: string) => (text ? parseInt(text, 16) : 0);

describe.skipIf(oracle.skip)(`practice captures in tshark${oracle.note}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'porttrace-practice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fields = [
    'frame.number',
    '_ws.malformed',
    'frame.packet_flags_direction',
    'ip.checksum.status',
    'tcp.checksum.status',
    'udp.checksum.status',
    'icmp.checksum.status',
    'icmpv6.checksum.status',
    'tcp.srcport',
    'tcp.dstport',
    'tcp.flags',
    'tcp.analysis.retransmission',
    'icmp.type',
    'icmpv6.type',
  ];
  const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

  function inspect(
    file: string,
    bytes: Uint8Array,
    offload: boolean,
    attempts: KeyAttempt[],
    side: 'client' | 'server',
  ) {
    writeFileSync(file, bytes);
    const rows = tsharkFields(file, fields, checks);
    const problems: string[] = [];
    const bad: number[] = [];
    const sentTransport: number[] = [];
    for (const row of rows) {
      const [number, malformed, direction, ...rest] = row;
      const [ipStatus, tcpStatus, udpStatus, icmpStatus, icmp6Status] = rest;
      const frame = Number(number);
      if (malformed) problems.push(`frame ${frame} is malformed`);
      // Multiple occurrences (an ICMP error's quoted headers) are comma-separated: the outer one is first.
      const statuses = [ipStatus, tcpStatus, udpStatus, icmpStatus, icmp6Status].map((s) => (s ?? '').split(',')[0]);
      if (statuses.some((s) => s === '0')) bad.push(frame);
      if ((Number(direction) & 3) === 2 && (tcpStatus || udpStatus) && !icmpStatus && !icmp6Status)
        sentTransport.push(frame);
    }
    expect(problems).toEqual([]);
    // tshark's expert warnings and errors: only the resets the scenario sent and, with offload,
    // the bad checksums it meant; never "previous segment not captured", "ACKed unseen segment"…
    const expert = tshark(['-r', file, '-q', ...checks, '-z', 'expert,warn'])
      .split('\n')
      .map((line) => /^\s+\d+\s+\S+\s+\S+\s+(.*)$/.exec(line)?.[1])
      .filter((summary): summary is string => summary !== undefined);
    const allowed = offload
      ? /^(Connection reset \(RST\)|Bad checksum \[should be 0x[0-9a-f]{4}\])$/
      : /^Connection reset \(RST\)$/;
    expect(expert.filter((summary) => !allowed.test(summary))).toEqual([]);
    // Bad checksums exactly where checksum offload leaves them: on this host's own TCP/UDP packets.
    expect(bad).toEqual(offload ? sentTransport : []);

    for (const key of attempts) {
      const frames = side === 'client' ? key.frames : (key.serverFrames ?? []);
      if (frames.length === 0) continue;
      const own = rows.filter((row) => {
        const ports = [row[8], row[9]].map((p) => (p ?? '').split(','));
        return ports[0]!.some((p, k) => {
          const pair = [Number(p), Number(ports[1]![k])].sort((a, b) => a - b).join();
          return pair === [key.clientPort, key.serverPort].sort((a, b) => a - b).join();
        });
      });
      expect(
        own.map((row) => Number(row[0])),
        `${side} frames of ${key.clientPort}→${key.serverPort}`,
      ).toEqual(frames);
      if (side !== 'client') continue;
      const tcpFlags = own.map((row) => flagBits((row[10] ?? '').split(',')[0]!));
      const fromServer = own.filter(
        (row) => (row[8] ?? '').split(',')[0] === String(key.serverPort) && !row[12] && !row[13],
      );
      const synAcks = tcpFlags.filter((f) => (f & 0x12) === 0x12).length;
      const resets = fromServer.filter((row) => flagBits(row[10]!) & 0x04).length;
      const icmpErrors = own.filter((row) => row[12] === '3' || row[13] === '1').length;
      const retransmissions = own.filter(
        (row) => row[11] && !row[12] && !row[13] && flagBits(row[10]!) === 0x02,
      ).length;
      expect({ synAcks: synAcks > 0, resets: resets > 0, icmpErrors: icmpErrors > 0 }).toEqual({
        synAcks: key.verdict === 'connected',
        resets: key.verdict === 'refused',
        icmpErrors: key.verdict === 'unreachable',
      });
      expect(retransmissions, 'tshark counts the SYN retransmissions the key does').toBe(key.retries);
    }
  }

  it('every packet of a sample of 16 exercises dissects cleanly, with the frames and flags of the key', () => {
    for (let seed = 7; seed < 7 + 16 * 53; seed += 53) {
      const exercise = generateExercise({ seed, level: levelOf(seed) });
      inspect(join(dir, `${seed}-client.pcapng`), exercise.client, exercise.clientOffload, exercise.attempts, 'client');
      if (exercise.server)
        inspect(
          join(dir, `${seed}-server.pcapng`),
          exercise.server,
          exercise.serverOffload,
          exercise.attempts,
          'server',
        );
    }
    // tshark starts afresh for every file, twice: slow on a busy machine
  }, 300_000);
});
