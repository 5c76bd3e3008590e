// Attempts as columns (AttemptTable) and the verdicts streamed from them, checked against what
// does not come from porttrace: tshark's own list of client SYNs, and the bundled traces' ground
// truth. Also: verdicts are plain data, and a capture repeated many times does not make attempts
// grow without bound.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  analyzeCapture,
  attemptJson,
  judgeCapture,
  MAX_SYNS_PER_ATTEMPT,
  RETRANSMISSION_WINDOW_S,
  type Attempt,
} from '../../src/lib/analysis/index.ts';
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';
import { main } from '../../src/cli/main.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { fakeIO } from '../cli/fake-io.ts';
import { tsharkFields } from '../lab/tshark.ts';
import { ENTRY_DIR, loadEntries, tsharkEntries } from '../traces/tshark.ts';
import { capturePath, requireExtraCorpus, requireTshark } from '../support/corpus.ts';
import { existsSync } from 'node:fs';

const tshark = requireTshark();
const extra = requireExtraCorpus();

const entries = existsSync(ENTRY_DIR) ? loadEntries() : [];
const traceFiles = (existsSync(ENTRY_DIR) ? tsharkEntries() : []).map((e) => `public${e.file}`);
/** The recorded traces, and a corpus capture with VLAN copies of each SYN. */
const files = [...traceFiles, capturePath('zeek/Traces/vlan-collisions.pcap')];
/** The opt-in teaching captures: a SYN scan, retransmissions and a handshake (PORTTRACE_EXTRA_CORPUS). */
const extraFiles = extra.skip
  ? []
  : [
      'packets/synscan.pcapng',
      'packets/nowebaccess2.pcapng',
      'packets/nowebaccess3.pcapng',
      'packets/tcp_handshake.pcapng',
    ].map(capturePath);

const load = (file: string): Capture => loadCaptureBytes(new Uint8Array(readFileSync(file)));

describe.skipIf(tshark.skip)(`attempts as columns, against tshark${tshark.note}`, () => {
  it.each(files)('%s: each client SYN tshark lists is in exactly one attempt with its 4-tuple and ISN', (file) =>
    eachSynInOneAttempt(file),
  );
});

describe.skipIf(tshark.skip || extra.skip)(`attempts as columns, against tshark (extra corpus)${extra.note}`, () => {
  it.each(extraFiles)('%s: each client SYN tshark lists is in exactly one attempt with its 4-tuple and ISN', (file) =>
    eachSynInOneAttempt(file),
  );
});

