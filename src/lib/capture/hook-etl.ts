// Where the streaming capture readers meet the ETL reader (etl.ts), which needs the whole file.
import { readEtl } from './etl.ts';
import type { CaptureError, CaptureInfo, CapturedFrame } from './types.ts';
import type { FormatParser } from './parser.ts';
import { WholeFileBuffer } from './whole-file.ts';

/** ETL needs the whole file (per-CPU buffers out of time order): keep it, read it at the end. */
export class EtlParser implements FormatParser {
  need = 1;
  error: CaptureError | undefined;
  framesEmitted = 0;
  private readonly file: WholeFileBuffer;
  private fileInfo: CaptureInfo | undefined;
  private done = false;
  private readonly totalBytes: number | undefined;

  constructor(totalBytes?: number) {
    this.totalBytes = totalBytes;
    this.file = new WholeFileBuffer(totalBytes);
  }

  info(): CaptureInfo | undefined {
    return this.fileInfo;
  }

  parse(
    bytes: Uint8Array,
    _view: DataView,
    start: number,
    end: number,
    fileOffset: number,
    out: CapturedFrame[],
  ): number {
    if (this.error || this.done) return end;
    const problem = this.file.append(bytes.subarray(start, end), fileOffset, 'ETL');
    if (problem) {
      this.error = problem;
      return start;
    }
    // With the size known, read as soon as the last byte arrives (progress bars reach the end).
    if (this.totalBytes !== undefined && this.file.length >= this.totalBytes) this.readAll(out);
    return end;
  }

  finish(_unconsumed: number, _fileOffset: number, out: CapturedFrame[]): CaptureError | undefined {
    if (!this.done && !this.error) this.readAll(out);
    return this.error;
  }

  private readAll(out: CapturedFrame[]): void {
    this.done = true;
    const result = readEtl(this.file.bytes.subarray(0, this.file.length));
    this.fileInfo = result.info;
    for (const frame of result.frames) out.push(frame);
    this.framesEmitted = result.frames.length;
    this.error = result.error;
  }
}
