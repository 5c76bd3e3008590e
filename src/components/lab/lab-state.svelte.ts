// What the lab page holds: the open captures (one, or client + server), the library of
// captures kept in this browser, and the messages shown to the instructor.
import { TraceView } from '../engine/trace-view.svelte.ts';
import { prepareDedicatedEngine } from '../engine/engine-client.ts';
import {
  MAX_FIREWALL_LOG_BYTES,
  type CaptureSource,
  type FirewallLogSource,
  type VerdictTally,
} from '../../lib/session/protocol.ts';
import * as library from './library.ts';
import {
  decodeShareFragment,
  encodeShareFragment,
  hasSharedCapture,
  SHARE_KEY,
  SHARE_SERVER_KEY,
} from '../../lib/lab/share.ts';

export interface Slot {
  key: 'primary' | 'secondary';
  label: string;
  name: string;
  size: number;
  /** With the firewall log read beside it, if any: the comparison reads both sides from these. */
  source: CaptureSource;
  view: TraceView;
  libraryId?: string | number;
  /** Settles when the capture has loaded (or failed). */
  loaded: Promise<void>;
}

const LABELS = { primary: 'Client side (or the only capture)', secondary: 'Server side' } as const;

/**
 * Attempts a capture's summary brings from the Worker: the verdict panel's first page (its
 * PAGE); it fetches the rest when the reader asks for more.
 */
const FIRST_PAGE = 10;

interface OpenOptions {
  /** Already in the library under this id (opened from it) … */
  libraryId?: string | number;
  /** … or being stored there: its id once stored, undefined if the browser refused. */
  saving?: Promise<number | undefined>;
}

export class LabState {
  // raw: a slot holds a File and a TraceView, which must reach the Worker as they are, not proxied
  slots = $state.raw<Slot[]>([]);
  comparison = $state.raw<TraceView | null>(null);
  notice = $state('');
  entries = $state.raw<library.LibraryEntry[]>([]);
  /** The Windows Firewall log chosen for each side: read with its capture, now or when it opens. */
  firewallLogs = $state.raw<Partial<Record<Slot['key'], FirewallLogSource>>>({});

  /**
   * Readies, once the page is idle (while the instructor picks a file), what opening the next
   * capture would otherwise wait for: its Worker, started and its engine compiled; and the
   * browser's number formatting for 'en', whose first use loads locale data (about 20 ms in
   * Chromium) — better now than in the task that shows the capture's progress.
   */
  prepareWhenIdle(): void {
    const prepare = () => {
      prepareDedicatedEngine();
      (0).toLocaleString('en');
    };
    if ('requestIdleCallback' in window) requestIdleCallback(prepare, { timeout: 2000 });
    else setTimeout(prepare, 500);
  }

  async refreshLibrary(): Promise<void> {
    const listed = await library.listCaptures();
    if (listed.ok) {
      this.entries = listed.value;
      if (listed.skipped) {
        const n = listed.skipped.length;
        const first = listed.skipped[0];
        this.notice =
          `${n === 1 ? 'One record' : `${n} records`} of the capture library could not be read and ${n === 1 ? 'is' : 'are'} not listed ` +
          `(${first.id === undefined ? '' : `entry ${first.id}: `}${first.problem}${n > 1 ? ', …' : ''}); the other captures are.`;
      }
    } else
      this.notice = `The capture library is not available in this browser (${listed.message}); captures still open for this visit.`;
  }

  /**
   * Keeps the file in the library — a reload in the middle of reading loses nothing — while the
   * Worker already reads it. IndexedDB is handed the File itself and copies the bytes on the
   * browser's own threads (this page spends a few milliseconds on it, whatever the size), so the
   * read need not wait for the store to commit; the library lists the capture at once.
   */
  async openFile(file: File, key: Slot['key']): Promise<void> {
    const saving = library
      .saveCapture({ name: file.name, bytes: file, size: file.size, addedAt: Date.now() })
      .then((saved) => {
        if (!saved.ok)
          this.notice = `Not kept in this browser's library: ${saved.message}. The capture still opens for this visit.`;
        void this.refreshLibrary();
        return saved.ok ? saved.value : undefined;
      });
    await this.#open({ kind: 'file', file }, file.name, file.size, key, { saving });
  }

