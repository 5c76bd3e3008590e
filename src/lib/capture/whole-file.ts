// Some formats cannot be read front to back: NetMon keeps its frame table at the end and ETL
// buffers are per-CPU, out of time order. Their readers keep every byte received so far here.
import { formatCount } from './common.ts';
import { CaptureError } from './types.ts';

/** Largest file these formats may be (NetMon offsets are 32-bit; typed arrays stop near 2^31). */
export const MAX_WHOLE_FILE_BYTES = 2 ** 31 - 1;

export class WholeFileBuffer {
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor(expectedBytes?: number) {
    const initial = expectedBytes !== undefined && expectedBytes <= MAX_WHOLE_FILE_BYTES ? expectedBytes : 64 * 1024;
    this.bytes = new Uint8Array(Math.max(initial, 16));
    this.view = new DataView(this.bytes.buffer);
  }

  /** Append; returns an error instead of growing past the limit. */
  append(chunk: Uint8Array, fileOffset: number, format: string): CaptureError | undefined {
    const needed = this.length + chunk.length;
    if (needed > MAX_WHOLE_FILE_BYTES) {
      return new CaptureError(
        'unsupported',
        `${format} files must be read whole, and this one is larger than ${formatCount(MAX_WHOLE_FILE_BYTES)} bytes`,
        fileOffset,
      );
    }
    if (needed > this.bytes.length) {
      // Views handed out earlier keep pointing at the old buffer, whose bytes stay correct.
      const grown = new Uint8Array(Math.min(MAX_WHOLE_FILE_BYTES, Math.max(needed, this.bytes.length * 2)));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.bytes.set(chunk, this.length);
    this.length = needed;
    return undefined;
  }
}
