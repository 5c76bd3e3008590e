// The page's side of the engine Worker. Lessons share one Worker for all their traces (each
// trace a session in it); the lab gives each capture a Worker of its own, so Cancel can stop a
// long read at once by ending that Worker, and starts the next one ahead of need.
import type {
  CaptureSource,
  CaptureSummary,
  AttemptView,
  ConversationKind,
  ConversationView,
  EndpointRow,
  ExpertEntry,
  FilterOutcome,
  FirewallLogSource,
  FollowedStream,
  IoGraph,
  IoUnit,
  TimeSequence,
  PacketDetails,
  PacketRow,
  Response,
  VerdictTally,
} from '../../lib/session/protocol.ts';
import type { EngineRequestBody, OpenOptions } from './messages.ts';
import type { AttemptEstimate } from '../../lib/session/estimate.ts';
import type { Verdict } from '../../lib/analysis/vocabulary.ts';

export interface Progress {
  bytesRead: number;
  totalBytes?: number;
  frames: number;
}

/** What an open capture reports before its result: how far the read is, and the verdict counts. */
export interface Listeners {
  onProgress?: (p: Progress) => void;
  onTally?: (tally: VerdictTally) => void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void } & Listeners;

class EngineWorker {
  #worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
  #next = 1;
  #pending = new Map<number, Pending>();
  /** Why the Worker stopped, once it has (a Worker started ahead of need may fail before any call). */
  #stopped: string | undefined;

  constructor() {
    this.#worker.onmessage = (event: MessageEvent<Response>) => {
      const msg = event.data;
      const pending = this.#pending.get(msg.id);
      if (!pending) return;
      if (msg.type === 'progress') pending.onProgress?.(msg);
      else if (msg.type === 'tally') pending.onTally?.(msg);
      else {
        this.#pending.delete(msg.id);
        if (msg.type === 'result') pending.resolve(msg.value);
        else pending.reject(new Error(msg.message));
      }
    };
    this.#worker.onerror = (event) => {
      // an error thrown in the Worker carries its message and the Worker runs on; a plain error
      // event means its script did not load, and nothing will ever answer
      if (!event.message) this.#stopped = 'the capture engine stopped';
      this.#failAll(event.message || 'the capture engine stopped');
    };
  }

  call<T>(session: string, request: EngineRequestBody, listeners: Listeners = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      if (this.#stopped !== undefined) return reject(new Error(this.#stopped));
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...listeners });
      this.#worker.postMessage({ ...request, id, session });
    });
  }

  terminate(): void {
    this.#worker.terminate();
    this.#stopped = 'cancelled';
    this.#failAll('cancelled');
  }

  #failAll(message: string): void {
    for (const p of this.#pending.values()) p.reject(new Error(message));
    this.#pending.clear();
  }
}

let shared: EngineWorker | undefined;
let spare: EngineWorker | undefined;
let sessions = 0;

/**
 * Starts a dedicated Worker before it is needed (the lab, while the instructor picks a file):
 * fetching and compiling the engine then costs the next capture nothing. The next dedicated
 * EngineClient takes it.
 */
export function prepareDedicatedEngine(): void {
  spare ??= new EngineWorker();
}

function takeSpare(): EngineWorker | undefined {
  const worker = spare;
  spare = undefined;
  return worker;
}

/** One capture open in a Worker. */
export class EngineClient {
  readonly #worker: EngineWorker;
  readonly #session = `s${++sessions}`;
  readonly #dedicated: boolean;

  /** `dedicated`: a Worker of its own (the lab), else the page's shared one (lessons). */
  constructor(dedicated = false) {
    this.#dedicated = dedicated;
    this.#worker = dedicated ? (takeSpare() ?? new EngineWorker()) : (shared ??= new EngineWorker());
  }

  #call<T>(request: EngineRequestBody, listeners?: Listeners): Promise<T> {
    return this.#worker.call<T>(this.#session, request, listeners);
  }

  /** Opens a capture; `onTally` hears its verdict counts as they are made, before the summary comes. */
  open(
    source: CaptureSource,
    onProgress?: (p: Progress) => void,
    options: OpenOptions = {},
    onTally?: (tally: VerdictTally) => void,
  ): Promise<CaptureSummary> {
    return this.#call({ type: 'open', source, ...options }, { onProgress, onTally });
  }
  /** The attempts a capture promises from its first megabyte (undefined for a URL): before it is opened. */
  estimate(source: CaptureSource): Promise<AttemptEstimate | undefined> {
    return this.#call({ type: 'estimate', source });
  }
  locate(frame: number): Promise<number> {
    return this.#call({ type: 'locate', frame });
  }
  /** Opens both sides of the same moment and says where each attempt ended. */
  compare(
    client: CaptureSource,
    server: CaptureSource,
    onProgress?: (p: Progress) => void,
    attempts?: number,
    asGiven = false,
  ): Promise<CaptureSummary> {
    return this.#call({ type: 'compare', client, server, attempts, asGiven }, { onProgress });
  }
  /** Reads a Windows Firewall log beside the capture (null removes it): the summary, judged again. */
  firewallLog(log: FirewallLogSource | null, attempts?: number): Promise<CaptureSummary> {
    return this.#call({ type: 'firewall-log', log, attempts });
  }
  filter(text: string): Promise<FilterOutcome> {
    return this.#call({ type: 'filter', text });
  }
  rows(indices: number[]): Promise<PacketRow[]> {
    return this.#call({ type: 'rows', indices });
  }
  details(index: number): Promise<PacketDetails> {
    return this.#call({ type: 'details', index });
  }
  /** Attempts [from, from + count) of all, or of those with `verdict` (a page of one verdict). */
  attempts(from: number, count: number, verdict?: Verdict): Promise<AttemptView[]> {
    return this.#call({ type: 'attempts', from, count, ...(verdict ? { verdict } : {}) });
  }
  exportPcapng(indices: number[] | null, anonymize: boolean, key?: string): Promise<Uint8Array> {
    return this.#call({ type: 'export', indices, anonymize, key });
  }
  report(format: 'md' | 'json'): Promise<string> {
    return this.#call({ type: 'report', format });
  }
  conversations(kind: ConversationKind): Promise<ConversationView[]> {
    return this.#call({ type: 'conversations', kind });
  }
  endpoints(kind: ConversationKind): Promise<EndpointRow[]> {
    return this.#call({ type: 'endpoints', kind });
  }
  followTcp(stream: number): Promise<FollowedStream | undefined> {
    return this.#call({ type: 'follow', protocol: 'tcp', stream });
  }
  followUdp(index: number): Promise<FollowedStream | undefined> {
    return this.#call({ type: 'follow', protocol: 'udp', index });
  }
  ioGraph(filters: string[], interval: number, unit: IoUnit): Promise<IoGraph> {
    return this.#call({ type: 'io-graph', filters, interval, unit });
  }
  timeSequence(stream: number): Promise<TimeSequence | undefined> {
    return this.#call({ type: 'time-sequence', stream });
  }
  expert(): Promise<ExpertEntry[]> {
    return this.#call({ type: 'expert' });
  }
  /** Frees the capture; a dedicated Worker is ended at once, even in the middle of a read. */
  close(): void {
    if (this.#dedicated) this.#worker.terminate();
    else void this.#call({ type: 'close' }).catch(() => {});
  }
}
