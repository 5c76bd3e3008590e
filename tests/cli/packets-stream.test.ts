// `porttrace packets` reads a capture through a window of rows: each chunk's packets are
// analysed, written and forgotten. Its lines must be those of the whole capture described at
// once, on every bundled trace and every corpus capture, whatever the chunks; and a reader that
// stops early (`| head -1`) must end it at once.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeSeconds, tsharkLine } from '../../src/cli/commands/packets.ts';
import { main } from '../../src/cli/main.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { corpusBytes, manifest, requireCorpus } from '../support/corpus.ts';
import { fakeIO } from './fake-io.ts';

const corpus = requireCorpus();

/** The lines of the whole capture, described at once (the output before streaming). */
function wholeCaptureLines(bytes: Uint8Array, netmon = false): { text: string; error: boolean } {
  const capture = loadCaptureBytes(bytes);
  const described = describePackets(capture);
  // tshark's precision: a pcap's magic number says it, a pcapng each interface's resolution;
  // other files, their packets.
  const { info } = capture;
  const anyFiner = capture.packets.some((p) => p.nanoseconds % 1000 !== 0);
  const digitsOf = (interfaceId: number): 6 | 9 => {
    if (/nsec|nano/i.test(info.variant)) return 9;
    if (info.format === 'pcap') return 6;
    if (info.format !== 'pcapng') return anyFiner ? 9 : 6;
    const ticks = info.interfaces[interfaceId]?.ticksPerSecond;
    return ticks === undefined || (ticks > 0 && ticks <= 1e6 && 1e6 % ticks === 0) ? 6 : 9;
  };
  const lines = capture.packets.map((p, i) =>
    tsharkLine(
      p,
      described[i],
      relativeSeconds(p, capture.packets[0], digitsOf(p.interfaceId)),
      netmon ? described[i].netmon : described[i].info,
    ),
  );
  return { text: lines.map((line) => line + '\n').join(''), error: capture.error !== undefined };
}

async function streamed(bytes: Uint8Array, chunkSize: number, ...options: string[]) {
  const io = fakeIO({ files: { capture: bytes }, chunkSize });
  const code = await main(['packets', 'capture', ...options], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const traces = readdirSync('public/traces').filter((f) => f.endsWith('.pcapng'));

describe('porttrace packets reads through a window', () => {
  // Chunks of a few hundred bytes make windows of a packet or two: every conversation, echo
  // request and application message spans windows.
  it.each(traces)('%s: the same lines in chunks of 300 bytes as described whole (and --netmon)', async (name) => {
    const bytes = new Uint8Array(readFileSync(`public/traces/${name}`));
    for (const netmon of [false, true]) {
      const whole = wholeCaptureLines(bytes, netmon);
      const out = await streamed(bytes, 300, ...(netmon ? ['--netmon'] : []));
      expect(out.stdout).toBe(whole.text);
      expect(out.code).toBe(0);
    }
  });

  const rows = corpus.skip ? [] : manifest().map((row) => row.path);
  it.skipIf(corpus.skip)(
    `every corpus capture (${rows.length}): the same lines in chunks of 4 KiB as described whole${corpus.note}`,
    async () => {
      let packets = 0;
      for (const path of rows) {
        const bytes = corpusBytes(path);
        const whole = wholeCaptureLines(bytes);
        const out = await streamed(bytes, 4096);
        expect(out.stdout, path).toBe(whole.text);
        expect(out.code, path).toBe(whole.error ? 2 : 0);
        packets += whole.text.split('\n').length - 1;
      }
      // The corpus is not empty: the comparison read real packets.
      expect(packets).toBeGreaterThan(50_000);
    },
    600_000,
  );

  it('--json in chunks of 300 bytes is the text JSON.stringify gives for the whole capture', async () => {
    const bytes = corpusBytes('zeek/Traces/tcp/ssh-dups.pcap');
    const capture = loadCaptureBytes(bytes);
    const described = describePackets(capture);
    const out = await streamed(bytes, 300, '--json');
    expect(out.code).toBe(0);
    const rows = JSON.parse(out.stdout) as Array<{ number: number; info: string; description: string }>;
    expect(rows).toHaveLength(capture.packets.length);
    expect(rows.map((r) => r.info)).toEqual(described.map((d) => d.info));
    expect(rows.map((r) => r.description)).toEqual(described.map((d) => d.netmon));
    expect(out.stdout).toBe(JSON.stringify(rows, null, 1) + '\n');
  });
});

describe('porttrace packets FILE | head -1', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'porttrace-head-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints the first line of a 200,000-packet capture and ends at once, quietly', () => {
    // A pcap of one bundled trace's packets repeated: big enough that reading it whole takes
    // seconds, so a prompt exit shows the command stopped writing when the reader left.
    const source = loadCaptureBytes(new Uint8Array(readFileSync('public/traces/open-client.pcapng')));
    const records: Uint8Array[] = [];
    for (const packet of source.packets) {
      const header = new DataView(new ArrayBuffer(16));
      header.setUint32(8, packet.data.length, true);
      header.setUint32(12, packet.originalLength, true);
      records.push(new Uint8Array(header.buffer), packet.data);
    }
    const fileHeader = new DataView(new ArrayBuffer(24));
    fileHeader.setUint32(0, 0xa1b2c3d4, true);
    fileHeader.setUint16(4, 2, true);
    fileHeader.setUint16(6, 4, true);
    fileHeader.setUint32(16, 262144, true);
    fileHeader.setUint32(20, source.packets[0].linkType, true);
    const copies = Math.ceil(200_000 / source.packets.length);
    const parts: Uint8Array[] = [new Uint8Array(fileHeader.buffer)];
    for (let k = 0; k < copies; k++) {
      // Each copy one second later, so times go forward.
      for (let r = 0; r < records.length; r += 2) {
        const header = records[r].slice();
        new DataView(header.buffer).setUint32(0, k, true);
        parts.push(header, records[r + 1]);
      }
    }
    const path = join(scratch, 'big.pcap');
    writeFileSync(path, Buffer.concat(parts));

    const result = spawnSync('sh', ['-c', `node bin/porttrace.mjs packets "${path}" | head -1`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {4}1 {3}0\.000000 .* \[SYN\] Seq=0 .*\n$/);
    expect(result.stderr).toBe('');
  }, 90_000);
});
