// `porttrace verdicts` and `porttrace compare`, run in-process on real captures: the recorded
// traces (whose expected verdicts are what the recording set up, public/traces/README.md), and,
// with the opt-in extra corpus, two teaching captures from Practical Packet Analysis.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { extraPath, requireExtraCorpus } from '../support/corpus.ts';
import { fakeIO } from './fake-io.ts';

const extra = requireExtraCorpus();

describe('porttrace verdicts', () => {
  it('--json gives the documented shape, with frames and evidence citing them', async () => {
    const io = fakeIO();
    expect(await main(['verdicts', 'public/traces/closed-rst-client.pcapng', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out.attempts).toHaveLength(1);
    const a = out.attempts[0];
    // Nothing listened on 3390; the client connected from port 50212.
    expect(a).toMatchObject({
      client: '10.0.0.10',
      clientPort: 50212,
      server: '10.0.1.20',
      serverPort: 3390,
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
    // A DROP rule on the server: the client's SYNs to 3389 are never answered.
    expect(await main(['verdicts', 'public/traces/blocked-drop-client.pcapng'], io)).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^10\.0\.0\.10:49731 → 10\.0\.1\.20:3389 {2}no-response /);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.startsWith('    '))).toBe(true);
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
    // Connections to 88 and then 3389, both open; the cut falls in the last packet of the second.
    const whole = new Uint8Array(readFileSync('public/traces/open-client.pcapng'));
    const io = fakeIO({ files: { 'cut.pcapng': whole.subarray(0, whole.length - 20) } });
    expect(await main(['verdicts', 'cut.pcapng', '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout).attempts[0].verdict).toBe('connected');
    expect(io.stderr).toMatch(/^porttrace: cut\.pcapng: .*truncated/);
  });
});

describe.skipIf(extra.skip)(`porttrace verdicts on the teaching captures${extra.note}`, () => {
  it('human output names a packet captured twice', async () => {
    const io = fakeIO();
    expect(await main(['verdicts', extraPath('packets/nowebaccess3.pcapng')], io)).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^172\.16\.0\.8:1251 → 74\.125\.95\.105:80 {2}no-response /);
    expect(io.stdout).toContain('Frame 4 is frame 3 captured a second time');
  });

  it('a scan: thousands of attempts, each on its own line', async () => {
    const io = fakeIO();
    expect(await main(['verdicts', extraPath('packets/synscan.pcapng'), '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    // Counted independently with tshark: 1994 distinct SYNs (4-tuple + ISN) from the scanner.
    expect(out.attempts).toHaveLength(1994);
  });
});

describe('porttrace compare', () => {
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
