// Bytes → Capture: the capture readers feeding the packet store (decoded columns plus the
// frames' bytes). This is what the CLI, the Worker, the tests and the rest of the engine call.
//
// The store owns the bytes it points into: the readers hand out views into buffers we do not
// own, so a whole in-memory file is copied once and read in place, and streamed frames are
// copied into the store's blocks rather than one ArrayBuffer per packet.
import { chunksOf, createCaptureReader } from './capture/reader.ts';
import { CaptureError } from './capture/types.ts';
import type { CaptureInfo, CapturedFrame, ReadProgress } from './capture/types.ts';
import type { Capture } from './packets.ts';
import { PacketStore } from './store/packet-store.ts';

/** When the bytes are not a capture at all, there is no interface list to report. */
const UNREADABLE_INFO: CaptureInfo = { format: 'pcap', variant: 'unreadable', interfaces: [], comments: [] };

/**
 * Rows to allocate for a file of this size: about 300 bytes a packet (record header included)
 * is typical of TCP captures. Too many wastes a little; too few costs a resize as the store
 * grows.
 */
const expectedPackets = (bytes: number): number => Math.ceil(bytes / 300);

/**
 * The most packets a file of this size can hold: no format stores a packet in fewer than 16
 * bytes (a pcap record header; a pcapng Simple Packet Block), so the columns never grow past it.
 */
const mostPackets = (bytes: number): number => Math.ceil(bytes / 16) + 1;

/**
 * When the columns are sized again from what was read: by then the packets' average size says
 * how many the file holds far better than `expectedPackets` (a flood's are 74 bytes, a bulk
 * transfer's 1,500). A margin covers a capture whose packets grow later; past it the store
 * grows by halves as before.
 */
const SAMPLE_PACKETS = 4096;
const SAMPLE_BYTES = 1 << 20;
const ESTIMATE_MARGIN = 1.1;
const SHRINK_BELOW = 0.75;

/** A whole file is fed to the reader in slices, so its frame objects never all exist at once. */
const SLICE_BYTES = 4 << 20;

/** Reader frames → store rows, keeping the FCS lengths in step with the interfaces seen so far. */
class StoreFeeder {
  readonly store: PacketStore;
  seen = 0;
  private knownInterfaces = -1;
  private readonly keep: ((store: PacketStore, index: number) => boolean) | undefined;
  private readonly adopted: number;
  /** The file's size, while the columns still wait to be sized from a sample of it. */
  private sizeToEstimate: number | undefined;

  /**
   * `totalBytes` sizes the columns when known (a store that keeps only some packets starts
   * small); `adopt` is a whole file the store reads in place; `payloads` as in LoadOptions.
   */
  constructor(
    totalBytes: number | undefined,
    options: { keep?: (store: PacketStore, index: number) => boolean; adopt?: Uint8Array; payloads?: boolean } = {},
  ) {
    const { keep, adopt, payloads = true } = options;
    this.store = new PacketStore(
      keep || !totalBytes ? 256 : expectedPackets(totalBytes),
      totalBytes ? mostPackets(totalBytes) : Infinity,
      payloads,
    );
    this.keep = keep;
    this.adopted = adopt ? this.store.adopt(adopt) : -1;
    if (!keep && totalBytes) this.sizeToEstimate = totalBytes;
  }

  /** `bytesRead`: how much of the file the frames so far came from (0: not known, no estimate). */
  add(frames: CapturedFrame[], info: CaptureInfo | undefined, bytesRead = 0): void {
    if (info && info.interfaces.length !== this.knownInterfaces) {
      this.store.setFcsLengths(info);
      this.knownInterfaces = info.interfaces.length;
    }
    // Sized before the frames go in: a chunk may bring many thousands at once.
    const total = this.sizeToEstimate;
    const sample = this.seen + frames.length;
    if (total !== undefined && bytesRead > 0 && (sample >= SAMPLE_PACKETS || bytesRead >= SAMPLE_BYTES)) {
      this.sizeToEstimate = undefined;
      const rows = ((total * sample) / bytesRead) * ESTIMATE_MARGIN;
      // Shrinking costs a copy too: worth it only when the first guess was far too large.
      const capacity = this.store.columns.number.length;
      if (rows > capacity || rows < capacity * SHRINK_BELOW) this.store.reserve(rows);
    }
    const store = this.store;
    for (let i = 0; i < frames.length; i++) {
      this.seen++;
      const index = store.add(frames[i], this.adopted);
      if (this.keep && !this.keep(store, index)) store.dropLast();
    }
  }

