// One open capture and the questions the widgets ask about it. Pure TypeScript: the Worker
// wraps it, and the tests drive it directly in Node.
import { loadCaptureStream } from '../load.ts';
import type { ReadProgress } from '../capture/types.ts';
import type { Capture, Packet } from '../packets.ts';
import { tcpStreamsOf, type TcpStreams } from '../analysis/tcp-streams.ts';
import { storeOf } from '../store/packet-store.ts';
import { tcpContextOf, type TcpContext } from '../describe/tcp-context.ts';
import { addressColumns, infoColumn, protocolColumn } from '../describe/wireshark.ts';
import { netmonDescription } from '../describe/netmon.ts';
import { pktmonDropNote } from '../describe/index.ts';
import { packetTree } from '../describe/packet-tree.ts';
import { formatIP } from '../describe/addresses.ts';
import { linkTypeName } from '../decode/linktypes.ts';
import { compileFilter } from '../filter/index.ts';
import { handshakeSelector } from './handshakes.ts';
import { analyzeForView, compareForView, reportFor, type VerdictsView } from './verdict-view.ts';
import { exportPcapng } from '../lab/export.ts';
import { anonymizeCapture } from '../lab/anonymize.ts';
import {
  SUMMARY_ATTEMPTS,
  type AttemptView,
  type CaptureSummary,
  type FilterOutcome,
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
  readonly #start: number;
  readonly #verdicts: VerdictsView;

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
    const attempts = verdicts.analysis.attempts;
    const verdictCounts: Record<string, number> = {};
    for (const a of attempts) verdictCounts[a.verdict] = (verdictCounts[a.verdict] ?? 0) + 1;
    this.summary = {
      name,
      size,
      format: capture.info.variant || capture.info.format,
      packets: capture.packets.length,
      duration: last ? epochOf(last) - this.#start : 0,
      attempts: verdicts.attemptViews(0, SUMMARY_ATTEMPTS),
      attemptCount: attempts.length,
      verdictCounts,
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

  /** Attempts after the first page that the summary carries. */
  attempts(from: number, count: number): AttemptView[] {
    return this.#verdicts.attemptViews(from, count);
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
      const tcp = this.#tcpContext(index);
      const d = packet.dissection;
      const { src, dst } = addressColumns(d);
      const epoch = epochOf(packet);
      // pktmon's drop events: "[Dropped by component N (name): reason] " before the Info text.
      const dropNote = pktmonDropNote(storeOf(this.capture), index);
      out.push({
        index,
        number: packet.number,
        time: (epoch - this.#start).toFixed(6),
        src,
        dst,
        protocol: protocolColumn(d),
        length: packet.originalLength,
        info: dropNote + infoColumn(packet, tcp),
        description: dropNote + netmonDescription(packet, tcp),
        mark: markOf(packet, tcp),
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
    return { index, tree, bytes: packet.data.slice() };
  }

  exportPcapng(indices: number[] | null, anonymize: boolean): Uint8Array {
    const chosen = indices ?? Array.from(this.capture.packets.keys());
    const source = anonymize ? anonymizeCapture(this.capture) : this.capture;
    return exportPcapng(source, chosen);
  }

  report(format: 'md' | 'json'): string {
    return reportFor(this.#verdicts, this.summary.name, format);
  }
}

export async function openSession(
  name: string,
  chunks: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  size: number | undefined,
  onProgress?: (p: ReadProgress) => void,
  options: { handshakesOnly?: boolean } = {},
): Promise<TraceSession> {
  if (!options.handshakesOnly) {
    const capture = await loadCaptureStream(streamChunks(chunks), { totalBytes: size, onProgress });
    return new TraceSession(name, size ?? 0, capture);
  }
  const selector = handshakeSelector();
  const capture = await loadCaptureStream(streamChunks(chunks), { totalBytes: size, onProgress, keep: selector.keep });
  const session = new TraceSession(name, size ?? 0, capture);
  session.summary.handshakesOnly = { kept: capture.packets.length, read: selector.seen };
  return session;
}

/** Two captures of the same moment, as one session whose attempts say where each one ended. */
export function compareSessions(client: TraceSession, server: TraceSession): TraceSession {
  const name = `${client.summary.name} + ${server.summary.name}`;
  return new TraceSession(
    name,
    client.summary.size + server.summary.size,
    client.capture,
    compareForView(client.capture, server.capture),
    client.tcpStreams,
  );
}

/** ReadableStream is async-iterable in Node and Firefox but not yet in every browser. */
async function* streamChunks(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  if (!('getReader' in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
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
