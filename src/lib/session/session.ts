// One open capture and the questions the widgets ask about it. Pure TypeScript: the Worker
// wraps it, and the tests drive it directly in Node.
import { loadCaptureStream } from '../load.ts';
import type { ReadProgress } from '../capture/types.ts';
import type { Capture, Packet } from '../packets.ts';
import { tcpStreamsOf, type TcpStreams } from '../analysis/tcp-streams.ts';
import { Layer, storeOf } from '../store/packet-store.ts';
import { tcpContextOf, type TcpContext } from '../describe/tcp-context.ts';
import { Describer } from '../describe/index.ts';
import type { Verdict } from '../analysis/vocabulary.ts';
import { handsPayloadOver } from '../describe/application.ts';
import { applicationTree } from '../describe/app-tree.ts';
import { decodeApplication } from '../decode/app/index.ts';
import { packetTree } from '../describe/packet-tree.ts';
import { formatIP } from '../describe/addresses.ts';
import { linkTypeName } from '../decode/linktypes.ts';
import { compileFilter } from '../filter/index.ts';
import { handshakeSelector } from './handshakes.ts';
import { analyzeForView, comparisonView, reportFor, type VerdictsView, type VerdictTally } from './verdict-view.ts';
import { pairCaptures, pairReportJson, pairReportMarkdown, type NamedFirewallLog } from './pair-view.ts';
import { parseFirewallLog, type FirewallLog } from '../capture/firewall-log.ts';
import { exportPcapng } from '../lab/export.ts';
import { conversations, endpoints } from '../analyzer/conversations.ts';
import { followTcpStream, followUdpStream } from '../analyzer/follow.ts';
import { ioGraph } from '../analyzer/io-graph.ts';
import { timeSequence } from '../analyzer/tcptrace.ts';
import { tcpExpertSummary, verdictSummary } from '../analyzer/expert.ts';
import { anonymizeCapture } from '../lab/anonymize.ts';
import {
  SUMMARY_ATTEMPTS,
  type AttemptView,
  type CaptureSummary,
  type ConversationKind,
  type ConversationView,
  type EndpointRow,
  type ExpertEntry,
  type FollowedStream,
  type IoGraph,
  type IoUnit,
  type TimeSequence,
  type FilterOutcome,
  type FirewallLogView,
  type PacketDetails,
  type PacketMark,
  type PacketRow,
} from './protocol.ts';

export class TraceSession {
  readonly capture: Capture;
  readonly summary: CaptureSummary;
  /**
   * The capture's TCP analysis (relative numbers, retransmissions, Info notes as columns), shared
   * with the verdicts when they were computed here; rows and details read one packet's view of
   * it when asked for.
   */
  #streams: TcpStreams | undefined;
  /** The packet-row builder the CLI uses too (describe/index.ts). */
  #describer: Describer | undefined;
  readonly #start: number;
  #verdicts: VerdictsView;
  /** The Windows Firewall log read beside the capture (setFirewallLog), parsed. */
  firewallLog: NamedFirewallLog | undefined;

  /**
   * `verdicts` defaults to the capture's own, computed with the same TCP analysis the rows use;
   * `streams` is that analysis when the caller has it already.
   */
  constructor(name: string, size: number, capture: Capture, verdicts?: VerdictsView, streams?: TcpStreams) {
    this.capture = capture;
    if (!verdicts) {
      streams ??= tcpStreamsOf(capture);
      verdicts = analyzeForView(capture, streams);
    }
    this.#streams = streams;
    this.#verdicts = verdicts;
    this.#start = capture.packets.length ? epochOf(capture.packets[0]) : 0;
    const last = capture.packets.at(-1);
    const { findings, attemptSummary } = verdicts;
    this.summary = {
      name,
      size,
      format: capture.info.variant || capture.info.format,
      packets: capture.packets.length,
      duration: last ? epochOf(last) - this.#start : 0,
      attempts: verdicts.attemptViews(0, SUMMARY_ATTEMPTS),
      attemptCount: verdicts.count,
      verdictCounts: verdicts.verdictCounts,
      findings,
      attemptSummary,
      comments: capture.info.comments,
      interfaces: capture.info.interfaces.map(
        (i) =>
          [i.name, i.description].filter(Boolean).join(' — ') +
          ` (${linkTypeName(i.linkType) ?? `link type ${i.linkType}`})`,
      ),
      ...(capture.error
        ? { error: { kind: capture.error.kind, message: capture.error.message, offset: capture.error.offset } }
        : {}),
    };
  }

