// Argument errors are one line on stderr and exit 2 (README, "The command line"); the usage is
// printed by --help, on stdout, exit 0. Devices that never end are refused, not read forever.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from './fake-io.ts';

const mistakes: string[][] = [
  [],
  ['no-such-command'],
  ['packets'],
  ['packets', 'a.pcap', '--bogus'],
  ['packets', 'a.pcap', '--json', '--netmon'],
  ['check-filter'],
  ['check-filter', 'tcp.port', '==', '80'],
  ['compare', 'client.pcap'],
  ['add-trace'],
  ['add-trace', 'a.pcap'],
];

describe('argument errors', () => {
  for (const argv of mistakes) {
    it(`porttrace ${argv.join(' ')}: one line on stderr, exit 2`, async () => {
      const io = fakeIO({ files: {} });
      expect(await main(argv, io)).toBe(2);
      expect(io.stdout).toBe('');
      expect(io.stderr).toMatch(/^porttrace[^\n]*: [^\n]+\n$/);
      expect(io.stderr).toContain('--help');
    });
  }

  for (const command of ['packets', 'check-filter', 'compare', 'add-trace']) {
    it(`porttrace ${command} --help prints the usage on stdout, exit 0`, async () => {
      const io = fakeIO({ files: {} });
      expect(await main([command, '--help'], io)).toBe(0);
      expect(io.stdout).toMatch(new RegExp(`^usage: porttrace ${command} `));
      expect(io.stderr).toBe('');
    });
  }

  it('porttrace --help lists every command', async () => {
    const io = fakeIO({ files: {} });
    expect(await main(['--help'], io)).toBe(0);
    for (const command of ['packets', 'check-filter', 'verdicts', 'compare', 'add-trace'])
      expect(io.stdout).toContain(`  ${command} `);
  });
});

describe.skipIf(!existsSync('/dev/zero'))('a file that never ends', () => {
  // A real process with a deadline: the bug was a read loop that spun forever on /dev/zero.
  for (const command of [
    ['add-trace', '/dev/zero', '--title', 'zeros'],
    ['packets', '/dev/zero'],
  ]) {
    it(`porttrace ${command[0]} /dev/zero says "not a capture" and stops`, () => {
      const result = spawnSync(process.execPath, ['bin/porttrace.mjs', ...command], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.signal).toBeNull();
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^porttrace( add-trace)?: \/dev\/zero: not a capture file: starts with 00 00 00 00/,
      );
    });
  }
});
