// The Windows Firewall log: parsed line by line with numbered warnings, and correlated with
// recorded traces. The logs are written by tests/firewall/write-firewall-log.ts from tshark's
// reading of the recorded captures (the server side of the "blocked by the server's firewall"
// pair), as the server's firewall would have logged the SYNs it dropped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFirewallLog } from '../../src/lib/capture/firewall-log.ts';
import { analyzeCapture, compareCaptures, explain, matchFirewallLog } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { main } from '../../src/cli/main.ts';
import { fakeIO } from '../cli/fake-io.ts';
import { HEADER, firewallLogFor, localStamp, logLine, tsharkSyns } from './write-firewall-log.ts';
import { readFileSync } from 'node:fs';

const SERVER_TRACE = 'public/traces/blocked-drop-server.pcapng';
const CLIENT_TRACE = 'public/traces/blocked-drop-client.pcapng';
const OPEN_TRACE = 'public/traces/open-server.pcapng';
const SERVER = '10.0.1.20';
const load = (path: string) => loadCaptureBytes(new Uint8Array(readFileSync(path)));

describe('parsing pfirewall.log', () => {
  it('reads the header, the columns it names, "-" as empty, and CRLF lines', () => {
    const text = [
      ...HEADER,
      '2024-01-15 10:31:02 DROP TCP 10.0.0.1 10.0.0.2 57475 3389 52 S 1234567 0 64240 - - - RECEIVE 4',
      '2024-01-15 10:31:03 ALLOW UDP 10.0.0.1 10.0.0.53 53000 53 0 - - - - - - - SEND 1234',
      '2024-01-15 10:31:04 DROP ICMP fe80::1 ff02::1 - - 72 - - - - 134 0 - RECEIVE 4',
    ].join('\r\n');
    const log = parseFirewallLog(text);
    expect(log.warnings).toEqual([]);
    expect(log.timeFormat).toBe('local');
    expect(log.fields.at(-1)).toBe('pid');
    expect(log.entries).toHaveLength(3);
    expect(log.entries[0]).toMatchObject({
      line: 6,
      action: 'DROP',
      protocol: 'TCP',
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 57475,
      dstPort: 3389,
      size: 52,
      tcpFlags: 'S',
      tcpSyn: 1234567,
      tcpAck: 0,
      path: 'RECEIVE',
      pid: 4,
    });
    expect(log.entries[0].clockSeconds).toBe(Date.UTC(2024, 0, 15, 10, 31, 2) / 1000);
    expect(log.entries[1].tcpSyn).toBeUndefined();
    expect(log.entries[2]).toMatchObject({ srcIp: 'fe80::1', dstIp: 'ff02::1', protocol: 'ICMP' });
    expect(log.entries[2].srcPort).toBeUndefined();
  });

  it('reads logs without the pid column (older Windows) and with UTC times', () => {
    const text = [
      '#Version: 1.5',
      '#Time Format: UTC',
      '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path',
      '2019-03-01 23:59:59 DROP TCP 192.168.1.5 192.168.1.9 50000 445 52 S 1 0 8192 - - - RECEIVE',
    ].join('\n');
    const log = parseFirewallLog(text);
    expect(log.warnings).toEqual([]);
    expect(log.timeFormat).toBe('utc');
    expect(log.entries[0].pid).toBeUndefined();
  });

  it('bad lines give warnings with their line numbers, and the good lines are kept', () => {
    const text = [
      ...HEADER.slice(0, 4),
      '2024-01-15 10:31:02 DROP TCP 10.0.0.1 10.0.0.2 57475 3389 52 S 1 0 64240 - - - RECEIVE 4',
      '2024-13-15 10:31:02 DROP TCP 10.0.0.1 10.0.0.2 57475 3389 52 S 1 0 64240 - - - RECEIVE 4',
      '2024-01-15 10:31 DROP TCP 10.0.0.1 10.0.0.2 57475 3389 52 S 1 0 64240 - - - RECEIVE 4',
      '2024-01-15 10:31:02 DROP TCP 10.0.0.300 10.0.0.2 57475 3389 52 S 1 0 64240 - - - RECEIVE 4',
      '2024-01-15 10:31:02 DROP TCP 10.0.0.1 10.0.0.2 99999 3389 52 S 1 0 64240 - - - RECEIVE 4',
      '2024-01-15 10:31:02 DROP TCP 10.0.0.1',
      '<script>alert(1)</script>',
      '2024-01-15 10:31:09 DROP TCP 10.0.0.1 10.0.0.2 57476 3389 52 S 2 0 64240 - - - RECEIVE 4',
    ].join('\n');
    const log = parseFirewallLog(text);
    expect(log.entries.map((e) => e.line)).toEqual([5, 12]);
    expect(log.warnings).toEqual([
      { line: 6, message: 'date and time "2024-13-15 10:31:02" do not exist' },
      { line: 7, message: 'time "10:31" is not HH:MM:SS' },
      { line: 8, message: 'src-ip "10.0.0.300" is not an IP address' },
      { line: 9, message: 'src-port "99999" is not a number up to 65535' },
      { line: 10, message: 'has 5 fields; the #Fields line names 18' },
      { line: 11, message: 'has 1 fields; the #Fields line names 18' },
    ]);
  });

  it('a file that is not a firewall log says so', () => {
    const log = parseFirewallLog('hello world\nthis is not a log\n');
    expect(log.entries).toEqual([]);
    expect(log.warnings[0].message).toMatch(/no "#Fields:" header.*pfirewall\.log/);
  });

  it('never throws on arbitrary text (property)', () => {
    const line = fc.array(
      fc.oneof(
        fc.constantFrom(
          'DROP',
          'TCP',
          '-',
          '10.0.0.1',
          '::1',
          '2024-01-01',
          '12:00:00',
          '#Fields:',
          'date',
          'time',
          'action',
        ),
        fc.string({ maxLength: 12 }),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const log = parseFirewallLog(lines.map((l) => l.join(' ')).join('\n'));
        return log.entries.every((e) => Number.isFinite(e.clockSeconds)) && Array.isArray(log.warnings);
      }),
      { numRuns: 300 },
    );
  });
});

