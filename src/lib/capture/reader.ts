// The one way into the capture readers: bytes in (in any chunking), frames out.
//
// Memory stays bounded by the largest block, not the file: frames are parsed straight out of
// the caller's chunks (zero copy), and only a unit (block/record) that straddles two chunks is
// copied into a small internal buffer, grown only to that unit's validated length. NetMon and
// ETL are the exception: they must keep the whole file (see whole-file.ts).
import { EtlParser } from './hook-etl.ts';
import { NetmonParser } from './netmon.ts';
import type { BlockObserver, FormatParser } from './parser.ts';
import { PcapParser } from './pcap.ts';
import { PcapngParser } from './pcapng.ts';
import { MIN_SNIFF_BYTES, SNIFF_BYTES, sniffCapture } from './sniff.ts';
import type { Sniffed } from './sniff.ts';
import { CaptureError } from './types.ts';
import type { CaptureInfo, CapturedFrame, ReadProgress } from './types.ts';

export interface CaptureReaderOptions {
  /** Size of the whole input when known (File.size, stat): lets readers reject impossible lengths early. */
  totalBytes?: number;
  /** Sees every block/record with its file offset and length (tests, structure views). */
  observer?: BlockObserver;
}

export interface CaptureReaderEnd {
  /** Undefined only when the input was not a capture at all (then `error` says why). */
  info: CaptureInfo | undefined;
  /** Why the read stopped early; every complete frame before the problem was returned. */
  error?: CaptureError;
  /**
   * Frames that could only be produced at the end of input (NetMon files whose frame table
   * arrives last, ETL). Always check it: for those formats `push` may return nothing.
   */
  frames: CapturedFrame[];
}

export interface CaptureReader {
  /**
   * Feed the next chunk; returns the frames it completed. Their `data` are views into the
   * chunks you passed or into the reader's own buffer: valid until the next push (views into
   * your chunks stay valid as long as you leave those chunks alone). Copy what you keep.
   */
  push(chunk: Uint8Array): CapturedFrame[];
  /** End of input: reports truncation and hands over frames held back until the end. Idempotent. */
  finish(): CaptureReaderEnd;
  /** Available once the file header has been parsed. */
  readonly info: CaptureInfo | undefined;
  /** Set as soon as reading has stopped because of bad input. */
  readonly error: CaptureError | undefined;
  readonly bytesRead: number;
  readonly framesRead: number;
}

export function createCaptureReader(options: CaptureReaderOptions = {}): CaptureReader {
  return new IncrementalReader(options);
}

function parserFor(sniffed: Exclude<Sniffed, { format: undefined }>, options: CaptureReaderOptions): FormatParser {
  switch (sniffed.format) {
    case 'pcap':
      return new PcapParser(sniffed, options.observer, options.totalBytes);
    case 'pcapng':
      return new PcapngParser({ observer: options.observer, totalBytes: options.totalBytes });
    case 'netmon':
      return new NetmonParser({ observer: options.observer, totalBytes: options.totalBytes });
    case 'etl':
      return new EtlParser(options.totalBytes);
  }
}

const EMPTY = new Uint8Array(0);

class IncrementalReader implements CaptureReader {
  bytesRead = 0;
  framesRead = 0;
  private readonly options: CaptureReaderOptions;
  private parser: FormatParser | undefined;
  private sniffError: CaptureError | undefined;
  /** Unconsumed bytes live in current[0, pendingLength); `spare` is the other half of a double buffer. */
  private current: Uint8Array = EMPTY;
  private spare: Uint8Array = EMPTY;
  private pendingLength = 0;
  /** Buffers that hold frames returned by the push in progress, which must not be overwritten. */
  private currentHoldsFrames = false;
  private spareHoldsFrames = false;
  /** File offset of the first unconsumed byte. */
  private consumedOffset = 0;
  private ended: CaptureReaderEnd | undefined;

  constructor(options: CaptureReaderOptions) {
    this.options = options;
  }

  get info(): CaptureInfo | undefined {
    return this.parser?.info();
  }

  get error(): CaptureError | undefined {
    return this.sniffError ?? this.parser?.error;
  }

