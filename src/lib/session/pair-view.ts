// Two captures of the same moment, as the lab and the "Both sides" lesson show them: which file
// is the client's and which the server's (told from the packets, whatever order they came in),
// one row per attempt matched across the two with a headline from the comparison — where the
// packets stop — then each side's own verdict and evidence, and one ladder with both timelines.
// Plain data: it crosses from the Worker to the page as is.
import { analyzeCapture } from '../analysis/analyze.ts';
import { isFirewallFinding } from '../analysis/drops.ts';
import type { FirewallLog } from '../capture/firewall-log.ts';
import { compareAttempts } from '../analysis/compare.ts';
import { formatSeconds } from '../analysis/timing.ts';
import { explain } from '../analysis/evidence.ts';
import type { AttemptPacket, AttemptVerdict, Comparison, Where } from '../analysis/types.ts';
import type { Capture } from '../packets.ts';
import { ROLE_LABELS, markOfRole, toAttemptView } from './verdict-view.ts';
import type { AttemptView, EvidenceView, PacketMark } from './protocol.ts';

/** How the two files were told apart. */
export interface SidesFinding {
  /** True when the second file given is the client's capture. */
  swapped: boolean;
  /** False when nothing in the packets tells the sides apart: the order given is kept. */
  decided: boolean;
  /** Why, in sentences that name the files. */
  reasons: string[];
}

/** One packet of the merged ladder: seen on one capture, the other, or both. */
export interface PairLadderStep {
  label: string;
  mark: PacketMark;
  from: AttemptPacket['from'];
  /** Frame numbers in each capture, when seen there. */
  clientFrame?: number;
  serverFrame?: number;
  /** Seconds since the client's first SYN, on the client's clock (server times corrected by the offset). */
  atClient?: number;
  atServer?: number;
  /** Sent, and missing from the capture at the other end: lost on the way. */
  lost: boolean;
}

export type PairWhere = Where | 'server-only';

export interface PairRow {
  id: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  where: PairWhere;
  /** The comparison's answer, in one sentence: where the packets stop. */
  headline: string;
  /** The steps that place it (from both captures). */
  whereEvidence: EvidenceView[];
  /** Each side's own reading, when the attempt is in that capture. */
  clientSide?: AttemptView;
  serverSide?: AttemptView;
  ladder: PairLadderStep[];
}

export interface PairView {
  clientName: string;
  serverName: string;
  sides: SidesFinding;
  /** Server clock minus client clock (s), NaN when no attempt is in both. */
  clockOffset: number;
  clockOffsetText: string;
  /** The first PAIR_ROWS attempts (a scan has thousands; the verdict panel pages through all). */
  rows: PairRow[];
  rowCount: number;
  findings: string[];
}

export const PAIR_ROWS = 200;

const isSyn = (p: AttemptPacket) => p.role === 'syn' || p.role === 'syn-retransmission';
const isAnswer = (p: AttemptPacket) => p.from === 'server';
const count = (v: AttemptVerdict | undefined, f: (p: AttemptPacket) => boolean) =>
  v ? v.attempt.packets.filter(f).length : 0;
const firstTtl = (v: AttemptVerdict, f: (p: AttemptPacket) => boolean) => v.attempt.packets.find(f)?.ttl;

/** Same attempt in both files: same 4-tuple and ISN, or (through a NAT) the same ISN and server port. */
function matchAttempts(a: AttemptVerdict[], b: AttemptVerdict[]): Array<[AttemptVerdict, AttemptVerdict]> {
  const byId = new Map(b.map((v) => [v.attempt.id, v]));
  const byIsn = new Map(b.map((v) => [`${v.attempt.isn}/${v.attempt.serverPort}`, v]));
  const pairs: Array<[AttemptVerdict, AttemptVerdict]> = [];
  for (const v of a) {
    const other = byId.get(v.attempt.id) ?? byIsn.get(`${v.attempt.isn}/${v.attempt.serverPort}`);
    if (other) pairs.push([v, other]);
  }
  return pairs;
}

