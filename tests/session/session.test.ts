// TraceSession, what the Worker answers the page with, driven directly on the bundled traces:
// the rows of the packet list, one packet's details, display filters, the attempts, the export
// and the report. tshark is the oracle for what is in the packets; each trace's entry in
// src/content/traces (what the recording set up) is the oracle for the verdicts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareSessions, openSession, type TraceSession } from '../../src/lib/session/session.ts';
import type { PacketMark } from '../../src/lib/session/protocol.ts';
import type { TreeNode } from '../../src/lib/describe/packet-tree.ts';
import { requireTshark } from '../support/corpus.ts';
import { scratch, tsharkFields, tsharkHexdumps } from '../lab/tshark.ts';
import { loadEntries, type TraceEntry } from '../traces/tshark.ts';

const tshark = requireTshark();
const entries = new Map(loadEntries().map((entry) => [entry.id, entry]));
const entry = (id: string): TraceEntry => entries.get(id)!;
const pathOf = (id: string): string => `public${entry(id).file}`;

/** Opens a bundled trace the way the Worker does: a stream of chunks, with its size. */
async function open(id: string): Promise<TraceSession> {
  const bytes = new Uint8Array(readFileSync(pathOf(id)));
  async function* chunks(): AsyncIterable<Uint8Array> {
    for (let at = 0; at < bytes.length; at += 500) yield bytes.subarray(at, at + 500);
  }
  return openSession(`${id}.pcapng`, chunks(), bytes.length);
}

const all = (session: TraceSession): number[] => Array.from(session.capture.packets.keys());
const tuple = (a: { client: string; clientPort: number; server: string; serverPort: number }): string =>
  `${a.client}:${a.clientPort} > ${a.server}:${a.serverPort}`;

// Captures of plain TCP (no application protocol that tshark would name in its columns).
const PLAIN_TCP = ['closed-rst-client', 'blocked-drop-client', 'return-path-drop-server', 'closed-stealth-server'];

describe('summary and attempts', () => {
  it.each([...entries.keys()].filter((id) => !id.startsWith('article-')))(
    '%s: the attempts and their verdicts are the ones the recording set up',
    async (id) => {
      const session = await open(id);
      const want = entry(id)
        .expected.map((e) => `${tuple(e)} ${e.verdict}`)
        .sort();
      const got = session.summary.attempts.map((a) => `${tuple(a)} ${a.verdict}`).sort();
      expect(got).toEqual(want);
      expect(session.summary.attemptCount).toBe(want.length);
      const counts: Record<string, number> = {};
      for (const e of entry(id).expected) counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
      expect(session.summary.verdictCounts).toEqual(counts);
      expect(session.summary.error).toBeUndefined();
      // Every frame an attempt cites is one of its packets' frame numbers, and can be located.
      for (const a of session.summary.attempts) {
        expect(a.frames.length).toBeGreaterThan(0);
        for (const frame of a.frames) expect(session.capture.packets[session.indexOfFrame(frame)].number).toBe(frame);
        for (const step of a.evidence) for (const frame of step.frames) expect(a.frames).toContain(frame);
        expect(a.headline.length).toBeGreaterThan(10);
      }
    },
  );

  it('pages through attempts after the summary without repeating or skipping one', async () => {
    const session = await open('open-client');
    expect(session.summary.attempts.length).toBe(2);
    expect(session.attempts(0, 1).map((a) => a.id)).toEqual([session.summary.attempts[0].id]);
    expect(session.attempts(1, 10).map((a) => a.id)).toEqual([session.summary.attempts[1].id]);
    expect(session.attempts(2, 10)).toEqual([]);
  });

  it('locates frames by number, and says -1 for one that is not there', async () => {
    const session = await open('open-client');
    const count = session.capture.packets.length;
    expect([1, 2, count].map((n) => session.indexOfFrame(n))).toEqual([0, 1, count - 1]);
    expect(session.indexOfFrame(0)).toBe(-1);
    expect(session.indexOfFrame(count + 1)).toBe(-1);
  });
});

