// `porttrace verdicts FILE [--all | --summary | --json | --jsonl]`: what happened to every TCP
// connection attempt in a capture. Text groups what repeats, the way nmap prints "Not shown: 997
// filtered tcp ports": the first few attempts of each kind in full, the rest as one line with
// their count. JSON and JSON Lines keep every attempt with its evidence, written as they are
// judged, so memory does not grow with the output.
import { argumentError, readUpTo, type CliIO } from '../io.ts';
import { loadCaptureStream } from '../../lib/load.ts';
import {
  attemptJson,
  explain,
  hostPort,
  judgeCapture,
  NMAP_STATES,
  tcpKeysOf,
  VERDICTS,
  ZEEK_STATES,
  type AttemptKind,
  type AttemptTable,
  type AttemptVerdict,
  type ComparedAttempt,
  type Verdict,
} from '../../lib/analysis/index.ts';
import { summaryLine, VERDICT_ORDER } from '../../lib/lab/report.ts';
import { parseFirewallLog, type FirewallLog } from '../../lib/capture/firewall-log.ts';
import type { Capture } from '../../lib/packets.ts';
import { storeOf } from '../../lib/store/packet-store.ts';
import { MAX_FIREWALL_LOG_BYTES } from '../../lib/session/protocol.ts';
import { thousands } from '../../lib/describe/thousands.ts';

const USAGE = 'usage: porttrace verdicts FILE [--all | --summary | --json | --jsonl] [--firewall-log pfirewall.log]\n';

/** How many attempts of one kind (verdict, server port, reason) the text shows in full. */
export const SHOWN_PER_GROUP = 3;

type Output = 'grouped' | 'all' | 'summary' | 'json' | 'jsonl';

export interface ParsedArgs {
  files: string[];
  json: boolean;
  output: Output;
  /** A Windows Firewall log to read beside the capture (verdicts only). */
  firewallLog?: string;
}

const OUTPUT_OPTIONS: Record<string, Output> = {
  '--all': 'all',
  '--summary': 'summary',
  '--json': 'json',
  '--jsonl': 'jsonl',
};

/**
 * FILE… and at most one output option (`options`: the ones this command takes), plus
 * `--firewall-log LOG`; `count` files exactly.
 */