/** One file as side detection reads it. */
export interface CaptureSide {
  name: string;
  attempts: AttemptVerdict[];
  /** Hosts whose own sent packets are marked in this file (checksum offload, direction flags): the capturing host. */
  localHosts: string[];
}

/**
 * Which file is the client's. A packet is always in the capture of the host that sent it, even
 * when it is lost on the way: so the file with SYNs the other lacks is the client's, the file
 * with answers the other lacks is the server's. Routers lower the TTL on the way, so a SYN has a
 * higher TTL where it started, an answer where it was sent.
 */
export function detectSides(first: CaptureSide, second: CaptureSide): SidesFinding {
  let score = 0; // > 0: the first file is the client's
  const reasons: string[] = [];
  const pairs = matchAttempts(first.attempts, second.attempts);
  let synsFirst = 0;
  let synsSecond = 0;
  let answersFirst = 0;
  let answersSecond = 0;
  /** Votes, attempt by attempt: > 0 when the TTL is higher in the first file. */
  const ttl = { synFirst: 0, answerFirst: 0 };
  for (const [a, b] of pairs) {
    synsFirst += count(a, isSyn);
    synsSecond += count(b, isSyn);
    answersFirst += count(a, isAnswer);
    answersSecond += count(b, isAnswer);
    const [sa, sb] = [firstTtl(a, isSyn), firstTtl(b, isSyn)];
    if (sa !== undefined && sb !== undefined) ttl.synFirst += Math.sign(sa - sb);
    const [aa, ab] = [firstTtl(a, isAnswer), firstTtl(b, isAnswer)];
    if (aa !== undefined && ab !== undefined) ttl.answerFirst += Math.sign(aa - ab);
  }
  if (synsFirst !== synsSecond) {
    const [more, fewer, n, m] =
      synsFirst > synsSecond
        ? [first.name, second.name, synsFirst, synsSecond]
        : [second.name, first.name, synsSecond, synsFirst];
    score += synsFirst > synsSecond ? 2 : -2;
    reasons.push(
      `${more} holds ${n} client SYNs, ${fewer} only ${m}: a SYN is always in the capture where it was sent.`,
    );
  }
  if (answersFirst !== answersSecond) {
    const [more, fewer, n, m] =
      answersSecond > answersFirst
        ? [second.name, first.name, answersSecond, answersFirst]
        : [first.name, second.name, answersFirst, answersSecond];
    score += answersSecond > answersFirst ? 2 : -2;
    reasons.push(
      `${more} holds ${n} packets from the server, ${fewer} only ${m}: an answer is always in the capture where it was sent.`,
    );
  }
  if (ttl.synFirst !== 0) {
    score += Math.sign(ttl.synFirst);
    reasons.push(
      `The SYNs' TTL is higher in ${ttl.synFirst > 0 ? first.name : second.name}: routers lower it on the way, so that is where they started.`,
    );
  }
  if (ttl.answerFirst !== 0) {
    score -= Math.sign(ttl.answerFirst);
    reasons.push(
      `The answers' TTL is higher in ${ttl.answerFirst > 0 ? first.name : second.name}: that is where they were sent.`,
    );
  }
  // The file whose own host sent the SYNs — checksum offload marks a capture's own sent
  // packets — was taken on the client; the one whose host sent the answers, on the server.
  const clients = new Set(pairs.map(([a]) => a.attempt.client));
  const servers = new Set(pairs.map(([a]) => a.attempt.server));
  const localTo = (side: CaptureSide, hosts: Set<string>) => side.localHosts.some((h) => hosts.has(h));
  const capturedOn = (side: CaptureSide) =>
    localTo(side, clients) ? 'client' : localTo(side, servers) ? 'server' : undefined;
  const [onFirst, onSecond] = [capturedOn(first), capturedOn(second)];
  if (onFirst === 'client' || onSecond === 'server') {
    score += 3;
    reasons.push(
      onFirst === 'client'
        ? `${first.name} was taken on the client: the client's own SYNs there carry its checksum-offload signature.`
        : `${second.name} was taken on the server: the server's own packets there carry its checksum-offload signature.`,
    );
  } else if (onFirst === 'server' || onSecond === 'client') {
    score -= 3;
    reasons.push(
      onSecond === 'client'
        ? `${second.name} was taken on the client: the client's own SYNs there carry its checksum-offload signature.`
        : `${first.name} was taken on the server: the server's own packets there carry its checksum-offload signature.`,
    );
  }
  if (pairs.length === 0) {
    return {
      swapped: false,
      decided: false,
      reasons: ['No attempt is in both captures, so the order given is kept: first the client, then the server.'],
    };
  }
  if (score === 0) {
    return {
      swapped: false,
      decided: false,
      reasons: [
        'Both captures hold the same packets with the same TTLs, so nothing tells the sides apart; the order given is kept (and here it changes no verdict).',
      ],
    };
  }
  return { swapped: score < 0, decided: true, reasons };
}