  async openFromLibrary(id: string | number, key: Slot['key'] = 'primary'): Promise<void> {
    const entry = this.entries.find((e) => e.id === id);
    const bytes = await library.loadCaptureBytes(id);
    if (!bytes.ok || !entry) {
      this.notice = `Could not open it from the library: ${bytes.ok ? 'not found' : bytes.message}`;
      return;
    }
    // a File over the stored Blob: the Worker streams it from the browser's storage, the main
    // thread never holds (or copies) its bytes
    const file = new File([bytes.value], entry.name);
    await this.#open({ kind: 'file', file }, entry.name, entry.size, key, { libraryId: id });
  }

  /**
   * A share link carries the capture in the URL fragment, which browsers never send to a server;
   * `capture=` may come after other parameters (`#from=mail&capture=v1.…`).
   */
  async openFromLocation(hash: string): Promise<void> {
    if (!hasSharedCapture(hash)) return;
    let bytes: Uint8Array;
    try {
      bytes = await decodeShareFragment(hash);
    } catch (error) {
      this.notice = `This share link could not be opened: ${messageOf(error)}`;
      return;
    }
    // a pair's link holds the server's capture too
    const server = hash.includes(`&${SHARE_SERVER_KEY}=`)
      ? await decodeShareFragment(hash, SHARE_SERVER_KEY).catch((error: unknown) => {
          this.notice = `This share link's server capture could not be opened: ${messageOf(error)}`;
          return undefined;
        })
      : undefined;
    const name = server ? 'shared client capture' : 'shared capture';
    const opening = this.#open(
      { kind: 'bytes', bytes: bytes.slice().buffer as ArrayBuffer, name },
      name,
      bytes.length,
      'primary',
    );
    if (server) {
      const serverName = 'shared server capture';
      await this.#open(
        { kind: 'bytes', bytes: server.slice().buffer as ArrayBuffer, name: serverName },
        serverName,
        server.length,
        'secondary',
      );
    }
    await opening;
  }

  /** A bundled client/server pair (the lab's "Try a sample"), opened as if the instructor had. */
  async openSample(first: string, second: string): Promise<void> {
    const open = async (url: string, key: Slot['key']) => {
      const name = url.split('/').pop()!;
      const bytes = await (await fetch(url)).arrayBuffer();
      await this.#open({ kind: 'bytes', bytes, name }, name, bytes.byteLength, key);
    };
    await Promise.all([open(first, 'primary'), open(second, 'secondary')]);
  }

  /**
   * Reads a pfirewall.log beside one side's capture (at once if it is open, else when it opens):
   * the verdicts of the attempts whose SYNs it logged as dropped gain that evidence, and the two
   * sides are compared again.
   */
  async openFirewallLog(file: File, key: Slot['key']): Promise<void> {
    if (file.size > MAX_FIREWALL_LOG_BYTES) {
      this.notice = `${file.name}: ${file.size.toLocaleString('en')} bytes is larger than any Windows Firewall log (at most 32 MB); not read.`;
      return;
    }
    await this.#setFirewallLog(key, { name: file.name, data: file });
  }

  /** Takes the firewall log away from one side: its evidence goes with it. */
  async removeFirewallLog(key: Slot['key']): Promise<void> {
    await this.#setFirewallLog(key, undefined);
  }

  async #setFirewallLog(key: Slot['key'], log: FirewallLogSource | undefined): Promise<void> {
    const { [key]: _previous, ...others } = this.firewallLogs;
    this.firewallLogs = log ? { ...others, [key]: log } : others;
    const slot = this.slots.find((s) => s.key === key);
    if (!slot) return;
    const { firewallLog: _old, ...source } = slot.source;
    slot.source = log ? { ...source, firewallLog: log } : source;
    await slot.loaded;
    if (slot.view.status !== 'ready') return;
    try {
      await slot.view.setFirewallLog(log ?? null, FIRST_PAGE);
    } catch (error) {
      this.notice = `Could not read the firewall log: ${messageOf(error)}`;
      return;
    }
    this.slots = [...this.slots];
    this.comparison?.close();
    this.comparison = null;
    this.#compareWhenBothReady();
  }

  /** The two captures compared, in the order they were given (the pair view tells the sides). */
  pairSources(): [CaptureSource, CaptureSource] | undefined {
    const client = this.slots.find((s) => s.key === 'primary');
    const server = this.slots.find((s) => s.key === 'secondary');
    return client && server ? [client.source, server.source] : undefined;
  }

  async downloadPairReport(format: 'md' | 'json'): Promise<void> {
    if (!this.comparison) return;
    const text = await this.comparison.report(format);
    download(
      new Blob([text], { type: format === 'md' ? 'text/markdown' : 'application/json' }),
      `both-sides.verdicts.${format}`,
    );
  }

  /**
   * Copies a link that opens both captures (anonymized with one key, so their addresses still
   * match each other) and their comparison in the lab.
   */
  async sharePair(): Promise<void> {
    const client = this.slots.find((s) => s.key === 'primary');
    const server = this.slots.find((s) => s.key === 'secondary');
    if (!client || !server) return;
    const key = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16)).join('');
    let fragment: string;
    try {
      const [a, b] = await Promise.all([
        client.view.exportPcapng(null, true, key),
        server.view.exportPcapng(null, true, key),
      ]);
      const second = await encodeShareFragment(b);
      fragment = `${await encodeShareFragment(a)}&${second.slice(1).replace(`${SHARE_KEY}=`, `${SHARE_SERVER_KEY}=`)}`;
    } catch (error) {
      this.notice = messageOf(error);
      return;
    }
    const url = `${location.origin}${location.pathname}${fragment}`;
    try {
      await navigator.clipboard.writeText(url);
      this.notice = `Share link of both sides copied (${Math.round(url.length / 1024)} KB). Both captures travel inside the link, anonymized alike; no server sees them.`;
    } catch {
      this.notice = `Share link of both sides: ${url}`;
    }
  }

  async #open(
    source: CaptureSource,
    name: string,
    size: number,
    key: Slot['key'],
    options: OpenOptions = {},
  ): Promise<void> {
    const view = new TraceView(true);
    // the side's firewall log, if one was chosen, is read with the capture
    const log = this.firewallLogs[key];
    if (log) source = { ...source, firewallLog: log };
    const slot: Slot = {
      key,
      label: LABELS[key],
      name,
      size,
      source,
      view,
      libraryId: options.libraryId,
      loaded: Promise.resolve(),
    };
    // a capture that gives its place to another frees its Worker (and the memory of its packets)
    for (const replaced of this.slots.filter((s) => s.key === key)) replaced.view.close();
    this.comparison?.close();
    this.slots = [...this.slots.filter((s) => s.key !== key), slot].sort((a, b) => a.key.localeCompare(b.key));
    this.comparison = null;
    // however it came (chosen, from the library, a share link), a capture too large to hold whole
    // is read for its handshakes only; a flood or a scan is small but all attempts, so its first
    // megabyte's attempts count too (estimated in the Worker, which has the decoders compiled)
    // `loaded` covers the estimate too, and the load reads `slot.source` when it starts: a
    // firewall log chosen in the meantime (dropped with the capture) is read with it
    slot.loaded = (async () => {
      const tooBig = tooBigToHold(size, await view.estimateAttempts(slot.source).catch(() => 0));
      if (tooBig) this.notice = `${name}: ${tooBig}`;
      await view.load(slot.source, { handshakesOnly: tooBig !== undefined, attempts: FIRST_PAGE });
    })();
    await slot.loaded;
    // the next capture (or the comparison of both sides) gets a Worker already started
    this.prepareWhenIdle();
    slot.libraryId ??= await options.saving;
    if (view.status === 'ready' && view.summary && slot.libraryId !== undefined) {
      await library.setSummary(slot.libraryId, view.summary.attemptSummary);
      void this.refreshLibrary();
    }
    this.#compareWhenBothReady();
  }

  #compareWhenBothReady(): void {
    const client = this.slots.find((s) => s.key === 'primary');
    const server = this.slots.find((s) => s.key === 'secondary');
    if (client?.view.status !== 'ready' || server?.view.status !== 'ready') return;
    const comparison = new TraceView(true);
    this.comparison = comparison;
    void comparison.loadPair(client.source, server.source, FIRST_PAGE);
  }

  cancel(slot: Slot): void {
    slot.view.cancel();
  }

  async exportFiltered(slot: Slot, anonymize: boolean): Promise<void> {
    const view = slot.view;
    const indices = view.applied ? Array.from(view.visible) : null;
    const bytes = await view.exportPcapng(indices, anonymize);
    const base = slot.name.replace(/\.[^.]+$/, '');
    download(
      new Blob([bytes as BlobPart], { type: 'application/octet-stream' }),
      `${base}${view.applied ? '.filtered' : ''}${anonymize ? '.anonymized' : ''}.pcapng`,
    );
  }

  async downloadReport(slot: Slot, format: 'md' | 'json'): Promise<void> {
    const text = await slot.view.report(format);
    const base = slot.name.replace(/\.[^.]+$/, '');
    download(
      new Blob([text], { type: format === 'md' ? 'text/markdown' : 'application/json' }),
      `${base}.verdicts.${format}`,
    );
  }

  /** Copies a link that opens this capture (anonymized, payloads stripped) in the lab. */
  async share(slot: Slot): Promise<void> {
    const bytes = await slot.view.exportPcapng(null, true);
    let fragment: string;
    try {
      fragment = await encodeShareFragment(bytes);
    } catch (error) {
      this.notice = messageOf(error);
      return;
    }
    const url = `${location.origin}${location.pathname}${fragment}`;
    try {
      await navigator.clipboard.writeText(url);
      this.notice = `Share link copied (${Math.round(url.length / 1024)} KB). The capture travels inside the link, anonymized; no server sees it.`;
    } catch {
      this.notice = `Share link: ${url}`;
    }
  }

  async rename(id: string | number, name: string): Promise<void> {
    const r = await library.renameCapture(id, name);
    if (!r.ok) this.notice = r.message;
    await this.refreshLibrary();
  }

  async remove(id: string | number): Promise<void> {
    const r = await library.deleteCapture(id);
    if (!r.ok) this.notice = r.message;
    await this.refreshLibrary();
  }
}