describe.skipIf(tshark.skip)(`rows, details and filters against tshark${tshark.note}`, () => {
  it.each(PLAIN_TCP)('%s: every row has the columns tshark shows', async (id) => {
    const session = await open(id);
    const fields = ['frame.number', 'frame.time_relative', 'ip.src', 'ip.dst', '_ws.col.Protocol', 'frame.len'];
    const theirs = tsharkFields(pathOf(id), [...fields, '_ws.col.Info'], ['-n']);
    const rows = session.rows(all(session));
    expect(rows.map((r) => [String(r.number), r.time, r.src, r.dst, r.protocol, String(r.length)])).toEqual(
      theirs.map((row) => [row[0], Number(row[1]).toFixed(6), ...row.slice(2, 6)]),
    );
    expect(rows.map((r) => r.info)).toEqual(theirs.map((row) => row[6]));
    expect(rows.map((r) => r.index)).toEqual(all(session));
  });

  it.each(PLAIN_TCP)('%s: each row is marked by what tshark says the packet is', async (id) => {
    const session = await open(id);
    const flags = tsharkFields(pathOf(id), [
      'tcp.flags.syn',
      'tcp.flags.ack',
      'tcp.flags.reset',
      'tcp.flags.fin',
      'tcp.analysis.retransmission',
    ]);
    const set = (v: string | undefined): boolean => v === '1' || v === 'True';
    const expected = flags.map(([syn, ack, rst, fin, retransmission]): PacketMark => {
      if (retransmission !== undefined && retransmission !== '') return 'retransmission';
      if (set(rst)) return 'rst';
      if (set(syn)) return set(ack) ? 'syn-ack' : 'syn';
      return set(fin) ? 'fin' : '';
    });
    expect(session.rows(all(session)).map((r) => r.mark)).toEqual(expected);
  });

  it('gives a packet the same key in the client and the server capture', async () => {
    const client = await open('blocked-drop-client');
    const server = await open('blocked-drop-server');
    const keys = (s: TraceSession) => s.rows(all(s)).map((r) => r.key);
    // The server received the client's three SYNs, unchanged but for the TTL.
    expect(keys(server)).toEqual(keys(client));
    expect(keys(client)).toHaveLength(3);
    // Another recording's packets do not match them.
    const other = await open('closed-stealth-server');
    expect(keys(other).some((key) => keys(client).includes(key))).toBe(false);
  });

  it('details: the packet tree names fields with the values tshark gives, over the frame bytes', async () => {
    const id = 'closed-rst-client';
    const session = await open(id);
    const names = ['ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.window_size_value'];
    const theirs = tsharkFields(pathOf(id), names, ['-n']);
    const hexdumps = tsharkHexdumps(pathOf(id));
    for (const index of all(session)) {
      const details = session.details(index);
      expect(details.index).toBe(index);
      const found = new Map<string, TreeNode>();
      const walk = (nodes: TreeNode[]) => {
        for (const node of nodes) {
          if (node.field && !found.has(node.field)) found.set(node.field, node);
          if (node.children) walk(node.children);
        }
      };
      walk(details.tree);
      names.forEach((name, k) => {
        const node = found.get(name);
        expect(node, `${name} in frame ${index + 1}`).toBeDefined();
        const value = node!.value ?? '';
        // tshark prints flags as 0x0002, the tree as a filter literal (0x002 or 0x0002).
        if (name === 'tcp.flags') expect(Number(value)).toBe(Number(theirs[index][k]));
        else expect(value).toBe(theirs[index][k]);
        // Every field lies inside the frame's bytes.
        expect(node!.offset + node!.length).toBeLessThanOrEqual(details.bytes.length);
      });
      expect(Buffer.from(details.bytes).toString('hex')).toBe(hexdumps[index]);
    }
    expect(() => session.details(session.capture.packets.length)).toThrow(/no packet at index/);
  });

  it.each([
    ['blocked-drop-client', 'tcp.analysis.retransmission'],
    ['closed-rst-client', 'tcp.flags.reset == 1'],
    ['open-client', 'tcp.port == 88 && tcp.len > 0'],
    ['reject-icmp-prohibited-client', 'icmp'],
  ])('%s: the filter %s shows the frames tshark shows', async (id, filter) => {
    const session = await open(id);
    const outcome = session.filter(filter);
    expect(outcome.ok).toBe(true);
    const frames = tsharkFields(pathOf(id), ['frame.number'], ['-Y', filter]).map(([n]) => Number(n));
    expect(frames.length).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ ok: true, count: frames.length });
    expect(outcome.ok && Array.from(outcome.indices, (i) => session.capture.packets[i].number)).toEqual(frames);
  });

  it('exports the chosen packets as a pcapng that tshark reads as those frames', async () => {
    const id = 'open-client';
    const session = await open(id);
    const chosen = [0, 3, 5];
    const work = scratch();
    try {
      const file = work.write('session-export.pcapng', session.exportPcapng(chosen, false));
      const fields = ['frame.time_epoch', 'frame.len', 'tcp.srcport', 'tcp.seq_raw'];
      expect(tsharkFields(file, fields)).toEqual(
        tsharkFields(pathOf(id), fields, ['-Y', `frame.number in {${chosen.map((i) => i + 1).join(',')}}`]),
      );
      // Anonymized: the same packets and ports, other addresses.
      const anonymized = work.write('session-anon.pcapng', session.exportPcapng(null, true));
      const before = tsharkFields(pathOf(id), ['ip.src', 'tcp.srcport']);
      const after = tsharkFields(anonymized, ['ip.src', 'tcp.srcport']);
      expect(after.map(([, port]) => port)).toEqual(before.map(([, port]) => port));
      expect(after.some(([src], i) => src === before[i][0])).toBe(false);
    } finally {
      work.remove();
    }
  });
});