  /**
   * Reads a Windows Firewall log (pfirewall.log text) beside the capture, or removes it (null):
   * the verdicts are judged again, so the attempts whose SYNs it logged as dropped gain that
   * evidence (and lose it with the log). Updates and returns the summary.
   */
  setFirewallLog(name: string, text: string | null): CaptureSummary {
    const log = text === null ? undefined : parseFirewallLog(text);
    this.firewallLog = log ? { name, log } : undefined;
    const verdicts = analyzeForView(this.capture, this.tcpStreams, { firewallLog: log });
    this.#verdicts = verdicts;
    Object.assign(this.summary, {
      attempts: verdicts.attemptViews(0, SUMMARY_ATTEMPTS),
      attemptCount: verdicts.count,
      verdictCounts: verdicts.verdictCounts,
      findings: verdicts.findings,
      attemptSummary: verdicts.attemptSummary,
    });
    if (log) this.summary.firewallLog = firewallLogView(name, log, verdicts.findings);
    else delete this.summary.firewallLog;
    return this.summary;
  }

  /**
   * The packets a display filter shows ('' shows everything), or why it is invalid. Applying
   * and checking are the same question here: the page decides what to do with the answer.
   */
  filter(text: string): FilterOutcome {
    if (text.trim() === '') {
      return { ok: true, count: this.capture.packets.length, indices: Uint32Array.from(this.capture.packets.keys()) };
    }
    const compiled = compileFilter(text);
    if (!compiled.ok) {
      const { message, start, end, hint } = compiled.error;
      return { ok: false, message, start, end, ...(hint ? { hint } : {}) };
    }
    const indices = compiled.filter.run(this.capture);
    const warning = compiled.filter.warnings[0]?.message;
    return { ok: true, count: indices.length, indices, ...(warning ? { warning } : {}) };
  }