  push(chunk: Uint8Array): CapturedFrame[] {
    const out: CapturedFrame[] = [];
    this.bytesRead += chunk.length;
    if (this.ended || this.error) return out;
    this.currentHoldsFrames = false;
    this.spareHoldsFrames = false;
    let pos = 0;
    if (this.parser === undefined) {
      pos = this.sniff(chunk);
      if (this.parser === undefined) return out;
    }
    const parser = this.parser as FormatParser;
    while (parser.error === undefined) {
      if (this.pendingLength > 0) {
        const need = parser.need;
        if (need > this.pendingLength) {
          const take = Math.min(need - this.pendingLength, chunk.length - pos);
          this.appendPending(chunk, pos, take, need);
          pos += take;
          if (this.pendingLength < need) break;
        }
        const buffer = this.current;
        const before = out.length;
        const next = parser.parse(
          buffer,
          new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength),
          0,
          this.pendingLength,
          this.consumedOffset,
          out,
        );
        if (out.length > before) this.currentHoldsFrames = true;
        this.consumedOffset += next;
        if (parser.error) break;
        if (next === 0 && parser.need <= this.pendingLength) break; // cannot happen with a correct parser; never spin
        if (next > 0) this.keepPending(buffer, next, this.pendingLength);
        continue;
      }
      if (pos >= chunk.length) break;
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const next = parser.parse(chunk, view, pos, chunk.length, this.consumedOffset, out);
      this.consumedOffset += next - pos;
      pos = next;
      if (parser.error) break;
      if (pos < chunk.length) {
        this.keepPending(chunk, pos, chunk.length);
      }
      break;
    }
    this.framesRead += out.length;
    return out;
  }

  finish(): CaptureReaderEnd {
    if (this.ended) return this.ended;
    const out: CapturedFrame[] = [];
    this.currentHoldsFrames = false;
    this.spareHoldsFrames = false;
    if (this.parser === undefined && this.sniffError === undefined) {
      const sniffed = sniffCapture(this.current.subarray(0, this.pendingLength), true)!;
      if (sniffed.format === undefined) this.sniffError = sniffed.error;
      else {
        this.parser = parserFor(sniffed, this.options);
        const next = this.parser.parse(
          this.current,
          new DataView(this.current.buffer, this.current.byteOffset, this.current.byteLength),
          0,
          this.pendingLength,
          0,
          out,
        );
        this.consumedOffset = next;
        this.pendingLength -= next;
      }
    }
    let error = this.sniffError;
    if (this.parser) error = this.parser.finish(this.pendingLength, this.consumedOffset, out);
    this.framesRead += out.length;
    this.ended = { info: this.parser?.info(), frames: out };
    if (error) this.ended.error = error;
    return this.ended;
  }

  /** Decide the format. Returns how many bytes of `chunk` were taken into the pending buffer. */
  private sniff(chunk: Uint8Array): number {
    if (this.pendingLength === 0 && chunk.length >= MIN_SNIFF_BYTES) {
      // Usual case: the first chunk is big enough to decide without copying anything.
      const sniffed = sniffCapture(chunk.subarray(0, SNIFF_BYTES), false);
      if (sniffed) {
        if (sniffed.format === undefined) this.sniffError = sniffed.error;
        else this.parser = parserFor(sniffed, this.options);
        return 0;
      }
    }
    const take = Math.min(chunk.length, SNIFF_BYTES - this.pendingLength);
    this.appendPending(chunk, 0, take, SNIFF_BYTES);
    const sniffed = sniffCapture(this.current.subarray(0, this.pendingLength), false);
    if (sniffed) {
      if (sniffed.format === undefined) this.sniffError = sniffed.error;
      else this.parser = parserFor(sniffed, this.options);
    }
    return take;
  }

  /** Append chunk[from, from+count) to the pending bytes, growing (by doubling) to at most `capacityHint`. */
  private appendPending(chunk: Uint8Array, from: number, count: number, capacityHint: number): void {
    const needed = this.pendingLength + count;
    if (needed > this.current.length) {
      // Grow with the bytes that actually arrived (doubling), never straight to the unit's claimed
      // length: without the file size a damaged header can claim up to MAX_UNIT_BYTES for a
      // record the stream never delivers.
      const capacity = Math.min(Math.max(needed, this.current.length * 2, 256), Math.max(needed, capacityHint));
      const grown = new Uint8Array(capacity);
      grown.set(this.current.subarray(0, this.pendingLength));
      this.current = grown;
      this.currentHoldsFrames = false;
    }
    this.current.set(chunk.subarray(from, from + count), this.pendingLength);
    this.pendingLength = needed;
  }

  /** Make source[from, to) the pending bytes, in a buffer that no frame of this push points into. */
  private keepPending(source: Uint8Array, from: number, to: number): void {
    const length = to - from;
    if (length === 0) {
      this.pendingLength = 0;
      return;
    }
    let target: Uint8Array;
    if (source !== this.current && !this.currentHoldsFrames) {
      target = this.current;
    } else if (!this.spareHoldsFrames) {
      // Swap halves of the double buffer.
      target = this.spare;
      this.spare = this.current;
      this.spareHoldsFrames = this.currentHoldsFrames;
      this.currentHoldsFrames = false;
    } else {
      target = EMPTY; // both halves are in use by this push: take a new buffer
    }
    if (target.length < length) target = new Uint8Array(Math.max(length, 256));
    if (source === target) target.copyWithin(0, from, to);
    else target.set(source.subarray(from, to));
    this.current = target;
    this.pendingLength = length;
  }
}

