// Where the tests' real captures are, and the oracles that judge our answers on them. Every test,
// golden script helper and benchmark finds the corpus through this module, so nothing in the
// repository reaches outside it.
//
//   tests/corpus/           the vendored, permissively licensed corpus (tests/corpus/README.md)
//   PORTTRACE_EXTRA_CORPUS  opt-in: a folder holding packets/ and netmon/ (captures without a
//                           licence, never vendored); the checks that want them skip without it
//
// A test that needs an oracle or a corpus asks for it with requireTshark() & co. Outside CI a
// missing one skips the test with the reason in its name; with CI set it fails the test file,
// so a CI run cannot pass by skipping what it was meant to check.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** The vendored corpus (absolute path). */
export const CORPUS_DIR = join(REPO_ROOT, 'tests', 'corpus');

/** The opt-in extra corpus (packets/, netmon/), or undefined when PORTTRACE_EXTRA_CORPUS is unset. */
export const EXTRA_CORPUS_DIR: string | undefined = process.env.PORTTRACE_EXTRA_CORPUS
  ? resolve(process.env.PORTTRACE_EXTRA_CORPUS)
  : undefined;

/** The command-line oracles, by the names the tests run them with. */
export const ORACLES = { tshark: 'tshark', capinfos: 'capinfos', editcap: 'editcap' } as const;
export type Oracle = keyof typeof ORACLES;

const inCi = (): boolean => {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
};

/**
 * What a requirement tells a describe/it: `skip` for skipIf, and `note` to append to the test's
 * name so the report says why it did not run ('' when it runs).
 */
export interface Requirement {
  skip: boolean;
  note: string;
}

const met: Requirement = { skip: false, note: '' };

function unmet(reason: string, failInCi: boolean): Requirement {
  if (failInCi && inCi()) {
    throw new Error(`${reason}; CI is set, so this is a failure, not a skip`);
  }
  return { skip: true, note: ` [skipped: ${reason}]` };
}

const probed = new Map<string, boolean>();
function runs(command: string, args: string[]): boolean {
  const key = [command, ...args].join(' ');
  let ok = probed.get(key);
  if (ok === undefined) {
    ok = spawnSync(command, args, { stdio: 'ignore' }).status === 0;
    probed.set(key, ok);
  }
  return ok;
}

/** Whether an oracle can be run here (no skip or failure: for code that only chooses a path). */
export function haveOracle(oracle: Oracle): boolean {
  return runs(ORACLES[oracle], ['--version']);
}

function requireOracle(oracle: Oracle): Requirement {
  return haveOracle(oracle) ? met : unmet(`${ORACLES[oracle]} is not installed (Debian: apt-get install tshark)`, true);
}

export const requireTshark = (): Requirement => requireOracle('tshark');
export const requireCapinfos = (): Requirement => requireOracle('capinfos');
export const requireEditcap = (): Requirement => requireOracle('editcap');

/** tshark built with Lua (Debian's is): the filter goldens evaluate the suite through a Lua tap. */
export function requireTsharkWithLua(): Requirement {
  const out = spawnSync(ORACLES.tshark, ['-v'], { encoding: 'utf8' });
  return out.status === 0 && /with Lua/.test(out.stdout)
    ? met
    : unmet('tshark with Lua is not installed (Debian: apt-get install tshark)', true);
}

/** The vendored corpus. It is part of the repository; this only fails on a partial checkout. */
export function requireCorpus(): Requirement {
  return existsSync(join(CORPUS_DIR, 'MANIFEST.tsv'))
    ? met
    : unmet(`the vendored corpus is missing (${relative(REPO_ROOT, CORPUS_DIR)}/MANIFEST.tsv)`, true);
}

/**
 * The opt-in extra corpus. Unset, the checks skip (in CI too: it is optional by design); set to a
 * folder without packets/ and netmon/, it is a mistake and fails.
 */
export function requireExtraCorpus(): Requirement {
  if (EXTRA_CORPUS_DIR === undefined) {
    return unmet('needs the unlicensed teaching captures: set PORTTRACE_EXTRA_CORPUS', false);
  }
  for (const folder of ['packets', 'netmon']) {
    if (!existsSync(join(EXTRA_CORPUS_DIR, folder))) {
      throw new Error(`PORTTRACE_EXTRA_CORPUS=${EXTRA_CORPUS_DIR} has no ${folder}/ folder`);
    }
  }
  return met;
}

