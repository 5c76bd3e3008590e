// Every bundled trace entry is well-formed, points at a real capture, and pairs agree.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, loadEntries, type TraceEntry } from './tshark.ts';
import { requireCapinfos } from '../support/corpus.ts';

const capinfos = requireCapinfos();

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

    it.skipIf(capinfos.skip || entry.file.endsWith('.etl'))(
      `is a capture capinfos reads, with packets in it${capinfos.note}`,
      () => {
        const result = spawnSync('capinfos', ['-M', '-c', '-T', capturePath(entry)], { encoding: 'utf8' });
        expect(result.status, result.stderr).toBe(0);
        // Table output: header line, then "file<TAB>count".
        const count = Number(result.stdout.trim().split('\n').at(-1)!.split('\t').at(-1));
        expect(count).toBeGreaterThan(0);
      },
    );
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
