// Bytes → Capture: the capture readers plus decodeFrame. This is what the CLI, the Worker, the
// tests and the other parts of the engine call.
//
// Packets own their bytes: the readers hand out views into buffers we do not own, so frames
// are copied — a whole in-memory file at once, streamed frames into shared arena blocks
// rather than one ArrayBuffer per packet.
import { createCaptureReader, readCaptureBytes } from './capture/reader.ts';
import { CaptureError } from './capture/types.ts';
import type { CaptureInfo, CapturedFrame, ReadProgress } from './capture/types.ts';
import { decodeFrame } from './decode/index.ts';
import type { Capture, Packet } from './packets.ts';

const ARENA_BLOCK_BYTES = 1 << 20;

/** Copies frames into large blocks; each packet's `data` is a view of its own bytes there. */
class ByteArena {
  private block = new Uint8Array(0);
  private used = 0;

  copy(source: Uint8Array): Uint8Array {
    const length = source.length;
    // Big frames get their own buffer so a block is never mostly wasted.
    if (length > ARENA_BLOCK_BYTES >> 2) return source.slice();
    if (this.used + length > this.block.length) {
      this.block = new Uint8Array(ARENA_BLOCK_BYTES);
      this.used = 0;
    }
    const start = this.used;
    this.block.set(source, start);
    this.used = start + length;
    return this.block.subarray(start, start + length);
  }

  /** Gives back the space of `copy`, the last copy made (a packet that was not kept). */
  release(copy: Uint8Array): void {
    if (copy.buffer === this.block.buffer && copy.byteOffset + copy.length === this.used) this.used = copy.byteOffset;
  }
}

/** FCS bytes per interface id, from the capture's interface list (empty until known). */
function fcsLengths(info: CaptureInfo | undefined): number[] {
  const lengths: number[] = [];
  if (info) for (const iface of info.interfaces) lengths[iface.id] = iface.fcsLength;
  return lengths;
}

/**
 * The frame object becomes the packet: the reader made it for us, and adding two properties is
 * cheaper than copying eleven into a new object. `data` is replaced by bytes the packet owns.
 */
function toPacket(frame: CapturedFrame, data: Uint8Array, fcsLength: number): Packet {
  const packet = frame as Packet;
  packet.data = data;
  packet.dissection = decodeFrame(packet, fcsLength);
  return packet;
}

/**
 * A format that states interfaces late (NetMon's trailer) can reveal an FCS after frames were
 * decoded: decode those frames again, now without their FCS. `decodedWith` is what was used.
 */
function redecodeForFcs(packets: Packet[], info: CaptureInfo | undefined, decodedWith: number[]): void {
  const lengths = fcsLengths(info);
  if (!lengths.some((n) => n > 0)) return;
  for (const packet of packets) {
    const fcs = lengths[packet.interfaceId] ?? 0;
    if (fcs !== (decodedWith[packet.interfaceId] ?? 0)) packet.dissection = decodeFrame(packet, fcs);
  }
}

/** When the bytes are not a capture at all, there is no interface list to report. */
const UNREADABLE_INFO: CaptureInfo = { format: 'pcap', variant: 'unreadable', interfaces: [], comments: [] };

/** A whole capture already in memory (a test fixture, a fetched trace). */
export function loadCaptureBytes(bytes: Uint8Array): Capture {
  // One copy of the whole input, read in place: the reader's frames are then already views
  // into bytes we own. Frames it had to assemble in its own buffer go to the arena.
  const owned = bytes.slice();
  const read = readCaptureBytes(owned);
  const lengths = fcsLengths(read.info);
  const arena = new ByteArena();
  const packets: Packet[] = new Array(read.frames.length);
  for (let i = 0; i < read.frames.length; i++) {
    const frame = read.frames[i];
    const data = frame.data.buffer === owned.buffer ? frame.data : arena.copy(frame.data);
    packets[i] = toPacket(frame, data, lengths[frame.interfaceId] ?? 0);
  }
  return finishCapture(read.info, packets, read.error);
}

function finishCapture(info: CaptureInfo | undefined, packets: Packet[], error: CaptureError | undefined): Capture {
  const capture: Capture = { info: info ?? UNREADABLE_INFO, packets };
  if (error) capture.error = error;
  return capture;
}

export interface LoadOptions {
  /** Size of the whole input when known (File.size, stat), passed on to onProgress. */
  totalBytes?: number;
  /** Called after each chunk. */
  onProgress?: (progress: ReadProgress) => void;
  /** Aborting stops the read between chunks; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Keeps only the packets this returns true for (decoded, with their frame numbers), so a
   * capture too large to hold streams through in memory bounded by what is kept.
   */
  keep?: (packet: Packet) => boolean;
}

async function* chunksOf(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if ('getReader' in source && typeof source.getReader === 'function') {
    // Not every browser makes ReadableStream async-iterable yet.
    const streamReader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await streamReader.read();
        if (done) return;
        yield value;
      }
    } finally {
      streamReader.releaseLock();
    }
  } else {
    yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  }
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
  const { totalBytes, onProgress, signal, keep } = options;
  signal?.throwIfAborted();
  const reader = createCaptureReader({ totalBytes });
  const arena = new ByteArena();
  const packets: Packet[] = [];
  // FCS lengths come from the interfaces the reader has seen so far; see redecodeForFcs.
  let lengths: number[] = [];
  let knownInterfaces = -1;
  let sourceError: CaptureError | undefined;
  let seen = 0;
  const add = (frame: CapturedFrame, fcsLength: number) => {
    seen++;
    const data = arena.copy(frame.data);
    const packet = toPacket(frame, data, fcsLength);
    if (!keep || keep(packet)) packets.push(packet);
    else arena.release(data);
  };
  try {
    for await (const chunk of chunksOf(chunks)) {
      signal?.throwIfAborted();
      const frames = reader.push(chunk);
      const info = reader.info;
      if (info && info.interfaces.length !== knownInterfaces) {
        lengths = fcsLengths(info);
        knownInterfaces = info.interfaces.length;
      }
      for (let i = 0; i < frames.length; i++) add(frames[i], lengths[frames[i].interfaceId] ?? 0);
      onProgress?.({ bytesRead: reader.bytesRead, totalBytes, frames: seen });
      if (reader.error) break;
    }
  } catch (problem) {
    if (signal?.aborted) throw signal.reason;
    // The reader would only say the file ends inside a packet; the failure is the real reason.
    const message = problem instanceof Error ? problem.message : String(problem);
    sourceError = new CaptureError('truncated', `truncated: the input stopped after ${reader.bytesRead} bytes (${message})`, reader.bytesRead);
  }
  const end = reader.finish();
  const endLengths = fcsLengths(end.info);
  for (const frame of end.frames) add(frame, endLengths[frame.interfaceId] ?? 0);
  redecodeForFcs(packets, end.info, lengths);
  onProgress?.({ bytesRead: reader.bytesRead, totalBytes, frames: seen });
  const readerStoppedFirst = sourceError === undefined || end.error?.kind !== 'truncated';
  return finishCapture(end.info, packets, readerStoppedFirst ? end.error ?? sourceError : sourceError);
}