export interface ReadCaptureResult {
  info?: CaptureInfo;
  /** Every complete frame; `data` are views into the input (or, for the first few KiB, into a copy). */
  frames: CapturedFrame[];
  error?: CaptureError;
}

/** Read a capture that is already in memory. Never throws for bad input. */
export function readCaptureBytes(bytes: Uint8Array): ReadCaptureResult {
  const reader = createCaptureReader({ totalBytes: bytes.length });
  const frames = reader.push(bytes);
  const end = reader.finish();
  for (const frame of end.frames) frames.push(frame);
  const result: ReadCaptureResult = { frames };
  if (end.info) result.info = end.info;
  if (end.error) result.error = end.error;
  return result;
}

export interface ReadStreamOptions {
  totalBytes?: number;
  onProgress?: (progress: ReadProgress) => void;
  /** Called once at the end with what the generator also returns. */
  onEnd?: (end: { info?: CaptureInfo; error?: CaptureError }) => void;
}

/**
 * The chunks of any byte source the engine reads from (File.stream(), a fetch body, a Node read
 * stream, an array of buffers), as one async iterable.
 */
export async function* chunksOf(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if ('getReader' in source && typeof source.getReader === 'function') {
    // Not every browser makes ReadableStream async-iterable yet.
    const streamReader = source.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await streamReader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      // Stopped early (bad input): tell the source we want no more bytes.
      if (!finished) await streamReader.cancel().catch(() => undefined);
      streamReader.releaseLock();
    }
  } else {
    yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  }
}

/**
 * Read a capture chunk by chunk, yielding frames that own their bytes. The generator's return
 * value (and `onEnd`) carries the info and the error, if any; a failing source becomes a
 * 'truncated' error rather than an exception.
 */
export async function* readCaptureStream(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: ReadStreamOptions = {},
): AsyncGenerator<CapturedFrame, { info?: CaptureInfo; error?: CaptureError }, undefined> {
  const reader = createCaptureReader({ totalBytes: options.totalBytes });
  let sourceError: CaptureError | undefined;
  try {
    for await (const chunk of chunksOf(source)) {
      const frames = reader.push(chunk);
      for (const frame of frames) {
        frame.data = frame.data.slice();
        yield frame;
      }
      options.onProgress?.({ bytesRead: reader.bytesRead, totalBytes: options.totalBytes, frames: reader.framesRead });
      if (reader.error) break;
    }
  } catch (problem) {
    const reason = problem instanceof Error ? problem.message : String(problem);
    sourceError = new CaptureError(
      'truncated',
      `truncated: reading the input failed after ${reader.bytesRead} bytes (${reason})`,
      reader.bytesRead,
    );
  }
  const end = reader.finish();
  for (const frame of end.frames) {
    frame.data = frame.data.slice();
    yield frame;
  }
  options.onProgress?.({ bytesRead: reader.bytesRead, totalBytes: options.totalBytes, frames: reader.framesRead });
  const result: { info?: CaptureInfo; error?: CaptureError } = {};
  if (end.info) result.info = end.info;
  const error = sourceError ?? end.error;
  if (error) result.error = error;
  options.onEnd?.(result);
  return result;
}
