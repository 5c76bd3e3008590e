// The CLI reads a capture from a pipe (/dev/stdin) as it reads it from a file: a pipe's size is
// 0 whatever comes through it, and taken as the file's size it ended every read at once. A
// directory is a clear error, not "an empty file".
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const cli = (args: string[], input?: Buffer) =>
  spawnSync(process.execPath, ['bin/porttrace.mjs', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input ? { input } : {}),
  });

const trace = 'public/traces/article-blocked-server.pcapng';
const log = 'public/traces/article-blocked-server.pfirewall.log';

describe.skipIf(process.platform !== 'linux')('the CLI on a pipe', () => {
  it('verdicts and packets read /dev/stdin as they read the file', () => {
    for (const command of [['verdicts'], ['verdicts', '--jsonl'], ['packets']]) {
      const fromFile = cli([command[0], trace, ...command.slice(1)]);
      const fromPipe = cli([command[0], '-', ...command.slice(1)], readFileSync(trace));
      expect(fromFile.status, command.join(' ')).toBe(0);
      expect(fromPipe.stderr, command.join(' ')).toBe('');
      expect(fromPipe.status, command.join(' ')).toBe(0);
      expect(fromPipe.stdout, command.join(' ')).toBe(fromFile.stdout);
    }
  });

  it('a firewall log through a pipe adds the same DROP lines', () => {
    const fromFile = cli(['verdicts', trace, '--firewall-log', log]);
    const fromPipe = cli(['verdicts', trace, '--firewall-log', '/dev/stdin'], readFileSync(log));
    expect(fromFile.stdout).toContain('logged DROP');
    expect(fromPipe.stdout).toBe(fromFile.stdout);
  });

  it('a firewall log that never ends is read up to its bound, then refused, exit 2', () => {
    const result = cli(['verdicts', trace, '--firewall-log', '/dev/zero']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^porttrace: \/dev\/zero: more than 67,[\d,]+ bytes is larger than any Windows Firewall log \(at most 32 MB\)\n$/,
    );
  });

  it('a directory is named as one, exit 2', () => {
    for (const command of ['verdicts', 'packets']) {
      const result = cli([command, 'public/traces']);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe('porttrace: public/traces: cannot read: it is a directory, not a file\n');
    }
  });
});