/** Packets of one attempt seen at both ends are the same datagram: same sender, flags, numbers and IP ID. */
const packetKey = (p: AttemptPacket) => `${p.from}|${p.flags}|${p.seq}|${p.ack}|${p.ipId ?? ''}|${p.length}`;

/** `neverArrived`: the attempt is not in the server capture at all, and the comparison says it was lost on the way there. */
function mergedLadder(
  client: AttemptVerdict | undefined,
  server: AttemptVerdict | undefined,
  offset: number,
  neverArrived = false,
) {
  const base = client
    ? client.attempt.startTime + (client.attempt.packets.find(isSyn)?.t ?? 0)
    : server!.attempt.startTime +
      (server!.attempt.packets.find(isSyn)?.t ?? 0) -
      (Number.isFinite(offset) ? offset : 0);
  const shift = Number.isFinite(offset) ? offset : 0;
  const steps: PairLadderStep[] = [];
  const waiting = new Map<string, PairLadderStep[]>();
  for (const p of client?.attempt.packets ?? []) {
    const step: PairLadderStep = {
      label: ROLE_LABELS[p.role] || (p.length ? `${p.length} bytes` : 'ACK'),
      mark: markOfRole(p.role),
      from: p.from,
      clientFrame: p.frame,
      atClient: client!.attempt.startTime + p.t - base,
      lost: false,
    };
    steps.push(step);
    const key = packetKey(p);
    waiting.set(key, [...(waiting.get(key) ?? []), step]);
  }
  for (const p of server?.attempt.packets ?? []) {
    const at = server!.attempt.startTime + p.t - shift - base;
    const match = waiting.get(packetKey(p))?.shift();
    if (match) {
      match.serverFrame = p.frame;
      match.atServer = at;
      continue;
    }
    steps.push({
      label: ROLE_LABELS[p.role] || (p.length ? `${p.length} bytes` : 'ACK'),
      mark: markOfRole(p.role),
      from: p.from,
      serverFrame: p.frame,
      atServer: at,
      lost: false,
    });
  }
  // Lost: sent from one end, missing at the other — only when both captures cover the attempt.
  if (neverArrived) for (const s of steps) s.lost = s.from === 'client';
  if (client && server) {
    for (const s of steps) {
      if (s.from === 'client') s.lost = s.clientFrame !== undefined && s.serverFrame === undefined;
      if (s.from === 'server') s.lost = s.serverFrame !== undefined && s.clientFrame === undefined;
    }
  }
  const departure = (s: PairLadderStep) =>
    (s.from === 'server' ? (s.atServer ?? s.atClient) : (s.atClient ?? s.atServer)) ?? 0;
  return steps.sort((a, b) => departure(a) - departure(b)).slice(0, LADDER_LIMIT);
}

/** The ladder shows the handshake and how it ended, not every data segment after it. */
const LADDER_LIMIT = 14;

const answerWord = (server: AttemptVerdict | undefined) =>
  server?.attempt.packets.some((p) => p.role === 'syn-ack' || p.role === 'syn-ack-retransmission')
    ? 'SYN/ACK'
    : 'reset';

