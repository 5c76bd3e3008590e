// `porttrace check-filter` and `porttrace packets --filter`, in-process through main() with a
// fake terminal, plus one real process to prove the exit code reaches the shell.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from '../cli/fake-io.ts';
import { capturePath } from '../support/corpus.ts';

describe('porttrace check-filter', () => {
  it('exits 0 for a valid filter', async () => {
    const t = fakeIO();
    expect(await main(['check-filter', 'tcp.port == 3389 && tcp.flags.syn == 1'], t)).toBe(0);
    expect(t.stderr).toBe('');
  });

  it('exits 2 with the message, the filter and a ^~~ line under the bad token', async () => {
    const t = fakeIO();
    expect(await main(['check-filter', 'tcp.port == 99999'], t)).toBe(2);
    const lines = t.stderr.split('\n');
    expect(lines[0]).toBe('"99999" too big for this field, maximum 65535.');
    expect(lines[1]).toBe('    tcp.port == 99999');
    expect(lines[2]).toBe('                ^~~~~');
  });

  it('teaches Network Monitor users', async () => {
    const t = fakeIO();
    expect(await main(['check-filter', 'Property.TCPSynRetransmit'], t)).toBe(2);
    expect(t.stderr).toContain('tcp.analysis.retransmission && tcp.flags.syn==1');
  });

  it('explains != on tcp.port but accepts it', async () => {
    const t = fakeIO();
    expect(await main(['check-filter', 'tcp.port != 3389'], t)).toBe(0);
    expect(t.stderr).toContain('!(tcp.port == 3389)');
  });

  it('asks for quotes when the filter arrives as several words', async () => {
    const t = fakeIO();
    expect(await main(['check-filter', 'tcp.port', '==', '80'], t)).toBe(2);
    expect(t.stderr).toContain('quotes');
  });

  it('exits 2 from a real process', () => {
    const bad = spawnSync(process.execPath, ['bin/porttrace.mjs', 'check-filter', 'tcp.port = 80'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"=" was unexpected in this context.');
    const good = spawnSync(process.execPath, ['bin/porttrace.mjs', 'check-filter', 'tcp.port == 80'], {
      encoding: 'utf8',
    });
    expect(good.status).toBe(0);
  }, 60_000);
});

describe('porttrace packets --filter', () => {
  // A connection with an injected RST among its packets (Zeek's tests).
  const file = capturePath('zeek/Traces/tcp/rst-inject-rae.pcap');
  const bytes = new Uint8Array(readFileSync(file));

  it('prints only the matching packets, with their original frame numbers', async () => {
    const all = fakeIO({ files: { [file]: bytes } });
    expect(await main(['packets', file, '--json'], all)).toBe(0);
    const everything = JSON.parse(all.stdout) as Array<{ number: number; info?: string }>;

    const some = fakeIO({ files: { [file]: bytes } });
    expect(await main(['packets', file, '--json', '--filter', 'tcp.flags.reset == 1'], some)).toBe(0);
    const rows = JSON.parse(some.stdout) as Array<{ number: number }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(everything.length);
    // Original numbers, increasing, not renumbered from 1.
    expect(rows.map((r) => r.number)).toEqual([...rows.map((r) => r.number)].sort((a, b) => a - b));
    expect(rows[0].number).toBeGreaterThan(1);
  });

  it('rejects a bad filter before reading the file', async () => {
    const t = fakeIO({ files: {} });
    expect(await main(['packets', 'no-such-file.pcap', '--filter', 'tcp.prot == 80'], t)).toBe(2);
    expect(t.stderr).toContain('tcp.port');
    expect(t.stderr).not.toContain('no-such-file');
  });
});
