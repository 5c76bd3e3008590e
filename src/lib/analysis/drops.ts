// Evidence from the capturing host's own records of a drop: pktmon's drop events (a packet
// logged as dropped by a Windows networking component, event 170) and, from
// capture/firewall-log.ts, Windows Firewall log lines matched to the attempts' SYNs. A dropped SYN
// is the strongest evidence a trace can give: the host says who discarded the packet, instead of
// the reader inferring it from silence. They are found here as data, carried by the verdict
// (analyze.ts) and worded by `explain` (evidence.ts, hostDropStep).
import type { FirewallLog, FirewallLogEntry } from '../capture/firewall-log.ts';
import { pktmonDrop } from '../capture/types.ts';
import type { PacketStore } from '../store/packet-store.ts';
import type { Attempt, AttemptPacket, HostDrop } from './types.ts';

/** Each packet of the attempt that pktmon logged as dropped: where and why, as data (`explain` words it). */
export function pktmonDrops(store: PacketStore, attempt: Attempt): HostDrop[] {
  if (!store.hasPktmon) return [];
  const drops: HostDrop[] = [];
  for (const p of attempt.packets) {
    const drop = pktmonDrop(store.pktmonOf(p.index));
    if (!drop?.drop) continue;
    drops.push({
      source: 'pktmon',
      frame: p.frame,
      role: p.role,
      componentId: drop.componentId,
      ...(drop.componentName ? { componentName: drop.componentName } : {}),
      reason: drop.drop.reason,
      ...(drop.drop.reasonName ? { reasonName: drop.drop.reasonName } : {}),
      location: drop.drop.location,
    });
  }
  return drops;
}

export interface FirewallMatchOptions {
  /** Largest gap between a log line's time and the SYN's capture time (default 2 s: the log is to the second). */
  toleranceSeconds?: number;
  /**
   * The log's local time minus UTC, in seconds. Default: UTC when the log says so; otherwise
   * inferred from the lines whose 5-tuple matches a SYN (the offset, a multiple of 15 minutes,
   * that most of them agree on).
   */
  utcOffsetSeconds?: number;
}

export interface FirewallMatch {
  /** The matched lines, per attempt id. */
  drops: Map<string, HostDrop[]>;
  /** Capture-wide sentences: what the log added, its warnings, the clock offset used. */
  findings: string[];
}

const QUARTER_HOUR = 900;
const MAX_ZONE = 14 * 3600;

/**
 * Matches the log's TCP DROP lines to the attempts' SYNs (and SYN/ACKs) by 5-tuple and time;
 * a line carrying the SYN's sequence number (tcpsyn) must carry this attempt's ISN.
 */
