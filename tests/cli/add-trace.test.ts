// `porttrace add-trace`, run in-process against a scratch copy of the site's folders, never the
// repository's own public/traces. Ground truth comes from tshark and from the site's recorded
// traces' own entries, not from the classifier.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from './fake-io.ts';
import { hasTshark, tsharkFields } from '../lab/tshark.ts';

const CORPUS = '../shared/corpus';
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
  it('copies a pcapng as is and records the verdict tshark shows: a SYN answered by RST is refused', async () => {
    const source = `${CORPUS}/packets/tcp_refuseconnection.pcapng`;
    const { code, io } = await addTrace(source, '--title', 'Refused by the web server');
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(Buffer.compare(readFileSync(traceOf('tcp-refuseconnection')), readFileSync(source))).toBe(0);
    const entry = entryOf('tcp-refuseconnection');
    expect(entry).toMatchObject({
      title: 'Refused by the web server',
      file: '/traces/tcp-refuseconnection.pcapng',
      side: 'client',
      scenario: 'tcp-refuseconnection',
      reconstruction: false,
    });
    expect(typeof entry.story).toBe('string');
    expect(entry.source).toMatch(/porttrace add-trace/);
    if (hasTshark) {
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
    }
    // Printed for the instructor to confirm.
    expect(io.stdout).toMatch(/Expected verdicts \(1 attempt\)/);
    expect(io.stdout).toMatch(/refused/);
  });

  it('converts pcap to pcapng that tshark reads with the same frames', async () => {
    const source = `${CORPUS}/packets/ppa1e/ftpserverdenied.pcap`;
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
    if (hasTshark) {
      const fields = ['frame.time_epoch', 'frame.len', 'tcp.flags', 'ip.src'];
      expect(tsharkFields(traceOf('ftp-denied'), fields)).toEqual(tsharkFields(source, fields));
    }
  });

  it('anonymizes on request: the entry names the new addresses, which are the ones in the file', async () => {
    const source = `${CORPUS}/packets/tcp_refuseconnection.pcapng`;
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
    expect(expected.client).not.toBe('192.168.100.138');
    expect(expected.client).toMatch(/^192\.168\./); // private stays private
    if (hasTshark) {
      const [[src, dst]] = tsharkFields(traceOf('refused-anon'), ['ip.src', 'ip.dst']);
      expect([src, dst]).toEqual([expected.client, expected.server]);
    }
    expect(entryOf('refused-anon').source).toMatch(/anonymized/);
  });

  const client = 'public/traces/closed-rst-client.pcapng';
  const server = 'public/traces/closed-rst-server.pcapng';
  it.skipIf(!existsSync(client) || !existsSync(server))(
    'records where each attempt ended when the other side is there',
    async () => {
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
    },
  );

  it('keeps bundled traces small: a capture that makes a 64 KB trace or more is refused', async () => {
    const { code, io } = await addTrace(`${CORPUS}/packets/synscan.pcapng`, '--title', 'Scan');
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/must stay under 64 KB/);
    expect(existsSync(traceOf('synscan'))).toBe(false);
  });

  it('refuses to overwrite an existing id without --force', async () => {
    const source = `${CORPUS}/packets/tcp_refuseconnection.pcapng`;
    expect((await addTrace(source, '--title', 'One')).code).toBe(0);
    const again = await addTrace(source, '--title', 'Two');
    expect(again.code).toBe(2);
    expect(again.io.stderr).toMatch(
      /^porttrace add-trace: a trace with the id "tcp-refuseconnection" exists already; .*--force.*\n$/,
    );
    expect(entryOf('tcp-refuseconnection').title).toBe('One');
    expect((await addTrace(source, '--title', 'Two', '--force')).code).toBe(0);
    expect(entryOf('tcp-refuseconnection').title).toBe('Two');
  });

  it.each([
    [['README.md', '--title', 'x', '--id', 'x'], /README\.md: .*byte 0/],
    [[`${CORPUS}/zeek/Traces/icmp/5-pings.pcap`, '--title', 'Pings'], /no TCP connection attempt/],
    [['no-such-file.pcap', '--title', 'x'], /cannot read/],
    [[`${CORPUS}/packets/tcp_handshake.pcapng`], /missing --title/],
    [[`${CORPUS}/packets/tcp_handshake.pcapng`, '--title', 'x', '--side', 'middle'], /--side must be/],
    [[`${CORPUS}/packets/tcp_handshake.pcapng`, '--title', 'x', '--id', 'Bad Id'], /lower-case/],
    [[`${CORPUS}/packets/tcp_handshake.pcapng`, '--title', 'x', '--key', 'k'], /--key only/],
    [
      [`${CORPUS}/packets/tcp_handshake.pcapng`, '--title', 'x', '--story', 'One. Two. Three. Four.'],
      /1 to 3 sentences/,
    ],
  ])('fails with one line on stderr and exit 2: %j', async (args, message) => {
    const { code, io } = await addTrace(...(args as string[]));
    expect(code).toBe(2);
    expect(io.stderr.split('\n')[0]).toMatch(/^porttrace add-trace: /);
    expect(io.stderr.split('\n')[0]).toMatch(message as RegExp);
    expect(io.stdout).toBe('');
  });

  it('refuses a damaged capture, saying where the damage is', async () => {
    const whole = readFileSync(`${CORPUS}/packets/tcp_handshake.pcapng`);
    const cut = join(root, 'cut.pcapng');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const { code, io } = await addTrace(cut, '--title', 'x');
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/^porttrace add-trace: .*cut\.pcapng is damaged: .*\(byte \d+\); re-save it/);
    expect(existsSync(traceOf('cut'))).toBe(false);
  });

  it('refuses a folder that is not the site', async () => {
    const io = fakeIO();
    const code = await main(
      ['add-trace', `${CORPUS}/packets/tcp_handshake.pcapng`, '--title', 'x', '--root', join(root, 'public')],
      io,
    );
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/not the site's folder/);
  });
});