function eachSynInOneAttempt(file: string): void {
  {
    const rows = tsharkFields(
      file,
      ['frame.number', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport', 'tcp.seq_raw'],
      ['-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0 && !icmp && !icmpv6'],
    );
    const owner = new Map<number, { attempt: Attempt; role: string }>();
    for (const v of analyzeCapture(load(file)).attempts) {
      for (const p of v.attempt.packets) {
        expect(owner.has(p.frame)).toBe(false);
        owner.set(p.frame, { attempt: v.attempt, role: p.role });
      }
    }
    expect(rows.length).toBeGreaterThan(0);
    for (const [frame, src4, src6, sport, dst4, dst6, dport, seq] of rows) {
      const found = owner.get(Number(frame));
      expect(found, `frame ${frame}`).toBeDefined();
      const a = found!.attempt;
      expect([a.client, a.clientPort, a.server, a.serverPort, a.isn]).toEqual([
        src4 || src6,
        Number(sport),
        dst4 || dst6,
        Number(dport),
        Number(seq),
      ]);
      expect(['syn', 'syn-retransmission', 'duplicate']).toContain(found!.role);
    }
  }
}

describe.skipIf(entries.length === 0)('verdicts streamed from the columns', () => {
  it.each(entries.map((e) => [e.id, e] as const))(
    '%s: `verdicts --jsonl` and `--json` give the recorded verdicts, and the same attempts as the analysis',
    async (_id, entry) => {
      const file = `public${entry.file}`;
      let io = fakeIO();
      expect(await main(['verdicts', file, '--jsonl'], io)).toBe(0);
      const lines = io.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      const capture = lines.pop();
      expect(Object.keys(capture)).toEqual(['capture']);
      // Ground truth: what the recording set up.
      const key = (x: { client: string; clientPort: number; server: string; serverPort: number; verdict: string }) =>
        `${x.client}:${x.clientPort}>${x.server}:${x.serverPort} ${x.verdict}`;
      expect(lines.map(key).sort()).toEqual(entry.expected.map(key).sort());
      // The stream holds every attempt with its evidence, as the whole analysis has it.
      const whole = analyzeCapture(load(file)).attempts.map((v) => JSON.parse(JSON.stringify(attemptJson(v))));
      expect(lines).toEqual(whole);
      io = fakeIO();
      expect(await main(['verdicts', file, '--json'], io)).toBe(0);
      const json = JSON.parse(io.stdout);
      expect(json.attempts).toEqual(whole);
      expect(capture.capture.findings).toEqual(json.findings);
    },
  );

  it.each(traceFiles)('%s: a verdict is plain data (structuredClone and JSON keep every field)', (file) => {
    const judged = judgeCapture(load(file));
    for (let i = 0; i < judged.count; i++) {
      const v = judged.verdictAt(i);
      expect(structuredClone(v)).toEqual(v);
      expect(Object.keys(JSON.parse(JSON.stringify(v))).sort()).toEqual(
        Object.keys(v)
          .filter((k) => (v as unknown as Record<string, unknown>)[k] !== undefined)
          .sort(),
      );
    }
  });
});

/** The capture's frames `copies` times over, each copy `gap` seconds after the one before. */
function repeated(capture: Capture, copies: number, gap: number): Capture {
  const writer = new PcapngWriter();
  writer.addInterface({ linkType: capture.packets[0].linkType, decimalResolution: 9 });
  for (let k = 0; k < copies; k++) {
    for (const p of capture.packets) {
      writer.addPacket({ interfaceId: 0, seconds: p.seconds + k * gap, nanoseconds: p.nanoseconds, data: p.data });
    }
  }
  return loadCaptureBytes(writer.toBytes());
}

describe.skipIf(entries.length === 0)('the same 4-tuple and ISN again (a capture repeated)', () => {
  const entry = entries.find((e) => e.id === 'blocked-drop-client') ?? entries[0];
  const original = load(`public${entry.file}`);
  const base = analyzeCapture(original).attempts;

  it('copies further apart than the retransmission window: each copy is its own attempts, judged as the original', () => {
    const copies = 12;
    const { attempts } = analyzeCapture(repeated(original, copies, RETRANSMISSION_WINDOW_S + 100));
    expect(attempts).toHaveLength(copies * base.length);
    expect(attempts.map((v) => v.verdict)).toEqual(
      Array.from({ length: copies }, () => base.map((v) => v.verdict)).flat(),
    );
    expect(new Set(attempts.map((v) => v.attempt.id)).size).toBe(attempts.length);
  });

  it('copies 1 s apart: no attempt holds more than MAX_SYNS_PER_ATTEMPT SYNs, every SYN is in one', () => {
    const copies = 3 * MAX_SYNS_PER_ATTEMPT;
    const capture = repeated(original, copies, 1);
    const { attempts } = analyzeCapture(capture);
    const synsPerCopy = base.flatMap((v) => v.attempt.packets).filter((p) => p.flags === 2).length;
    let syns = 0;
    for (const v of attempts) {
      const n = v.attempt.packets.filter((p) => p.role === 'syn' || p.role === 'syn-retransmission').length;
      expect(n).toBeLessThanOrEqual(MAX_SYNS_PER_ATTEMPT);
      syns += v.attempt.packets.filter((p) => p.flags === 2).length;
    }
    expect(syns).toBe(copies * synsPerCopy);
    expect(attempts.length).toBeGreaterThanOrEqual(Math.ceil((copies * synsPerCopy) / MAX_SYNS_PER_ATTEMPT));
  });
});