/** The comparison's answer for one attempt, in the learner's words. */
export function pairHeadline(
  where: PairWhere,
  client: AttemptVerdict | undefined,
  server: AttemptVerdict | undefined,
): string {
  const verdict = client?.verdict;
  switch (where) {
    case 'server-only':
      return 'Seen only in the server capture: the client capture holds no SYN for it (it started later, or another client sent it).';
    case 'none':
      return verdict === 'connected'
        ? 'Connected: the handshake completed, and both captures show it.'
        : 'The server answered with a SYN/ACK and it reached the client: the port is open (the client did not complete the handshake).';
    case 'path':
      if (verdict === 'unreachable')
        return 'Turned back on the way: a router answered the SYN with ICMP "unreachable"; it never reached the server capture.';
      return server
        ? 'Lost on the way to the server: some SYNs never reached the server capture.'
        : 'Never reached the server capture: the SYN left the client and was lost on the way to the server.';
    case 'server':
      if (verdict === 'refused') return 'Reached the server, which refused it with a reset: the port is closed.';
      if (verdict === 'unreachable') return 'Reached the server, which rejected it with ICMP "unreachable".';
      // pktmon's drop events or the firewall log: no longer "a firewall, or nothing listening"
      if (server?.hostDrops?.length)
        return "Reached the server, which dropped it: the server's own records (pktmon, its firewall log) say so.";
      return server
        ? 'Reached the server, which never answered: dropped at the server (a host firewall, or nothing listening behind one that drops).'
        : 'No answer, and the attempt is not in the server capture either: check that both captures cover the same moment.';
    case 'return-path':
      return `Reached the server; the server's ${answerWord(server)} never came back — dropped on the return path.`;
  }
}

export function clockOffsetText(offset: number, matched: number): string {
  if (!Number.isFinite(offset)) return 'Clock offset unknown: no attempt is in both captures.';
  const sign = offset < 0 ? '−' : '+';
  return (
    `The server's clock reads ${sign}${formatSeconds(Math.abs(offset))} against the client's ` +
    `(estimated from ${matched} ${matched === 1 ? 'attempt' : 'attempts'} seen on both sides, one-way delay included); ` +
    'server times below are corrected by it.'
  );
}

export interface PairResult {
  /** The captures in their detected roles. */
  client: Capture;
  server: Capture;
  comparison: Comparison;
  view: PairView;
}

/** A Windows Firewall log read beside a capture, and what the learner calls it. */
export interface NamedFirewallLog {
  name: string;
  log: FirewallLog;
}

/**
 * Compares two captures given in either order. `names` are what the learner calls the files;
 * `logs`, the firewall log read beside each (it stays with its capture whichever side that is).
 */
