/// <reference lib="webworker" />
// The engine in a Worker: reads and decodes captures off the main thread, then answers the
// page's questions about them. Each open capture is a session; all the logic is in
// src/lib/session (shared with the tests and the CLI).
import {
  MAX_FIREWALL_LOG_BYTES,
  type CaptureSource,
  type CaptureSummary,
  type FirewallLogSource,
  type Response,
} from '../../lib/session/protocol.ts';
import { compareSessions, openSession, type TraceSession } from '../../lib/session/session.ts';
import { ESTIMATE_HEAD_BYTES, estimateAttempts, type AttemptEstimate } from '../../lib/session/estimate.ts';
import type { EngineRequest } from './messages.ts';

const sessions = new Map<string, TraceSession>();

const reply = (msg: Response, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

/** The summary with only the first `count` attempts: the message stays small, the rest come on request. */
const firstAttempts = (summary: CaptureSummary, count?: number): CaptureSummary =>
  count === undefined || summary.attempts.length <= count
    ? summary
    : { ...summary, attempts: summary.attempts.slice(0, count) };

async function sourceChunks(
  source: CaptureSource,
): Promise<{ name: string; size?: number; chunks: ReadableStream<Uint8Array> }> {
  if (source.kind === 'file') return { name: source.file.name, size: source.file.size, chunks: source.file.stream() };
  if (source.kind === 'bytes')
    return { name: source.name, size: source.bytes.byteLength, chunks: new Blob([source.bytes]).stream() };
  const response = await fetch(source.url);
  if (!response.ok || !response.body) throw new Error(`could not load ${source.url}: HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length')) || undefined;
  return { name: source.name ?? source.url.split('/').pop() ?? source.url, size: length, chunks: response.body };
}

/**
 * The attempt estimate of a file or bytes, from their first megabyte: read and decoded here,
 * where the decoders are compiled already, not on the page's thread.
 */
async function estimate(source: CaptureSource): Promise<AttemptEstimate | undefined> {
  if (source.kind === 'url') return undefined;
  const size = source.kind === 'file' ? source.file.size : source.bytes.byteLength;
  const head =
    source.kind === 'file'
      ? new Uint8Array(await source.file.slice(0, ESTIMATE_HEAD_BYTES).arrayBuffer())
      : new Uint8Array(source.bytes, 0, Math.min(ESTIMATE_HEAD_BYTES, size));
  return estimateAttempts(head, size);
}

async function open(source: CaptureSource, id: number, handshakesOnly = false): Promise<TraceSession> {
  const { name, size, chunks } = await sourceChunks(source);
  let lastReport = 0;
  /** The read's last progress when it was not sent (too soon after the one before). */
  let unsent: { bytesRead: number; totalBytes?: number; frames: number } | undefined;
  const progress = (p: { bytesRead: number; totalBytes?: number; frames: number }) => {
    const now = performance.now();
    unsent = p;
    if (now - lastReport < 50) return; // a progress bar needs no more than 20 updates a second
    lastReport = now;
    unsent = undefined;
    reply({ id, type: 'progress', ...p });
  };
  const firewallLog = source.firewallLog ? await readFirewallLog(source.firewallLog) : undefined;
  return openSession(name, chunks, size, progress, {
    handshakesOnly,
    firewallLog,
    onTally: (tally) => {
      // the read is over once attempts are judged: the page's progress shows all of it first
      if (unsent) reply({ id, type: 'progress', ...unsent });
      unsent = undefined;
      reply({ id, type: 'tally', ...tally });
    },
  });
}

/** The log's text; a file too large to be a Windows Firewall log is refused, not read. */
async function readFirewallLog(log: FirewallLogSource): Promise<{ name: string; text: string }> {
  if (typeof log.data === 'string') return { name: log.name, text: log.data };
  if (log.data.size > MAX_FIREWALL_LOG_BYTES)
    throw new Error(
      `${log.name}: ${log.data.size.toLocaleString('en')} bytes is larger than any Windows Firewall log (at most 32 MB)`,
    );
  return { name: log.name, text: await log.data.text() };
}

self.onmessage = async (event: MessageEvent<EngineRequest>) => {
  const request = event.data;
  const session = () => {
    const s = sessions.get(request.session);
    if (!s) throw new Error('no capture is open');
    return s;
  };
  try {
    let value: unknown;
    let transfer: Transferable[] = [];
    switch (request.type) {
      case 'open': {
        const opened = await open(request.source, request.id, request.handshakesOnly);
        sessions.set(request.session, opened);
        value = firstAttempts(opened.summary, request.attempts);
        break;
      }
      case 'estimate':
        value = await estimate(request.source);
        break;
      case 'compare': {
        const client = await open(request.client, request.id);
        const server = await open(request.server, request.id);
        const pair = compareSessions(client, server, request.asGiven);
        sessions.set(request.session, pair);
        value = firstAttempts(pair.summary, request.attempts);
        break;
      }
      case 'firewall-log': {
        const log = request.log ? await readFirewallLog(request.log) : undefined;
        value = firstAttempts(session().setFirewallLog(log?.name ?? '', log?.text ?? null), request.attempts);
        break;
      }
      case 'filter': {
        const outcome = session().filter(request.text);
        if (outcome.ok) transfer = [outcome.indices.buffer as ArrayBuffer];
        value = outcome;
        break;
      }
      case 'locate':
        value = session().indexOfFrame(request.frame);
        break;
      case 'rows':
        value = session().rows(request.indices);
        break;
      case 'details':
        value = session().details(request.index);
        break;
      case 'attempts':
        value = session().attempts(request.from, request.count, request.verdict);
        break;
      case 'export': {
        const bytes = session().exportPcapng(request.indices, request.anonymize, request.key);
        transfer = [bytes.buffer as ArrayBuffer];
        value = bytes;
        break;
      }
      case 'report':
        value = session().report(request.format);
        break;
      case 'conversations':
        value = session().conversations(request.kind);
        break;
      case 'endpoints':
        value = session().endpoints(request.kind);
        break;
      case 'follow':
        value = session().follow(request);
        break;
      case 'io-graph':
        value = session().ioGraph(request.filters, request.interval, request.unit);
        break;
      case 'time-sequence':
        value = session().timeSequence(request.stream);
        break;
      case 'expert':
        value = session().expert();
        break;
      case 'close':
        sessions.delete(request.session);
        break;
    }
    reply({ id: request.id, type: 'result', value }, transfer);
  } catch (error) {
    reply({ id: request.id, type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
