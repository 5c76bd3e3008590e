// Bytes → Capture: the capture readers plus decodeFrame. This is what the CLI, the Worker, the
// tests and the other parts of the engine call.
//
// Packets own their bytes: the readers hand out views into their buffers, so each frame is
// copied — into a shared arena block rather than one ArrayBuffer per packet, which keeps
// loading a 100 MB capture to a few hundred allocations of bytes instead of a million.
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
}

/** FCS bytes per interface id, from the capture's interface list (empty until known). */
function fcsLengths(info: CaptureInfo | undefined): number[] {
  const lengths: number[] = [];
  if (info) for (const iface of info.interfaces) lengths[iface.id] = iface.fcsLength;
  return lengths;
}

function toPacket(frame: CapturedFrame, arena: ByteArena, fcsLength: number): Packet {
  const data = arena.copy(frame.data);
  // One object shape for every packet (optional fields always present) keeps callers monomorphic.
  const packet: Packet = {
    number: frame.number,
    seconds: frame.seconds,
    nanoseconds: frame.nanoseconds,
    capturedLength: frame.capturedLength,
    originalLength: frame.originalLength,
    linkType: frame.linkType,
    interfaceId: frame.interfaceId,
    data,
    direction: frame.direction,
    comments: frame.comments,
    dissection: undefined as unknown as Packet['dissection'],
  };
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
  const read = readCaptureBytes(bytes);
  const lengths = fcsLengths(read.info);
  const arena = new ByteArena();
  const packets: Packet[] = new Array(read.frames.length);
  for (let i = 0; i < read.frames.length; i++) {
    const frame = read.frames[i];
    packets[i] = toPacket(frame, arena, lengths[frame.interfaceId] ?? 0);
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
  const { totalBytes, onProgress, signal } = options;
  signal?.throwIfAborted();
  const reader = createCaptureReader({ totalBytes });
  const arena = new ByteArena();
  const packets: Packet[] = [];
  // FCS lengths come from the interfaces the reader has seen so far; see redecodeForFcs.
  let lengths: number[] = [];
  let knownInterfaces = -1;
  let sourceError: CaptureError | undefined;
  try {
    for await (const chunk of chunksOf(chunks)) {
      signal?.throwIfAborted();
      const frames = reader.push(chunk);
      const info = reader.info;
      if (info && info.interfaces.length !== knownInterfaces) {
        lengths = fcsLengths(info);
        knownInterfaces = info.interfaces.length;
      }
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i];
        packets.push(toPacket(frame, arena, lengths[frame.interfaceId] ?? 0));
      }
      onProgress?.({ bytesRead: reader.bytesRead, totalBytes, frames: packets.length });
      if (reader.error) break;
    }
  } catch (problem) {
    if (signal?.aborted) throw signal.reason;
    const message = problem instanceof Error ? problem.message : String(problem);
    sourceError = new CaptureError('truncated', `truncated: the input stopped after ${reader.bytesRead} bytes (${message})`, reader.bytesRead);
  }
  const end = reader.finish();
  const endLengths = fcsLengths(end.info);
  for (const frame of end.frames) packets.push(toPacket(frame, arena, endLengths[frame.interfaceId] ?? 0));
  redecodeForFcs(packets, end.info, lengths);
  onProgress?.({ bytesRead: reader.bytesRead, totalBytes, frames: packets.length });
  return finishCapture(end.info, packets, end.error ?? sourceError);
}
