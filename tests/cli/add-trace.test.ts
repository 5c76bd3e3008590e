// `porttrace add-trace`, run in-process against a scratch copy of the site's folders, never the
// repository's own public/traces. Ground truth comes from tshark and from the site's recorded
// traces' own entries, not from the classifier.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { analyzeCapture } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { tsharkFields } from '../lab/tshark.ts';
import { corpusPath, requireTshark } from '../support/corpus.ts';
import { isGroundTruth, loadEntries } from '../traces/tshark.ts';
import { fakeIO } from './fake-io.ts';

const tshark = requireTshark();
/** A SYN answered by a RST (a REJECT --reject-with tcp-reset rule), recorded by the project. */
const REFUSED = 'public/traces/reject-tcp-reset-client.pcapng';
/** Two connections to port 80 from neighbouring ports, data in the second SYN (Zeek's tests). */
const TWO_SYNS = corpusPath('zeek/Traces/tcp/tcp-fast-open.pcap');
/** A single SYN, then the capture ends: the classifier cannot tell (Zeek's tests). */
const ONE_SYN = corpusPath('zeek/Traces/tcp/syn.pcap');
const HANDSHAKE = 'public/traces/open-client.pcapng';
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'porttrace-site-'));
  mkdirSync(join(root, 'src', 'content', 'traces'), { recursive: true });
  mkdirSync(join(root, 'public', 'traces'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function addTrace(...args: string[]) {
  const io = fakeIO();
  const code = await main(['add-trace', ...args, '--root', root], io);
  return { code, io };
}

const entryOf = (id: string) => JSON.parse(readFileSync(join(root, 'src', 'content', 'traces', `${id}.json`), 'utf8'));
const traceOf = (id: string) => join(root, 'public', 'traces', `${id}.pcapng`);

describe('porttrace add-trace', () => {
  it.skipIf(tshark.skip)(
    `copies a pcapng as is and records the verdict tshark shows: a SYN answered by RST is refused${tshark.note}`,
    async () => {
      const source = REFUSED;
      const { code, io } = await addTrace(source, '--title', 'Refused by the web server', '--id', 'refused');
      expect(io.stderr).toBe('');
      expect(code).toBe(0);
      expect(Buffer.compare(readFileSync(traceOf('refused')), readFileSync(source))).toBe(0);
      const entry = entryOf('refused');
      expect(entry).toMatchObject({
        title: 'Refused by the web server',
        file: '/traces/refused.pcapng',
        side: 'client',
        scenario: 'refused',
        reconstruction: false,
        // The verdicts are the classifier's answer, not what an instructor set up.
        expectationsSource: 'classifier-snapshot',
      });
      expect(typeof entry.story).toBe('string');
      expect(entry.source).toMatch(/porttrace add-trace/);
      // Frame 1 is the SYN, frame 2 the RST: the attempt is frame 1's addresses and ports.
      const [[src, dst, sport, dport], [, , , , rst]] = tsharkFields(source, [
        'ip.src',
        'ip.dst',
        'tcp.srcport',
        'tcp.dstport',
        'tcp.flags.reset',
      ]);
      expect(rst).toMatch(/^(1|True)$/);
      expect(entry.expected).toEqual([
        { client: src, clientPort: Number(sport), server: dst, serverPort: Number(dport), verdict: 'refused' },
      ]);
      // Printed for the instructor to confirm.
      expect(io.stdout).toMatch(/Expected verdicts \(1 attempt\)/);
      expect(io.stdout).toMatch(/refused/);
    },
  );

  it.skipIf(tshark.skip)(`converts pcap to pcapng that tshark reads with the same frames${tshark.note}`, async () => {
    const source = corpusPath('zeek/Traces/tcp/rst-inject-rae.pcap');
    const { code, io } = await addTrace(
      source,
      '--title',
      'FTP denied',
      '--id',
      'ftp-denied',
      '--side',
      'server',
      '--story',
      'The server says no.',
    );
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(entryOf('ftp-denied')).toMatchObject({ side: 'server', story: 'The server says no.' });
    const head = readFileSync(traceOf('ftp-denied')).subarray(0, 4);
    expect([...head]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    const fields = ['frame.time_epoch', 'frame.len', 'tcp.flags', 'ip.src'];
    expect(tsharkFields(traceOf('ftp-denied'), fields)).toEqual(tsharkFields(source, fields));
  });

  it.skipIf(tshark.skip)(
    `anonymizes on request: the entry names the new addresses, which are the ones in the file${tshark.note}`,
    async () => {
      const source = REFUSED;
      const { code } = await addTrace(
        source,
        '--title',
        'Refused',
        '--id',
        'refused-anon',
        '--anonymize',
        '--key',
        'course 2026',
      );
      expect(code).toBe(0);
      const [expected] = entryOf('refused-anon').expected;
      expect(expected.verdict).toBe('refused');
      expect(expected.client).not.toBe('10.0.0.10');
      expect(expected.client).toMatch(/^10\./); // private stays private
      const [[src, dst]] = tsharkFields(traceOf('refused-anon'), ['ip.src', 'ip.dst']);
      expect([src, dst]).toEqual([expected.client, expected.server]);
      expect(entryOf('refused-anon').source).toMatch(/anonymized/);
    },
  );

  const client = 'public/traces/closed-rst-client.pcapng';
  const server = 'public/traces/closed-rst-server.pcapng';
  it('records where each attempt ended when the other side is there', async () => {
    expect((await addTrace(server, '--title', 'Server side', '--id', 'x-server', '--side', 'server')).code).toBe(0);
    const { code } = await addTrace(client, '--title', 'Client side', '--id', 'x-client', '--pair', 'x-server');
    expect(code).toBe(0);
    const truth = JSON.parse(readFileSync('src/content/traces/closed-rst-client.json', 'utf8')).expected;
    expect(entryOf('x-client').expected).toEqual(truth);
    expect(entryOf('x-client').pair).toBe('x-server');
    // The pair names each other and shares the scenario, as tests/traces requires of entries.
    expect(entryOf('x-server').pair).toBe('x-client');
    expect(entryOf('x-client').scenario).toBe(entryOf('x-server').scenario);
    expect(Object.keys(entryOf('x-server')).indexOf('pair')).toBe(
      Object.keys(entryOf('x-server')).indexOf('scenario') + 1,
    );
    // The same side twice is not a pair.
    const same = await addTrace(client, '--title', 'Again', '--id', 'y-client', '--pair', 'x-client');
    expect(same.code).toBe(2);
    expect(same.io.stderr).toMatch(/client-side capture too/);
  });

  it('an inconclusive attempt and two SYNs on one port become a classifier snapshot the trace tests accept', async () => {
    expect((await addTrace(ONE_SYN, '--title', 'One SYN', '--id', 'one-syn')).code).toBe(0);
    expect((await addTrace(TWO_SYNS, '--title', 'Two SYNs', '--id', 'two-syns')).code).toBe(0);
    expect(entryOf('one-syn').expected.map((e: { verdict: string }) => e.verdict)).toEqual(['inconclusive']);
    expect(entryOf('two-syns').expected.map((e: { serverPort: number }) => e.serverPort)).toEqual([80, 80]);
    // What tests/traces and tests/analysis/traces.test.ts do with such entries: no ground-truth
    // check (tshark's view cannot confirm an inconclusive verdict), and the classifier held to the
    // answer it gave.
    const entries = loadEntries(join(root, 'src', 'content', 'traces'));
    expect(entries.map((e) => [e.id, e.expectationsSource, isGroundTruth(e)])).toEqual([
      ['one-syn', 'classifier-snapshot', false],
      ['two-syns', 'classifier-snapshot', false],
    ]);
    for (const entry of entries) {
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(join(root, 'public', entry.file))));
      const got = analyzeCapture(capture).attempts.map((v) => [v.attempt.clientPort, v.attempt.serverPort, v.verdict]);
      expect(got).toEqual(entry.expected.map((e) => [e.clientPort, e.serverPort, e.verdict]));
    }
  });

  it('keeps bundled traces small: a capture that makes a 64 KB trace or more is refused', async () => {
    const { code, io } = await addTrace(corpusPath('zeek/Traces/http/methods.pcap'), '--title', 'Many requests');
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/must stay under 64 KB/);
    expect(existsSync(traceOf('methods'))).toBe(false);
  });

  it('refuses to overwrite an existing id without --force', async () => {
    const source = REFUSED;
    expect((await addTrace(source, '--title', 'One')).code).toBe(0);
    const again = await addTrace(source, '--title', 'Two');
    expect(again.code).toBe(2);
    expect(again.io.stderr).toMatch(
      /^porttrace add-trace: a trace with the id "reject-tcp-reset-client" exists already; .*--force.*\n$/,
    );
    expect(entryOf('reject-tcp-reset-client').title).toBe('One');
    expect((await addTrace(source, '--title', 'Two', '--force')).code).toBe(0);
    expect(entryOf('reject-tcp-reset-client').title).toBe('Two');
  });

  it.each([
    [['README.md', '--title', 'x', '--id', 'x'], /README\.md: .*byte 0/],
    [[corpusPath('zeek/Traces/icmp/5-pings.pcap'), '--title', 'Pings'], /no TCP connection attempt/],
    [['no-such-file.pcap', '--title', 'x'], /cannot read/],
    [[HANDSHAKE], /missing --title/],
    [[HANDSHAKE, '--title', 'x', '--side', 'middle'], /--side must be/],
    [[HANDSHAKE, '--title', 'x', '--id', 'Bad Id'], /lower-case/],
    [[HANDSHAKE, '--title', 'x', '--key', 'k'], /--key only/],
    [[HANDSHAKE, '--title', 'x', '--story', 'One. Two. Three. Four.'], /1 to 3 sentences/],
  ])('fails with one line on stderr and exit 2: %j', async (args, message) => {
    const { code, io } = await addTrace(...(args as string[]));
    expect(code).toBe(2);
    expect(io.stderr.split('\n')[0]).toMatch(/^porttrace add-trace: /);
    expect(io.stderr.split('\n')[0]).toMatch(message as RegExp);
    expect(io.stdout).toBe('');
  });

  it('refuses a damaged capture, saying where the damage is', async () => {
    const whole = readFileSync(HANDSHAKE);
    const cut = join(root, 'cut.pcapng');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const { code, io } = await addTrace(cut, '--title', 'x');
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/^porttrace add-trace: .*cut\.pcapng is damaged: .*\(byte \d+\); re-save it/);
    expect(existsSync(traceOf('cut'))).toBe(false);
  });

  it('refuses a folder that is not the site', async () => {
    const io = fakeIO();
    const code = await main(['add-trace', HANDSHAKE, '--title', 'x', '--root', join(root, 'public')], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/not the site's folder/);
  });
});
