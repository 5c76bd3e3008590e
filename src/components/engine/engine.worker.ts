/// <reference lib="webworker" />
// The engine in a Worker: reads and decodes the capture off the main thread, then answers the
// page's questions about it. All the logic is in src/lib/session (shared with tests and CLI).
import type { CaptureSource, Request, Response } from '../../lib/session/protocol.ts';
import { compareSessions, openSession, type TraceSession } from '../../lib/session/session.ts';

let session: TraceSession | undefined;

const reply = (msg: Response, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

async function sourceChunks(source: CaptureSource): Promise<{ name: string; size?: number; chunks: ReadableStream<Uint8Array> }> {
  if (source.kind === 'file') return { name: source.file.name, size: source.file.size, chunks: source.file.stream() };
  if (source.kind === 'bytes') return { name: source.name, size: source.bytes.byteLength, chunks: new Blob([source.bytes]).stream() };
  const response = await fetch(source.url);
  if (!response.ok || !response.body) throw new Error(`could not load ${source.url}: HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length')) || undefined;
  return { name: source.name ?? source.url.split('/').pop() ?? source.url, size: length, chunks: response.body };
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  try {
    switch (request.type) {
      case 'open': {
        session = await open(request.source, request.id);
        reply({ id: request.id, type: 'result', value: session.summary });
        break;
      }
      case 'compare': {
        const client = await open(request.client, request.id);
        const server = await open(request.server, request.id);
        session = compareSessions(client, server);
        reply({ id: request.id, type: 'result', value: session.summary });
        break;
      }
      case 'report':
        reply({ id: request.id, type: 'result', value: requireSession().report(request.format) });
        break;
      case 'filter':
      case 'check': {
        const outcome = requireSession().filter(request.text);
        reply({ id: request.id, type: 'result', value: outcome }, outcome.ok ? [outcome.indices.buffer as ArrayBuffer] : []);
        break;
      }
      case 'rows':
        reply({ id: request.id, type: 'result', value: requireSession().rows(request.indices) });
        break;
      case 'details':
        reply({ id: request.id, type: 'result', value: requireSession().details(request.index) });
        break;
      case 'export': {
        const bytes = requireSession().exportPcapng(request.indices, request.anonymize);
        reply({ id: request.id, type: 'result', value: bytes }, [bytes.buffer as ArrayBuffer]);
        break;
      }
      case 'cancel':
        self.close();
        break;
    }
  } catch (error) {
    reply({ id: request.id, type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};

async function open(source: CaptureSource, id: number): Promise<TraceSession> {
  const { name, size, chunks } = await sourceChunks(source);
  let lastReport = 0;
  return openSession(name, chunks, size, (p) => {
    const now = performance.now();
    if (now - lastReport < 50) return; // a progress bar needs no more than 20 updates a second
    lastReport = now;
    reply({ id, type: 'progress', ...p });
  });
}

function requireSession(): TraceSession {
  if (!session) throw new Error('no capture is open');
  return session;
}
