// ETL HOOK: the single place where the capture readers meet the ETL reader (etl.ts, written
// separately). If etlSupport() returns undefined, sniff.ts answers .etl files with an
// 'unsupported' error that says how to convert them with etl2pcapng.
import { looksLikeEtl, readEtl } from './etl.ts';
import type { CaptureError, CaptureInfo, CapturedFrame } from './types.ts';
import type { FormatParser } from './parser.ts';
import { WholeFileBuffer } from './whole-file.ts';

export interface EtlSupport {
  looksLikeEtl(head: Uint8Array): boolean;
  readEtl(bytes: Uint8Array): { info: CaptureInfo; frames: CapturedFrame[]; error?: CaptureError };
}

const ETL_SUPPORT: EtlSupport = { looksLikeEtl, readEtl };

export function etlSupport(): EtlSupport | undefined {
  return ETL_SUPPORT;
}

/** ETL needs the whole file (per-CPU buffers out of time order): keep it, read it at the end. */
export class EtlParser implements FormatParser {
  need = 1;
  error: CaptureError | undefined;
  framesEmitted = 0;
  private readonly file: WholeFileBuffer;
  private fileInfo: CaptureInfo | undefined;
  private done = false;
  private readonly support: EtlSupport;
  private readonly totalBytes: number | undefined;

  constructor(support: EtlSupport, totalBytes?: number) {
    this.support = support;
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
    const result = this.support.readEtl(this.file.bytes.subarray(0, this.file.length));
    this.fileInfo = result.info;
    for (const frame of result.frames) out.push(frame);
    this.framesEmitted = result.frames.length;
    this.error = result.error;
  }
}