/** Both requirements at once: skips (or fails) for the first unmet one. */
export function both(a: Requirement, b: Requirement): Requirement {
  return a.skip ? a : b;
}

/** A vendored corpus file's absolute path, from its path in MANIFEST.tsv (e.g. `zeek/Traces/smtp.pcap`). */
const CAPTURE_NAME = /\.(pcap|pcapng|cap|etl)$/;

/** Every capture file below `dir` (pcap, pcapng, NetMon .cap, ETL), depth first. */
export function capturesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return capturesUnder(path);
    return CAPTURE_NAME.test(name) ? [path] : [];
  });
}

/** The bundled teaching traces and the vendored corpus: every capture a clone has. */
export const everyBundledCapture = (): string[] => [
  ...capturesUnder(join(REPO_ROOT, 'public', 'traces')),
  ...capturesUnder(CORPUS_DIR),
];

export function corpusPath(path: string): string {
  return join(CORPUS_DIR, path);
}

export function corpusBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(corpusPath(path)));
}

/** An extra-corpus file's absolute path (`packets/…` or `netmon/…`); only under requireExtraCorpus(). */
export function extraPath(path: string): string {
  if (EXTRA_CORPUS_DIR === undefined) throw new Error(`${path}: PORTTRACE_EXTRA_CORPUS is not set`);
  return join(EXTRA_CORPUS_DIR, path);
}

export function extraBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(extraPath(path)));
}

/**
 * A capture by the short name the goldens use: `packets/…` and `netmon/…` from the extra corpus,
 * `public/…` and `tests/…` from the repository, anything else from the vendored corpus.
 */
export function capturePath(path: string): string {
  if (path.startsWith('packets/') || path.startsWith('netmon/')) return extraPath(path);
  if (path.startsWith('public/') || path.startsWith('tests/')) return join(REPO_ROOT, path);
  return corpusPath(path);
}

/** Whether a capture named as in capturePath() comes from the opt-in extra corpus. */
export const isExtra = (path: string): boolean => path.startsWith('packets/') || path.startsWith('netmon/');

export interface ManifestRow {
  path: string;
  format: string;
  linkTypes: string;
  ticksPerSecond: string;
  /** capinfos' packet count, or what it said instead ("unreadable-by-capinfos", …). */
  capinfos: string;
}

let manifestRows: ManifestRow[] | undefined;

/** The vendored corpus's MANIFEST.tsv, one row per capture. */
export function manifest(): ManifestRow[] {
  if (manifestRows) return manifestRows;
  const lines = readFileSync(corpusPath('MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines[0].split('\t');
  const col = (name: string): number => header.indexOf(name);
  manifestRows = lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return {
      path: cells[col('path')],
      format: cells[col('format')],
      linkTypes: cells[col('link_types')],
      ticksPerSecond: cells[col('ticks_per_sec')],
      capinfos: cells[col('packets_capinfos')],
    };
  });
  return manifestRows;
}

let netmonDir: string | undefined;

/**
 * A Network Monitor copy of a capture (named as in capturePath()), written by Wireshark's editcap
 * into a temporary folder removed when the process exits. The repository holds no NetMon file
 * from a real capture: these stand in for them (Wireshark writes NetMon 1.x and 2.0 frames).
 * Only under requireEditcap().
 */
export function netmonCopy(source: string, format: 'netmon1' | 'netmon2'): string {
  if (netmonDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'porttrace-netmon-'));
    netmonDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const out = join(netmonDir, `${basename(source).replace(/\.[^.]+$/, '')}.${format}.cap`);
  if (!existsSync(out)) execFileSync(ORACLES.editcap, ['-F', format, capturePath(source), out], { stdio: 'pipe' });
  return out;
}

export const netmonBytes = (source: string, format: 'netmon1' | 'netmon2'): Uint8Array =>
  new Uint8Array(readFileSync(netmonCopy(source, format)));
