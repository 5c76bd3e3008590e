// `porttrace verdicts` and `porttrace compare`, run in-process on real captures.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from './fake-io.ts';

const CORPUS = '../shared/corpus/packets';
const haveCorpus = existsSync(`${CORPUS}/tcp_refuseconnection.pcapng`);
const haveTraces =
  existsSync('public/traces/return-path-drop-client.pcapng') &&
  existsSync('public/traces/return-path-drop-server.pcapng');

describe.skipIf(!haveCorpus)('porttrace verdicts', () => {
  it('--json gives the documented shape, with frames and evidence citing them', async () => {
    const io = fakeIO();
    expect(await main(['verdicts', `${CORPUS}/tcp_refuseconnection.pcapng`, '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out.attempts).toHaveLength(1);
    const a = out.attempts[0];
    expect(a).toMatchObject({
      client: '192.168.100.138',
      clientPort: 3372,
      server: '192.168.100.1',
      serverPort: 80,
      verdict: 'refused',
      frames: [1, 2],
      history: 'Sr',
      nmap: 'closed',
      zeek: 'REJ',
    });
    expect(a.evidence.length).toBeGreaterThan(1);
    for (const step of a.evidence) {
      expect(typeof step.text).toBe('string');
      for (const f of step.frames) expect(a.frames).toContain(f);
    }
  });

  it('human output: one line per attempt, then its evidence indented', async () => {
    const io = fakeIO();
    expect(await main(['verdicts', `${CORPUS}/nowebaccess3.pcapng`], io)).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^172\.16\.0\.8:1251 → 74\.125\.95\.105:80 {2}no-response /);
    expect(lines.slice(1).every((l) => l.startsWith('    '))).toBe(true);
    expect(io.stdout).toContain('Frame 4 is frame 3 captured a second time');
  });

  it('a scan: thousands of attempts, each on its own line', async () => {
    const io = fakeIO();
    expect(await main(['verdicts', `${CORPUS}/synscan.pcapng`, '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    // Counted independently with tshark: 1994 distinct SYNs (4-tuple + ISN) from the scanner.
    expect(out.attempts).toHaveLength(1994);
  });

  it('usage errors and unreadable files exit 2 with one line on stderr', async () => {
    let io = fakeIO();
    expect(await main(['verdicts'], io)).toBe(2);
    expect(io.stderr).toContain('missing FILE');
    io = fakeIO();
    expect(await main(['verdicts', 'a', 'b'], io)).toBe(2);
    io = fakeIO();
    expect(await main(['verdicts', 'no/such/file.pcap'], io)).toBe(2);
    expect(io.stderr).toMatch(/^porttrace: no\/such\/file\.pcap: cannot read/);
  });

  it('a file cut short still gets verdicts for what is there, and exits 2 saying where it stops', async () => {
    const whole = new Uint8Array(readFileSync(`${CORPUS}/nowebaccess2.pcapng`));
    const io = fakeIO({ files: { 'cut.pcapng': whole.subarray(0, whole.length - 20) } });
    expect(await main(['verdicts', 'cut.pcapng', '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout).attempts[0].verdict).toBe('refused');
    expect(io.stderr).toMatch(/^porttrace: cut\.pcapng: .*truncated/);
  });
});

describe.skipIf(!haveTraces)('porttrace compare', () => {
  it('says where the attempt ended, in JSON', async () => {
    const io = fakeIO();
    expect(
      await main(
        [
          'compare',
          'public/traces/return-path-drop-client.pcapng',
          'public/traces/return-path-drop-server.pcapng',
          '--json',
        ],
        io,
      ),
    ).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out.matched).toBe(1);
    expect(out.attempts[0]).toMatchObject({ verdict: 'no-response', where: 'return-path' });
    expect(out.attempts[0].whereEvidence.map((e: { text: string }) => e.text).join(' ')).toContain(
      'never reached the client',
    );
    expect(Math.abs(out.clockOffset)).toBeLessThan(0.05);
  });

  it('needs two files', async () => {
    const io = fakeIO();
    expect(await main(['compare', 'public/traces/return-path-drop-client.pcapng'], io)).toBe(2);
    expect(io.stderr).toContain('missing SERVER');
  });
});