/**
 * An open capture (the packet store plus its verdicts) needs about this many times the file's
 * size in memory at its peak: 3.7 × for the 100 MB benchmark capture, whose 33,401 connection
 * attempts are unusually many for its size (docs/PERFORMANCE.md).
 */
const MEMORY_PER_FILE_BYTE = 4;

/**
 * …and each connection attempt about this much beyond that: what the session holds per attempt
 * (its rows in the TCP analysis and the attempt table, a verdict code) and the garbage judging
 * it leaves before a collection. Measured on the SYN floods of npm run bench:scale: opening the
 * session raised the peak RSS of a Node process by 1.6 KB an attempt (100,000 and 400,000
 * attempts alike; 446 bytes an attempt held after a collection), plus a quarter for safety. The
 * panels' views are made for the page shown only, so they add nothing that grows with the capture.
 */
const MEMORY_PER_ATTEMPT = 2048;

/**
 * Why a file is too large to hold whole in this tab, or undefined. Such a capture would freeze
 * and then crash the tab if decoded whole, so it is streamed through instead, keeping only the
 * packets that decide the verdicts. The budget is what the browser gives a page's JavaScript
 * (Chromium tells; others get a conservative 2 GB).
 */
export function tooBigToHold(size: number, attempts = 0): string | undefined {
  const reported = (performance as Performance & { memory?: { jsHeapSizeLimit: number } }).memory?.jsHeapSizeLimit;
  const budget = reported ?? 2 ** 31;
  const needed = size * MEMORY_PER_FILE_BYTE + attempts * MEMORY_PER_ATTEMPT;
  if (needed <= budget * 0.8) return undefined;
  const gb = (n: number) => (n < 2 ** 30 ? `${Math.round(n / 2 ** 20)} MB` : `${(n / 2 ** 30).toFixed(1)} GB`);
  const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
  const many =
    attempts > 0 ? ` with about ${attempts.toLocaleString('en')} connection attempts (judged from its start)` : '';
  return (
    `this capture is ${mb(size)}${many}; holding all of it would need about ${gb(needed)} of memory, more than this browser gives a page (${gb(budget)}). ` +
    'It is read through once and only the packets that decide the verdicts are kept: SYNs, SYN/ACKs, resets, FINs, ICMP errors and the first packets of each connection. ' +
    'To look at every packet, cut it down first, e.g. tshark -r big.pcapng -Y "tcp.port==3389" -w part.pcapng'
  );
}

/**
 * The verdict counts while a capture opens: they come before its packets and attempts, and
 * while a flood's attempts are judged, as they stand so far.
 */
export function tallyLine({ attemptCount, judged, verdictCounts }: VerdictTally): string {
  const n = (x: number) => x.toLocaleString('en');
  const counts = Object.entries(verdictCounts)
    .map(([verdict, count]) => `${n(count)} ${verdict}`)
    .join(', ');
  const attempts = `${n(attemptCount)} connection attempt${attemptCount === 1 ? '' : 's'}`;
  return judged < attemptCount
    ? `Judging ${attempts}: ${n(judged)} so far${counts ? ` (${counts})` : ''}…`
    : `Verdicts of ${attempts}${counts ? `: ${counts}` : ''}. Showing the packets…`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
