// The state of one open capture as the widgets see it. Every widget on a page that names the
// same trace shares one TraceView (and one Worker), so a frame number clicked in the verdict
// panel selects that packet in the explorer.
import { EngineClient, type Progress } from './engine-client.ts';
import type { OpenOptions } from './messages.ts';
import type {
  AttemptView,
  CaptureSource,
  CaptureSummary,
  FilterOutcome,
  FirewallLogSource,
  PacketDetails,
  PacketRow,
  VerdictTally,
} from '../../lib/session/protocol.ts';
import type { Verdict } from '../../lib/analysis/vocabulary.ts';
import { withBase } from '../base-url.ts';

/** 0, 1, … n-1: every packet, in order (a plain loop: Uint32Array.from with a map function is ~20× slower). */
function allPackets(n: number): Uint32Array {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return indices;
}

export type FilterProblem = Extract<FilterOutcome, { ok: false }>;

export class TraceView {
  status = $state<'loading' | 'ready' | 'failed' | 'cancelled'>('loading');
  progress = $state.raw<Progress | null>(null);
  summary = $state.raw<CaptureSummary | null>(null);
  failure = $state('');
  /** The filter that produced `visible` ('' = all packets). */
  applied = $state('');
  problem = $state.raw<FilterProblem | null>(null);
  visible = $state.raw<Uint32Array>(new Uint32Array(0));
  selected = $state(-1);
  details = $state.raw<PacketDetails | null>(null);
  /** Bumped when rows arrive, so lists re-read the cache. */
  rowsVersion = $state(0);

  /** Settles when the capture has loaded (or failed): what a widget awaits before asking of a trace it does not show. */
  ready: Promise<void> = Promise.resolve();

  /** The first page of attempts, from the summary (the rest come a page at a time: attemptPage). */
  attempts = $state.raw<AttemptView[]>([]);
  /** The verdict counts, as soon as the engine has them (before the summary, while a big capture's attempts are judged). */
  tally = $state.raw<VerdictTally | null>(null);

  // The Worker starts on the first load, in the browser only (islands also render on the server).
  #engineInstance: EngineClient | undefined;
  readonly #dedicated: boolean;
  get #engine(): EngineClient {
    return (this.#engineInstance ??= new EngineClient(this.#dedicated));
  }

  /** The capture's engine, for the analyzer's views (conversations, streams, graphs). */
  get engine(): EngineClient {
    return this.#engine;
  }

  /** `dedicated`: this capture gets a Worker of its own (the lab), so Cancel can end it. */
  constructor(dedicated = false) {
    this.#dedicated = dedicated;
  }
  #rows = new Map<number, PacketRow>();
  #requested = new Set<number>();
  #filterSeq = 0;

