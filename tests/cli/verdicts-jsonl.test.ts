// `porttrace verdicts --jsonl` against `--json`, attempt by attempt, on every bundled trace and
// corpus capture; `--summary` (counted from the columns) against both; and on a SYN flood, the
// output handed on in slices, the command waiting for the reader between them, never holding
// the whole output.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { SHOWN_PER_GROUP } from '../../src/cli/commands/verdicts.ts';
import { summaryLine } from '../../src/lib/lab/report.ts';
import { everyBundledCapture, REPO_ROOT, requireCorpus } from '../support/corpus.ts';
import { synFlood } from '../support/syn-flood.ts';
import { fakeIO } from './fake-io.ts';

const corpus = requireCorpus();

async function verdicts(files: Record<string, Uint8Array>, ...args: string[]) {
  const io = fakeIO({ files });
  const status = await main(['verdicts', ...args], io);
  return { status, stdout: io.stdout, stderr: io.stderr };
}

describe.skipIf(corpus.skip)(`--jsonl is --json, one attempt per line${corpus.note}`, () => {
  it('on every bundled trace and corpus capture: the same attempts in the same order, and the same capture line', async () => {
    const paths = everyBundledCapture();
    expect(paths.length).toBeGreaterThan(1000);
    let attempts = 0;
    for (const path of paths) {
      const name = relative(REPO_ROOT, path);
      const files = { [name]: new Uint8Array(readFileSync(path)) };
      const json = await verdicts(files, name, '--json');
      const jsonl = await verdicts(files, name, '--jsonl');
      expect(jsonl.status, name).toBe(json.status);
      expect(jsonl.stderr, name).toBe(json.stderr);
      const whole = JSON.parse(json.stdout);
      const lines = jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      const last = lines.pop();
      expect(lines.length, name).toBe(whole.attempts.length);
      lines.forEach((line, k) => expect(line, `${name}, attempt ${k + 1}`).toEqual(whole.attempts[k]));
      const { summary, findings, offload, packets, duration } = whole;
      expect(last, name).toEqual({ capture: { summary, findings, offload, packets, duration } });
      attempts += lines.length;
      // --summary counts from the columns (no verdict built for SYNs alone): the same counts.
      if (lines.length > 0) {
        const counted = await verdicts(files, name, '--summary');
        const count = `${lines.length.toLocaleString('en')} attempt${lines.length === 1 ? '' : 's'}`;
        expect(counted.stdout, name).toContain(
          `${count}: ${summaryLine({ attempts: lines.length, verdicts: summary })}\n`,
        );
      }
    }
    expect(attempts).toBeGreaterThan(1000);
  });
});

describe('verdicts on a SYN flood', () => {
  const COUNT = 3000;
  const files = { 'flood.pcapng': synFlood(COUNT) };

  it('--jsonl hands its output on in slices and waits for the reader after each', async () => {
    const events: string[] = [];
    let largest = 0;
    let total = 0;
    const io = fakeIO({ files });
    const reader = {
      ...io,
      out(text: string) {
        events.push('out');
        largest = Math.max(largest, text.length);
        total += text.length;
        io.out(text);
      },
      // A slow reader: the pipe drains on a later turn of the event loop.
      drained: () =>
        new Promise<void>((resolve) => {
          events.push('drained');
          setTimeout(resolve, 0);
        }),
    };
    expect(await main(['verdicts', 'flood.pcapng', '--jsonl'], reader)).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(COUNT + 1);
    // About 1 KB an attempt: megabytes in all, written 64 KiB (and one line) at a time.
    expect(total).toBeGreaterThan(COUNT * 500);
    expect(largest).toBeLessThan((1 << 16) + 4096);
    const outs = events.filter((e) => e === 'out').length;
    expect(outs).toBeGreaterThan(total / (1 << 16) - 1);
    // Every slice but the last is followed by a wait for the reader before the next one.
    for (let k = 0; k + 1 < events.length; k++) if (events[k] === 'out') expect(events[k + 1]).toBe('drained');
  });

  it('the grouped text: the first few in full, the rest counted, with the first and last client and the frames', async () => {
    const jsonl = await verdicts(files, 'flood.pcapng', '--jsonl');
    const attempts = jsonl.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .slice(0, -1);
    const text = await verdicts(files, 'flood.pcapng');
    expect(text.status).toBe(0);
    for (const verdict of ['no-response', 'inconclusive']) {
      const kind = attempts.filter((a) => a.verdict === verdict);
      expect(kind.length).toBeGreaterThan(SHOWN_PER_GROUP);
      const hidden = kind.slice(SHOWN_PER_GROUP);
      const frames = hidden.flatMap((a) => a.frames as number[]);
      const first = hidden[0];
      const last = hidden.at(-1);
      expect(text.stdout).toContain(
        `  ${hidden.length.toLocaleString('en')} more ${verdict} to port 80 (nmap: ${first.nmap}, Zeek: S0, history S): ` +
          `clients ${first.client}:${first.clientPort} … ${last.client}:${last.clientPort}, ` +
          `frames ${Math.min(...frames)}-${Math.max(...frames)}\n`,
      );
      for (const shown of kind.slice(0, SHOWN_PER_GROUP))
        expect(text.stdout).toContain(`${shown.client}:${shown.clientPort} → 10.0.0.2:80  ${verdict}  `);
    }
  });
});
