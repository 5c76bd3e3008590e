// `porttrace verdicts FILE [--json]`: what happened to every TCP connection attempt in a capture,
// one line per attempt with its evidence indented under it (or JSON for scripts).
import type { CliIO } from '../io.ts';
import { loadCaptureStream } from '../../lib/load.ts';
import {
  analyzeCapture,
  hostPort,
  type AttemptVerdict,
  type ComparedAttempt,
  type EvidenceStep,
} from '../../lib/analysis/index.ts';
import { parseFirewallLog, type FirewallLog } from '../../lib/capture/firewall-log.ts';
import type { Capture } from '../../lib/packets.ts';
import { attemptFields } from '../../lib/session/verdict-view.ts';

const USAGE = 'usage: porttrace verdicts FILE [--json] [--firewall-log pfirewall.log]\n';

export interface ParsedArgs {
  files: string[];
  json: boolean;
  /** A Windows Firewall log to read beside the capture (verdicts only). */
  firewallLog?: string;
}

/** FILE… [--json] [--firewall-log LOG]; `count` files exactly. */
export function parseArgs(args: string[], count: number): ParsedArgs | string {
  const files: string[] = [];
  let json = false;
  let firewallLog: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k];
    if (arg === '--json') json = true;
    else if (arg === '--firewall-log' || arg.startsWith('--firewall-log=')) {
      firewallLog = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++k];
      if (!firewallLog) return '--firewall-log needs a file (pfirewall.log)';
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option "${arg}"`;
    else files.push(arg);
  }
  if (files.length < count)
    return `missing ${count === 1 ? 'FILE' : count - files.length === 2 ? 'CLIENT and SERVER' : 'SERVER'}`;
  if (files.length > count) return `unexpected argument "${files[count]}"`;
  return firewallLog === undefined ? { files, json } : { files, json, firewallLog };
}

/** The largest firewall log read: Windows caps pfirewall.log at 32 MB. */
const MAX_FIREWALL_LOG_BYTES = 64 << 20;

/** Reads and parses a pfirewall.log; an unreadable file is an error string. */
export async function readFirewallLog(file: string, io: CliIO): Promise<FirewallLog | string> {
  try {
    const { size, chunks } = io.openFile(file);
    if (size > MAX_FIREWALL_LOG_BYTES)
      return `porttrace: ${file}: ${size.toLocaleString('en-US')} bytes is larger than any Windows Firewall log (at most 32 MB)\n`;
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return parseFirewallLog(new TextDecoder().decode(bytes));
  } catch (problem) {
    return `porttrace: ${file}: cannot read: ${problem instanceof Error ? problem.message : String(problem)}\n`;
  }
}

/** Reads a capture; a file that cannot be opened is an error string, a damaged one a Capture with `error`. */
export async function readCapture(file: string, io: CliIO): Promise<Capture | string> {
  try {
    const { size, chunks } = io.openFile(file);
    return await loadCaptureStream(chunks, { totalBytes: size });
  } catch (problem) {
    return `porttrace: ${file}: cannot read: ${problem instanceof Error ? problem.message : String(problem)}\n`;
  }
}

export function damageLine(file: string, capture: Capture): string | undefined {
  return capture.error
    ? `porttrace: ${file}: ${capture.error.message} (verdicts use the ${capture.packets.length} packets before it)\n`
    : undefined;
}

const steps = (xs: EvidenceStep[]) => xs.map((e) => ({ text: e.text, frames: e.frames }));

/** The JSON shape of one attempt (stable: scripts and the site's tests read it). */
export function attemptJson(v: AttemptVerdict | ComparedAttempt): Record<string, unknown> {
  const a = v.attempt;
  const row: Record<string, unknown> = {
    ...attemptFields(v, steps(v.evidence)),
    isn: a.isn,
    stream: a.stream,
    synMissing: a.synMissing,
    retries: v.timing.offsets.length,
    retryIntervals: v.timing.intervals.map((x) => Math.round(x * 1e6) / 1e6),
    ...(v.timing.schedule ? { retrySchedule: v.timing.schedule } : {}),
    ...(a.vlans.length ? { vlans: a.vlans } : {}),
  };
  if ('where' in v) {
    row.where = v.where;
    row.whereEvidence = steps(v.whereEvidence);
    if (v.counterpart) row.serverFrames = v.counterpart.frames;
  }
  return row;
}

/** Human form: one line per attempt, then its evidence indented. */
export function attemptText(v: AttemptVerdict | ComparedAttempt): string {
  const a = v.attempt;
  const where = 'where' in v ? `  where: ${v.where}` : '';
  const lines = [
    `${hostPort(a.client, a.clientPort)} → ${hostPort(a.server, a.serverPort)}  ${v.verdict}${where}  (nmap: ${v.nmap}, Zeek: ${v.zeek}, history ${v.history})  frames ${compactFrames(v.frames)}`,
    `    ${v.headline}`,
  ];
  for (const e of v.evidence) lines.push(`    - ${e.text}`);
  if ('whereEvidence' in v) for (const e of v.whereEvidence) lines.push(`    > ${e.text}`);
  for (const c of v.caveats) lines.push(`    ? ${c}`);
  return lines.join('\n') + '\n';
}

/** "3-5, 9" rather than a thousand numbers. */
export function compactFrames(frames: number[]): string {
  const parts: string[] = [];
  for (let k = 0; k < frames.length;) {
    let j = k;
    while (j + 1 < frames.length && frames[j + 1] === frames[j] + 1) j++;
    parts.push(j > k + 1 ? `${frames[k]}-${frames[j]}` : j === k + 1 ? `${frames[k]}, ${frames[j]}` : `${frames[k]}`);
    k = j + 1;
  }
  return parts.join(', ');
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(args, 1);
  if (typeof parsed === 'string') {
    io.err(`porttrace verdicts: ${parsed}\n${USAGE}`);
    return 2;
  }
  const file = parsed.files[0];
  const capture = await readCapture(file, io);
  if (typeof capture === 'string') {
    io.err(capture);
    return 2;
  }
  let firewallLog: FirewallLog | undefined;
  if (parsed.firewallLog !== undefined) {
    const log = await readFirewallLog(parsed.firewallLog, io);
    if (typeof log === 'string') {
      io.err(log);
      return 2;
    }
    firewallLog = log;
  }
  const analysis = analyzeCapture(capture, undefined, { firewallLog });
  if (parsed.json) {
    io.out(
      JSON.stringify(
        {
          attempts: analysis.attempts.map(attemptJson),
          findings: analysis.findings,
          offload: {
            kind: analysis.offload.kind,
            hosts: analysis.offload.offloadHosts,
            frames: analysis.offload.offloadFrames,
            corruptFrames: analysis.offload.corruptFrames,
          },
          packets: capture.packets.length,
          duration: analysis.duration,
        },
        null,
        1,
      ) + '\n',
    );
  } else {
    if (analysis.attempts.length === 0) io.out('No TCP connection attempts (no SYN or SYN/ACK) in this capture.\n');
    // Written in slices: a scan can hold tens of thousands of attempts.
    let buffer = '';
    for (const v of analysis.attempts) {
      buffer += attemptText(v);
      if (buffer.length > 1 << 16) {
        io.out(buffer);
        buffer = '';
      }
    }
    io.out(buffer);
    for (const f of analysis.findings) io.out(`\n${f}\n`);
  }
  const damage = damageLine(file, capture);
  if (damage) {
    io.err(damage);
    return 2;
  }
  return 0;
}