export function pairCaptures(
  first: Capture,
  second: Capture,
  names: [string, string],
  asGiven = false,
  logs: [NamedFirewallLog | undefined, NamedFirewallLog | undefined] = [undefined, undefined],
): PairResult {
  const analysisA = analyzeCapture(first, undefined, { firewallLog: logs[0]?.log });
  const analysisB = analyzeCapture(second, undefined, { firewallLog: logs[1]?.log });
  const [a, b] = [analysisA.attempts, analysisB.attempts];
  const sides: SidesFinding = asGiven
    ? { swapped: false, decided: false, reasons: [`Sides as you set them: ${names[0]} is the client's capture.`] }
    : detectSides(
        { name: names[0], attempts: a, localHosts: analysisA.offload.offloadHosts },
        { name: names[1], attempts: b, localHosts: analysisB.offload.offloadHosts },
      );
  const [clientAttempts, serverAttempts] = sides.swapped ? [b, a] : [a, b];
  const [clientName, serverName] = sides.swapped ? [names[1], names[0]] : names;
  const comparison = compareAttempts(clientAttempts, serverAttempts);
  const verdictOf = new Map(clientAttempts.map((v) => [v.attempt, v]));
  const rows: PairRow[] = comparison.attempts.slice(0, PAIR_ROWS).map((c) => {
    const server = c.counterpart;
    const clientVerdict = verdictOf.get(c.attempt)!;
    return {
      id: c.attempt.id,
      client: c.attempt.client,
      clientPort: c.attempt.clientPort,
      server: c.attempt.server,
      serverPort: c.attempt.serverPort,
      where: c.where,
      headline: pairHeadline(c.where, clientVerdict, server),
      whereEvidence: explain(c).whereEvidence ?? [],
      clientSide: toAttemptView(clientVerdict),
      ...(server ? { serverSide: toAttemptView(server) } : {}),
      ladder: mergedLadder(clientVerdict, server, comparison.clockOffset, !server && c.where === 'path'),
    };
  });
  const paired = new Set(comparison.attempts.map((c) => c.counterpart).filter(Boolean));
  const serverOnly = serverAttempts.filter((v) => !paired.has(v));
  for (const s of serverOnly.slice(0, Math.max(0, PAIR_ROWS - rows.length))) {
    rows.push({
      id: `server:${s.attempt.id}`,
      client: s.attempt.client,
      clientPort: s.attempt.clientPort,
      server: s.attempt.server,
      serverPort: s.attempt.serverPort,
      where: 'server-only',
      headline: pairHeadline('server-only', undefined, s),
      whereEvidence: [],
      serverSide: toAttemptView(s),
      ladder: mergedLadder(undefined, s, comparison.clockOffset),
    });
  }
  return {
    client: sides.swapped ? second : first,
    server: sides.swapped ? first : second,
    comparison,
    view: {
      clientName,
      serverName,
      sides,
      clockOffset: comparison.clockOffset,
      clockOffsetText: clockOffsetText(comparison.clockOffset, comparison.matched),
      rows,
      rowCount: comparison.attempts.length + serverOnly.length,
      findings: [
        ...comparison.findings,
        // What each side's firewall log added, and its bad lines, named after its capture.
        ...([analysisA, analysisB] as const).flatMap((analysis, k) =>
          analysis.findings.filter(isFirewallFinding).map((f) => `${names[k]}: ${f}`),
        ),
      ],
    },
  };
}

const WHERE_TITLE: Record<PairWhere, string> = {
  none: 'it worked',
  path: 'on the way to the server',
  server: 'at the server',
  'return-path': 'on the way back',
  'server-only': 'only in the server capture',
};

/** The pair as a Markdown report: the comparison first, then what each side saw. */
export function pairReportMarkdown(view: PairView): string {
  const lines = [`# Both sides: ${view.clientName} (client) and ${view.serverName} (server)`, ''];
  lines.push(...view.sides.reasons.map((r) => `- ${r}`), `- ${view.clockOffsetText}`, '');
  lines.push('| # | Client | Server | Where it ended | What happened |', '|---|---|---|---|---|');
  view.rows.forEach((r, i) =>
    lines.push(
      `| ${i + 1} | ${r.client}:${r.clientPort} | ${r.server}:${r.serverPort} | ${WHERE_TITLE[r.where]} | ${r.headline.replace(/\|/g, '\\|')} |`,
    ),
  );
  lines.push('');
  if (view.findings.length) lines.push('## About the captures', '', ...view.findings.map((f) => `- ${f}`), '');
  view.rows.forEach((r, i) => {
    lines.push(`## ${i + 1}. ${r.client}:${r.clientPort} → ${r.server}:${r.serverPort}`, '', r.headline, '');
    if (r.whereEvidence.length) lines.push(...r.whereEvidence.map((e, n) => `${n + 1}. ${e.text}`), '');
    for (const [title, side] of [
      [`Client capture (${view.clientName})`, r.clientSide],
      [`Server capture (${view.serverName})`, r.serverSide],
    ] as const) {
      lines.push(`### ${title}`, '');
      if (!side) {
        lines.push('Not in this capture.', '');
        continue;
      }
      lines.push(`${side.headline} (frames ${side.frames.join(', ')})`, '');
      lines.push(...side.evidence.map((e) => `- ${e.text}`), '');
    }
  });
  return lines.join('\n');
}

export function pairReportJson(view: PairView): string {
  return JSON.stringify({ format: 'porttrace-pair', version: 1, ...view }, null, 2) + '\n';
}