describe('correlating the firewall log with a recorded trace pair', () => {
  const syns = tsharkSyns(SERVER_TRACE);

  it('the DROP lines written for the server capture match its SYNs: each SYN gets a step citing its line', () => {
    // The log in a zone one hour east of UTC, as a Windows server in Central Europe writes it.
    const log = parseFirewallLog(firewallLogFor(SERVER_TRACE, SERVER, 60));
    expect(log.entries).toHaveLength(syns.length);
    const analysis = analyzeCapture(load(SERVER_TRACE), undefined, { firewallLog: log });
    expect(analysis.attempts).toHaveLength(1);
    const [attempt] = analysis.attempts;
    expect(attempt.verdict).toBe('no-response');
    const steps = explain(attempt).evidence.filter((e) => e.text.includes('Windows Firewall'));
    expect(steps).toHaveLength(syns.length);
    steps.forEach((step, k) => {
      const stamp = localStamp(syns[k].epoch, 60);
      expect(step.text).toBe(
        `Frame ${k + 1}: the server's Windows Firewall logged DROP for this SYN at ${stamp.slice(11)} on ${stamp.slice(0, 10)} (pfirewall.log line ${6 + k}, RECEIVE)`,
      );
      expect(step.frames).toEqual([k + 1]);
    });
    // Right after the step naming the SYNs, before the rest of the reasoning.
    expect(explain(attempt).evidence.findIndex((e) => e.text.includes('Windows Firewall'))).toBe(1);
    expect(analysis.findings).toContain(
      `Windows Firewall log: ${syns.length} TCP DROP lines, ${syns.length} matched to a packet of this capture (its clock read as UTC+01:00)`,
    );
  });

  it("the same log read beside the client's capture of the same attempt matches its SYNs too", () => {
    const log = parseFirewallLog(firewallLogFor(SERVER_TRACE, SERVER, -300));
    const analysis = analyzeCapture(load(CLIENT_TRACE), undefined, { firewallLog: log });
    const steps = explain(analysis.attempts[0]).evidence.filter((e) => e.text.includes('Windows Firewall'));
    expect(steps).toHaveLength(tsharkSyns(CLIENT_TRACE).length);
    expect(analysis.findings[analysis.findings.length - 1]).toContain('UTC−05:00');
  });

  it('lines that do not fit are not evidence: another port, a wrong sequence number, or the wrong time', () => {
    const [first] = syns;
    const lines = [
      ...HEADER,
      logLine(first.epoch, 0, 'DROP', { ...first, srcPort: first.srcPort + 1 }),
      logLine(first.epoch, 0, 'DROP', { ...first, seq: (first.seq + 1) >>> 0 }),
      logLine(first.epoch + 40, 0, 'DROP', first),
      logLine(first.epoch, 0, 'ALLOW', first),
    ];
    const log = parseFirewallLog(lines.join('\r\n'));
    const analysis = analyzeCapture(load(SERVER_TRACE), undefined, { firewallLog: log });
    expect(explain(analysis.attempts[0]).evidence.some((e) => e.text.includes('Windows Firewall'))).toBe(false);
    expect(analysis.findings.at(-1)).toMatch(/^Windows Firewall log: 3 TCP DROP lines, 0 matched/);
  });

  it('an explicit clock offset overrides the inferred one', () => {
    const log = parseFirewallLog(firewallLogFor(SERVER_TRACE, SERVER, 60));
    const capture = load(SERVER_TRACE);
    const attempts = analyzeCapture(capture).attempts.map((v) => v.attempt);
    expect(matchFirewallLog(log, attempts, { utcOffsetSeconds: 0 }).drops.size).toBe(0);
    expect(matchFirewallLog(log, attempts, { utcOffsetSeconds: 3600 }).drops.size).toBe(1);
  });

  it('the open trace gets no firewall evidence from the blocked trace’s log', () => {
    const log = parseFirewallLog(firewallLogFor(SERVER_TRACE, SERVER, 0));
    const analysis = analyzeCapture(load(OPEN_TRACE), undefined, { firewallLog: log });
    for (const a of analysis.attempts) expect(explain(a).evidence.some((e) => e.text.includes('Firewall'))).toBe(false);
    expect(analysis.findings.at(-1)).toMatch(/none names a connection attempt of this capture/);
  });

  it('porttrace verdicts --firewall-log prints the matched lines, and warns about bad ones', async () => {
    const text = firewallLogFor(SERVER_TRACE, SERVER, 60) + 'not a line\r\n';
    const io = fakeIO({
      files: {
        'server.pcapng': new Uint8Array(readFileSync(SERVER_TRACE)),
        'pfirewall.log': new TextEncoder().encode(text),
      },
    });
    expect(await main(['verdicts', 'server.pcapng', '--firewall-log', 'pfirewall.log'], io)).toBe(0);
    expect(io.stdout).toContain("- Frame 1: the server's Windows Firewall logged DROP for this SYN at ");
    expect(io.stdout).toMatch(/pfirewall\.log line \d+: has 3 fields; the #Fields line names 18/);
    const json = fakeIO({
      files: { 's.pcapng': new Uint8Array(readFileSync(SERVER_TRACE)), 'l.log': new TextEncoder().encode(text) },
    });
    expect(await main(['verdicts', 's.pcapng', '--json', '--firewall-log=l.log'], json)).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.attempts[0].evidence.filter((e: { text: string }) => e.text.includes('Windows Firewall'))).toHaveLength(
      syns.length,
    );
    const missing = fakeIO({ files: {} });
    expect(await main(['verdicts', 's.pcapng', '--firewall-log'], missing)).toBe(2);
    expect(missing.stderr).toContain('--firewall-log needs a file');
  });
});

