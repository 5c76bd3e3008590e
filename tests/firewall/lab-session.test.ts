// The firewall log in the lab's engine (src/lib/session, what the Worker runs): read beside an
// open capture, it adds the evidence the CLI's --firewall-log gives; removed, the evidence goes;
// beside the server side of a pair, it stays with that capture whichever side it is given on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareSessions, openSession } from '../../src/lib/session/session.ts';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from '../cli/fake-io.ts';
import { firewallLogFor, tsharkSyns } from './write-firewall-log.ts';

const SERVER_TRACE = 'public/traces/blocked-drop-server.pcapng';
const CLIENT_TRACE = 'public/traces/blocked-drop-client.pcapng';
const SERVER = '10.0.1.20';

function open(path: string, firewallLog?: { name: string; text: string }) {
  const bytes = new Uint8Array(readFileSync(path));
  return openSession(path.split('/').pop()!, [bytes] as unknown as AsyncIterable<Uint8Array>, bytes.length, undefined, {
    firewallLog,
  });
}

const firewallSteps = (texts: Array<{ text: string }>) =>
  texts.map((e) => e.text).filter((t) => t.includes('Windows Firewall logged DROP'));

describe('a firewall log beside a capture in the lab', () => {
  const log = firewallLogFor(SERVER_TRACE, SERVER, 60) + 'bad line <img src=x onerror=alert(1)>\r\n';
  const syns = tsharkSyns(SERVER_TRACE);

  it('gives the evidence porttrace verdicts --firewall-log gives, and the warnings with line numbers', async () => {
    const session = await open(SERVER_TRACE, { name: 'pfirewall.log', text: log });
    const summary = session.summary;
    expect(summary.firewallLog).toEqual({
      name: 'pfirewall.log',
      entries: syns.length,
      finding: `Windows Firewall log: ${syns.length} TCP DROP lines, ${syns.length} matched to a packet of this capture (its clock read as UTC+01:00)`,
      warnings: [{ line: 6 + syns.length, message: 'has 5 fields; the #Fields line names 18' }],
      warningCount: 1,
    });
    const io = fakeIO({
      files: {
        's.pcapng': new Uint8Array(readFileSync(SERVER_TRACE)),
        'pfirewall.log': new TextEncoder().encode(log),
      },
    });
    expect(await main(['verdicts', 's.pcapng', '--json', '--firewall-log', 'pfirewall.log'], io)).toBe(0);
    const cli = JSON.parse(io.stdout);
    expect(summary.attempts.map((a) => a.evidence)).toEqual(cli.attempts.map((a: { evidence: unknown }) => a.evidence));
    expect(firewallSteps(summary.attempts[0].evidence)).toHaveLength(syns.length);
    expect(summary.findings).toEqual(cli.findings);
  });

  it('can be added to an open capture, and removed again', async () => {
    const session = await open(SERVER_TRACE);
    const before = structuredClone(session.summary);
    expect(before.firewallLog).toBeUndefined();
    expect(firewallSteps(before.attempts[0].evidence)).toEqual([]);
    const added = session.setFirewallLog('pfirewall.log', log);
    expect(firewallSteps(added.attempts[0].evidence)).toHaveLength(syns.length);
    expect(added.firewallLog?.warningCount).toBe(1);
    // Later pages come judged with the log too.
    expect(firewallSteps(session.attempts(0, 1)[0].evidence)).toHaveLength(syns.length);
    const removed = session.setFirewallLog('', null);
    expect(removed.firewallLog).toBeUndefined();
    expect(removed.attempts).toEqual(before.attempts);
    expect(removed.findings).toEqual(before.findings);
    expect(session.report('md')).not.toContain('Windows Firewall logged');
  });

  it("stays with the server's capture in the two-sided view, whichever order the files come in", async () => {
    for (const serverFirst of [false, true]) {
      const server = await open(SERVER_TRACE, { name: 'pfirewall.log', text: log });
      const client = await open(CLIENT_TRACE);
      const pair = serverFirst ? compareSessions(server, client) : compareSessions(client, server);
      const view = pair.summary.pair!;
      expect(view.serverName).toBe('blocked-drop-server.pcapng');
      const [row] = view.rows;
      expect(row.where).toBe('server');
      expect(row.headline).toBe(
        "Reached the server, which dropped it: the server's own records (pktmon, its firewall log) say so.",
      );
      expect(firewallSteps(row.serverSide!.evidence)).toHaveLength(syns.length);
      expect(firewallSteps(row.clientSide!.evidence)).toEqual([]);
      expect(firewallSteps(row.whereEvidence).every((t) => t.startsWith('Server frame '))).toBe(true);
      expect(firewallSteps(row.whereEvidence)).toHaveLength(syns.length);
      expect(view.findings).toContain(
        `blocked-drop-server.pcapng: Windows Firewall log: ${syns.length} TCP DROP lines, ${syns.length} matched to a packet of this capture (its clock read as UTC+01:00)`,
      );
      expect(view.findings).toContain(
        'blocked-drop-server.pcapng: pfirewall.log line 9: has 5 fields; the #Fields line names 18',
      );
    }
  });
});