  finish(info: CaptureInfo | undefined, error: CaptureError | undefined): Capture {
    this.store.finish(info);
    const store = this.store;
    // The packet handles are made when first asked for: `porttrace verdicts` reads only the
    // columns, and a flood's 400,000 handles were 16 MB of heap it never used.
    let packets: Capture['packets'] | undefined;
    const capture: Capture = {
      info: info ?? UNREADABLE_INFO,
      get packets() {
        return (packets ??= store.packets());
      },
      set packets(given) {
        packets = given;
      },
      store,
    };
    if (error) capture.error = error;
    return capture;
  }
}

/** A whole capture already in memory (a test fixture, a fetched trace). */
export function loadCaptureBytes(bytes: Uint8Array): Capture {
  // One copy of the whole input, read in place: the reader's frames are then views into bytes
  // the store keeps. Frames it had to assemble in its own buffer are copied.
  const owned = bytes.slice();
  const reader = createCaptureReader({ totalBytes: owned.length });
  const feeder = new StoreFeeder(owned.length, { adopt: owned });
  for (let at = 0; at < owned.length && !reader.error; at += SLICE_BYTES) {
    feeder.add(
      reader.push(owned.subarray(at, Math.min(owned.length, at + SLICE_BYTES))),
      reader.info,
      reader.bytesRead,
    );
  }
  const end = reader.finish();
  feeder.add(end.frames, end.info);
  return feeder.finish(end.info, end.error);
}

export interface LoadOptions {
  /** Size of the whole input when known (File.size, stat), passed on to onProgress. */
  totalBytes?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
  /** Aborting stops the read between chunks; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Keeps only the packets this returns true for, asked about each packet just added to the
   * store (row `index`, decoded), so a capture too large to hold streams through in memory
   * bounded by what is kept.
   */
  keep?: (store: PacketStore, index: number) => boolean;
  /**
   * Called after each chunk's packets are in the store, which starts small instead of sized for
   * the whole input: a reader that uses the rows and then calls `store.forgetRows()` reads the
   * capture through a window (`porttrace packets`). The returned capture holds the rows not
   * forgotten. Waited for before the next chunk is read; what it throws is thrown.
   */
  onRows?: (store: PacketStore, info: CaptureInfo | undefined) => void | Promise<void>;
  /**
   * False: TCP and UDP payloads are not kept, nor over IPv4 the headers the columns hold
   * (`porttrace verdicts`, which reads only the columns and headers): a data-heavy capture then
   * holds a fraction of its size. See PacketStore.payloads.
   */
  payloads?: boolean;
}

/**
 * A capture read chunk by chunk (File.stream(), a Node read stream, a fetch body). Bad input
 * never rejects: it ends up in `error`, after every complete packet. A source that fails (a
 * network error) becomes a 'truncated' error too. Only aborting rejects.
 */
export async function loadCaptureStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: LoadOptions = {},
): Promise<Capture> {
  const { totalBytes, onProgress, signal, keep, onRows, payloads } = options;
  signal?.throwIfAborted();
  const reader = createCaptureReader({ totalBytes });
  const feeder = new StoreFeeder(onRows ? undefined : totalBytes, { keep, payloads });
  let sourceError: CaptureError | undefined;
  /** What onRows threw: not a problem of the input, so it is thrown again, not reported as one. */
  let callerError: { problem: unknown } | undefined;
  try {
    for await (const chunk of chunksOf(chunks)) {
      signal?.throwIfAborted();
      // A plain view: a Node Buffer would make every frame view a Buffer too, and copying
      // from those is several times slower.
      feeder.add(
        reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
        reader.info,
        reader.bytesRead,
      );
      onProgress?.({ bytesRead: reader.bytesRead, totalBytes, frames: feeder.seen });
      if (onRows) {
        try {
          await onRows(feeder.store, reader.info);
        } catch (problem) {
          callerError = { problem };
          break;
        }
      }
      if (reader.error) break;
    }
  } catch (problem) {
    if (signal?.aborted) throw signal.reason;
    // The reader would only say the file ends inside a packet; the failure is the real reason.
    const message = problem instanceof Error ? problem.message : String(problem);
    sourceError = new CaptureError(
      'truncated',
      `truncated: the input stopped after ${reader.bytesRead} bytes (${message})`,
      reader.bytesRead,
    );
  }
  if (callerError) throw callerError.problem;
  const end = reader.finish();
  feeder.add(end.frames, end.info);
  onProgress?.({ bytesRead: reader.bytesRead, totalBytes, frames: feeder.seen });
  // With nothing read, the reader's "empty" is the failure's doing: the failure is the reason.
  const readerStoppedFirst = sourceError === undefined || (reader.bytesRead > 0 && end.error?.kind !== 'truncated');
  return feeder.finish(end.info, readerStoppedFirst ? (end.error ?? sourceError) : sourceError);
}
