// Every bundled trace entry is well-formed, points at a real capture, and pairs agree.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, loadEntries, type TraceEntry } from './tshark.ts';
import { requireCapinfos, requireTshark } from '../support/corpus.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';

const capinfos = requireCapinfos();
const tshark = requireTshark();

/** Each frame's time (epoch seconds, 9 decimals) and bytes (hex), as tshark reads the file. */
function tsharkFrames(path: string): { time: string; bytes: string }[] {
  const run = (args: string[]) => {
    const result = spawnSync('tshark', ['-r', path, ...args], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };
  const times = run(['-T', 'fields', '-e', 'frame.time_epoch']).trim().split('\n');
  // `-x`: one hex dump per frame ("0000  45 00 …  ascii"), frames separated by a blank line
  const dumps = run(['-x'])
    .trim()
    .split(/\n\s*\n/);
  expect(dumps.length).toBe(times.length);
  return times.map((time, i) => ({
    time,
    bytes: dumps[i]!.split('\n')
      .map((line) => /^[0-9a-f]{4,}\s{2}((?:[0-9a-f]{2} ?)+)/.exec(line)?.[1]?.replace(/ /g, '') ?? '')
      .join(''),
  }));
}

const entries = loadEntries();
const byId = new Map(entries.map((entry) => [entry.id, entry]));
const VERDICTS = ['connected', 'half-open', 'refused', 'no-response', 'unreachable', 'inconclusive'];
const WHERE = ['none', 'path', 'server', 'return-path'];

describe('trace entries (src/content/traces)', () => {
  it('exist: the recorded scenarios and the article reconstructions', () => {
    const scenarios = new Set(entries.map((entry) => entry.scenario));
    for (const scenario of [
      'blocked-drop',
      'closed-rst',
      'closed-stealth',
      'open',
      'reject-icmp-prohibited',
      'reject-tcp-reset',
      'path-drop',
      'return-path-drop',
      'open-ipv6',
      'blocked-ipv6',
      'article-blocked',
      'article-success',
    ]) {
      expect(scenarios, scenario).toContain(scenario);
    }
  });

  describe.each(entries.map((entry) => [entry.id, entry] as const))('%s', (id, entry: TraceEntry) => {
    it('has the schema shape of src/content.config.ts', () => {
      expect(typeof entry.title).toBe('string');
      expect(entry.title.length).toBeGreaterThan(0);
      // 1–3 sentences.
      const sentences = entry.story.split(/(?<=[.!?])\s+(?=[A-Z])/).filter((s) => s.trim().length > 0);
      expect(sentences.length).toBeGreaterThanOrEqual(1);
      expect(sentences.length).toBeLessThanOrEqual(3);
      expect([`/traces/${id}.pcapng`, `/traces/${id}.etl`]).toContain(entry.file);
      expect(['client', 'server', 'router']).toContain(entry.side);
      expect(typeof entry.reconstruction).toBe('boolean');
      // Ground truth comes from the scripts that made the file; add-trace writes a classifier snapshot.
      expect(['ground-truth', 'classifier-snapshot']).toContain(entry.expectationsSource);
      expect(entry.source).toMatch(
        entry.expectationsSource === 'classifier-snapshot'
          ? /porttrace add-trace/
          : entry.reconstruction
            ? entry.file.endsWith('.etl')
              ? /scripts\/make-windows-traces\.ts/
              : /scripts\/reconstruct-traces\.ts/
            : /scripts\/record-traces\.sh/,
      );
      expect(entry.expected.length).toBeGreaterThan(0);
      for (const attempt of entry.expected) {
        expect(VERDICTS).toContain(attempt.verdict);
        if (attempt.where !== undefined) expect(WHERE).toContain(attempt.where);
        for (const port of [attempt.clientPort, attempt.serverPort]) {
          expect(Number.isInteger(port) && port > 0 && port <= 65535).toBe(true);
        }
      }
    });

    it('names a capture file that exists and stays small', () => {
      expect(existsSync(capturePath(entry))).toBe(true);
      expect(statSync(capturePath(entry)).size).toBeLessThan(64 * 1024);
    });

    it.skipIf(!entry.pair)(
      `pairs with the other side of the same moment${entry.pair ? '' : ' [skipped: a capture of one side only (no pair)]'}`,
      () => {
        const other = byId.get(entry.pair!);
        expect(other, `pair ${entry.pair}`).toBeDefined();
        expect(other!.pair).toBe(id);
        expect(other!.scenario).toBe(entry.scenario);
        expect(other!.side).not.toBe(entry.side);
        expect(other!.reconstruction).toBe(entry.reconstruction);
      },
    );

    if (entry.file.endsWith('.etl')) {
      // capinfos (Wireshark 4.0) cannot read a netsh/pktmon .etl. Such an entry is written by
      // scripts/make-windows-traces.ts from the same-side .pcapng of its scenario: our ETL reader
      // must give back exactly the packets that capture holds, as tshark reads them.
      it.skipIf(tshark.skip)(
        `holds the packets of its scenario's ${entry.side} .pcapng, as tshark reads them${tshark.note}`,
        () => {
          const source = entries.find(
            (e) => e.scenario === entry.scenario && e.side === entry.side && e.file.endsWith('.pcapng'),
          );
          expect(source, `a .pcapng entry of ${entry.scenario}, ${entry.side} side`).toBeDefined();
          const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(entry))));
          expect(capture.error).toBeUndefined();
          const ours = capture.packets.map((p) => ({
            time: `${p.seconds}.${String(p.nanoseconds).padStart(9, '0')}`,
            bytes: Buffer.from(p.data).toString('hex'),
          }));
          expect(ours).toEqual(tsharkFrames(capturePath(source!)));
        },
      );
    } else {
      it.skipIf(capinfos.skip)(`is a capture capinfos reads, with packets in it${capinfos.note}`, () => {
        const result = spawnSync('capinfos', ['-M', '-c', '-T', capturePath(entry)], { encoding: 'utf8' });
        expect(result.status, result.stderr).toBe(0);
        // Table output: header line, then "file<TAB>count".
        const count = Number(result.stdout.trim().split('\n').at(-1)!.split('\t').at(-1));
        expect(count).toBeGreaterThan(0);
      });
    }
  });
});

describe('scripts/record-traces.sh', () => {
  const script = 'scripts/record-traces.sh';

  it('is valid bash', () => {
    const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });

  it("records every recorded entry's scenario, as a client/server pair", () => {
    const table = /^SCENARIOS=\(([^)]*)\)/m.exec(readFileSync(script, 'utf8'));
    expect(table).not.toBeNull();
    const scenarios = table![1]!.split(/\s+/).filter(Boolean).sort();
    const recorded = entries.filter((entry) => !entry.reconstruction);
    expect([...new Set(recorded.map((entry) => entry.scenario))].sort()).toEqual(scenarios);
    for (const scenario of scenarios) {
      expect(
        recorded
          .filter((e) => e.scenario === scenario)
          .map((e) => `${e.id}:${e.side}`)
          .sort(),
      ).toEqual([`${scenario}-client:client`, `${scenario}-server:server`]);
    }
  });
});