export function parseArgs(args: string[], count: number, options: readonly string[] = ['--json']): ParsedArgs | string {
  const files: string[] = [];
  let output: Output | undefined;
  let firewallLog: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k];
    if (options.includes(arg)) {
      if (output && output !== OUTPUT_OPTIONS[arg]) return `"${arg}" cannot be combined with another output option`;
      output = OUTPUT_OPTIONS[arg];
    } else if (arg === '--firewall-log' || arg.startsWith('--firewall-log=')) {
      firewallLog = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++k];
      if (!firewallLog) return '--firewall-log needs a file (pfirewall.log)';
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option "${arg}"`;
    else files.push(arg);
  }
  if (files.length < count)
    return `missing ${count === 1 ? 'FILE' : count - files.length === 2 ? 'CLIENT and SERVER' : 'SERVER'}`;
  if (files.length > count) return `unexpected argument "${files[count]}"`;
  output ??= count === 1 ? 'grouped' : 'all';
  return { files, json: output === 'json', output, ...(firewallLog === undefined ? {} : { firewallLog }) };
}

/** Reads and parses a pfirewall.log; an unreadable file is an error string. */
export async function readFirewallLog(file: string, io: CliIO): Promise<FirewallLog | string> {
  try {
    const { size, chunks } = io.openFile(file);
    const tooLarge = (bytes: number) =>
      `porttrace: ${file}: ${bytes > (size ?? 0) ? 'more than ' : ''}${thousands(bytes)} bytes is larger than any Windows Firewall log (at most 32 MB)\n`;
    if (size !== undefined && size > MAX_FIREWALL_LOG_BYTES) return tooLarge(size);
    // a pipe says its size only by ending
    const read = await readUpTo(chunks, MAX_FIREWALL_LOG_BYTES);
    if (read.tooBig) return tooLarge(read.bytes.length);
    return parseFirewallLog(new TextDecoder().decode(read.bytes));
  } catch (problem) {
    return `porttrace: ${file}: cannot read: ${problem instanceof Error ? problem.message : String(problem)}\n`;
  }
}

/**
 * Reads a capture; a file that cannot be opened is an error string, a damaged one a Capture with
 * `error`. `payloads: false` keeps TCP and UDP packets' bytes only up to their payload (over IPv4, none).
 */
export async function readCapture(file: string, io: CliIO, payloads = true): Promise<Capture | string> {
  try {
    const { size, chunks } = io.openFile(file);
    return await loadCaptureStream(chunks, { totalBytes: size, payloads });
  } catch (problem) {
    return `porttrace: ${file}: cannot read: ${problem instanceof Error ? problem.message : String(problem)}\n`;
  }
}

/** What the verdicts rest on when a capture is damaged: "no packet", "the 1 packet", "the 12 packets" before it. */
function packetsBefore(count: number): string {
  if (count === 0) return 'no complete packet comes before it, so there is nothing to judge';
  return `verdicts use the ${count === 1 ? 'one packet' : `${thousands(count)} packets`} before it`;
}

export function damageLine(file: string, capture: Capture): string | undefined {
  return capture.error
    ? `porttrace: ${file}: ${capture.error.message} (${packetsBefore(capture.packets.length)})\n`
    : undefined;
}

/** Human form: one line per attempt, then its evidence indented. */
export function attemptText(v: AttemptVerdict | ComparedAttempt): string {
  const a = v.attempt;
  const words = explain(v);
  const where = 'where' in v ? `  where: ${v.where}` : '';
  const lines = [
    `${hostPort(a.client, a.clientPort)} → ${hostPort(a.server, a.serverPort)}  ${v.verdict}${where}  (nmap: ${v.nmap}, Zeek: ${v.zeek}, history ${v.history})  frames ${compactFrames(v.frames)}`,
    `    ${words.headline}`,
  ];
  for (const e of words.evidence) lines.push(`    - ${e.text}`);
  for (const e of words.whereEvidence) lines.push(`    > ${e.text}`);
  for (const c of words.caveats) lines.push(`    ? ${c}`);
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

/** What makes two attempts "the same kind" in the grouped text: what the first line of each says. */
function reasonOf(kind: AttemptKind): string {
  return `nmap: ${kind.nmap}, Zeek: ${kind.zeek}, history ${kind.history}`;
}

/** The attempts of one kind past the first few: how many, from which clients, in which frames. */
interface HiddenGroup {
  verdict: Verdict;
  serverPort: number;
  reason: string;
  shown: number;
  hidden: number;
  /** Rows (of the attempt table) of the first and last attempt not shown: their clients are named at the end. */
  firstRow: number;
  lastRow: number;
  firstFrame: number;
  lastFrame: number;
}

function hiddenLine(g: HiddenGroup, table: AttemptTable): string {
  const clientOf = (row: number) => hostPort(table.clientAddress(row), table.clientPort[row]);
  const firstClient = clientOf(g.firstRow);
  const lastClient = clientOf(g.lastRow);
  const clients = firstClient === lastClient ? `client ${firstClient}` : `clients ${firstClient} … ${lastClient}`;
  const frames = g.firstFrame === g.lastFrame ? `frame ${g.firstFrame}` : `frames ${g.firstFrame}-${g.lastFrame}`;
  return `  ${thousands(g.hidden)} more ${g.verdict} to port ${g.serverPort} (${g.reason}): ${clients}, ${frames}\n`;
}

/**
 * The groups of the text output, keyed without a string per attempt: verdict, nmap state, Zeek
 * state and server port make one small integer; the history letters pick within it.
 */
class Groups {
  readonly #byCode = new Map<number, Map<string, HiddenGroup>>();
  /** In order of first appearance. */
  readonly all: HiddenGroup[] = [];

  of(kind: AttemptKind, serverPort: number): HiddenGroup {
    const code =
      ((VERDICTS.indexOf(kind.verdict) * NMAP_STATES.length + NMAP_STATES.indexOf(kind.nmap)) * ZEEK_STATES.length +
        ZEEK_STATES.indexOf(kind.zeek)) *
        65536 +
      serverPort;
    let byHistory = this.#byCode.get(code);
    if (!byHistory) this.#byCode.set(code, (byHistory = new Map()));
    let g = byHistory.get(kind.history);
    if (!g) {
      g = {
        verdict: kind.verdict,
        serverPort,
        reason: reasonOf(kind),
        shown: 0,
        hidden: 0,
        firstRow: -1,
        lastRow: -1,
        firstFrame: Infinity,
        lastFrame: 0,
      };
      byHistory.set(kind.history, g);
      this.all.push(g);
    }
    return g;
  }
}

/**
 * Collects output and hands it on in slices: one write per attempt would be slow, one per capture
 * unbounded. `handedOn` says a slice went out since the last `drained()`, which waits for the
 * reader when it lags (a pipe), so the output is never held whole.
 */
function bufferedOut(io: CliIO): {
  write(text: string): void;
  flush(): void;
  handedOn: boolean;
  drained(): Promise<void>;
} {
  let buffer = '';
  const out = {
    handedOn: false,
    write(text: string) {
      buffer += text;
      if (buffer.length > 1 << 16) {
        io.out(buffer);
        buffer = '';
        out.handedOn = true;
      }
    },
    flush() {
      if (buffer) io.out(buffer);
      buffer = '';
    },
    async drained() {
      out.handedOn = false;
      await io.drained?.();
    },
  };
  return out;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args, 1, Object.keys(OUTPUT_OPTIONS));
  if (typeof parsed === 'string') {
    io.err(argumentError('verdicts', parsed));
    return 2;
  }
  const file = parsed.files[0];
  // the verdicts read headers only: a capture of long transfers need not be held whole
  const capture = await readCapture(file, io, false);
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
  // Phase by phase, each one's garbage freed before the next allocates: the reading's (its
  // chunks, the columns' first sizing), then the TCP analysis's working tables.
  io.collectGarbage?.();
  const keys = tcpKeysOf(capture);
  io.collectGarbage?.();
  const judged = judgeCapture(capture, keys, { firewallLog });
  const table = judged.table;
  const out = bufferedOut(io);
  const counts: Partial<Record<Verdict, number>> = {};
  const groups = new Groups();
  const offload = {
    kind: judged.offload.kind,
    hosts: judged.offload.offloadHosts,
    frames: judged.offload.offloadFrames,
    corruptFrames: judged.offload.corruptFrames,
  };

  if (parsed.output === 'json') out.write('{\n"attempts": [');
  if (parsed.output === 'grouped' || parsed.output === 'all') {
    if (judged.count === 0) out.write('No TCP connection attempts (no SYN or SYN/ACK) in this capture.\n');
  }
  for (let i = 0; i < judged.count; i++) {
    // Each verdict is made, written and dropped: nothing per attempt outlives its line. What is
    // only counted (--summary, the attempts a group does not show) is not even made: its kind is
    // read off the columns.
    switch (parsed.output) {
      case 'json':
      case 'jsonl':
      case 'all': {
        const v = judged.verdictAt(i);
        counts[v.verdict] = (counts[v.verdict] ?? 0) + 1;
        if (parsed.output === 'all') out.write(attemptText(v));
        else if (parsed.output === 'jsonl') out.write(`${JSON.stringify(attemptJson(v))}\n`);
        else out.write(`${i === 0 ? '\n' : ',\n'}${JSON.stringify(attemptJson(v))}`);
        break;
      }
      case 'grouped': {
        const kind = judged.kindAt(i);
        counts[kind.verdict] = (counts[kind.verdict] ?? 0) + 1;
        const row = judged.rowOf(i);
        const g = groups.of(kind, table.serverPort[row]);
        if (g.shown < SHOWN_PER_GROUP) {
          g.shown++;
          out.write(attemptText(judged.verdictAt(i)));
        } else {
          if (g.hidden++ === 0) g.firstRow = row;
          g.lastRow = row;
          g.firstFrame = Math.min(g.firstFrame, table.lowestFrame(row));
          g.lastFrame = Math.max(g.lastFrame, table.highestFrame(row));
        }
        break;
      }
      case 'summary': {
        const verdict = judged.kindAt(i).verdict;
        counts[verdict] = (counts[verdict] ?? 0) + 1;
        break;
      }
    }
    if (out.handedOn) await out.drained();
  }
  const summary = `${thousands(judged.count)} ${judged.count === 1 ? 'attempt' : 'attempts'}: ${summaryLine({ attempts: judged.count, verdicts: counts })}`;
  switch (parsed.output) {
    case 'json':
      out.write(
        `\n],\n"summary": ${JSON.stringify(orderedCounts(counts))},\n"findings": ${JSON.stringify(judged.findings)},\n` +
          `"offload": ${JSON.stringify(offload)},\n"packets": ${storeOf(capture).count},\n"duration": ${judged.duration}\n}\n`,
      );
      break;
    case 'jsonl':
      // The last line describes the capture, not an attempt: it is the only one with "capture".
      out.write(
        `${JSON.stringify({ capture: { summary: orderedCounts(counts), findings: judged.findings, offload, packets: storeOf(capture).count, duration: judged.duration } })}\n`,
      );
      break;
    case 'grouped':
    case 'all':
    case 'summary': {
      const hidden = groups.all.filter((g) => g.hidden > 0);
      if (hidden.length > 0) {
        const total = hidden.reduce((n, g) => n + g.hidden, 0);
        out.write(
          `\nNot shown: ${thousands(total)} ${total === 1 ? 'attempt' : 'attempts'} like the ${SHOWN_PER_GROUP} shown of ${hidden.length === 1 ? 'its kind' : 'each kind'} (--all prints every one):\n`,
        );
        for (const g of hidden) out.write(hiddenLine(g, table));
      }
      if (parsed.output === 'summary' || judged.count > SHOWN_PER_GROUP) {
        out.write(`${parsed.output === 'summary' ? '' : '\n'}${summary}\n`);
      }
      for (const f of judged.findings) out.write(`\n${f}\n`);
      break;
    }
  }
  out.flush();
  const damage = damageLine(file, capture);
  if (damage) {
    io.err(damage);
    return 2;
  }
  return 0;
}

/** Verdict counts, most conclusive first, without the zeros. */
function orderedCounts(counts: Partial<Record<Verdict, number>>): Partial<Record<Verdict, number>> {
  const ordered: Partial<Record<Verdict, number>> = {};
  for (const v of VERDICT_ORDER) if (counts[v]) ordered[v] = counts[v];
  return ordered;
}