describe('filters the page sends', () => {
  it('shows everything for an empty filter, and explains a bad one with its span', async () => {
    const session = await open('closed-rst-client');
    expect(session.filter('  ')).toMatchObject({ ok: true, count: session.capture.packets.length });
    const bad = session.filter('tcp.prot == 3390');
    expect(bad.ok).toBe(false);
    if (bad.ok) throw new Error('accepted a misspelled field');
    expect('tcp.prot == 3390'.slice(bad.start, bad.end)).toBe('tcp.prot');
    expect(bad.message).toMatch(/tcp\.prot/);
  });
});

describe('reports and both sides', () => {
  it('the JSON report lists the attempts with the verdicts the recording set up; the Markdown one names them', async () => {
    const session = await open('path-drop-client');
    const json = JSON.parse(session.report('json')) as { attempts: Array<{ clientPort: number; verdict: string }> };
    expect(json.attempts.map((a) => [a.clientPort, a.verdict])).toEqual(
      entry('path-drop-client').expected.map((e) => [e.clientPort, e.verdict]),
    );
    const markdown = session.report('md');
    for (const e of entry('path-drop-client').expected) expect(markdown).toContain(String(e.clientPort));
  });

  it.each(['path-drop', 'return-path-drop', 'blocked-drop'])(
    '%s: compareSessions says where each attempt ended, as recorded',
    async (scenario) => {
      const client = await open(`${scenario}-client`);
      const server = await open(`${scenario}-server`);
      const both = compareSessions(client, server);
      expect(both.summary.name).toBe(`${scenario}-client.pcapng + ${scenario}-server.pcapng`);
      const got = both.summary.attempts.map((a) => `${tuple(a)} ${a.where}`).sort();
      const want = entry(`${scenario}-client`)
        .expected.map((e) => `${tuple(e)} ${e.where}`)
        .sort();
      expect(got).toEqual(want);
      // The rows stay the client's.
      expect(both.rows(all(both)).map((r) => r.key)).toEqual(client.rows(all(client)).map((r) => r.key));
    },
  );
});