describe("comparing two sides with the server's firewall log", () => {
  const serverLog = () => parseFirewallLog(firewallLogFor(SERVER_TRACE, SERVER, 60));
  const syns = tsharkSyns(SERVER_TRACE);

  it("compareCaptures puts the server's DROP lines in the server side's evidence and in where it ended", () => {
    const comparison = compareCaptures(load(CLIENT_TRACE), load(SERVER_TRACE), { serverFirewallLog: serverLog() });
    expect(comparison.attempts).toHaveLength(1);
    const [attempt] = comparison.attempts;
    expect(attempt.where).toBe('server');
    const serverSteps = explain(attempt.counterpart!).evidence.filter((e) => e.text.includes('Windows Firewall'));
    expect(serverSteps).toHaveLength(syns.length);
    const placed = explain(attempt).whereEvidence.filter((e) => e.text.includes('Windows Firewall'));
    expect(placed.map((e) => e.text)).toEqual(serverSteps.map((s) => s.text.replace(/^Frame /, 'Server frame ')));
    // Server frames are not the client capture's: the steps cite none of its frames.
    expect(placed.every((e) => e.frames.length === 0)).toBe(true);
    // The client's own evidence is its capture's alone.
    expect(explain(attempt).evidence.some((e) => e.text.includes('Windows Firewall'))).toBe(false);
    expect(comparison.findings).toContain(
      `Server side: Windows Firewall log: ${syns.length} TCP DROP lines, ${syns.length} matched to a packet of this capture (its clock read as UTC+01:00)`,
    );
  });

  it('without a log the comparison is what it was', () => {
    const withLog = compareCaptures(load(CLIENT_TRACE), load(SERVER_TRACE), { serverFirewallLog: serverLog() });
    const without = compareCaptures(load(CLIENT_TRACE), load(SERVER_TRACE));
    expect(without.findings.some((f) => f.includes('Firewall'))).toBe(false);
    const words = (c: typeof without) => explain(c.attempts[0]).whereEvidence.map((e) => e.text);
    // Without the server's own record, silence leaves both readings open.
    expect(words(without)[1]).toMatch(/its host firewall dropped it, or nothing listens on port 3389/);
    expect(words(withLog)[1]).toMatch(/the server's own records below say it dropped the SYN$/);
    expect(words(withLog).filter((t) => !t.includes('Windows Firewall')).length).toBe(words(without).length);
    expect(words(withLog)[0]).toBe(words(without)[0]);
    expect(withLog.attempts[0].where).toBe(without.attempts[0].where);
  });

  it('a pktmon server trace adds its drop events to where the attempt ended, and the log its lines', () => {
    const log = parseFirewallLog(readFileSync('public/traces/article-blocked-server.pfirewall.log', 'utf8'));
    const comparison = compareCaptures(
      load('public/traces/article-blocked-client.pcapng'),
      load('public/traces/article-blocked-server-pktmon.etl'),
      { serverFirewallLog: log },
    );
    const texts = explain(comparison.attempts[0]).whereEvidence.map((e) => e.text);
    // The inference from silence gives way to the server's own word.
    expect(texts[1]).toBe(
      "The SYN reached 10.0.0.2, and the server capture shows nothing sent back: the server's own records below say it dropped the SYN",
    );
    expect(texts.filter((t) => t.startsWith('Server frame ') && t.includes('pktmon logged'))).toHaveLength(3);
    expect(
      texts.filter((t) => t.startsWith('Server frame ') && t.includes('Windows Firewall logged DROP')),
    ).toHaveLength(3);
  });

  it('porttrace compare CLIENT SERVER --firewall-log LOG reads the log as the server’s', async () => {
    const text = firewallLogFor(SERVER_TRACE, SERVER, 60) + 'not a line\r\n';
    const files = {
      'client.pcapng': new Uint8Array(readFileSync(CLIENT_TRACE)),
      'server.pcapng': new Uint8Array(readFileSync(SERVER_TRACE)),
      'pfirewall.log': new TextEncoder().encode(text),
    };
    const io = fakeIO({ files });
    expect(await main(['compare', 'client.pcapng', 'server.pcapng', '--firewall-log', 'pfirewall.log'], io)).toBe(0);
    expect(io.stdout).toContain("> Server frame 1: the server's Windows Firewall logged DROP for this SYN at ");
    expect(io.stdout).toMatch(/Server side: pfirewall\.log line \d+: has 3 fields; the #Fields line names 18/);
    const json = fakeIO({ files });
    expect(
      await main(['compare', 'client.pcapng', 'server.pcapng', '--json', '--firewall-log=pfirewall.log'], json),
    ).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(
      out.attempts[0].whereEvidence.filter((e: { text: string }) => e.text.includes('Windows Firewall')),
    ).toHaveLength(syns.length);
    const unreadable = fakeIO({
      files: { 'client.pcapng': files['client.pcapng'], 'server.pcapng': files['server.pcapng'] },
    });
    expect(await main(['compare', 'client.pcapng', 'server.pcapng', '--firewall-log', 'missing.log'], unreadable)).toBe(
      2,
    );
    expect(unreadable.stderr).toContain('missing.log: cannot read');
  });
});
