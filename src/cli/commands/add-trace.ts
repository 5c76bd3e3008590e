// `porttrace add-trace FILE --title "…"`: put an instructor's capture into the site.
//
// Checks that FILE is a capture with at least one TCP connection attempt, writes it to
// public/traces/<id>.pcapng (a pcapng file is copied byte for byte; pcap and Network Monitor
// files are converted; --anonymize rewrites it first), and writes its entry in the `traces`
// content collection, src/content/traces/<id>.json, with the verdicts the classifier gives NOW
// as the expected verdicts. They are printed so the instructor can check them against what
// really happened: from then on the site's tests fail if a change to the engine alters them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { argumentError, readUpTo, type CliIO } from '../io.ts';
import { analyzeCapture, compareCaptures, hostPort } from '../../lib/analysis/index.ts';
import type { AttemptVerdict, ComparedAttempt, Verdict, Where } from '../../lib/analysis/index.ts';
import { anonymizeCapture } from '../../lib/lab/anonymize.ts';
import { exportPcapng } from '../../lib/lab/export.ts';
import { loadCaptureBytes } from '../../lib/load.ts';
import { SNIFF_BYTES, sniffCapture } from '../../lib/capture/sniff.ts';
import type { CaptureError } from '../../lib/capture/types.ts';
import { thousands } from '../../lib/describe/thousands.ts';

const USAGE =
  'usage: porttrace add-trace FILE --title "…" [--id ID] [--story "…"] [--side client|server|router]\n' +
  '                           [--scenario NAME] [--pair ID] [--anonymize [--key PASSPHRASE]] [--force] [--root DIR]\n';

/**
 * Bundled traces are downloaded by every reader of a lesson: the file written must stay under
 * 64 KB (tests/traces checks every entry for it). Inputs are read up to a larger size, since
 * converting or anonymizing can change the size a little.
 */
const MAX_TRACE_BYTES = 64 * 1024;
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

const SIDES = ['client', 'server', 'router'] as const;
type Side = (typeof SIDES)[number];

/** Ids become file names and URLs: lower-case letters, digits and dashes. */
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

export interface AddTraceArgs {
  file: string;
  title: string;
  id: string;
  story?: string;
  side: Side;
  scenario?: string;
  pair?: string;
  anonymize: boolean;
  key?: string;
  force: boolean;
  /** The site's folder (public/ and src/content/ are under it). */
  root: string;
}

