// The shape every format reader implements, so reader.ts can feed any of them the same way.
import type { CaptureError, CaptureInfo, CapturedFrame } from './types.ts';

/**
 * A format reader as a state machine over bytes. reader.ts hands it either a caller's chunk
 * (zero copy) or its own small buffer holding one unit (block/record) that straddled chunks.
 */
export interface FormatParser {
  /**
   * Consume complete units from bytes[start, end). `fileOffset` is the file offset of
   * bytes[start]. Frames go to `out`. Units are consumed whole. Afterwards `need` says how many bytes, counted from the first unconsumed byte, the
   * parser must see before it can consume anything more; `error` is set once reading must stop.
   * Returns the index in `bytes` of the first unconsumed byte.
   */
  parse(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    end: number,
    fileOffset: number,
    out: CapturedFrame[],
  ): number;
  /** Bytes needed from the first unconsumed byte (already validated against the limits). */
  readonly need: number;
  readonly error: CaptureError | undefined;
  /** Available once the file header has been read. */
  info(): CaptureInfo | undefined;
  /**
   * End of input. `unconsumed` bytes remain at `fileOffset`. Returns the reason the file is
   * incomplete, if it is, and may emit frames that could only be produced at the end
   * (formats that need the whole file).
   */
  finish(unconsumed: number, fileOffset: number, out: CapturedFrame[]): CaptureError | undefined;
  /** Frames emitted so far (their numbers are 1..framesEmitted). */
  readonly framesEmitted: number;
}

/** Optional observer of the file's structure, for tests and tools (block types and offsets). */
export type BlockObserver = (kind: string, offset: number, length: number) => void;
