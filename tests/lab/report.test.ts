// Verdict reports on the site's recorded traces. The expected verdicts come from each trace's
// entry in src/content/traces (what the recording set up), not from the classifier.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, compareCaptures } from '../../src/lib/analysis/index.ts';
import { reportJson, reportMarkdown, summarizeAttempts, summaryLine } from '../../src/lib/lab/report.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';

const trace = (id: string) => {
  const entry = JSON.parse(readFileSync(`src/content/traces/${id}.json`, 'utf8')) as {
    file: string;
    expected: Array<{
      client: string;
      clientPort: number;
      server: string;
      serverPort: number;
      verdict: string;
      where?: string;
    }>;
  };
  const capture = loadCaptureBytes(new Uint8Array(readFileSync(`public${entry.file}`)));
  return { entry, capture };
};

/** The Markdown table's rows, split into cells (unescaping \|). */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.replace(/\\\|/g, '|')),
    );
}

const IDS = [
  'blocked-drop-client',
  'closed-rst-client',
  'reject-icmp-prohibited-client',
  'open-client',
  'blocked-ipv6-client',
];

describe('verdict reports', () => {
  it.each(IDS)('%s: one row per attempt with the verdict the recording set up', (id) => {
    const { entry, capture } = trace(id);
    const analysis = analyzeCapture(capture);
    const markdown = reportMarkdown(`${id}.pcapng`, analysis);
    const rows = tableRows(markdown);
    expect(rows).toHaveLength(entry.expected.length);
    const words: Record<string, string> = {
      connected: 'connected',
      refused: 'refused (RST)',
      'no-response': 'no response',
      unreachable: 'unreachable (ICMP)',
    };
    entry.expected.forEach((expected, i) => {
      const [, client, server, verdict] = rows[i];
      const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
      expect([client, server, verdict]).toEqual([
        ep(expected.client, expected.clientPort),
        ep(expected.server, expected.serverPort),
        words[expected.verdict] ?? expected.verdict,
      ]);
    });
    // Every attempt has its own section citing frames.
    expect(markdown.match(/^## \d+\. /gm)).toHaveLength(entry.expected.length);
    expect(markdown).toMatch(/frames? \d/i);

    const json = JSON.parse(reportJson(`${id}.pcapng`, analysis));
    expect(json).toMatchObject({ format: 'porttrace-verdicts', version: 2, capture: `${id}.pcapng` });
    expect(
      json.attempts.map(
        (a: { client: string; clientPort: number; server: string; serverPort: number; verdict: string }) => ({
          client: a.client,
          clientPort: a.clientPort,
          server: a.server,
          serverPort: a.serverPort,
          verdict: a.verdict,
        }),
      ),
    ).toEqual(
      entry.expected.map(({ client, clientPort, server, serverPort, verdict }) => ({
        client,
        clientPort,
        server,
        serverPort,
        verdict,
      })),
    );
    expect(json.summary.attempts).toBe(entry.expected.length);
  });

  // The recordings where the SYN/ACK was lost on the way back, and where a router dropped the SYNs.
  it.each(['return-path-drop', 'path-drop'])('reports where each attempt ended for the %s pair', (scenario) => {
    const client = trace(`${scenario}-client`);
    const server = trace(`${scenario}-server`);
    const comparison = compareCaptures(client.capture, server.capture);
    const markdown = reportMarkdown('pair', comparison);
    expect(markdown).toMatch(/\| Capture \| Where it ended \|/);
    const json = JSON.parse(reportJson('pair', comparison)) as {
      attempts: Array<{ side: string; clientPort: number; serverPort: number; where?: string }>;
    };
    // Every client-side attempt of these recordings says where it ended (ground truth).
    const expected = client.entry.expected.map((e) => [e.clientPort, e.serverPort, e.where]);
    expect(expected.every(([, , where]) => typeof where === 'string')).toBe(true);
    expect(expected.some(([, , where]) => where !== 'none')).toBe(true);
    const reported = json.attempts.filter((a) => a.side === 'client').map((a) => [a.clientPort, a.serverPort, a.where]);
    expect(reported).toEqual(expected);
  });

  it('counts verdicts for the library and keeps names from breaking the table', () => {
    const { capture } = trace(IDS[0]);
    const analysis = analyzeCapture(capture);
    const summary = summarizeAttempts(analysis);
    expect(summary.attempts).toBe(analysis.attempts.length);
    expect(Object.values(summary.verdicts).reduce((a, b) => a + b, 0)).toBe(analysis.attempts.length);
    expect(summaryLine({ attempts: 0, verdicts: {} })).toBe('no TCP connection attempts');
    expect(summaryLine({ attempts: 3, verdicts: { connected: 1, 'no-response': 2 } })).toBe(
      '1 connected, 2 no response',
    );
    const markdown = reportMarkdown('a|b\nc.pcap', analysis);
    expect(markdown.split('\n')[0]).toBe('# TCP connection attempts in a\\|b c.pcap');
  });
});