/** "Blocked RDP (client).pcapng" → "blocked-rdp-client" */
export function idFromFileName(file: string): string {
  return basename(file)
    .replace(/\.(pcapng|pcap|cap|etl)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

const VALUE_OPTIONS = new Set(['--title', '--id', '--story', '--side', '--scenario', '--pair', '--key', '--root']);

export function parseArgs(args: string[], env: Record<string, string | undefined> = {}): AddTraceArgs | string {
  const values = new Map<string, string>();
  const files: string[] = [];
  let anonymize = false;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--anonymize') anonymize = true;
    else if (arg === '--force') force = true;
    else if (VALUE_OPTIONS.has(arg)) {
      const value = args[++i];
      if (value === undefined) return `${arg} needs a value`;
      values.set(arg, value);
    } else if (arg.startsWith('--') && arg.includes('=') && VALUE_OPTIONS.has(arg.slice(0, arg.indexOf('=')))) {
      values.set(arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1));
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option "${arg}"`;
    else files.push(arg);
  }
  if (files.length === 0) return 'missing FILE';
  if (files.length > 1) return `unexpected argument "${files[1]}"`;
  const file = files[0];
  const title = values.get('--title')?.trim();
  if (!title) return 'missing --title "…" (the trace\'s title on the site)';
  const id = values.get('--id') ?? idFromFileName(file);
  if (!ID_PATTERN.test(id)) return `the id "${id}" must be lower-case letters, digits and dashes (give one with --id)`;
  const side = values.get('--side') ?? 'client';
  if (!(SIDES as readonly string[]).includes(side)) return `--side must be client, server or router, not "${side}"`;
  const pair = values.get('--pair');
  if (pair !== undefined && !ID_PATTERN.test(pair))
    return `the pair id "${pair}" must be lower-case letters, digits and dashes`;
  if (pair === id) return 'a trace cannot be its own pair';
  const story = values.get('--story');
  if (story !== undefined && (story.trim() === '' || sentenceCount(story) > 3))
    return '--story should be 1 to 3 sentences';
  const key = values.get('--key');
  if (key !== undefined && !anonymize) return '--key only makes sense with --anonymize';
  return {
    file,
    title,
    id,
    story,
    side: side as Side,
    scenario: values.get('--scenario'),
    pair,
    anonymize,
    key,
    force,
    root: values.get('--root') ?? env.PORTTRACE_ROOT ?? '.',
  };
}

const tooBig = (file: string, size: number): string =>
  `${file} makes a ${thousands(Math.ceil(size / 1024))} KB trace; a bundled trace must stay under ${MAX_TRACE_BYTES / 1024} KB ` +
  '(keep only the connection that matters: Wireshark "Export Specified Packets", or the lab\'s export of filtered packets)';

/** "One. Two." → 2: the schema asks for 1–3 sentences. */
const sentenceCount = (text: string): number =>
  text.split(/(?<=[.!?])\s+(?=[A-Z])/).filter((s) => s.trim() !== '').length;

/** The entry with `pair` set, placed after `scenario` as in the schema. */
function linkPair(entry: Record<string, unknown>, pair: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'pair') continue;
    out[key] = value;
    if (key === 'scenario') out.pair = pair;
  }
  if (!('pair' in out)) out.pair = pair;
  return out;
}

/**
 * The file's bytes, read until it ends or passes `limit`. The size stat reports is not trusted:
 * a device such as /dev/zero or a pipe says 0 and never ends, so the first bytes are sniffed as
 * soon as there are enough, and something that is not a capture stops the read at once.
 */
async function readCapture(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array; tooBig: boolean } | { error: CaptureError }> {
  let sniffed = false;
  const read = await readUpTo(chunks, limit, (bytes) => {
    if (sniffed || bytes.length < SNIFF_BYTES) return undefined;
    sniffed = true;
    const verdict = sniffCapture(bytes.subarray(0, SNIFF_BYTES), false);
    return verdict?.format === undefined ? verdict?.error : undefined;
  });
  return read.stopped ? { error: read.stopped } : read;
}

/**
 * One attempt a bundled trace is expected to show (the `expected` list of its entry in
 * src/content/traces/), as this command writes it and the trace tests and reconstructions read it.
 */
export interface ExpectedAttempt {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  verdict: Verdict;
  /** Where it ended, for a trace that has its other side. */
  where?: Where;
}

function expectedOf(v: AttemptVerdict | ComparedAttempt): ExpectedAttempt {
  const a = v.attempt;
  const row: ExpectedAttempt = {
    client: a.client,
    clientPort: a.clientPort,
    server: a.server,
    serverPort: a.serverPort,
    verdict: v.verdict,
  };
  if ('where' in v) row.where = v.where;
  return row;
}

export async function run(
  args: string[],
  io: CliIO,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const fail = (message: string): number => {
    io.err(`porttrace add-trace: ${message}\n`);
    return 2;
  };
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args, env);
  if (typeof parsed === 'string') {
    io.err(argumentError('add-trace', parsed));
    return 2;
  }
  const { file, id, root } = parsed;
  const traceDir = join(root, 'public', 'traces');
  const entryDir = join(root, 'src', 'content', 'traces');
  const tracePath = join(traceDir, `${id}.pcapng`);
  const entryPath = join(entryDir, `${id}.json`);
  if (!existsSync(join(root, 'src', 'content')))
    return fail(`${root} is not the site's folder (no src/content); run from the repository or give --root`);
  if (!parsed.force && (existsSync(tracePath) || existsSync(entryPath))) {
    return fail(`a trace with the id "${id}" exists already; choose another --id, or add --force to replace it`);
  }

  let original: Uint8Array;
  try {
    const { size, chunks } = io.openFile(file);
    if (size !== undefined && size > MAX_INPUT_BYTES) return fail(tooBig(file, size));
    const read = await readCapture(chunks, MAX_INPUT_BYTES);
    if ('error' in read) return fail(`${file}: ${read.error.message} (byte ${read.error.offset})`);
    if (read.tooBig) return fail(tooBig(file, read.bytes.length));
    original = read.bytes;
  } catch (problem) {
    return fail(`${file}: cannot read: ${problem instanceof Error ? problem.message : String(problem)}`);
  }

  const capture = loadCaptureBytes(original);
  if (capture.error && capture.packets.length === 0)
    return fail(`${file}: ${capture.error.message} (byte ${capture.error.offset})`);
  if (capture.error) {
    return fail(
      `${file} is damaged: ${capture.error.message} (byte ${capture.error.offset}); re-save it (e.g. editcap) before adding it`,
    );
  }
  if (analyzeCapture(capture).attempts.length === 0) {
    return fail(`${file} has no TCP connection attempt (no SYN or SYN/ACK): nothing for a lesson to show`);
  }

  // What goes into the site: the file itself when it is pcapng and stays as it is, else pcapng
  // written from the packets (converted, or anonymized).
  const source = parsed.anonymize ? anonymizeCapture(capture, { key: parsed.key }) : capture;
  const keepBytes = !parsed.anonymize && capture.info.format === 'pcapng';
  const written = keepBytes
    ? original
    : exportPcapng(
        source,
        source.packets.keys(),
        parsed.anonymize ? { comment: 'anonymized by porttrace add-trace' } : {},
      );

  if (written.length >= MAX_TRACE_BYTES) return fail(tooBig(file, written.length));

  // The other side's entry, when it is in the site already: same scenario, other side.
  const pairEntryPath = parsed.pair === undefined ? undefined : join(entryDir, `${parsed.pair}.json`);
  let pairEntry: Record<string, unknown> | undefined;
  if (pairEntryPath !== undefined && existsSync(pairEntryPath)) {
    try {
      pairEntry = JSON.parse(readFileSync(pairEntryPath, 'utf8')) as Record<string, unknown>;
    } catch (problem) {
      return fail(
        `${pairEntryPath} is not readable JSON: ${problem instanceof Error ? problem.message : String(problem)}`,
      );
    }
    if (pairEntry.side === parsed.side)
      return fail(
        `the pair "${parsed.pair}" is a ${parsed.side}-side capture too; a pair is the other side of the same moment`,
      );
    if (parsed.scenario !== undefined && pairEntry.scenario !== parsed.scenario) {
      return fail(
        `the pair "${parsed.pair}" belongs to scenario "${String(pairEntry.scenario)}", not "${parsed.scenario}"`,
      );
    }
  }

  // The verdicts of the file as the site will read it.
  const stored = loadCaptureBytes(written);
  let attempts: Array<AttemptVerdict | ComparedAttempt> = analyzeCapture(stored).attempts;
  let pairNote = '';
  if (parsed.pair !== undefined) {
    const pairPath = join(traceDir, `${parsed.pair}.pcapng`);
    if (existsSync(pairPath) && parsed.side !== 'router') {
      const other = loadCaptureBytes(new Uint8Array(readFileSync(pairPath)));
      const [client, server] = parsed.side === 'client' ? [stored, other] : [other, stored];
      const comparison = compareCaptures(client, server);
      const ours = comparison.attempts.filter((a) => a.side === parsed.side);
      // Only when the two files are the same moment (some attempt seen in both; with
      // --anonymize, both need the same --key).
      if (comparison.matched > 0 && ours.length === attempts.length) attempts = ours;
      else pairNote = `note: no attempt matched public/traces/${parsed.pair}.pcapng, so "where" was left out\n`;
    } else if (!existsSync(pairPath)) {
      pairNote = `note: public/traces/${parsed.pair}.pcapng does not exist yet; add it, then re-run this with --force to record where each attempt ended\n`;
    }
  }
  const expected = attempts.map(expectedOf);

  const counts = new Map<string, number>();
  for (const e of expected) counts.set(e.verdict, (counts.get(e.verdict) ?? 0) + 1);
  const summary = [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
  const entry: Record<string, unknown> = {
    title: parsed.title,
    story: parsed.story ?? `A capture added by an instructor: ${summary}.`,
    file: `/traces/${id}.pcapng`,
    side: parsed.side,
    scenario:
      parsed.scenario ??
      (typeof pairEntry?.scenario === 'string' ? pairEntry.scenario : id.replace(/-(client|server|router)$/, '')),
    ...(parsed.pair !== undefined ? { pair: parsed.pair } : {}),
    reconstruction: false,
    source: `added with porttrace add-trace from ${basename(file)}${parsed.anonymize ? ' (anonymized: addresses remapped, payloads zeroed)' : ''}; expected verdicts computed then and confirmed by the instructor`,
    // The verdicts are the classifier's own answer: the tests treat them as a regression check.
    expectationsSource: 'classifier-snapshot',
    expected,
  };

  try {
    mkdirSync(traceDir, { recursive: true });
    mkdirSync(entryDir, { recursive: true });
    writeFileSync(tracePath, written);
    writeFileSync(entryPath, JSON.stringify(entry, null, 2) + '\n');
    // Pairs name each other: point the other side's entry back at this one.
    if (pairEntry !== undefined && pairEntryPath !== undefined && pairEntry.pair !== id) {
      writeFileSync(pairEntryPath, JSON.stringify(linkPair(pairEntry, id), null, 2) + '\n');
      pairNote += `${join('src', 'content', 'traces', `${parsed.pair}.json`)} now names ${id} as its pair\n`;
    }
  } catch (problem) {
    return fail(`cannot write the trace: ${problem instanceof Error ? problem.message : String(problem)}`);
  }

  const lines = [
    `Added "${parsed.title}" as ${id}:`,
    `  ${join('public', 'traces', `${id}.pcapng`)}  (${stored.packets.length} packets${parsed.anonymize ? ', anonymized' : keepBytes ? ', copied as is' : ', converted to pcapng'})`,
    `  ${join('src', 'content', 'traces', `${id}.json`)}`,
    '',
    `Expected verdicts (${expected.length} attempt${expected.length === 1 ? '' : 's'}). Check each against what you know happened;`,
    'the site\'s tests will hold the engine to them. If one is wrong, correct "expected" in the JSON.',
    ...expected.map(
      (e) =>
        `  ${hostPort(e.client, e.clientPort)} → ${hostPort(e.server, e.serverPort)}  ${e.verdict}${e.where ? `  (ended: ${e.where})` : ''}`,
    ),
  ];
  io.out(lines.join('\n') + '\n');
  if (pairNote) io.out(pairNote);
  return 0;
}