  async load(source: CaptureSource, options: OpenOptions = {}): Promise<void> {
    try {
      const summary = await this.#engine.open(
        source,
        (p) => (this.progress = p),
        options,
        (tally) => (this.tally = tally),
      );
      this.summary = summary;
      this.tally = {
        attemptCount: summary.attemptCount,
        judged: summary.attemptCount,
        verdictCounts: summary.verdictCounts,
      };
      this.attempts = summary.attempts;
      this.visible = allPackets(summary.packets);
      this.status = 'ready';
    } catch (error) {
      if (this.status === 'cancelled') return;
      this.failure = error instanceof Error ? error.message : String(error);
      this.status = 'failed';
    }
  }

  /**
   * A view of two captures of the same moment, in either order (the sides are told from the
   * packets unless `asGiven`): its summary's attempts say where each ended, its `pair` leads with it.
   */
  async loadPair(client: CaptureSource, server: CaptureSource, attempts?: number, asGiven = false): Promise<void> {
    try {
      this.status = 'loading';
      this.summary = await this.#engine.compare(client, server, (p) => (this.progress = p), attempts, asGiven);
      this.attempts = this.summary.attempts;
      this.status = 'ready';
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      this.status = 'failed';
    }
  }

  /** How many connection attempts `source` promises, before it is loaded (in this view's Worker). */
  async estimateAttempts(source: CaptureSource): Promise<number> {
    return (await this.#engine.estimate(source))?.attempts ?? 0;
  }

  /**
   * Reads a Windows Firewall log beside the capture, or removes it (null): the verdicts are
   * judged again with it, and the attempts fetched so far start over from the first `attempts`.
   */
  async setFirewallLog(log: FirewallLogSource | null, attempts?: number): Promise<void> {
    const summary = await this.#engine.firewallLog(log, attempts);
    this.summary = summary;
    this.attempts = summary.attempts;
  }

  report(format: 'md' | 'json'): Promise<string> {
    return this.#engine.report(format);
  }

  cancel(): void {
    this.status = 'cancelled';
    this.#engineInstance?.close();
  }

  /** Frees the capture (the lab, when another capture takes this one's place). */
  close(): void {
    this.#engineInstance?.close();
  }

  /**
   * Attempts [from, from + count) of all, or of those with `verdict`: a page of the verdict
   * panel. The engine makes the evidence of these attempts only.
   */
  attemptPage(from: number, count: number, verdict?: Verdict): Promise<AttemptView[]> {
    if (verdict === undefined && from + count <= this.attempts.length)
      return Promise.resolve(this.attempts.slice(from, from + count));
    return this.#engine.attempts(from, count, verdict);
  }

  /** Applies a display filter; on error keeps the previous packet list and shows the problem. */
  async apply(text: string): Promise<FilterOutcome> {
    const seq = ++this.#filterSeq;
    const outcome = await this.#engine.filter(text);
    if (seq !== this.#filterSeq) return outcome; // a newer filter was applied meanwhile
    if (outcome.ok) {
      this.applied = text.trim();
      this.visible = outcome.indices;
      this.problem = null;
    } else this.problem = outcome;
    return outcome;
  }

  /** The frames a filter would show, without showing them (live checking, grading). */
  check(text: string): Promise<FilterOutcome> {
    return this.#engine.filter(text);
  }

  row(index: number): PacketRow | undefined {
    void this.rowsVersion;
    const row = this.#rows.get(index);
    if (!row && !this.#requested.has(index)) this.#fetchRows(index);
    return row;
  }

  #fetchRows(index: number): void {
    // fetch the whole neighbourhood in the current view at once: scrolling asks for rows in runs
    const position = this.visible.indexOf(index);
    const from = Math.max(0, position - 100);
    const wanted: number[] = [];
    for (let i = from; i < Math.min(this.visible.length, from + 300); i++) {
      const candidate = this.visible[i];
      if (!this.#rows.has(candidate) && !this.#requested.has(candidate)) wanted.push(candidate);
    }
    if (!wanted.includes(index)) wanted.push(index);
    for (const i of wanted) this.#requested.add(i);
    this.#engine.rows(wanted).then(
      (rows) => {
        for (const r of rows) this.#rows.set(r.index, r);
        this.rowsVersion++;
      },
      // the capture was closed (or its Worker stopped) meanwhile: ask again if shown again
      () => {
        for (const i of wanted) this.#requested.delete(i);
      },
    );
  }

  /** Rows for a fixed selection of packets, in the order given. */
  rowsOf(indices: number[]): Promise<PacketRow[]> {
    return this.#engine.rows(indices);
  }

  async select(index: number): Promise<void> {
    if (index < 0 || (this.summary && index >= this.summary.packets)) return;
    this.selected = index;
    const details = await this.#engine.details(index);
    if (this.selected === index) this.details = details;
  }

  /** Selects a packet by its frame number (the number evidence cites). */
  async selectFrame(frame: number): Promise<void> {
    const index = await this.#engine.locate(frame);
    if (index >= 0) await this.select(index);
  }

  /** `key`: anonymize with this passphrase, so two captures of one moment keep matching addresses. */
  exportPcapng(indices: number[] | null, anonymize: boolean, key?: string): Promise<Uint8Array> {
    return this.#engine.exportPcapng(indices, anonymize, key);
  }
}

const views = new Map<string, TraceView>();

/** The page-wide view of a bundled trace, loading it on first use. */
export function traceView(url: string): TraceView {
  let view = views.get(url);
  if (!view) {
    view = new TraceView();
    // on the server the view stays 'loading': the island renders its placeholder
    if (typeof window === 'undefined') return view;
    views.set(url, view);
    view.ready = view.load({ kind: 'url', url: withBase(url) });
  }
  return view;
}
