// `porttrace packets`, run in-process through main() with a fake terminal, and once as a real
// process to prove the bin works. The text output is compared with tshark's own default output
// when tshark is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describePackets } from '../../src/lib/describe/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { relativeSeconds, tsharkLine } from '../../src/cli/commands/packets.ts';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseGolden } from '../decode/tshark-fields.ts';
import { capturePath, requireTshark } from '../support/corpus.ts';
import { fakeIO } from './fake-io.ts';

const tshark = requireTshark();

/** Serves files from memory in odd-sized chunks, so records straddle chunk boundaries as with a real stream. */
const memoryIO = (files: Record<string, Uint8Array>) => fakeIO({ files, chunkSize: 777 });

const corpusFile = (path: string) => new Uint8Array(readFileSync(capturePath(path)));

describe('porttrace packets', () => {
  // Captures in which tshark's Protocol column is TCP for every packet (no HTTP to reassemble).
  it
    .skipIf(tshark.skip)
    .each([
      'public/traces/closed-rst-client.pcapng',
      'public/traces/blocked-drop-client.pcapng',
      'public/traces/return-path-drop-server.pcapng',
      'public/traces/closed-stealth-server.pcapng',
      'zeek/Traces/tcp/option-sack.pcap',
      'tcpdump/tests/tcp-handshake-nano.pcap',
    ])(`prints %s exactly as tshark does${tshark.note}`, async (path) => {
    // -n: no MAC vendor names ("HewlettP_bf:91:ee", "Broadcast"); we print addresses as they are.
    const expected = execFileSync('tshark', ['-n', '-r', capturePath(path)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const io = memoryIO({ [path]: corpusFile(path) });
    expect(await main(['packets', path], io)).toBe(0);
    expect(io.stderr).toBe('');
    expect(io.stdout).toBe(expected);
  });

  it('--json gives every packet with number, time, addresses, protocol, length, info and description', async () => {
    const path = 'public/traces/closed-rst-client.pcapng';
    const io = memoryIO({ [path]: corpusFile(path) });
    expect(await main(['packets', path, '--json'], io)).toBe(0);
    const rows = JSON.parse(io.stdout);
    // What tshark said about the same packets (scripts/golden-packets.sh).
    const golden = parseGolden(
      readFileSync('tests/golden/packets/public__traces__closed-rst-client.pcapng.tsv', 'utf8'),
    );
    expect(rows).toHaveLength(golden.rows.length);
    rows.forEach((row: Record<string, unknown>, i: number) => {
      expect(row).toMatchObject({
        number: Number(golden.rows[i]['frame.number']),
        time: golden.rows[i]['frame.time_relative'],
        src: golden.rows[i]['ip.src'],
        dst: golden.rows[i]['ip.dst'],
        protocol: golden.rows[i]['_ws.col.Protocol'],
        length: Number(golden.rows[i]['frame.len']),
        info: golden.rows[i]['_ws.col.Info'],
      });
    });
    expect(rows[0].info).toMatch(/^\d+ → 3390 \[SYN\] Seq=0 /);
    expect(rows[0].description).toMatch(/^TCP:Flags=\.{6}S\., SrcPort=/);
    expect(rows[1].info).toMatch(/^3390 → \d+ \[RST, ACK\] Seq=1 Ack=1 Win=0 Len=0$/);
    expect(rows[1].description).toMatch(/^TCP:Flags=\.\.\.A\.R\.\., /);
  });

  it('--netmon prints Network Monitor descriptions with raw numbers and the SYN retransmit mark', async () => {
    // A SYN to 3389 sent three times (a DROP rule on the server), recorded on the client.
    const path = 'public/traces/blocked-drop-client.pcapng';
    const io = memoryIO({ [path]: corpusFile(path) });
    expect(await main(['packets', path, '--netmon'], io)).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    const syns = lines.filter((line) => line.includes('Flags=......S.'));
    expect(syns).toHaveLength(3);
    // Raw sequence numbers, all the same: the same SYN sent three times.
    const seqs = syns.map((line) => /Seq=(\d+),/.exec(line)![1]);
    expect(new Set(seqs).size).toBe(1);
    expect(Number(seqs[0])).toBeGreaterThan(1);
    expect(syns[0]).toContain('DstPort=MS WBT Server(3389)');
    // Linux offers window 64240 with scale 10 (public/traces/README.md).
    expect(syns[0]).toMatch(/Win=64240 \( Negotiating scale factor 0xa \) = 64240$/);
    expect(syns[0]).not.toContain('SynReTransmit');
    // Each retransmission names the frame of the SYN it repeats.
    for (const line of syns.slice(1)) expect(line).toMatch(/TCP:\[SynReTransmit #1\]Flags=/);
  });

  // The article's client trace carries the sender's checksum-offload signature; the server's copy
  // of the same SYNs is correct. tshark, validating TCP checksums, says which frames are bad.
  it.skipIf(tshark.skip).each(['article-blocked-client', 'article-blocked-server', 'article-closed-client'])(
    `--netmon tags [Bad CheckSum] exactly where tshark finds a wrong TCP checksum (%s)${tshark.note}`,
    async (name) => {
      const file = `public/traces/${name}.pcapng`;
      const status = execFileSync(
        'tshark',
        ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'tcp.checksum.status'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      )
        .trimEnd()
        .split('\n');
      const io = memoryIO({ [name]: new Uint8Array(readFileSync(file)) });
      expect(await main(['packets', name, '--netmon'], io)).toBe(0);
      const lines = io.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(status.length);
      const tagged = lines.map((line) => line.includes('[Bad CheckSum]'));
      expect(tagged).toEqual(status.map((s) => s === '0'));
      if (name === 'article-blocked-client') {
        // as in the article's Network Monitor screenshot
        expect(lines[3]).toContain('TCP:[SynReTransmit #3] [Bad CheckSum]Flags=......S., SrcPort=57475');
        expect(lines[2]).toContain('TCP:[Bad CheckSum]Flags=......S.');
      }
    },
  );

  it('--filter shows only matching packets (with the analysis of the whole capture)', async () => {
    const path = 'public/traces/blocked-drop-client.pcapng';
    const io = memoryIO({ [path]: corpusFile(path) });
    const code = await main(['packets', path, '--filter', 'tcp.flags.syn == 1'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('[TCP Retransmission]');
  });

  it('a bad filter is one error with a marker, exit 2', async () => {
    const path = 'public/traces/open-client.pcapng';
    const io = memoryIO({ [path]: corpusFile(path) });
    expect(await main(['packets', path, '--filter', 'tcp.port =='], io)).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/^porttrace: invalid filter: /);
  });

  it('a missing file is one line on stderr, exit 2', async () => {
    const io = memoryIO({});
    expect(await main(['packets', 'nope.pcap'], io)).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe("porttrace: nope.pcap: cannot read: ENOENT: no such file or directory, open 'nope.pcap'\n");
  });

  it('a file cut inside a packet prints the packets before it, then the error, exit 2', async () => {
    const whole = corpusFile('zeek/Traces/tcp/ssh-dups.pcap');
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const io = memoryIO({ 'cut.pcapng': cut });
    expect(await main(['packets', 'cut.pcapng'], io)).toBe(2);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]).toMatch(/^ {4}1 {3}0\.000000 /);
    expect(io.stderr).toMatch(/^porttrace: cut\.pcapng: truncated: .*\n$/);
    expect(io.stderr.split('\n')).toHaveLength(2);
  });

  it('something that is not a capture is one error line, exit 2', async () => {
    const io = memoryIO({ 'notes.txt': new TextEncoder().encode('hello, this is not a capture file\n') });
    expect(await main(['packets', 'notes.txt'], io)).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/^porttrace: notes\.txt: not a capture/);
  });

  it('bad arguments are a usage error', async () => {
    const io = memoryIO({});
    expect(await main(['packets'], io)).toBe(2);
    expect(io.stderr).toMatch(/missing FILE/);
  });

  // `packets` writes each line as it describes the packet; the lines must be those of the whole
  // capture described at once (describePackets), and --json the text JSON.stringify gives.
  const traces = readdirSync('public/traces').filter((f) => f.endsWith('.pcapng'));
  it.each(traces)('streams %s: the same lines as describing the whole capture, and the same JSON', async (name) => {
    const path = `public/traces/${name}`;
    const bytes = new Uint8Array(readFileSync(path));
    const capture = loadCaptureBytes(bytes);
    const described = describePackets(capture);
    const digits = capture.packets.some((p) => p.nanoseconds % 1000 !== 0) ? 9 : 6;
    const expected = capture.packets.map((p, i) =>
      tsharkLine(p, described[i], relativeSeconds(p, capture.packets[0], digits), described[i].info),
    );
    const text = memoryIO({ [path]: bytes });
    expect(await main(['packets', path], text)).toBe(0);
    expect(text.stdout).toBe(expected.join('\n') + '\n');

    const json = memoryIO({ [path]: bytes });
    expect(await main(['packets', path, '--json'], json)).toBe(0);
    const rows = JSON.parse(json.stdout);
    expect(rows.map((r: { info: string }) => r.info)).toEqual(described.map((d) => d.info));
    expect(json.stdout).toBe(JSON.stringify(rows, null, 1) + '\n');

    // A filter keeps its packets' lines, described with every packet before them in view.
    const filtered = memoryIO({ [path]: bytes });
    expect(await main(['packets', path, '--filter', 'tcp.flags.syn==1 || icmp'], filtered)).toBe(0);
    const kept = capture.packets
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => (p.dissection.tcp && p.dissection.tcp.flags & 0x002) || p.dissection.icmp);
    expect(filtered.stdout).toBe(kept.map(({ i }) => expected[i] + '\n').join(''));
  });

  it('--json with no packet kept is an empty array', async () => {
    const path = 'public/traces/closed-rst-client.pcapng';
    const io = memoryIO({ [path]: new Uint8Array(readFileSync(path)) });
    expect(await main(['packets', path, '--json', '--filter', 'udp'], io)).toBe(0);
    expect(io.stdout).toBe('[]\n');
  });

  it('runs as a real command through bin/porttrace.mjs', () => {
    const result = spawnSync('npx', ['porttrace', 'packets', 'public/traces/closed-rst-client.pcapng'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(result.stdout).toContain('[RST, ACK]');
  });
});