  /**
   * Position of a frame number in the capture. Frame N is packet N-1 unless only some packets
   * were kept (a large capture read for its handshakes).
   */
  indexOfFrame(frame: number): number {
    const packets = this.capture.packets;
    let lo = 0;
    let hi = packets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = packets[mid].number;
      if (n === frame) return mid;
      if (n < frame) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Attempts after the first page that the summary carries, or a page of the attempts with one
   * verdict (the summary's verdictCounts say how many there are).
   */
  attempts(from: number, count: number, verdict?: Verdict): AttemptView[] {
    return this.#verdicts.attemptViews(from, count, verdict);
  }

  /** The capture's TCP analysis, computed once (on first use when the verdicts came from elsewhere). */
  get tcpStreams(): TcpStreams {
    return (this.#streams ??= tcpStreamsOf(this.capture));
  }

  #tcpContext(index: number): TcpContext | undefined {
    return tcpContextOf(this.tcpStreams, storeOf(this.capture), index);
  }

  rows(indices: number[]): PacketRow[] {
    const out: PacketRow[] = [];
    for (const index of indices) {
      const packet = this.capture.packets[index];
      if (!packet) continue;
      const described = (this.#describer ??= new Describer(this.capture, this.tcpStreams)).describe(index);
      const epoch = epochOf(packet);
      out.push({
        index,
        number: packet.number,
        time: (epoch - this.#start).toFixed(6),
        src: described.src,
        dst: described.dst,
        protocol: described.protocol,
        length: packet.originalLength,
        info: described.info,
        description: described.netmon,
        mark: markOf(packet, described.tcp),
        key: matchKey(packet),
        epoch,
      });
    }
    return out;
  }

  details(index: number): PacketDetails {
    const packet = this.capture.packets[index];
    if (!packet) throw new Error(`no packet at index ${index}`);
    const tcp = this.#tcpContext(index);
    const tree = packetTree(packet, tcp ? { relSeq: tcp.relativeSeq, relAck: tcp.relativeAck, notes: tcp.notes } : {});
    const app = handsPayloadOver(tcp?.notes) ? decodeApplication(packet.data, packet.dissection) : undefined;
    if (app !== undefined) tree.push(applicationTree(app));
    return { index, tree, bytes: packet.data.slice() };
  }

  exportPcapng(indices: number[] | null, anonymize: boolean, key?: string): Uint8Array {
    const chosen = indices ?? Array.from(this.capture.packets.keys());
    const source = anonymize ? anonymizeCapture(this.capture, key === undefined ? {} : { key }) : this.capture;
    return exportPcapng(source, chosen);
  }

  /** Statistics → Conversations; TCP rows carry their connection attempt's verdict. */
  conversations(kind: ConversationKind): ConversationView[] {
    const rows: ConversationView[] = conversations(this.capture, kind);
    if (kind !== 'tcp') return rows;
    const verdicts = new Map<number, Verdict>();
    const streams = this.tcpStreams.stream;
    for (let i = 0; i < this.#verdicts.count; i++) {
      const frame = this.#streamFrameOf(i);
      if (frame !== undefined) verdicts.set(streams[this.indexOfFrame(frame)], this.#verdicts.verdictOf(i));
    }
    for (const row of rows) {
      const verdict = row.stream === undefined ? undefined : verdicts.get(row.stream);
      if (verdict !== undefined) row.verdict = verdict;
    }
    return rows;
  }

  /**
   * The first frame attempt `i` cites that is TCP and no ICMP error's quote: the frame that names
   * its tcp.stream. Read from the verdicts' columns; only an attempt whose first frame is not
   * such a packet has its frames made to look further.
   */
  #streamFrameOf(i: number): number | undefined {
    const streams = this.tcpStreams.stream;
    const layers = storeOf(this.capture).columns.layers;
    const namesStream = (frame: number) => {
      const index = this.indexOfFrame(frame);
      return index >= 0 && streams[index] >= 0 && (layers[index] & Layer.IcmpQuote) === 0;
    };
    const first = this.#verdicts.firstFrameOf(i);
    if (namesStream(first)) return first;
    return this.#verdicts.attemptViews(i, 1)[0].frames.find(namesStream);
  }

  endpoints(kind: ConversationKind): EndpointRow[] {
    return endpoints(this.capture, kind);
  }

  follow(
    request: { protocol: 'tcp'; stream: number } | { protocol: 'udp'; index: number },
  ): FollowedStream | undefined {
    return request.protocol === 'tcp'
      ? followTcpStream(this.capture, request.stream)
      : followUdpStream(this.capture, request.index);
  }

  ioGraph(filters: string[], interval: number, unit: IoUnit): IoGraph {
    return ioGraph(this.capture, filters, interval, unit);
  }

  timeSequence(stream: number): TimeSequence | undefined {
    return timeSequence(this.capture, stream);
  }

  /** The expert summary: tcp.analysis.* notes, then verdicts, each with its filter. */
  expert(): ExpertEntry[] {
    // each attempt as its verdict and the one frame that names its stream: no view is made
    const attempts = Array.from({ length: this.#verdicts.count }, (_, i) => {
      const frame = this.#streamFrameOf(i);
      return { verdict: this.#verdicts.verdictOf(i), frames: frame === undefined ? [] : [frame] };
    });
    return [
      ...verdictSummary(this.capture, attempts, (frame) => this.indexOfFrame(frame)),
      ...tcpExpertSummary(this.capture),
    ];
  }

  report(format: 'md' | 'json'): string {
    const pair = this.summary.pair;
    if (pair) return format === 'md' ? pairReportMarkdown(pair) : pairReportJson(pair);
    return reportFor(this.#verdicts, this.summary.name, format);
  }
}

export interface OpenSessionOptions {
  /** Keep only the packets that decide the verdicts (a capture too large to hold whole). */
  handshakesOnly?: boolean;
  /**
   * Hears the verdict counts while the attempts are judged, and the final counts before anything
   * else is made (the summary, its first page of attempts): what a page shows first.
   */
  onTally?: (tally: VerdictTally) => void;
  /** A Windows Firewall log (pfirewall.log text) read beside the capture. */
  firewallLog?: { name: string; text: string };
}

export async function openSession(
  name: string,
  chunks: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  size: number | undefined,
  onProgress?: (p: ReadProgress) => void,
  options: OpenSessionOptions = {},
): Promise<TraceSession> {
  const selector = options.handshakesOnly ? handshakeSelector() : undefined;
  const capture = await loadCaptureStream(chunks, { totalBytes: size, onProgress, keep: selector?.keep });
  const streams = tcpStreamsOf(capture);
  const session = new TraceSession(
    name,
    size ?? 0,
    capture,
    analyzeForView(capture, streams, { onTally: options.onTally }),
    streams,
  );
  if (selector) session.summary.handshakesOnly = { kept: capture.packets.length, read: selector.seen };
  if (options.firewallLog) session.setFirewallLog(options.firewallLog.name, options.firewallLog.text);
  return session;
}

/** How many of a log's bad lines the summary lists (the rest are counted). */
const FIREWALL_WARNINGS_SHOWN = 50;

function firewallLogView(name: string, log: FirewallLog, findings: string[]): FirewallLogView {
  return {
    name,
    entries: log.entries.length,
    finding: findings.find((f) => f.startsWith('Windows Firewall log: ')) ?? '',
    warnings: log.warnings.slice(0, FIREWALL_WARNINGS_SHOWN),
    warningCount: log.warnings.length,
  };
}

/**
 * Two captures of the same moment, given in either order, as one session whose attempts say
 * where each one ended; its summary's `pair` is the two-sided view (sides told from the packets).
 */
export function compareSessions(first: TraceSession, second: TraceSession, asGiven = false): TraceSession {
  const pair = pairCaptures(first.capture, second.capture, [first.summary.name, second.summary.name], asGiven, [
    first.firewallLog,
    second.firewallLog,
  ]);
  const [client, server] = pair.view.sides.swapped ? [second, first] : [first, second];
  const session = new TraceSession(
    `${client.summary.name} + ${server.summary.name}`,
    client.summary.size + server.summary.size,
    client.capture,
    comparisonView(pair.comparison),
    client.tcpStreams,
  );
  session.summary.pair = pair.view;
  return session;
}

function epochOf(p: Packet): number {
  return p.seconds + p.nanoseconds / 1e9;
}

function markOf(packet: Packet, tcp: TcpContext | undefined): PacketMark {
  const d = packet.dissection;
  if (d.tcp) {
    const f = d.tcp.flags;
    if (tcp?.notes.some((n) => n.includes('Retransmission'))) return 'retransmission';
    if (f & 0x004) return 'rst';
    if (f & 0x002) return f & 0x010 ? 'syn-ack' : 'syn';
    if (f & 0x001) return 'fin';
    return '';
  }
  if (d.icmp?.quoted) return 'icmp-error';
  return '';
}

/**
 * What stays the same when one packet is captured at both ends: addresses, ports, flags, raw
 * sequence and acknowledgement numbers (no NAT between our capture points). The TTL changes on
 * the way through routers, so it is left out.
 */
function matchKey(packet: Packet): string {
  const d = packet.dissection;
  if (!d.ip) return `frame-${packet.number}`;
  const head = `${formatIP(d.ip.src)}>${formatIP(d.ip.dst)}`;
  if (d.tcp)
    return `${head} tcp ${d.tcp.srcPort}>${d.tcp.dstPort} ${d.tcp.flags} ${d.tcp.seq} ${d.tcp.ack} ${d.tcp.payloadLength}`;
  if (d.udp) return `${head} udp ${d.udp.srcPort}>${d.udp.dstPort} ${d.udp.length}`;
  if (d.icmp) return `${head} icmp ${d.icmp.type}/${d.icmp.code} ${d.icmp.checksum}`;
  return `${head} ${d.ip.version === 4 ? d.ip.id : d.ip.flowLabel}`;
}