export function matchFirewallLog(
  log: FirewallLog,
  attempts: readonly Attempt[],
  options: FirewallMatchOptions = {},
): FirewallMatch {
  const tolerance = options.toleranceSeconds ?? 2;
  const drops = log.entries.filter((e) => e.action === 'DROP' && (e.protocol === 'TCP' || e.protocol === '6'));
  // Only the lines of the attempts' 5-tuples are kept: a full log holds 300,000 lines of other traffic.
  const byTuple = new Map<string, FirewallLogEntry[]>();
  for (const attempt of attempts) {
    byTuple.set(`${attempt.client}|${attempt.clientPort}|${attempt.server}|${attempt.serverPort}`, []);
    byTuple.set(`${attempt.server}|${attempt.serverPort}|${attempt.client}|${attempt.clientPort}`, []);
  }
  for (const e of drops) byTuple.get(`${e.srcIp}|${e.srcPort}|${e.dstIp}|${e.dstPort}`)?.push(e);
  // Each SYN (client → server) and SYN/ACK (server → client) with the log lines of its 5-tuple.
  const candidates: Array<{ attempt: Attempt; packet: AttemptPacket; time: number; lines: FirewallLogEntry[] }> = [];
  for (const attempt of attempts) {
    for (const packet of attempt.packets) {
      const fromClient = packet.role === 'syn' || packet.role === 'syn-retransmission';
      const fromServer = packet.role === 'syn-ack' || packet.role === 'syn-ack-retransmission';
      if (!fromClient && !fromServer) continue;
      const key = fromClient
        ? `${attempt.client}|${attempt.clientPort}|${attempt.server}|${attempt.serverPort}`
        : `${attempt.server}|${attempt.serverPort}|${attempt.client}|${attempt.clientPort}`;
      const lines = byTuple.get(key);
      if (lines?.length) candidates.push({ attempt, packet, time: attempt.startTime + packet.t, lines });
    }
  }
  const offset = options.utcOffsetSeconds ?? (log.timeFormat === 'utc' ? 0 : inferOffset(candidates, tolerance));
  const matched = new Map<string, HostDrop[]>();
  const used = new Set<FirewallLogEntry>();
  if (offset !== undefined) {
    for (const { attempt, packet, time, lines } of candidates) {
      const isSyn = packet.role === 'syn' || packet.role === 'syn-retransmission';
      // The closest unused line in time; a line that carries the SYN's sequence number must carry this ISN.
      let line: FirewallLogEntry | undefined;
      for (const e of lines) {
        const gap = Math.abs(e.clockSeconds - offset - time);
        if (used.has(e) || gap > tolerance || (isSyn && e.tcpSyn !== undefined && e.tcpSyn !== attempt.isn)) continue;
        if (!line || gap < Math.abs(line.clockSeconds - offset - time)) line = e;
      }
      if (!line) continue;
      used.add(line);
      const list = matched.get(attempt.id) ?? [];
      list.push({
        source: 'firewall',
        frame: packet.frame,
        packet: isSyn ? 'syn' : 'syn-ack',
        loggedBy: line.path === 'SEND' ? 'sender' : line.path === 'RECEIVE' ? 'receiver' : 'unknown',
        date: line.date,
        time: line.time,
        line: line.line,
        ...(line.path ? { path: line.path } : {}),
      });
      matched.set(attempt.id, list);
    }
  }
  const findings: string[] = [];
  const zone =
    offset === undefined
      ? ''
      : log.timeFormat === 'utc'
        ? ' (times in UTC)'
        : ` (its clock read as UTC${formatOffset(offset)})`;
  findings.push(
    `Windows Firewall log: ${drops.length} TCP DROP line${drops.length === 1 ? '' : 's'}, ${used.size} matched to a packet of this capture${zone}` +
      (drops.length > 0 && candidates.length === 0 ? '; none names a connection attempt of this capture' : '') +
      (candidates.length > 0 && offset === undefined
        ? `; their times are not within ${tolerance} s of the packets at any time-zone offset`
        : ''),
  );
  for (const w of log.warnings.slice(0, 20)) findings.push(`pfirewall.log line ${w.line}: ${w.message}`);
  if (log.warnings.length > 20) findings.push(`pfirewall.log: ${log.warnings.length - 20} more bad lines`);
  return { drops: matched, findings };
}

/** True for the capture-wide sentences matchFirewallLog writes (what the log added, its bad lines). */
export function isFirewallFinding(text: string): boolean {
  return text.startsWith('Windows Firewall log: ') || text.startsWith('pfirewall.log');
}

/** The time-zone offset (a multiple of 15 minutes) that most 5-tuple matches agree on. */
function inferOffset(
  candidates: ReadonlyArray<{ time: number; lines: FirewallLogEntry[] }>,
  tolerance: number,
): number | undefined {
  const votes = new Map<number, number>();
  for (const { time, lines } of candidates) {
    for (const e of lines) {
      const delta = e.clockSeconds - time;
      const zone = Math.round(delta / QUARTER_HOUR) * QUARTER_HOUR;
      if (Math.abs(zone) <= MAX_ZONE && Math.abs(delta - zone) <= tolerance)
        votes.set(zone, (votes.get(zone) ?? 0) + 1);
    }
  }
  let best: number | undefined;
  for (const [zone, n] of votes) if (best === undefined || n > votes.get(best)!) best = zone;
  return best;
}

function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '−' : '+';
  const minutes = Math.abs(seconds) / 60;
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export interface HostDropOptions {
  /** A Windows Firewall log to match against the capture (pfirewall.log, parsed). */
  firewallLog?: FirewallLog;
  firewallMatch?: FirewallMatchOptions;
}

/**
 * The host's own drop records: for each attempt, what to put in its evidence (pktmon's drop
 * events, and the firewall log's lines when a log is given: matched against `attempts`, every
 * attempt of the capture); `findings`: capture-wide sentences on what the firewall log added.
 * The records travel with the plain-data verdict (`hostDrops`) and `explain` words them.
 */
export function hostDrops(
  store: PacketStore,
  attempts: readonly Attempt[] | undefined,
  options: HostDropOptions = {},
): { dropsOf(attempt: Attempt): HostDrop[]; findings: string[] } {
  const firewall =
    options.firewallLog && attempts
      ? matchFirewallLog(options.firewallLog, attempts, options.firewallMatch)
      : undefined;
  return {
    dropsOf: (attempt) => {
      const fromPktmon = pktmonDrops(store, attempt);
      const fromLog = firewall?.drops.get(attempt.id);
      return fromLog ? [...fromPktmon, ...fromLog] : fromPktmon;
    },
    findings: firewall?.findings ?? [],
  };
}
