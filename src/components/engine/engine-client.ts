// The page's side of the engine Worker: one Worker per open capture, requests answered by id.
import type {
  CaptureSource,
  CaptureSummary,
  FilterOutcome,
  PacketDetails,
  PacketRow,
  Request,
  Response,
} from '../../lib/session/protocol.ts';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void };
export interface Progress {
  bytesRead: number;
  totalBytes?: number;
  frames: number;
}

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

export class EngineClient {
  #worker: Worker;
  #next = 1;
  #pending = new Map<number, Pending>();

  constructor() {
    this.#worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (event: MessageEvent<Response>) => {
      const msg = event.data;
      const pending = this.#pending.get(msg.id);
      if (!pending) return;
      if (msg.type === 'progress') pending.onProgress?.(msg);
      else {
        this.#pending.delete(msg.id);
        if (msg.type === 'result') pending.resolve(msg.value);
        else pending.reject(new Error(msg.message));
      }
    };
    this.#worker.onerror = (event) => {
      for (const p of this.#pending.values()) p.reject(new Error(event.message || 'the capture engine stopped'));
      this.#pending.clear();
    };
  }

  #call<T>(request: Body<Request>, onProgress?: (p: Progress) => void): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.#worker.postMessage({ ...request, id });
    });
  }

  open(source: CaptureSource, onProgress?: (p: Progress) => void): Promise<CaptureSummary> {
    return this.#call({ type: 'open', source }, onProgress);
  }
  /** Opens both sides of the same moment and says where each attempt ended. */
  compare(client: CaptureSource, server: CaptureSource, onProgress?: (p: Progress) => void): Promise<CaptureSummary> {
    return this.#call({ type: 'compare', client, server }, onProgress);
  }
  report(format: 'md' | 'json'): Promise<string> {
    return this.#call({ type: 'report', format });
  }
  filter(text: string): Promise<FilterOutcome> {
    return this.#call({ type: 'filter', text });
  }
  check(text: string): Promise<FilterOutcome> {
    return this.#call({ type: 'check', text });
  }
  rows(indices: number[]): Promise<PacketRow[]> {
    return this.#call({ type: 'rows', indices });
  }
  details(index: number): Promise<PacketDetails> {
    return this.#call({ type: 'details', index });
  }
  exportPcapng(indices: number[] | null, anonymize: boolean): Promise<Uint8Array> {
    return this.#call({ type: 'export', indices, anonymize });
  }
  /** Stops a running open at once: the Worker is ended, so nothing keeps reading. */
  terminate(): void {
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error('cancelled'));
    this.#pending.clear();
  }
}
