// The two-sided view on the bundled client/server pairs, given in both orders: the sides are told
// from the packets, the answer (`where`, from the trace entries' ground truth) is the same either
// way, and the ladder marks what was lost where the entries say it was.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { pairCaptures, pairReportJson, pairReportMarkdown } from '../../src/lib/session/pair-view.ts';
import { loadEntries } from '../traces/tshark.ts';

const load = (id: string) => loadCaptureBytes(new Uint8Array(readFileSync(`public/traces/${id}.pcapng`)));
const entries = loadEntries();
const pairs = entries.filter((e) => e.side === 'client' && e.pair).map((e) => [e.id, e.pair!] as const);

describe('pair view', () => {
  it('covers every bundled pair', () => expect(pairs.length).toBeGreaterThanOrEqual(10));

  describe.each(pairs)('%s + %s', (clientId, serverId) => {
    const expected = entries.find((e) => e.id === clientId)!.expected;
    it.each([
      ['client first', false],
      ['server first', true],
    ])('%s: the sides are found and every attempt ends where the entry says', (_, serverFirst) => {
      const [a, b] = serverFirst ? [serverId, clientId] : [clientId, serverId];
      const { view } = pairCaptures(load(a), load(b), [a, b]);
      expect(view.clientName).toBe(clientId);
      expect(view.serverName).toBe(serverId);
      expect(view.sides.decided).toBe(true);
      expect(view.sides.swapped).toBe(serverFirst);
      for (const attempt of expected) {
        const row = view.rows.find((r) => r.clientPort === attempt.clientPort && r.serverPort === attempt.serverPort);
        expect(row, `${attempt.clientPort} → ${attempt.serverPort}`).toBeDefined();
        if (attempt.where !== undefined) expect(row!.where).toBe(attempt.where);
      }
    });
  });

  it('return-path drop: leads with the comparison, not with the client’s "no response"', () => {
    const { view } = pairCaptures(load('return-path-drop-server'), load('return-path-drop-client'), ['s', 'c']);
    const row = view.rows[0];
    expect(row.headline).toBe("Reached the server; the server's SYN/ACK never came back — dropped on the return path.");
    expect(row.clientSide!.verdict).toBe('no-response');
    expect(row.serverSide!.verdict).toBe('half-open');
    // every SYN/ACK was sent by the server and lost; every SYN arrived
    const synAcks = row.ladder.filter((s) => s.from === 'server');
    expect(synAcks.length).toBeGreaterThan(0);
    expect(synAcks.every((s) => s.lost && s.serverFrame !== undefined && s.clientFrame === undefined)).toBe(true);
    expect(row.ladder.filter((s) => s.from === 'client').every((s) => !s.lost && s.serverFrame !== undefined)).toBe(
      true,
    );
    expect(view.clockOffsetText).toMatch(/^The server's clock reads [+−]\d/);
  });

  it('path drop: the SYN that never reached the server capture is lost on the way, and said in words', () => {
    const { view } = pairCaptures(load('path-drop-client'), load('path-drop-server'), ['c', 's']);
    const row = view.rows.find((r) => r.where === 'path')!;
    expect(row.headline).toMatch(/never reached the server capture/i);
    expect(row.serverSide).toBeUndefined();
    expect(row.ladder.length).toBeGreaterThan(0);
    expect(row.ladder.every((s) => s.from === 'client' && s.clientFrame !== undefined && s.lost)).toBe(true);
  });

  it('the article pair is told apart by the client’s checksum-offload signature', () => {
    const { view } = pairCaptures(load('article-blocked-server'), load('article-blocked-client'), ['s', 'c']);
    expect(view.clientName).toBe('c');
    expect(view.sides.reasons.join(' ')).toMatch(/checksum-offload signature/);
    expect(view.rows[0].where).toBe('server');
  });

  it('swapped by hand (as given), the roles follow the order given', () => {
    const { view } = pairCaptures(load('return-path-drop-server'), load('return-path-drop-client'), ['s', 'c'], true);
    expect(view.clientName).toBe('s');
  });

  it('reports carry both sides and the comparison', () => {
    const { view } = pairCaptures(load('return-path-drop-client'), load('return-path-drop-server'), ['c', 's']);
    const md = pairReportMarkdown(view);
    expect(md).toContain('dropped on the return path');
    expect(md).toContain('### Client capture (c)');
    expect(md).toContain('### Server capture (s)');
    const json = JSON.parse(pairReportJson(view));
    expect(json.format).toBe('porttrace-pair');
    expect(json.rows[0].where).toBe('return-path');
    expect(json.rows[0].clientSide.verdict).toBe('no-response');
    expect(json.rows[0].serverSide.verdict).toBe('half-open');
  });
});
