// `porttrace verdicts` output modes on a capture where one kind of attempt repeats: the grouped
// text (the first few in full, the rest as one line), --all, --summary and --jsonl must tell the
// same story, attempt for attempt.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { SHOWN_PER_GROUP } from '../../src/cli/commands/verdicts.ts';
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { fakeIO } from './fake-io.ts';

const TRACE = 'public/traces/blocked-drop-client.pcapng';
const COPIES = 10;

/** The trace `COPIES` times over, each copy 300 s after the one before (beyond any retransmission). */
function repeatedTrace(): Uint8Array {
  const capture = loadCaptureBytes(new Uint8Array(readFileSync(TRACE)));
  const writer = new PcapngWriter();
  writer.addInterface({ linkType: capture.packets[0].linkType, decimalResolution: 9 });
  for (let k = 0; k < COPIES; k++)
    for (const p of capture.packets)
      writer.addPacket({ interfaceId: 0, seconds: p.seconds + 300 * k, nanoseconds: p.nanoseconds, data: p.data });
  return writer.toBytes();
}

const files = { 'repeated.pcapng': repeatedTrace() };

async function run(...options: string[]): Promise<string> {
  const io = fakeIO({ files });
  expect(await main(['verdicts', 'repeated.pcapng', ...options], io)).toBe(0);
  expect(io.stderr).toBe('');
  return io.stdout;
}

describe('porttrace verdicts on repeated attempts', () => {
  it('text groups what repeats: the first few in full, then one line with the count, clients and frames', async () => {
    const attempts = (await run('--jsonl'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((x) => !('capture' in x));
    expect(attempts).toHaveLength(COPIES);
    const kinds = new Set(attempts.map((a) => `${a.verdict} ${a.serverPort} ${a.nmap} ${a.zeek} ${a.history}`));
    expect(kinds.size).toBe(1);
    const [first] = attempts;

    const text = await run();
    const heads = text.split('\n').filter((l) => / → /.test(l) && !l.startsWith(' '));
    expect(heads).toHaveLength(SHOWN_PER_GROUP);
    const hidden = attempts.slice(SHOWN_PER_GROUP);
    const frames = hidden.flatMap((a) => a.frames as number[]);
    const client = (a: { client: string; clientPort: number }) => `${a.client}:${a.clientPort}`;
    expect(text).toContain(
      `Not shown: ${hidden.length} attempts like the ${SHOWN_PER_GROUP} shown of its kind (--all prints every one):\n` +
        `  ${hidden.length} more ${first.verdict} to port ${first.serverPort} (nmap: ${first.nmap}, Zeek: ${first.zeek}, history ${first.history}): ` +
        `client ${client(first)}, frames ${Math.min(...frames)}-${Math.max(...frames)}\n`,
    );
    expect(text).toContain(`${COPIES} attempts: ${COPIES} no response\n`);

    const all = await run('--all');
    expect(all.split('\n').filter((l) => / → /.test(l) && !l.startsWith(' '))).toHaveLength(COPIES);
    expect(all).not.toContain('Not shown');

    const summary = await run('--summary');
    expect(summary.split('\n')[0]).toBe(`${COPIES} attempts: ${COPIES} no response`);
    expect(summary).not.toContain(' → ');
  });

  it('one output option at a time', async () => {
    const io = fakeIO({ files });
    expect(await main(['verdicts', 'repeated.pcapng', '--all', '--jsonl'], io)).toBe(2);
    expect(io.stderr.split('\n')[0]).toContain('cannot be combined');
  });
});
