// `porttrace practice`, run in-process: it writes the exercise's captures and prints the key, and
// the key matches what `porttrace verdicts` / `porttrace compare` then say about those files.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from './fake-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'porttrace-practice-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pick = (a: Record<string, unknown>) => ({
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
  where: a.where,
  serverFrames: a.serverFrames,
});

describe('porttrace practice', () => {
  it('writes a pair and prints a key that compare agrees with, in the verdicts JSON shape', async () => {
    const client = join(dir, 'c.pcapng');
    const server = join(dir, 's.pcapng');
    const io = fakeIO();
    const args = ['practice', '--seed', '31', '--level', '2', '--out', client, '--server', server, '--json'];
    expect(await main(args, io)).toBe(0);
    const key = JSON.parse(io.stdout);
    expect(key).toMatchObject({ seed: 31, level: 2, client: { file: client }, server: { file: server } });
    expect(readFileSync(client).subarray(0, 4)).toEqual(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]));
    expect(existsSync(server)).toBe(true);
    expect(key.attempts.filter((a: { target: boolean }) => a.target)).toHaveLength(1);

    const compared = fakeIO();
    expect(await main(['compare', client, server, '--json'], compared)).toBe(0);
    const byPort = (xs: Array<Record<string, unknown>>) =>
      xs.map(pick).sort((a, b) => (a.clientPort as number) - (b.clientPort as number));
    expect(byPort(JSON.parse(compared.stdout).attempts)).toEqual(byPort(key.attempts));
  });

  it('the same seed writes the same bytes; text output names the question and the answer', async () => {
    const first = join(dir, 'a.pcapng');
    const second = join(dir, 'b.pcapng');
    const io = fakeIO();
    expect(await main(['practice', '--seed', '9', '--out', first], io)).toBe(0);
    expect(await main(['practice', '--seed', '9', '--out', second], fakeIO())).toBe(0);
    expect(readFileSync(first)).toEqual(readFileSync(second));
    expect(io.stdout).toMatch(/^Exercise seed 9, level 4: /);
    expect(io.stdout).toMatch(/Question: what happened to \S+ → \S+\?/);
    expect(io.stdout).toMatch(/^\* \S+ → \S+ {2}(connected|refused|no-response|unreachable)/m);
  });

  it.each([
    [['--out', 'x.pcapng'], 'missing --seed N'],
    [['--seed', '12'], 'missing --out FILE.pcapng'],
    [['--seed', '-1', '--out', 'x'], '--seed needs a whole number from 0 to 4294967295, not "-1"'],
    [['--seed', '4294967296', '--out', 'x'], '--seed needs a whole number from 0 to 4294967295, not "4294967296"'],
    [['--seed', '1', '--out', 'x', '--level', '5'], '--level is 1, 2, 3 or 4, not "5"'],
    [['--seed', '1', '--out', 'x', '--pattern', 'blocked'], 'unknown pattern "blocked"'],
    [['--seed', '1', '--out', 'x', '--frobnicate'], 'unknown option "--frobnicate"'],
  ])('%j is refused with one clear line and exit 2', async (args, message) => {
    const io = fakeIO();
    expect(await main(['practice', ...args], io)).toBe(2);
    expect(io.stderr).toContain(`porttrace practice: ${message}`);
    expect(io.stdout).toBe('');
  });

  it('a file that cannot be written is an error, not a crash', async () => {
    const io = fakeIO();
    expect(await main(['practice', '--seed', '1', '--out', join(dir, 'missing', 'x.pcapng')], io)).toBe(2);
    expect(io.stderr).toMatch(/^porttrace practice: cannot write: /);
  });
});
