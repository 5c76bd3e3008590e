// Two sides of the same moment: a capture on the client and one on the server. Attempts are
// matched by 4-tuple and ISN (or, when a NAT rewrote addresses, by ISN and server port alone),
// the clocks are lined up, and each client attempt gets `where` it ended:
//   none        the handshake completed (or, for a SYN scan, the client got the SYN/ACK it wanted)
//   path        the SYN left the client but never reached the server capture (or a router
//               turned it back with ICMP)
//   server      the SYN reached the server, which sent nothing back (host firewall, or no
//               listener behind a dropping firewall) — or refused it (RST, or ICMP from the host)
//   return-path the server answered (SYN/ACK or RST) and the answer never reached the client
import type { Capture } from '../packets.ts';
import { NOTHING_MATCHED_TEXT, serverOnlyText } from './evidence.ts';
import { analyzeCapture } from './analyze.ts';
import { isFirewallFinding, type FirewallMatchOptions } from './drops.ts';
import type { FirewallLog } from '../capture/firewall-log.ts';
import type { AttemptVerdict, Comparison, ComparedAttempt, Where } from './types.ts';

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function firstSynTime(v: AttemptVerdict): number {
  const syn = v.attempt.packets.find((p) => p.role === 'syn');
  return v.attempt.startTime + (syn?.t ?? 0);
}

export function whereFor(client: AttemptVerdict, server: AttemptVerdict | undefined): Where {
  if (client.verdict === 'connected') return 'none';
  // Refused: the answer came back, but the attempt ended at the server, which said no.
  if (client.verdict === 'refused') return 'server';
  if (client.verdict === 'half-open' && client.attempt.packets.some((p) => p.role === 'client-rst')) return 'none';
  if (client.verdict === 'unreachable') {
    const icmp = client.attempt.packets.find((p) => p.role === 'icmp');
    return icmp?.from === 'server' || server ? 'server' : 'path';
  }
  if (!server) return client.verdict === 'half-open' ? 'none' : 'path';
  const serverAnswered =
    server.verdict === 'connected' || server.verdict === 'half-open' || server.verdict === 'refused';
  // The client's half-open-by-resending (its SYN/ACK arrived but it keeps sending SYNs) is
  // still an answer that reached it.
  if (client.verdict === 'half-open') return 'none';
  return serverAnswered ? 'return-path' : 'server';
}

export interface CompareOptions {
  /** The server's Windows Firewall log (pfirewall.log, parsed): matched against the server capture. */
  serverFirewallLog?: FirewallLog;
  firewallMatch?: FirewallMatchOptions;
}

export function compareCaptures(
  clientCapture: Capture,
  serverCapture: Capture,
  options: CompareOptions = {},
): Comparison {
  const server = analyzeCapture(serverCapture, undefined, {
    firewallLog: options.serverFirewallLog,
    firewallMatch: options.firewallMatch,
  });
  const comparison = compareAttempts(analyzeCapture(clientCapture).attempts, server.attempts);
  // What the log added (and its bad lines) concerns the pair as a whole.
  comparison.findings.push(...server.findings.filter(isFirewallFinding).map((f) => `Server side: ${f}`));
  return comparison;
}

/** The comparison of two captures' attempts, already classified (the pair view has them). */
export function compareAttempts(clientSide: AttemptVerdict[], serverSide: AttemptVerdict[]): Comparison {
  const byId = new Map(serverSide.map((v) => [v.attempt.id, v]));
  // Fallback key for NAT: the client's ISN and the server port usually survive address rewriting.
  const byIsn = new Map<string, AttemptVerdict | null>();
  for (const v of serverSide) {
    const key = `${v.attempt.isn}/${v.attempt.serverPort}`;
    byIsn.set(key, byIsn.has(key) ? null : v);
  }
  const clientIds = new Set(clientSide.map((v) => v.attempt.id));
  const pairs: Array<{ client: AttemptVerdict; server?: AttemptVerdict; matchedBy?: 'tuple' | 'isn' }> = [];
  const used = new Set<AttemptVerdict>();
  for (const c of clientSide) {
    let s = byId.get(c.attempt.id);
    let matchedBy: 'tuple' | 'isn' | undefined = s ? 'tuple' : undefined;
    if (!s) {
      const viaIsn = byIsn.get(`${c.attempt.isn}/${c.attempt.serverPort}`);
      // Never take a server attempt that some client attempt matches exactly.
      if (viaIsn && !used.has(viaIsn) && !clientIds.has(viaIsn.attempt.id)) {
        s = viaIsn;
        matchedBy = 'isn';
      }
    }
    if (s) used.add(s);
    pairs.push({ client: c, server: s, matchedBy });
  }
  const clockOffset = median(
    pairs.filter((p) => p.server).map((p) => firstSynTime(p.server!) - firstSynTime(p.client)),
  );

  const attempts: ComparedAttempt[] = pairs.map(({ client, server, matchedBy }) => {
    const where = whereFor(client, server);
    const compared: ComparedAttempt = { ...client, side: 'client', where, counterpart: server, clockOffset };
    if (matchedBy) compared.matchedBy = matchedBy;
    return compared;
  });
  const findings: string[] = [];
  const matched = pairs.filter((p) => p.server).length;
  const serverOnly = serverSide.filter((v) => !used.has(v));
  if (clientSide.length > 0 && serverSide.length > 0 && matched === 0) {
    findings.push(NOTHING_MATCHED_TEXT);
  }
  if (serverOnly.length > 0) findings.push(serverOnlyText(serverOnly.length));
  return { attempts, clockOffset, matched, findings };
}
